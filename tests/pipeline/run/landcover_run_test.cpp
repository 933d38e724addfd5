// landcover.csv end to end: `geosweep simulate --seed 3 --size 320`, a land-cover GeoTIFF in
// EPSG:4326 written here (class 111 west of a meridian that cuts one alert, class 40 east of
// it), and a run. Every alert's hectares by class add up to its area_ha in alerts.csv, alerts
// wholly on one side of the meridian (their WGS84 boxes) are all of that side's class, the
// straddling one has both, values are hectares x value_per_ha; alerts.csv is the same as
// without the block but for the alerts' values (their forest's), areas.csv's changed_value
// ends at the sum of the AOI's, and the manifest lists landcover.csv and the raster. A band the
// raster lacks fails the run as it starts.
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
#include "tools/shell_command.hpp"

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

/// `geosweep simulate --seed 3 --size 320` into `root`/sim; its job.yaml with the simulator's
/// commented-out landcover line replaced by `landcover` (a line of YAML, or "" to drop it).
std::string simulated_job(fs::path const& root, std::string const& landcover) {
  auto const sim = tt::run_geosweep(
      {"simulate", "--out", (root / "sim").string(), "--seed", "3", "--size", "320"});
  EXPECT_EQ(sim.code, 0) << sim.output;
  auto job = tt::read_file(root / "sim" / "job.yaml");
  std::string const commented = "# landcover: {raster: landcover.tif, classes: cgls-lc100}\n";
  auto const at = job.find(commented);
  EXPECT_NE(at, std::string::npos) << job;
  if (at != std::string::npos) job.replace(at, commented.size(), landcover);
  return job;
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
  // alerts.csv as without the block but for estimated_value (by class now; the simulated AOIs
  // have no value_per_ha, so it was empty before).
  auto const alerts = tt::csv_rows(out / "alerts.csv");
  auto const before = tt::csv_rows(root / "sim" / "out" / "alerts.csv");
  std::size_t const value = column(alerts, "estimated_value");
  ASSERT_EQ(alerts.size(), before.size());
  for (std::size_t i = 0; i < alerts.size(); ++i) {
    ASSERT_EQ(alerts[i].size(), before[i].size());
    for (std::size_t c = 0; c < alerts[i].size(); ++c)
      if (c != value || i == 0) {
        EXPECT_EQ(alerts[i][c], before[i][c]) << i << " " << c;
      }
    if (i > 0) {
      EXPECT_EQ(before[i][value], "");
    }
  }

  auto const table = tt::csv_rows(out / "landcover.csv");
  ASSERT_EQ(table.at(0), (std::vector<std::string>{"aoi", "alert_id", "class", "changed_ha",
                                                   "value", "class_area_ha", "network"}));
  std::map<std::string, std::map<std::string, double>> by_alert;  // id -> class -> ha
  std::map<std::string, std::map<std::string, double>> aoi_changed;
  for (std::size_t i = 1; i < table.size(); ++i) {
    auto const& row = table[i];
    ASSERT_EQ(row.size(), 7u);
    EXPECT_EQ(row[6], "");  // no AOI names a network: no network, no network rows
    ASSERT_FALSE(row[0].empty()) << i;
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
  std::map<std::string, double> aoi_value;                      // aoi -> its alerts' values
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
    // The alert is worth its forest at 3000 a hectare (cropland has no value): within 3000 x
    // half a unit of area_ha's and the class's last digits.
    if (std::stod(a[east]) < kSplitLon) {
      ++western;
      EXPECT_EQ(classes.size(), 1u) << a[id];
      EXPECT_TRUE(classes.count("dense evergreen forest")) << a[id];
      ASSERT_FALSE(a[value].empty()) << a[id];
      EXPECT_NEAR(std::stod(a[value]), std::stod(a[area]) * 3000, 0.16) << a[id];
    } else if (std::stod(a[west]) > kSplitLon) {
      ++eastern;
      EXPECT_EQ(classes.size(), 1u) << a[id];
      EXPECT_TRUE(classes.count("cropland")) << a[id];
      EXPECT_EQ(a[value], "") << a[id];
    } else {
      ++straddling;
      EXPECT_EQ(classes.size(), 2u) << a[id];
      EXPECT_GT(classes.at("dense evergreen forest"), 0.0);
      EXPECT_GT(classes.at("cropland"), 0.0);
      ASSERT_FALSE(a[value].empty()) << a[id];
      EXPECT_NEAR(std::stod(a[value]), classes.at("dense evergreen forest") * 3000, 0.16);
      EXPECT_LT(std::stod(a[value]), std::stod(a[area]) * 3000 - 1.0) << a[id];
    }
    if (!a[value].empty()) aoi_value[a[aoi]] += std::stod(a[value]);
  }
  // Seed 3's six alerts: two west, three east, one across the meridian.
  EXPECT_GE(western, 1);
  EXPECT_GE(eastern, 1);
  EXPECT_EQ(straddling, 1);
  // The AOI rows: the change by class is the sum of its alerts'.
  for (auto const& [name, classes] : summed)
    for (auto const& [c, ha] : classes)
      EXPECT_NEAR(aoi_changed[name][c], ha, 0.0001 * static_cast<double>(alerts.size())) << name;
  // areas.csv: each AOI's changed_value grows with its change, and on its last date is the sum
  // of its alerts' values (each rounded to the cent); empty while an AOI has no valued change.
  auto const areas = tt::csv_rows(out / "areas.csv");
  std::size_t const area_aoi = column(areas, "aoi"), changed_value = column(areas, "changed_value");
  std::map<std::string, double> last;
  for (std::size_t i = 1; i < areas.size(); ++i) {
    auto const& row = areas[i];
    if (row[changed_value].empty()) {
      EXPECT_FALSE(last.count(row[area_aoi])) << "row " << i;
      continue;
    }
    double const v = std::stod(row[changed_value]);
    if (last.count(row[area_aoi])) {
      EXPECT_GE(v, last[row[area_aoi]]) << "row " << i;
    }
    last[row[area_aoi]] = v;
  }
  EXPECT_FALSE(aoi_value.empty());
  for (auto const& [name, v] : aoi_value)
    EXPECT_NEAR(last[name], v, 0.005 * static_cast<double>(alerts.size()) + 1e-9) << name;

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
  auto const job = simulated_job(root, "landcover: {raster: landcover.tif, classes: cgls-lc100}\n");
  ASSERT_FALSE(HasFailure());
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

namespace {

/// "39960.00" as the English report writes it: "39,960.00".
std::string with_thousands(std::string const& fixed2) {
  auto const dot = fixed2.find('.');
  std::string const whole = fixed2.substr(0, dot);
  std::string out;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out += ',';
    out += whole[i];
  }
  return out + fixed2.substr(dot);
}

std::string two_decimals(double v) {
  return (std::ostringstream() << std::fixed << std::setprecision(2) << v).str();
}

/// The text of `pdf`'s first page, every run of white space one blank.
std::string page_one(fs::path const& pdf) {
  auto const r = tt::shell("pdftotext -f 1 -l 1 '" + pdf.string() + "' -");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  std::string flat;
  for (char c : r.out) {
    bool const space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
    if (space && (flat.empty() || flat.back() == ' ')) continue;
    flat += space ? ' ' : c;
  }
  return flat;
}

}  // namespace

