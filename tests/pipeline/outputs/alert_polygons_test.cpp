// The alert polygons (outputs/alert_polygons.hpp): a change.nc written with netcdf_product holds
// a patch raster of two patches, the second in two pieces that touch only at a corner; tracing
// the final patch numbers the product keeps (netcdf_product::patches) in each alert's window
// gives one feature per alert with the alert's attributes, one polygon per patch (pieces
// 8-connected diagonally are one polygon), geometry in EPSG:4326 whose area, reprojected to the
// grid's CRS, is the patch's pixel count x 100 m²; the GeoJSON is RFC 7946 (no crs member, bbox
// written, counter-clockwise outer rings); a window holding another patch's pixels traces only
// its own; an alert whose patch is not in the raster is an io_error naming the AOI and the
// patch, and then no file is written.
//
// AOI "north" is 6 x 5 pixels of 10 m in EPSG:32720 (UTM 20S) with its top-left corner at
// (500000, 8940000): on the zone's central meridian (-63°), about 1060 km south of the equator
// (-9.58°). Patch 1 is 3 pixels (300 m²), patch 2 is 6 (600 m²). Alert values are literals.
#include "outputs/alert_polygons.hpp"

#include <cpl_minixml.h>
#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "geosweep/pipeline/errors.hpp"
#include "outputs/netcdf_product.hpp"
#include "pipeline/outputs/output_fixtures.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;
namespace tt = geosweep::test_tools;

namespace {

constexpr int W = 6, H = 5;

// Patch 2's pieces {(3,1), (4,1), (3,2)} and {(4,3), (5,3), (4,4)} meet only where (3,2) and
// (4,3) touch corners.
std::vector<std::int32_t> const kPatches{
    1, 1, 0, 0, 0, 0,  //
    1, 0, 0, 2, 2, 0,  //
    0, 0, 0, 2, 0, 0,  //
    0, 0, 0, 0, 2, 2,  //
    0, 0, 0, 0, 2, 0,  //
};

gp::alert alert_of(std::string id, char const* first_seen, std::int64_t pixels) {
  gp::alert a;
  a.id = std::move(id);
  a.aoi = "north";
  a.first_seen = gp::parse_iso_date(first_seen).value();
  a.area_ha = static_cast<double>(pixels) * 0.01;
  a.pixels = pixels;
  return a;
}

class alert_polygons_test : public tt::temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    GDALAllRegister();
    nc_ = write_change_nc();
    gp::aoi_result north;
    north.name = "north";
    auto a1 = alert_of("gs-00000000000a", "2024-06-19", 3);
    a1.confirmed_on = gp::parse_iso_date("2024-07-01").value();
    a1.confidence = gp::alert_confidence::high;
    a1.centroid_lat = -9.5851234;
    a1.centroid_lon = -62.9998765;
    a1.mean_magnitude = 0.4375;
    a1.cause = gp::alert_cause::burn;
    a1.burn_severity = gp::burn_severity::high;
    auto a2 = alert_of("gs-00000000000b", "2024-06-25", 6);
    a2.centroid_lat = -9.5853;
    a2.centroid_lon = -62.9996;
    a2.mean_magnitude = 0.3;
    north.alerts = {a1, a2};
    gp::aoi_result south;  // no alerts, and no group in change.nc: nothing to trace
    south.name = "south";
    aois_ = {north, south};
    // Bounding boxes, in pixels: patch 1 columns 0-1, rows 0-1; patch 2 columns 3-5, rows 1-4.
    patches_.resize(2);
    patches_[0] = {tt::utm_grid(W, H), &nc_product_->patches(0), {{0, 0, 2, 2}, {3, 1, 3, 4}}};
    patches_[1] = {tt::utm_grid(W, H), nullptr, {}};
  }

  std::vector<gp::alert_patches> patches_;

  /// change.nc with north's patch raster (loss on every patch pixel, numbering kept).
  fs::path write_change_nc() {
    fs::create_directories(dir_ / "nc");
    auto const spec = tt::outputs_job(dir_);
    gp::netcdf_contents contents;
    contents.indices = {"ndvi"};
    contents.aoi_names = {"north"};
    contents.aoi_grids = {tt::utm_grid(W, H)};
    contents.days = {19539, 19905};
    contents.backend = "cpu";
    nc_product_ = std::make_unique<gp::netcdf_product>(dir_ / "nc", spec, contents);
    auto& nc = *nc_product_;
    gp::finished_chunk chunk;
    auto t = tt::full_tile(0, {0, 0, W, H}, {"ndvi", "ndvi_date"});
    for (std::size_t i = 0; i < kPatches.size(); ++i)
      t.change[i] = kPatches[i] == 0 ? k::change_none : k::change_high;
    chunk.output.aois.push_back(std::move(t));
    chunk.patches.push_back(kPatches);
    nc.write(chunk);
    nc.finish([](std::size_t, std::int32_t p) { return p; });
    return nc.commit().at(0);
  }

  std::unique_ptr<gp::netcdf_product> nc_product_;
  fs::path nc_;
  std::vector<gp::aoi_result> aois_;
};

