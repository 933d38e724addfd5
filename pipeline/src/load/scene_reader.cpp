#include "load/scene_reader.hpp"

#include <fmt/format.h>
#include <gdalwarper.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "grid/warp_onto_grid.hpp"

namespace geosweep::pipeline {

bool is_readable_type(GDALDataType type) {
  switch (type) {
    case GDT_Byte:
    case GDT_UInt16:
    case GDT_Int16:
    case GDT_UInt32:
    case GDT_Int32:
    case GDT_Float32:
    case GDT_Float64:
      return true;
    default:
      return false;
  }
}

bool is_dn16_type(GDALDataType type) {
  return type == GDT_Byte || type == GDT_UInt16;
}

double in_band_type(double v, GDALDataType type) {
  return type == GDT_Float32 ? static_cast<double>(static_cast<float>(v)) : v;
}

band_reader::band_reader(band_file band)
    : file_(std::move(band)), dataset_(open_raster(file_.path)) {
  if (file_.band < 1 || file_.band > dataset_->GetRasterCount()) {
    throw io_error(file_.path.string() + ": has " + std::to_string(dataset_->GetRasterCount()) +
                   " bands, band " + std::to_string(file_.band) + " was asked for");
  }
  band_ = dataset_->GetRasterBand(file_.band);
  type_ = band_->GetRasterDataType();
  if (!is_readable_type(type_)) {
    throw io_error(
        fmt::format("{} band {}: is {}; geosweep reads bands of Byte, UInt16, Int16, "
                    "UInt32, Int32, Float32 or Float64",
                    file_.path.string(), file_.band, GDALGetDataTypeName(type_)));
  }
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
  if (!is_dn16_type(type_)) {
    throw io_error(
        fmt::format("{} band {}: is {}; read_dn reads digital numbers of 8 or 16 "
                    "unsigned bits (read_real reads every type)",
                    file_.path.string(), file_.band, GDALGetDataTypeName(type_)));
  }
  return read<std::uint16_t>(window, GDT_UInt16);
}

std::vector<double> band_reader::read_real(pixel_window const& window) const {
  return read<double>(window, GDT_Float64);
}

std::vector<std::uint16_t> band_reader::read_quality(pixel_window const& window) const {
  if (!is_dn16_type(type_)) {
    throw io_error(
        fmt::format("{} band {}: is {}; a quality band holds 8- or 16-bit unsigned "
                    "integers",
                    file_.path.string(), file_.band, GDALGetDataTypeName(type_)));
  }
  return read<std::uint16_t>(window, GDT_UInt16);
}

std::optional<double> band_reader::file_nodata() const {
  int has_nodata = 0;
  double const nodata = band_->GetNoDataValue(&has_nodata);
  if (has_nodata == 0) return std::nullopt;
  return nodata;
}

template <class T>
std::optional<band_pixels<T>> band_reader::read_aligned(raster_grid const& target,
                                                        GDALDataType type) const {
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
  if (!aligned) return std::nullopt;

  // The file's own nodata, as a value of T; none when T cannot hold it (it never occurs).
  std::optional<T> no;
  if (auto const nodata = file_nodata()) {
    if constexpr (std::is_same_v<T, double>) {
      if (!std::isnan(*nodata)) no = in_band_type(*nodata, type_);
    } else if (*nodata == std::floor(*nodata) && *nodata >= 0.0 && *nodata <= 65535.0) {
      no = static_cast<T>(*nodata);
    }
  }
  std::size_t const n = target.pixel_count();
  band_pixels<T> out;
  pixel_window const wanted{static_cast<int>(std::lround(dx)), static_cast<int>(std::lround(dy)),
                            target.width, target.height};
  pixel_window const available = wanted.intersect({0, 0, grid_.width, grid_.height});
  if (available == wanted) {  // the usual case: the window read is the target, as it is
    out.values = read<T>(available, type);
    if (!no) {
      out.covered.assign(n, 1);
    } else {
      out.covered.resize(n);
      // Locals: a store through a uint8_t pointer may alias anything, so the loop would reload
      // `*no` and the vector's pointers on every pixel (and not vectorize).
      T const nodata = *no;
      T const* values = out.values.data();
      std::uint8_t* covered = out.covered.data();
      for (std::size_t i = 0; i < n; ++i)
        covered[i] = static_cast<std::uint8_t>(values[i] != nodata);
    }
    return out;
  }
  out.values.assign(n, T{});
  out.covered.assign(n, 0);
  if (available.empty()) return out;
  auto const values = read<T>(available, type);
  int const ox = available.x_offset - wanted.x_offset, oy = available.y_offset - wanted.y_offset;
  for (int r = 0; r < available.height; ++r) {
    for (int c = 0; c < available.width; ++c) {
      T const v = values[static_cast<std::size_t>(r) * available.width + c];
      std::size_t const i = static_cast<std::size_t>(r + oy) * target.width + (c + ox);
      out.values[i] = v;
      out.covered[i] = (no && v == *no) ? 0 : 1;
    }
  }
  return out;
}

namespace {

/// A transformer whose source pixel coordinates are those of a window of the source that
/// starts at (dx, dy): the inner transformer's, less whole numbers, so exactly the same
/// fractions (a warp from the window equals one from the whole file).
struct shifted_transformer {
  void* inner = nullptr;
  double dx = 0.0, dy = 0.0;
};

int shifted_transform(void* arg, int dst_to_src, int count, double* x, double* y, double* z,
                      int* ok) {
  auto const& s = *static_cast<shifted_transformer const*>(arg);
  if (dst_to_src == 0) {
    for (int i = 0; i < count; ++i) {
      x[i] += s.dx;
      y[i] += s.dy;
    }
  }
  int const result = GDALGenImgProjTransform(s.inner, dst_to_src, count, x, y, z, ok);
  if (dst_to_src != 0) {
    for (int i = 0; i < count; ++i) {
      x[i] -= s.dx;
      y[i] -= s.dy;
    }
  }
  return result;
}

/// Warps band `band` of `source` onto `target` (values of `type` into `values`, coverage from
/// an alpha band into `covered`), through `transformer` (GDALGenImgProjTransform arguments
/// when `shift` is null).
CPLErr warp_band(GDALDataset* source, int band, raster_grid const& target, resampling how,
                 std::optional<double> nodata, GDALDataType type, void* transformer,
                 shifted_transformer* shift, void* values, std::vector<std::uint8_t>& covered) {
  GDALResampleAlg const alg = how == resampling::nearest    ? GRA_NearestNeighbour
                              : how == resampling::bilinear ? GRA_Bilinear
                                                            : GRA_Average;
  if (shift != nullptr)
    return warp_onto_grid(source, band, target, alg, nodata, type, shifted_transform, shift, values,
                          covered);
  return warp_onto_grid(source, band, target, alg, nodata, type, GDALGenImgProjTransform,
                        transformer, values, covered);
}

/// Destroys a GenImgProj transformer.
struct transformer_owner {
  void* arg = nullptr;
  ~transformer_owner() {
    if (arg != nullptr) GDALDestroyGenImgProjTransformer(arg);
  }
};

/// A one-band MEM raster laid out as `target`, and the exact transformer (no approximation:
/// the result does not depend on how the target is cut into chunks, so a chunked run equals
/// one over a pre-mosaicked grid) from `source`, the raster of `file`, onto it.
struct warp_destination {
  GDALDatasetUniquePtr dataset;
  transformer_owner transformer;  // after `dataset`, so destroyed before it

