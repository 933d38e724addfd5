#include "core/file_hasher.hpp"

#include <pthread.h>
#include <sched.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/parallel.hpp"

namespace geosweep::pipeline {
namespace {

/// The calling thread runs only on otherwise idle cores and disks (Linux; elsewhere, and where
/// the system refuses, it keeps its priority: the hashes are the same, only later).
void make_this_thread_idle() {
#ifdef __linux__
  sched_param none{};
  none.sched_priority = 0;
  (void)pthread_setschedparam(pthread_self(), SCHED_IDLE, &none);
  // ioprio_set(IOPRIO_WHO_PROCESS, this thread, IOPRIO_CLASS_IDLE): glibc has no wrapper.
  constexpr int who_process = 1, class_idle = 3, class_shift = 13;
  (void)syscall(SYS_ioprio_set, who_process, 0, class_idle << class_shift);
#endif
}

}  // namespace

file_hasher::file_hasher(std::vector<std::string> paths)
    : paths_(std::move(paths)), digests_(paths_.size()), errors_(paths_.size()) {
  thread_ = std::thread([this] { work(); });
}

file_hasher::~file_hasher() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void file_hasher::hash(std::size_t i) {
  if (paths_[i].empty()) return;
  try {
    digests_[i] = sha256_file(paths_[i]);
  } catch (...) {
    errors_[i] = std::current_exception();
  }
}

void file_hasher::work() {
  make_this_thread_idle();
  while (!stop_) {
    std::size_t const i = next_.fetch_add(1);
    if (i >= paths_.size()) return;
    hash(i);
    ++background_;
  }
}

std::vector<file_digest> file_hasher::finish(int threads) {
  // The calling threads take the files the background thread has not reached; it finishes the
  // one it holds (at normal speed: these threads leave the cores idle once they are done).
  parallel_for(static_cast<std::size_t>(threads > 0 ? threads : 1), threads, [&](std::size_t) {
    for (std::size_t i = next_.fetch_add(1); i < paths_.size(); i = next_.fetch_add(1)) hash(i);
  });
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  for (auto const& e : errors_)
    if (e) std::rethrow_exception(e);
  return std::move(digests_);
}

}  // namespace geosweep::pipeline
