// CPU and CUDA give bit-identical results for every kernel, on random and edge inputs
// (NaN, nodata, zero denominators, saturation). Exits 77 (skipped) without a CUDA device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/detector.hpp"
#include "geosweep/kernels/indices.hpp"
#include "geosweep/kernels/stream.hpp"
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

TEST(Parity, MaskedReflectanceAndQuality) {
  auto const dn = random_dn(kPixels, 2);
  std::vector<std::uint16_t> qa(kPixels);
  std::vector<std::uint8_t> clear(kPixels);
  for (std::size_t i = 0; i < kPixels; ++i) {
    qa[i] = static_cast<std::uint16_t>((i * 2654435761u) >> 16);
    clear[i] = static_cast<std::uint8_t>(i % 5 != 0);
  }
  expect_parity<k::reflectance_op, float>(kPixels, k::reflectance_op{-1000.0f, 10000.0f}, dn,
                                          clear);
  expect_parity<k::class_is_clear_op, std::uint8_t>(kPixels, k::class_is_clear_op{0xF0}, qa);
  expect_parity<k::bits_are_clear_op, std::uint8_t>(kPixels, k::bits_are_clear_op{0x3F, 0x40}, qa);
}

TEST(Parity, EverySpectralIndex) {
  auto const a = random_index(kPixels, 3);
  auto const b = random_index(kPixels, 4);
  auto const c = random_index(kPixels, 5);
  auto const d = random_index(kPixels, 6);
  using k::index_kind;
  for (auto kind : {index_kind::ndvi, index_kind::nbr, index_kind::nbr2, index_kind::ndmi,
                    index_kind::ndwi, index_kind::mndwi, index_kind::savi, index_kind::msavi}) {
    SCOPED_TRACE(static_cast<int>(kind));
    expect_parity<k::spectral_index_op, float>(kPixels, k::spectral_index_op{kind}, a, b);
  }
  expect_parity<k::spectral_index_op, float>(kPixels, k::spectral_index_op{index_kind::evi}, a, b,
                                             c);
  expect_parity<k::spectral_index_op, float>(kPixels, k::spectral_index_op{index_kind::bsi}, a, b,
                                             c, d);
}

TEST(Parity, BaselineDetectorOverASeries) {
  std::size_t const n = kPixels / 4;
  std::vector<k::pixel_state> cpu(n), gpu(n);
  std::mt19937_64 rng(7);
  auto const observation = [&](float centre) {
    std::vector<float> v(n);
    for (auto& x : v) {
      std::uint64_t const r = rng();
      x = (r % 10 == 0)
              ? std::numeric_limits<float>::quiet_NaN()
              : centre + static_cast<float>(static_cast<double>(r % 100001) / 100000.0 - 0.5);
    }
    return v;
  };
  for (int date = 0; date < 3; ++date) {
    auto const obs = observation(0.8f);
    k::transform_pixels(k::backend::cpu, n, k::baseline_update_op{}, cpu.data(),
                        static_cast<k::pixel_state const*>(cpu.data()), obs.data());
    k::transform_pixels(k::backend::cuda, n, k::baseline_update_op{}, gpu.data(),
                        static_cast<k::pixel_state const*>(gpu.data()), obs.data());
  }
  for (int date = 0; date < 5; ++date) {
    auto const obs = observation(0.5f);
    k::monitor_update_op op;
    op.date = 19000 + 10 * date;
    k::transform_pixels(k::backend::cpu, n, op, cpu.data(),
                        static_cast<k::pixel_state const*>(cpu.data()), obs.data());
    k::transform_pixels(k::backend::cuda, n, op, gpu.data(),
                        static_cast<k::pixel_state const*>(gpu.data()), obs.data());
  }
  EXPECT_TRUE(bit_identical(cpu, gpu));
  std::vector<std::uint8_t> inside(n);
  for (std::size_t i = 0; i < n; ++i) inside[i] = (i % 9) != 0;
  expect_parity<k::state_class_op, std::uint8_t>(n, k::state_class_op{}, cpu, inside);
  expect_parity<k::state_first_anomaly_op, std::int32_t>(n, k::state_first_anomaly_op{}, cpu);
  expect_parity<k::state_confirmed_op, std::int32_t>(n, k::state_confirmed_op{}, cpu);
  expect_parity<k::state_magnitude_op, float>(n, k::state_magnitude_op{}, cpu);
  expect_parity<k::state_clear_count_op, std::uint16_t>(n, k::state_clear_count_op{}, cpu);
}

