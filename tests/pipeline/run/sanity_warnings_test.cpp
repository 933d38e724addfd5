// Sanity warnings (docs/detector.md): a run warns, on stderr and in areas.csv's `warnings`
// column (and the report), when more than change.warn_flagged_share of an AOI's forest is
// flagged or when its latest clear baseline and monitoring looks are more than
// change.warn_season_days apart in the year; it still completes. Checked on literal dates, on
// planted scenes with exact pixel counts just inside and just outside each threshold, on the
// demo (silent) and on real CBERS-4 AWFI dates of the wet and the dry season in the Cerrado
// (RealData*, from $GEOSWEEP_SHARED_DATA). Every expected figure is hand arithmetic.
#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogr_spatialref.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "outputs/csv_reader.hpp"
#include "outputs/sanity_warnings.hpp"
#include "tools/run_geosweep.hpp"
#include "tools/shared_data.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;
namespace tt = geosweep::test_tools;

namespace {

gp::civil_date date(char const* iso) {
  return *gp::parse_iso_date(iso);
}

// ---------------------------------------------------------------- the season gap

TEST(SeasonGap, IsTheCircularDifferenceOfTheDaysOfYear) {
  // 20 Dec to 31 Dec is 11 days, then 10 into January.
  EXPECT_EQ(gp::season_gap_days(date("2023-12-20"), date("2024-01-10")), 21);
  // Around the year end the other way: the baseline's next anniversary is the nearest.
  EXPECT_EQ(gp::season_gap_days(date("2024-01-10"), date("2024-12-20")), 21);
  // CBERS-4 dates of 2018: 2 Feb is day 33, 18 Feb day 49, 28 Jul day 31+28+31+30+31+30+28 = 209.
  EXPECT_EQ(gp::season_gap_days(date("2018-02-02"), date("2018-07-28")), 176);
  EXPECT_EQ(gp::season_gap_days(date("2018-02-18"), date("2018-07-28")), 160);
  // Years apart, the same day of the year.
  EXPECT_EQ(gp::season_gap_days(date("2019-05-09"), date("2023-05-09")), 0);
  // 1 Jun to 31 Jul: 30 days to 1 Jul, 30 more; 1 Aug is one more.
  EXPECT_EQ(gp::season_gap_days(date("2023-06-01"), date("2024-07-31")), 60);
  EXPECT_EQ(gp::season_gap_days(date("2023-06-01"), date("2024-08-01")), 61);
  // Half a year: 1 Jan to 2 Jul 2023 is 181 + 1 = 182 days; 2 Jul to 1 Jan 2024 is 183.
  EXPECT_EQ(gp::season_gap_days(date("2023-01-01"), date("2023-07-02")), 182);
  // 29 February counts as the 28th in a common year.
  EXPECT_EQ(gp::season_gap_days(date("2024-02-29"), date("2025-03-01")), 1);
  EXPECT_EQ(gp::season_gap_days(date("2024-02-29"), date("2025-02-28")), 0);
}

// ---------------------------------------------------------------- the checks

gp::sanity_inputs inputs(double forest_m2, double flagged_m2, char const* before = "2023-06-01",
                         char const* after = "2024-06-01") {
  gp::sanity_inputs in;
  in.aoi = "plot";
  in.forest_m2 = forest_m2;
  in.flagged_m2 = flagged_m2;
  in.baseline_look = date(before);
  in.monitor_look = date(after);
  return in;
}

TEST(SanityChecks, FlaggedShareWarnsAboveTheThresholdOnly) {
  gp::change_spec const change;  // defaults: 0.20 and 60 days
  // 240 of 1200 forest pixels of 100 m2: exactly 20 %, not more.
  EXPECT_TRUE(gp::sanity_warnings(change, inputs(120000, 24000)).empty());
  // 241 of 1200: 20.08 %.
  auto const w = gp::sanity_warnings(change, inputs(120000, 24100));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].code, "flagged_share=0.201");
  EXPECT_NE(w[0].message.find("AOI 'plot': 20.1 % of its forest (2.41 of 12.00 ha) is flagged"),
            std::string::npos)
      << w[0].message;
  EXPECT_NE(w[0].message.find("season, haze or radiometry"), std::string::npos) << w[0].message;
  EXPECT_NE(w[0].message.find("check the looks' dates and the cloud mask"), std::string::npos);
  // No forest: no share to speak of.
  EXPECT_TRUE(gp::sanity_warnings(change, inputs(0, 0)).empty());
  gp::change_spec off = change;
  off.warn_flagged_share.reset();
  EXPECT_TRUE(gp::sanity_warnings(off, inputs(120000, 120000)).empty());
}

