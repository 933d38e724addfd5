// run_job: a run as a short sequence of named phases. Plan (run_plan.hpp: catalog, grid, AOIs,
// chunks), execute (run_sharing.hpp: chunks computed in this process or shared, applied in
// chunk order by chunk_applier.hpp, which feeds the chunk writers), then finish: the patches
// become final, change.nc is renumbered, and the tables and alert polygons are written; last,
// manifest.json hashes every staged output and every input file read (outputs/manifest.hpp).
#include "geosweep/pipeline/job_runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <future>
#include <optional>

#include "catalog/stac_catalog.hpp"
#include "core/file_hasher.hpp"
#include "core/gdal_utils.hpp"
#include "core/output_set.hpp"
#include "core/range_cache.hpp"
#include "core/text.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "grid/landcover_raster.hpp"
#include "outputs/alert_polygons.hpp"
#include "outputs/landcover_table.hpp"
#include "outputs/manifest.hpp"
#include "outputs/product_layout.hpp"
#include "outputs/sanity_warnings.hpp"
#include "outputs/stac_output.hpp"
#include "outputs/tables.hpp"
#include "report/alert_chips.hpp"
#include "run/chunk_applier.hpp"
#include "run/progress_line.hpp"
#include "run/run_plan.hpp"
#include "run/run_sharing.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
namespace k = geosweep::kernels;

/// What the computing half (compute/chunk_processor.hpp) shares of the plan.
chunk_context context_of(job_spec const& spec, run_plan const& plan, k::backend backend,
                         state_reader const* state_in, bool monitoring) {
  chunk_context cx;
  cx.spec = &spec;
  cx.backend = backend;
  cx.grid = plan.grid;
  cx.chunks = &plan.chunks;
  cx.dates = &plan.dates;
  cx.bands = plan.bands;
  cx.indices = plan.indices;
  cx.colour = plan.colour;
  for (auto const& a : plan.aois) cx.aois.push_back({&a.shape, a.window, &a.row_areas});
  cx.state_in = state_in;
  cx.keep_state = monitoring;
  cx.keep_rasters = spec.outputs.hdf5 || spec.outputs.cog;
  cx.causes = spec.change.causes;
  cx.evidence = !plan.cause_bands.empty();
  // The days of the looks go with the index looks of change.nc and with the COGs.
  bool looks = false;
  for (std::size_t a = 0; a < plan.aois.size(); ++a) {
    auto const pixels = static_cast<std::int64_t>(plan.aois[a].window.pixel_count());
    looks = looks || (spec.outputs.hdf5 && writes_index_looks(spec.outputs, pixels)) ||
            (a < plan.cog_aois.size() && plan.cog_aois[a]);
  }
  cx.keep_look_days = monitoring || looks;
  return cx;
}

/// The dates of this run with each AOI's clear area.
void record_dates(run_plan const& plan, run_result& result) {
  for (std::size_t d = 0; d < plan.dates.size(); ++d) {
    auto const& g = plan.dates[d];
    date_summary summary{g.date, g.monitor, static_cast<std::int64_t>(g.scenes.size()), {}};
    for (auto const& aoi : plan.aois) {
      summary.clear_m2[aoi.shape.name()] =
          d < aoi.clear_m2_by_date.size() ? aoi.clear_m2_by_date[d] : 0.0;
    }
    result.dates.push_back(std::move(summary));
    result.scenes_used += g.scenes.size();
  }
}

