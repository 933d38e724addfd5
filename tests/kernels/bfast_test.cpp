// The `bfast` kernels (kernels/bfast.hpp) against hand arithmetic: the log and the boundary,
// the critical value table at its grid points and between them, the fit of a constant and of a
// seasonal model, the MOSUM window carried over from the history, each threshold (the boundary,
// min_history, the window, confirm) on, just inside and just outside, missing looks, and a
// singular design. tests/kernels/bfast_reference_test.cpp compares with R's strucchange.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>
#include <vector>

#include "geosweep/kernels/bfast.hpp"
#include "geosweep/kernels/bfast_state.hpp"
#include "geosweep/kernels/stream.hpp"

namespace k = geosweep::kernels;

namespace {

constexpr float cloudy = std::numeric_limits<float>::quiet_NaN();

/// A few pixels' bfast state on the CPU backend, driven look by look like the detector does.
struct bfast_pixels {
  bfast_pixels(std::size_t n, int params, int looks, double h)
      : n(n),
        params(params),
        looks(looks),
        capacity(static_cast<int>(std::floor(h * looks))),
        h(h),
        b(k::make_bfast_buffers(s, n, params, looks, capacity)) {}

  k::bfast_arrays a() { return k::view(b, n); }

  void history(std::vector<float> const& y, std::vector<double> const& x) {
    k::bfast_history_op op;
    op.a = a();
    op.index = y.data();
    for (int j = 0; j < params; ++j) op.x[j] = x[j];
    op.params = params;
    op.look = static_cast<int>(table.size()) / params;
    op.capacity = capacity;
    table.insert(table.end(), x.begin(), x.end());
    k::for_each_pixel(s, n, op);
  }

  void fit(int min_history) {
    k::bfast_fit_op op;
    op.a = a();
    op.table = table.data();
    op.looks = static_cast<int>(table.size()) / params;
    op.params = params;
    op.capacity = capacity;
    op.h = h;
    op.min_history = min_history;
    k::for_each_pixel(s, n, op);
  }

  void monitor(std::vector<float> const& y, std::vector<double> const& x, int date, int confirm = 2,
               float min_fall = 0.0f) {
    k::bfast_monitor_op op;
    op.a = a();
    op.index = y.data();
    for (int j = 0; j < params; ++j) op.x[j] = x[j];
    op.params = params;
    op.date = date;
    op.lambda = lambda;
    op.forest_min = 0.6f;
    op.min_fall = min_fall;
    op.confirm = static_cast<std::uint8_t>(confirm);
    op.window_days = 90;
    k::for_each_pixel(s, n, op);
  }

  std::vector<std::uint8_t> classes(std::uint8_t zone = k::zone_core, float grow = 0.0f) {
    std::vector<std::int32_t> first(n), confirmed(n);
    std::vector<float> magnitude(n), mean(n);
    std::vector<std::uint16_t> clear(n);
    std::vector<std::uint8_t> zones(n, zone), change(n);
    k::bfast_results_op r{
        a(),  first.data(), confirmed.data(), magnitude.data(), clear.data(), mean.data(),
        grow, 0.6f};
    k::for_each_pixel(s, n, r);
    k::for_each_pixel(s, n, k::bfast_class_op{r, zones.data(), change.data()});
    last_magnitude = magnitude;
    last_first = first;
    return change;
  }

  k::stream s{k::backend::cpu};
  std::size_t n;
  int params, looks, capacity;
  double h;
  double lambda = 1.3418245081783100;  // h 0.25, end 10, level 0.05
  k::bfast_buffers<k::device_array> b;
  std::vector<double> table;
  std::vector<float> last_magnitude;
  std::vector<std::int32_t> last_first;
};

// The constant model (k = 0, no trend) over eight looks: mean 0.8, deviations 0, .02, -.02,
// 0, .01, -.01, 0, 0; RSS 0.001, sigma = sqrt(0.001 / 7) = 0.0119522861; K = floor(0.25 * 8) = 2.
std::vector<float> const history8 = {0.80f, 0.82f, 0.78f, 0.80f, 0.81f, 0.79f, 0.80f, 0.80f};

bfast_pixels constant_model(std::size_t pixels = 1) {
  bfast_pixels p(pixels, 1, 8, 0.25);
  for (float v : history8) p.history(std::vector<float>(pixels, v), {1.0});
  p.fit(8);
  return p;
}

}  // namespace

