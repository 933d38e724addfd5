#pragma once
/// \file
/// The `bfast` change detector: BFAST-Monitor (Verbesselt, Zeileis and Herold, "Near real-time
/// disturbance detection using satellite image time series", Remote Sensing of Environment 123,
/// 2012) with the OLS-MOSUM monitoring process of strucchange (Zeileis, Leisch, Kleiber and
/// Hornik, "Monitoring structural change in dynamic econometric models", Journal of Applied
/// Econometrics 20, 2005), one pixel at a time, with each pixel's own set of clear looks.
///
/// History: every clear look of the baseline period adds to the pixel's X'y and y'y and marks
/// the look in a bit set; X'X is built from the bit set when the history closes, from the
/// regressors of the looks (the same for every pixel, computed once on the host: no
/// transcendental function runs per pixel, so both backends give the same bits). The model is
/// y = b0 [+ b1 t] + sum_j (a_j cos 2 pi j t + c_j sin 2 pi j t), t in years. The fit solves the
/// normal equations by Cholesky; sigma = sqrt(RSS / (n - p)) with RSS = y'y - b'X'y.
///
/// Monitoring: the MOSUM of the last K = floor(h n) residuals (the window starts with the last K
/// history residuals, as strucchange's does), scaled by sigma sqrt(n), is compared with the
/// boundary lambda sqrt(2 log+(k / n)) at the k-th clear look counted from the start of the
/// history (log+ x = 1 for x <= e, else log x; strucchange's `border`). A clear look whose
/// process lies below minus the boundary is a fall; the first fall makes a candidate (low
/// confidence), `confirm` falls within `window_days` confirm it, and a clear look inside the
/// boundary before that clears the candidate: the ladder of the `baseline` method. A fall must
/// also lie `min_fall` or more below the model (0: bfastmonitor's test alone), so that a season
/// that differs a little from the history's, which the MOSUM sums over its window, is not
/// forest loss.
///
/// State layout: plane-major arrays, value `plane` of pixel i at [plane * n + i].

#include <cstddef>
#include <cstdint>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/detector.hpp"
#include "geosweep/kernels/hd.hpp"

