// The job spec's `landcover` block: a class raster, its class names (a map or a built-in
// table) and values by class; every error with file, line, column and key path.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;

namespace {

class LandcoverSpec : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("geosweep_landcover_spec_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "scenes");
    std::ofstream(dir_ / "lc.tif") << "not read by the parser";
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// The config_error text for the job with `block` appended, or "" when it parses.
  std::string error_of(std::string const& block) {
    try {
      gp::parse_job_spec(kJob + block, dir_ / "job.yaml");
    } catch (geosweep::config_error const& e) {
      return e.what();
    }
    return "";
  }
  std::string job_file() const { return (dir_ / "job.yaml").string(); }

  // 8 lines: a landcover block starts on line 9.
  static inline std::string const kJob = R"(job: test
scenes:
  dir: scenes
aois:
  - {name: north, bbox: [-63.0, -9.6, -62.9, -9.5], value_per_ha: 10}
period:
  baseline: [2023-06-01, 2023-08-31]
  monitor: [2024-06-01, 2024-08-31]
)";
  fs::path dir_;
};

}  // namespace

TEST_F(LandcoverSpec, NoBlockNoLandcover) {
  auto const spec = gp::parse_job_spec(kJob, dir_ / "job.yaml");
  EXPECT_FALSE(spec.landcover);
  EXPECT_EQ(*spec.aois[0].value_per_ha, 10.0);
}

TEST_F(LandcoverSpec, MapOfClassesWithValuesAndBand) {
  auto const spec = gp::parse_job_spec(kJob + R"(landcover:
  raster: lc.tif
  band: 2
  classes: {111: dense evergreen forest, 112: dense evergreen forest, 40: cropland}
  value_per_ha: {dense evergreen forest: 3000}
)",
                                       dir_ / "job.yaml");
  ASSERT_TRUE(spec.landcover);
  auto const& lc = *spec.landcover;
  EXPECT_EQ(lc.raster, dir_ / "lc.tif");
  EXPECT_EQ(lc.band, 2);
  EXPECT_TRUE(lc.table.empty());
  ASSERT_EQ(lc.classes.size(), 3u);
  EXPECT_EQ(lc.classes.at(111), "dense evergreen forest");
  EXPECT_EQ(lc.classes.at(112), "dense evergreen forest");
  EXPECT_EQ(lc.classes.at(40), "cropland");
  EXPECT_EQ(lc.value_per_ha.at("dense evergreen forest"), 3000.0);
  EXPECT_EQ(gp::landcover_class_name(lc, 40), "cropland");
  EXPECT_EQ(gp::landcover_class_name(lc, 7), "class 7");  // reported, not dropped
  EXPECT_EQ(lc.where.line, 10);
}

TEST_F(LandcoverSpec, BuiltInTablesHaveTheProductsCodes) {
  auto const spec = gp::parse_job_spec(kJob + "landcover: {raster: lc.tif, classes: cgls-lc100}\n",
                                       dir_ / "job.yaml");
  ASSERT_TRUE(spec.landcover);
  EXPECT_EQ(spec.landcover->band, 1);
  EXPECT_EQ(spec.landcover->table, "cgls-lc100");
  auto const& cgls = spec.landcover->classes;
  // CGLS-LC100 v3 product user manual: 23 codes, 0..200.
  EXPECT_EQ(cgls.size(), 23u);
  EXPECT_EQ(cgls.at(112), "closed forest evergreen broad leaf");
  EXPECT_EQ(cgls.at(126), "open forest unknown");
  EXPECT_EQ(cgls.at(40), "cultivated and managed vegetation");
  EXPECT_EQ(cgls.at(200), "open sea");
  auto const* wc = gp::landcover_class_table("esa-worldcover");
  ASSERT_NE(wc, nullptr);
  EXPECT_EQ(wc->size(), 12u);
  EXPECT_EQ(wc->at(10), "tree cover");
  EXPECT_EQ(wc->at(95), "mangroves");
  EXPECT_EQ(gp::landcover_class_table("corine"), nullptr);
}

TEST_F(LandcoverSpec, ValueOfABuiltInClassByItsName) {
  auto const spec = gp::parse_job_spec(kJob + R"(landcover:
  raster: lc.tif
  classes: esa-worldcover
  value_per_ha: {tree cover: 5000, mangroves: 9000}
)",
                                       dir_ / "job.yaml");
  EXPECT_EQ(spec.landcover->value_per_ha.at("mangroves"), 9000.0);
}

TEST_F(LandcoverSpec, UnknownKeyIsPlaced) {
  auto const e = error_of("landcover:\n  raster: lc.tif\n  classes: cgls-lc100\n  bnad: 1\n");
  EXPECT_NE(e.find(job_file() + ":12:3: landcover.bnad: unknown key 'bnad'; did you mean 'band'?"),
            std::string::npos)
      << e;
}

TEST_F(LandcoverSpec, ValueOfAClassNotNamed) {
  auto const e = error_of(
      "landcover:\n  raster: lc.tif\n  classes: {10: forest}\n  value_per_ha: {froest: 3}\n");
  EXPECT_NE(
      e.find(job_file() + ":12:18: landcover.value_per_ha.froest: 'froest' is not a class name of "
                          "landcover.classes"),
      std::string::npos)
      << e;
}

TEST_F(LandcoverSpec, MissingRasterFile) {
  auto const e = error_of("landcover: {raster: missing.tif, classes: cgls-lc100}\n");
  EXPECT_NE(e.find(job_file() + ":9:21: landcover.raster: land-cover raster '" +
                   (dir_ / "missing.tif").string() + "' does not exist"),
            std::string::npos)
      << e;
  EXPECT_NE(
      error_of("landcover: {classes: cgls-lc100}\n").find(":9:12: landcover: missing key 'raster'"),
      std::string::npos);
}

TEST_F(LandcoverSpec, BadClassesBandAndValues) {
  auto const table = error_of("landcover: {raster: lc.tif, classes: cgls-lc10}\n");
  EXPECT_NE(table.find(":9:38: landcover.classes: unknown class table 'cgls-lc10'; did you mean "
                       "'cgls-lc100'?"),
            std::string::npos)
      << table;
  auto const code = error_of("landcover:\n  raster: lc.tif\n  classes: {forest: 10}\n  band: 0\n");
  EXPECT_NE(code.find(":11:13: landcover.classes.forest: expected an integer"), std::string::npos)
      << code;
  EXPECT_NE(code.find(":12:9: landcover.band:"), std::string::npos) << code;
  auto const missing = error_of("landcover: {raster: lc.tif}\n");
  EXPECT_NE(missing.find(":9:12: landcover: missing key 'classes'"), std::string::npos) << missing;
  auto const negative = error_of(
      "landcover:\n  raster: lc.tif\n  classes: {10: forest}\n  value_per_ha: {forest: -1}\n");
  EXPECT_NE(negative.find(":12:26: landcover.value_per_ha.forest: must not be negative"),
            std::string::npos)
      << negative;
}

TEST_F(LandcoverSpec, NeedsChangeNcAndTheTables) {
  auto const e = error_of(
      "outputs: {hdf5: false, alert_polygons: []}\nlandcover: {raster: lc.tif, classes: "
      "cgls-lc100}\n");
  EXPECT_NE(e.find(":10:12: landcover: landcover.csv is counted from change.nc's patch pixels"),
            std::string::npos)
      << e;
}
