// The CF-1.8 description of a grid's CRS (outputs/cf_crs.hpp): for CRSs from the EPSG database,
// grid_mapping_name and every parameter against the EPSG definition, written out by hand
// (sexagesimal angles converted to degrees in the comments); where the CF parameters are derived
// rather than copied (Hotine variant A's false easting and northing, the two standard parallels
// of a Lambert 1SP cone with scale factor below 1) the CRS they describe, built with GDAL, puts
// points where the original does. CRSs CF cannot describe get no grid_mapping_name and no
// parameters.
#include "outputs/cf_crs.hpp"

#include <gtest/gtest.h>
#include <ogr_spatialref.h>
#include <ogr_srs_api.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <numbers>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geosweep/kernels/error.hpp"
#include "tools/wkt.hpp"

namespace gp = geosweep::pipeline;
using geosweep::test_tools::wkt_of;

namespace {

struct ellipsoid {
  double a, inverse_flattening, prime_meridian = 0.0;
};
ellipsoid const kWgs84{6378137.0, 298.257223563};
ellipsoid const kGrs80{6378137.0, 298.257222101};

using expected_parameters = std::vector<std::pair<std::string, std::vector<double>>>;

/// The values of parameter `name` (empty where there is none).
std::vector<double> values_of(gp::crs_description const& crs, std::string_view name) {
  for (auto const& p : crs.parameters) {
    if (name == p.name) return p.values;
  }
  return {};
}

/// `crs` has grid_mapping_name `name` and exactly the parameters `expected` plus the ellipsoid's,
/// each to 1e-9 (relative above 1).
void expect_cf(gp::crs_description const& crs, std::string const& name,
               expected_parameters expected, ellipsoid const& e) {
  EXPECT_EQ(crs.grid_mapping_name, name);
  expected.push_back({"semi_major_axis", {e.a}});
  expected.push_back({"inverse_flattening", {e.inverse_flattening}});
  expected.push_back({"longitude_of_prime_meridian", {e.prime_meridian}});
  std::vector<std::string> expected_names, names;
  for (auto const& [n, v] : expected) expected_names.push_back(n);
  for (auto const& p : crs.parameters) names.push_back(p.name);
  std::sort(expected_names.begin(), expected_names.end());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, expected_names);
  for (auto const& [n, want] : expected) {
    std::vector<double> const got = values_of(crs, n);
    ASSERT_EQ(got.size(), want.size()) << n;
    for (std::size_t i = 0; i < want.size(); ++i) {
      EXPECT_NEAR(got[i], want[i], 1e-9 * std::max(1.0, std::abs(want[i]))) << n << "[" << i << "]";
    }
  }
}

gp::crs_description describe(int epsg) {
  return gp::describe_crs(wkt_of(epsg));
}

std::string wkt_text(OGRSpatialReference const& srs, char const* format = "WKT1") {
  std::string const option = std::string("FORMAT=") + format;
  char const* const options[] = {option.c_str(), nullptr};
  char* text = nullptr;
  srs.exportToWkt(&text, options);
  std::string wkt = text;
  CPLFree(text);
  return wkt;
}

/// A CRS on WGS 84 set up by `set` (for methods no EPSG CRS uses).
template <class Set>
gp::crs_description describe_wgs84(Set set) {
  OGRSpatialReference srs;
  srs.SetWellKnownGeogCS("WGS84");
  set(srs);
  return gp::describe_crs(wkt_text(srs));
}

/// The largest distance (CRS units) between where `a` and `b`, on the same geographic CRS, put
/// the points of a 2 x 2 degree box around (lon, lat).
double largest_difference(OGRSpatialReference const& a, OGRSpatialReference const& b, double lon,
                          double lat) {
  std::unique_ptr<OGRSpatialReference> geographic(a.CloneGeogCS());
  geographic->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference pa(a), pb(b);
  pa.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  pb.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> to_a(
      OGRCreateCoordinateTransformation(geographic.get(), &pa));
  std::unique_ptr<OGRCoordinateTransformation> to_b(
      OGRCreateCoordinateTransformation(geographic.get(), &pb));
  EXPECT_TRUE(to_a && to_b);
  if (!to_a || !to_b) return HUGE_VAL;
  double largest = 0.0;
  for (double dx : {-1.0, 0.0, 1.0}) {
    for (double dy : {-1.0, 0.0, 1.0}) {
      double xa = lon + dx, ya = lat + dy, xb = xa, yb = ya;
      EXPECT_TRUE(to_a->Transform(1, &xa, &ya) && to_b->Transform(1, &xb, &yb));
      largest = std::max(largest, std::hypot(xa - xb, ya - yb));
    }
  }
  return largest;
}

