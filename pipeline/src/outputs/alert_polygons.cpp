#include "outputs/alert_polygons.hpp"

#include <cpl_vsi.h>
#include <gdal_alg.h>
#include <ogrsf_frmts.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/cause_colours.hpp"
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
    "alert_id",      "aoi",     "first_seen",   "confirmed_on", "confidence",     "cause",
    "burn_severity", "area_ha", "centroid_lat", "centroid_lon", "mean_magnitude", "pixels"};

/// One alert to write: its row, its traced polygon, and where it is (AOI, place in the AOI).
struct placed_alert {
  alert const* row = nullptr;
  OGRGeometry const* geometry = nullptr;
  aoi_result const* aoi = nullptr;
  std::size_t aoi_index = 0, k = 0;
};

/// Where an alert's chip lies in the KMZ ("before" or "after").
std::string chip_entry(alert const& a, char const* period) {
  return "files/" + a.id + "_" + period + ".png";
}

/// KML's balloon of an alert: its attributes as an HTML table and, with `chips`, its before
/// and after chips under their dates. LIBKML writes the placemarks in layers/alerts.kml, so a
/// chip is "../files/...": RFC 3986 resolves that against layers/alerts.kml, and a reader that
/// resolves it against the KMZ's root (Google Earth's rule) drops the ".." there, both to
/// files/... .
std::string balloon(field_row const& row, placed_alert const& at, bool chips) {
  std::string html = "<table>";
  for (auto const& cell : row) {
    std::string const text = field_text(cell);
    html += "<tr><th align=\"left\">" + std::string(cell.name) + "</th><td>" +
            (text.empty() ? "&ndash;" : text) + "</td></tr>";
  }
  html += "</table>";
  if (!chips) return html;
  return html + "<table><tr><th>before, " + to_iso(at.aoi->date_before) + "</th><th>after, " +
         to_iso(at.aoi->date_after) + "</th></tr><tr><td><img src=\"../" +
         chip_entry(*at.row, "before") + "\"></td><td><img src=\"../" +
         chip_entry(*at.row, "after") + "\"></td></tr></table>";
}

/// Adds the chips of every alert of `alerts` that `chips` has to the KMZ at `kmz` (closed).
void add_chips(std::filesystem::path const& kmz, std::vector<placed_alert> const& alerts,
               chip_source const& chips, std::string const& what) {
  for (auto const& at : alerts) {
    if (!chips.has_chips(at.aoi_index)) continue;
    auto const images = chips.chips(at.aoi_index, at.k);
    for (int p = 0; p < 2; ++p) {
      std::string const entry = chip_entry(*at.row, p == 0 ? "before" : "after");
      // Braces around the archive: its temporary name has ".kmz" twice.
      std::string const name = "/vsizip/{" + kmz.string() + "}/" + entry;
      auto const& png = images[static_cast<std::size_t>(p)];
      CPLErrorReset();
      VSILFILE* out = VSIFOpenL(name.c_str(), "wb");
      if (out == nullptr)
        throw io_error(what + ": cannot add " + entry + ": " + last_gdal_message());
      bool const ok = VSIFWriteL(png.data(), 1, png.size(), out) == png.size();
      if (VSIFCloseL(out) != 0 || !ok)
        throw io_error(what + ": cannot write " + entry + ": " + last_gdal_message());
    }
  }
}

/// OGR style strings of KML's placemarks (KML's own colours are aabbggrr; OGR converts).
constexpr char kHighStyle[] = "BRUSH(fc:#d7191c8c);PEN(c:#a50026ff,w:2px)";
constexpr char kLowStyle[] = "BRUSH(fc:#fdae618c);PEN(c:#e6550dff,w:2px)";
constexpr char kAoiStyle[] = "BRUSH(fc:#00000000);PEN(c:#2364aaff,w:3px)";