/// The features of the alerts layer of `ds` (the GeoJSON file's only layer), with their
/// geometry.
std::vector<OGRFeatureUniquePtr> features_of(GDALDataset& ds, char const* name = "alerts") {
  std::vector<OGRFeatureUniquePtr> out;
  OGRLayer* layer = ds.GetLayerCount() == 1 ? ds.GetLayer(0) : ds.GetLayerByName(name);
  EXPECT_NE(layer, nullptr) << name;
  if (layer == nullptr) return out;
  layer->ResetReading();
  while (OGRFeature* f = layer->GetNextFeature()) out.emplace_back(f);
  return out;
}

/// Opens a vector file; dates stay the texts the file holds (the GeoJSON reader would
/// otherwise guess date fields and show them as 2024/06/19).
GDALDatasetUniquePtr open_vector(fs::path const& path) {
  char const* options[] = {"DATE_AS_STRING=YES", nullptr};
  return GDALDatasetUniquePtr(GDALDataset::FromHandle(
      GDALOpenEx(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, options, nullptr)));
}

/// `g` (lon/lat) in EPSG:32720.
OGRGeometryUniquePtr in_utm(OGRGeometry const& g) {
  OGRSpatialReference wgs84, utm;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  utm.importFromEPSG(32720);
  utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> to_utm(
      OGRCreateCoordinateTransformation(&wgs84, &utm));
  OGRGeometryUniquePtr copy(g.clone());
  EXPECT_EQ(copy->transform(to_utm.get()), OGRERR_NONE);
  return copy;
}

/// Checks the geometries of the two alerts against the patches, to relative `tolerance` in area.
/// `second_parts`: the polygons of patch 2 (2 in KML, where its diagonal contact is split).
void expect_patch_geometries(std::vector<OGRFeatureUniquePtr> const& features, double tolerance,
                             int second_parts = 1) {
  ASSERT_EQ(features.size(), 2u);
  double const areas[] = {300.0, 600.0};
  for (std::size_t f = 0; f < 2; ++f) {
    SCOPED_TRACE("alert " + std::to_string(f + 1));
    OGRGeometry const* g = features[f]->GetGeometryRef();
    ASSERT_NE(g, nullptr);
    // One polygon per patch: patch 2's diagonal pieces are one 8-connected polygon. (The
    // GeoJSON holds it as a Polygon: GDAL's RFC 7946 writer turns a one-part MultiPolygon into
    // one; the GeoPackage keeps the MultiPolygon.)
    auto const type = wkbFlatten(g->getGeometryType());
    if (type == wkbMultiPolygon) {
      EXPECT_EQ(g->toMultiPolygon()->getNumGeometries(), f == 1 ? second_parts : 1);
    } else {
      EXPECT_EQ(type, wkbPolygon);
    }
    OGREnvelope lon_lat;
    g->getEnvelope(&lon_lat);
    EXPECT_GT(lon_lat.MinX, -63.001);
    EXPECT_LT(lon_lat.MaxX, -62.999);
    EXPECT_GT(lon_lat.MinY, -9.60);
    EXPECT_LT(lon_lat.MaxY, -9.57);
    auto const utm = in_utm(*g);
    double const area =
        type == wkbMultiPolygon ? utm->toMultiPolygon()->get_Area() : utm->toPolygon()->get_Area();
    EXPECT_NEAR(area, areas[f], areas[f] * tolerance);
    OGREnvelope e;
    utm->getEnvelope(&e);
    double const margin = 1e4 * tolerance;  // metres
    if (f == 0) {                           // columns 0-1, rows 0-1
      EXPECT_NEAR(e.MinX, 500000.0, margin);
      EXPECT_NEAR(e.MaxX, 500020.0, margin);
      EXPECT_NEAR(e.MinY, 8939980.0, margin);
      EXPECT_NEAR(e.MaxY, 8940000.0, margin);
    } else {  // columns 3-5, rows 1-4
      EXPECT_NEAR(e.MinX, 500030.0, margin);
      EXPECT_NEAR(e.MaxX, 500060.0, margin);
      EXPECT_NEAR(e.MinY, 8939950.0, margin);
      EXPECT_NEAR(e.MaxY, 8939990.0, margin);
    }
  }
}

