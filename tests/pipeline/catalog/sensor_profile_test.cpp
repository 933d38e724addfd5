// Sensor profiles: band codes, quality rules, radiometry and the catalog of real product
// layouts (Landsat Collection 2 Level-2 folders, SAFE-style Sentinel-2 names, generic masks),
// on small GeoTIFFs written by the test.
#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <filesystem>

#include "catalog/scene_catalog.hpp"
#include "catalog/sensor_profile.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/kernels/transform.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "load/scene_reader.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

namespace {

/// A 4 x 4 UTM GeoTIFF, band k filled with values[k].
void write_tif(fs::path const& path, std::vector<std::uint16_t> const& band_values) {
  gp::ensure_gdal();
  fs::create_directories(path.parent_path());
  GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
  int const bands = static_cast<int>(band_values.size());
  GDALDatasetUniquePtr ds(gtiff->Create(path.c_str(), 4, 4, bands, GDT_UInt16, nullptr));
  ASSERT_TRUE(ds);
  double gt[6] = {500000, 30, 0, 9000000, 0, -30};
  ds->SetGeoTransform(gt);
  OGRSpatialReference utm;
  utm.importFromEPSG(32722);
  ds->SetSpatialRef(&utm);
  for (int b = 1; b <= bands; ++b) {
    std::vector<std::uint16_t> values(16, band_values[static_cast<std::size_t>(b - 1)]);
    ASSERT_EQ(
        ds->GetRasterBand(b)->RasterIO(GF_Write, 0, 0, 4, 4, values.data(), 4, 4, GDT_UInt16, 0, 0),
        CE_None);
  }
}

class SensorProfiles : public geosweep::test_tools::temp_dir_test {
 protected:
  gp::job_spec job(std::string const& sensor_yaml, std::string const& scenes_yaml) {
    std::string const text =
        "job: t\n" + sensor_yaml + scenes_yaml +
        "aois: [{name: a, bbox: [-51, -10, -50, -9]}]\n"
        "period: {baseline: [2019-01-01, 2019-12-31], monitor: [2020-01-01, 2020-12-31]}\n";
    return gp::parse_job_spec(text, dir_ / "job.yaml");
  }
};

}  // namespace

TEST(BandCodes, FollowTheLandsatMission) {
  auto const oli = gp::named_band_codes(gp::sensor_type::landsat_c2_l2,
                                        "LC08_L2SP_224078_20200127_20200823_02_T1");
  ASSERT_TRUE(oli);
  EXPECT_EQ(oli->bands.at("red"), "SR_B4");
  EXPECT_EQ(oli->bands.at("nir"), "SR_B5");
  EXPECT_EQ(oli->quality, "QA_PIXEL");
  auto const tm = gp::named_band_codes(gp::sensor_type::landsat_c2_l2,
                                       "LT05_L2SP_224063_19880814_20200917_02_T1");
  ASSERT_TRUE(tm);
  EXPECT_EQ(tm->bands.at("red"), "SR_B3");
  EXPECT_EQ(tm->bands.at("nir"), "SR_B4");
  EXPECT_EQ(tm->bands.at("swir2"), "SR_B7");
  EXPECT_FALSE(gp::named_band_codes(gp::sensor_type::landsat_c2_l2, "S2A_20LMR_20240101_0_L2A"));
  EXPECT_EQ(gp::named_band_codes(gp::sensor_type::sentinel2_l2a, "x")->bands.at("swir1"), "B11");
}

