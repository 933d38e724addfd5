// landcover.csv end to end: `geosweep simulate --seed 3 --size 320`, a land-cover GeoTIFF in
// EPSG:4326 written here (class 111 west of a meridian that cuts one alert, class 40 east of
// it), and a run. Every alert's hectares by class add up to its area_ha in alerts.csv, alerts
// wholly on one side of the meridian (their WGS84 boxes) are all of that side's class, the
// straddling one has both, values are hectares x value_per_ha; alerts.csv is the same as
// without the block, and the manifest lists landcover.csv and the raster. A band the raster
// lacks fails the run as it starts.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogr_spatialref.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tools/csv_rows.hpp"
#include "tools/run_geosweep.hpp"

namespace fs = std::filesystem;
namespace tt = geosweep::test_tools;
using tt::column;

namespace {

// The simulated scenes (EPSG:32720, 600000..603200 E, 8946800..8950000 N) lie within
// 62.0890..62.0597 W, 9.4976..9.5265 S: the class raster covers more, at 0.0001 degrees.
constexpr double kWest = -62.095, kNorth = -9.49, kStep = 0.0001;
constexpr int kSize = 400;
constexpr int kSplitColumn = 205;                           // class 111 west of it, 40 from it on
constexpr double kSplitLon = kWest + kSplitColumn * kStep;  // -62.0745

void write_landcover(fs::path const& file) {
  GDALAllRegister();
  auto* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  GDALDatasetUniquePtr ds(driver->Create(file.c_str(), kSize, kSize, 1, GDT_Byte, nullptr));
  ASSERT_TRUE(ds);
  double gt[6] = {kWest, kStep, 0, kNorth, 0, -kStep};
  ds->SetGeoTransform(gt);
  OGRSpatialReference srs;
  srs.importFromEPSG(4326);
  ds->SetSpatialRef(&srs);
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(kSize) * kSize);
  for (int r = 0; r < kSize; ++r)
    for (int c = 0; c < kSize; ++c)
      codes[static_cast<std::size_t>(r) * kSize + c] = c < kSplitColumn ? 111 : 40;
  ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, kSize, kSize, codes.data(), kSize, kSize,
                                           GDT_Byte, 0, 0),
            CE_None);
}

}  // namespace

