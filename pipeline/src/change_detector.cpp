#include "geosweep/pipeline/change_detector.hpp"

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/error.hpp"
#include "geosweep/kernels/transform.hpp"

namespace geosweep::pipeline {

namespace k = geosweep::kernels;

change_detector::change_detector(change_spec const& change, std::size_t pixels, k::backend where)
    : change_(change), where_(where), pixels_(pixels) {
  if (change_.method == "baseline") {
    state_.assign(pixels, k::pixel_state{});
  } else {
    before_.assign(pixels, k::nodata_f32());
    after_.assign(pixels, k::nodata_f32());
    after_date_.assign(pixels, k::no_date);
    clear_looks_.assign(pixels, 0);
  }
}

void change_detector::observe_baseline(civil_date, std::vector<float> const& index) {
  GEOSWEEP_EXPECTS(index.size() == pixels_, "one value per pixel");
  if (change_.method == "baseline") {
    k::transform_pixels(where_, pixels_, k::baseline_update_op{}, state_.data(),
                        static_cast<k::pixel_state const*>(state_.data()), index.data());
  } else {
    k::transform_pixels(where_, pixels_, k::latest_clear_op{}, before_.data(),
                        static_cast<float const*>(before_.data()), index.data());
  }
}

void change_detector::observe_monitor(civil_date date, std::vector<float> const& index) {
  GEOSWEEP_EXPECTS(index.size() == pixels_, "one value per pixel");
  std::int32_t const day = days_since_epoch(date);
  if (change_.method == "baseline") {
    k::monitor_update_op op;
    op.date = day;
    op.drop = static_cast<float>(change_.drop);
    op.k_sigma = static_cast<float>(change_.k_sigma);
    op.forest_min = static_cast<float>(change_.forest_min);
    op.confirm = static_cast<std::uint8_t>(change_.confirm);
    op.window_days = change_.window_days;
    k::transform_pixels(where_, pixels_, op, state_.data(),
                        static_cast<k::pixel_state const*>(state_.data()), index.data());
    return;
  }
  k::transform_pixels(where_, pixels_, k::latest_clear_op{}, after_.data(),
                      static_cast<float const*>(after_.data()), index.data());
  // The date and count of clear looks are bookkeeping, not maths: a host loop.
  for (std::size_t i = 0; i < pixels_; ++i) {
    if (k::is_nodata(index[i])) continue;
    after_date_[i] = day;
    ++clear_looks_[i];
  }
}

detection_rasters change_detector::finish(std::vector<std::uint8_t> const& inside) const {
  GEOSWEEP_EXPECTS(inside.size() == pixels_, "one mask value per pixel");
  detection_rasters out;
  out.change.resize(pixels_);
  out.first_date.resize(pixels_);
  out.confirmed_date.resize(pixels_);
  out.magnitude.resize(pixels_);
  out.clear_count.resize(pixels_);
  if (change_.method == "baseline") {
    auto const* s = state_.data();
    k::transform_pixels(where_, pixels_, k::state_class_op{}, out.change.data(), s, inside.data());
    k::transform_pixels(where_, pixels_, k::state_first_anomaly_op{}, out.first_date.data(), s);
    k::transform_pixels(where_, pixels_, k::state_confirmed_op{}, out.confirmed_date.data(), s);
    k::transform_pixels(where_, pixels_, k::state_magnitude_op{}, out.magnitude.data(), s);
    k::transform_pixels(where_, pixels_, k::state_clear_count_op{}, out.clear_count.data(), s);
    out.baseline_mean.resize(pixels_);
    for (std::size_t i = 0; i < pixels_; ++i) {
      out.baseline_mean[i] =
          state_[i].baseline_count > 0 ? state_[i].baseline_mean : k::nodata_f32();
    }
    return out;
  }
  k::bitemporal_change_op const classify{static_cast<float>(change_.drop),
                                         static_cast<float>(change_.forest_min)};
  k::transform_pixels(where_, pixels_, classify, out.change.data(), before_.data(), after_.data(),
                      inside.data());
  for (std::size_t i = 0; i < pixels_; ++i) {
    bool const loss = out.change[i] == k::change_high;
    // Both looks are clear and the change lies between them: dated by the later look.
    out.first_date[i] = loss ? after_date_[i] : k::no_date;
    out.confirmed_date[i] = out.first_date[i];
    out.magnitude[i] = loss ? before_[i] - after_[i] : k::nodata_f32();
    out.clear_count[i] = clear_looks_[i];
  }
  out.baseline_mean = before_;
  return out;
}

}  // namespace geosweep::pipeline
