#include "geosweep/pipeline/job_runner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>
#include <thread>

#include "catalog/scene_catalog.hpp"
#include "compute/change_detector.hpp"
#include "compute/chunk_processor.hpp"
#include "compute/spectral_index.hpp"
#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "core/test_hooks.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/transform.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "grid/analysis_grid.hpp"
#include "grid/aoi.hpp"
#include "grid/pixel_area.hpp"
#include "load/observation_stream.hpp"
#include "outputs/alert_polygons.hpp"
#include "outputs/chunk_parts.hpp"
#include "outputs/cog_exporter.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/hdf5_writer.hpp"
#include "outputs/state_file.hpp"
#include "patches/change_patch.hpp"
#include "patches/patch_stitcher.hpp"

#ifndef GEOSWEEP_VERSION
#define GEOSWEEP_VERSION "0.0.0"
#endif

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
namespace k = geosweep::kernels;

/// Indices to compute: the job's list plus the change index, without repeats, in job order.
std::vector<std::string> indices_to_compute(job_spec const& spec) {
  std::vector<std::string> names = spec.indices;
  if (std::find(names.begin(), names.end(), spec.change.index) == names.end())
    names.push_back(spec.change.index);
  return names;
}

std::vector<std::string> bands_needed(std::vector<std::string> const& indices) {
  std::set<std::string> bands;
  for (auto const& name : indices) {
    auto const& index = find_spectral_index(name);
    bands.insert(index.bands.begin(), index.bands.end());
  }
  return {bands.begin(), bands.end()};
}

/// Everything kept per AOI while the chunks stream past.
struct aoi_work {
  aoi_shape shape;
  pixel_window window;  ///< in the analysis grid
  raster_grid grid;     ///< the window as a grid
  std::string group;    ///< HDF5 group
  std::unique_ptr<patch_stitcher> stitcher;
  std::vector<double> row_areas;
  std::int64_t inside_pixels = 0;
  std::int64_t clear_pixels = 0;
  double clear_m2 = 0.0;
  std::vector<double> clear_m2_by_date;  ///< area with a clear look, per date
  double inside_m2 = 0.0;                ///< ground area inside the AOI
};

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

/// Patches are final once every chunk is in: the patch rasters take their final numbers, and
/// the pixels of patches under the minimum mapping unit go back to no change, chunk by chunk in
/// the written rasters.
void relabel_patches(hdf5_writer& h5, aoi_work const& aoi, std::size_t index,
                     std::vector<grid_chunk> const& chunks) {
  for (auto const& chunk : chunks) {
    pixel_window const part = chunk.window.intersect(aoi.window);
    if (part.empty() ||
        std::find(chunk.aois.begin(), chunk.aois.end(), index) == chunk.aois.end()) {
      continue;
    }
    pixel_window const rect{part.x_offset - aoi.window.x_offset,
                            part.y_offset - aoi.window.y_offset, part.width, part.height};
    std::size_t const n = part.pixel_count();
    std::vector<std::int32_t> labels(n), first(n), confirmed(n);
    std::vector<std::uint8_t> change(n);
    std::vector<float> magnitude(n);
    h5.read_window<std::int32_t>(aoi.group, "patch", rect, labels);
    bool dropped_any = false;
    for (auto& label : labels) {
      std::int32_t const final_label = aoi.stitcher->final_label(label);
      dropped_any = dropped_any || (label != 0 && final_label == 0);
      label = final_label;
    }
    h5.write_window<std::int32_t>(aoi.group, "patch", rect, labels);
    if (!dropped_any) continue;
    h5.read_window<std::uint8_t>(aoi.group, "change", rect, change);
    h5.read_window<std::int32_t>(aoi.group, "first_date", rect, first);
    h5.read_window<std::int32_t>(aoi.group, "confirmed_date", rect, confirmed);
    h5.read_window<float>(aoi.group, "magnitude", rect, magnitude);
    for (std::size_t i = 0; i < n; ++i) {
      if (labels[i] != 0 || (change[i] != k::change_low && change[i] != k::change_high)) continue;
      change[i] = k::change_none;  // a patch under the minimum mapping unit
      first[i] = k::no_date;
      confirmed[i] = k::no_date;
      magnitude[i] = k::nodata_f32();
    }
    h5.write_window<std::uint8_t>(aoi.group, "change", rect, change);
    h5.write_window<std::int32_t>(aoi.group, "first_date", rect, first);
    h5.write_window<std::int32_t>(aoi.group, "confirmed_date", rect, confirmed);
    h5.write_window<float>(aoi.group, "magnitude", rect, magnitude);
  }
}

