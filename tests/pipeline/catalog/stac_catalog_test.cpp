// STAC catalogs: href resolution, item / ItemCollection / catalog / folder reading, asset lookup
// by band code, eo:bands name or common name (Planetary Computer, Earth Search v0 and v1,
// stactools layouts), raster:bands radiometry, processing-baseline offsets, errors naming the
// item and band, antimeridian footprints, the job spec's scenes.stac and max_cloud_cover, and
// the footprint and cloud filters. RealData* tests use the real items and the multi-date
// Landsat 8 set of $GEOSWEEP_SHARED_DATA (left out when it is unset; see tools/shared_data.hpp).
#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "catalog/scene_catalog.hpp"
#include "catalog/sensor_profile.hpp"
#include "catalog/stac_catalog.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "load/scene_reader.hpp"
#include "tools/shared_data.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
using geosweep::test_tools::shared_data;
using json = nlohmann::json;

namespace {

/// A 4 x 4 GeoTIFF of `value`, EPSG:32722 (as the sensor profile tests).
void write_tif(fs::path const& path, std::uint16_t value) {
  gp::ensure_gdal();
  fs::create_directories(path.parent_path());
  GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
  GDALDatasetUniquePtr ds(gtiff->Create(path.c_str(), 4, 4, 1, GDT_UInt16, nullptr));
  ASSERT_TRUE(ds);
  double gt[6] = {500000, 30, 0, 9000000, 0, -30};
  ds->SetGeoTransform(gt);
  OGRSpatialReference utm;
  utm.importFromEPSG(32722);
  ds->SetSpatialRef(&utm);
  std::vector<std::uint16_t> values(16, value);
  ASSERT_EQ(
      ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 4, 4, values.data(), 4, 4, GDT_UInt16, 0, 0),
      CE_None);
}

void write_json(fs::path const& path, json const& doc) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << doc.dump(2);
}

json read_json(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  return json::parse(in);
}

json band_asset(std::string const& href, std::string const& name, std::string const& common,
                double resolution,
                char const* type =
                    "image/tiff; application=geotiff; "
                    "profile=cloud-optimized") {
  json a = {{"href", href}, {"type", type}, {"roles", {"data"}}};
  if (!name.empty() || !common.empty()) {
    json b = json::object();
    if (!name.empty()) b["name"] = name;
    if (!common.empty()) b["common_name"] = common;
    a["eo:bands"] = json::array({b});
  }
  a["raster:bands"] = json::array({{{"nodata", 0}, {"spatial_resolution", resolution}}});
  return a;
}

/// A Sentinel-2 L2A item dated `date` with `assets`.
json sentinel2_item(std::string const& id, std::string const& date, json assets) {
  return {{"type", "Feature"},
          {"stac_version", "1.0.0"},
          {"id", id},
          {"collection", "sentinel-2-l2a"},
          {"bbox", {-51.1, -9.2, -50.9, -8.9}},
          {"geometry", nullptr},
          {"properties", {{"datetime", date + "T14:37:29.024000Z"}, {"platform", "sentinel-2a"}}},
          {"links", json::array()},
          {"assets", std::move(assets)}};
}

class StacCatalog : public geosweep::test_tools::temp_dir_test {
 protected:
  gp::job_spec job(std::string const& sensor, std::string const& scenes_yaml,
                   std::string const& aoi_bbox = "[-51.1, -9.2, -50.9, -8.9]") {
    std::string const text = "job: t\nsensor: " + sensor + "\n" + scenes_yaml +
                             "aois: [{name: a, bbox: " + aoi_bbox +
                             "}]\n"
                             "period: {baseline: [2019-01-01, 2019-12-31], monitor: [2020-01-01, "
                             "2022-12-31]}\n";
    return gp::parse_job_spec(text, dir_ / "job.yaml");
  }

  /// Local band files B04/B08/SCL of a scene called `id`, and a Planetary-Computer-style item
  /// for them (keys B04, B08, SCL; hrefs relative to the item).
  /// `up` is the way from the item's folder to dir_.
  json local_sentinel2_item(std::string const& id, std::string const& date,
                            std::string const& up = "../") {
    for (char const* band : {"B04", "B08", "SCL"})
      write_tif(dir_ / "cogs" / id / (std::string(band) + ".tif"), 1000);
    std::string const at = up + "cogs/" + id + "/";
    return sentinel2_item(id, date,
                          {{"B04", band_asset(at + "B04.tif", "B04", "red", 10)},
                           {"B08", band_asset(at + "B08.tif", "B08", "nir", 10)},
                           {"SCL", band_asset(at + "SCL.tif", "", "", 20)}});
  }
};

gp::sensor_spec sensor(std::string const& type) {
  gp::sensor_spec s;
  s.type = gp::from_string<gp::sensor_type>(type).value();
  return s;
}

}  // namespace

