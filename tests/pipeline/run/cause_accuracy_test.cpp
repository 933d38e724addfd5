// Causes (issue 19): on cloudy simulated scenes with clearings, burns, mining pits and floods
// planted beside each other, every planted patch's alert gets the cause the simulator planted
// (truth.geojson's `cause`, not the code under test), burns get a FIREMON severity and nothing
// else does, and change.nc's per-pixel `cause` layer says what each planted pixel turned into.
// Without the SWIR bands no alert is called a clearing or a burn: every cause is unknown.
// With `change.causes: false` there is no cause at all.
#include <gtest/gtest.h>
#include <unistd.h>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "geosweep/kernels/cause.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/scene_search.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "tools/csv_rows.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;
namespace gs = geosweep::sim;

namespace {

template <class T>
std::vector<T> read_layer(fs::path const& nc, std::string const& aoi, char const* layer,
                          GDALDataType type, int& width, int& height, double* gt) {
  std::string const name = fmt::format("NETCDF:\"{}\":/aoi/{}/{}", nc.string(), aoi, layer);
  GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  EXPECT_TRUE(ds) << name;
  if (!ds) return {};
  width = ds->GetRasterXSize();
  height = ds->GetRasterYSize();
  ds->GetGeoTransform(gt);
  std::vector<T> values(static_cast<std::size_t>(width) * height);
  EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, width, height, values.data(), width,
                                           height, type, 0, 0),
            CE_None);
  return values;
}

/// The cause the simulator planted, in the words of alerts.csv.
std::string planted(gs::planted_cause c) {
  switch (c) {
    case gs::planted_cause::burn:
      return "burn";
    case gs::planted_cause::mining:
      return "mining";
    case gs::planted_cause::flooding:
      return "flooding";
    case gs::planted_cause::clearing:
      break;
  }
  return "clearing";
}

/// Per planted patch: the alert its pixels mostly fall in (nullptr when none), and the
/// evidence classes of its pixels in change.nc's `cause` layer.
struct matched {
  gp::alert const* alert = nullptr;
  std::map<int, std::int64_t> evidence;
};

std::map<int, matched> match_planted(gs::simulation_result const& sim, gp::run_result const& run) {
  std::map<int, matched> out;
  for (auto const& aoi : run.aois) {
    int w = 0, h = 0;
    double gt[6];
    auto const patch =
        read_layer<std::int32_t>(*run.hdf5_file, aoi.name, "patch", GDT_Int32, w, h, gt);
    auto const cause =
        read_layer<std::uint8_t>(*run.hdf5_file, aoi.name, "cause", GDT_Byte, w, h, gt);
    int const x0 =
        static_cast<int>(std::lround((gt[0] - sim.grid.transform[0]) / sim.grid.transform[1]));
    int const y0 =
        static_cast<int>(std::lround((gt[3] - sim.grid.transform[3]) / sim.grid.transform[5]));
    std::map<int, std::map<std::int32_t, std::int64_t>> votes;  // planted id -> patch -> pixels
    for (int r = 0; r < h; ++r) {
      for (int c = 0; c < w; ++c) {
        std::size_t const i = static_cast<std::size_t>(r) * w + c;
        int const id = sim.truth_mask[static_cast<std::size_t>(r + y0) * sim.grid.width + (c + x0)];
        if (id == 0 || cause[i] == gk::evidence_outside_aoi) continue;
        ++votes[id][patch[i]];
        ++out[id].evidence[cause[i]];
      }
    }
    for (auto const& [id, by_patch] : votes) {
      auto const best =
          std::max_element(by_patch.begin(), by_patch.end(),
                           [](auto const& a, auto const& b) { return a.second < b.second; });
      if (best->first > 0)
        out[id].alert = &aoi.alerts.at(static_cast<std::size_t>(best->first - 1));
    }
  }
  return out;
}

