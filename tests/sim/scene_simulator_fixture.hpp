#pragma once
/// \file
/// What the scene simulator's tests share: readers for the files it writes, and a fixture that
/// simulates one small tile (seed 7, 300 x 300 pixels) once per test program. The tests use it
/// as `using SceneSimulator = geosweep::test_tools::scene_simulator_fixture;` (or a subclass).

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include <fmt/format.h>
#include <gdal_priv.h>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/sim/scene_simulator.hpp"

namespace geosweep::test_tools {

namespace fs = std::filesystem;

/// Opens a raster read-only (null when it cannot).
inline GDALDatasetUniquePtr open_raster(fs::path const& p) {
  return GDALDatasetUniquePtr(GDALDataset::Open(p.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
}
/// DATE_AS_STRING: the GeoJSON driver would otherwise turn "2024-06-04" into an OFTDate.
inline GDALDatasetUniquePtr open_vector(fs::path const& p) {
  char const* const options[] = {"DATE_AS_STRING=YES", nullptr};
  return GDALDatasetUniquePtr(
      GDALDataset::Open(p.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, options));
}

/// Band 1 of a Byte or UInt16 raster, row-major; throws when it cannot be read.
template <typename T>
std::vector<T> read_band(fs::path const& p) {
  GDALDatasetUniquePtr ds = open_raster(p);
  if (!ds) throw std::runtime_error("cannot open " + p.string());
  int const w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
  std::vector<T> v(static_cast<std::size_t>(w) * h);
  GDALDataType const t = sizeof(T) == 1 ? GDT_Byte : GDT_UInt16;
  if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, v.data(), w, h, t, 0, 0, nullptr) !=
      CE_None)
    throw std::runtime_error("cannot read " + p.string());
  return v;
}

/// The whole file (empty when missing).
inline std::string file_bytes(fs::path const& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

/// YYYYMMDD, as in scene names.
inline std::string compact(pipeline::civil_date d) {
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

/// The folder of scene `index` (dated `d`) under `root`, named like Earth Search's L2A items.
inline fs::path scene_dir(fs::path const& root, std::string const& tile, std::size_t index,
                          pipeline::civil_date d) {
  return root / "scenes" /
         fmt::format("{}_{}_{}_0_L2A", index % 2 == 0 ? "S2A" : "S2B", tile, compact(d));
}

/// Simulates the small tile under a fresh temporary folder before the suite's first test and
/// removes it after the last; `result()` is what simulate_scenes returned.
class scene_simulator_fixture : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GDALAllRegister();
    root_ = fs::temp_directory_path() / fmt::format("geosweep-scene-simulator-test-{}", ::getpid());
    fs::remove_all(root_);
    result_ = std::make_unique<sim::simulation_result>(sim::simulate_scenes(dir(), small()));
  }
  static void TearDownTestSuite() {
    result_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  /// 3 x 3 km, the default dates, 6 clearings, clouds.
  static sim::simulation_options small() {
    sim::simulation_options o;
    o.seed = 7;
    o.width = 300;
    o.height = 300;
    return o;
  }
  static fs::path dir() { return root_ / "seed7"; }
  static sim::simulation_result const& result() { return *result_; }
  static int width() { return result().grid.width; }
  static std::size_t pixel_count() { return result().grid.pixel_count(); }

  static fs::path scene(std::size_t i) {
    return scene_dir(dir(), small().tile, i, result().dates[i]);
  }
  /// 0 for baseline dates, 1 for monitoring dates.
  static int period_of(std::size_t i) {
    return i < static_cast<std::size_t>(small().baseline_dates) ? 0 : 1;
  }

  static inline fs::path root_;
  static inline std::unique_ptr<sim::simulation_result> result_;
};

}  // namespace geosweep::test_tools