TEST(StacHrefs, ResolveToPathsGdalOpens) {
  fs::path const item = "/data/items/a/item.json";
  EXPECT_EQ(gp::resolve_stac_href("B04.tif", item), "/data/items/a/B04.tif");
  EXPECT_EQ(gp::resolve_stac_href("./x/../B04.tif", item), "/data/items/a/B04.tif");
  EXPECT_EQ(gp::resolve_stac_href("../../cogs/B04.tif", item), "/data/cogs/B04.tif");
  EXPECT_EQ(gp::resolve_stac_href("/abs/B04.tif", item), "/abs/B04.tif");
  EXPECT_EQ(gp::resolve_stac_href("file:///abs/my%20scene/B04.tif", item), "/abs/my scene/B04.tif");
  EXPECT_EQ(gp::resolve_stac_href("file://localhost/abs/B04.tif", item), "/abs/B04.tif");
  EXPECT_EQ(gp::resolve_stac_href("https://example.com/s2/B04.tif", item),
            "/vsicurl/https://example.com/s2/B04.tif");
  EXPECT_EQ(gp::resolve_stac_href("http://127.0.0.1:8080/B04.tif?sig=1", item),
            "/vsicurl/http://127.0.0.1:8080/B04.tif?sig=1");
  EXPECT_EQ(gp::resolve_stac_href("s3://sentinel-cogs/x/B04.tif", item),
            "/vsis3/sentinel-cogs/x/B04.tif");
  EXPECT_EQ(gp::resolve_stac_href("gs://bucket/B04.tif", item), "/vsigs/bucket/B04.tif");
  EXPECT_EQ(gp::resolve_stac_href("/vsizip/a.zip/B04.tif", item), "/vsizip/a.zip/B04.tif");
  EXPECT_TRUE(gp::is_remote_path("/vsicurl/https://example.com/B04.tif"));
  EXPECT_TRUE(gp::is_remote_path("/vsis3/bucket/B04.tif"));
  EXPECT_FALSE(gp::is_remote_path("/data/B04.tif"));
  EXPECT_FALSE(gp::is_remote_path("/vsizip/a.zip/B04.tif"));
}

