#pragma once
/// \file
/// Alerts as polygons: each AOI's patch raster in change.nc traced with GDAL (8-connected),
/// dissolved by patch, reprojected to EPSG:4326 and written as GeoPackage and GeoJSON
/// (RFC 7946) with the alert table's attributes.

#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_runner.hpp"

namespace geosweep::pipeline {

/// Writes `dir`/alerts.gpkg and/or `dir`/alerts.geojson (per `formats`) for the alerts of
/// `aois`, traced from the `patch` variables of `change_nc`. Each file is written under a
/// temporary name and renamed when complete. Returns the files written.
std::vector<std::filesystem::path> write_alert_polygons(std::filesystem::path const& change_nc,
                                                        std::vector<aoi_result> const& aois,
                                                        std::vector<polygon_format> const& formats,
                                                        std::filesystem::path const& dir);

}  // namespace geosweep::pipeline
