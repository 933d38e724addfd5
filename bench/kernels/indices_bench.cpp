// Throughput of the per-pixel kernels on each backend: pixels (items) and bytes per second.
// CUDA figures include the host<->device copies of transform_pixels (host pointers in and
// out), which is what the pipeline pays today.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/detector.hpp"
#include "geosweep/kernels/indices.hpp"
#include "geosweep/kernels/transform.hpp"

namespace k = geosweep::kernels;

namespace {

struct scene_bands {
  std::vector<std::uint16_t> nir, red;
  std::vector<std::uint8_t> scl;
  explicit scene_bands(std::size_t n) : nir(n), red(n), scl(n) {
    std::mt19937 rng(42);
    for (std::size_t i = 0; i < n; ++i) {
      nir[i] = static_cast<std::uint16_t>(1000 + rng() % 5000);
      red[i] = static_cast<std::uint16_t>(1000 + rng() % 2000);
      scl[i] = static_cast<std::uint8_t>(rng() % 12);
    }
  }
};

bool skip_without_backend(benchmark::State& state, k::backend b) {
  if (b == k::backend::cuda && k::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return true;
  }
  return false;
}

void bm_masked_reflectance(benchmark::State& state, k::backend b) {
  if (skip_without_backend(state, b)) return;
  auto const n = static_cast<std::size_t>(state.range(0));
  scene_bands const bands(n);
  std::vector<std::uint8_t> clear(n);
  k::transform_pixels(k::backend::cpu, n, k::class_is_clear_op{0xF0}, clear.data(),
                      bands.scl.data());
  std::vector<float> out(n);
  k::reflectance_op const s2{-1000.0f, 10000.0f};
  for (auto _ : state) {
    k::transform_pixels(b, n, s2, out.data(), bands.nir.data(), clear.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * (2 + 1 + 4)));
}

void bm_index(benchmark::State& state, k::backend b, k::index_kind kind, int band_count) {
  if (skip_without_backend(state, b)) return;
  auto const n = static_cast<std::size_t>(state.range(0));
  std::vector<std::vector<float>> bands(4, std::vector<float>(n));
  std::mt19937 rng(7);
  for (auto& band : bands)
    for (auto& v : band) v = static_cast<float>(rng() % 6000) / 10000.0f;
  std::vector<float> out(n);
  k::spectral_index_op const op{kind};
  for (auto _ : state) {
    if (band_count == 2)
      k::transform_pixels(b, n, op, out.data(), bands[0].data(), bands[1].data());
    if (band_count == 3)
      k::transform_pixels(b, n, op, out.data(), bands[0].data(), bands[1].data(), bands[2].data());
    if (band_count == 4)
      k::transform_pixels(b, n, op, out.data(), bands[0].data(), bands[1].data(), bands[2].data(),
                          bands[3].data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * 4 * (band_count + 1)));
}

void bm_detector_update(benchmark::State& state, k::backend b) {
  if (skip_without_backend(state, b)) return;
  auto const n = static_cast<std::size_t>(state.range(0));
  std::vector<k::pixel_state> states(n);
  std::vector<float> baseline(n), observation(n);
  for (std::size_t i = 0; i < n; ++i) {
    baseline[i] = 0.8f;
    observation[i] = (i % 11 == 0) ? k::nodata_f32() : ((i % 13 == 0) ? 0.2f : 0.79f);
  }
  for (int d = 0; d < 3; ++d) {
    k::transform_pixels(k::backend::cpu, n, k::baseline_update_op{}, states.data(),
                        static_cast<k::pixel_state const*>(states.data()), baseline.data());
  }
  k::monitor_update_op op;
  op.date = 19500;
  for (auto _ : state) {
    k::transform_pixels(b, n, op, states.data(), static_cast<k::pixel_state const*>(states.data()),
                        observation.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetBytesProcessed(
      static_cast<std::int64_t>(state.iterations() * n * (2 * sizeof(k::pixel_state) + 4)));
}

void bm_latest_clear(benchmark::State& state, k::backend b) {
  if (skip_without_backend(state, b)) return;
  auto const n = static_cast<std::size_t>(state.range(0));
  std::vector<float> composite(n, 0.5f), observation(n);
  for (std::size_t i = 0; i < n; ++i) observation[i] = (i % 5 == 0) ? k::nodata_f32() : 0.8f;
  for (auto _ : state) {
    k::transform_pixels(b, n, k::latest_clear_op{}, composite.data(),
                        static_cast<float const*>(composite.data()),
                        static_cast<float const*>(observation.data()));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * 12));
}

void bm_bitemporal(benchmark::State& state, k::backend b) {
  if (skip_without_backend(state, b)) return;
  auto const n = static_cast<std::size_t>(state.range(0));
  std::vector<float> before(n), after(n);
  std::vector<std::uint8_t> inside(n, 1), out(n);
  for (std::size_t i = 0; i < n; ++i) {
    before[i] = 0.8f;
    after[i] = (i % 17 == 0) ? 0.2f : 0.78f;
  }
  k::bitemporal_change_op const op{0.25f, 0.6f};
  for (auto _ : state) {
    k::transform_pixels(b, n, op, out.data(), static_cast<float const*>(before.data()),
                        static_cast<float const*>(after.data()),
                        static_cast<std::uint8_t const*>(inside.data()));
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * 10));
}

}  // namespace

// 1 Mpx (a 1000 x 1000 window) and 16 Mpx (a 4000 x 4000 window).
BENCHMARK_CAPTURE(bm_masked_reflectance, cpu, k::backend::cpu)
    ->Arg(1 << 20)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_masked_reflectance, cuda, k::backend::cuda)
    ->Arg(1 << 20)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_index, ndvi_cpu, k::backend::cpu, k::index_kind::ndvi, 2)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_index, ndvi_cuda, k::backend::cuda, k::index_kind::ndvi, 2)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_index, msavi_cpu, k::backend::cpu, k::index_kind::msavi, 2)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_index, msavi_cuda, k::backend::cuda, k::index_kind::msavi, 2)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_index, evi_cpu, k::backend::cpu, k::index_kind::evi, 3)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_index, evi_cuda, k::backend::cuda, k::index_kind::evi, 3)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_index, bsi_cpu, k::backend::cpu, k::index_kind::bsi, 4)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_index, bsi_cuda, k::backend::cuda, k::index_kind::bsi, 4)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_detector_update, cpu, k::backend::cpu)->Arg(1 << 22)->UseRealTime();
BENCHMARK_CAPTURE(bm_detector_update, cuda, k::backend::cuda)->Arg(1 << 22)->UseRealTime();
BENCHMARK_CAPTURE(bm_latest_clear, cpu, k::backend::cpu)->Arg(1 << 24)->UseRealTime();
BENCHMARK_CAPTURE(bm_latest_clear, cuda, k::backend::cuda)->Arg(1 << 24)->UseRealTime();
BENCHMARK_CAPTURE(bm_bitemporal, cpu, k::backend::cpu)->Arg(1 << 24)->UseRealTime();
BENCHMARK_CAPTURE(bm_bitemporal, cuda, k::backend::cuda)->Arg(1 << 24)->UseRealTime();

BENCHMARK_MAIN();
