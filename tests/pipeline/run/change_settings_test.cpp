// Whole runs on tiny hand-planted scenes (tiny_scenes.hpp) whose every pixel is known:
// - the baseline method with every `change.*` setting away from its default, each pixel group
//   planted so that the default value of one setting would give another result, so the run
//   shows that each setting reaches the detector;
// - the bitemporal method, whose classes, dates, magnitudes and recall are worked out by hand
//   from the planted NDVIs (the latest clear look of each period).
// Expected dates are literal ISO dates; magnitudes come from the planted DNs in double.
#include <fmt/format.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "pipeline/run/tiny_scenes.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;
namespace tt = geosweep::test_tools;

namespace {

double const cloud = std::numeric_limits<double>::quiet_NaN();

// Columns [c0, c1], rows [r0, r1] of a 48 x 32 px scene; every group at least two pixels
// from every other.
struct box {
  int c0, r0, c1, r1;
  [[nodiscard]] bool holds(int c, int r) const { return c >= c0 && c <= c1 && r >= r0 && r <= r1; }
};

// Three baseline dates, four monitoring ones, ten days apart: 2024-06-24 is 20 days after
// 2024-06-04 and 2024-07-04 30 days after it.
std::vector<tt::tiny_date> const kDates{
    {"2023-06-05", true},  {"2023-06-20", true},  {"2023-07-05", true}, {"2024-06-04", false},
    {"2024-06-14", false}, {"2024-06-24", false}, {"2024-07-04", false}};

/// A group of pixels with one NDVI series (one value per date of kDates).
struct group {
  char const* what;
  box where;
  std::vector<double> series;
};

tt::tiny_scenes scenes_of(std::vector<group> const& groups, double background) {
  tt::tiny_scenes s;
  s.width = 48;
  s.height = 32;
  s.dates = kDates;
  s.ndvi = [groups, background](std::size_t d, int c, int r) {
    for (auto const& g : groups)
      if (g.where.holds(c, r)) return g.series.at(d);
    return background;
  };
  return s;
}

std::int64_t pixels(box const& b) {
  return static_cast<std::int64_t>(b.c1 - b.c0 + 1) * (b.r1 - b.r0 + 1);
}

struct tiny_run {
  gp::job_spec spec;
  gp::run_result result;
  tt::alert_rows alerts;
  gp::csv_table areas;
};

tiny_run run_tiny(fs::path const& dir, std::vector<group> const& groups,
                  std::string const& change_yaml) {
  tiny_run out;
  tt::write_tiny_job(dir, scenes_of(groups, 0.8), change_yaml);
  out.spec = gp::load_job_spec(dir / "job.yaml");
  out.result = gp::run_job(out.spec, gp::run_options{gk::backend::cpu});
  out.alerts.table = gp::read_csv(out.result.alerts_file.value());
  out.areas = gp::read_csv(out.result.csv_file.value());
  return out;
}

class TinyRun : public ::testing::Test {
 protected:
  void SetUp() override {
    auto const* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() / fmt::format("geosweep_tiny_{}_{}", info->name(), ::getpid());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

// ---- baseline, every setting away from its default

// drop 0.4 (default 0.25), forest_min 0.7 (0.6), k_sigma 1 (3), confirm 3 (2),
// window_days 20 (90), min_area_ha 0.2 (0.5). Forest background 0.8 stays 0.8.
std::string const kNonDefault =
    "change:\n  method: baseline\n  index: ndvi\n  drop: 0.4\n  forest_min: 0.7\n"
    "  k_sigma: 1\n  confirm: 3\n  window_days: 20\n  min_area_ha: 0.2\n  grow: 0.5\n"
    "  edge_buffer_m: 10\n";

// Each group: what it shows, where, and its NDVI on the 3 baseline then 4 monitoring dates.
group const kFallUnderDrop{"falls 0.3: anomalous at drop 0.25, not at 0.4",
                           {1, 1, 6, 5},
                           {0.8, 0.8, 0.8, 0.5, 0.5, 0.5, 0.5}};
group const kConfirmThree{"falls 0.5 on every look: confirmed by the 3rd (2024-06-24), not the 2nd",
                          {10, 1, 17, 4},
                          {0.8, 0.8, 0.8, 0.3, 0.3, 0.3, 0.3}};
group const kNotForest{"baseline 0.65: forest at forest_min 0.6, not at 0.7",
                       {21, 1, 37, 2},
                       {0.65, 0.65, 0.65, 0.1, 0.1, 0.1, 0.1}};
// Baseline 0.65, 0.95, 0.8: mean 0.8, sample sd 0.15 (numpy: np.std(x, ddof=1)); the fall of
// 0.42 is over drop 0.4 and over 1 sd, under 3 sd (0.45).
group const kSpread{"falls 0.42 from a spread of 0.15: anomalous at k_sigma 1, not at 3",
                    {40, 1, 45, 6},
                    {0.65, 0.95, 0.8, 0.38, 0.38, 0.38, 0.38}};
group const kWindow{
    "anomalies on 06-04 and 06-14, a cloud, then 07-04 (30 days on): a new "
    "candidate at window_days 20, confirmed at 90",
    {1, 10, 19, 11},
    {0.8, 0.8, 0.8, 0.3, 0.3, cloud, 0.3}};
group const kOnUnit{"20 px = 0.2 ha: kept at min_area_ha 0.2, dropped at 0.5",
                    {24, 10, 28, 13},
                    {0.8, 0.8, 0.8, 0.3, 0.3, 0.3, 0.3}};
group const kUnderUnit{"19 px: dropped", {1, 15, 19, 15}, {0.8, 0.8, 0.8, 0.3, 0.3, 0.3, 0.3}};

}  // namespace

TEST_F(TinyRun, EveryNonDefaultChangeSettingReachesTheDetector) {
  std::vector<group> const groups{kFallUnderDrop, kConfirmThree, kNotForest, kSpread,
                                  kWindow,        kOnUnit,       kUnderUnit};
  auto const run = run_tiny(dir_, groups, kNonDefault);
  // The job says what the test relies on.
  EXPECT_EQ(run.spec.change.method, gp::change_method::baseline);
  EXPECT_EQ(run.spec.change.drop, 0.4);
  EXPECT_EQ(run.spec.change.forest_min, 0.7);
  EXPECT_EQ(run.spec.change.k_sigma, 1.0);
  EXPECT_EQ(run.spec.change.confirm, 3);
  EXPECT_EQ(run.spec.change.window_days, 20);
  EXPECT_EQ(run.spec.change.min_area_ha, 0.2);

  // Four alerts: those of kConfirmThree, kSpread, kWindow and kOnUnit.
  auto const& a = run.alerts;
  ASSERT_EQ(a.table.rows.size(), 4u);
  for (auto const& g : {kFallUnderDrop, kNotForest, kUnderUnit})
    EXPECT_EQ(a.with_pixels(pixels(g.where)), -1) << g.what;

  struct expected {
    group const& g;
    char const* first_seen;
    char const* confirmed_on;
    char const* confidence;
    char const* area_ha;
    double magnitude;  // from the planted DNs
  };
  double const forest = tt::planted_ndvi(0.8);
  double const spread_mean =
      (tt::planted_ndvi(0.65) + tt::planted_ndvi(0.95) + tt::planted_ndvi(0.8)) / 3.0;
  for (auto const& e : {
           expected{kConfirmThree, "2024-06-04", "2024-06-24", "high", "0.3200",
                    forest - tt::planted_ndvi(0.3)},
           expected{kSpread, "2024-06-04", "2024-06-24", "high", "0.3600",
                    spread_mean - tt::planted_ndvi(0.38)},
           expected{kWindow, "2024-07-04", "", "low", "0.3800", forest - tt::planted_ndvi(0.3)},
           expected{kOnUnit, "2024-06-04", "2024-06-24", "high", "0.2000",
                    forest - tt::planted_ndvi(0.3)},
       }) {
    SCOPED_TRACE(e.g.what);
    int const row = a.with_pixels(pixels(e.g.where));
    ASSERT_GE(row, 0) << "no alert";
    auto const r = static_cast<std::size_t>(row);
    EXPECT_EQ(a.at(r, "first_seen"), e.first_seen);
    EXPECT_EQ(a.at(r, "confirmed_on"), e.confirmed_on);
    EXPECT_EQ(a.at(r, "confidence"), e.confidence);
    EXPECT_EQ(a.at(r, "area_ha"), e.area_ha);
    EXPECT_NEAR(std::stod(a.at(r, "mean_magnitude")), e.magnitude, 1e-4);
  }

  // areas.csv, last date: 0.38 ha low (kWindow), 0.88 ha high; on 2024-06-24 kWindow's 38 px
  // are cloudy, so (1536 - 38) px are clear: 14.98 ha.
  auto const& areas = run.areas;
  ASSERT_EQ(areas.rows.size(), kDates.size());
  ASSERT_EQ(areas.header[4], "clear_area_ha");
  ASSERT_EQ(areas.header[8], "low_area_ha");
  ASSERT_EQ(areas.header[9], "high_area_ha");
  EXPECT_EQ(areas.rows[5][1], "2024-06-24");
  EXPECT_NEAR(std::stod(areas.rows[5][4]), 14.98, 1e-6);
  EXPECT_NEAR(std::stod(areas.rows[4][4]), 15.36, 1e-6);
  EXPECT_EQ(areas.rows.back()[1], "2024-07-04");
  EXPECT_NEAR(std::stod(areas.rows.back()[8]), 0.38, 1e-6);
  EXPECT_NEAR(std::stod(areas.rows.back()[9]), 0.88, 1e-6);
}

TEST_F(TinyRun, TheSameScenesWithEveryDefaultWrittenOutGiveTheOtherResults) {
  // The contrast: with the defaults (written out), the groups above behave as their comments
  // say the default would make them. min_area_ha 0.2 is kept so that the small groups count.
  std::vector<group> const groups{kFallUnderDrop, kConfirmThree, kNotForest, kSpread,
                                  kWindow,        kOnUnit,       kUnderUnit};
  auto const run =
      run_tiny(dir_, groups,
               "change:\n  method: baseline\n  index: ndvi\n  drop: 0.25\n  forest_min: 0.6\n"
               "  k_sigma: 3\n  confirm: 2\n  window_days: 90\n  min_area_ha: 0.2\n"
               "  grow: 0.5\n  edge_buffer_m: 10\n");
  auto const& a = run.alerts;
  // kSpread is not flagged (0.42 < 3 sd); every other group is, confirmed by its 2nd look.
  EXPECT_EQ(a.with_pixels(pixels(kSpread.where)), -1);
  ASSERT_EQ(a.table.rows.size(), 5u);
  for (auto const& g : {kFallUnderDrop, kConfirmThree, kNotForest, kWindow, kOnUnit}) {
    SCOPED_TRACE(g.what);
    int const row = a.with_pixels(pixels(g.where));
    ASSERT_GE(row, 0);
    EXPECT_EQ(a.at(static_cast<std::size_t>(row), "first_seen"), "2024-06-04");
    EXPECT_EQ(a.at(static_cast<std::size_t>(row), "confirmed_on"), "2024-06-14");
    EXPECT_EQ(a.at(static_cast<std::size_t>(row), "confidence"), "high");
  }
}

// ---- bitemporal

group const kLost{"0.8 then 0.3: lost, dated 2024-07-04, magnitude 0.5",
                  {1, 1, 6, 5},
                  {0.8, 0.8, 0.8, 0.3, 0.3, 0.3, 0.3}};
group const kLastLookCloudy{"after is the 2024-06-24 look (0.35): the last one is cloudy",
                            {10, 1, 17, 4},
                            {0.8, 0.8, 0.8, 0.3, 0.3, 0.35, cloud}};
group const kLastBaselineCloudy{"before is the 2023-06-20 look (0.85), not the mean (0.875)",
                                {40, 1, 45, 6},
                                {0.9, 0.85, cloud, 0.5, 0.5, 0.5, 0.5}};
group const kLatestBaselineIsForest{
    "baseline 0.5, 0.5, 0.62: forest by its latest look (the mean 0.54 is not)",
    {1, 10, 11, 11},
    {0.5, 0.5, 0.62, 0.3, 0.3, 0.3, 0.3}};
group const kSmallFall{
    "0.8 then 0.6: fell 0.2 < drop", {21, 1, 37, 2}, {0.8, 0.8, 0.8, 0.6, 0.6, 0.6, 0.6}};
group const kNeverForest{
    "0.55 then 0.1: never forest", {1, 15, 19, 16}, {0.55, 0.55, 0.55, 0.1, 0.1, 0.1, 0.1}};
group const kRegrown{"bare on three looks, 0.8 on the last: no loss",
                     {24, 10, 28, 13},
                     {0.8, 0.8, 0.8, 0.3, 0.3, 0.3, 0.8}};

TEST_F(TinyRun, BitemporalDatesMagnitudesAndRecallByHand) {
  std::vector<group> const groups{
      kLost,        kLastLookCloudy, kLastBaselineCloudy, kLatestBaselineIsForest, kSmallFall,
      kNeverForest, kRegrown};
  auto const run =
      run_tiny(dir_, groups,
               "change:\n  method: bitemporal\n  index: ndvi\n  drop: 0.25\n  forest_min: 0.6\n"
               "  min_area_ha: 0.2\n  grow: 0.5\n  edge_buffer_m: 10\n");
  ASSERT_EQ(run.spec.change.method, gp::change_method::bitemporal);
  auto const& a = run.alerts;
  ASSERT_EQ(a.table.rows.size(), 4u);
  struct expected {
    group const& g;
    char const* date;
    int days;  // the date, days since 1970-01-01 (Python's date arithmetic)
    char const* area_ha;
    double magnitude;  // before - after, from the planted DNs
  };
  std::vector<expected> const lost{
      {kLost, "2024-07-04", 19908, "0.3000", tt::planted_ndvi(0.8) - tt::planted_ndvi(0.3)},
      {kLastLookCloudy, "2024-06-24", 19898, "0.3200",
       tt::planted_ndvi(0.8) - tt::planted_ndvi(0.35)},
      {kLastBaselineCloudy, "2024-07-04", 19908, "0.3600",
       tt::planted_ndvi(0.85) - tt::planted_ndvi(0.5)},
      {kLatestBaselineIsForest, "2024-07-04", 19908, "0.2200",
       tt::planted_ndvi(0.62) - tt::planted_ndvi(0.3)},
  };
  for (auto const& e : lost) {
    SCOPED_TRACE(e.g.what);
    int const row = a.with_pixels(pixels(e.g.where));
    ASSERT_GE(row, 0) << "no alert";
    auto const r = static_cast<std::size_t>(row);
    EXPECT_EQ(a.at(r, "first_seen"), e.date);
    EXPECT_EQ(a.at(r, "confirmed_on"), e.date);
    EXPECT_EQ(a.at(r, "confidence"), "high");
    EXPECT_EQ(a.at(r, "area_ha"), e.area_ha);
    EXPECT_NEAR(std::stod(a.at(r, "mean_magnitude")), e.magnitude, 1e-4);
  }

  // change.nc: recall and precision per pixel, and each lost pixel's magnitude.
  std::vector<std::uint8_t> beyond;
  auto const change = tt::read_planted<std::uint8_t>(run.result.hdf5_file.value(), "change",
                                                     GDT_Byte, 48, 32, false, &beyond);
  for (auto v : beyond) EXPECT_EQ(v, gk::change_outside_aoi);
  auto const magnitude = tt::read_planted<double>(run.result.hdf5_file.value(), "magnitude",
                                                  GDT_Float64, 48, 32, true);
  auto const first_date =
      tt::read_planted<std::int32_t>(run.result.hdf5_file.value(), "first_date", GDT_Int32, 48, 32);
  ASSERT_EQ(change.size(), 48u * 32u);
  ASSERT_EQ(magnitude.size(), change.size());
  ASSERT_EQ(first_date.size(), change.size());
  // One look after finds and confirms a change: confirmed_date would be first_date again, so
  // change.nc has no such layer (alerts.csv's confirmed_on is first_seen above).
  {
    std::string const name =
        "NETCDF:\"" + run.result.hdf5_file->string() + "\":/aoi/plot/confirmed_date";
    CPLPushErrorHandler(CPLQuietErrorHandler);
    GDALDatasetUniquePtr confirmed(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER));
    CPLPopErrorHandler();
    EXPECT_FALSE(confirmed) << "a confirmed_date layer in a bitemporal change.nc";
  }
  std::int64_t wrong_date = 0;
  std::int64_t planted = 0, found = 0, false_alarms = 0, wrong_magnitude = 0;
  for (int r = 0; r < 32; ++r) {
    for (int c = 0; c < 48; ++c) {
      std::size_t const i = static_cast<std::size_t>(r) * 48 + c;
      double expected = std::nan("");
      int expected_days = gk::no_date;
      for (auto const& e : lost) {
        if (!e.g.where.holds(c, r)) continue;
        expected = e.magnitude;
        expected_days = e.days;
      }
      // A weaker fall keeps its date as evidence: dated, but not checked here.
      if (!kSmallFall.where.holds(c, r)) wrong_date += first_date[i] != expected_days ? 1 : 0;
      bool const flagged = change[i] == gk::change_high;
      if (std::isnan(expected)) {
        // The small fall (0.2, at least grow 0.5 x drop 0.25) is a weaker fall in no patch,
        // evidence only; everything else outside the lost groups is no change.
        auto const want = kSmallFall.where.holds(c, r) ? gk::change_grown : gk::change_none;
        false_alarms += change[i] != want ? 1 : 0;
        continue;
      }
      ++planted;
      found += flagged ? 1 : 0;
      // Stored packed as int16 x 1e-4: within half a step.
      wrong_magnitude += std::abs(magnitude[i] - expected) <= 0.51e-4 ? 0 : 1;
    }
  }
  EXPECT_EQ(planted, 30 + 32 + 36 + 22);
  EXPECT_EQ(found, planted);  // recall 1
  EXPECT_EQ(false_alarms, 0);
  EXPECT_EQ(wrong_magnitude, 0);
  EXPECT_EQ(wrong_date, 0);
  EXPECT_EQ(run.result.aois.at(0).changed_pixels, planted);
}
