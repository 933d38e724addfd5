#pragma once
// Internal to pipeline/src: the run's two tables. alerts.csv has a row per alert, its fields
// from the alert field table (geosweep/pipeline/alert.hpp); areas.csv a row per AOI and date:
// the clear area and cloud fraction, the change first seen and confirmed that date and so far
// (from the kept patches' pixel dates), and the centroid of the change so far.

#include <ogr_spatialref.h>

#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geosweep/pipeline/job_runner.hpp"
#include "patches/change_patch.hpp"

namespace geosweep::pipeline {

/// The columns of areas.csv, in order.
std::span<std::string_view const> area_table_columns();

/// What areas.csv needs of an AOI besides its patches.
struct area_table_aoi {
  std::string name;
  raster_grid grid;  ///< its window of the analysis grid
  double inside_m2;  ///< ground area inside it
  std::optional<double> value_per_ha;
};

/// The AOI's rows of areas.csv, one per date of `dates` (every date read so far).
std::vector<std::vector<std::string>> area_rows(area_table_aoi const& aoi,
                                                std::vector<change_patch> const& patches,
                                                std::vector<date_summary> const& dates,
                                                OGRCoordinateTransformation& to_wgs84);

/// Writes `dir`/areas.csv (`rows`) and `dir`/alerts.csv (`alerts`, every AOI's); returns them.
std::pair<std::filesystem::path, std::filesystem::path> write_tables(
    std::filesystem::path const& dir, std::vector<std::vector<std::string>> const& area_rows,
    std::vector<alert> const& alerts);

}  // namespace geosweep::pipeline
