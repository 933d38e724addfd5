#pragma once
/// \file
/// A folder of outputs replaced as one set. A run writes its outputs into a staging folder
/// beside the live one (`.<name>.staging-<pid>` in the same parent, so on the same
/// filesystem); commit() moves the entries that are not the run's own (a monitor's state/ and
/// events/, a user's files) into the staging folder, swaps the two folders in one
/// renameat2(RENAME_EXCHANGE) and removes the old set. A reader, or a crash, sees the whole
/// old set or the whole new set: never a mix, never an old file of a kind the new run no
/// longer writes (an AOI dropped from the job takes its COGs with it).
///
/// A run killed before the swap leaves its staging folder; the next output_set for the same
/// folder (recover_output_sets) moves back any entry the dead run had carried over and
/// removes the rest. Where the staging folder cannot sit beside the live one (the live folder
/// is a mount point, or its parent is not writable), it sits inside it, and commit() renames
/// the new entries over the old ones one by one: a crash then can leave a mix, which
/// `weak()` reports.

#include <filesystem>
#include <functional>
#include <string>

namespace geosweep::pipeline {

class output_set {
 public:
  /// Whether a top-level entry of the outputs folder belongs to the set a run writes (it is
  /// replaced or removed by commit) rather than to what the folder keeps across runs.
  using is_product = std::function<bool(std::string const& name)>;

  /// Recovers what dead runs left (recover_output_sets), then makes the staging folder.
  /// Throws io_error naming the folder when neither place can be created.
  output_set(std::filesystem::path live, is_product products);
  output_set(output_set const&) = delete;
  output_set& operator=(output_set const&) = delete;
  /// Without commit(): the staging folder and everything in it are removed.
  ~output_set();

  /// Where the run writes its outputs.
  [[nodiscard]] std::filesystem::path const& staging() const { return staging_; }
  [[nodiscard]] std::filesystem::path const& live() const { return live_; }
  /// True when the staging folder is inside the live one (see the file comment).
  [[nodiscard]] bool weak() const { return inside_; }

  /// `text` (an error message) with the staging folder's path replaced by the live folder's:
  /// files named as the user knows them.
  [[nodiscard]] std::string as_live(std::string text) const;

  /// Makes the staged outputs the live set (see the file comment). Throws io_error naming the
  /// folder on failure; the live set is then the old one.
  void commit();

 private:
  std::filesystem::path live_;
  std::filesystem::path staging_;
  is_product products_;
  bool inside_ = false;
  bool committed_ = false;
};

/// Finishes what runs killed while replacing the outputs in `live` left: staging folders of
/// processes that no longer run get back the entries they had carried over from `live` (a
/// monitor's state) and are removed. Returns how many it removed.
std::size_t recover_output_sets(std::filesystem::path const& live);

}  // namespace geosweep::pipeline
