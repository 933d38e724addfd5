// manifest.json (outputs/manifest.hpp): the hashes of a run's inputs and outputs, written as
// nlohmann::json, read back field by field so a malformed manifest names its field.
#include "outputs/manifest.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "catalog/stac_catalog.hpp"
#include "core/atomic_file.hpp"
#include "core/parallel.hpp"
#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;  // fields in the order written, as documented

json digest_json(std::optional<file_digest> const& d) {
  json j;
  j["size"] = d ? json(d->size) : json(nullptr);
  j["sha256"] = d ? json(d->sha256) : json(nullptr);
  return j;
}

/// Reads manifest fields, naming the file and the field's path when one is wrong.
class field_reader {
 public:
  explicit field_reader(fs::path file) : file_(std::move(file)) {}

  [[noreturn]] void fail(std::string const& field, std::string const& message) const {
    throw io_error(
        fmt::format("{}: malformed manifest: field '{}': {}", file_.string(), field, message));
  }

  json const& member(json const& object, std::string const& parent, std::string const& key) const {
    std::string const field = parent.empty() ? key : parent + "." + key;
    if (!object.is_object()) fail(parent.empty() ? "(top level)" : parent, "is not an object");
    auto const it = object.find(key);
    if (it == object.end()) fail(field, "is missing");
    return *it;
  }

  std::string text(json const& object, std::string const& parent, std::string const& key) const {
    auto const& v = member(object, parent, key);
    if (!v.is_string()) fail(parent.empty() ? key : parent + "." + key, "is not a string");
    return v.get<std::string>();
  }

  std::optional<file_digest> digest(json const& object, std::string const& parent,
                                    bool nullable) const {
    auto const& size = member(object, parent, "size");
    auto const& sha = member(object, parent, "sha256");
    if (nullable && size.is_null() && sha.is_null()) return std::nullopt;
    if (!size.is_number_unsigned()) fail(parent + ".size", "is not a byte count");
    if (!sha.is_string() || sha.get<std::string>().size() != 64 ||
        sha.get<std::string>().find_first_not_of("0123456789abcdef") != std::string::npos)
      fail(parent + ".sha256", "is not 64 lower-case hex digits");
    return file_digest{size.get<std::uint64_t>(), sha.get<std::string>()};
  }

 private:
  fs::path file_;
};

/// The digests of `paths` ("" for none), each file on one of up to `threads` threads (the
/// project's parallel_for): reading, not hashing, is the usual limit on a large sweep, so a few
/// suffice. Rethrows the first failure.
std::vector<file_digest> hash_files(std::vector<std::string> const& paths, unsigned threads) {
  std::vector<file_digest> digests(paths.size());
  parallel_for(paths.size(), static_cast<int>(threads), [&](std::size_t i) {
    if (!paths[i].empty()) digests[i] = sha256_file(paths[i]);
  });
  return digests;
}

bool is_temporary(std::string const& name) {
  return name.find(".tmp-") != std::string::npos;
}

}  // namespace

std::vector<manifest_input> manifest_inputs(std::vector<input_use> const& uses) {
  std::vector<manifest_input> inputs;
  std::set<std::string> seen;
  for (auto const& u : uses) {
    if (!seen.insert(u.path).second) continue;
    manifest_input in;
    in.use = u;
    if (is_remote_path(u.path))
      in.not_hashed = "remote: recorded by URL, not downloaded to be hashed";
    inputs.push_back(std::move(in));
  }
  return inputs;
}

std::vector<std::string> paths_to_hash(std::vector<manifest_input> const& inputs) {
  std::vector<std::string> paths;
  for (auto const& in : inputs) paths.push_back(in.not_hashed.empty() ? in.use.path : "");
  return paths;
}

std::vector<manifest_input> hash_inputs(std::vector<input_use> const& uses, unsigned threads) {
  auto inputs = manifest_inputs(uses);
  auto digests = hash_files(paths_to_hash(inputs), threads);
  for (std::size_t i = 0; i < inputs.size(); ++i)
    if (inputs[i].not_hashed.empty()) inputs[i].digest = std::move(digests[i]);
  return inputs;
}

