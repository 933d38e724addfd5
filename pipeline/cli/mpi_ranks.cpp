#include "mpi_ranks.hpp"

#include <mpi.h>

#include <cstdint>
#include <cstdlib>

namespace geosweep::cli {

bool mpi_ranks::launched() {
  for (char const* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"}) {
    if (std::getenv(name) != nullptr) return true;
  }
  return false;
}

std::string mpi_ranks::library_version() {
  char text[MPI_MAX_LIBRARY_VERSION_STRING] = {};
  int length = 0;
  MPI_Get_library_version(text, &length);
  std::string version(text, static_cast<std::size_t>(length));
  if (auto const comma = version.find(','); comma != std::string::npos) version.resize(comma);
  return version;
}

mpi_ranks::mpi_ranks(int& argc, char**& argv) {
  int provided = 0;
  // The main thread makes the collective calls; worker threads take tickets from the shared
  // chunk queue, one at a time (a mutex), so SERIALIZED is enough.
  MPI_Init_thread(&argc, &argv, MPI_THREAD_MULTIPLE, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &group_.rank);
  MPI_Comm_size(MPI_COMM_WORLD, &group_.size);
  MPI_Comm node;
  MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, group_.rank, MPI_INFO_NULL, &node);
  MPI_Comm_rank(node, &local_rank_);
  MPI_Comm_size(node, &local_size_);
  MPI_Comm_free(&node);
  group_.all_done = [](bool ok) {
    int mine = ok ? 1 : 0, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    return all == 1;
  };
  // The shared chunk queue: a counter on rank 0, taken with an atomic fetch-and-add.
  if (provided >= MPI_THREAD_SERIALIZED) {
    MPI_Aint const bytes = group_.rank == 0 ? sizeof(std::int64_t) : 0;
    MPI_Win_allocate(bytes, sizeof(std::int64_t), MPI_INFO_NULL, MPI_COMM_WORLD, &counter_base_,
                     &window_);
    if (group_.rank == 0) *static_cast<std::int64_t*>(counter_base_) = 0;
    MPI_Barrier(MPI_COMM_WORLD);
    MPI_Win_lock_all(0, window_);
    have_window_ = true;
    group_.next_ticket = [this] {
      std::lock_guard lock(ticket_mutex_);
      std::int64_t const one = 1;
      std::int64_t ticket = 0;
      MPI_Fetch_and_op(&one, &ticket, MPI_INT64_T, 0, 0, MPI_SUM, window_);
      MPI_Win_flush(0, window_);
      return ticket;
    };
  }
  group_.sum = [](std::int64_t value) {
    long long mine = value, all = 0;
    MPI_Allreduce(&mine, &all, 1, MPI_LONG_LONG, MPI_SUM, MPI_COMM_WORLD);
    return static_cast<std::int64_t>(all);
  };
}

mpi_ranks::~mpi_ranks() {
  if (have_window_) {
    MPI_Win_unlock_all(window_);
    MPI_Win_free(&window_);
  }
  MPI_Finalize();
}

void mpi_ranks::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);  // not reached
}

}  // namespace geosweep::cli
