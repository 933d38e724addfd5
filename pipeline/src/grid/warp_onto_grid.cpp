#include "grid/warp_onto_grid.hpp"

#include <gdalwarper.h>

namespace geosweep::pipeline {

CPLErr warp_onto_grid(GDALDataset* source, int band, raster_grid const& target, GDALResampleAlg how,
                      std::optional<double> nodata, GDALDataType type,
                      GDALTransformerFunc transform, void* arg, void* values,
                      std::vector<std::uint8_t>& covered) {
  std::size_t const n = target.pixel_count();
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDatasetUniquePtr dst(mem->Create("", target.width, target.height, 2, type, nullptr));
  if (!dst) return CE_Failure;
  dst->SetGeoTransform(const_cast<double*>(target.transform.data()));
  dst->SetProjection(target.crs_wkt.c_str());
  GDALWarpOptions* options = GDALCreateWarpOptions();
  options->hSrcDS = GDALDataset::ToHandle(source);
  options->hDstDS = GDALDataset::ToHandle(dst.get());
  options->nBandCount = 1;
  options->panSrcBands = static_cast<int*>(CPLMalloc(sizeof(int)));
  options->panSrcBands[0] = band;
  options->panDstBands = static_cast<int*>(CPLMalloc(sizeof(int)));
  options->panDstBands[0] = 1;
  options->nDstAlphaBand = 2;
  options->eResampleAlg = how;
  if (nodata) {
    options->padfSrcNoDataReal = static_cast<double*>(CPLMalloc(sizeof(double)));
    options->padfSrcNoDataReal[0] = *nodata;
  }
  options->papszWarpOptions = CSLSetNameValue(options->papszWarpOptions, "INIT_DEST", "0");
  options->pTransformerArg = arg;
  options->pfnTransformer = transform;
  CPLErr err = CE_None;
  {
    GDALWarpOperation warp;
    err = warp.Initialize(options);
    if (err == CE_None) err = warp.ChunkAndWarpImage(0, 0, target.width, target.height);
  }
  options->pTransformerArg = nullptr;  // owned by the caller
  GDALDestroyWarpOptions(options);
  if (err != CE_None) return err;
  std::vector<std::uint8_t> alpha(n);
  if (dst->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, target.width, target.height, values,
                                      target.width, target.height, type, 0, 0) != CE_None ||
      dst->GetRasterBand(2)->RasterIO(GF_Read, 0, 0, target.width, target.height, alpha.data(),
                                      target.width, target.height, GDT_Byte, 0, 0) != CE_None) {
    return CE_Failure;
  }
  covered.resize(n);
  for (std::size_t i = 0; i < n; ++i) covered[i] = alpha[i] > 0 ? 1 : 0;
  return CE_None;
}

}  // namespace geosweep::pipeline
