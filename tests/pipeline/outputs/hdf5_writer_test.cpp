#include "outputs/hdf5_writer.hpp"
#include "outputs/deflate_chunk.hpp"
#include "tools/wkt.hpp"

#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include <ogr_spatialref.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "geosweep/pipeline/errors.hpp"

namespace gp = geosweep::pipeline;
namespace fs = std::filesystem;

namespace {

GDALDatasetUniquePtr open_raster(std::string const& name) {
  return GDALDatasetUniquePtr(GDALDataset::FromHandle(
      GDALOpenEx(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr)));
}

/// `NETCDF:"file"`: a bare *.h5 name would be claimed by GDAL's HDF5 driver, which ignores
/// the CF georeferencing.
std::string netcdf_name(fs::path const& file) {
  return "NETCDF:\"" + file.string() + "\"";
}

/// The NETCDF:"file":/group/var name GDAL lists in the file's SUBDATASETS for `suffix`.
std::string subdataset_named(fs::path const& file, std::string const& suffix) {
  GDALDatasetUniquePtr dataset = open_raster(netcdf_name(file));
  if (!dataset) return {};
  char** items = dataset->GetMetadata("SUBDATASETS");
  for (char** item = items; item != nullptr && *item != nullptr; ++item) {
    std::string const entry = *item;
    auto const eq = entry.find('=');
    std::string const key = entry.substr(0, eq);
    std::string const value = entry.substr(eq + 1);
    if (key.size() > 5 && key.ends_with("_NAME") && value.ends_with(suffix)) return value;
  }
  return {};
}

float ndvi_at(int col, int row) {
  return static_cast<float>(row) * 100.0f + static_cast<float>(col);
}
std::uint8_t class_at(int col, int row) {
  return static_cast<std::uint8_t>((row * 7 + col) % 5);
}

class hdf5_writer_test : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { GDALAllRegister(); }

