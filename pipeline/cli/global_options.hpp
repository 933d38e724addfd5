#pragma once
// Options that go before or after any command.

#include <unistd.h>

#include <string>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/job_runner.hpp"

namespace geosweep::cli {

struct global_options {
  std::string backend = "auto";
  int threads = 0;
  bool verbose = false;
  int workers = 1;
  std::vector<int> devices;
  pipeline::chunk_schedule schedule = pipeline::chunk_schedule::queue;  ///< sharing of chunks
  pipeline::rank_group const* ranks = nullptr;  ///< set when started by mpirun or srun

  /// A progress line on a terminal, unless verbose logging is on.
  [[nodiscard]] bool progress() const { return ::isatty(STDERR_FILENO) != 0 && !verbose; }
  /// Only rank 0 (or the only process) prints results.
  [[nodiscard]] bool prints() const { return ranks == nullptr || ranks->rank == 0; }
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
