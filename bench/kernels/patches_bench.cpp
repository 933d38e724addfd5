// Throughput of component labelling and per-patch statistics on each backend, on a
// 4096 x 4096 change mask at about 5 % and 30 % foreground: pixels (items) and bytes per
// second. CUDA figures include the host<->device copies (host pointers in and out), which is
// what the pipeline pays today.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <random>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/patches.hpp"

namespace k = geosweep::kernels;

namespace {

constexpr int kSide = 4096;

/// A change raster: the mask, its labels and per-pixel attributes.
struct change_scene {
  std::vector<std::uint8_t> mask;
  std::vector<std::int32_t> labels;
  std::int32_t count = 0;
  std::vector<std::int32_t> first_date, confirmed_date;
  std::vector<std::uint8_t> status;
  std::vector<float> magnitude;

  explicit change_scene(int percent_foreground) {
    std::size_t const n = static_cast<std::size_t>(kSide) * kSide;
    mask.resize(n);
    labels.resize(n);
    first_date.resize(n);
    confirmed_date.resize(n);
    status.resize(n);
    magnitude.resize(n);
    std::mt19937 rng(static_cast<unsigned>(percent_foreground));
    for (std::size_t i = 0; i < n; ++i) {
      mask[i] = static_cast<int>(rng() % 100) < percent_foreground ? 1 : 0;
      first_date[i] = 19000 + static_cast<std::int32_t>(rng() % 700);
      confirmed_date[i] = first_date[i] + static_cast<std::int32_t>(rng() % 60);
      status[i] = static_cast<std::uint8_t>(mask[i] ? 1 + rng() % 2 : 0);
      magnitude[i] = static_cast<float>(rng() % 10000) / 10000.0f;
    }
    count = k::label_components(k::backend::cpu, mask.data(), kSide, kSide, 1, labels.data());
  }
};

change_scene const& scene_with(int percent_foreground) {
  static change_scene const sparse(5);
  static change_scene const dense(30);
  return percent_foreground <= 5 ? sparse : dense;
}

bool skip_without_backend(benchmark::State& state, k::backend b) {
  if (b == k::backend::cuda && k::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return true;
  }
  return false;
}

void bm_label_components(benchmark::State& state, k::backend b) {
  if (skip_without_backend(state, b)) return;
  auto const& scene = scene_with(static_cast<int>(state.range(0)));
  std::size_t const n = scene.mask.size();
  std::vector<std::int32_t> labels(n);
  for (auto _ : state) {
    auto const count = k::label_components(b, scene.mask.data(), kSide, kSide, 1, labels.data());
    benchmark::DoNotOptimize(count);
    benchmark::ClobberMemory();
  }
  state.counters["patches"] = static_cast<double>(scene.count);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  // mask in, labels out
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * (1 + 4)));
}

void bm_summarize_patches(benchmark::State& state, k::backend b) {
  if (skip_without_backend(state, b)) return;
  auto const& scene = scene_with(static_cast<int>(state.range(0)));
  std::size_t const n = scene.mask.size();
  for (auto _ : state) {
    auto summaries = k::summarize_patches(b, scene.labels.data(), kSide, kSide, scene.count,
                                          scene.first_date.data(), scene.confirmed_date.data(),
                                          scene.status.data(), scene.magnitude.data());
    benchmark::DoNotOptimize(summaries.data());
    benchmark::ClobberMemory();
  }
  state.counters["patches"] = static_cast<double>(scene.count);
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
  // labels, two dates, status and magnitude in
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n * (4 + 4 + 4 + 1 + 4)));
}

}  // namespace

// Argument: percentage of foreground pixels in the 4096 x 4096 mask.
BENCHMARK_CAPTURE(bm_label_components, cpu, k::backend::cpu)->Arg(5)->Arg(30)->UseRealTime();
BENCHMARK_CAPTURE(bm_label_components, cuda, k::backend::cuda)->Arg(5)->Arg(30)->UseRealTime();
BENCHMARK_CAPTURE(bm_summarize_patches, cpu, k::backend::cpu)->Arg(5)->Arg(30)->UseRealTime();
BENCHMARK_CAPTURE(bm_summarize_patches, cuda, k::backend::cuda)->Arg(5)->Arg(30)->UseRealTime();

BENCHMARK_MAIN();
