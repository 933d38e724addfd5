// Tests of the scene simulator's scenes: the result and the files it writes, their grid and
// metadata, the spectral separation the change detector relies on, and the cloud guarantee in
// the SCL bands. The planted truth, the AOIs and job.yaml are in scene_simulator_truth_test;
// determinism, options and errors in scene_simulator_runs_test.

#include "geosweep/sim/scene_simulator.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <nlohmann/json.hpp>

#include "sim/scene_simulator_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace geosweep::pipeline;
using namespace geosweep::sim;
using namespace geosweep::test_tools;
using std::chrono::day;
using std::chrono::year;

using SceneSimulator = scene_simulator_fixture;

constexpr char const* band_files[] = {"B02.tif", "B03.tif", "B04.tif",
                                      "B08.tif", "B11.tif", "B12.tif"};

bool is_clear(std::uint8_t scl) {
  return scl == 4 || scl == 5 || scl == 6;
}

TEST_F(SceneSimulator, DatesGridAndResult) {
  auto const& r = result();
  std::vector<civil_date> const expected{
      {year{2023}, std::chrono::June, day{5}},  {year{2023}, std::chrono::June, day{20}},
      {year{2023}, std::chrono::July, day{5}},  {year{2024}, std::chrono::June, day{4}},
      {year{2024}, std::chrono::June, day{19}}, {year{2024}, std::chrono::July, day{4}},
      {year{2024}, std::chrono::July, day{19}}};
  EXPECT_EQ(r.dates, expected);
  EXPECT_EQ(r.grid.width, 300);
  EXPECT_EQ(r.grid.height, 300);
  geotransform const gt{600000.0, 10.0, 0.0, 8950000.0, 0.0, -10.0};
  EXPECT_EQ(r.grid.transform, gt);
  OGRSpatialReference srs;
  ASSERT_EQ(srs.importFromWkt(r.grid.crs_wkt.c_str()), OGRERR_NONE);
  ASSERT_NE(srs.GetAuthorityCode(nullptr), nullptr);
  EXPECT_STREQ(srs.GetAuthorityCode(nullptr), "32720");
  EXPECT_EQ(r.job_file, dir() / "job.yaml");
  EXPECT_EQ(r.truth_file, dir() / "truth.geojson");
  ASSERT_EQ(r.truth_mask.size(), r.grid.pixel_count());
  ASSERT_EQ(r.clearings.size(), 6u);
}