double one(gp::crs_description const& crs, std::string_view name) {
  std::vector<double> const v = values_of(crs, name);
  EXPECT_EQ(v.size(), 1u) << name;
  return v.empty() ? NAN : v[0];
}

}  // namespace

TEST(CfCrs, GeographicIsLatitudeLongitude) {
  auto const crs = describe(4326);
  expect_cf(crs, "latitude_longitude", {}, kWgs84);
  EXPECT_STREQ(crs.axes.x_standard_name, "longitude");
  EXPECT_EQ(crs.axes.y_units, "degrees_north");
}

TEST(CfCrs, Utm33NorthIsTransverseMercator) {
  auto const crs = describe(32633);
  expect_cf(crs, "transverse_mercator",
            {{"scale_factor_at_central_meridian", {0.9996}},
             {"longitude_of_central_meridian", {15.0}},
             {"latitude_of_projection_origin", {0.0}},
             {"false_easting", {500000.0}},
             {"false_northing", {0.0}}},
            kWgs84);
  EXPECT_STREQ(crs.axes.x_standard_name, "projection_x_coordinate");
  EXPECT_EQ(crs.axes.x_units, "m");
}

// CH1903+ / LV95: Hotine Oblique Mercator (variant B) on Bessel 1841, centre 46°57'08.66"N
// 7°26'22.5"E, azimuth and rectified grid angle 90°, E 2 600 000 and N 1 200 000 at the centre.
TEST(CfCrs, SwissLv95IsObliqueMercator) {
  expected_parameters const lv95{
      {"azimuth_of_central_line", {90.0}},
      {"latitude_of_projection_origin", {46.0 + 57.0 / 60 + 8.66 / 3600}},
      {"longitude_of_projection_origin", {7.0 + 26.0 / 60 + 22.5 / 3600}},
      {"scale_factor_at_projection_origin", {1.0}},
      {"false_easting", {2600000.0}},
      {"false_northing", {1200000.0}}};
  ellipsoid const bessel{6377397.155, 299.1528128};
  expect_cf(describe(2056), "oblique_mercator", lv95, bessel);
  EXPECT_NEAR(46.0 + 57.0 / 60 + 8.66 / 3600, 46.9524055555556, 1e-12);
  EXPECT_NEAR(7.0 + 26.0 / 60 + 22.5 / 3600, 7.43958333333333, 1e-12);

  // The same from WKT2, as GDAL may hand the grid's CRS over.
  OGRSpatialReference srs;
  ASSERT_EQ(srs.importFromEPSG(2056), OGRERR_NONE);
  expect_cf(gp::describe_crs(wkt_text(srs, "WKT2_2019")), "oblique_mercator", lv95, bessel);
}

