#include "run/run_plan.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "compute/chunk_processor.hpp"
#include "compute/spectral_index.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "grid/pixel_area.hpp"

namespace geosweep::pipeline {
namespace {

/// Indices to compute: the job's list plus the change index, without repeats, in job order.
std::vector<std::string> indices_to_compute(job_spec const& spec) {
  std::vector<std::string> names = spec.indices;
  if (std::find(names.begin(), names.end(), spec.change.index) == names.end())
    names.push_back(spec.change.index);
  return names;
}

/// Adds each of `more` not yet in `bands`.
void add_bands(std::vector<std::string>& bands, std::vector<std::string> const& more) {
  for (auto const& b : more)
    if (std::find(bands.begin(), bands.end(), b) == bands.end()) bands.push_back(b);
}

std::vector<std::string> bands_needed(std::vector<std::string> const& indices) {
  std::set<std::string> bands;
  for (auto const& name : indices) {
    auto const& index = find_spectral_index(name);
    bands.insert(index.bands.begin(), index.bands.end());
  }
  return {bands.begin(), bands.end()};
}

/// Colour exports (true and false colour) need their bands whatever the indices: every colour
/// band the sensor has (a generic sensor only those the job maps), kept when a composite uses
/// it; they join the bands read.
void plan_colour(job_spec const& spec, run_plan& plan) {
  std::vector<std::string> available;
  if (spec.outputs.cog) {
    for (auto const& b : colour_bands()) {
      if (spec.sensor.type != sensor_type::generic || spec.sensor.bands.count(b) > 0)
        available.push_back(b);
    }
  }
  plan.composites = colour_composites(available);
  for (auto const& c : plan.composites) {
    for (auto const& b : c.bands)
      if (std::find(plan.colour.begin(), plan.colour.end(), b) == plan.colour.end())
        plan.colour.push_back(b);
  }
  for (auto const& b : plan.colour)
    if (std::find(plan.bands.begin(), plan.bands.end(), b) == plan.bands.end())
      plan.bands.push_back(b);
}

/// Which AOIs get COGs: all with `cog: true`, those up to cog_auto_pixels with `cog: auto`.
/// When none does, the colour bands are not read at all (unless an index needs them).
void plan_cogs(job_spec const& spec, run_plan& plan) {
  for (auto const& a : plan.aois) {
    auto const pixels = static_cast<std::int64_t>(a.window.pixel_count());
    bool const wanted = writes_cogs(spec.outputs, pixels);
    if (spec.outputs.cog && !wanted)
      spdlog::info(
          "AOI '{}': no COGs ({:.1f} Mpx is over the {:.0f} Mpx of outputs.cog: auto; "
          "cog: true writes them)",
          a.shape.name(), static_cast<double>(pixels) / 1e6,
          static_cast<double>(cog_auto_pixels) / 1e6);
    plan.cog_aois.push_back(wanted);
  }
  if (std::find(plan.cog_aois.begin(), plan.cog_aois.end(), true) != plan.cog_aois.end()) return;
  plan.composites.clear();
  plan.colour.clear();
  plan.bands = bands_needed(plan.indices);
  add_bands(plan.bands, plan.cause_bands);
}

/// change.causes: the evidence bands join the bands read when every scene of the catalog has
/// all of them (evidence_bands_to_read); otherwise the run says which are missing and the
/// alerts get 'unknown'.
void plan_causes(job_spec const& spec, run_plan& plan) {
  if (!spec.change.causes) return;
  plan.cause_bands = evidence_bands_to_read(spec, plan.catalog);
  if (!plan.cause_bands.empty()) {
    add_bands(plan.bands, plan.cause_bands);
    return;
  }
  std::vector<std::string> missing;
  std::size_t nowhere = 0;
  auto const& b = plan.catalog.baseline;
  auto const& m = plan.catalog.monitor;
  for (auto const& band : evidence_bands()) {
    auto const has = [&](scene const& s) { return s.bands.count(band) > 0; };
    if (!std::all_of(b.begin(), b.end(), has) || !std::all_of(m.begin(), m.end(), has))
      missing.push_back(band);
    if (std::none_of(b.begin(), b.end(), has) && std::none_of(m.begin(), m.end(), has)) ++nowhere;
  }
  // A sensor without the bands (CBERS-4 MUX has no SWIR) is a fact of the job, said once;
  // scenes that have them only in part are worth a warning.
  auto const listed = fmt::format("{}", fmt::join(missing, ", "));
  if (nowhere == missing.size())
    spdlog::info(
        "change.causes: the scenes have no {} band(s), so no evidence band is read and every "
        "alert's cause is 'unknown' (docs/detector.md, \"Causes\"; change.causes: false leaves "
        "causes out)",
        listed);
  else
    spdlog::warn(
        "change.causes: not every scene has the {} band(s), so no evidence band is read and "
        "the alerts get cause 'unknown' (docs/detector.md, \"Causes\")",
        listed);
}

/// Monitoring: keeps the catalog's scenes that no earlier run has seen and that come after
/// the latest date read (an older one can no longer be folded in date order: it goes to
/// result.late). False when there is nothing to run: no new scene, or no monitoring date
/// yet.
bool keep_new_scenes(job_spec const& spec, continuation const& resume, scene_catalog& catalog,
                     run_result& result) {
  bool have[2] = {false, false};
  for (auto const& d : resume.past_dates) have[d.monitor ? 1 : 0] = true;
  for (bool monitor : {false, true}) {
    auto& list = monitor ? catalog.monitor : catalog.baseline;
    std::vector<scene> kept;
    for (auto& s : list) {
      if (resume.known_scenes.count(s.id) > 0) continue;
      if (resume.last_date && s.date <= *resume.last_date) {
        result.late.push_back({s.id, s.date, monitor});
        continue;
      }
      kept.push_back(std::move(s));
    }
    list = std::move(kept);
    have[monitor ? 1 : 0] = have[monitor ? 1 : 0] || !list.empty();
  }
  if (!have[0]) {
    throw config_error(spec.file.string() + ": period.baseline: no scene between " +
                       to_iso(spec.baseline.first) + " and " + to_iso(spec.baseline.last) +
                       " to start monitoring from");
  }
  result.nothing_new = (catalog.baseline.empty() && catalog.monitor.empty()) || !have[1];
  return !result.nothing_new;
}

/// change.edge_buffer_m in the grid's CRS units: one pixel when unset; metres through the
/// CRS's linear unit, or on a geographic grid through the length of a degree of latitude
/// (111 320 m; a buffer of a pixel or two is what it is for, so the approximation is fine).
double edge_buffer_in_crs_units(change_spec const& change, raster_grid const& grid) {
  if (!change.edge_buffer_m) return std::abs(grid.transform[1]);
  auto const srs = make_srs(grid.crs_wkt);
  if (srs.IsGeographic()) return *change.edge_buffer_m / 111320.0;
  return *change.edge_buffer_m / srs.GetLinearUnits();
}

/// The analysis grid over the AOIs (the first monitoring run's, when continuing), each AOI's
/// window of it, and the chunks that cover them.
void plan_grid(job_spec const& spec, continuation const* resume, run_plan& plan) {
  bool const fixed_grid = resume != nullptr && resume->grid.has_value();
  std::string const crs =
      fixed_grid ? resume->grid->crs_wkt : analysis_crs(spec, plan.catalog, plan.bands.front());
  std::vector<aoi_shape> shapes;
  for (auto const& aoi : spec.aois) shapes.emplace_back(aoi, crs);
  plan.grid = fixed_grid ? *resume->grid
                         : make_analysis_grid(spec, plan.catalog, plan.bands.front(), crs, shapes);
  double const edge_buffer = edge_buffer_in_crs_units(spec.change, plan.grid);
  std::vector<pixel_window> windows;
  for (auto& shape : shapes) {
    shape.set_edge_buffer(edge_buffer);
    aoi_work a{std::move(shape), {}, {}, nullptr, {}, 0, 0, 0.0, 0.0, {}, 0.0, 0.0, {}, {}, {}};
    a.window = a.shape.window_in(plan.grid);
    if (a.window.empty())
      throw config_error("AOI '" + a.shape.name() + "' does not overlap the analysis grid");
    a.grid = sub_grid(plan.grid, a.window);
    a.row_areas = row_pixel_areas_m2(a.grid);
    a.stitcher = std::make_unique<patch_stitcher>(a.shape.name(), a.grid, a.row_areas);
    windows.push_back(a.window);
    plan.aois.push_back(std::move(a));
  }
  plan.chunks = plan_chunks(plan.grid, windows, spec.processing.chunk);
  spdlog::info("analysis grid {} x {} px, {} chunks of up to {} px", plan.grid.width,
               plan.grid.height, plan.chunks.size(), spec.processing.chunk);
}

}  // namespace

std::vector<std::string> bands_to_read(job_spec const& spec) {
  run_plan plan;
  plan.indices = indices_to_compute(spec);
  plan.bands = bands_needed(plan.indices);
  plan_colour(spec, plan);
  return plan.bands;
}

std::vector<std::string> evidence_bands_to_read(job_spec const& spec,
                                                scene_catalog const& catalog) {
  if (!spec.change.causes) return {};
  auto const bands = evidence_bands();
  auto const has_all = [&](scene const& s) {
    return std::all_of(bands.begin(), bands.end(),
                       [&](std::string const& band) { return s.bands.count(band) > 0; });
  };
  auto const& b = catalog.baseline;
  auto const& m = catalog.monitor;
  if (std::all_of(b.begin(), b.end(), has_all) && std::all_of(m.begin(), m.end(), has_all))
    return bands;
  return {};
}

std::optional<run_plan> plan_run(job_spec const& spec, continuation const* resume,
                                 run_result& result) {
  run_plan plan;
  plan.indices = indices_to_compute(spec);
  plan.bands = bands_needed(plan.indices);
  plan_colour(spec, plan);
  catalog_options catalog_opts;
  catalog_opts.require_both_periods = resume == nullptr;
  if (spec.change.causes) catalog_opts.optional_bands = evidence_bands();
  plan.catalog = build_catalog(spec, plan.bands, catalog_opts);
  plan_causes(spec, plan);
  if (resume != nullptr && !keep_new_scenes(spec, *resume, plan.catalog, result))
    return std::nullopt;
  for (bool monitor : {false, true}) {
    for (auto const& s : monitor ? plan.catalog.monitor : plan.catalog.baseline)
      result.read.push_back({s.id, s.date, monitor});
  }
  plan.dates = group_by_date(plan.catalog);
  spdlog::info("{} scenes found, {} in the baseline period, {} in the monitoring period, {} dates",
               plan.catalog.scenes_found, plan.catalog.baseline.size(), plan.catalog.monitor.size(),
               plan.dates.size());
  if (spec.change.method == change_method::bfast && resume == nullptr) {
    auto const history = std::count_if(plan.dates.begin(), plan.dates.end(),
                                       [](date_group const& d) { return !d.monitor; });
    int const needed = std::max(spec.change.bfast.min_history, spec.change.bfast.params() + 1);
    if (history < needed) {
      spdlog::warn(
          "bfast: the baseline period has {} dates, fewer than the {} clear looks a model needs "
          "(change.bfast.min_history, and more looks than the model's {} regressors): every "
          "pixel will be no_model",
          history, needed, spec.change.bfast.params());
    }
  }
  plan_grid(spec, resume, plan);
  plan_cogs(spec, plan);
  // The latest date of each period, over earlier monitoring runs too.
  std::optional<civil_date> latest[2];
  if (resume != nullptr) {
    for (auto const& d : resume->past_dates) latest[d.monitor ? 1 : 0] = d.date;
  }
  for (auto const& g : plan.dates) latest[g.monitor ? 1 : 0] = g.date;
  plan.date_before = latest[0].value();
  plan.date_after = latest[1].value();
  return plan;
}

}  // namespace geosweep::pipeline
