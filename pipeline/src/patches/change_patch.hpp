#pragma once
// Internal to pipeline/src: a patch of change as patch_stitcher.hpp makes it, and the pixels of
// patches by date that the area table sums.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// The pixels of a patch that share one date (first seen or confirmed on it).
struct date_extent {
  std::int64_t pixels = 0;
  std::int64_t column_sum = 0;  ///< in pixels of the AOI window
  std::int64_t row_sum = 0;
  double area_m2 = 0.0;
};

/// Adds `from` into `into`.
inline void add_extent(date_extent& into, date_extent const& from) {
  into.pixels += from.pixels;
  into.column_sum += from.column_sum;
  into.row_sum += from.row_sum;
  into.area_m2 += from.area_m2;
}

/// Adds every date of `from` into `into`.
inline void accumulate_dates(std::map<std::int32_t, date_extent>& into,
                             std::map<std::int32_t, date_extent> const& from) {
  for (auto const& [day, e] : from) add_extent(into[day], e);
}

/// A patch of change kept after the minimum mapping unit: its alert, and what the run needs
/// besides (its number in the patch raster, its pixel centroid, its pixels by date).
struct change_patch {
  pipeline::alert alert;
  std::int32_t label = 0;        ///< its value in the AOI's patch raster (1.., raster order)
  double centroid_column = 0.0;  ///< centroid in pixels of the AOI window (for area sums)
  double centroid_row = 0.0;
  pixel_window window;  ///< its bounding box, in pixels of the AOI window
  std::map<std::int32_t, date_extent> first_seen;  ///< its pixels by their first-anomaly day
  std::map<std::int32_t, date_extent> confirmed;   ///< its pixels by their confirmation day
};

}  // namespace geosweep::pipeline
