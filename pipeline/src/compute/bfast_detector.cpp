// The `bfast` method (docs/detector.md): BFAST-Monitor's season-trend model fitted to each
// pixel's clear looks of the baseline period, then the OLS-MOSUM process of its monitoring
// residuals against strucchange's boundary; falls beyond the boundary climb the confidence
// ladder of the `baseline` method. The maths is kernels/bfast.hpp; this holds the arrays, the
// regressors of each look (computed here, once per date, for every pixel) and the state file.
#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <utility>

#include "compute/change_detector.hpp"
#include "compute/detector_results.hpp"
#include "geosweep/kernels/bfast.hpp"
#include "geosweep/kernels/bfast_state.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {
namespace {

namespace k = geosweep::kernels;

/// The model's time axis: years of 365.25 days since 2000-01-01 (docs/detector.md).
constexpr int time_origin_day = 10957;

/// The regressors of a look on `date`: 1, [t,] cos 2 pi j t, sin 2 pi j t for j = 1..k.
std::array<double, k::bfast_max_params> regressors(bfast_spec const& b, civil_date date) {
  std::array<double, k::bfast_max_params> x{};
  double const t = static_cast<double>(days_since_epoch(date) - time_origin_day) / 365.25;
  int at = 0;
  x[at++] = 1.0;
  if (b.trend) x[at++] = t;
  for (int j = 1; j <= b.k; ++j) {
    x[at++] = std::cos(2.0 * std::numbers::pi * j * t);
    x[at++] = std::sin(2.0 * std::numbers::pi * j * t);
  }
  return x;
}

template <class T>
using host_vector = std::vector<T>;

struct bfast_state final : detector_state {
  std::size_t pixels = 0;
  k::bfast_buffers<host_vector> v;

  [[nodiscard]] std::size_t size() const override { return pixels; }
  void write(state_writer& out, std::size_t chunk, pixel_window const& window) const override {
    k::each_saved(
        [&](char const* name, auto const& values) {
          out.write(chunk, window, std::string("detector/bfast/") + name, values);
        },
        v);
  }
};

template <class T>
using resident = k::device_array<T>;

class bfast_detector final : public change_detector {
 public:
  bfast_detector(change_spec const& change, std::size_t pixels, k::stream const& s,
                 std::size_t history_looks)
      : change_(change),
        stream_(s),
        pixels_(pixels),
        params_(change.bfast.params()),
        looks_(static_cast<int>(std::min<std::size_t>(history_looks, 65535))),
        capacity_(static_cast<int>(std::floor(change.bfast.h * looks_))),
        lambda_(k::bfast_critical_value(change.bfast.h, change.bfast.end, change.bfast.level)) {
    buffers_ = k::make_bfast_buffers(s, pixels, params_, looks_, capacity_);
  }

  void observe_baseline(civil_date date, float const* index) override {
    // The model is fitted once: a monitoring run recomputes from the first date when a late
    // scene comes (docs/monitoring.md), so no history look reaches a fitted detector there.
    if (closed_ || table_.size() / params_ >= static_cast<std::size_t>(looks_)) return;
    auto const x = regressors(change_.bfast, date);
    k::bfast_history_op op;
    op.a = arrays();
    op.index = index;
    std::copy(x.begin(), x.end(), op.x);
    op.params = params_;
    op.look = static_cast<int>(table_.size() / params_);
    op.capacity = capacity_;
    table_.insert(table_.end(), x.begin(), x.begin() + params_);
    k::for_each_pixel(stream_, pixels_, op);
  }

  void observe_monitor(civil_date date, float const* index) override {
    close();
    auto const x = regressors(change_.bfast, date);
    k::bfast_monitor_op op;
    op.a = arrays();
    op.index = index;
    std::copy(x.begin(), x.end(), op.x);
    op.params = params_;
    op.date = days_since_epoch(date);
    op.lambda = lambda_;
    op.forest_min = static_cast<float>(change_.forest_min);
    op.min_fall = static_cast<float>(change_.bfast.min_fall);
    op.confirm = static_cast<std::uint8_t>(change_.confirm);
    op.window_days = change_.window_days;
    k::for_each_pixel(stream_, pixels_, op);
  }