namespace geosweep::kernels {

inline constexpr int bfast_max_harmonics = 3;
/// Intercept, trend and three harmonic pairs.
inline constexpr int bfast_max_params = 2 + 2 * bfast_max_harmonics;
/// Values of the packed upper triangle of X'X.
inline constexpr int bfast_max_packed = bfast_max_params * (bfast_max_params + 1) / 2;

/// Whether a pixel has a model yet, and why not.
enum bfast_model : std::uint8_t {
  bfast_pending = 0,   ///< history looks still coming
  bfast_fitted = 1,    ///< fitted: monitoring
  bfast_too_few = 2,   ///< fewer clear history looks than the fit needs (change_no_model)
  bfast_singular = 3,  ///< the looks do not determine the model (all in one season...), or
                       ///< they fit it exactly (RSS below 1e-12 y'y: sigma 0 within rounding)
};

/// log x for finite x > 0, from additions, multiplications and divisions only, so that both
/// backends give the same bits (the math libraries' log may differ in the last place). Within a
/// few units in the last place of std::log (tests/kernels/bfast_test.cpp).
GEOSWEEP_HD inline double portable_log(double x) {
  // x = m 2^e with m in [1/sqrt 2, sqrt 2): halving and doubling are exact.
  int e = 0;
  double m = x;
  while (m >= 1.4142135623730951) {
    m *= 0.5;
    ++e;
  }
  while (m < 0.7071067811865476) {
    m *= 2.0;
    --e;
  }
  // log m = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...), |s| <= 0.1716: 13 terms reach 1e-19.
  double const s = (m - 1.0) / (m + 1.0);
  double const s2 = s * s;
  double term = s, sum = 0.0;
  for (int j = 0; j < 13; ++j) {
    sum += term / static_cast<double>(2 * j + 1);
    term *= s2;
  }
  return static_cast<double>(e) * 0.6931471805599453 + 2.0 * sum;
}

/// strucchange's OLS-MOSUM boundary lambda sqrt(2 log+(k / n)).
GEOSWEEP_HD inline double bfast_boundary(double lambda, double k, double n) {
  double const x = k / n;
  double const log_plus = x <= 2.718281828459045 ? 1.0 : portable_log(x);
  return lambda * sqrt_rn(2.0 * log_plus);
}

/// The critical value lambda of the OLS-MOSUM monitoring process for relative window `h`
/// (0.25, 0.5 or 1), monitoring horizon `end` (2, 4, 6, 8 or 10 times the history) and
/// significance `level` (0.001 to 0.05), interpolated linearly in 1 - level like strucchange's
/// approx() over its table `monitorMECritvalTable` (functional "max"; the simulated quantiles of
/// Zeileis et al. 2005). Throws std::invalid_argument outside the table. Host only.
double bfast_critical_value(double h, int end, double level);

/// Where (r, c), r <= c, of a p x p symmetric matrix sits in its packed upper triangle.
GEOSWEEP_HD inline int bfast_packed(int p, int r, int c) {
  return r * p - r * (r - 1) / 2 + (c - r);
}

/// The plane-major per-pixel state (device pointers on the CUDA backend).
struct bfast_arrays {
  std::size_t n = 0;                   ///< pixels
  std::uint32_t* valid = nullptr;      ///< history looks with a clear value, 32 a plane
  double* xty = nullptr;               ///< X'y, `params` planes
  double* yty = nullptr;               ///< y'y
  std::uint16_t* history = nullptr;    ///< clear history looks n
  float* ring = nullptr;               ///< the last history values, then the MOSUM window's
                                       ///< residuals (oldest at `next`), `capacity` planes
  std::uint16_t* ring_look = nullptr;  ///< the history look of each ring value
  double* beta = nullptr;              ///< coefficients, `params` planes
  double* sigma = nullptr;             ///< residual standard deviation of the fit
  double* window_sum = nullptr;        ///< sum of the residuals in the window
  std::uint16_t* window = nullptr;     ///< K = floor(h n)
  std::uint16_t* next = nullptr;       ///< ring slot of the window's oldest residual
  std::uint8_t* model = nullptr;       ///< bfast_model
  std::uint16_t* clear = nullptr;      ///< clear monitoring looks m
  std::uint8_t* status = nullptr;      ///< change_status
  std::uint8_t* falls = nullptr;       ///< falls of the candidate
  std::int32_t* first = nullptr;       ///< day of the candidate's first fall
  std::int32_t* confirmed = nullptr;   ///< day of confirmation
  float* fall_sum = nullptr;           ///< sum over the candidate's falls of -residual
  float* ratio = nullptr;              ///< process / boundary at the latest clear look (NaN)
  float* recent = nullptr;             ///< mean of the window\'s history looks (the history\'s end)
};

/// One baseline-period look (NaN where not clear) into the history of pixels still pending.
struct bfast_history_op {
  bfast_arrays a;
  float const* index = nullptr;
  double x[bfast_max_params] = {};  ///< the look's regressors
  int params = 0;
  int look = 0;      ///< 0-based history look, below 32 x the valid planes
  int capacity = 0;  ///< ring planes
  GEOSWEEP_HD void operator()(std::size_t i) const {
    float const y = index[i];
    if (is_nodata(y) || a.model[i] != bfast_pending || a.history[i] == 65535) return;
    std::size_t const n = a.n;
    a.valid[static_cast<std::size_t>(look / 32) * n + i] |= std::uint32_t{1} << (look % 32);
    double const v = y;
    for (int j = 0; j < params; ++j) a.xty[j * n + i] += x[j] * v;
    a.yty[i] += v * v;
    unsigned const count = a.history[i];
    if (capacity > 0) {
      std::size_t const slot = count % static_cast<unsigned>(capacity);
      a.ring[slot * n + i] = y;
      a.ring_look[slot * n + i] = static_cast<std::uint16_t>(look);
    }
    a.history[i] = static_cast<std::uint16_t>(count + 1);
  }
};

/// Closes the history of pending pixels: the fit, sigma and the MOSUM window of the last
/// K history residuals. `table` holds the regressors of the history looks, `looks` x `params`
/// row-major, resident like the state.
struct bfast_fit_op {
  bfast_arrays a;
  double const* table = nullptr;
  int looks = 0;
  int params = 0;
  int capacity = 0;
  double h = 0.25;
  int min_history = 0;

