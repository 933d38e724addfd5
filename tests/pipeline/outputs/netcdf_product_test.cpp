// change.nc (outputs/netcdf_product.hpp), read back with GDAL's netCDF driver: the tiles of two
// chunks of one AOI land in their windows; finish() rewrites the provisional patch numbers with
// the final ones and, where a patch is dropped, clears its pixels in change (to change_none),
// first_date and confirmed_date (to no_date) and magnitude (to NaN) while every other pixel and
// variable keeps its values; the numbering is asked per AOI; root and group attributes are as
// product_layout names them; the series of the change index lands at its date; the file is
// absent before commit() and georeferenced on the AOI grid after it.
//
// AOI "north" is 6 x 4 pixels of 10 m in EPSG:32720, written as two tiles of 3 x 4 (chunks 0
// and 1); AOI "south" is 2 x 2, one tile in chunk 1. Every expected raster is a literal grid
// or a formula of the pixel written here; the numbering keeps north's provisional patch 5 as 1
// and drops its patch 7, and keeps south's patch 5 as 2.
#include "outputs/netcdf_product.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <ogr_spatialref.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "geosweep/kernels/change.hpp"
#include "pipeline/outputs/output_fixtures.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;
namespace tt = geosweep::test_tools;

namespace {

float const nan_f = k::nodata_f32();
constexpr int W = 6, H = 4;
constexpr std::int32_t none = k::no_date;

// North's rasters over the whole AOI window (row 0 north). Patch 5 crosses the two tiles
// (columns 0-2 and 3-5); patch 7 lies in the second. As the stitcher makes them, every pixel of
// loss is in a patch and every pixel of a patch is loss.
std::vector<std::int32_t> const kProvisional{
    5, 5, 0, 0, 0, 7,  //
    0, 5, 5, 5, 0, 7,  //
    0, 0, 0, 0, 7, 7,  //
    0, 0, 0, 0, 0, 0,  //
};
std::vector<std::uint8_t> const kChange{
    2,   1, 0, 0, 0, 2,  //
    0,   2, 1, 1, 0, 1,  //
    0,   0, 0, 0, 1, 2,  //
    255, 0, 0, 0, 0, 254,
};
std::vector<std::uint8_t> const kInside{
    1, 1, 1, 1, 1, 1,  //
    1, 1, 1, 1, 1, 1,  //
    1, 1, 1, 1, 1, 1,  //
    1, 1, 1, 1, 1, 0,  //
};

bool changed(std::size_t i) {
  return kChange[i] == k::change_low || kChange[i] == k::change_high;
}
// The other rasters, by pixel index i = row * 6 + column.
std::int32_t first_date_at(std::size_t i) {
  return changed(i) ? 19800 + static_cast<std::int32_t>(i) : none;
}
std::int32_t confirmed_at(std::size_t i) {
  return kChange[i] == k::change_high ? 19850 + static_cast<std::int32_t>(i) : none;
}
float magnitude_at(std::size_t i) {
  if (i == 12 || i == 15) return 0.125f;  // in no patch, yet a value: kept
  return changed(i) ? 0.25f + 0.01f * static_cast<float>(i) : nan_f;
}
float baseline_at(std::size_t i) {
  return 0.7f + 0.01f * static_cast<float>(i);
}
std::uint16_t clear_count_at(std::size_t i) {
  return static_cast<std::uint16_t>(i + 1);
}
float look_at(int period, std::size_t index, std::size_t i) {
  return static_cast<float>(period) + 0.1f * static_cast<float>(index) +
         0.001f * static_cast<float>(i);
}

std::vector<std::string> const kIndices{"ndvi", "nbr"};
/// The indices and the days of their looks, as a tile holds them.
std::vector<std::string> const kLooks{"ndvi", "ndvi_date", "nbr", "nbr_date"};
/// The day of index x's look in period p at pixel i: 19500 + 100 p + 10 x + i, none at i = 5.
float look_day_at(int period, std::size_t index, std::size_t i) {
  return i == 5 ? nan_f : static_cast<float>(19500 + 100 * period + 10 * index + i);
}

/// A chunk of north's tile `tile` (columns x0..x0+2, all rows) with patch numbers.
gp::finished_chunk north_chunk(std::size_t id, gp::pixel_window const& tile) {
  auto t = tt::full_tile(0, tile, kLooks);
  std::vector<std::int32_t> patches;
  for (int r = 0; r < tile.height; ++r) {
    for (int c = 0; c < tile.width; ++c) {
      auto const i = static_cast<std::size_t>((r + tile.y_offset) * W + c + tile.x_offset);
      auto const j = static_cast<std::size_t>(r * tile.width + c);
      t.inside[j] = kInside[i];
      t.change[j] = kChange[i];
      t.first_date[j] = first_date_at(i);
      t.confirmed_date[j] = confirmed_at(i);
      t.magnitude[j] = magnitude_at(i);
      t.baseline[j] = baseline_at(i);
      t.clear_count[j] = clear_count_at(i);
      for (int p = 0; p < 2; ++p)
        for (std::size_t x = 0; x < kIndices.size(); ++x) {
          t.latest[p][kIndices[x]][j] = look_at(p, x, i);
          t.latest[p][kIndices[x] + "_date"][j] = look_day_at(p, x, i);
        }
      patches.push_back(kProvisional[i]);
    }
  }
  gp::finished_chunk chunk;
  chunk.output.chunk = id;
  chunk.window = {tile.x_offset, tile.y_offset, tile.width, tile.height};
  chunk.output.aois.push_back(std::move(t));
  chunk.patches.push_back(std::move(patches));
  return chunk;
}

class netcdf_product_test : public tt::temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    GDALAllRegister();
    spec_ = tt::outputs_job(dir_);
    spec_.outputs.series = true;
    contents_.indices = kIndices;
    contents_.aoi_names = {"north", "south"};
    contents_.aoi_grids = {tt::utm_grid(W, H), tt::utm_grid(2, 2, 500000.0, 8939000.0)};
    contents_.days = {19539, 19570, 19905};  // 2023-07-01, 2023-08-01, 2024-07-01
    contents_.date_before = gp::parse_iso_date("2023-08-01").value();
    contents_.date_after = gp::parse_iso_date("2024-07-01").value();
    contents_.backend = "cpu";
    contents_.scene_ids = {"S2A_20230701", "S2B_20230801", "S2A_20240701"};
  }

  /// Writes both AOIs (north in two chunks, south in the second), a series window, finishes
  /// with the test's numbering; commits when asked.
  void write(gp::netcdf_product& nc) {
    nc.write(north_chunk(0, {0, 0, 3, 4}));
    auto chunk = north_chunk(1, {3, 0, 3, 4});
    auto south = tt::full_tile(1, {0, 0, 2, 2}, kLooks);
    south.change = {k::change_high, k::change_none, k::change_none, k::change_low};
    south.first_date = {19801, none, none, 19802};
    south.confirmed_date = south.first_date;  // as `bitemporal` dates them: one chunk, encoded once
    chunk.output.aois.push_back(std::move(south));
    chunk.patches.push_back({5, 0, 0, 5});
    nc.write(chunk);
    gp::series_window w;
    w.chunk = 0;
    w.aoi = 0;
    w.date = 1;
    w.tile = {0, 0, 3, 4};
    for (std::size_t i = 0; i < 12; ++i) w.values.push_back(i == 4 ? nan_f : 0.5f + 0.01f * i);
    nc.write_series(w);
    w.date = 2;  // a date without a clear pixel: only the fill, so no chunk is stored
    w.values.assign(12, nan_f);
    nc.write_series(w);
    nc.finish([](std::size_t aoi, std::int32_t provisional) -> std::int32_t {
      if (provisional == 0) return 0;
      if (aoi == 0) return provisional == 5 ? 1 : 0;
      return provisional == 5 ? 2 : 0;
    });
  }

  fs::path committed() {
    gp::netcdf_product nc(dir_, spec_, contents_);
    write(nc);
    auto const files = nc.commit();
    EXPECT_EQ(files, std::vector<fs::path>{dir_ / "change.nc"});
    return dir_ / "change.nc";
  }

  static GDALDatasetUniquePtr variable(fs::path const& nc, std::string const& aoi,
                                       std::string const& name) {
    auto ds = tt::open_gdal("NETCDF:\"" + nc.string() + "\":/aoi/" + aoi + "/" + name);
    EXPECT_TRUE(ds) << name << ": " << CPLGetLastErrorMsg();
    return ds;
  }

  gp::job_spec spec_;
  gp::netcdf_contents contents_;
};