TEST(SanityChecks, SeasonGapWarnsAboveTheThresholdOnly) {
  gp::change_spec const change;
  EXPECT_TRUE(gp::sanity_warnings(change, inputs(120000, 0, "2023-06-01", "2024-07-31")).empty());
  auto const w = gp::sanity_warnings(change, inputs(120000, 0, "2023-06-01", "2024-08-01"));
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0].code, "season_gap_days=61");
  // 1 Jun 2023 is day 152; 1 Aug 2024 (a leap year) day 214.
  EXPECT_NE(w[0].message.find("AOI 'plot': the latest clear baseline look (2023-06-01, day 152 "
                              "of the year) and monitoring look (2024-08-01, day 214) are 61 "
                              "days apart"),
            std::string::npos)
      << w[0].message;
  gp::change_spec off = change;
  off.warn_season_days.reset();
  EXPECT_TRUE(gp::sanity_warnings(off, inputs(120000, 0, "2023-01-01", "2023-07-02")).empty());
  // Both at once, the share first; the codes joined as areas.csv holds them.
  auto const both = gp::sanity_warnings(change, inputs(100, 88, "2018-02-18", "2018-07-28"));
  EXPECT_EQ(gp::warning_codes(both), "flagged_share=0.880;season_gap_days=160");
  EXPECT_EQ(gp::split_warning_codes("flagged_share=0.880;season_gap_days=160"),
            (std::vector<std::string>{"flagged_share=0.880", "season_gap_days=160"}));
  EXPECT_TRUE(gp::split_warning_codes("").empty());
  EXPECT_EQ(gp::describe_warning("season_gap_days=160"),
            "Latest looks 160 days apart in the season: seasonal change may show as loss. "
            "Compare looks of the same season.");
  EXPECT_EQ(gp::describe_warning("flagged_share=0.880"),
            "88.0 % of the forest flagged: likely season, haze or radiometry, not clearing. "
            "Check the looks' dates and the cloud mask.");
  EXPECT_EQ(gp::describe_warning("something_new=1"), "something_new=1");
}

// ---------------------------------------------------------------- the settings

class SanitySettings : public tt::temp_dir_test {
 protected:
  std::string job_text(std::string const& change) {
    return "job: t\nsensor: sentinel2-l2a\nscenes: {dir: scenes}\n"
           "aois: [{name: a, bbox: [-51.1, -9.2, -50.9, -8.9]}]\n"
           "period: {baseline: [2019-01-01, 2019-12-31], monitor: [2020-01-01, 2020-12-31]}\n"
           "change:\n" +
           change;
  }
  gp::job_spec parse(std::string const& change) {
    return gp::parse_job_spec(job_text(change), dir_ / "job.yaml", false);
  }
  std::string error_of(std::string const& change) {
    try {
      parse(change);
    } catch (geosweep::config_error const& e) {
      return e.what();
    }
    return "";
  }
};

TEST_F(SanitySettings, DefaultsOffAndThresholds) {
  auto const defaults = parse("  drop: 0.25\n");
  EXPECT_EQ(defaults.change.warn_flagged_share, 0.20);
  EXPECT_EQ(defaults.change.warn_season_days, 60);
  auto const off = parse("  warn_flagged_share: off\n  warn_season_days: off\n");
  EXPECT_FALSE(off.change.warn_flagged_share);
  EXPECT_FALSE(off.change.warn_season_days);
  auto const set = parse("  warn_flagged_share: 1\n  warn_season_days: 182\n");
  EXPECT_EQ(set.change.warn_flagged_share, 1.0);
  EXPECT_EQ(set.change.warn_season_days, 182);
  EXPECT_EQ(parse("  warn_flagged_share: 0.05\n  warn_season_days: 1\n").change.warn_season_days,
            1);
}

