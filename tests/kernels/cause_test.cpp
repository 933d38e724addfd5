// The per-pixel cause evidence (kernels/cause.hpp): every threshold on its boundary, one
// float32 ulp inside and one outside, the precedence of the classes, and NaN in any input.
// The boundary values are the thresholds themselves, reached exactly: dNBR = nbr_before - 0,
// so nbr_before = 0.27f gives a dNBR of exactly 0.27f.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>

#include "geosweep/kernels/cause.hpp"

namespace k = geosweep::kernels;

namespace {

float below(float v) {
  return std::nextafter(v, -std::numeric_limits<float>::infinity());
}
float above(float v) {
  return std::nextafter(v, std::numeric_limits<float>::infinity());
}

/// The op's inputs; by default a forest pixel that burnt to char: dNBR 0.98 (NBR 0.62 to
/// -0.36), dark (red 0.05), SWIR2 up (0.07 to 0.19), dry (MNDWI -0.5 to -0.6), BSI 0.29.
struct look {
  float nbr_before = 0.62f, nbr_after = -0.36f;
  float mndwi_before = -0.5f, mndwi_after = -0.6f;
  float bsi_after = 0.29f, red_after = 0.05f;
  float swir2_before = 0.07f, swir2_after = 0.19f;
};

std::uint8_t evidence(look const& l) {
  return k::cause_evidence_op{}(l.nbr_before, l.nbr_after, l.mndwi_before, l.mndwi_after,
                                l.bsi_after, l.red_after, l.swir2_before, l.swir2_after);
}

/// Bare soil after a clearing: bright (red 0.16), BSI 0.19, NBR 0.62 to -0.08.
look bare_soil() {
  look l;
  l.nbr_after = -0.08f;
  l.red_after = 0.16f;
  l.bsi_after = 0.19f;
  l.swir2_after = 0.26f;
  return l;
}

}  // namespace

TEST(CauseEvidence, TheSignaturesOfTheLiterature) {
  EXPECT_EQ(evidence(look{}), k::evidence_burn_high);
  EXPECT_EQ(evidence(bare_soil()), k::evidence_bare);
  look water = bare_soil();  // turbid water: MNDWI 0.57
  water.mndwi_after = 0.57f;
  EXPECT_EQ(evidence(water), k::evidence_water);
  look slash = bare_soil();  // vegetation lost, soil not bare (BSI -0.1)
  slash.bsi_after = -0.1f;
  EXPECT_EQ(evidence(slash), k::evidence_slash);
  look same = bare_soil();  // no fall of the burn ratio at all
  same.nbr_after = same.nbr_before;
  EXPECT_EQ(evidence(same), k::evidence_other);
}

TEST(CauseEvidence, BurnNeedsAFiremonModerateDnbrOnItsBoundary) {
  look l;
  l.nbr_after = 0.0f;
  l.nbr_before = 0.27f;  // dNBR exactly 0.27
  EXPECT_EQ(evidence(l), k::evidence_burn_moderate_low);
  l.nbr_before = above(0.27f);
  EXPECT_EQ(evidence(l), k::evidence_burn_moderate_low);
  l.nbr_before = below(0.27f);  // FIREMON's low severity: a loss, not char (BSI 0.29 > 0.1)
  EXPECT_EQ(evidence(l), k::evidence_bare);
}

TEST(CauseEvidence, SeverityClassesSplitAt044And066) {
  look l;
  l.nbr_after = 0.0f;
  l.nbr_before = below(0.44f);
  EXPECT_EQ(evidence(l), k::evidence_burn_moderate_low);
  l.nbr_before = 0.44f;
  EXPECT_EQ(evidence(l), k::evidence_burn_moderate_high);
  l.nbr_before = below(0.66f);
  EXPECT_EQ(evidence(l), k::evidence_burn_moderate_high);
  l.nbr_before = 0.66f;
  EXPECT_EQ(evidence(l), k::evidence_burn_high);
}

TEST(CauseEvidence, CharIsDarkerThan008InRed) {
  look l;
  l.red_after = below(0.08f);
  EXPECT_EQ(evidence(l), k::evidence_burn_high);
  l.red_after = 0.08f;  // not dark enough: bare (BSI 0.29)
  EXPECT_EQ(evidence(l), k::evidence_bare);
}

TEST(CauseEvidence, CharNeedsASwir2Rise) {
  look l;
  l.swir2_after = above(l.swir2_before);
  EXPECT_EQ(evidence(l), k::evidence_burn_high);
  l.swir2_after = l.swir2_before;
  EXPECT_EQ(evidence(l), k::evidence_bare);
}

TEST(CauseEvidence, BareSoilIsAboveBsi01) {
  look l = bare_soil();
  l.bsi_after = above(0.1f);
  EXPECT_EQ(evidence(l), k::evidence_bare);
  l.bsi_after = 0.1f;
  EXPECT_EQ(evidence(l), k::evidence_slash);
}

TEST(CauseEvidence, LossIsADnbrOfAtLeast01) {
  look l = bare_soil();
  l.bsi_after = 0.0f;
  l.nbr_after = 0.0f;
  l.nbr_before = 0.1f;
  EXPECT_EQ(evidence(l), k::evidence_slash);
  l.nbr_before = below(0.1f);
  EXPECT_EQ(evidence(l), k::evidence_other);
  l.bsi_after = 0.5f;  // bright ground without a fall of the burn ratio is no clearing
  EXPECT_EQ(evidence(l), k::evidence_other);
}

TEST(CauseEvidence, NewWaterIsMndwiAboveZeroWhereItWasNot) {
  look l = bare_soil();
  l.mndwi_after = above(0.0f);
  EXPECT_EQ(evidence(l), k::evidence_water);
  l.mndwi_after = 0.0f;
  EXPECT_EQ(evidence(l), k::evidence_bare);
  l.mndwi_after = 0.5f;
  l.mndwi_before = 0.0f;  // not water before
  EXPECT_EQ(evidence(l), k::evidence_water);
  l.mndwi_before = above(0.0f);  // water before and after: a river, no new water
  EXPECT_EQ(evidence(l), k::evidence_bare);
}

TEST(CauseEvidence, WaterComesBeforeCharAndCharBeforeBareSoil) {
  look l;  // char with BSI 0.29: char wins over bare soil
  EXPECT_EQ(evidence(l), k::evidence_burn_high);
  l.mndwi_after = 0.3f;  // dark new water with a dNBR of 0.98: water
  EXPECT_EQ(evidence(l), k::evidence_water);
}

TEST(CauseEvidence, AnyMissingInputIsUnknown) {
  float const nan = std::numeric_limits<float>::quiet_NaN();
  for (int i = 0; i < 8; ++i) {
    look l;
    float* fields[] = {&l.nbr_before, &l.nbr_after, &l.mndwi_before, &l.mndwi_after,
                       &l.bsi_after,  &l.red_after, &l.swir2_before, &l.swir2_after};
    *fields[i] = nan;
    EXPECT_EQ(evidence(l), k::evidence_unknown) << "input " << i;
  }
}

TEST(CausePixel, EvidenceOnChangedPixelsOnly) {
  k::cause_pixel_op const op;
  for (std::uint8_t c : {k::change_low, k::change_high, k::change_grown})
    EXPECT_EQ(op(c, k::evidence_water), k::evidence_water) << int{c};
  for (std::uint8_t c : {k::change_none, k::change_no_data, k::change_no_model})
    EXPECT_EQ(op(c, k::evidence_water), k::evidence_no_change) << int{c};
  EXPECT_EQ(op(k::change_outside_aoi, k::evidence_bare), k::evidence_outside_aoi);
}
