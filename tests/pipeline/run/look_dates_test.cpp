// The date layers of the composites, against the simulator's own cloud pattern: each pixel's
// date in change.nc (<index>_before_date, _after_date) and in the COGs' date layers
// (<index>_before_date.tif, colour_before_date.tif; 0 there for none) is the date of the latest
// scene of the period whose SCL class is clear there (vegetation, bare soil, water, unclassified:
// 4-7), read from the scene files themselves; and the colour composite's red is that scene's B04.
#include <gtest/gtest.h>

#include <gdal_priv.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "tools/int_raster.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

namespace {

using geosweep::test_tools::read_int_raster;
using band_raster = geosweep::test_tools::int_raster;

/// A band of a raster GDAL opens, with its grid.
band_raster read_band(std::string const& name, int band = 1) {
  return read_int_raster(name, band);
}

/// The scene folder of `date` (its name holds the date as YYYYMMDD).
fs::path scene_of(fs::path const& scenes, gp::civil_date date) {
  std::string iso = gp::to_iso(date);
  std::string const compact = iso.substr(0, 4) + iso.substr(5, 2) + iso.substr(8, 2);
  for (auto const& e : fs::directory_iterator(scenes))
    if (e.path().filename().string().find("_" + compact + "_") != std::string::npos)
      return e.path();
  ADD_FAILURE() << "no scene of " << iso;
  return {};
}

class LookDates : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("geosweep_look_dates_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    geosweep::sim::simulation_options options;
    options.seed = 11;
    options.width = options.height = 400;
    sim_ = new geosweep::sim::simulation_result(geosweep::sim::simulate_scenes(*dir_, options));
    spec_ = new gp::job_spec(gp::load_job_spec(sim_->job_file));
    gp::run_job(*spec_, gp::run_options{gk::backend::cpu});
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete sim_;
    delete spec_;
  }

  /// Over the scene grid, by period: the day of the latest clear scene (no_date for none),
  /// from the SCL files.
  static std::array<std::vector<std::int32_t>, 2> expected_days() {
    std::array<std::vector<std::int32_t>, 2> days;
    for (auto& d : days) d.assign(sim_->grid.pixel_count(), gk::no_date);
    for (auto const date : sim_->dates) {  // ascending: a later clear look replaces
      bool const monitor = date >= spec_->monitor.first;
      auto const scl = read_band((scene_of(*dir_ / "scenes", date) / "SCL.tif").string());
      auto& out = days[monitor ? 1 : 0];
      for (std::size_t i = 0; i < out.size(); ++i)
        if (scl.values[i] >= 4 && scl.values[i] <= 7) out[i] = gp::days_since_epoch(date);
    }
    return days;
  }

  /// The scene-grid pixel under pixel (column, row) of a raster on the same 10 m grid.
  static std::size_t scene_pixel(band_raster const& r, int column, int row) {
    auto const& gt = sim_->grid.transform;
    int const x0 = static_cast<int>(std::lround((r.transform[0] - gt[0]) / gt[1]));
    int const y0 = static_cast<int>(std::lround((r.transform[3] - gt[3]) / gt[5]));
    return static_cast<std::size_t>(row + y0) * sim_->grid.width + (column + x0);
  }

  static fs::path out() { return spec_->outputs.dir; }
  static std::string nc_variable(std::string const& aoi, std::string const& name) {
    return geosweep::test_tools::nc_variable(out() / "change.nc", aoi, name);
  }

  static fs::path* dir_;
  static geosweep::sim::simulation_result* sim_;
  static gp::job_spec* spec_;
};

fs::path* LookDates::dir_ = nullptr;
geosweep::sim::simulation_result* LookDates::sim_ = nullptr;
gp::job_spec* LookDates::spec_ = nullptr;