/// The result of one AOI once its patches are final.
aoi_result aoi_result_of(aoi_work const& aoi, run_plan const& plan,
                         std::vector<change_patch> const& patches,
                         OGRCoordinateTransformation& to_wgs84) {
  aoi_result r;
  r.name = aoi.shape.name();
  r.date_before = plan.date_before;
  r.date_after = plan.date_after;
  r.aoi_pixels = aoi.inside_pixels;
  r.clear_pixels = aoi.clear_pixels;
  r.no_model_area_ha = m2_to_ha(aoi.no_model_m2);
  r.clear_area_ha = m2_to_ha(aoi.clear_m2);
  double changed_m2 = 0.0, column = 0.0, row = 0.0;
  for (auto const& p : patches) {
    r.changed_pixels += p.alert.pixels;
    changed_m2 += p.alert.area_ha * 10000.0;
    column += p.centroid_column * static_cast<double>(p.alert.pixels);
    row += p.centroid_row * static_cast<double>(p.alert.pixels);
  }
  r.changed_area_ha = m2_to_ha(changed_m2);
  if (r.changed_pixels > 0) {
    auto const& gt = aoi.grid.transform;
    double const c = column / static_cast<double>(r.changed_pixels),
                 w = row / static_cast<double>(r.changed_pixels);
    double x = gt[0] + c * gt[1] + w * gt[2], y = gt[3] + c * gt[4] + w * gt[5];
    if (!to_wgs84.Transform(1, &x, &y)) throw io_error("cannot transform a centroid to WGS84");
    r.changed_centroid_lat_lon = std::array<double, 2>{y, x};
  }
  for (auto const& p : patches) r.alerts.push_back(p.alert);
  if (r.clear_pixels == 0) {
    spdlog::warn(
        "AOI '{}': no clear look at any pixel on any date (clouds, shadows or no data "
        "throughout): nothing could be detected there",
        r.name);
  }
  spdlog::info("AOI '{}': {:.2f} ha changed in {} patches, of {:.2f} ha clear", r.name,
               r.changed_area_ha, patches.size(), r.clear_area_ha);
  if (r.no_model_area_ha > 0) {
    spdlog::info(
        "AOI '{}': {:.2f} ha without a model (too few clear history looks, or looks "
        "that do not determine it): not monitored",
        r.name, r.no_model_area_ha);
  }
  return r;
}

/// The sanity checks of an AOI's final result (outputs/sanity_warnings.hpp): each warning goes
/// to stderr and into `r.warnings`. `dates`: every date read so far, earlier monitoring runs'
/// too, for the latest clear look of each period.
void warn_if_implausible(change_spec const& change, aoi_work const& aoi,
                         std::vector<date_summary> const& dates, aoi_result& r) {
  r.forest_area_ha = m2_to_ha(aoi.forest_m2);
  sanity_inputs in;
  in.aoi = r.name;
  in.forest_m2 = aoi.forest_m2;
  in.flagged_m2 = r.changed_area_ha * 10000.0;
  for (auto const& d : dates) {
    auto const clear = d.clear_m2.find(r.name);
    if (clear == d.clear_m2.end() || clear->second <= 0.0) continue;
    auto& look = d.monitor ? in.monitor_look : in.baseline_look;
    if (!look || *look < d.date) look = d.date;
  }
  for (auto const& w : sanity_warnings(change, in)) {
    spdlog::warn("{}", w.message);
    r.warnings.push_back(w.code);
  }
}

/// landcover.csv's rows: the class raster warped onto each AOI's window of the grid (once per
/// run, one code per window pixel), each alert's pixels from change.nc's final patch numbers;
/// then the networks' rows. Each alert's estimated value becomes the sum of its classes' values.
std::vector<std::vector<std::string>> landcover_table(
    landcover_spec const& landcover, job_spec const& spec, run_plan const& plan,
    std::vector<std::vector<change_patch>>& patches, netcdf_product const& nc) {
  std::vector<std::vector<std::string>> rows;
  std::vector<landcover_split> splits;
  for (std::size_t a = 0; a < plan.aois.size(); ++a) {
    auto const& aoi = plan.aois[a];
    auto const codes = landcover_codes(landcover.raster, landcover.band, aoi.grid);
    auto const inside = aoi.shape.rasterize(aoi.grid);
    landcover_aoi const in{
        aoi.shape.name(),          aoi.grid.width,      codes, inside, aoi.row_areas,
        spec.aois[a].value_per_ha, spec.aois[a].network};
    auto& split = splits.emplace_back(landcover_rows(landcover, in, patches[a], nc.patches(a)));
    for (std::size_t k = 0; k < patches[a].size(); ++k)
      patches[a][k].alert.estimated_value = split.alert_values[k];
    rows.insert(rows.end(), split.rows.begin(), split.rows.end());
  }
  std::vector<std::pair<std::string, landcover_split const*>> by_network;
  for (std::size_t a = 0; a < splits.size(); ++a)
    by_network.emplace_back(spec.aois[a].network, &splits[a]);
  auto const networks = network_landcover_rows(landcover, job_networks(spec), by_network);
  rows.insert(rows.end(), networks.begin(), networks.end());
  return rows;
}

