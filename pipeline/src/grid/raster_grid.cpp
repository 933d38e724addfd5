#include "geosweep/pipeline/raster_grid.hpp"

#include <algorithm>

namespace geosweep::pipeline {

pixel_window pixel_window::intersect(pixel_window const& other) const {
  int const x0 = std::max(x_offset, other.x_offset);
  int const y0 = std::max(y_offset, other.y_offset);
  int const x1 = std::min(x_offset + width, other.x_offset + other.width);
  int const y1 = std::min(y_offset + height, other.y_offset + other.height);
  if (x1 <= x0 || y1 <= y0) return {x0, y0, 0, 0};
  return {x0, y0, x1 - x0, y1 - y0};
}

raster_grid sub_grid(raster_grid const& grid, pixel_window const& window) {
  auto const& gt = grid.transform;
  raster_grid out;
  out.crs_wkt = grid.crs_wkt;
  out.transform = {gt[0] + window.x_offset * gt[1] + window.y_offset * gt[2], gt[1], gt[2],
                   gt[3] + window.x_offset * gt[4] + window.y_offset * gt[5], gt[4], gt[5]};
  out.width = window.width;
  out.height = window.height;
  return out;
}

}  // namespace geosweep::pipeline
