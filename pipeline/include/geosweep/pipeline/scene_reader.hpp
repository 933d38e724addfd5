#pragma once
/// \file
/// Windowed reads of one band file with GDAL, and the radiometry of its band.

#include <cstdint>
#include <vector>

#include <gdal_priv.h>

#include "geosweep/kernels/indices.hpp"
#include "geosweep/pipeline/aoi.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"
#include "geosweep/pipeline/scene_catalog.hpp"

namespace geosweep::pipeline {

/// One open band of one scene. Errors name the file, the band and the window.
class band_reader {
 public:
  /// Opens the file; throws geosweep::io_error when it cannot or the band does not exist.
  explicit band_reader(band_file band);

  /// The grid of the file (CRS, geotransform, size).
  [[nodiscard]] raster_grid grid() const;

  /// Throws geosweep::io_error when this file's grid differs from `reference` (this version
  /// needs every scene on one grid).
  void require_grid(raster_grid const& reference) const;

  /// Reads `window` as 16-bit DNs; the band must hold 8- or 16-bit unsigned integers.
  [[nodiscard]] std::vector<std::uint16_t> read_dn(pixel_window const& window) const;

  /// Reads `window` as bytes (quality classes).
  [[nodiscard]] std::vector<std::uint8_t> read_classes(pixel_window const& window) const;

  /// DN-to-reflectance of this band for scene `s` under the job's sensor.
  [[nodiscard]] kernels::reflectance_op reflectance(sensor_spec const& sensor,
                                                    scene const& s) const;

 private:
  template <class T>
  std::vector<T> read(pixel_window const& window, GDALDataType type) const;

  band_file file_;
  GDALDatasetUniquePtr dataset_;
  GDALRasterBand* band_ = nullptr;
};

/// Quality classes counted as clear for the sensor (bit k: class k): Sentinel-2 SCL
/// vegetation (4), not vegetated (5), water (6) and unclassified (7).
std::uint32_t clear_classes(sensor_spec const& sensor);

}  // namespace geosweep::pipeline