std::vector<manifest_output> hash_outputs(fs::path const& dir, unsigned threads) {
  std::vector<manifest_output> outputs;
  for (auto const& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string const relative = entry.path().lexically_relative(dir).generic_string();
    if (relative == manifest_file || is_temporary(entry.path().filename().string())) continue;
    outputs.push_back({relative, {}});
  }
  std::sort(outputs.begin(), outputs.end(),
            [](auto const& a, auto const& b) { return a.path < b.path; });
  std::vector<std::string> paths;
  for (auto const& o : outputs) paths.push_back((dir / o.path).string());
  auto digests = hash_files(paths, threads);
  for (std::size_t i = 0; i < outputs.size(); ++i) outputs[i].digest = std::move(digests[i]);
  return outputs;
}

std::string build_description() {
#if defined(__clang__)
  constexpr char const* compiler = "clang " __clang_version__;
#else
  constexpr char const* compiler = "GCC " __VERSION__;
#endif
  std::string s = fmt::format("geosweep {} built with {}", geosweep_version(), compiler);
  s += geosweep::kernels::cuda_compiled() ? ", backends cpu and cuda" : ", backend cpu";
  for (auto const& [name, version] : library_versions()) s += fmt::format(", {} {}", name, version);
  return s;
}

std::string manifest_json(manifest const& m) {
  json j;
  j["manifest_format"] = m.format;
  j["geosweep"] = {{"version", m.geosweep_version}, {"build", m.build}};
  json job = digest_json(m.job_digest);
  job["name"] = m.job_name;
  job["file"] = m.job_file;
  j["job"] = job;
  j["started"] = m.started;
  json inputs = json::array();
  for (auto const& in : m.inputs) {
    json i;
    i["path"] = in.use.path;
    i["role"] = in.use.role;
    if (!in.use.scene.empty()) {
      i["scene"] = in.use.scene;
      i["date"] = in.use.date;
    }
    if (!in.use.aoi.empty()) i["aoi"] = in.use.aoi;
    i.update(digest_json(in.digest));
    if (!in.digest) i["not_hashed"] = in.not_hashed;
    inputs.push_back(i);
  }
  j["inputs"] = inputs;
  json outputs = json::array();
  for (auto const& out : m.outputs) {
    json o{{"path", out.path}};
    o.update(digest_json(out.digest));
    outputs.push_back(o);
  }
  j["outputs"] = outputs;
  return j.dump(2) + "\n";
}

fs::path write_manifest(fs::path const& dir, manifest const& m) {
  fs::path const path = dir / manifest_file;
  write_whole_file(path, manifest_json(m));
  return path;
}

