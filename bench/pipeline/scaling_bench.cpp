// Strong scaling: one job (simulated, 1000 x 1000 px, 7 dates, chunks of 384 px: 9 chunks of
// unequal size, so the schedule matters) run by 1, 2 and 4 workers in one process
// (--workers) and, when the MPI front end is built, by 1, 2 and 4 MPI ranks (mpiexec
// --oversubscribe), with either schedule (stripes, queue). Items are pixel-dates; the
// `efficiency` counter is t(1) / (n x t(n)) against the 1-worker run of the same family.
// Outputs are the tables only, so the writer does not dominate.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"

extern char** environ;

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

namespace {

struct bench_setup {
  fs::path job_file;
  gp::job_spec spec;
  std::int64_t pixel_dates = 0;
};

bench_setup const& setup() {
  static bench_setup const s = [] {
    bench_setup b;
    auto const dir =
        fs::temp_directory_path() / ("geosweep_scaling_bench_" + std::to_string(::getpid()));
    geosweep::sim::simulation_options options;
    options.seed = 4;
    options.width = options.height = 1000;
    auto const sim = geosweep::sim::simulate_scenes(dir, options);
    std::ifstream in(sim.job_file);
    std::stringstream text;
    text << in.rdbuf();
    std::string job = text.str();
    job.replace(job.find("outputs:"), 8,
                "processing: {chunk: 384, readers: 1, slots: 2}\noutputs:\n  cog: false\n"
                "  hdf5: false\n  alert_polygons: []");
    b.job_file = dir / "scaling.yaml";
    std::ofstream(b.job_file) << job;
    b.spec = gp::load_job_spec(b.job_file);
    gp::run_options once;
    once.backend = gk::backend::cpu;
    b.pixel_dates = gp::run_job(b.spec, once).pixels_processed;
    return b;
  }();
  return s;
}

std::map<std::string, double>& one_worker_seconds() {
  static std::map<std::string, double> t;
  return t;
}

void report(benchmark::State& state, std::string const& family, double seconds, int n) {
  auto& t1 = one_worker_seconds();
  if (n == 1) t1[family] = seconds;
  state.SetItemsProcessed(setup().pixel_dates * state.iterations());
  state.counters["Mpx_dates_per_s"] =
      static_cast<double>(setup().pixel_dates) / 1e6 / (seconds / state.iterations());
  if (t1.count(family) > 0) state.counters["efficiency"] = t1[family] / (n * seconds);
}

gp::chunk_schedule schedule_of(int arg) {
  return arg == 0 ? gp::chunk_schedule::stripes : gp::chunk_schedule::queue;
}

void bm_workers(benchmark::State& state) {
  int const workers = static_cast<int>(state.range(0));
  auto const& s = setup();
  gp::run_options options;
  options.backend = gk::backend::cpu;
  options.workers = workers;
  options.schedule = schedule_of(static_cast<int>(state.range(1)));
  double seconds = 0;
  for (auto _ : state) {
    auto const t0 = std::chrono::steady_clock::now();
    gp::run_job(s.spec, options);
    double const dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.SetIterationTime(dt);
    seconds += dt;
  }
  report(state, "workers/" + std::to_string(state.range(1)), seconds, workers);
}

#ifdef GEOSWEEP_BENCH_MPIEXEC
void bm_mpi_ranks(benchmark::State& state) {
  int const ranks = static_cast<int>(state.range(0));
  auto const& s = setup();
  std::vector<std::string> args{GEOSWEEP_BENCH_MPIEXEC,
                                "--oversubscribe",
                                "-n",
                                std::to_string(ranks),
                                GEOSWEEP_BINARY,
                                "--backend",
                                "cpu",
                                "--schedule",
                                state.range(1) == 0 ? "stripes" : "queue",
                                "run",
                                s.job_file.string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
  ::setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
  ::setenv("OMPI_MCA_mpi_yield_when_idle", "1", 1);
  double seconds = 0;
  for (auto _ : state) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    auto const t0 = std::chrono::steady_clock::now();
    pid_t pid = -1;
    if (::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
      state.SkipWithError("cannot start mpiexec");
      break;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    posix_spawn_file_actions_destroy(&actions);
    double const dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      state.SkipWithError("the MPI run failed");
      break;
    }
    state.SetIterationTime(dt);
    seconds += dt;
  }
  report(state, "mpi/" + std::to_string(state.range(1)), seconds, ranks);
}
#endif

}  // namespace

// range(0): workers or ranks; range(1): 0 stripes, 1 queue.
BENCHMARK(bm_workers)
    ->ArgsProduct({{1, 2, 4}, {0, 1}})
    ->ArgNames({"workers", "queue"})
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(3);
#ifdef GEOSWEEP_BENCH_MPIEXEC
BENCHMARK(bm_mpi_ranks)
    ->ArgsProduct({{1, 2, 4}, {0, 1}})
    ->ArgNames({"ranks", "queue"})
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(3);
#endif

BENCHMARK_MAIN();
