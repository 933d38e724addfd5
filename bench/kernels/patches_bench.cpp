// Throughput of component labelling and per-patch statistics on each backend, on a
// 4096 x 4096 change mask at about 5 % and 30 % foreground, as independent pixels or as
// discs: pixels (items) and bytes per second. CUDA figures include the host<->device copies (host
// pointers in and out), which is what the pipeline pays today.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <utility>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/patches.hpp"

namespace k = geosweep::kernels;

namespace {

constexpr int kSide = 4096;

/// How changed pixels are laid out: independent pixels (the worst case for the branches of
/// a labeller) or discs of 2 to 24 pixels radius, like clearings.
enum class layout { pixels = 0, blobs = 1 };

/// A change raster: the mask, its labels and per-pixel attributes.
struct change_scene {
  std::vector<std::uint8_t> mask;
  std::vector<std::int32_t> labels;
  std::int32_t count = 0;
  std::vector<std::int32_t> first_date, confirmed_date;
  std::vector<std::uint8_t> status;
  std::vector<float> magnitude;

  change_scene(int percent_foreground, layout shape) {
    std::size_t const n = static_cast<std::size_t>(kSide) * kSide;
    mask.assign(n, 0);
    labels.resize(n);
    first_date.resize(n);
    confirmed_date.resize(n);
    status.resize(n);
    magnitude.resize(n);
    std::mt19937 rng(static_cast<unsigned>(percent_foreground));
    if (shape == layout::pixels) {
      for (auto& m : mask) m = static_cast<int>(rng() % 100) < percent_foreground ? 1 : 0;
    } else {
      std::size_t const target = n * static_cast<std::size_t>(percent_foreground) / 100;
      std::size_t covered = 0;
      while (covered < target) {
        int const radius = 2 + static_cast<int>(rng() % 23);
        int const cr = static_cast<int>(rng() % kSide);
        int const cc = static_cast<int>(rng() % kSide);
        for (int r = std::max(0, cr - radius); r <= std::min(kSide - 1, cr + radius); ++r) {
          for (int c = std::max(0, cc - radius); c <= std::min(kSide - 1, cc + radius); ++c) {
            if ((r - cr) * (r - cr) + (c - cc) * (c - cc) > radius * radius) continue;
            auto& m = mask[static_cast<std::size_t>(r) * kSide + c];
            covered += m == 0;
            m = 1;
          }
        }
      }
    }
    for (std::size_t i = 0; i < n; ++i) {
      first_date[i] = 19000 + static_cast<std::int32_t>(rng() % 700);
      confirmed_date[i] = first_date[i] + static_cast<std::int32_t>(rng() % 60);
      status[i] = static_cast<std::uint8_t>(mask[i] ? 1 + rng() % 2 : 0);
      magnitude[i] = static_cast<float>(rng() % 10000) / 10000.0f;
    }
    count = k::label_components(k::backend::cpu, mask.data(), kSide, kSide, 1, labels.data());
  }
};

/// The scene of a benchmark's arguments (percentage of foreground, layout), made once.
change_scene const& scene_for(benchmark::State const& state) {
  auto const percent = static_cast<int>(state.range(0));
  auto const shape = static_cast<layout>(state.range(1));
  static std::map<std::pair<int, layout>, std::unique_ptr<change_scene>> scenes;
  auto& scene = scenes[{percent, shape}];
  if (!scene) scene = std::make_unique<change_scene>(percent, shape);
  return *scene;
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
  auto const& scene = scene_for(state);
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
  auto const& scene = scene_for(state);
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

// Arguments: percentage of foreground pixels in the 4096 x 4096 mask, layout (0 independent
// pixels, 1 discs).
void patch_scenes(benchmark::internal::Benchmark* b) {
  b->ArgsProduct({{5, 30}, {0, 1}})->ArgNames({"percent", "blobs"})->UseRealTime();
}

BENCHMARK_CAPTURE(bm_label_components, cpu, k::backend::cpu)->Apply(patch_scenes);
BENCHMARK_CAPTURE(bm_label_components, cuda, k::backend::cuda)->Apply(patch_scenes);
BENCHMARK_CAPTURE(bm_summarize_patches, cpu, k::backend::cpu)->Apply(patch_scenes);
BENCHMARK_CAPTURE(bm_summarize_patches, cuda, k::backend::cuda)->Apply(patch_scenes);

BENCHMARK_MAIN();
