#pragma once
// A band of a raster GDAL opens (a COG, or a variable of change.nc by its GDAL name) read as
// int32, with its grid and the way from WGS84 longitude/latitude to its pixels: what the
// tests that compare outputs pixel by pixel read.

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogr_spatialref.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/gdal_utils.hpp"

namespace geosweep::test_tools {

struct int_raster {
  int width = 0, height = 0;
  std::array<double, 6> transform{}, inverse{};
  std::vector<std::int32_t> values;
  std::unique_ptr<OGRCoordinateTransformation> from_wgs84;  ///< none without a CRS
  /// Image column and row of a longitude/latitude.
  [[nodiscard]] std::array<double, 2> pixel(double lon, double lat) const {
    double x = lon, y = lat;
    from_wgs84->Transform(1, &x, &y);
    return {inverse[0] + x * inverse[1] + y * inverse[2],
            inverse[3] + x * inverse[4] + y * inverse[5]};
  }
};

/// How GDAL names `variable` of AOI `aoi` in change.nc.
inline std::string nc_variable(std::filesystem::path const& nc, std::string const& aoi,
                               std::string const& variable) {
  return "NETCDF:\"" + nc.string() + "\":/aoi/" + aoi + "/" + variable;
}

/// Band `band` of `name` as int32 (a test failure and an empty raster when it cannot be read).
inline int_raster read_int_raster(std::string const& name, int band = 1) {
  pipeline::ensure_gdal();
  int_raster r;
  GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  EXPECT_TRUE(ds) << name;
  if (!ds) return r;
  r.width = ds->GetRasterXSize();
  r.height = ds->GetRasterYSize();
  EXPECT_EQ(ds->GetGeoTransform(r.transform.data()), CE_None) << name;
  EXPECT_TRUE(GDALInvGeoTransform(r.transform.data(), r.inverse.data())) << name;
  r.values.resize(static_cast<std::size_t>(r.width) * r.height);
  EXPECT_EQ(ds->GetRasterBand(band)->RasterIO(GF_Read, 0, 0, r.width, r.height, r.values.data(),
                                              r.width, r.height, GDT_Int32, 0, 0),
            CE_None)
      << name;
  if (auto const* crs = ds->GetSpatialRef()) {
    OGRSpatialReference srs(*crs);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    r.from_wgs84 = pipeline::make_transform(pipeline::wgs84(), srs);
  }
  return r;
}

}  // namespace geosweep::test_tools