TEST(PortableLog, MatchesTheLibraryLogToAFewUlp) {
  for (double x : {1.0, 1.125, 2.0, 2.718281828459045, 3.0, 10.0, 123.456, 0.3, 65535.0}) {
    double const want = std::log(x);
    EXPECT_NEAR(k::portable_log(x), want, 4e-16 * std::max(1.0, std::abs(want))) << x;
  }
  EXPECT_EQ(k::portable_log(1.0), 0.0);
}

TEST(BfastBoundary, IsLambdaRootTwoUpToEThenGrowsWithTheLog) {
  double const lambda = 1.5;
  // k / n <= e: log+ = 1.
  EXPECT_DOUBLE_EQ(k::bfast_boundary(lambda, 9, 8), 1.5 * std::sqrt(2.0));
  EXPECT_DOUBLE_EQ(k::bfast_boundary(lambda, 2.718281828459045, 1), 1.5 * std::sqrt(2.0));
  // k / n = 10: sqrt(2 ln 10) = 2.1459660262893472.
  EXPECT_NEAR(k::bfast_boundary(lambda, 100, 10), 1.5 * 2.1459660262893472, 1e-14);
  // Just past e the log takes over (continuously: ln e = 1).
  EXPECT_NEAR(k::bfast_boundary(lambda, 2.7183, 1), 1.5 * std::sqrt(2.0 * std::log(2.7183)), 1e-14);
}

TEST(BfastCriticalValue, GridPointsAndInterpolationFollowStrucchangesTable) {
  // strucchange 1.5-3, monitorMECritvalTable["0.25", "10", "0.95", "max"] and its neighbours,
  // printed by R (see bfast_critical_value.cpp).
  EXPECT_NEAR(k::bfast_critical_value(0.25, 10, 0.05), 1.34182451, 1e-9);
  EXPECT_NEAR(k::bfast_critical_value(0.25, 10, 0.049), 1.344391315, 1e-9);
  // Halfway between 0.950 and 0.951: (1.34182451 + 1.344391315) / 2.
  EXPECT_NEAR(k::bfast_critical_value(0.25, 10, 0.0495), 1.3431079125, 1e-9);
  EXPECT_NEAR(k::bfast_critical_value(0.5, 2, 0.05), 1.687323283, 1e-9);
  EXPECT_NEAR(k::bfast_critical_value(1, 10, 0.001), 3.941029161, 1e-9);
  EXPECT_THROW(k::bfast_critical_value(0.3, 10, 0.05), std::invalid_argument);
  EXPECT_THROW(k::bfast_critical_value(0.25, 5, 0.05), std::invalid_argument);
  EXPECT_THROW(k::bfast_critical_value(0.25, 10, 0.06), std::invalid_argument);
  EXPECT_THROW(k::bfast_critical_value(0.25, 10, 0.0009), std::invalid_argument);
}

TEST(BfastFit, ConstantModelGivesTheMeanAndTheSampleSpread) {
  auto p = constant_model();
  EXPECT_EQ(p.b.model.data()[0], k::bfast_fitted);
  EXPECT_NEAR(p.b.beta.data()[0], 0.8, 1e-7);
  EXPECT_NEAR(p.b.sigma.data()[0], std::sqrt(0.001 / 7.0), 1e-7);
  EXPECT_EQ(p.b.history.data()[0], 8);
  EXPECT_EQ(p.b.window.data()[0], 2);
  // The window starts with the last two history residuals, 0.80 - 0.8 twice.
  EXPECT_NEAR(p.b.window_sum.data()[0], 0.0, 1e-7);
}

