#pragma once
/// \file
/// Nothing half-written: an output is produced under a temporary name beside its final
/// path and renamed into place only when complete.

#include <filesystem>
#include <string>
#include <string_view>

namespace geosweep::pipeline {

/// Owns the temporary name of one output file. commit() renames it to the final path; if
/// commit() is never called (an exception, a crash) the temporary file is removed.
class atomic_file {
 public:
  /// `extension` ends the temporary name too (".kmz": for a writer that takes its format from
  /// the name's extension, as GDAL's LIBKML does).
  explicit atomic_file(std::filesystem::path final_path, std::string_view extension = {});
  atomic_file(atomic_file const&) = delete;
  atomic_file& operator=(atomic_file const&) = delete;
  ~atomic_file();

  /// Where to write: `<final>.tmp-<pid><extension>` in the same directory (so rename is
  /// atomic).
  [[nodiscard]] std::filesystem::path const& temp_path() const { return temp_; }
  [[nodiscard]] std::filesystem::path const& final_path() const { return final_; }

  /// Renames the temporary file onto the final path; throws geosweep::io_error on failure.
  void commit();

 private:
  std::filesystem::path final_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

/// Writes `bytes` as the whole of `path`, through an atomic_file: flushed and closed before the
/// rename, so a full disk or a read-only one is an io_error naming `path` and the system's
/// reason, and `path` is left as it was.
void write_whole_file(std::filesystem::path const& path, std::string_view bytes);

/// The whole of `path`; throws io_error naming it and the system's reason.
std::string read_whole_file(std::filesystem::path const& path);

/// The system's words for the last failed call (strerror(errno)).
std::string system_reason();

/// Removes the temporary files (`*.tmp-<pid>`, `*.tmp-<pid>.<extension>` or GDAL's sidecar
/// `*.tmp-<pid>.aux.xml`) under `dir` whose process no longer runs: what a killed run left.
/// Returns how many it removed.
std::size_t remove_orphaned_temporaries(std::filesystem::path const& dir);

}  // namespace geosweep::pipeline
