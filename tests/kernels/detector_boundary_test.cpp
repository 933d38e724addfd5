// Every threshold and window of the per-pixel detectors (kernels/detector.hpp, change.hpp)
// tested on it, one float32 ulp inside and one outside, so that a comparison moved across its
// boundary (`<` for `<=`, `>` for `>=`) or a population variance for the sample one fails here.
//
// The comparisons run in float32: fall = mean - value, fall < drop, k_sigma * sqrt(variance).
// Every value on a boundary below is a short binary fraction (0.75, 0.5, 0.25, 0.375, ...)
// whose float32 arithmetic is exact, so "on the boundary" really is on it; each comment says
// why. The neighbours are std::nextafter of those values, and each comment shows that their
// differences are exact too (the result is a multiple of the ulp of its binade).
//
// Dates are days since 1970-01-01, written as literals next to their ISO date (computed with
// Python's datetime, not with the production date function).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/detector.hpp"

namespace k = geosweep::kernels;

namespace {

// 2024-06-04 and the days 90 and 91 after it (python3: date(2024,6,4) - date(1970,1,1)).
constexpr std::int32_t k2024_06_04 = 19878;
constexpr std::int32_t k2024_09_02 = 19968;  // 2024-06-04 + 90 days
constexpr std::int32_t k2024_09_03 = 19969;  // 2024-06-04 + 91 days
constexpr std::int32_t k2024_06_14 = 19888;
constexpr std::int32_t k2024_06_24 = 19898;

float up(float x) {
  return std::nextafter(x, 2.0f);
}
float down(float x) {
  return std::nextafter(x, -2.0f);
}

k::pixel_state baseline_of(std::initializer_list<float> values) {
  k::pixel_state s;
  for (float v : values) s = k::baseline_update_op{}(s, v);
  return s;
}

/// The default settings, written out (a new default must not change what these tests mean).
k::monitor_update_op on(std::int32_t day) {
  k::monitor_update_op op;
  op.date = day;
  op.drop = 0.25f;
  op.k_sigma = 3.0f;
  op.forest_min = 0.6f;
  op.confirm = 2;
  op.window_days = 90;
  return op;
}

}  // namespace

// ---- forest_min: forest when the baseline mean >= forest_min.

TEST(DetectorBoundary, ForestMinIsForestOnTheBoundaryAndNotOneUlpBelow) {
  // One baseline look: Welford's mean is 0 + (v - 0) / 1 = v exactly, and with one look only
  // `drop` applies. forest_min 0.75; the look at 0.25 falls by 0.5 or so, far over drop 0.25.
  auto op = on(k2024_06_04);
  op.forest_min = 0.75f;
  EXPECT_EQ(baseline_of({0.75f}).baseline_mean, 0.75f);
  EXPECT_TRUE(op.is_anomalous(baseline_of({0.75f}), 0.25f));         // mean == forest_min
  EXPECT_TRUE(op.is_anomalous(baseline_of({up(0.75f)}), 0.25f));     // one ulp above
  EXPECT_FALSE(op.is_anomalous(baseline_of({down(0.75f)}), 0.25f));  // one ulp below
  // The same through the state machine: a low candidate, or nothing.
  EXPECT_EQ(op(baseline_of({0.75f}), 0.25f).status, k::status_low);
  EXPECT_EQ(op(baseline_of({down(0.75f)}), 0.25f).status, k::status_none);
}

TEST(DetectorBoundary, DefaultForestMinOfPointSixIsTheFloatOfPointSix) {
  // 0.6 is not a binary fraction: the boundary is the float nearest 0.6, as the pipeline
  // passes static_cast<float>(0.6).
  auto const op = on(k2024_06_04);
  EXPECT_TRUE(op.is_anomalous(baseline_of({0.6f}), 0.1f));
  EXPECT_FALSE(op.is_anomalous(baseline_of({down(0.6f)}), 0.1f));
}

// ---- drop: anomalous when mean - value >= drop.