// Hotine variant A puts the false easting and northing at the natural origin; CF (as PROJ's
// omerc and pyproj read it) at the projection centre. NAD83 / Michigan Oblique Mercator: centre
// 45°18'33"N 86°W, azimuth 337.25556°, k 0.9996, FE 2 546 731.496 m, FN -4 354 009.816 m;
// NAD83 / Alaska zone 1: centre 57°N 133°40'W, azimuth atan(-3/4), k 0.9999, FE 5 000 000 m,
// FN -5 000 000 m.
TEST(CfCrs, HotineVariantAMovesTheFalseOriginToTheCentre) {
  struct hotine_a {
    int epsg;
    double latitude, longitude, azimuth, scale, natural_easting, natural_northing;
  };
  for (hotine_a const& c : {hotine_a{3078, 45.0 + 18.0 / 60 + 33.0 / 3600, -86.0, 337.25556, 0.9996,
                                     2546731.496, -4354009.816},
                            hotine_a{26931, 57.0, -(133.0 + 40.0 / 60),
                                     360.0 + std::atan2(-3.0, 4.0) * 180 / std::numbers::pi, 0.9999,
                                     5000000.0, -5000000.0}}) {
    SCOPED_TRACE(c.epsg);
    auto const crs = describe(c.epsg);
    EXPECT_EQ(crs.grid_mapping_name, "oblique_mercator");
    EXPECT_NEAR(one(crs, "latitude_of_projection_origin"), c.latitude, 1e-9);
    EXPECT_NEAR(one(crs, "longitude_of_projection_origin"), c.longitude, 1e-9);
    EXPECT_NEAR(one(crs, "azimuth_of_central_line"), c.azimuth, 1e-8);
    EXPECT_NEAR(one(crs, "scale_factor_at_projection_origin"), c.scale, 1e-12);
    EXPECT_NEAR(one(crs, "semi_major_axis"), kGrs80.a, 1e-9);
    double const fe = one(crs, "false_easting"), fn = one(crs, "false_northing");
    EXPECT_GT(std::hypot(fe - c.natural_easting, fn - c.natural_northing), 1000.0);

    // Variant B with the CF parameters (gamma = azimuth) is the same projection.
    OGRSpatialReference original, cf;
    ASSERT_EQ(original.importFromEPSG(c.epsg), OGRERR_NONE);
    ASSERT_EQ(cf.CopyGeogCSFrom(&original), OGRERR_NONE);
    ASSERT_EQ(cf.SetHOMAC(c.latitude, c.longitude, c.azimuth, c.azimuth, c.scale, fe, fn),
              OGRERR_NONE);
    EXPECT_LT(largest_difference(original, cf, c.longitude, c.latitude), 1e-3);
  }
}

// NAD83 / New York Long Island (ftUS): Lambert 2SP, parallels 41°02'N and 40°40'N, false
// origin 40°10'N 74°W, FE 984 250 ftUS (300 000 m): false easting in the unit of x.
TEST(CfCrs, LambertConformalConic2SPHasTwoStandardParallels) {
  auto const crs = describe(2263);
  expect_cf(crs, "lambert_conformal_conic",
            {{"standard_parallel", {41.0 + 2.0 / 60, 40.0 + 40.0 / 60}},
             {"longitude_of_central_meridian", {-74.0}},
             {"latitude_of_projection_origin", {40.0 + 10.0 / 60}},
             {"false_easting", {984250.0}},
             {"false_northing", {0.0}}},
            kGrs80);
  EXPECT_EQ(crs.axes.x_units, "US_survey_foot");

  // RGF93 / Lambert-93: parallels 49°N and 44°N, false origin 46°30'N 3°E.
  expect_cf(describe(2154), "lambert_conformal_conic",
            {{"standard_parallel", {49.0, 44.0}},
             {"longitude_of_central_meridian", {3.0}},
             {"latitude_of_projection_origin", {46.5}},
             {"false_easting", {700000.0}},
             {"false_northing", {6600000.0}}},
            kGrs80);
}

// JAD69 / Jamaica National Grid: Lambert 1SP, origin 18°N 77°W, k 1.
TEST(CfCrs, LambertConformalConic1SPWithUnitScaleHasOneStandardParallel) {
  expect_cf(describe(24200), "lambert_conformal_conic",
            {{"standard_parallel", {18.0}},
             {"longitude_of_central_meridian", {-77.0}},
             {"latitude_of_projection_origin", {18.0}},
             {"false_easting", {250000.0}},
             {"false_northing", {150000.0}}},
            {6378206.4, 294.978698213898});
}

// A 1SP cone with k0 < 1 is CF's cone through its two parallels of true scale. FD58 / Iraq
// zone: origin 32°30'N 45°E, k 0.9987864078, FE 1 500 000, FN 1 166 200, Clarke 1880 (RGS).
TEST(CfCrs, LambertConformalConic1SPWithScaleBelowOneHasTheParallelsOfTrueScale) {
  auto const crs = describe(3200);
  EXPECT_EQ(crs.grid_mapping_name, "lambert_conformal_conic");
  std::vector<double> const parallels = values_of(crs, "standard_parallel");
  ASSERT_EQ(parallels.size(), 2u);
  EXPECT_LT(parallels[0], 32.5);
  EXPECT_GT(parallels[1], 32.5);
  EXPECT_NEAR(one(crs, "latitude_of_projection_origin"), 32.5, 1e-12);
  EXPECT_NEAR(one(crs, "longitude_of_central_meridian"), 45.0, 1e-12);
  EXPECT_NEAR(one(crs, "false_easting"), 1500000.0, 1e-9);
  EXPECT_NEAR(one(crs, "false_northing"), 1166200.0, 1e-9);
  EXPECT_NEAR(one(crs, "inverse_flattening"), 293.465, 1e-9);

  OGRSpatialReference original, cf;
  ASSERT_EQ(original.importFromEPSG(3200), OGRERR_NONE);
  ASSERT_EQ(cf.CopyGeogCSFrom(&original), OGRERR_NONE);
  ASSERT_EQ(cf.SetLCC(parallels[0], parallels[1], 32.5, 45.0, 1500000.0, 1166200.0), OGRERR_NONE);
  EXPECT_LT(largest_difference(original, cf, 45.0, 32.5), 1e-3);
}

