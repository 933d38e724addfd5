// The per-AOI COGs (outputs/cog_exporter.hpp), read back with GDAL: one AOI written from two
// tiles gives cog/<aoi>/{true_colour,false_colour,ndvi}_{before,after}.tif and the days of the
// looks, {ndvi,colour}_{before,after}_date.tif (UInt16 days, nodata 0); the composites are
// 3-band UInt16, reflectance x 10000 rounded and clamped to [1, 65535], with 0 (nodata) outside
// the AOI and where a band has no look (NaN), bands in composite order; the index COG is Float32
// with NaN outside; change.tif holds the change classes as they come (Byte, nodata 254) with a
// colour table and category names (in change.tif.aux.xml); every file has band descriptions and
// the metadata items of its job, version, period, dates and scenes; each file is on the AOI grid
// and laid out as a COG; the staging files go on commit(), and an exporter that never commits
// leaves no file. colour_composites() makes the composites the bands allow.
//
// AOI "north" is 5 x 3 pixels of 10 m in EPSG:32720, written as tiles of columns 0-2 and 3-4.
// Reflectance of band b (red 0, green 1, blue 2, nir 3) at pixel i in period p is
// (100 i + 37 + 1000 b + 5000 p) / 10000, so its digital number is that integer; pixels 0-2
// hold the rounding, clamping and missing-look cases, whose numbers are worked out by hand.
#include "outputs/cog_exporter.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogr_spatialref.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/pipeline/build_info.hpp"
#include "pipeline/outputs/output_fixtures.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;
namespace tt = geosweep::test_tools;

