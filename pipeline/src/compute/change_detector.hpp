#pragma once
/// \file
/// Per-chunk change detection over a date-ordered series of index rasters, with either
/// method of the job (`baseline` or `bitemporal`). The per-pixel state stays resident where
/// the chunk's stream computes (device memory on the CUDA backend) from the first date to the
/// last; only the results come back to the host.

#include <cstdint>
#include <vector>

#include "geosweep/kernels/detector.hpp"
#include "geosweep/kernels/stream.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// Per-pixel results of one chunk (row-major over the chunk window).
struct detection_rasters {
  std::vector<std::uint8_t> change;          ///< kernels::change_class
  std::vector<std::int32_t> first_date;      ///< day number of the first anomaly, or no_date
  std::vector<std::int32_t> confirmed_date;  ///< day number of confirmation, or no_date
  std::vector<float> magnitude;              ///< mean index drop of the anomalies, NaN without
  std::vector<std::uint16_t> clear_count;    ///< clear monitoring observations
  std::vector<float> baseline_mean;  ///< baseline index (mean, or latest clear for bitemporal)
};

/// A detector's per-pixel state in host memory (monitoring keeps it between runs). The
/// vectors of the job's method are filled, the others stay empty.
struct detector_state {
  std::vector<kernels::pixel_state> pixels;  ///< baseline method
  std::vector<float> before, after;          ///< bitemporal: latest clear looks
  std::vector<std::int32_t> after_date;      ///< bitemporal: day of the latest clear look
  std::vector<std::uint16_t> clear_looks;    ///< bitemporal: clear monitoring looks
};

/// Folds observations of the change index date by date. Every call queues work on the
/// stream given at construction; pointers are resident where that stream computes.
class change_detector {
 public:
  change_detector(change_spec const& change, std::size_t pixels, kernels::stream const& s);

  /// A baseline-period observation (NaN where not clear).
  void observe_baseline(civil_date date, float const* index);

  /// A monitoring-period observation (NaN where not clear).
  void observe_monitor(civil_date date, float const* index);

  /// The per-pixel results for each AOI of the chunk, copied to the host (waits for the
  /// stream); `insides` are the AOI masks (1 inside), resident like the index.
  [[nodiscard]] std::vector<detection_rasters> finish(
      std::vector<std::uint8_t const*> const& insides) const;

  /// The state so far, copied to the host (waits for the stream).
  [[nodiscard]] detector_state save() const;

  /// Continues from a saved state of the same method and size (waits for the upload).
  void restore(detector_state const& state);

 private:
  change_spec change_;
  kernels::stream const& stream_;
  std::size_t pixels_;
  kernels::device_array<kernels::pixel_state> state_;  // baseline method
  kernels::device_array<float> before_, after_;        // bitemporal: latest clear looks
  kernels::device_array<std::int32_t> after_date_;     // bitemporal: date of the latest look
  kernels::device_array<std::uint16_t> clear_looks_;   // bitemporal: clear monitoring looks
};

}  // namespace geosweep::pipeline
