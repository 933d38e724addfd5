#pragma once
// Internal to pipeline/src/run: the execute phase of a run, in this process alone or shared
// (docs/cluster.md). Shared, each worker of each process (threads, or MPI ranks) computes its
// chunks into a part file; once every rank is done, the writing process (rank 0) reads the
// parts back in chunk order and applies them exactly as a lone process applies its chunks, so
// the outputs do not depend on how the run was shared.

#include <optional>

#include "compute/chunk_processor.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "run/chunk_applier.hpp"
#include "run/progress_line.hpp"

namespace geosweep::pipeline {

/// How this process takes part in a run.
struct run_sharing {
  rank_group const* ranks = nullptr;  ///< MPI, when more than one rank runs
  int rank = 0;
  int processes = 1;
  int workers = 1;  ///< in this process

  [[nodiscard]] bool shared() const { return ranks != nullptr || workers > 1; }
  /// Whether this process writes the outputs.
  [[nodiscard]] bool writes() const { return rank == 0; }
};

/// The sharing `options` ask for. Throws config_error for --devices without the CUDA backend.
run_sharing sharing_of(run_options const& options, kernels::backend backend);

/// What executing read and computed (summed over every rank of a shared run).
struct execution_totals {
  std::int64_t bytes_read = 0;  ///< decoded band bytes
  std::int64_t pixels = 0;      ///< chunk pixels times dates
};

/// Opens `applier` (with `resume`), then computes every chunk in this process and applies it
/// as it finishes.
execution_totals execute_alone(chunk_context const& cx, continuation const* resume,
                               chunk_applier& applier, progress_line& progress);

/// Computes this process's share of the chunks into part files in the outputs folder; once
/// every rank has, the writing process opens `applier` (with `resume`) and applies every chunk
/// in chunk order. Throws when any worker or rank failed: then nothing is written.
execution_totals execute_shared(chunk_context const& cx, run_sharing const& sharing,
                                run_options const& options, std::filesystem::path const& outputs,
                                continuation const* resume, chunk_applier& applier,
                                progress_line& progress);

}  // namespace geosweep::pipeline