TEST(Parity, NormalizedDifferenceFoldAndChange) {
  auto const x = random_index(kPixels, 4);
  auto const y = random_index(kPixels, 5);
  expect_parity<k::normalized_difference_op, float>(kPixels, k::normalized_difference_op{}, x, y);
  expect_parity<k::latest_clear_op, float>(kPixels, k::latest_clear_op{}, x, y);
  std::vector<std::uint8_t> inside(kPixels), classes(kPixels);
  for (std::size_t i = 0; i < kPixels; ++i) {
    inside[i] = (i % 7) != 0;
    classes[i] = static_cast<std::uint8_t>(i % 256);
  }
  expect_parity<k::bitemporal_change_op, std::uint8_t>(
      kPixels, k::bitemporal_change_op{0.25f, 0.6f}, x, y, inside);
  expect_parity<k::is_change_op, std::uint8_t>(kPixels, k::is_change_op{}, classes);
}

// The pipeline's resident path: slot uploads on one stream, the chunk's work on another that
// waits for the upload's event, state resident over several dates, results copied back into
// pinned memory. Same bits as the CPU running the same calls inline.
std::vector<k::pixel_state> resident_series(k::backend where,
                                            std::vector<std::vector<float>> const& looks,
                                            std::vector<std::int32_t>& days) {
  std::size_t const n = looks.front().size();
  k::stream compute(where), copies(where);
  k::event uploaded(where);
  k::device_array<k::pixel_state> state(compute, n);
  k::device_array<std::int32_t> day(compute, n);
  k::fill(compute, state, n, k::pixel_state{});
  k::fill(compute, day, n, std::int32_t{k::no_date});
  k::pinned_array<float> host(where, n);
  k::device_array<float> look(copies, n);
  for (std::size_t d = 0; d < looks.size(); ++d) {
    std::copy(looks[d].begin(), looks[d].end(), host.begin());
    k::copy_to_device(copies, look, host.data(), n);
    uploaded.record(copies);
    compute.wait(uploaded);
    auto const* in = static_cast<float const*>(look.data());
    if (d < 3) {
      k::transform_pixels(compute, n, k::baseline_update_op{}, state.data(),
                          static_cast<k::pixel_state const*>(state.data()), in);
    } else {
      k::monitor_update_op op;
      op.date = 18000 + static_cast<std::int32_t>(d) * 5;
      k::transform_pixels(compute, n, op, state.data(),
                          static_cast<k::pixel_state const*>(state.data()), in);
    }
    k::transform_pixels(compute, n, k::latest_clear_date_op{static_cast<std::int32_t>(d)},
                        day.data(), static_cast<std::int32_t const*>(day.data()), in);
    compute.synchronize();  // as the pipeline does before it releases a slot
  }
  k::pinned_array<k::pixel_state> out(where, n);
  k::copy_to_host(compute, out.data(), state, n);
  days.resize(n);
  k::copy_to_host(compute, days.data(), day, n);
  compute.synchronize();
  return {out.begin(), out.end()};
}

TEST(Parity, ResidentStreamsOverASeries) {
  std::size_t const n = (1 << 18) + 3;
  std::vector<std::vector<float>> looks;
  for (int d = 0; d < 8; ++d) {
    auto look = random_index(n, 100 + static_cast<std::uint64_t>(d));
    for (std::size_t i = 0; i < n; i += 5 + static_cast<std::size_t>(d)) look[i] = k::nodata_f32();
    looks.push_back(std::move(look));
  }
  std::vector<std::int32_t> cpu_days, gpu_days;
  auto const cpu = resident_series(k::backend::cpu, looks, cpu_days);
  auto const gpu = resident_series(k::backend::cuda, looks, gpu_days);
  EXPECT_TRUE(bit_identical(cpu, gpu));
  EXPECT_EQ(cpu_days, gpu_days);
}

int main(int argc, char** argv) {
  if (k::cuda_device_count() == 0) {
    std::printf("parity_test: no CUDA device (or no CUDA backend in this build): skipped\n");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
