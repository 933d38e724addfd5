// geosweep: the command-line front end. Every error ends in one line on stderr,
// `geosweep: error: ...`, and an exit code per error class (see README.md).

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <sstream>

#include "exit_codes.hpp"
#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/custody.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/notifier.hpp"
#include "geosweep/pipeline/report.hpp"
#include "geosweep/pipeline/scene_search.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "global_options.hpp"
#include "monitor_commands.hpp"
#if GEOSWEEP_HAVE_MPI
#include "mpi_ranks.hpp"
#endif

namespace {

namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

using namespace geosweep::cli;        // exit codes (exit_codes.hpp)
using json = nlohmann::ordered_json;  // keys in the order written, as README.md lists them

/// OpenMP threads that wait between parallel regions must sleep, not spin: the reader threads
/// decoding the next chunk and the compressing writer need those cores (libgomp's default spins
/// for a while, which halved the throughput of a 2-core sweep). libgomp reads OMP_WAIT_POLICY
/// once, as it is loaded, so geosweep starts itself again with the variable set unless the user
/// chose a policy. If the new start fails, the run goes on with the default policy.
void ensure_passive_waits(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
  // Started through the dynamic loader (`ld-linux-x86-64.so.2 geosweep ...`, as the GPU
  // bundle does): the loader is /proc/self/exe and would not know the arguments again.
  std::error_code ec;
  auto const exe = std::filesystem::read_symlink("/proc/self/exe", ec).filename().string();
  if (ec || exe.starts_with("ld-") || exe.starts_with("ld.so")) return;
  if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
  execv("/proc/self/exe", argv);
}

void print_errors(std::string const& what) {
  std::istringstream lines(what);
  std::string line;
  while (std::getline(lines, line)) std::cerr << "geosweep: error: " << line << "\n";
}

void print_reports(gp::report_result const& result) {
  for (auto const& r : result.aois) {
    fmt::print("  {} ({} pages, {} alert(s), {} PNGs, {:.2f} s)\n", r.pdf.string(), r.pages,
               r.alerts, r.pngs.size(), r.seconds);
  }
  for (auto const& n : result.networks) fmt::print("  {} (network page)\n", n.string());
  fmt::print("  {}\n", result.index_html.string());
}

int report_command(std::string const& job_path, std::string const& aoi, std::string const& network,
                   global_options const& g) {
  auto const spec = g.load_job(job_path);
  gp::report_options options;
  if (!aoi.empty()) options.aoi = aoi;
  if (!network.empty()) options.network = network;
  fmt::print("geosweep report: job '{}':\n", spec.name);
  print_reports(gp::render_reports(spec, options));
  return exit_ok;
}

/// Every file of the run's outputs, in the order the summary lists them.
std::vector<std::filesystem::path> output_files(gp::job_spec const& spec,
                                                gp::run_result const& result) {
  std::vector<std::filesystem::path> files;
  for (auto const* f : {&result.hdf5_file, &result.csv_file, &result.alerts_file,
                        &result.series_file, &result.landcover_file, &result.network_file})
    if (*f) files.push_back(**f);
  files.insert(files.end(), result.polygon_files.begin(), result.polygon_files.end());
  files.insert(files.end(), result.cog_files.begin(), result.cog_files.end());
  for (auto const& name : {std::string("stac/collection.json"), std::string("manifest.json")})
    if (auto const f = std::filesystem::absolute(spec.outputs.dir / name);
        std::filesystem::exists(f))
      files.push_back(f);
  return files;
}

/// The run summary as JSON (geosweep --json run): what the text summary says, as numbers.
json run_summary_json(gp::job_spec const& spec, gp::run_result const& result,
                      gp::report_result const* reports) {
  json j;
  j["job"] = spec.name;
  j["backend"] = gk::to_string(result.backend);
  j["scenes"] = result.scenes_used;
  j["chunks"] = result.chunks;
  j["grid"] = {{"width", result.grid.width}, {"height", result.grid.height}};
  j["pixel_dates"] = result.pixels_processed;
  j["bytes_read"] = result.bytes_read;
  j["http_requests"] = result.http_requests;
  j["http_bytes"] = result.http_bytes;
  j["cache_served_bytes"] = result.cache_served_bytes;
  j["cache_invalidated"] = result.cache_invalidated;
  j["seconds"] = result.seconds;
  json aois = json::array();
  for (auto const& a : result.aois) {
    std::size_t high = 0;
    for (auto const& p : a.alerts) high += p.confidence == gp::alert_confidence::high ? 1 : 0;
    json o;
    o["name"] = a.name;
    o["changed_ha"] = a.changed_area_ha;
    o["alerts"] = a.alerts.size();
    o["high_confidence_alerts"] = high;
    o["clear_ha"] = a.clear_area_ha;
    o["no_model_ha"] = a.no_model_area_ha;
    o["date_before"] = gp::to_iso(a.date_before);
    o["date_after"] = gp::to_iso(a.date_after);
    o["warnings"] = a.warnings;
    aois.push_back(std::move(o));
  }
  j["aois"] = std::move(aois);
  j["outputs_dir"] = std::filesystem::absolute(spec.outputs.dir).string();
  json files = json::array();
  for (auto const& f : output_files(spec, result)) files.push_back(f.string());
  if (reports != nullptr) {
    for (auto const& r : reports->aois) files.push_back(r.pdf.string());
    files.push_back(reports->index_html.string());
  }
  j["outputs"] = std::move(files);
  return j;
}

int run_command(std::string const& job_path, global_options const& g) {
  auto const spec = g.load_job(job_path);
  auto const result = gp::run_job(spec, g.run_options());
  if (!g.prints()) return exit_ok;  // rank 0 reports for the run
  if (g.json) {
    std::optional<gp::report_result> reports;
    if (spec.outputs.report) reports = gp::render_reports(spec);
    fmt::print("{}\n", run_summary_json(spec, result, reports ? &*reports : nullptr).dump(2));
    return exit_ok;
  }
  double const mpx = static_cast<double>(result.pixels_processed) / 1e6;
  fmt::print(
      "geosweep run: job '{}' on {}: {} scenes, {} chunk{} of a {} x {} px grid, {:.2f} Mpx-dates, "
      "{:.1f} MB read "
      "in {:.2f} s ({:.1f} Mpx-dates/s)\n",
      spec.name, gk::to_string(result.backend), result.scenes_used, result.chunks,
      result.chunks == 1 ? "" : "s", result.grid.width, result.grid.height, mpx,
      static_cast<double>(result.bytes_read) / 1e6, result.seconds,
      result.seconds > 0 ? mpx / result.seconds : 0.0);
  if (result.http_requests > 0 || result.cache_served_bytes > 0) {
    fmt::print("  remote scenes: {} HTTP request(s), {:.1f} MB downloaded", result.http_requests,
               static_cast<double>(result.http_bytes) / 1e6);
    if (spec.scenes.cache)
      fmt::print(", {:.1f} MB served from the cache{}",
                 static_cast<double>(result.cache_served_bytes) / 1e6,
                 result.cache_invalidated > 0
                     ? fmt::format(" ({} changed file(s) fetched again)", result.cache_invalidated)
                     : std::string());
    fmt::print("\n");
  }
  for (auto const& a : result.aois) {
    std::size_t high = 0;
    for (auto const& p : a.alerts) high += p.confidence == gp::alert_confidence::high ? 1 : 0;
    fmt::print(
        "  {:<20} {:>9.2f} ha changed in {} alert(s) ({} high confidence) of {:.2f} ha clear ({} "
        "to {})\n",
        a.name, a.changed_area_ha, a.alerts.size(), high, a.clear_area_ha,
        gp::to_iso(a.date_before), gp::to_iso(a.date_after));
    if (a.no_model_area_ha > 0)
      fmt::print("  {:<20} {:>9.2f} ha without a model (bfast: too few clear history looks)\n", "",
                 a.no_model_area_ha);
    if (!a.warnings.empty())
      fmt::print("  {:<20} warnings: {} (see stderr)\n", "", fmt::join(a.warnings, ";"));
  }
  fmt::print("outputs:\n");
  if (result.hdf5_file) fmt::print("  {}\n", result.hdf5_file->string());
  if (result.csv_file) fmt::print("  {}\n", result.csv_file->string());
  if (result.alerts_file) fmt::print("  {}\n", result.alerts_file->string());
  if (result.series_file) fmt::print("  {}\n", result.series_file->string());
  if (result.landcover_file) fmt::print("  {}\n", result.landcover_file->string());
  if (result.network_file) fmt::print("  {}\n", result.network_file->string());
  for (auto const& f : result.polygon_files) fmt::print("  {}\n", f.string());
  if (!result.cog_files.empty()) {
    fmt::print(
        "  {} ({} COGs: colour composites and {} before and after with the dates of their looks, "
        "and the change classes, per AOI)\n",
        (result.cog_files.front().parent_path().parent_path()).string(), result.cog_files.size(),
        spec.change.index);
  }
  if (auto const stac = std::filesystem::absolute(spec.outputs.dir / "stac" / "collection.json");
      std::filesystem::exists(stac))
    fmt::print("  {} (STAC: a Collection and an Item per AOI)\n", stac.string());
  if (spec.outputs.report) print_reports(gp::render_reports(spec));
  return exit_ok;
}

int validate_command(std::string const& job_path, global_options const& g) {
  auto const spec = g.load_job(job_path);
  auto const warnings = gp::unset_secret_warnings(spec);
  if (g.json) {
    json j;
    j["file"] = job_path;
    j["valid"] = true;
    j["job"] = spec.name;
    j["sensor"] = gp::to_string(spec.sensor.type);
    json aois = json::array();
    for (auto const& a : spec.aois) aois.push_back(a.name);
    j["aois"] = std::move(aois);
    j["baseline"] = {gp::to_iso(spec.baseline.first), gp::to_iso(spec.baseline.last)};
    j["monitor"] = {gp::to_iso(spec.monitor.first), gp::to_iso(spec.monitor.last)};
    j["change"] = {{"method", gp::to_string(spec.change.method)}, {"index", spec.change.index}};
    j["outputs_dir"] = spec.outputs.dir.string();
    j["warnings"] = warnings;
    fmt::print("{}\n", j.dump(2));
    return exit_ok;
  }
  fmt::print(
      "{}: valid job '{}': sensor {}, {} AOI(s), baseline {} to {}, monitor {} to {}, change {} on "
      "{}\n",
      job_path, spec.name, gp::to_string(spec.sensor.type), spec.aois.size(),
      gp::to_iso(spec.baseline.first), gp::to_iso(spec.baseline.last),
      gp::to_iso(spec.monitor.first), gp::to_iso(spec.monitor.last),
      gp::to_string(spec.change.method), spec.change.index);
  // Valid without them, but deliveries on those channels wait until they are set.
  for (auto const& w : warnings) fmt::print(stderr, "geosweep: warning: {}\n", w);
  return exit_ok;
}

/// geosweep search: the scenes a run would read, a line each, and the totals.
int search_command(std::string const& job_path, std::string const& save, global_options const& g) {
  auto const spec = g.load_job(job_path);
  auto const r = gp::search_scenes(
      spec, save.empty() ? std::nullopt : std::optional<std::filesystem::path>(save));
  double total = 0.0;
  bool all_known = true;
  for (auto const& s : r.scenes) {
    total += s.decoded_bytes.value_or(0.0);
    all_known = all_known && s.decoded_bytes.has_value();
  }
  if (g.json) {
    json j;
    j["job"] = spec.name;
    j["found"] = r.found;
    j["dropped"] = {{"period", r.dropped_by_period},
                    {"footprint", r.dropped_by_footprint},
                    {"cloud", r.dropped_by_cloud}};
    j["bands"] = r.bands;
    json scenes = json::array();
    for (auto const& s : r.scenes) {
      json cover = json::object();
      for (std::size_t a = 0; a < spec.aois.size(); ++a)
        cover[spec.aois[a].name] = s.aoi_cover[a] ? json(*s.aoi_cover[a]) : json(nullptr);
      scenes.push_back(
          {{"id", s.id},
           {"date", gp::to_iso(s.date)},
           {"period", s.monitor ? "monitor" : "baseline"},
           {"cloud_cover", s.cloud_cover ? json(*s.cloud_cover) : json(nullptr)},
           {"aoi_cover", cover},
           {"decoded_bytes", s.decoded_bytes ? json(*s.decoded_bytes) : json(nullptr)}});
    }
    j["scenes"] = std::move(scenes);
    j["decoded_bytes"] = all_known ? json(total) : json(nullptr);
    if (r.saved) j["saved"] = r.saved->string();
    fmt::print("{}\n", j.dump(2));
    return exit_ok;
  }
  fmt::print(
      "geosweep search: job '{}': {} scene(s) found, {} to read ({} outside both periods, {} "
      "outside every AOI, {} above the cloud cover limit); bands {}\n",
      spec.name, r.found, r.scenes.size(), r.dropped_by_period, r.dropped_by_footprint,
      r.dropped_by_cloud, fmt::join(r.bands, ", "));
  fmt::print("{:<10}  {:<8}  {:<40} {:>6}", "DATE", "PERIOD", "SCENE", "CLOUD");
  for (auto const& a : spec.aois) fmt::print(" {:>14}", a.name.substr(0, 14));
  fmt::print(" {:>11}\n", "DECODED_MB");
  for (auto const& s : r.scenes) {
    fmt::print("{:<10}  {:<8}  {:<40} {:>6}", gp::to_iso(s.date),
               s.monitor ? "monitor" : "baseline", s.id,
               s.cloud_cover ? fmt::format("{:.1f}%", *s.cloud_cover) : "-");
    for (auto const& c : s.aoi_cover)
      fmt::print(" {:>14}", c ? fmt::format("{:.0f}%", 100.0 * *c) : "-");
    fmt::print(" {:>11}\n", s.decoded_bytes ? fmt::format("{:.1f}", *s.decoded_bytes / 1e6) : "-");
  }
  fmt::print(
      "decoded: {}{:.1f} MB (16-bit values of the AOIs' boxes; the bytes fetched are compressed, "
      "in whole tiles)\n",
      all_known ? "" : "at least ", total / 1e6);
  if (r.saved)
    fmt::print("items saved: {} (scenes: {{stac: {}}})\n", r.saved->string(), r.saved->string());
  return exit_ok;
}

/// Hashes the outputs (and the local inputs) again and compares them with manifest.json: one
/// line per file that differs, a summary, exit_verify_mismatch when any differs.
int verify_command(std::string const& dir) {
  auto const r = gp::verify_outputs(dir);
  std::size_t outputs_bad = 0, inputs_bad = 0;
  for (auto const& p : r.problems) {
    fmt::print("  {} {}: {}\n", p.input ? "input" : "output", p.path, p.what);
    (p.input ? inputs_bad : outputs_bad) += 1;
  }
  constexpr std::size_t unlisted_shown = 5;
  if (!r.unlisted.empty()) {
    fmt::print("  {} file(s) not in the manifest, not checked (a report is drawn after it): {}{}\n",
               r.unlisted.size(),
               fmt::join(r.unlisted.begin(),
                         r.unlisted.begin() + static_cast<std::ptrdiff_t>(
                                                  std::min(unlisted_shown, r.unlisted.size())),
                         ", "),
               r.unlisted.size() > unlisted_shown ? ", ..." : "");
  }
  fmt::print(
      "geosweep verify: {}: manifest.json sha256 {}: {} of {} output(s) match, {} of {} local "
      "input(s) match, {} input(s) not checked (remote, or no longer there)\n",
      dir, r.manifest_sha256, r.outputs_checked - outputs_bad, r.outputs_checked,
      r.inputs_checked - inputs_bad, r.inputs_checked, r.inputs_skipped);
  return r.problems.empty() ? exit_ok : exit_verify_mismatch;
}

/// `geosweep --json info`: what info prints, as one JSON object.
int info_json() {
  json j;
  j["version"] = gp::geosweep_version();
  json backends = json::array({"cpu"});
  if (gk::cuda_compiled()) backends.push_back("cuda");
  j["backends"] = std::move(backends);
  char const* wait_policy = std::getenv("OMP_WAIT_POLICY");
  j["cpu"] = {{"cores", gk::cpu_core_count()},
              {"kernel_threads", gk::cpu_threads()},
              {"omp_wait_policy", wait_policy != nullptr ? wait_policy : "default"}};
  json cuda;
  cuda["compiled"] = gk::cuda_compiled();
  cuda["devices"] =
      gk::cuda_compiled() ? gk::cuda_device_descriptions() : std::vector<std::string>{};
  if (gk::cuda_compiled() && cuda["devices"].empty())
    cuda["unavailable"] = gk::cuda_unavailable_reason();
  j["cuda"] = std::move(cuda);
  json libraries = json::object();
  for (auto const& [name, version] : gp::library_versions()) libraries[name] = version;
  j["libraries"] = std::move(libraries);
#if GEOSWEEP_HAVE_MPI
  j["mpi"] = mpi_ranks::library_version();
#else
  j["mpi"] = nullptr;
#endif
  fmt::print("{}\n", j.dump(2));
  return exit_ok;
}

int info_command(global_options const& g) {
  if (g.json) return info_json();
  fmt::print("geosweep {}\n", gp::geosweep_version());
  fmt::print("backends: cpu (OpenMP){}\n", gk::cuda_compiled() ? ", cuda" : "");
  char const* wait_policy = std::getenv("OMP_WAIT_POLICY");
  fmt::print("CPU: {} cores, {} kernel threads, OpenMP wait policy {}\n", gk::cpu_core_count(),
             gk::cpu_threads(), wait_policy != nullptr ? wait_policy : "default (spins)");
  auto const devices = gk::cuda_device_descriptions();
  if (!gk::cuda_compiled()) {
    fmt::print("CUDA devices: none (built without the CUDA backend)\n");
  } else if (devices.empty()) {
    fmt::print("CUDA devices: none usable, {} (--backend auto uses the CPU)\n",
               gk::cuda_unavailable_reason());
  } else {
    fmt::print("CUDA devices:\n");
    for (auto const& d : devices) fmt::print("  {}\n", d);
    fmt::print("CUDA memory: {}\n", gk::cuda_memory_description());
  }
  for (auto const& [name, version] : gp::library_versions()) fmt::print("{}: {}\n", name, version);
#if GEOSWEEP_HAVE_MPI
  fmt::print("MPI: {} (mpirun or srun share a run among ranks)\n", mpi_ranks::library_version());
#else
  fmt::print("MPI: not built in (-DGEOSWEEP_ENABLE_MPI=ON)\n");
#endif
  return exit_ok;
}

/// What `geosweep simulate` was given.
struct simulate_args {
  std::string out_dir;
  std::uint64_t seed = 1;
  int size = 0;
  bool no_clouds = false;
  bool partial_cuts = false;
  int burns = 0, mines = 0, floods = 0;
  bool series = false;
  int years_history = 3;
  int years_monitor = 1;
};

int simulate_command(simulate_args const& a) {
  geosweep::sim::simulation_options options;
  options.seed = a.seed;
  if (a.size > 0) options.width = options.height = a.size;
  options.clouds = !a.no_clouds;
  if (a.partial_cuts) {
    options.partial_cuts = true;
    options.band_noise = 0.12;  // the spread of real forest between looks
  }
  options.burns = a.burns;
  options.mines = a.mines;
  options.floods = a.floods;
  options.series = a.series;
  options.years_history = a.years_history;
  options.years_monitor = a.years_monitor;
  auto const result = geosweep::sim::simulate_scenes(a.out_dir, options);
  if (a.series) {
    fmt::print(
        "geosweep simulate: {} scenes of {}x{} px every {} days ({} + {} years), {} planted events "
        "in {}\n",
        result.dates.size(), result.grid.width, result.grid.height, options.series_revisit_days,
        a.years_history, a.years_monitor, result.events.size(), a.out_dir);
    for (auto const& e : result.events)
      fmt::print("  event {}: {} in {} from {} ({:.2f} ha, NDVI fall {:.2f})\n", e.id,
                 geosweep::sim::to_string(e.kind), e.aoi, gp::to_iso(e.first_visible), e.area_ha,
                 e.ndvi_fall);
  } else {
    double total = 0;
    for (auto const& c : result.clearings) total += c.area_ha;
    fmt::print("geosweep simulate: {} scenes of {}x{} px, {} planted clearings ({:.2f} ha) in {}\n",
               result.dates.size(), result.grid.width, result.grid.height, result.clearings.size(),
               total, a.out_dir);
    if (a.burns + a.mines + a.floods > 0)
      for (auto const& c : result.clearings)
        if (c.cause != geosweep::sim::planted_cause::clearing)
          fmt::print("  {} {} in {} on {} ({:.2f} ha)\n", geosweep::sim::to_string(c.cause), c.id,
                     c.aoi, gp::to_iso(c.cleared_on), c.area_ha);
  }
  fmt::print("  job:   {}\n  truth: {}\nrun it with: geosweep run {}\n", result.job_file.string(),
             result.truth_file.string(), result.job_file.string());
  return exit_ok;
}

void add_global_options(CLI::App& app, global_options& g) {
  app.add_option("--backend", g.backend,
                 "Where kernels run: auto (CUDA if a device is present), cpu or cuda")
      ->check(CLI::IsMember({"auto", "cpu", "cuda"}))
      ->capture_default_str();
  app.add_option("--threads", g.threads, "CPU threads for the CPU backend (0: all cores)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("-v,--verbose", g.verbose, "Log each step (to stderr)");
  app.add_option("--workers", g.workers,
                 "Workers sharing the chunks in this process, each with its own readers and "
                 "stream (results do not depend on it)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  app.add_option("--devices", g.devices,
                 "CUDA devices to use, one worker each, e.g. 0,1,2,3 (default: one device)")
      ->delimiter(',')
      ->check(CLI::NonNegativeNumber);
  app.add_option_function<std::string>(
         "--schedule",
         [&g](std::string const& name) {
           g.schedule = gp::from_string<gp::chunk_schedule>(name).value();
         },
         "How workers and MPI ranks share chunks: queue (each takes the next chunk when ready, "
         "the default) or stripes (chunk k to worker k mod n)")
      ->check(CLI::IsMember(gp::all_names<gp::chunk_schedule>()));
  app.add_option("-o,--output", g.output_dir,
                 "Outputs folder, instead of the job's outputs.dir (run, report, validate, "
                 "monitor, alerts)");
  app.add_flag("-q,--quiet", g.quiet,
               "Print nothing on stdout and no progress line; errors and warnings still go to "
               "stderr");
  app.add_flag("--json", g.json,
               "Print the summary of run, validate or info as one JSON document on stdout "
               "(alerts list/show: --format json)");
}

/// The job and simulation commands and what they were given.
struct job_commands {
  std::string job_path;
  std::string report_aoi, report_network;
  simulate_args sim;
  CLI::App* run = nullptr;
  CLI::App* validate = nullptr;
  CLI::App* report = nullptr;
  CLI::App* simulate = nullptr;
  std::string verify_dir;
  CLI::App* verify = nullptr;
  CLI::App* search = nullptr;
  std::string search_save;
};

void add_job_commands(CLI::App& app, job_commands& c) {
  c.run = app.add_subcommand(
      "run", "Run a job: read scenes, detect change in each AOI, write HDF5 and CSV");
  c.run->add_option("job", c.job_path, "Job file (YAML)")->required();
  c.validate = app.add_subcommand("validate", "Check a job file without reading any scene");
  c.validate->add_option("job", c.job_path, "Job file (YAML)")->required();
  c.search = app.add_subcommand(
      "search",
      "List the scenes a run would read (cloud cover, AOI cover, bytes), reading no pixel");
  c.search->add_option("job", c.job_path, "Job file (YAML)")->required();
  c.search->add_option("--save", c.search_save,
                       "Write a STAC API search's items to DIR/items.json (for scenes.stac)");
  c.report = app.add_subcommand(
      "report",
      "Draw the reports of a job's AOIs (PDF, PNGs, index.html) from the outputs of its run");
  c.report->add_option("job", c.job_path, "Job file (YAML)")->required();
  c.report->add_option("--aoi", c.report_aoi, "Only this AOI (default: every AOI of the job)");
  c.report->add_option("--network", c.report_network,
                       "Only the AOIs of this network (aois[].network)");
  c.simulate = app.add_subcommand(
      "simulate",
      "Write simulated Sentinel-2 L2A scenes with planted clearings, a job.yaml and truth.geojson");
  c.simulate->add_option("--out", c.sim.out_dir, "Output folder")->required();
  c.simulate->add_option("--seed", c.sim.seed, "Random seed (same seed, same data)")
      ->capture_default_str();
  c.simulate
      ->add_option("--size", c.sim.size,
                   "Tile width and height in pixels, 160 or more, 96 or more with --series "
                   "(default 800)")
      ->check(CLI::Range(96, 20000));
  c.simulate->add_flag("--no-clouds", c.sim.no_clouds, "Simulate cloud-free scenes");
  c.simulate->add_flag("--partial-cuts", c.sim.partial_cuts,
                       "Plant partial and salvage cuts (15-45 % bare soil, mixed edges) in forest "
                       "with the spread of real looks, instead of clean clearings");
  for (auto [flag, target, what] :
       {std::tuple{"--burns", &c.sim.burns, "burn scars (charred, greening up again)"},
        std::tuple{"--mines", &c.sim.mines, "mining pits (turbid water, tailings) by the river"},
        std::tuple{"--floods", &c.sim.floods, "floods (new turbid water) by the river"}})
    c.simulate
        ->add_option(flag, *target, fmt::format("Also plant N {} in the monitoring period", what))
        ->check(CLI::Range(0, 50));
  auto* series = c.simulate->add_flag(
      "--series", c.sim.series,
      "Long series for season-trend detectors (bfast): a scene every 5 days over years of "
      "seasons and cloudy wet seasons, with clearings, partial cuts, degradation and regrowth "
      "planted in the monitoring years (docs/testing.md)");
  c.simulate
      ->add_option("--years-history", c.sim.years_history,
                   "With --series: years of history (the baseline period)")
      ->check(CLI::Range(1, 20))
      ->needs(series)
      ->capture_default_str();
  c.simulate
      ->add_option("--years-monitor", c.sim.years_monitor,
                   "With --series: years of monitoring after the history")
      ->check(CLI::Range(1, 20))
      ->needs(series)
      ->capture_default_str();
  c.simulate->callback([&c] {
    if (!c.sim.series && c.sim.size > 0 && c.sim.size < 160)
      throw CLI::ValidationError("--size", "must be 160 or more (96 or more with --series)");
    if (c.sim.series && c.sim.partial_cuts)
      throw CLI::ValidationError("--partial-cuts", "does not go with --series");
    if (c.sim.series && c.sim.burns + c.sim.mines + c.sim.floods > 0)
      throw CLI::ValidationError("--burns/--mines/--floods", "do not go with --series");
  });
  c.verify = app.add_subcommand(
      "verify",
      "Hash a run's outputs (and its local inputs) again and report every file that differs "
      "from its manifest.json or is missing (exit code 7 when any does)");
  c.verify->add_option("output_dir", c.verify_dir, "The outputs folder (outputs.dir)")->required();
  for (auto* sub : {c.run, c.validate, c.search, c.report, c.simulate, c.verify})
    sub->fallthrough();
}

/// Runs `prepare`, then the command that was parsed; errors become one line each and the exit code
/// of their class (exit_codes.hpp).
int dispatch(job_commands const& c, monitor_commands const& monitoring, global_options const& g,
             std::function<void()> const& prepare) {
  try {
    prepare();
    if (c.run->parsed()) return run_command(c.job_path, g);
    if (c.validate->parsed()) return validate_command(c.job_path, g);
    if (c.search->parsed()) return search_command(c.job_path, c.search_save, g);
    if (c.report->parsed()) return report_command(c.job_path, c.report_aoi, c.report_network, g);
    if (c.verify->parsed()) return verify_command(c.verify_dir);
    if (int const monitored = run_monitor_commands(monitoring, g); monitored >= 0) return monitored;
    if (c.simulate->parsed()) return simulate_command(c.sim);
    return info_command(g);
  } catch (geosweep::config_error const& e) {
    print_errors(e.what());
    return exit_config;
  } catch (geosweep::io_error const& e) {
    print_errors(e.what());
    return exit_io;
  } catch (geosweep::cuda_error const& e) {
    print_errors(e.what());
    return exit_cuda;
  } catch (std::exception const& e) {
    print_errors(e.what());
    return exit_internal;
  }
}

void set_up_logging(global_options const& g) {
  spdlog::set_default_logger(spdlog::stderr_color_mt("geosweep"));
  spdlog::set_pattern(g.ranks != nullptr
                          ? "geosweep[rank " + std::to_string(g.ranks->rank) + "]: %l: %v"
                          : std::string("geosweep: %l: %v"));
  spdlog::set_level(g.verbose ? spdlog::level::debug : spdlog::level::warn);
}

}  // namespace

int main(int argc, char** argv) {
  ensure_passive_waits(argv);
  // One malloc arena for every thread: the readers, kernels and compressing threads pass chunk
  // buffers of a megabyte or more between them, and with an arena per thread glibc kept each
  // thread's freed buffers apart: 700 MB resident for 105 MB live on an 8192² sweep (245 MB
  // with one arena, and less time zeroing fresh pages). Large allocations are few per chunk,
  // so the one arena's lock is not contended.
  mallopt(M_ARENA_MAX, 1);
  CLI::App app{
      "geosweep: land-cover change detection (forest loss, burning, mining) in areas of interest,\n"
      "on the CPU or a CUDA GPU."};
  app.require_subcommand(1);
  app.set_version_flag("--version", gp::geosweep_version());
  global_options g;
  add_global_options(app, g);
  job_commands commands;
  add_job_commands(app, commands);
  monitor_commands monitoring;
  add_monitor_commands(app, monitoring);
  auto* info = app.add_subcommand(
      "info", "Show the version, compiled backends, CUDA devices and library versions");
  info->fallthrough();

#if GEOSWEEP_HAVE_MPI
  // Started by mpirun or srun: the ranks share the run's chunks (docs/cluster.md).
  std::unique_ptr<mpi_ranks> mpi;
  if (mpi_ranks::launched()) {
    mpi = std::make_unique<mpi_ranks>(argc, argv);
    g.ranks = &mpi->group();
  }
#endif
  try {
    app.parse(argc, argv);
  } catch (CLI::ParseError const& e) {
    return app.exit(e) == 0 ? exit_ok : exit_usage;
  }
  if (g.json && !(commands.run->parsed() || commands.validate->parsed() ||
                  commands.search->parsed() || info->parsed())) {
    std::cerr << "geosweep: error: --json: only with run, validate, search and info (alerts list "
                 "and alerts show: --format json)\n";
    return exit_usage;
  }
  if (g.json && g.quiet) {
    std::cerr << "geosweep: error: --json and -q: choose one\n";
    return exit_usage;
  }
  // -q: the summaries go nowhere; stderr (errors, warnings, -v) stays.
  if (g.quiet && std::freopen("/dev/null", "w", stdout) == nullptr) {
    std::cerr << "geosweep: error: -q: cannot open /dev/null\n";
    return exit_internal;
  }
  set_up_logging(g);
  gk::set_cpu_threads(g.threads);
  auto const prepare = [&] {
#if GEOSWEEP_HAVE_MPI
    // One GPU per rank, from its place on the node, unless --devices names them.
    if (mpi && g.devices.empty() &&
        gk::resolve_backend(gk::parse_backend(g.backend)) == gk::backend::cuda) {
      gk::use_cuda_device(mpi->local_rank() % gk::cuda_device_count());
    }
#endif
  };
  int const code = dispatch(commands, monitoring, g, prepare);
#if GEOSWEEP_HAVE_MPI
  // A rank that fails ends the run on every rank: nobody waits for it, nothing is written.
  if (mpi && g.ranks->size > 1 && code != exit_ok && code != exit_delivery_pending)
    mpi->abort(code);
#endif
  return code;
}
