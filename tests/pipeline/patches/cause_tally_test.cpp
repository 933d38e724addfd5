// A patch's cause from its pixels' evidence (patches/cause_tally.hpp): each share on its
// boundary and one pixel either side, the order of the rules, and the burn severity of the
// median char pixel. Counts of 100 pixels make every share a whole percentage.
#include <gtest/gtest.h>

#include <initializer_list>
#include <utility>

#include "geosweep/kernels/cause.hpp"
#include "patches/cause_tally.hpp"

namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;

namespace {

gp::decided_cause decide(std::initializer_list<std::pair<int, std::int64_t>> counts) {
  gp::cause_tally t;
  for (auto [e, n] : counts)
    for (std::int64_t i = 0; i < n; ++i) t.add(static_cast<std::uint8_t>(e));
  return gp::decide_cause(t);
}

gp::alert_cause cause(std::initializer_list<std::pair<int, std::int64_t>> counts) {
  return decide(counts).cause;
}

}  // namespace

TEST(CauseTally, UnknownWhenFewerThanHalfHaveEvidence) {
  EXPECT_EQ(cause({}), gp::alert_cause::unknown);
  EXPECT_EQ(cause({{k::evidence_bare, 50}, {k::evidence_unknown, 51}}), gp::alert_cause::unknown);
  EXPECT_EQ(cause({{k::evidence_bare, 50}, {k::evidence_unknown, 50}}), gp::alert_cause::clearing);
}

TEST(CauseTally, MiningIsTenPercentWaterAndTenPercentBare) {
  EXPECT_EQ(cause({{k::evidence_water, 10}, {k::evidence_bare, 10}, {k::evidence_other, 80}}),
            gp::alert_cause::mining);
  EXPECT_EQ(cause({{k::evidence_water, 9}, {k::evidence_bare, 10}, {k::evidence_other, 81}}),
            gp::alert_cause::other);  // 19 % lost
  EXPECT_EQ(cause({{k::evidence_water, 10}, {k::evidence_bare, 9}, {k::evidence_slash, 81}}),
            gp::alert_cause::clearing);
  // Unknown pixels do not count in the shares.
  EXPECT_EQ(cause({{k::evidence_water, 10},
                   {k::evidence_bare, 10},
                   {k::evidence_other, 80},
                   {k::evidence_unknown, 60}}),
            gp::alert_cause::mining);
}

TEST(CauseTally, FloodingIsHalfWaterWithoutBareSoil) {
  EXPECT_EQ(cause({{k::evidence_water, 50}, {k::evidence_slash, 50}}), gp::alert_cause::flooding);
  EXPECT_EQ(cause({{k::evidence_water, 49}, {k::evidence_slash, 51}}), gp::alert_cause::clearing);
  EXPECT_EQ(cause({{k::evidence_water, 50}, {k::evidence_bare, 9}, {k::evidence_other, 41}}),
            gp::alert_cause::flooding);
  EXPECT_EQ(cause({{k::evidence_water, 50}, {k::evidence_bare, 10}, {k::evidence_other, 40}}),
            gp::alert_cause::mining);
}

TEST(CauseTally, BurnIsHalfChar) {
  EXPECT_EQ(cause({{k::evidence_burn_high, 50}, {k::evidence_other, 50}}), gp::alert_cause::burn);
  EXPECT_EQ(cause({{k::evidence_burn_high, 49}, {k::evidence_other, 51}}), gp::alert_cause::other);
  EXPECT_EQ(cause({{k::evidence_burn_high, 49}, {k::evidence_slash, 1}, {k::evidence_other, 50}}),
            gp::alert_cause::clearing);
}

TEST(CauseTally, ClearingIsHalfTheVegetationLost) {
  EXPECT_EQ(cause({{k::evidence_slash, 50}, {k::evidence_other, 50}}), gp::alert_cause::clearing);
  EXPECT_EQ(cause({{k::evidence_slash, 49}, {k::evidence_other, 51}}), gp::alert_cause::other);
}

TEST(CauseTally, SeverityOfTheMedianCharPixel) {
  auto const severity = [](std::int64_t ml, std::int64_t mh, std::int64_t h) {
    return decide({{k::evidence_burn_moderate_low, ml},
                   {k::evidence_burn_moderate_high, mh},
                   {k::evidence_burn_high, h}})
        .severity;
  };
  EXPECT_EQ(severity(2, 1, 0), gp::burn_severity::moderate_low);   // ml ml | mh
  EXPECT_EQ(severity(1, 2, 0), gp::burn_severity::moderate_high);  // ml mh | mh
  EXPECT_EQ(severity(1, 1, 2), gp::burn_severity::moderate_high);  // ml mh | h h
  EXPECT_EQ(severity(1, 0, 2), gp::burn_severity::high);           // ml h | h
  EXPECT_EQ(severity(0, 0, 1), gp::burn_severity::high);
  EXPECT_FALSE(decide({{k::evidence_bare, 3}}).severity);
}