namespace {

float const nan_f = k::nodata_f32();
constexpr int W = 5, H = 3;
std::array<std::string, 4> const kBands{"red", "green", "blue", "nir"};

/// Pixels 3 (column 3, row 0), 10 (column 0, row 2) and 14 (column 4, row 2) are outside.
bool inside(std::size_t i) {
  return i != 3 && i != 10 && i != 14;
}

float reflectance(int period, std::size_t band, std::size_t i) {
  if (i == 0) return std::array{0.0421f, 0.03125f, 0.25f, 0.3f}[band];
  if (i == 1) return std::array{0.00001f, 7.0f, -0.01f, 6.5535f}[band];
  if (i == 2 && band == 0) return nan_f;  // no red look
  return static_cast<float>(100 * i + 37 + 1000 * band + 5000 * period) / 10000.0f;
}

/// The digital number the COG holds for band `band` at pixel i (0: nodata).
std::uint16_t expected_dn(int period, std::size_t band, std::size_t i) {
  if (!inside(i)) return 0;
  if (i == 0) return std::array<std::uint16_t, 4>{421, 313, 2500, 3000}[band];  // 312.5 -> 313
  if (i == 1) return std::array<std::uint16_t, 4>{1, 65535, 1, 65535}[band];    // 0.1, 70000, -100
  if (i == 2 && band == 0) return 0;
  return static_cast<std::uint16_t>(100 * i + 37 + 1000 * band + 5000 * period);
}

/// The index: before 0.5 + 0.01 i (NaN at pixel 4), after -0.25 + 0.02 i.
float index_at(int period, std::size_t i) {
  if (period == 0) return i == 4 ? nan_f : 0.5f + 0.01f * static_cast<float>(i);
  return -0.25f + 0.02f * static_cast<float>(i);
}

/// The day of the index's look: 19500 + 10 p + i (none at pixel 5); of the colour bands' look:
/// 19600 + 100 p + i % 3 (none at pixel 7).
float index_day(int period, std::size_t i) {
  return i == 5 ? nan_f : static_cast<float>(19500 + 10 * period + static_cast<int>(i));
}
float colour_day(int period, std::size_t i) {
  return i == 7 ? nan_f : static_cast<float>(19600 + 100 * period + static_cast<int>(i % 3));
}

/// The change class of pixel i: 254 outside, else 0, 1, 2, 3, 253, 255 in turn.
std::uint8_t class_at(std::size_t i) {
  if (!inside(i)) return 254;
  return std::array<std::uint8_t, 6>{0, 1, 2, 3, 253, 255}[i % 6];
}

/// The chunk of north's columns x0 .. x0 + width - 1.
gp::finished_chunk chunk_of(std::size_t id, int x0, int width) {
  gp::pixel_window const tile{x0, 0, width, H};
  std::vector<std::string> looks{"ndvi", "nbr", "ndvi_date", "colour_date"};
  looks.insert(looks.end(), kBands.begin(), kBands.end());
  auto t = tt::full_tile(0, tile, looks);
  for (int r = 0; r < H; ++r) {
    for (int c = 0; c < width; ++c) {
      auto const i = static_cast<std::size_t>(r * W + c + x0);
      auto const j = static_cast<std::size_t>(r * width + c);
      t.inside[j] = inside(i) ? 1 : 0;
      t.change[j] = class_at(i);
      for (int p = 0; p < 2; ++p) {
        for (std::size_t b = 0; b < 4; ++b) t.latest[p][kBands[b]][j] = reflectance(p, b, i);
        t.latest[p]["ndvi"][j] = index_at(p, i);
        t.latest[p]["nbr"][j] = 9.0f;  // not exported
        t.latest[p]["ndvi_date"][j] = index_day(p, i);
        t.latest[p]["colour_date"][j] = colour_day(p, i);
      }
    }
  }
  gp::finished_chunk chunk;
  chunk.output.chunk = id;
  chunk.window = {x0 + 20, 7, width, H};  // in the analysis grid: unused by the exporter
  chunk.output.aois.push_back(std::move(t));
  chunk.patches.emplace_back(tile.pixel_count(), 0);
  return chunk;
}

/// Every value of `band` (a COG band or one of its overviews) as UInt16, row by row; empty when
/// GDAL cannot read it.
std::vector<std::uint16_t> uint16_values(GDALRasterBand& band) {
  int const w = band.GetXSize(), h = band.GetYSize();
  std::vector<std::uint16_t> values(static_cast<std::size_t>(w) * h);
  if (band.RasterIO(GF_Read, 0, 0, w, h, values.data(), w, h, GDT_UInt16, 0, 0, nullptr) != CE_None)
    values.clear();
  return values;
}

class cog_exporter_test : public tt::temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    GDALAllRegister();
    aois_ = {{"north", tt::utm_grid(W, H, 600000.0, 8930000.0)}};
    folder_ = dir_ / "cog" / "north";
  }

  std::unique_ptr<gp::cog_exporter> written() {
    gp::cog_provenance about;
    about.job = "north-watch";
    about.periods[0] = {{"2023-01-05", "2023-02-14"}, {"S2A_20230105", "S2B_20230214"}};
    about.periods[1] = {{"2023-07-01"}, {"S2A_20230701"}};
    auto cogs = std::make_unique<gp::cog_exporter>(
        dir_, aois_, "ndvi", gp::colour_composites({"blue", "green", "red", "nir"}),
        std::vector<bool>{}, about);
    cogs->write(chunk_of(0, 0, 3));
    cogs->write(chunk_of(1, 3, 2));
    return cogs;
  }

  /// The COGs of one `w` x `h` px AOI written as one tile whose red, green and blue DN are
  /// dn(x, y) in both periods (ndvi 0.5), with `outside` pixels (by raster index) out of the
  /// AOI; opens true_colour_before.tif.
  template <class Dn>
  GDALDatasetUniquePtr true_colour_of(int w, int h, Dn dn, std::vector<std::size_t> outside = {}) {
    aois_ = {{"north", tt::utm_grid(w, h, 600000.0, 8930000.0)}};
    gp::cog_exporter cogs(dir_, aois_, "ndvi", gp::colour_composites({"blue", "green", "red"}));
    std::vector<std::string> looks{"ndvi", "red", "green", "blue", "ndvi_date", "colour_date"};
    gp::finished_chunk chunk;
    auto t = tt::full_tile(0, {0, 0, w, h}, looks);
    for (int y = 0; y < h; ++y) {
      for (int x = 0; x < w; ++x) {
        auto const i = static_cast<std::size_t>(y) * w + x;
        for (int p = 0; p < 2; ++p) {
          for (auto const& band : {"red", "green", "blue"})
            t.latest[p][band][i] = static_cast<float>(dn(x, y)) / 10000.0f;
          t.latest[p]["ndvi"][i] = 0.5f;
        }
      }
    }
    for (auto const i : outside) t.inside[i] = 0;
    chunk.output.aois.push_back(std::move(t));
    chunk.patches.emplace_back(static_cast<std::size_t>(w) * h, 0);
    cogs.write(chunk);
    cogs.commit();
    auto ds = tt::open_gdal((folder_ / "true_colour_before.tif").string());
    EXPECT_TRUE(ds) << CPLGetLastErrorMsg();
    return ds;
  }

  std::vector<std::pair<std::string, gp::raster_grid>> aois_;
  fs::path folder_;
};

std::vector<std::string> const kFinal{"change.tif",
                                      "colour_after_date.tif",
                                      "colour_before_date.tif",
                                      "false_colour_after.tif",
                                      "false_colour_before.tif",
                                      "ndvi_after.tif",
                                      "ndvi_after_date.tif",
                                      "ndvi_before.tif",
                                      "ndvi_before_date.tif",
                                      "true_colour_after.tif",
                                      "true_colour_before.tif"};

/// The COGs and change.tif's category names beside it.
std::vector<std::string> final_files() {
  auto files = kFinal;
  files.insert(files.begin() + 1, "change.tif.aux.xml");
  return files;
}

}  // namespace

TEST(cog_composites, are_made_from_the_bands_there_are) {
  auto const names = [](std::vector<std::string> const& bands) {
    std::vector<std::string> out;
    for (auto const& c : gp::colour_composites(bands)) out.push_back(c.name);
    return out;
  };
  EXPECT_EQ(names({"red", "green", "blue", "nir"}),
            (std::vector<std::string>{"true_colour", "false_colour"}));
  EXPECT_EQ(names({"green", "red", "blue"}), std::vector<std::string>{"true_colour"});
  EXPECT_EQ(names({"nir", "green", "red", "swir16"}), std::vector<std::string>{"false_colour"});
  EXPECT_TRUE(names({"red", "nir"}).empty());
  auto const all = gp::colour_composites({"red", "green", "blue", "nir"});
  EXPECT_EQ(all[0].bands, (std::array<std::string, 3>{"red", "green", "blue"}));
  EXPECT_EQ(all[1].bands, (std::array<std::string, 3>{"nir", "red", "green"}));
  EXPECT_EQ(gp::colour_bands(), (std::vector<std::string>{"red", "green", "blue", "nir"}));
}

