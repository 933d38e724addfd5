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

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
namespace k = geosweep::kernels;

/// The patches of one AOI traced from its patch raster, in EPSG:4326, by patch number.
std::map<std::int32_t, OGRGeometryUniquePtr> trace_patches(fs::path const& change_nc,
                                                           std::string const& aoi) {
  std::string const name = "NETCDF:\"" + change_nc.string() + "\":/aoi/" + aoi + "/patch";
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

void write_layer(GDALDataset& ds, char const* const* layer_options,
                 std::vector<std::pair<change_patch const*, OGRGeometry const*>> const& alerts) {
  auto const srs = wgs84();
  OGRLayer* layer = ds.CreateLayer("alerts", const_cast<OGRSpatialReference*>(&srs),
                                   wkbMultiPolygon, const_cast<char**>(layer_options));
  if (layer == nullptr) throw io_error("cannot create the alerts layer: " + last_gdal_message());
  struct field {
    char const* name;
    OGRFieldType type;
  };
  for (auto const& f :
       {field{"alert_id", OFTString}, field{"aoi", OFTString}, field{"first_seen", OFTString},
        field{"confirmed_on", OFTString}, field{"confidence", OFTString}, field{"area_ha", OFTReal},
        field{"centroid_lat", OFTReal}, field{"centroid_lon", OFTReal},
        field{"mean_magnitude", OFTReal}, field{"pixels", OFTInteger64}}) {
    OGRFieldDefn definition(f.name, f.type);
    if (layer->CreateField(&definition) != OGRERR_NONE)
      throw io_error("cannot create field " + std::string(f.name));
  }
  for (auto const& [p, geometry] : alerts) {
    OGRFeature feature(layer->GetLayerDefn());
    feature.SetField("alert_id", p->alert_id.c_str());
    feature.SetField("aoi", p->aoi.c_str());
    feature.SetField("first_seen", day_or_empty(p->first_date).c_str());
    if (p->confirmed_date != k::no_date)
      feature.SetField("confirmed_on", day_or_empty(p->confirmed_date).c_str());
    feature.SetField("confidence", confidence_name(p->confidence).c_str());
    feature.SetField("area_ha", p->area_ha);
    feature.SetField("centroid_lat", p->centroid_lat);
    feature.SetField("centroid_lon", p->centroid_lon);
    feature.SetField("mean_magnitude", p->mean_magnitude);
    feature.SetField("pixels", static_cast<GIntBig>(p->pixels));
    feature.SetGeometry(geometry);
    if (layer->CreateFeature(&feature) != OGRERR_NONE) {
      throw io_error("cannot write alert " + p->alert_id + ": " + last_gdal_message());
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
  std::vector<std::pair<change_patch const*, OGRGeometry const*>> alerts;
  for (auto const& aoi : aois) {
    traced.push_back(aoi.patches.empty() ? std::map<std::int32_t, OGRGeometryUniquePtr>{}
                                         : trace_patches(change_nc, aoi.name));
    for (auto const& p : aoi.patches) {
      auto const it = traced.back().find(p.label);
      if (it == traced.back().end())
        throw io_error(change_nc.string() + ": patch " + std::to_string(p.label) + " of AOI '" +
                       aoi.name + "' is missing from its raster");
      alerts.emplace_back(&p, it->second.get());
    }
  }
  for (auto const& format : formats) {
    bool const gpkg = format == polygon_format::gpkg;
    fs::path const path = dir / (gpkg ? "alerts.gpkg" : "alerts.geojson");
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
      write_layer(*ds, gpkg ? nullptr : geojson_options, alerts);
    }
    file.commit();
    written.push_back(path);
  }
  return written;
}

}  // namespace geosweep::pipeline
