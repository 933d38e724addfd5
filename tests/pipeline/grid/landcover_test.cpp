// Land-cover classes: a class raster warped onto a grid with nearest neighbour
// (grid/landcover_raster.hpp), the changed area of alerts and AOIs by class
// (outputs/landcover_table.hpp) by hand, and the real CGLS-LC100 map of Sierra de Neiba
// reprojected onto a UTM grid against gdalwarp + numpy (tests/tools/landcover_reference.py).
#include <fmt/format.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogr_spatialref.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "grid/aoi.hpp"
#include "grid/landcover_raster.hpp"
#include "grid/pixel_area.hpp"
#include "outputs/landcover_table.hpp"
#include "tools/shared_data.hpp"
#include "tools/shell_command.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;

namespace {

std::string wkt_of(int epsg) {
  OGRSpatialReference srs;
  srs.importFromEPSG(epsg);
  char* text = nullptr;
  srs.exportToWkt(&text);
  std::string out = text;
  CPLFree(text);
  return out;
}

/// A Byte GeoTIFF of `grid` holding `codes` (row-major), nodata 255.
void write_classes(fs::path const& file, gp::raster_grid const& grid,
                   std::vector<std::uint8_t> codes) {
  gp::ensure_gdal();
  auto* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  GDALDatasetUniquePtr ds(
      driver->Create(file.c_str(), grid.width, grid.height, 1, GDT_Byte, nullptr));
  ASSERT_TRUE(ds);
  ds->SetGeoTransform(const_cast<double*>(grid.transform.data()));
  ds->SetProjection(grid.crs_wkt.c_str());
  ds->GetRasterBand(1)->SetNoDataValue(255);
  ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, grid.width, grid.height, codes.data(),
                                           grid.width, grid.height, GDT_Byte, 0, 0),
            CE_None);
}

fs::path temp_dir(char const* name) {
  auto const dir = fs::temp_directory_path() / fmt::format("geosweep_{}_{}", name, ::getpid());
  fs::create_directories(dir);
  return dir;
}

}  // namespace

TEST(LandcoverCodes, NearestClassOnTheSameGridAndAShiftedOne) {
  auto const dir = temp_dir("landcover_codes");
  gp::raster_grid const source{wkt_of(32619), {500000, 30, 0, 2000000, 0, -30}, 4, 2};
  write_classes(dir / "lc.tif", source, {111, 111, 40, 255, 20, 20, 40, 40});
  auto const same = gp::landcover_codes(dir / "lc.tif", 1, source);
  EXPECT_EQ(same, (std::vector<std::int32_t>{111, 111, 40, -1, 20, 20, 40, 40}));
  // A third of a pixel east and a pixel wider: each centre 5/6 of the way into a source pixel
  // (no tie), the last one beyond the raster.
  gp::raster_grid const shifted{source.crs_wkt, {500010, 30, 0, 2000000, 0, -30}, 5, 2};
  EXPECT_EQ(gp::landcover_codes(dir / "lc.tif", 1, shifted),
            (std::vector<std::int32_t>{111, 111, 40, -1, -1, 20, 20, 40, 40, -1}));
  EXPECT_THROW(gp::landcover_codes(dir / "lc.tif", 2, source), geosweep::io_error);
  fs::remove_all(dir);
}

