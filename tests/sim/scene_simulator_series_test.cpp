// Tests of the scene simulator's long-series mode (simulation_options::series, issue 18): the
// dates, the season of forest NDVI computed from the written B04 and B08 files, the cloudy
// season in SCL, each planted event's NDVI against undisturbed forest on the same dates,
// truth.geojson and job.yaml. One 96 x 96 px tile of 3 + 1 years (seed 11) for the suite.
// Expectations are worked out by hand from the documented model (docs/testing.md), never
// read back from the simulator's own functions.

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "geosweep/sim/scene_simulator.hpp"
#include "sim/scene_simulator_fixture.hpp"
#include "tools/shell_command.hpp"

namespace {

namespace fs = std::filesystem;
using namespace geosweep::sim;
using namespace geosweep::test_tools;
using std::chrono::day;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

constexpr double nan = std::numeric_limits<double>::quiet_NaN();

year_month_day ymd(int y, unsigned m, unsigned d) {
  return year_month_day{year{y}, std::chrono::month{m}, day{d}};
}
/// Days from a to b, by the standard library's calendar.
int days_between(year_month_day a, year_month_day b) {
  return static_cast<int>((sys_days(b) - sys_days(a)).count());
}

/// YYYY-MM-DD.
std::string iso(year_month_day d) {
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

bool is_clear(std::uint8_t scl) {
  return scl == 4 || scl == 5 || scl == 6;
}

double median(std::vector<double> v) {
  if (v.empty()) return nan;
  auto const mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

/// Least squares c + a cos(wt) + b sin(wt), w = 2 pi / 365.25: returns {c, sqrt(a^2 + b^2)}.
std::array<double, 2> fit_harmonic(std::vector<double> const& t, std::vector<double> const& y) {
  double m[3][4] = {};
  double const w = 2.0 * 3.14159265358979323846 / 365.25;
  for (std::size_t i = 0; i < t.size(); ++i) {
    double const x[3] = {1.0, std::cos(w * t[i]), std::sin(w * t[i])};
    for (int r = 0; r < 3; ++r) {
      for (int c = 0; c < 3; ++c) m[r][c] += x[r] * x[c];
      m[r][3] += x[r] * y[i];
    }
  }
  for (int p = 0; p < 3; ++p)  // Gauss-Jordan, the normal matrix is positive definite
    for (int r = 0; r < 3; ++r) {
      if (r == p) continue;
      double const f = m[r][p] / m[p][p];
      for (int c = 0; c < 4; ++c) m[r][c] -= f * m[p][c];
    }
  double const c0 = m[0][3] / m[0][0], a = m[1][3] / m[1][1], b = m[2][3] / m[2][2];
  return {c0, std::hypot(a, b)};
}

class SceneSimulatorSeries : public ::testing::Test {
 protected:
  static simulation_options options() {
    simulation_options o;
    o.seed = 11;
    o.width = o.height = 96;
    o.series = true;  // 3 + 1 years every 5 days, the defaults
    return o;
  }

  static void SetUpTestSuite() {
    GDALAllRegister();
    root_ = fs::temp_directory_path() / fmt::format("geosweep-series-test-{}", ::getpid());
    fs::remove_all(root_);
    result_ = std::make_unique<simulation_result>(simulate_scenes(root_ / "s", options()));
    auto const& r = *result_;
    n_ = r.grid.pixel_count();
    ndvi_.resize(r.dates.size());
    scl_.resize(r.dates.size());
    for (std::size_t d = 0; d < r.dates.size(); ++d) {
      fs::path const s = scene_dir(root_ / "s", options().tile, d, r.dates[d]);
      auto const red = read_band<std::uint16_t>(s / "B04.tif");
      auto const nir = read_band<std::uint16_t>(s / "B08.tif");
      scl_[d] = read_band<std::uint8_t>(s / "SCL.tif");
      ndvi_[d].resize(n_);
      for (std::size_t i = 0; i < n_; ++i) {
        // BOA_ADD_OFFSET -1000, QUANTIFICATION_VALUE 10000 (the files' metadata).
        double const rr = (red[i] - 1000.0) / 10000.0, nn = (nir[i] - 1000.0) / 10000.0;
        ndvi_[d][i] = (nn - rr) / (nn + rr);
      }
    }
    // Undisturbed forest: clear-look mean NDVI above 0.7, 6 px or more from every event.
    int const w = r.grid.width, h = r.grid.height;
    for (int row = 0; row < h; ++row)
      for (int col = 0; col < w; ++col) {
        bool near = false;
        for (int rr = std::max(0, row - 6); rr <= std::min(h - 1, row + 6) && !near; ++rr)
          for (int cc = std::max(0, col - 6); cc <= std::min(w - 1, col + 6) && !near; ++cc)
            near = r.truth_mask[static_cast<std::size_t>(rr) * w + cc] != 0;
        if (near) continue;
        std::size_t const i = static_cast<std::size_t>(row) * w + col;
        double sum = 0;
        int looks = 0;
        for (std::size_t d = 0; d < r.dates.size(); ++d)
          if (is_clear(scl_[d][i])) sum += ndvi_[d][i], ++looks;
        if (looks > 0 && sum / looks > 0.7) forest_.push_back(i);
      }
    // Their median NDVI per date (NaN where fewer than a fifth of them are clear).
    for (std::size_t d = 0; d < r.dates.size(); ++d)
      forest_ndvi_.push_back(patch_median(forest_, d));
  }
  static void TearDownTestSuite() {
    result_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  static simulation_result const& result() { return *result_; }
  static fs::path dir() { return root_ / "s"; }

  /// The median NDVI of the clear pixels of `pixels` on date d; NaN where less than a fifth
  /// of them are clear.
  static double patch_median(std::vector<std::size_t> const& pixels, std::size_t d) {
    std::vector<double> v;
    for (std::size_t i : pixels)
      if (is_clear(scl_[d][i])) v.push_back(ndvi_[d][i]);
    return v.size() * 5 < pixels.size() || v.empty() ? nan : median(v);
  }
  static std::vector<std::size_t> event_pixels(int id) {
    std::vector<std::size_t> p;
    for (std::size_t i = 0; i < n_; ++i)
      if (result().truth_mask[i] == id) p.push_back(i);
    return p;
  }
  /// Per date: the event's median NDVI minus undisturbed forest's (NaN where either is).
  static std::vector<double> event_difference(int id) {
    auto const pixels = event_pixels(id);
    std::vector<double> out;
    for (std::size_t d = 0; d < result().dates.size(); ++d)
      out.push_back(patch_median(pixels, d) - forest_ndvi_[d]);
    return out;
  }
  static std::vector<planted_event> events_of(event_kind k) {
    std::vector<planted_event> out;
    for (auto const& e : result().events)
      if (e.kind == k) out.push_back(e);
    return out;
  }

  static inline fs::path root_;
  static inline std::unique_ptr<simulation_result> result_;
  static inline std::size_t n_ = 0;
  static inline std::vector<std::vector<double>> ndvi_;
  static inline std::vector<std::vector<std::uint8_t>> scl_;
  static inline std::vector<std::size_t> forest_;
  static inline std::vector<double> forest_ndvi_;
};

TEST_F(SceneSimulatorSeries, DatesEveryFiveDaysOverFourYears) {
  auto const& r = result();
  // 4 years of 365 days, one scene every 5 days: 4 * 365 / 5 = 292; the history 3 * 73 = 219.
  ASSERT_EQ(r.dates.size(), 292u);
  EXPECT_EQ(r.baseline_dates, 219u);
  EXPECT_EQ(r.dates.front(), ymd(2021, 1, 1));
  for (std::size_t d = 1; d < r.dates.size(); ++d)
    ASSERT_EQ(days_between(r.dates[d - 1], r.dates[d]), 5) << "date " << d;
  // 2021, 2022 and 2023 have 365 days: 1095 days after 2021-01-01 is 2024-01-01; the last
  // history scene is 5 days before it; 2024-01-01 + 72 * 5 = day 360 of leap 2024 = Dec 26.
  EXPECT_EQ(r.dates[218], ymd(2023, 12, 27));
  EXPECT_EQ(r.dates[219], ymd(2024, 1, 1));
  EXPECT_EQ(r.dates.back(), ymd(2024, 12, 26));
  std::size_t folders = 0;
  for (auto const& e : fs::directory_iterator(dir() / "scenes")) folders += e.is_directory();
  EXPECT_EQ(folders, 292u);
  EXPECT_TRUE(fs::exists(dir() / "scenes" / "S2A_20LMR_20210101_0_L2A" / "B08.tif"));
  EXPECT_TRUE(fs::exists(dir() / "scenes" / "S2B_20LMR_20241226_0_L2A" / "SCL.tif"));
}

TEST_F(SceneSimulatorSeries, ForestFollowsAYearlyCycleOfTheConfiguredAmplitude) {
  auto const& r = result();
  ASSERT_GE(forest_.size(), 500u) << "undisturbed forest pixels";
  // Amplitude 0.05, each year's 20 % off at most: every year's fitted amplitude is in
  // [0.04, 0.06], with a little room for noise; the mean is forest's NDVI,
  // (0.30 - 0.03) / (0.30 + 0.03) = 0.818.
  double lo = 1, hi = 0;
  for (int y = 0; y < 4; ++y) {
    std::vector<double> t, v, t1, v1;
    std::size_t const one = forest_[forest_.size() / 2];  // one pixel alone
    for (std::size_t d = 0; d < r.dates.size(); ++d) {
      int const day_of_series = days_between(ymd(2021, 1, 1), r.dates[d]);
      if (day_of_series < 365 * y || day_of_series >= 365 * (y + 1)) continue;
      if (!std::isnan(forest_ndvi_[d])) t.push_back(day_of_series), v.push_back(forest_ndvi_[d]);
      if (is_clear(scl_[d][one])) t1.push_back(day_of_series), v1.push_back(ndvi_[d][one]);
    }
    ASSERT_GE(t.size(), 30u) << "year " << y;
    auto const [mean, amp] = fit_harmonic(t, v);
    EXPECT_NEAR(mean, 0.818, 0.006) << "year " << y;
    EXPECT_GE(amp, 0.038) << "year " << y;
    EXPECT_LE(amp, 0.062) << "year " << y;
    lo = std::min(lo, amp), hi = std::max(hi, amp);
    auto const [mean1, amp1] = fit_harmonic(t1, v1);
    EXPECT_NEAR(mean1, 0.818, 0.01) << "one pixel, year " << y;
    EXPECT_NEAR(amp1, 0.05, 0.014) << "one pixel, year " << y;
  }
  EXPECT_GT(hi - lo, 0.001) << "the amplitude varies from year to year";
  // The peak in March: forest around mid-March (within 20 days) is greener than around
  // mid-September, by about twice the amplitude (0.08-0.12).
  auto around = [&](year_month_day when) {
    std::vector<double> v;
    for (std::size_t d = 0; d < r.dates.size(); ++d)
      if (std::abs(days_between(when, r.dates[d])) <= 20 && !std::isnan(forest_ndvi_[d]))
        v.push_back(forest_ndvi_[d]);
    return median(v);
  };
  for (int y = 2021; y <= 2024; ++y) {
    double const march = around(ymd(y, 3, 15)), september = around(ymd(y, 9, 15));
    ASSERT_FALSE(std::isnan(march) || std::isnan(september)) << y;
    EXPECT_GT(march - september, 0.06) << y;
  }
}

TEST_F(SceneSimulatorSeries, TheWetSeasonIsCloudierThanTheDrySeason) {
  auto const& r = result();
  double wet = 0, dry = 0;
  std::size_t wet_px = 0, dry_px = 0;
  for (std::size_t d = 0; d < r.dates.size(); ++d) {
    unsigned const m = static_cast<unsigned>(r.dates[d].month());
    bool const is_wet = m == 12 || m <= 3, is_dry = m >= 6 && m <= 9;
    if (!is_wet && !is_dry) continue;
    std::size_t cloudy = 0;
    for (std::uint8_t s : scl_[d]) cloudy += s == 3 || s == 8 || s == 9;
    (is_wet ? wet : dry) += static_cast<double>(cloudy);
    (is_wet ? wet_px : dry_px) += n_;
  }
  wet /= static_cast<double>(wet_px);
  dry /= static_cast<double>(dry_px);
  // December-March: 85-90 % of scenes cloudy, 25-90 % of each; June-September 10-20 %.
  EXPECT_GT(wet, 0.30);
  EXPECT_LT(dry, 0.15);
  EXPECT_GT(wet, 3 * dry);
  // Every pixel still has clear looks in both periods' dry seasons.
  for (std::size_t i = 0; i < n_; i += 97) {
    int clear_history = 0, clear_monitor = 0;
    for (std::size_t d = 0; d < r.dates.size(); ++d)
      if (is_clear(scl_[d][i])) ++(d < r.baseline_dates ? clear_history : clear_monitor);
    EXPECT_GE(clear_history, 60) << i;
    EXPECT_GE(clear_monitor, 20) << i;
  }
}

TEST_F(SceneSimulatorSeries, AbruptBreaksFallByTheirMagnitudeOnTheirDateAndNotBefore) {
  auto const& r = result();
  auto clearings = events_of(event_kind::clearing), partials = events_of(event_kind::partial);
  ASSERT_EQ(clearings.size(), 2u);
  ASSERT_EQ(partials.size(), 2u);
  for (auto const& e : clearings) {
    EXPECT_GE(e.ndvi_fall, 0.55) << e.id;
    EXPECT_LE(e.ndvi_fall, 0.65) << e.id;
  }
  for (auto const& e : partials) {
    EXPECT_GE(e.ndvi_fall, 0.15) << e.id;
    EXPECT_LE(e.ndvi_fall, 0.30) << e.id;
  }
  clearings.insert(clearings.end(), partials.begin(), partials.end());
  for (auto const& e : clearings) {
    SCOPED_TRACE(fmt::format("event {} ({}) from {}", e.id, to_string(e.kind),
                             static_cast<int>(e.first_visible.year())));
    EXPECT_EQ(e.ramp_days, 0);
    // In the monitoring year, 60 days of looks after it; first visible on the first scene date
    // on or after its start.
    EXPECT_GE(days_between(ymd(2024, 1, 1), e.start), 0);
    EXPECT_LE(days_between(e.start, ymd(2024, 12, 26)), 365);
    EXPECT_GE(days_between(e.start, ymd(2024, 12, 26)), 60);
    int const lag = days_between(e.start, e.first_visible);
    EXPECT_GE(lag, 0);
    EXPECT_LT(lag, 5);
    EXPECT_EQ(days_between(ymd(2021, 1, 1), e.first_visible) % 5, 0);

    auto const diff = event_difference(e.id);
    auto const pixels = event_pixels(e.id);
    int before = 0, after = 0;
    bool first_after = true;
    for (std::size_t d = 0; d < r.dates.size(); ++d) {
      if (std::isnan(diff[d])) continue;
      if (days_between(r.dates[d], e.first_visible) > 0) {
        ++before;
        EXPECT_LT(std::abs(diff[d]), 0.03) << "before, date " << d;
      } else {
        ++after;
        EXPECT_LE(diff[d], -(e.ndvi_fall - 0.02)) << "after, date " << d;
        EXPECT_GE(diff[d], -(e.ndvi_fall + 0.02)) << "after, date " << d;
        if (first_after) {
          // Pixel by pixel on its first clear look: 95 % fall by the magnitude at least.
          first_after = false;
          std::size_t seen = 0, fallen = 0;
          for (std::size_t i : pixels)
            if (is_clear(scl_[d][i])) {
              ++seen;
              fallen += ndvi_[d][i] <= forest_ndvi_[d] - e.ndvi_fall + 0.02;
            }
          EXPECT_GE(fallen * 100, seen * 95) << "date " << d;
        }
      }
    }
    EXPECT_GT(before, 100);
    EXPECT_GT(after, 3);
  }
}

TEST_F(SceneSimulatorSeries, DegradationIsSlowAndSmall) {
  auto const& r = result();
  auto const degradations = events_of(event_kind::degradation);
  ASSERT_EQ(degradations.size(), 1u);
  auto const& e = degradations.front();
  EXPECT_EQ(e.ramp_days, 180);
  EXPECT_GE(e.ndvi_fall, 0.06);
  EXPECT_LE(e.ndvi_fall, 0.10);
  EXPECT_GE(days_between(ymd(2024, 1, 1), e.start), 0);
  auto const diff = event_difference(e.id);
  int ramping = 0, done = 0;
  for (std::size_t d = 0; d < r.dates.size(); ++d) {
    if (std::isnan(diff[d])) continue;
    int const since = days_between(e.start, r.dates[d]);
    // Linear: a share since / 180 of the fall while it ramps, all of it afterwards.
    double const expected = since < 0 ? 0.0 : -e.ndvi_fall * std::min(1.0, since / 180.0);
    EXPECT_NEAR(diff[d], expected, 0.02) << "date " << d;
    ramping += since > 20 && since < 160;
    done += since >= 180;
  }
  EXPECT_GT(ramping, 3);
  EXPECT_GT(done, 3);
}

TEST_F(SceneSimulatorSeries, RegrowthGreensUpAClearingOfTheHistory) {
  auto const& r = result();
  auto const regrowths = events_of(event_kind::regrowth);
  ASSERT_EQ(regrowths.size(), 1u);
  auto const& e = regrowths.front();
  ASSERT_TRUE(e.cleared_on.has_value());
  EXPECT_LT(days_between(*e.cleared_on, ymd(2024, 1, 1)), 365 * 3 / 2 + 1) << "second half";
  EXPECT_GE(days_between(*e.cleared_on, ymd(2024, 1, 1)), 90);
  EXPECT_GE(days_between(ymd(2024, 1, 1), e.start), 0);
  EXPECT_LE(days_between(ymd(2024, 1, 1), e.start), 60);
  EXPECT_LE(e.ndvi_fall, -0.30) << "a rise";
  EXPECT_GE(e.ndvi_fall, -0.40) << "a rise";
  auto const diff = event_difference(e.id);
  auto const pixels = event_pixels(e.id);
  std::vector<double> cleared, late;
  for (std::size_t d = 0; d < r.dates.size(); ++d) {
    if (std::isnan(diff[d])) continue;
    if (days_between(r.dates[d], *e.cleared_on) > 0) {
      EXPECT_LT(std::abs(diff[d]), 0.03) << "forest before it was cleared, date " << d;
    } else if (days_between(r.dates[d], e.start) > 0) {
      cleared.push_back(diff[d]);
    } else if (days_between(e.start, r.dates[d]) >= 270) {
      late.push_back(diff[d]);
    }
  }
  ASSERT_GT(cleared.size(), 5u);
  ASSERT_GT(late.size(), 2u);
  // Cleared: 0.55-0.65 below forest, bare soil in SCL; then 0.30-0.40 greener at the end.
  for (double v : cleared) {
    EXPECT_LE(v, -0.53);
    EXPECT_GE(v, -0.67);
  }
  double const rise = median(late) - median(cleared);
  EXPECT_NEAR(rise, -e.ndvi_fall, 0.03);
  EXPECT_GT(rise, 0.25);
  std::size_t const last = r.dates.size() - 1;
  std::size_t d_cleared = 0;
  while (days_between(r.dates[d_cleared], *e.cleared_on) > 0) ++d_cleared;
  EXPECT_EQ(r.dates[d_cleared], *e.cleared_on) << "cleared on a scene date";
  std::size_t bare_then = 0, bare_last = 0;
  for (std::size_t i : pixels) {
    bare_then += scl_[d_cleared][i] == 5;
    bare_last += scl_[last][i] == 5;
  }
  EXPECT_TRUE(bare_then > 0 || !is_clear(scl_[d_cleared][pixels[0]]));
  EXPECT_EQ(bare_last, 0u) << "vegetation again at the end";
}

TEST_F(SceneSimulatorSeries, TruthListsEveryEvent) {
  auto const& r = result();
  ASSERT_EQ(r.events.size(), 6u);
  std::map<std::string, int> kinds;
  for (auto const& e : r.events) ++kinds[to_string(e.kind)];
  EXPECT_EQ(kinds, (std::map<std::string, int>{
                       {"clearing", 2}, {"partial", 2}, {"degradation", 1}, {"regrowth", 1}}));
  // The abrupt ones are the result's clearings too.
  ASSERT_EQ(r.clearings.size(), 4u);

  auto ds = open_vector(dir() / "truth.geojson");
  ASSERT_TRUE(ds);
  OGRLayer* layer = ds->GetLayer(0);
  ASSERT_NE(layer, nullptr);
  ASSERT_EQ(layer->GetFeatureCount(), 6);
  std::set<int> ids;
  for (auto& f : *layer) {
    int const id = f->GetFieldAsInteger("id");
    ASSERT_GE(id, 1);
    ASSERT_LE(id, 6);
    ids.insert(id);
    auto const& e = r.events[static_cast<std::size_t>(id - 1)];
    EXPECT_EQ(e.id, id);
    EXPECT_STREQ(f->GetFieldAsString("kind"), to_string(e.kind));
    EXPECT_EQ(f->GetFieldAsString("aoi"), e.aoi);
    EXPECT_EQ(f->GetFieldAsString("start"), iso(e.start));
    EXPECT_EQ(f->GetFieldAsString("first_visible"), iso(e.first_visible));
    EXPECT_EQ(f->GetFieldAsInteger("ramp_days"), e.ramp_days);
    // Pixels of the truth mask, 10 m each: 0.01 ha.
    auto const pixels = static_cast<GIntBig>(event_pixels(id).size());
    EXPECT_EQ(f->GetFieldAsInteger64("pixels"), pixels);
    EXPECT_NEAR(f->GetFieldAsDouble("area_ha"), 0.01 * static_cast<double>(pixels), 1e-9);
    EXPECT_GE(pixels, 40) << "0.5-1 ha, 20 % either side";
    EXPECT_LE(pixels, 120);
    EXPECT_NEAR(f->GetFieldAsDouble("ndvi_fall"), e.ndvi_fall, 5e-5);
    int const cleared = f->GetFieldIndex("cleared_on");
    ASSERT_GE(cleared, 0);
    if (e.kind == event_kind::regrowth)
      EXPECT_EQ(f->GetFieldAsString(cleared), iso(*e.cleared_on));
    else
      EXPECT_TRUE(f->IsFieldNull(cleared)) << id;
    EXPECT_NE(f->GetGeometryRef(), nullptr);
  }
  EXPECT_EQ(ids.size(), 6u);
  // truth.tif: the truth mask on the grid of the bands.
  EXPECT_EQ(read_band<std::uint8_t>(dir() / "truth.tif"), r.truth_mask);
  auto const tif = open_raster(dir() / "truth.tif");
  auto const band = open_raster(scene_dir(dir(), options().tile, 0, r.dates[0]) / "B08.tif");
  ASSERT_TRUE(tif && band);
  std::array<double, 6> gt_tif{}, gt_band{};
  tif->GetGeoTransform(gt_tif.data());
  band->GetGeoTransform(gt_band.data());
  EXPECT_EQ(gt_tif, gt_band);
  // Both AOIs get events, in turn.
  EXPECT_EQ(r.events[0].aoi, "reserve-north");
  EXPECT_EQ(r.events[1].aoi, "concession-7");
}

TEST_F(SceneSimulatorSeries, JobUsesBfastOverTheHistoryAndMonitoringYears) {
  YAML::Node const job = YAML::LoadFile((dir() / "job.yaml").string());
  EXPECT_EQ(job["sensor"].as<std::string>(), "sentinel2-l2a");
  EXPECT_EQ(job["scenes"]["dir"].as<std::string>(), "scenes");
  ASSERT_EQ(job["change"].size(), 2u) << "method and index, the rest bfast's defaults";
  EXPECT_EQ(job["change"]["method"].as<std::string>(), "bfast");
  EXPECT_EQ(job["change"]["index"].as<std::string>(), "ndvi");
  EXPECT_EQ(job["period"]["baseline"][0].as<std::string>(), "2021-01-01");
  EXPECT_EQ(job["period"]["baseline"][1].as<std::string>(), "2023-12-27");
  EXPECT_EQ(job["period"]["monitor"][0].as<std::string>(), "2024-01-01");
  EXPECT_EQ(job["period"]["monitor"][1].as<std::string>(), "2024-12-26");
  ASSERT_EQ(job["aois"].size(), 2u);
  EXPECT_EQ(job["aois"][0]["name"].as<std::string>(), "reserve-north");
  EXPECT_EQ(job["aois"][1]["geometry"].as<std::string>(), "aois/concession-7.geojson");
  EXPECT_TRUE(fs::exists(dir() / "aois" / "concession-7.geojson"));
  EXPECT_EQ(job["outputs"]["dir"].as<std::string>(), "out");
}

TEST(SceneSimulatorSeriesRuns, SameSeedSameFilesAndTheSmallestTile) {
  // 1 + 1 years on a 96 px tile (the smallest `geosweep simulate --series` takes), twice: the
  // same bytes. 2 * 73 dates.
  GDALAllRegister();
  fs::path const root =
      fs::temp_directory_path() / fmt::format("geosweep-series-runs-{}", ::getpid());
  fs::remove_all(root);
  simulation_options o;
  o.seed = 5;
  o.width = o.height = 96;
  o.series = true;
  o.years_history = 1;
  o.years_monitor = 1;
  auto const a = simulate_scenes(root / "a", o);
  auto const b = simulate_scenes(root / "b", o);
  ASSERT_EQ(a.dates.size(), 146u);
  EXPECT_EQ(a.baseline_dates, 73u);
  EXPECT_EQ(a.dates.back(), ymd(2022, 12, 27));  // 2021-01-01 + 145 * 5 = day 725
  EXPECT_EQ(a.events.size(), 6u);
  EXPECT_EQ(a.truth_mask, b.truth_mask);
  for (char const* f : {"job.yaml", "truth.geojson"})
    EXPECT_EQ(file_bytes(root / "a" / f), file_bytes(root / "b" / f)) << f;
  for (std::size_t d = 0; d < a.dates.size(); d += 7)
    for (char const* f : {"B04.tif", "B08.tif", "SCL.tif"}) {
      auto const pa = scene_dir(root / "a", o.tile, d, a.dates[d]) / f;
      auto const pb = scene_dir(root / "b", o.tile, d, b.dates[d]) / f;
      ASSERT_FALSE(file_bytes(pa).empty()) << pa;
      EXPECT_EQ(file_bytes(pa), file_bytes(pb)) << pa;
    }
  // Another seed, other events.
  o.seed = 6;
  auto const c = simulate_scenes(root / "c", o);
  EXPECT_NE(c.truth_mask, a.truth_mask);
  std::error_code ec;
  fs::remove_all(root, ec);
}

TEST(SceneSimulatorSeriesRuns, TheCommandLine) {
  fs::path const root =
      fs::temp_directory_path() / fmt::format("geosweep-series-cli-{}", ::getpid());
  fs::remove_all(root);
  auto const ok = geosweep_command(
      fmt::format("simulate --series --years-history 1 --years-monitor 1 --size 96 --seed 3 "
                  "--no-clouds --out {}",
                  (root / "s").string()));
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find("146 scenes of 96x96 px every 5 days (1 + 1 years), 6 planted events"),
            std::string::npos)
      << ok.out;
  EXPECT_NE(ok.out.find("regrowth"), std::string::npos) << ok.out;
  EXPECT_TRUE(fs::exists(root / "s" / "truth.geojson"));
  EXPECT_NE(file_bytes(root / "s" / "job.yaml").find("method: bfast"), std::string::npos);
  // Cloud-free: every SCL of the last scene is clear.
  auto const last =
      read_band<std::uint8_t>(root / "s" / "scenes" / "S2B_20LMR_20221227_0_L2A" / "SCL.tif");
  EXPECT_TRUE(std::all_of(last.begin(), last.end(), is_clear));
  // Usage errors (exit 2): a series tile under 96 px, a plain one under 160, the series'
  // options without --series.
  for (char const* args : {"--series --size 95", "--size 159", "--years-history 2",
                           "--years-monitor 2", "--series --partial-cuts"}) {
    auto const bad =
        geosweep_command(fmt::format("simulate {} --out {}", args, (root / "bad").string()));
    EXPECT_EQ(bad.exit_code, 2) << args << ": " << bad.out;
    EXPECT_FALSE(fs::exists(root / "bad")) << args;
  }
  std::error_code ec;
  fs::remove_all(root, ec);
}

}  // namespace