/// The finish phase: every chunk is in, so the patches are final. Each AOI's patches are
/// measured (those under the minimum mapping unit dropped, values estimated), change.nc is
/// renumbered, and the tables, the monitoring state, change.nc and the polygons are committed.
void finish_run(job_spec const& spec, run_plan& plan, chunk_applier& applier,
                continuation const* resume, run_result& result) {
  applier.drain();
  // Every chunk is in: each AOI's patches are final (those under the minimum mapping unit
  // dropped). A provisional patch's final number: 0 for a dropped one, -1 for one without a
  // seed (change.nc and change.tif clear both).
  std::vector<std::vector<change_patch>> finished;
  for (auto& aoi : plan.aois) finished.push_back(aoi.stitcher->finish(spec.change.min_area_ha));
  patch_numbering const final_patch = [&plan](std::size_t aoi, std::int32_t provisional) {
    auto const& stitcher = *plan.aois[aoi].stitcher;
    std::int32_t const label = stitcher.final_label(provisional);
    return label == 0 && !stitcher.had_seed(provisional) ? -1 : label;
  };
  // The COGs are made from their staging files while the other outputs are written (change.tif
  // needs only the final patch numbers). A future of std::async waits for its thread when it
  // goes, so the staging files outlive the thread even when finishing throws.
  std::future<std::vector<std::filesystem::path>> cog_files;
  if (auto* cogs = applier.cogs()) {
    cogs->set_patch_numbering(final_patch);
    cog_files = std::async(std::launch::async, [cogs] { return cogs->commit(); });
  }
  record_dates(plan, result);
  // The area table covers every date read so far: earlier monitoring runs' and this run's.
  std::vector<date_summary> all_dates;
  if (resume != nullptr) all_dates = resume->past_dates;
  all_dates.insert(all_dates.end(), result.dates.begin(), result.dates.end());
  auto const to_wgs84 = make_transform(make_srs(plan.grid.crs_wkt), wgs84());
  std::vector<std::vector<std::string>> areas, series;
  std::vector<alert> alerts;
  std::vector<alert_patches> traced(plan.aois.size());  // for the polygons
  for (std::size_t a = 0; a < plan.aois.size(); ++a) {
    auto& aoi = plan.aois[a];
    auto& patches = finished[a];
    traced[a].grid = aoi.grid;
    traced[a].outline = &aoi.shape.geometry();
    for (auto const& p : patches) traced[a].windows.push_back(p.window);
    // An estimate in the analyst's unit when the AOI has a value per hectare (by class below,
    // with a land-cover raster).
    auto const& value_per_ha = spec.aois[a].value_per_ha;
    for (auto& p : patches)
      if (value_per_ha) p.alert.estimated_value = p.alert.area_ha * *value_per_ha;
    if (spec.change.causes) {
      std::vector<cause_tally> causes(patches.size());
      for (auto const& [provisional, tally] : aoi.causes_by_patch) {
        std::int32_t const label = aoi.stitcher->final_label(provisional);
        if (label > 0) causes[static_cast<std::size_t>(label - 1)].add(tally);
      }
      for (std::size_t p = 0; p < patches.size(); ++p) {
        auto const decided = decide_cause(causes[p]);
        patches[p].alert.cause = decided.cause;
        patches[p].alert.burn_severity = decided.severity;
      }
    }
  }
  if (auto* nc = applier.netcdf()) {
    nc->finish(final_patch);
  }
  // landcover.csv is counted from change.nc's final patch numbers, and gives the alerts their
  // values by class before any table, the ledger or a notification sees them.
  std::vector<std::vector<std::string>> landcover;
  if (spec.landcover) {
    auto* nc = applier.netcdf();
    GEOSWEEP_EXPECTS(nc != nullptr, "landcover needs change.nc's patch numbers (job_spec.cpp)");
    landcover = landcover_table(*spec.landcover, spec, plan, finished, *nc);
  }
  for (std::size_t a = 0; a < plan.aois.size(); ++a) {
    auto& aoi = plan.aois[a];
    auto& patches = finished[a];
    result.aois.push_back(aoi_result_of(aoi, plan, patches, *to_wgs84));
    warn_if_implausible(spec.change, aoi, all_dates, result.aois.back());
    auto rows = area_rows({aoi.shape.name(), aoi.grid, aoi.inside_m2, spec.aois[a].value_per_ha,
                           fmt::format("{}", fmt::join(result.aois.back().warnings, ";")),
                           spec.landcover.has_value()},
                          patches, all_dates, *to_wgs84);
    areas.insert(areas.end(), rows.begin(), rows.end());
    std::vector<series_sums> by_alert(patches.size());
    for (auto const& [provisional, sums] : aoi.series_by_patch) {
      std::int32_t const label = aoi.stitcher->final_label(provisional);
      if (label > 0) by_alert[static_cast<std::size_t>(label - 1)].add(sums);
    }
    rows = series_rows(aoi.shape.name(), spec.change.index, patches, aoi.series, by_alert,
                       result.dates);
    series.insert(series.end(), rows.begin(), rows.end());
    for (auto& p : patches) alerts.push_back(std::move(p.alert));
  }
  if (spec.outputs.csv) {
    std::tie(result.csv_file, result.alerts_file) = write_tables(spec.outputs.dir, areas, alerts);
    result.series_file = write_series_table(spec.outputs.dir, series);
    if (std::any_of(spec.aois.begin(), spec.aois.end(),
                    [](aoi_spec const& a) { return !a.network.empty(); }))
      result.network_file = write_network_table(
          spec.outputs.dir, network_rows(spec.aois, alerts, spec.change.causes));
  }
  if (spec.landcover && spec.outputs.csv)
    result.landcover_file = write_landcover_table(spec.outputs.dir, landcover);
  if (auto* state = applier.state()) state->commit();
  auto const& formats = spec.outputs.alert_polygons;
  bool const kmz = std::find(formats.begin(), formats.end(), polygon_format::kmz) != formats.end();
  // The KMZ's chips are cut from the COGs, so they are complete first; otherwise the
  // polygons are traced while the COGs are still being written.
  if (kmz && cog_files.valid()) result.cog_files = cog_files.get();
  if (auto* nc = applier.netcdf()) {
    nc->commit();
    result.hdf5_file = nc->path();
    for (std::size_t a = 0; a < traced.size(); ++a) traced[a].pixels = &nc->patches(a);
    std::optional<alert_chip_renderer> chips;
    if (kmz) chips.emplace(spec.outputs.dir, result.aois, traced);
    result.polygon_files = write_alert_polygons(result.aois, traced, formats, spec.outputs.dir,
                                                chips ? &*chips : nullptr);
  }
  if (cog_files.valid()) result.cog_files = cog_files.get();
}