TEST(LandcoverTable, AlertsAndTheAoiByClassByHand) {
  gp::landcover_spec spec;
  spec.classes = {{111, "forest"}, {112, "forest"}, {40, "cropland"}};
  spec.value_per_ha = {{"forest", 3000.0}};
  // A 4 x 2 window: row areas 100 and 200 m^2; class 7 named by no class; one pixel uncovered.
  std::vector<std::int32_t> const codes{111, 112, 40, 7, 111, -1, 40, 40};
  std::vector<std::uint8_t> const inside{1, 1, 1, 1, 1, 1, 1, 0};
  std::vector<double> const rows{100.0, 200.0};
  gp::landcover_aoi const aoi{"north", 4, codes, inside, rows, 2.0, "Case 7"};
  // Alert 1: pixels (0,0), (1,0), (2,0), (0,1): forest 100 + 100 + 200, cropland 100.
  // Alert 2: pixels (3,0), (1,1): class 7 100, no data 200.
  gp::patch_pixels pixels(4, 2);
  pixels.add(0, 0, {{0, 1}, {1, 1}, {2, 1}, {4, 1}, {3, 2}, {5, 2}});
  std::vector<gp::change_patch> patches(2);
  patches[0].alert.id = "gs-1";
  patches[0].label = 1;
  patches[0].window = {0, 0, 3, 2};
  patches[1].alert.id = "gs-2";
  patches[1].label = 2;
  patches[1].window = {1, 0, 3, 2};
  auto const split = gp::landcover_rows(spec, aoi, patches, pixels);
  auto const& table = split.rows;
  // forest: 0.04 ha x 3000; cropland and class 7 at the AOI's 2 a hectare; the AOI's rows
  // first (every class inside: forest 400, cropland 100 + 200, class 7 100, no data 200 m^2),
  // each in the order of its lowest code, no data last.
  std::vector<std::vector<std::string>> const expected{
      {"north", "", "class 7", "0.0100", "0.02", "0.0100", "Case 7"},
      {"north", "", "cropland", "0.0100", "0.02", "0.0300", "Case 7"},
      {"north", "", "forest", "0.0400", "120.00", "0.0400", "Case 7"},
      {"north", "", "no data", "0.0200", "0.04", "0.0200", "Case 7"},
      {"north", "gs-1", "cropland", "0.0100", "0.02", "", "Case 7"},
      {"north", "gs-1", "forest", "0.0400", "120.00", "", "Case 7"},
      {"north", "gs-2", "class 7", "0.0100", "0.02", "", "Case 7"},
      {"north", "gs-2", "no data", "0.0200", "0.04", "", "Case 7"}};
  EXPECT_EQ(table, expected);
  // Each alert is worth the sum of its classes: 120 + 0.02, and 0.02 + 0.04.
  ASSERT_EQ(split.alert_values.size(), 2u);
  ASSERT_TRUE(split.alert_values[0] && split.alert_values[1]);
  EXPECT_NEAR(*split.alert_values[0], 120.02, 1e-9);
  EXPECT_NEAR(*split.alert_values[1], 0.06, 1e-9);
  // Without the AOI's value only forest has one: alert 1 is worth its forest, alert 2 nothing
  // known (no value rather than 0), and the rows of the classes without a value say none.
  gp::landcover_aoi const unvalued{"north", 4, codes, inside, rows, std::nullopt};
  auto const bare = gp::landcover_rows(spec, unvalued, patches, pixels);
  ASSERT_EQ(bare.alert_values.size(), 2u);
  ASSERT_TRUE(bare.alert_values[0].has_value());
  EXPECT_NEAR(*bare.alert_values[0], 120.0, 1e-9);
  EXPECT_FALSE(bare.alert_values[1].has_value());
  EXPECT_EQ(bare.rows[4],
            (std::vector<std::string>{"north", "gs-1", "cropland", "0.0100", "", "", ""}));

  // The network's rows: both AOIs' whole-area rows summed by class (areas x 2: forest 800 m^2
  // inside, 800 changed; cropland 600 inside, 200 changed...), each value the sum of its AOIs'
  // (forest 120 + 120; cropland 0.02 from the valued AOI only: the other has no value for it).
  // An AOI of another network and one of none stay out.
  gp::landcover_aoi const other{"south", 4, codes, inside, rows, 5.0, "Other"};
  auto const south = gp::landcover_rows(spec, other, patches, pixels);
  auto const networks = gp::network_landcover_rows(
      spec, {"Case 7", "Other"},
      {{"Case 7", &split}, {"", &split}, {"Case 7", &bare}, {"Other", &south}});
  std::vector<std::vector<std::string>> const summed{
      {"", "", "class 7", "0.0200", "0.02", "0.0200", "Case 7"},
      {"", "", "cropland", "0.0200", "0.02", "0.0600", "Case 7"},
      {"", "", "forest", "0.0800", "240.00", "0.0800", "Case 7"},
      {"", "", "no data", "0.0400", "0.04", "0.0400", "Case 7"},
      {"", "", "class 7", "0.0100", "0.05", "0.0100", "Other"},
      {"", "", "cropland", "0.0100", "0.05", "0.0300", "Other"},
      {"", "", "forest", "0.0400", "120.00", "0.0400", "Other"},
      {"", "", "no data", "0.0200", "0.10", "0.0200", "Other"}};
  EXPECT_EQ(networks, summed);
}