/// A date field as YYYY-MM-DD: from a GeoPackage's DATE field, or the GeoJSON's text as read
/// with DATE_AS_STRING; "" when null.
std::string date_text(OGRFeature const& f, char const* name) {
  int const i = f.GetFieldIndex(name);
  if (i < 0 || !f.IsFieldSetAndNotNull(i)) return "";
  if (f.GetFieldDefnRef(i)->GetType() != OFTDate) return f.GetFieldAsString(i);
  int y = 0, m = 0, d = 0, h = 0, min = 0, tz = 0;
  float s = 0;
  f.GetFieldAsDateTime(i, &y, &m, &d, &h, &min, &s, &tz);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", y, m, d);
  return text;
}

/// The alerts' attributes as both files hold them.
void expect_attributes(std::vector<OGRFeatureUniquePtr> const& features) {
  ASSERT_EQ(features.size(), 2u);
  auto const& a = *features[0];
  EXPECT_STREQ(a.GetFieldAsString("alert_id"), "gs-00000000000a");
  EXPECT_STREQ(a.GetFieldAsString("aoi"), "north");
  EXPECT_EQ(date_text(a, "first_seen"), "2024-06-19");
  EXPECT_EQ(date_text(a, "confirmed_on"), "2024-07-01");
  EXPECT_STREQ(a.GetFieldAsString("confidence"), "high");
  EXPECT_DOUBLE_EQ(a.GetFieldAsDouble("area_ha"), 0.03);
  EXPECT_NEAR(a.GetFieldAsDouble("centroid_lat"), -9.5851234, 1e-12);
  EXPECT_NEAR(a.GetFieldAsDouble("centroid_lon"), -62.9998765, 1e-12);
  EXPECT_DOUBLE_EQ(a.GetFieldAsDouble("mean_magnitude"), 0.4375);
  EXPECT_EQ(a.GetFieldAsInteger64("pixels"), 3);
  auto const& b = *features[1];
  EXPECT_STREQ(b.GetFieldAsString("alert_id"), "gs-00000000000b");
  EXPECT_EQ(date_text(b, "first_seen"), "2024-06-25");
  EXPECT_FALSE(b.IsFieldSetAndNotNull(b.GetFieldIndex("confirmed_on")));  // not confirmed
  EXPECT_STREQ(b.GetFieldAsString("confidence"), "low");
  EXPECT_DOUBLE_EQ(b.GetFieldAsDouble("area_ha"), 0.06);
  EXPECT_DOUBLE_EQ(b.GetFieldAsDouble("mean_magnitude"), 0.3);
  EXPECT_EQ(b.GetFieldAsInteger64("pixels"), 6);
  // The table's bounding box and value are not among the polygon's attributes.
  EXPECT_LT(a.GetFieldIndex("bbox_west"), 0);
  EXPECT_LT(a.GetFieldIndex("estimated_value"), 0);
  // With the cause and burn severity: a's, and none for b.
  EXPECT_STREQ(a.GetFieldAsString("cause"), "burn");
  EXPECT_STREQ(a.GetFieldAsString("burn_severity"), "high");
  EXPECT_FALSE(b.IsFieldSetAndNotNull(b.GetFieldIndex("cause")));
  EXPECT_EQ(a.GetFieldCount(), 12);
}

}  // namespace

TEST_F(alert_polygons_test, the_patch_raster_is_the_test_layout) {
  // A sanity check of the input: GDAL reads the patch numbers as written.
  auto ds = tt::open_gdal("NETCDF:\"" + nc_.string() + "\":/aoi/north/patch");
  ASSERT_TRUE(ds);
  EXPECT_EQ(tt::read_band<std::int32_t>(*ds, 1, GDT_Int32), kPatches);
  // ...and the numbers kept in memory, which the polygons are traced from, are the same.
  auto const one = nc_product_->patches(0).mask({0, 0, W, H}, 1);
  auto const two = nc_product_->patches(0).mask({0, 0, W, H}, 2);
  std::vector<std::int32_t> kept(kPatches.size());
  for (std::size_t i = 0; i < kept.size(); ++i) kept[i] = one[i] + 2 * two[i];
  EXPECT_EQ(kept, kPatches);
}