/// A local path made absolute (so the manifest can be checked from anywhere); a URL as it is.
std::string input_path(fs::path const& path) {
  std::string const text = path.string();
  return is_remote_path(text) ? text : fs::absolute(path).lexically_normal().string();
}

/// The files the run read: each scene's band files for the bands it read, its quality and
/// saturation bands and its metadata file, and the AOIs' geometry files.
std::vector<input_use> input_uses(job_spec const& spec, run_plan const& plan) {
  std::vector<input_use> uses;
  for (auto const& group : plan.dates) {
    std::string const date = to_iso(group.date);
    for (scene const* s : group.scenes) {
      auto const use = [&](fs::path const& path, char const* role) {
        uses.push_back({input_path(path), role, s->id, date, ""});
      };
      for (auto const& band : plan.bands)
        if (auto const it = s->bands.find(band); it != s->bands.end()) use(it->second.path, "band");
      if (s->quality) use(s->quality->path, "quality");
      if (s->saturation) use(s->saturation->path, "saturation");
      if (!s->metadata.empty()) use(s->metadata, "metadata");
    }
  }
  for (auto const& a : spec.aois)
    if (a.geometry) uses.push_back({input_path(*a.geometry), "aoi", "", "", a.name});
  if (spec.landcover) uses.push_back({input_path(spec.landcover->raster), "landcover", "", "", ""});
  return uses;
}