TEST_F(SanitySettings, OutOfRangeIsALocatedError) {
  std::string const file = (dir_ / "job.yaml").string();
  // change: starts on line 6; its first key is line 7, the value at column 23 or 21.
  EXPECT_EQ(error_of("  warn_flagged_share: 0\n"),
            file +
                ":7:23: change.warn_flagged_share: expected a share of the forest area in "
                "(0, 1], or off, found '0'");
  EXPECT_EQ(error_of("  warn_flagged_share: 1.5\n"),
            file +
                ":7:23: change.warn_flagged_share: expected a share of the forest area in "
                "(0, 1], or off, found '1.5'");
  EXPECT_NE(error_of("  warn_flagged_share: [0.2]\n").find(":7:23: change.warn_flagged_share"),
            std::string::npos);
  EXPECT_EQ(error_of("  warn_season_days: 183\n"),
            file +
                ":7:21: change.warn_season_days: expected whole days from 1 to 182, or off, "
                "found '183'");
  EXPECT_EQ(error_of("  warn_season_days: 0\n"),
            file +
                ":7:21: change.warn_season_days: expected whole days from 1 to 182, or off, "
                "found '0'");
  EXPECT_NE(error_of("  warn_season_days: 60.5\n").find(":7:21: change.warn_season_days"),
            std::string::npos);
  EXPECT_NE(error_of("  warn_seson_days: 60\n").find("did you mean 'warn_season_days'?"),
            std::string::npos);
}

// ---------------------------------------------------------------- planted scenes

constexpr int kSide = 40;  // 40 x 40 px of 10 m: 1600 px of 100 m2
// Baseline: rows 0-9 bare (NDVI (2000-1500)/(3500) = 0.143), rows 10-39 forest
// ((4000-300)/4300 = 0.860): 30 x 40 = 1200 forest pixels, 12 ha.
constexpr int kForestFromRow = 10;

/// A 2-band (red, nir) UInt16 GeoTIFF on EPSG:32720 at (600000, 8950000), forest below
/// kForestFromRow except where `cleared(row, column)`.
template <class Cleared>
void write_scene(fs::path const& path, Cleared cleared) {
  GDALAllRegister();
  auto* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  GDALDatasetUniquePtr ds(driver->Create(path.c_str(), kSide, kSide, 2, GDT_UInt16, nullptr));
  ASSERT_TRUE(ds);
  double gt[6] = {600000, 10, 0, 8950000, 0, -10};
  ds->SetGeoTransform(gt);
  OGRSpatialReference srs;
  srs.importFromEPSG(32720);
  ds->SetSpatialRef(&srs);
  std::vector<std::uint16_t> red(kSide * kSide), nir(kSide * kSide);
  for (int r = 0; r < kSide; ++r) {
    for (int c = 0; c < kSide; ++c) {
      bool const forest = r >= kForestFromRow && !cleared(r, c);
      red[static_cast<std::size_t>(r * kSide + c)] = forest ? 300 : 1500;
      nir[static_cast<std::size_t>(r * kSide + c)] = forest ? 4000 : 2000;
    }
  }
  ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, kSide, kSide, red.data(), kSide, kSide,
                                           GDT_UInt16, 0, 0),
            CE_None);
  ASSERT_EQ(ds->GetRasterBand(2)->RasterIO(GF_Write, 0, 0, kSide, kSide, nir.data(), kSide, kSide,
                                           GDT_UInt16, 0, 0),
            CE_None);
}

