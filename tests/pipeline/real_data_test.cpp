// Real data from $GEOSWEEP_SHARED_DATA: NDVI of the Landsat 5 TM Amazon scene (Tucuruí,
// 1988) from its DN bands, read through the catalog and band reader and computed by the
// kernels, against an independent reference from GDAL's Python bindings and numpy.
// Exits 77 (skipped) when GEOSWEEP_SHARED_DATA is unset.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "geosweep/kernels/transform.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/scene_catalog.hpp"
#include "geosweep/pipeline/scene_reader.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

namespace {

fs::path shared_data() {
  return fs::path(std::getenv("GEOSWEEP_SHARED_DATA"));
}

}  // namespace

TEST(Landsat5Amazon, NdviMatchesNumpyReferenceBitForBit) {
  fs::path const scene_dir = shared_data() / "landsat5-tm-amazon-1988";
  ASSERT_TRUE(fs::exists(scene_dir / "LT52240631988227CUB02_B4.TIF")) << scene_dir;
  fs::path const work = fs::temp_directory_path() / ("geosweep_real_" + std::to_string(::getpid()));
  fs::create_directories(work);

  // A generic per-band sensor spec, as a user would write it for these files.
  std::string const job =
      "job: tucurui\n"
      "sensor: {type: generic, bands: {red: _B3.TIF, nir: _B4.TIF}, nodata: 0}\n"
      "scenes: {dir: " +
      scene_dir.string() +
      "}\n"
      "aois: [{name: all, bbox: [-50, -4, -49.8, -3.6]}]\n"
      "period: {baseline: [1988-01-01, 1988-06-30], monitor: [1988-07-01, 1988-12-31]}\n";
  auto const spec = gp::parse_job_spec(job, work / "job.yaml");
  // The catalog groups the per-band files into one scene, dated from the Landsat scene id
  // (1988, day 227), which falls in the monitoring period: the baseline has none.
  try {
    gp::build_catalog(spec, {"nir", "red"});
    ADD_FAILURE() << "a baseline period without scenes must be an error";
  } catch (geosweep::config_error const& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "period.baseline: none of the 1 scenes found falls between 1988-01-01"),
              std::string::npos)
        << e.what();
  }
  auto const date = gp::date_from_name("LT52240631988227CUB02");
  ASSERT_TRUE(date);
  EXPECT_EQ(gp::to_iso(*date), "1988-08-14");

  gp::scene s;
  s.id = "LT52240631988227CUB02";
  s.date = *date;
  gp::band_reader nir({scene_dir / "LT52240631988227CUB02_B4.TIF", 1});
  gp::band_reader red({scene_dir / "LT52240631988227CUB02_B3.TIF", 1});
  auto const grid = nir.grid();
  EXPECT_EQ(grid.width, 287);
  EXPECT_EQ(grid.height, 310);
  red.require_grid(grid);
  gp::pixel_window const all{0, 0, grid.width, grid.height};
  auto const nir_dn = nir.read_dn(all);
  auto const red_dn = red.read_dn(all);
  std::vector<float> ndvi(grid.pixel_count());
  gk::transform_pixels(gk::backend::cpu, ndvi.size(),
                       gk::index_from_dn_unmasked_op{nir.reflectance(spec.sensor, s),
                                                     red.reflectance(spec.sensor, s)},
                       ndvi.data(), static_cast<std::uint16_t const*>(nir_dn.data()),
                       static_cast<std::uint16_t const*>(red_dn.data()));

  fs::path const reference_file = work / "ndvi_reference.f32";
  std::string const command =
      "/usr/bin/python3 " GEOSWEEP_SOURCE_DIR "/tests/tools/ndvi_reference.py '" +
      (scene_dir / "LT52240631988227CUB02_B4.TIF").string() + "' '" +
      (scene_dir / "LT52240631988227CUB02_B3.TIF").string() + "' '" + reference_file.string() + "'";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::vector<float> reference(grid.pixel_count());
  std::ifstream in(reference_file, std::ios::binary);
  in.read(reinterpret_cast<char*>(reference.data()),
          static_cast<std::streamsize>(reference.size() * sizeof(float)));
  ASSERT_EQ(in.gcount(), static_cast<std::streamsize>(reference.size() * sizeof(float)));

  std::size_t valid = 0, forest = 0, mismatches = 0;
  for (std::size_t i = 0; i < ndvi.size(); ++i) {
    bool const both_nan = std::isnan(ndvi[i]) && std::isnan(reference[i]);
    if (!both_nan && std::memcmp(&ndvi[i], &reference[i], sizeof(float)) != 0) ++mismatches;
    if (!std::isnan(ndvi[i])) {
      ++valid;
      if (ndvi[i] > 0.5f) ++forest;  // DN-based NDVI of dense forest on TM
    }
  }
  EXPECT_EQ(mismatches, 0u);
  EXPECT_GT(valid, ndvi.size() * 9 / 10);
  // Mostly forest, with clearings and reservoir arms: realism, not a fixed number.
  EXPECT_GT(forest, valid / 4);
  EXPECT_LT(forest, valid);
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