TEST_F(StacCatalog, ItemErrorsNameTheFileAndTheKey) {
  auto const expect_error = [&](std::string const& text, std::string const& expected) {
    try {
      gp::parse_stac_item(text, dir_ / "item.json");
      ADD_FAILURE() << "expected a config_error for " << text;
    } catch (geosweep::config_error const& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  std::string const file = (dir_ / "item.json").string();
  expect_error("{\"type\": \"Feature\",", file + ": not valid JSON");
  auto item = sentinel2_item("x", "2020-01-01", {{"B04", band_asset("B04.tif", "B04", "red", 10)}});
  item.erase("id");
  expect_error(item.dump(), file + ": id: missing");
  item = sentinel2_item("x", "2020-01-01", {{"B04", band_asset("B04.tif", "B04", "red", 10)}});
  item["properties"].erase("datetime");
  expect_error(item.dump(), file + ": properties.datetime: missing");
  item["properties"]["datetime"] = "yesterday";
  expect_error(item.dump(), file + ": properties.datetime: 'yesterday' is not an RFC 3339");
  item["properties"]["datetime"] = "2020-01-01T00:00:00Z";
  item["properties"]["eo:cloud_cover"] = "cloudy";
  expect_error(item.dump(), file + ": properties.eo:cloud_cover: expected a number");
  item["properties"].erase("eo:cloud_cover");
  item["assets"]["B04"].erase("href");
  expect_error(item.dump(), file + ": assets.B04.href: missing");
  item["assets"] = json::object();
  expect_error(item.dump(), file + ": assets: missing");
  item["assets"] = {{"B04", band_asset("B04.tif", "B04", "red", 10)}};
  item["bbox"] = {1, 2, 3};
  expect_error(item.dump(), file + ": bbox: expected 4 or 6 numbers");

  // start_datetime stands in for a null datetime; 3D bboxes and geometry-only items work.
  item["bbox"] = {-51.1, -9.2, 0, -50.9, -8.9, 100};
  item["properties"]["datetime"] = nullptr;
  item["properties"]["start_datetime"] = "2020-03-04T00:00:00Z";
  auto const parsed = gp::parse_stac_item(item.dump(), dir_ / "item.json");
  EXPECT_EQ(gp::to_iso(parsed.date), "2020-03-04");
  EXPECT_EQ(*parsed.bbox, (gp::geo_bbox{-51.1, -9.2, -50.9, -8.9}));
  item.erase("bbox");
  item["geometry"] = {{"type", "Polygon"},
                      {"coordinates", {{{10, 1}, {12, 1}, {12, 3}, {10, 3}, {10, 1}}}}};
  EXPECT_EQ(*gp::parse_stac_item(item.dump(), dir_ / "item.json").bbox,
            (gp::geo_bbox{10, 1, 12, 3}));
}

TEST(StacAssets, EarthSearchV1CommonNamesAndFinestCog) {
  // Earth Search v1: keys and eo:bands names are common names; nir08 (B8A) must not stand
  // in for nir (B08); the COG beats the JP2 of the same band; visual assets never count.
  json assets = {
      {"red-jp2", band_asset("s3://b/red.jp2", "red", "red", 10, "image/jp2")},
      {"red", band_asset("https://e84.example/T20LMR/B04.tif", "red", "red", 10)},
      {"nir08", band_asset("https://e84.example/T20LMR/B8A.tif", "nir08", "nir08", 20)},
      {"nir", band_asset("https://e84.example/T20LMR/B08.tif", "nir", "nir", 10)},
      {"scl", band_asset("https://e84.example/T20LMR/SCL.tif", "", "", 20)},
      {"visual",
       {{"href", "https://e84.example/T20LMR/TCI.tif"},
        {"roles", {"visual"}},
        {"eo:bands", {{{"name", "red"}, {"common_name", "red"}}}}}},
      {"thumbnail", {{"href", "https://e84.example/T20LMR/thumb.jpg"}, {"type", "image/jpeg"}}}};
  assets["red"]["raster:bands"][0]["scale"] = 0.0001;
  assets["red"]["raster:bands"][0]["offset"] = -0.1;
  auto item = sentinel2_item("S2B_20LMR_20230615_0_L2A", "2023-06-15", assets);
  item["properties"]["s2:processing_baseline"] = "05.09";
  auto const parsed = gp::parse_stac_item(item.dump(), "/items/a.json");
  auto const s = gp::stac_scene(parsed, sensor("sentinel2-l2a"), {"nir", "red"});
  EXPECT_EQ(s.bands.at("red").path, "/vsicurl/https://e84.example/T20LMR/B04.tif");
  EXPECT_EQ(s.bands.at("red").scale, 0.0001);
  EXPECT_EQ(s.bands.at("red").offset, -0.1);
  EXPECT_EQ(s.bands.at("red").nodata, 0.0);
  EXPECT_EQ(s.bands.at("nir").path, "/vsicurl/https://e84.example/T20LMR/B08.tif");
  // No raster:bands scale: (DN - 1000) / 10000 from processing baseline 05.09.
  EXPECT_DOUBLE_EQ(*s.bands.at("nir").scale, 1e-4);
  EXPECT_DOUBLE_EQ(*s.bands.at("nir").offset, -0.1);
  ASSERT_TRUE(s.quality);
  EXPECT_EQ(s.quality->path, "/vsicurl/https://e84.example/T20LMR/SCL.tif");
  EXPECT_FALSE(s.quality->scale);
  EXPECT_EQ(s.metadata, "/items/a.json");
  EXPECT_EQ(gp::to_iso(s.date), "2023-06-15");
}

TEST(StacAssets, PlanetaryComputerBandCodesAndProcessingBaseline) {
  json const assets = {{"B04", band_asset("https://pc.example/B04_10m.tif", "B04", "red", 10)},
                       {"B08", band_asset("https://pc.example/B08_10m.tif", "B08", "nir", 10)},
                       {"B8A", band_asset("https://pc.example/B8A_20m.tif", "B8A", "nir08", 20)},
                       {"SCL", band_asset("https://pc.example/SCL_20m.tif", "", "", 20)}};
  // A 2019 scene reprocessed with baseline 05.00 carries the -1000 offset despite its date.
  auto item = sentinel2_item("S2A_MSIL2A_20190615", "2019-06-15", assets);
  item["properties"]["s2:processing_baseline"] = "05.00";
  auto s = gp::stac_scene(gp::parse_stac_item(item.dump(), "/i.json"), sensor("sentinel2-l2a"),
                          {"nir", "red"});
  EXPECT_EQ(s.bands.at("nir").path, "/vsicurl/https://pc.example/B08_10m.tif");
  EXPECT_DOUBLE_EQ(*s.bands.at("red").offset, -0.1);
  item["properties"]["s2:processing_baseline"] = "02.12";
  s = gp::stac_scene(gp::parse_stac_item(item.dump(), "/i.json"), sensor("sentinel2-l2a"),
                     {"nir", "red"});
  EXPECT_DOUBLE_EQ(*s.bands.at("red").offset, 0.0);
  // Without a baseline the profile's date rule applies later: no scale here.
  item["properties"].erase("s2:processing_baseline");
  s = gp::stac_scene(gp::parse_stac_item(item.dump(), "/i.json"), sensor("sentinel2-l2a"),
                     {"nir", "red"});
  EXPECT_FALSE(s.bands.at("red").scale);
  EXPECT_FALSE(s.bands.at("red").offset);
}

TEST(StacAssets, MissingBandIsAnErrorNamingTheItemAndTheBand) {
  auto const item = sentinel2_item("S2A_X", "2020-01-01",
                                   {{"red", band_asset("r.tif", "B04", "red", 10)},
                                    {"nir08", band_asset("n8.tif", "B8A", "nir08", 20)}});
  auto const parsed = gp::parse_stac_item(item.dump(), "/stac/S2A_X.json");
  try {
    gp::stac_scene(parsed, sensor("sentinel2-l2a"), {"nir", "red"});
    FAIL() << "expected a config_error";
  } catch (geosweep::config_error const& e) {
    EXPECT_STREQ(e.what(),
                 "/stac/S2A_X.json: item 'S2A_X': no asset for band B08 (nir, common name nir); "
                 "its assets are: nir08, red");
  }
  // Without an SCL asset the scene is used unmasked, as a folder without SCL.
  auto const s = gp::stac_scene(parsed, sensor("sentinel2-l2a"), {"red"});
  EXPECT_FALSE(s.quality);
}

TEST(StacAssets, LandsatMissionFromIdOrPlatform) {
  json item = {
      {"type", "Feature"},
      {"stac_version", "1.0.0"},
      {"id", "my-landsat-scene"},
      {"properties", {{"datetime", "1986-04-24T14:54:18Z"}, {"platform", "landsat-5"}}},
      {"assets",
       {{"red",
         band_asset("x/LT05_L2SP_010067_19860424_20200918_02_T2_SR_B3.TIF", "TM_B3", "red", 30)},
        {"nir08",
         band_asset("x/LT05_L2SP_010067_19860424_20200918_02_T2_SR_B4.TIF", "TM_B4", "nir08", 30)},
        {"qa_pixel",
         band_asset("x/LT05_L2SP_010067_19860424_20200918_02_T2_QA_PIXEL.TIF", "", "", 30)}}}};
  item["assets"]["qa_pixel"]["raster:bands"][0]["nodata"] = 1;
  auto const s = gp::stac_scene(gp::parse_stac_item(item.dump(), "/l/item.json"),
                                sensor("landsat-c2-l2"), {"nir", "red"});
  EXPECT_EQ(fs::path(s.bands.at("red").path).filename(),
            "LT05_L2SP_010067_19860424_20200918_02_T2_SR_B3.TIF");
  EXPECT_EQ(fs::path(s.bands.at("nir").path).filename(),
            "LT05_L2SP_010067_19860424_20200918_02_T2_SR_B4.TIF");
  ASSERT_TRUE(s.quality);
  EXPECT_EQ(s.quality->nodata, 1.0);
  item["properties"]["platform"] = "spot-6";
  EXPECT_THROW(gp::stac_scene(gp::parse_stac_item(item.dump(), "/l/item.json"),
                              sensor("landsat-c2-l2"), {"red"}),
               geosweep::config_error);
}

TEST_F(StacCatalog, ItemCollectionsCatalogsAndFoldersOfItems) {
  auto const a = local_sentinel2_item("S2A_20LMR_20190610_0_L2A", "2019-06-10");
  auto const b = local_sentinel2_item("S2B_20LMR_20200615_0_L2A", "2020-06-15", "../../");
  auto const c = local_sentinel2_item("S2A_20LMR_20200620_0_L2A", "2020-06-20", "../../");
  // A folder: items at two depths, an ItemCollection holding one of them again, a catalog
  // (not followed in a folder), an MTL.json and a GeoJSON AOI (not STAC: skipped).
  write_json(dir_ / "items" / "a.json", a);
  write_json(dir_ / "items" / "2020" / "b.json", b);
  write_json(dir_ / "items" / "2020" / "collection.json",
             {{"type", "FeatureCollection"}, {"features", {b, c}}});
  write_json(dir_ / "items" / "catalog.json",
             {{"type", "Catalog"},
              {"id", "c"},
              {"stac_version", "1.0.0"},
              {"links", {{{"rel", "item"}, {"href", "./a.json"}}}}});
  write_json(dir_ / "items" / "x_MTL.json", {{"LANDSAT_METADATA_FILE", json::object()}});
  write_json(dir_ / "items" / "aoi.geojson.json",
             {{"type", "Feature"}, {"geometry", nullptr}, {"properties", json::object()}});
  auto const items = gp::read_stac_items(dir_ / "items");
  ASSERT_EQ(items.size(), 3u);
  std::set<std::string> ids;
  for (auto const& i : items) ids.insert(i.id);
  EXPECT_EQ(ids, (std::set<std::string>{"S2A_20LMR_20190610_0_L2A", "S2A_20LMR_20200620_0_L2A",
                                        "S2B_20LMR_20200615_0_L2A"}));
  // A catalog file follows its item and child links.
  write_json(dir_ / "cat" / "catalog.json",
             {{"type", "Catalog"},
              {"links",
               {{{"rel", "child"}, {"href", "sub/collection.json"}},
                {{"rel", "self"}, {"href", "https://example.com/catalog.json"}}}}});
  write_json(
      dir_ / "cat" / "sub" / "collection.json",
      {{"type", "Collection"}, {"links", {{{"rel", "item"}, {"href", "../../items/a.json"}}}}});
  auto const linked = gp::read_stac_items(dir_ / "cat" / "catalog.json");
  ASSERT_EQ(linked.size(), 1u);
  EXPECT_EQ(linked[0].file, dir_ / "items" / "a.json");
  EXPECT_THROW(gp::read_stac_items(dir_ / "items" / "x_MTL.json"), geosweep::config_error);
  fs::create_directories(dir_ / "empty");
  EXPECT_THROW(gp::read_stac_items(dir_ / "empty"), geosweep::config_error);

  // The job: scenes.stac is the folder; the scenes come out sorted and read back.
  auto const spec = job("sentinel2-l2a", "scenes: {stac: items}\n");
  EXPECT_EQ(*spec.scenes.stac, dir_ / "items");
  auto const catalog = gp::build_catalog(spec, {"nir", "red"});
  EXPECT_EQ(catalog.scenes_found, 3u);
  ASSERT_EQ(catalog.baseline.size(), 1u);
  ASSERT_EQ(catalog.monitor.size(), 2u);
  EXPECT_EQ(catalog.monitor[0].id, "S2B_20LMR_20200615_0_L2A");
  EXPECT_EQ(catalog.monitor[0].bands.at("red").path,
            dir_ / "cogs" / "S2B_20LMR_20200615_0_L2A" / "B04.tif");
  gp::band_reader red(catalog.monitor[0].bands.at("red"));
  EXPECT_EQ(red.read_dn({0, 0, 4, 4})[0], 1000);
}

TEST_F(StacCatalog, LocalAssetsMustExistUnlessOnlyMetadataIsWanted) {
  auto item = local_sentinel2_item("S2A_20LMR_20200610_0_L2A", "2020-06-10");
  item["assets"]["B08"]["href"] = "../cogs/nowhere/B08.tif";
  write_json(dir_ / "items" / "a.json", item);
  write_json(dir_ / "items" / "b.json",
             local_sentinel2_item("S2A_20LMR_20190610_0_L2A", "2019-06-10"));
  auto const spec = job("sentinel2-l2a", "scenes: {stac: items}\n");
  try {
    gp::build_catalog(spec, {"nir", "red"});
    FAIL() << "expected a config_error";
  } catch (geosweep::config_error const& e) {
    EXPECT_STREQ(e.what(), ((dir_ / "items" / "a.json").string() +
                            ": item 'S2A_20LMR_20200610_0_L2A': the nir band file '" +
                            (dir_ / "cogs" / "nowhere" / "B08.tif").string() + "' does not exist")
                               .c_str());
  }
  gp::catalog_options metadata_only;
  metadata_only.require_local_files = false;
  metadata_only.raster_footprints = false;
  auto const catalog = gp::build_catalog(spec, {"nir", "red"}, metadata_only);
  EXPECT_EQ(catalog.monitor.at(0).bands.at("nir").path, dir_ / "cogs" / "nowhere" / "B08.tif");
}

TEST_F(StacCatalog, FootprintsAcrossTheAntimeridianAndCloudCover) {
  // Fiji: items whose bbox crosses the antimeridian, and one east of it.
  auto across = local_sentinel2_item("S2A_01KAB_20190610_0_L2A", "2019-06-10", "");
  across["bbox"] = {179.6, -17.2, -179.7, -16.3};
  across["properties"]["eo:cloud_cover"] = 12.0;
  auto cloudy = local_sentinel2_item("S2B_01KAB_20200610_0_L2A", "2020-06-10", "");
  cloudy["bbox"] = {179.6, -17.2, -179.7, -16.3};
  cloudy["properties"]["eo:cloud_cover"] = 75.5;
  auto east = local_sentinel2_item("S2A_01KBB_20200620_0_L2A", "2020-06-20", "");
  east["bbox"] = {-179.5, -17.2, -178.5, -16.3};
  write_json(dir_ / "items.json",
             {{"type", "FeatureCollection"}, {"features", {across, cloudy, east}}});

  // An AOI west of the antimeridian meets the crossing items only.
  auto spec = job("sentinel2-l2a", "scenes: {stac: items.json, max_cloud_cover: 50.5}\n",
                  "[179.7, -17, 179.9, -16.5]");
  EXPECT_EQ(spec.scenes.max_cloud_cover, 50.5);
  gp::catalog_options options;
  options.require_both_periods = false;
  auto const catalog = gp::build_catalog(spec, {"nir", "red"}, options);
  EXPECT_EQ(catalog.scenes_found, 3u);
  EXPECT_EQ(catalog.dropped_by_footprint, 1u);  // east
  EXPECT_EQ(catalog.dropped_by_cloud, 1u);      // cloudy
  ASSERT_EQ(catalog.baseline.size(), 1u);
  EXPECT_EQ(catalog.baseline[0].cloud_cover, 12.0);
  EXPECT_TRUE(catalog.baseline[0].footprint->crosses_antimeridian());
  EXPECT_TRUE(catalog.monitor.empty());
  try {
    gp::build_catalog(spec, {"nir", "red"});
    FAIL() << "expected a config_error";
  } catch (geosweep::config_error const& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "period.monitor: none of the 3 scenes found between 2020-01-01 and "
                  "2022-12-31 is usable: 1 outside every AOI, 1 above scenes.max_cloud_cover "
                  "(50.5%)"),
              std::string::npos)
        << e.what();
  }
  // Without the limit the cloudy scene is kept.
  spec.scenes.max_cloud_cover.reset();
  EXPECT_EQ(gp::build_catalog(spec, {"nir", "red"}).monitor.size(), 1u);
}

