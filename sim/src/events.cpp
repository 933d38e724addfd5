// The events phase: what differs from date to date on top of the landscape. The planted
// clearings (the truth the detector is scored against), patches of gradual degradation that
// must never be flagged, and each date's clouds and shadows; all of them star-shaped blobs.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "geosweep/pipeline/errors.hpp"
#include "shapes.hpp"
#include "simulator.hpp"

namespace geosweep::sim::detail {

void simulator::place_clearings() {
  truth_.assign(n_, 0);
  cleared_index_.assign(1, -1);
  event_cover_.assign(n_, bare);
  if (o_.clearings + o_.burns + o_.mines + o_.floods == 0) return;
  random_stream rng(o_.seed, stream::clearings);

  int const gap = std::max(3, static_cast<int>(std::ceil(30.0 / o_.resolution_m)));
  std::vector<std::vector<std::uint8_t>> const allowed = clearing_sites();
  std::vector<std::uint8_t> blocked(n_, 0);  // within `gap` pixels of a placed clearing

  for (int id = 1; id <= o_.clearings; ++id) {
    int const a = (id - 1) % 2;
    std::vector<std::size_t> const pixels = draw_clearing(rng, id, a, allowed[a], blocked);
    mark_planted(id, pixels, blocked, gap);
    int const monitor_index = rng.uniform_int(0, o_.monitor_dates - 2);
    int const date_index = o_.baseline_dates + monitor_index;
    clearings_.push_back(planted(id, planted_cause::clearing, a, date_index, pixels.size()));
    cleared_index_.push_back(date_index);
  }
  place_cross_over(allowed, blocked, gap);
  if (o_.partial_cuts) place_partial_cuts();
}

void simulator::mark_planted(int id, std::vector<std::size_t> const& pixels,
                             std::vector<std::uint8_t>& blocked, int gap) {
  for (std::size_t i : pixels) {
    truth_[i] = static_cast<std::uint8_t>(id);
    int const row = static_cast<int>(i / w_), col = static_cast<int>(i % w_);
    for (int r = std::max(0, row - gap); r <= std::min(h_ - 1, row + gap); ++r)
      for (int c = std::max(0, col - gap); c <= std::min(w_ - 1, col + gap); ++c)
        blocked[static_cast<std::size_t>(r) * w_ + c] = 1;
  }
}

bool simulator::on_patch_edge(std::size_t i) const {
  int const row = static_cast<int>(i / w_), col = static_cast<int>(i % w_);
  for (auto [dr, dc] : {std::pair{-1, 0}, std::pair{1, 0}, std::pair{0, -1}, std::pair{0, 1}}) {
    int const r = row + dr, c = col + dc;
    if (r < 0 || r >= h_ || c < 0 || c >= w_ ||
        truth_[static_cast<std::size_t>(r) * w_ + c] != truth_[i])
      return true;
  }
  return false;
}

planted_clearing simulator::planted(int id, planted_cause cause, int aoi, int date_index,
                                    std::size_t pixels) const {
  planted_clearing c;
  c.id = id;
  c.cause = cause;
  c.aoi = aois_[aoi].name;
  c.cleared_on = dates_[date_index];
  c.pixel_count = static_cast<std::int64_t>(pixels);
  c.area_ha = static_cast<double>(c.pixel_count) * o_.resolution_m * o_.resolution_m / 10000.0;
  return c;
}

void simulator::place_cross_over(std::vector<std::vector<std::uint8_t>> const& allowed,
                                 std::vector<std::uint8_t>& blocked, int gap) {
  if (o_.burns + o_.mines + o_.floods == 0) return;
  random_stream rng(o_.seed, stream::cross_over);
  // Forest within 150 m of the river: where pits are dug and floods reach.
  int const reach = std::max(1, static_cast<int>(std::ceil(150.0 / o_.resolution_m)));
  std::vector<std::uint8_t> dry(n_);
  for (std::size_t i = 0; i < n_; ++i) dry[i] = cover_[i] != water;
  std::vector<std::uint8_t> const far = erode(dry, w_, h_, reach);  // not within reach of water
  std::vector<std::vector<std::uint8_t>> riverside = allowed;
  for (auto& m : riverside)
    for (std::size_t i = 0; i < n_; ++i) m[i] = m[i] && !far[i];

  std::vector<planted_cause> causes;
  causes.insert(causes.end(), static_cast<std::size_t>(o_.burns), planted_cause::burn);
  causes.insert(causes.end(), static_cast<std::size_t>(o_.mines), planted_cause::mining);
  causes.insert(causes.end(), static_cast<std::size_t>(o_.floods), planted_cause::flooding);
  int id = static_cast<int>(clearings_.size());
  for (std::size_t k = 0; k < causes.size(); ++k) {
    ++id;
    planted_cause const cause = causes[k];
    bool const by_river = cause != planted_cause::burn;
    int a = static_cast<int>(k % 2);
    if (by_river) {  // the AOI with more free forest by the river (the river may miss one)
      std::array<std::size_t, 2> room{};
      for (int b = 0; b < 2; ++b)
        for (std::size_t i = 0; i < n_; ++i) room[b] += riverside[b][i] && !blocked[i];
      a = room[0] >= room[1] ? 0 : 1;
    }
    std::vector<std::size_t> const pixels =
        draw_clearing(rng, id, a, by_river ? riverside[a] : allowed[a], blocked);
    mark_planted(id, pixels, blocked, gap);
    for (std::size_t i : pixels) {
      if (cause == planted_cause::burn) {
        event_cover_[i] = charred;
      } else if (cause == planted_cause::flooding) {
        event_cover_[i] = flood_water;
      } else {  // a pit: water inside, tailings on the edge
        event_cover_[i] = on_patch_edge(i) ? tailings : pit_water;
      }
    }
    int const date_index = o_.baseline_dates + rng.uniform_int(0, o_.monitor_dates - 2);
    clearings_.push_back(planted(id, cause, a, date_index, pixels.size()));
    cleared_index_.push_back(date_index);
  }
}

void simulator::place_partial_cuts() {
  // A patchy share of bare soil (value noise with 80 m cells) of 15-45 %, 60 % of it on the
  // edge pixels (4-neighbour outside the clearing): stand remnants and mixed edges.
  random_stream rng(o_.seed, stream::partial);
  std::vector<float> const patchy = value_noise(rng, 80.0);
  bare_share_.assign(n_, 0.0f);
  for (std::size_t i = 0; i < n_; ++i) {
    if (truth_[i] == 0) continue;
    double const share = 0.15 + 0.30 * patchy[i];
    bare_share_[i] = static_cast<float>(on_patch_edge(i) ? 0.6 * share : share);
  }
}

std::vector<std::vector<std::uint8_t>> simulator::clearing_sites() const {
  int const aoi_margin = std::max(4, static_cast<int>(std::ceil(50.0 / o_.resolution_m)));
  int const cover_margin = std::max(3, static_cast<int>(std::ceil(30.0 / o_.resolution_m)));

  std::vector<std::uint8_t> forest_mask(n_);
  for (std::size_t i = 0; i < n_; ++i) forest_mask[i] = cover_[i] == forest;
  std::vector<std::uint8_t> const forest_inner = erode(forest_mask, w_, h_, cover_margin);
  std::vector<std::vector<std::uint8_t>> allowed;  // per AOI: inside with margins, in forest
  for (auto const& a : aois_) {
    std::vector<std::uint8_t> m = erode(a.mask, w_, h_, aoi_margin);
    for (std::size_t i = 0; i < n_; ++i) m[i] = m[i] && forest_inner[i];
    allowed.push_back(std::move(m));
  }
  return allowed;
}

std::vector<std::size_t> simulator::draw_clearing(random_stream& rng, int id, int aoi,
                                                  std::vector<std::uint8_t> const& ok,
                                                  std::vector<std::uint8_t> const& blocked) const {
  double const px_per_ha = 10000.0 / (o_.resolution_m * o_.resolution_m);
  auto const min_px = static_cast<std::size_t>(std::max(1.0, std::ceil(1.0 * px_per_ha)));
  auto const max_px = static_cast<std::size_t>(std::max(1.0, std::floor(8.0 * px_per_ha)));
  // Centres are drawn from the pixels still free.
  std::vector<std::size_t> free;
  for (std::size_t i = 0; i < n_; ++i)
    if (ok[i] && !blocked[i]) free.push_back(i);
  if (free.empty())
    throw logic_error(fmt::format(
        "simulate_scenes: no forest left in AOI {} for clearing {}; use a larger tile or fewer "
        "clearings",
        aois_[aoi].name, id));
  std::vector<std::size_t> pixels;
  bool placed = false;
  for (int attempt = 0; attempt < 6000 && !placed; ++attempt) {
    // The first clearing is small (~1.1 ha); later ones 1.5-7 ha, shrinking towards 1.1 ha
    // when the AOI gets crowded.
    double hi = 7.0, lo = 1.5;
    if (attempt > 2000) hi = 4.0, lo = 1.2;
    if (attempt > 4000) hi = 1.6, lo = 1.1;
    double const ha = id == 1 ? rng.uniform(1.05, 1.25) : rng.uniform(lo, hi);
    std::size_t const centre =
        free[std::min(free.size() - 1, static_cast<std::size_t>(rng.uniform() * free.size()))];
    double const cx = static_cast<double>(centre % w_) + rng.uniform();
    double const cy = static_cast<double>(centre / w_) + rng.uniform();
    star_shape const s = random_star(rng, cx, cy, ha * px_per_ha, 0.35);
    pixels = star_pixels(s, w_, h_);
    if (pixels.size() < min_px || pixels.size() > max_px) continue;
    placed = std::all_of(pixels.begin(), pixels.end(),
                         [&](std::size_t i) { return ok[i] && !blocked[i]; });
  }
  if (!placed)
    throw logic_error(
        fmt::format("simulate_scenes: no room for clearing {} in AOI {}; use a larger tile or "
                    "fewer clearings",
                    id, aois_[aoi].name));
  return pixels;
}

void simulator::place_degradation() {
  // Selective logging: blobs of 3-10 ha of forest anywhere (AOIs included), away from the
  // clearings, whose index falls slowly while monitored.
  degraded_.assign(n_, 0);
  random_stream rng(o_.seed, stream::degradation);
  double const px_per_ha = 10000.0 / (o_.resolution_m * o_.resolution_m);
  int const gap = std::max(3, static_cast<int>(std::ceil(30.0 / o_.resolution_m)));
  for (int k = 0; k < o_.degradations; ++k) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      double const cx = rng.uniform() * w_, cy = rng.uniform() * h_;
      star_shape const shape = random_star(rng, cx, cy, rng.uniform(3.0, 10.0) * px_per_ha, 0.3);
      auto const pixels = star_pixels(shape, w_, h_);
      bool ok = !pixels.empty();
      for (std::size_t i : pixels) {
        if (!ok) break;
        int const row = static_cast<int>(i / w_), col = static_cast<int>(i % w_);
        ok = cover_[i] == forest && degraded_[i] == 0;
        for (int r = std::max(0, row - gap); ok && r <= std::min(h_ - 1, row + gap); ++r)
          for (int c = std::max(0, col - gap); ok && c <= std::min(w_ - 1, col + gap); ++c)
            ok = truth_[static_cast<std::size_t>(r) * w_ + c] == 0;
      }
      if (!ok) continue;
      for (std::size_t i : pixels) degraded_[i] = 1;
      break;
    }
  }
}