TEST_F(SceneSimulator, EveryFileExistsWithGridAndMetadata) {
  auto const& r = result();
  // Exactly one folder per date, named like Earth Search's L2A items, S2A/S2B alternating.
  std::set<std::string> names;
  for (auto const& e : fs::directory_iterator(dir() / "scenes"))
    names.insert(e.path().filename().string());
  std::set<std::string> expected;
  for (std::size_t i = 0; i < r.dates.size(); ++i) expected.insert(scene(i).filename().string());
  EXPECT_EQ(names, expected);
  EXPECT_TRUE(names.count("S2A_20LMR_20230605_0_L2A")) << "first scene name";
  EXPECT_TRUE(names.count("S2B_20LMR_20230620_0_L2A")) << "second scene name";

  for (std::size_t i = 0; i < r.dates.size(); ++i) {
    std::vector<std::string> files(std::begin(band_files), std::end(band_files));
    files.emplace_back("SCL.tif");
    for (auto const& name : files) {
      fs::path const p = scene(i) / name;
      SCOPED_TRACE(p.string());
      ASSERT_TRUE(fs::is_regular_file(p));
      GDALDatasetUniquePtr ds = open_raster(p);
      ASSERT_TRUE(ds);
      EXPECT_STREQ(ds->GetDriver()->GetDescription(), "GTiff");
      EXPECT_EQ(ds->GetRasterXSize(), 300);
      EXPECT_EQ(ds->GetRasterYSize(), 300);
      ASSERT_EQ(ds->GetRasterCount(), 1);
      OGRSpatialReference const* srs = ds->GetSpatialRef();
      ASSERT_NE(srs, nullptr);
      ASSERT_NE(srs->GetAuthorityCode(nullptr), nullptr);
      EXPECT_STREQ(srs->GetAuthorityCode(nullptr), "32720");
      double gt[6];
      ASSERT_EQ(ds->GetGeoTransform(gt), CE_None);
      for (int k = 0; k < 6; ++k) EXPECT_EQ(gt[k], r.grid.transform[k]) << "geotransform " << k;
      char const* compression = ds->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE");
      ASSERT_NE(compression, nullptr);
      EXPECT_STREQ(compression, "DEFLATE");
      GDALRasterBand* band = ds->GetRasterBand(1);
      int bx = 0, by = 0;
      band->GetBlockSize(&bx, &by);
      EXPECT_EQ(bx, 256);
      EXPECT_EQ(by, 256);
      int has_nodata = 0;
      double const nodata = band->GetNoDataValue(&has_nodata);
      EXPECT_TRUE(has_nodata);
      EXPECT_EQ(nodata, 0.0);
      if (name == "SCL.tif") {
        EXPECT_EQ(band->GetRasterDataType(), GDT_Byte);
      } else {
        EXPECT_EQ(band->GetRasterDataType(), GDT_UInt16);
        char const* offset = band->GetMetadataItem("BOA_ADD_OFFSET");
        char const* quant = band->GetMetadataItem("QUANTIFICATION_VALUE");
        ASSERT_NE(offset, nullptr);
        ASSERT_NE(quant, nullptr);
        EXPECT_STREQ(offset, "-1000");
        EXPECT_STREQ(quant, "10000");
      }
    }
  }
  // The GeoTIFF predictor is in the TIFF tags; GDAL reports it from 3.x as PREDICTOR.
  GDALDatasetUniquePtr ds = open_raster(scene(0) / "B04.tif");
  ASSERT_TRUE(ds);
  if (char const* pred = ds->GetMetadataItem("PREDICTOR", "IMAGE_STRUCTURE")) {
    EXPECT_STREQ(pred, "2");
  }

  EXPECT_TRUE(fs::is_regular_file(dir() / "job.yaml"));
  EXPECT_TRUE(fs::is_regular_file(dir() / "truth.geojson"));
  EXPECT_TRUE(fs::is_regular_file(dir() / "aois" / "concession-7.geojson"));
  // Nothing left behind: no temporary files or folders.
  for (auto const& e : fs::recursive_directory_iterator(dir()))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
}

