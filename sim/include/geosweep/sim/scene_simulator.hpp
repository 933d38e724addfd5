#pragma once
/// \file
/// A Sentinel-2-L2A-like scene simulator with planted forest clearings at known places and
/// dates, deterministic from a seed. It is the project's own demo and test data.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::sim {

using pipeline::civil_date;
using pipeline::raster_grid;

/// What to simulate. Defaults make the demo: a 8 x 8 km UTM 20S (Rondônia) tile at 10 m,
/// three baseline dates in 2023, four monitoring dates in 2024.
struct simulation_options {
  std::uint64_t seed = 1;
  int width = 800;   ///< pixels
  int height = 800;  ///< pixels
  double resolution_m = 10.0;
  int utm_zone = 20;           ///< southern hemisphere: EPSG:327xx
  double origin_x = 600000.0;  ///< upper-left corner, metres
  double origin_y = 8950000.0;
  std::string tile = "20LMR";  ///< MGRS tile id used in scene names
  civil_date baseline_start{std::chrono::year{2023}, std::chrono::June, std::chrono::day{5}};
  int baseline_dates = 3;
  civil_date monitor_start{std::chrono::year{2024}, std::chrono::June, std::chrono::day{4}};
  int monitor_dates = 4;
  int revisit_days = 15;
  int clearings = 6;     ///< planted clearings, spread over the AOIs
  bool clouds = true;    ///< clouds and shadows in the SCL band
  int degradations = 2;  ///< patches of gradual degradation (NDVI falls by ~0.08 while
                         ///< monitored: below any loss threshold, never to be flagged)
  /// Partial and salvage cuts instead of clean clearings: each pixel of a clearing keeps
  /// forest mixed with a patchy share of bare soil, 15-45 % (an NDVI fall of about 0.11-0.32),
  /// and 60 % of that on the clearing's edge pixels (mixed edges). The truth mask still holds
  /// the whole footprint.
  bool partial_cuts = false;
  /// Cross-over events planted after the clearings (issue 19), each a patch of forest of
  /// 1.5-7 ha in the monitoring period (burns alternating between the AOIs):
  /// - burns: charred ground (dark in the visible, NIR down and SWIR up: a dNBR of about 0.9,
  ///   "high" in FIREMON's classes) that greens up again, 20 % of the way to pasture each
  ///   later date (at most 60 %);
  /// - mines: pits of turbid water ringed by bright tailings (the patch's edge pixels), in
  ///   forest within 150 m of the river, in the AOI with more room there;
  /// - floods: new turbid water over forest within 150 m of the river, likewise.
  /// truth.geojson gives each its cause. 0 of each keeps every other output as without them.
  int burns = 0;
  int mines = 0;
  int floods = 0;
  /// Per band, pixel and date, reflectance is multiplied by 1 + U(-band_noise, band_noise).
  /// The default keeps index classes apart (forest NDVI spread ~0.004 a look); 0.12 gives the
  /// spread of real forest between two looks (dNDVI robust sd ~0.024).
  double band_noise = 0.026;

  /// Long-series mode (issue 18): several years of scenes every `series_revisit_days` from
  /// `series_start`, with a yearly season in every vegetated cover, cloudy wet seasons
  /// and planted events of each kind in the monitoring years (planted_event). It replaces
  /// the baseline and monitoring dates above and the clearings, degradations and partial
  /// cuts; the landscape and the AOIs are the same as without it. The job it writes uses
  /// `change: {method: bfast, index: ndvi}`. docs/testing.md describes it.
  bool series = false;
  civil_date series_start{std::chrono::year{2021}, std::chrono::January, std::chrono::day{1}};
  int years_history = 3;  ///< the baseline (history) period: 365 days each from series_start
  int years_monitor = 1;  ///< the monitoring period that follows: 365 days each
  int series_revisit_days = 5;
  /// Forest NDVI's yearly cycle: mean + amplitude cos(2 pi (day - peak) / 365.25), the peak
  /// in mid-March. Each year's amplitude is amplitude (1 + U(-v, v)), v = season_variation, and
  /// its peak moves by U(-15, 15) days; between the middles of two years both change linearly.
  /// Pasture's cycle has twice the amplitude; bare soil and water have none.
  double season_amplitude = 0.05;
  double season_variation = 0.2;
  /// Events planted per kind, spread over the AOIs (planted_event::kind).
  int series_clearings = 2;
  int series_partials = 2;
  int series_degradations = 1;
  int series_regrowths = 1;
};