TEST(BfastMonitor, TwoFallsConfirmAndTheMagnitudeIsTheirMeanFall) {
  auto p = constant_model();
  // Look 1: e = -0.3; window sum 0 + -0.3; process -0.3 / (sigma sqrt 8) = -8.87; k / n = 9/8:
  // boundary lambda sqrt 2 = 1.8976.
  p.monitor({0.5f}, {1.0}, 19800);
  EXPECT_EQ(p.b.status.data()[0], k::status_low);
  EXPECT_EQ(p.b.first.data()[0], 19800);
  double const process = -0.3 / (std::sqrt(0.001 / 7.0) * std::sqrt(8.0));
  EXPECT_NEAR(p.b.ratio.data()[0], process / (1.34182451 * std::sqrt(2.0)), 1e-4);
  p.monitor({0.5f}, {1.0}, 19805);
  EXPECT_EQ(p.b.status.data()[0], k::status_high);
  EXPECT_EQ(p.b.confirmed.data()[0], 19805);
  auto const cls = p.classes();
  EXPECT_EQ(cls[0], k::change_high);
  EXPECT_NEAR(p.last_magnitude[0], 0.3, 1e-6);
  EXPECT_EQ(p.last_first[0], 19800);
}

TEST(BfastMonitor, TheBoundaryItselfJustInsideAndJustOutside) {
  // One look after the history: window = {0 (the last history residual), e}; process =
  // e / (sigma sqrt 8); boundary = lambda sqrt 2. A fall needs process < -boundary.
  double const sigma = std::sqrt(0.001 / 7.0);
  double const edge = -1.34182451 * std::sqrt(2.0) * sigma * std::sqrt(8.0);  // e at the boundary
  for (double const scale : {1.001, 0.999}) {
    auto p = constant_model();
    p.monitor({static_cast<float>(0.8 + edge * scale)}, {1.0}, 19800, 1);
    bool const outside = scale > 1.0;
    EXPECT_EQ(p.b.status.data()[0], outside ? k::status_high : k::status_none) << scale;
  }
}

TEST(BfastMonitor, MinFallJustInsideAndJustOutside) {
  // The look falls 0.3 below the model, far beyond the boundary (process -8.9): a fall with
  // min_fall 0.2999, none with 0.3001.
  for (float const min_fall : {0.2999f, 0.3001f}) {
    auto p = constant_model();
    p.monitor({0.5f}, {1.0}, 19800, 1, min_fall);
    EXPECT_EQ(p.b.status.data()[0], min_fall < 0.3f ? k::status_high : k::status_none) << min_fall;
    EXPECT_LT(p.b.ratio.data()[0], -4.0f);  // the process is beyond the boundary either way
  }
}

TEST(BfastMonitor, AClearLookBackInsideClearsTheCandidate) {
  auto p = constant_model();
  p.monitor({0.5f}, {1.0}, 19800, 3);
  EXPECT_EQ(p.b.status.data()[0], k::status_low);
  // Window {-0.3, +0.3}: sum 0, inside the boundary.
  p.monitor({1.1f}, {1.0}, 19805, 3);
  EXPECT_EQ(p.b.status.data()[0], k::status_none);
  EXPECT_EQ(p.b.first.data()[0], k::no_date);
  EXPECT_NEAR(p.b.window_sum.data()[0], 0.0, 1e-6);
  EXPECT_EQ(p.classes()[0], k::change_none);
}

TEST(BfastMonitor, CloudyLooksChangeNothingAndAreNotCounted) {
  auto p = constant_model();
  p.monitor({cloudy}, {1.0}, 19800);
  EXPECT_EQ(p.b.clear.data()[0], 0);
  EXPECT_EQ(p.classes()[0], k::change_no_data);  // fitted, but no clear monitoring look
  p.monitor({0.8f}, {1.0}, 19805);
  EXPECT_EQ(p.b.clear.data()[0], 1);
  EXPECT_EQ(p.classes()[0], k::change_none);
}

TEST(BfastFit, MinHistoryOnAndJustBelow) {
  for (int const min_history : {8, 9}) {
    bfast_pixels p(1, 1, 8, 0.25);
    for (float v : history8) p.history({v}, {1.0});
    p.fit(min_history);
    EXPECT_EQ(p.b.model.data()[0], min_history <= 8 ? k::bfast_fitted : k::bfast_too_few);
    p.monitor({0.8f}, {1.0}, 19800);
    EXPECT_EQ(p.classes()[0], min_history <= 8 ? k::change_none : k::change_no_model);
  }
}

