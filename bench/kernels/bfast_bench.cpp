// Throughput of the `bfast` kernels (BFAST-Monitor) on each backend, in pixel-dates per second
// (items): a chunk of pixels, each with its own cloudy looks, through `history` baseline looks,
// the fit and `monitor` monitoring looks, the index of each look already resident (as in the
// pipeline, where it is computed where the detector runs). The published GPU record to compare
// with (Gieseke et al., ICDE 2020): 16.4 M pixels x 488 dates in about 17 s, 4.7e8 pixel-dates/s.
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/bfast.hpp"
#include "geosweep/kernels/bfast_state.hpp"
#include "geosweep/kernels/stream.hpp"

namespace k = geosweep::kernels;

namespace {

void bm_bfast(benchmark::State& state, k::backend where) {
  if (where == k::backend::cuda && k::cuda_device_count() == 0) {
    state.SkipWithError("no CUDA device");
    return;
  }
  auto const n = static_cast<std::size_t>(state.range(0));
  int const history = static_cast<int>(state.range(1)), monitor = static_cast<int>(state.range(2));
  constexpr int params = 7;  // k = 3, no trend: bfastmonitor's default order
  int const capacity = history / 4;
  k::stream s(where);
  // A few index rasters to cycle through (25 % cloudy), resident.
  constexpr int variants = 4;
  std::vector<k::device_array<float>> looks;
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  for (int v = 0; v < variants; ++v) {
    std::vector<float> host(n);
    for (auto& x : host) x = u(rng) < 0.25f ? k::nodata_f32() : 0.6f + 0.3f * u(rng);
    looks.emplace_back(s, n);
    k::copy_to_device(s, looks.back(), host.data(), n);
  }
  std::vector<double> table;
  auto const x_of = [](int look, double* x) {
    double const t = look * 5.0 / 365.25;
    x[0] = 1.0;
    for (int j = 1; j <= 3; ++j) {
      x[2 * j - 1] = std::cos(6.283185307179586 * j * t);
      x[2 * j] = std::sin(6.283185307179586 * j * t);
    }
  };
  for (int l = 0; l < history; ++l) {
    double x[k::bfast_max_params];
    x_of(l, x);
    table.insert(table.end(), x, x + params);
  }
  k::device_array<double> resident_table(s, table.size());
  k::copy_to_device(s, resident_table, table.data(), table.size());
  s.synchronize();
  double const lambda = k::bfast_critical_value(0.25, 10, 0.05);
  for (auto _ : state) {
    state.PauseTiming();
    auto b = k::make_bfast_buffers(s, n, params, history, capacity);
    s.synchronize();
    state.ResumeTiming();
    auto const a = k::view(b, n);
    for (int l = 0; l < history; ++l) {
      k::bfast_history_op op;
      op.a = a;
      op.index = looks[static_cast<std::size_t>(l % variants)].data();
      x_of(l, op.x);
      op.params = params;
      op.look = l;
      op.capacity = capacity;
      k::for_each_pixel(s, n, op);
    }
    k::bfast_fit_op const fit{a, resident_table.data(), history, params, capacity, 0.25, 24};
    k::for_each_pixel(s, n, fit);
    for (int l = history; l < history + monitor; ++l) {
      k::bfast_monitor_op op;
      op.a = a;
      op.index = looks[static_cast<std::size_t>(l % variants)].data();
      x_of(l, op.x);
      op.params = params;
      op.date = 18000 + 5 * l;
      op.lambda = lambda;
      k::for_each_pixel(s, n, op);
    }
    s.synchronize();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(n) * (history + monitor));
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                          static_cast<std::int64_t>(n) * (history + monitor) * 4);
}

}  // namespace

// 512 x 512 pixels (one chunk), 100 history and 100 monitoring looks; and 4 chunks' worth on the
// GPU with bfastmonitor-sized histories (the ICDE paper's 488 dates: 244 + 244).
BENCHMARK_CAPTURE(bm_bfast, cpu, k::backend::cpu)
    ->Args({512 * 512, 100, 100})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK_CAPTURE(bm_bfast, cuda, k::backend::cuda)
    ->Args({512 * 512, 100, 100})
    ->Args({2048 * 2048, 244, 244})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

BENCHMARK_MAIN();
