// Real data from $GEOSWEEP_SHARED_DATA (exits 77, skipped, when it is unset):
//  - every spectral index of the Landsat 5 TM Amazon scene (Tucuruí, 1988), read through the
//    catalog and band reader and computed by the kernels, against an independent reference
//    from GDAL's Python bindings and numpy, bit for bit;
//  - a real two-date job: swissEO Sentinel-2 mosaics of Aargau (LV95) over the canton's forest
//    polygons, where little changed.
#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>

#include "catalog/scene_catalog.hpp"
#include "catalog/sensor_profile.hpp"
#include "compute/spectral_index.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/transform.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "load/scene_reader.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

namespace {

fs::path shared_data() {
  return fs::path(std::getenv("GEOSWEEP_SHARED_DATA"));
}

fs::path scratch(char const* name) {
  auto const dir = fs::temp_directory_path() /
                   (std::string("geosweep_") + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::vector<float> read_f32(fs::path const& path, std::size_t n) {
  std::vector<float> values(n);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(values.data()), static_cast<std::streamsize>(n * sizeof(float)));
  EXPECT_EQ(in.gcount(), static_cast<std::streamsize>(n * sizeof(float))) << path;
  return values;
}

}  // namespace

TEST(Landsat5Amazon, EveryIndexMatchesNumpyBitForBit) {
  fs::path const scene_dir = shared_data() / "landsat5-tm-amazon-1988";
  ASSERT_TRUE(fs::exists(scene_dir / "LT52240631988227CUB02_B4.TIF")) << scene_dir;
  fs::path const work = scratch("real_l5");

  // A generic per-band sensor, as a user would write it for these files (TM band numbers),
  // with DN scaled to [0, 1].
  std::string const job =
      "job: tucurui\n"
      "sensor:\n  type: generic\n"
      "  bands: {blue: _B1.TIF, green: _B2.TIF, red: _B3.TIF, nir: _B4.TIF, swir1: _B5.TIF, swir2: "
      "_B7.TIF}\n"
      "  scale: 0.004\n  nodata: 0\n"
      "scenes: {dir: " +
      scene_dir.string() +
      "}\n"
      "aois: [{name: all, bbox: [-50, -4, -49.8, -3.6]}]\n"
      "period: {baseline: [1988-01-01, 1988-06-30], monitor: [1988-07-01, 1988-12-31]}\n"
      "indices: [ndvi, nbr, nbr2, ndmi, ndwi, mndwi, evi, savi, msavi, bsi]\n";
  auto const spec = gp::parse_job_spec(job, work / "job.yaml");
  // The catalog groups the per-band files into one scene dated from the Landsat scene id
  // (1988, day 227), in the monitoring period: the baseline has none.
  try {
    gp::build_catalog(spec, {"nir", "red"});
    ADD_FAILURE() << "a baseline period without scenes must be an error";
  } catch (geosweep::config_error const& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "period.baseline: none of the 1 scenes found falls between 1988-01-01"),
              std::string::npos)
        << e.what();
  }
  gp::scene s;
  s.id = "LT52240631988227CUB02";
  s.date = *gp::date_from_name(s.id);
  EXPECT_EQ(gp::to_iso(s.date), "1988-08-14");

  std::map<std::string, std::string> const files{{"blue", "B1"}, {"green", "B2"}, {"red", "B3"},
                                                 {"nir", "B4"},  {"swir1", "B5"}, {"swir2", "B7"}};
  std::map<std::string, std::vector<float>> reflectance;
  gp::raster_grid grid;
  for (auto const& [band, code] : files) {
    gp::band_file file;
    file.path = scene_dir / ("LT52240631988227CUB02_" + code + ".TIF");
    gp::band_reader reader(file);
    if (grid.width == 0) grid = reader.grid();
    reader.require_grid(grid);
    auto const dn = reader.read_dn({0, 0, grid.width, grid.height});
    auto& values = reflectance[band];
    values.resize(grid.pixel_count());
    gk::transform_pixels(gk::backend::cpu, values.size(),
                         gp::band_reflectance(spec.sensor, s, reader), values.data(), dn.data());
  }
  EXPECT_EQ(grid.width, 287);
  EXPECT_EQ(grid.height, 310);

  std::string command =
      "/usr/bin/python3 " GEOSWEEP_SOURCE_DIR "/tests/tools/index_reference.py 0.004 0 0";
  for (char const* band : {"blue", "green", "red", "nir", "swir1", "swir2"}) {
    command +=
        " '" + (scene_dir / ("LT52240631988227CUB02_" + files.at(band) + ".TIF")).string() + "'";
  }
  command += " '" + work.string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  for (auto const& index : gp::spectral_indices()) {
    SCOPED_TRACE(index.name);
    std::vector<float> ours(grid.pixel_count());
    gk::spectral_index_op const op{index.kind};
    auto const band = [&](std::size_t i) { return reflectance.at(index.bands[i]).data(); };
    if (index.bands.size() == 2)
      gk::transform_pixels(gk::backend::cpu, ours.size(), op, ours.data(), band(0), band(1));
    if (index.bands.size() == 3)
      gk::transform_pixels(gk::backend::cpu, ours.size(), op, ours.data(), band(0), band(1),
                           band(2));
    if (index.bands.size() == 4)
      gk::transform_pixels(gk::backend::cpu, ours.size(), op, ours.data(), band(0), band(1),
                           band(2), band(3));
    auto const reference = read_f32(work / (index.name + ".f32"), ours.size());
    std::size_t mismatches = 0, valid = 0;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      bool const both_nan = std::isnan(ours[i]) && std::isnan(reference[i]);
      if (!both_nan && std::memcmp(&ours[i], &reference[i], sizeof(float)) != 0) ++mismatches;
      valid += std::isnan(ours[i]) ? 0 : 1;
    }
    EXPECT_EQ(mismatches, 0u);
    EXPECT_GT(valid, ours.size() * 9 / 10);
  }
  // Realism: the scene is mostly forest (high NDVI) with clearings and reservoir arms.
  auto const ndvi = read_f32(work / "ndvi.f32", grid.pixel_count());
  std::size_t forest = 0, water = 0;
  for (float v : ndvi) {
    forest += v > 0.5f ? 1 : 0;
    water += v < 0.0f ? 1 : 0;
  }
  EXPECT_GT(forest, ndvi.size() / 3);
  EXPECT_GT(water, 0u);
  fs::remove_all(work);
}

