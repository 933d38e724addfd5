#pragma once
/// \file
/// Alerts as polygons: each patch of an AOI's patch raster (the `patch` variable of change.nc,
/// kept in memory) traced with GDAL (8-connected) in a window around it, reprojected to EPSG:4326
/// and written as GeoPackage and GeoJSON (RFC 7946) with the alert table's attributes.

#include <ogr_geometry.h>

#include <array>
#include <cstddef>
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

/// The before and after chips of alerts as PNG images, for the KMZ's balloons
/// (report/alert_chips.hpp draws them from the COGs).
class chip_source {
 public:
  chip_source() = default;
  chip_source(chip_source const&) = delete;
  chip_source& operator=(chip_source const&) = delete;
  virtual ~chip_source() = default;
  /// Whether the alerts of AOI `aoi` (a place in the AOIs) have chips.
  [[nodiscard]] virtual bool has_chips(std::size_t aoi) const = 0;
  /// The PNG images of alert `k` of AOI `aoi`: before, after.
  [[nodiscard]] virtual std::array<std::string, 2> chips(std::size_t aoi, std::size_t k) const = 0;
};

/// Writes `dir`/alerts.gpkg, `dir`/alerts.geojson and/or `dir`/alerts.kmz (per `formats`) for
/// the alerts of `aois`, traced from `patches` (one per AOI). The GeoPackage also holds an
/// `aois` layer (each AOI's outline and totals, where every AOI has an outline) and QGIS's
/// default styles of both layers (outputs/qgis_styles.hpp); the KMZ an `aois` layer too, and
/// each balloon the alert's row and, where `chips` has them, its before and after chips
/// (files/<alert id>_before.png and _after.png in the KMZ). Each file is written under a
/// temporary name and renamed when complete. Returns the files written.
std::vector<std::filesystem::path> write_alert_polygons(std::vector<aoi_result> const& aois,
                                                        std::vector<alert_patches> const& patches,
                                                        std::vector<polygon_format> const& formats,
                                                        std::filesystem::path const& dir,
                                                        chip_source const* chips = nullptr);

}  // namespace geosweep::pipeline
