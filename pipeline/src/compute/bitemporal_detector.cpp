// The `bitemporal` method (docs/detector.md): the latest clear look of each period; a pixel is
// lost when it was forest before (index >= forest_min) and the index fell by `drop` or more,
// dated by the later look. The state is the two looks, the later one's date and the number of
// clear monitoring looks.
#include "compute/change_detector.hpp"
#include "compute/detector_results.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {
namespace {

namespace k = geosweep::kernels;

struct bitemporal_state final : detector_state {
  std::vector<float> before, after;      // latest clear looks
  std::vector<std::int32_t> after_date;  // day of the latest clear look
  std::vector<std::uint16_t> clear_looks;

  [[nodiscard]] std::size_t size() const override { return before.size(); }
  void write(state_writer& out, std::size_t chunk, pixel_window const& window) const override {
    out.write(chunk, window, "detector/before", before);
    out.write(chunk, window, "detector/after", after);
    out.write(chunk, window, "detector/after_date", after_date);
    out.write(chunk, window, "detector/clear_looks", clear_looks);
  }
};

class bitemporal_detector final : public change_detector {
 public:
  bitemporal_detector(change_spec const& change, std::size_t pixels, k::stream const& s)
      : change_(change),
        stream_(s),
        pixels_(pixels),
        before_(s, pixels),
        after_(s, pixels),
        after_date_(s, pixels),
        clear_looks_(s, pixels) {
    k::fill(s, before_, pixels, k::nodata_f32());
    k::fill(s, after_, pixels, k::nodata_f32());
    k::fill(s, after_date_, pixels, std::int32_t{k::no_date});
    k::fill(s, clear_looks_, pixels, std::uint16_t{0});
  }

  void observe_baseline(civil_date, float const* index) override {
    k::transform_pixels(stream_, pixels_, k::latest_clear_op{}, before_.data(),
                        static_cast<float const*>(before_.data()), index);
  }

  void observe_monitor(civil_date date, float const* index) override {
    k::transform_pixels(stream_, pixels_, k::latest_clear_op{}, after_.data(),
                        static_cast<float const*>(after_.data()), index);
    k::transform_pixels(
        stream_, pixels_, k::latest_clear_date_op<std::int32_t>{days_since_epoch(date)},
        after_date_.data(), static_cast<std::int32_t const*>(after_date_.data()), index);
    k::transform_pixels(stream_, pixels_, k::clear_count_op{}, clear_looks_.data(),
                        static_cast<std::uint16_t const*>(clear_looks_.data()), index);
  }

  [[nodiscard]] std::vector<detection_rasters> finish(std::vector<std::uint8_t const*> const& zones,
                                                      float const*) const override {
    auto const n = pixels_;
    auto const& s = stream_;
    detection_rasters shared;
    auto const after = to_host(s, after_, n);
    auto const after_date = to_host(s, after_date_, n);
    shared.baseline_mean = to_host(s, before_, n);
    shared.clear_count = to_host(s, clear_looks_, n);
    k::bitemporal_change_op const classify{static_cast<float>(change_.drop),
                                           static_cast<float>(change_.forest_min),
                                           static_cast<float>(change_.grow * change_.drop)};
    std::vector<detection_rasters> out;
    for (std::size_t a = 0; a < zones.size(); ++a) {
      detection_rasters d = a + 1 < zones.size() ? shared : std::move(shared);
      result_to_host(s, n, classify, d.change, before_.data(), after_.data(), zones[a]);
      d.first_date.resize(n);
      d.confirmed_date.resize(n);
      d.magnitude.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        bool const loss = d.change[i] == k::change_high || d.change[i] == k::change_grown;
        // Both looks are clear and the change lies between them: dated by the later look (a
        // grown pixel too; its patch takes its dates from its seeds).
        d.first_date[i] = loss ? after_date[i] : k::no_date;
        d.confirmed_date[i] = d.first_date[i];
        d.magnitude[i] = loss ? d.baseline_mean[i] - after[i] : k::nodata_f32();
      }
      out.push_back(std::move(d));
    }
    return out;
  }

  [[nodiscard]] std::unique_ptr<detector_state> save() const override {
    auto state = std::make_unique<bitemporal_state>();
    state->before = to_host(stream_, before_, pixels_);
    state->after = to_host(stream_, after_, pixels_);
    state->after_date = to_host(stream_, after_date_, pixels_);
    state->clear_looks = to_host(stream_, clear_looks_, pixels_);
    return state;
  }

  void restore(state_reader const& in, std::size_t chunk, pixel_window const& window) override {
    auto const saved = read_bitemporal_state(in, chunk, window);
    auto const& state = static_cast<bitemporal_state const&>(*saved);
    auto const n = pixels_;
    GEOSWEEP_EXPECTS(state.before.size() == n && state.after.size() == n &&
                         state.after_date.size() == n && state.clear_looks.size() == n,
                     "a saved bitemporal state of the same size");
    k::copy_to_device(stream_, before_, state.before.data(), n);
    k::copy_to_device(stream_, after_, state.after.data(), n);
    k::copy_to_device(stream_, after_date_, state.after_date.data(), n);
    k::copy_to_device(stream_, clear_looks_, state.clear_looks.data(), n);
    stream_.synchronize();  // the host vectors go once this returns
  }

 private:
  change_spec change_;
  k::stream const& stream_;
  std::size_t pixels_;
  k::device_array<float> before_, after_;
  k::device_array<std::int32_t> after_date_;
  k::device_array<std::uint16_t> clear_looks_;
};

}  // namespace

std::unique_ptr<change_detector> make_bitemporal_detector(change_spec const& change,
                                                          std::size_t pixels, k::stream const& s) {
  return std::make_unique<bitemporal_detector>(change, pixels, s);
}

std::unique_ptr<detector_state> read_bitemporal_state(state_reader const& in, std::size_t chunk,
                                                      pixel_window const& window) {
  auto state = std::make_unique<bitemporal_state>();
  in.read(chunk, window, "detector/before", state->before);
  in.read(chunk, window, "detector/after", state->after);
  in.read(chunk, window, "detector/after_date", state->after_date);
  in.read(chunk, window, "detector/clear_looks", state->clear_looks);
  return state;
}

}  // namespace geosweep::pipeline
