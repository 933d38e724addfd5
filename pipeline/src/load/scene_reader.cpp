#include "load/scene_reader.hpp"

#include <gdalwarper.h>

#include <cmath>
#include <string>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {

band_reader::band_reader(band_file band)
    : file_(std::move(band)), dataset_(open_raster(file_.path)) {
  if (file_.band < 1 || file_.band > dataset_->GetRasterCount()) {
    throw io_error(file_.path.string() + ": has " + std::to_string(dataset_->GetRasterCount()) +
                   " bands, band " + std::to_string(file_.band) + " was asked for");
  }
  band_ = dataset_->GetRasterBand(file_.band);
  grid_ = read_grid();
}

raster_grid band_reader::grid() const {
  return grid_;
}

raster_grid band_reader::read_grid() const {
  raster_grid grid;
  grid.width = dataset_->GetRasterXSize();
  grid.height = dataset_->GetRasterYSize();
  if (dataset_->GetGeoTransform(grid.transform.data()) != CE_None) {
    throw io_error(file_.path.string() + ": has no geotransform (the raster is not georeferenced)");
  }
  OGRSpatialReference const* srs = dataset_->GetSpatialRef();
  if (srs == nullptr) throw io_error(file_.path.string() + ": has no coordinate reference system");
  char* wkt = nullptr;
  char const* options[] = {"FORMAT=WKT2_2018", nullptr};
  srs->exportToWkt(&wkt, options);
  grid.crs_wkt = wkt != nullptr ? wkt : "";
  CPLFree(wkt);
  return grid;
}

void band_reader::require_grid(raster_grid const& reference) const {
  auto const g = grid();
  bool same_transform = true;
  for (int k = 0; k < 6; ++k) {
    double const tolerance = 1e-6 * std::max(1.0, std::abs(reference.transform[k]));
    same_transform =
        same_transform && std::abs(g.transform[k] - reference.transform[k]) <= tolerance;
  }
  if (g.width != reference.width || g.height != reference.height || !same_transform) {
    throw io_error(file_.path.string() +
                   ": lies on another grid than the first scene (size or "
                   "geotransform differ); this version needs every scene on one grid");
  }
  auto const a = make_srs(g.crs_wkt);
  auto const b = make_srs(reference.crs_wkt);
  if (!a.IsSame(&b)) {
    throw io_error(file_.path.string() +
                   ": is in another CRS than the first scene; this version "
                   "needs every scene in one CRS");
  }
}

template <class T>
std::vector<T> band_reader::read(pixel_window const& window, GDALDataType type) const {
  auto const where = [&] {
    return file_.path.string() + " band " + std::to_string(file_.band) + " window (" +
           std::to_string(window.x_offset) + ", " + std::to_string(window.y_offset) + ", " +
           std::to_string(window.width) + " x " + std::to_string(window.height) + ")";
  };
  if (window.x_offset < 0 || window.y_offset < 0 ||
      window.x_offset + window.width > dataset_->GetRasterXSize() ||
      window.y_offset + window.height > dataset_->GetRasterYSize()) {
    throw io_error(where() + ": the window lies outside the " +
                   std::to_string(dataset_->GetRasterXSize()) + " x " +
                   std::to_string(dataset_->GetRasterYSize()) + " raster");
  }
  std::vector<T> values(static_cast<std::size_t>(window.width) * window.height);
  CPLErrorReset();
  if (band_->RasterIO(GF_Read, window.x_offset, window.y_offset, window.width, window.height,
                      values.data(), window.width, window.height, type, 0, 0) != CE_None) {
    throw io_error(where() + ": read failed: " + last_gdal_message());
  }
  return values;
}

std::vector<std::uint16_t> band_reader::read_dn(pixel_window const& window) const {
  GDALDataType const type = band_->GetRasterDataType();
  if (type != GDT_Byte && type != GDT_UInt16) {
    throw io_error(file_.path.string() + " band " + std::to_string(file_.band) + ": is " +
                   GDALGetDataTypeName(type) +
                   "; geosweep reads digital numbers of 8 or 16 unsigned bits");
  }
  return read<std::uint16_t>(window, GDT_UInt16);
}

std::vector<std::uint16_t> band_reader::read_quality(pixel_window const& window) const {
  GDALDataType const type = band_->GetRasterDataType();
  if (type != GDT_Byte && type != GDT_UInt16) {
    throw io_error(file_.path.string() + " band " + std::to_string(file_.band) + ": is " +
                   GDALGetDataTypeName(type) +
                   "; a quality band holds 8- or 16-bit unsigned integers");
  }
  return read<std::uint16_t>(window, GDT_UInt16);
}