TEST(QualityRules, OnePerSensor) {
  gp::sensor_spec s2;
  auto const scl = gp::quality_rule_for(s2);
  ASSERT_EQ(scl.type, gp::quality_rule::kind::classes);
  EXPECT_EQ(scl.classes(4), 1);
  EXPECT_EQ(scl.classes(9), 0);
  gp::sensor_spec landsat;
  landsat.type = gp::sensor_type::landsat_c2_l2;
  auto const qa = gp::quality_rule_for(landsat);
  ASSERT_EQ(qa.type, gp::quality_rule::kind::bits);
  EXPECT_EQ(qa.bits(21824), 1);
  EXPECT_EQ(qa.bits(22280), 0);
  gp::sensor_spec generic;
  generic.type = gp::sensor_type::generic;
  EXPECT_EQ(gp::quality_rule_for(generic).type, gp::quality_rule::kind::none);
  gp::mask_spec mask;
  mask.band.band_number = 5;
  mask.reject_bits = {0, 3};
  generic.mask = mask;
  auto const bits = gp::quality_rule_for(generic);
  ASSERT_EQ(bits.type, gp::quality_rule::kind::bits);
  EXPECT_EQ(bits.bits(0b0110), 1);
  EXPECT_EQ(bits.bits(0b1000), 0);
}

TEST_F(SensorProfiles, LandsatCollection2FolderIsCataloguedReadAndMasked) {
  fs::path const product = dir_ / "scenes" / "LC08_L2SP_224063_20200601_20200824_02_T1";
  std::string const id = product.filename().string();
  write_tif(product / (id + "_SR_B4.TIF"), {10000});
  write_tif(product / (id + "_SR_B5.TIF"), {20000});
  write_tif(product / (id + "_QA_PIXEL.TIF"), {22280});  // cloud everywhere
  fs::path const earlier = dir_ / "scenes" / "LC08_L2SP_224063_20190601_20200824_02_T1";
  std::string const earlier_id = earlier.filename().string();
  write_tif(earlier / (earlier_id + "_SR_B4.TIF"), {10000});
  write_tif(earlier / (earlier_id + "_SR_B5.TIF"), {20000});
  write_tif(earlier / (earlier_id + "_QA_PIXEL.TIF"), {21824});  // clear

  auto const spec = job("sensor: landsat-c2-l2\n", "scenes: {dir: scenes}\n");
  auto const catalog = gp::build_catalog(spec, {"nir", "red"});
  ASSERT_EQ(catalog.baseline.size(), 1u);
  ASSERT_EQ(catalog.monitor.size(), 1u);
  auto const& s = catalog.monitor[0];
  EXPECT_EQ(gp::to_iso(s.date), "2020-06-01");  // acquisition date, not processing date
  EXPECT_EQ(s.bands.at("red").path.filename().string(), id + "_SR_B4.TIF");
  EXPECT_EQ(s.bands.at("nir").path.filename().string(), id + "_SR_B5.TIF");
  ASSERT_TRUE(s.quality);
  EXPECT_EQ(s.quality->path.filename().string(), id + "_QA_PIXEL.TIF");

  gp::band_reader red(s.bands.at("red"));
  auto const op = gp::band_reflectance(spec.sensor, s, red);
  EXPECT_NEAR(op(10000), 10000 * 0.0000275 - 0.2, 1e-7);
  gp::band_reader qa(*s.quality);
  auto const classes = qa.read_quality({0, 0, 4, 4});
  EXPECT_EQ(gp::quality_rule_for(spec.sensor).bits(classes[0]), 0);  // the cloud is masked
}