TEST_F(StacCatalog, GenericSensorFindsAssetsByCommonNameAndMaskSuffix) {
  write_tif(dir_ / "x" / "scene_red.tif", 100);
  write_tif(dir_ / "x" / "scene_nir.tif", 300);
  write_tif(dir_ / "x" / "scene_qa.tif", 0);
  json item = {{"type", "Feature"},
               {"stac_version", "1.0.0"},
               {"id", "planet-20200601"},
               {"properties", {{"datetime", "2020-06-01T10:00:00Z"}}},
               {"assets",
                {{"b3", band_asset("x/scene_red.tif", "b3", "red", 3)},
                 {"b4", band_asset("x/scene_nir.tif", "b4", "nir", 3)},
                 {"udm", band_asset("x/scene_qa.tif", "", "", 3)}}}};
  write_json(dir_ / "a.json", item);
  item["id"] = "planet-20190601";
  item["properties"]["datetime"] = "2019-06-01T10:00:00Z";
  write_json(dir_ / "b.json", item);
  auto const spec =
      job("\n  type: generic\n  bands: {red: _red.tif, nir: _nir.tif}\n  scale: 0.0001\n"
          "  mask: {band: _qa.tif, clear_values: [0]}",
          "scenes: {stac: a.json}\n");
  gp::catalog_options options;
  options.require_both_periods = false;
  auto const catalog = gp::build_catalog(spec, {"nir", "red"}, options);
  ASSERT_EQ(catalog.monitor.size(), 1u);
  EXPECT_EQ(catalog.monitor[0].bands.at("red").path, dir_ / "x" / "scene_red.tif");
  ASSERT_TRUE(catalog.monitor[0].quality);
  EXPECT_EQ(catalog.monitor[0].quality->path, dir_ / "x" / "scene_qa.tif");
}

