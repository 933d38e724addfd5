// STAC on the real files of $GEOSWEEP_SHARED_DATA: the Sentinel-2 and Landsat items of
// stac-and-metadata (assets found without opening them; the items with their hrefs rewritten to
// small local rasters, read through a job), and the multi-date Landsat 8 Collection 1 set of New
// York (19 scenes of three path/rows, their dates and footprints). Every test here is a RealData*
// one: without GEOSWEEP_SHARED_DATA they are left out, and the stac_catalog_real_data_test
// entry (--gtest_filter=RealData*) exits 77, skipped; see tools/shared_data.hpp.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "catalog/scene_catalog.hpp"
#include "catalog/sensor_profile.hpp"
#include "catalog/stac_catalog.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "load/scene_reader.hpp"
#include "pipeline/catalog/stac_catalog_fixture.hpp"
#include "tools/shared_data.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using tt::read_json;
using tt::sensor;
using tt::shared_data;
using tt::write_json;
using tt::write_tif;

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