/// The style names of alerts.gpkg's alerts layer, and the causes of its features.
std::pair<std::vector<std::string>, std::vector<std::string>> gpkg_styles_and_causes(
    fs::path const& gpkg) {
  std::pair<std::vector<std::string>, std::vector<std::string>> out;
  GDALDatasetUniquePtr ds(
      GDALDataset::Open(gpkg.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  EXPECT_TRUE(ds) << gpkg;
  if (!ds) return out;
  if (OGRLayer* styles = ds->GetLayerByName("layer_styles")) {
    for (auto const& f : *styles)
      if (std::string(f->GetFieldAsString("f_table_name")) == "alerts")
        out.first.emplace_back(f->GetFieldAsString("styleName"));
  }
  OGRLayer* alerts = ds->GetLayerByName("alerts");
  EXPECT_NE(alerts, nullptr);
  if (alerts != nullptr && alerts->GetLayerDefn()->GetFieldIndex("cause") >= 0) {
    for (auto const& f : *alerts) out.second.emplace_back(f->GetFieldAsString("cause"));
  }
  return out;
}

gs::simulation_result simulate(fs::path const& dir, std::uint64_t seed) {
  fs::remove_all(dir);
  gs::simulation_options o;
  o.seed = seed;
  o.width = o.height = 400;
  o.clearings = 6;
  o.burns = 2;
  o.mines = 2;
  o.floods = 2;
  return gs::simulate_scenes(dir, o);
}

fs::path temp_dir(std::string const& what) {
  return fs::temp_directory_path() / fmt::format("geosweep-causes-{}-{}", what, ::getpid());
}

// Five seeds: 60 planted patches, scored together as well as one by one.
class CauseAccuracy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { GDALAllRegister(); }
};

TEST_F(CauseAccuracy, EveryPlantedPatchGetsItsCauseAcrossSeeds) {
  std::int64_t patches = 0, right = 0;
  std::map<std::string, std::int64_t> by_cause;
  for (std::uint64_t seed : {1, 2, 3, 4, 5}) {
    auto const dir = temp_dir(std::to_string(seed));
    auto const sim = simulate(dir, seed);
    ASSERT_EQ(sim.clearings.size(), 12u);
    auto const run =
        gp::run_job(gp::load_job_spec(sim.job_file), gp::run_options{gk::backend::cpu});
    auto const found = match_planted(sim, run);
    for (auto const& c : sim.clearings) {
      ++patches;
      std::string const want = planted(c.cause);
      ++by_cause[want];
      auto const it = found.find(c.id);
      if (it == found.end() || it->second.alert == nullptr) {
        ADD_FAILURE() << "seed " << seed << ": planted " << want << " " << c.id << " has no alert";
        continue;
      }
      auto const& a = *it->second.alert;
      ASSERT_TRUE(a.cause) << a.id;
      std::string const got(gp::to_string(*a.cause));
      right += got == want ? 1 : 0;
      EXPECT_EQ(got, want) << "seed " << seed << ", planted patch " << c.id << ", alert " << a.id;
      // A severity for burns only: the simulator's char has a dNBR of about 0.98 and greens up
      // by at most 60 % towards pasture (dNBR >= 0.5), so moderate-high or high.
      if (want == "burn") {
        ASSERT_TRUE(a.burn_severity) << a.id;
        EXPECT_NE(*a.burn_severity, gp::burn_severity::moderate_low) << a.id;
      } else {
        EXPECT_FALSE(a.burn_severity) << a.id;
      }
      // The pixels say it too: most of a burn's pixels are char, a flood's new water, a
      // clearing's bare soil; a pit holds water and has bare tailings on its edge.
      auto const& e = it->second.evidence;
      auto const count = [&](std::initializer_list<int> classes) {
        std::int64_t n = 0;
        for (int k : classes) n += e.count(k) ? e.at(k) : 0;
        return n;
      };
      std::int64_t const all = count({0, 1, 2, 3, 4, 5, 6, 7, 8});
      std::int64_t const burnt = count({gk::evidence_burn_moderate_low,
                                        gk::evidence_burn_moderate_high, gk::evidence_burn_high});
      if (want == "burn") {
        EXPECT_GE(10 * burnt, 9 * all) << a.id;
      }
      if (want == "flooding") {
        EXPECT_GE(10 * count({gk::evidence_water}), 9 * all) << a.id;
      }
      if (want == "clearing") {
        EXPECT_GE(10 * count({gk::evidence_bare}), 9 * all) << a.id;
      }
      if (want == "mining") {
        EXPECT_GE(10 * count({gk::evidence_water}), 5 * all) << a.id;
        EXPECT_GE(10 * count({gk::evidence_bare}), 1 * all) << a.id;
      }
    }
    fs::remove_all(dir);
  }
  EXPECT_EQ(patches, 60);
  // The last seed's GeoPackage: the cause is an attribute, and QGIS gets a style by cause.
  {
    auto const dir = temp_dir("gpkg");
    auto const sim = simulate(dir, 5);
    auto const run =
        gp::run_job(gp::load_job_spec(sim.job_file), gp::run_options{gk::backend::cpu});
    auto const [styles, causes] =
        gpkg_styles_and_causes(sim.job_file.parent_path() / "out" / "alerts.gpkg");
    EXPECT_EQ(styles, (std::vector<std::string>{"alerts", "alerts by cause"}));
    std::vector<std::string> expected;
    for (auto const& aoi : run.aois)
      for (auto const& a : aoi.alerts) expected.emplace_back(gp::to_string(*a.cause));
    EXPECT_EQ(causes, expected);
    fs::remove_all(dir);
  }
  EXPECT_EQ(by_cause["burn"], 10);
  EXPECT_EQ(by_cause["mining"], 10);
  EXPECT_EQ(by_cause["flooding"], 10);
  // The bar is 95 %; the simulator's signatures are clean enough for all of them.
  EXPECT_GE(100 * right, 95 * patches) << right << " of " << patches;
  std::printf("causes: %lld of %lld planted patches right\n", static_cast<long long>(right),
              static_cast<long long>(patches));
}

TEST_F(CauseAccuracy, WithoutSwirBandsEveryCauseIsUnknown) {
  auto const dir = temp_dir("noswir");
  auto const sim = simulate(dir, 3);
  // A sensor without SWIR: the B11 and B12 files of every scene are gone.
  int removed = 0;
  for (auto const& scene : fs::directory_iterator(dir / "scenes")) {
    for (char const* band : {"B11.tif", "B12.tif"})
      removed += fs::remove(scene.path() / band) ? 1 : 0;
  }
  ASSERT_GT(removed, 10);
  auto spec = gp::load_job_spec(sim.job_file);
  spec.indices = {"ndvi"};  // the simulated job's NBR needs SWIR2
  // `geosweep search` finds the scenes as the run does and lists the bands the run reads:
  // those of a run without causes.
  auto const found = gp::search_scenes(spec);
  EXPECT_EQ(found.scenes.size(), 7u);
  auto off_spec = spec;
  off_spec.change.causes = false;
  EXPECT_EQ(found.bands, gp::search_scenes(off_spec).bands);
  for (char const* band : {"swir1", "swir2"})
    EXPECT_EQ(std::find(found.bands.begin(), found.bands.end(), band), found.bands.end()) << band;
  auto const run = gp::run_job(spec, gp::run_options{gk::backend::cpu});
  std::size_t alerts = 0;
  for (auto const& aoi : run.aois) {
    for (auto const& a : aoi.alerts) {
      ++alerts;
      ASSERT_TRUE(a.cause) << a.id;
      EXPECT_EQ(*a.cause, gp::alert_cause::unknown) << a.id;
      EXPECT_FALSE(a.burn_severity) << a.id;
    }
  }
  EXPECT_GE(alerts, 12u);  // the change is still found, from NDVI (red and NIR)
  auto const rows = geosweep::test_tools::csv_rows(*run.alerts_file);
  ASSERT_GE(rows.size(), 2u);
  auto const column = std::find(rows[0].begin(), rows[0].end(), "cause") - rows[0].begin();
  ASSERT_LT(static_cast<std::size_t>(column), rows[0].size());
  for (std::size_t r = 1; r < rows.size(); ++r) EXPECT_EQ(rows[r][column], "unknown");
  // No evidence band is read for nothing: the run decodes what a run without causes decodes
  // (red, NIR and SCL), not the blue and green that the SWIR-less evidence cannot use.
  spec.change.causes = false;
  auto const off = gp::run_job(spec, gp::run_options{gk::backend::cpu});
  EXPECT_GT(off.bytes_read, 0);
  EXPECT_EQ(run.bytes_read, off.bytes_read);
  fs::remove_all(dir);
}

TEST_F(CauseAccuracy, CausesOffLeavesTheColumnEmptyAndNoLayer) {
  auto const dir = temp_dir("off");
  auto const sim = simulate(dir, 3);
  auto spec = gp::load_job_spec(sim.job_file);
  ASSERT_TRUE(spec.change.causes);  // the default
  // Every scene has the SWIR bands: the run reads the evidence's SWIR1 (MNDWI, BSI), which
  // the job's indices do not need.
  auto const with = gp::search_scenes(spec).bands;
  EXPECT_NE(std::find(with.begin(), with.end(), "swir1"), with.end());
  spec.change.causes = false;
  auto const without = gp::search_scenes(spec).bands;
  EXPECT_EQ(std::find(without.begin(), without.end(), "swir1"), without.end());
  EXPECT_EQ(with.size(), without.size() + 1);
  auto const run = gp::run_job(spec, gp::run_options{gk::backend::cpu});
  std::size_t alerts = 0;
  for (auto const& aoi : run.aois) {
    for (auto const& a : aoi.alerts) {
      ++alerts;
      EXPECT_FALSE(a.cause) << a.id;
    }
  }
  EXPECT_GE(alerts, 12u);
  std::string const name =
      fmt::format("NETCDF:\"{}\":/aoi/{}/cause", run.hdf5_file->string(), run.aois[0].name);
  CPLPushErrorHandler(CPLQuietErrorHandler);
  GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  CPLPopErrorHandler();
  EXPECT_FALSE(ds) << "change.nc has a cause layer without change.causes";
  auto const [styles, causes] =
      gpkg_styles_and_causes(sim.job_file.parent_path() / "out" / "alerts.gpkg");
  EXPECT_EQ(styles, (std::vector<std::string>{"alerts"}));
  for (auto const& c : causes) EXPECT_EQ(c, "");
  fs::remove_all(dir);
}

}  // namespace
