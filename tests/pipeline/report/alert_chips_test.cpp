// The KMZ's chips (report/alert_chips.hpp), drawn from true-colour images written here.
//
// AOI "north" is 120 x 100 pixels. Alert 1 is patch 1, a 20 x 20 square at columns 40-59, rows
// 30-49 (high confidence); alert 2 is patch 2, 4 x 4 at columns 66-69, rows 30-33 (low). By
// hand: alert 1's window has a margin of max(20, 20 / 2) = 20 pixels, so it is columns 20-79,
// rows 10-69 (60 x 60), enlarged 256 / 60 -> 4 times: 240 x 240 pixels, grid pixel (c, r) at
// chip pixels (4 (c - 20) .. 4 (c - 20) + 3, 4 (r - 10) ..). Every band is 300 (reflectance
// 0.03 x 10000) but rows 60-69 (5700) before; after, patch 1 is 3000, column 25 of rows 15-64
// is 1650 and the rest 300. Pooled over both chips (7199 values a band: 6149 of 300, 50 of
// 1650, 400 of 3000, 600 of 5700) the 2 % and 98 % limits are 300 and 5700, so 300 is black,
// 5700 white, 3000 is (3000 - 300) / 5400 x 255 = 127.5 -> 128 and 1650 is 63.75 -> 64 (the
// after chip alone would stretch 300-3000). Pixel (21, 11) is nodata before: grey 0x8C (140).
#include "report/alert_chips.hpp"

#include <cpl_vsi.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "outputs/product_layout.hpp"
#include "patches/patch_pixels.hpp"
#include "pipeline/outputs/output_fixtures.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;

namespace {

constexpr int W = 120, H = 100;

bool in_patch_1(int c, int r) {
  return c >= 40 && c <= 59 && r >= 30 && r <= 49;
}
bool in_patch_2(int c, int r) {
  return c >= 66 && c <= 69 && r >= 30 && r <= 33;
}

/// A 3-band Int16 GeoTIFF of `width` x `height` with nodata -9999, each band `value(c, r)`.
template <class Value>
void write_image(fs::path const& path, int width, int height, Value value) {
  fs::create_directories(path.parent_path());
  GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
  GDALDatasetUniquePtr ds(gtiff->Create(path.c_str(), width, height, 3, GDT_Int16, nullptr));
  ASSERT_TRUE(ds);
  std::vector<std::int16_t> pixels(static_cast<std::size_t>(width) * height);
  for (int r = 0; r < height; ++r)
    for (int c = 0; c < width; ++c)
      pixels[static_cast<std::size_t>(r) * width + c] = static_cast<std::int16_t>(value(c, r));
  for (int b = 1; b <= 3; ++b) {
    ds->GetRasterBand(b)->SetNoDataValue(-9999);
    ASSERT_EQ(ds->GetRasterBand(b)->RasterIO(GF_Write, 0, 0, width, height, pixels.data(), width,
                                             height, GDT_Int16, 0, 0, nullptr),
              CE_None);
  }
}

/// A decoded PNG: its size and its pixels, band-sequential.
struct image {
  int width = 0, height = 0, bands = 0;
  std::vector<std::uint8_t> pixels;
  [[nodiscard]] std::array<int, 3> at(int x, int y) const {
    std::array<int, 3> rgb{};
    for (int b = 0; b < 3; ++b)
      rgb[static_cast<std::size_t>(b)] =
          pixels[(static_cast<std::size_t>(b) * height + y) * width + x];
    return rgb;
  }
};

/// `png` decoded by GDAL's PNG driver.
image decode(std::string const& png) {
  std::string const name = "/vsimem/alert_chips_test.png";
  VSIFCloseL(VSIFileFromMemBuffer(
      name.c_str(), reinterpret_cast<GByte*>(const_cast<char*>(png.data())), png.size(), FALSE));
  image out;
  {
    GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER));
    EXPECT_TRUE(ds) << "not a PNG";
    if (ds) {
      EXPECT_STREQ(ds->GetDriver()->GetDescription(), "PNG");
      out.width = ds->GetRasterXSize();
      out.height = ds->GetRasterYSize();
      out.bands = ds->GetRasterCount();
      out.pixels.resize(static_cast<std::size_t>(out.width) * out.height * 3);
      EXPECT_GE(out.bands, 3);
      if (out.bands >= 3) {
        int bands[] = {1, 2, 3};
        EXPECT_EQ(ds->RasterIO(GF_Read, 0, 0, out.width, out.height, out.pixels.data(), out.width,
                               out.height, GDT_Byte, 3, bands, 0, 0, 0, nullptr),
                  CE_None);
      }
    }
  }
  VSIUnlink(name.c_str());
  return out;
}