/// Rows 20-31, columns 10-29: 12 x 20 = 240 px, 2.4 ha, exactly 20 % of the forest; `extra`
/// pixels more below its corner (8-connected to it: one patch).
auto clearing(int extra) {
  return [extra](int r, int c) {
    if (r >= 20 && r <= 31 && c >= 10 && c <= 29) return true;
    return r == 32 && c >= 10 && c < 10 + extra;
  };
}

class PlantedScenes : public tt::temp_dir_test {
 protected:
  /// Writes before.tif (dated `before`), after.tif (`after`, cleared: clearing(extra)) and
  /// job.yaml, with `change` and `outputs` lines added to those sections.
  fs::path write_job(int extra, char const* before = "2023-06-01", char const* after = "2024-06-01",
                     std::string const& change = "", std::string const& outputs = "") {
    write_scene(dir_ / "before.tif", [](int, int) { return false; });
    write_scene(dir_ / "after.tif", clearing(extra));
    // The AOI is the scenes' footprint, in their CRS: every pixel centre inside.
    std::ofstream(dir_ / "plot.geojson")
        << R"({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": )"
           R"("urn:ogc:def:crs:EPSG::32720"}}, "features": [{"type": "Feature", "properties": {},)"
           R"( "geometry": {"type": "Polygon", "coordinates": [[[600000, 8949600], [600400, )"
           R"(8949600], [600400, 8950000], [600000, 8950000], [600000, 8949600]]]}}]})";
    auto const job = dir_ / "job.yaml";
    std::ofstream(job) << "job: planted\n"
                          "sensor: {type: generic, bands: {red: 1, nir: 2}, scale: 0.0001, "
                          "nodata: 0}\n"
                          "scenes:\n  list:\n    - {path: before.tif, date: "
                       << before << "}\n    - {path: after.tif, date: " << after
                       << "}\n"
                          "aois: [{name: plot, geometry: plot.geojson}]\n"
                          "period: {baseline: [2023-01-01, 2023-12-31], monitor: [2024-01-01, "
                          "2024-12-31]}\n"
                          "change:\n  method: bitemporal\n"
                       << change << "outputs:\n  cog: false\n  alert_polygons: []\n"
                       << outputs;
    return job;
  }

  /// Runs the job in this process, with spdlog's messages kept in `log_`.
  gp::run_result run(fs::path const& job) {
    auto const logger = std::make_shared<spdlog::logger>(
        "captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(log_));
    auto const previous = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::warn);
    auto result = gp::run_job(gp::load_job_spec(job), gp::run_options{gk::backend::cpu});
    spdlog::set_default_logger(previous);
    return result;
  }

  /// The `warnings` field of each row of areas.csv, by AOI and date.
  std::vector<std::string> warnings_column() {
    auto const table = gp::read_csv(dir_ / "out" / "areas.csv");
    EXPECT_EQ(table.header.back(), "warnings");
    std::vector<std::string> out;
    for (auto const& row : table.rows) out.push_back(row.back());
    return out;
  }

  std::ostringstream log_;
};

TEST_F(PlantedScenes, ExactlyTwentyPercentOfTheForestFlaggedIsSilent) {
  auto const result = run(write_job(0));
  ASSERT_EQ(result.aois.size(), 1u);
  auto const& plot = result.aois[0];
  EXPECT_DOUBLE_EQ(plot.forest_area_ha, 12.0);  // 1200 px of 100 m2
  EXPECT_DOUBLE_EQ(plot.changed_area_ha, 2.4);  // 240 px
  EXPECT_TRUE(plot.warnings.empty());
  EXPECT_EQ(warnings_column(), (std::vector<std::string>{"", ""}));
  EXPECT_EQ(log_.str().find("flagged"), std::string::npos) << log_.str();
}

