#pragma once
// Internal to pipeline/src: a worker's computed chunks on disk. When several workers (threads
// with --workers/--devices, or MPI ranks) share a run, each writes its chunk_outputs and series
// windows to its own part file (an HDF5 file of per-chunk datasets, state_file.hpp); the
// writer then reads them back in chunk order and applies them exactly as a single process
// does, so the outputs do not depend on the number of workers.

#include <filesystem>
#include <memory>
#include <vector>

#include "compute/chunk_processor.hpp"
#include "outputs/state_file.hpp"

namespace geosweep::pipeline {

/// Writes a worker's part (under a temporary name; commit() renames it).
class part_writer {
 public:
  explicit part_writer(std::filesystem::path path);
  void write(chunk_output const& out);
  void write(series_window const& w);
  void commit();

 private:
  state_writer file_;
};

/// Reads a committed part.
class part_reader {
 public:
  explicit part_reader(std::filesystem::path path);
  /// Whether this part holds chunk `id`.
  [[nodiscard]] bool has_chunk(std::size_t id) const { return file_.has_chunk(id); }
  /// Chunk `id` as process_chunks made it.
  [[nodiscard]] chunk_output read_chunk(chunk_context const& cx, std::size_t id) const;
  /// The series windows of chunk `id`, by AOI part then date.
  [[nodiscard]] std::vector<series_window> read_series(chunk_context const& cx,
                                                       std::size_t id) const;

 private:
  state_reader file_;
};

}  // namespace geosweep::pipeline