class alert_chips_test : public tt::temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    GDALAllRegister();
    std::vector<std::pair<std::uint32_t, std::int32_t>> pixels;
    for (int r = 0; r < H; ++r)
      for (int c = 0; c < W; ++c)
        if (in_patch_1(c, r) || in_patch_2(c, r))
          pixels.emplace_back(static_cast<std::uint32_t>(r * W + c), in_patch_1(c, r) ? 1 : 2);
    patch_.add(0, 0, std::move(pixels));
    gp::aoi_result north;
    north.name = "north";
    north.alerts.resize(2);
    north.alerts[0].id = "gs-000000000001";
    north.alerts[0].confidence = gp::alert_confidence::high;
    north.alerts[1].id = "gs-000000000002";
    north.alerts[1].confidence = gp::alert_confidence::low;
    gp::aoi_result south;  // no COGs
    south.name = "south";
    south.alerts = north.alerts;
    aois_ = {north, south};
    patches_ = {{tt::utm_grid(W, H), &patch_, {{40, 30, 20, 20}, {66, 30, 4, 4}}},
                {tt::utm_grid(W, H), &patch_, {{40, 30, 20, 20}, {66, 30, 4, 4}}}};
    write_image(cog(0), W, H, [](int c, int r) {
      if (c == 21 && r == 11) return -9999;
      return r >= 60 && r <= 69 ? 5700 : 300;
    });
    write_image(cog(1), W, H, [](int c, int r) {
      if (in_patch_1(c, r)) return 3000;
      return c == 25 && r >= 15 && r <= 64 ? 1650 : 300;
    });
  }

  [[nodiscard]] fs::path cog(int period) const {
    return gp::product::cog_file(dir_, "north", "true_colour", period);
  }

  gp::patch_pixels patch_{W, H};
  std::vector<gp::aoi_result> aois_;
  std::vector<gp::alert_patches> patches_;
};

/// The pixel of chip `image` (of alert 1's window) at the centre of grid pixel (c, r).
std::array<int, 3> grid_pixel(image const& im, int c, int r) {
  return im.at(4 * (c - 20) + 2, 4 * (r - 10) + 2);
}

TEST(alert_chip_zoom, enlarges_by_the_largest_whole_factor_within_256_pixels) {
  EXPECT_EQ(gp::chip_zoom(1), 8);  // at most 8
  EXPECT_EQ(gp::chip_zoom(32), 8);
  EXPECT_EQ(gp::chip_zoom(33), 7);  // 256 / 33 = 7.76
  EXPECT_EQ(gp::chip_zoom(64), 4);
  EXPECT_EQ(gp::chip_zoom(128), 2);
  EXPECT_EQ(gp::chip_zoom(129), 1);
  EXPECT_EQ(gp::chip_zoom(1000), 1);  // never below 1
}

TEST_F(alert_chips_test, an_aoi_has_chips_only_with_both_images_on_its_grid) {
  gp::alert_chip_renderer const chips(dir_, aois_, patches_);
  EXPECT_TRUE(chips.has_chips(0));
  EXPECT_FALSE(chips.has_chips(1));  // south: no images
  fs::remove(cog(1));
  EXPECT_FALSE(gp::alert_chip_renderer(dir_, aois_, patches_).has_chips(0));  // no after image
  write_image(cog(1), W - 1, H, [](int, int) { return 300; });
  EXPECT_FALSE(gp::alert_chip_renderer(dir_, aois_, patches_).has_chips(0));  // another grid
}

