// patch_stitcher: what the final patches carry. Their numbering (raster order of their first
// pixel in the AOI window, whatever the tiles and the order they come in), their statistics merged
// from the parts in each tile (pixels, area, dates, confidence, mean magnitude in 1e-4 units,
// centroid, WGS84 bounding box, pixels by date) and the stable alert id, which follows the
// earliest pixel. Expected values are worked out by hand in each test from its picture
// (patch_pictures.hpp); WGS84 positions of hand-computed map coordinates come from OGR
// directly, and stable ids from stable_alert_id of the hand-picked earliest pixel.
#include <gtest/gtest.h>

#include <ogr_spatialref.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pipeline/patches/patch_pictures.hpp"

namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;
using namespace geosweep::test_tools;
using std::chrono::year;

namespace {

/// WGS84 longitude and latitude of map coordinates (x, y) of EPSG:32720, straight from OGR.
std::array<double, 2> lon_lat(double x, double y) {
  OGRSpatialReference utm, wgs84;
  utm.importFromEPSG(32720);
  wgs84.importFromEPSG(4326);
  utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> t(OGRCreateCoordinateTransformation(&utm, &wgs84));
  EXPECT_TRUE(t != nullptr);
  EXPECT_TRUE(t->Transform(1, &x, &y));
  return {x, y};
}

/// WGS84 position of a place in AOI-window pixels (column 2.5: the middle of column 2).
std::array<double, 2> lon_lat_of_pixel(double column, double row) {
  return lon_lat(origin_x + column * pixel_m, origin_y - row * pixel_m);
}

/// The stable id a patch gets from its earliest pixel (column, row) and that pixel's first day.
std::string id_from_pixel(int column, int row, std::int32_t first_day) {
  auto const ll = lon_lat_of_pixel(column + 0.5, row + 0.5);
  return gp::stable_alert_id(aoi_name, ll[1], ll[0], first_day);
}

void expect_same_extents(std::map<std::int32_t, gp::date_extent> const& a,
                         std::map<std::int32_t, gp::date_extent> const& b) {
  ASSERT_EQ(a.size(), b.size());
  for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
    EXPECT_EQ(ia->first, ib->first);
    EXPECT_EQ(ia->second.pixels, ib->second.pixels);
    EXPECT_EQ(ia->second.column_sum, ib->second.column_sum);
    EXPECT_EQ(ia->second.row_sum, ib->second.row_sum);
    EXPECT_DOUBLE_EQ(ia->second.area_m2, ib->second.area_m2);
  }
}

/// Every field of two patch lists agree.
void expect_same_patches(std::vector<gp::change_patch> const& a,
                         std::vector<gp::change_patch> const& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE("patch " + std::to_string(i + 1));
    EXPECT_EQ(a[i].label, b[i].label);
    EXPECT_EQ(a[i].alert.id, b[i].alert.id);
    EXPECT_EQ(a[i].alert.aoi, b[i].alert.aoi);
    EXPECT_EQ(a[i].alert.pixels, b[i].alert.pixels);
    EXPECT_DOUBLE_EQ(a[i].alert.area_ha, b[i].alert.area_ha);
    EXPECT_EQ(a[i].alert.first_seen, b[i].alert.first_seen);
    EXPECT_EQ(a[i].alert.confirmed_on, b[i].alert.confirmed_on);
    EXPECT_EQ(a[i].alert.confidence, b[i].alert.confidence);
    EXPECT_DOUBLE_EQ(a[i].alert.mean_magnitude, b[i].alert.mean_magnitude);
    EXPECT_DOUBLE_EQ(a[i].alert.centroid_lat, b[i].alert.centroid_lat);
    EXPECT_DOUBLE_EQ(a[i].alert.centroid_lon, b[i].alert.centroid_lon);
    EXPECT_EQ(a[i].alert.bbox, b[i].alert.bbox);
    EXPECT_DOUBLE_EQ(a[i].centroid_column, b[i].centroid_column);
    EXPECT_DOUBLE_EQ(a[i].centroid_row, b[i].centroid_row);
    expect_same_extents(a[i].first_seen, b[i].first_seen);
    expect_same_extents(a[i].confirmed, b[i].confirmed);
  }
}

}  // namespace