/// Whether pixel i of north is in the dropped patch 7.
bool dropped(std::size_t i) {
  return kProvisional[i] == 7;
}

}  // namespace

TEST_F(netcdf_product_test, patch_numbers_are_final_after_finish) {
  auto const nc = committed();
  auto ds = variable(nc, "north", "patch");
  ASSERT_TRUE(ds);
  ASSERT_EQ(ds->GetRasterXSize(), W);
  ASSERT_EQ(ds->GetRasterYSize(), H);
  EXPECT_EQ(ds->GetRasterBand(1)->GetRasterDataType(), GDT_Int32);
  EXPECT_EQ(tt::read_band<std::int32_t>(*ds, 1, GDT_Int32), (std::vector<std::int32_t>{
                                                                1, 1, 0, 0, 0, 0,  //
                                                                0, 1, 1, 1, 0, 0,  //
                                                                0, 0, 0, 0, 0, 0,  //
                                                                0, 0, 0, 0, 0, 0,  //
                                                            }));
  // South's patch 5 is numbered for AOI 1: 2.
  auto south = variable(nc, "south", "patch");
  ASSERT_TRUE(south);
  EXPECT_EQ(tt::read_band<std::int32_t>(*south, 1, GDT_Int32),
            (std::vector<std::int32_t>{2, 0, 0, 2}));
}