/// What a planted event of the long-series mode is.
enum class event_kind {
  clearing,     ///< abrupt clear-cut: NDVI falls by 0.55-0.65 (to bare soil) on one date
  partial,      ///< abrupt partial cut: NDVI falls by 0.15-0.30 on one date
  degradation,  ///< NDVI falls linearly by 0.06-0.10 over ramp_days (180) from `start`
  regrowth,     ///< cleared on `cleared_on` in the history period (NDVI 0.6 lower), it greens
                ///< up from `start`: NDVI rises by 0.30-0.40 over ramp_days (270). Not a loss
};

/// "clearing", "partial", "degradation" or "regrowth".
char const* to_string(event_kind k);

/// One planted event of the long-series mode.
struct planted_event {
  int id = 0;  ///< 1-based; value of the event in truth_mask
  event_kind kind = event_kind::clearing;
  std::string aoi;           ///< the AOI that contains it
  civil_date start;          ///< the day it starts (any day, not only a scene date)
  civil_date first_visible;  ///< the first scene date on or after `start`
  int ramp_days = 0;         ///< 0 for abrupt events; else the days of its linear change
  std::int64_t pixel_count = 0;
  double area_ha = 0.0;  ///< pixel_count * pixel area
  /// The NDVI fall once complete, against the same forest on the same date (the season
  /// cancels); negative for regrowth: the rise in the monitoring period.
  double ndvi_fall = 0.0;
  std::optional<civil_date> cleared_on;  ///< regrowth: the history date it was cleared
};

/// What made a planted patch (simulation_options::burns, mines, floods).
enum class planted_cause { clearing, burn, mining, flooding };

/// "clearing", "burn", "mining" or "flooding".
char const* to_string(planted_cause c);

/// One planted clearing (or cross-over event): where, when, how large and why.
struct planted_clearing {
  int id = 0;  ///< 1-based; value of the clearing in truth_mask
  planted_cause cause = planted_cause::clearing;
  std::string aoi;        ///< the AOI that contains it
  civil_date cleared_on;  ///< first scene date on which it is bare
  std::int64_t pixel_count = 0;
  double area_ha = 0.0;  ///< pixel_count * pixel area
};

/// What simulate_scenes wrote.
struct simulation_result {
  std::filesystem::path job_file;    ///< DIR/job.yaml
  std::filesystem::path truth_file;  ///< DIR/truth.geojson
  /// DIR/landcover.tif: the land cover before any planted change, as CGLS-LC100 codes
  /// (112 closed evergreen broad-leaf forest, 30 herbaceous vegetation for pasture, 80
  /// permanent water for the river) on the scenes' grid, for `landcover: {classes: cgls-lc100}`.
  std::filesystem::path landcover_file;
  raster_grid grid;               ///< the grid of every band file
  std::vector<civil_date> dates;  ///< scene dates, ascending
  /// The planted clearings; in series mode the abrupt events (clearing and partial), cleared_on
  /// their first_visible date.
  std::vector<planted_clearing> clearings;
  std::vector<planted_event> events;     ///< series mode only: every planted event
  std::vector<std::uint8_t> truth_mask;  ///< grid-sized, clearing (or event) id or 0
  std::size_t baseline_dates = 0;        ///< dates[0, baseline_dates) are the baseline
};

/// Writes scenes, AOIs, job.yaml and truth.geojson under `out_dir` (created if missing).
/// Throws geosweep::io_error when it cannot write.
simulation_result simulate_scenes(std::filesystem::path const& out_dir,
                                  simulation_options const& options);

}  // namespace geosweep::sim
