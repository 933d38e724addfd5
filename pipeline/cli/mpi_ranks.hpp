#pragma once
// MPI for the command line (built with -DGEOSWEEP_ENABLE_MPI=ON): the ranks of one run, as the
// job runner's rank_group. The pipeline library itself knows nothing of MPI.

#include <mpi.h>

#include <memory>
#include <mutex>
#include <string>

#include "geosweep/pipeline/job_runner.hpp"

namespace geosweep::cli {

/// MPI_Init on construction, MPI_Finalize on destruction.
class mpi_ranks {
 public:
  /// True when this process was started by mpirun, mpiexec or srun (their environment).
  static bool launched();
  /// The MPI library's own name and version (callable before MPI_Init).
  static std::string library_version();

  mpi_ranks(int& argc, char**& argv);
  mpi_ranks(mpi_ranks const&) = delete;
  mpi_ranks& operator=(mpi_ranks const&) = delete;
  ~mpi_ranks();

  [[nodiscard]] pipeline::rank_group const& group() const { return group_; }
  /// This rank's place among the ranks on its node (chooses its GPU).
  [[nodiscard]] int local_rank() const { return local_rank_; }
  [[nodiscard]] int local_size() const { return local_size_; }
  /// Ends every rank of the run with `code` (after this rank reported its error).
  [[noreturn]] void abort(int code) const;

 private:
  pipeline::rank_group group_;
  int local_rank_ = 0;
  int local_size_ = 1;
  // The shared chunk queue: an MPI window holding one counter on rank 0.
  void* counter_base_ = nullptr;
  MPI_Win window_{};
  bool have_window_ = false;
  std::mutex ticket_mutex_;
};

}  // namespace geosweep::cli