TEST_F(cog_exporter_test, commit_writes_the_cogs_and_removes_the_staging_files) {
  auto cogs = written();
  // Before commit: only the staging files, hidden.
  EXPECT_EQ(tt::file_names(folder_),
            (std::vector<std::string>{
                ".change.staging.tif", ".colour_after_date.staging.tif",
                ".colour_before_date.staging.tif", ".false_colour_after.staging.tif",
                ".false_colour_before.staging.tif", ".ndvi_after.staging.tif",
                ".ndvi_after_date.staging.tif", ".ndvi_before.staging.tif",
                ".ndvi_before_date.staging.tif", ".true_colour_after.staging.tif",
                ".true_colour_before.staging.tif"}));
  auto const files = cogs->commit();
  EXPECT_EQ(files, (std::vector<fs::path>{
                       folder_ / "true_colour_before.tif", folder_ / "true_colour_after.tif",
                       folder_ / "false_colour_before.tif", folder_ / "false_colour_after.tif",
                       folder_ / "ndvi_before.tif", folder_ / "ndvi_after.tif",
                       folder_ / "ndvi_before_date.tif", folder_ / "ndvi_after_date.tif",
                       folder_ / "colour_before_date.tif", folder_ / "colour_after_date.tif",
                       folder_ / "change.tif"}));
  EXPECT_EQ(tt::file_names(folder_), final_files());
  cogs.reset();  // the destructor removes nothing committed
  EXPECT_EQ(tt::file_names(folder_), final_files());
  EXPECT_EQ(tt::file_names(dir_ / "cog"), std::vector<std::string>{"north"});
}

TEST_F(cog_exporter_test, without_commit_no_file_is_left) {
  written().reset();
  EXPECT_TRUE(tt::file_names(folder_).empty());
}

TEST_F(cog_exporter_test, composites_hold_reflectance_times_10000_with_nodata_outside) {
  written()->commit();
  struct composite {
    char const* stem;
    std::array<std::size_t, 3> bands;  // indices into kBands
  };
  for (auto const& [stem, bands] :
       {composite{"true_colour", {0, 1, 2}}, composite{"false_colour", {3, 0, 1}}}) {
    for (int p = 0; p < 2; ++p) {
      std::string const name =
          (folder_ / (std::string(stem) + (p == 0 ? "_before.tif" : "_after.tif"))).string();
      SCOPED_TRACE(name);
      auto ds = tt::open_gdal(name);
      ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
      ASSERT_EQ(ds->GetRasterCount(), 3);
      ASSERT_EQ(ds->GetRasterXSize(), W);
      ASSERT_EQ(ds->GetRasterYSize(), H);
      for (int b = 1; b <= 3; ++b) {
        GDALRasterBand* band = ds->GetRasterBand(b);
        EXPECT_EQ(band->GetRasterDataType(), GDT_UInt16);
        int has_nodata = 0;
        EXPECT_EQ(band->GetNoDataValue(&has_nodata), 0.0);
        EXPECT_TRUE(has_nodata);
        EXPECT_EQ(static_cast<int>(band->GetColorInterpretation()), GCI_RedBand + b - 1);
        auto const values = tt::read_band<std::uint16_t>(*ds, b, GDT_UInt16);
        for (std::size_t i = 0; i < values.size(); ++i)
          EXPECT_EQ(values[i], expected_dn(p, bands[b - 1], i)) << "band " << b << " pixel " << i;
      }
    }
  }
  // Hand-picked pixels of the true colour before: (0, 0) 421 313 2500; pixel (1, 1) i = 6:
  // red 637, green 1637, blue 2637; after, 5000 more.
  auto ds = tt::open_gdal((folder_ / "true_colour_before.tif").string());
  auto red = tt::read_band<std::uint16_t>(*ds, 1, GDT_UInt16);
  auto green = tt::read_band<std::uint16_t>(*ds, 2, GDT_UInt16);
  EXPECT_EQ(red[0], 421);
  EXPECT_EQ(green[0], 313);
  EXPECT_EQ(red[6], 637);
  EXPECT_EQ(green[6], 1637);
  EXPECT_EQ(red[2], 0);       // no red look
  EXPECT_EQ(green[2], 1237);  // green has one
  EXPECT_EQ(red[3], 0);       // outside
  auto after = tt::open_gdal((folder_ / "true_colour_after.tif").string());
  EXPECT_EQ(tt::read_band<std::uint16_t>(*after, 1, GDT_UInt16)[6], 5637);
  auto false_colour = tt::open_gdal((folder_ / "false_colour_before.tif").string());
  EXPECT_EQ(tt::read_band<std::uint16_t>(*false_colour, 1, GDT_UInt16)[6], 3637);  // nir
}

