#pragma once
/// \file
/// The `baseline` change detector (in the spirit of GLAD and DIST-ALERT) as per-pixel state
/// updated scene by scene in date order, on either backend.
///
/// Baseline period: each clear observation of the index updates a running mean and spread
/// (Welford's algorithm, so one pass in date order; the statistic is the mean, with the sample
/// standard deviation as spread). Monitoring period: each clear observation is anomalous when
/// the pixel was forest (baseline mean >= forest_min) and the index fell below the baseline
/// mean by at least `drop` and by at least `k_sigma` standard deviations. The first anomaly
/// makes a low-confidence candidate dated that day; `confirm` anomalous clear observations
/// within `window_days` of it confirm it (high confidence, dated the confirming day); a clear
/// normal observation before confirmation clears the candidate. A confirmed pixel stays
/// confirmed. Cloudy observations (NaN) change nothing but are not counted as clear.

#include <cstdint>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"

namespace geosweep::kernels {

/// Confidence of a pixel's change; the same codes as change_class.
enum change_status : std::uint8_t {
  status_none = change_none,  ///< no change
  status_low = change_low,    ///< one or more anomalies, not yet confirmed
  status_high = change_high,  ///< confirmed
};

/// Everything the detector keeps per pixel (32 bytes).
struct pixel_state {
  float baseline_mean = 0.0f;            ///< running mean of clear baseline observations
  float baseline_m2 = 0.0f;              ///< running sum of squared deviations (Welford)
  std::int32_t first_anomaly = no_date;  ///< day number of the candidate's first anomaly
  std::int32_t confirmed = no_date;      ///< day number of confirmation
  float magnitude_sum = 0.0f;            ///< sum over the candidate's anomalies of (mean - value)
  std::uint16_t baseline_count = 0;      ///< clear baseline observations
  std::uint16_t clear_count = 0;         ///< clear monitoring observations
  std::uint8_t status = status_none;
  std::uint8_t anomaly_count = 0;  ///< anomalous clear observations of the candidate
  std::uint8_t padding[6] = {};

  /// Mean drop of the candidate's anomalies; NaN without any.
  GEOSWEEP_HD float magnitude() const {
    return anomaly_count > 0 ? canonical_nan(magnitude_sum / static_cast<float>(anomaly_count))
                             : nodata_f32();
  }
};

/// One clear (or cloudy, NaN) baseline observation into the running mean and spread.
struct baseline_update_op {
  GEOSWEEP_HD pixel_state operator()(pixel_state s, float value) const {
    if (is_nodata(value) || s.baseline_count == 65535) return s;
    s.baseline_count = static_cast<std::uint16_t>(s.baseline_count + 1);
    float const delta = value - s.baseline_mean;
    s.baseline_mean = canonical_nan(s.baseline_mean + delta / static_cast<float>(s.baseline_count));
    s.baseline_m2 = canonical_nan(s.baseline_m2 + delta * (value - s.baseline_mean));
    return s;
  }
};

/// One monitoring observation dated `date` (days since 1970-01-01).
struct monitor_update_op {
  std::int32_t date = 0;
  float drop = 0.25f;             ///< minimum fall below the baseline mean
  float k_sigma = 3.0f;           ///< and at least this many baseline standard deviations
  float forest_min = 0.6f;        ///< baseline mean at or above which the pixel is forest
  std::uint8_t confirm = 2;       ///< anomalous clear observations that confirm a candidate
  std::int32_t window_days = 90;  ///< confirmation must come within this many days

  GEOSWEEP_HD bool is_anomalous(pixel_state const& s, float value) const {
    if (s.baseline_count == 0 || s.baseline_mean < forest_min) return false;
    float const fall = s.baseline_mean - value;
    if (fall < drop) return false;
    if (s.baseline_count < 2) return true;
    float const variance = s.baseline_m2 / static_cast<float>(s.baseline_count - 1);
    return fall >= k_sigma * sqrt_rn(variance);
  }