void simulator::make_clouds() {
  clouds_.resize(dates_.size());
  for (std::size_t d = 0; d < dates_.size(); ++d) {
    cloud_state& cs = clouds_[d];
    cs.scl.assign(n_, 0);
    int const period_size = period_[d] == 0 ? o_.baseline_dates : o_.monitor_dates;
    // A period of one date stays clear, so every pixel has a clear view in every period.
    if (!o_.clouds || period_size < 2) continue;
    cs.blob.assign(n_, 0);
    random_stream rng(o_.seed, stream::clouds, d);
    draw_cloud_blobs(rng, cs);
    cast_shadows(rng, cs);
    // The guarantee: no pixel is cloudy or shadowed on two consecutive dates of a period.
    if (d > 0 && period_[d - 1] == period_[d]) {
      std::vector<std::uint8_t> const& prev = clouds_[d - 1].scl;
      for (std::size_t i = 0; i < n_; ++i)
        if (prev[i] != 0) cs.scl[i] = 0;
    }
  }
}

void simulator::draw_cloud_blobs(random_stream& rng, cloud_state& cs) const {
  double const target = rng.uniform(0.05, 0.20);
  draw_cloud_blobs(rng, cs, target);
}

void simulator::draw_cloud_blobs(random_stream& rng, cloud_state& cs, double target) const {
  int const nblobs = rng.uniform_int(2, 5);
  double const blob_area = target * static_cast<double>(n_) / nblobs;
  std::size_t covered = 0;
  double const target_px = target * static_cast<double>(n_);
  for (int k = 0; k < 12 && static_cast<double>(covered) < 0.9 * target_px; ++k) {
    double const area = std::min(blob_area * rng.uniform(0.6, 1.4),
                                 1.1 * (target_px - static_cast<double>(covered)));
    star_shape const s =
        random_star(rng, rng.uniform(0.0, w_), rng.uniform(0.0, h_), std::max(area, 16.0), 0.45);
    cs.brightness.push_back(rng.uniform(0.46, 0.60));
    auto const blob_id = static_cast<std::uint8_t>(cs.brightness.size() - 1);
    for (std::size_t i : star_pixels(s, w_, h_)) {
      double const q = s.relative_distance(static_cast<int>(i % w_), static_cast<int>(i / w_));
      std::uint8_t const cls = q < 0.6 ? scl_cloud_high : scl_cloud_medium;
      if (cs.scl[i] == 0) ++covered;
      if (cls > cs.scl[i]) {
        cs.scl[i] = cls;
        cs.blob[i] = blob_id;
      }
    }
  }
}

void simulator::cast_shadows(random_stream& rng, cloud_state& cs) const {
  // Shadows: the cloud mask shifted 300-700 m away from the sun (roughly south-west here).
  double const angle = rng.uniform(0.55, 0.95) * pi;  // direction in image coords
  double const dist = rng.uniform(300.0, 700.0) / o_.resolution_m;
  int const dx = static_cast<int>(std::lround(dist * std::cos(angle)));
  int const dy = static_cast<int>(std::lround(dist * std::sin(angle)));
  std::vector<std::uint8_t> const cloudy = cs.scl;
  for (int row = 0; row < h_; ++row)
    for (int col = 0; col < w_; ++col) {
      if (cloudy[static_cast<std::size_t>(row) * w_ + col] == 0) continue;
      int const r = row + dy, c = col + dx;
      if (r < 0 || r >= h_ || c < 0 || c >= w_) continue;
      std::size_t const j = static_cast<std::size_t>(r) * w_ + c;
      if (cs.scl[j] == 0) cs.scl[j] = scl_shadow;
    }
}

}  // namespace geosweep::sim::detail
