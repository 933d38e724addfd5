#pragma once
/// \file
/// Runs a validated job end to end: catalog, analysis grid, chunks streamed through every
/// date (observation_stream.hpp), indices and the change detector on the chosen backend,
/// patches stitched across chunks, HDF5 and CSV outputs written chunk by chunk.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/change_patch.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// The result for one AOI.
struct aoi_result {
  std::string name;
  civil_date date_before;           ///< last baseline scene date
  civil_date date_after;            ///< last monitoring scene date
  std::int64_t aoi_pixels = 0;      ///< pixels inside the AOI
  std::int64_t clear_pixels = 0;    ///< inside and clear in both periods
  std::int64_t changed_pixels = 0;  ///< in patches at or above the minimum mapping unit
  double clear_area_ha = 0.0;
  double changed_area_ha = 0.0;
  std::vector<change_patch> patches;                              ///< its alerts
  std::optional<std::array<double, 2>> changed_centroid_lat_lon;  ///< absent without change
};

/// What a run did and wrote.
struct run_result {
  std::vector<aoi_result> aois;
  std::optional<std::filesystem::path> hdf5_file;
  std::optional<std::filesystem::path> csv_file;
  std::optional<std::filesystem::path> alerts_file;
  std::vector<std::filesystem::path> polygon_files;  ///< alerts.gpkg, alerts.geojson
  std::vector<std::filesystem::path> cog_files;      ///< cog/<aoi>/*.tif
  kernels::backend backend = kernels::backend::cpu;
  std::size_t scenes_used = 0;
  std::int64_t pixels_processed = 0;  ///< chunk pixels times dates (pixel-dates)
  std::int64_t bytes_read = 0;        ///< decoded band bytes (16-bit values on the grid)
  std::size_t chunks = 0;
  double seconds = 0.0;
  raster_grid grid;  ///< the analysis grid
};

/// How to run.
struct run_options {
  kernels::backend backend = kernels::backend::automatic;
  bool progress = false;  ///< a progress line on stderr (the CLI sets it on a terminal)
};

/// Runs `spec`. Throws geosweep::config_error, io_error or cuda_error; outputs are complete
/// or absent.
run_result run_job(job_spec const& spec, run_options const& options);

/// Column names of the area table, in their fixed order.
std::vector<std::string> const& area_table_columns();

/// Column names of the alert table, in their fixed order.
std::vector<std::string> const& alert_table_columns();

}  // namespace geosweep::pipeline
