#pragma once
/// \file
/// Areas of interest: geometry from a bbox or a vector file, reprojected to the analysis
/// grid's CRS, its pixel window in that grid, and GDAL rasterization onto any part of it.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

class OGRGeometry;

namespace geosweep::pipeline {

/// The AOI's geometry as WKT in EPSG:4326 (lon/lat). Throws geosweep::io_error naming the file
/// when a geometry file cannot be read or holds no polygon.
std::string aoi_geometry_wkt(aoi_spec const& aoi);

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

  /// West, south, east, north in WGS84 degrees.
  [[nodiscard]] std::array<double, 4> const& lon_lat_bbox() const { return lon_lat_bbox_; }

  /// The smallest window of `grid` holding the AOI, clipped to the grid (maybe empty).
  [[nodiscard]] pixel_window window_in(raster_grid const& grid) const;

  /// 1 where the pixel centre of `grid` lies inside the AOI, else 0 (GDAL rasterization).
  [[nodiscard]] std::vector<std::uint8_t> rasterize(raster_grid const& grid) const;

 private:
  std::string name_;
  std::unique_ptr<OGRGeometry, void (*)(OGRGeometry*)> geometry_;
  std::array<double, 4> envelope_{};
  std::array<double, 4> lon_lat_bbox_{};
};

}  // namespace geosweep::pipeline