TEST(LandcoverRun, TheReportsSayTheHectaresAndValueOfEachClass) {
  // "12.4 ha of dense evergreen forest, estimated USD 37,200": each AOI's cover and the page of
  // the network holding both say it from landcover.csv, and each alert is worth its class's.
  if (tt::shell("command -v pdftotext").exit_code != 0)
    GTEST_SKIP() << "pdftotext (poppler-utils) not installed";
  auto const root =
      fs::temp_directory_path() / ("geosweep_landcover_report_" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto job = simulated_job(root,
                           "landcover: {raster: landcover.tif, classes: cgls-lc100, value_per_ha: "
                           "{closed forest evergreen broad leaf: 3000}}\n");
  ASSERT_FALSE(HasFailure());
  for (std::string const aoi : {"reserve-north", "concession-7"}) {
    auto const line = job.find("  - name: " + aoi + "\n");
    ASSERT_NE(line, std::string::npos) << aoi;
    job.insert(line + 11 + aoi.size(), "    network: Case 7\n");
  }
  std::ofstream(root / "sim" / "case.yaml") << job;
  auto const run = tt::run_geosweep({"run", (root / "sim" / "case.yaml").string()});
  ASSERT_EQ(run.code, 0) << run.output;
  auto const report = tt::run_geosweep({"report", (root / "sim" / "case.yaml").string()});
  ASSERT_EQ(report.code, 0) << report.output;
  auto const out = root / "sim" / "out";

  // Every alert is forest (the simulator clears forest only): worth 3000 a hectare.
  auto const alerts = tt::csv_rows(out / "alerts.csv");
  std::size_t const area = column(alerts, "area_ha"), value = column(alerts, "estimated_value");
  ASSERT_GE(alerts.size(), 3u);
  double total_value = 0.0;
  for (std::size_t i = 1; i < alerts.size(); ++i) {
    ASSERT_FALSE(alerts[i][value].empty()) << i;
    EXPECT_NEAR(std::stod(alerts[i][value]), std::stod(alerts[i][area]) * 3000, 0.16) << i;
    total_value += std::stod(alerts[i][value]);
  }
  // networks.csv's value is its alerts'.
  auto const networks = tt::csv_rows(out / "networks.csv");
  ASSERT_GE(networks.size(), 2u);
  EXPECT_EQ(networks[1][column(networks, "cause")], "all");
  EXPECT_NEAR(std::stod(networks[1][column(networks, "changed_value")]), total_value,
              0.01 * static_cast<double>(alerts.size()));

  // The covers: each class the AOI's change covers, its hectares and value as landcover.csv.
  auto const table = tt::csv_rows(out / "landcover.csv");
  std::map<std::string, std::pair<double, double>> network;  // class -> ha, value
  std::map<std::string, std::pair<double, double>> network_rows;
  int lines = 0;
  for (std::size_t i = 1; i < table.size(); ++i) {
    auto const& row = table[i];
    ASSERT_EQ(row.size(), 7u);
    EXPECT_EQ(row[6], "Case 7") << i;
    if (row[0].empty()) {  // the network's own rows, after the AOIs'
      EXPECT_EQ(row[1], "") << i;
      network_rows[row[2]] = {std::stod(row[3]), row[4].empty() ? 0.0 : std::stod(row[4])};
      continue;
    }
    EXPECT_TRUE(network_rows.empty()) << "an AOI row after the network's, line " << i + 1;
    if (!row[1].empty() || std::stod(row[3]) <= 0.0) continue;
    auto const text = page_one(out / "report" / (row[0] + ".pdf"));
    EXPECT_NE(text.find("Land cover of the change"), std::string::npos) << text;
    std::string const expected = two_decimals(std::stod(row[3])) + " ha of " + row[2] +
                                 ", estimated " + with_thousands(row[4]);
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in: " << text;
    EXPECT_NE(text.find("(by land-cover class)"), std::string::npos) << text;
    network[row[2]].first += std::stod(row[3]);
    network[row[2]].second += std::stod(row[4]);
    ++lines;
  }
  EXPECT_EQ(lines, 2);  // forest in both AOIs
  // landcover.csv's network rows are the sums of its AOIs' (to their rounding).
  ASSERT_FALSE(network_rows.empty());
  for (auto const& [name, sums] : network) {
    ASSERT_TRUE(network_rows.count(name)) << name;
    EXPECT_NEAR(network_rows[name].first, sums.first, 0.0001) << name;
    EXPECT_NEAR(network_rows[name].second, sums.second, 0.01) << name;
  }
  // The network's page sums its AOIs' classes.
  auto const text = page_one(out / "report" / "network-case-7.pdf");
  for (auto const& [name, sums] : network) {
    std::string const expected = two_decimals(sums.first) + " ha of " + name + ", estimated " +
                                 with_thousands(two_decimals(sums.second));
    EXPECT_NE(text.find(expected), std::string::npos) << expected << " not in: " << text;
  }
  fs::remove_all(root);
}
