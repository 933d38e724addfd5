// The baseline detector's per-pixel state machine, observation by observation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>

#include "geosweep/kernels/detector.hpp"

namespace k = geosweep::kernels;

namespace {

k::pixel_state baseline_of(std::initializer_list<float> values) {
  k::pixel_state s;
  for (float v : values) s = k::baseline_update_op{}(s, v);
  return s;
}

k::monitor_update_op on(int day) {
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

TEST(Baseline, MeanAndSpreadOfClearObservations) {
  auto const s = baseline_of({0.80f, NAN, 0.84f, 0.82f});
  EXPECT_EQ(s.baseline_count, 3);
  EXPECT_NEAR(s.baseline_mean, 0.82, 1e-6);
  EXPECT_NEAR(s.baseline_m2 / 2, 0.0004, 1e-7);  // sample variance of 0.80, 0.84, 0.82
}

TEST(Monitor, FirstAnomalyIsLowThenConfirmationIsHigh) {
  auto s = baseline_of({0.80f, 0.84f, 0.82f});
  s = on(100)(s, 0.81f);  // normal
  EXPECT_EQ(s.status, k::status_none);
  EXPECT_EQ(s.clear_count, 1);
  s = on(110)(s, 0.20f);  // anomalous: low, dated 110
  EXPECT_EQ(s.status, k::status_low);
  EXPECT_EQ(s.first_anomaly, 110);
  EXPECT_EQ(s.confirmed, k::no_date);
  s = on(120)(s, NAN);  // cloudy: nothing changes, not counted
  EXPECT_EQ(s.status, k::status_low);
  EXPECT_EQ(s.clear_count, 2);
  s = on(130)(s, 0.22f);  // second anomaly confirms
  EXPECT_EQ(s.status, k::status_high);
  EXPECT_EQ(s.first_anomaly, 110);
  EXPECT_EQ(s.confirmed, 130);
  EXPECT_NEAR(s.magnitude(), ((0.82 - 0.20) + (0.82 - 0.22)) / 2, 1e-6);
  s = on(140)(s, 0.81f);  // confirmed stays confirmed
  EXPECT_EQ(s.status, k::status_high);
  EXPECT_EQ(s.clear_count, 4);
}

TEST(Monitor, ClearNormalObservationResetsACandidate) {
  auto s = baseline_of({0.82f, 0.82f});
  s = on(10)(s, 0.3f);
  ASSERT_EQ(s.status, k::status_low);
  s = on(20)(s, 0.8f);
  EXPECT_EQ(s.status, k::status_none);
  EXPECT_EQ(s.first_anomaly, k::no_date);
  EXPECT_TRUE(std::isnan(s.magnitude()));
  EXPECT_EQ(k::state_first_anomaly_op{}(s), k::no_date);
}

TEST(Monitor, ConfirmationOutsideTheWindowStartsANewCandidate) {
  auto s = baseline_of({0.82f});
  s = on(10)(s, 0.3f);
  s = on(200)(s, 0.3f);  // 190 days later: a new candidate, not a confirmation
  EXPECT_EQ(s.status, k::status_low);
  EXPECT_EQ(s.first_anomaly, 200);
  s = on(210)(s, 0.3f);
  EXPECT_EQ(s.status, k::status_high);
  EXPECT_EQ(s.confirmed, 210);
}

TEST(Monitor, OnlyForestWithABaselineCanChange) {
  auto pasture = baseline_of({0.45f, 0.47f});
  pasture = on(10)(pasture, 0.05f);
  EXPECT_EQ(pasture.status, k::status_none);
  k::pixel_state no_baseline;
  no_baseline = on(10)(no_baseline, 0.05f);
  EXPECT_EQ(no_baseline.status, k::status_none);
  EXPECT_EQ(k::state_class_op{}(no_baseline, 0.05f, 1), k::change_no_data);
  EXPECT_EQ(k::state_class_op{}(no_baseline, 0.05f, 0), k::change_outside_aoi);
}

TEST(Monitor, DropMustExceedTheThresholdAndTheSpread) {
  auto s = baseline_of({0.82f, 0.82f});
  EXPECT_FALSE(on(1).is_anomalous(s, 0.58f));       // 0.24 < drop
  EXPECT_TRUE(on(1).is_anomalous(s, 0.56f));        // 0.26
  auto noisy = baseline_of({0.60f, 1.00f, 0.80f});  // std 0.2: 3 sigma = 0.6
  EXPECT_FALSE(on(1).is_anomalous(noisy, 0.4f));    // drop 0.4 < 0.6
  EXPECT_TRUE(on(1).is_anomalous(noisy, 0.15f));
}

TEST(Monitor, ConfirmOfOneIsImmediatelyHigh) {
  auto op = on(50);
  op.confirm = 1;
  auto s = op(baseline_of({0.8f}), 0.2f);
  EXPECT_EQ(s.status, k::status_high);
  EXPECT_EQ(s.first_anomaly, 50);
  EXPECT_EQ(s.confirmed, 50);
}

TEST(PixelState, IsCompactAndTriviallyCopyable) {
  EXPECT_EQ(sizeof(k::pixel_state), 32u);
  EXPECT_TRUE(std::is_trivially_copyable_v<k::pixel_state>);
}

TEST(PixelState, NansFromInfiniteLooksAreTheNodataNan) {
  // A +inf look makes the Welford update compute inf - inf: the state must hold 0x7fc00000,
  // the NaN both backends write, not the CPU's 0xffc00000.
  volatile float const infinity = std::numeric_limits<float>::infinity();  // not folded
  float const inf = infinity;
  auto const bits = [](float v) {
    std::uint32_t b = 0;
    std::memcpy(&b, &v, sizeof b);
    return b;
  };
  k::pixel_state s = k::baseline_update_op{}(k::pixel_state{}, 0.8f);
  s = k::baseline_update_op{}(s, inf);
  EXPECT_EQ(bits(s.baseline_mean), 0x7f800000u);  // the mean is +inf
  EXPECT_EQ(bits(s.baseline_m2), 0x7fc00000u);    // inf * (inf - inf)
  k::pixel_state m = k::baseline_update_op{}(k::pixel_state{}, inf);
  k::monitor_update_op const monitor{};
  m = monitor(m, 0.1f);  // fall = inf: anomalous, magnitude sum inf
  m = monitor(m, -inf);  // then inf + inf: still inf; confirmed
  EXPECT_EQ(m.status, k::status_high);
  EXPECT_EQ(bits(m.magnitude()), 0x7f800000u);
  k::pixel_state n = k::baseline_update_op{}(k::pixel_state{}, inf);
  n.anomaly_count = 1;
  n.magnitude_sum = inf - inf;  // a NaN of the CPU's own pattern in the sum
  EXPECT_EQ(bits(n.magnitude()), 0x7fc00000u);
}