TEST_F(PlantedScenes, OnePixelMoreThanTwentyPercentWarns) {
  auto const result = run(write_job(1));
  auto const& plot = result.aois[0];
  EXPECT_DOUBLE_EQ(plot.forest_area_ha, 12.0);
  EXPECT_DOUBLE_EQ(plot.changed_area_ha, 2.41);  // 241 px: 20.08 %
  EXPECT_EQ(plot.warnings, (std::vector<std::string>{"flagged_share=0.201"}));
  // On each of the AOI's rows (both dates) of areas.csv, and on stderr.
  EXPECT_EQ(warnings_column(),
            (std::vector<std::string>{"flagged_share=0.201", "flagged_share=0.201"}));
  EXPECT_NE(log_.str().find("AOI 'plot': 20.1 % of its forest (2.41 of 12.00 ha) is flagged as "
                            "change, more than change.warn_flagged_share (20 %)"),
            std::string::npos)
      << log_.str();
  // The run completed: every table is there.
  EXPECT_TRUE(result.csv_file && fs::exists(*result.csv_file));
  EXPECT_TRUE(result.alerts_file && fs::exists(*result.alerts_file));
  EXPECT_TRUE(result.hdf5_file && fs::exists(*result.hdf5_file));
}

TEST_F(PlantedScenes, AThresholdOfTheJobOrOffIsHonoured) {
  auto result = run(write_job(1, "2023-06-01", "2024-06-01", "  warn_flagged_share: 0.25\n"));
  EXPECT_TRUE(result.aois[0].warnings.empty());
  result = run(write_job(1, "2023-06-01", "2024-06-01", "  warn_flagged_share: off\n"));
  EXPECT_TRUE(result.aois[0].warnings.empty());
  // A stricter share: 2.4 / 12 = 0.2 > 0.01.
  result = run(write_job(0, "2023-06-01", "2024-06-01", "  warn_flagged_share: 0.01\n"));
  EXPECT_DOUBLE_EQ(result.aois[0].changed_area_ha, 2.4);
  EXPECT_EQ(result.aois[0].warnings, (std::vector<std::string>{"flagged_share=0.200"}));
}

TEST_F(PlantedScenes, LooksSixtyDaysApartInTheYearAreSilentSixtyOneWarn) {
  // The clearing of 240 px is exactly 20 %: silent, so only the season speaks.
  auto result = run(write_job(0, "2023-06-01", "2024-07-31"));
  EXPECT_TRUE(result.aois[0].warnings.empty());
  result = run(write_job(0, "2023-06-01", "2024-08-01"));
  EXPECT_EQ(result.aois[0].warnings, (std::vector<std::string>{"season_gap_days=61"}));
  EXPECT_EQ(warnings_column(),
            (std::vector<std::string>{"season_gap_days=61", "season_gap_days=61"}));
  EXPECT_NE(log_.str().find("AOI 'plot': the latest clear baseline look (2023-06-01"),
            std::string::npos)
      << log_.str();
  // Across the year end: 20 Dec to 10 Jan is 21 days.
  result = run(write_job(0, "2023-12-20", "2024-01-10"));
  EXPECT_TRUE(result.aois[0].warnings.empty());
  result = run(write_job(0, "2023-08-01", "2024-06-01", "  warn_season_days: off\n"));
  EXPECT_TRUE(result.aois[0].warnings.empty());
}