band_pixels band_reader::read_onto(raster_grid const& target, resampling how) const {
  band_pixels out;
  std::size_t const n = target.pixel_count();
  if (n == 0) return out;
  int has_nodata = 0;
  double const nodata = band_->GetNoDataValue(&has_nodata);

  // Aligned: same CRS, same pixel size, whole-pixel offset. A windowed read, no resampling.
  auto const& s = grid_.transform;
  auto const& t = target.transform;
  bool aligned = s[2] == 0.0 && s[4] == 0.0 && t[2] == 0.0 && t[4] == 0.0 &&
                 std::abs(s[1] - t[1]) < 1e-9 * std::abs(t[1]) &&
                 std::abs(s[5] - t[5]) < 1e-9 * std::abs(t[5]);
  double const dx = aligned ? (t[0] - s[0]) / s[1] : 0.0;
  double const dy = aligned ? (t[3] - s[3]) / s[5] : 0.0;
  aligned = aligned && std::abs(dx - std::round(dx)) < 1e-6 && std::abs(dy - std::round(dy)) < 1e-6;
  if (aligned && grid_.crs_wkt != target.crs_wkt) {  // the same text is the same CRS
    auto const a = make_srs(grid_.crs_wkt);
    auto const b = make_srs(target.crs_wkt);
    aligned = a.IsSame(&b);
  }
  if (aligned) {
    pixel_window const wanted{static_cast<int>(std::lround(dx)), static_cast<int>(std::lround(dy)),
                              target.width, target.height};
    pixel_window const available = wanted.intersect({0, 0, grid_.width, grid_.height});
    if (available == wanted) {  // the usual case: the window read is the target, as it is
      out.values = read<std::uint16_t>(available, GDT_UInt16);
      if (has_nodata == 0 || nodata != std::floor(nodata) || nodata < 0.0 || nodata > 65535.0) {
        out.covered.assign(n, 1);
      } else {
        auto const no = static_cast<std::uint16_t>(nodata);
        out.covered.resize(n);
        for (std::size_t i = 0; i < n; ++i)
          out.covered[i] = static_cast<std::uint8_t>(out.values[i] != no);
      }
      return out;
    }
    out.values.assign(n, 0);
    out.covered.assign(n, 0);
    if (available.empty()) return out;
    auto const values = read<std::uint16_t>(available, GDT_UInt16);
    int const ox = available.x_offset - wanted.x_offset, oy = available.y_offset - wanted.y_offset;
    for (int r = 0; r < available.height; ++r) {
      for (int c = 0; c < available.width; ++c) {
        std::uint16_t const v = values[static_cast<std::size_t>(r) * available.width + c];
        std::size_t const i = static_cast<std::size_t>(r + oy) * target.width + (c + ox);
        out.values[i] = v;
        out.covered[i] = (has_nodata != 0 && static_cast<double>(v) == nodata) ? 0 : 1;
      }
    }
    return out;
  }

  // A warp onto the target: one value band and an alpha band that tells coverage.
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDatasetUniquePtr dst(mem->Create("", target.width, target.height, 2, GDT_UInt16, nullptr));
  if (!dst) throw io_error("cannot create an in-memory raster to warp " + file_.path.string());
  dst->SetGeoTransform(const_cast<double*>(target.transform.data()));
  dst->SetProjection(target.crs_wkt.c_str());
  GDALWarpOptions* options = GDALCreateWarpOptions();
  options->hSrcDS = GDALDataset::ToHandle(dataset_.get());
  options->hDstDS = GDALDataset::ToHandle(dst.get());
  options->nBandCount = 1;
  options->panSrcBands = static_cast<int*>(CPLMalloc(sizeof(int)));
  options->panSrcBands[0] = file_.band;
  options->panDstBands = static_cast<int*>(CPLMalloc(sizeof(int)));
  options->panDstBands[0] = 1;
  options->nDstAlphaBand = 2;
  options->eResampleAlg = how == resampling::nearest    ? GRA_NearestNeighbour
                          : how == resampling::bilinear ? GRA_Bilinear
                                                        : GRA_Average;
  if (has_nodata != 0) {
    options->padfSrcNoDataReal = static_cast<double*>(CPLMalloc(sizeof(double)));
    options->padfSrcNoDataReal[0] = nodata;
  }
  options->papszWarpOptions = CSLSetNameValue(options->papszWarpOptions, "INIT_DEST", "0");
  // Exact transformation (no approximation): the result does not depend on how the target
  // is cut into chunks, so a chunked run equals one over a pre-mosaicked grid.
  options->pTransformerArg =
      GDALCreateGenImgProjTransformer2(options->hSrcDS, options->hDstDS, nullptr);
  options->pfnTransformer = GDALGenImgProjTransform;
  if (options->pTransformerArg == nullptr) {
    GDALDestroyWarpOptions(options);
    throw io_error(file_.path.string() +
                   ": cannot transform to the analysis grid: " + last_gdal_message());
  }
  GDALWarpOperation warp;
  CPLErrorReset();
  CPLErr err = warp.Initialize(options);
  if (err == CE_None) err = warp.ChunkAndWarpImage(0, 0, target.width, target.height);
  GDALDestroyGenImgProjTransformer(options->pTransformerArg);
  GDALDestroyWarpOptions(options);
  if (err != CE_None) {
    throw io_error(file_.path.string() + " band " + std::to_string(file_.band) +
                   ": warp onto the analysis grid failed: " + last_gdal_message());
  }
  std::vector<std::uint16_t> alpha(n);
  out.values.resize(n);
  out.covered.resize(n);
  if (dst->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, target.width, target.height, out.values.data(),
                                      target.width, target.height, GDT_UInt16, 0, 0) != CE_None ||
      dst->GetRasterBand(2)->RasterIO(GF_Read, 0, 0, target.width, target.height, alpha.data(),
                                      target.width, target.height, GDT_UInt16, 0, 0) != CE_None) {
    throw io_error(file_.path.string() + ": cannot read the warped band: " + last_gdal_message());
  }
  for (std::size_t i = 0; i < n; ++i) out.covered[i] = alpha[i] > 0 ? 1 : 0;
  return out;
}

std::optional<std::string> band_reader::metadata_item(char const* name) const {
  if (char const* v = band_->GetMetadataItem(name)) return std::string(v);
  if (char const* v = dataset_->GetMetadataItem(name)) return std::string(v);
  return std::nullopt;
}

}  // namespace geosweep::pipeline