/// The time `t` as ISO 8601 UTC.
std::string iso_utc(std::chrono::system_clock::time_point t) {
  std::time_t const seconds = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

/// Writes the STAC catalogue (outputs.stac) and then manifest.json into `dir`, the run's last
/// outputs: every file already there hashed (the catalogue's assets carry those hashes), and
/// the inputs, each file once (`inputs`, hashed by `input_hashes` since the run began).
void write_run_manifest(job_spec const& spec, run_plan const& plan, run_result const& result,
                        fs::path const& dir, std::chrono::system_clock::time_point started,
                        std::vector<manifest_input> inputs, file_hasher& input_hashes) {
  manifest m;
  m.geosweep_version = geosweep_version();
  m.build = build_description();
  m.job_name = spec.name;
  if (!spec.file.empty()) m.job_file = input_path(spec.file);  // empty: a spec made in code
  std::error_code ec;
  if (fs::is_regular_file(spec.file, ec)) m.job_digest = sha256_file(spec.file);
  m.started = iso_utc(started);
  auto digests = input_hashes.finish(k::cpu_threads());
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].not_hashed.empty()) inputs[i].digest = std::move(digests[i]);
  m.inputs = std::move(inputs);
  m.outputs = hash_outputs(dir);
  if (spec.outputs.stac) {
    std::vector<stac_aoi> aois;
    for (std::size_t a = 0; a < result.aois.size(); ++a)
      aois.push_back({&result.aois[a], plan.aois[a].grid, &plan.aois[a].shape.geometry()});
    auto const catalogue = write_stac(dir, spec, aois, m.outputs, m.started);
    m.outputs.insert(m.outputs.end(), catalogue.begin(), catalogue.end());
    std::sort(m.outputs.begin(), m.outputs.end(),
              [](auto const& a, auto const& b) { return a.path < b.path; });
  }
  write_manifest(dir, m);
}

/// The result's file paths, written under `staging`, as they are now: under `live`.
void relocate(run_result& result, fs::path const& staging, fs::path const& live) {
  auto const moved = [&](fs::path const& p) { return live / p.lexically_relative(staging); };
  for (auto* file : {&result.hdf5_file, &result.csv_file, &result.alerts_file, &result.series_file,
                     &result.landcover_file, &result.network_file})
    if (*file) *file = moved(**file);
  for (auto* files : {&result.polygon_files, &result.cog_files})
    for (auto& f : *files) f = moved(f);
}

/// The continuation that recomputes a monitored job's history: the first run's grid and this
/// run's state file, nothing read yet.
continuation recomputed_history(continuation const& resume, run_result const& result) {
  std::vector<std::string> late;
  for (auto const& s : result.late) late.push_back(s.id + " (" + to_iso(s.date) + ")");
  spdlog::info(
      "{} late scene(s), dated at or before the last date read: {}; reading every "
      "scene again from the first date so they are applied",
      late.size(), fmt::format("{}", fmt::join(late, ", ")));
  continuation rebuild;
  rebuild.state_out = resume.state_out;
  rebuild.state_attributes = resume.state_attributes;
  rebuild.grid = resume.grid;
  return rebuild;
}

/// Throws config_error naming them when scenes earlier runs read are gone from the recomputed
/// run's catalog (a rolling archive): the late scenes cannot be applied then.
void require_history(job_spec const& spec, continuation const& resume, run_plan const& plan,
                     std::vector<scene_record> const& late_scenes) {
  std::set<std::string> present;
  for (auto const* list : {&plan.catalog.baseline, &plan.catalog.monitor})
    for (auto const& s : *list) present.insert(s.id);
  std::vector<std::string> missing, late;
  for (auto const& id : resume.read_scenes)
    if (present.count(id) == 0) missing.push_back(id);
  if (missing.empty()) return;
  for (auto const& s : late_scenes) late.push_back(s.id + " (" + to_iso(s.date) + ")");
  throw config_error(
      spec.file.string() + ": late scene(s) " + fmt::format("{}", fmt::join(late, ", ")) +
      " cannot be applied: that means reading every scene again, and " +
      std::to_string(missing.size()) + " read on earlier nights are no longer among the scenes (" +
      fmt::format("{}", fmt::join(missing, ", ")) +
      "); restore them and run again, or start monitoring afresh by removing " +
      (spec.outputs.dir / product::state_dir).string());
}

}  // namespace