TEST_F(SceneSimulator, StacItemsDescribeEveryScene) {
  auto const& r = result();
  fs::path const items_file = dir() / "stac" / "items.json";
  std::ifstream in(items_file);
  ASSERT_TRUE(in) << items_file;
  auto const items = nlohmann::json::parse(in);
  EXPECT_EQ(items["type"], "FeatureCollection");
  auto const& features = items["features"];
  ASSERT_EQ(features.size(), r.dates.size());
  OGRSpatialReference utm, wgs84;
  ASSERT_EQ(utm.importFromWkt(r.grid.crs_wkt.c_str()), OGRERR_NONE);
  wgs84.SetWellKnownGeogCS("WGS84");
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> const to_lonlat(
      OGRCreateCoordinateTransformation(&utm, &wgs84));
  ASSERT_NE(to_lonlat, nullptr);
  for (std::size_t d = 0; d < r.dates.size(); ++d) {
    auto const& f = features[d];
    SCOPED_TRACE(f.value("id", ""));
    EXPECT_EQ(f["stac_version"], "1.0.0");
    EXPECT_EQ(f["id"], scene(d).filename().string());
    EXPECT_EQ(f["properties"]["datetime"].get<std::string>().substr(0, 10), to_iso(r.dates[d]));
    EXPECT_EQ(f["properties"]["platform"], d % 2 == 0 ? "sentinel-2a" : "sentinel-2b");
    // eo:cloud_cover: ESA's cloudy share, SCL 8, 9 and 10, counted here from the SCL file.
    auto const scl = read_band<std::uint8_t>(scene(d) / "SCL.tif");
    double const cloudy =
        100.0 *
        static_cast<double>(std::count_if(
            scl.begin(), scl.end(), [](std::uint8_t c) { return c == 8 || c == 9 || c == 10; })) /
        static_cast<double>(scl.size());
    EXPECT_NEAR(f["properties"]["eo:cloud_cover"].get<double>(), cloudy, 0.005);
    // The bbox holds the tile's corners, to 1e-7 degrees.
    auto const& bbox = f["bbox"];
    for (auto const& [x, y] :
         {std::pair{0, 0}, std::pair{300, 0}, std::pair{0, 300}, std::pair{300, 300}}) {
      double lon = r.grid.transform[0] + x * r.grid.transform[1];
      double lat = r.grid.transform[3] + y * r.grid.transform[5];
      ASSERT_TRUE(to_lonlat->Transform(1, &lon, &lat));
      EXPECT_GE(lon, bbox[0].get<double>() - 1e-7);
      EXPECT_LE(lon, bbox[2].get<double>() + 1e-7);
      EXPECT_GE(lat, bbox[1].get<double>() - 1e-7);
      EXPECT_LE(lat, bbox[3].get<double>() + 1e-7);
    }
    // Each band asset is its file (href relative to stac/), with the common name STAC gives
    // the band and the radiometry of the file's metadata: (DN - 1000) / 10000 = DN x 0.0001 -
    // 0.1.
    std::map<std::string, std::string> const common{{"B02", "blue"},   {"B03", "green"},
                                                    {"B04", "red"},    {"B08", "nir"},
                                                    {"B11", "swir16"}, {"B12", "swir22"}};
    for (auto const& [band, name] : common) {
      auto const& a = f["assets"][name];
      EXPECT_EQ((items_file.parent_path() / a["href"].get<std::string>()).lexically_normal(),
                (scene(d) / (band + ".tif")).lexically_normal());
      EXPECT_EQ(a["eo:bands"][0]["name"], band);
      EXPECT_EQ(a["eo:bands"][0]["common_name"], name);
      EXPECT_DOUBLE_EQ(a["raster:bands"][0]["scale"].get<double>(), 0.0001);
      EXPECT_DOUBLE_EQ(a["raster:bands"][0]["offset"].get<double>(), -0.1);
      EXPECT_EQ(a["raster:bands"][0]["nodata"], 0);
    }
    EXPECT_EQ((items_file.parent_path() / f["assets"]["scl"]["href"].get<std::string>())
                  .lexically_normal(),
              (scene(d) / "SCL.tif").lexically_normal());
  }
}

/// NDVI from the DN files as the pipeline computes it: reflectance = (DN - 1000) / 10000.
struct scene_stack {
  std::vector<std::vector<float>> ndvi;        // per date; NaN where not clear
  std::vector<std::vector<std::uint8_t>> scl;  // per date
};

scene_stack load_stack(std::size_t dates, std::function<fs::path(std::size_t)> const& scene) {
  scene_stack s;
  for (std::size_t d = 0; d < dates; ++d) {
    auto const red = read_band<std::uint16_t>(scene(d) / "B04.tif");
    auto const nir = read_band<std::uint16_t>(scene(d) / "B08.tif");
    auto scl = read_band<std::uint8_t>(scene(d) / "SCL.tif");
    std::vector<float> v(red.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      float const r = (static_cast<float>(red[i]) - 1000.0f) / 10000.0f;
      float const n = (static_cast<float>(nir[i]) - 1000.0f) / 10000.0f;
      v[i] = is_clear(scl[i]) ? (n - r) / (n + r) : std::nanf("");
    }
    s.ndvi.push_back(std::move(v));
    s.scl.push_back(std::move(scl));
  }
  return s;
}

