// Pixel area maths: planar for projected grids, ellipsoidal for geographic ones.
#include <gtest/gtest.h>

#include <ogr_spatialref.h>

#include <cmath>
#include <numbers>

#include "grid/pixel_area.hpp"
#include "tools/wkt.hpp"

namespace gp = geosweep::pipeline;

namespace {
double const kWgs84A = 6378137.0;
double const kWgs84InvF = 298.257223563;
}  // namespace

TEST(PixelArea, ProjectedGridIsConstant) {
  gp::raster_grid g{geosweep::test_tools::wkt_of(32720), {600000, 10, 0, 8950000, 0, -10}, 5, 3};
  auto const areas = gp::row_pixel_areas_m2(g);
  ASSERT_EQ(areas.size(), 3u);
  for (double a : areas) EXPECT_DOUBLE_EQ(a, 100.0);
}

TEST(PixelArea, ProjectedGridInFeetUsesTheLinearUnit) {
  gp::raster_grid g{geosweep::test_tools::wkt_of(2263),
                    {900000, 10, 0, 200000, 0, -10},
                    2,
                    2};  // NY Long Island, US ft
  double const foot = 1200.0 / 3937.0;
  EXPECT_NEAR(gp::row_pixel_areas_m2(g)[0], 100.0 * foot * foot, 1e-9);
}

TEST(PixelArea, SphereMatchesTheClosedForm) {
  // On a sphere the cell area is R^2 * dlon * (sin(lat2) - sin(lat1)).
  double const r = 6371000.0;
  double const expected =
      r * r * (std::numbers::pi / 180.0) *
      (std::sin(11.0 * std::numbers::pi / 180) - std::sin(10.0 * std::numbers::pi / 180));
  EXPECT_NEAR(gp::ellipsoidal_cell_area_m2(10.0, 11.0, 1.0, r, 0.0), expected, expected * 1e-12);
}

TEST(PixelArea, EllipsoidMatchesNumericalIntegration) {
  // Integrate M(phi) * N(phi) * cos(phi) dphi dlambda with Simpson's rule.
  double const f = 1.0 / kWgs84InvF, e2 = f * (2 - f);
  auto const integrand = [&](double phi) {
    double const w = 1 - e2 * std::sin(phi) * std::sin(phi);
    double const m = kWgs84A * (1 - e2) / std::pow(w, 1.5);
    double const n = kWgs84A / std::sqrt(w);
    return m * n * std::cos(phi);
  };
  double const lat1 = -10.0 * std::numbers::pi / 180, lat2 = -9.0 * std::numbers::pi / 180;
  int const steps = 2000;
  double const h = (lat2 - lat1) / steps;
  double sum = integrand(lat1) + integrand(lat2);
  for (int i = 1; i < steps; ++i) sum += integrand(lat1 + i * h) * (i % 2 ? 4 : 2);
  double const expected = sum * h / 3 * (0.5 * std::numbers::pi / 180);
  EXPECT_NEAR(gp::ellipsoidal_cell_area_m2(-10.0, -9.0, 0.5, kWgs84A, kWgs84InvF), expected,
              expected * 1e-9);
}

TEST(PixelArea, GeographicGridRowsShrinkTowardThePole) {
  gp::raster_grid g{geosweep::test_tools::wkt_of(4326), {-63.0, 0.0001, 0, 60.0, 0, -0.0001}, 4, 3};
  auto const areas = gp::row_pixel_areas_m2(g);
  ASSERT_EQ(areas.size(), 3u);
  EXPECT_GT(areas[2], areas[0]);  // row 2 lies further south
  // 0.0001 degree is ~11.13 m of latitude and ~5.58 m of longitude at 60N.
  EXPECT_NEAR(areas[0], 11.15 * 5.58, 1.0);
  EXPECT_NEAR(gp::ellipsoidal_cell_area_m2(0, 1, 1, kWgs84A, kWgs84InvF) / 1e6, 12308.8, 1.0);
}