TEST_F(cog_exporter_test, the_index_cog_is_packed_int16_with_nodata_outside) {
  written()->commit();
  for (int p = 0; p < 2; ++p) {
    std::string const name = (folder_ / (p == 0 ? "ndvi_before.tif" : "ndvi_after.tif")).string();
    SCOPED_TRACE(name);
    auto ds = tt::open_gdal(name);
    ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
    ASSERT_EQ(ds->GetRasterCount(), 1);
    auto const values = tt::read_unpacked(*ds, 1);  // checks Int16, scale and nodata
    ASSERT_EQ(values.size(), 15u);
    for (std::size_t i = 0; i < values.size(); ++i) {
      if (!inside(i) || std::isnan(index_at(p, i))) {
        EXPECT_TRUE(std::isnan(values[i])) << i;
      } else {
        EXPECT_NEAR(values[i], index_at(p, i), tt::packed_tolerance) << i;
      }
    }
  }
  // Stored values by hand: 0.5 is 5000, 0.63 is 6300, -0.17 is -1700; none is -32768.
  auto before = tt::read_band<std::int16_t>(*tt::open_gdal((folder_ / "ndvi_before.tif").string()),
                                            1, GDT_Int16);
  EXPECT_EQ(before[0], 5000);
  EXPECT_EQ(before[13], 6300);
  EXPECT_EQ(before[4], -32768);  // no clear look inside
  EXPECT_EQ(before[3], -32768);  // outside
  auto after = tt::read_band<std::int16_t>(*tt::open_gdal((folder_ / "ndvi_after.tif").string()), 1,
                                           GDT_Int16);
  EXPECT_EQ(after[4], -1700);
}

TEST_F(cog_exporter_test, the_date_layers_hold_the_day_of_each_look_with_nodata_outside) {
  written()->commit();
  struct layer {
    char const* stem;
    float (*day)(int, std::size_t);
  };
  for (auto const& [stem, day] : {layer{"ndvi", index_day}, layer{"colour", colour_day}}) {
    for (int p = 0; p < 2; ++p) {
      std::string const name =
          (folder_ / (std::string(stem) + (p == 0 ? "_before_date.tif" : "_after_date.tif")))
              .string();
      SCOPED_TRACE(name);
      auto ds = tt::open_gdal(name);
      ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
      GDALRasterBand* band = ds->GetRasterBand(1);
      EXPECT_EQ(band->GetRasterDataType(), GDT_UInt16);
      int has_nodata = 0;
      EXPECT_EQ(band->GetNoDataValue(&has_nodata), 0.0);
      EXPECT_TRUE(has_nodata);
      EXPECT_STREQ(band->GetUnitType(), "days since 1970-01-01");
      auto const values = tt::read_band<std::int32_t>(*ds, 1, GDT_Int32);
      for (std::size_t i = 0; i < values.size(); ++i) {
        bool const none = !inside(i) || std::isnan(day(p, i));
        EXPECT_EQ(values[i], none ? 0 : static_cast<std::int32_t>(day(p, i))) << i;
      }
    }
  }
  // By hand: the index's look of pixel 6 after is day 19516, the colour's 19700.
  auto after = tt::read_band<std::int32_t>(
      *tt::open_gdal((folder_ / "ndvi_after_date.tif").string()), 1, GDT_Int32);
  EXPECT_EQ(after[6], 19516);
  auto colour = tt::read_band<std::int32_t>(
      *tt::open_gdal((folder_ / "colour_after_date.tif").string()), 1, GDT_Int32);
  EXPECT_EQ(colour[6], 19700);
}

TEST_F(cog_exporter_test, change_tif_holds_the_classes_with_their_colours_and_names) {
  written()->commit();
  auto ds = tt::open_gdal((folder_ / "change.tif").string());
  ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
  ASSERT_EQ(ds->GetRasterCount(), 1);
  GDALRasterBand* band = ds->GetRasterBand(1);
  EXPECT_EQ(band->GetRasterDataType(), GDT_Byte);
  int has_nodata = 0;
  EXPECT_EQ(band->GetNoDataValue(&has_nodata), 254.0);
  EXPECT_TRUE(has_nodata);
  EXPECT_STREQ(band->GetDescription(), "change class");
  EXPECT_EQ(band->GetColorInterpretation(), GCI_PaletteIndex);
  // The classes as written, row by row: pixels 3, 10 and 14 outside.
  EXPECT_EQ(tt::read_band<std::uint8_t>(*ds, 1, GDT_Byte),
            (std::vector<std::uint8_t>{0, 1, 2, 254, 253, 255, 0, 1, 2, 3, 254, 255, 0, 1, 254}));
  // The colour table, by class code: (red, green, blue, alpha). A GeoTIFF palette holds no
  // alpha, so every entry reads back opaque but the nodata's.
  GDALColorTable const* colours = band->GetColorTable();
  ASSERT_NE(colours, nullptr);
  EXPECT_EQ(colours->GetColorEntryCount(), 256);
  struct expected_entry {
    int code;
    short r, g, b, a;
  };
  for (auto const& e : {expected_entry{0, 230, 230, 230, 255}, expected_entry{1, 255, 140, 0, 255},
                        expected_entry{2, 220, 0, 0, 255}, expected_entry{3, 255, 200, 120, 255},
                        expected_entry{253, 150, 120, 180, 255}, expected_entry{254, 0, 0, 0, 0},
                        expected_entry{255, 128, 128, 128, 255}, expected_entry{4, 0, 0, 0, 255}}) {
    SCOPED_TRACE(e.code);
    GDALColorEntry const* c = colours->GetColorEntry(e.code);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->c1, e.r);
    EXPECT_EQ(c->c2, e.g);
    EXPECT_EQ(c->c3, e.b);
    EXPECT_EQ(c->c4, e.a);
  }
  // The category names, index = class code, "" for codes no class uses.
  char** names = band->GetCategoryNames();
  ASSERT_NE(names, nullptr);
  ASSERT_EQ(CSLCount(names), 256);
  EXPECT_STREQ(names[0], "no change");
  EXPECT_STREQ(names[1], "loss (low confidence)");
  EXPECT_STREQ(names[2], "loss (high confidence)");
  EXPECT_STREQ(names[3], "weaker fall (grown, not a seed)");
  EXPECT_STREQ(names[4], "");
  EXPECT_STREQ(names[252], "");
  EXPECT_STREQ(names[253], "no model (too few clear looks)");
  EXPECT_STREQ(names[254], "outside the AOI");
  EXPECT_STREQ(names[255], "no clear observation");
}