  warp_destination(GDALDataset& source, raster_grid const& target,
                   std::filesystem::path const& file) {
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    dataset.reset(mem->Create("", target.width, target.height, 1, GDT_Byte, nullptr));
    if (!dataset) throw io_error("cannot create an in-memory raster to warp " + file.string());
    dataset->SetGeoTransform(const_cast<double*>(target.transform.data()));
    dataset->SetProjection(target.crs_wkt.c_str());
    transformer.arg = GDALCreateGenImgProjTransformer2(
        GDALDataset::ToHandle(&source), GDALDataset::ToHandle(dataset.get()), nullptr);
    if (transformer.arg == nullptr) {
      throw io_error(file.string() +
                     ": cannot transform to the analysis grid: " + last_gdal_message());
    }
  }
  warp_destination(warp_destination const&) = delete;
  warp_destination& operator=(warp_destination const&) = delete;
};

}  // namespace

template <class T>
band_pixels<T> band_reader::warp(raster_grid const& target, resampling how,
                                 std::optional<double> nodata, GDALDataType type) const {
  band_pixels<T> out;
  out.values.resize(target.pixel_count());
  warp_destination const dst(*dataset_, target, file_.path);
  auto const& transformer = dst.transformer;
  CPLErrorReset();
  if (warp_band(dataset_.get(), file_.band, target, how, nodata, type, transformer.arg, nullptr,
                out.values.data(), out.covered) != CE_None) {
    throw io_error(fmt::format("{} band {}: warp onto the analysis grid failed: {}",
                               file_.path.string(), file_.band, last_gdal_message()));
  }
  return out;
}

band_pixels<double> band_reader::warp_excluding(raster_grid const& target, resampling how,
                                                std::vector<double> const& excluded) const {
  // The window of the source the warp reads, with every excluded value made NaN, warped
  // through the file's own transformation shifted by the window's offset.
  band_pixels<double> out;
  std::size_t const n = target.pixel_count();
  out.values.assign(n, 0.0);
  out.covered.assign(n, 0);
  warp_destination const dst(*dataset_, target, file_.path);
  auto const& transformer = dst.transformer;
  // The source pixels under the target: its pixel corners along the edges and on a coarse
  // grid inside, transformed, plus a margin for the resampling kernel (which bilinear widens
  // by the ratio of the pixel sizes when it reduces).
  std::vector<double> xs, ys;
  auto const add = [&](double x, double y) {
    xs.push_back(x);
    ys.push_back(y);
  };
  for (int c = 0; c <= target.width; ++c) {
    add(c, 0);
    add(c, target.height);
  }
  for (int r = 1; r < target.height; ++r) {
    add(0, r);
    add(target.width, r);
  }
  for (int i = 1; i < 10; ++i) {
    for (int j = 1; j < 10; ++j) add(target.width * i / 10.0, target.height * j / 10.0);
  }
  std::vector<double> zs(xs.size(), 0.0);
  std::vector<int> ok(xs.size(), 0);
  GDALGenImgProjTransform(transformer.arg, TRUE, static_cast<int>(xs.size()), xs.data(), ys.data(),
                          zs.data(), ok.data());
  double x0 = HUGE_VAL, y0 = HUGE_VAL, x1 = -HUGE_VAL, y1 = -HUGE_VAL;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (ok[i] == 0 || !std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
    x0 = std::min(x0, xs[i]);
    x1 = std::max(x1, xs[i]);
    y0 = std::min(y0, ys[i]);
    y1 = std::max(y1, ys[i]);
  }
  if (!(x0 <= x1 && y0 <= y1)) return out;  // nothing of the target maps onto the source
  double const ratio = std::max((x1 - x0) / target.width, (y1 - y0) / target.height);
  double const margin = 3.0 + 2.0 * std::ceil(ratio);
  pixel_window const window = [&] {
    double const left = std::max(0.0, std::floor(x0 - margin));
    double const top = std::max(0.0, std::floor(y0 - margin));
    double const right = std::min(static_cast<double>(grid_.width), std::ceil(x1 + margin));
    double const bottom = std::min(static_cast<double>(grid_.height), std::ceil(y1 + margin));
    if (right <= left || bottom <= top) return pixel_window{0, 0, 0, 0};
    return pixel_window{static_cast<int>(left), static_cast<int>(top),
                        static_cast<int>(right - left), static_cast<int>(bottom - top)};
  }();
  if (window.empty()) return out;
  auto values = read<double>(window, GDT_Float64);
  double const nan = std::numeric_limits<double>::quiet_NaN();
  for (auto& v : values) {
    if (!std::isfinite(v) || std::find(excluded.begin(), excluded.end(), v) != excluded.end())
      v = nan;
  }
  GDALDatasetUniquePtr source(GetGDALDriverManager()->GetDriverByName("MEM")->Create(
      "", window.width, window.height, 1, GDT_Float64, nullptr));
  if (!source || source->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, window.width, window.height,
                                                    values.data(), window.width, window.height,
                                                    GDT_Float64, 0, 0) != CE_None) {
    throw io_error("cannot create an in-memory raster to warp " + file_.path.string());
  }
  values = {};
  shifted_transformer shift{transformer.arg, static_cast<double>(window.x_offset),
                            static_cast<double>(window.y_offset)};
  CPLErrorReset();
  if (warp_band(source.get(), 1, target, how, nan, GDT_Float64, nullptr, &shift, out.values.data(),
                out.covered) != CE_None) {
    throw io_error(fmt::format("{} band {}: warp onto the analysis grid failed: {}",
                               file_.path.string(), file_.band, last_gdal_message()));
  }
  return out;
}