TEST_F(netcdf_product_test, a_dropped_patch_is_cleared_in_the_change_rasters_only) {
  auto const nc = committed();
  auto change_ds = variable(nc, "north", "change");
  ASSERT_TRUE(change_ds);
  EXPECT_EQ(tt::read_band<std::uint8_t>(*change_ds, 1, GDT_Byte), (std::vector<std::uint8_t>{
                                                                      2,   1, 0, 0, 0, 0,  //
                                                                      0,   2, 1, 1, 0, 0,  //
                                                                      0,   0, 0, 0, 0, 0,  //
                                                                      255, 0, 0, 0, 0, 254,
                                                                  }));
  auto first = tt::read_band<std::int32_t>(*variable(nc, "north", "first_date"), 1, GDT_Int32);
  auto confirmed =
      tt::read_band<std::int32_t>(*variable(nc, "north", "confirmed_date"), 1, GDT_Int32);
  auto magnitude = tt::read_unpacked(*variable(nc, "north", "magnitude"), 1);
  auto baseline = tt::read_unpacked(*variable(nc, "north", "ndvi_baseline"), 1);
  auto clear = tt::read_band<std::uint16_t>(*variable(nc, "north", "clear_count"), 1, GDT_UInt16);
  ASSERT_EQ(first.size(), 24u);
  for (std::size_t i = 0; i < 24; ++i) {
    SCOPED_TRACE("pixel " + std::to_string(i));
    if (dropped(i)) {
      EXPECT_EQ(first[i], 2147483647);
      EXPECT_EQ(confirmed[i], 2147483647);
      EXPECT_TRUE(std::isnan(magnitude[i]));
    } else {
      EXPECT_EQ(first[i], first_date_at(i));
      EXPECT_EQ(confirmed[i], confirmed_at(i));
      if (std::isnan(magnitude_at(i)))
        EXPECT_TRUE(std::isnan(magnitude[i]));
      else
        EXPECT_NEAR(magnitude[i], magnitude_at(i), tt::packed_tolerance);
    }
    // What does not describe the change stays, dropped or not.
    EXPECT_NEAR(baseline[i], baseline_at(i), tt::packed_tolerance);
    EXPECT_EQ(clear[i], clear_count_at(i));
  }
  // Spot checks by hand: pixel (0, 0) is high, found on day 19800, confirmed on 19850; pixel
  // (3, 1) of the second tile is low, found on 19809; pixel (5, 0), high in patch 7, is
  // cleared; pixel (2, 0) of no patch keeps no_date; (0, 2) and (3, 2) keep their magnitude.
  EXPECT_EQ(first[0], 19800);
  EXPECT_EQ(confirmed[0], 19850);
  EXPECT_EQ(first[9], 19809);
  EXPECT_EQ(confirmed[9], 2147483647);
  EXPECT_EQ(confirmed[7], 19857);
  EXPECT_EQ(first[5], 2147483647);
  EXPECT_EQ(confirmed[5], 2147483647);
  EXPECT_EQ(first[2], 2147483647);
  // Packed by hand: 0.125 is stored 1250, 0.25 + 0.07 = 0.32 is 3200.
  auto const stored =
      tt::read_band<std::int16_t>(*variable(nc, "north", "magnitude"), 1, GDT_Int16);
  EXPECT_EQ(stored[12], 1250);
  EXPECT_EQ(stored[15], 1250);
  EXPECT_EQ(stored[7], 3200);
  EXPECT_EQ(stored[5], -32768);  // dropped: the fill
  // The looks stay everywhere.
  for (int p = 0; p < 2; ++p) {
    for (std::size_t x = 0; x < kIndices.size(); ++x) {
      auto const name = kIndices[x] + (p == 0 ? "_before" : "_after");
      auto look = tt::read_unpacked(*variable(nc, "north", name), 1);
      for (std::size_t i = 0; i < 24; ++i)
        EXPECT_NEAR(look[i], look_at(p, x, i), tt::packed_tolerance) << name << i;
      // And the days of the looks, int32 with the fill where a period had none.
      auto const days =
          tt::read_band<std::int32_t>(*variable(nc, "north", name + "_date"), 1, GDT_Int32);
      ASSERT_EQ(days.size(), 24u);
      for (std::size_t i = 0; i < 24; ++i) {
        float const day = look_day_at(p, x, i);
        EXPECT_EQ(days[i], std::isnan(day) ? none : static_cast<std::int32_t>(day)) << name << i;
      }
    }
  }
  // By hand: ndvi's look after at pixel 3 is day 19603; nbr's before at pixel 7, 19517.
  EXPECT_EQ(tt::read_band<std::int32_t>(*variable(nc, "north", "ndvi_after_date"), 1, GDT_Int32)[3],
            19603);
  EXPECT_EQ(tt::read_band<std::int32_t>(*variable(nc, "north", "nbr_before_date"), 1, GDT_Int32)[7],
            19517);
  // South had nothing dropped: its classes and dates are as written.
  auto south = tt::read_band<std::uint8_t>(*variable(nc, "south", "change"), 1, GDT_Byte);
  EXPECT_EQ(south, (std::vector<std::uint8_t>{2, 0, 0, 1}));
  auto south_first =
      tt::read_band<std::int32_t>(*variable(nc, "south", "first_date"), 1, GDT_Int32);
  EXPECT_EQ(south_first, (std::vector<std::int32_t>{19801, none, none, 19802}));
  auto south_confirmed =
      tt::read_band<std::int32_t>(*variable(nc, "south", "confirmed_date"), 1, GDT_Int32);
  EXPECT_EQ(south_confirmed, (std::vector<std::int32_t>{19801, none, none, 19802}));
}

