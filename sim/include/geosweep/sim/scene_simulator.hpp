#pragma once
/// \file
/// A Sentinel-2-L2A-like scene simulator with planted forest clearings at known places and
/// dates, deterministic from a seed. It is the project's own demo and test data.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::sim {

using pipeline::civil_date;
using pipeline::raster_grid;

/// What to simulate. Defaults make the demo: a 8 x 8 km UTM 20S (Rondônia) tile at 10 m,
/// three baseline dates in 2023, four monitoring dates in 2024.
struct simulation_options {
  std::uint64_t seed = 1;
  int width = 800;   ///< pixels
  int height = 800;  ///< pixels
  double resolution_m = 10.0;
  int utm_zone = 20;           ///< southern hemisphere: EPSG:327xx
  double origin_x = 600000.0;  ///< upper-left corner, metres
  double origin_y = 8950000.0;
  std::string tile = "20LMR";  ///< MGRS tile id used in scene names
  civil_date baseline_start{std::chrono::year{2023}, std::chrono::June, std::chrono::day{5}};
  int baseline_dates = 3;
  civil_date monitor_start{std::chrono::year{2024}, std::chrono::June, std::chrono::day{4}};
  int monitor_dates = 4;
  int revisit_days = 15;
  int clearings = 6;     ///< planted clearings, spread over the AOIs
  bool clouds = true;    ///< clouds and shadows in the SCL band
  int degradations = 2;  ///< patches of gradual degradation (NDVI falls by ~0.08 while
                         ///< monitored: below any loss threshold, never to be flagged)
  /// Partial and salvage cuts instead of clean clearings: each pixel of a clearing keeps
  /// forest mixed with a patchy share of bare soil, 15-45 % (an NDVI fall of about 0.11-0.32),
  /// and 60 % of that on the clearing's edge pixels (mixed edges). The truth mask still holds
  /// the whole footprint.
  bool partial_cuts = false;
  /// Per band, pixel and date, reflectance is multiplied by 1 + U(-band_noise, band_noise).
  /// The default keeps index classes apart (forest NDVI spread ~0.004 a look); 0.12 gives the
  /// spread of real forest between two looks (dNDVI robust sd ~0.024).
  double band_noise = 0.026;
};

/// One planted clearing: where, when and how large.
struct planted_clearing {
  int id = 0;             ///< 1-based; value of the clearing in truth_mask
  std::string aoi;        ///< the AOI that contains it
  civil_date cleared_on;  ///< first scene date on which it is bare
  std::int64_t pixel_count = 0;
  double area_ha = 0.0;  ///< pixel_count * pixel area
};

/// What simulate_scenes wrote.
struct simulation_result {
  std::filesystem::path job_file;    ///< DIR/job.yaml
  std::filesystem::path truth_file;  ///< DIR/truth.geojson
  raster_grid grid;                  ///< the grid of every band file
  std::vector<civil_date> dates;     ///< scene dates, ascending
  std::vector<planted_clearing> clearings;
  std::vector<std::uint8_t> truth_mask;  ///< grid-sized, clearing id or 0
};

/// Writes scenes, AOIs, job.yaml and truth.geojson under `out_dir` (created if missing).
/// Throws geosweep::io_error when it cannot write.
simulation_result simulate_scenes(std::filesystem::path const& out_dir,
                                  simulation_options const& options);

}  // namespace geosweep::sim
