// Radiometry, quality masks and index functors against hand-computed values, and the CPU
// transform against a plain loop.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/indices.hpp"
#include "geosweep/kernels/transform.hpp"

namespace k = geosweep::kernels;
using k::index_kind;

namespace {
float index2(index_kind kind, float a, float b) {
  return k::spectral_index_op{kind}(a, b);
}
}  // namespace

TEST(Reflectance, Sentinel2BoaOffset) {
  k::reflectance_op const s2{-1000.0f, 10000.0f};
  EXPECT_FLOAT_EQ(s2(4000), 0.3f);  // (4000 - 1000) / 10000
  EXPECT_FLOAT_EQ(s2(1000), 0.0f);
  EXPECT_FLOAT_EQ(s2(500), -0.05f);    // negative reflectance is kept, not clamped
  EXPECT_TRUE(std::isnan(s2(0)));      // DN 0 is no data
  EXPECT_TRUE(std::isnan(s2(65535)));  // saturated
  EXPECT_FLOAT_EQ(s2(4000, 1), 0.3f);
  EXPECT_TRUE(std::isnan(s2(4000, 0)));  // not clear
}

TEST(Reflectance, ScaleAndOffsetOfLandsatCollection2) {
  k::reflectance_op landsat;
  landsat.scale = 0.0000275f;
  landsat.offset = -0.2f;
  landsat.nodata = 0;
  EXPECT_NEAR(landsat(20000), 20000 * 0.0000275 - 0.2, 1e-6);
  EXPECT_TRUE(std::isnan(landsat(0)));
  landsat.has_nodata = false;
  EXPECT_FLOAT_EQ(landsat(0), -0.2f);
}

TEST(QualityMasks, Sentinel2SclClasses) {
  k::class_is_clear_op const scl{(1u << 4) | (1u << 5) | (1u << 6) | (1u << 7)};
  for (std::uint16_t cls : {4, 5, 6, 7}) EXPECT_EQ(scl(cls), 1) << cls;
  for (std::uint16_t cls : {0, 1, 2, 3, 8, 9, 10, 11, 40, 65535}) EXPECT_EQ(scl(cls), 0) << cls;
}

TEST(QualityMasks, LandsatQaPixelBits) {
  k::bits_are_clear_op const qa{0x3F, 0};
  EXPECT_EQ(qa(21824), 1);   // 0b0101010101000000: clear land, low confidences
  EXPECT_EQ(qa(21952), 1);   // water bit (7) set: still clear
  EXPECT_EQ(qa(1), 0);       // fill
  EXPECT_EQ(qa(22280), 0);   // cloud (bit 3)
  EXPECT_EQ(qa(23888), 0);   // cloud shadow (bit 4)
  EXPECT_EQ(qa(1 << 5), 0);  // snow
  k::bits_are_clear_op const need_clear_bit{0, 1 << 6};
  EXPECT_EQ(need_clear_bit(1 << 6), 1);
  EXPECT_EQ(need_clear_bit(0), 0);
}

TEST(NormalizedDifference, HandComputedValues) {
  k::normalized_difference_op const nd;
  EXPECT_FLOAT_EQ(nd(0.30f, 0.03f), 0.27f / 0.33f);  // dense forest NDVI ~0.818
  EXPECT_FLOAT_EQ(nd(0.22f, 0.16f), 0.06f / 0.38f);
  EXPECT_FLOAT_EQ(nd(0.1f, 0.1f), 0.0f);
  EXPECT_FLOAT_EQ(nd(0.0f, 0.2f), -1.0f);
}

TEST(NormalizedDifference, NodataZeroDenominatorAndClamp) {
  k::normalized_difference_op const nd;
  EXPECT_TRUE(std::isnan(nd(NAN, 0.1f)));
  EXPECT_TRUE(std::isnan(nd(0.1f, NAN)));
  EXPECT_TRUE(std::isnan(nd(0.0f, 0.0f)));
  EXPECT_TRUE(std::isnan(nd(0.05f, -0.05f)));  // denominator zero from negative reflectance
  EXPECT_FLOAT_EQ(nd(0.2f, -0.05f), 1.0f);     // (0.25 / 0.15) clamped to 1
  EXPECT_FLOAT_EQ(nd(-0.05f, 0.2f), -1.0f);
}

TEST(SpectralIndices, TwoBandIndicesAreNormalizedDifferences) {
  for (auto kind : {index_kind::ndvi, index_kind::nbr, index_kind::nbr2, index_kind::ndmi,
                    index_kind::ndwi, index_kind::mndwi}) {
    EXPECT_FLOAT_EQ(index2(kind, 0.30f, 0.10f), 0.5f);
    EXPECT_TRUE(std::isnan(index2(kind, 0.0f, 0.0f)));
  }
}