  /// Reverses ring slots [from, to) of pixel i (value and look together).
  GEOSWEEP_HD void reverse(std::size_t i, int from, int to) const {
    std::size_t const n = a.n;
    for (int lo = from, hi = to - 1; lo < hi; ++lo, --hi) {
      float const v = a.ring[lo * n + i];
      a.ring[lo * n + i] = a.ring[hi * n + i];
      a.ring[hi * n + i] = v;
      std::uint16_t const l = a.ring_look[lo * n + i];
      a.ring_look[lo * n + i] = a.ring_look[hi * n + i];
      a.ring_look[hi * n + i] = l;
    }
  }

  GEOSWEEP_HD void operator()(std::size_t i) const {
    if (a.model[i] != bfast_pending) return;
    std::size_t const n = a.n;
    int const count = a.history[i];
    int const window = static_cast<int>(h * static_cast<double>(count));  // floor: both >= 0
    if (count < min_history || count <= params || window <= 1 || window > capacity) {
      a.model[i] = bfast_too_few;
      return;
    }
    // X'X from the looks in order, packed upper triangle by rows.
    double xtx[bfast_max_packed] = {};
    for (int look = 0; look < looks; ++look) {
      if ((a.valid[static_cast<std::size_t>(look / 32) * n + i] >> (look % 32) & 1u) == 0) continue;
      double const* row = table + static_cast<std::size_t>(look) * params;
      int at = 0;
      for (int r = 0; r < params; ++r)
        for (int c = r; c < params; ++c) xtx[at++] += row[r] * row[c];
    }
    // Cholesky X'X = R'R (R upper, in place), then R'R b = X'y.
    double rhs[bfast_max_params] = {};
    for (int r = 0; r < params; ++r) rhs[r] = a.xty[r * n + i];
    int const p = params;
    for (int r = 0; r < params; ++r) {
      double d = xtx[bfast_packed(p, r, r)];
      for (int q = 0; q < r; ++q) d -= xtx[bfast_packed(p, q, r)] * xtx[bfast_packed(p, q, r)];
      // A pivot that lost all but a 1e-10 share of its column is rank deficiency.
      if (!(d > 1e-10 * xtx[bfast_packed(p, r, r)]) || !(d > 0.0)) {
        a.model[i] = bfast_singular;
        return;
      }
      double const root = sqrt_rn(d);
      xtx[bfast_packed(p, r, r)] = root;
      for (int c = r + 1; c < params; ++c) {
        double v = xtx[bfast_packed(p, r, c)];
        for (int q = 0; q < r; ++q) v -= xtx[bfast_packed(p, q, r)] * xtx[bfast_packed(p, q, c)];
        xtx[bfast_packed(p, r, c)] = v / root;
      }
    }
    for (int r = 0; r < params; ++r) {  // R'z = X'y
      double v = rhs[r];
      for (int q = 0; q < r; ++q) v -= xtx[bfast_packed(p, q, r)] * rhs[q];
      rhs[r] = v / xtx[bfast_packed(p, r, r)];
    }
    for (int r = params - 1; r >= 0; --r) {  // R b = z
      double v = rhs[r];
      for (int c = r + 1; c < params; ++c) v -= xtx[bfast_packed(p, r, c)] * rhs[c];
      rhs[r] = v / xtx[bfast_packed(p, r, r)];
    }
    double rss = a.yty[i];
    for (int r = 0; r < params; ++r) rss -= rhs[r] * a.xty[r * n + i];
    // y'y - b'X'y keeps about 1e-16 y'y of rounding: below 1e-12 y'y the fit is exact.
    if (!(rss > 1e-12 * a.yty[i])) {
      a.model[i] = bfast_singular;
      return;
    }
    double const sigma = sqrt_rn(rss / static_cast<double>(count - params));
    if (!(sigma > 0.0)) {
      a.model[i] = bfast_singular;
      return;
    }
    for (int r = 0; r < params; ++r) a.beta[r * n + i] = rhs[r];
    a.sigma[i] = sigma;
    // The last `window` history values sit at slots (count - window + j) % capacity: rotating
    // the ring left by the first of them puts them, oldest first, at [0, window).
    int const shift = (count - window) % capacity;
    if (shift > 0) {
      reverse(i, 0, shift);
      reverse(i, shift, capacity);
      reverse(i, 0, capacity);
    }
    double sum = 0.0, values = 0.0;
    for (int j = 0; j < window; ++j) {
      double const* row = table + static_cast<std::size_t>(a.ring_look[j * n + i]) * params;
      double fit = 0.0;
      for (int r = 0; r < params; ++r) fit += row[r] * rhs[r];
      double const y = a.ring[j * n + i];
      float const e = static_cast<float>(y - fit);
      a.ring[j * n + i] = e;
      sum += static_cast<double>(e);
      values += y;
    }
    a.window_sum[i] = sum;
    a.recent[i] = static_cast<float>(values / static_cast<double>(window));
    a.window[i] = static_cast<std::uint16_t>(window);
    a.next[i] = 0;
    a.model[i] = bfast_fitted;
  }
};

/// The history mean of the index (b0's data: X'y[0] / n, the intercept regressor being 1), NaN
/// without a clear history look.
GEOSWEEP_HD inline float bfast_history_mean(bfast_arrays const& a, std::size_t i) {
  unsigned const count = a.history[i];
  return count == 0 ? nodata_f32()
                    : canonical_nan(static_cast<float>(a.xty[i] / static_cast<double>(count)));
}

/// Forest: the history's mean and the mean of its last K looks (the end of the history, where a
/// clearing inside the history shows) at least `forest_min`. The history is the whole baseline
/// period (bfastmonitor's history = "all"), so a pixel cleared before the monitoring began is
/// not taken for forest that is lost when its model, half forest and half bare, meets it.
GEOSWEEP_HD inline bool bfast_forest(bfast_arrays const& a, std::size_t i, float forest_min) {
  return !(bfast_history_mean(a, i) < forest_min) && !(a.recent[i] < forest_min);
}

/// One monitoring look dated `date` (NaN where not clear).
struct bfast_monitor_op {
  bfast_arrays a;
  float const* index = nullptr;
  double x[bfast_max_params] = {};  ///< the look's regressors
  int params = 0;
  std::int32_t date = 0;
  double lambda = 1.0;            ///< bfast_critical_value
  float forest_min = 0.6f;        ///< history mean at or above which the pixel is forest
  float min_fall = 0.0f;          ///< and the look at least this far below the model (0: off)
  std::uint8_t confirm = 2;       ///< falls that confirm a candidate
  std::int32_t window_days = 90;  ///< confirmation must come within this many days

