#pragma once
/// \file
/// Checking a run's outputs against its manifest.json (docs/outputs.md#manifestjson-chain-of-
/// custody): `geosweep verify OUTPUT_DIR`.

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace geosweep::pipeline {

/// One file whose state differs from the manifest.
struct verify_problem {
  std::string path;    ///< as in the manifest: relative to the outputs folder for an output
  std::string what;    ///< "missing", or "changed: size 10 -> 11, sha256 ... -> ..."
  bool input = false;  ///< an input file (or the job file), not an output
};

/// What verify_outputs found.
struct verify_result {
  std::size_t outputs_checked = 0;
  std::size_t inputs_checked = 0;  ///< local inputs that still exist (the job file included)
  std::size_t inputs_skipped = 0;  ///< remote (never hashed), or no longer there
  std::vector<verify_problem> problems;
  std::vector<std::string> unlisted;  ///< files in the folder the manifest does not list
  std::string manifest_sha256;
};

/// Hashes again every output listed in `dir`/manifest.json, the job file and every local input
/// that still exists, and lists those that differ or are missing. Throws geosweep::io_error
/// naming the manifest when it is missing, and naming it and the field when it is malformed.
verify_result verify_outputs(std::filesystem::path const& dir);

}  // namespace geosweep::pipeline