TEST_F(SceneSimulator, SpectralSeparation) {
  auto const& r = result();
  scene_stack const s = load_stack(r.dates.size(), [](std::size_t d) { return scene(d); });
  std::size_t const n = pixel_count();

  // Clearings: forest (NDVI > 0.7, SCL 4) on every clear date before cleared_on, bare
  // (NDVI < 0.3, SCL 5) on every clear date from it on, and seen clear on both sides.
  for (auto const& c : r.clearings) {
    SCOPED_TRACE(c.id);
    std::size_t const cut =
        std::find(r.dates.begin(), r.dates.end(), c.cleared_on) - r.dates.begin();
    std::int64_t bad_before = 0, bad_after = 0, unseen_before = 0, unseen_after = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (r.truth_mask[i] != c.id) continue;
      bool seen_before = false, seen_after = false;
      for (std::size_t d = 0; d < r.dates.size(); ++d) {
        float const v = s.ndvi[d][i];
        if (std::isnan(v)) continue;
        if (d < cut) {
          seen_before = true;
          bad_before += !(v > 0.7f && s.scl[d][i] == 4);
        } else {
          seen_after = true;
          bad_after += !(v < 0.3f && s.scl[d][i] == 5);
        }
      }
      unseen_before += !seen_before;
      unseen_after += !seen_after;
    }
    EXPECT_EQ(bad_before, 0) << "pixels not forest before clearing";
    EXPECT_EQ(bad_after, 0) << "pixels not bare after clearing";
    EXPECT_EQ(unseen_before, 0);
    EXPECT_EQ(unseen_after, 0);
  }

  // Everything else keeps its class: forest stays > 0.7 on every clear date, non-forest stays
  // < 0.55, so forest_min 0.6 / drop 0.25 has no ambiguous pixel.
  std::int64_t forest = 0, other = 0, ambiguous = 0, never_clear = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (r.truth_mask[i] != 0) continue;
    bool any = false, all_forest = true, all_other = true;
    for (std::size_t d = 0; d < r.dates.size(); ++d) {
      float const v = s.ndvi[d][i];
      if (std::isnan(v)) continue;
      any = true;
      all_forest = all_forest && v > 0.7f;
      all_other = all_other && v < 0.55f;
    }
    never_clear += !any;
    if (!any) continue;
    if (all_forest)
      ++forest;
    else if (all_other)
      ++other;
    else
      ++ambiguous;
  }
  EXPECT_EQ(ambiguous, 0);
  EXPECT_EQ(never_clear, 0);
  double const forest_share = static_cast<double>(forest) / static_cast<double>(n);
  EXPECT_GT(forest_share, 0.55);
  EXPECT_LT(forest_share, 0.85);
  EXPECT_GT(static_cast<double>(other) / static_cast<double>(n), 0.10) << "pasture and water";
}

TEST_F(SceneSimulator, CloudsNeverHideAPixelTwiceInARow) {
  auto const& r = result();
  std::size_t const n = pixel_count();
  std::vector<std::vector<std::uint8_t>> scl;
  for (std::size_t d = 0; d < r.dates.size(); ++d)
    scl.push_back(read_band<std::uint8_t>(scene(d) / "SCL.tif"));

  std::set<int> classes;
  std::size_t cloudy_dates = 0;
  for (std::size_t d = 0; d < r.dates.size(); ++d) {
    std::size_t not_clear = 0, cloud = 0;
    for (std::uint8_t v : scl[d]) {
      classes.insert(v);
      not_clear += !is_clear(v);
      cloud += v == 8 || v == 9;
    }
    cloudy_dates += not_clear > n / 100;
    EXPECT_LE(cloud, n * 22 / 100) << "date " << d << ": clouds cover at most ~20 %";
    EXPECT_LE(not_clear, n * 45 / 100) << "date " << d << ": clouds and shadows";
  }
  EXPECT_GE(cloudy_dates, 3u) << "the guarantee below must not hold vacuously";
  for (int k : {3, 4, 5, 6, 8, 9}) EXPECT_TRUE(classes.count(k)) << "SCL class " << k;
  for (int k : classes) EXPECT_TRUE(k == 3 || k == 4 || k == 5 || k == 6 || k == 8 || k == 9) << k;

  for (std::size_t d = 1; d < r.dates.size(); ++d) {
    if (period_of(d) != period_of(d - 1)) continue;
    std::size_t twice = 0;
    for (std::size_t i = 0; i < n; ++i) twice += !is_clear(scl[d - 1][i]) && !is_clear(scl[d][i]);
    EXPECT_EQ(twice, 0u) << "dates " << d - 1 << " and " << d;
  }

  // Clouds are bright, shadows dark.
  std::size_t dim_cloud = 0, clouds = 0;
  for (std::size_t d = 0; d < r.dates.size(); ++d) {
    auto const blue = read_band<std::uint16_t>(scene(d) / "B02.tif");
    for (std::size_t i = 0; i < n; ++i)
      if (scl[d][i] == 8 || scl[d][i] == 9) {
        ++clouds;
        dim_cloud += (blue[i] - 1000) / 10000.0 < 0.35;
      }
  }
  EXPECT_GT(clouds, 0u);
  EXPECT_EQ(dim_cloud, 0u);
}

}  // namespace
