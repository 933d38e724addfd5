// `change.method: bfast` end to end on the simulator's long series (geosweep simulate --series:
// three years of history and one of monitoring at a 5-day revisit, seasons that vary from year
// to year, a cloudy season, planted clear-cuts, partial cuts, a slow degradation and a
// regrowth). Expected values are the planted truth (truth.geojson): every cut is one alert dated
// the first scene on which it is visible, of its planted area; the regrowth and the undisturbed
// forest are never flagged; the degradation, if at all, only once it has fallen most of its way.
// Then the same job with the MOSUM test alone (min_fall 0): season differences become alerts,
// which is why min_fall exists (docs/detector.md).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include "geosweep/pipeline/civil_date.hpp"
#include "tools/run_geosweep.hpp"
#include "tools/shell_command.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;

namespace {

struct planted {
  std::string kind, aoi, first_visible;
  double area_ha = 0;
  std::unique_ptr<OGRGeometry> shape;
};

struct alert {
  std::string aoi, first_seen, confidence;
  double area_ha = 0;
  std::unique_ptr<OGRGeometry> shape;
};

/// An OGR date field as ISO 8601 (OGR writes 2024/06/04).
std::string iso(char const* text) {
  std::string s = text;
  for (auto& c : s) c = c == '/' ? '-' : c;
  return s;
}

std::vector<planted> read_truth(fs::path const& path) {
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  std::vector<planted> out;
  if (!ds) return out;
  for (auto& f : *ds->GetLayer(0)) {
    planted p;
    p.kind = f->GetFieldAsString("kind");
    p.aoi = f->GetFieldAsString("aoi");
    p.first_visible = iso(f->GetFieldAsString("first_visible"));
    p.area_ha = f->GetFieldAsDouble("area_ha");
    p.shape.reset(f->GetGeometryRef()->clone());
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<alert> read_alerts(fs::path const& path) {
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  std::vector<alert> out;
  if (!ds) return out;
  for (auto& f : *ds->GetLayer(0)) {
    alert a;
    a.aoi = f->GetFieldAsString("aoi");
    a.first_seen = iso(f->GetFieldAsString("first_seen"));
    a.confidence = f->GetFieldAsString("confidence");
    a.area_ha = f->GetFieldAsDouble("area_ha");
    a.shape.reset(f->GetGeometryRef()->clone());
    out.push_back(std::move(a));
  }
  return out;
}

/// The share of `a`'s area inside `b` (both in lon/lat: a ratio of areas of one small place).
double share_inside(OGRGeometry const& a, OGRGeometry const& b) {
  std::unique_ptr<OGRGeometry> both(a.Intersection(&b));
  if (!both || both->IsEmpty()) return 0.0;
  auto const area = [](OGRGeometry const& g) {
    auto const* s = dynamic_cast<OGRSurface const*>(&g);
    if (s != nullptr) return s->get_Area();
    auto const* c = dynamic_cast<OGRGeometryCollection const*>(&g);
    return c != nullptr ? c->get_Area() : 0.0;
  };
  return area(*both) / area(a);
}

class BfastSeries : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GDALAllRegister();
    root_ = fs::temp_directory_path() / ("geosweep_bfast_series_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    auto const e = tt::run_geosweep({"simulate", "--series", "--out", (root_ / "sim").string(),
                                     "--seed", "5", "--size", "200"});
    ASSERT_EQ(e.code, 0) << e.output;
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  /// Runs the simulated job with `change_extra` added to its change block; its alerts.
  static std::vector<alert> run(std::string const& name, std::string const& change_extra) {
    std::string job = tt::read_file(root_ / "sim" / "job.yaml");
    auto const at = job.find("  method: bfast\n");
    EXPECT_NE(at, std::string::npos) << job;
    job.insert(at + std::string("  method: bfast\n").size(), change_extra);
    auto const out = "outputs:\n  dir: out-" + name + "\n";
    auto const outputs = job.find("outputs:\n");
    EXPECT_NE(outputs, std::string::npos);
    job.replace(outputs, std::string("outputs:\n").size(), out);
    fs::path const path = root_ / "sim" / (name + ".yaml");
    std::ofstream(path) << job;
    auto const e = tt::run_geosweep({"--backend", "cpu", "run", path.string()});
    EXPECT_EQ(e.code, 0) << e.output;
    return read_alerts(root_ / "sim" / ("out-" + name) / "alerts.geojson");
  }

  static fs::path root_;
};

fs::path BfastSeries::root_;

}  // namespace