TEST(DetectorBoundary, DropIsAnomalousOnTheBoundaryAndNotOneUlpShort) {
  // Mean 0.75 (one look), drop 0.25: the look 0.5 falls by 0.75 - 0.5 = 0.25 exactly.
  auto const s = baseline_of({0.75f});
  auto const op = on(k2024_06_04);
  EXPECT_EQ(s.baseline_mean - 0.5f, 0.25f);
  EXPECT_TRUE(op.is_anomalous(s, 0.5f));  // fall == drop
  // up(0.5) = 0.5 + 2^-24: the fall is 0.25 - 2^-24, exact (ulp 2^-26 in [0.125, 0.25)),
  // one step short of drop.
  EXPECT_EQ(s.baseline_mean - up(0.5f), 0.25f - 0x1p-24f);
  EXPECT_FALSE(op.is_anomalous(s, up(0.5f)));
  // down(0.5) = 0.5 - 2^-25: the fall is 0.25 + 2^-25, exact (ulp 2^-25 in [0.25, 0.5)).
  EXPECT_EQ(s.baseline_mean - down(0.5f), 0.25f + 0x1p-25f);
  EXPECT_TRUE(op.is_anomalous(s, down(0.5f)));
  // Through the state machine: a candidate dated that day, magnitude the fall.
  auto const low = op(s, 0.5f);
  EXPECT_EQ(low.status, k::status_low);
  EXPECT_EQ(low.first_anomaly, k2024_06_04);
  EXPECT_EQ(low.magnitude(), 0.25f);
  EXPECT_EQ(op(s, up(0.5f)).status, k::status_none);
}

TEST(DetectorBoundary, AnotherDropOnItsBoundary) {
  // drop 0.375, mean 0.875, look 0.5: fall 0.375 exactly; the spread is 0 (two equal looks),
  // so k_sigma * 0 = 0 does not bind.
  auto const s = baseline_of({0.875f, 0.875f});
  EXPECT_EQ(s.baseline_m2, 0.0f);
  auto op = on(k2024_06_04);
  op.drop = 0.375f;
  EXPECT_TRUE(op.is_anomalous(s, 0.5f));
  EXPECT_FALSE(op.is_anomalous(s, up(0.5f)));  // fall 0.375 - 2^-24: exact, one ulp short
  EXPECT_TRUE(op.is_anomalous(s, down(0.5f)));
}

// ---- k_sigma: anomalous when the fall >= k_sigma * (sample standard deviation).

// Baseline looks 0.625, 0.75, 0.875. Welford in float32, every step exact:
//   1: mean 0.625, m2 0
//   2: delta 0.125, mean 0.6875, m2 0.125 * (0.75 - 0.6875) = 0.0078125
//   3: delta 0.1875, mean 0.6875 + 0.1875 / 3 = 0.75, m2 += 0.1875 * 0.125 -> 0.03125
// Sample variance 0.03125 / 2 = 0.015625, sd 0.125 (exact square root); 3 sd = 0.375.
// Population variance 0.03125 / 3, sd 0.10206..., 3 sd = 0.30619 (numpy: 3 * np.std(x)).
k::pixel_state spread_baseline() {
  return baseline_of({0.625f, 0.75f, 0.875f});
}

TEST(DetectorBoundary, SpreadBaselineIsExact) {
  auto const s = spread_baseline();
  EXPECT_EQ(s.baseline_count, 3);
  EXPECT_EQ(s.baseline_mean, 0.75f);
  EXPECT_EQ(s.baseline_m2, 0.03125f);
}