TEST_F(SensorProfiles, LandsatQaRadsatGivesEachBandItsSaturationBit) {
  // QA_RADSAT: bit n - 1 marks SR_Bn saturated (Collection 2 Level-2 product guide).
  EXPECT_EQ(gp::landsat_saturation_bit("SR_B1"), 0);
  EXPECT_EQ(gp::landsat_saturation_bit("SR_B4"), 3);
  EXPECT_EQ(gp::landsat_saturation_bit("SR_B7"), 6);
  EXPECT_EQ(gp::landsat_saturation_bit("QA_PIXEL"), std::nullopt);
  fs::path const product = dir_ / "scenes" / "LC08_L2SP_224063_20200601_20200824_02_T1";
  std::string const id = product.filename().string();
  write_tif(product / (id + "_SR_B4.TIF"), {10000});
  write_tif(product / (id + "_SR_B5.TIF"), {20000});
  write_tif(product / (id + "_QA_PIXEL.TIF"), {21824});
  write_tif(product / (id + "_QA_RADSAT.TIF"), {0b1000});
  fs::path const earlier = dir_ / "scenes" / "LC08_L2SP_224063_20190601_20200824_02_T1";
  std::string const earlier_id = earlier.filename().string();
  write_tif(earlier / (earlier_id + "_SR_B4.TIF"), {10000});
  write_tif(earlier / (earlier_id + "_SR_B5.TIF"), {20000});
  auto const spec = job("sensor: landsat-c2-l2\n", "scenes: {dir: scenes}\n");
  auto const catalog = gp::build_catalog(spec, {"nir", "red"});
  auto const& s = catalog.monitor.at(0);
  ASSERT_TRUE(s.saturation);
  EXPECT_EQ(s.saturation->path.filename().string(), id + "_QA_RADSAT.TIF");
  gp::band_reader red(s.bands.at("red")), nir(s.bands.at("nir"));
  EXPECT_EQ(gp::radiometry_of(spec.sensor, s, "red", red).saturation_bit, 3);
  EXPECT_EQ(gp::radiometry_of(spec.sensor, s, "nir", nir).saturation_bit, 4);
  // A product without QA_RADSAT is read unmasked for saturation.
  auto const& e = catalog.baseline.at(0);
  EXPECT_FALSE(e.saturation);
  gp::band_reader earlier_red(e.bands.at("red"));
  EXPECT_EQ(gp::radiometry_of(spec.sensor, e, "red", earlier_red).saturation_bit, -1);
}

TEST_F(SensorProfiles, Sentinel2SclClassOneSaturatedIsNotClear) {
  auto const rule =
      gp::quality_rule_for(job("sensor: sentinel2-l2a\n", "scenes: {dir: .}\n").sensor);
  EXPECT_EQ(rule.classes(1), 0);  // saturated or defective
  EXPECT_EQ(rule.classes(4), 1);
}

TEST_F(SensorProfiles, Sentinel2SafeNamesPreferTheFinestResolution) {
  fs::path const granule =
      dir_ / "scenes" / "S2B_MSIL2A_20200615T143729_N0214_R096_T20LMR_20200615T170000";
  write_tif(granule / "T20LMR_20200615T143729_B04_20m.tif", {1});
  write_tif(granule / "T20LMR_20200615T143729_B04_10m.tif", {1});
  write_tif(granule / "T20LMR_20200615T143729_B08_10m.tif", {1});
  write_tif(granule / "T20LMR_20200615T143729_SCL_20m.tif", {4});
  fs::path const baseline = dir_ / "scenes" / "S2A_20LMR_20190610_0_L2A";
  write_tif(baseline / "B04.tif", {1});
  write_tif(baseline / "B08.tif", {1});
  auto const spec = job("sensor: sentinel2-l2a\n", "scenes: {dir: scenes}\n");
  auto const catalog = gp::build_catalog(spec, {"nir", "red"});
  ASSERT_EQ(catalog.monitor.size(), 1u);
  EXPECT_EQ(catalog.monitor[0].bands.at("red").path.filename().string(),
            "T20LMR_20200615T143729_B04_10m.tif");
  ASSERT_TRUE(catalog.monitor[0].quality);
  EXPECT_EQ(catalog.monitor[0].quality->path.filename().string(),
            "T20LMR_20200615T143729_SCL_20m.tif");
  ASSERT_EQ(catalog.baseline.size(), 1u);
  EXPECT_FALSE(catalog.baseline[0].quality);  // no SCL: used unmasked
  // Before processing baseline 04.00 the BOA offset is 0.
  gp::band_reader red(catalog.baseline[0].bands.at("red"));
  EXPECT_EQ(gp::band_reflectance(spec.sensor, catalog.baseline[0], red).add_offset, 0.0f);
}