  GEOSWEEP_HD void operator()(std::size_t i) const {
    float const y = index[i];
    if (is_nodata(y)) return;
    std::size_t const n = a.n;
    unsigned const m = a.clear[i] + 1u;
    if (m <= 65535u) a.clear[i] = static_cast<std::uint16_t>(m);
    if (a.model[i] != bfast_fitted || m > 65535u) return;
    double fit = 0.0;
    for (int r = 0; r < params; ++r) fit += x[r] * a.beta[r * n + i];
    float const e = static_cast<float>(static_cast<double>(y) - fit);
    unsigned const window = a.window[i];
    unsigned const slot = a.next[i];
    double const sum =
        a.window_sum[i] + (static_cast<double>(e) - static_cast<double>(a.ring[slot * n + i]));
    a.ring[slot * n + i] = e;
    a.next[i] = static_cast<std::uint16_t>(slot + 1 == window ? 0 : slot + 1);
    a.window_sum[i] = sum;
    double const history = a.history[i];
    double const process = sum / (a.sigma[i] * sqrt_rn(history));
    double const boundary = bfast_boundary(lambda, history + static_cast<double>(m), history);
    a.ratio[i] = static_cast<float>(process / boundary);
    if (a.status[i] == status_high) return;
    bool const forest = bfast_forest(a, i, forest_min);
    bool const deep = !(min_fall > 0.0f) || -e >= min_fall;  // 0: the MOSUM test alone
    if (!(forest && process < -boundary && deep)) {
      if (a.status[i] == status_low) {  // back inside the boundary: the candidate clears
        a.status[i] = status_none;
        a.first[i] = no_date;
        a.falls[i] = 0;
        a.fall_sum[i] = 0.0f;
      }
      return;
    }
    if (a.status[i] == status_none || date - a.first[i] > window_days) {
      a.status[i] = status_low;
      a.first[i] = date;
      a.falls[i] = 1;
      a.fall_sum[i] = canonical_nan(-e);
    } else {
      if (a.falls[i] < 255) a.falls[i] = static_cast<std::uint8_t>(a.falls[i] + 1);
      a.fall_sum[i] = canonical_nan(a.fall_sum[i] - e);
    }
    if (a.falls[i] >= confirm) {
      a.status[i] = status_high;
      a.confirmed[i] = date;
    }
  }
};

/// The per-pixel results every AOI shares: first and confirmation dates, magnitude (the
/// candidate's mean fall below the model; for a pixel that only grows, minus its latest
/// window's mean residual), clear monitoring looks and the history mean.
struct bfast_results_op {
  bfast_arrays a;
  std::int32_t* first = nullptr;
  std::int32_t* confirmed = nullptr;
  float* magnitude = nullptr;
  std::uint16_t* clear = nullptr;
  float* mean = nullptr;
  float grow = 0.0f;  ///< 0: no growth
  float forest_min = 0.6f;
  float min_fall = 0.0f;  ///< bfast_monitor_op's