// NTF (Paris) / Lambert zone II: origin 52 grad N (46.8°) on the Paris meridian (2°20'14.025"E
// of Greenwich), k 0.99987742; IGN gives its parallels of true scale as 45°53'56.108"N and
// 47°41'45.652"N (to the published 0.001"). Angles come out in degrees although the CRS is in
// grads.
TEST(CfCrs, LambertZoneTwoIsInDegreesFromTheParisMeridian) {
  auto const crs = describe(27572);
  std::vector<double> const parallels = values_of(crs, "standard_parallel");
  ASSERT_EQ(parallels.size(), 2u);
  EXPECT_NEAR(parallels[0], 45.0 + 53.0 / 60 + 56.108 / 3600, 0.0005 / 3600);
  EXPECT_NEAR(parallels[1], 47.0 + 41.0 / 60 + 45.652 / 3600, 0.0005 / 3600);
  expect_cf(crs, "lambert_conformal_conic",
            {{"standard_parallel", parallels},
             {"longitude_of_central_meridian", {0.0}},
             {"latitude_of_projection_origin", {46.8}},
             {"false_easting", {600000.0}},
             {"false_northing", {2200000.0}}},
            {6378249.2, 293.466021293627, 2.33722917});
}

// EPSG:5070 NAD83 / Conus Albers: parallels 29°30'N and 45°30'N, false origin 23°N 96°W.
TEST(CfCrs, ConusAlbersIsAlbersConicalEqualArea) {
  expect_cf(describe(5070), "albers_conical_equal_area",
            {{"standard_parallel", {29.5, 45.5}},
             {"longitude_of_central_meridian", {-96.0}},
             {"latitude_of_projection_origin", {23.0}},
             {"false_easting", {0.0}},
             {"false_northing", {0.0}}},
            kGrs80);
}

// EPSG:3035 ETRS89-extended / LAEA Europe: origin 52°N 10°E, FE 4 321 000, FN 3 210 000.
TEST(CfCrs, LaeaEuropeIsLambertAzimuthalEqualArea) {
  expect_cf(describe(3035), "lambert_azimuthal_equal_area",
            {{"longitude_of_projection_origin", {10.0}},
             {"latitude_of_projection_origin", {52.0}},
             {"false_easting", {4321000.0}},
             {"false_northing", {3210000.0}}},
            kGrs80);
}

// Polar Stereographic variant B: EPSG:3413 (NSIDC north, 70°N of true scale, 45°W straight
// down) and EPSG:3031 (Antarctic, 71°S, 0°); variant A: EPSG:32661 UPS North (k 0.994 at the
// pole, FE and FN 2 000 000).
TEST(CfCrs, PolarStereographicVariantsAAndB) {
  expect_cf(describe(3413), "polar_stereographic",
            {{"straight_vertical_longitude_from_pole", {-45.0}},
             {"latitude_of_projection_origin", {90.0}},
             {"standard_parallel", {70.0}},
             {"false_easting", {0.0}},
             {"false_northing", {0.0}}},
            kWgs84);
  expect_cf(describe(3031), "polar_stereographic",
            {{"straight_vertical_longitude_from_pole", {0.0}},
             {"latitude_of_projection_origin", {-90.0}},
             {"standard_parallel", {-71.0}},
             {"false_easting", {0.0}},
             {"false_northing", {0.0}}},
            kWgs84);
  expect_cf(describe(32661), "polar_stereographic",
            {{"straight_vertical_longitude_from_pole", {0.0}},
             {"latitude_of_projection_origin", {90.0}},
             {"scale_factor_at_projection_origin", {0.994}},
             {"false_easting", {2000000.0}},
             {"false_northing", {2000000.0}}},
            kWgs84);
}

