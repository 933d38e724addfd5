#pragma once
// Internal to pipeline/src: one band of a GDAL raster warped onto a grid, the step the scene
// reader and the land-cover classes share.

#include <gdal_alg.h>
#include <gdal_priv.h>
#include <gdalwarper.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// Warps band `band` of `source` onto `target` with GDAL's warper and resampling `how`: the
/// values, of `type`, into `values` (target.pixel_count() of them), and into `covered` 1 where
/// source pixels landed (from an alpha band, so that a value of 0 stays a value), else 0. Source
/// pixels equal to `nodata` are left out. `transform` and `arg` are the transformer (the caller
/// owns `arg`). Returns GDAL's error status.
CPLErr warp_onto_grid(GDALDataset* source, int band, raster_grid const& target, GDALResampleAlg how,
                      std::optional<double> nodata, GDALDataType type,
                      GDALTransformerFunc transform, void* arg, void* values,
                      std::vector<std::uint8_t>& covered);

}  // namespace geosweep::pipeline