TEST_F(PlantedScenes, TheCommandWarnsOnStderrCompletesAndTheReportShowsIt) {
  auto const job = write_job(1, "2023-06-01", "2024-08-01", "", "  report: true\n");
  auto const e = tt::run_geosweep({"--backend", "cpu", "run", job.string()});
  ASSERT_EQ(e.code, 0) << e.output;
  EXPECT_NE(e.output.find("AOI 'plot': 20.1 % of its forest"), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("are 61 days apart in the season"), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("warnings: flagged_share=0.201;season_gap_days=61"), std::string::npos)
      << e.output;
  auto const pdf = dir_ / "out" / "report" / "plot.pdf";
  ASSERT_TRUE(fs::exists(pdf)) << e.output;
  if (tt::run_program({"/bin/sh", "-c", "command -v pdftotext"}).code != 0)
    GTEST_SKIP() << "pdftotext (poppler-utils) not installed";
  // The first map page (page 2, after the cover): the warning box.
  auto const text =
      tt::run_program({"/usr/bin/pdftotext", "-f", "2", "-l", "2", pdf.string(), "-"});
  ASSERT_EQ(text.code, 0) << text.output;
  EXPECT_NE(text.output.find("Warnings"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("20.1 % of the forest flagged"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("61 days apart"), std::string::npos) << text.output;
  // `geosweep monitor` writes the same areas.csv, warnings included.
  fs::remove_all(dir_ / "out");
  auto const m = tt::run_geosweep({"--backend", "cpu", "monitor", job.string()});
  ASSERT_EQ(m.code, 0) << m.output;
  EXPECT_EQ(warnings_column(),
            (std::vector<std::string>{"flagged_share=0.201;season_gap_days=61",
                                      "flagged_share=0.201;season_gap_days=61"}));
}

// ---------------------------------------------------------------- the demo

TEST(Demo, IsSilent) {
  // scripts/demo: `geosweep simulate` with its defaults (seed 42) and the job it writes.
  fs::path const dir = fs::temp_directory_path() / ("geosweep_demo_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto const sim = tt::run_geosweep({"simulate", "--out", dir.string(), "--seed", "42"});
  ASSERT_EQ(sim.code, 0) << sim.output;
  auto const e = tt::run_geosweep({"--backend", "cpu", "run", (dir / "job.yaml").string()});
  ASSERT_EQ(e.code, 0) << e.output;
  EXPECT_EQ(e.output.find("warn"), std::string::npos) << e.output;
  auto const table = gp::read_csv(dir / "out" / "areas.csv");
  ASSERT_EQ(table.header.back(), "warnings");
  ASSERT_EQ(table.rows.size(), 2u * 7u);  // two AOIs, seven dates
  for (auto const& row : table.rows) EXPECT_EQ(row.back(), "") << row[0] << " " << row[1];
  fs::remove_all(dir);
}

// ---------------------------------------------------------------- CBERS-4 AWFI, Bahia, 2018

/// The CBERS-4 AWFI cube of $GEOSWEEP_SHARED_DATA as one VRT a date under `dir`: blue, green,
/// red, NIR and the cloud mask, as UInt16 (the files are Int16; their reflectances, x 10000,
/// are all positive), named with the date so the catalog dates them.
void cbers_scenes(fs::path const& dir, std::vector<std::string> const& dates) {
  GDALAllRegister();
  fs::path const data = tt::shared_data() / "cbers4-awfi-bahia-2018";
  fs::create_directories(dir);
  for (auto const& d : dates) {
    std::vector<std::string> files;
    for (char const* band : {"B13", "B14", "B15", "B16", "CMASK"})
      files.push_back(
          (data / ("CBERS-4_AWFI_022024_" + std::string(band) + "_" + d + ".tif")).string());
    std::vector<char const*> sources;
    for (auto const& f : files) sources.push_back(f.c_str());
    char const* separate[] = {"-separate", nullptr};
    auto* options = GDALBuildVRTOptionsNew(const_cast<char**>(separate), nullptr);
    fs::create_directories(dir.parent_path() / "stacks");  // not among the scenes
    auto const stacked = (dir.parent_path() / "stacks" / (d + ".vrt")).string();
    int failed = 0;
    GDALDatasetH vrt = GDALBuildVRT(stacked.c_str(), static_cast<int>(sources.size()), nullptr,
                                    sources.data(), options, &failed);
    GDALBuildVRTOptionsFree(options);
    ASSERT_TRUE(vrt != nullptr && failed == 0) << stacked;
    std::string compact = d;
    compact.erase(std::remove(compact.begin(), compact.end(), '-'), compact.end());
    auto const scene = (dir / ("CBERS4_AWFI_022024_" + compact + ".vrt")).string();
    char const* as_uint16[] = {"-of", "VRT", "-ot", "UInt16", "-a_nodata", "none", nullptr};
    auto* translate = GDALTranslateOptionsNew(const_cast<char**>(as_uint16), nullptr);
    GDALDatasetH out = GDALTranslate(scene.c_str(), vrt, translate, &failed);
    GDALTranslateOptionsFree(translate);
    ASSERT_TRUE(out != nullptr && failed == 0) << scene;
    GDALClose(out);
    GDALClose(vrt);
  }
}

/// A bitemporal job over most of the 50 x 50 px cube (about 46.52 W, 13.91 S; the AOI keeps
/// inside its corners).
fs::path cbers_job(fs::path const& dir, char const* baseline, char const* monitor) {
  auto const job = dir / "job.yaml";
  std::ofstream(job) << "job: cbers4-bahia\n"
                        "sensor:\n  type: generic\n  bands: {blue: 1, green: 2, red: 3, nir: 4}\n"
                        "  scale: 0.0001\n  nodata: 0\n  mask: {band: 5, clear_values: [0]}\n"
                        "scenes: {dir: scenes}\n"
                        "aois: [{name: cerrado, bbox: [-46.533, -13.923, -46.507, -13.899]}]\n"
                        "period: {baseline: "
                     << baseline << ", monitor: " << monitor
                     << "}\n"
                        "change: {method: bitemporal}\n"
                        "grid: {resolution: 64}\n"  // the pixels are 63.997 x 64.002 m
                        "outputs: {dir: out, cog: false, alert_polygons: []}\n";
  return job;
}

class RealDataCbers4 : public tt::temp_dir_test {};

TEST_F(RealDataCbers4, WetSeasonAgainstDrySeasonWarns) {
  // 2 February (wet season, NDVI about 0.83) against 28 July (dry season, about 0.38): the
  // seasonal fall of the Cerrado, flagged as loss nearly everywhere.
  cbers_scenes(dir_ / "scenes", {"2018-02-02", "2018-07-28"});
  auto const job = cbers_job(dir_, "[2018-02-01, 2018-02-10]", "[2018-07-20, 2018-07-31]");
  auto const e = tt::run_geosweep({"--backend", "cpu", "run", job.string()});
  ASSERT_EQ(e.code, 0) << e.output;
  auto const table = gp::read_csv(dir_ / "out" / "areas.csv");
  ASSERT_EQ(table.rows.size(), 2u);
  auto const codes = gp::split_warning_codes(table.rows[0].back());
  EXPECT_EQ(table.rows[1].back(), table.rows[0].back());
  ASSERT_EQ(codes.size(), 2u) << table.rows[0].back();
  // Day 33 against day 209.
  EXPECT_EQ(codes[1], "season_gap_days=176");
  ASSERT_EQ(codes[0].rfind("flagged_share=", 0), 0u) << codes[0];
  double const share = std::stod(codes[0].substr(14));
  EXPECT_GT(share, 0.5) << codes[0];
  EXPECT_LE(share, 1.0) << codes[0];
  EXPECT_NE(e.output.find("AOI 'cerrado': "), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("season, haze or radiometry"), std::string::npos) << e.output;
  EXPECT_NE(e.output.find("(2018-02-02, day 33 of the year) and monitoring look (2018-07-28, day "
                          "209) are 176 days apart"),
            std::string::npos)
      << e.output;
  std::cout << "CBERS-4 wet against dry: " << table.rows[0].back() << "\n";
}

TEST_F(RealDataCbers4, TwoLooksOfTheWetSeasonAreSilent) {
  // 2 February (day 33) and 22 March (day 81): 48 days apart, both green.
  cbers_scenes(dir_ / "scenes", {"2018-02-02", "2018-03-22"});
  auto const job = cbers_job(dir_, "[2018-02-01, 2018-02-10]", "[2018-03-20, 2018-03-31]");
  auto const e = tt::run_geosweep({"--backend", "cpu", "run", job.string()});
  ASSERT_EQ(e.code, 0) << e.output;
  auto const table = gp::read_csv(dir_ / "out" / "areas.csv");
  for (auto const& row : table.rows) EXPECT_EQ(row.back(), "") << row[1];
  EXPECT_EQ(e.output.find("warn"), std::string::npos) << e.output;
}

}  // namespace

int main(int argc, char** argv) {
  return tt::run_tests_with_shared_data(argc, argv);
}