/// The AOI's rows of areas.csv, one per date: clear area, and the change first seen / confirmed
/// on that date and so far (from the kept patches' pixel dates), with the centroid of the change
/// so far.
void append_area_rows(std::vector<std::vector<std::string>>& rows, aoi_work const& aoi,
                      std::vector<change_patch> const& patches,
                      std::vector<date_summary> const& all_dates,
                      OGRCoordinateTransformation& to_wgs84,
                      std::optional<double> const& value_per_ha) {
  std::map<std::int32_t, date_extent> first_seen, confirmed;
  for (auto const& p : patches) {
    accumulate_dates(first_seen, p.first_seen);
    accumulate_dates(confirmed, p.confirmed);
  }
  double seen_m2 = 0.0, confirmed_m2 = 0.0;
  std::int64_t seen_pixels = 0, seen_columns = 0, seen_rows = 0;
  for (auto const& date : all_dates) {
    std::int32_t const day = days_since_epoch(date.date);
    double new_low = 0.0, new_high = 0.0;
    if (auto it = first_seen.find(day); it != first_seen.end()) {
      new_low = it->second.area_m2;
      seen_pixels += it->second.pixels;
      seen_columns += it->second.column_sum;
      seen_rows += it->second.row_sum;
    }
    if (auto it = confirmed.find(day); it != confirmed.end()) new_high = it->second.area_m2;
    seen_m2 += new_low;
    confirmed_m2 += new_high;
    auto const clear_it = date.clear_m2.find(aoi.shape.name());
    double const clear = clear_it != date.clear_m2.end() ? clear_it->second : 0.0;
    std::string lat, lon;
    if (seen_pixels > 0) {
      auto const& gt = aoi.grid.transform;
      double const c = static_cast<double>(seen_columns) / static_cast<double>(seen_pixels) + 0.5;
      double const w = static_cast<double>(seen_rows) / static_cast<double>(seen_pixels) + 0.5;
      double x = gt[0] + c * gt[1] + w * gt[2], y = gt[3] + c * gt[4] + w * gt[5];
      if (!to_wgs84.Transform(1, &x, &y)) throw io_error("cannot transform a centroid to WGS84");
      lat = fixed(y, 6);
      lon = fixed(x, 6);
    }
    rows.push_back({aoi.shape.name(), to_iso(date.date), date.monitor ? "monitor" : "baseline",
                    std::to_string(date.scenes), fixed(clear / 10000.0, 4),
                    fixed(aoi.inside_m2 > 0 ? 1.0 - clear / aoi.inside_m2 : 1.0, 4),
                    fixed(new_low / 10000.0, 4), fixed(new_high / 10000.0, 4),
                    fixed((seen_m2 - confirmed_m2) / 10000.0, 4), fixed(confirmed_m2 / 10000.0, 4),
                    fixed(seen_m2 / 10000.0, 4), lat, lon,
                    value_per_ha ? fixed(seen_m2 / 10000.0 * *value_per_ha, 2) : std::string()});
  }
}

/// HDF5 storage chunks as large as the processing chunks (at most 1024 px, dividing them when
/// larger), so that one window written touches few storage chunks.
int storage_chunk(int chunk) {
  if (chunk <= 1024) return chunk;
  for (int side : {1024, 512, 256, 128}) {
    if (chunk % side == 0) return side;
  }
  return 1024;  // an odd chunk size: windows straddle storage chunks (slower, still correct)
}

