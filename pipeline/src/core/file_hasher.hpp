#pragma once
/// \file
/// SHA-256 of a list of files, begun in the background while the run reads them: the inputs'
/// hashes of manifest.json (outputs/manifest.hpp) no longer wait at the end of the run.

#include <atomic>
#include <cstddef>
#include <exception>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.hpp"

namespace geosweep::pipeline {

/// Hashes `paths` ("" entries are skipped) one file after another on a thread of its own that
/// runs only where a core would otherwise be idle: Linux's SCHED_IDLE policy for the CPU and
/// the idle I/O class for the disk, so that it never takes time from the readers, kernels and
/// writers. finish() hashes what is left on the calling threads and returns every digest.
class file_hasher {
 public:
  explicit file_hasher(std::vector<std::string> paths);
  file_hasher(file_hasher const&) = delete;
  file_hasher& operator=(file_hasher const&) = delete;
  /// Stops after the file being hashed (without waiting for the others).
  ~file_hasher();

  /// Every file's digest, in the order of `paths` (an empty digest for ""): those not hashed
  /// yet are hashed now, on up to `threads` threads. Rethrows the failure of the first file (in
  /// that order) that could not be read. Once only.
  std::vector<file_digest> finish(int threads);

  /// How many files the background thread hashed (for tests).
  [[nodiscard]] std::size_t hashed_in_background() const { return background_.load(); }

 private:
  void hash(std::size_t i);
  void work();

  std::vector<std::string> paths_;
  std::vector<file_digest> digests_;
  std::vector<std::exception_ptr> errors_;
  std::atomic<std::size_t> next_{0};  // the next file to hash, by whichever thread takes it
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> background_{0};
  std::thread thread_;  // last: it uses everything above
};

}  // namespace geosweep::pipeline