TEST_F(StacCatalog, JobSpecScenesStacAndMaxCloudCover) {
  write_json(dir_ / "item.json", {{"type", "Feature"}});
  fs::create_directories(dir_ / "scenes");
  auto const expect_error = [&](std::string const& scenes, std::string const& expected) {
    try {
      job("sentinel2-l2a", scenes);
      ADD_FAILURE() << "expected a config_error for " << scenes;
    } catch (geosweep::config_error const& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  };
  auto const spec = job("sentinel2-l2a", "scenes:\n  stac: item.json\n  max_cloud_cover: 30\n");
  EXPECT_EQ(*spec.scenes.stac, dir_ / "item.json");
  EXPECT_FALSE(spec.scenes.dir);
  EXPECT_EQ(spec.scenes.max_cloud_cover, 30.0);
  expect_error("scenes: {stac: item.json, dir: scenes}\n",
               "scenes: give one of 'dir', 'list' or 'stac', not several");
  expect_error("scenes: {max_cloud_cover: 3}\n",
               "scenes: missing 'dir' (a folder of scenes), "
               "'list' (scene paths) or 'stac' (STAC items)");
  expect_error("scenes: {stac: nowhere.json}\n", "scenes.stac: STAC item, collection or folder '" +
                                                     (dir_ / "nowhere.json").string() +
                                                     "' does not exist");
  expect_error("scenes: {stac: item.json, max_cloud_cover: 101}\n",
               "scenes.max_cloud_cover: expected a percentage from 0 to 100");
  expect_error("scenes: {stac: item.json, max_cloud_cover: some}\n",
               "scenes.max_cloud_cover: expected a number, found 'some'");
  expect_error("scenes: {stac: item.json, max_cloud_covr: 3}\n",
               "scenes.max_cloud_covr: unknown key 'max_cloud_covr'; did you mean "
               "'max_cloud_cover'?");
}

// ---- Real files of $GEOSWEEP_SHARED_DATA ----

TEST(RealDataStac, Sentinel2ItemAssetsWithoutOpeningThem) {
  fs::path const file =
      shared_data() / "stac-and-metadata" / "sentinel2" / "S2A_T07HFE_20190212T192646_L2A.json";
  auto const items = gp::read_stac_items(file);
  ASSERT_EQ(items.size(), 1u);
  auto const& item = items[0];
  EXPECT_EQ(item.id, "S2A_T07HFE_20190212T192646_L2A");
  EXPECT_EQ(gp::to_iso(item.date), "2019-02-12");
  EXPECT_EQ(item.cloud_cover, 51.580326);
  EXPECT_EQ(item.processing_baseline, "02.12");
  EXPECT_EQ(*item.bbox, (gp::geo_bbox{-139.94553, -31.771974, -139.57542, -31.625917}));
  EXPECT_EQ(item.assets.size(), 41u);
  auto const s = gp::stac_scene(item, sensor("sentinel2-l2a"),
                                {"blue", "green", "red", "nir", "swir1", "swir2"});
  // Hrefs are relative to the item: ../../../tests/data-files/<SAFE>/GRANULE/...
  fs::path const granule = (file.parent_path() / "../../../tests/data-files" /
                            "S2A_MSIL2A_20190212T192651_N0212_R013_T07HFE_20201007T160857.SAFE" /
                            "GRANULE" / "L2A_T07HFE_A019029_20190212T192646" / "IMG_DATA")
                               .lexically_normal();
  // The finest of red / red_20m / red_60m; B08 (nir), not B8A (nir08); SCL at 20 m.
  auto const lexical = [](fs::path const& p) { return p.lexically_normal(); };
  EXPECT_EQ(s.bands.at("red").path,
            lexical(granule / "R10m" / "T07HFE_20190212T192651_B04_10m.tif"));
  EXPECT_EQ(s.bands.at("nir").path,
            lexical(granule / "R10m" / "T07HFE_20190212T192651_B08_10m.tif"));
  EXPECT_EQ(s.bands.at("swir1").path,
            lexical(granule / "R20m" / "T07HFE_20190212T192651_B11_20m.tif"));
  EXPECT_EQ(s.bands.at("swir2").path,
            lexical(granule / "R20m" / "T07HFE_20190212T192651_B12_20m.tif"));
  ASSERT_TRUE(s.quality);
  EXPECT_EQ(s.quality->path, lexical(granule / "R20m" / "T07HFE_20190212T192651_SCL_20m.tif"));
  for (auto const& [name, f] : s.bands) {
    EXPECT_EQ(f.scale, 0.0001) << name;
    EXPECT_EQ(f.offset, 0.0) << name;
    EXPECT_EQ(f.nodata, 0.0) << name;
  }
}

TEST(RealDataStac, LandsatItemsOfFourMissions) {
  fs::path const folder = shared_data() / "stac-and-metadata" / "landsat";
  auto const items = gp::read_stac_items(folder);  // the MTL.json beside them is skipped
  ASSERT_EQ(items.size(), 4u);
  struct expected {
    std::string date;
    double cloud;
    std::string red, nir;
  };
  std::map<std::string, expected> const want{
      {"LC08_L2SP_047027_20201204_02_T1", {"2020-12-04", 1.55, "SR_B4", "SR_B5"}},
      {"LE07_L2SP_021030_20100109_02_T1", {"2010-01-09", 8.0, "SR_B3", "SR_B4"}},
      {"LT04_L2SP_002026_19830110_02_T1", {"1983-01-10", 7.0, "SR_B3", "SR_B4"}},
      {"LT05_L2SP_010067_19860424_02_T2", {"1986-04-24", 23.0, "SR_B3", "SR_B4"}}};
  for (auto const& item : items) {
    SCOPED_TRACE(item.id);
    auto const& w = want.at(item.id);
    auto const s = gp::stac_scene(item, sensor("landsat-c2-l2"), {"nir", "red", "swir2"});
    EXPECT_EQ(gp::to_iso(s.date), w.date);
    EXPECT_EQ(s.cloud_cover, w.cloud);
    EXPECT_TRUE(s.footprint);
    EXPECT_TRUE(s.bands.at("red").path.stem().string().ends_with("_" + w.red));
    EXPECT_TRUE(s.bands.at("nir").path.stem().string().ends_with("_" + w.nir));
    EXPECT_TRUE(s.bands.at("swir2").path.stem().string().ends_with("_SR_B7"));
    EXPECT_EQ(s.bands.at("red").scale, 2.75e-05);
    EXPECT_EQ(s.bands.at("red").offset, -0.2);
    ASSERT_TRUE(s.quality);
    EXPECT_TRUE(s.quality->path.stem().string().ends_with("_QA_PIXEL"));
    EXPECT_EQ(s.quality->nodata, 1.0);
  }
}

TEST(RealDataStac, RealItemsWithHrefsRewrittenToLocalRasters) {
  fs::path const work =
      fs::temp_directory_path() / ("geosweep_real_stac_" + std::to_string(::getpid()));
  fs::remove_all(work);
  fs::path const real = shared_data() / "stac-and-metadata";
  // Each real item, its needed assets pointed at small local rasters (relative, absolute and
  // file:// hrefs), everything else left as it is (unreachable, never opened).
  auto s2 = read_json(real / "sentinel2" / "S2A_T07HFE_20190212T192646_L2A.json");
  write_tif(work / "rasters" / "s2_red.tif", 1500);
  write_tif(work / "rasters" / "s2_nir.tif", 3500);
  write_tif(work / "rasters" / "s2_scl.tif", 4);
  s2["assets"]["red"]["href"] = "../rasters/s2_red.tif";
  s2["assets"]["nir"]["href"] = (work / "rasters" / "s2_nir.tif").string();
  s2["assets"]["scl"]["href"] = "file://" + (work / "rasters" / "s2_scl.tif").string();
  write_json(work / "items" / "s2.json", s2);
  std::string const text =
      "job: real\nsensor: sentinel2-l2a\nscenes: {stac: items/s2.json}\n"
      "aois: [{name: pitcairn, bbox: [-139.9, -31.75, -139.6, -31.65]}]\n"
      "period: {baseline: [2019-01-01, 2019-06-30], monitor: [2019-07-01, 2019-12-31]}\n";
  auto const spec = gp::parse_job_spec(text, work / "job.yaml");
  gp::catalog_options options;
  options.require_both_periods = false;
  auto const catalog = gp::build_catalog(spec, {"nir", "red"}, options);
  ASSERT_EQ(catalog.baseline.size(), 1u);
  auto const& s = catalog.baseline[0];
  EXPECT_EQ(s.bands.at("red").path, work / "rasters" / "s2_red.tif");
  EXPECT_EQ(s.quality->path, work / "rasters" / "s2_scl.tif");
  gp::band_reader nir(s.bands.at("nir"));
  EXPECT_NEAR(gp::band_reflectance(spec.sensor, s, nir)(nir.read_dn({0, 0, 4, 4})[0]), 0.35f,
              1e-6f);
  // The same item where the AOI is not: dropped by its footprint.
  auto elsewhere = spec;
  elsewhere.aois[0].bbox = std::array<double, 4>{-60, -10, -59, -9};
  EXPECT_EQ(gp::build_catalog(elsewhere, {"nir", "red"}, options).dropped_by_footprint, 1u);

  // Landsat 5: the item is used as it is, only red and nir and qa_pixel rewritten.
  auto lt05 = read_json(real / "landsat" / "LT05_L2SP_010067_19860424_02_T2.json");
  for (char const* key : {"red", "nir08", "qa_pixel"}) {
    write_tif(work / "rasters" / (std::string("lt05_") + key + ".tif"), 20000);
    lt05["assets"][key]["href"] = "../rasters/lt05_" + std::string(key) + ".tif";
  }
  write_json(work / "landsat" / "lt05.json", lt05);
  auto const landsat = gp::parse_job_spec(
      "job: real\nsensor: landsat-c2-l2\nscenes: {stac: landsat}\n"
      "aois: [{name: peru, bbox: [-80.5, -10.5, -80, -10]}]\n"
      "period: {baseline: [1986-01-01, 1986-12-31], monitor: [1987-01-01, 1987-12-31]}\n",
      work / "job2.yaml");
  auto const l = gp::build_catalog(landsat, {"nir", "red"}, options);
  ASSERT_EQ(l.baseline.size(), 1u);
  gp::band_reader red(l.baseline[0].bands.at("red"));
  EXPECT_FLOAT_EQ(gp::band_reflectance(landsat.sensor, l.baseline[0], red)(20000),
                  20000 * 0.0000275f - 0.2f);
  fs::remove_all(work);
}

TEST(RealDataLandsat8NewYork, NineteenScenesOfThreePathRows) {
  fs::path const folder = shared_data() / "landsat8-c1-newyork-2018";
  fs::path const work = fs::temp_directory_path() / ("geosweep_l8ny_" + std::to_string(::getpid()));
  fs::create_directories(work);
  auto const spec_for = [&](std::string const& aoi) {
    return gp::parse_job_spec(
        "job: ny\nsensor:\n  type: generic\n  bands: {red: _B4.TIF, nir: _B5.TIF}\n"
        "  nodata: 0\n  mask: {band: _BQA.TIF, reject_bits: [0, 4]}\n"
        "scenes: {dir: " +
            folder.string() + "}\naois: [{name: a, bbox: " + aoi +
            "}]\n"
            "period: {baseline: [2018-01-01, 2018-06-30], monitor: [2018-07-01, 2018-12-31]}\n",
        work / "job.yaml");
  };
  // Collection 1 Level-1 files of a generic sensor: the dates come from the names.
  auto const scenes = gp::find_scenes(spec_for("[-74.1, 40.6, -73.9, 40.8]"), {"nir", "red"});
  ASSERT_EQ(scenes.size(), 19u);
  std::map<std::string, std::vector<std::string>> by_path_row;
  std::map<std::string, std::set<std::string>> path_rows_by_date;
  for (auto const& s : scenes) {
    SCOPED_TRACE(s.id);
    ASSERT_EQ(s.id.size(), 25u);  // LC08_L1TP_013032_20180131
    std::string const path_row = s.id.substr(10, 6);
    EXPECT_EQ(gp::to_iso(s.date),
              s.id.substr(17, 4) + "-" + s.id.substr(21, 2) + "-" + s.id.substr(23, 2));
    by_path_row[path_row].push_back(gp::to_iso(s.date));
    path_rows_by_date[gp::to_iso(s.date)].insert(path_row);
    ASSERT_TRUE(s.quality);
    EXPECT_TRUE(s.quality->path.string().ends_with("_BQA.TIF"));
    EXPECT_FALSE(s.cloud_cover);
    ASSERT_TRUE(s.footprint);  // from the rasters (EPSG:32618)
  }
  EXPECT_EQ(by_path_row["013032"],
            (std::vector<std::string>{"2018-01-31", "2018-04-05", "2018-04-21", "2018-07-10",
                                      "2018-08-27", "2018-10-30", "2018-12-01", "2018-12-17"}));
  EXPECT_EQ(by_path_row["014031"].size(), 5u);
  EXPECT_EQ(by_path_row["014032"].size(), 6u);
  std::vector<std::string> shared;
  for (auto const& [date, rows] : path_rows_by_date)
    if (rows.size() > 1) {
      shared.push_back(date);
      EXPECT_EQ(rows, (std::set<std::string>{"014031", "014032"})) << date;
    }
  EXPECT_EQ(shared, (std::vector<std::string>{"2018-04-28", "2018-09-03"}));
  // Footprints: 014031 lies north of 014032, 013032 east of both.
  auto const footprint_of = [&](std::string const& id) {
    for (auto const& s : scenes)
      if (s.id == id) return *s.footprint;
    return gp::geo_bbox{};
  };
  auto const north = footprint_of("LC08_L1TP_014031_20180428");
  auto const south = footprint_of("LC08_L1TP_014032_20180428");
  auto const east = footprint_of("LC08_L1TP_013032_20180131");
  EXPECT_NEAR(north.north, 42.81, 0.05);
  EXPECT_NEAR(south.south, 39.26, 0.05);
  EXPECT_NEAR(east.east, -71.93, 0.05);  // the upper right corner, not the lower right
  EXPECT_NEAR(east.west, -74.67, 0.05);
  EXPECT_GT(north.south, south.south + 1);
  EXPECT_GT(east.east, north.east + 1);

  // Manhattan lies in all three path/rows; upstate New York in 014031 only; eastern Long
  // Island in 013032 only.
  auto const nyc = gp::build_catalog(spec_for("[-74.1, 40.7, -73.9, 40.8]"), {"nir", "red"});
  EXPECT_EQ(nyc.dropped_by_footprint, 0u);
  EXPECT_EQ(nyc.baseline.size() + nyc.monitor.size(), 19u);
  auto const upstate = gp::build_catalog(spec_for("[-75.5, 42.3, -75.2, 42.5]"), {"nir", "red"});
  EXPECT_EQ(upstate.dropped_by_footprint, 14u);
  EXPECT_EQ(upstate.baseline.size(), 3u);  // 01-06, 04-28, 05-30
  EXPECT_EQ(upstate.monitor.size(), 2u);   // 09-03, 10-05
  auto const long_island =
      gp::build_catalog(spec_for("[-72.5, 40.8, -72.3, 40.9]"), {"nir", "red"});
  EXPECT_EQ(long_island.dropped_by_footprint, 11u);
  EXPECT_EQ(gp::describe_catalog(long_island),
            "19 scenes found, 8 used (3 baseline, 5 monitor); dropped: 11 outside every AOI");
  fs::remove_all(work);
}

int main(int argc, char** argv) {
  return geosweep::test_tools::run_tests_with_shared_data(argc, argv);
}
