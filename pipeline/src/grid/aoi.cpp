#include "grid/aoi.hpp"

#include <spdlog/spdlog.h>

#include <gdal_alg.h>
#include <ogr_geometry.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

/// The AOI in EPSG:4326, lon/lat order.
OGRGeometryUniquePtr load_geometry(aoi_spec const& aoi) {
  auto const target = wgs84();
  if (aoi.bbox) {
    auto const& b = *aoi.bbox;
    auto ring = std::make_unique<OGRLinearRing>();
    ring->addPoint(b[0], b[1]);
    ring->addPoint(b[2], b[1]);
    ring->addPoint(b[2], b[3]);
    ring->addPoint(b[0], b[3]);
    ring->addPoint(b[0], b[1]);
    auto* polygon = new OGRPolygon();
    polygon->addRingDirectly(ring.release());
    // Densify so that edges stay true once reprojected (a lon/lat edge is curved in UTM).
    polygon->segmentize(std::min(b[2] - b[0], b[3] - b[1]) / 64.0);
    polygon->assignSpatialReference(nullptr);
    return OGRGeometryUniquePtr(polygon);
  }
  auto const& path = *aoi.geometry;
  auto ds = open_vector(path);
  if (ds->GetLayerCount() < 1) throw io_error(path.string() + ": holds no vector layer");
  OGRLayer* layer = ds->GetLayer(0);
  OGRSpatialReference const* layer_srs = layer->GetSpatialRef();
  std::unique_ptr<OGRCoordinateTransformation> to_wgs84;
  if (layer_srs != nullptr) {
    OGRSpatialReference source(*layer_srs);
    source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (!source.IsSame(&target)) to_wgs84 = make_transform(source, target);
  }
  auto collection = std::make_unique<OGRMultiPolygon>();
  layer->ResetReading();
  for (auto& feature : *layer) {
    OGRGeometry const* g = feature->GetGeometryRef();
    if (g == nullptr) continue;
    auto flat = wkbFlatten(g->getGeometryType());
    if (flat != wkbPolygon && flat != wkbMultiPolygon) continue;
    OGRGeometryUniquePtr copy(g->clone());
    if (to_wgs84 && copy->transform(to_wgs84.get()) != OGRERR_NONE) {
      throw io_error(path.string() + ": cannot reproject feature " +
                     std::to_string(feature->GetFID()) + " to WGS84");
    }
    if (!copy->IsValid()) {
      // Self-intersecting rings (a bow tie) rasterise unpredictably and break the union.
      OGRGeometryUniquePtr valid(copy->MakeValid());
      if (!valid || !valid->IsValid()) {
        throw io_error(path.string() + ": feature " + std::to_string(feature->GetFID()) +
                       " of AOI '" + aoi.name + "' is not a valid polygon and cannot be repaired");
      }
      spdlog::warn(
          "{}: feature {} of AOI '{}' is not a valid polygon (self-intersecting?); "
          "repaired with OGR's MakeValid",
          path.string(), feature->GetFID(), aoi.name);
      copy = std::move(valid);
      flat = wkbFlatten(copy->getGeometryType());
      if (flat == wkbGeometryCollection) {
        for (auto const* part : *copy->toGeometryCollection()) {
          auto const kind = wkbFlatten(part->getGeometryType());
          if (kind == wkbPolygon) collection->addGeometry(part);
          if (kind == wkbMultiPolygon)
            for (auto const* p : *part->toMultiPolygon()) collection->addGeometry(p);
        }
        continue;
      }
    }
    if (flat == wkbPolygon) {
      collection->addGeometry(copy.get());
    } else {
      for (auto const* part : *copy->toMultiPolygon()) collection->addGeometry(part);
    }
  }
  if (collection->IsEmpty())
    throw io_error(path.string() + ": holds no polygon for AOI '" + aoi.name + "'");
  OGRGeometryUniquePtr merged(collection->UnionCascaded());
  if (!merged)
    throw io_error(path.string() + ": cannot merge the AOI polygons: " + last_gdal_message());
  return merged;
}

}  // namespace

geo_bbox aoi_lon_lat_bbox(aoi_spec const& aoi) {
  if (aoi.bbox) return {(*aoi.bbox)[0], (*aoi.bbox)[1], (*aoi.bbox)[2], (*aoi.bbox)[3]};
  OGREnvelope e;
  load_geometry(aoi)->getEnvelope(&e);
  return {e.MinX, e.MinY, e.MaxX, e.MaxY};
}

aoi_shape::aoi_shape(aoi_spec const& aoi, std::string const& crs_wkt) : name_(aoi.name) {
  ensure_gdal();
  auto geometry = load_geometry(aoi);
  auto const to_grid = make_transform(wgs84(), make_srs(crs_wkt));
  if (geometry->transform(to_grid.get()) != OGRERR_NONE) {
    throw config_error("AOI '" + aoi.name + "': cannot reproject it to the analysis grid's CRS");
  }
  OGREnvelope env;
  geometry->getEnvelope(&env);
  envelope_ = {env.MinX, env.MinY, env.MaxX, env.MaxY};
  geometry_ = std::move(geometry);
}