TEST_F(netcdf_product_test, root_and_group_attributes_are_written) {
  auto const nc = committed();
  auto root = tt::open_gdal(nc.string());
  ASSERT_TRUE(root) << CPLGetLastErrorMsg();
  EXPECT_STREQ(root->GetDriver()->GetDescription(), "netCDF");
  auto const item = [&](std::string const& key) {
    char const* v = root->GetMetadataItem(key.c_str());
    return v != nullptr ? std::string(v) : std::string("<absent>");
  };
  namespace root_attr = gp::product::root;
  auto const global = [&](std::string_view name) { return item("NC_GLOBAL#" + std::string(name)); };
  EXPECT_EQ(global(root_attr::job), "outputs-test");
  EXPECT_EQ(global(root_attr::job_spec), spec_.text);
  EXPECT_NE(global(root_attr::job_spec).find("method: baseline"), std::string::npos);
  EXPECT_EQ(global(root_attr::backend), "cpu");
  EXPECT_EQ(global(root_attr::scenes), "S2A_20230701\nS2B_20230801\nS2A_20240701");
  EXPECT_EQ(global(root_attr::change_method), "baseline");
  std::string const version = global(root_attr::version);
  EXPECT_NE(version, "<absent>");
  EXPECT_FALSE(version.empty());
  EXPECT_EQ(global("source"), "geosweep " + version);
  EXPECT_EQ(global("title"), "geosweep change detection: outputs-test");

  namespace group = gp::product::group;
  for (std::string const aoi : {"north", "south"}) {
    auto const attribute = [&](std::string_view name) {
      return item("/aoi/" + aoi + "/NC_GLOBAL#" + std::string(name));
    };
    EXPECT_EQ(attribute(group::aoi), aoi);
    EXPECT_EQ(attribute(group::date_before), "2023-08-01");
    EXPECT_EQ(attribute(group::date_after), "2024-07-01");
    EXPECT_EQ(attribute(group::baseline_period), "2023-06-01/2023-08-31");
    EXPECT_EQ(attribute(group::monitor_period), "2024-06-01/2024-08-31");
    EXPECT_EQ(attribute(group::change_method), "baseline");
    EXPECT_EQ(attribute(group::change_index), "ndvi");
  }
}