TEST_F(SensorProfiles, GenericPerBandFilesWithAMaskFile) {
  for (char const* date : {"20190601", "20200601"}) {
    std::string const prefix = std::string("X_") + date;
    write_tif(dir_ / "scenes" / (prefix + "_red.tif"), {100});
    write_tif(dir_ / "scenes" / (prefix + "_nir.tif"), {300});
    write_tif(dir_ / "scenes" / (prefix + "_qa.tif"), {0b1000});
  }
  auto const spec =
      job("sensor:\n  type: generic\n  bands: {red: _red.tif, nir: _nir.tif}\n"
          "  mask: {band: _qa.tif, reject_bits: [3]}\n",
          "scenes: {dir: scenes}\n");
  auto const catalog = gp::build_catalog(spec, {"nir", "red"});
  ASSERT_EQ(catalog.monitor.size(), 1u);
  EXPECT_EQ(catalog.monitor[0].id, "X_20200601");
  ASSERT_TRUE(catalog.monitor[0].quality);
  EXPECT_EQ(catalog.monitor[0].quality->path.filename().string(), "X_20200601_qa.tif");
  gp::band_reader qa(*catalog.monitor[0].quality);
  EXPECT_EQ(gp::quality_rule_for(spec.sensor).bits(qa.read_quality({0, 0, 4, 4})[0]), 0);
  // A scene without its mask file is an error naming it.
  fs::remove(dir_ / "scenes" / "X_20200601_qa.tif");
  EXPECT_THROW(gp::build_catalog(spec, {"nir", "red"}), geosweep::config_error);
}

TEST_F(SensorProfiles, MissingBandIsAnErrorNamingTheScene) {
  fs::path const scene = dir_ / "scenes" / "S2A_20LMR_20200610_0_L2A";
  write_tif(scene / "B04.tif", {1});
  auto const spec = job("sensor: sentinel2-l2a\n", "scenes: {dir: scenes}\n");
  try {
    gp::build_catalog(spec, {"nir", "red"});
    FAIL() << "expected a config_error";
  } catch (geosweep::config_error const& e) {
    EXPECT_NE(std::string(e.what()).find(scene.string() + ": scene has no B08 (nir) band file"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(SensorProfiles, GenericMultibandWithAMaskBand) {
  write_tif(dir_ / "a_20190601.tif", {1000, 3000, 2});  // mask class 2: clear
  write_tif(dir_ / "b_20200601.tif", {1000, 3000, 9});  // mask class 9: cloud
  auto const spec =
      job("sensor:\n  type: generic\n  bands: {red: 1, nir: 2}\n  scale: 0.0001\n"
          "  mask: {band: 3, clear_values: [1, 2]}\n",
          "scenes: {list: [a_20190601.tif, b_20200601.tif]}\n");
  auto const catalog = gp::build_catalog(spec, {"nir", "red"});
  ASSERT_EQ(catalog.baseline.size(), 1u);
  ASSERT_EQ(catalog.monitor.size(), 1u);
  auto const rule = gp::quality_rule_for(spec.sensor);
  ASSERT_EQ(rule.type, gp::quality_rule::kind::classes);
  for (auto const* s : {&catalog.baseline[0], &catalog.monitor[0]}) {
    ASSERT_TRUE(s->quality);
    EXPECT_EQ(s->quality->band, 3);
    EXPECT_EQ(s->bands.at("nir").band, 2);
  }
  gp::band_reader clear_mask(*catalog.baseline[0].quality), cloud_mask(*catalog.monitor[0].quality);
  EXPECT_EQ(rule.classes(clear_mask.read_quality({0, 0, 4, 4})[5]), 1);
  EXPECT_EQ(rule.classes(cloud_mask.read_quality({0, 0, 4, 4})[5]), 0);
  gp::band_reader nir(catalog.baseline[0].bands.at("nir"));
  EXPECT_FLOAT_EQ(gp::band_reflectance(spec.sensor, catalog.baseline[0], nir)(3000), 0.3f);
}