TEST_F(alert_polygons_test, gpkg_has_one_feature_per_alert_with_exact_areas) {
  auto const files = gp::write_alert_polygons(
      aois_, patches_, {gp::polygon_format::gpkg, gp::polygon_format::geojson}, dir_);
  EXPECT_EQ(files, (std::vector<fs::path>{dir_ / "alerts.gpkg", dir_ / "alerts.geojson"}));
  auto ds = open_vector(dir_ / "alerts.gpkg");
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  EXPECT_STREQ(ds->GetDriver()->GetDescription(), "GPKG");
  OGRLayer* layer = ds->GetLayer(0);
  EXPECT_STREQ(layer->GetName(), "alerts");
  EXPECT_EQ(wkbFlatten(layer->GetGeomType()), wkbMultiPolygon);
  OGRSpatialReference wgs84;
  wgs84.importFromEPSG(4326);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);  // as OGR hands a layer's SRS out
  ASSERT_NE(layer->GetSpatialRef(), nullptr);
  EXPECT_TRUE(layer->GetSpatialRef()->IsSame(&wgs84));
  EXPECT_STREQ(layer->GetSpatialRef()->GetAuthorityCode(nullptr), "4326");
  // Typed for QGIS: dates as dates (its time slider needs no casts), areas as reals, ids text.
  OGRFeatureDefn const& fields = *layer->GetLayerDefn();
  EXPECT_EQ(fields.GetFieldDefn(fields.GetFieldIndex("first_seen"))->GetType(), OFTDate);
  EXPECT_EQ(fields.GetFieldDefn(fields.GetFieldIndex("confirmed_on"))->GetType(), OFTDate);
  EXPECT_EQ(fields.GetFieldDefn(fields.GetFieldIndex("area_ha"))->GetType(), OFTReal);
  EXPECT_EQ(fields.GetFieldDefn(fields.GetFieldIndex("alert_id"))->GetType(), OFTString);
  EXPECT_EQ(fields.GetFieldDefn(fields.GetFieldIndex("pixels"))->GetType(), OFTInteger64);
  auto const features = features_of(*ds);
  expect_attributes(features);
  expect_patch_geometries(features, 1e-6);
  // Without the AOIs' outlines there is no aois layer; the alerts' style is there.
  EXPECT_EQ(ds->GetLayerByName("aois"), nullptr);
  EXPECT_NE(ds->GetLayerByName("layer_styles"), nullptr);
}

/// The AOI of the aois-layer tests: a 100 m x 80 m rectangle in the grid's UTM 20S, from the
/// grid's corner.
OGRPolygon aoi_rectangle() {
  OGRPolygon rectangle;
  OGRLinearRing ring;
  for (auto [x, y] : std::initializer_list<std::pair<double, double>>{{500000, 8940000},
                                                                      {500100, 8940000},
                                                                      {500100, 8939920},
                                                                      {500000, 8939920},
                                                                      {500000, 8940000}})
    ring.addPoint(x, y);
  rectangle.addRing(&ring);
  return rectangle;
}

/// The QML of `layer` in the GeoPackage's layer_styles table, parsed (GDAL's XML parser), after
/// checking the row is what QGIS looks for: the table, its geometry column, the default flag.
CPLXMLTreeCloser style_of(GDALDataset& ds, char const* layer) {
  OGRLayer* styles = ds.GetLayerByName("layer_styles");
  EXPECT_NE(styles, nullptr);
  if (styles == nullptr) return CPLXMLTreeCloser(nullptr);
  styles->ResetReading();
  while (OGRFeatureUniquePtr row{styles->GetNextFeature()}) {
    if (std::string(row->GetFieldAsString("f_table_name")) != layer) continue;
    EXPECT_STREQ(row->GetFieldAsString("f_geometry_column"), "geom");
    EXPECT_EQ(row->GetFieldAsInteger("useAsDefault"), 1);
    EXPECT_STREQ(row->GetFieldAsString("f_table_schema"), "");
    return CPLXMLTreeCloser(CPLParseXMLString(row->GetFieldAsString("styleQML")));
  }
  ADD_FAILURE() << "no style for " << layer;
  return CPLXMLTreeCloser(nullptr);
}