  void SetUp() override {
    auto const* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("geosweep-hdf5-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
};

gp::raster_grid utm_grid() {
  gp::raster_grid grid;
  grid.crs_wkt = geosweep::test_tools::wkt_of(32720);
  grid.transform = {450000.0, 30.0, 0.0, 7300000.0, 0.0, -30.0};
  grid.width = 40;
  grid.height = 30;
  return grid;
}

/// Writes the UTM test file: float32 `ndvi` and uint8 `class` in aoi/reserve-north.
void write_utm_file(fs::path const& file) {
  gp::raster_grid const grid = utm_grid();
  std::vector<float> ndvi(grid.pixel_count());
  std::vector<std::uint8_t> classes(grid.pixel_count());
  for (int row = 0; row < grid.height; ++row) {
    for (int col = 0; col < grid.width; ++col) {
      ndvi[static_cast<std::size_t>(row * grid.width + col)] = ndvi_at(col, row);
      classes[static_cast<std::size_t>(row * grid.width + col)] = class_at(col, row);
    }
  }
  gp::hdf5_writer writer(file);
  writer.set_root_attribute("geosweep_job", "reserve-north 2023 change");
  writer.add_grid("aoi/reserve-north", grid);
  writer.set_group_attribute("aoi/reserve-north", "aoi_name", "Reserve North");
  gp::variable_attributes ndvi_attributes;
  ndvi_attributes.long_name = "normalized difference vegetation index";
  ndvi_attributes.units = "1";
  ndvi_attributes.standard_name = "normalized_difference_vegetation_index";
  ndvi_attributes.fill_value = -9999.0;
  writer.write_float32("aoi/reserve-north", "ndvi", ndvi, ndvi_attributes);
  gp::variable_attributes class_attributes;
  class_attributes.long_name = "change class";
  class_attributes.fill_value = 255.0;
  class_attributes.flag_values = {0, 1, 2, 3, 4};
  class_attributes.flag_meanings = "stable loss gain regrowth cloud";
  writer.write_uint8("aoi/reserve-north", "class", classes, class_attributes);
  writer.commit();
}

TEST_F(hdf5_writer_test, utm_float_variable_round_trips_through_gdal_netcdf) {
  fs::path const file = dir_ / "out.h5";
  write_utm_file(file);

  std::string const expected_name = netcdf_name(file) + ":/aoi/reserve-north/ndvi";
  EXPECT_EQ(subdataset_named(file, "/ndvi"), expected_name);
  GDALDatasetUniquePtr dataset = open_raster(expected_name);
  ASSERT_TRUE(dataset) << CPLGetLastErrorMsg();
  EXPECT_STREQ(dataset->GetDriver()->GetDescription(), "netCDF");
  ASSERT_EQ(dataset->GetRasterXSize(), 40);
  ASSERT_EQ(dataset->GetRasterYSize(), 30);
  ASSERT_EQ(dataset->GetRasterCount(), 1);

  OGRSpatialReference const* srs = dataset->GetSpatialRef();
  ASSERT_NE(srs, nullptr);
  OGRSpatialReference expected_srs;
  expected_srs.importFromEPSG(32720);
  expected_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  EXPECT_TRUE(srs->IsSame(&expected_srs));
  OGRSpatialReference other_zone;
  other_zone.importFromEPSG(32721);
  EXPECT_FALSE(srs->IsSame(&other_zone));

  std::array<double, 6> transform{};
  ASSERT_EQ(dataset->GetGeoTransform(transform.data()), CE_None);
  gp::geotransform const expected = utm_grid().transform;
  for (std::size_t i = 0; i < 6; ++i) EXPECT_NEAR(transform[i], expected[i], 1e-6) << i;

  GDALRasterBand* band = dataset->GetRasterBand(1);
  EXPECT_EQ(band->GetRasterDataType(), GDT_Float32);
  // Row 0 must be the northern row: the corners tell orientation and transposition apart.
  for (auto [col, row] :
       std::vector<std::pair<int, int>>{{0, 0}, {39, 0}, {0, 29}, {39, 29}, {17, 11}}) {
    float value = 0;
    ASSERT_EQ(band->RasterIO(GF_Read, col, row, 1, 1, &value, 1, 1, GDT_Float32, 0, 0, nullptr),
              CE_None);
    EXPECT_EQ(value, ndvi_at(col, row)) << "col " << col << " row " << row;
  }
  int has_nodata = 0;
  EXPECT_EQ(band->GetNoDataValue(&has_nodata), -9999.0);
  EXPECT_TRUE(has_nodata);
  char const* units = band->GetUnitType();
  EXPECT_STREQ(units, "1");
}

TEST_F(hdf5_writer_test, uint8_class_variable_keeps_fill_value_and_flags) {
  fs::path const file = dir_ / "out.h5";
  write_utm_file(file);

  GDALDatasetUniquePtr dataset = open_raster(subdataset_named(file, "/aoi/reserve-north/class"));
  ASSERT_TRUE(dataset) << CPLGetLastErrorMsg();
  GDALRasterBand* band = dataset->GetRasterBand(1);
  EXPECT_EQ(band->GetRasterDataType(), GDT_Byte);
  int has_nodata = 0;
  EXPECT_EQ(band->GetNoDataValue(&has_nodata), 255.0);
  EXPECT_TRUE(has_nodata);
  char const* meanings = band->GetMetadataItem("flag_meanings");
  ASSERT_NE(meanings, nullptr);
  EXPECT_STREQ(meanings, "stable loss gain regrowth cloud");
  char const* grid_mapping = band->GetMetadataItem("grid_mapping");
  ASSERT_NE(grid_mapping, nullptr);
  EXPECT_STREQ(grid_mapping, "crs");

  std::vector<std::uint8_t> read(40 * 30);
  ASSERT_EQ(band->RasterIO(GF_Read, 0, 0, 40, 30, read.data(), 40, 30, GDT_Byte, 0, 0, nullptr),
            CE_None);
  for (int row = 0; row < 30; ++row) {
    for (int col = 0; col < 40; ++col) {
      ASSERT_EQ(read[static_cast<std::size_t>(row * 40 + col)], class_at(col, row))
          << "col " << col << " row " << row;
    }
  }
}

/// Closes an HDF5 identifier at scope exit (the test's own reads, not the writer's).
struct h5_closer {
  hid_t id;
  herr_t (*close)(hid_t);
  ~h5_closer() {
    if (id >= 0) close(id);
  }
};

TEST_F(hdf5_writer_test, variables_are_chunked_shuffled_and_deflated) {
  fs::path const file = dir_ / "out.h5";
  write_utm_file(file);

  h5_closer const h5{H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(h5.id, 0);
  h5_closer const dataset{H5Dopen2(h5.id, "/aoi/reserve-north/ndvi", H5P_DEFAULT), H5Dclose};
  ASSERT_GE(dataset.id, 0);
  h5_closer const dcpl{H5Dget_create_plist(dataset.id), H5Pclose};
  EXPECT_EQ(H5Pget_layout(dcpl.id), H5D_CHUNKED);
  std::array<hsize_t, 2> chunk{};
  EXPECT_EQ(H5Pget_chunk(dcpl.id, 2, chunk.data()), 2);
  EXPECT_EQ(chunk[0], 30u);
  EXPECT_EQ(chunk[1], 40u);
  ASSERT_EQ(H5Pget_nfilters(dcpl.id), 2);
  unsigned flags = 0;
  std::size_t n_values = 1;
  unsigned level = 0;
  EXPECT_EQ(H5Pget_filter2(dcpl.id, 0, &flags, &n_values, &level, 0, nullptr, nullptr),
            H5Z_FILTER_SHUFFLE);
  n_values = 1;
  EXPECT_EQ(H5Pget_filter2(dcpl.id, 1, &flags, &n_values, &level, 0, nullptr, nullptr),
            H5Z_FILTER_DEFLATE);
  EXPECT_EQ(level, 1u);

  // The dataset's own fill value, not only the _FillValue attribute.
  H5D_fill_value_t defined = H5D_FILL_VALUE_UNDEFINED;
  ASSERT_GE(H5Pfill_value_defined(dcpl.id, &defined), 0);
  EXPECT_EQ(defined, H5D_FILL_VALUE_USER_DEFINED);
  float fill = 0;
  ASSERT_GE(H5Pget_fill_value(dcpl.id, H5T_NATIVE_FLOAT, &fill), 0);
  EXPECT_EQ(fill, -9999.0f);
}

TEST_F(hdf5_writer_test, file_has_the_hdf5_structure_netcdf4_reads) {
  fs::path const file = dir_ / "out.h5";
  write_utm_file(file);

  h5_closer const h5{H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose};
  ASSERT_GE(h5.id, 0);
  unsigned const tracked_and_indexed = H5P_CRT_ORDER_TRACKED | H5P_CRT_ORDER_INDEXED;
  for (char const* path : {"/", "/aoi", "/aoi/reserve-north"}) {
    h5_closer const group{H5Gopen2(h5.id, path, H5P_DEFAULT), H5Gclose};
    ASSERT_GE(group.id, 0) << path;
    h5_closer const gcpl{H5Gget_create_plist(group.id), H5Pclose};
    unsigned links = 0;
    unsigned attributes = 0;
    ASSERT_GE(H5Pget_link_creation_order(gcpl.id, &links), 0);
    ASSERT_GE(H5Pget_attr_creation_order(gcpl.id, &attributes), 0);
    EXPECT_EQ(links, tracked_and_indexed) << path;
    EXPECT_EQ(attributes, tracked_and_indexed) << path;
  }

  h5_closer const x{H5Dopen2(h5.id, "/aoi/reserve-north/x", H5P_DEFAULT), H5Dclose};
  h5_closer const y{H5Dopen2(h5.id, "/aoi/reserve-north/y", H5P_DEFAULT), H5Dclose};
  h5_closer const ndvi{H5Dopen2(h5.id, "/aoi/reserve-north/ndvi", H5P_DEFAULT), H5Dclose};
  ASSERT_GE(x.id, 0);
  ASSERT_GE(y.id, 0);
  ASSERT_GE(ndvi.id, 0);
  EXPECT_GT(H5DSis_scale(x.id), 0);
  EXPECT_GT(H5DSis_scale(y.id), 0);
  EXPECT_GT(H5DSis_attached(ndvi.id, y.id, 0), 0);
  EXPECT_GT(H5DSis_attached(ndvi.id, x.id, 1), 0);
  EXPECT_EQ(H5DSis_attached(ndvi.id, x.id, 0), 0);

  // Pixel centres, north first.
  std::vector<double> ys(30);
  ASSERT_GE(H5Dread(y.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, ys.data()), 0);
  EXPECT_EQ(ys.front(), 7300000.0 - 15.0);
  EXPECT_EQ(ys.back(), 7300000.0 - 29.5 * 30.0);
  std::vector<double> xs(40);
  ASSERT_GE(H5Dread(x.id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, xs.data()), 0);
  EXPECT_EQ(xs.front(), 450000.0 + 15.0);
  EXPECT_EQ(xs.back(), 450000.0 + 39.5 * 30.0);

  // Text attributes are fixed-length ASCII, which netCDF reads as NC_CHAR.
  h5_closer const attribute{H5Aopen(ndvi.id, "grid_mapping", H5P_DEFAULT), H5Aclose};
  ASSERT_GE(attribute.id, 0);
  h5_closer const type{H5Aget_type(attribute.id), H5Tclose};
  EXPECT_EQ(H5Tget_class(type.id), H5T_STRING);
  EXPECT_EQ(H5Tis_variable_str(type.id), 0);
  EXPECT_EQ(H5Tget_cset(type.id), H5T_CSET_ASCII);
  EXPECT_EQ(H5Tget_size(type.id), 3u);
}

TEST_F(hdf5_writer_test, writer_destroyed_without_commit_leaves_no_file) {
  fs::path const file = dir_ / "abandoned.h5";
  fs::path const temp = dir_ / ("abandoned.h5.tmp-" + std::to_string(::getpid()));
  {
    gp::hdf5_writer writer(file);
    writer.add_grid("aoi", utm_grid());
    std::vector<float> values(utm_grid().pixel_count(), 1.0f);
    writer.write_float32("aoi", "ndvi", values, {});
    EXPECT_TRUE(fs::exists(temp));
    EXPECT_FALSE(fs::exists(file));
  }
  EXPECT_FALSE(fs::exists(file));
  EXPECT_FALSE(fs::exists(temp));
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(hdf5_writer_test, geographic_grid_round_trips_geotransform) {
  fs::path const file = dir_ / "geo.h5";
  gp::raster_grid grid;
  // WKT2 here (the UTM tests use GDAL's default WKT1): raster_grid carries whichever GDAL gave.
  OGRSpatialReference wgs84_source;
  ASSERT_EQ(wgs84_source.importFromEPSG(4326), OGRERR_NONE);
  char* wkt2 = nullptr;
  char const* const wkt2_options[] = {"FORMAT=WKT2_2019", nullptr};
  ASSERT_EQ(wgs84_source.exportToWkt(&wkt2, wkt2_options), OGRERR_NONE);
  grid.crs_wkt = wkt2;
  CPLFree(wkt2);
  ASSERT_NE(grid.crs_wkt.find("GEOGCRS"), std::string::npos);
  grid.transform = {-63.5, 0.001, 0.0, -24.2, 0.0, -0.001};
  grid.width = 50;
  grid.height = 20;
  std::vector<float> values(grid.pixel_count());
  for (int row = 0; row < grid.height; ++row) {
    for (int col = 0; col < grid.width; ++col) {
      values[static_cast<std::size_t>(row * grid.width + col)] = ndvi_at(col, row);
    }
  }
  {
    gp::hdf5_writer writer(file);
    writer.add_grid("site", grid);
    writer.write_float32("site", "ndvi", values, {});
    writer.commit();
  }

  GDALDatasetUniquePtr dataset = open_raster(netcdf_name(file) + ":/site/ndvi");
  ASSERT_TRUE(dataset) << CPLGetLastErrorMsg();
  ASSERT_EQ(dataset->GetRasterXSize(), 50);
  ASSERT_EQ(dataset->GetRasterYSize(), 20);
  OGRSpatialReference const* srs = dataset->GetSpatialRef();
  ASSERT_NE(srs, nullptr);
  EXPECT_TRUE(srs->IsGeographic());
  OGRSpatialReference wgs84;
  wgs84.importFromEPSG(4326);
  // GDAL datasets hand out CRSs with longitude first; IsSame compares that mapping too.
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  EXPECT_TRUE(srs->IsSame(&wgs84));
  std::array<double, 6> transform{};
  ASSERT_EQ(dataset->GetGeoTransform(transform.data()), CE_None);
  for (std::size_t i = 0; i < 6; ++i) EXPECT_NEAR(transform[i], grid.transform[i], 1e-9) << i;
  float value = 0;
  ASSERT_EQ(dataset->GetRasterBand(1)->RasterIO(GF_Read, 3, 0, 1, 1, &value, 1, 1, GDT_Float32, 0,
                                                0, nullptr),
            CE_None);
  EXPECT_EQ(value, ndvi_at(3, 0));
}

TEST_F(hdf5_writer_test, writing_to_a_group_without_grid_throws) {
  gp::hdf5_writer writer(dir_ / "out.h5");
  std::vector<float> values(utm_grid().pixel_count(), 0.0f);
  EXPECT_THROW(writer.write_float32("aoi", "ndvi", values, {}), geosweep::logic_error);
  writer.add_grid("aoi", utm_grid());
  EXPECT_THROW(writer.write_float32("other", "ndvi", values, {}), geosweep::logic_error);
  EXPECT_NO_THROW(writer.write_float32("aoi", "ndvi", values, {}));
}

TEST_F(hdf5_writer_test, wrong_value_count_throws) {
  gp::hdf5_writer writer(dir_ / "out.h5");
  writer.add_grid("aoi", utm_grid());
  std::vector<std::uint8_t> too_few(utm_grid().pixel_count() - 1, 0);
  EXPECT_THROW(writer.write_uint8("aoi", "class", too_few, {}), geosweep::logic_error);
  std::vector<std::uint8_t> right(utm_grid().pixel_count(), 0);
  EXPECT_NO_THROW(writer.write_uint8("aoi", "class", right, {}));
  EXPECT_THROW(writer.write_uint8("aoi", "class", right, {}), geosweep::logic_error)
      << "a second variable of the same name";
}

TEST_F(hdf5_writer_test, unwritable_path_throws_io_error_naming_it) {
  fs::path const file = dir_ / "no-such-directory" / "out.h5";
  try {
    gp::hdf5_writer writer(file);
    FAIL() << "no exception";
  } catch (geosweep::io_error const& e) {
    // The final path leads, as in every geosweep file error (HDF5's own text names only the
    // temporary file).
    EXPECT_TRUE(std::string(e.what()).starts_with(file.string() + ": ")) << e.what();
  }
  EXPECT_FALSE(fs::exists(file.parent_path()));
}

TEST_F(hdf5_writer_test, use_after_commit_throws) {
  fs::path const file = dir_ / "out.h5";
  gp::hdf5_writer writer(file);
  writer.add_grid("aoi", utm_grid());
  writer.commit();
  EXPECT_TRUE(fs::exists(file));
  EXPECT_THROW(writer.commit(), geosweep::logic_error);
  EXPECT_THROW(writer.set_root_attribute("late", "x"), geosweep::logic_error);
}

TEST_F(hdf5_writer_test, root_and_group_attributes_are_readable_through_gdal) {
  fs::path const file = dir_ / "out.h5";
  write_utm_file(file);

  GDALDatasetUniquePtr root = open_raster(netcdf_name(file));
  ASSERT_TRUE(root) << CPLGetLastErrorMsg();
  char const* job = root->GetMetadataItem("NC_GLOBAL#geosweep_job");
  ASSERT_NE(job, nullptr);
  EXPECT_STREQ(job, "reserve-north 2023 change");
  char const* conventions = root->GetMetadataItem("NC_GLOBAL#Conventions");
  ASSERT_NE(conventions, nullptr);
  EXPECT_STREQ(conventions, "CF-1.8");

  // GDAL names a group attribute /<group path>/NC_GLOBAL#<name>.
  char const* aoi = root->GetMetadataItem("/aoi/reserve-north/NC_GLOBAL#aoi_name");
  ASSERT_NE(aoi, nullptr);
  EXPECT_STREQ(aoi, "Reserve North");
}

}  // namespace

TEST_F(hdf5_writer_test, variables_written_window_by_window_read_back_through_gdal) {
  fs::path const file = dir_ / "windows.nc";
  gp::raster_grid const grid = utm_grid();  // 40 x 30
  {
    gp::hdf5_writer writer(file);
    writer.add_grid("g", grid);
    gp::variable_attributes attributes;
    attributes.fill_value = -1.0;
    writer.create_variable<std::int32_t>("g", "ids", attributes);
    // Four windows of different sizes tile the grid; one pixel keeps the fill value.
    std::vector<gp::pixel_window> const windows{
        {0, 0, 25, 17}, {25, 0, 15, 17}, {0, 17, 25, 13}, {25, 17, 15, 13}};
    for (auto const& w : windows) {
      std::vector<std::int32_t> values(static_cast<std::size_t>(w.width) * w.height);
      for (int r = 0; r < w.height; ++r)
        for (int c = 0; c < w.width; ++c)
          values[static_cast<std::size_t>(r) * w.width + c] =
              (w.y_offset + r) * 1000 + (w.x_offset + c);
      if (w.x_offset == 25 && w.y_offset == 17) values.back() = -1;
      writer.write_window<std::int32_t>("g", "ids", w, values);
    }
    std::vector<std::int32_t> back(6);
    writer.read_window<std::int32_t>("g", "ids", {24, 16, 3, 2}, back);
    EXPECT_EQ(back, (std::vector<std::int32_t>{16024, 16025, 16026, 17024, 17025, 17026}));
    EXPECT_THROW(writer.write_window<std::int32_t>("g", "ids", {30, 20, 20, 20},
                                                   std::vector<std::int32_t>(400)),
                 geosweep::logic_error);
    writer.commit();
  }
  std::string const name = "NETCDF:\"" + file.string() + "\":/g/ids";
  GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  ASSERT_TRUE(ds);
  std::vector<std::int32_t> all(grid.pixel_count());
  ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, grid.width, grid.height, all.data(),
                                           grid.width, grid.height, GDT_Int32, 0, 0),
            CE_None);
  EXPECT_EQ(all[0], 0);
  EXPECT_EQ(all[static_cast<std::size_t>(5 * grid.width + 33)], 5033);
  EXPECT_EQ(all.back(), -1);
  int has_nodata = 0;
  EXPECT_EQ(ds->GetRasterBand(1)->GetNoDataValue(&has_nodata), -1.0);
}

// ---- direct chunk writes (outputs/deflate_chunk.hpp): the bytes the pipeline's threads encode
// are what HDF5's own shuffle + deflate filters would store.

namespace {

/// Elements of T as bytes.
template <class T>
std::vector<std::byte> as_bytes(std::vector<T> const& values) {
  auto const* p = reinterpret_cast<std::byte const*>(values.data());
  return {p, p + values.size() * sizeof(T)};
}

/// A 40 x 30 grid of int16 values in 16-px storage chunks (3 x 2 chunks, the last column and
/// row partial), value (row * 40 + col) * 7 - 4000 so that both bytes vary.
std::int16_t packed_at(int col, int row) {
  return static_cast<std::int16_t>((row * 40 + col) * 7 - 4000);
}

}  // namespace

TEST(deflate_chunk, shuffle_groups_each_byte_of_every_element) {
  // Two little-endian uint16 0x0201 and 0x0403, by hand: low bytes first, then high bytes.
  std::vector<std::byte> const values{std::byte{0x01}, std::byte{0x02}, std::byte{0x03},
                                      std::byte{0x04}};
  EXPECT_EQ(
      gp::shuffle_bytes(values, 2),
      (std::vector<std::byte>{std::byte{0x01}, std::byte{0x03}, std::byte{0x02}, std::byte{0x04}}));
  EXPECT_EQ(gp::unshuffle_bytes(gp::shuffle_bytes(values, 2), 2), values);
  // A trailing partial element is kept as it is, as HDF5's filter does.
  std::vector<std::byte> const odd{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                                   std::byte{5}};
  EXPECT_EQ(gp::shuffle_bytes(odd, 2),
            (std::vector<std::byte>{std::byte{1}, std::byte{3}, std::byte{2}, std::byte{4},
                                    std::byte{5}}));
  EXPECT_EQ(gp::unshuffle_bytes(gp::shuffle_bytes(odd, 2), 2), odd);
  // Four-byte elements 0x04030201 and 0x08070605 (their own loop), and three-byte ones.
  auto const bytes = [](std::initializer_list<int> list) {
    std::vector<std::byte> out;
    for (int b : list) out.push_back(static_cast<std::byte>(b));
    return out;
  };
  auto const quads = bytes({1, 2, 3, 4, 5, 6, 7, 8});
  EXPECT_EQ(gp::shuffle_bytes(quads, 4), bytes({1, 5, 2, 6, 3, 7, 4, 8}));
  EXPECT_EQ(gp::unshuffle_bytes(gp::shuffle_bytes(quads, 4), 4), quads);
  auto const triples = bytes({1, 2, 3, 4, 5, 6, 7});
  EXPECT_EQ(gp::shuffle_bytes(triples, 3), bytes({1, 4, 2, 5, 3, 6, 7}));
}

TEST(deflate_chunk, chunks_of_one_value_are_encoded_for_that_value) {
  // Uniform chunks reuse the stream made for the same value, size and level: a chunk of
  // another value (or size) must still decode to itself, before and after.
  auto const of = [](std::int32_t v, std::size_t n) { return as_bytes(std::vector(n, v)); };
  for (std::int32_t v : {7, 8, 7, 8, -1}) {
    SCOPED_TRACE(v);
    auto const chunk = of(v, 4096);
    EXPECT_EQ(gp::decode_chunk(gp::encode_chunk(chunk, 4), 4, chunk.size()), chunk);
    auto const smaller = of(v, 1000);
    EXPECT_EQ(gp::decode_chunk(gp::encode_chunk(smaller, 4), 4, smaller.size()), smaller);
  }
  // The same bytes as 2-byte elements: another cache entry, the same values back.
  auto const halves = of(0x00070007, 2048);
  EXPECT_EQ(gp::decode_chunk(gp::encode_chunk(halves, 2), 2, halves.size()), halves);
  // Nearly uniform: one element differs, in the last place.
  auto nearly = std::vector<std::int32_t>(4096, 7);
  nearly.back() = 9;
  EXPECT_EQ(gp::decode_chunk(gp::encode_chunk(as_bytes(nearly), 4), 4, nearly.size() * 4),
            as_bytes(nearly));
}

TEST(deflate_chunk, encode_and_decode_round_trip_and_corruption_is_an_error) {
  std::vector<std::int32_t> values(4096);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = static_cast<std::int32_t>(i * i);
  auto const bytes = as_bytes(values);
  auto const stored = gp::encode_chunk(bytes, 4);
  EXPECT_LT(stored.size(), bytes.size());
  EXPECT_EQ(gp::decode_chunk(stored, 4, bytes.size()), bytes);
  auto broken = stored;
  broken[broken.size() / 2] ^= std::byte{0x5a};
  EXPECT_THROW(gp::decode_chunk(broken, 4, bytes.size()), geosweep::io_error);
  EXPECT_THROW(gp::decode_chunk(stored, 4, bytes.size() + 4), geosweep::io_error);
}

TEST_F(hdf5_writer_test, chunks_written_directly_read_back_like_the_filter_path) {
  fs::path const file = dir_ / "direct.nc";
  gp::raster_grid const grid = utm_grid();  // 40 x 30
  constexpr int side = 16;
  std::vector<std::int16_t> all(grid.pixel_count());
  for (int r = 0; r < grid.height; ++r)
    for (int c = 0; c < grid.width; ++c)
      all[static_cast<std::size_t>(r * grid.width + c)] = packed_at(c, r);
  gp::variable_attributes attributes;
  attributes.fill_value = -32768.0;
  attributes.scale_factor = 1e-4;
  attributes.add_offset = 0.0;
  {
    gp::hdf5_writer writer(file);
    writer.add_grid("g", grid, side);
    EXPECT_EQ(writer.chunk_shape("g"), (std::array<int, 2>{16, 16}));
    writer.create_variable<std::int16_t>("g", "filtered", attributes);
    writer.create_variable<std::int16_t>("g", "direct", attributes);
    writer.write_window<std::int16_t>("g", "filtered", {0, 0, grid.width, grid.height}, all);
    // Chunk (cx, cy) holds pixels [cx*16, cx*16+16) x [cy*16, cy*16+16), padded with the fill
    // beyond the grid; chunk (1, 1) is left unwritten and must read as the fill.
    for (int cy = 0; cy < 2; ++cy) {
      for (int cx = 0; cx < 3; ++cx) {
        if (cx == 1 && cy == 1) continue;
        std::vector<std::int16_t> chunk(side * side, -32768);
        for (int r = 0; r < side; ++r)
          for (int c = 0; c < side; ++c)
            if (cy * side + r < grid.height && cx * side + c < grid.width)
              chunk[static_cast<std::size_t>(r * side + c)] =
                  packed_at(cx * side + c, cy * side + r);
        writer.write_chunk("g", "direct", cx, cy, gp::encode_chunk(as_bytes(chunk), 2));
      }
    }
    EXPECT_TRUE(writer.read_chunk("g", "direct", 1, 1).empty());
    // What HDF5's own filters stored decodes with the pipeline's decoder.
    auto const raw = writer.read_chunk("g", "filtered", 0, 0);
    ASSERT_FALSE(raw.empty());
    auto const decoded = gp::decode_chunk(raw, 2, side * side * 2);
    std::int16_t first = 0, last = 0;
    std::memcpy(&first, decoded.data(), 2);
    std::memcpy(&last, decoded.data() + decoded.size() - 2, 2);
    EXPECT_EQ(first, packed_at(0, 0));
    EXPECT_EQ(last, packed_at(15, 15));
    EXPECT_THROW(writer.write_chunk("g", "direct", 3, 0, gp::encode_chunk(as_bytes(all), 2)),
                 geosweep::logic_error);  // chunk outside the grid
    writer.commit();
  }
  // Both variables read back alike through GDAL's netCDF driver (HDF5's filters decode them).
  auto const read = [&](char const* name) {
    auto ds = open_raster("NETCDF:\"" + file.string() + "\":/g/" + name);
    EXPECT_TRUE(ds) << name;
    std::vector<std::int16_t> values(grid.pixel_count());
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, grid.width, grid.height, values.data(),
                                             grid.width, grid.height, GDT_Int16, 0, 0),
              CE_None);
    EXPECT_NEAR(ds->GetRasterBand(1)->GetScale(), 1e-4, 1e-11);
    return values;
  };
  auto const filtered = read("filtered");
  auto const direct = read("direct");
  EXPECT_EQ(filtered, all);
  for (int r = 0; r < grid.height; ++r) {
    for (int c = 0; c < grid.width; ++c) {
      auto const i = static_cast<std::size_t>(r * grid.width + c);
      bool const unwritten = c / side == 1 && r / side == 1;
      ASSERT_EQ(direct[i], unwritten ? -32768 : all[i]) << c << ", " << r;
    }
  }
}
