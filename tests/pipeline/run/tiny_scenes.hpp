#pragma once
/// \file
/// Tiny hand-planted scenes for whole runs whose every pixel is known: one 2-band UInt16
/// GeoTIFF per date (band 1 red, band 2 NIR, reflectance x 10000, DN 0 no data) on a UTM 20S
/// grid of 10 m pixels (0.01 ha each, so a patch's area is its pixel count / 100), an AOI
/// polygon that is exactly the raster's extent (in the raster's CRS), and a job file naming
/// every date. The NDVI of a pixel is planted as red = 2000 (1 - ndvi), nir = 2000 (1 + ndvi):
/// (nir - red) / (nir + red) = ndvi for NDVIs in steps of 0.0005 (integer DNs).

#include <fmt/format.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogr_spatialref.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include "core/gdal_utils.hpp"
#include "outputs/csv_reader.hpp"

namespace geosweep::test_tools {

/// The planted raster's upper-left corner (UTM 20S, metres) and pixel size.
inline constexpr double kTinyOriginX = 600000.0;
inline constexpr double kTinyOriginY = 8950000.0;
inline constexpr double kTinyResolution = 10.0;

/// A date of the scenes, as the literal ISO date the tables must show.
struct tiny_date {
  std::string iso;
  bool baseline = false;
};

/// NaN: a cloudy (no data) look.
using ndvi_at = std::function<double(std::size_t date, int col, int row)>;

struct tiny_scenes {
  int width = 0, height = 0;
  std::vector<tiny_date> dates;
  ndvi_at ndvi;
};

/// The DNs planted for `ndvi` (0, 0 for NaN).
inline std::pair<std::uint16_t, std::uint16_t> planted_dn(double ndvi) {
  if (std::isnan(ndvi)) return {0, 0};
  return {static_cast<std::uint16_t>(std::lround(2000.0 * (1.0 - ndvi))),
          static_cast<std::uint16_t>(std::lround(2000.0 * (1.0 + ndvi)))};
}

/// The NDVI the planted DNs give, in double: the independent value to compare with.
inline double planted_ndvi(double ndvi) {
  auto const [red, nir] = planted_dn(ndvi);
  return (static_cast<double>(nir) - red) / (static_cast<double>(nir) + red);
}

/// Writes dir/scenes/<iso>.tif for each date, dir/aoi.geojson and dir/job.yaml with the
/// periods below and `change_yaml` (the whole `change:` block, every key written out) and
/// `extra_yaml` (e.g. a `processing:` line). Baseline 2023-06-01..2023-09-30, monitoring
/// 2024-06-01..2024-09-30.
inline void write_tiny_job(std::filesystem::path const& dir, tiny_scenes const& s,
                           std::string const& change_yaml, std::string const& extra_yaml = "") {
  namespace fs = std::filesystem;
  pipeline::ensure_gdal();
  fs::create_directories(dir / "scenes");
  double const x0 = kTinyOriginX, y0 = kTinyOriginY, res = kTinyResolution;
  double const gt[6] = {x0, res, 0.0, y0, 0.0, -res};
  OGRSpatialReference utm;
  utm.importFromEPSG(32720);
  char* wkt = nullptr;
  utm.exportToWkt(&wkt);
  std::string const srs = wkt;
  CPLFree(wkt);
  GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
  std::string list;
  for (std::size_t d = 0; d < s.dates.size(); ++d) {
    fs::path const tif = dir / "scenes" / (s.dates[d].iso + ".tif");
    GDALDatasetUniquePtr ds(gtiff->Create(tif.c_str(), s.width, s.height, 2, GDT_UInt16, nullptr));
    ASSERT_TRUE(ds) << tif;
    ds->SetGeoTransform(const_cast<double*>(gt));
    ds->SetProjection(srs.c_str());
    std::vector<std::uint16_t> red(static_cast<std::size_t>(s.width) * s.height);
    std::vector<std::uint16_t> nir(red.size());
    for (int r = 0; r < s.height; ++r) {
      for (int c = 0; c < s.width; ++c) {
        auto const [rd, nr] = planted_dn(s.ndvi(d, c, r));
        red[static_cast<std::size_t>(r) * s.width + c] = rd;
        nir[static_cast<std::size_t>(r) * s.width + c] = nr;
      }
    }
    ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, s.width, s.height, red.data(), s.width,
                                             s.height, GDT_UInt16, 0, 0),
              CE_None);
    ASSERT_EQ(ds->GetRasterBand(2)->RasterIO(GF_Write, 0, 0, s.width, s.height, nir.data(), s.width,
                                             s.height, GDT_UInt16, 0, 0),
              CE_None);
    list += "    - {path: scenes/" + s.dates[d].iso + ".tif, date: " + s.dates[d].iso + "}\n";
  }
  // The AOI: the raster's extent, in its own CRS (the GeoJSON driver honours "crs").
  double const x1 = x0 + res * s.width, y1 = y0 - res * s.height;
  std::ofstream(dir / "aoi.geojson") << fmt::format(R"({{"type": "FeatureCollection",
 "crs": {{"type": "name", "properties": {{"name": "urn:ogc:def:crs:EPSG::32720"}}}},
 "features": [{{"type": "Feature", "properties": {{}}, "geometry": {{"type": "Polygon",
  "coordinates": [[[{0}, {1}], [{2}, {1}], [{2}, {3}], [{0}, {3}], [{0}, {1}]]]}}}}]}})",
                                                    x0, y0, x1, y1);
  std::ofstream(dir / "job.yaml") << "job: tiny\n"
                                     "sensor:\n"
                                     "  type: generic\n"
                                     "  bands: {red: 1, nir: 2}\n"
                                     "  scale: 0.0001\n"
                                     "  offset: 0\n"
                                     "  nodata: 0\n"
                                     "scenes:\n"
                                     "  list:\n"
                                  << list
                                  << "aois:\n"
                                     "  - name: plot\n"
                                     "    geometry: aoi.geojson\n"
                                     "period:\n"
                                     "  baseline: [2023-06-01, 2023-09-30]\n"
                                     "  monitor: [2024-06-01, 2024-09-30]\n"
                                     "indices: [ndvi]\n"
                                  << change_yaml
                                  << "outputs: {dir: out, hdf5: true, csv: true, cog: false, "
                                     "report: false}\n"
                                  << extra_yaml;
}

