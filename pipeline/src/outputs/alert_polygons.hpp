#pragma once
/// \file
/// Alerts as polygons: each patch of an AOI's patch raster (the `patch` variable of change.nc,
/// kept in memory) traced with GDAL (8-connected) in a window around it, reprojected to EPSG:4326
/// and written as GeoPackage and GeoJSON (RFC 7946) with the alert table's attributes.

#include <ogr_geometry.h>

#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/raster_grid.hpp"
#include "patches/patch_pixels.hpp"

namespace geosweep::pipeline {

/// One AOI's patches to trace: its window of the analysis grid, its final patch numbers and
/// the bounding box of each alert (alert k is patch k + 1), in pixels of that window.
struct alert_patches {
  raster_grid grid;
  patch_pixels const* pixels = nullptr;
  std::vector<pixel_window> windows;
  OGRGeometry const* outline = nullptr;  ///< the AOI's polygon in the grid's CRS (aois layer)
};

/// Writes `dir`/alerts.gpkg and/or `dir`/alerts.geojson (per `formats`) for the alerts of
/// `aois`, traced from `patches` (one per AOI). The GeoPackage also holds an `aois` layer
/// (each AOI's outline and totals, where every AOI has an outline) and QGIS's default styles
/// of both layers (outputs/qgis_styles.hpp). Each file is written under a temporary name and
/// renamed when complete. Returns the files written.
std::vector<std::filesystem::path> write_alert_polygons(std::vector<aoi_result> const& aois,
                                                        std::vector<alert_patches> const& patches,
                                                        std::vector<polygon_format> const& formats,
                                                        std::filesystem::path const& dir);

}  // namespace geosweep::pipeline