// ---- numbering

TEST(PatchStitcher, NumbersPatchesInRasterOrderWhateverTheTilesAndTheirOrder) {
  // Six patches (a..f) in a 9 x 6 window; '#' is outside the AOI. Patch a (5 pixels) starts at
  // (4,0), in the second tile of the layout, and reaches into the first tile at (2,2): b, at
  // (0,1), lies wholly in the first tile yet comes after a in raster order. First pixels:
  // a (4,0) index 4, b (0,1) 9, c (5,2) 23, d (1,4) 37, e (4,5) 49, f (8,5) 53.
  //   a: (4,0) (5,0) (3,1) (2,2) (3,2)   b: (0,1) (0,2)   c: (5,2) (6,3)   d: (1,4) (1,5)
  //   e: (4,5) (5,5) (6,5)   f: (8,5)
  auto const p = draw({"....hl..#",  //
                       "l..h....#",  //
                       "h.lh.l...",  //
                       "......h..",  //
                       ".h.......",  //
                       ".l..hhl.h"});
  std::vector<std::string> const expected{"....11...",  //
                                          "2..1.....",  //
                                          "2.11.3...",  //
                                          "......3..",  //
                                          ".4.......",  //
                                          ".4..555.6"};
  std::vector<std::int64_t> const pixels{5, 2, 2, 2, 3, 1};

  // The whole AOI as one tile: the reference for every other cut.
  auto const whole = stitch(p, cut(p, {}, {}), 0.0);
  EXPECT_EQ(label_picture(whole, p.width), expected);
  ASSERT_EQ(whole.patches.size(), pixels.size());
  for (std::size_t i = 0; i < pixels.size(); ++i) {
    EXPECT_EQ(whole.patches[i].label, static_cast<std::int32_t>(i + 1));
    EXPECT_EQ(whole.patches[i].alert.pixels, pixels[i]) << "patch " << i + 1;
  }

  struct layout {
    std::vector<int> x_splits, y_splits;
  };
  // 3 x 3 tiles (corners at (3,3) and (6,3)), uneven tiles, tiles one pixel wide or high.
  std::vector<layout> const layouts{{{3, 6}, {3}},
                                    {{1, 5}, {1, 4}},
                                    {{4}, {2}},
                                    {{2, 3, 7}, {5}},
                                    {{1, 2, 3, 4, 5, 6, 7, 8}, {1, 2, 3, 4, 5}}};
  for (auto const& l : layouts) {
    auto const tiles = cut(p, l.x_splits, l.y_splits);
    std::size_t const n = tiles.size();
    std::vector<std::size_t> forward, backward, shuffled;
    for (std::size_t i = 0; i < n; ++i) {
      forward.push_back(i);
      backward.push_back(n - 1 - i);
      shuffled.push_back((i * 5 + 3) % n);  // a permutation when n is not a multiple of 5
    }
    if (n % 5 == 0) shuffled = backward;
    for (auto const& order : {forward, backward, shuffled}) {
      SCOPED_TRACE(::testing::Message()
                   << n << " tiles, first added " << order.front() << ", last " << order.back());
      auto const s = stitch(p, tiles, 0.0, order);
      EXPECT_EQ(label_picture(s, p.width), expected);
      expect_same_patches(s.patches, whole.patches);
    }
  }
}

// ---- merged statistics