TEST_F(alert_polygons_test, gpkg_has_the_aois_and_qgis_default_styles) {
  OGRPolygon const rectangle = aoi_rectangle();
  patches_[0].outline = &rectangle;
  patches_[1].outline = &rectangle;
  aois_[0].changed_area_ha = 0.09;
  aois_[0].clear_area_ha = 0.8;
  aois_[0].date_before = gp::parse_iso_date("2023-07-15").value();
  aois_[0].date_after = gp::parse_iso_date("2024-07-19").value();
  gp::write_alert_polygons(aois_, patches_, {gp::polygon_format::gpkg}, dir_);
  auto ds = open_vector(dir_ / "alerts.gpkg");
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();

  auto const aois = features_of(*ds, "aois");
  ASSERT_EQ(aois.size(), 2u);
  auto const& north = *aois[0];
  EXPECT_STREQ(north.GetFieldAsString("aoi"), "north");
  EXPECT_EQ(north.GetFieldAsInteger64("alerts"), 2);
  EXPECT_DOUBLE_EQ(north.GetFieldAsDouble("changed_ha"), 0.09);
  EXPECT_DOUBLE_EQ(north.GetFieldAsDouble("clear_ha"), 0.8);
  EXPECT_EQ(date_text(north, "first_seen"), "2024-06-19");  // the earlier of the two alerts
  EXPECT_EQ(date_text(north, "last_seen"), "2024-06-25");
  EXPECT_EQ(date_text(north, "date_before"), "2023-07-15");
  EXPECT_EQ(date_text(north, "date_after"), "2024-07-19");
  auto const& south = *aois[1];
  EXPECT_STREQ(south.GetFieldAsString("aoi"), "south");
  EXPECT_EQ(south.GetFieldAsInteger64("alerts"), 0);
  EXPECT_EQ(date_text(south, "first_seen"), "");  // no alert: null
  // The outline in lon/lat, back in UTM: the rectangle, 8000 m².
  ASSERT_NE(north.GetGeometryRef(), nullptr);
  EXPECT_EQ(wkbFlatten(north.GetGeometryRef()->getGeometryType()), wkbMultiPolygon);
  auto const utm = in_utm(*north.GetGeometryRef());
  EXPECT_NEAR(utm->toMultiPolygon()->get_Area(), 8000.0, 1e-3);

  // The default styles, as QGIS reads them (its QML).
  auto const alerts = style_of(*ds, "alerts");
  ASSERT_TRUE(alerts);
  CPLXMLNode const* qgis = CPLGetXMLNode(alerts.get(), "=qgis");
  ASSERT_NE(qgis, nullptr);
  EXPECT_STREQ(CPLGetXMLValue(qgis, "labelsEnabled", ""), "1");
  EXPECT_STREQ(CPLGetXMLValue(qgis, "renderer-v2.type", ""), "categorizedSymbol");
  EXPECT_STREQ(CPLGetXMLValue(qgis, "renderer-v2.attr", ""), "confidence");
  std::vector<std::string> values;
  for (CPLXMLNode const* c = CPLGetXMLNode(qgis, "renderer-v2.categories")->psChild; c != nullptr;
       c = c->psNext)
    if (c->eType == CXT_Element) values.emplace_back(CPLGetXMLValue(c, "value", ""));
  EXPECT_EQ(values, (std::vector<std::string>{"high", "low"}));  // the confidence values
  EXPECT_STREQ(CPLGetXMLValue(qgis, "labeling.settings.text-style.fieldName", ""), "alert_id");
  EXPECT_STREQ(CPLGetXMLValue(qgis, "temporal.enabled", ""), "1");
  EXPECT_STREQ(CPLGetXMLValue(qgis, "temporal.startField", ""), "first_seen");
  auto const outlines = style_of(*ds, "aois");
  ASSERT_TRUE(outlines);
  EXPECT_STREQ(CPLGetXMLValue(outlines.get(), "=qgis.labeling.settings.text-style.fieldName", ""),
               "aoi");
}