namespace {

/// The example job of configs/, pointed at $GEOSWEEP_SHARED_DATA and `work`/out.
std::string swisseo_job_text(fs::path const& work) {
  std::ifstream in(fs::path(GEOSWEEP_SOURCE_DIR) / "configs" / "swisseo-aargau.yaml");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (std::string::size_type at; (at = text.find("../../shared/data")) != std::string::npos;) {
    text.replace(at, std::strlen("../../shared/data"), shared_data().string());
  }
  text.replace(text.find("../out/swisseo-aargau"), std::strlen("../out/swisseo-aargau"),
               (work / "out").string());
  return text;
}

}  // namespace

TEST(SwissEoAargau, RealTwoDateJobOverForestPolygons) {
  fs::path const data = shared_data() / "swisseo-aargau-2025-2026";
  ASSERT_TRUE(fs::exists(data / "swissEO_S2SR_08082025.tif")) << data;
  fs::path const work = scratch("real_swisseo");
  std::string const text = swisseo_job_text(work);
  auto const spec = gp::parse_job_spec(text, work / "job.yaml");
  auto const result = gp::run_job(spec, gp::run_options{gk::backend::cpu});

  ASSERT_EQ(result.aois.size(), 1u);
  auto const& forest = result.aois[0];
  EXPECT_EQ(gp::to_iso(forest.date_before), "2025-08-08");
  EXPECT_EQ(gp::to_iso(forest.date_after), "2026-07-22");
  // The forest polygons inside the 347 x 319 mosaic at 10 m: 17 900 pixels, all clear.
  EXPECT_NEAR(forest.clear_area_ha, 179.0, 0.01);
  // Little changed between the two summers: loss is a small fraction of the forest, in a few
  // small patches (the analyst's own NDVI-difference mask marks 261 pixels, 2.6 ha; the numpy
  // model of the job's rule below gives 2.27 ha).
  EXPECT_GT(forest.changed_area_ha, 0.0);
  EXPECT_LT(forest.changed_area_ha, 0.03 * forest.clear_area_ha);
  EXPECT_FALSE(forest.alerts.empty());
  for (auto const& p : forest.alerts) {
    EXPECT_GE(p.area_ha, spec.change.min_area_ha);
    EXPECT_NEAR(p.centroid_lat, 47.4, 0.3);  // Aargau
    EXPECT_NEAR(p.centroid_lon, 8.1, 0.4);
  }
  // The raster output keeps the Swiss grid.
  ASSERT_TRUE(result.hdf5_file);
  std::string const name =
      "NETCDF:\"" + result.hdf5_file->string() + "\":/aoi/aargau-forest/change";
  GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  ASSERT_TRUE(ds);
  OGRSpatialReference lv95;
  lv95.importFromEPSG(2056);
  ASSERT_NE(ds->GetSpatialRef(), nullptr);
  EXPECT_TRUE(ds->GetSpatialRef()->IsSame(&lv95));
  double gt[6];
  ASSERT_EQ(ds->GetGeoTransform(gt), CE_None);
  EXPECT_NEAR(gt[1], 10.0, 1e-9);
  EXPECT_GE(gt[0], 2668190.0 - 1e-6);  // inside the mosaic's extent
  EXPECT_LE(gt[3], 1236500.0 + 1e-6);

  // Most of what geosweep flags, the analyst flagged too (on the same LV95 grid).
  int const w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
  std::vector<std::uint8_t> change(static_cast<std::size_t>(w) * h), analyst(change.size());
  ASSERT_EQ(
      ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, change.data(), w, h, GDT_Byte, 0, 0),
      CE_None);
  GDALDatasetUniquePtr mask(
      GDALDataset::Open((data / "author_changemask_binary_2025_2026_LV95.tif").c_str(),
                        GDAL_OF_RASTER | GDAL_OF_READONLY));
  ASSERT_TRUE(mask);
  double mask_gt[6];
  ASSERT_EQ(mask->GetGeoTransform(mask_gt), CE_None);
  int const x0 = static_cast<int>(std::lround((gt[0] - mask_gt[0]) / mask_gt[1]));
  int const y0 = static_cast<int>(std::lround((gt[3] - mask_gt[3]) / mask_gt[5]));
  ASSERT_EQ(
      mask->GetRasterBand(1)->RasterIO(GF_Read, x0, y0, w, h, analyst.data(), w, h, GDT_Byte, 0, 0),
      CE_None);
  // The alerts' pixels: patch > 0 (a weaker fall in no patch stays class 3, evidence only).
  std::string const patch_name =
      "NETCDF:\"" + result.hdf5_file->string() + "\":/aoi/aargau-forest/patch";
  GDALDatasetUniquePtr patch_ds(
      GDALDataset::Open(patch_name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  ASSERT_TRUE(patch_ds);
  std::vector<std::int32_t> patch(change.size());
  ASSERT_EQ(patch_ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, patch.data(), w, h, GDT_Int32,
                                                 0, 0),
            CE_None);
  std::size_t ours = 0, agreed = 0, theirs = 0;
  for (std::size_t i = 0; i < change.size(); ++i) {
    theirs += analyst[i] == 1 && change[i] != gk::change_outside_aoi ? 1 : 0;
    if (patch[i] > 0) {
      EXPECT_NE(gk::is_change_op{}(change[i]), 0) << i;
    }
    if (patch[i] == 0) {
      // Outside the alerts: no seed (1, 2) is left; weaker falls may be.
      EXPECT_TRUE(change[i] != gk::change_low && change[i] != gk::change_high) << i;
      continue;
    }
    ++ours;
    agreed += analyst[i] == 1 ? 1 : 0;
  }
  EXPECT_EQ(static_cast<std::int64_t>(ours), forest.changed_pixels);
  // The analyst's threshold is lower than the job's (the median fall of the pixels they mark is
  // 0.13) and their mask is smoothed, so the two agree only in part: a numpy model of the job's
  // rule (seeds falling by 0.2 outside 20 m of the polygons' edges, grown into falls of 0.1,
  // 0.1 ha) flags 227 pixels, 130 of them (57 %) in the analyst's mask, which holds 261 (50 %
  // found).
  EXPECT_GE(3 * agreed, ours) << agreed << " of " << ours
                              << " flagged pixels agree with the analyst";
  EXPECT_GE(20 * agreed, 9 * theirs) << agreed << " of the analyst's " << theirs << " pixels found";
  fs::remove_all(work);
}