TEST_F(BfastSeries, FindsEveryCutOnItsDayAndNothingElse) {
  auto const truth = read_truth(root_ / "sim" / "truth.geojson");
  ASSERT_EQ(truth.size(), 6u);
  auto const alerts = run("default", "");
  std::vector<bool> explained(alerts.size(), false);
  int cuts = 0;
  for (auto const& p : truth) {
    std::vector<std::size_t> hits;
    for (std::size_t a = 0; a < alerts.size(); ++a)
      if (share_inside(*p.shape, *alerts[a].shape) > 0.0) hits.push_back(a);
    for (auto a : hits) explained[a] = true;
    if (p.kind == "clearing" || p.kind == "partial") {
      ++cuts;
      ASSERT_EQ(hits.size(), 1u) << p.kind << " of " << p.first_visible;
      auto const& a = alerts[hits[0]];
      EXPECT_EQ(a.aoi, p.aoi);
      EXPECT_EQ(a.first_seen, p.first_visible) << p.kind;
      EXPECT_EQ(a.confidence, "high");
      EXPECT_GE(share_inside(*p.shape, *a.shape), 0.95) << p.kind << " found in part";
      EXPECT_NEAR(a.area_ha, p.area_ha, 0.1 * p.area_ha) << p.kind;
    } else if (p.kind == "regrowth") {
      EXPECT_TRUE(hits.empty()) << "a regrowth flagged as loss";
    } else {
      ASSERT_EQ(p.kind, "degradation");
      for (auto a : hits) {
        // Not before its fall reached most of the way (180 days to its full, small, fall).
        EXPECT_GE(gp::days_since_epoch(gp::parse_iso_date(alerts[a].first_seen).value()),
                  gp::days_since_epoch(gp::parse_iso_date(p.first_visible).value()) + 90);
      }
    }
  }
  EXPECT_EQ(cuts, 4);
  for (std::size_t a = 0; a < alerts.size(); ++a)
    EXPECT_TRUE(explained[a]) << "alert of " << alerts[a].first_seen << " where nothing changed";
}

TEST_F(BfastSeries, TheMosumAloneAlsoFlagsSeasonsThatDifferFromTheHistory) {
  // With min_fall 0 (bfastmonitor's test alone) a monitoring season weaker than the history's
  // crosses the boundary: alerts over undisturbed forest, or cuts dated before they happened.
  auto const plain = run("mosum-only", "  bfast: {min_fall: 0}\n");
  auto const truth = read_truth(root_ / "sim" / "truth.geojson");
  int wrong = 0;
  for (auto const& a : plain) {
    bool explained = false;
    for (auto const& p : truth) {
      bool const cut = p.kind == "clearing" || p.kind == "partial";
      if (cut && share_inside(*a.shape, *p.shape) > 0.0 && a.first_seen == p.first_visible)
        explained = true;
    }
    wrong += explained ? 0 : 1;
  }
  EXPECT_GT(wrong, 0) << "with min_fall 0 the year-to-year season differences are found";
}

TEST_F(BfastSeries, PixelsWithTooShortAHistoryAreNoModelAndTheReportSaysHowMany) {
  // 219 history dates, most of them cloudy in the wet season: min_history 150 leaves some
  // pixels without a model (class 253), which the report's map pages state as a share.
  run("short-history", "  bfast: {min_history: 150}\n");
  fs::path const nc = root_ / "sim" / "out-short-history" / "change.nc";
  auto const name = "NETCDF:\"" + nc.string() + "\":/aoi/reserve-north/change";
  GDALDatasetUniquePtr v(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  ASSERT_TRUE(v) << name;
  std::vector<std::uint8_t> classes(static_cast<std::size_t>(v->GetRasterXSize()) *
                                    v->GetRasterYSize());
  ASSERT_EQ(v->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, v->GetRasterXSize(), v->GetRasterYSize(),
                                          classes.data(), v->GetRasterXSize(), v->GetRasterYSize(),
                                          GDT_Byte, 0, 0),
            CE_None);
  std::size_t inside = 0, no_model = 0;
  for (auto c : classes) {
    inside += c != 254 ? 1 : 0;
    no_model += c == 253 ? 1 : 0;
  }
  ASSERT_GT(no_model, 0u);
  ASSERT_LT(no_model, inside);
  auto const report = tt::run_geosweep(
      {"report", (root_ / "sim" / "short-history.yaml").string(), "--aoi", "reserve-north"});
  ASSERT_EQ(report.code, 0) << report.output;
  auto const text = geosweep::test_tools::shell(
      "pdftotext " +
      (root_ / "sim" / "out-short-history" / "report" / "reserve-north.pdf").string() + " -");
  ASSERT_EQ(text.exit_code, 0) << text.out;
  double const percent = 100.0 * static_cast<double>(no_model) / static_cast<double>(inside);
  char expected[64];
  std::snprintf(
      expected, sizeof expected,
      percent < 9.5 ? "%.1f %% of the AOI has no model" : "%.0f %% of the AOI has no model",
      percent);
  EXPECT_NE(text.out.find(expected), std::string::npos) << expected << "\n"
                                                        << text.out.substr(0, 2000);
}