TEST(PatchStitcher, MergesTheStatisticsOfTheParts) {
  // Tiles of columns 0-2 and 3-5. One patch of 5 pixels: low ones on the left, high ones on
  // the right, joined by (2,1)-(3,1).
  //   pixel  class  first  confirmed  magnitude
  //   (1,1)  low    d100   -          0.25
  //   (2,1)  low    d101   -          0.25
  //   (2,2)  low    d102   -          0.25
  //   (3,1)  high   d102   d110       0.5
  //   (4,2)  high   d99    d112       0.5
  auto p = draw({"......",  //
                 ".lll..",  //
                 "..l.h.",  //
                 "......"});
  p.change[p.at(3, 1)] = k::change_high;
  p.magnitude[p.at(3, 1)] = 0.5f;
  std::int32_t const d99 = day_of(year{2024} / 6 / 9), d100 = d99 + 1, d101 = d99 + 2,
                     d102 = d99 + 3, d110 = d99 + 11, d112 = d99 + 13;
  p.set_dates(1, 1, d100, k::no_date);
  p.set_dates(2, 1, d101, k::no_date);
  p.set_dates(2, 2, d102, k::no_date);
  p.set_dates(3, 1, d102, d110);
  p.set_dates(4, 2, d99, d112);

  auto const s = stitch(p, cut(p, {3}, {}), 0.0);
  ASSERT_EQ(s.patches.size(), 1u);
  gp::change_patch const& patch = s.patches[0];
  gp::alert const& a = patch.alert;
  EXPECT_EQ(patch.label, 1);
  EXPECT_EQ(a.aoi, aoi_name);
  EXPECT_EQ(a.pixels, 5);
  EXPECT_DOUBLE_EQ(a.area_ha, 0.05);

  // Earliest first date (d99, on the right) and earliest confirmation (d110 of d110, d112).
  EXPECT_EQ(a.first_seen, year{2024} / 6 / 9);
  ASSERT_TRUE(a.confirmed_on.has_value());
  EXPECT_EQ(*a.confirmed_on, year{2024} / 6 / 20);
  // Low on the left, high on the right: high.
  EXPECT_EQ(a.confidence, gp::alert_confidence::high);
  // 3 x 2500 + 2 x 5000 = 17500 units of 1e-4 over 5 pixels: 0.35.
  EXPECT_DOUBLE_EQ(a.mean_magnitude, 0.35);

  // Columns 1+2+2+3+4 = 12, rows 1+1+2+1+2 = 7: centroid at column 12/5 + 0.5 = 2.9, row
  // 7/5 + 0.5 = 1.9, map (600029, 8949981).
  EXPECT_DOUBLE_EQ(patch.centroid_column, 2.9);
  EXPECT_DOUBLE_EQ(patch.centroid_row, 1.9);
  auto const centre = lon_lat(600029.0, 8949981.0);
  EXPECT_NEAR(a.centroid_lon, centre[0], 1e-9);
  EXPECT_NEAR(a.centroid_lat, centre[1], 1e-9);

  // Columns 1..4 and rows 1..2: map x 600010..600050, y 8949970..8949990; the box holds the
  // four corners in WGS84.
  double west = 1e9, east = -1e9, south = 1e9, north = -1e9;
  for (double x : {600010.0, 600050.0}) {
    for (double y : {8949970.0, 8949990.0}) {
      auto const corner = lon_lat(x, y);
      west = std::min(west, corner[0]);
      east = std::max(east, corner[0]);
      south = std::min(south, corner[1]);
      north = std::max(north, corner[1]);
    }
  }
  EXPECT_NEAR(a.bbox.west, west, 1e-9);
  EXPECT_NEAR(a.bbox.east, east, 1e-9);
  EXPECT_NEAR(a.bbox.south, south, 1e-9);
  EXPECT_NEAR(a.bbox.north, north, 1e-9);
  EXPECT_LT(a.bbox.west, a.bbox.east);
  EXPECT_LT(a.bbox.south, a.bbox.north);

  // Pixels by first date: d102 gathers (2,2) from the left tile and (3,1) from the right one.
  std::map<std::int32_t, gp::date_extent> const first_seen{
      {d99, {1, 4, 2, 100.0}},
      {d100, {1, 1, 1, 100.0}},
      {d101, {1, 2, 1, 100.0}},
      {d102, {2, 2 + 3, 2 + 1, 200.0}},
  };
  std::map<std::int32_t, gp::date_extent> const confirmed{
      {d110, {1, 3, 1, 100.0}},
      {d112, {1, 4, 2, 100.0}},
  };
  expect_same_extents(patch.first_seen, first_seen);
  expect_same_extents(patch.confirmed, confirmed);

  // The id follows the earliest pixel: (4,2), first seen on d99.
  EXPECT_EQ(a.id, id_from_pixel(4, 2, d99));
}

