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
template <class T>
struct band_pixels {
  std::vector<T> values;
  std::vector<std::uint8_t> covered;  ///< 1 where the source has data under the pixel
};

/// DN values of a band that are not observations, besides its file's own nodata value (for
/// example a job's `sensor.nodata` and `sensor.saturated`). A warp excludes them before it
/// resamples, so a bilinear or average pixel never blends them in.
struct invalid_dns {
  std::optional<double> nodata;
  std::vector<double> saturated;
};

/// True for the band types geosweep reads: Byte, UInt16, Int16, UInt32, Int32, Float32 and
/// Float64 (not complex, not 64-bit integers).
bool is_readable_type(GDALDataType type);

/// True for the types read as 16-bit DNs (Byte, UInt16), the fast path.
bool is_dn16_type(GDALDataType type);

/// `v` as a band of `type` holds it: a Float32 band's values are floats, so a nodata value or
/// saturated code given as a double is compared after rounding it to float.
double in_band_type(double v, GDALDataType type);

/// One open band of one scene. Errors name the file, the band and the window.
class band_reader {
 public:
  /// Opens the file; throws geosweep::io_error when it cannot, the band does not exist or
  /// its type is not one geosweep reads (is_readable_type).
  explicit band_reader(band_file band);

  /// The band's data type.
  [[nodiscard]] GDALDataType data_type() const { return type_; }

  /// The file's own nodata value of the band, when it has one.
  [[nodiscard]] std::optional<double> file_nodata() const;

  /// The band this reader reads.
  [[nodiscard]] band_file const& file() const { return file_; }

  /// The grid of the file (CRS, geotransform, size).
  [[nodiscard]] raster_grid grid() const;

  /// Throws geosweep::io_error when this file's grid differs from `reference` (this version
  /// needs every scene on one grid).
  void require_grid(raster_grid const& reference) const;

  /// Reads `window` as 16-bit DNs; the band must hold 8- or 16-bit unsigned integers.
  [[nodiscard]] std::vector<std::uint16_t> read_dn(pixel_window const& window) const;

  /// Reads `window` in the band's own type, as doubles (which hold every readable type
  /// exactly).
  [[nodiscard]] std::vector<double> read_real(pixel_window const& window) const;

  /// Reads `window` as 16-bit values (quality classes or bit fields, 8 or 16 bits).
  [[nodiscard]] std::vector<std::uint16_t> read_quality(pixel_window const& window) const;

  /// The band, of 8 or 16 unsigned bits, on `target` (any CRS, resolution and extent): a plain
  /// windowed read when the band's own grid is aligned with the target, a GDAL warp (exact
  /// transformation) otherwise. Pixels the source does not cover (or where it holds its
  /// nodata value) are not covered; `nodata`, when given, is the value a warp excludes instead
  /// of the file's.
  [[nodiscard]] band_pixels<std::uint16_t> read_onto(raster_grid const& target, resampling how,
                                                     std::optional<double> nodata = {}) const;

  /// The band, of any readable type, on `target` as doubles, like read_onto. A warp excludes
  /// the file's nodata, `invalid`'s values and (float bands) NaN and infinities before it
  /// resamples. Values
  /// of `invalid` on an aligned read are left for the caller to mask.
  [[nodiscard]] band_pixels<double> read_real_onto(raster_grid const& target, resampling how,
                                                   invalid_dns const& invalid) const;

  /// A metadata item of the band (default domain), or of the dataset when the band lacks it.
  [[nodiscard]] std::optional<std::string> metadata_item(char const* name) const;

 private:
  template <class T>
  std::vector<T> read(pixel_window const& window, GDALDataType type) const;
  template <class T>
  [[nodiscard]] std::optional<band_pixels<T>> read_aligned(raster_grid const& target,
                                                           GDALDataType type) const;
  template <class T>
  [[nodiscard]] band_pixels<T> warp(raster_grid const& target, resampling how,
                                    std::optional<double> nodata, GDALDataType type) const;
  [[nodiscard]] band_pixels<double> warp_excluding(raster_grid const& target, resampling how,
                                                   std::vector<double> const& excluded) const;
  [[nodiscard]] raster_grid read_grid() const;

  band_file file_;
  GDALDatasetUniquePtr dataset_;
  GDALRasterBand* band_ = nullptr;
  GDALDataType type_ = GDT_Unknown;
  raster_grid grid_;  // read once: WKT export is not free
};

}  // namespace geosweep::pipeline