TEST_F(alert_polygons_test, geojson_is_rfc_7946) {
  gp::write_alert_polygons(aois_, patches_, {gp::polygon_format::geojson}, dir_);
  EXPECT_EQ(tt::file_names(dir_), (std::vector<std::string>{"alerts.geojson", "nc"}));
  nlohmann::json json;
  std::ifstream(dir_ / "alerts.geojson") >> json;
  EXPECT_EQ(json["type"], "FeatureCollection");
  EXPECT_FALSE(json.contains("crs"));  // RFC 7946: WGS84 lon/lat, no crs member
  ASSERT_TRUE(json.contains("bbox"));
  ASSERT_EQ(json["bbox"].size(), 4u);
  ASSERT_EQ(json["features"].size(), 2u);
  for (auto const& f : json["features"]) {
    ASSERT_TRUE(f.contains("bbox")) << f.dump();
    EXPECT_EQ(f["bbox"].size(), 4u);
    // One part: GDAL writes it as a Polygon (see expect_patch_geometries).
    auto const& geometry = f["geometry"];
    EXPECT_EQ(geometry["type"], "Polygon");
    auto const polygons = geometry["type"] == "Polygon"
                              ? nlohmann::json::array({geometry["coordinates"]})
                              : geometry["coordinates"];
    // Outer rings counter-clockwise (positive shoelace area in lon/lat).
    for (auto const& polygon : polygons) {
      auto const& ring = polygon[0];
      double twice_area = 0.0;
      for (std::size_t i = 0; i + 1 < ring.size(); ++i)
        twice_area += ring[i][0].get<double>() * ring[i + 1][1].get<double>() -
                      ring[i + 1][0].get<double>() * ring[i][1].get<double>();
      EXPECT_GT(twice_area, 0.0);
    }
  }
  EXPECT_EQ(json["features"][0]["properties"]["first_seen"], "2024-06-19");
  EXPECT_EQ(json["features"][0]["properties"]["confirmed_on"], "2024-07-01");
  EXPECT_TRUE(json["features"][1]["properties"]["confirmed_on"].is_null());
  EXPECT_EQ(json["features"][0]["properties"]["pixels"], 3);
  // The collection's bbox holds every feature's. Its west edge is easting 500000, the zone's
  // central meridian (-63°); its east edge is 60 m east of it, 60 / (111320 cos 9.59°) =
  // 0.000547° at this latitude.
  auto const& box = json["bbox"];
  for (auto const& f : json["features"]) {
    EXPECT_LE(box[0].get<double>(), f["bbox"][0].get<double>());
    EXPECT_LE(box[1].get<double>(), f["bbox"][1].get<double>());
    EXPECT_GE(box[2].get<double>(), f["bbox"][2].get<double>());
    EXPECT_GE(box[3].get<double>(), f["bbox"][3].get<double>());
  }
  EXPECT_NEAR(box[0].get<double>(), -63.0, 1e-7);
  EXPECT_NEAR(box[2].get<double>(), -63.0 + 0.000547, 2e-6);
  EXPECT_LT(box[1].get<double>(), box[3].get<double>());

  auto ds = open_vector(dir_ / "alerts.geojson");
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  auto const features = features_of(*ds);
  expect_attributes(features);
  // RFC 7946 writes 7 decimals (about 1 cm): areas to 1e-3 of a 300 m² patch.
  expect_patch_geometries(features, 1e-3);
}

/// A file inside a zip (a KMZ), parsed by GDAL's XML parser.
CPLXMLTreeCloser xml_in_zip(fs::path const& zip, char const* member) {
  std::string const path = "/vsizip/" + zip.string() + "/" + member;
  VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
  EXPECT_NE(f, nullptr) << path;
  if (f == nullptr) return CPLXMLTreeCloser(nullptr);
  std::string text;
  char buffer[4096];
  for (std::size_t n; (n = VSIFReadL(buffer, 1, sizeof buffer, f)) > 0;) text.append(buffer, n);
  VSIFCloseL(f);
  return CPLXMLTreeCloser(CPLParseXMLString(text.c_str()));
}

