#include "geosweep/pipeline/monitor.hpp"

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <memory>
#include <set>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "core/output_set.hpp"
#include "core/test_hooks.hpp"
#include "core/text.hpp"
#include "core/unique_fd.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/monitor_store.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/ogr_fields.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

std::string number(double v) {
  return fmt::format("{:.17g}", v);
}

/// What the per-pixel state depends on: if any of it changes, the state of earlier runs no
/// longer fits the job and monitoring must start again.
/// What a job's state depends on, as text. `how_aois_are_named` "content" names an AOI file by
/// a hash of its bytes, so the same job called by another path (absolute, from inside its
/// folder, after the folder moved) is the same job; "path" is how earlier geosweeps named
/// it, by the path as typed, still accepted (and then replaced) so their ledgers go on.
std::string state_fingerprint(job_spec const& spec,
                              std::string_view how_aois_are_named = "content") {
  std::ostringstream out;
  out << "sensor=" << to_string(spec.sensor.type) << ";scale=" << number(spec.sensor.scale)
      << ";offset=" << number(spec.sensor.offset) << ";baseline=" << to_iso(spec.baseline.first)
      << "/" << to_iso(spec.baseline.last) << ";monitor=" << to_iso(spec.monitor.first) << "/"
      << to_iso(spec.monitor.last) << ";indices=";
  for (auto const& i : spec.indices) out << i << ",";
  auto const& c = spec.change;
  out << ";change=" << to_string(c.method) << "," << c.index << "," << number(c.drop) << ","
      << number(c.forest_min) << "," << number(c.k_sigma) << "," << c.confirm << ","
      << c.window_days;
  if (c.method == change_method::bfast) {  // only here: older fingerprints stay as they were
    out << ",bfast:" << c.bfast.k << "," << c.bfast.trend << "," << number(c.bfast.h) << ","
        << number(c.bfast.level) << "," << c.bfast.end << "," << c.bfast.min_history << ","
        << number(c.bfast.min_fall);
  }
  out << ";grid=" << spec.grid.crs << ","
      << (spec.grid.resolution ? number(*spec.grid.resolution) : "")
      << ";chunk=" << spec.processing.chunk << ";cog=" << spec.outputs.cog << ";aois=";
  for (auto const& a : spec.aois) {
    out << a.name << ":";
    if (a.bbox)
      out << number((*a.bbox)[0]) << "," << number((*a.bbox)[1]) << "," << number((*a.bbox)[2])
          << "," << number((*a.bbox)[3]);
    if (a.geometry && how_aois_are_named == "path") out << a.geometry->string();
    if (a.geometry && how_aois_are_named == "content")
      out << "file:" << fmt::format("{:016x}", fnv1a64(read_whole_file(*a.geometry)));
    out << "|";
  }
  return out.str();
}

/// What the ledger keeps of the first run's grid, and back.
std::map<std::string, std::string> grid_meta(raster_grid const& g) {
  std::string transform;
  for (double v : g.transform) {
    if (!transform.empty()) transform += ' ';
    transform += number(v);
  }
  return {{"grid_crs_wkt", g.crs_wkt},
          {"grid_transform", transform},
          {"grid_width", std::to_string(g.width)},
          {"grid_height", std::to_string(g.height)}};
}

std::optional<raster_grid> stored_grid(monitor_store const& store) {
  auto const wkt = store.meta("grid_crs_wkt");
  if (!wkt) return std::nullopt;
  raster_grid g;
  g.crs_wkt = *wkt;
  std::istringstream transform(store.meta("grid_transform").value_or(""));
  for (double& v : g.transform) {
    if (!(transform >> v)) throw io_error(store.file().string() + ": bad grid_transform");
  }
  g.width = std::stoi(store.meta("grid_width").value_or("0"));
  g.height = std::stoi(store.meta("grid_height").value_or("0"));
  return g;
}

