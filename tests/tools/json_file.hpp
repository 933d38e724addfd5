#pragma once
/// \file
/// JSON documents on disk for the tests (nlohmann::json): read one, write one.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace geosweep::test_tools {

/// The JSON document at `path`.
inline nlohmann::json read_json(std::filesystem::path const& path) {
  std::ifstream in(path, std::ios::binary);
  return nlohmann::json::parse(in);
}

/// `doc` as indented JSON at `path`, its folder created.
inline void write_json(std::filesystem::path const& path, nlohmann::json const& doc) {
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << doc.dump(2);
}

}  // namespace geosweep::test_tools
