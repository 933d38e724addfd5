// Every band type geosweep reads (Byte, UInt16, Int16, UInt32, Int32, Float32, Float64), made
// from real scenes with gdal_translate at test time, turned into reflectance by the reader the
// pipeline uses and compared bit for bit with numpy (tests/tools/reflectance_reference.py),
// on the band's own grid and warped (bilinear, average) onto another; nodata and saturated
// codes planted on, just inside and just outside each threshold.
#include <fmt/format.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "catalog/scene_catalog.hpp"
#include "catalog/sensor_profile.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "load/reflectance_reader.hpp"
#include "load/scene_reader.hpp"
#include "tools/shared_data.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;

namespace {

fs::path scratch(std::string const& name) {
  auto const dir =
      fs::temp_directory_path() / fmt::format("geosweep_input_types_{}_{}", name, ::getpid());
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

void run(std::string const& command) {
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

fs::path swisseo() {
  return geosweep::test_tools::shared_data() / "swisseo-aargau-2025-2026" /
         "swissEO_S2SR_08082025.tif";
}

/// A generic sensor of one band (red, band 1) as a job file gives it.
gp::sensor_spec generic_sensor(fs::path const& dir, std::string const& sensor_yaml) {
  std::string const job = fmt::format(
      "job: types\nsensor:\n  type: generic\n  bands: {{red: 1, nir: 1}}\n{}"
      "scenes: {{dir: {}}}\naois: [{{name: a, bbox: [8.0, 47.3, 8.1, 47.4]}}]\n"
      "period: {{baseline: [2025-01-01, 2025-06-30], monitor: [2025-07-01, 2025-12-31]}}\n",
      sensor_yaml, dir.string());
  return gp::parse_job_spec(job, dir / "job.yaml").sensor;
}

/// Pixel values written into band 1 at (col, 0), col = 0, 1, ...
void plant(fs::path const& tif, std::vector<double> const& values, GDALDataType as) {
  GDALDatasetUniquePtr ds(GDALDataset::Open(tif.c_str(), GDAL_OF_RASTER | GDAL_OF_UPDATE));
  ASSERT_TRUE(ds) << tif;
  CPLErr err = CE_None;
  if (as == GDT_Float32) {  // exact floats: the ulp neighbours of a float nodata
    std::vector<float> f(values.begin(), values.end());
    err = ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, static_cast<int>(f.size()), 1, f.data(),
                                         static_cast<int>(f.size()), 1, GDT_Float32, 0, 0);
  } else {
    std::vector<double> v = values;
    err = ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, static_cast<int>(v.size()), 1, v.data(),
                                         static_cast<int>(v.size()), 1, GDT_Float64, 0, 0);
  }
  ASSERT_EQ(err, CE_None);
}

std::vector<float> read_f32(fs::path const& path, std::size_t n) {
  std::vector<float> v(n);
  std::ifstream in(path, std::ios::binary);
  in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(n * sizeof(float)));
  EXPECT_EQ(static_cast<std::size_t>(in.gcount()), n * sizeof(float)) << path;
  return v;
}

/// Bit-for-bit equal, NaN equal to NaN; returns how many pixels are valid.
std::size_t expect_same(std::vector<float> const& ours, std::vector<float> const& reference) {
  std::size_t mismatches = 0, valid = 0;
  for (std::size_t i = 0; i < ours.size(); ++i) {
    bool const both_nan = std::isnan(ours[i]) && std::isnan(reference[i]);
    if (!both_nan && std::memcmp(&ours[i], &reference[i], sizeof(float)) != 0) {
      if (mismatches < 5)
        ADD_FAILURE() << "pixel " << i << ": " << ours[i] << " vs numpy " << reference[i];
      ++mismatches;
    }
    valid += std::isnan(ours[i]) ? 0 : 1;
  }
  EXPECT_EQ(mismatches, 0u);
  return valid;
}

/// One type: how to make it from the swissEO red band, the job's sensor keys and what to plant.
struct type_case {
  std::string type;         ///< gdal_translate -ot
  std::string scale;        ///< gdal_translate -scale arguments ("" for none)
  std::string file_nodata;  ///< -a_nodata ("none" to drop the file's)
  double sensor_scale, sensor_offset;
  std::optional<double> nodata;
  std::vector<double> saturated;
  std::vector<double> planted;      ///< written at (0..k, 0)
  std::vector<bool> planted_valid;  ///< whether each planted pixel is an observation
};