TEST_F(cog_exporter_test, seeds_of_patches_dropped_at_the_finish_become_no_change) {
  // Patch 7: pixels 1 (low), 2 (high) and 9 (grown); patch 8: pixels 7 (low) and 8 (high), across
  // the two tiles. The numbering drops 7 and keeps 8: the seeds of 7 become no change (0), its
  // grown pixel stays (3), as in change.nc (netcdf_product::finish).
  auto cogs = std::make_unique<gp::cog_exporter>(
      dir_, aois_, "ndvi", gp::colour_composites({"blue", "green", "red", "nir"}));
  auto left = chunk_of(0, 0, 3);  // columns 0-2: pixels 1, 2 (row 0), 7 (row 1)
  left.patches[0][1] = 7;
  left.patches[0][2] = 7;
  left.patches[0][3 + 2] = 8;
  auto right = chunk_of(1, 3, 2);  // columns 3-4: pixels 8, 9 (row 1)
  right.patches[0][2 + 0] = 8;
  right.patches[0][2 + 1] = 7;
  cogs->write(left);
  cogs->write(right);
  EXPECT_TRUE(cogs->has_open_patches(0));
  std::vector<std::int32_t> asked;
  cogs->set_patch_numbering([&](std::size_t aoi, std::int32_t provisional) {
    EXPECT_EQ(aoi, 0u);
    asked.push_back(provisional);
    return provisional == 8 ? 1 : 0;
  });
  cogs->commit();
  EXPECT_EQ(asked, (std::vector<std::int32_t>{7, 7, 8, 8}));  // the seeds only, in tile order
  auto ds = tt::open_gdal((folder_ / "change.tif").string());
  ASSERT_TRUE(ds);
  EXPECT_EQ(tt::read_band<std::uint8_t>(*ds, 1, GDT_Byte),
            (std::vector<std::uint8_t>{0, 0, 0, 254, 253, 255, 0, 1, 2, 3, 254, 255, 0, 1, 254}));
}

TEST_F(cog_exporter_test, every_file_has_band_descriptions_and_provenance_metadata) {
  written()->commit();
  struct expected_file {
    char const* name;
    std::vector<char const*> bands;
    int period;  // -1: both
  };
  char const* days = "days since 1970-01-01 of each pixel's look";
  std::vector<expected_file> const files{
      {"true_colour_before.tif", {"red", "green", "blue"}, 0},
      {"true_colour_after.tif", {"red", "green", "blue"}, 1},
      {"false_colour_before.tif", {"near infrared", "red", "green"}, 0},
      {"false_colour_after.tif", {"near infrared", "red", "green"}, 1},
      {"ndvi_before.tif", {"ndvi"}, 0},
      {"ndvi_after.tif", {"ndvi"}, 1},
      {"ndvi_before_date.tif", {days}, 0},
      {"ndvi_after_date.tif", {days}, 1},
      {"colour_before_date.tif", {days}, 0},
      {"colour_after_date.tif", {days}, 1},
      {"change.tif", {"change class"}, -1}};
  ASSERT_EQ(files.size(), kFinal.size());
  for (auto const& f : files) {
    SCOPED_TRACE(f.name);
    auto ds = tt::open_gdal((folder_ / f.name).string());
    ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
    ASSERT_EQ(ds->GetRasterCount(), static_cast<int>(f.bands.size()));
    for (std::size_t b = 0; b < f.bands.size(); ++b)
      EXPECT_STREQ(ds->GetRasterBand(static_cast<int>(b) + 1)->GetDescription(), f.bands[b]);
    auto const item = [&](char const* key) {
      char const* v = ds->GetMetadataItem(key);
      return std::string(v == nullptr ? "(none)" : v);
    };
    EXPECT_EQ(item("GEOSWEEP_JOB"), "north-watch");
    EXPECT_EQ(item("GEOSWEEP_VERSION"), gp::geosweep_version());
    EXPECT_EQ(item("TIFFTAG_SOFTWARE"), "geosweep " + gp::geosweep_version());
    if (f.period == 0) {
      EXPECT_EQ(item("GEOSWEEP_PERIOD"), "before");
      EXPECT_EQ(item("GEOSWEEP_DATES"), "2023-01-05/2023-02-14");
      EXPECT_EQ(item("GEOSWEEP_SCENES"), "S2A_20230105 S2B_20230214");
      EXPECT_EQ(item("GEOSWEEP_PROVENANCE"),
                "each pixel's latest clear look among the 2 scene(s) of 2 date(s) from "
                "2023-01-05 to 2023-02-14 of the baseline period read by this run");
    } else if (f.period == 1) {
      EXPECT_EQ(item("GEOSWEEP_PERIOD"), "after");
      EXPECT_EQ(item("GEOSWEEP_DATES"), "2023-07-01/2023-07-01");
      EXPECT_EQ(item("GEOSWEEP_SCENES"), "S2A_20230701");
    } else {
      EXPECT_EQ(item("GEOSWEEP_PERIOD"), "(none)");
      EXPECT_EQ(item("GEOSWEEP_DATES_BEFORE"), "2023-01-05/2023-02-14");
      EXPECT_EQ(item("GEOSWEEP_DATES_AFTER"), "2023-07-01/2023-07-01");
      EXPECT_EQ(item("GEOSWEEP_SCENES"), "S2A_20230105 S2B_20230214 S2A_20230701");
    }
  }
  // Reflectance x 10000 unpacks by its scale.
  auto colour = tt::open_gdal((folder_ / "true_colour_before.tif").string());
  EXPECT_EQ(colour->GetRasterBand(2)->GetScale(), 0.0001);
  EXPECT_EQ(colour->GetRasterBand(2)->GetOffset(), 0.0);
}