band_pixels<std::uint16_t> band_reader::read_onto(raster_grid const& target, resampling how,
                                                  std::optional<double> nodata) const {
  if (!is_dn16_type(type_)) {
    throw io_error(fmt::format("{} band {}: is {}; expected 8- or 16-bit unsigned integers",
                               file_.path.string(), file_.band, GDALGetDataTypeName(type_)));
  }
  if (target.pixel_count() == 0) return {};
  if (auto aligned = read_aligned<std::uint16_t>(target, GDT_UInt16)) return std::move(*aligned);
  return warp<std::uint16_t>(target, how, nodata ? nodata : file_nodata(), GDT_UInt16);
}

band_pixels<double> band_reader::read_real_onto(raster_grid const& target, resampling how,
                                                invalid_dns const& invalid) const {
  if (target.pixel_count() == 0) return {};
  if (auto aligned = read_aligned<double>(target, GDT_Float64)) return std::move(*aligned);
  // What the warp leaves out: the file's nodata, the caller's values and, of float bands,
  // NaN and infinities.
  std::vector<double> excluded;
  auto const exclude = [&](double v) {
    if (!std::isfinite(v)) return;  // left out anyway
    v = in_band_type(v, type_);
    if (std::find(excluded.begin(), excluded.end(), v) == excluded.end()) excluded.push_back(v);
  };
  if (auto const v = file_nodata()) exclude(*v);
  if (invalid.nodata) exclude(*invalid.nodata);
  for (double v : invalid.saturated) exclude(v);
  bool const floating = type_ == GDT_Float32 || type_ == GDT_Float64;
  if (!floating && excluded.size() <= 1) {  // one value: the warper's own nodata
    std::optional<double> nodata;
    if (!excluded.empty()) nodata = excluded.front();
    return warp<double>(target, how, nodata, GDT_Float64);
  }
  return warp_excluding(target, how, excluded);
}

std::optional<std::string> band_reader::metadata_item(char const* name) const {
  if (char const* v = band_->GetMetadataItem(name)) return std::string(v);
  if (char const* v = dataset_->GetMetadataItem(name)) return std::string(v);
  return std::nullopt;
}

}  // namespace geosweep::pipeline
