#include "outputs/alert_polygons.hpp"

#include <gdal_alg.h>
#include <ogrsf_frmts.h>

#include <map>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/ogr_fields.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
namespace k = geosweep::kernels;

/// The patches of one AOI traced from its patch raster, in EPSG:4326, by patch number.
std::map<std::int32_t, OGRGeometryUniquePtr> trace_patches(fs::path const& change_nc,
                                                           std::string const& aoi) {
  std::string const name =
      product::gdal_variable(change_nc, aoi, std::string(product::variable::patch));
  auto raster = open_raster(name);
  GDALRasterBand* band = raster->GetRasterBand(1);
  GDALDriver* memory = GetGDALDriverManager()->GetDriverByName("Memory");
  GDALDatasetUniquePtr traced(memory->Create("", 0, 0, 0, GDT_Unknown, nullptr));
  OGRSpatialReference const* srs = raster->GetSpatialRef();
  OGRLayer* layer =
      traced->CreateLayer("patches", const_cast<OGRSpatialReference*>(srs), wkbPolygon, nullptr);
  OGRFieldDefn field("patch", OFTInteger);
  layer->CreateField(&field);
  char const* options[] = {"8CONNECTED=8", nullptr};
  CPLErrorReset();
  // The band masks itself: 0 (no patch) is not traced.
  if (GDALPolygonize(GDALRasterBand::ToHandle(band), GDALRasterBand::ToHandle(band),
                     OGRLayer::ToHandle(layer), 0, const_cast<char**>(options), nullptr,
                     nullptr) != CE_None) {
    throw io_error(name + ": cannot trace the patches: " + last_gdal_message());
  }
  OGRSpatialReference grid_srs(*srs);
  grid_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  auto const to_wgs84 = make_transform(grid_srs, wgs84());
  std::map<std::int32_t, OGRGeometryUniquePtr> patches;
  layer->ResetReading();
  for (auto& feature : *layer) {
    auto const id = feature->GetFieldAsInteger(0);
    OGRGeometryUniquePtr piece(feature->StealGeometry());
    if (!piece || id == 0) continue;
    if (piece->transform(to_wgs84.get()) != OGRERR_NONE) {
      throw io_error(name + ": cannot reproject patch " + std::to_string(id) + " to WGS84");
    }
    auto& whole =
        patches.try_emplace(id, OGRGeometryUniquePtr(new OGRMultiPolygon())).first->second;
    whole->toMultiPolygon()->addGeometry(piece.get());
  }
  return patches;
}

/// The attributes of each alert polygon: the alert table less its bounding box and value.
constexpr std::string_view kPolygonFields[] = {
    "alert_id", "aoi",          "first_seen",   "confirmed_on",   "confidence",
    "area_ha",  "centroid_lat", "centroid_lon", "mean_magnitude", "pixels"};

void write_layer(GDALDataset& ds, char const* const* layer_options,
                 std::vector<std::pair<alert const*, OGRGeometry const*>> const& alerts,
                 std::string const& what) {
  auto const srs = wgs84();
  OGRLayer* layer = ds.CreateLayer("alerts", const_cast<OGRSpatialReference*>(&srs),
                                   wkbMultiPolygon, const_cast<char**>(layer_options));
  if (layer == nullptr)
    throw io_error(what + ": cannot create the alerts layer: " + last_gdal_message());
  create_fields(*layer, alert_row(alert{}, kPolygonFields), what);
  for (auto const& [a, geometry] : alerts) {
    OGRFeature feature(layer->GetLayerDefn());
    set_fields(feature, alert_row(*a, kPolygonFields));
    feature.SetGeometry(geometry);
    if (layer->CreateFeature(&feature) != OGRERR_NONE) {
      throw io_error(what + ": cannot write alert " + a->id + ": " + last_gdal_message());
    }
  }
}

}  // namespace

std::vector<fs::path> write_alert_polygons(fs::path const& change_nc,
                                           std::vector<aoi_result> const& aois,
                                           std::vector<polygon_format> const& formats,
                                           fs::path const& dir) {
  ensure_gdal();
  std::vector<fs::path> written;
  if (formats.empty()) return written;
  std::vector<std::map<std::int32_t, OGRGeometryUniquePtr>> traced;
  std::vector<std::pair<alert const*, OGRGeometry const*>> alerts;
  for (auto const& aoi : aois) {
    traced.push_back(aoi.alerts.empty() ? std::map<std::int32_t, OGRGeometryUniquePtr>{}
                                        : trace_patches(change_nc, aoi.name));
    for (std::size_t i = 0; i < aoi.alerts.size(); ++i) {
      auto const label = static_cast<std::int32_t>(i + 1);  // patch k + 1 is alert k
      auto const it = traced.back().find(label);
      if (it == traced.back().end())
        throw io_error(change_nc.string() + ": patch " + std::to_string(label) + " of AOI '" +
                       aoi.name + "' is missing from its raster");
      alerts.emplace_back(&aoi.alerts[i], it->second.get());
    }
  }
  for (auto const& format : formats) {
    bool const gpkg = format == polygon_format::gpkg;
    fs::path const path = dir / product::polygon_file(format);
    atomic_file file(path);
    {
      GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(gpkg ? "GPKG" : "GeoJSON");
      if (driver == nullptr)
        throw io_error(path.string() + ": GDAL has no " + std::string(to_string(format)) +
                       " driver");
      CPLErrorReset();
      GDALDatasetUniquePtr ds(
          driver->Create(file.temp_path().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
      if (!ds) throw io_error(path.string() + ": cannot create: " + last_gdal_message());
      char const* geojson_options[] = {"RFC7946=YES", "WRITE_BBOX=YES", nullptr};
      write_layer(*ds, gpkg ? nullptr : geojson_options, alerts, path.string());
      // GeoJSON is written as the dataset closes, and GDAL 3.6's close reports a failure (a
      // full disk) only as an error on its stack.
      CPLErrorReset();
      ds.reset();
      if (CPLGetLastErrorType() >= CE_Failure)
        throw io_error(path.string() + ": cannot write: " + last_gdal_message());
    }
    file.commit();
    written.push_back(path);
  }
  return written;
}

}  // namespace geosweep::pipeline