TEST(PatchStitcher, PatchOfLowPixelsOnlyStaysLowAndUnconfirmed) {
  // Low pixels on both sides of the edge between rows 0-1 and 2-3: 2 + 2 pixels.
  auto const p = draw({".l..",  //
                       "..l.",  //
                       "..l.",  //
                       ".l.."});
  auto const s = stitch(p, cut(p, {}, {2}), 0.0);
  ASSERT_EQ(s.patches.size(), 1u);
  gp::alert const& a = s.patches[0].alert;
  EXPECT_EQ(a.pixels, 4);
  EXPECT_EQ(a.confidence, gp::alert_confidence::low);
  EXPECT_FALSE(a.confirmed_on.has_value());
  EXPECT_TRUE(s.patches[0].confirmed.empty());
  EXPECT_EQ(a.first_seen, year{2024} / 6 / 1);
  EXPECT_DOUBLE_EQ(a.mean_magnitude, 0.25);
  // Columns 1+2+2+1 = 6, rows 0+1+2+3 = 6: centroid (2.0, 2.0).
  EXPECT_DOUBLE_EQ(s.patches[0].centroid_column, 2.0);
  EXPECT_DOUBLE_EQ(s.patches[0].centroid_row, 2.0);
}

// ---- the stable alert id

TEST(PatchStitcher, StableIdStaysWhenTheGrowthComesLaterInRasterOrder) {
  // Four tiles of 3 x 2 pixels. The first night: a patch of (3,1) and (4,1) in the top-right
  // tile, both first seen on day0; its earliest pixel is (3,1), index 9.
  auto const night1 = draw({"......",  //
                            "...hh.",  //
                            "......",  //
                            "......"});
  auto const first = stitch(night1, cut(night1, {3}, {2}), 0.0);
  ASSERT_EQ(first.patches.size(), 1u);
  std::string const id = first.patches[0].alert.id;
  EXPECT_EQ(id, id_from_pixel(3, 1, day0));

  // The next night it grows into the two lower tiles: (2,2) (the / corner, also day0, index 14)
  // and (4,2) and (5,3) (first seen three days later). Both come later: the id stays.
  {
    auto night2 = draw({"......",  //
                        "...hh.",  //
                        "..l.l.",  //
                        ".....l"});
    night2.set_dates(4, 2, day0 + 3, k::no_date);
    night2.set_dates(5, 3, day0 + 3, k::no_date);
    auto const s = stitch(night2, cut(night2, {3}, {2}), 0.0);
    ASSERT_EQ(s.patches.size(), 1u);
    EXPECT_EQ(s.patches[0].alert.pixels, 5);
    EXPECT_EQ(s.patches[0].alert.id, id);
    // Also when the tile that grows it comes first.
    auto const reordered = stitch(night2, cut(night2, {3}, {2}), 0.0, {3, 2, 0, 1});
    ASSERT_EQ(reordered.patches.size(), 1u);
    EXPECT_EQ(reordered.patches[0].alert.id, id);
  }
  // Growth on the same day but earlier in raster order, (2,0) in the top-left tile (index 2):
  // the id moves there.
  {
    auto const grown = draw({"..l...",  //
                             "...hh.",  //
                             "......",  //
                             "......"});
    auto const s = stitch(grown, cut(grown, {3}, {2}), 0.0);
    ASSERT_EQ(s.patches.size(), 1u);
    EXPECT_EQ(s.patches[0].alert.id, id_from_pixel(2, 0, day0));
    EXPECT_NE(s.patches[0].alert.id, id);
  }
  // A pixel of the lower-right tile first seen two days before the others, (5,2), is the
  // earliest although it comes last in raster order: the id moves there (date first).
  {
    auto grown = draw({"......",  //
                       "...hh.",  //
                       ".....l",  //
                       "......"});
    grown.set_dates(5, 2, day0 - 2, k::no_date);
    auto const s = stitch(grown, cut(grown, {3}, {2}), 0.0);
    ASSERT_EQ(s.patches.size(), 1u);
    EXPECT_EQ(s.patches[0].alert.id, id_from_pixel(5, 2, day0 - 2));
    EXPECT_EQ(s.patches[0].alert.first_seen, year{2024} / 5 / 30);
  }
}
