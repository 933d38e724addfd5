#include "outputs/alert_polygons.hpp"

#include <gdal_alg.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <map>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/ogr_fields.hpp"
#include "outputs/product_layout.hpp"
#include "outputs/qgis_styles.hpp"
#include "patches/patch_pixels.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
namespace k = geosweep::kernels;

/// Each alert of one AOI traced from its patch pixels (8-connected) in a window around it, in
/// EPSG:4326: alert k is patch k + 1. A patch touches no other (they would be one), so tracing
/// it alone in its window gives the polygon a trace of the whole raster gives it.
std::vector<OGRGeometryUniquePtr> trace_patches(std::string const& aoi, alert_patches const& in,
                                                std::size_t count) {
  GDALDriver* memory = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDriver* vectors = GetGDALDriverManager()->GetDriverByName("Memory");
  OGRSpatialReference grid_srs = make_srs(in.grid.crs_wkt);
  grid_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  auto const to_wgs84 = make_transform(grid_srs, wgs84());
  std::vector<OGRGeometryUniquePtr> traced;
  for (std::size_t i = 0; i < count; ++i) {
    auto const label = static_cast<std::int32_t>(i + 1);
    std::string const what = "AOI '" + aoi + "': patch " + std::to_string(label);
    pixel_window const& w = in.windows.at(i);
    auto mask = in.pixels->mask(w, label);
    GDALDatasetUniquePtr raster(memory->Create("", w.width, w.height, 1, GDT_Byte, nullptr));
    auto const& gt = in.grid.transform;
    double shifted[6] = {gt[0] + w.x_offset * gt[1] + w.y_offset * gt[2], gt[1], gt[2],
                         gt[3] + w.x_offset * gt[4] + w.y_offset * gt[5], gt[4], gt[5]};
    raster->SetGeoTransform(shifted);
    GDALRasterBand* band = raster->GetRasterBand(1);
    if (band->RasterIO(GF_Write, 0, 0, w.width, w.height, mask.data(), w.width, w.height, GDT_Byte,
                       0, 0, nullptr) != CE_None)
      throw io_error(what + ": cannot stage its pixels: " + last_gdal_message());
    GDALDatasetUniquePtr pieces(vectors->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* layer = pieces->CreateLayer("patch", nullptr, wkbPolygon, nullptr);
    OGRFieldDefn field("patch", OFTInteger);
    layer->CreateField(&field);
    char const* options[] = {"8CONNECTED=8", nullptr};
    CPLErrorReset();
    // The band masks itself: 0 (not this patch) is not traced.
    if (GDALPolygonize(GDALRasterBand::ToHandle(band), GDALRasterBand::ToHandle(band),
                       OGRLayer::ToHandle(layer), 0, const_cast<char**>(options), nullptr,
                       nullptr) != CE_None) {
      throw io_error(what + ": cannot trace it: " + last_gdal_message());
    }
    auto whole = std::make_unique<OGRMultiPolygon>();
    layer->ResetReading();
    for (auto& feature : *layer) {
      OGRGeometryUniquePtr piece(feature->StealGeometry());
      if (!piece) continue;
      if (piece->transform(to_wgs84.get()) != OGRERR_NONE)
        throw io_error(what + ": cannot reproject it to WGS84");
      whole->addGeometry(piece.get());
    }
    if (whole->IsEmpty()) throw io_error(what + " has no pixels in its patch raster");
    traced.emplace_back(whole.release());
  }
  return traced;
}

/// The attributes of each alert polygon: the alert table less its bounding box and value.
constexpr std::string_view kPolygonFields[] = {
    "alert_id", "aoi",          "first_seen",   "confirmed_on",   "confidence",
    "area_ha",  "centroid_lat", "centroid_lon", "mean_magnitude", "pixels"};

void write_layer(GDALDataset& ds, char const* const* layer_options,
                 std::vector<std::pair<alert const*, OGRGeometry const*>> const& alerts,
                 std::string const& what, gdal_failures const& failures) {
  auto const srs = wgs84();
  OGRLayer* layer = ds.CreateLayer("alerts", const_cast<OGRSpatialReference*>(&srs),
                                   wkbMultiPolygon, const_cast<char**>(layer_options));
  if (layer == nullptr)
    throw io_error(what + ": cannot create the alerts layer: " + failures.first());
  create_fields(*layer, alert_row(alert{}, kPolygonFields), what);
  for (auto const& [a, geometry] : alerts) {
    OGRFeature feature(layer->GetLayerDefn());
    set_fields(feature, alert_row(*a, kPolygonFields));
    feature.SetGeometry(geometry);
    if (layer->CreateFeature(&feature) != OGRERR_NONE) {
      throw io_error(what + ": cannot write alert " + a->id + ": " + failures.first());
    }
  }
}

/// The `aois` layer: each AOI's outline in EPSG:4326 with its totals, so that a map of the
/// alerts shows what was watched (areas.csv has the full table).
void write_aoi_layer(GDALDataset& ds, std::vector<aoi_result> const& aois,
                     std::vector<alert_patches> const& patches, std::string const& what,
                     gdal_failures const& failures) {
  auto const srs = wgs84();
  OGRLayer* layer =
      ds.CreateLayer("aois", const_cast<OGRSpatialReference*>(&srs), wkbMultiPolygon, nullptr);
  if (layer == nullptr)
    throw io_error(what + ": cannot create the aois layer: " + failures.first());
  std::vector<std::pair<char const*, OGRFieldType>> const fields{
      {"aoi", OFTString},       {"alerts", OFTInteger64}, {"changed_ha", OFTReal},
      {"clear_ha", OFTReal},    {"first_seen", OFTDate},  {"last_seen", OFTDate},
      {"date_before", OFTDate}, {"date_after", OFTDate}};
  for (auto const& [name, type] : fields) {
    OGRFieldDefn f(name, type);
    if (layer->CreateField(&f) != OGRERR_NONE)
      throw io_error(what + ": cannot create field aois." + name + ": " + failures.first());
  }
  auto const set_date = [](OGRFeature& f, char const* name, civil_date d) {
    f.SetField(name, static_cast<int>(d.year()), static_cast<int>(static_cast<unsigned>(d.month())),
               static_cast<int>(static_cast<unsigned>(d.day())));
  };
  for (std::size_t a = 0; a < aois.size(); ++a) {
    auto const& aoi = aois[a];
    OGRFeature feature(layer->GetLayerDefn());
    feature.SetField("aoi", aoi.name.c_str());
    feature.SetField("alerts", static_cast<GIntBig>(aoi.alerts.size()));
    feature.SetField("changed_ha", aoi.changed_area_ha);
    feature.SetField("clear_ha", aoi.clear_area_ha);
    if (!aoi.alerts.empty()) {
      civil_date first = aoi.alerts.front().first_seen, last = first;
      for (auto const& al : aoi.alerts) {
        first = std::min(first, al.first_seen);
        last = std::max(last, al.first_seen);
      }
      set_date(feature, "first_seen", first);
      set_date(feature, "last_seen", last);
    }
    set_date(feature, "date_before", aoi.date_before);
    set_date(feature, "date_after", aoi.date_after);
    OGRGeometryUniquePtr outline(patches[a].outline->clone());
    auto const to_wgs84 = make_transform(make_srs(patches[a].grid.crs_wkt), srs);
    if (outline->transform(to_wgs84.get()) != OGRERR_NONE)
      throw io_error(what + ": cannot reproject AOI '" + aoi.name + "' to WGS84");
    feature.SetGeometryDirectly(OGRGeometryFactory::forceToMultiPolygon(outline.release()));
    if (layer->CreateFeature(&feature) != OGRERR_NONE)
      throw io_error(what + ": cannot write AOI '" + aoi.name + "': " + failures.first());
  }
}

}  // namespace