TEST_F(netcdf_product_test, variables_carry_their_cf_attributes) {
  auto const nc = committed();
  auto change = variable(nc, "north", "change");
  ASSERT_TRUE(change);
  auto const meta = [&](GDALDataset& ds, char const* key) {
    char const* v = ds.GetRasterBand(1)->GetMetadataItem(key);
    return v != nullptr ? std::string(v) : std::string("<absent>");
  };
  EXPECT_EQ(meta(*change, "flag_meanings"),
            "no_change low_confidence_loss high_confidence_loss weaker_fall outside_aoi "
            "no_clear_observation");
  // No nodata: every value is a class (254 outside the AOI), so xarray keeps them integers.
  int has_nodata = 0;
  change->GetRasterBand(1)->GetNoDataValue(&has_nodata);
  EXPECT_FALSE(has_nodata);
  EXPECT_EQ(meta(*change, "_FillValue"), "<absent>");
  // The days of the looks: CF time units, the first-date fill.
  auto look_day = variable(nc, "north", "ndvi_before_date");
  ASSERT_TRUE(look_day);
  EXPECT_EQ(meta(*look_day, "units"), "days since 1970-01-01");
  EXPECT_EQ(meta(*look_day, "_FillValue"), "2147483647");
  EXPECT_EQ(meta(*look_day, "long_name"), "date of the observation in ndvi_before");
  // Index layers and the magnitude: packed int16, unpacked by GDAL's scale and offset.
  for (char const* name : {"ndvi_before", "nbr_after", "magnitude", "ndvi_baseline"}) {
    auto packed = variable(nc, "north", name);
    ASSERT_TRUE(packed);
    auto* band = packed->GetRasterBand(1);
    EXPECT_EQ(band->GetRasterDataType(), GDT_Int16) << name;
    EXPECT_NEAR(band->GetScale(), 1e-4, 1e-11) << name;
    EXPECT_EQ(band->GetOffset(), 0.0) << name;
    EXPECT_EQ(band->GetNoDataValue(&has_nodata), -32768.0) << name;
    EXPECT_TRUE(has_nodata) << name;
  }
  auto first = variable(nc, "north", "first_date");
  EXPECT_EQ(meta(*first, "units"), "days since 1970-01-01");
  EXPECT_EQ(first->GetRasterBand(1)->GetNoDataValue(&has_nodata), 2147483647.0);
}

TEST_F(netcdf_product_test, the_series_lands_at_its_date) {
  auto const nc = committed();
  auto series = variable(nc, "north", "ndvi");
  ASSERT_TRUE(series);
  ASSERT_EQ(series->GetRasterCount(), 3);  // one band a date
  EXPECT_STREQ(series->GetRasterBand(2)->GetMetadataItem("NETCDF_DIM_time"), "19570");
  auto const date1 = tt::read_unpacked(*series, 2);
  auto const date0 = tt::read_unpacked(*series, 1);
  for (int r = 0; r < H; ++r) {
    for (int c = 0; c < W; ++c) {
      auto const i = static_cast<std::size_t>(r * W + c);
      EXPECT_TRUE(std::isnan(date0[i])) << i;  // never written: the fill value
      if (c >= 3 || (r == 1 && c == 1)) {
        EXPECT_TRUE(std::isnan(date1[i])) << i;
      } else {
        EXPECT_NEAR(date1[i], 0.5 + 0.01 * (r * 3 + c), tt::packed_tolerance) << i;
      }
    }
  }
}