TEST_F(alert_polygons_test, kmz_has_placemarks_for_google_earth) {
  OGRPolygon const rectangle = aoi_rectangle();
  patches_[0].outline = &rectangle;
  patches_[1].outline = &rectangle;
  auto const files = gp::write_alert_polygons(aois_, patches_, {gp::polygon_format::kmz}, dir_);
  EXPECT_EQ(files, (std::vector<fs::path>{dir_ / "alerts.kmz"}));
  // No temporary file is left beside it.
  for (auto const& entry : fs::directory_iterator(dir_))
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();

  // The alerts' placemarks, in the order of alerts.csv.
  auto const alerts = xml_in_zip(dir_ / "alerts.kmz", "layers/alerts.kml");
  ASSERT_TRUE(alerts);
  CPLXMLNode const* document = CPLGetXMLNode(alerts.get(), "=kml.Document");
  ASSERT_NE(document, nullptr);
  std::vector<CPLXMLNode const*> placemarks;
  for (CPLXMLNode const* c = document->psChild; c != nullptr; c = c->psNext)
    if (c->eType == CXT_Element && std::string(c->pszValue) == "Placemark") placemarks.push_back(c);
  ASSERT_EQ(placemarks.size(), 2u);
  EXPECT_STREQ(CPLGetXMLValue(placemarks[0], "name", ""), "gs-00000000000a");
  EXPECT_STREQ(CPLGetXMLValue(placemarks[1], "name", ""), "gs-00000000000b");
  // Google Earth's time slider: each alert from its first_seen on, with no end.
  EXPECT_EQ(std::string(CPLGetXMLValue(placemarks[0], "TimeSpan.begin", "")).substr(0, 10),
            "2024-06-19");
  EXPECT_EQ(std::string(CPLGetXMLValue(placemarks[1], "TimeSpan.begin", "")).substr(0, 10),
            "2024-06-25");
  EXPECT_EQ(CPLGetXMLNode(placemarks[0], "TimeSpan.end"), nullptr);
  // Styled by confidence: KML colours are aabbggrr, so #d7191c at 0x8c alpha is 8c1c19d7.
  // With a cause the fill is the cause's colour: burn #99000d is 8c0d0099.
  EXPECT_STREQ(CPLGetXMLValue(placemarks[0], "Style.PolyStyle.color", ""), "8c0d0099");  // burn
  EXPECT_STREQ(CPLGetXMLValue(placemarks[1], "Style.PolyStyle.color", ""), "8c61aefd");  // low
  // The balloon is the alert's row; the dates in ExtendedData are ISO text.
  std::string const balloon = CPLGetXMLValue(placemarks[0], "description", "");
  EXPECT_NE(balloon.find("<th align=\"left\">area_ha</th><td>0.0300</td>"), std::string::npos)
      << balloon;
  EXPECT_NE(balloon.find("<td>2024-07-01</td>"), std::string::npos) << balloon;  // confirmed
  std::string const second = CPLGetXMLValue(placemarks[1], "description", "");
  EXPECT_NE(second.find("<th align=\"left\">confirmed_on</th><td>&ndash;</td>"), std::string::npos)
      << second;
  bool iso = false;
  for (CPLXMLNode const* d = CPLGetXMLNode(placemarks[0], "ExtendedData.SchemaData")->psChild;
       d != nullptr; d = d->psNext)
    if (d->eType == CXT_Element && std::string(CPLGetXMLValue(d, "name", "")) == "first_seen")
      iso = std::string(CPLGetXMLValue(d, "", "")) == "2024-06-19";
  EXPECT_TRUE(iso);

  // The AOIs as their own folder of placemarks, named.
  auto const aois = xml_in_zip(dir_ / "alerts.kmz", "layers/aois.kml");
  ASSERT_TRUE(aois);
  EXPECT_STREQ(CPLGetXMLValue(aois.get(), "=kml.Document.Placemark.name", ""), "north");

  // And the polygons read back by OGR (LIBKML) are the patches' footprints.
  GDALDatasetUniquePtr ds(GDALDataset::Open((dir_ / "alerts.kmz").c_str(), GDAL_OF_VECTOR));
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  // Patch 2's two pixel groups meet at a corner: two polygons there (a valid geometry, which
  // LIBKML requires), the same 600 m².
  expect_patch_geometries(features_of(*ds), 1e-6, 2);
}

/// Chips of AOI north (`with` true) as literal bytes, "before 0:1" for alert 1 of AOI 0.
class literal_chips final : public gp::chip_source {
 public:
  explicit literal_chips(bool with) : with_(with) {}
  [[nodiscard]] bool has_chips(std::size_t aoi) const override { return with_ && aoi == 0; }
  [[nodiscard]] std::array<std::string, 2> chips(std::size_t aoi, std::size_t k) const override {
    std::string const at = std::to_string(aoi) + ":" + std::to_string(k);
    return {"before " + at, "after " + at};
  }

 private:
  bool with_;
};

/// A zip's member as bytes ("" when it is not there).
std::string bytes_in_zip(fs::path const& zip, std::string const& member) {
  std::string const path = "/vsizip/{" + zip.string() + "}/" + member;
  VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
  if (f == nullptr) return "";
  std::string text;
  char buffer[4096];
  for (std::size_t n; (n = VSIFReadL(buffer, 1, sizeof buffer, f)) > 0;) text.append(buffer, n);
  VSIFCloseL(f);
  return text;
}

/// The src of each <img> of an HTML text, in order.
std::vector<std::string> image_sources(std::string const& html) {
  std::vector<std::string> out;
  std::string const key = "<img src=\"";
  for (auto at = html.find(key); at != std::string::npos; at = html.find(key, at + 1)) {
    auto const start = at + key.size();
    out.push_back(html.substr(start, html.find('"', start) - start));
  }
  return out;
}