void create_aoi_variables(hdf5_writer& h5, job_spec const& spec, aoi_work const& aoi,
                          std::vector<std::string> const& indices, civil_date before,
                          civil_date after, std::vector<std::int32_t> const& days) {
  std::string const& group = aoi.group;
  h5.add_grid(group, aoi.grid, storage_chunk(spec.processing.chunk));
  h5.add_time(group, days);
  {
    variable_attributes series;
    series.units = "1";
    series.fill_value = std::numeric_limits<double>::quiet_NaN();
    series.long_name = find_spectral_index(spec.change.index).long_name +
                       " of each acquisition date (mosaic of its scenes), NaN where not clear";
    h5.create_series<float>(group, spec.change.index, series);
  }
  h5.set_group_attribute(group, "aoi", aoi.shape.name());
  h5.set_group_attribute(group, "date_before", to_iso(before));
  h5.set_group_attribute(group, "date_after", to_iso(after));
  h5.set_group_attribute(group, "baseline_period",
                         to_iso(spec.baseline.first) + "/" + to_iso(spec.baseline.last));
  h5.set_group_attribute(group, "monitor_period",
                         to_iso(spec.monitor.first) + "/" + to_iso(spec.monitor.last));
  h5.set_group_attribute(group, "change_method", to_string(spec.change.method));
  h5.set_group_attribute(group, "change_index", spec.change.index);
  for (auto const& name : indices) {
    auto const& index = find_spectral_index(name);
    variable_attributes attrs;
    attrs.units = "1";
    attrs.fill_value = std::numeric_limits<double>::quiet_NaN();
    attrs.long_name = index.long_name + ", latest clear observation of the baseline period";
    h5.create_variable<float>(group, name + "_before", attrs);
    attrs.long_name = index.long_name + ", latest clear observation of the monitoring period";
    h5.create_variable<float>(group, name + "_after", attrs);
  }
  variable_attributes change;
  change.long_name = "forest loss between the baseline and monitoring periods, by confidence";
  change.fill_value = k::change_outside_aoi;
  change.flag_values = {k::change_none, k::change_low, k::change_high, k::change_outside_aoi,
                        k::change_no_data};
  change.flag_meanings =
      "no_change low_confidence_loss high_confidence_loss outside_aoi no_clear_observation";
  h5.create_variable<std::uint8_t>(group, "change", change);
  variable_attributes date;
  date.units = "days since 1970-01-01";
  date.fill_value = k::no_date;
  date.long_name = "date of the first anomaly of the change";
  h5.create_variable<std::int32_t>(group, "first_date", date);
  date.long_name = "date the change was confirmed (high confidence)";
  h5.create_variable<std::int32_t>(group, "confirmed_date", date);
  variable_attributes magnitude;
  magnitude.units = "1";
  magnitude.fill_value = std::numeric_limits<double>::quiet_NaN();
  magnitude.long_name =
      "mean drop of " + spec.change.index + " below the baseline over the anomalies";
  h5.create_variable<float>(group, "magnitude", magnitude);
  magnitude.long_name = spec.change.method == change_method::baseline
                            ? "mean of the clear baseline observations of " + spec.change.index
                            : "latest clear baseline observation of " + spec.change.index;
  h5.create_variable<float>(group, spec.change.index + "_baseline", magnitude);
  variable_attributes count;
  count.units = "1";
  count.long_name = "clear observations in the monitoring period";
  h5.create_variable<std::uint16_t>(group, "clear_count", count);
  variable_attributes patch;
  patch.units = "1";
  patch.long_name = "patch number of the change (row of alerts.csv within the AOI), 0 for none";
  h5.create_variable<std::int32_t>(group, "patch", patch);
}

/// The one thread that writes HDF5 (the library is not thread-safe): chunks' windows are
/// compressed and written while the next chunks are read and computed. At most `capacity`
/// writes wait, so memory stays bounded.
class write_queue {
 public:
  explicit write_queue(std::size_t capacity) : capacity_(capacity), thread_([this] { work(); }) {}
  write_queue(write_queue const&) = delete;
  write_queue& operator=(write_queue const&) = delete;
  ~write_queue() {
    try {
      drain();
    } catch (...) {  // a destructor never throws; drain() already reported to its caller
    }
  }

  /// Queues `job`; blocks while the queue is full. Rethrows an earlier write's error.
  void push(std::function<void()> job) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return jobs_.size() < capacity_ || error_; });
    if (error_) std::rethrow_exception(error_);
    jobs_.push_back(std::move(job));
    changed_.notify_all();
  }

  /// Waits for every queued write and stops the thread; rethrows a write's error.
  void drain() {
    {
      std::unique_lock lock(mutex_);
      done_ = true;
      changed_.notify_all();
    }
    if (thread_.joinable()) thread_.join();
    if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
  }

 private:
  void work() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return !jobs_.empty() || done_; });
        if (jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
        changed_.notify_all();
      }
      try {
        job();
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (!error_) error_ = std::current_exception();
        jobs_.clear();
        changed_.notify_all();
      }
    }
  }

  std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::function<void()>> jobs_;
  std::exception_ptr error_;
  bool done_ = false;
  std::thread thread_;  // last: started once the rest is ready
};