TEST_F(cog_exporter_test, source_date_epoch_sets_the_tiff_date) {
  ::setenv("SOURCE_DATE_EPOCH", "1700000000", 1);  // 2023-11-14 22:13:20 UTC
  auto cogs = written();
  ::unsetenv("SOURCE_DATE_EPOCH");
  cogs->commit();
  auto ds = tt::open_gdal((folder_ / "ndvi_after.tif").string());
  ASSERT_TRUE(ds);
  char const* date = ds->GetMetadataItem("TIFFTAG_DATETIME");
  ASSERT_NE(date, nullptr);
  EXPECT_STREQ(date, "2023:11:14 22:13:20");
  cogs.reset();
  // Without it, no date (the same job gives the same bytes).
  auto again = written();
  again->commit();
  ds = tt::open_gdal((folder_ / "ndvi_after.tif").string());
  EXPECT_EQ(ds->GetMetadataItem("TIFFTAG_DATETIME"), nullptr);
}

TEST_F(cog_exporter_test, every_file_is_a_cog_on_the_aoi_grid) {
  written()->commit();
  OGRSpatialReference utm20s;
  utm20s.importFromEPSG(32720);
  for (auto const& file : kFinal) {
    SCOPED_TRACE(file);
    auto ds = tt::open_gdal((folder_ / file).string());
    ASSERT_TRUE(ds) << CPLGetLastErrorMsg();
    EXPECT_STREQ(ds->GetDriver()->GetDescription(), "GTiff");
    char const* layout = ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE");
    ASSERT_NE(layout, nullptr);
    EXPECT_STREQ(layout, "COG");
    char const* compression = ds->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE");
    ASSERT_NE(compression, nullptr);
    EXPECT_STREQ(compression, "DEFLATE");
    std::array<double, 6> gt{};
    ASSERT_EQ(ds->GetGeoTransform(gt.data()), CE_None);
    std::array<double, 6> const expected{600000.0, 10.0, 0.0, 8930000.0, 0.0, -10.0};
    for (std::size_t i = 0; i < 6; ++i) EXPECT_NEAR(gt[i], expected[i], 1e-9) << i;
    ASSERT_NE(ds->GetSpatialRef(), nullptr);
    EXPECT_TRUE(ds->GetSpatialRef()->IsSame(&utm20s));
  }
}

