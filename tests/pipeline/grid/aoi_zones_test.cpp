// aoi_shape::rasterize_zones: the AOI's core (where seeds may start) and its edge zone (within
// change.edge_buffer_m of the boundary), counted by hand on a 10 x 10 pixel square AOI.
#include <gtest/gtest.h>

#include <ogr_spatialref.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "geosweep/kernels/change.hpp"
#include "grid/aoi.hpp"

namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;

namespace {

/// A WGS84 grid of 12 x 12 pixels of 0.001 degrees from (0, 0.012) down to (0.012, 0), and an
/// AOI of the 10 x 10 pixels from (0.001, 0.001) to (0.011, 0.011).
struct square {
  gp::raster_grid grid;
  gp::aoi_shape shape;
  square() : grid(make_grid()), shape(make_aoi(), grid.crs_wkt) {}
  static gp::raster_grid make_grid() {
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    char* wkt = nullptr;
    srs.exportToWkt(&wkt);
    gp::raster_grid g{wkt, {0.0, 0.001, 0.0, 0.012, 0.0, -0.001}, 12, 12};
    CPLFree(wkt);
    return g;
  }
  static gp::aoi_spec make_aoi() {
    gp::aoi_spec a;
    a.name = "square";
    a.bbox = std::array<double, 4>{0.001, 0.001, 0.011, 0.011};
    return a;
  }
  [[nodiscard]] std::array<std::int64_t, 3> counts() const {
    auto const zones = shape.rasterize_zones(grid);
    std::array<std::int64_t, 3> n{};
    for (auto z : zones) ++n.at(z);
    return n;
  }
};

}  // namespace

TEST(AoiZones, WithoutABufferTheWholeAoiIsCore) {
  square s;
  auto const n = s.counts();
  EXPECT_EQ(n[k::zone_outside], 144 - 100);
  EXPECT_EQ(n[k::zone_core], 100);
  EXPECT_EQ(n[k::zone_edge], 0);
  EXPECT_EQ(s.shape.rasterize(s.grid), [&] {  // the same pixels as the inside mask
    auto z = s.shape.rasterize_zones(s.grid);
    for (auto& v : z) v = v != 0 ? 1 : 0;
    return z;
  }());
}

TEST(AoiZones, AOnePixelBufferLeavesTheOuterRingToTheEdgeZone) {
  square s;
  s.shape.set_edge_buffer(0.001);
  // Core: pixel centres at least 0.001 inside, 0.0025..0.0095: 8 x 8.
  auto const n = s.counts();
  EXPECT_EQ(n[k::zone_core], 64);
  EXPECT_EQ(n[k::zone_edge], 100 - 64);
  EXPECT_EQ(n[k::zone_outside], 44);
  auto const zones = s.shape.rasterize_zones(s.grid);
  EXPECT_EQ(zones[1 * 12 + 1], k::zone_edge);  // the AOI's corner pixel
  EXPECT_EQ(zones[2 * 12 + 2], k::zone_core);
  EXPECT_EQ(zones[0], k::zone_outside);
}

TEST(AoiZones, ABufferOfThreePixelsAndABitLeavesAFourByFourCore) {
  square s;
  s.shape.set_edge_buffer(0.0031);  // core 0.0041..0.0079: centres 0.0045..0.0075
  auto const n = s.counts();
  EXPECT_EQ(n[k::zone_core], 16);
  EXPECT_EQ(n[k::zone_edge], 84);
  // A buffer wider than half the AOI leaves no core; 0 turns the buffer off again.
  s.shape.set_edge_buffer(0.006);
  EXPECT_EQ(s.counts()[k::zone_core], 0);
  EXPECT_EQ(s.counts()[k::zone_edge], 100);
  s.shape.set_edge_buffer(0.0);
  EXPECT_EQ(s.counts()[k::zone_core], 100);
}

TEST(AoiZones, AChunkInsideTheCoreIsAllCoreAndOneAcrossTheEdgeIsMixed) {
  square s;
  s.shape.set_edge_buffer(0.001);  // core 0.002..0.010 in both axes
  // A 4 x 4 px chunk from (0.004, 0.008) down to (0.008, 0.004): inside the core.
  gp::raster_grid inside = s.grid;
  inside.transform = {0.004, 0.001, 0.0, 0.008, 0.0, -0.001};
  inside.width = inside.height = 4;
  EXPECT_EQ(s.shape.rasterize_zones(inside), std::vector<std::uint8_t>(16, k::zone_core));
  // From (0.0, 0.004) to (0.004, 0.0): column 0 and row 3 outside the AOI, column 1 and row 2
  // in the edge zone (centres 0.0015 from its boundary), the rest core.
  gp::raster_grid corner = s.grid;
  corner.transform = {0.0, 0.001, 0.0, 0.004, 0.0, -0.001};
  corner.width = corner.height = 4;
  std::vector<std::uint8_t> const expected{0, 2, 1, 1,  //
                                           0, 2, 1, 1,  //
                                           0, 2, 2, 2,  //
                                           0, 0, 0, 0};
  EXPECT_EQ(s.shape.rasterize_zones(corner), expected);
}