  [[nodiscard]] std::vector<detection_rasters> finish(std::vector<std::uint8_t const*> const& zones,
                                                      float const*) const override {
    close();
    auto const n = pixels_;
    auto const& s = stream_;
    resident<std::int32_t> first(s, n), confirmed(s, n);
    resident<float> magnitude(s, n), mean(s, n);
    resident<std::uint16_t> clear(s, n);
    resident<std::uint8_t> change(s, n);
    k::bfast_results_op results;
    results.a = arrays();
    results.first = first.data();
    results.confirmed = confirmed.data();
    results.magnitude = magnitude.data();
    results.clear = clear.data();
    results.mean = mean.data();
    results.grow = static_cast<float>(change_.grow);
    results.forest_min = static_cast<float>(change_.forest_min);
    results.min_fall = static_cast<float>(change_.bfast.min_fall);
    k::for_each_pixel(s, n, results);
    detection_rasters shared;
    shared.first_date = to_host(s, first, n);
    shared.confirmed_date = to_host(s, confirmed, n);
    shared.magnitude = to_host(s, magnitude, n);
    shared.clear_count = to_host(s, clear, n);
    shared.baseline_mean = to_host(s, mean, n);
    std::vector<detection_rasters> out;
    for (std::size_t a = 0; a < zones.size(); ++a) {
      detection_rasters d = a + 1 < zones.size() ? shared : std::move(shared);
      k::bfast_class_op classify{results, zones[a], change.data()};
      k::for_each_pixel(s, n, classify);
      d.change = to_host(s, change, n);
      out.push_back(std::move(d));
    }
    return out;
  }

  [[nodiscard]] std::unique_ptr<detector_state> save() const override {
    close();
    auto state = std::make_unique<bfast_state>();
    state->pixels = pixels_;
    k::each_saved([&](char const*, auto const& array,
                      auto& values) { values = to_host(stream_, array, array.size()); },
                  buffers_, state->v);
    return state;
  }

  void restore(state_reader const& in, std::size_t chunk, pixel_window const& window) override {
    auto const saved = read_bfast_state(in, chunk, window);
    auto const& state = static_cast<bfast_state const&>(*saved);
    GEOSWEEP_EXPECTS(state.v.xty.size() == static_cast<std::size_t>(params_) * pixels_,
                     "a saved bfast state of the same size and model");
    capacity_ = static_cast<int>(state.v.ring.size() / std::max<std::size_t>(pixels_, 1));
    k::each_saved(
        [&](char const*, auto& array, auto const& values) {
          using T = typename std::decay_t<decltype(values)>::value_type;
          array = resident<T>(stream_, values.size());
          if (!values.empty()) k::copy_to_device(stream_, array, values.data(), values.size());
        },
        buffers_, state.v);
    stream_.synchronize();  // the host vectors go once this returns
    closed_ = true;         // a saved state is always fitted (save() closes the history)
    buffers_.valid = {};
    buffers_.yty = {};
    buffers_.ring_look = {};
  }

 private:
  /// Fits every pending pixel once the history is complete (the first monitoring look, or the
  /// results or state of a run without one); the history-only arrays go.
  void close() const {
    if (closed_) return;
    closed_ = true;
    std::size_t const looks = table_.size() / params_;
    resident<double> table(stream_, table_.size());
    if (!table_.empty()) k::copy_to_device(stream_, table, table_.data(), table_.size());
    k::bfast_fit_op fit;
    fit.a = arrays();
    fit.table = table.data();
    fit.looks = static_cast<int>(looks);
    fit.params = params_;
    fit.capacity = capacity_;
    fit.h = change_.bfast.h;
    fit.min_history = change_.bfast.min_history;
    k::for_each_pixel(stream_, pixels_, fit);
    stream_.synchronize();  // `table` and the host table go
    buffers_.valid = {};
    buffers_.yty = {};
    buffers_.ring_look = {};
  }

  [[nodiscard]] k::bfast_arrays arrays() const { return k::view(buffers_, pixels_); }

  change_spec change_;
  k::stream const& stream_;
  std::size_t pixels_;
  int params_;
  int looks_;
  mutable int capacity_;
  double lambda_;
  mutable bool closed_ = false;
  mutable std::vector<double> table_;  // regressors of the history looks so far
  mutable k::bfast_buffers<k::device_array> buffers_;
};

}  // namespace

std::unique_ptr<change_detector> make_bfast_detector(change_spec const& change, std::size_t pixels,
                                                     k::stream const& s,
                                                     std::size_t history_looks) {
  return std::make_unique<bfast_detector>(change, pixels, s, history_looks);
}

std::unique_ptr<detector_state> read_bfast_state(state_reader const& in, std::size_t chunk,
                                                 pixel_window const& window) {
  auto state = std::make_unique<bfast_state>();
  state->pixels = window.pixel_count();
  k::each_saved(
      [&](char const* name, auto& values) {
        in.read(chunk, window, std::string("detector/bfast/") + name, values);
      },
      state->v);
  return state;
}

}  // namespace geosweep::pipeline
