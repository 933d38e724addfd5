// Streams, events, resident and pinned arrays (stream.hpp) on the CPU backend: the same calls
// the pipeline makes, run inline. The CUDA side is compared with this in parity_test.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "geosweep/kernels/detector.hpp"
#include "geosweep/kernels/indices.hpp"
#include "geosweep/kernels/stream.hpp"

namespace k = geosweep::kernels;

TEST(Stream, CopiesRoundTripAndFillWritesEveryElement) {
  k::stream s(k::backend::cpu);
  EXPECT_EQ(s.where(), k::backend::cpu);
  EXPECT_EQ(s.native(), nullptr);
  std::size_t const n = 1000;
  k::pinned_array<float> host(k::backend::cpu, n);
  ASSERT_EQ(host.size(), n);
  for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(host[i], 0.0f);  // zero-initialised
  for (std::size_t i = 0; i < n; ++i) host[i] = static_cast<float>(i) * 0.5f;
  k::device_array<float> resident(s, n);
  k::copy_to_device(s, resident, host.data(), n);
  std::vector<float> back(n, -1.0f);
  k::copy_to_host(s, back.data(), resident, n - 10);  // a prefix only
  s.synchronize();
  for (std::size_t i = 0; i < n - 10; ++i) EXPECT_EQ(back[i], static_cast<float>(i) * 0.5f);
  for (std::size_t i = n - 10; i < n; ++i) EXPECT_EQ(back[i], -1.0f);

  k::fill(s, resident, n, k::nodata_f32());
  k::copy_to_host(s, back.data(), resident, n);
  s.synchronize();
  for (float v : back) EXPECT_TRUE(k::is_nodata(v));
}

TEST(Stream, CopiesAndFillsOutsideTheArrayAreRefused) {
  k::stream s(k::backend::cpu);
  k::device_array<std::int32_t> a(s, 4);
  std::vector<std::int32_t> host(8);
  EXPECT_THROW(k::copy_to_device(s, a, host.data(), 8), geosweep::logic_error);
  EXPECT_THROW(k::copy_to_host(s, host.data(), a, 5), geosweep::logic_error);
  EXPECT_THROW(k::fill(s, a, 5, 0), geosweep::logic_error);
}

TEST(Stream, ResidentTransformsEqualTheHostEntryPoint) {
  // A detector update over resident state, as the pipeline does it date after date, gives the
  // same bits as transform_pixels on host vectors.
  std::size_t const n = 4099;
  std::vector<float> looks[3];
  for (int d = 0; d < 3; ++d) {
    looks[d].resize(n);
    for (std::size_t i = 0; i < n; ++i)
      looks[d][i] = (i + d) % 7 == 0 ? k::nodata_f32() : 0.8f - 0.01f * static_cast<float>(i % 50);
  }
  std::vector<k::pixel_state> expected(n);
  for (auto const& look : looks) {
    k::transform_pixels(k::backend::cpu, n, k::baseline_update_op{}, expected.data(),
                        static_cast<k::pixel_state const*>(expected.data()), look.data());
  }

  k::stream s(k::backend::cpu);
  k::event uploaded(k::backend::cpu);
  k::device_array<k::pixel_state> state(s, n);
  k::fill(s, state, n, k::pixel_state{});
  k::device_array<float> look(s, n);
  for (auto const& host : looks) {
    k::copy_to_device(s, look, host.data(), n);
    uploaded.record(s);
    s.wait(uploaded);
    k::transform_pixels(s, n, k::baseline_update_op{}, state.data(),
                        static_cast<k::pixel_state const*>(state.data()),
                        static_cast<float const*>(look.data()));
  }
  std::vector<k::pixel_state> got(n);
  k::copy_to_host(s, got.data(), state, n);
  s.synchronize();
  EXPECT_EQ(std::memcmp(got.data(), expected.data(), n * sizeof(k::pixel_state)), 0);

  // The bookkeeping ops of the bitemporal method.
  k::device_array<std::int32_t> day(s, n);
  k::device_array<std::uint16_t> count(s, n);
  k::fill(s, day, n, std::int32_t{k::no_date});
  k::fill(s, count, n, std::uint16_t{0});
  for (int d = 0; d < 3; ++d) {
    k::copy_to_device(s, look, looks[d].data(), n);
    k::transform_pixels(s, n, k::latest_clear_date_op<std::int32_t>{100 + d}, day.data(),
                        static_cast<std::int32_t const*>(day.data()),
                        static_cast<float const*>(look.data()));
    k::transform_pixels(s, n, k::clear_count_op{}, count.data(),
                        static_cast<std::uint16_t const*>(count.data()),
                        static_cast<float const*>(look.data()));
  }
  std::vector<std::int32_t> days(n);
  std::vector<std::uint16_t> counts(n);
  k::copy_to_host(s, days.data(), day, n);
  k::copy_to_host(s, counts.data(), count, n);
  s.synchronize();
  for (std::size_t i = 0; i < n; ++i) {
    int last = k::no_date, clear = 0;
    for (int d = 0; d < 3; ++d) {
      if (k::is_nodata(looks[d][i])) continue;
      last = 100 + d;
      ++clear;
    }
    ASSERT_EQ(days[i], last) << i;
    ASSERT_EQ(counts[i], clear) << i;
  }
}

TEST(Stream, ClearCountSaturates) {
  EXPECT_EQ(k::clear_count_op{}(65535, 0.5f), 65535);
  EXPECT_EQ(k::clear_count_op{}(7, 0.5f), 8);
  EXPECT_EQ(k::clear_count_op{}(7, k::nodata_f32()), 7);
}

TEST(Stream, MovedArraysKeepTheirMemory) {
  k::stream s(k::backend::cpu);
  k::device_array<float> a(s, 16);
  float* const data = a.data();
  k::device_array<float> b = std::move(a);
  EXPECT_EQ(b.data(), data);
  EXPECT_EQ(b.size(), 16u);
  EXPECT_EQ(a.data(), nullptr);
  k::pinned_array<std::uint8_t> p(k::backend::cpu, 3);
  k::pinned_array<std::uint8_t> q;
  q = std::move(p);
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(p.data(), nullptr);
}

TEST(Stream, CudaIsRefusedWhereItIsAbsent) {
  if (k::cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  EXPECT_THROW(k::stream(k::backend::cuda), geosweep::cuda_error);
  // `automatic` resolves to the CPU here.
  k::stream s(k::backend::automatic);
  EXPECT_EQ(s.where(), k::backend::cpu);
}
