#pragma once
// Internal to pipeline/src: the machinery of reading a job file. A spec_reader collects every
// problem with its place in the file (`FILE:LINE:COL: key.path: message`) instead of stopping
// at the first, so one `geosweep validate` shows them all; unknown keys and choices get a
// did-you-mean suggestion. The sections of the job (spec/job_spec.cpp, the notification
// channels in monitor/notify/channel_spec.cpp) are read with it.

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/enum_names.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// Levenshtein distance (insertions, deletions, substitutions), for did-you-mean suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);

/// "; did you mean 'x'?" when one candidate is close to `word` (at most a third of its letters
/// apart, at least 2), else "".
std::string did_you_mean(std::string_view word, std::vector<std::string> const& candidates);

/// Letters, digits, '-', '_' and '.', at least one: names that become group, file or delivery
/// names (AOIs, channels).
bool is_plain_name(std::string_view text);

/// Where `node` is in the job file (1-based; 0 when unknown).
source_location location_of(YAML::Node const& node);

/// Reads values out of YAML nodes and collects the problems it finds.
class spec_reader {
 public:
  /// `file`: the job file as named in messages; `base_dir`: what relative paths are relative
  /// to; with `check_paths`, paths that must exist are checked.
  spec_reader(std::filesystem::path file, std::filesystem::path base_dir, bool check_paths);

  /// Records a problem at `mark` (or `node`), under `path` (e.g. "change.drop").
  void error(YAML::Mark const& mark, std::string const& path, std::string const& message);
  void error(YAML::Node const& node, std::string const& path, std::string const& message);

  [[nodiscard]] bool failed() const { return !errors_.empty(); }
  /// Every problem, one per line, in the order found.
  [[nodiscard]] std::string report() const;

  /// Flags keys of `map` not in `allowed`, with a suggestion.
  void check_keys(YAML::Node const& map, std::string const& path,
                  std::vector<std::string> const& allowed);

  /// "parent.key" ("key" at the top).
  static std::string join_path(std::string const& parent, std::string const& key);

  bool expect_map(YAML::Node const& node, std::string const& path);
  bool expect_sequence(YAML::Node const& node, std::string const& path);

  std::optional<std::string> string(YAML::Node const& node, std::string const& path);
  std::optional<double> number(YAML::Node const& node, std::string const& path);
  std::optional<int> integer(YAML::Node const& node, std::string const& path);
  /// An integer from `low` to `high` ("expected low to high" otherwise).
  std::optional<int> integer_in(YAML::Node const& node, std::string const& path, int low, int high);
  std::optional<bool> boolean(YAML::Node const& node, std::string const& path);
  std::optional<civil_date> date(YAML::Node const& node, std::string const& path);
  /// [first, last], first <= last.
  std::optional<date_range> range(YAML::Node const& node, std::string const& path);

  /// A path relative to the job file's folder; checks that it exists when `must_exist` (and
  /// paths are checked). `what` names it in messages ("scene folder").
  std::optional<std::filesystem::path> path(YAML::Node const& node, std::string const& key_path,
                                            bool must_exist, char const* what);

  /// A text that is one of `names`; otherwise "unknown <what> 'x'; did you mean 'y'? (expected
  /// one of: ...)".
  std::optional<std::string> one_of(YAML::Node const& node, std::string const& path,
                                    std::string const& what, std::vector<std::string> const& names);

  /// A value of a named enum, written as its name (one_of its names).
  template <named_enum E>
  std::optional<E> choice(YAML::Node const& node, std::string const& path,
                          std::string const& what) {
    auto const text = one_of(node, path, what, all_names<E>());
    return text ? from_string<E>(*text) : std::nullopt;
  }

  /// "a mapping", "a list", "nothing" or the quoted scalar: what a node holds, for messages.
  static std::string kind(YAML::Node const& node);

  [[nodiscard]] bool check_paths() const { return check_paths_; }
  [[nodiscard]] std::filesystem::path const& base_dir() const { return base_; }

 private:
  std::filesystem::path file_;
  std::filesystem::path base_;
  bool check_paths_ = true;
  std::vector<std::string> errors_;
};

}  // namespace geosweep::pipeline