TEST(BfastFit, AWindowOfOneLookIsTooFew) {
  // Seven clear looks of eight: K = floor(0.25 * 7) = 1, which strucchange's bfastmonitor
  // refuses ("too few observations"); eight give K = 2.
  bfast_pixels p(2, 1, 8, 0.25);
  for (std::size_t j = 0; j < history8.size(); ++j)
    p.history({history8[j], j == 3 ? cloudy : history8[j]}, {1.0});
  p.fit(1);
  EXPECT_EQ(p.b.model.data()[0], k::bfast_fitted);
  EXPECT_EQ(p.b.model.data()[1], k::bfast_too_few);
  EXPECT_EQ(p.b.history.data()[1], 7);
}

TEST(BfastFit, MissingHistoryLooksAreLeftOutOfTheFit) {
  // Pixel 1 misses the 0.82 and 0.78 looks: its mean is that of the other six, 0.8; its RSS
  // .0001 + .0001 = .0002 over 6 - 1 degrees of freedom.
  bfast_pixels p(2, 1, 8, 0.5);
  for (std::size_t j = 0; j < history8.size(); ++j)
    p.history({history8[j], j == 1 || j == 2 ? cloudy : history8[j]}, {1.0});
  p.fit(1);
  EXPECT_EQ(p.b.history.data()[1], 6);
  EXPECT_NEAR(p.b.beta.data()[1], 0.8, 1e-7);
  EXPECT_NEAR(p.b.sigma.data()[1], std::sqrt(0.0002 / 5.0), 1e-7);
  EXPECT_EQ(p.b.window.data()[1], 3);  // floor(0.5 * 6)
}

TEST(BfastFit, ASeasonalModelIsRecovered) {
  // y = 0.7 + 0.1 cos 2 pi t + 0.05 sin 2 pi t, +-0.01 alternately, 40 looks 9 days apart.
  bfast_pixels p(1, 3, 40, 0.25);
  for (int j = 0; j < 40; ++j) {
    double const t = 9.0 * j / 365.25;
    double const c = std::cos(2 * std::numbers::pi * t), s = std::sin(2 * std::numbers::pi * t);
    float const y = static_cast<float>(0.7 + 0.1 * c + 0.05 * s + (j % 2 ? 0.01 : -0.01));
    p.history({y}, {1.0, c, s});
  }
  p.fit(1);
  ASSERT_EQ(p.b.model.data()[0], k::bfast_fitted);
  EXPECT_NEAR(p.b.beta.data()[0], 0.7, 2e-3);
  EXPECT_NEAR(p.b.beta.data()[1], 0.1, 3e-3);
  EXPECT_NEAR(p.b.beta.data()[2], 0.05, 3e-3);
  EXPECT_NEAR(p.b.sigma.data()[0], 0.01, 1.5e-3);
  EXPECT_EQ(p.b.window.data()[0], 10);
}

TEST(BfastFit, LooksAYearApartDoNotDetermineTheSeason) {
  // Every look on the same day of the year: cos and sin are constant, collinear with the
  // intercept.
  bfast_pixels p(1, 3, 12, 0.25);
  for (int j = 0; j < 12; ++j) {
    double const c = std::cos(0.4), s = std::sin(0.4);
    p.history({0.8f + 0.01f * static_cast<float>(j % 3)}, {1.0, c, s});
  }
  p.fit(1);
  EXPECT_EQ(p.b.model.data()[0], k::bfast_singular);
  p.monitor({0.8f}, {1.0, 0.0, 1.0}, 19800);
  EXPECT_EQ(p.classes()[0], k::change_no_model);
}

TEST(BfastFit, AnExactFitHasNoSpreadToTestAgainst) {
  bfast_pixels p(1, 1, 8, 0.25);
  for (int j = 0; j < 8; ++j) p.history({0.75f}, {1.0});
  p.fit(1);
  EXPECT_EQ(p.b.model.data()[0], k::bfast_singular);
}