std::string yaml_of(type_case const& c) {
  std::string y = fmt::format("  scale: {}\n  offset: {}\n", c.sensor_scale, c.sensor_offset);
  if (c.nodata) y += fmt::format("  nodata: {}\n", *c.nodata);
  if (!c.saturated.empty()) y += fmt::format("  saturated: [{}]\n", fmt::join(c.saturated, ", "));
  return y;
}

std::string codes_arg(std::vector<double> const& codes) {
  return codes.empty() ? "none" : fmt::format("{}", fmt::join(codes, ","));
}

std::vector<type_case> type_cases() {
  float const f_nodata = 0.1f;  // not a double: the spec's 0.1 must match the band's float 0.1
  return {
      {"Byte",
       "-scale 0 10000 0 250",
       "255",
       0.004,
       0.0,
       255,
       {254},
       {255, 254, 253, 0},
       {false, false, true, true}},
      {"UInt16",
       "",
       "9999",
       0.0001,
       0.0,
       9999,
       {20000},
       {9999, 9998, 10000, 20000, 19999, 20001, 65535},
       {false, true, true, false, true, true, false}},
      {"Int16",
       "-scale 0 10000 -5000 5000",
       "-9999",
       0.0001,
       0.5,
       -9999,
       {20000},
       {-9999, -9998, -10000, 20000, 19999, -32768, 32767},
       {false, true, true, false, true, true, true}},
      {"UInt32",
       "-scale 0 10000 0 100000",
       "none",
       0.00001,
       0.0,
       4000000000.0,
       {4294967295.0},
       {4000000000.0, 3999999999.0, 4000000001.0, 4294967295.0, 4294967294.0},
       {false, true, true, false, true}},
      {"Int32",
       "-scale 0 10000 -100000 100000",
       "none",
       0.00001,
       0.0,
       -2147483648.0,
       {2147483647.0, 150000},
       {-2147483648.0, -2147483647.0, 2147483647.0, 150000, 149999, 150001},
       {false, true, false, false, true, true}},
      // Reflectance 0-1 as it is: the default scale of 1 just works.
      {"Float32",
       "-scale 0 10000 0 1",
       "none",
       1.0,
       0.0,
       0.1,
       {2.0},
       {f_nodata, std::nextafter(f_nodata, 1.0f), std::nextafter(f_nodata, 0.0f), 2.0,
        std::nextafter(2.0f, 0.0f), std::numeric_limits<double>::quiet_NaN(),
        std::numeric_limits<double>::infinity(), -0.25},
       {false, true, true, false, true, false, false, true}},
      {"Float64",
       "-scale 0 10000 0 1",
       "none",
       1.0,
       0.0,
       -9999.25,
       {2.0},
       {-9999.25, std::nextafter(-9999.25, 0.0), std::nextafter(-9999.25, -1e9), 2.0,
        std::nextafter(2.0, 0.0), std::numeric_limits<double>::quiet_NaN()},
       {false, true, true, false, true, false}},
  };
}

/// Converts the swissEO red band to `c.type` in `dir`, plants `c.planted`.
fs::path make_band(fs::path const& dir, type_case const& c) {
  fs::path const tif = dir / (c.type + ".tif");
  run(fmt::format("gdal_translate -q -b 1 -ot {} {} -a_nodata {} '{}' '{}'", c.type, c.scale,
                  c.file_nodata, swisseo().string(), tif.string()));
  plant(tif, c.planted, c.type == "Float32" ? GDT_Float32 : GDT_Float64);
  return tif;
}

gp::scene scene_of(fs::path const& tif) {
  gp::scene s;
  s.id = tif.stem().string();
  s.date = gp::civil_date{std::chrono::year{2025}, std::chrono::August, std::chrono::day{8}};
  s.bands["red"] = gp::band_file{tif, 1, {}, {}, {}};
  return s;
}

class InputTypes : public ::testing::TestWithParam<std::size_t> {};

}  // namespace

