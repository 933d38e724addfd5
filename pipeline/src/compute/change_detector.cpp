#include "compute/change_detector.hpp"

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {

namespace k = geosweep::kernels;

change_detector::change_detector(change_spec const& change, std::size_t pixels, k::stream const& s)
    : change_(change), stream_(s), pixels_(pixels) {
  if (change_.method == change_method::baseline) {
    state_ = k::device_array<k::pixel_state>(s, pixels);
    k::fill(s, state_, pixels, k::pixel_state{});
  } else {
    before_ = k::device_array<float>(s, pixels);
    after_ = k::device_array<float>(s, pixels);
    after_date_ = k::device_array<std::int32_t>(s, pixels);
    clear_looks_ = k::device_array<std::uint16_t>(s, pixels);
    k::fill(s, before_, pixels, k::nodata_f32());
    k::fill(s, after_, pixels, k::nodata_f32());
    k::fill(s, after_date_, pixels, std::int32_t{k::no_date});
    k::fill(s, clear_looks_, pixels, std::uint16_t{0});
  }
}

void change_detector::observe_baseline(civil_date, float const* index) {
  if (change_.method == change_method::baseline) {
    k::transform_pixels(stream_, pixels_, k::baseline_update_op{}, state_.data(),
                        static_cast<k::pixel_state const*>(state_.data()), index);
  } else {
    k::transform_pixels(stream_, pixels_, k::latest_clear_op{}, before_.data(),
                        static_cast<float const*>(before_.data()), index);
  }
}

void change_detector::observe_monitor(civil_date date, float const* index) {
  std::int32_t const day = days_since_epoch(date);
  if (change_.method == change_method::baseline) {
    k::monitor_update_op op;
    op.date = day;
    op.drop = static_cast<float>(change_.drop);
    op.k_sigma = static_cast<float>(change_.k_sigma);
    op.forest_min = static_cast<float>(change_.forest_min);
    op.confirm = static_cast<std::uint8_t>(change_.confirm);
    op.window_days = change_.window_days;
    k::transform_pixels(stream_, pixels_, op, state_.data(),
                        static_cast<k::pixel_state const*>(state_.data()), index);
    return;
  }
  k::transform_pixels(stream_, pixels_, k::latest_clear_op{}, after_.data(),
                      static_cast<float const*>(after_.data()), index);
  k::transform_pixels(stream_, pixels_, k::latest_clear_date_op{day}, after_date_.data(),
                      static_cast<std::int32_t const*>(after_date_.data()), index);
  k::transform_pixels(stream_, pixels_, k::clear_count_op{}, clear_looks_.data(),
                      static_cast<std::uint16_t const*>(clear_looks_.data()), index);
}

namespace {

/// Runs `op` over the resident inputs into a resident scratch array and copies it into `out`.
template <class Op, class T, class... In>
void result_to_host(k::stream const& s, std::size_t n, Op const& op, std::vector<T>& out,
                    In const*... in) {
  k::device_array<T> scratch(s, n);
  k::transform_pixels(s, n, op, scratch.data(), in...);
  out.resize(n);
  k::copy_to_host(s, out.data(), scratch, n);
  s.synchronize();  // `out` is ordinary host memory, and `scratch` is freed on return
}

}  // namespace

std::vector<detection_rasters> change_detector::finish(
    std::vector<std::uint8_t const*> const& insides) const {
  auto const n = pixels_;
  auto const& s = stream_;
  // What does not depend on the AOI comes back once; only the classes (and, for the
  // bitemporal method, what follows from them) are made per AOI.
  detection_rasters shared;
  std::vector<float> after;
  std::vector<std::int32_t> after_date;
  bool const baseline = change_.method == change_method::baseline;
  if (baseline) {
    auto const* state = state_.data();
    result_to_host(s, n, k::state_first_anomaly_op{}, shared.first_date, state);
    result_to_host(s, n, k::state_confirmed_op{}, shared.confirmed_date, state);
    result_to_host(s, n, k::state_magnitude_op{}, shared.magnitude, state);
    result_to_host(s, n, k::state_clear_count_op{}, shared.clear_count, state);
    result_to_host(s, n, k::state_baseline_mean_op{}, shared.baseline_mean, state);
  } else {
    after.resize(n);
    after_date.resize(n);
    shared.baseline_mean.resize(n);
    shared.clear_count.resize(n);
    k::copy_to_host(s, after.data(), after_, n);
    k::copy_to_host(s, shared.baseline_mean.data(), before_, n);
    k::copy_to_host(s, after_date.data(), after_date_, n);
    k::copy_to_host(s, shared.clear_count.data(), clear_looks_, n);
    s.synchronize();
  }
  std::vector<detection_rasters> out;
  for (std::size_t a = 0; a < insides.size(); ++a) {
    auto const* inside = insides[a];
    detection_rasters d = a + 1 < insides.size() ? shared : std::move(shared);
    if (baseline) {
      result_to_host(s, n, k::state_class_op{}, d.change, state_.data(), inside);
      out.push_back(std::move(d));
      continue;
    }
    k::bitemporal_change_op const classify{static_cast<float>(change_.drop),
                                           static_cast<float>(change_.forest_min)};
    result_to_host(s, n, classify, d.change, before_.data(), after_.data(), inside);
    d.first_date.resize(n);
    d.confirmed_date.resize(n);
    d.magnitude.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      bool const loss = d.change[i] == k::change_high;
      // Both looks are clear and the change lies between them: dated by the later look.
      d.first_date[i] = loss ? after_date[i] : k::no_date;
      d.confirmed_date[i] = d.first_date[i];
      d.magnitude[i] = loss ? d.baseline_mean[i] - after[i] : k::nodata_f32();
    }
    out.push_back(std::move(d));
  }
  return out;
}

detector_state change_detector::save() const {
  detector_state out;
  auto const n = pixels_;
  auto const& s = stream_;
  if (change_.method == change_method::baseline) {
    out.pixels.resize(n);
    k::copy_to_host(s, out.pixels.data(), state_, n);
  } else {
    out.before.resize(n);
    out.after.resize(n);
    out.after_date.resize(n);
    out.clear_looks.resize(n);
    k::copy_to_host(s, out.before.data(), before_, n);
    k::copy_to_host(s, out.after.data(), after_, n);
    k::copy_to_host(s, out.after_date.data(), after_date_, n);
    k::copy_to_host(s, out.clear_looks.data(), clear_looks_, n);
  }
  s.synchronize();
  return out;
}

void change_detector::restore(detector_state const& state) {
  auto const n = pixels_;
  auto const& s = stream_;
  if (change_.method == change_method::baseline) {
    GEOSWEEP_EXPECTS(state.pixels.size() == n, "a saved baseline state of the same size");
    k::copy_to_device(s, state_, state.pixels.data(), n);
  } else {
    GEOSWEEP_EXPECTS(state.before.size() == n && state.after.size() == n &&
                         state.after_date.size() == n && state.clear_looks.size() == n,
                     "a saved bitemporal state of the same size");
    k::copy_to_device(s, before_, state.before.data(), n);
    k::copy_to_device(s, after_, state.after.data(), n);
    k::copy_to_device(s, after_date_, state.after_date.data(), n);
    k::copy_to_device(s, clear_looks_, state.clear_looks.data(), n);
  }
  s.synchronize();  // the host vectors may go once this returns
}

}  // namespace geosweep::pipeline
