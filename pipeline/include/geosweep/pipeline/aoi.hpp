#pragma once
/// \file
/// Areas of interest: geometry from a bbox or a vector file, reprojected to the scene CRS
/// and rasterized by GDAL into a mask over the smallest pixel window that holds it.

#include <cstdint>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// A rectangle of pixels in a raster.
struct pixel_window {
  int x_offset = 0;
  int y_offset = 0;
  int width = 0;
  int height = 0;
};

/// An AOI on the analysis grid.
struct aoi_raster {
  std::string name;
  pixel_window window;             ///< in the scene grid
  raster_grid grid;                ///< the window as a grid of its own
  std::vector<std::uint8_t> mask;  ///< 1 where the pixel centre is inside the AOI
  std::int64_t inside_pixels = 0;
};

/// The AOI's geometry as WKT in EPSG:4326 (lon/lat). Throws geosweep::io_error naming the file
/// when a geometry file cannot be read or holds no polygon.
std::string aoi_geometry_wkt(aoi_spec const& aoi);

/// Reprojects the AOI onto `scene_grid`, finds its pixel window and rasterizes it.
/// Throws geosweep::config_error when the AOI does not overlap the grid.
aoi_raster rasterize_aoi(aoi_spec const& aoi, raster_grid const& scene_grid);

}  // namespace geosweep::pipeline
