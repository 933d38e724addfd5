#pragma once
// Options that go before or after any command.

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::cli {

struct global_options {
  std::string backend = "auto";
  int threads = 0;
  bool verbose = false;
  int workers = 1;
  std::vector<int> devices;
  pipeline::chunk_schedule schedule = pipeline::chunk_schedule::queue;  ///< sharing of chunks
  pipeline::rank_group const* ranks = nullptr;  ///< set when started by mpirun or srun
  std::string output_dir;  ///< -o: instead of the job's outputs.dir (relative to the working dir)
  bool quiet = false;      ///< -q: nothing on stdout, no progress line; errors and warnings stay
  bool json = false;       ///< --json: the command's summary as one JSON document on stdout

  /// A progress line on a terminal, unless verbose logging, -q or --json is on.
  [[nodiscard]] bool progress() const {
    return ::isatty(STDERR_FILENO) != 0 && !verbose && !quiet && !json;
  }
  /// Only rank 0 (or the only process) prints results.
  [[nodiscard]] bool prints() const { return ranks == nullptr || ranks->rank == 0; }
  /// The job file `path`, with -o in place of its outputs.dir.
  [[nodiscard]] pipeline::job_spec load_job(std::string const& path,
                                            bool check_paths = true) const {
    auto spec = pipeline::load_job_spec(path, check_paths);
    if (!output_dir.empty())
      spec.outputs.dir = std::filesystem::absolute(output_dir).lexically_normal();
    return spec;
  }
  /// How a job runs, from these options.
  [[nodiscard]] pipeline::run_options run_options() const {
    pipeline::run_options o;
    o.backend = kernels::parse_backend(backend);
    o.progress = progress();
    o.workers = workers;
    o.devices = devices;
    o.ranks = ranks;
    o.schedule = schedule;
    return o;
  }
};

}  // namespace geosweep::cli
