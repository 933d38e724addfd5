// The chain of custody: manifest.json of a run of the geosweep command lists exactly the
// files of its outputs folder with their sizes and SHA-256 (checked with the sha256sum tool),
// the scenes' files it read and the job file; `geosweep verify` passes an untouched folder and
// names a file with one byte changed, a missing file, a changed input and a malformed field.
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "catalog/stac_catalog.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "outputs/manifest.hpp"
#include "tools/json_file.hpp"
#include "tools/shell_command.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
using json = nlohmann::json;

namespace {

using geosweep::test_tools::command_result;
using geosweep::test_tools::read_json;
using geosweep::test_tools::sha256sum;
using geosweep::test_tools::shell;

command_result geosweep(std::string const& args) {
  return geosweep::test_tools::geosweep_command(args);
}

/// Flips the bits of the byte at `offset` of `path`, in place.
void flip_byte(fs::path const& path, std::streamoff offset) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(offset);
  char c = 0;
  f.read(&c, 1);
  c = static_cast<char>(~c);
  f.seekp(offset);
  f.write(&c, 1);
}

/// A simulated job run once; each test works on its own copy of the folder.
class Manifest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("geosweep_manifest_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    auto const sim = geosweep("simulate --out " + dir_->string() + " --seed 7 --size 240");
    ASSERT_EQ(sim.exit_code, 0) << sim.out;
    auto const run = geosweep("--backend cpu run " + (*dir_ / "job.yaml").string());
    ASSERT_EQ(run.exit_code, 0) << run.out;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    if (shell("command -v sha256sum").exit_code != 0) GTEST_SKIP() << "sha256sum not installed";
  }
  /// A copy of the outputs folder, to change.
  static fs::path copy_of_outputs(std::string const& name) {
    fs::path const copy = *dir_ / name;
    fs::remove_all(copy);
    fs::copy(out(), copy, fs::copy_options::recursive);
    return copy;
  }
  static fs::path out() { return *dir_ / "out"; }
  static fs::path* dir_;
};

fs::path* Manifest::dir_ = nullptr;

TEST_F(Manifest, ListsExactlyTheOutputsWithTheirSizesAndHashes) {
  auto const m = read_json(out() / "manifest.json");
  std::map<std::string, json> listed;
  for (auto const& o : m.at("outputs")) listed[o.at("path").get<std::string>()] = o;
  std::set<std::string> present;
  for (auto const& e : fs::recursive_directory_iterator(out()))
    if (e.is_regular_file()) present.insert(e.path().lexically_relative(out()).generic_string());
  EXPECT_EQ(present.count("manifest.json"), 1u);
  present.erase("manifest.json");
  std::set<std::string> names;
  for (auto const& [name, o] : listed) names.insert(name);
  EXPECT_EQ(names, present);
  for (std::string const expected :
       {"change.nc", "alerts.csv", "areas.csv", "series.csv", "alerts.gpkg", "alerts.geojson"})
    EXPECT_EQ(listed.count(expected), 1u) << expected;
  for (auto const& [name, o] : listed) {
    EXPECT_EQ(o.at("size").get<std::uintmax_t>(), fs::file_size(out() / name)) << name;
    EXPECT_EQ(o.at("sha256").get<std::string>(), sha256sum(out() / name)) << name;
  }
}

TEST_F(Manifest, ListsEachInputFileOnceWithItsSceneAndHashAndTheJob) {
  auto const m = read_json(out() / "manifest.json");
  EXPECT_EQ(m.at("manifest_format"), 1);
  EXPECT_EQ(m.at("geosweep").at("version").get<std::string>(), gp::geosweep_version());
  EXPECT_NE(m.at("geosweep").at("build").get<std::string>().find("GDAL"), std::string::npos);
  auto const& job = m.at("job");
  fs::path const job_file = *dir_ / "job.yaml";
  EXPECT_EQ(fs::path(job.at("file").get<std::string>()), fs::absolute(job_file));
  EXPECT_EQ(job.at("sha256").get<std::string>(), sha256sum(job_file));
  EXPECT_EQ(job.at("name").get<std::string>(), "simulated-seed-7");
  EXPECT_EQ(m.at("started").get<std::string>().size(), 20u);  // 2026-12-01T19:34:36Z
  std::set<std::string> paths, scenes, roles;
  for (auto const& in : m.at("inputs")) {
    std::string const path = in.at("path").get<std::string>();
    EXPECT_TRUE(paths.insert(path).second) << path << " listed twice";
    ASSERT_TRUE(fs::is_regular_file(path)) << path;
    EXPECT_EQ(in.at("size").get<std::uintmax_t>(), fs::file_size(path)) << path;
    EXPECT_EQ(in.at("sha256").get<std::string>(), sha256sum(path)) << path;
    std::string const role = in.at("role").get<std::string>();
    roles.insert(role);
    if (role == "aoi") continue;
    std::string const scene = in.at("scene").get<std::string>();
    scenes.insert(scene);
    // The scene's folder holds the file, and the date is the one in its name.
    EXPECT_NE(path.find(scene), std::string::npos) << path << " is not of " << scene;
    std::string date = in.at("date").get<std::string>();
    date.erase(std::remove(date.begin(), date.end(), '-'), date.end());
    EXPECT_NE(scene.find(date), std::string::npos) << scene << " " << date;
  }
  // Every scene folder of the simulation was read: its bands and its SCL.
  std::set<std::string> folders;
  for (auto const& e : fs::directory_iterator(*dir_ / "scenes"))
    if (e.is_directory()) folders.insert(e.path().filename().string());
  EXPECT_EQ(scenes, folders);
  EXPECT_EQ(roles.count("band"), 1u);
  EXPECT_EQ(roles.count("quality"), 1u);
}

