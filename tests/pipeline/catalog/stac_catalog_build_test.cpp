// STAC catalogs built for a job: ItemCollections, catalogs (their item and child links) and
// folders of items at any depth (non-STAC JSON skipped), local asset files that must exist
// unless only metadata is wanted, footprints across the antimeridian and the cloud-cover
// filter, a generic sensor's assets by common name and mask suffix, and the job spec's
// scenes.stac and max_cloud_cover. Single items and their assets are checked in
// stac_items_test.cpp.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "catalog/scene_catalog.hpp"
#include "catalog/stac_catalog.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "load/scene_reader.hpp"
#include "pipeline/catalog/stac_catalog_fixture.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using json = nlohmann::json;
using StacCatalog = tt::stac_catalog_fixture;
using tt::band_asset;
using tt::write_json;
using tt::write_tif;

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
               "scenes: give one of 'dir', 'list', 'stac' or 'stac_api', not several");
  expect_error("scenes: {max_cloud_cover: 3}\n",
               "scenes: missing 'dir' (a folder of scenes), "
               "'list' (scene paths), 'stac' (STAC items) or 'stac_api' (a STAC API to search)");
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
