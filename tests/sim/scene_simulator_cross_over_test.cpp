// The simulator's cross-over events (issue 19): burns, mining pits and floods planted beside the
// clearings. Each has the cause in truth.geojson, and the spectral signature the literature
// gives it in the written bands (reflectance = (DN - 1000) / 10000): a burn's dNBR is "high" in
// FIREMON's classes (Key and Benson 2006: >= 0.66) with a dark visible and a SWIR2 rise, and it
// greens up later; a pit holds water (MNDWI > 0, Xu 2006) ringed by bright bare tailings
// (BSI > 0); a flood is new water. Pits and floods lie within 150 m of the river. A run over the
// scenes finds every planted patch as one alert of exactly its area.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "sim/scene_simulator_fixture.hpp"

namespace {

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gs = geosweep::sim;
namespace tt = geosweep::test_tools;

class CrossOver : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GDALAllRegister();
    dir_ =
        new fs::path(fs::temp_directory_path() / fmt::format("geosweep-cross-over-{}", ::getpid()));
    fs::remove_all(*dir_);
    gs::simulation_options o;
    o.seed = 7;
    o.width = o.height = 300;
    o.clouds = false;  // every look clear: the signatures are read on every pixel
    o.clearings = 2;
    o.burns = 2;
    o.mines = 2;
    o.floods = 2;
    result_ = new gs::simulation_result(gs::simulate_scenes(*dir_ / "sim", o));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete result_;
  }

  /// Band `name` (B02 ... B12) of date `d` as reflectance.
  static std::vector<double> reflectance(std::size_t d, char const* name) {
    auto const dn = tt::read_band<std::uint16_t>(
        tt::scene_dir(*dir_ / "sim", "20LMR", d, result_->dates[d]) / (std::string(name) + ".tif"));
    std::vector<double> out(dn.size());
    for (std::size_t i = 0; i < dn.size(); ++i) out[i] = (dn[i] - 1000.0) / 10000.0;
    return out;
  }
  /// The mean over `pixels` of (a - b) / (a + b).
  static double mean_index(std::vector<double> const& a, std::vector<double> const& b,
                           std::vector<std::size_t> const& pixels) {
    double sum = 0;
    for (auto i : pixels) sum += (a[i] - b[i]) / (a[i] + b[i]);
    return sum / static_cast<double>(pixels.size());
  }
  static double mean(std::vector<double> const& a, std::vector<std::size_t> const& pixels) {
    double sum = 0;
    for (auto i : pixels) sum += a[i];
    return sum / static_cast<double>(pixels.size());
  }
  /// The pixels of planted patch `id`; with `edge`, only those with a 4-neighbour outside it,
  /// else only those without.
  static std::vector<std::size_t> pixels_of(int id, std::optional<bool> edge = std::nullopt) {
    int const w = result_->grid.width, h = result_->grid.height;
    auto const& truth = result_->truth_mask;
    std::vector<std::size_t> out;
    for (std::size_t i = 0; i < truth.size(); ++i) {
      if (truth[i] != id) continue;
      int const r = static_cast<int>(i) / w, c = static_cast<int>(i) % w;
      bool on_edge = r == 0 || c == 0 || r == h - 1 || c == w - 1 || truth[i - 1] != id ||
                     truth[i + 1] != id || truth[i - w] != id || truth[i + w] != id;
      if (!edge || *edge == on_edge) out.push_back(i);
    }
    return out;
  }
  /// The index of the first date on or after `d`, and of the last baseline date.
  static std::size_t date_index(gp::civil_date d) {
    return static_cast<std::size_t>(std::find(result_->dates.begin(), result_->dates.end(), d) -
                                    result_->dates.begin());
  }
  static std::size_t last_baseline() { return result_->baseline_dates - 1; }

  static std::vector<gs::planted_clearing> of_cause(gs::planted_cause cause) {
    std::vector<gs::planted_clearing> out;
    for (auto const& c : result_->clearings)
      if (c.cause == cause) out.push_back(c);
    return out;
  }

  static inline fs::path* dir_ = nullptr;
  static inline gs::simulation_result* result_ = nullptr;
};

}  // namespace

TEST_F(CrossOver, TheEventsFollowTheClearingsWithTheirCausesInTheTruth) {
  ASSERT_EQ(result_->clearings.size(), 8u);  // 2 clearings, then 2 of each cause
  std::vector<std::string> const expected{"clearing", "clearing", "burn",     "burn",
                                          "mining",   "mining",   "flooding", "flooding"};
  GDALDatasetUniquePtr truth(GDALDataset::Open((*dir_ / "sim" / "truth.geojson").c_str(),
                                               GDAL_OF_VECTOR | GDAL_OF_READONLY));
  ASSERT_TRUE(truth);
  std::map<int, std::string> cause_by_id;
  for (auto const& f : *truth->GetLayer(0))
    cause_by_id[f->GetFieldAsInteger("id")] = f->GetFieldAsString("cause");
  for (std::size_t k = 0; k < expected.size(); ++k) {
    auto const& c = result_->clearings[k];
    EXPECT_EQ(c.id, static_cast<int>(k) + 1);
    EXPECT_EQ(gs::to_string(c.cause), expected[k]);
    EXPECT_EQ(cause_by_id[c.id], expected[k]) << c.id;
    EXPECT_EQ(static_cast<std::int64_t>(pixels_of(c.id).size()), c.pixel_count);
    EXPECT_GE(date_index(c.cleared_on), static_cast<std::size_t>(result_->baseline_dates));
  }
}

