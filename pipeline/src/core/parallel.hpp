#pragma once
// Internal to pipeline/src: a loop over independent items on OpenMP threads (the same runtime as
// the CPU kernels, whose idle threads sleep: main() sets OMP_WAIT_POLICY=passive). The first
// exception an item throws is rethrown on the calling thread once the loop is over.

#include <cstddef>
#include <exception>
#include <mutex>

namespace geosweep::pipeline {

/// Calls f(i) for i in [0, n) on up to `threads` threads, items handed out one at a time.
template <class F>
void parallel_for(std::size_t n, int threads, F&& f) {
  std::exception_ptr error;
  std::mutex error_mutex;
  auto const count = static_cast<long long>(n);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads > 0 ? threads : 1) if (n > 1)
  for (long long i = 0; i < count; ++i) {
    try {
      f(static_cast<std::size_t>(i));
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
    }
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace geosweep::pipeline