TEST_F(LookDates, EveryPixelOfEveryLayerIsDatedByItsLatestClearScene) {
  auto const expected = expected_days();
  std::array<std::int64_t, 2> older{};  // pixels dated before their period's last scene
  for (auto const& aoi : spec_->aois) {
    auto const change = read_band(nc_variable(aoi.name, "change"));
    for (int period = 0; period < 2; ++period) {
      std::string const suffix = period == 0 ? "_before_date" : "_after_date";
      auto const nc = read_band(nc_variable(aoi.name, spec_->change.index + suffix));
      auto const cog_dir = out() / "cog" / aoi.name;
      auto const index_cog =
          read_band((cog_dir / (spec_->change.index + suffix + ".tif")).string());
      auto const colour_cog = read_band((cog_dir / ("colour" + suffix + ".tif")).string());
      ASSERT_EQ(nc.values.size(), change.values.size());
      ASSERT_EQ(index_cog.values.size(), change.values.size());
      ASSERT_EQ(colour_cog.values.size(), change.values.size());
      std::int64_t inside = 0, wrong = 0;
      int last_day = 0;
      for (auto const date : sim_->dates)
        if ((date >= spec_->monitor.first) == (period == 1)) last_day = gp::days_since_epoch(date);
      for (int r = 0; r < nc.height; ++r) {
        for (int c = 0; c < nc.width; ++c) {
          auto const i = static_cast<std::size_t>(r) * nc.width + c;
          std::int32_t const want = expected[period][scene_pixel(nc, c, r)];
          if (change.values[i] == gk::change_outside_aoi) {
            // The COGs are clipped to the AOI.
            wrong += index_cog.values[i] != 0 || colour_cog.values[i] != 0;  // the COGs' nodata
            continue;
          }
          ++inside;
          std::int32_t const want_cog = want == gk::no_date ? 0 : want;  // COG nodata: 0
          wrong += nc.values[i] != want || index_cog.values[i] != want_cog ||
                   colour_cog.values[i] != want_cog;
          older[period] += want != last_day && want != gk::no_date;
        }
      }
      EXPECT_GT(inside, 0) << aoi.name;
      EXPECT_EQ(wrong, 0) << aoi.name << suffix;
    }
  }
  // The clouds make the layers worth having: some pixels come from an earlier scene.
  EXPECT_GT(older[0], 1000);
  EXPECT_GT(older[1], 1000);
}

TEST_F(LookDates, TheColourCompositeTakesEachPixelFromTheSceneItsDateNames) {
  // The simulated scenes are of a processing baseline from 04.00 on (BOA offset -1000):
  // reflectance = (DN - 1000) / 10000, and the COG stores reflectance x 10000.
  auto const& aoi = spec_->aois.front().name;
  auto const cog_dir = out() / "cog" / aoi;
  auto const red = read_band((cog_dir / "true_colour_before.tif").string(), 1);
  auto const day = read_band((cog_dir / "colour_before_date.tif").string());
  std::vector<band_raster> b04;
  std::vector<int> b04_days;
  for (auto const date : sim_->dates) {
    b04.push_back(read_band((scene_of(*dir_ / "scenes", date) / "B04.tif").string()));
    b04_days.push_back(gp::days_since_epoch(date));
  }
  std::int64_t checked = 0, wrong = 0;
  for (int r = 0; r < red.height; ++r) {
    for (int c = 0; c < red.width; ++c) {
      auto const i = static_cast<std::size_t>(r) * red.width + c;
      if (day.values[i] == 0) continue;  // no look
      for (std::size_t d = 0; d < b04.size(); ++d) {
        if (b04_days[d] != day.values[i]) continue;
        std::int32_t const dn = b04[d].values[scene_pixel(red, c, r)];
        if (dn <= 1001) break;  // stored as the smallest valid value, 1
        ++checked;
        wrong += red.values[i] != dn - 1000;
      }
    }
  }
  EXPECT_GT(checked, 10000);
  EXPECT_EQ(wrong, 0);
}

}  // namespace