TEST(DetectorBoundary, KSigmaIsAnomalousOnTheBoundaryAndNotOneUlpShort) {
  // drop 0.0625 so that only k_sigma binds. Look 0.375: fall 0.75 - 0.375 = 0.375 = 3 * 0.125.
  auto const s = spread_baseline();
  auto op = on(k2024_06_04);
  op.drop = 0.0625f;
  EXPECT_TRUE(op.is_anomalous(s, 0.375f));  // fall == k_sigma * sd
  // up(0.375) = 0.375 + 2^-25: fall 0.375 - 2^-25, exact (ulp 2^-25 in [0.25, 0.5)).
  EXPECT_EQ(s.baseline_mean - up(0.375f), 0.375f - 0x1p-25f);
  EXPECT_FALSE(op.is_anomalous(s, up(0.375f)));
  // down(0.375): fall 0.375 + 2^-25, exact.
  EXPECT_TRUE(op.is_anomalous(s, down(0.375f)));
}

TEST(DetectorBoundary, KSigmaOfTwoOnItsBoundary) {
  // k_sigma 2: 2 * 0.125 = 0.25; look 0.5 falls 0.25 exactly (drop 0.0625 does not bind).
  auto const s = spread_baseline();
  auto op = on(k2024_06_04);
  op.drop = 0.0625f;
  op.k_sigma = 2.0f;
  EXPECT_TRUE(op.is_anomalous(s, 0.5f));
  EXPECT_FALSE(op.is_anomalous(s, up(0.5f)));  // fall 0.25 - 2^-24, exact
}

TEST(DetectorBoundary, SpreadIsTheSampleNotThePopulationStandardDeviation) {
  // A fall of 0.34 lies between 3 population sd (0.306) and 3 sample sd (0.375): not
  // anomalous with the sample sd, anomalous with the population one.
  auto const s = spread_baseline();
  auto op = on(k2024_06_04);
  op.drop = 0.0625f;
  EXPECT_FALSE(op.is_anomalous(s, 0.75f - 0.34f));
  EXPECT_FALSE(op.is_anomalous(s, 0.75f - 0.31f));  // just over 3 population sd
  EXPECT_TRUE(op.is_anomalous(s, 0.75f - 0.38f));   // just over 3 sample sd
  // Two looks 0.5 and 1.0: mean 0.75, m2 0.125 (exact), sample variance 0.125 (sd 0.35355),
  // population variance 0.0625 (sd 0.25). With k_sigma 1 and drop 0.0625 a fall of 0.3 is
  // anomalous only with the population sd.
  auto const two = baseline_of({0.5f, 1.0f});
  EXPECT_EQ(two.baseline_mean, 0.75f);
  EXPECT_EQ(two.baseline_m2, 0.125f);
  op.k_sigma = 1.0f;
  EXPECT_FALSE(op.is_anomalous(two, 0.45f));  // fall 0.3 < 0.3536
  EXPECT_TRUE(op.is_anomalous(two, 0.375f));  // fall 0.375 >= 0.3536
}

TEST(DetectorBoundary, OneBaselineLookHasNoSpreadToMeet) {
  // With a single baseline look only drop applies, whatever k_sigma.
  auto op = on(k2024_06_04);
  op.k_sigma = 1000.0f;
  EXPECT_TRUE(op.is_anomalous(baseline_of({0.75f}), 0.5f));
  // Two looks: k_sigma applies (sd of 0.5, 1.0 is 0.354; 1000 sd is never reached).
  EXPECT_FALSE(op.is_anomalous(baseline_of({0.5f, 1.0f}), 0.0f));
}

// ---- window_days: a confirming anomaly at most window_days after the first.

TEST(DetectorBoundary, ConfirmationExactlyWindowDaysLaterConfirms) {
  // First anomaly 2024-06-04 (day 19878), the second 2024-09-02 (day 19968): 90 days.
  auto const s = baseline_of({0.75f});
  auto state = on(k2024_06_04)(s, 0.25f);
  ASSERT_EQ(state.status, k::status_low);
  state = on(k2024_09_02)(state, 0.25f);
  EXPECT_EQ(state.status, k::status_high);
  EXPECT_EQ(state.first_anomaly, k2024_06_04);
  EXPECT_EQ(state.confirmed, k2024_09_02);
  EXPECT_EQ(state.anomaly_count, 2);
  EXPECT_EQ(state.magnitude(), 0.5f);
}