// EPSG:3395 WGS 84 / World Mercator (variant A, k 1 on the equator); EPSG:5641 SIRGAS 2000 /
// Brazil Mercator (variant B, 2°S of true scale, 43°W, FE 5 000 000, FN 10 000 000).
TEST(CfCrs, MercatorVariantsAAndB) {
  expect_cf(describe(3395), "mercator",
            {{"longitude_of_projection_origin", {0.0}},
             {"scale_factor_at_projection_origin", {1.0}},
             {"false_easting", {0.0}},
             {"false_northing", {0.0}}},
            kWgs84);
  expect_cf(describe(5641), "mercator",
            {{"longitude_of_projection_origin", {-43.0}},
             {"standard_parallel", {-2.0}},
             {"false_easting", {5000000.0}},
             {"false_northing", {10000000.0}}},
            kGrs80);
}

// EPSG:6933 WGS 84 / NSIDC EASE-Grid 2.0 Global: Lambert cylindrical equal area, 30°N.
TEST(CfCrs, EaseGrid2IsLambertCylindricalEqualArea) {
  expect_cf(describe(6933), "lambert_cylindrical_equal_area",
            {{"standard_parallel", {30.0}},
             {"longitude_of_central_meridian", {0.0}},
             {"false_easting", {0.0}},
             {"false_northing", {0.0}}},
            kWgs84);
}

// Methods no EPSG CRS uses, set up with GDAL.
TEST(CfCrs, SinusoidalStereographicOrthographicAzimuthalEquidistant) {
  expect_cf(describe_wgs84([](OGRSpatialReference& s) { s.SetSinusoidal(-60.0, 10.0, 20.0); }),
            "sinusoidal",
            {{"longitude_of_projection_origin", {-60.0}},
             {"false_easting", {10.0}},
             {"false_northing", {20.0}}},
            kWgs84);
  expect_cf(describe_wgs84(
                [](OGRSpatialReference& s) { s.SetStereographic(40.0, 10.0, 0.99, 1.0, 2.0); }),
            "stereographic",
            {{"latitude_of_projection_origin", {40.0}},
             {"longitude_of_projection_origin", {10.0}},
             {"scale_factor_at_projection_origin", {0.99}},
             {"false_easting", {1.0}},
             {"false_northing", {2.0}}},
            kWgs84);
  expect_cf(
      describe_wgs84([](OGRSpatialReference& s) { s.SetOrthographic(-30.0, 20.0, 3.0, 4.0); }),
      "orthographic",
      {{"latitude_of_projection_origin", {-30.0}},
       {"longitude_of_projection_origin", {20.0}},
       {"false_easting", {3.0}},
       {"false_northing", {4.0}}},
      kWgs84);
  expect_cf(describe_wgs84([](OGRSpatialReference& s) { s.SetAE(60.0, -150.0, 5.0, 6.0); }),
            "azimuthal_equidistant",
            {{"latitude_of_projection_origin", {60.0}},
             {"longitude_of_projection_origin", {-150.0}},
             {"false_easting", {5.0}},
             {"false_northing", {6.0}}},
            kWgs84);
}

// No CF mapping: EPSG:3857 (a sphere's Mercator on WGS 84 coordinates), EPSG:28992 Amersfoort /
// RD New (Oblique Stereographic, a double projection), EPSG:3375 GDM2000 / Peninsula RSO
// (Hotine with rectified grid angle 323°07'48.368" and azimuth 323°01'32.8673"), EPSG:6792
// Oregon Bend-Redmond-Prineville (Lambert 1SP with k 1.00012: no parallel of true scale).
TEST(CfCrs, CrsWithoutCfMappingHasNoGridMappingName) {
  for (int epsg : {3857, 28992, 3375, 6792}) {
    SCOPED_TRACE(epsg);
    auto const crs = describe(epsg);
    EXPECT_EQ(crs.grid_mapping_name, "");
    EXPECT_TRUE(crs.parameters.empty());
    EXPECT_STREQ(crs.axes.x_standard_name, "projection_x_coordinate");
    EXPECT_EQ(crs.axes.x_units, "m");
  }
}

TEST(CfCrs, UnparsableWktThrows) {
  EXPECT_THROW(gp::describe_crs("not a CRS"), geosweep::logic_error);
}