/// A progress line on stderr: chunks, observations, throughput, time left.
class progress_line {
 public:
  progress_line(bool enabled, std::int64_t total, std::size_t chunks)
      : enabled_(enabled),
        total_(total),
        chunks_(chunks),
        started_(std::chrono::steady_clock::now()) {}
  void update(std::int64_t done, std::size_t chunk, std::int64_t pixels) {
    if (!enabled_) return;
    double const seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    double const rate = seconds > 0 ? static_cast<double>(pixels) / 1e6 / seconds : 0.0;
    double const eta =
        done > 0 ? seconds * static_cast<double>(total_ - done) / static_cast<double>(done) : 0.0;
    std::fprintf(stderr,
                 "\rgeosweep: chunk %zu/%zu, %lld/%lld chunk-dates, %.1f Mpx/s, %.0f s left   ",
                 chunk + 1, chunks_, static_cast<long long>(done), static_cast<long long>(total_),
                 rate, eta);
    std::fflush(stderr);
  }
  ~progress_line() {
    if (enabled_) std::fprintf(stderr, "\r%80s\r", "");
  }

 private:
  bool enabled_;
  std::int64_t total_;
  std::size_t chunks_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace

std::vector<std::string> const& area_table_columns() {
  static std::vector<std::string> const columns{
      "aoi",           "date",           "period",          "scenes",
      "clear_area_ha", "cloud_fraction", "new_low_ha",      "new_high_ha",
      "low_area_ha",   "high_area_ha",   "changed_area_ha", "centroid_lat",
      "centroid_lon",  "changed_value"};
  return columns;
}

std::vector<std::string> const& alert_table_columns() {
  static std::vector<std::string> const columns = [] {
    std::vector<std::string> names;
    for (auto const& f : alert_fields()) names.emplace_back(f.name);
    return names;
  }();
  return columns;
}

run_result run_job(job_spec const& spec, run_options const& options) {
  auto const started = std::chrono::steady_clock::now();
  ensure_gdal();
  run_result result;
  result.backend = k::resolve_backend(options.backend);
  spdlog::info("job '{}': backend {}", spec.name, k::to_string(result.backend));
  // Sharing the chunks: among MPI ranks, and among workers within this process.
  rank_group const* const ranks =
      options.ranks != nullptr && options.ranks->size > 1 ? options.ranks : nullptr;
  int const rank = ranks != nullptr ? ranks->rank : 0;
  int const process_count = ranks != nullptr ? ranks->size : 1;
  int const workers = !options.devices.empty() ? static_cast<int>(options.devices.size())
                                               : std::max(1, options.workers);
  if (!options.devices.empty() && result.backend != k::backend::cuda)
    throw config_error("--devices needs the CUDA backend (--backend cuda or auto with a GPU)");
  fs::path const parts_dir = spec.outputs.dir / ".parts";
  auto const part_path = [&](fs::path const& dir, int worker) {
    return dir / fmt::format("part-{:04d}.h5", worker);
  };

  auto const indices = indices_to_compute(spec);
  std::vector<std::string> bands = bands_needed(indices);
  // Colour exports (true and false colour) need their bands whatever the indices: every
  // colour band the sensor has (a generic sensor only those the job maps).
  std::vector<std::string> colour;
  if (spec.outputs.cog) {
    for (auto const& b : colour_bands()) {
      if (spec.sensor.type != sensor_type::generic || spec.sensor.bands.count(b) > 0)
        colour.push_back(b);
    }
  }
  auto const composites = colour_composites(colour);
  colour.clear();  // keep only the bands some composite uses
  for (auto const& c : composites) {
    for (auto const& b : c.bands)
      if (std::find(colour.begin(), colour.end(), b) == colour.end()) colour.push_back(b);
  }
  for (auto const& b : colour)
    if (std::find(bands.begin(), bands.end(), b) == bands.end()) bands.push_back(b);
  continuation const* const resume = options.resume;
  catalog_options catalog_opts;
  catalog_opts.require_both_periods = resume == nullptr;
  auto catalog = build_catalog(spec, bands, catalog_opts);
  if (resume != nullptr && !keep_new_scenes(spec, *resume, catalog, result)) {
    result.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return result;
  }
  for (bool monitor : {false, true}) {
    for (auto const& s : monitor ? catalog.monitor : catalog.baseline)
      result.read.push_back({s.id, s.date, monitor});
  }
  auto const dates = group_by_date(catalog);
  spdlog::info("{} scenes found, {} in the baseline period, {} in the monitoring period, {} dates",
               catalog.scenes_found, catalog.baseline.size(), catalog.monitor.size(), dates.size());

  // The analysis grid over the AOIs, and each AOI's window of it.
  bool const fixed_grid = resume != nullptr && resume->grid.has_value();
  std::string const crs =
      fixed_grid ? resume->grid->crs_wkt : analysis_crs(spec, catalog, bands.front());
  std::vector<aoi_shape> shapes;
  for (auto const& aoi : spec.aois) shapes.emplace_back(aoi, crs);
  raster_grid const grid =
      fixed_grid ? *resume->grid : make_analysis_grid(spec, catalog, bands.front(), crs, shapes);
  result.grid = grid;
  std::vector<aoi_work> aois;
  std::vector<pixel_window> windows;
  for (auto& shape : shapes) {
    aoi_work a{std::move(shape), {}, {}, {}, nullptr, {}, 0, 0, 0.0, {}, 0.0};
    a.window = a.shape.window_in(grid);
    if (a.window.empty())
      throw config_error("AOI '" + a.shape.name() + "' does not overlap the analysis grid");
    a.grid = sub_grid(grid, a.window);
    a.group = "aoi/" + a.shape.name();
    a.row_areas = row_pixel_areas_m2(a.grid);
    a.stitcher = std::make_unique<patch_stitcher>(a.shape.name(), a.grid, a.row_areas);
    windows.push_back(a.window);
    aois.push_back(std::move(a));
  }
  auto const chunks = plan_chunks(grid, windows, spec.processing.chunk);
  result.chunks = chunks.size();
  spdlog::info("analysis grid {} x {} px, {} chunks of up to {} px", grid.width, grid.height,
               chunks.size(), spec.processing.chunk);

  fs::create_directories(spec.outputs.dir);
  // netCDF-4 is HDF5 underneath; the .nc name makes GDAL and QGIS pick the netCDF driver,
  // which reads the CF georeferencing.
  fs::path const h5_path = spec.outputs.dir / "change.nc";
  std::unique_ptr<hdf5_writer> h5;
  // The latest date of each period, over earlier monitoring runs too.
  std::optional<civil_date> latest[2];
  if (resume != nullptr) {
    for (auto const& d : resume->past_dates) latest[d.monitor ? 1 : 0] = d.date;
  }
  for (auto const& g : dates) latest[g.monitor ? 1 : 0] = g.date;
  civil_date const date_before = latest[0].value();
  civil_date const date_after = latest[1].value();
  // Monitoring: the state read at each chunk's start and written at its end.
  std::unique_ptr<state_reader> state_in;
  std::unique_ptr<state_writer> state_out;
  if (resume != nullptr && resume->state_in)
    state_in = std::make_unique<state_reader>(*resume->state_in);
  std::unique_ptr<cog_exporter> cogs;
  // The output files (rank 0 only), opened when chunks are about to be applied: a shared run
  // that fails while computing leaves nothing in the outputs folder but its parts.
  auto const open_outputs = [&] {
    if (rank != 0) return;
    if (auto const n = remove_orphaned_temporaries(spec.outputs.dir); n > 0)
      spdlog::warn("removed {} temporary file(s) an interrupted run left in {}", n,
                   spec.outputs.dir.string());
    if (resume != nullptr)
      state_out = std::make_unique<state_writer>(resume->state_out, resume->state_attributes);
    if (spec.outputs.cog) {
      std::vector<std::pair<std::string, raster_grid>> grids;
      for (auto const& a : aois) grids.emplace_back(a.shape.name(), a.grid);
      cogs = std::make_unique<cog_exporter>(spec.outputs.dir, grids, spec.change.index, composites);
    }
    if (!spec.outputs.hdf5) return;
    h5 = std::make_unique<hdf5_writer>(h5_path);
    h5->set_root_attribute("title", "geosweep change detection: " + spec.name);
    h5->set_root_attribute("source", "geosweep " GEOSWEEP_VERSION);
    h5->set_root_attribute("geosweep_version", GEOSWEEP_VERSION);
    h5->set_root_attribute("geosweep_job", spec.name);
    h5->set_root_attribute("geosweep_job_spec", spec.text);
    h5->set_root_attribute("geosweep_backend", std::string(k::to_string(result.backend)));
    std::vector<std::string> scene_ids;
    for (auto const& g : dates)
      for (auto const* s : g.scenes) scene_ids.push_back(s->id);
    h5->set_root_attribute("geosweep_scenes", fmt::format("{}", fmt::join(scene_ids, "\n")));
    h5->set_root_attribute("geosweep_change_method", to_string(spec.change.method));
    std::vector<std::int32_t> days;
    for (auto const& g : dates) days.push_back(days_since_epoch(g.date));
    for (auto const& a : aois)
      create_aoi_variables(*h5, spec, a, indices, date_before, date_after, days);
  };

  // The computing half (chunk_processor.hpp) and what it shares.
  chunk_context cx;
  cx.spec = &spec;
  cx.backend = result.backend;
  cx.grid = grid;
  cx.chunks = &chunks;
  cx.dates = &dates;
  cx.bands = bands;
  cx.indices = indices;
  cx.colour = colour;
  for (auto const& a : aois) cx.aois.push_back({&a.shape, a.window, &a.row_areas});
  cx.state_in = state_in.get();
  cx.keep_state = resume != nullptr;
  cx.keep_rasters = spec.outputs.hdf5 || spec.outputs.cog;

  progress_line progress(options.progress && rank == 0,
                         static_cast<std::int64_t>(chunks.size() * dates.size()), chunks.size());
  std::mutex progress_mutex;
  std::int64_t done = 0;
  auto const on_progress = [&](std::size_t chunk, std::int64_t pixels) {
    std::lock_guard lock(progress_mutex);
    result.pixels_processed += pixels;
    progress.update(++done, chunk, result.pixels_processed);
  };
  write_queue writes(static_cast<std::size_t>(std::max(2, spec.processing.slots)));
  // A finished chunk is applied on this thread, in chunk order, whoever computed it: its
  // patches stitched, its areas added, its rasters queued for the writer thread.
  auto const apply = [&](chunk_output&& out) {
    grid_chunk const& chunk = chunks[out.chunk];
    if (state_out && out.state) {
      auto kept = std::make_shared<chunk_output>(std::move(out));
      writes.push([&state_out, window = chunk.window, kept] {
        write_chunk_state(*state_out, kept->chunk, window, *kept->state, kept->kept);
      });
      out.aois = std::move(kept->aois);
    }
    for (auto& t : out.aois) {
      aoi_work& aoi = aois[t.aoi];
      auto provisional =
          aoi.stitcher->add_tile(t.tile, chunk.column, chunk.row, t.change, t.first_date,
                                 t.confirmed_date, t.magnitude, result.backend);
      for (int r = 0; r < t.tile.height; ++r) {
        double const area = aoi.row_areas[static_cast<std::size_t>(r + t.tile.y_offset)];
        for (int c = 0; c < t.tile.width; ++c) {
          std::uint8_t const cls = t.change[static_cast<std::size_t>(r) * t.tile.width + c];
          aoi.inside_pixels += cls != k::change_outside_aoi ? 1 : 0;
          if (cls <= k::change_high) {
            ++aoi.clear_pixels;
            aoi.clear_m2 += area;
          }
        }
      }
      aoi.clear_m2_by_date.resize(dates.size(), 0.0);
      for (std::size_t d = 0; d < dates.size(); ++d) aoi.clear_m2_by_date[d] += t.clear_m2[d];
      aoi.inside_m2 += t.inside_m2;
      // The writer thread gets the tile; the chunk state moves on.
      auto const tile = std::make_shared<aoi_tile_output>(std::move(t));
      if (cogs) {
        writes.push([&cogs, &spec, tile] {
          auto const& latest = tile->latest;
          cogs->write(tile->aoi, tile->tile, tile->inside, latest,
                      {&latest[0].at(spec.change.index), &latest[1].at(spec.change.index)});
        });
      }
      if (!h5) continue;
      auto const patch = std::make_shared<std::vector<std::int32_t>>(std::move(provisional));
      writes.push([&h5, &indices, &spec, group = aoi.group, tile, patch] {
        pixel_window const& rect = tile->tile;
        for (auto const& name : indices) {
          h5->write_window<float>(group, name + "_before", rect, tile->latest[0].at(name));
          h5->write_window<float>(group, name + "_after", rect, tile->latest[1].at(name));
        }
        h5->write_window<std::uint8_t>(group, "change", rect, tile->change);
        h5->write_window<std::int32_t>(group, "first_date", rect, tile->first_date);
        h5->write_window<std::int32_t>(group, "confirmed_date", rect, tile->confirmed_date);
        h5->write_window<float>(group, "magnitude", rect, tile->magnitude);
        h5->write_window<float>(group, spec.change.index + "_baseline", rect, tile->baseline);
        h5->write_window<std::uint16_t>(group, "clear_count", rect, tile->clear_count);
        h5->write_window<std::int32_t>(group, "patch", rect, *patch);
      });
    }
  };
  // The date's clear looks into the AOI's (time, y, x) series.
  auto const write_series = [&](series_window&& w) {
    if (!h5) return;
    auto const shared = std::make_shared<series_window>(std::move(w));
    writes.push([&h5, &spec, &aois, shared] {
      pixel_window const& rect = shared->tile;
      h5->write_series_window<float>(aois[shared->aoi].group, spec.change.index,
                                     static_cast<int>(shared->date), rect, shared->values);
    });
  };

  stream_totals totals;
  if (workers == 1 && ranks == nullptr) {
    chunk_source const all = [&](std::size_t j) {
      return j < chunks.size() ? std::optional<std::size_t>(j) : std::nullopt;
    };
    open_outputs();
    totals = process_chunks(cx, all, {write_series, apply, on_progress});
  } else {
    // Shared: each worker computes its chunks into a part; then this process (rank 0) reads
    // them back in chunk order and applies them as above.
    int const size = process_count * workers;
    fs::create_directories(parts_dir);
    int const first = rank * workers;
    // The shared queue: one counter for every worker of every rank.
    std::atomic<std::int64_t> local_tickets{0};
    auto const next_ticket = [&]() -> std::int64_t {
      return ranks != nullptr ? ranks->next_ticket() : local_tickets.fetch_add(1);
    };
    int const parent_device = k::current_cuda_device();
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(workers));
    std::vector<stream_totals> worker_totals(static_cast<std::size_t>(workers));
    std::vector<std::thread> threads;
    for (int w = 0; w < workers; ++w) {
      threads.emplace_back([&, w] {
        try {
          // Its GPU: from --devices, else this thread's (a rank's GPU chosen by its local rank;
          // a new thread would otherwise start on device 0).
          if (!options.devices.empty())
            k::use_cuda_device(options.devices[static_cast<std::size_t>(w)]);
          else if (result.backend == k::backend::cuda)
            k::use_cuda_device(parent_device);
          // CPU kernels: the cores shared among this process's workers.
          if (result.backend == k::backend::cpu && workers > 1)
            k::set_cpu_threads(std::max(1, k::cpu_core_count() / workers));
          part_writer part(part_path(parts_dir, first + w));
          // This worker's chunks: in turn, or claimed from the queue when it gets to them.
          std::vector<std::size_t> claimed;
          bool exhausted = false;
          chunk_source const mine = [&, worker = first + w](std::size_t j) {
            if (options.schedule == chunk_schedule::stripes ||
                (ranks != nullptr && !ranks->next_ticket)) {
              std::size_t const id =
                  static_cast<std::size_t>(worker) + j * static_cast<std::size_t>(size);
              return id < chunks.size() ? std::optional<std::size_t>(id) : std::nullopt;
            }
            while (claimed.size() <= j && !exhausted) {
              auto const ticket = static_cast<std::size_t>(next_ticket());
              if (ticket < chunks.size())
                claimed.push_back(ticket);
              else
                exhausted = true;
            }
            return j < claimed.size() ? std::optional<std::size_t>(claimed[j]) : std::nullopt;
          };
          chunk_sinks sinks;
          if (spec.outputs.hdf5) sinks.series = [&part](series_window&& s) { part.write(s); };
          sinks.chunk = [&part, worker = first + w](chunk_output&& c) {
            part.write(c);
            crash_point("worker-" + std::to_string(worker) + "-chunk");  // crash tests
          };
          sinks.progress = on_progress;
          worker_totals[static_cast<std::size_t>(w)] = process_chunks(cx, mine, sinks);
          part.commit();
        } catch (...) {
          errors[static_cast<std::size_t>(w)] = std::current_exception();
        }
      });
    }
    for (auto& t : threads) t.join();
    bool const ok =
        std::all_of(errors.begin(), errors.end(), [](auto const& e) { return e == nullptr; });
    bool const all_ok = ranks != nullptr ? ranks->all_done(ok) : ok;
    for (auto const& e : errors)
      if (e) std::rethrow_exception(e);
    if (!all_ok) throw io_error("another rank of this run failed; no output was written");
    for (auto const& t : worker_totals) {
      totals.observations += t.observations;
      totals.bytes_read += t.bytes_read;
    }
    if (ranks != nullptr) {
      totals.bytes_read = ranks->sum(totals.bytes_read);
      result.pixels_processed = ranks->sum(result.pixels_processed);
    }
    if (rank != 0) {
      result.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      return result;  // rank 0 writes the outputs
    }
    open_outputs();
    std::vector<std::unique_ptr<part_reader>> readers;
    for (int g = 0; g < size; ++g)
      readers.push_back(std::make_unique<part_reader>(part_path(parts_dir, g)));
    for (std::size_t id = 0; id < chunks.size(); ++id) {
      auto const owner = std::find_if(readers.begin(), readers.end(),
                                      [&](auto const& r) { return r->has_chunk(id); });
      if (owner == readers.end())
        throw logic_error("chunk " + std::to_string(id) + " is in no worker's part");
      auto const& reader = *owner;
      if (h5) {
        for (auto& w : reader->read_series(cx, id)) write_series(std::move(w));
      }
      apply(reader->read_chunk(cx, id));
    }
  }
  writes.drain();
  if (cogs) result.cog_files = cogs->finish();
  result.bytes_read = totals.bytes_read;
  std::size_t scene_count = 0;
  for (auto const& g : dates) scene_count += g.scenes.size();
  result.scenes_used = scene_count;
  for (std::size_t d = 0; d < dates.size(); ++d) {
    date_summary summary{
        dates[d].date, dates[d].monitor, static_cast<std::int64_t>(dates[d].scenes.size()), {}};
    for (auto const& aoi : aois) {
      summary.clear_m2[aoi.shape.name()] =
          d < aoi.clear_m2_by_date.size() ? aoi.clear_m2_by_date[d] : 0.0;
    }
    result.dates.push_back(std::move(summary));
  }
  // The area table covers every date read so far: earlier monitoring runs' and this run's.
  std::vector<date_summary> all_dates;
  if (resume != nullptr) all_dates = resume->past_dates;
  all_dates.insert(all_dates.end(), result.dates.begin(), result.dates.end());