TEST(DetectorBoundary, AnomalyWindowDaysPlusOneLaterStartsANewCandidate) {
  // 2024-09-03 (day 19969) is 91 days after 2024-06-04: the window has run out.
  auto const s = baseline_of({0.75f});
  auto state = on(k2024_06_04)(s, 0.25f);
  state = on(k2024_09_03)(state, 0.375f);  // fall 0.375 (exact): anomalous
  EXPECT_EQ(state.status, k::status_low);
  EXPECT_EQ(state.first_anomaly, k2024_09_03);
  EXPECT_EQ(state.confirmed, k::no_date);
  EXPECT_EQ(state.anomaly_count, 1);
  EXPECT_EQ(state.magnitude(), 0.375f);  // the old candidate's fall (0.5) is forgotten
}

TEST(DetectorBoundary, ShortWindowOnAndOverItsBoundary) {
  // window_days 20: 2024-06-04 then 2024-06-24 (day 19898, 20 days) confirms; a third
  // pixel's 2024-06-04 then 2024-06-24 with window 19 does not.
  auto const s = baseline_of({0.75f});
  auto op = on(k2024_06_04);
  op.window_days = 20;
  auto later = on(k2024_06_24);
  later.window_days = 20;
  EXPECT_EQ(later(op(s, 0.25f), 0.25f).status, k::status_high);
  op.window_days = later.window_days = 19;
  auto const restarted = later(op(s, 0.25f), 0.25f);
  EXPECT_EQ(restarted.status, k::status_low);
  EXPECT_EQ(restarted.first_anomaly, k2024_06_24);
}

// ---- confirm: high once anomaly_count >= confirm.

TEST(DetectorBoundary, ConfirmOfThreeNeedsTheThirdAnomaly) {
  auto const s = baseline_of({0.75f});
  auto op = [](std::int32_t day) {
    auto o = on(day);
    o.confirm = 3;
    return o;
  };
  auto state = op(k2024_06_04)(s, 0.25f);
  state = op(k2024_06_14)(state, 0.25f);
  EXPECT_EQ(state.status, k::status_low);  // two of three
  EXPECT_EQ(state.anomaly_count, 2);
  state = op(k2024_06_24)(state, 0.25f);
  EXPECT_EQ(state.status, k::status_high);  // the third confirms, dated that day
  EXPECT_EQ(state.first_anomaly, k2024_06_04);
  EXPECT_EQ(state.confirmed, k2024_06_24);
}

// ---- bitemporal: loss when before >= forest_min and before - after >= drop.

TEST(BitemporalBoundary, DropOnTheBoundaryIsLossAndOneUlpShortIsNot) {
  k::bitemporal_change_op const op{0.25f, 0.6f};
  EXPECT_EQ(op(0.75f, 0.5f, 1), k::change_high);        // 0.75 - 0.5 = 0.25 exactly
  EXPECT_EQ(op(0.75f, up(0.5f), 1), k::change_none);    // 0.25 - 2^-24, exact
  EXPECT_EQ(op(0.75f, down(0.5f), 1), k::change_high);  // 0.25 + 2^-25, exact
}

TEST(BitemporalBoundary, ForestMinOnTheBoundaryIsForestAndOneUlpBelowIsNot) {
  k::bitemporal_change_op const op{0.25f, 0.75f};
  EXPECT_EQ(op(0.75f, 0.0f, 1), k::change_high);
  EXPECT_EQ(op(up(0.75f), 0.0f, 1), k::change_high);
  EXPECT_EQ(op(down(0.75f), 0.0f, 1), k::change_none);
}

TEST(BitemporalBoundary, NoDataAndOutsideComeFirst) {
  k::bitemporal_change_op const op{0.25f, 0.6f};
  EXPECT_EQ(op(0.75f, 0.5f, 0), k::change_outside_aoi);
  EXPECT_EQ(op(k::nodata_f32(), 0.5f, 1), k::change_no_data);
  EXPECT_EQ(op(0.75f, k::nodata_f32(), 1), k::change_no_data);
}