TEST_F(alert_chips_test, chips_are_the_alert_window_stretched_enlarged_and_outlined) {
  gp::alert_chip_renderer const chips(dir_, aois_, patches_);
  auto const pngs = chips.chips(0, 0);
  auto const before = decode(pngs[0]);
  auto const after = decode(pngs[1]);
  for (auto const* im : {&before, &after}) {
    EXPECT_EQ(im->width, 240);
    EXPECT_EQ(im->height, 240);
  }
  using rgb = std::array<int, 3>;
  EXPECT_EQ(grid_pixel(after, 50, 40), (rgb{128, 128, 128}));  // patch 1 after: 3000
  EXPECT_EQ(grid_pixel(before, 50, 40), (rgb{0, 0, 0}));       // before: 300
  EXPECT_EQ(grid_pixel(after, 25, 40), (rgb{64, 64, 64}));     // 1650
  EXPECT_EQ(grid_pixel(after, 30, 55), (rgb{0, 0, 0}));
  EXPECT_EQ(grid_pixel(before, 30, 65), (rgb{255, 255, 255}));  // 5700
  EXPECT_EQ(grid_pixel(before, 21, 11), (rgb{140, 140, 140}));  // nodata: grey
  EXPECT_EQ(grid_pixel(after, 21, 11), (rgb{0, 0, 0}));
  // Patch 1's outline in the high-confidence colour (0xFF00C8) along its left edge, chip
  // column 4 x (40 - 20) = 80, and nowhere a few pixels inside or outside it.
  auto const pink = [](rgb p) { return p[0] > 200 && p[1] < 60 && p[2] > 150; };
  for (auto const* im : {&before, &after}) {
    EXPECT_TRUE(pink(im->at(79, 120)) || pink(im->at(80, 120)))
        << im->at(79, 120)[0] << "," << im->at(79, 120)[1] << "," << im->at(79, 120)[2];
    EXPECT_FALSE(pink(im->at(75, 120)));
    EXPECT_FALSE(pink(im->at(85, 120)));
  }
  EXPECT_EQ(after.at(86, 120), (rgb{128, 128, 128}));
  EXPECT_EQ(before.at(74, 120), (rgb{0, 0, 0}));
  // Patch 2 is a neighbour here: a white outline at its left edge, chip column 4 x 46 = 184,
  // over the dark image.
  auto const grey = [](rgb p) { return p[0] > 90 && p[0] == p[1] && p[1] == p[2]; };
  EXPECT_TRUE(grey(before.at(183, 86)) || grey(before.at(184, 86)));
  EXPECT_EQ(before.at(190, 86), (rgb{0, 0, 0}));  // inside patch 2, away from its edge
}

TEST_F(alert_chips_test, a_low_confidence_alert_is_outlined_in_yellow) {
  // Alert 2's window: columns 46-89, rows 10-53 (margin 20 on a 4 x 4 box), 44 x 44 pixels,
  // enlarged 256 / 44 -> 5 times: 220 x 220; its left edge at chip column 5 x (66 - 46) = 100,
  // row 5 x (31 - 10) + 2 = 107.
  gp::alert_chip_renderer const chips(dir_, aois_, patches_);
  auto const before = decode(chips.chips(0, 1)[0]);
  EXPECT_EQ(before.width, 220);
  EXPECT_EQ(before.height, 220);
  auto const yellow = [](std::array<int, 3> p) { return p[0] > 200 && p[1] > 150 && p[2] < 60; };
  EXPECT_TRUE(yellow(before.at(99, 107)) || yellow(before.at(100, 107)));
  EXPECT_FALSE(yellow(before.at(95, 107)));
  // Patch 1 is now the neighbour: its right edge at chip column 5 x (60 - 46) = 70, in white.
  auto const grey = [](std::array<int, 3> p) { return p[0] > 90 && p[0] == p[1] && p[1] == p[2]; };
  EXPECT_TRUE(grey(before.at(69, 107)) || grey(before.at(70, 107)));
}

}  // namespace