  GEOSWEEP_HD pixel_state operator()(pixel_state s, float value) const {
    if (is_nodata(value)) return s;
    if (s.clear_count < 65535) s.clear_count = static_cast<std::uint16_t>(s.clear_count + 1);
    if (s.status == status_high) return s;
    if (!is_anomalous(s, value)) {
      if (s.status == status_low) {  // a clear normal look clears the candidate
        s.status = status_none;
        s.first_anomaly = no_date;
        s.anomaly_count = 0;
        s.magnitude_sum = 0.0f;
      }
      return s;
    }
    float const fall = s.baseline_mean - value;
    if (s.status == status_none || date - s.first_anomaly > window_days) {
      s.status = status_low;  // a new candidate (or one whose window ran out starts again)
      s.first_anomaly = date;
      s.anomaly_count = 1;
      s.magnitude_sum = canonical_nan(fall);
    } else {
      if (s.anomaly_count < 255) s.anomaly_count = static_cast<std::uint8_t>(s.anomaly_count + 1);
      s.magnitude_sum = canonical_nan(s.magnitude_sum + fall);
    }
    if (s.anomaly_count >= confirm) {
      s.status = status_high;
      s.confirmed = date;
    }
    return s;
  }
};

/// The change class of a pixel: change_outside_aoi outside the AOI, change_no_data without a
/// clear baseline and a clear monitoring observation; else its status where it is a seed (in
/// the AOI's core zone). With `grow_drop` > 0, a forest pixel whose latest clear monitoring
/// look fell below the baseline mean by at least `grow_drop` and `grow_k_sigma` baseline
/// standard deviations, and a candidate in the AOI's edge zone, is change_grown: it joins a
/// patch only where it touches one grown from a seed. Inputs: the state, the latest clear
/// monitoring look of the index (NaN without one), the AOI zone (aoi_zone in change.hpp).
struct state_class_op {
  float forest_min = 0.6f;
  float grow_drop = 0.0f;     ///< 0: no growth
  float grow_k_sigma = 0.0f;  ///< the weaker fall must also exceed this many std devs

  GEOSWEEP_HD bool grows(pixel_state const& s, float latest) const {
    if (grow_drop <= 0.0f || is_nodata(latest) || s.baseline_mean < forest_min) return false;
    float const fall = s.baseline_mean - latest;
    if (fall < grow_drop) return false;
    if (s.baseline_count < 2) return true;
    float const variance = s.baseline_m2 / static_cast<float>(s.baseline_count - 1);
    return fall >= grow_k_sigma * sqrt_rn(variance);
  }

  GEOSWEEP_HD std::uint8_t operator()(pixel_state const& s, float latest, std::uint8_t zone) const {
    if (zone == zone_outside) return change_outside_aoi;
    if (s.baseline_count == 0 || s.clear_count == 0) return change_no_data;
    if (s.status != status_none) {
      if (zone == zone_core) return s.status;
      return grow_drop > 0.0f ? change_grown : change_none;
    }
    return grows(s, latest) ? change_grown : change_none;
  }
};

/// Splits the state into output rasters: status, first anomaly date, confirmation date,
/// magnitude and clear-observation count are read with these small accessors.
struct state_status_op {
  GEOSWEEP_HD std::uint8_t operator()(pixel_state const& s) const { return s.status; }
};
struct state_first_anomaly_op {
  GEOSWEEP_HD std::int32_t operator()(pixel_state const& s) const {
    return s.status == status_none ? no_date : s.first_anomaly;
  }
};
struct state_confirmed_op {
  GEOSWEEP_HD std::int32_t operator()(pixel_state const& s) const { return s.confirmed; }
};
struct state_magnitude_op {
  GEOSWEEP_HD float operator()(pixel_state const& s) const { return s.magnitude(); }
};
struct state_clear_count_op {
  GEOSWEEP_HD std::uint16_t operator()(pixel_state const& s) const { return s.clear_count; }
};
/// The magnitude of a pixel that state_class_op may make change_grown: its candidate's mean
/// drop when it has anomalies, else the fall of its latest clear monitoring look where that
/// grows, else NaN. Inputs: the state and the latest clear monitoring look.
struct state_grown_magnitude_op {
  state_class_op classify;

  GEOSWEEP_HD float operator()(pixel_state const& s, float latest) const {
    if (s.anomaly_count > 0) return s.magnitude();
    return classify.grows(s, latest) ? canonical_nan(s.baseline_mean - latest) : nodata_f32();
  }
};

/// The baseline mean, NaN without a clear baseline observation.
struct state_baseline_mean_op {
  GEOSWEEP_HD float operator()(pixel_state const& s) const {
    return s.baseline_count > 0 ? s.baseline_mean : nodata_f32();
  }
};

}  // namespace geosweep::kernels