  /// A forest pixel whose latest process lies at or beyond `grow` x the boundary and whose
  /// window's mean residual is at least `grow` x `min_fall` below the model.
  GEOSWEEP_HD bool grows(std::size_t i) const {
    if (!(grow > 0.0f) || a.model[i] != bfast_fitted || !bfast_forest(a, i, forest_min) ||
        !(a.ratio[i] <= -grow))
      return false;
    double const mean = a.window_sum[i] / static_cast<double>(a.window[i]);
    return -mean >= static_cast<double>(grow) * static_cast<double>(min_fall);
  }

  GEOSWEEP_HD void operator()(std::size_t i) const {
    bool const candidate = a.status[i] != status_none;
    first[i] = candidate ? a.first[i] : no_date;
    confirmed[i] = a.status[i] == status_high ? a.confirmed[i] : no_date;
    float value = nodata_f32();
    if (candidate && a.falls[i] > 0) {
      value = canonical_nan(a.fall_sum[i] / static_cast<float>(a.falls[i]));
    } else if (grows(i)) {
      value =
          canonical_nan(static_cast<float>(-a.window_sum[i] / static_cast<double>(a.window[i])));
    }
    magnitude[i] = value;
    clear[i] = a.clear[i];
    mean[i] = bfast_history_mean(a, i);
  }
};

/// The change class of a pixel in one AOI (`zone`: aoi_zone): outside; no data without a clear
/// history look or a clear monitoring look; no model where the history is too short or does not
/// determine the fit; else its status where it is a seed (core zone), change_grown for a
/// candidate in the edge zone or a forest pixel whose latest process lies beyond `grow` times
/// the boundary (with growth on), else none.
struct bfast_class_op {
  bfast_results_op results;
  std::uint8_t const* zone = nullptr;
  std::uint8_t* change = nullptr;

  GEOSWEEP_HD void operator()(std::size_t i) const {
    auto const& a = results.a;
    std::uint8_t cls = change_none;
    if (zone[i] == zone_outside) {
      cls = change_outside_aoi;
    } else if (a.history[i] == 0 || a.clear[i] == 0) {
      cls = change_no_data;
    } else if (a.model[i] != bfast_fitted) {
      cls = change_no_model;
    } else if (a.status[i] != status_none) {
      cls = zone[i] == zone_core
                ? a.status[i]
                : (results.grow > 0.0f ? std::uint8_t{change_grown} : std::uint8_t{change_none});
    } else if (results.grows(i)) {
      cls = change_grown;
    }
    change[i] = cls;
  }
};

}  // namespace geosweep::kernels