/// Removes what killed runs left: state files other than the current one, and temporary
/// files of processes that are gone (atomic_file.hpp) anywhere under the outputs folder.
void remove_leftovers(fs::path const& outputs, fs::path const& state_dir,
                      std::string const& current) {
  std::error_code ec;
  for (auto const& entry : fs::directory_iterator(state_dir, ec)) {
    auto const name = entry.path().filename().string();
    if (name.rfind(product::state_file_prefix, 0) != 0 || name == current ||
        !entry.is_regular_file())
      continue;
    spdlog::info("removing {} (left by an interrupted run)", entry.path().string());
    std::error_code remove_ec;
    fs::remove(entry.path(), remove_ec);
  }
  if (auto const n = remove_orphaned_temporaries(outputs); n > 0)
    spdlog::info("removed {} temporary file(s) left by an interrupted run", n);
}

/// One monitoring run at a time per state folder (cron may start the next night's run while
/// a slow one still works): an exclusive lock held until the process ends.
class run_lock {
 public:
  explicit run_lock(fs::path const& file)
      : fd_(::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644)) {
    if (!fd_) throw io_error(file.string() + ": cannot open the run lock");
    if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0)
      throw io_error(file.string() + ": another geosweep monitor run of this job is running");
  }

 private:
  unique_fd fd_;  // the lock goes with it
};

/// One line of events/run-<n>.csv and one feature of its GeoJSON: the run, the event and the
/// alert as the run measured it.
field_row event_row(std::int64_t run, alert_event const& e) {
  field_row const extra{{"run", field_type::integer, 0, run},
                        {"event", field_type::text, 0, std::string(to_string(e.kind))}};
  return alert_row(e.alert, event_table_columns(), extra);
}

