// Throughput of the per-pixel kernels on each backend: pixels (items) and bytes per second.
// CUDA figures include the host<->device copies of transform_pixels (host pointers in and
// out), which is what the pipeline pays today.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/change.hpp"
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

void bm_ndvi_from_dn(benchmark::State& state, k::backend b) {
  if (skip_without_backend(state, b)) return;
  auto const n = static_cast<std::size_t>(state.range(0));
  scene_bands const bands(n);
  std::vector<float> out(n);
  k::reflectance_op const s2{-1000.0f, 10000.0f};
  k::index_from_dn_op const op{s2, s2, k::class_is_clear_op{0xF0}};
  for (auto _ : state) {
    k::transform_pixels(b, n, op, out.data(), bands.nir.data(), bands.red.data(), bands.scl.data());
    benchmark::DoNotOptimize(out.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * (2 + 2 + 1 + 4)));
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
BENCHMARK_CAPTURE(bm_ndvi_from_dn, cpu, k::backend::cpu)->Arg(1 << 20)->Arg(1 << 24)->UseRealTime();
BENCHMARK_CAPTURE(bm_ndvi_from_dn, cuda, k::backend::cuda)
    ->Arg(1 << 20)
    ->Arg(1 << 24)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_latest_clear, cpu, k::backend::cpu)->Arg(1 << 24)->UseRealTime();
BENCHMARK_CAPTURE(bm_latest_clear, cuda, k::backend::cuda)->Arg(1 << 24)->UseRealTime();
BENCHMARK_CAPTURE(bm_bitemporal, cpu, k::backend::cpu)->Arg(1 << 24)->UseRealTime();
BENCHMARK_CAPTURE(bm_bitemporal, cuda, k::backend::cuda)->Arg(1 << 24)->UseRealTime();

BENCHMARK_MAIN();
