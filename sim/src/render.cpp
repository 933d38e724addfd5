// The render phase: the pixel values of one band or SCL file on one date, from the scene model
// (land cover, texture, clearings, degradation, clouds). Pure functions of the model, so the
// writer threads of write.cpp call them in parallel.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "simulator.hpp"

namespace geosweep::sim::detail {

using pipeline::days_since_epoch;

void simulator::render_band(int date, int band, std::vector<std::uint16_t>& out) const {
  if (o_.series) {
    render_series_band(date, band, out);
    return;
  }
  // A small seasonal factor from the day of year.
  civil_date const dt = dates_[date];
  int const doy = days_since_epoch(dt) - days_since_epoch(civil_date{
                                             dt.year(), std::chrono::January, std::chrono::day{1}});
  double const phase = 2.0 * pi * doy / 365.25;
  double season = 1.0 + 0.02 * std::sin(phase + 0.3);
  if (band == nir_band) season *= 1.0 + 0.03 * std::cos(phase);

  std::array<double, n_covers> base{};
  for (int c = 0; c < n_covers; ++c) base[c] = surface_reflectance[c][band] * season;

  // Degradation grows linearly over the monitoring dates to 10 % bare soil on the last one.
  std::vector<double> degradation_share(dates_.size(), 0.0);
  for (std::size_t d = static_cast<std::size_t>(o_.baseline_dates); d < dates_.size(); ++d) {
    degradation_share[d] = 0.10 * static_cast<double>(d - o_.baseline_dates + 1) / o_.monitor_dates;
  }
  random_stream rng(o_.seed, stream::noise, static_cast<std::uint64_t>(date),
                    static_cast<std::uint64_t>(band));
  cloud_state const& cs = clouds_[date];
  out.resize(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    double const noise = 1.0 + o_.band_noise * (2.0 * rng.uniform() - 1.0);
    std::uint8_t const id = truth_[i];
    bool const cut = id != 0 && cleared_index_[id] <= date;
    int const after = event_cover_[i];  // bare for a clearing
    bool const partial = o_.partial_cuts && after == bare;
    int const c = cut && !partial ? after : int{cover_[i]};
    double surface = base[c];
    if (cut && partial)
      surface = (1.0 - bare_share_[i]) * base[forest] + bare_share_[i] * base[bare];
    if (cut && after == charred) {  // a burn greens up: 20 % towards pasture a date, 60 % at most
      double const regrown = std::min(0.6, 0.2 * (date - cleared_index_[id]));
      surface = (1.0 - regrown) * base[charred] + regrown * base[pasture];
    }
    if (degraded_[i] != 0 && c == forest && period_[date] == 1) {
      surface =
          (1.0 - degradation_share[date]) * base[forest] + degradation_share[date] * base[bare];
    }
    double const refl = surface * texture_[i] * noise;
    out[i] = scene_dn(refl, cs, i, band, noise);
  }
}

void simulator::render_scl(int date, std::vector<std::uint8_t>& out) const {
  if (o_.series) {
    render_series_scl(date, out);
    return;
  }
  cloud_state const& cs = clouds_[date];
  out.resize(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    if (cs.scl[i] != 0) {
      out[i] = cs.scl[i];
      continue;
    }
    std::uint8_t const id = truth_[i];
    if (id != 0 && cleared_index_[id] <= date) {
      std::uint8_t const after = event_cover_[i];
      bool const wet = after == pit_water || after == flood_water;
      out[i] = wet ? scl_water : (o_.partial_cuts && after == bare ? scl_vegetation : scl_bare);
    } else {
      out[i] = cover_[i] == water ? scl_water : scl_vegetation;
    }
  }
}

}  // namespace geosweep::sim::detail