// Sierra de Neiba (WDPA 478140) on CGLS-LC100 2019, ~100 m in EPSG:4326, reprojected onto a 30 m
// grid of UTM 19N: the hectares of each class inside the protected area, ours and gdalwarp's.
TEST(RealDataLandcover, CglsLc100InsideSierraDeNeibaMatchesGdalwarp) {
  auto const data = tt::shared_data() / "gfc-landcover-neiba";
  auto const raster = data / "W080N20_LC100_v3.0.1_2019.tif";
  gp::aoi_spec aoi_spec;
  aoi_spec.name = "neiba";
  aoi_spec.geometry = data / "sierra_de_neiba_478140.gpkg";
  std::string const utm = wkt_of(32619);
  gp::aoi_shape const shape(aoi_spec, utm);
  auto const& e = shape.envelope();
  double const pixel = 30.0;
  double const x0 = std::floor(e[0] / pixel) * pixel - pixel,
               y0 = std::ceil(e[3] / pixel) * pixel + pixel;
  int const width = static_cast<int>(std::ceil((e[2] - x0) / pixel)) + 1,
            height = static_cast<int>(std::ceil((y0 - e[1]) / pixel)) + 1;
  gp::raster_grid const grid{utm, {x0, pixel, 0, y0, 0, -pixel}, width, height};

  auto const codes = gp::landcover_codes(raster, 1, grid);
  auto const inside = shape.rasterize(grid);
  auto const row_areas = gp::row_pixel_areas_m2(grid);
  gp::landcover_aoi const aoi{"neiba", width, codes, inside, row_areas, std::nullopt};
  std::map<std::int32_t, double> ours_m2;
  gp::add_class_areas(aoi, {0, 0, width, height}, inside, ours_m2);
  std::map<std::int32_t, std::int64_t> ours_pixels;
  for (std::size_t i = 0; i < codes.size(); ++i)
    if (inside[i] != 0) ++ours_pixels[codes[i]];

  auto const r = tt::shell(
      fmt::format("/usr/bin/python3 " GEOSWEEP_SOURCE_DIR
                  "/tests/tools/landcover_reference.py '{}' '{}' 32619 {:.17g} {:.17g} {} {} {}",
                  raster.string(), aoi_spec.geometry->string(), x0, y0, pixel, width, height));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::map<std::int32_t, std::int64_t> reference_pixels;
  std::map<std::int32_t, double> reference_ha;
  std::istringstream lines(r.out);
  std::int32_t code = 0;
  std::int64_t count = 0;
  double ha = 0.0;
  while (lines >> code >> count >> ha) {
    reference_pixels[code] = count;
    reference_ha[code] = ha;
  }
  ASSERT_GE(reference_pixels.size(), 5u) << r.out;
  gp::landcover_spec spec;
  spec.classes = *gp::landcover_class_table("cgls-lc100");
  double total = 0.0;
  for (auto const& [c, m2] : ours_m2) {
    std::cout << fmt::format("{:>4} {:<38} ours {:10.2f} ha  gdalwarp {:10.2f} ha\n", c,
                             c < 0 ? "no data" : gp::landcover_class_name(spec, c), m2 / 1e4,
                             reference_ha[c]);
    total += m2 / 1e4;
  }
  std::cout << fmt::format("     {:<38} ours {:10.2f} ha\n", "inside the polygon", total);
  EXPECT_EQ(ours_pixels, reference_pixels);
  for (auto const& [c, h] : reference_ha) EXPECT_NEAR(ours_m2[c] / 1e4, h, 1e-6) << "code " << c;
  // Closed evergreen broad-leaf forest (112) is one of the park's main classes.
  EXPECT_GT(reference_ha[112], 1000.0);
}

int main(int argc, char** argv) {
  return geosweep::test_tools::run_tests_with_shared_data(argc, argv);
}