/// The date fields of a feature: OGR's year, month, day.
void set_date(OGRFeature& f, char const* name, civil_date d) {
  int const i = f.GetFieldIndex(name);
  if (i >= 0 && f.GetFieldDefnRef(i)->GetType() == OFTString) {
    f.SetField(i, to_iso(d).c_str());  // KML's ExtendedData has no date type
    return;
  }
  f.SetField(name, static_cast<int>(d.year()), static_cast<int>(static_cast<unsigned>(d.month())),
             static_cast<int>(static_cast<unsigned>(d.day())));
}

/// The alerts layer. For KML (`kml`), each placemark also gets a name (its id), a balloon
/// (its attributes, and its chips where `chips` has them), a time span from its first_seen on
/// (Google Earth's time slider) and a style by confidence: LIBKML's name, description and begin
/// fields.
void write_layer(GDALDataset& ds, char const* const* layer_options,
                 std::vector<placed_alert> const& alerts, std::string const& what,
                 gdal_failures const& failures, bool kml, chip_source const* chips) {
  auto const srs = wgs84();
  OGRLayer* layer = ds.CreateLayer("alerts", const_cast<OGRSpatialReference*>(&srs),
                                   wkbMultiPolygon, const_cast<char**>(layer_options));
  if (layer == nullptr)
    throw io_error(what + ": cannot create the alerts layer: " + failures.first());
  if (kml) {
    for (auto const& [name, type] :
         {std::pair{"name", OFTString}, std::pair{"description", OFTString},
          std::pair{"begin", OFTDate}}) {
      OGRFieldDefn f(name, type);
      if (layer->CreateField(&f) != OGRERR_NONE)
        throw io_error(what + ": cannot create field " + name + ": " + failures.first());
    }
  }
  create_fields(*layer, alert_row(alert{}, kPolygonFields), what, kml);
  for (auto const& at : alerts) {
    alert const* a = at.row;
    OGRGeometry const* geometry = at.geometry;
    OGRFeature feature(layer->GetLayerDefn());
    auto const row = alert_row(*a, kPolygonFields);
    set_fields(feature, row);
    if (kml) {
      feature.SetField("name", a->id.c_str());
      bool const with_chips = chips != nullptr && chips->has_chips(at.aoi_index);
      feature.SetField("description", balloon(row, at, with_chips).c_str());
      set_date(feature, "begin", a->first_seen);
      bool const high = a->confidence == alert_confidence::high;
      if (a->cause) {  // filled in the cause's colour, outlined in the confidence's
        feature.SetStyleString(fmt::format("BRUSH(fc:#{:06x}8c);PEN(c:{},w:2px)",
                                           cause_colour(*a->cause),
                                           high ? "#a50026ff" : "#e6550dff")
                                   .c_str());
      } else {
        feature.SetStyleString(high ? kHighStyle : kLowStyle);
      }
    }
    // A patch's 8-connected outline touches itself where pixels meet at a corner: valid for
    // the GeoPackage's readers, but LIBKML drops a geometry GEOS calls invalid, so KML gets the
    // same area as polygons that meet at those corners (GEOS's MakeValid).
    OGRGeometryUniquePtr const valid(kml ? geometry->MakeValid() : nullptr);
    feature.SetGeometry(valid ? valid.get() : geometry);
    if (layer->CreateFeature(&feature) != OGRERR_NONE) {
      throw io_error(what + ": cannot write alert " + a->id + ": " + failures.first());
    }
  }
}