TEST_F(CrossOver, ABurnIsAHighSeverityScarThatGreensUpAgain) {
  for (auto const& b : of_cause(gs::planted_cause::burn)) {
    auto const px = pixels_of(b.id);
    std::size_t const before = last_baseline(), after = date_index(b.cleared_on);
    double const nbr_before =
        mean_index(reflectance(before, "B08"), reflectance(before, "B12"), px);
    double const nbr_after = mean_index(reflectance(after, "B08"), reflectance(after, "B12"), px);
    EXPECT_GE(nbr_before - nbr_after, 0.66) << "FIREMON high severity, burn " << b.id;
    EXPECT_LT(mean(reflectance(after, "B04"), px), 0.08) << "dark char";
    EXPECT_GT(mean(reflectance(after, "B12"), px), mean(reflectance(before, "B12"), px) + 0.05);
    // Later dates green up: NDVI rises from the burn's date to the last.
    std::size_t const last = result_->dates.size() - 1;
    if (last > after) {
      double const ndvi_burnt =
          mean_index(reflectance(after, "B08"), reflectance(after, "B04"), px);
      double const ndvi_last = mean_index(reflectance(last, "B08"), reflectance(last, "B04"), px);
      EXPECT_GT(ndvi_last, ndvi_burnt + 0.02) << "burn " << b.id;
    }
  }
}

TEST_F(CrossOver, APitHoldsWaterRingedByTailingsBesideTheRiver) {
  for (auto const& m : of_cause(gs::planted_cause::mining)) {
    std::size_t const after = date_index(m.cleared_on);
    auto const core = pixels_of(m.id, false), edge = pixels_of(m.id, true);
    ASSERT_FALSE(core.empty());
    ASSERT_FALSE(edge.empty());
    auto const green = reflectance(after, "B03"), swir1 = reflectance(after, "B11");
    auto const red = reflectance(after, "B04"), nir = reflectance(after, "B08"),
               blue = reflectance(after, "B02");
    EXPECT_GT(mean_index(green, swir1, core), 0.3) << "MNDWI of the pit water, mine " << m.id;
    // BSI = ((SWIR1 + red) - (NIR + blue)) / ((SWIR1 + red) + (NIR + blue)), Rikimaru et al. 2002
    double bsi = 0;
    for (auto i : edge)
      bsi +=
          ((swir1[i] + red[i]) - (nir[i] + blue[i])) / ((swir1[i] + red[i]) + (nir[i] + blue[i]));
    EXPECT_GT(bsi / static_cast<double>(edge.size()), 0.1) << "bare tailings";
    EXPECT_GT(mean(red, edge), 0.15) << "brighter than any soil the clearings bare";
  }
}

TEST_F(CrossOver, AFloodIsNewWaterOverForest) {
  for (auto const& f : of_cause(gs::planted_cause::flooding)) {
    auto const px = pixels_of(f.id);
    std::size_t const before = last_baseline(), after = date_index(f.cleared_on);
    EXPECT_LT(mean_index(reflectance(before, "B03"), reflectance(before, "B11"), px), -0.3);
    EXPECT_GT(mean_index(reflectance(after, "B03"), reflectance(after, "B11"), px), 0.3);
    EXPECT_LT(mean_index(reflectance(after, "B08"), reflectance(after, "B04"), px), 0.0);
  }
}

TEST_F(CrossOver, PitsAndFloodsLieWithin150MetresOfTheRiver) {
  auto const cover = tt::read_band<std::uint8_t>(result_->landcover_file);
  int const w = result_->grid.width;
  std::vector<std::size_t> water;
  for (std::size_t i = 0; i < cover.size(); ++i)
    if (cover[i] == 80) water.push_back(i);  // CGLS-LC100 permanent water
  ASSERT_FALSE(water.empty());
  for (auto const& c : result_->clearings) {
    if (c.cause != gs::planted_cause::mining && c.cause != gs::planted_cause::flooding) continue;
    double nearest = 1e9;  // metres from the patch's nearest pixel to the river
    for (auto i : pixels_of(c.id))
      for (auto j : water) {
        double const dx = static_cast<int>(i % w) - static_cast<int>(j % w);
        double const dy = static_cast<int>(i / w) - static_cast<int>(j / w);
        nearest = std::min(nearest, 10.0 * std::hypot(dx, dy));
      }
    EXPECT_LE(nearest, 150.0) << gs::to_string(c.cause) << " " << c.id;
  }
}

TEST_F(CrossOver, ARunFindsEachPlantedPatchAsOneAlertOfItsArea) {
  auto spec = gp::load_job_spec(result_->job_file);
  spec.outputs.dir = *dir_ / "out";
  auto const run = gp::run_job(spec, gp::run_options{geosweep::kernels::backend::cpu, false});
  std::vector<double> found;
  for (auto const& aoi : run.aois)
    for (auto const& a : aoi.alerts) found.push_back(std::round(a.area_ha * 100.0) / 100.0);
  std::vector<double> planted;
  for (auto const& c : result_->clearings) planted.push_back(std::round(c.area_ha * 100.0) / 100.0);
  std::sort(found.begin(), found.end());
  std::sort(planted.begin(), planted.end());
  EXPECT_EQ(found, planted);
}
