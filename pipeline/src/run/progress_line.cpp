#include "run/progress_line.hpp"

#include <cstdio>

namespace geosweep::pipeline {

void progress_line::add(std::size_t chunk, std::int64_t pixels) {
  std::lock_guard lock(mutex_);
  std::int64_t const done = ++done_;
  pixels_ += pixels;
  pixels = pixels_;
  if (!enabled_) return;
  double const seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  double const rate = seconds > 0 ? static_cast<double>(pixels) / 1e6 / seconds : 0.0;
  double const eta =
      done > 0 ? seconds * static_cast<double>(total_ - done) / static_cast<double>(done) : 0.0;
  std::fprintf(
      stderr, "\rgeosweep: chunk %zu/%zu, %lld/%lld chunk-dates, %.1f Mpx/s, %.0f s left   ",
      chunk + 1, chunks_, static_cast<long long>(done), static_cast<long long>(total_), rate, eta);
  std::fflush(stderr);
}

std::int64_t progress_line::pixels() const {
  std::lock_guard lock(mutex_);
  return pixels_;
}

progress_line::~progress_line() {
  if (enabled_) std::fprintf(stderr, "\r%80s\r", "");
}

}  // namespace geosweep::pipeline