TEST(BfastFit, TheWindowComesFromTheLastHistoryLooksWhenTheRingWraps) {
  // 12 looks, h 0.25: capacity 3, K 3. Values rise by 0.01 a look, so the last three
  // residuals of the mean (0.755) are 0.035, 0.045, 0.055: sum 0.135.
  bfast_pixels p(1, 1, 12, 0.25);
  for (int j = 0; j < 12; ++j) p.history({0.70f + 0.01f * static_cast<float>(j)}, {1.0});
  p.fit(1);
  ASSERT_EQ(p.b.model.data()[0], k::bfast_fitted);
  EXPECT_EQ(p.b.window.data()[0], 3);
  EXPECT_NEAR(p.b.window_sum.data()[0], 0.135, 1e-6);
  EXPECT_NEAR(p.b.ring.data()[0], 0.035, 1e-6);  // oldest first
  EXPECT_NEAR(p.b.ring.data()[1], 0.045, 1e-6);
  EXPECT_NEAR(p.b.ring.data()[2], 0.055, 1e-6);
  // The next look drops the oldest (0.035): residual 0 gives 0.045 + 0.055 + 0 = 0.1.
  p.monitor({0.755f}, {1.0}, 19800);
  EXPECT_NEAR(p.b.window_sum.data()[0], 0.1, 1e-6);
}

TEST(BfastMonitor, NotForestIsNeverAFallButGrowthNeedsAForestPixelToo) {
  bfast_pixels p(1, 1, 8, 0.25);
  for (float v : history8) p.history({v - 0.5f}, {1.0});  // mean 0.3: not forest
  p.fit(1);
  p.monitor({0.0f}, {1.0}, 19800, 1);
  EXPECT_EQ(p.b.status.data()[0], k::status_none);
  EXPECT_EQ(p.classes(k::zone_core, 0.5f)[0], k::change_none);
}

TEST(BfastMonitor, APixelClearedAtTheEndOfTheHistoryIsNotForest) {
  // Six looks of 0.8 and two of `end`: the history mean is 0.75 (forest) either way; the mean
  // of the last K = 2 looks is `end`, on forest_min 0.6 (forest) or just below (not forest).
  for (float const end : {0.6f, 0.59f}) {
    bfast_pixels p(1, 1, 8, 0.25);
    for (int j = 0; j < 8; ++j) p.history({j < 6 ? 0.8f : end}, {1.0});
    p.fit(1);
    ASSERT_EQ(p.b.model.data()[0], k::bfast_fitted);
    EXPECT_FLOAT_EQ(p.b.recent.data()[0], end);
    p.monitor({0.1f}, {1.0}, 19800, 1);
    EXPECT_EQ(p.b.status.data()[0], end >= 0.6f ? k::status_high : k::status_none) << end;
  }
}

TEST(BfastClass, GrowthAndTheEdgeZone) {
  // One look at half the boundary and a bit more: ratio about -0.6, no fall, grows at
  // grow 0.5 but not at 0.7; a candidate in the edge zone is grown, not a seed.
  double const sigma = std::sqrt(0.001 / 7.0);
  double const edge = -1.34182451 * std::sqrt(2.0) * sigma * std::sqrt(8.0);
  auto p = constant_model();
  p.monitor({static_cast<float>(0.8 + 0.6 * edge)}, {1.0}, 19800);
  EXPECT_NEAR(p.b.ratio.data()[0], -0.6, 1e-4);
  EXPECT_EQ(p.classes(k::zone_core, 0.5f)[0], k::change_grown);
  EXPECT_EQ(p.classes(k::zone_core, 0.7f)[0], k::change_none);
  EXPECT_EQ(p.classes(k::zone_core, 0.0f)[0], k::change_none);
  auto q = constant_model();
  q.monitor({0.5f}, {1.0}, 19800);
  EXPECT_EQ(q.classes(k::zone_edge, 0.5f)[0], k::change_grown);
  EXPECT_EQ(q.classes(k::zone_edge, 0.0f)[0], k::change_none);
  EXPECT_EQ(q.classes(k::zone_outside, 0.5f)[0], k::change_outside_aoi);
}