std::vector<fs::path> write_alert_polygons(std::vector<aoi_result> const& aois,
                                           std::vector<alert_patches> const& patches,
                                           std::vector<polygon_format> const& formats,
                                           fs::path const& dir) {
  ensure_gdal();
  std::vector<fs::path> written;
  if (formats.empty()) return written;
  GEOSWEEP_EXPECTS(patches.size() == aois.size(), "the patches of every AOI");
  std::vector<std::vector<OGRGeometryUniquePtr>> traced;
  std::vector<std::pair<alert const*, OGRGeometry const*>> alerts;
  for (std::size_t a = 0; a < aois.size(); ++a) {
    auto const& aoi = aois[a];
    traced.push_back(trace_patches(aoi.name, patches[a], aoi.alerts.size()));
    for (std::size_t i = 0; i < aoi.alerts.size(); ++i)
      alerts.emplace_back(&aoi.alerts[i], traced.back()[i].get());
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
      gdal_failures const failures;
      GDALDatasetUniquePtr ds(
          driver->Create(file.temp_path().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
      if (!ds) throw io_error(path.string() + ": cannot create: " + failures.first());
      char const* geojson_options[] = {"RFC7946=YES", "WRITE_BBOX=YES", nullptr};
      write_layer(*ds, gpkg ? nullptr : geojson_options, alerts, path.string(), failures);
      if (gpkg) {
        bool const outlines = std::all_of(patches.begin(), patches.end(),
                                          [](auto const& p) { return p.outline != nullptr; });
        if (outlines) write_aoi_layer(*ds, aois, patches, path.string(), failures);
        write_layer_styles(*ds, outlines, path.string());
      }
      // GeoJSON is written as the dataset closes, and GDAL 3.6's close reports a failure (a
      // full disk) only as an error on its stack; GeoPackage's says why ("database or disk is
      // full") first and then that its clean-up failed, so the first failure is the one to report.
      CPLErrorReset();
      ds.reset();
      if (CPLGetLastErrorType() >= CE_Failure)
        throw io_error(path.string() + ": cannot write: " + failures.first());
    }
    file.commit();
    written.push_back(path);
  }
  return written;
}

}  // namespace geosweep::pipeline
