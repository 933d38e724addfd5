#pragma once
/// \file
/// Per-AOI change detection over a date-ordered series of index rasters, with either
/// method of the job (`baseline` or `bitemporal`), on the job's backend.

#include <cstdint>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/detector.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// Per-pixel results of one AOI (row-major over the AOI window).
struct detection_rasters {
  std::vector<std::uint8_t> change;          ///< kernels::change_class
  std::vector<std::int32_t> first_date;      ///< day number of the first anomaly, or no_date
  std::vector<std::int32_t> confirmed_date;  ///< day number of confirmation, or no_date
  std::vector<float> magnitude;              ///< mean index drop of the anomalies, NaN without
  std::vector<std::uint16_t> clear_count;    ///< clear monitoring observations
  std::vector<float> baseline_mean;  ///< baseline index (mean, or latest clear for bitemporal)
};

/// Folds observations of the change index scene by scene, in date order.
class change_detector {
 public:
  change_detector(change_spec const& change, std::size_t pixels, kernels::backend where);

  /// A baseline-period observation (NaN where not clear).
  void observe_baseline(civil_date date, std::vector<float> const& index);

  /// A monitoring-period observation (NaN where not clear).
  void observe_monitor(civil_date date, std::vector<float> const& index);

  /// The per-pixel results; `inside` is the AOI mask (1 inside).
  [[nodiscard]] detection_rasters finish(std::vector<std::uint8_t> const& inside) const;

 private:
  change_spec change_;
  kernels::backend where_;
  std::size_t pixels_;
  std::vector<kernels::pixel_state> state_;  // baseline method
  std::vector<float> before_, after_;        // bitemporal method: latest clear looks
  std::vector<std::int32_t> after_date_;     // bitemporal: date of the latest clear look
  std::vector<std::uint16_t> clear_looks_;   // bitemporal: clear monitoring looks
};

}  // namespace geosweep::pipeline
