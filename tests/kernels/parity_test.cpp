// CPU and CUDA give bit-identical results for every kernel, on random and edge inputs
// (NaN, nodata, zero denominators, saturation). Exits 77 (skipped) without a CUDA device.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/indices.hpp"
#include "geosweep/kernels/transform.hpp"

namespace k = geosweep::kernels;

namespace {

template <class T>
bool bit_identical(std::vector<T> const& a, std::vector<T> const& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

template <class Op, class Out, class... In>
void expect_parity(std::size_t n, Op const& op, std::vector<In> const&... in) {
  std::vector<Out> cpu(n), gpu(n);
  k::transform_pixels(k::backend::cpu, n, op, cpu.data(), in.data()...);
  k::transform_pixels(k::backend::cuda, n, op, gpu.data(), in.data()...);
  EXPECT_TRUE(bit_identical(cpu, gpu));
}

std::vector<std::uint16_t> random_dn(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::uint16_t> v(n);
  for (auto& x : v) x = static_cast<std::uint16_t>(rng() % 65536);
  // Edge values: nodata, the BOA offset itself (reflectance 0), saturation.
  v[0] = 0;
  v[1] = 1000;
  v[2] = 65535;
  v[3] = 1;
  return v;
}

std::vector<float> random_index(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(static_cast<double>(rng() % 2000001) / 1000000.0 - 1.0);
  v[0] = std::numeric_limits<float>::quiet_NaN();
  v[1] = 0.0f;
  v[2] = -0.0f;
  v[3] = 1.0f;
  return v;
}

std::size_t const kPixels = (1 << 20) + 17;

}  // namespace

TEST(Parity, Reflectance) {
  auto const dn = random_dn(kPixels, 1);
  expect_parity<k::reflectance_op, float>(kPixels, k::reflectance_op{-1000.0f, 10000.0f}, dn);
  k::reflectance_op landsat;
  landsat.scale = 0.0000275f;
  landsat.offset = -0.2f;
  expect_parity<k::reflectance_op, float>(kPixels, landsat, dn);
}

TEST(Parity, IndexFromDn) {
  auto const a = random_dn(kPixels, 2);
  auto const b = random_dn(kPixels, 3);
  std::vector<std::uint8_t> scl(kPixels);
  for (std::size_t i = 0; i < kPixels; ++i) scl[i] = static_cast<std::uint8_t>((i * 31) % 13);
  k::reflectance_op const s2{-1000.0f, 10000.0f};
  expect_parity<k::index_from_dn_op, float>(
      kPixels, k::index_from_dn_op{s2, s2, k::class_is_clear_op{0xF0}}, a, b, scl);
  expect_parity<k::index_from_dn_unmasked_op, float>(kPixels, k::index_from_dn_unmasked_op{s2, s2},
                                                     a, b);
}

TEST(Parity, NormalizedDifferenceFoldAndChange) {
  auto const x = random_index(kPixels, 4);
  auto const y = random_index(kPixels, 5);
  expect_parity<k::normalized_difference_op, float>(kPixels, k::normalized_difference_op{}, x, y);
  expect_parity<k::latest_clear_op, float>(kPixels, k::latest_clear_op{}, x, y);
  std::vector<std::uint8_t> inside(kPixels);
  for (std::size_t i = 0; i < kPixels; ++i) inside[i] = (i % 7) != 0;
  expect_parity<k::bitemporal_change_op, std::uint8_t>(
      kPixels, k::bitemporal_change_op{0.25f, 0.6f}, x, y, inside);
}

int main(int argc, char** argv) {
  if (k::cuda_device_count() == 0) {
    std::printf("parity_test: no CUDA device (or no CUDA backend in this build): skipped\n");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