aoi_shape::~aoi_shape() = default;
aoi_shape::aoi_shape(aoi_shape&&) noexcept = default;
aoi_shape& aoi_shape::operator=(aoi_shape&&) noexcept = default;

pixel_window aoi_shape::window_in(raster_grid const& grid) const {
  double inverse[6];
  if (!GDALInvGeoTransform(const_cast<double*>(grid.transform.data()), inverse)) {
    throw io_error("the analysis grid's geotransform is not invertible");
  }
  double col_min = 1e300, col_max = -1e300, row_min = 1e300, row_max = -1e300;
  for (double x : {envelope_[0], envelope_[2]}) {
    for (double y : {envelope_[1], envelope_[3]}) {
      double const col = inverse[0] + x * inverse[1] + y * inverse[2];
      double const row = inverse[3] + x * inverse[4] + y * inverse[5];
      col_min = std::min(col_min, col);
      col_max = std::max(col_max, col);
      row_min = std::min(row_min, row);
      row_max = std::max(row_max, row);
    }
  }
  pixel_window const whole{0, 0, grid.width, grid.height};
  auto const clamp = [](double v) { return std::max(-1e9, std::min(1e9, v)); };
  int const x0 = static_cast<int>(std::floor(clamp(col_min)));
  int const y0 = static_cast<int>(std::floor(clamp(row_min)));
  int const x1 = static_cast<int>(std::ceil(clamp(col_max)));
  int const y1 = static_cast<int>(std::ceil(clamp(row_max)));
  return pixel_window{x0, y0, x1 - x0, y1 - y0}.intersect(whole);
}

std::vector<std::uint8_t> aoi_shape::rasterize(raster_grid const& grid) const {
  std::vector<std::uint8_t> mask(grid.pixel_count(), 0);
  burn(grid, *geometry_, 1, mask);
  return mask;
}

void aoi_shape::set_edge_buffer(double distance) {
  if (!(distance > 0.0)) {
    core_.reset();
    return;
  }
  OGRGeometryUniquePtr core(geometry_->Buffer(-distance));
  if (!core) throw io_error("cannot buffer AOI '" + name_ + "': " + last_gdal_message());
  core_ = std::move(core);
}

std::vector<std::uint8_t> aoi_shape::rasterize_zones(raster_grid const& grid) const {
  std::vector<std::uint8_t> zones(grid.pixel_count(), 0);
  OGRGeometry const& core = core_ ? *core_ : *geometry_;
  if (zones.empty()) return zones;
  // A grid wholly inside the core (most chunks of a large AOI) is all core: every pixel centre
  // lies inside, so nothing needs rasterizing.
  auto const& gt = grid.transform;
  if (gt[2] == 0.0 && gt[4] == 0.0) {
    double const x0 = gt[0], x1 = gt[0] + gt[1] * grid.width;
    double const y0 = gt[3], y1 = gt[3] + gt[5] * grid.height;
    OGRPolygon box;
    OGRLinearRing ring;
    ring.addPoint(x0, y0);
    ring.addPoint(x1, y0);
    ring.addPoint(x1, y1);
    ring.addPoint(x0, y1);
    ring.addPoint(x0, y0);
    box.addRing(&ring);
    if (!core.IsEmpty() && core.Contains(&box)) {
      std::fill(zones.begin(), zones.end(), std::uint8_t{1});
      return zones;
    }
  }
  if (!core_) {
    burn(grid, *geometry_, 1, zones);  // all core
    return zones;
  }
  burn(grid, *geometry_, 2, zones);
  if (!core_->IsEmpty()) {
    std::vector<std::uint8_t> inner(zones.size(), 0);
    burn(grid, *core_, 1, inner);
    // The core lies inside the AOI, but rasterizing twice must not put a core pixel outside.
    for (std::size_t i = 0; i < zones.size(); ++i)
      if (inner[i] != 0 && zones[i] != 0) zones[i] = 1;
  }
  return zones;
}

void aoi_shape::burn(raster_grid const& grid, OGRGeometry const& geometry, std::uint8_t value,
                     std::vector<std::uint8_t>& mask) const {
  if (mask.empty()) return;
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDatasetUniquePtr ds(mem->Create("", grid.width, grid.height, 1, GDT_Byte, nullptr));
  if (!ds) throw io_error("cannot create an in-memory raster for AOI '" + name_ + "'");
  ds->SetGeoTransform(const_cast<double*>(grid.transform.data()));
  ds->SetProjection(grid.crs_wkt.c_str());
  int band = 1;
  double burn_value = value;
  OGRGeometryH handle = OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&geometry));
  CPLErrorReset();
  if (GDALRasterizeGeometries(GDALDataset::ToHandle(ds.get()), 1, &band, 1, &handle, nullptr,
                              nullptr, &burn_value, nullptr, nullptr, nullptr) != CE_None) {
    throw io_error("cannot rasterize AOI '" + name_ + "': " + last_gdal_message());
  }
  if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, grid.width, grid.height, mask.data(),
                                     grid.width, grid.height, GDT_Byte, 0, 0) != CE_None) {
    throw io_error("cannot read the AOI mask of '" + name_ + "': " + last_gdal_message());
  }
}

}  // namespace geosweep::pipeline