TEST_F(cog_exporter_test, each_aoi_has_its_own_folder) {
  aois_.push_back({"south", tt::utm_grid(2, 2, 600000.0, 8920000.0)});
  {
    gp::cog_exporter cogs(dir_, aois_, "ndvi", gp::colour_composites({"red", "green", "blue"}));
    cogs.write(chunk_of(0, 0, 3));
    cogs.write(chunk_of(1, 3, 2));
    // South's only tile, through write_tile: inside everywhere, one look of each band.
    std::array<std::map<std::string, std::vector<float>>, 2> looks;
    for (int p = 0; p < 2; ++p) {
      for (char const* b : {"red", "green", "blue"}) looks[p][b] = {0.1f, 0.2f, 0.3f, 0.4f};
      looks[p]["ndvi_date"] = looks[p]["colour_date"] = {19000.0f, 19001.0f, nan_f, 19003.0f};
    }
    looks[0]["ndvi"] = {0.9f, 0.8f, 0.7f, 0.6f};
    looks[1]["ndvi"] = {0.1f, nan_f, 0.3f, 0.4f};
    cogs.write_tile(1, {0, 0, 2, 2}, {1, 1, 1, 0}, {0, 2, 255, 254}, looks);
    auto const files = cogs.commit();
    // True colour, the index and the days of both, before and after, and the classes, of each
    // AOI.
    EXPECT_EQ(files.size(), 18u);
  }
  EXPECT_EQ(tt::file_names(dir_ / "cog"), (std::vector<std::string>{"north", "south"}));
  EXPECT_EQ(
      tt::file_names(dir_ / "cog" / "south"),
      (std::vector<std::string>{"change.tif", "change.tif.aux.xml", "colour_after_date.tif",
                                "colour_before_date.tif", "ndvi_after.tif", "ndvi_after_date.tif",
                                "ndvi_before.tif", "ndvi_before_date.tif", "true_colour_after.tif",
                                "true_colour_before.tif"}));
  auto south_days = tt::open_gdal((dir_ / "cog" / "south" / "colour_after_date.tif").string());
  ASSERT_TRUE(south_days);
  EXPECT_EQ(tt::read_band<std::uint16_t>(*south_days, 1, GDT_UInt16),
            (std::vector<std::uint16_t>{19000, 19001, 0, 0}));
  auto south = tt::open_gdal((dir_ / "cog" / "south" / "true_colour_after.tif").string());
  ASSERT_TRUE(south);
  EXPECT_EQ(tt::read_band<std::uint16_t>(*south, 2, GDT_UInt16),
            (std::vector<std::uint16_t>{1000, 2000, 3000, 0}));
  auto south_classes = tt::open_gdal((dir_ / "cog" / "south" / "change.tif").string());
  ASSERT_TRUE(south_classes);
  EXPECT_EQ(tt::read_band<std::uint8_t>(*south_classes, 1, GDT_Byte),
            (std::vector<std::uint8_t>{0, 2, 255, 254}));
  auto index = tt::open_gdal((dir_ / "cog" / "south" / "ndvi_after.tif").string());
  auto const values = tt::read_unpacked(*index, 1);
  EXPECT_NEAR(values[0], 0.1, tt::packed_tolerance);
  EXPECT_TRUE(std::isnan(values[1]));
  EXPECT_NEAR(values[2], 0.3, tt::packed_tolerance);
  EXPECT_TRUE(std::isnan(values[3]));
}

TEST_F(cog_exporter_test, an_aoi_not_wanted_gets_no_folder_and_its_tiles_are_passed_over) {
  aois_.push_back({"south", tt::utm_grid(2, 2, 600000.0, 8920000.0)});
  {
    gp::cog_exporter cogs(dir_, aois_, "ndvi", gp::colour_composites({"red", "green", "blue"}),
                          {true, false});
    cogs.write(chunk_of(0, 0, 3));
    auto chunk = chunk_of(1, 3, 2);
    auto south = chunk.output.aois.front();
    south.aoi = 1;  // a tile of the unwanted AOI in the same chunk
    chunk.output.aois.push_back(south);
    cogs.write(chunk);
    EXPECT_EQ(cogs.commit().size(), 9u);  // north's only
  }
  EXPECT_EQ(tt::file_names(dir_ / "cog"), (std::vector<std::string>{"north"}));
}

TEST(cog_overviews, factors_are_those_of_the_cog_drivers_auto_levels) {
  // Halved (rounding down) while either side is still over one 512-px block.
  EXPECT_TRUE(gp::overview_factors(500, 500).empty());
  EXPECT_TRUE(gp::overview_factors(512, 512).empty());  // on the block: none
  EXPECT_EQ(gp::overview_factors(513, 100), std::vector<int>{2});
  EXPECT_EQ(gp::overview_factors(100, 1025), std::vector<int>{2});  // 1025 / 2 = 512: stop
  EXPECT_EQ(gp::overview_factors(1026, 10), (std::vector<int>{2, 4}));
  EXPECT_EQ(gp::overview_factors(1240, 1240), (std::vector<int>{2, 4}));
  EXPECT_EQ(gp::overview_factors(8192, 8192, 256), (std::vector<int>{2, 4, 8, 16, 32}));
}

