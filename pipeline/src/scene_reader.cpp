#include "geosweep/pipeline/scene_reader.hpp"

#include <cmath>
#include <cstdlib>
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

std::vector<std::uint8_t> band_reader::read_classes(pixel_window const& window) const {
  return read<std::uint8_t>(window, GDT_Byte);
}

kernels::reflectance_op band_reader::reflectance(sensor_spec const& sensor, scene const& s) const {
  kernels::reflectance_op op;
  if (sensor.type == "generic") {
    op.scale = static_cast<float>(sensor.scale);
    op.offset = static_cast<float>(sensor.offset);
    op.has_nodata = sensor.nodata.has_value();
    op.nodata = static_cast<std::uint16_t>(sensor.nodata.value_or(0));
    return op;
  }
  // Sentinel-2 L2A: reflectance = (DN + BOA_ADD_OFFSET) / QUANTIFICATION_VALUE, DN 0 is no
  // data. The offset is -1000 from processing baseline 04.00 (25 January 2022); the band's
  // own metadata, when present, wins over the date rule.
  op.quantification = 10000.0f;
  op.nodata = 0;
  op.has_nodata = true;
  civil_date const baseline_04{std::chrono::year{2022}, std::chrono::January, std::chrono::day{25}};
  op.add_offset = s.date >= baseline_04 ? -1000.0f : 0.0f;
  if (char const* v = band_->GetMetadataItem("BOA_ADD_OFFSET"))
    op.add_offset = static_cast<float>(std::atof(v));
  if (char const* v = band_->GetMetadataItem("QUANTIFICATION_VALUE")) {
    double const q = std::atof(v);
    if (q > 0) op.quantification = static_cast<float>(q);
  }
  return op;
}

std::uint32_t clear_classes(sensor_spec const& sensor) {
  if (sensor.type == "generic") return 0;
  return (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7);
}

}  // namespace geosweep::pipeline
