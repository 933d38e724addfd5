#include "grid/landcover_raster.hpp"

#include <gdal_alg.h>
#include <gdal_priv.h>
#include <gdalwarper.h>

#include <string>

#include "core/gdal_utils.hpp"
#include "geosweep/kernels/error.hpp"
#include "geosweep/pipeline/errors.hpp"

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
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  // Band 1 the codes, band 2 the coverage (alpha): a code of 0 is a class like any other.
  GDALDatasetUniquePtr dst(mem->Create("", target.width, target.height, 2, GDT_Int32, nullptr));
  if (!dst) throw io_error("cannot create a memory raster for the land-cover classes");
  dst->SetGeoTransform(const_cast<double*>(target.transform.data()));
  dst->SetProjection(target.crs_wkt.c_str());
  // Exact, like the scene reader's warps: GDAL's approximate transformer moves the sampled
  // source pixel by up to an eighth of a pixel, which changes the nearest class at edges.
  void* transformer = GDALCreateGenImgProjTransformer2(GDALDataset::ToHandle(source.get()),
                                                       GDALDataset::ToHandle(dst.get()), nullptr);
  if (transformer == nullptr)
    throw io_error(file.string() +
                   ": cannot transform onto the analysis grid: " + last_gdal_message());
  GDALWarpOptions* options = GDALCreateWarpOptions();
  options->hSrcDS = GDALDataset::ToHandle(source.get());
  options->hDstDS = GDALDataset::ToHandle(dst.get());
  options->nBandCount = 1;
  options->panSrcBands = static_cast<int*>(CPLMalloc(sizeof(int)));
  options->panSrcBands[0] = band;
  options->panDstBands = static_cast<int*>(CPLMalloc(sizeof(int)));
  options->panDstBands[0] = 1;
  options->nDstAlphaBand = 2;
  options->eResampleAlg = GRA_NearestNeighbour;
  int has_nodata = 0;
  double const nodata = source->GetRasterBand(band)->GetNoDataValue(&has_nodata);
  if (has_nodata != 0) {
    options->padfSrcNoDataReal = static_cast<double*>(CPLMalloc(sizeof(double)));
    options->padfSrcNoDataReal[0] = nodata;
  }
  options->papszWarpOptions = CSLSetNameValue(options->papszWarpOptions, "INIT_DEST", "0");
  options->pTransformerArg = transformer;
  options->pfnTransformer = GDALGenImgProjTransform;
  CPLErr err = CE_None;
  {
    GDALWarpOperation warp;
    err = warp.Initialize(options);
    if (err == CE_None) err = warp.ChunkAndWarpImage(0, 0, target.width, target.height);
  }
  GDALDestroyWarpOptions(options);
  GDALDestroyGenImgProjTransformer(transformer);
  std::vector<std::uint8_t> alpha(codes.size());
  if (err == CE_None)
    err = dst->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, target.width, target.height, codes.data(),
                                          target.width, target.height, GDT_Int32, 0, 0);
  if (err == CE_None)
    err = dst->GetRasterBand(2)->RasterIO(GF_Read, 0, 0, target.width, target.height, alpha.data(),
                                          target.width, target.height, GDT_Byte, 0, 0);
  if (err != CE_None)
    throw io_error(file.string() +
                   ": cannot reproject the land-cover classes: " + last_gdal_message());
  for (std::size_t i = 0; i < codes.size(); ++i)
    if (alpha[i] == 0) codes[i] = landcover_no_data;
  return codes;
}

}  // namespace geosweep::pipeline
