// STAC items one at a time: href resolution (relative, file://, http(s), s3://, gs:// and /vsi
// paths), errors naming the item file and the key, and asset lookup by band code, eo:bands name
// or common name (Planetary Computer, Earth Search v0 and v1 layouts), raster:bands radiometry,
// processing-baseline offsets, a missing band named with the item's assets, and the Landsat
// mission from the id or platform. Catalogs, folders and filters are checked in
// stac_catalog_build_test.cpp, the real items of $GEOSWEEP_SHARED_DATA in stac_real_data_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "catalog/stac_catalog.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "pipeline/catalog/stac_catalog_fixture.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using json = nlohmann::json;
using StacCatalog = tt::stac_catalog_fixture;
using tt::band_asset;
using tt::sensor;
using tt::sentinel2_item;

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
