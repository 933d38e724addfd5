#include "spec/spec_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace geosweep::pipeline {

namespace fs = std::filesystem;

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t const above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string did_you_mean(std::string_view word, std::vector<std::string> const& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (auto const& c : candidates) {
    std::size_t const d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best.empty() ? std::string{} : "; did you mean '" + best + "'?";
}

bool is_plain_name(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

source_location location_of(YAML::Node const& node) {
  auto const m = node.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

spec_reader::spec_reader(fs::path file, fs::path base_dir, bool check_paths)
    : file_(std::move(file)), base_(std::move(base_dir)), check_paths_(check_paths) {}

void spec_reader::error(YAML::Mark const& mark, std::string const& path,
                        std::string const& message) {
  int const line = mark.is_null() ? 0 : mark.line + 1;
  int const column = mark.is_null() ? 0 : mark.column + 1;
  errors_.push_back(fmt::format("{}:{}:{}: {}{}", file_.string(), line, column,
                                path.empty() ? "" : path + ": ", message));
}

void spec_reader::error(YAML::Node const& node, std::string const& path,
                        std::string const& message) {
  error(node.Mark(), path, message);
}

std::string spec_reader::report() const {
  return fmt::format("{}", fmt::join(errors_, "\n"));
}

void spec_reader::check_keys(YAML::Node const& map, std::string const& path,
                             std::vector<std::string> const& allowed) {
  for (auto it = map.begin(); it != map.end(); ++it) {
    auto const key = it->first.as<std::string>("");
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      error(it->first, join_path(path, key),
            fmt::format("unknown key '{}'{} (expected one of: {})", key, did_you_mean(key, allowed),
                        fmt::join(allowed, ", ")));
    }
  }
}

std::string spec_reader::join_path(std::string const& parent, std::string const& key) {
  return parent.empty() ? key : parent + "." + key;
}

bool spec_reader::expect_map(YAML::Node const& node, std::string const& path) {
  if (node.IsMap()) return true;
  error(node, path, "expected a mapping (key: value lines), found " + kind(node));
  return false;
}

bool spec_reader::expect_sequence(YAML::Node const& node, std::string const& path) {
  if (node.IsSequence()) return true;
  error(node, path, "expected a list, found " + kind(node));
  return false;
}

std::optional<std::string> spec_reader::string(YAML::Node const& node, std::string const& path) {
  if (!node.IsScalar()) {
    error(node, path, "expected a text value, found " + kind(node));
    return std::nullopt;
  }
  return node.Scalar();
}

std::optional<double> spec_reader::number(YAML::Node const& node, std::string const& path) {
  double v = 0;
  if (!node.IsScalar() || !YAML::convert<double>::decode(node, v) || v != v) {
    error(node, path, "expected a number, found " + kind(node));
    return std::nullopt;
  }
  return v;
}

std::optional<int> spec_reader::integer(YAML::Node const& node, std::string const& path) {
  int v = 0;
  if (!node.IsScalar() || !YAML::convert<int>::decode(node, v)) {
    error(node, path, "expected an integer, found " + kind(node));
    return std::nullopt;
  }
  return v;
}

std::optional<int> spec_reader::integer_in(YAML::Node const& node, std::string const& path, int low,
                                           int high) {
  auto const v = integer(node, path);
  if (v && (*v < low || *v > high)) {
    error(node, path, fmt::format("expected {} to {}", low, high));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> spec_reader::boolean(YAML::Node const& node, std::string const& path) {
  bool v = false;
  if (!node.IsScalar() || !YAML::convert<bool>::decode(node, v)) {
    error(node, path, "expected true or false, found " + kind(node));
    return std::nullopt;
  }
  return v;
}

std::optional<civil_date> spec_reader::date(YAML::Node const& node, std::string const& path) {
  if (!node.IsScalar()) {
    error(node, path, "expected a date YYYY-MM-DD, found " + kind(node));
    return std::nullopt;
  }
  auto d = parse_iso_date(node.Scalar());
  if (!d) error(node, path, "'" + node.Scalar() + "' is not a valid date (expected YYYY-MM-DD)");
  return d;
}

std::optional<date_range> spec_reader::range(YAML::Node const& node, std::string const& path) {
  if (!expect_sequence(node, path)) return std::nullopt;
  if (node.size() != 2) {
    error(node, path, "expected [first, last], found " + std::to_string(node.size()) + " values");
    return std::nullopt;
  }
  auto first = date(node[0], path + "[0]");
  auto last = date(node[1], path + "[1]");
  if (!first || !last) return std::nullopt;
  if (*last < *first) {
    error(node, path,
          "range ends (" + to_iso(*last) + ") before it starts (" + to_iso(*first) + ")");
    return std::nullopt;
  }
  return date_range{*first, *last};
}

std::optional<fs::path> spec_reader::path(YAML::Node const& node, std::string const& key_path,
                                          bool must_exist, char const* what) {
  auto text = string(node, key_path);
  if (!text) return std::nullopt;
  if (text->empty()) {
    error(node, key_path, "empty path");
    return std::nullopt;
  }
  fs::path p(*text);
  if (p.is_relative()) p = base_ / p;
  p = p.lexically_normal();
  std::error_code ec;
  if (must_exist && check_paths_ && !fs::exists(p, ec)) {
    error(node, key_path, std::string(what) + " '" + p.string() + "' does not exist");
    return std::nullopt;
  }
  return p;
}

std::optional<std::string> spec_reader::one_of(YAML::Node const& node, std::string const& path,
                                               std::string const& what,
                                               std::vector<std::string> const& names) {
  auto text = string(node, path);
  if (!text) return std::nullopt;
  if (std::find(names.begin(), names.end(), *text) == names.end()) {
    error(node, path,
          fmt::format("unknown {} '{}'{} (expected one of: {})", what, *text,
                      did_you_mean(*text, names), fmt::join(names, ", ")));
    return std::nullopt;
  }
  return text;
}

std::string spec_reader::kind(YAML::Node const& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  if (node.IsNull()) return "nothing";
  return "'" + node.Scalar() + "'";
}

}  // namespace geosweep::pipeline
