#pragma once
// Internal to pipeline/src: a worker's computed chunks on disk. When several workers (threads
// with --workers/--devices, or MPI ranks) share a run, each writes its chunk_outputs and series
// windows to its own part file (an HDF5 file of per-chunk datasets, state_file.hpp); the
// writer then reads them back in chunk order and applies them exactly as a single process
// does, so the outputs do not depend on the number of workers. A tile's rasters are stored
// under the names of product::pixel_variables(), so a new variable crosses with no change here.

#include <filesystem>
#include <memory>
#include <vector>

#include "compute/chunk_processor.hpp"
#include "core/state_file.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {

/// Writes a worker's part (under a temporary name; commit() renames it).
class part_writer {
 public:
  part_writer(std::filesystem::path path, chunk_context const& cx);
  void write(chunk_output const& out);
  void write(series_window const& w);
  void commit();

 private:
  chunk_context const& cx_;
  std::vector<product::pixel_variable> variables_;
  state_writer file_;
};

/// Reads a committed part.
class part_reader {
 public:
  part_reader(std::filesystem::path path, chunk_context const& cx);
  /// Whether this part holds chunk `id`.
  [[nodiscard]] bool has_chunk(std::size_t id) const { return file_.has_chunk(id); }
  /// Chunk `id` as process_chunks made it.
  [[nodiscard]] chunk_output read_chunk(std::size_t id) const;
  /// The series windows of chunk `id`, by AOI part then date.
  [[nodiscard]] std::vector<series_window> read_series(std::size_t id) const;

 private:
  chunk_context const& cx_;
  std::vector<product::pixel_variable> variables_;
  state_reader file_;
};

}  // namespace geosweep::pipeline
