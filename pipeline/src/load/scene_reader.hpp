#pragma once
/// \file
/// Windowed reads of one band file with GDAL.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <gdal_priv.h>

#include "catalog/scene_catalog.hpp"
#include "geosweep/pipeline/raster_grid.hpp"
#include "grid/aoi.hpp"

namespace geosweep::pipeline {

/// How a band is resampled onto another grid: nearest for classes and bit fields, bilinear
/// for reflectance, average when the target pixels are much larger than the source's.
enum class resampling { nearest, bilinear, average };

/// A band's values on a target grid, and where the source covers it.
struct band_pixels {
  std::vector<std::uint16_t> values;
  std::vector<std::uint8_t> covered;  ///< 1 where the source has data under the pixel
};

/// One open band of one scene. Errors name the file, the band and the window.
class band_reader {
 public:
  /// Opens the file; throws geosweep::io_error when it cannot or the band does not exist.
  explicit band_reader(band_file band);

  /// The band this reader reads.
  [[nodiscard]] band_file const& file() const { return file_; }

  /// The grid of the file (CRS, geotransform, size).
  [[nodiscard]] raster_grid grid() const;

  /// Throws geosweep::io_error when this file's grid differs from `reference` (this version
  /// needs every scene on one grid).
  void require_grid(raster_grid const& reference) const;

  /// Reads `window` as 16-bit DNs; the band must hold 8- or 16-bit unsigned integers.
  [[nodiscard]] std::vector<std::uint16_t> read_dn(pixel_window const& window) const;

  /// Reads `window` as 16-bit values (quality classes or bit fields, 8 or 16 bits).
  [[nodiscard]] std::vector<std::uint16_t> read_quality(pixel_window const& window) const;

  /// The band on `target` (any CRS, resolution and extent): a plain windowed read when the
  /// band's own grid is aligned with the target, a GDAL warp (exact transformation) otherwise.
  /// Pixels the source does not cover (or where it holds its nodata value) are not covered.
  [[nodiscard]] band_pixels read_onto(raster_grid const& target, resampling how) const;

  /// A metadata item of the band (default domain), or of the dataset when the band lacks it.
  [[nodiscard]] std::optional<std::string> metadata_item(char const* name) const;

 private:
  template <class T>
  std::vector<T> read(pixel_window const& window, GDALDataType type) const;
  [[nodiscard]] raster_grid read_grid() const;

  band_file file_;
  GDALDatasetUniquePtr dataset_;
  GDALRasterBand* band_ = nullptr;
  raster_grid grid_;  // read once: WKT export is not free
};

}  // namespace geosweep::pipeline