TEST_F(Manifest, VerifyPassesAnUntouchedFolder) {
  auto const r = geosweep("verify " + out().string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find(sha256sum(out() / "manifest.json")), std::string::npos) << r.out;
}

TEST_F(Manifest, VerifyNamesAnOutputWithOneByteChanged) {
  auto const copy = copy_of_outputs("one_byte");
  ASSERT_EQ(geosweep("verify " + copy.string()).exit_code, 0);
  flip_byte(copy / "change.nc", static_cast<std::streamoff>(fs::file_size(copy / "change.nc") / 2));
  auto const r = geosweep("verify " + copy.string());
  EXPECT_EQ(r.exit_code, 7) << r.out;
  EXPECT_NE(r.out.find("output change.nc: changed"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("alerts.csv"), std::string::npos) << "only the changed file: " << r.out;
}

TEST_F(Manifest, VerifyNamesAMissingOutput) {
  auto const copy = copy_of_outputs("missing");
  fs::remove(copy / "alerts.csv");
  auto const r = geosweep("verify " + copy.string());
  EXPECT_EQ(r.exit_code, 7) << r.out;
  EXPECT_NE(r.out.find("output alerts.csv: missing"), std::string::npos) << r.out;
}

TEST_F(Manifest, VerifyNamesAChangedInput) {
  auto const m = read_json(out() / "manifest.json");
  auto const copy = copy_of_outputs("input");
  fs::path const input = m.at("inputs").at(0).at("path").get<std::string>();
  std::string const original = [&] {
    std::ifstream in(input, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }();
  flip_byte(input, 100);
  auto const r = geosweep("verify " + copy.string());
  std::ofstream(input, std::ios::binary | std::ios::trunc) << original;  // as it was
  EXPECT_EQ(r.exit_code, 7) << r.out;
  EXPECT_NE(r.out.find("input " + input.string() + ": changed"), std::string::npos) << r.out;
  EXPECT_EQ(geosweep("verify " + copy.string()).exit_code, 0);
}

TEST_F(Manifest, AMalformedManifestIsAnErrorNamingTheFileAndField) {
  auto const copy = copy_of_outputs("malformed");
  auto m = read_json(copy / "manifest.json");
  m["outputs"][1]["sha256"] = "not a digest";
  std::ofstream(copy / "manifest.json") << m.dump(2);
  auto const r = geosweep("verify " + copy.string());
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find("geosweep: error: " + (copy / "manifest.json").string() +
                       ": malformed manifest: field 'outputs[1].sha256'"),
            std::string::npos)
      << r.out;
  fs::remove(copy / "manifest.json");
  auto const none = geosweep("verify " + copy.string());
  EXPECT_EQ(none.exit_code, 4) << none.out;
  EXPECT_NE(none.out.find((copy / "manifest.json").string() + ": no manifest"), std::string::npos)
      << none.out;
}

TEST(ManifestInputs, RemoteInputsAreRecordedByUrlWithoutAHash) {
  for (std::string const url : {"/vsicurl/https://example.org/B04.tif",
                                "https://example.org/B04.tif", "/vsis3/bucket/B04.tif"})
    EXPECT_TRUE(gp::is_remote_path(url)) << url;
  EXPECT_FALSE(gp::is_remote_path("/data/scenes/S2A/B04.tif"));
  auto const inputs = gp::hash_inputs(
      {{"/vsicurl/https://example.org/B04.tif", "band", "S2A_x", "2024-06-15", ""},
       {"/vsicurl/https://example.org/B04.tif", "band", "S2A_y", "2024-06-15", ""}});
  ASSERT_EQ(inputs.size(), 1u);  // each file once
  EXPECT_FALSE(inputs[0].digest);
  EXPECT_NE(inputs[0].not_hashed.find("remote"), std::string::npos);
  gp::manifest m;
  m.inputs = inputs;
  auto const j = json::parse(gp::manifest_json(m));
  EXPECT_TRUE(j.at("inputs").at(0).at("sha256").is_null());
  EXPECT_TRUE(j.at("inputs").at(0).at("size").is_null());
  EXPECT_EQ(j.at("inputs").at(0).at("scene"), "S2A_x");
}

}  // namespace
