#pragma once
/// \file
/// Small inputs shared by the unit tests of the chunk-by-chunk outputs (tests/pipeline/outputs):
/// a job spec of two AOIs, grids in EPSG:32720 (UTM 20S) with 10 m pixels, AOI tiles with every
/// raster sized and filled with neutral values for a test to overwrite, GDAL readers and a
/// float comparison that takes NaN as equal to NaN.

#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "compute/chunk_processor.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"
#include "tools/wkt.hpp"

namespace geosweep::test_tools {

/// Two AOIs ("north", "south"), indices ndvi and nbr, change index ndvi; `METHOD` is replaced.
inline std::string const kOutputsJob = R"(job: outputs-test
sensor: sentinel2-l2a
scenes:
  dir: scenes
aois:
  - name: north
    bbox: [-63.0, -9.6, -62.9, -9.5]
  - name: south
    bbox: [-63.0, -9.8, -62.9, -9.7]
period:
  baseline: [2023-06-01, 2023-08-31]
  monitor: [2024-06-01, 2024-08-31]
indices: [ndvi, nbr]
change:
  method: METHOD
  index: ndvi
processing:
  chunk: 16
outputs:
  dir: results
)";

/// The job above as if read from `dir`/job.yaml (no file needs to exist).
inline pipeline::job_spec outputs_job(std::filesystem::path const& dir,
                                      std::string const& method = "baseline") {
  std::string text = kOutputsJob;
  text.replace(text.find("METHOD"), 6, method);
  return pipeline::parse_job_spec(text, dir / "job.yaml", false);
}

/// A north-up EPSG:32720 grid of 10 m pixels whose top-left corner is (x0, y0).
inline pipeline::raster_grid utm_grid(int width, int height, double x0 = 500000.0,
                                      double y0 = 8940000.0) {
  pipeline::raster_grid grid;
  grid.crs_wkt = wkt_of(32720);
  grid.transform = {x0, 10.0, 0.0, y0, 0.0, -10.0};
  grid.width = width;
  grid.height = height;
  return grid;
}

/// A tile of AOI `aoi` over `tile` with every raster sized: inside, change none, no dates,
/// NaN magnitude, baseline 0.8, clear count 3, NaN looks of `looks` (indices and colour bands)
/// in both periods, no clear area.
inline pipeline::aoi_tile_output full_tile(std::size_t aoi, pipeline::pixel_window const& tile,
                                           std::vector<std::string> const& looks) {
  namespace k = geosweep::kernels;
  std::size_t const n = tile.pixel_count();
  pipeline::aoi_tile_output t;
  t.aoi = aoi;
  t.tile = tile;
  t.inside.assign(n, 1);
  t.change.assign(n, k::change_none);
  t.cause.assign(n, 0);  // kernels::evidence_no_change (change.causes is on by default)
  t.first_date.assign(n, k::no_date);
  t.confirmed_date.assign(n, k::no_date);
  t.magnitude.assign(n, k::nodata_f32());
  t.baseline.assign(n, 0.8f);
  t.clear_count.assign(n, 3);
  for (auto& period : t.latest)
    for (auto const& name : looks) period[name].assign(n, k::nodata_f32());
  return t;
}

/// Whether two float rasters hold the same values, NaN matching NaN.
inline ::testing::AssertionResult same_floats(std::vector<float> const& a,
                                              std::vector<float> const& b) {
  if (a.size() != b.size())
    return ::testing::AssertionFailure() << "sizes " << a.size() << " and " << b.size();
  for (std::size_t i = 0; i < a.size(); ++i) {
    bool const same = (std::isnan(a[i]) && std::isnan(b[i])) || a[i] == b[i];
    if (!same) return ::testing::AssertionFailure() << "at " << i << ": " << a[i] << " vs " << b[i];
  }
  return ::testing::AssertionSuccess();
}

/// Opens a raster read-only with GDAL (nullptr when it cannot).
inline GDALDatasetUniquePtr open_gdal(std::string const& name) {
  GDALAllRegister();
  return GDALDatasetUniquePtr(GDALDataset::FromHandle(
      GDALOpenEx(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
}

/// Band `band` of `ds`, whole, as GDAL type `type` (T must match it).
template <class T>
std::vector<T> read_band(GDALDataset& ds, int band, GDALDataType type) {
  std::vector<T> values(static_cast<std::size_t>(ds.GetRasterXSize()) * ds.GetRasterYSize());
  if (ds.GetRasterBand(band)->RasterIO(GF_Read, 0, 0, ds.GetRasterXSize(), ds.GetRasterYSize(),
                                       values.data(), ds.GetRasterXSize(), ds.GetRasterYSize(),
                                       type, 0, 0, nullptr) != CE_None)
    ADD_FAILURE() << "cannot read band " << band << " of " << ds.GetDescription();
  return values;
}

/// Band `band` of a packed layer (Int16 with scale, offset and nodata, as change.nc and the
/// index COGs store indices), unpacked the way GDAL users do: stored × scale + offset, NaN at
/// the nodata value. Fails the test when the band is not packed so.
inline std::vector<double> read_unpacked(GDALDataset& ds, int band) {
  auto* b = ds.GetRasterBand(band);
  if (b->GetRasterDataType() != GDT_Int16)
    ADD_FAILURE() << ds.GetDescription() << ": not Int16 but " << b->GetRasterDataType();
  int has_nodata = 0;
  double const nodata = b->GetNoDataValue(&has_nodata);
  if (!has_nodata || nodata != -32768.0) ADD_FAILURE() << ds.GetDescription() << ": nodata";
  if (b->GetScale() != static_cast<double>(1e-4f) && b->GetScale() != 1e-4)
    ADD_FAILURE() << ds.GetDescription() << ": scale " << b->GetScale();
  auto values = read_band<double>(ds, band, GDT_Float64);
  for (auto& v : values) v = v == nodata ? std::nan("") : v * b->GetScale() + b->GetOffset();
  return values;
}

/// Half the packing step of change.nc's index layers, and float32's rounding of the unpacked
/// value: how far an unpacked index may lie from the float written.
inline constexpr double packed_tolerance = 0.5e-4 + 1e-7;

/// The files directly under `dir`, by name.
inline std::vector<std::string> file_names(std::filesystem::path const& dir) {
  std::vector<std::string> names;
  if (!std::filesystem::exists(dir)) return names;
  for (auto const& e : std::filesystem::directory_iterator(dir))
    names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace geosweep::test_tools