TEST_F(netcdf_product_test, chunks_holding_only_the_fill_are_not_stored) {
  auto const nc = committed();
  hid_t const file = H5Fopen(nc.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(file, 0);
  hid_t const series = H5Dopen2(file, "/aoi/north/ndvi", H5P_DEFAULT);
  ASSERT_GE(series, 0);
  hid_t const space = H5Dget_space(series);
  hsize_t stored = 0;
  ASSERT_GE(H5Dget_num_chunks(series, space, &stored), 0);
  // Three dates of one (1, 4, 6) chunk each: only date 1 holds a clear pixel.
  EXPECT_EQ(stored, 1u);
  H5Sclose(space);
  H5Dclose(series);
  H5Fclose(file);
}

TEST_F(netcdf_product_test, storage_chunks_across_tiles_give_the_same_values) {
  // 4-px storage chunks: north's 3-px tiles straddle them and its last chunk is partial.
  auto const reference = committed();
  fs::path const small_dir = dir_ / "small";
  fs::create_directories(small_dir);
  spec_.processing.chunk = 4;
  {
    gp::netcdf_product nc(small_dir, spec_, contents_);
    write(nc);
    nc.commit();
  }
  for (std::string const aoi : {"north", "south"}) {
    for (char const* name : {"patch", "change", "first_date", "confirmed_date", "magnitude",
                             "ndvi_baseline", "clear_count", "ndvi_before", "nbr_after"}) {
      auto a = variable(reference, aoi, name);
      auto b = variable(small_dir / "change.nc", aoi, name);
      ASSERT_TRUE(a && b) << name;
      EXPECT_EQ(tt::read_band<double>(*a, 1, GDT_Float64),
                tt::read_band<double>(*b, 1, GDT_Float64))
          << aoi << "/" << name;
    }
  }
}

TEST(product_packing, indices_are_stored_to_a_ten_thousandth_and_nan_as_the_fill) {
  namespace product = gp::product;
  EXPECT_EQ(product::pack(0.5f), 5000);
  EXPECT_EQ(product::pack(-0.17f), -1700);
  EXPECT_EQ(product::pack(0.12344f), 1234);  // just under half a step: down
  EXPECT_EQ(product::pack(0.12346f), 1235);  // just over: up
  EXPECT_EQ(product::pack(3.2767f), 32767);  // the largest value kept
  EXPECT_EQ(product::pack(3.5f), 32767);     // beyond it: clamped
  EXPECT_EQ(product::pack(-3.5f), -32767);   // clamped, never the fill
  EXPECT_EQ(product::pack(nan_f), -32768);
  EXPECT_TRUE(std::isnan(product::unpack(-32768)));
  EXPECT_NEAR(product::unpack(1234), 0.1234, 1e-7);
  EXPECT_NEAR(product::unpack(-32767), -3.2767, 1e-6);
  for (float v = -1.0f; v <= 1.0f; v += 0.000137f)
    ASSERT_NEAR(product::unpack(product::pack(v)), v, tt::packed_tolerance) << v;
  // Infinities clamp; and over the whole kept range the result is std::nearbyint's (round to
  // nearest, ties to even) of value / 1e-4, clamped.
  EXPECT_EQ(product::pack(-std::numeric_limits<float>::infinity()), -32767);
  EXPECT_EQ(product::pack(std::numeric_limits<float>::infinity()), 32767);
  EXPECT_EQ(product::pack(1e30f), 32767);
  for (float v = -3.4f; v <= 3.4f; v += 0.0000731f) {
    double const reference =
        std::clamp(std::nearbyint(static_cast<double>(v) / 1e-4), -32767.0, 32767.0);
    ASSERT_EQ(product::pack(v), static_cast<std::int16_t>(reference)) << v;
  }
}

TEST(product_layout, bitemporal_change_nc_stores_the_look_before_and_the_first_date_once) {
  auto spec = tt::outputs_job("/tmp");
  spec.change.method = gp::change_method::bitemporal;
  std::vector<std::string> names;
  for (auto const& v : gp::product::pixel_variables(spec, {"ndvi"})) names.push_back(v.name);
  // No ndvi_baseline (it is ndvi_before) and no confirmed_date (it is first_date).
  EXPECT_EQ(names, (std::vector<std::string>{"ndvi_before", "ndvi_after", "ndvi_before_date",
                                             "ndvi_after_date", "change", "cause", "first_date",
                                             "magnitude", "clear_count", "patch"}));
  EXPECT_EQ(gp::product::baseline_variable(spec.change.method, "ndvi"), "ndvi_before");
  // The methods with a confirmation ladder keep both dates.
  for (auto const method : {gp::change_method::baseline, gp::change_method::bfast}) {
    spec.change.method = method;
    names.clear();
    for (auto const& v : gp::product::pixel_variables(spec, {"ndvi"})) names.push_back(v.name);
    EXPECT_EQ(std::count(names.begin(), names.end(), "first_date"), 1);
    EXPECT_EQ(std::count(names.begin(), names.end(), "confirmed_date"), 1);
  }
  spec.change.method = gp::change_method::bitemporal;
  // Without causes there is no cause layer.
  spec.change.causes = false;
  names.clear();
  for (auto const& v : gp::product::pixel_variables(spec, {"ndvi"})) names.push_back(v.name);
  EXPECT_EQ(std::count(names.begin(), names.end(), "cause"), 0);
  EXPECT_EQ(gp::product::baseline_variable(gp::change_method::baseline, "ndvi"), "ndvi_baseline");
}

TEST_F(netcdf_product_test, the_file_appears_on_commit_georeferenced_on_the_aoi_grid) {
  fs::path const final_path = dir_ / "change.nc";
  {
    gp::netcdf_product nc(dir_, spec_, contents_);
    EXPECT_EQ(nc.path(), final_path);
    write(nc);
    EXPECT_FALSE(fs::exists(final_path));
    EXPECT_EQ(tt::file_names(dir_),
              std::vector<std::string>{"change.nc.tmp-" + std::to_string(::getpid())});
    nc.commit();
  }
  EXPECT_EQ(tt::file_names(dir_), std::vector<std::string>{"change.nc"});
  for (auto const& [aoi, x0, y0, w, h] : {std::tuple{"north", 500000.0, 8940000.0, W, H},
                                          std::tuple{"south", 500000.0, 8939000.0, 2, 2}}) {
    auto ds = variable(final_path, aoi, "patch");
    ASSERT_TRUE(ds);
    EXPECT_STREQ(ds->GetDriver()->GetDescription(), "netCDF");
    EXPECT_EQ(ds->GetRasterXSize(), w);
    EXPECT_EQ(ds->GetRasterYSize(), h);
    std::array<double, 6> gt{};
    ASSERT_EQ(ds->GetGeoTransform(gt.data()), CE_None);
    std::array<double, 6> const expected{x0, 10.0, 0.0, y0, 0.0, -10.0};
    for (std::size_t i = 0; i < 6; ++i) EXPECT_NEAR(gt[i], expected[i], 1e-6) << aoi << " " << i;
    OGRSpatialReference utm20s;
    utm20s.importFromEPSG(32720);
    ASSERT_NE(ds->GetSpatialRef(), nullptr);
    EXPECT_TRUE(ds->GetSpatialRef()->IsSame(&utm20s)) << aoi;
  }
}

TEST_F(netcdf_product_test, without_commit_no_file_is_left) {
  {
    gp::netcdf_product nc(dir_, spec_, contents_);
    write(nc);
  }
  EXPECT_TRUE(tt::file_names(dir_).empty());
}

TEST(netcdf_storage_chunk, is_the_processing_chunk_up_to_1024_then_a_divisor) {
  EXPECT_EQ(gp::storage_chunk(16), 16);
  EXPECT_EQ(gp::storage_chunk(512), 512);
  EXPECT_EQ(gp::storage_chunk(1024), 1024);
  EXPECT_EQ(gp::storage_chunk(2048), 1024);
  EXPECT_EQ(gp::storage_chunk(1536), 512);   // 1536 = 3 x 512
  EXPECT_EQ(gp::storage_chunk(1280), 256);   // 1280 = 5 x 256
  EXPECT_EQ(gp::storage_chunk(1152), 128);   // 1152 = 9 x 128
  EXPECT_EQ(gp::storage_chunk(1100), 1024);  // no divisor among 1024 ... 128
}
