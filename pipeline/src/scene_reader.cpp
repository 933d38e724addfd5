#include "geosweep/pipeline/scene_reader.hpp"

#include <cmath>
#include <string>

#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/gdal_utils.hpp"

namespace geosweep::pipeline {

band_reader::band_reader(band_file band)
    : file_(std::move(band)), dataset_(open_raster(file_.path)) {
  if (file_.band < 1 || file_.band > dataset_->GetRasterCount()) {
    throw io_error(file_.path.string() + ": has " + std::to_string(dataset_->GetRasterCount()) +
                   " bands, band " + std::to_string(file_.band) + " was asked for");
  }
  band_ = dataset_->GetRasterBand(file_.band);
}

raster_grid band_reader::grid() const {
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

std::optional<std::string> band_reader::metadata_item(char const* name) const {
  if (char const* v = band_->GetMetadataItem(name)) return std::string(v);
  if (char const* v = dataset_->GetMetadataItem(name)) return std::string(v);
  return std::nullopt;
}

}  // namespace geosweep::pipeline
