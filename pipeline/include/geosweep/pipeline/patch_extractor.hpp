#pragma once
/// \file
/// From per-pixel change to patches: 8-connected components of changed pixels, the minimum
/// mapping unit, and per patch its area, centroid, bounding box, dates, confidence and
/// magnitude, with a stable id.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/change_detector.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// One patch of change kept after the minimum mapping unit.
struct change_patch {
  std::string alert_id;  ///< stable: from the AOI, the centroid and the first date
  std::string aoi;
  std::int32_t label = 0;  ///< its value in the AOI's patch raster
  std::int64_t pixels = 0;
  double area_ha = 0.0;       ///< ground area (ellipsoidal on geographic grids)
  double centroid_lat = 0.0;  ///< WGS84, mean of its pixel centres
  double centroid_lon = 0.0;
  std::array<double, 4> bbox{};     ///< west, south, east, north in WGS84 degrees
  std::int32_t first_date = 0;      ///< day number: earliest first anomaly of its pixels
  std::int32_t confirmed_date = 0;  ///< earliest confirmation, kernels::no_date if none
  std::uint8_t confidence = 0;  ///< kernels::change_low or change_high (the highest of its pixels)
  double mean_magnitude = 0.0;  ///< mean index drop over its pixels
};

/// Patches of one AOI and its label raster (0 where no kept patch).
struct patch_set {
  std::vector<change_patch> patches;  ///< in raster order of their first pixel
  std::vector<std::int32_t> labels;
};

/// Labels the changed pixels of `detection` (low or high confidence) into 8-connected
/// patches, drops patches smaller than `min_area_ha` (their pixels become change_none in
/// `detection`) and measures the rest on `grid`.
patch_set extract_patches(std::string const& aoi, detection_rasters& detection,
                          raster_grid const& grid, double min_area_ha, kernels::backend where);

/// A stable alert id, "gs-" and 12 hex digits, from the AOI name, the centroid rounded to
/// 1e-4 degrees (about 11 m) and the first date; the same patch gets the same id in every run.
std::string stable_alert_id(std::string const& aoi, double lat, double lon,
                            std::int32_t first_date);

}  // namespace geosweep::pipeline