TEST_P(InputTypes, ReadInTheirOwnTypeAndMaskedAsNumpySays) {
  auto const c = type_cases()[GetParam()];
  SCOPED_TRACE(c.type);
  auto const dir = scratch(c.type);
  fs::path const tif = make_band(dir, c);
  auto const sensor = generic_sensor(dir, yaml_of(c));
  EXPECT_EQ(sensor.saturated, c.saturated);
  auto const s = scene_of(tif);
  gp::band_reader const reader(s.bands.at("red"));
  EXPECT_STREQ(GDALGetDataTypeName(reader.data_type()), c.type.c_str());
  auto const radiometry = gp::radiometry_of(sensor, s, "red", reader);
  EXPECT_FALSE(radiometry.dn16_path);  // saturated codes: read as doubles, whatever the type

  // On the band's own grid: every pixel as numpy computes it.
  auto const grid = reader.grid();
  std::vector<float> ours(grid.pixel_count(), 7.0f);
  gp::mosaic_reflectance(reader, radiometry, grid, nullptr, true, ours.data());
  run(fmt::format("/usr/bin/python3 " GEOSWEEP_SOURCE_DIR
                  "/tests/tools/reflectance_reference.py '{}' '{}' {} {} {} {}",
                  tif.string(), (dir / "ref.f32").string(), c.sensor_scale, c.sensor_offset,
                  c.nodata ? fmt::format("{}", *c.nodata) : "none", codes_arg(c.saturated)));
  auto const reference = read_f32(dir / "ref.f32", ours.size());
  std::size_t const valid = expect_same(ours, reference);
  EXPECT_GT(valid, grid.pixel_count() * 9 / 10);  // the scene is mostly clear
  // The thresholds, by hand: on the nodata value or a code masked, one step away kept.
  for (std::size_t i = 0; i < c.planted.size(); ++i) {
    EXPECT_EQ(!std::isnan(ours[i]), c.planted_valid[i])
        << "planted pixel " << i << " = " << c.planted[i];
  }
  // Reflectance is float(DN) * scale + offset: pixel 1 by hand.
  if (c.planted_valid[1]) {
    float const dn = static_cast<float>(c.planted[1]);
    EXPECT_EQ(ours[1],
              dn * static_cast<float>(c.sensor_scale) + static_cast<float>(c.sensor_offset));
  }
  fs::remove_all(dir);
}

TEST_P(InputTypes, WarpedBilinearAndAverageAsGdalWarpOfTheMaskedBand) {
  auto const c = type_cases()[GetParam()];
  SCOPED_TRACE(c.type);
  auto const dir = scratch("warp_" + c.type);
  fs::path const tif = make_band(dir, c);
  // Saturated pixels and nodata in a block inside the scene, where the warp blends pixels.
  std::vector<double> row(40);
  GDALDatasetUniquePtr ds(GDALDataset::Open(tif.c_str(), GDAL_OF_RASTER | GDAL_OF_UPDATE));
  ASSERT_TRUE(ds);
  for (int r = 100; r < 104; ++r) {
    for (std::size_t k = 0; k < row.size(); ++k)
      row[k] = (k % 3 == 0 && c.nodata) ? *c.nodata : c.saturated.front();
    ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 100, r, 40, 1, row.data(), 40, 1,
                                             GDT_Float64, 0, 0),
              CE_None);
  }
  ds.reset();
  auto const sensor = generic_sensor(dir, yaml_of(c));
  auto const s = scene_of(tif);
  gp::band_reader const reader(s.bands.at("red"));
  auto const radiometry = gp::radiometry_of(sensor, s, "red", reader);
  for (double pixel : {13.0, 30.0}) {  // bilinear (13 m), average (30 m over 10 m)
    SCOPED_TRACE(pixel);
    auto target = reader.grid();
    target.transform[0] += 3.3;
    target.transform[3] -= 4.1;
    target.transform[1] = pixel;
    target.transform[5] = -pixel;
    target.width = static_cast<int>(reader.grid().width * 10 / pixel) - 1;
    target.height = static_cast<int>(reader.grid().height * 10 / pixel) - 1;
    gp::resampling const how = gp::reflectance_resampling(reader.grid(), target);
    EXPECT_EQ(how, pixel > 15 ? gp::resampling::average : gp::resampling::bilinear);
    std::vector<float> ours(target.pixel_count());
    gp::mosaic_reflectance(reader, radiometry, target, nullptr, true, ours.data());
    run(fmt::format("/usr/bin/python3 " GEOSWEEP_SOURCE_DIR
                    "/tests/tools/reflectance_reference.py '{}' '{}' {} {} {} {} {:.17g} {:.17g} "
                    "{} {} {} {}",
                    tif.string(), (dir / "ref.f32").string(), c.sensor_scale, c.sensor_offset,
                    c.nodata ? fmt::format("{}", *c.nodata) : "none", codes_arg(c.saturated),
                    target.transform[0], target.transform[3], pixel, target.width, target.height,
                    how == gp::resampling::average ? "average" : "bilinear"));
    auto const reference = read_f32(dir / "ref.f32", ours.size());
    std::size_t const valid = expect_same(ours, reference);
    EXPECT_GT(valid, target.pixel_count() * 9 / 10);
  }
  fs::remove_all(dir);
}

