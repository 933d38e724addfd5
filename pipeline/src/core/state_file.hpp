#pragma once
/// \file
/// The per-pixel state one monitoring run hands to the next (geosweep monitor): for each chunk
/// of the analysis grid, the change detector's state and the latest-clear composites, as
/// datasets `/chunk_<n>/<name>` of one HDF5 file. The detector state is a compound type with
/// the fields of kernels::pixel_state, so h5dump shows it by name. Each dataset carries its
/// chunk's window of the grid; reading checks it, so a state never lands on another grid.

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "grid/aoi.hpp"

namespace geosweep::pipeline {

/// Writes a state file under a temporary name; commit() renames it into place.
class state_writer {
 public:
  /// `attributes` are kept as root attributes (job, method, fingerprint...). Without
  /// `compress` the datasets are stored as they are (short-lived files: faster).
  state_writer(std::filesystem::path path, std::map<std::string, std::string> const& attributes,
               bool compress = true);
  state_writer(state_writer const&) = delete;
  state_writer& operator=(state_writer const&) = delete;
  ~state_writer();

  /// Writes one array of chunk `chunk`: window.pixel_count() values, or whole planes of them
  /// (plane-major, stored as a (plane, pixel) dataset). T: float, double, int32_t, uint32_t,
  /// uint16_t, uint8_t or kernels::pixel_state.
  template <class T>
  void write(std::size_t chunk, pixel_window const& window, std::string const& name,
             std::vector<T> const& values);

  /// Closes the file and renames it to its final path; throws io_error on failure.
  void commit();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

/// Reads a state file written by state_writer.
class state_reader {
 public:
  explicit state_reader(std::filesystem::path path);
  state_reader(state_reader const&) = delete;
  state_reader& operator=(state_reader const&) = delete;
  ~state_reader();

  /// Whether the file holds chunk `chunk`.
  [[nodiscard]] bool has_chunk(std::size_t chunk) const;

  /// Whether the file holds array `name` of chunk `chunk`.
  [[nodiscard]] bool has(std::size_t chunk, std::string const& name) const;

  /// A root attribute; empty when absent.
  [[nodiscard]] std::string attribute(std::string const& name) const;

  /// Reads one array of chunk `chunk` into `values` (resized to its planes x
  /// window.pixel_count()); throws
  /// io_error naming the file when the dataset is missing or was written for another window.
  template <class T>
  void read(std::size_t chunk, pixel_window const& window, std::string const& name,
            std::vector<T>& values) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace geosweep::pipeline
