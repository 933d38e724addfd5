#pragma once
/// \file
/// A patch of change (an alert) and its stable id. patch_stitcher.hpp makes them.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace geosweep::pipeline {

/// The pixels of a patch that share one date (first seen or confirmed on it).
struct date_extent {
  std::int64_t pixels = 0;
  std::int64_t column_sum = 0;  ///< in pixels of the AOI window
  std::int64_t row_sum = 0;
  double area_m2 = 0.0;
};

/// Adds every date of `from` into `into`.
inline void accumulate_dates(std::map<std::int32_t, date_extent>& into,
                             std::map<std::int32_t, date_extent> const& from) {
  for (auto const& [day, e] : from) {
    date_extent& t = into[day];
    t.pixels += e.pixels;
    t.column_sum += e.column_sum;
    t.row_sum += e.row_sum;
    t.area_m2 += e.area_m2;
  }
}

/// One patch of change kept after the minimum mapping unit.
struct change_patch {
  std::string alert_id;  ///< stable: from the AOI and the place and date of its earliest pixel
  std::string aoi;
  std::int32_t label = 0;  ///< its value in the AOI's patch raster
  std::int64_t pixels = 0;
  double area_ha = 0.0;       ///< ground area (ellipsoidal on geographic grids)
  double centroid_lat = 0.0;  ///< WGS84, mean of its pixel centres
  double centroid_lon = 0.0;
  std::array<double, 4> bbox{};     ///< west, south, east, north in WGS84 degrees
  std::int32_t first_date = 0;      ///< day number: earliest first anomaly of its pixels
  std::int32_t confirmed_date = 0;  ///< earliest confirmation, kernels::no_date if none
  std::uint8_t confidence = 0;   ///< kernels::change_low or change_high (the highest of its pixels)
  double mean_magnitude = 0.0;   ///< mean index drop over its pixels
  double centroid_column = 0.0;  ///< centroid in pixels of the AOI window (for area sums)
  double centroid_row = 0.0;
  std::map<std::int32_t, date_extent> first_seen;  ///< its pixels by their first-anomaly day
  std::map<std::int32_t, date_extent> confirmed;   ///< its pixels by their confirmation day
};

/// "YYYY-MM-DD" of a day number (days since 1970-01-01), "" for kernels::no_date: how the
/// tables write an alert's dates.
std::string day_or_empty(std::int32_t day);

/// "high" for kernels::change_high, else "low": how the tables write an alert's confidence.
std::string confidence_name(std::uint8_t confidence);

/// A stable alert id, "gs-" and 12 hex digits, from the AOI name, a position rounded to 1e-4
/// degrees (about 11 m) and a date. Patches pass the centre and first date of their earliest
/// pixel (first anomaly, then raster order): it stays put while a clearing grows from night to
/// night, so the alert keeps its id; when two patches merge, the older id goes on.
std::string stable_alert_id(std::string const& aoi, double lat, double lon,
                            std::int32_t first_date);

}  // namespace geosweep::pipeline