/// The alerts' outlines from the run's alerts.gpkg or alerts.geojson (EPSG:4326), by id; empty
/// when the job writes neither.
std::map<std::string, std::unique_ptr<OGRGeometry>> alert_outlines(fs::path const& outputs) {
  std::map<std::string, std::unique_ptr<OGRGeometry>> outlines;
  for (auto const format : {polygon_format::gpkg, polygon_format::geojson}) {
    auto const name = product::polygon_file(format);
    if (!fs::exists(outputs / name)) continue;
    GDALDatasetUniquePtr ds(
        GDALDataset::Open((outputs / name).c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds || ds->GetLayerCount() == 0) continue;
    for (auto& feature : *ds->GetLayer(0)) {
      if (feature->GetGeometryRef() != nullptr)
        outlines[feature->GetFieldAsString("alert_id")].reset(feature->GetGeometryRef()->clone());
    }
    break;
  }
  return outlines;
}

/// The run's events as GeoJSON (RFC 7946): each alert's outline from the run's polygons, or
/// its centroid as a point when the job writes no polygons.
void write_events_geojson(fs::path const& path, std::int64_t run,
                          std::vector<alert_event> const& events, fs::path const& outputs) {
  ensure_gdal();
  auto const outlines = alert_outlines(outputs);
  atomic_file file(path);
  {
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName("GeoJSON");
    if (driver == nullptr) throw io_error(path.string() + ": GDAL has no GeoJSON driver");
    GDALDatasetUniquePtr ds(
        driver->Create(file.temp_path().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw io_error(path.string() + ": cannot create: " + last_gdal_message());
    auto srs = wgs84();
    char const* options[] = {"RFC7946=YES", "WRITE_BBOX=YES", nullptr};
    OGRLayer* layer = ds->CreateLayer("events", &srs, outlines.empty() ? wkbPoint : wkbUnknown,
                                      const_cast<char**>(options));
    if (layer == nullptr) throw io_error(path.string() + ": " + last_gdal_message());
    create_fields(*layer, event_row(run, alert_event{}), path.string());
    for (auto const& e : events) {
      OGRFeature feature(layer->GetLayerDefn());
      set_fields(feature, event_row(run, e), true);  // as the CSV writes them
      OGRPoint point(e.alert.centroid_lon, e.alert.centroid_lat);
      auto const outline = outlines.find(e.alert.id);
      feature.SetGeometry(outline != outlines.end() ? outline->second.get()
                                                    : static_cast<OGRGeometry*>(&point));
      if (layer->CreateFeature(&feature) != OGRERR_NONE)
        throw io_error(path.string() + ": " + last_gdal_message());
    }
  }
  file.commit();
}

/// events/run-<n>.csv and .geojson; also repairs a run whose commit went through but whose
/// event files were not written (killed right after the commit).
void write_event_files(fs::path const& outputs, std::int64_t run,
                       std::vector<alert_event> const& events, fs::path& csv, fs::path& geojson) {
  // The events folder sits in the outputs folder, beside the run's alert polygons.
  fs::create_directories(outputs / product::events_dir);
  csv = product::events_file(outputs, run, "csv");
  geojson = product::events_file(outputs, run, "geojson");
  std::vector<std::vector<std::string>> rows;
  for (auto const& e : events) rows.push_back(field_texts(event_row(run, e)));
  write_csv(csv, field_names(event_row(run, alert_event{})), rows);
  write_events_geojson(geojson, run, events, outputs);
}

void deliver_pending(job_spec const& spec, monitor_store& store, monitor_options const& options,
                     monitor_result& result) {
  for (auto const& d : store.deliveries(delivery_status::pending)) {
    auto const channel =
        std::find_if(spec.notifications.begin(), spec.notifications.end(),
                     [&](notification_spec const& c) { return c.name == d.channel; });
    std::string error;
    std::int64_t attempts = 0;
    if (channel == spec.notifications.end()) {
      error = "channel '" + d.channel + "' is no longer in the job";
    } else {
      try {
        auto const outcome =
            deliver(*channel, store.notification_of(d, channel->causes), options.delivery);
        attempts = outcome.attempts;
        if (outcome.delivered) {
          crash_point("after-send");
          // Marked right after the receiver's answer: a crash in between is the one case
          // that sends again, with the same Idempotency-Key.
          store.mark_sent(d.delivery_id, attempts, utc_now());
          ++result.delivered;
          spdlog::info("delivered {}", d.delivery_id);
          continue;
        }
        error = outcome.error;
      } catch (config_error const& e) {  // an unset secret variable
        error = e.what();
      }
    }
    store.mark_failed(d.delivery_id, attempts, error);
    result.delivery_errors.push_back(d.delivery_id + ": " + error);
    spdlog::warn("delivery {} failed, kept for the next run: {}", d.delivery_id, error);
  }
  result.pending = static_cast<std::int64_t>(store.deliveries(delivery_status::pending).size());
}

}  // namespace

std::span<std::string_view const> event_table_columns() {
  static constexpr std::string_view columns[] = {
      "run",        "event",        "alert_id",  "aoi",          "confidence", "cause", "burn_severity",
      "first_seen", "confirmed_on", "area_ha",   "centroid_lat", "centroid_lon",
      "bbox_west",  "bbox_south",   "bbox_east", "bbox_north",   "estimated_value"};
  return columns;
}

std::string utc_now() {
  auto const now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

fs::path monitor_ledger_file(job_spec const& spec) {
  return monitor_state_dir(spec) / product::ledger_file;
}

fs::path monitor_state_dir(job_spec const& spec) {
  return spec.outputs.dir / product::state_dir;
}

void recover_outputs(job_spec const& spec) {
  if (auto const n = recover_output_sets(spec.outputs.dir); n > 0)
    spdlog::info("{}: finished what {} killed run(s) left", spec.outputs.dir.string(), n);
}

monitor_result run_monitor(job_spec const& spec, monitor_options const& options) {
  recover_outputs(spec);  // before state/ is looked for: a killed run may have moved it
  fs::path const state_dir = monitor_state_dir(spec);
  fs::create_directories(state_dir);
  run_lock const lock(state_dir / product::run_lock_file);
  monitor_store store(monitor_ledger_file(spec));
  monitor_result result;
  std::string const started = utc_now();

  std::string const fingerprint = state_fingerprint(spec);
  if (auto const stored = store.meta("fingerprint");
      stored && *stored != fingerprint && *stored != state_fingerprint(spec, "path")) {
    throw config_error(spec.file.string() +
                       ": the job's sensor, periods, indices, change, grid, chunk or AOIs "
                       "differ from those of the first monitoring run (" +
                       store.file().string() +
                       "); restore them, or start monitoring afresh by removing " +
                       state_dir.string());
  }
  std::int64_t const last = store.last_run();
  std::string const current = store.meta("state_file").value_or("");
  remove_leftovers(spec.outputs.dir, state_dir, current);
  if (last > 0 && !fs::exists(product::events_file(spec.outputs.dir, last, "csv"))) {
    write_event_files(spec.outputs.dir, last, store.events(last), result.events_csv,
                      result.events_geojson);
  }

  continuation resume;
  std::int64_t const run = store.next_run();
  if (!current.empty()) resume.state_in = state_dir / current;
  std::string const state_name = product::state_file(run);
  resume.state_out = state_dir / state_name;
  resume.state_attributes = {
      {"geosweep_job", spec.name}, {"run", std::to_string(run)}, {"fingerprint", fingerprint}};
  resume.grid = stored_grid(store);
  for (auto const& s : store.scenes()) {
    resume.known_scenes.insert(s.scene_id);
    if (s.status == scene_status::ingested) resume.read_scenes.insert(s.scene_id);
  }
  resume.last_date = store.last_date();
  for (auto const& d : store.dates())
    resume.past_dates.push_back({d.date, d.monitor, d.scenes, d.clear_m2});

  run_options run_opts = options.run;
  run_opts.resume = &resume;
  result.job = run_job(spec, run_opts);
  result.late = result.job.late;  // empty: late scenes are applied (run_job recomputes)
  if (result.job.recomputed)
    spdlog::info("late scenes applied: the history was recomputed from the first date");
  if (result.job.nothing_new) {
    result.nothing_new = true;
    spdlog::info("nothing new to read");
    deliver_pending(spec, store, options, result);
    return result;
  }

  run_commit commit;
  commit.run = run;
  commit.job = spec.name;
  commit.started_utc = started;
  commit.finished_utc = utc_now();
  commit.backend = std::string(kernels::to_string(result.job.backend));
  commit.state_file = state_name;
  for (auto const& s : result.job.read)
    commit.scenes.push_back({s.id, s.date, s.monitor, scene_status::ingested});
  for (auto const& s : result.job.late)
    commit.scenes.push_back({s.id, s.date, s.monitor, scene_status::late});
  for (auto const& d : result.job.dates)
    commit.dates.push_back({d.date, d.monitor, d.scenes, d.clear_m2});
  for (auto const& aoi : result.job.aois)
    commit.alerts.insert(commit.alerts.end(), aoi.alerts.begin(), aoi.alerts.end());
  for (auto const& c : spec.notifications) {
    commit.channels[c.name] = c.aois;
    commit.channel_causes[c.name] = c.causes;
  }
  commit.meta = grid_meta(result.job.grid);
  commit.meta["fingerprint"] = fingerprint;
  commit.meta["job"] = spec.name;
  commit.meta["state_file"] = state_name;
  crash_point("before-commit");
  auto const summary = store.commit_run(commit);
  crash_point("after-commit");
  result.run = run;
  result.events = summary.events;
  result.withdrawn = summary.withdrawn;
  spdlog::info("run {}: {} scenes read, {} events, {} deliveries queued", run,
               result.job.read.size(), result.events.size(), summary.deliveries.size());

  write_event_files(spec.outputs.dir, run, result.events, result.events_csv, result.events_geojson);
  crash_point("after-events");
  // The previous state is no longer needed once the new one is committed.
  std::error_code ec;
  if (resume.state_in) fs::remove(*resume.state_in, ec);
  deliver_pending(spec, store, options, result);
  return result;
}

}  // namespace geosweep::pipeline