TEST(RealDataInputTypesCbers, Int16ReflectanceWithNegativeNodataAsNumpySays) {
  // CBERS-4 AWFI as the Brazil Data Cube ships it: Int16 reflectance x 10000, nodata -9999.
  auto const dir = scratch("cbers");
  fs::path const tif = dir / "B15.tif";
  fs::copy_file(geosweep::test_tools::shared_data() / "cbers4-awfi-bahia-2018" /
                    "CBERS-4_AWFI_022024_B15_2018-02-02.tif",
                tif);
  plant(tif, {-9999, -9998, -10000, -1, 0}, GDT_Float64);
  auto const sensor = generic_sensor(dir, "  scale: 0.0001\n  nodata: -9999\n");
  auto const s = scene_of(tif);
  gp::band_reader const reader(s.bands.at("red"));
  EXPECT_EQ(reader.data_type(), GDT_Int16);
  EXPECT_EQ(reader.file_nodata(), -9999.0);
  auto const radiometry = gp::radiometry_of(sensor, s, "red", reader);
  EXPECT_FALSE(radiometry.dn16_path);
  std::vector<float> ours(reader.grid().pixel_count());
  gp::mosaic_reflectance(reader, radiometry, reader.grid(), nullptr, true, ours.data());
  run(fmt::format("/usr/bin/python3 " GEOSWEEP_SOURCE_DIR
                  "/tests/tools/reflectance_reference.py '{}' '{}' 0.0001 0 -9999 none",
                  tif.string(), (dir / "ref.f32").string()));
  EXPECT_EQ(expect_same(ours, read_f32(dir / "ref.f32", ours.size())), ours.size() - 1);
  EXPECT_TRUE(std::isnan(ours[0]));
  EXPECT_EQ(ours[1], -9998.0f * 0.0001f);  // negative reflectance is kept as it is
  EXPECT_EQ(ours[3], -0.0001f);
  fs::remove_all(dir);
}

TEST(RealDataInputTypesUInt16, WithoutSaturatedCodesStaysOnTheSixteenBitPath) {
  // The swissEO mosaic as it is (UInt16, nodata 9999): the fast path, the same as numpy.
  auto const dir = scratch("uint16_fast");
  auto const sensor = generic_sensor(dir, "  scale: 0.0001\n  nodata: 9999\n");
  auto const s = scene_of(swisseo());
  gp::band_reader const reader(s.bands.at("red"));
  auto const radiometry = gp::radiometry_of(sensor, s, "red", reader);
  EXPECT_TRUE(radiometry.dn16_path);
  std::vector<float> ours(reader.grid().pixel_count());
  gp::mosaic_reflectance(reader, radiometry, reader.grid(), nullptr, true, ours.data());
  run(fmt::format("/usr/bin/python3 " GEOSWEEP_SOURCE_DIR
                  "/tests/tools/reflectance_reference.py '{}' '{}' 0.0001 0 9999 none",
                  swisseo().string(), (dir / "ref.f32").string()));
  EXPECT_GT(expect_same(ours, read_f32(dir / "ref.f32", ours.size())), ours.size() * 9 / 10);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(RealData, InputTypes, ::testing::Range<std::size_t>(0, 7),
                         [](::testing::TestParamInfo<std::size_t> const& info) {
                           return type_cases()[info.param].type;
                         });

int main(int argc, char** argv) {
  GDALAllRegister();
  return geosweep::test_tools::run_tests_with_shared_data(argc, argv);
}
