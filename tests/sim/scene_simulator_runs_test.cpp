// Tests of the scene simulator's runs: outputs deterministic from the seed, reruns replacing
// the scenes, other options (no clouds or clearings, the default demo) and the errors.

#include "geosweep/sim/scene_simulator.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "geosweep/pipeline/errors.hpp"
#include "sim/scene_simulator_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace geosweep::pipeline;
using namespace geosweep::sim;
using namespace geosweep::test_tools;

using SceneSimulator = scene_simulator_fixture;

TEST_F(SceneSimulator, DeterministicFromTheSeed) {
  fs::path const again = root_ / "seed7-again";
  simulation_result const r2 = simulate_scenes(again, small());
  EXPECT_EQ(r2.truth_mask, result().truth_mask);
  ASSERT_EQ(r2.clearings.size(), result().clearings.size());
  for (std::size_t k = 0; k < r2.clearings.size(); ++k) {
    EXPECT_EQ(r2.clearings[k].cleared_on, result().clearings[k].cleared_on);
    EXPECT_EQ(r2.clearings[k].pixel_count, result().clearings[k].pixel_count);
  }
  // Every written file, byte for byte.
  std::size_t compared = 0;
  for (auto const& e : fs::recursive_directory_iterator(dir())) {
    if (!e.is_regular_file()) continue;
    fs::path const rel = fs::relative(e.path(), dir());
    SCOPED_TRACE(rel.string());
    ASSERT_TRUE(fs::exists(again / rel));
    EXPECT_TRUE(file_bytes(e.path()) == file_bytes(again / rel));
    ++compared;
  }
  // The scenes, job.yaml, truth, an AOI, stac/items.json, landcover.tif.
  EXPECT_EQ(compared, 7u * 7u + 5u);
  EXPECT_EQ(file_bytes(scene(3) / "B04.tif"),
            file_bytes(scene_dir(again, "20LMR", 3, result().dates[3]) / "B04.tif"));

  simulation_options other = small();
  other.seed = 8;
  simulation_result const r3 = simulate_scenes(root_ / "seed8", other);
  EXPECT_NE(r3.truth_mask, result().truth_mask);
  EXPECT_NE(file_bytes(root_ / "seed8" / "job.yaml"), file_bytes(dir() / "job.yaml"));
  EXPECT_NE(file_bytes(scene_dir(root_ / "seed8", "20LMR", 3, result().dates[3]) / "B04.tif"),
            file_bytes(scene(3) / "B04.tif"));
}

TEST_F(SceneSimulator, RerunReplacesTheScenes) {
  fs::path const d = root_ / "rerun";
  simulation_options o = small();
  o.seed = 11;
  o.width = 200;
  o.height = 200;
  o.clearings = 2;
  simulate_scenes(d, o);
  std::string const b04 = file_bytes(scene_dir(d, o.tile, 0, result().dates[0]) / "B04.tif");
  fs::create_directories(d / "scenes" / "stale_scene");
  std::ofstream(d / "scenes" / "stale.txt") << "left over";
  std::ofstream(d / "job.yaml") << "garbage";
  simulate_scenes(d, o);
  EXPECT_FALSE(fs::exists(d / "scenes" / "stale_scene"));
  EXPECT_FALSE(fs::exists(d / "scenes" / "stale.txt"));
  EXPECT_EQ(file_bytes(scene_dir(d, o.tile, 0, result().dates[0]) / "B04.tif"), b04);
  EXPECT_EQ(YAML::LoadFile((d / "job.yaml").string())["job"].as<std::string>(),
            "simulated-seed-11");
}

TEST_F(SceneSimulator, WithoutCloudsAndClearings) {
  fs::path const d = root_ / "plain";
  simulation_options o = small();
  o.width = 96;
  o.height = 80;
  o.clearings = 0;
  o.clouds = false;
  o.baseline_dates = 1;
  o.monitor_dates = 2;
  simulation_result const r = simulate_scenes(d, o);
  ASSERT_EQ(r.dates.size(), 3u);
  EXPECT_TRUE(r.clearings.empty());
  EXPECT_TRUE(
      std::all_of(r.truth_mask.begin(), r.truth_mask.end(), [](std::uint8_t v) { return v == 0; }));
  for (std::size_t i = 0; i < r.dates.size(); ++i) {
    auto const scl = read_band<std::uint8_t>(scene_dir(d, o.tile, i, r.dates[i]) / "SCL.tif");
    EXPECT_EQ(scl.size(), 96u * 80u);
    EXPECT_TRUE(
        std::all_of(scl.begin(), scl.end(), [](std::uint8_t v) { return v == 4 || v == 6; }));
  }
  GDALDatasetUniquePtr ds = open_vector(r.truth_file);
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->GetLayer(0)->GetFeatureCount(), 0);
  YAML::Node const job = YAML::LoadFile(r.job_file.string());
  EXPECT_EQ(job["period"]["baseline"][0].as<std::string>(),
            job["period"]["baseline"][1].as<std::string>());
}

TEST_F(SceneSimulator, ErrorsNameThePath) {
  fs::path const file = root_ / "a-file";
  std::ofstream(file) << "x";
  fs::path const bad = file / "sub";
  try {
    simulate_scenes(bad, small());
    FAIL() << "expected io_error";
  } catch (geosweep::io_error const& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
  }
  simulation_options o = small();
  o.monitor_dates = 1;  // a clearing needs a monitoring date before the last one
  EXPECT_THROW(simulate_scenes(root_ / "never", o), geosweep::logic_error);
  o = small();
  o.width = 40;
  o.height = 40;  // no room for six clearings
  EXPECT_THROW(simulate_scenes(root_ / "tiny", o), geosweep::logic_error);
}

// The demo: the default 8 x 8 km tile (timing belongs in bench/, not here).
TEST_F(SceneSimulator, DefaultDemo) {
  fs::path const d = root_ / "demo";
  simulation_result const r = simulate_scenes(d, simulation_options{});
  EXPECT_EQ(r.grid.width, 800);
  EXPECT_EQ(r.dates.size(), 7u);
  ASSERT_EQ(r.clearings.size(), 6u);
  int reserve = 0, concession = 0;
  for (auto const& c : r.clearings) (c.aoi == "reserve-north" ? reserve : concession) += 1;
  EXPECT_EQ(reserve, 3);
  EXPECT_EQ(concession, 3);
  std::size_t files = 0;
  for (auto const& e : fs::recursive_directory_iterator(d / "scenes")) files += e.is_regular_file();
  EXPECT_EQ(files, 49u);
}

}  // namespace
