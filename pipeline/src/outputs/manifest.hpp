#pragma once
/// \file
/// The chain of custody of a run's outputs: manifest.json, written into the outputs folder as
/// the run's last output, lists every input file the run read (path or URL, size, SHA-256,
/// scene id and date), every output file (path relative to the folder, size, SHA-256), the job
/// file's hash and the geosweep version and build. verify_outputs() hashes the files again and
/// says which changed. docs/outputs.md describes the fields.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/sha256.hpp"
#include "geosweep/pipeline/custody.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// The name of the manifest in the outputs folder.
inline constexpr std::string_view manifest_file = "manifest.json";

/// One input file the run read, and what it was read for.
struct input_use {
  std::string path;   ///< a local path, or a URL / GDAL virtual path (/vsicurl/...)
  std::string role;   ///< "band", "quality", "saturation", "metadata", "aoi", "landcover"
  std::string scene;  ///< the scene id ("" for an AOI file)
  std::string date;   ///< the scene's date, ISO 8601 ("" for an AOI file)
  std::string aoi;    ///< the AOI of a geometry file
};

/// An input of the manifest: its first use, and its size and hash when it is local.
struct manifest_input {
  input_use use;
  std::optional<file_digest> digest;  ///< absent for a remote input
  std::string not_hashed;             ///< why there is no digest
};

/// An output of the manifest.
struct manifest_output {
  std::string path;  ///< relative to the outputs folder, '/'-separated
  file_digest digest;
};

/// What manifest.json holds.
struct manifest {
  int format = 1;
  std::string geosweep_version;
  std::string build;  ///< compiler and libraries, one line
  std::string job_name;
  std::string job_file;
  std::optional<file_digest> job_digest;
  std::string started;  ///< the run's start, ISO 8601 UTC
  std::vector<manifest_input> inputs;
  std::vector<manifest_output> outputs;
};

/// Each distinct file of `uses` once, in the order of their first use, without digests yet;
/// remote ones (catalog/stac_catalog.hpp's is_remote_path: URLs and GDAL's network file
/// systems) get a reason instead.
std::vector<manifest_input> manifest_inputs(std::vector<input_use> const& uses);

/// The files of `inputs` to hash: their paths, "" for those not hashed (for core/file_hasher).
std::vector<std::string> paths_to_hash(std::vector<manifest_input> const& inputs);

/// manifest_inputs(uses) with their digests, hashed in parallel on up to `threads` threads.
/// Throws io_error naming a local file that cannot be read.
std::vector<manifest_input> hash_inputs(std::vector<input_use> const& uses, unsigned threads = 4);

/// Hashes every regular file under `dir` (recursively; not the manifest nor temporary files
/// `*.tmp-<pid>`) on up to `threads` threads, paths relative to `dir` in sorted order.
std::vector<manifest_output> hash_outputs(std::filesystem::path const& dir, unsigned threads = 4);

/// The build of this geosweep: compiler and library versions, one line.
std::string build_description();

/// `m` as JSON text.
std::string manifest_json(manifest const& m);

/// Writes `m` to `dir`/manifest.json under a temporary name renamed when complete; returns the
/// path. Throws io_error naming it.
std::filesystem::path write_manifest(std::filesystem::path const& dir, manifest const& m);

/// Reads `path`. Throws io_error naming the file (and the field, for a malformed manifest).
manifest read_manifest(std::filesystem::path const& path);

// verify_outputs: geosweep/pipeline/custody.hpp.

}  // namespace geosweep::pipeline