run_result run_job(job_spec const& spec, run_options const& options) {
  auto const started = std::chrono::steady_clock::now();
  auto const started_at = std::chrono::system_clock::now();
  auto const elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  ensure_gdal();
  reset_network_stats();
  reset_range_cache_stats();
  run_result result;
  result.backend = k::resolve_backend(options.backend);
  if (options.backend == k::backend::automatic && result.backend == k::backend::cpu &&
      k::cuda_unexpectedly_unavailable()) {
    spdlog::warn("a CUDA device is present but not usable ({}); running on the CPU",
                 k::cuda_unavailable_reason());
  }
  spdlog::info("job '{}': backend {}", spec.name, k::to_string(result.backend));
  auto const sharing = sharing_of(options, result.backend);
  // This thread's GPU: the first of --devices. Alone, it computes every chunk there; shared,
  // its workers take one device each, and it stitches the patches on the first.
  if (!options.devices.empty()) k::use_cuda_device(options.devices.front());
  continuation const* resume = options.resume;

  // Plan.
  auto plan = plan_run(spec, resume, result);
  // Monitoring, with late scenes (a tile of a date already read): a date cannot be folded into
  // a state that has moved past it, so the history is recomputed from the scene folder, every
  // scene from the first date, into the same grid: the outputs of a one-shot run over them all.
  continuation rebuild;
  if (resume != nullptr && !result.late.empty()) {
    rebuild = recomputed_history(*resume, result);
    auto const late = std::exchange(result.late, {});
    auto const earlier = resume;
    resume = &rebuild;
    plan = plan_run(spec, resume, result);
    if (plan) require_history(spec, *earlier, *plan, late);
    result.recomputed = true;
  }
  if (!plan) {
    result.seconds = elapsed();
    return result;  // monitoring: nothing new
  }
  result.grid = plan->grid;
  result.chunks = plan->chunks.size();
  if (spec.landcover) check_landcover_raster(spec.landcover->raster, spec.landcover->band);
  // The outputs change as one set: the writing process writes them into a staging folder,
  // swapped in for the old set once everything is written (core/output_set.hpp). The parts of
  // a shared run go to the live folder, where every rank finds them.
  std::optional<output_set> outputs;
  job_spec staged = spec;
  // The inputs' hashes for manifest.json, taken on idle cores while the run reads them.
  std::vector<manifest_input> inputs;
  std::optional<file_hasher> input_hashes;
  if (sharing.writes()) {
    inputs = manifest_inputs(input_uses(spec, *plan));
    input_hashes.emplace(paths_to_hash(inputs));
  }
  if (sharing.writes()) {
    outputs.emplace(spec.outputs.dir, product::is_run_product);
    staged.outputs.dir = outputs->staging();
    if (outputs->weak())
      spdlog::warn(
          "{}: the new outputs are staged inside the folder (it is a mount point or its "
          "parent is not writable), so a crash while they replace the old ones can "
          "leave a mix",
          spec.outputs.dir.string());
  }

  // Execute: the outputs written chunk by chunk are opened when chunks are about to be applied,
  // so a shared run that fails while computing leaves nothing in the outputs folder but parts.
  std::unique_ptr<state_reader> state_in;
  if (resume != nullptr && resume->state_in)
    state_in = std::make_unique<state_reader>(*resume->state_in);
  auto const cx = context_of(spec, *plan, result.backend, state_in.get(), resume != nullptr);
  chunk_applier applier(staged, *plan, result.backend);
  progress_line progress(options.progress && sharing.writes(),
                         static_cast<std::int64_t>(plan->chunks.size() * plan->dates.size()),
                         plan->chunks.size());
  try {
    auto const totals = sharing.shared() ? execute_shared(cx, sharing, options, spec.outputs.dir,
                                                          resume, applier, progress)
                                         : execute_alone(cx, resume, applier, progress);
    result.bytes_read = totals.bytes_read;
    result.pixels_processed = totals.pixels;
    spdlog::debug("chunks read and computed at {:.2f} s", elapsed());

    // Finish (the writing process).
    if (sharing.writes()) {
      finish_run(staged, *plan, applier, resume, result);
      spdlog::debug("outputs finished at {:.2f} s", elapsed());
      if (sharing.shared()) {
        std::error_code ec;
        fs::remove_all(spec.outputs.dir / product::parts_dir, ec);  // merged
      }
      write_run_manifest(spec, *plan, result, outputs->staging(), started_at, std::move(inputs),
                         *input_hashes);
      spdlog::debug("manifest written at {:.2f} s", elapsed());
      outputs->commit();
      relocate(result, outputs->staging(), outputs->live());
    }
  } catch (io_error const& e) {
    if (!outputs) throw;
    throw io_error(outputs->as_live(e.what()));  // "out/alerts.gpkg", not the staging folder's
  }
  auto const fetched = read_network_stats();
  result.http_requests = fetched.requests;
  result.http_bytes = fetched.downloaded;
  auto const cached = read_range_cache_stats();
  result.cache_served_bytes = cached.served_bytes;
  result.cache_invalidated = cached.invalidated;
  result.seconds = elapsed();
  return result;
}

}  // namespace geosweep::pipeline