TEST(SpectralIndices, SaviAndMsaviByHand) {
  // SAVI = 1.5 (0.30 - 0.05) / (0.30 + 0.05 + 0.5) = 0.375 / 0.85
  EXPECT_NEAR(index2(index_kind::savi, 0.30f, 0.05f), 0.375 / 0.85, 1e-7);
  EXPECT_TRUE(std::isnan(index2(index_kind::savi, -0.25f, -0.25f)));  // zero denominator
  // MSAVI: t = 1.6, (1.6 - sqrt(2.56 - 2.0)) / 2
  EXPECT_NEAR(index2(index_kind::msavi, 0.30f, 0.05f), (1.6 - std::sqrt(0.56)) / 2, 1e-6);
  // MSAVI equals NDVI-like 0 when nir == red and is NaN for a negative radicand.
  EXPECT_FLOAT_EQ(index2(index_kind::msavi, 0.2f, 0.2f), 0.0f);
  EXPECT_TRUE(std::isnan(index2(index_kind::msavi, 0.5f, -0.2f)));
}

TEST(SpectralIndices, EviAndBsiByHand) {
  k::spectral_index_op const evi{index_kind::evi};
  // 2.5 (0.30 - 0.03) / (0.30 + 0.18 - 0.1875 + 1) = 0.675 / 1.2925
  EXPECT_NEAR(evi(0.30f, 0.03f, 0.025f), 0.675 / 1.2925, 1e-6);
  EXPECT_TRUE(std::isnan(evi(NAN, 0.03f, 0.025f)));
  EXPECT_TRUE(std::isnan(evi(0.0f, 0.0f, 1.0f / 7.5f)));  // zero denominator
  k::spectral_index_op const bsi{index_kind::bsi};
  // ((0.30 + 0.16) - (0.22 + 0.10)) / ((0.30 + 0.16) + (0.22 + 0.10)) = 0.14 / 0.78
  EXPECT_NEAR(bsi(0.30f, 0.16f, 0.22f, 0.10f), 0.14 / 0.78, 1e-6);
  EXPECT_TRUE(std::isnan(bsi(0.3f, 0.16f, NAN, 0.1f)));
}

TEST(LatestClear, KeepsThePreviousValueUnderNodata) {
  k::latest_clear_op const fold;
  EXPECT_FLOAT_EQ(fold(0.8f, 0.2f), 0.2f);
  EXPECT_FLOAT_EQ(fold(0.8f, NAN), 0.8f);
  EXPECT_TRUE(std::isnan(fold(NAN, NAN)));
}

TEST(LatestClear, TheDayOfTheLookFollowsTheCompositeDateByDate) {
  // Three dates (days 19513, 19528, 19543) of one pixel: clear, cloudy, clear; and of another:
  // clear, clear, cloudy. Folding in date order leaves the day of the last clear look.
  std::array<float, 3> const days{19513.0f, 19528.0f, 19543.0f};
  std::array<std::array<float, 3>, 2> const looks{{{0.8f, NAN, 0.7f}, {0.6f, 0.5f, NAN}}};
  std::array<float, 2> const want{19543.0f, 19528.0f};
  for (std::size_t p = 0; p < 2; ++p) {
    float day = NAN;
    for (std::size_t d = 0; d < 3; ++d)
      day = k::latest_clear_date_op<float>{days[d]}(day, looks[p][d]);
    EXPECT_EQ(day, want[p]) << p;
  }
  EXPECT_TRUE(std::isnan(k::latest_clear_date_op<float>{19513.0f}(NAN, NAN)));  // never clear
  // Day numbers to the year 45000 are exact in float (below 2^24).
  EXPECT_EQ(static_cast<int>(k::latest_clear_date_op<float>{16777215.0f}(NAN, 0.1f)), 16777215);
}

TEST(LatestClear, AColourPixelTakesEveryBandFromTheSameLook) {
  k::all_clear_day_op const look{19528.0f};
  EXPECT_EQ(look(0.1f, 0.2f, 0.3f, 0.4f), 19528.0f);
  EXPECT_TRUE(std::isnan(look(0.1f, 0.2f, NAN, 0.4f)));  // one band missing: no look
  EXPECT_TRUE(std::isnan(look(NAN, 0.2f, 0.3f, 0.4f)));
  EXPECT_TRUE(std::isnan(look(0.1f, 0.2f, 0.3f, NAN)));
  k::latest_where_clear_op const fold;
  EXPECT_FLOAT_EQ(fold(0.05f, 0.3f, 19528.0f), 0.3f);  // the date's look: its value
  EXPECT_FLOAT_EQ(fold(0.05f, 0.3f, NAN), 0.05f);      // another band was cloudy: kept
  // A band clear alone does not replace the older look of the pixel.
  EXPECT_FLOAT_EQ(fold(0.05f, 0.3f, look(0.3f, NAN, 0.1f, 0.1f)), 0.05f);
}