/// The `width` x `height` planted window of `variable` in the run's change.nc, as `type`
/// (times the variable's scale when `unpack`); the grid must be the planted raster exactly.
/// `beyond` receives the grid's pixels outside the planted window (none when the grid is right).
template <class T>
std::vector<T> read_planted(std::filesystem::path const& nc, std::string const& variable,
                            GDALDataType type, int width, int height, bool unpack = false,
                            std::vector<T>* beyond = nullptr) {
  std::string const name = "NETCDF:\"" + nc.string() + "\":/aoi/plot/" + variable;
  GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  EXPECT_TRUE(ds) << name;
  if (!ds) return {};
  double gt[6];
  EXPECT_EQ(ds->GetGeoTransform(gt), CE_None);
  EXPECT_EQ(gt[1], kTinyResolution);
  EXPECT_EQ(gt[5], -kTinyResolution);
  int const col0 = static_cast<int>(std::lround((kTinyOriginX - gt[0]) / gt[1]));
  int const row0 = static_cast<int>(std::lround((gt[3] - kTinyOriginY) / gt[1]));
  int const w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
  EXPECT_TRUE(col0 >= 0 && row0 >= 0 && col0 + width <= w && row0 + height <= h)
      << variable << ": grid " << w << " x " << h << " at " << col0 << ", " << row0;
  // The AOI's edges are the planted raster's pixel edges: the grid is that raster, no column
  // or row more (analysis_grid.cpp's edge tolerance), although the AOI reaches the grid through
  // WGS84.
  EXPECT_EQ(col0, 0) << variable;
  EXPECT_EQ(row0, 0) << variable;
  EXPECT_EQ(w, width) << variable;
  EXPECT_EQ(h, height) << variable;
  std::vector<T> all(static_cast<std::size_t>(w) * h);
  EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, all.data(), w, h, type, 0, 0),
            CE_None);
  int ok = 0;
  double const scale = ds->GetRasterBand(1)->GetScale(&ok);
  if (unpack) {
    EXPECT_TRUE(ok) << variable;
    for (auto& v : all) v = static_cast<T>(v * scale);
  }
  std::vector<T> planted(static_cast<std::size_t>(width) * height);
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      T const v = all[static_cast<std::size_t>(r) * w + c];
      int const pc = c - col0, pr = r - row0;
      if (pc >= 0 && pc < width && pr >= 0 && pr < height)
        planted[static_cast<std::size_t>(pr) * width + pc] = v;
      else if (beyond != nullptr)
        beyond->push_back(v);
    }
  }
  return planted;
}

/// alerts.csv as rows keyed by column name.
struct alert_rows {
  pipeline::csv_table table;
  [[nodiscard]] std::string at(std::size_t row, std::string const& column) const {
    for (std::size_t i = 0; i < table.header.size(); ++i)
      if (table.header[i] == column) return table.rows.at(row).at(i);
    ADD_FAILURE() << "no column " << column;
    return {};
  }
  /// The row whose `pixels` is `pixels`, or -1.
  [[nodiscard]] int with_pixels(std::int64_t pixels) const {
    int found = -1;
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
      if (at(r, "pixels") == std::to_string(pixels)) {
        EXPECT_EQ(found, -1) << "two alerts of " << pixels << " px";
        found = static_cast<int>(r);
      }
    }
    return found;
  }
};

}  // namespace geosweep::test_tools