TEST_F(alert_polygons_test, kmz_balloons_show_the_chips_the_kmz_holds) {
  aois_[0].date_before = gp::parse_iso_date("2023-07-15").value();
  aois_[0].date_after = gp::parse_iso_date("2024-07-19").value();
  literal_chips const chips(true);
  gp::write_alert_polygons(aois_, patches_, {gp::polygon_format::kmz}, dir_, &chips);
  fs::path const kmz = dir_ / "alerts.kmz";
  auto const alerts = xml_in_zip(kmz, "layers/alerts.kml");
  ASSERT_TRUE(alerts);
  CPLXMLNode const* document = CPLGetXMLNode(alerts.get(), "=kml.Document");
  ASSERT_NE(document, nullptr);
  std::vector<std::string> balloons;
  for (CPLXMLNode const* c = document->psChild; c != nullptr; c = c->psNext)
    if (c->eType == CXT_Element && std::string(c->pszValue) == "Placemark")
      balloons.emplace_back(CPLGetXMLValue(c, "description", ""));
  ASSERT_EQ(balloons.size(), 2u);
  for (std::size_t k = 0; k < 2; ++k) {
    SCOPED_TRACE(k);
    EXPECT_NE(balloons[k].find("before, 2023-07-15"), std::string::npos) << balloons[k];
    EXPECT_NE(balloons[k].find("after, 2024-07-19"), std::string::npos) << balloons[k];
    auto const sources = image_sources(balloons[k]);
    ASSERT_EQ(sources.size(), 2u) << balloons[k];
    for (std::size_t p = 0; p < 2; ++p) {
      // Resolved against the placemarks' file, layers/alerts.kml (RFC 3986), and against the
      // KMZ's root (Google Earth), the same member: the chip's bytes.
      std::string const member = (fs::path("layers") / sources[p]).lexically_normal().string();
      EXPECT_EQ((fs::path("/") / sources[p]).lexically_normal().string(), "/" + member);
      std::string const expected = (p == 0 ? "before 0:" : "after 0:") + std::to_string(k);
      EXPECT_EQ(bytes_in_zip(kmz, member), expected) << member;
    }
  }
  // OGR still reads the KMZ.
  GDALDatasetUniquePtr ds(GDALDataset::Open(kmz.c_str(), GDAL_OF_VECTOR));
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  EXPECT_EQ(features_of(*ds).size(), 2u);
}

TEST_F(alert_polygons_test, kmz_balloons_without_chips_show_no_images) {
  literal_chips const none(false);
  gp::write_alert_polygons(aois_, patches_, {gp::polygon_format::kmz}, dir_, &none);
  fs::path const kmz = dir_ / "alerts.kmz";
  std::string const placemarks = bytes_in_zip(kmz, "layers/alerts.kml");
  ASSERT_FALSE(placemarks.empty());
  EXPECT_EQ(placemarks.find("img"), std::string::npos);
  EXPECT_EQ(bytes_in_zip(kmz, "files/gs-00000000000a_before.png"), "");
}

TEST_F(alert_polygons_test, a_window_over_another_patch_traces_only_its_own) {
  // Both windows the whole AOI: each alert is still its own patch, no more.
  for (auto& w : patches_[0].windows) w = {0, 0, W, H};
  gp::write_alert_polygons(aois_, patches_, {gp::polygon_format::gpkg}, dir_);
  auto ds = open_vector(dir_ / "alerts.gpkg");
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  expect_patch_geometries(features_of(*ds), 1e-6);
}

TEST_F(alert_polygons_test, an_alert_missing_from_the_raster_is_an_io_error_naming_it) {
  aois_[0].alerts.push_back(alert_of("gs-00000000000c", "2024-07-02", 1));
  patches_[0].windows.push_back({0, 0, W, H});
  std::string what;
  try {
    gp::write_alert_polygons(aois_, patches_,
                             {gp::polygon_format::gpkg, gp::polygon_format::geojson}, dir_);
  } catch (geosweep::io_error const& e) {
    what = e.what();
  }
  EXPECT_NE(what.find("patch 3"), std::string::npos) << what;
  EXPECT_NE(what.find("'north'"), std::string::npos) << what;
  EXPECT_FALSE(fs::exists(dir_ / "alerts.gpkg"));
  EXPECT_FALSE(fs::exists(dir_ / "alerts.geojson"));
}

TEST_F(alert_polygons_test, no_format_writes_nothing) {
  EXPECT_TRUE(gp::write_alert_polygons(aois_, patches_, {}, dir_).empty());
  EXPECT_FALSE(fs::exists(dir_ / "alerts.gpkg"));
  EXPECT_FALSE(fs::exists(dir_ / "alerts.geojson"));
}
