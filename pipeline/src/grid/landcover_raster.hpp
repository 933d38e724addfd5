#pragma once
// Internal to pipeline/src: a land-cover or forest-type class raster (job spec `landcover`)
// reprojected onto a grid with nearest neighbour, one class code per pixel.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// What a pixel the class raster does not cover (outside it, or its nodata value) holds.
inline constexpr std::int32_t landcover_no_data = -1;

/// Throws geosweep::io_error unless `file` opens as a raster with a band `band`: checked as a
/// run starts, so a bad class raster does not fail it after every chunk is computed.
void check_landcover_raster(std::filesystem::path const& file, int band);

/// The class code of each pixel of `target` (row-major), from band `band` of the raster `file`
/// (any GDAL raster, any CRS) warped onto it with nearest neighbour and an exact transformer
/// (no approximation, so the result does not depend on how `target` is cut). Pixels it does not
/// cover are landcover_no_data. Throws geosweep::io_error when the raster cannot be read.
std::vector<std::int32_t> landcover_codes(std::filesystem::path const& file, int band,
                                          raster_grid const& target);

}  // namespace geosweep::pipeline