/// The `aois` layer: each AOI's outline in EPSG:4326 with its totals, so that a map of the
/// alerts shows what was watched (areas.csv has the full table).
void write_aoi_layer(GDALDataset& ds, std::vector<aoi_result> const& aois,
                     std::vector<alert_patches> const& patches, std::string const& what,
                     gdal_failures const& failures, bool kml) {
  auto const srs = wgs84();
  OGRLayer* layer =
      ds.CreateLayer("aois", const_cast<OGRSpatialReference*>(&srs), wkbMultiPolygon, nullptr);
  if (layer == nullptr)
    throw io_error(what + ": cannot create the aois layer: " + failures.first());
  std::vector<std::pair<char const*, OGRFieldType>> fields{
      {"aoi", OFTString},       {"alerts", OFTInteger64}, {"changed_ha", OFTReal},
      {"clear_ha", OFTReal},    {"first_seen", OFTDate},  {"last_seen", OFTDate},
      {"date_before", OFTDate}, {"date_after", OFTDate}};
  if (kml) {
    fields.insert(fields.begin(), {"name", OFTString});  // the placemark's name
    for (auto& field : fields)
      if (field.second == OFTDate) field.second = OFTString;  // set_date writes YYYY-MM-DD
  }
  for (auto const& [name, type] : fields) {
    OGRFieldDefn f(name, type);
    if (layer->CreateField(&f) != OGRERR_NONE)
      throw io_error(what + ": cannot create field aois." + name + ": " + failures.first());
  }
  for (std::size_t a = 0; a < aois.size(); ++a) {
    auto const& aoi = aois[a];
    OGRFeature feature(layer->GetLayerDefn());
    feature.SetField("aoi", aoi.name.c_str());
    if (kml) {
      feature.SetField("name", aoi.name.c_str());
      feature.SetStyleString(kAoiStyle);
    }
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
                                           fs::path const& dir, chip_source const* chips) {
  ensure_gdal();
  std::vector<fs::path> written;
  if (formats.empty()) return written;
  GEOSWEEP_EXPECTS(patches.size() == aois.size(), "the patches of every AOI");
  std::vector<std::vector<OGRGeometryUniquePtr>> traced;
  std::vector<placed_alert> alerts;
  for (std::size_t a = 0; a < aois.size(); ++a) {
    auto const& aoi = aois[a];
    traced.push_back(trace_patches(aoi.name, patches[a], aoi.alerts.size()));
    for (std::size_t i = 0; i < aoi.alerts.size(); ++i)
      alerts.push_back({&aoi.alerts[i], traced.back()[i].get(), &aoi, a, i});
  }
  bool const outlines = std::all_of(patches.begin(), patches.end(),
                                    [](auto const& p) { return p.outline != nullptr; });
  for (auto const& format : formats) {
    bool const gpkg = format == polygon_format::gpkg;
    bool const kml = format == polygon_format::kmz;
    fs::path const path = dir / product::polygon_file(format);
    auto const started = std::chrono::steady_clock::now();
    // LIBKML writes a KMZ only to a name that ends in .kmz.
    atomic_file file(path, kml ? ".kmz" : "");
    {
      char const* const driver_name = gpkg ? "GPKG" : (kml ? "LIBKML" : "GeoJSON");
      GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
      if (driver == nullptr)
        throw io_error(path.string() + ": GDAL has no " + driver_name + " driver");
      CPLErrorReset();
      gdal_failures const failures;
      GDALDatasetUniquePtr ds(
          driver->Create(file.temp_path().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
      if (!ds) throw io_error(path.string() + ": cannot create: " + failures.first());
      char const* geojson_options[] = {"RFC7946=YES", "WRITE_BBOX=YES", nullptr};
      bool const geojson = !gpkg && !kml;
      write_layer(*ds, geojson ? geojson_options : nullptr, alerts, path.string(), failures, kml,
                  chips);
      if ((gpkg || kml) && outlines)
        write_aoi_layer(*ds, aois, patches, path.string(), failures, kml);
      if (gpkg) {
        bool const causes = std::any_of(alerts.begin(), alerts.end(), [](placed_alert const& p) {
          return p.row->cause.has_value();
        });
        write_layer_styles(*ds, outlines, causes, path.string());
      }
      // GeoJSON is written as the dataset closes, and GDAL 3.6's close reports a failure (a
      // full disk) only as an error on its stack; GeoPackage's says why ("database or disk is
      // full") first and then that its clean-up failed, so the first failure is the one to report.
      CPLErrorReset();
      ds.reset();
      if (CPLGetLastErrorType() >= CE_Failure)
        throw io_error(path.string() + ": cannot write: " + failures.first());
    }
    if (kml && chips != nullptr) add_chips(file.temp_path(), alerts, *chips, path.string());
    file.commit();
    spdlog::debug(
        "{} written in {:.2f} s", path.string(),
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    written.push_back(path);
  }
  return written;
}

}  // namespace geosweep::pipeline