TEST(LandcoverRun, AlertsSplitByClassAddUpAndFallOnTheirSide) {
  auto const root =
      fs::temp_directory_path() / ("geosweep_landcover_run_" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto const sim = tt::run_geosweep(
      {"simulate", "--out", (root / "sim").string(), "--seed", "3", "--size", "320"});
  ASSERT_EQ(sim.code, 0) << sim.output;
  write_landcover(root / "sim" / "lc.tif");
  auto const job = tt::read_file(root / "sim" / "job.yaml");
  std::ofstream(root / "sim" / "plain.yaml") << job;
  std::string with = job;
  auto const out_at = with.find("  dir: out\n");
  ASSERT_NE(out_at, std::string::npos);
  with.replace(out_at, 11, "  dir: out-lc\n");
  std::ofstream(root / "sim" / "lc.yaml")
      << with
      << "landcover:\n  raster: lc.tif\n  classes: {111: dense evergreen forest, 40: cropland}\n"
         "  value_per_ha: {dense evergreen forest: 3000}\n";
  auto const plain = tt::run_geosweep({"run", (root / "sim" / "plain.yaml").string()});
  ASSERT_EQ(plain.code, 0) << plain.output;
  auto const run = tt::run_geosweep({"run", (root / "sim" / "lc.yaml").string()});
  ASSERT_EQ(run.code, 0) << run.output;
  auto const out = root / "sim" / "out-lc";
  EXPECT_NE(run.output.find((out / "landcover.csv").string()), std::string::npos) << run.output;
  // alerts.csv as without the block, byte for byte.
  EXPECT_EQ(tt::read_file(out / "alerts.csv"), tt::read_file(root / "sim" / "out" / "alerts.csv"));

  auto const alerts = tt::csv_rows(out / "alerts.csv");
  auto const table = tt::csv_rows(out / "landcover.csv");
  ASSERT_EQ(table.at(0), (std::vector<std::string>{"aoi", "alert_id", "class", "changed_ha",
                                                   "value", "class_area_ha"}));
  std::map<std::string, std::map<std::string, double>> by_alert;  // id -> class -> ha
  std::map<std::string, std::map<std::string, double>> aoi_changed;
  for (std::size_t i = 1; i < table.size(); ++i) {
    auto const& row = table[i];
    ASSERT_EQ(row.size(), 6u);
    double const ha = std::stod(row[3]);
    if (row[1].empty()) {
      aoi_changed[row[0]][row[2]] = ha;
      EXPECT_FALSE(row[5].empty());
    } else {
      by_alert[row[1]][row[2]] = ha;
      EXPECT_TRUE(row[5].empty());
    }
    // Forest at 3000 a hectare; the simulated AOIs have no value of their own.
    if (row[2] == "dense evergreen forest")
      EXPECT_EQ(row[4],
                (std::ostringstream() << std::fixed << std::setprecision(2) << ha * 3000).str());
    else
      EXPECT_EQ(row[4], "") << row[2];
  }
  std::size_t const id = column(alerts, "alert_id"), aoi = column(alerts, "aoi"),
                    area = column(alerts, "area_ha"), west = column(alerts, "bbox_west"),
                    east = column(alerts, "bbox_east");
  ASSERT_GE(alerts.size(), 4u);
  int western = 0, eastern = 0, straddling = 0;
  std::map<std::string, std::map<std::string, double>> summed;  // aoi -> class -> ha
  for (std::size_t i = 1; i < alerts.size(); ++i) {
    auto const& a = alerts[i];
    auto const& classes = by_alert[a[id]];
    double total = 0.0;
    for (auto const& [name, ha] : classes) {
      total += ha;
      summed[a[aoi]][name] += ha;
    }
    // Each class rounded to 4 decimals: within half a unit of the last digit each.
    EXPECT_NEAR(total, std::stod(a[area]), 0.00005 * static_cast<double>(classes.size()) + 1e-9)
        << a[id];
    if (std::stod(a[east]) < kSplitLon) {
      ++western;
      EXPECT_EQ(classes.size(), 1u) << a[id];
      EXPECT_TRUE(classes.count("dense evergreen forest")) << a[id];
    } else if (std::stod(a[west]) > kSplitLon) {
      ++eastern;
      EXPECT_EQ(classes.size(), 1u) << a[id];
      EXPECT_TRUE(classes.count("cropland")) << a[id];
    } else {
      ++straddling;
      EXPECT_EQ(classes.size(), 2u) << a[id];
      EXPECT_GT(classes.at("dense evergreen forest"), 0.0);
      EXPECT_GT(classes.at("cropland"), 0.0);
    }
  }
  // Seed 3's six alerts: two west, three east, one across the meridian.
  EXPECT_GE(western, 1);
  EXPECT_GE(eastern, 1);
  EXPECT_EQ(straddling, 1);
  // The AOI rows: the change by class is the sum of its alerts'.
  for (auto const& [name, classes] : summed)
    for (auto const& [c, ha] : classes)
      EXPECT_NEAR(aoi_changed[name][c], ha, 0.0001 * static_cast<double>(alerts.size())) << name;

  auto const manifest = tt::read_file(out / "manifest.json");
  EXPECT_NE(manifest.find("landcover.csv"), std::string::npos);
  EXPECT_NE(manifest.find("\"landcover\""), std::string::npos);
  EXPECT_NE(manifest.find("lc.tif"), std::string::npos);

  // A band the raster does not have fails the run as it starts, naming it; nothing written.
  std::string bad = with;
  bad.replace(bad.find("  dir: out-lc\n"), 14, "  dir: out-bad\n");
  std::ofstream(root / "sim" / "bad.yaml")
      << bad << "landcover: {raster: lc.tif, band: 2, classes: cgls-lc100}\n";
  auto const failed = tt::run_geosweep({"run", (root / "sim" / "bad.yaml").string()});
  EXPECT_NE(failed.code, 0);
  EXPECT_NE(failed.output.find("lc.tif: landcover.band 2 of a raster of 1 band(s)"),
            std::string::npos)
      << failed.output;
  EXPECT_FALSE(fs::exists(root / "sim" / "out-bad" / "alerts.csv"));
  fs::remove_all(root);
}

TEST(LandcoverRun, TheSimulatorsLandCoverPutsEveryAlertInForest) {
  // The simulator's landcover.tif (CGLS-LC100 codes on the scenes' grid) holds the cover
  // before the clearings, which are planted in forest only: every alert is all forest.
  auto const root =
      fs::temp_directory_path() / ("geosweep_landcover_sim_" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto const sim = tt::run_geosweep(
      {"simulate", "--out", (root / "sim").string(), "--seed", "3", "--size", "320"});
  ASSERT_EQ(sim.code, 0) << sim.output;
  auto job = tt::read_file(root / "sim" / "job.yaml");
  std::string const commented = "# landcover: {raster: landcover.tif, classes: cgls-lc100}\n";
  auto const at = job.find(commented);
  ASSERT_NE(at, std::string::npos) << job;
  job.replace(at, 2, "");
  std::ofstream(root / "sim" / "lc.yaml") << job;
  auto const run = tt::run_geosweep({"run", (root / "sim" / "lc.yaml").string()});
  ASSERT_EQ(run.code, 0) << run.output;
  auto const out = root / "sim" / "out";
  auto const alerts = tt::csv_rows(out / "alerts.csv");
  auto const table = tt::csv_rows(out / "landcover.csv");
  std::map<std::string, double> area_of;  // alert id -> area_ha
  std::map<std::string, double> aoi_total;
  std::size_t const id = column(alerts, "alert_id"), aoi = column(alerts, "aoi"),
                    area = column(alerts, "area_ha");
  ASSERT_GE(alerts.size(), 4u);
  for (std::size_t i = 1; i < alerts.size(); ++i) {
    area_of[alerts[i][id]] = std::stod(alerts[i][area]);
    aoi_total[alerts[i][aoi]] += std::stod(alerts[i][area]);
  }
  std::size_t alert_rows = 0;
  std::set<std::string> classes_inside;
  for (std::size_t i = 1; i < table.size(); ++i) {
    auto const& row = table[i];
    if (row[1].empty()) {
      classes_inside.insert(row[2]);
      if (row[2] == "closed forest evergreen broad leaf")
        EXPECT_NEAR(std::stod(row[3]), aoi_total[row[0]],
                    0.0001 * static_cast<double>(alerts.size()))
            << row[0];
      else
        EXPECT_EQ(row[3], "0.0000") << row[0] << " " << row[2];
      continue;
    }
    ++alert_rows;
    EXPECT_EQ(row[2], "closed forest evergreen broad leaf") << row[1];
    EXPECT_NEAR(std::stod(row[3]), area_of.at(row[1]), 0.00005) << row[1];
  }
  EXPECT_EQ(alert_rows, alerts.size() - 1);  // one class per alert
  // The AOIs hold pasture as well as forest.
  EXPECT_TRUE(classes_inside.count("herbaceous vegetation"));
  fs::remove_all(root);
}