TEST(SwissEoAargau, TheDefaultRuleKeepsTheControlNearlyFreeOfAlerts) {
  // The same two summers with every change.* setting at its default (drop 0.25, grow 0.5,
  // minimum 0.5 ha, a one-pixel edge buffer): a control where little changed. A numpy model
  // of that rule (without the edge buffer) flags 95 pixels (0.95 ha) of 17 856 forest pixels;
  // the bound is 1.5 ha, 0.8 % of the forest.
  fs::path const work = scratch("real_swisseo_defaults");
  std::string text = swisseo_job_text(work);
  auto const block = text.find("\nchange:");
  ASSERT_NE(block, std::string::npos);
  text.replace(block, text.find("\noutputs:") - block,
               "\nchange:\n  method: bitemporal\n  index: ndvi\n");
  auto const spec = gp::parse_job_spec(text, work / "job.yaml");
  ASSERT_EQ(spec.change.drop, 0.25);
  ASSERT_EQ(spec.change.min_area_ha, 0.5);
  auto const result = gp::run_job(spec, gp::run_options{gk::backend::cpu});
  ASSERT_EQ(result.aois.size(), 1u);
  EXPECT_LE(result.aois[0].changed_area_ha, 1.5);
  for (auto const& p : result.aois[0].alerts) EXPECT_GE(p.area_ha, 0.5);
  fs::remove_all(work);
}

int main(int argc, char** argv) {
  if (std::getenv("GEOSWEEP_SHARED_DATA") == nullptr) {
    std::printf(
        "real_data_test: GEOSWEEP_SHARED_DATA is unset: skipped (set it to ../shared/data)\n");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
