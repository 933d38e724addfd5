#pragma once
/// \file
/// Areas of interest: geometry from a bbox or a vector file, reprojected to the analysis
/// grid's CRS, its pixel window in that grid, and GDAL rasterization onto any part of it.

#include <ogr_geometry.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "geosweep/pipeline/geo_bbox.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// The AOI's bounding box in WGS84 degrees: its bbox, or the envelope of its geometry file.
/// Throws geosweep::io_error naming the file when it cannot be read or holds no polygon.
geo_bbox aoi_lon_lat_bbox(aoi_spec const& aoi);

/// An AOI's polygon in a grid's CRS.
class aoi_shape {
 public:
  /// Loads the AOI and reprojects it to the CRS of `crs_wkt`; throws geosweep::io_error or
  /// config_error naming the AOI or its file.
  aoi_shape(aoi_spec const& aoi, std::string const& crs_wkt);
  ~aoi_shape();
  aoi_shape(aoi_shape&&) noexcept;
  aoi_shape& operator=(aoi_shape&&) noexcept;

  [[nodiscard]] std::string const& name() const { return name_; }

  /// min x, min y, max x, max y in the grid CRS.
  [[nodiscard]] std::array<double, 4> const& envelope() const { return envelope_; }

  /// The polygon in the grid CRS (the report's locator map draws it).
  [[nodiscard]] OGRGeometry const& geometry() const { return *geometry_; }

  /// The smallest window of `grid` holding the AOI, clipped to the grid (maybe empty).
  [[nodiscard]] pixel_window window_in(raster_grid const& grid) const;

  /// 1 where the pixel centre of `grid` lies inside the AOI, else 0 (GDAL rasterization).
  [[nodiscard]] std::vector<std::uint8_t> rasterize(raster_grid const& grid) const;

  /// Sets the inner buffer (in grid CRS units, >= 0) that rasterize_zones() marks as the
  /// AOI's edge: the AOI shrunk by it (OGR's buffer) is its core.
  void set_edge_buffer(double distance);

  /// kernels::aoi_zone of each pixel of `grid`: zone_outside (0), zone_core (1) where the
  /// pixel centre lies in the core, zone_edge (2) where it lies in the AOI but not the core.
  [[nodiscard]] std::vector<std::uint8_t> rasterize_zones(raster_grid const& grid) const;

 private:
  /// Burns `value` where pixel centres of `grid` lie inside `geometry`, into `mask`.
  void burn(raster_grid const& grid, OGRGeometry const& geometry, std::uint8_t value,
            std::vector<std::uint8_t>& mask) const;

  std::string name_;
  OGRGeometryUniquePtr geometry_;
  OGRGeometryUniquePtr core_;  ///< the AOI shrunk by the edge buffer (null: no buffer)
  std::array<double, 4> envelope_{};
};

}  // namespace geosweep::pipeline
