// The simulator's entry point: simulate_scenes, simulator::run (the phases in order) and the
// checks on the options. The phases themselves live in landscape.cpp (the tile), events.cpp
// (what differs from date to date), render.cpp (pixel values) and write.cpp (the files); the
// class they share is in simulator.hpp.

#include "geosweep/sim/scene_simulator.hpp"

#include <cmath>
#include <filesystem>
#include <string>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <gdal_priv.h>

#include "geosweep/pipeline/errors.hpp"
#include "simulator.hpp"

namespace geosweep::sim {

char const* to_string(planted_cause c) {
  switch (c) {
    case planted_cause::clearing:
      return "clearing";
    case planted_cause::burn:
      return "burn";
    case planted_cause::mining:
      return "mining";
    case planted_cause::flooding:
      return "flooding";
  }
  return "?";
}
namespace detail {

using pipeline::days_since_epoch;

void simulator::validate() const {
  auto expects = [](bool ok, char const* what) {
    if (!ok) throw logic_error(fmt::format("simulate_scenes: {}", what));
  };
  expects(o_.width >= 32 && o_.height >= 32, "width and height must be at least 32 pixels");
  expects(o_.resolution_m > 0.0 && std::isfinite(o_.resolution_m), "resolution_m must be > 0");
  expects(o_.utm_zone >= 1 && o_.utm_zone <= 60, "utm_zone must be in 1..60");
  expects(o_.baseline_start.ok() && o_.monitor_start.ok(), "start dates must be valid");
  expects(o_.baseline_dates >= 1 && o_.monitor_dates >= 1, "each period needs a date");
  expects(o_.revisit_days >= 1, "revisit_days must be >= 1");
  expects(o_.band_noise >= 0.0 && o_.band_noise <= 0.5, "band_noise must be in [0, 0.5]");
  expects(o_.clearings >= 0 && o_.clearings <= 255, "clearings must be in 0..255");
  expects(o_.clearings == 0 || o_.monitor_dates >= 2,
          "clearings need at least two monitoring dates");
  expects(o_.burns >= 0 && o_.mines >= 0 && o_.floods >= 0 &&
              o_.clearings + o_.burns + o_.mines + o_.floods <= 255,
          "burns, mines and floods must be >= 0, and 255 at most with the clearings");
  expects(o_.burns + o_.mines + o_.floods == 0 || (o_.monitor_dates >= 2 && !o_.series),
          "burns, mines and floods need at least two monitoring dates, and no series mode");
  expects(!o_.tile.empty() && o_.tile.find_first_of("/\\ ") == std::string::npos,
          "tile must be a plain name");
  int const last_baseline =
      days_since_epoch(o_.baseline_start) + (o_.baseline_dates - 1) * o_.revisit_days;
  expects(last_baseline < days_since_epoch(o_.monitor_start),
          "the baseline period must end before the monitoring period starts");
  if (!o_.series) return;
  expects(o_.series_start.ok(), "series_start must be a valid date");
  expects(o_.years_history >= 1 && o_.years_history <= 20, "years_history must be in 1..20");
  expects(o_.years_monitor >= 1 && o_.years_monitor <= 20, "years_monitor must be in 1..20");
  expects(o_.series_revisit_days >= 1 && o_.series_revisit_days <= 60,
          "series_revisit_days must be in 1..60");
  expects(o_.season_amplitude >= 0.0 && o_.season_amplitude <= 0.15,
          "season_amplitude must be in [0, 0.15]");
  expects(o_.season_variation >= 0.0 && o_.season_variation < 1.0,
          "season_variation must be in [0, 1)");
  expects(
      o_.series_clearings >= 0 && o_.series_partials >= 0 && o_.series_degradations >= 0 &&
          o_.series_regrowths >= 0 &&
          o_.series_clearings + o_.series_partials + o_.series_degradations + o_.series_regrowths <=
              255,
      "the series' event counts must be >= 0 and 255 at most in all");
}

simulation_result simulator::run() {
  validate();
  GDALAllRegister();
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_))
    throw io_error(fmt::format("{}: cannot create directory: {}", dir_.string(),
                               ec ? ec.message() : "not a directory"));
  make_grid();
  if (o_.series) {
    make_series_dates();
    make_seasons();
  } else {
    make_dates();
  }
  make_landcover();
  make_aois();
  if (o_.series) {
    place_series_events();
    degraded_.assign(n_, 0);
    make_series_clouds();
  } else {
    place_clearings();
    place_degradation();
    make_clouds();
  }
  write_scenes();
  write_concession();
  write_landcover();
  if (o_.series)
    write_series_truth();
  else
    write_truth();
  write_job();

  simulation_result r;
  r.job_file = dir_ / "job.yaml";
  r.truth_file = dir_ / "truth.geojson";
  r.landcover_file = dir_ / "landcover.tif";
  r.grid.crs_wkt = utm_wkt_;
  r.grid.transform = gt_;
  r.grid.width = w_;
  r.grid.height = h_;
  r.dates = dates_;
  r.clearings = clearings_;
  r.events = events_;
  r.baseline_dates = static_cast<std::size_t>(o_.baseline_dates);
  r.truth_mask = std::move(truth_);
  return r;
}

}  // namespace detail

simulation_result simulate_scenes(std::filesystem::path const& out_dir,
                                  simulation_options const& options) {
  return detail::simulator(out_dir, options).run();
}

}  // namespace geosweep::sim
