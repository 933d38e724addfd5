#pragma once
// Internal to pipeline/src/run: a run's progress, and its line on a terminal.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>

namespace geosweep::pipeline {

/// How far a run is, and a progress line on stderr when enabled: chunks, observations,
/// throughput, time left. Workers report from their threads.
class progress_line {
 public:
  progress_line(bool enabled, std::int64_t total, std::size_t chunks)
      : enabled_(enabled),
        total_(total),
        chunks_(chunks),
        started_(std::chrono::steady_clock::now()) {}
  /// One more chunk-date done, in chunk `chunk`, of `pixels` pixels. Thread-safe.
  void add(std::size_t chunk, std::int64_t pixels);
  /// Pixel-dates done so far.
  [[nodiscard]] std::int64_t pixels() const;
  /// Clears the line.
  ~progress_line();

 private:
  bool enabled_;
  std::int64_t total_;
  std::size_t chunks_;
  std::chrono::steady_clock::time_point started_;
  mutable std::mutex mutex_;
  std::int64_t done_ = 0;
  std::int64_t pixels_ = 0;
};

}  // namespace geosweep::pipeline
