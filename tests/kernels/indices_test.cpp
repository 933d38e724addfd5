// Index and change functors against hand-computed values, and the CPU transform against a
// plain loop.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/indices.hpp"
#include "geosweep/kernels/transform.hpp"

namespace k = geosweep::kernels;

TEST(Reflectance, Sentinel2BoaOffset) {
  k::reflectance_op const s2{-1000.0f, 10000.0f};
  EXPECT_FLOAT_EQ(s2(4000), 0.3f);  // (4000 - 1000) / 10000
  EXPECT_FLOAT_EQ(s2(1000), 0.0f);
  EXPECT_FLOAT_EQ(s2(500), -0.05f);  // negative reflectance is kept, not clamped
  EXPECT_TRUE(std::isnan(s2(0)));    // DN 0 is no data
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

TEST(IndexFromDn, MasksNonClearClasses) {
  k::reflectance_op const s2{-1000.0f, 10000.0f};
  k::index_from_dn_op const ndvi{s2, s2, k::class_is_clear_op{(1u << 4) | (1u << 5)}};
  float const forest = ndvi(4000, 1300, 4);  // nir 0.30, red 0.03
  EXPECT_FLOAT_EQ(forest, 0.27f / 0.33f);
  EXPECT_TRUE(std::isnan(ndvi(4000, 1300, 9)));    // cloud
  EXPECT_TRUE(std::isnan(ndvi(4000, 1300, 3)));    // shadow
  EXPECT_TRUE(std::isnan(ndvi(4000, 1300, 200)));  // out-of-range class
  EXPECT_TRUE(std::isnan(ndvi(0, 1300, 4)));       // nodata DN
}

TEST(LatestClear, KeepsThePreviousValueUnderNodata) {
  k::latest_clear_op const fold;
  EXPECT_FLOAT_EQ(fold(0.8f, 0.2f), 0.2f);
  EXPECT_FLOAT_EQ(fold(0.8f, NAN), 0.8f);
  EXPECT_TRUE(std::isnan(fold(NAN, NAN)));
}

TEST(BitemporalChange, Classes) {
  k::bitemporal_change_op const op{0.25f, 0.6f};
  EXPECT_EQ(op(0.80f, 0.20f, 1), k::change_loss);
  EXPECT_EQ(op(0.80f, 0.56f, 1), k::change_none);  // drop 0.24 < 0.25
  EXPECT_EQ(op(0.80f, 0.55f, 1), k::change_loss);  // drop 0.25 counts
  EXPECT_EQ(op(0.50f, 0.10f, 1), k::change_none);  // was not forest
  EXPECT_EQ(op(0.80f, 0.20f, 0), k::change_outside_aoi);
  EXPECT_EQ(op(NAN, 0.20f, 1), k::change_no_data);
  EXPECT_EQ(op(0.80f, NAN, 1), k::change_no_data);
}

TEST(TransformPixels, CpuMatchesAPlainLoop) {
  std::size_t const n = 10007;
  std::vector<std::uint16_t> nir(n), red(n);
  std::vector<std::uint8_t> scl(n);
  for (std::size_t i = 0; i < n; ++i) {
    nir[i] = static_cast<std::uint16_t>((i * 7919) % 12000);
    red[i] = static_cast<std::uint16_t>((i * 104729) % 9000);
    scl[i] = static_cast<std::uint8_t>(i % 12);
  }
  k::reflectance_op const s2{-1000.0f, 10000.0f};
  k::index_from_dn_op const op{s2, s2, k::class_is_clear_op{1u << 4}};
  std::vector<float> out(n);
  k::transform_pixels(
      k::backend::cpu, n, op, out.data(), static_cast<std::uint16_t const*>(nir.data()),
      static_cast<std::uint16_t const*>(red.data()), static_cast<std::uint8_t const*>(scl.data()));
  for (std::size_t i = 0; i < n; ++i) {
    float const expected = op(nir[i], red[i], scl[i]);
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
