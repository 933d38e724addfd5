#include "grid/landcover_raster.hpp"

#include <gdal_alg.h>
#include <gdal_priv.h>
#include <gdalwarper.h>

#include <optional>
#include <string>

#include "core/gdal_utils.hpp"
#include "geosweep/kernels/error.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "grid/warp_onto_grid.hpp"

namespace geosweep::pipeline {

namespace {

void require_band(GDALDataset& source, std::filesystem::path const& file, int band) {
  if (band > source.GetRasterCount()) {
    throw io_error(file.string() + ": landcover.band " + std::to_string(band) + " of a raster of " +
                   std::to_string(source.GetRasterCount()) + " band(s)");
  }
}

}  // namespace

void check_landcover_raster(std::filesystem::path const& file, int band) {
  GEOSWEEP_EXPECTS(band >= 1, "band numbers start at 1");
  require_band(*open_raster(file), file, band);
}

std::vector<std::int32_t> landcover_codes(std::filesystem::path const& file, int band,
                                          raster_grid const& target) {
  GEOSWEEP_EXPECTS(band >= 1, "band numbers start at 1");
  std::vector<std::int32_t> codes(target.pixel_count(), landcover_no_data);
  if (codes.empty()) return codes;
  auto source = open_raster(file);
  require_band(*source, file, band);
  // Exact, like the scene reader's warps: GDAL's approximate transformer moves the sampled
  // source pixel by up to an eighth of a pixel, which changes the nearest class at edges.
  // The destination: the grid's CRS here, its geotransform below.
  char** to = nullptr;
  to = CSLSetNameValue(to, "DST_SRS", target.crs_wkt.c_str());
  void* transformer =
      GDALCreateGenImgProjTransformer2(GDALDataset::ToHandle(source.get()), nullptr, to);
  CSLDestroy(to);
  if (transformer == nullptr)
    throw io_error(file.string() +
                   ": cannot transform onto the analysis grid: " + last_gdal_message());
  GDALSetGenImgProjTransformerDstGeoTransform(transformer, target.transform.data());
  int has_nodata = 0;
  double const nodata = source->GetRasterBand(band)->GetNoDataValue(&has_nodata);
  std::vector<std::uint8_t> covered;
  CPLErr const err =
      warp_onto_grid(source.get(), band, target, GRA_NearestNeighbour,
                     has_nodata != 0 ? std::optional<double>(nodata) : std::nullopt, GDT_Int32,
                     GDALGenImgProjTransform, transformer, codes.data(), covered);
  GDALDestroyGenImgProjTransformer(transformer);
  if (err != CE_None)
    throw io_error(file.string() +
                   ": cannot reproject the land-cover classes: " + last_gdal_message());
  for (std::size_t i = 0; i < codes.size(); ++i)
    if (covered[i] == 0) codes[i] = landcover_no_data;
  return codes;
}

}  // namespace geosweep::pipeline
