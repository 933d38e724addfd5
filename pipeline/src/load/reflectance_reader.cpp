#include "load/reflectance_reader.hpp"

#include "core/gdal_utils.hpp"
#include "geosweep/kernels/hd.hpp"

namespace geosweep::pipeline {

resampling reflectance_resampling(raster_grid const& band, raster_grid const& grid) {
  double const band_pixel = std::abs(band.transform[1]);
  double const grid_pixel = std::abs(grid.transform[1]);
  bool const same_units = band.crs_wkt == grid.crs_wkt || make_srs(band.crs_wkt).IsGeographic() ==
                                                              make_srs(grid.crs_wkt).IsGeographic();
  return same_units && grid_pixel > 1.5 * band_pixel ? resampling::average : resampling::bilinear;
}

namespace {

/// The mosaic of `pixels` turned into reflectance by `op` (the same functor as the kernels'; a
/// plain loop: reader threads are already parallel).
template <class Op, class T>
void mosaic(Op const& functor, band_pixels<T> const& pixels, std::uint8_t const* clear, bool first,
            float* out) {
  Op const op = functor;  // a copy: stores through `out` cannot change its fields
  std::size_t const n = pixels.values.size();
  T const* values = pixels.values.data();
  std::uint8_t const* covered = pixels.covered.data();
  // Four plain loops (with or without a quality mask, first scene or not) so that each
  // vectorizes.
  if (clear == nullptr && first) {
    for (std::size_t i = 0; i < n; ++i) out[i] = op(values[i], covered[i]);
  } else if (clear == nullptr) {
    for (std::size_t i = 0; i < n; ++i) {
      float const v = op(values[i], covered[i]);
      out[i] = kernels::is_nodata(v) ? out[i] : v;
    }
  } else if (first) {
    for (std::size_t i = 0; i < n; ++i)
      out[i] = op(values[i], static_cast<std::uint8_t>(clear[i] & covered[i]));
  } else {
    for (std::size_t i = 0; i < n; ++i) {
      float const v = op(values[i], static_cast<std::uint8_t>(clear[i] & covered[i]));
      out[i] = kernels::is_nodata(v) ? out[i] : v;
    }
  }
}

}  // namespace

std::int64_t mosaic_reflectance(band_reader const& reader, band_radiometry const& radiometry,
                                raster_grid const& target, std::uint8_t const* clear, bool first,
                                float* out) {
  std::size_t const n = target.pixel_count();
  if (n == 0) return 0;
  resampling const how = reflectance_resampling(reader.grid(), target);
  if (radiometry.dn16_path) {
    mosaic(radiometry.dn16, reader.read_onto(target, how, radiometry.invalid.nodata), clear, first,
           out);
  } else {
    mosaic(radiometry.real, reader.read_real_onto(target, how, radiometry.invalid), clear, first,
           out);
  }
  // As 16-bit DNs, or in the band's own type.
  return static_cast<std::int64_t>(n) *
         (radiometry.dn16_path ? 2 : GDALGetDataTypeSizeBytes(reader.data_type()));
}

}  // namespace geosweep::pipeline
