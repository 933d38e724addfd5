#pragma once
/// \file
/// A georeferenced raster grid (CRS, affine geotransform and size) and windows of its pixels.

#include <array>
#include <cstddef>
#include <string>

namespace geosweep::pipeline {

/// GDAL's affine geotransform: x = gt[0] + col*gt[1] + row*gt[2], y = gt[3] + col*gt[4] +
/// row*gt[5].
using geotransform = std::array<double, 6>;

/// The grid a raster lives on. `crs_wkt` is OGC WKT (WKT2 from GDAL >= 3).
struct raster_grid {
  std::string crs_wkt;
  geotransform transform{0, 1, 0, 0, 0, -1};
  int width = 0;
  int height = 0;

  [[nodiscard]] std::size_t pixel_count() const {
    return static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  }
  /// Map coordinates of the centre of pixel (col, row).
  [[nodiscard]] std::array<double, 2> pixel_center(double col, double row) const {
    return {transform[0] + (col + 0.5) * transform[1] + (row + 0.5) * transform[2],
            transform[3] + (col + 0.5) * transform[4] + (row + 0.5) * transform[5]};
  }
};

/// A rectangle of pixels in a raster: of the analysis grid (chunks, AOI windows), of an AOI
/// window (tiles), or of any other grid.
struct pixel_window {
  int x_offset = 0;
  int y_offset = 0;
  int width = 0;
  int height = 0;

  [[nodiscard]] bool empty() const { return width <= 0 || height <= 0; }
  [[nodiscard]] std::size_t pixel_count() const {
    return empty() ? 0 : static_cast<std::size_t>(width) * static_cast<std::size_t>(height);
  }
  /// The overlap of two windows (empty when they do not overlap).
  [[nodiscard]] pixel_window intersect(pixel_window const& other) const;
  friend bool operator==(pixel_window const&, pixel_window const&) = default;
};

/// The part `window` of `grid` as a grid of its own.
raster_grid sub_grid(raster_grid const& grid, pixel_window const& window);

}  // namespace geosweep::pipeline
