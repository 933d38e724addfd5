#pragma once
// An RGB PNG (a report page pdftoppm rendered, a PNG the report wrote) read with GDAL, for
// the report tests' pixel checks.

#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <vector>

#include "core/gdal_utils.hpp"

namespace geosweep::test_tools {

struct rgb_image {
  int width = 0, height = 0;
  std::array<std::vector<std::uint8_t>, 3> bands;
  /// Red, green and blue at column x, row y.
  [[nodiscard]] std::array<int, 3> at(int x, int y) const {
    auto const i = static_cast<std::size_t>(y) * width + x;
    return {bands[0][i], bands[1][i], bands[2][i]};
  }
  /// The same as 0xRRGGBB.
  [[nodiscard]] std::uint32_t rgb(int x, int y) const {
    auto const p = at(x, y);
    return static_cast<std::uint32_t>(p[0]) << 16 | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]);
  }
};

/// The first three bands of `path`; an empty image (and a test failure) when GDAL cannot
/// open it.
inline rgb_image read_png(std::filesystem::path const& path) {
  pipeline::ensure_gdal();
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  rgb_image image;
  if (!ds) {
    ADD_FAILURE() << "cannot open " << path;
    return image;
  }
  image.width = ds->GetRasterXSize();
  image.height = ds->GetRasterYSize();
  for (int b = 0; b < 3; ++b) {
    auto& band = image.bands[static_cast<std::size_t>(b)];
    band.resize(static_cast<std::size_t>(image.width) * image.height);
    EXPECT_EQ(
        ds->GetRasterBand(b + 1)->RasterIO(GF_Read, 0, 0, image.width, image.height, band.data(),
                                           image.width, image.height, GDT_Byte, 0, 0),
        CE_None);
  }
  return image;
}

}  // namespace geosweep::test_tools