manifest read_manifest(fs::path const& path) {
  std::string const text = read_whole_file(path);
  field_reader r(path);
  json j;
  try {
    j = json::parse(text);
  } catch (json::parse_error const& e) {
    throw io_error(fmt::format("{}: malformed manifest: not JSON: {}", path.string(), e.what()));
  }
  manifest m;
  auto const& format = r.member(j, "", "manifest_format");
  if (!format.is_number_integer() || format.get<int>() != 1)
    r.fail("manifest_format", "is not 1 (a manifest of another geosweep version?)");
  m.geosweep_version = r.text(r.member(j, "", "geosweep"), "geosweep", "version");
  m.build = r.text(r.member(j, "", "geosweep"), "geosweep", "build");
  auto const& job = r.member(j, "", "job");
  m.job_name = r.text(job, "job", "name");
  m.job_file = r.text(job, "job", "file");
  m.job_digest = r.digest(job, "job", true);
  m.started = r.text(j, "", "started");
  auto const& inputs = r.member(j, "", "inputs");
  if (!inputs.is_array()) r.fail("inputs", "is not an array");
  for (std::size_t k = 0; k < inputs.size(); ++k) {
    std::string const at = fmt::format("inputs[{}]", k);
    manifest_input in;
    in.use.path = r.text(inputs[k], at, "path");
    in.use.role = r.text(inputs[k], at, "role");
    if (inputs[k].contains("scene")) {
      in.use.scene = r.text(inputs[k], at, "scene");
      in.use.date = r.text(inputs[k], at, "date");
    }
    if (inputs[k].contains("aoi")) in.use.aoi = r.text(inputs[k], at, "aoi");
    in.digest = r.digest(inputs[k], at, true);
    if (!in.digest) in.not_hashed = r.text(inputs[k], at, "not_hashed");
    m.inputs.push_back(std::move(in));
  }
  auto const& outputs = r.member(j, "", "outputs");
  if (!outputs.is_array()) r.fail("outputs", "is not an array");
  for (std::size_t k = 0; k < outputs.size(); ++k) {
    std::string const at = fmt::format("outputs[{}]", k);
    manifest_output out;
    out.path = r.text(outputs[k], at, "path");
    fs::path const p(out.path);
    if (out.path.empty() || p.is_absolute() ||
        std::any_of(p.begin(), p.end(), [](fs::path const& part) { return part == ".."; }))
      r.fail(at + ".path", "is not a path inside the outputs folder");
    out.digest = *r.digest(outputs[k], at, false);
    m.outputs.push_back(std::move(out));
  }
  return m;
}

namespace {

/// What differs between `recorded` and the file at `path` now; "" when nothing does.
std::string difference(file_digest const& recorded, fs::path const& path) {
  auto const now = sha256_file(path);
  if (now.size == recorded.size && now.sha256 == recorded.sha256) return "";
  return fmt::format("changed: size {} -> {}, sha256 {} -> {}", recorded.size, now.size,
                     recorded.sha256, now.sha256);
}

}  // namespace

verify_result verify_outputs(fs::path const& dir) {
  fs::path const path = dir / manifest_file;
  std::error_code ec;
  if (!fs::is_regular_file(path, ec))
    throw io_error(path.string() + ": no manifest (was the folder written by geosweep run?)");
  auto const m = read_manifest(path);
  verify_result result;
  result.manifest_sha256 = sha256_file(path).sha256;
  for (auto const& out : m.outputs) {
    fs::path const file = dir / out.path;
    ++result.outputs_checked;
    if (!fs::is_regular_file(file, ec)) {
      result.problems.push_back({out.path, "missing", false});
      continue;
    }
    if (auto what = difference(out.digest, file); !what.empty())
      result.problems.push_back({out.path, std::move(what), false});
  }
  if (m.job_digest && fs::is_regular_file(m.job_file, ec)) {
    ++result.inputs_checked;
    if (auto what = difference(*m.job_digest, m.job_file); !what.empty())
      result.problems.push_back({m.job_file, "job file " + what, true});
  }
  std::set<std::string> listed;
  for (auto const& out : m.outputs) listed.insert(out.path);
  for (auto const& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::string const relative = entry.path().lexically_relative(dir).generic_string();
    // What the folder keeps across runs (a monitor's state/ and events/) is no run's output.
    std::string const top = entry.path().lexically_relative(dir).begin()->string();
    if (!product::is_run_product(top) || is_temporary(entry.path().filename().string())) continue;
    if (relative != manifest_file && listed.count(relative) == 0)
      result.unlisted.push_back(relative);
  }
  std::sort(result.unlisted.begin(), result.unlisted.end());
  for (auto const& in : m.inputs) {
    if (!in.digest || !fs::is_regular_file(in.use.path, ec)) {
      ++result.inputs_skipped;
      continue;
    }
    ++result.inputs_checked;
    if (auto what = difference(*in.digest, in.use.path); !what.empty())
      result.problems.push_back({in.use.path, std::move(what), true});
  }
  return result;
}

}  // namespace geosweep::pipeline
