#pragma once
/// \file
/// One band of one scene as clear surface reflectance on a grid: read in its own type (16-bit
/// DNs on the fast path, doubles for every other type), resampled, masked (coverage, quality,
/// nodata, saturation) and turned into reflectance with the band's radiometry, on the calling
/// (reader) thread with the kernels' functors, so both backends get the same floats.

#include <cstdint>
#include <string>

#include "catalog/sensor_profile.hpp"
#include "geosweep/pipeline/raster_grid.hpp"
#include "load/scene_reader.hpp"

namespace geosweep::pipeline {

/// Resampling of reflectance: average when the grid's pixels are much larger than the band's,
/// bilinear otherwise.
resampling reflectance_resampling(raster_grid const& band, raster_grid const& grid);

/// Band `reader` on `target` as reflectance into `mosaic` (target.pixel_count() floats).
/// `clear` (null: every covered pixel) is 1 where the scene's quality band says clear. With
/// `first`, every pixel is set (NaN where the band has no clear look); otherwise only pixels
/// with a clear look are, so later tiles of a date fill in. Returns the bytes read.
std::int64_t mosaic_reflectance(band_reader const& reader, band_radiometry const& radiometry,
                                raster_grid const& target, std::uint8_t const* clear, bool first,
                                float* mosaic);

}  // namespace geosweep::pipeline
