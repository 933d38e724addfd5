// The `baseline` method (docs/detector.md): a per-pixel baseline (mean and spread) from the
// clear looks of the baseline period; each clear monitoring look is anomalous or not; the
// first anomaly makes a low-confidence candidate, `confirm` anomalies within `window_days`
// confirm it. The state is one kernels::pixel_state a pixel (kernels/detector.hpp).
#include "compute/change_detector.hpp"
#include "compute/detector_results.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/detector.hpp"
#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {
namespace {

namespace k = geosweep::kernels;

class baseline_state final : public detector_state {
 public:
  explicit baseline_state(std::vector<k::pixel_state> pixels) : pixels_(std::move(pixels)) {}
  [[nodiscard]] std::size_t size() const override { return pixels_.size(); }
  void write(state_writer& out, std::size_t chunk, pixel_window const& window) const override {
    out.write(chunk, window, "detector/state", pixels_);
  }
  [[nodiscard]] std::vector<k::pixel_state> const& pixels() const { return pixels_; }

 private:
  std::vector<k::pixel_state> pixels_;
};

class baseline_detector final : public change_detector {
 public:
  baseline_detector(change_spec const& change, std::size_t pixels, k::stream const& s)
      : change_(change), stream_(s), pixels_(pixels), state_(s, pixels) {
    k::fill(s, state_, pixels, k::pixel_state{});
  }

  void observe_baseline(civil_date, float const* index) override {
    k::transform_pixels(stream_, pixels_, k::baseline_update_op{}, state_.data(),
                        static_cast<k::pixel_state const*>(state_.data()), index);
  }

  void observe_monitor(civil_date date, float const* index) override {
    k::monitor_update_op op;
    op.date = days_since_epoch(date);
    op.drop = static_cast<float>(change_.drop);
    op.k_sigma = static_cast<float>(change_.k_sigma);
    op.forest_min = static_cast<float>(change_.forest_min);
    op.confirm = static_cast<std::uint8_t>(change_.confirm);
    op.window_days = change_.window_days;
    k::transform_pixels(stream_, pixels_, op, state_.data(),
                        static_cast<k::pixel_state const*>(state_.data()), index);
  }

  [[nodiscard]] std::vector<detection_rasters> finish(std::vector<std::uint8_t const*> const& zones,
                                                      float const* latest) const override {
    auto const n = pixels_;
    auto const& s = stream_;
    auto const* state = state_.data();
    // What does not depend on the AOI comes back once; only the classes are made per AOI.
    detection_rasters shared;
    result_to_host(s, n, k::state_first_anomaly_op{}, shared.first_date, state);
    result_to_host(s, n, k::state_confirmed_op{}, shared.confirmed_date, state);
    k::state_class_op classify;
    classify.forest_min = static_cast<float>(change_.forest_min);
    classify.grow_drop = static_cast<float>(change_.grow * change_.drop);
    classify.grow_k_sigma = static_cast<float>(change_.grow * change_.k_sigma);
    result_to_host(s, n, k::state_grown_magnitude_op{classify}, shared.magnitude, state, latest);
    result_to_host(s, n, k::state_clear_count_op{}, shared.clear_count, state);
    result_to_host(s, n, k::state_baseline_mean_op{}, shared.baseline_mean, state);
    std::vector<detection_rasters> out;
    for (std::size_t a = 0; a < zones.size(); ++a) {
      detection_rasters d = a + 1 < zones.size() ? shared : std::move(shared);
      result_to_host(s, n, classify, d.change, state, latest, zones[a]);
      out.push_back(std::move(d));
    }
    return out;
  }

  [[nodiscard]] std::unique_ptr<detector_state> save() const override {
    return std::make_unique<baseline_state>(to_host(stream_, state_, pixels_));
  }

  void restore(state_reader const& in, std::size_t chunk, pixel_window const& window) override {
    auto const saved = read_baseline_state(in, chunk, window);
    auto const& pixels = static_cast<baseline_state const&>(*saved).pixels();
    GEOSWEEP_EXPECTS(pixels.size() == pixels_, "a saved baseline state of the same size");
    k::copy_to_device(stream_, state_, pixels.data(), pixels_);
    stream_.synchronize();  // the host vector goes once this returns
  }

 private:
  change_spec change_;
  k::stream const& stream_;
  std::size_t pixels_;
  k::device_array<k::pixel_state> state_;
};

}  // namespace

std::unique_ptr<change_detector> make_baseline_detector(change_spec const& change,
                                                        std::size_t pixels, k::stream const& s) {
  return std::make_unique<baseline_detector>(change, pixels, s);
}

std::unique_ptr<detector_state> read_baseline_state(state_reader const& in, std::size_t chunk,
                                                    pixel_window const& window) {
  std::vector<k::pixel_state> pixels;
  in.read(chunk, window, "detector/state", pixels);
  return std::make_unique<baseline_state>(std::move(pixels));
}

}  // namespace geosweep::pipeline
