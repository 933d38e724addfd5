// The long-series mode (simulation_options::series, issue 18): years of scenes every few days
// for BFAST-like detectors. Its own dates, a yearly season with year-to-year variation in
// every vegetated cover, clouds by the month (a wet season with most scenes cloudy), planted
// events of four kinds (clearing, partial, degradation, regrowth), their pixel values and
// their truth. The landscape, the AOIs and the writers are those of the other phases.

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include <fmt/format.h>

#include "geosweep/pipeline/errors.hpp"
#include "shapes.hpp"
#include "simulator.hpp"

namespace geosweep::sim {

char const* to_string(event_kind k) {
  switch (k) {
    case event_kind::clearing:
      return "clearing";
    case event_kind::partial:
      return "partial";
    case event_kind::degradation:
      return "degradation";
    case event_kind::regrowth:
      return "regrowth";
  }
  return "?";
}

namespace detail {

using pipeline::days_since_epoch;
using pipeline::from_days_since_epoch;

namespace {

inline constexpr int red_band = 2;  // B04

double ndvi_of(cover c) {
  auto const& r = surface_reflectance[c];
  return (r[nir_band] - r[red_band]) / (r[nir_band] + r[red_band]);
}

/// The chance that a scene of each month (January first) is cloudy: the southern Amazon's
/// wet season (November to April) and dry season (June to September).
inline constexpr std::array<double, 12> cloudy_chance{0.90, 0.90, 0.85, 0.70, 0.40, 0.15,
                                                      0.10, 0.10, 0.20, 0.45, 0.70, 0.85};

// The events (simulation_options::series_*): sizes, falls and ramps.
inline constexpr double event_min_ha = 0.5, event_max_ha = 1.0;
inline constexpr int degradation_ramp_days = 180;
inline constexpr int regrowth_ramp_days = 270;
/// A pixel whose fall is at least this shows as bare soil in SCL.
inline constexpr double scl_bare_fall = 0.45;

}  // namespace

void simulator::make_series_dates() {
  int const first = days_since_epoch(o_.series_start);
  int const history = 365 * o_.years_history;
  int const total = 365 * (o_.years_history + o_.years_monitor);
  int baseline = 0, monitor = 0;
  for (int t = 0; t < total; t += o_.series_revisit_days) {
    dates_.push_back(from_days_since_epoch(first + t));
    day_.push_back(t);
    period_.push_back(t < history ? 0 : 1);
    ++(t < history ? baseline : monitor);
  }
  // The rest of the simulator (the job's periods) reads the periods' sizes from here.
  o_.baseline_dates = baseline;
  o_.monitor_dates = monitor;
}

void simulator::make_seasons() {
  random_stream rng(o_.seed, stream::series_season);
  int const years = o_.years_history + o_.years_monitor;
  for (int y = 0; y <= years; ++y) {
    season_amp_.push_back(o_.season_amplitude *
                          (1.0 + rng.uniform(-o_.season_variation, o_.season_variation)));
    season_peak_.push_back(74.0 + rng.uniform(-15.0, 15.0));  // mid-March, +-15 days
  }
}

double simulator::season_offset(double t) const {
  // Each year's amplitude and peak hold at its middle; in between they change linearly.
  int const years = static_cast<int>(season_amp_.size()) - 1;
  double const u = t / 365.25 - 0.5;
  int const y0 = static_cast<int>(std::floor(u));
  int const i0 = std::clamp(y0, 0, years), i1 = std::clamp(y0 + 1, 0, years);
  double const f = y0 < 0 ? 0.0 : u - y0;
  double const amp = season_amp_[i0] + f * (season_amp_[i1] - season_amp_[i0]);
  double const peak = season_peak_[i0] + f * (season_peak_[i1] - season_peak_[i0]);
  civil_date const s = o_.series_start;
  double const day_of_year =
      t + days_since_epoch(s) -
      days_since_epoch(civil_date{s.year(), std::chrono::January, std::chrono::day{1}});
  return amp * std::cos(2.0 * pi * (day_of_year - peak) / 365.25);
}

void simulator::place_series_events() {
  truth_.assign(n_, 0);
  cleared_index_.assign(1, -1);
  random_stream rng(o_.seed, stream::series_events);

  // The kinds in turn (clearing, partial, degradation, regrowth, clearing, ...) until each
  // has its count; ids in that order, AOIs alternating.
  std::vector<event_kind> kinds;
  std::array<int, 4> const counts{o_.series_clearings, o_.series_partials, o_.series_degradations,
                                  o_.series_regrowths};
  for (int round = 0; round < *std::max_element(counts.begin(), counts.end()); ++round)
    for (int k = 0; k < 4; ++k)
      if (round < counts[k]) kinds.push_back(static_cast<event_kind>(k));

  int const gap = std::max(3, static_cast<int>(std::ceil(30.0 / o_.resolution_m)));
  std::vector<std::vector<std::uint8_t>> const allowed = clearing_sites();
  std::vector<std::uint8_t> blocked(n_, 0);
  double const px_per_ha = 10000.0 / (o_.resolution_m * o_.resolution_m);
  auto const min_px =
      static_cast<std::size_t>(std::max(1.0, std::floor(0.8 * event_min_ha * px_per_ha)));
  auto const max_px =
      static_cast<std::size_t>(std::max(1.0, std::ceil(1.2 * event_max_ha * px_per_ha)));

  int const monitor_day = 365 * o_.years_history;
  int const last_day = day_.back();
  int const history_days = monitor_day;
  auto first_scene_on_or_after = [&](int t) {
    auto const it = std::lower_bound(day_.begin(), day_.end(), t);
    return static_cast<std::size_t>(it - day_.begin());
  };

  for (std::size_t k = 0; k < kinds.size(); ++k) {
    int const id = static_cast<int>(k) + 1;
    // AOIs in turn; the other one where this one has no room left (small tiles).
    int a = static_cast<int>(k % 2);
    std::vector<std::size_t> pixels;
    auto place = [&](int aoi) {
      std::vector<std::size_t> free;
      for (std::size_t i = 0; i < n_; ++i)
        if (allowed[aoi][i] && !blocked[i]) free.push_back(i);
      for (int attempt = 0; attempt < 4000 && !free.empty(); ++attempt) {
        double const ha = rng.uniform(event_min_ha, event_max_ha);
        std::size_t const centre =
            free[std::min(free.size() - 1, static_cast<std::size_t>(rng.uniform() * free.size()))];
        double const cx = static_cast<double>(centre % w_) + rng.uniform();
        double const cy = static_cast<double>(centre / w_) + rng.uniform();
        star_shape const s = random_star(rng, cx, cy, ha * px_per_ha, 0.3);
        pixels = star_pixels(s, w_, h_);
        if (pixels.size() < min_px || pixels.size() > max_px) continue;
        if (std::all_of(pixels.begin(), pixels.end(),
                        [&](std::size_t i) { return allowed[aoi][i] && !blocked[i]; }))
          return true;
      }
      return false;
    };
    if (!place(a)) {
      a = 1 - a;
      if (!place(a))
        throw logic_error(fmt::format(
            "simulate_scenes: no room for event {} in either AOI; use a larger tile (128 px or "
            "more) or fewer events",
            id));
    }
    mark_planted(id, pixels, blocked, gap);

    event_model m;
    planted_event e;
    e.id = id;
    e.kind = kinds[k];
    e.aoi = aois_[a].name;
    switch (e.kind) {
      case event_kind::clearing:
      case event_kind::partial:
        // Any day of the monitoring period that leaves 60 days of looks after it.
        m.start_day = monitor_day + rng.uniform_int(0, std::max(0, last_day - 60 - monitor_day));
        m.fall = e.kind == event_kind::clearing ? rng.uniform(0.55, 0.65) : rng.uniform(0.15, 0.30);
        break;
      case event_kind::degradation:
        m.start_day = monitor_day + rng.uniform_int(0, (last_day - monitor_day) / 3);
        m.ramp_days = degradation_ramp_days;
        m.fall = rng.uniform(0.06, 0.10);
        break;
      case event_kind::regrowth:
        // Cleared in the second half of the history (90 days before it ends at the latest),
        // greening from the first 60 days of the monitoring period.
        m.cleared_day = day_[first_scene_on_or_after(
            rng.uniform_int(history_days / 2, std::max(history_days / 2, history_days - 90)))];
        m.cleared_fall = rng.uniform(0.55, 0.65);
        m.start_day = monitor_day + rng.uniform_int(0, 60);
        m.ramp_days = regrowth_ramp_days;
        m.fall = rng.uniform(0.30, 0.40);
        break;
    }
    int const first = days_since_epoch(o_.series_start);
    e.start = from_days_since_epoch(first + m.start_day);
    e.first_visible = dates_[std::min(first_scene_on_or_after(m.start_day), dates_.size() - 1)];
    e.ramp_days = m.ramp_days;
    e.pixel_count = static_cast<std::int64_t>(pixels.size());
    e.area_ha = static_cast<double>(e.pixel_count) / px_per_ha;
    e.ndvi_fall = e.kind == event_kind::regrowth ? -m.fall : m.fall;
    if (e.kind == event_kind::regrowth) e.cleared_on = from_days_since_epoch(first + m.cleared_day);
    if (e.kind == event_kind::clearing || e.kind == event_kind::partial) {
      planted_clearing c;
      c.id = id;
      c.aoi = e.aoi;
      c.cleared_on = e.first_visible;
      c.pixel_count = e.pixel_count;
      c.area_ha = e.area_ha;
      clearings_.push_back(c);
    }
    events_.push_back(e);
    event_model_.push_back(m);
  }
}

double simulator::event_fall(std::size_t k, int date) const {
  event_model const& m = event_model_[k];
  double const t = day_[date];
  auto ramp = [&] {
    return m.ramp_days == 0 ? 1.0 : std::min(1.0, (t - m.start_day) / m.ramp_days);
  };
  if (events_[k].kind == event_kind::regrowth) {
    if (t < m.cleared_day) return 0.0;
    if (t < m.start_day) return m.cleared_fall;
    return m.cleared_fall - m.fall * ramp();
  }
  return t < m.start_day ? 0.0 : m.fall * ramp();
}

void simulator::make_series_clouds() {
  clouds_.resize(dates_.size());
  for (std::size_t d = 0; d < dates_.size(); ++d) {
    cloud_state& cs = clouds_[d];
    cs.scl.assign(n_, 0);
    if (!o_.clouds) continue;
    random_stream rng(o_.seed, stream::series_clouds, d);
    auto const month = static_cast<unsigned>(dates_[d].month());
    if (rng.uniform() >= cloudy_chance[month - 1]) continue;
    cs.blob.assign(n_, 0);
    draw_cloud_blobs(rng, cs, rng.uniform(0.25, 0.90));
    cast_shadows(rng, cs);
  }
}

void simulator::render_series_band(int date, int band, std::vector<std::uint16_t>& out) const {
  double const t = day_[date];
  civil_date const s = o_.series_start;
  double const day_of_year =
      t + days_since_epoch(s) -
      days_since_epoch(civil_date{s.year(), std::chrono::January, std::chrono::day{1}});
  double const common = 1.0 + 0.02 * std::sin(2.0 * pi * day_of_year / 365.25 + 0.3);
  double const offset = season_offset(t);
  bool const red_or_nir = band == red_band || band == nir_band;
  // Red and NIR from an NDVI v at the cover's red + NIR sum: red = S (1 - v) / 2,
  // nir = S (1 + v) / 2. The other bands follow the small common factor.
  auto from_ndvi = [&](double sum, double v) {
    return band == nir_band ? sum * (1.0 + v) / 2.0 : sum * (1.0 - v) / 2.0;
  };
  auto sum_of = [](cover c) {
    return surface_reflectance[c][red_band] + surface_reflectance[c][nir_band];
  };
  std::array<double, 4> base{};
  for (int c = 0; c < 4; ++c) base[c] = surface_reflectance[c][band] * common;
  double const forest_ndvi = ndvi_of(forest) + offset;
  if (red_or_nir) {
    base[forest] = from_ndvi(sum_of(forest), forest_ndvi) * common;
    base[pasture] = from_ndvi(sum_of(pasture), ndvi_of(pasture) + 2.0 * offset) * common;
  }
  // Each event's fall on this date, and the share of bare soil in the other bands.
  double const full_fall = ndvi_of(forest) - ndvi_of(bare);
  std::vector<double> fall(events_.size() + 1, 0.0), event_base(events_.size() + 1, 0.0);
  for (std::size_t k = 0; k < events_.size(); ++k) {
    double const f = event_fall(k, date);
    double const wb = std::clamp(f / full_fall, 0.0, 1.0);
    fall[k + 1] = f;
    event_base[k + 1] =
        red_or_nir
            ? from_ndvi((1.0 - wb) * sum_of(forest) + wb * sum_of(bare), forest_ndvi - f) * common
            : (1.0 - wb) * base[forest] + wb * base[bare];
  }

  random_stream rng(o_.seed, stream::series_noise, static_cast<std::uint64_t>(date),
                    static_cast<std::uint64_t>(band));
  cloud_state const& cs = clouds_[date];
  out.resize(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    double const noise = 1.0 + o_.band_noise * (2.0 * rng.uniform() - 1.0);
    std::uint8_t const id = truth_[i];
    double const surface = id != 0 && fall[id] != 0.0 ? event_base[id] : base[cover_[i]];
    double const refl = surface * texture_[i] * noise;
    out[i] = scene_dn(refl, cs, i, band, noise);
  }
}

void simulator::render_series_scl(int date, std::vector<std::uint8_t>& out) const {
  std::vector<double> fall(events_.size() + 1, 0.0);
  for (std::size_t k = 0; k < events_.size(); ++k) fall[k + 1] = event_fall(k, date);
  cloud_state const& cs = clouds_[date];
  out.resize(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    if (cs.scl[i] != 0)
      out[i] = cs.scl[i];
    else if (truth_[i] != 0 && fall[truth_[i]] >= scl_bare_fall)
      out[i] = scl_bare;
    else
      out[i] = cover_[i] == water ? scl_water : scl_vegetation;
  }
}

}  // namespace detail
}  // namespace geosweep::sim