TEST(BitemporalChange, Classes) {
  k::bitemporal_change_op const op{0.25f, 0.6f};
  EXPECT_EQ(op(0.80f, 0.20f, 1), k::change_high);
  EXPECT_EQ(op(0.80f, 0.56f, 1), k::change_none);  // drop 0.24 < 0.25
  EXPECT_EQ(op(0.80f, 0.55f, 1), k::change_high);  // drop 0.25 counts
  EXPECT_EQ(op(0.50f, 0.10f, 1), k::change_none);  // was not forest
  EXPECT_EQ(op(0.80f, 0.20f, 0), k::change_outside_aoi);
  EXPECT_EQ(op(NAN, 0.20f, 1), k::change_no_data);
  EXPECT_EQ(op(0.80f, NAN, 1), k::change_no_data);
  k::is_change_op const changed;
  EXPECT_EQ(changed(k::change_low), 1);
  EXPECT_EQ(changed(k::change_high), 1);
  EXPECT_EQ(changed(k::change_none), 0);
  EXPECT_EQ(changed(k::change_no_data), 0);
}

TEST(TransformPixels, CpuMatchesAPlainLoop) {
  std::size_t const n = 10007;
  std::vector<std::uint16_t> dn(n);
  std::vector<std::uint8_t> clear(n);
  for (std::size_t i = 0; i < n; ++i) {
    dn[i] = static_cast<std::uint16_t>((i * 7919) % 12000);
    clear[i] = static_cast<std::uint8_t>(i % 3 != 0);
  }
  k::reflectance_op const s2{-1000.0f, 10000.0f};
  std::vector<float> out(n);
  k::transform_pixels(k::backend::cpu, n, s2, out.data(), dn.data(), clear.data());
  for (std::size_t i = 0; i < n; ++i) {
    float const expected = s2(dn[i], clear[i]);
    if (std::isnan(expected)) {
      ASSERT_TRUE(std::isnan(out[i])) << i;
    } else {
      ASSERT_EQ(out[i], expected) << i;
    }
  }
}

TEST(Backend, ParseAndResolve) {
  EXPECT_EQ(k::parse_backend("cpu"), k::backend::cpu);
  EXPECT_EQ(k::parse_backend("auto"), k::backend::automatic);
  EXPECT_THROW(k::parse_backend("gpu"), geosweep::logic_error);
  EXPECT_EQ(k::resolve_backend(k::backend::cpu), k::backend::cpu);
  auto const resolved = k::resolve_backend(k::backend::automatic);
  EXPECT_EQ(resolved, k::cuda_device_count() > 0 ? k::backend::cuda : k::backend::cpu);
  if (k::cuda_device_count() == 0) {
    EXPECT_THROW(k::resolve_backend(k::backend::cuda), geosweep::cuda_error);
  }
}

namespace {
std::uint32_t bits(float v) {
  std::uint32_t b = 0;
  std::memcpy(&b, &v, sizeof b);
  return b;
}
}  // namespace

TEST(NodataNan, EveryNanAKernelMakesIsTheOneNodataNan) {
  // x86 arithmetic makes the "default NaN" 0xffc00000 (sign set), an NVIDIA GPU 0x7fffffff:
  // every NaN a kernel computes must come out as 0x7fc00000, so the backends agree bit for bit.
  // volatile: computed at run time, as kernels compute, not folded by the compiler.
  volatile float const infinity = std::numeric_limits<float>::infinity();
  volatile float const largest = std::numeric_limits<float>::max();
  float const inf = infinity, big = largest;
  constexpr std::uint32_t nodata = 0x7fc00000u;
  ASSERT_EQ(bits(k::nodata_f32()), nodata);
  // inf / inf, inf - inf and 0 * inf inside the formulas.
  EXPECT_EQ(bits(k::normalized_difference_op{}(inf, 1.0f)), nodata);
  EXPECT_EQ(bits(index2(index_kind::ndvi, inf, inf)), nodata);
  EXPECT_EQ(bits(index2(index_kind::savi, inf, 1.0f)), nodata);
  EXPECT_EQ(bits(index2(index_kind::msavi, big, 0.0f)), nodata);
  EXPECT_EQ(bits(k::spectral_index_op{index_kind::evi}(inf, inf, 0.0f)), nodata);
  EXPECT_EQ(bits(k::spectral_index_op{index_kind::bsi}(inf, 0.1f, inf, 0.1f)), nodata);
  EXPECT_EQ(bits(k::reflectance_op{0.0f, 0.0f}(0 + 1)), 0x7f800000u);  // 1 / 0: +inf, not NaN
  EXPECT_EQ(bits(k::reflectance_op{-1.0f, 0.0f}(1)), nodata);          // 0 / 0
  // Finite results are untouched, signs of zero included.
  EXPECT_EQ(bits(k::normalized_difference_op{}(0.0f, 0.5f)), bits(-1.0f));
  EXPECT_EQ(bits(k::canonical_nan(-0.0f)), 0x80000000u);
  EXPECT_EQ(bits(k::canonical_nan(-std::numeric_limits<float>::quiet_NaN())), nodata);
}