  // Patches are final once every chunk is in: drop those under the minimum mapping unit and
  // renumber the rest, chunk by chunk in the written rasters.
  std::vector<std::vector<std::string>> area_rows, alert_rows;
  auto const to_wgs84 = make_transform(make_srs(grid.crs_wkt), wgs84());
  for (auto& aoi : aois) {
    auto patches = aoi.stitcher->finish(spec.change.min_area_ha);
    if (h5) relabel_patches(*h5, aoi, static_cast<std::size_t>(&aoi - aois.data()), chunks);

    // An estimate in the analyst's unit when the AOI has a value per hectare.
    auto const& value_per_ha = spec.aois[static_cast<std::size_t>(&aoi - aois.data())].value_per_ha;
    if (value_per_ha) {
      for (auto& p : patches) p.alert.estimated_value = p.alert.area_ha * *value_per_ha;
    }
    aoi_result r;
    r.name = aoi.shape.name();
    r.date_before = date_before;
    r.date_after = date_after;
    r.aoi_pixels = aoi.inside_pixels;
    r.clear_pixels = aoi.clear_pixels;
    r.clear_area_ha = aoi.clear_m2 / 10000.0;
    double changed_m2 = 0.0, column = 0.0, row = 0.0;
    for (auto const& p : patches) {
      r.changed_pixels += p.alert.pixels;
      changed_m2 += p.alert.area_ha * 10000.0;
      column += p.centroid_column * static_cast<double>(p.alert.pixels);
      row += p.centroid_row * static_cast<double>(p.alert.pixels);
    }
    r.changed_area_ha = changed_m2 / 10000.0;
    if (r.changed_pixels > 0) {
      auto const& gt = aoi.grid.transform;
      double const c = column / static_cast<double>(r.changed_pixels),
                   w = row / static_cast<double>(r.changed_pixels);
      double x = gt[0] + c * gt[1] + w * gt[2], y = gt[3] + c * gt[4] + w * gt[5];
      if (!to_wgs84->Transform(1, &x, &y)) throw io_error("cannot transform a centroid to WGS84");
      r.changed_centroid_lat_lon = std::array<double, 2>{y, x};
    }
    append_area_rows(area_rows, aoi, patches, all_dates, *to_wgs84, value_per_ha);
    for (auto const& p : patches) alert_rows.push_back(field_texts(alert_row(p.alert)));
    spdlog::info("AOI '{}': {:.2f} ha changed in {} patches, of {:.2f} ha clear", r.name,
                 r.changed_area_ha, patches.size(), r.clear_area_ha);
    for (auto& p : patches) r.alerts.push_back(std::move(p.alert));
    result.aois.push_back(std::move(r));
  }

  if (spec.outputs.csv) {
    fs::path const csv_path = spec.outputs.dir / "areas.csv";
    write_csv(csv_path, area_table_columns(), area_rows);
    result.csv_file = csv_path;
    fs::path const alerts_path = spec.outputs.dir / "alerts.csv";
    write_csv(alerts_path, alert_table_columns(), alert_rows);
    result.alerts_file = alerts_path;
  }
  if (state_out) state_out->commit();
  if (h5) {
    h5->commit();
    result.hdf5_file = h5_path;
    result.polygon_files =
        write_alert_polygons(h5_path, result.aois, spec.outputs.alert_polygons, spec.outputs.dir);
  }
  if (workers > 1 || ranks != nullptr) {
    std::error_code ec;
    fs::remove_all(parts_dir, ec);  // merged
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace geosweep::pipeline
