// Accuracy of the baseline detector on cloudy simulated series: every planted clearing is
// found, nothing outside the clearings is flagged (gradual degradation and seasonal change
// included), first dates fall within one revisit of the truth, and each pixel's confidence is
// low after one anomalous clear look and high once a second one confirms it.
#include <gtest/gtest.h>

#include <gdal_priv.h>

#include <filesystem>
#include <map>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

namespace {

template <class T>
std::vector<T> read_raster(std::string const& name, GDALDataType type, int& width, int& height,
                           double* gt) {
  GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  EXPECT_TRUE(ds) << name;
  if (!ds) return {};
  width = ds->GetRasterXSize();
  height = ds->GetRasterYSize();
  if (gt != nullptr) ds->GetGeoTransform(gt);
  std::vector<T> values(static_cast<std::size_t>(width) * height);
  EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, width, height, values.data(), width,
                                           height, type, 0, 0),
            CE_None);
  return values;
}

bool clear_scl(std::uint8_t v) {
  return v >= 4 && v <= 7;
}

}  // namespace

class CloudySeries : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(CloudySeries, BaselineDetectorFindsClearingsWithTheirDatesAndConfidence) {
  auto const dir = fs::temp_directory_path() / ("geosweep_accuracy_" + std::to_string(GetParam()) +
                                                "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  geosweep::sim::simulation_options options;
  options.seed = GetParam();
  options.width = options.height = 400;
  options.clearings = 6;
  auto const sim = geosweep::sim::simulate_scenes(dir, options);
  auto const spec = gp::load_job_spec(sim.job_file);
  ASSERT_EQ(spec.change.method, gp::change_method::baseline);
  ASSERT_EQ(spec.change.confirm, 2);
  auto const result = gp::run_job(spec, gp::run_options{gk::backend::cpu});

  // Clear looks per date, from the scenes' own SCL bands.
  std::vector<std::vector<std::uint8_t>> scl;
  std::vector<fs::path> scene_dirs;
  for (auto const& entry : fs::directory_iterator(dir / "scenes"))
    scene_dirs.push_back(entry.path());
  std::sort(scene_dirs.begin(), scene_dirs.end(), [](fs::path const& a, fs::path const& b) {
    return a.filename().string().substr(10) < b.filename().string().substr(10);  // by date
  });
  ASSERT_EQ(scene_dirs.size(), sim.dates.size());
  for (auto const& d : scene_dirs) {
    int w = 0, h = 0;
    scl.push_back(read_raster<std::uint8_t>((d / "SCL.tif").string(), GDT_Byte, w, h, nullptr));
  }
  auto const first_monitor = static_cast<std::size_t>(options.baseline_dates);

  std::map<int, std::int64_t> found;  // clearing id -> flagged pixels
  std::int64_t false_alarms = 0, wrong_state = 0, checked = 0, expected_low = 0, expected_high = 0;
  for (auto const& aoi : result.aois) {
    std::string const base = "NETCDF:\"" + result.hdf5_file->string() + "\":/aoi/" + aoi.name + "/";
    int w = 0, h = 0;
    double gt[6];
    auto const change = read_raster<std::uint8_t>(base + "change", GDT_Byte, w, h, gt);
    auto const first = read_raster<std::int32_t>(base + "first_date", GDT_Int32, w, h, nullptr);
    auto const confirmed =
        read_raster<std::int32_t>(base + "confirmed_date", GDT_Int32, w, h, nullptr);
    int const x0 =
        static_cast<int>(std::lround((gt[0] - sim.grid.transform[0]) / sim.grid.transform[1]));
    int const y0 =
        static_cast<int>(std::lround((gt[3] - sim.grid.transform[3]) / sim.grid.transform[5]));
    for (int r = 0; r < h; ++r) {
      for (int c = 0; c < w; ++c) {
        std::size_t const i = static_cast<std::size_t>(r) * w + c;
        std::size_t const g = static_cast<std::size_t>(r + y0) * sim.grid.width + (c + x0);
        bool const flagged = change[i] == gk::change_low || change[i] == gk::change_high;
        int const id = sim.truth_mask[g];
        if (id == 0) {
          false_alarms += gk::is_change_op{}(change[i]);  // grown pixels too
          continue;
        }
        if (change[i] == gk::change_outside_aoi) continue;
        found[id] += flagged ? 1 : 0;
        // What the detector must say, from the clear looks on or after the clearing date.
        auto const cleared_on = sim.clearings[static_cast<std::size_t>(id - 1)].cleared_on;
        std::vector<int> looks;
        for (std::size_t d = first_monitor; d < sim.dates.size(); ++d) {
          if (sim.dates[d] >= cleared_on && clear_scl(scl[d][g]))
            looks.push_back(gp::days_since_epoch(sim.dates[d]));
        }
        ++checked;
        std::uint8_t const expected = looks.empty()       ? gk::change_none
                                      : looks.size() == 1 ? gk::change_low
                                                          : gk::change_high;
        int const expected_first = looks.empty() ? gk::no_date : looks[0];
        int const expected_confirmed = looks.size() >= 2 ? looks[1] : gk::no_date;
        if (change[i] != expected || first[i] != expected_first ||
            confirmed[i] != expected_confirmed)
          ++wrong_state;
        expected_low += expected == gk::change_low ? 1 : 0;
        expected_high += expected == gk::change_high ? 1 : 0;
        // First seen within one revisit of the truth (the clouds never hide a pixel twice in a
        // row).
        if (!looks.empty()) {
          EXPECT_LE(first[i] - gp::days_since_epoch(cleared_on), options.revisit_days);
        }
      }
    }
  }
  EXPECT_EQ(false_alarms, 0);
  EXPECT_EQ(wrong_state, 0) << "of " << checked << " clearing pixels";
  EXPECT_GT(expected_high, 0);
  std::printf("seed %llu: %lld clearing pixels, %lld low and %lld high confidence expected\n",
              static_cast<unsigned long long>(GetParam()), static_cast<long long>(checked),
              static_cast<long long>(expected_low), static_cast<long long>(expected_high));
  for (auto const& c : sim.clearings) {
    EXPECT_EQ(found[c.id], c.pixel_count) << "clearing " << c.id << " (" << c.area_ha << " ha)";
  }
  // One alert per clearing, with its exact area.
  std::size_t alerts = 0;
  for (auto const& aoi : result.aois) alerts += aoi.alerts.size();
  EXPECT_EQ(alerts, sim.clearings.size());
  for (auto const& aoi : result.aois) {
    for (auto const& p : aoi.alerts) {
      bool matched = false;
      for (auto const& c : sim.clearings) {
        if (c.aoi == aoi.name && c.pixel_count == p.pixels)
          matched = std::abs(p.area_ha - c.area_ha) < 1e-9;
      }
      EXPECT_TRUE(matched) << p.id << " " << p.area_ha << " ha";
    }
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CloudySeries, ::testing::Values(3u, 17u, 99u, 2024u));

namespace {

/// Pixel and patch accuracy of a run's kept patches against the simulator's truth mask.
struct accuracy {
  std::int64_t true_positive = 0, false_positive = 0, false_negative = 0;
  std::size_t planted = 0, found = 0, false_patches = 0;
  [[nodiscard]] double users() const {
    return static_cast<double>(true_positive) /
           static_cast<double>(std::max<std::int64_t>(1, true_positive + false_positive));
  }
  [[nodiscard]] double producers() const {
    return static_cast<double>(true_positive) /
           static_cast<double>(std::max<std::int64_t>(1, true_positive + false_negative));
  }
};

accuracy score(gp::run_result const& result, geosweep::sim::simulation_result const& sim) {
  accuracy a;
  std::map<int, bool> found;  // clearing id -> a kept patch covers part of it
  for (auto const& aoi : result.aois) {
    std::string const base = "NETCDF:\"" + result.hdf5_file->string() + "\":/aoi/" + aoi.name + "/";
    int w = 0, h = 0;
    double gt[6];
    auto const change = read_raster<std::uint8_t>(base + "change", GDT_Byte, w, h, gt);
    auto const patch = read_raster<std::int32_t>(base + "patch", GDT_Int32, w, h, nullptr);
    int const x0 =
        static_cast<int>(std::lround((gt[0] - sim.grid.transform[0]) / sim.grid.transform[1]));
    int const y0 =
        static_cast<int>(std::lround((gt[3] - sim.grid.transform[3]) / sim.grid.transform[5]));
    std::map<std::int32_t, bool> patch_on_truth;
    for (int r = 0; r < h; ++r) {
      for (int c = 0; c < w; ++c) {
        std::size_t const i = static_cast<std::size_t>(r) * w + c;
        if (change[i] == gk::change_outside_aoi) continue;
        int const id = sim.truth_mask[static_cast<std::size_t>(r + y0) * sim.grid.width + c + x0];
        bool const flagged = patch[i] > 0;
        if (id != 0) found.emplace(id, false);
        if (flagged) patch_on_truth[patch[i]] = patch_on_truth[patch[i]] || id != 0;
        if (flagged && id != 0) found[id] = true;
        a.true_positive += flagged && id != 0 ? 1 : 0;
        a.false_positive += flagged && id == 0 ? 1 : 0;
        a.false_negative += !flagged && id != 0 ? 1 : 0;
      }
    }
    for (auto const& [label, on_truth] : patch_on_truth) a.false_patches += on_truth ? 0 : 1;
  }
  a.planted = found.size();
  for (auto const& [id, yes] : found) a.found += yes ? 1 : 0;
  return a;
}

}  // namespace

/// Partial and salvage cuts (15-45 % bare soil, patchy, mixed edges) in forest with the
/// spread of real looks: the default rule (seeds falling by drop, grown into falls of half
/// of it) finds every cut as a whole patch; seeds alone find a fraction of the pixels.
class PartialCuts : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(PartialCuts, TheDefaultRuleFindsThemAsWholePatches) {
  auto const dir = fs::temp_directory_path() / ("geosweep_partial_" + std::to_string(GetParam()) +
                                                "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  geosweep::sim::simulation_options options;
  options.seed = GetParam();
  options.width = options.height = 400;
  options.partial_cuts = true;
  options.band_noise = 0.12;
  auto const sim = geosweep::sim::simulate_scenes(dir, options);
  for (auto const& c : sim.clearings) ASSERT_GE(c.area_ha, 0.5);  // all above the MMU
  auto spec = gp::load_job_spec(sim.job_file);
  ASSERT_EQ(spec.change.grow, 0.5);  // the default
  for (auto method : {gp::change_method::baseline, gp::change_method::bitemporal}) {
    SCOPED_TRACE(std::string(gp::to_string(method)));
    spec.change.method = method;
    spec.change.grow = 0.5;
    spec.outputs.dir = dir / ("out_" + std::string(gp::to_string(method)));
    auto const grown = score(gp::run_job(spec, gp::run_options{gk::backend::cpu}), sim);
    EXPECT_EQ(grown.found, grown.planted);
    EXPECT_EQ(grown.false_patches, 0u);
    EXPECT_GE(grown.producers(), 0.85);
    EXPECT_GE(grown.users(), 0.95);
    // Seeds only: the same cuts, most of their pixels missed and some cuts lost entirely.
    spec.change.grow = 0.0;
    spec.outputs.dir = dir / ("out_seeds_" + std::string(gp::to_string(method)));
    auto const seeds = score(gp::run_job(spec, gp::run_options{gk::backend::cpu}), sim);
    EXPECT_LT(seeds.producers(), 0.5);
    EXPECT_LT(seeds.found, seeds.planted);
    std::printf(
        "seed %llu %s: grown UA %.3f PA %.3f, %zu of %zu cuts; seeds only UA %.3f PA "
        "%.3f, %zu of %zu cuts\n",
        static_cast<unsigned long long>(GetParam()), gp::to_string(method).data(), grown.users(),
        grown.producers(), grown.found, grown.planted, seeds.users(), seeds.producers(),
        seeds.found, seeds.planted);
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Seeds, PartialCuts, ::testing::Values(3u, 17u, 99u));