TEST_F(cog_exporter_test, a_large_aoi_gets_averaged_overviews_without_its_nodata) {
  // 1100 x 600 px: overviews of 550 x 300 and 275 x 150 (factors 2 and 4). Each 2 x 2 block
  // (X, Y) of red holds DN b + 1, b - 1 / b + 1, b - 1 with b = 1000 + 4 X + 8 Y, so its
  // average is b; pixel (1, 0) is outside the AOI (nodata), which leaves (b + 1 + b + 1 + b -
  // 1) / 3 = b + 1/3 there, b after rounding (750 if the nodata were averaged in).
  constexpr int w = 1100, h = 600;
  auto ds = true_colour_of(
      w, h, [](int x, int y) { return 1000 + 4 * (x / 2) + 8 * (y / 2) + (x % 2 == 0 ? 1 : -1); },
      {1});
  ASSERT_TRUE(ds);
  EXPECT_STREQ(ds->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE"), "COG");
  GDALRasterBand* red = ds->GetRasterBand(1);
  ASSERT_EQ(red->GetOverviewCount(), 2);
  EXPECT_EQ(red->GetOverview(0)->GetXSize(), 550);
  EXPECT_EQ(red->GetOverview(0)->GetYSize(), 300);
  EXPECT_EQ(red->GetOverview(1)->GetXSize(), 275);
  EXPECT_EQ(red->GetOverview(1)->GetYSize(), 150);
  auto const half = uint16_values(*red->GetOverview(0));
  ASSERT_EQ(half.size(), 550u * 300u);
  for (int y = 0; y < 300; ++y)
    for (int x = 0; x < 550; ++x)
      ASSERT_EQ(half[static_cast<std::size_t>(y) * 550 + x], 1000 + 4 * x + 8 * y)
          << x << ", " << y;
  // The next level averages this one's blocks: 1000 + 4 (2 X + 0.5) + 8 (2 Y + 0.5).
  auto const quarter = uint16_values(*red->GetOverview(1));
  ASSERT_EQ(quarter.size(), 275u * 150u);
  for (int y = 0; y < 150; ++y)
    for (int x = 0; x < 275; ++x)
      ASSERT_EQ(quarter[static_cast<std::size_t>(y) * 275 + x], 1006 + 8 * x + 16 * y)
          << x << ", " << y;
}

TEST(cog_overviews, halving_averages_each_two_by_two_block_without_its_nodata) {
  // 3 x 3 values, nodata 0: blocks of 4, 2 (last column), 2 (last row) and 1 (corner) values.
  std::vector<std::uint16_t> const from{1, 2, 3,  //
                                        4, 6, 6,  //
                                        7, 8, 9};
  std::vector<std::uint16_t> to(4, 77);
  gp::halve_by_average<std::uint16_t>(from.data(), 3, 3, 0, to.data());
  // (1 + 2 + 4 + 6) / 4 = 3.25 -> 3; (3 + 6) / 2 = 4.5 -> 5 (a half rounds up);
  // (7 + 8) / 2 = 7.5 -> 8; 9.
  EXPECT_EQ(to, (std::vector<std::uint16_t>{3, 5, 8, 9}));

  // The nodata is left out of the mean; a block of nodata only stays nodata.
  // clang-format off
  std::vector<std::uint16_t> const holes{10, 0, 0, 0,  //
                                         11, 12, 0, 0};
  // clang-format on
  std::vector<std::uint16_t> out(2, 77);
  gp::halve_by_average<std::uint16_t>(holes.data(), 4, 2, 0, out.data());
  EXPECT_EQ(out, (std::vector<std::uint16_t>{11, 0}));  // (10 + 11 + 12) / 3 = 11; none
}

TEST(cog_overviews, halving_rounds_signed_halves_away_from_zero) {
  // Int16 (the packed index), nodata -32768: -1.5 -> -2, -0.5 -> -1, 0.5 -> 1, -3.25 -> -3.
  constexpr std::int16_t fill = -32768;
  // clang-format off
  std::vector<std::int16_t> const from{-1, -2, -3, 2, 1, 0, -4, -3,  //
                                       fill, fill, fill, fill, fill, fill, -3, -3};
  // clang-format on
  std::vector<std::int16_t> to(4, 77);
  gp::halve_by_average<std::int16_t>(from.data(), 8, 2, fill, to.data());
  EXPECT_EQ(to, (std::vector<std::int16_t>{-2, -1, 1, -3}));
}

TEST_F(cog_exporter_test, overviews_of_an_odd_size_average_aligned_blocks_to_the_last_pixel) {
  // 1025 x 601 px: one overview (factor 2) of 513 x 301. Red DN v(x, y) = 1000 + x + 2 y, so
  // block (X, Y) averages 1001.5 + 2 X + 4 Y -> 1002 + 2 X + 4 Y; the last column holds x =
  // 1024 alone (2025 + 4 Y), the last row y = 600 alone (2201 + 2 X), the corner 3224.
  constexpr int w = 1025, h = 601;
  auto ds = true_colour_of(w, h, [](int x, int y) { return 1000 + x + 2 * y; });
  ASSERT_TRUE(ds);
  GDALRasterBand* red = ds->GetRasterBand(1);
  ASSERT_EQ(red->GetOverviewCount(), 1);
  GDALRasterBand* half = red->GetOverview(0);
  ASSERT_EQ(half->GetXSize(), 513);
  ASSERT_EQ(half->GetYSize(), 301);
  auto const v = uint16_values(*half);
  ASSERT_EQ(v.size(), 513u * 301u);
  auto const at = [&](int x, int y) { return v[static_cast<std::size_t>(y) * 513 + x]; };
  for (int y = 0; y < 300; ++y)
    for (int x = 0; x < 512; ++x) ASSERT_EQ(at(x, y), 1002 + 2 * x + 4 * y) << x << ", " << y;
  for (int y = 0; y < 300; ++y) EXPECT_EQ(at(512, y), 2025 + 4 * y) << y;
  for (int x = 0; x < 512; ++x) EXPECT_EQ(at(x, 300), 2201 + 2 * x) << x;
  EXPECT_EQ(at(512, 300), 3224);
}
