// patch_stitcher: patches of change labelled tile by tile and joined across tile edges and
// corners (8-connectivity), the minimum mapping unit, the numbering of the final patches (raster
// order of their first pixel in the AOI window, whatever the order tiles come in), their merged
// statistics and the stable alert id. AOIs are small pictures drawn by hand on a 10 m UTM grid
// (EPSG:32720, origin 600000 E 8950000 N), so every pixel is 100 m^2 = 0.01 ha. Expected values
// are worked out by hand in each test from its picture (pixel counts, sums of columns and rows,
// dates, magnitudes in 1e-4 units); WGS84 positions of hand-computed map coordinates come from
// OGR directly, and stable ids from stable_alert_id of the hand-picked earliest pixel.
#include <gtest/gtest.h>

#include <ogr_spatialref.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "patches/patch_stitcher.hpp"
#include "tools/wkt.hpp"

namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;
using std::chrono::year;

namespace {

double const origin_x = 600000.0;
double const origin_y = 8950000.0;
double const pixel_m = 10.0;
std::string const aoi_name = "aoi";

/// Days since 1970-01-01 of a calendar date (std::chrono, not the pipeline's civil_date.cpp).
std::int32_t day_of(std::chrono::year_month_day d) {
  return static_cast<std::int32_t>(std::chrono::sys_days{d}.time_since_epoch().count());
}

// Every changed pixel is first seen on day0 and every high one confirmed on confirm_day, unless
// a test sets other dates.
std::int32_t const day0 = day_of(year{2024} / 6 / 1);
std::int32_t const confirm_day = day_of(year{2024} / 6 / 11);

/// An AOI window drawn as text, one string a row: '.' no change, 'l' low, 'h' high, '#' outside
/// the AOI. Low pixels have magnitude 0.25, high ones 0.5.
struct aoi_picture {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> change;
  std::vector<std::int32_t> first_date;
  std::vector<std::int32_t> confirmed_date;
  std::vector<float> magnitude;

  [[nodiscard]] std::size_t at(int column, int row) const {
    return static_cast<std::size_t>(row) * static_cast<std::size_t>(width) +
           static_cast<std::size_t>(column);
  }
  /// Sets the dates of pixel (column, row).
  void set_dates(int column, int row, std::int32_t first, std::int32_t confirmed) {
    first_date[at(column, row)] = first;
    confirmed_date[at(column, row)] = confirmed;
  }
};

aoi_picture draw(std::vector<std::string> const& rows) {
  aoi_picture p;
  p.height = static_cast<int>(rows.size());
  p.width = static_cast<int>(rows.front().size());
  for (auto const& line : rows) {
    EXPECT_EQ(static_cast<int>(line.size()), p.width) << "ragged picture";
    for (char c : line) {
      std::uint8_t cls = k::change_none;
      std::int32_t first = k::no_date, confirmed = k::no_date;
      float magnitude = 0.0f;
      if (c == 'l') {
        cls = k::change_low;
        first = day0;
        magnitude = 0.25f;
      } else if (c == 'h') {
        cls = k::change_high;
        first = day0;
        confirmed = confirm_day;
        magnitude = 0.5f;
      } else if (c == '#') {
        cls = k::change_outside_aoi;
      } else {
        EXPECT_EQ(c, '.') << "unknown pixel in a picture";
      }
      p.change.push_back(cls);
      p.first_date.push_back(first);
      p.confirmed_date.push_back(confirmed);
      p.magnitude.push_back(magnitude);
    }
  }
  return p;
}

/// The AOI window as a grid: EPSG:32720, 10 m pixels.
gp::raster_grid grid_of(aoi_picture const& p) {
  static std::string const wkt = geosweep::test_tools::wkt_of(32720);
  return {wkt, {origin_x, pixel_m, 0, origin_y, 0, -pixel_m}, p.width, p.height};
}

/// One tile of the AOI window, its place (column, row) in the chunk layout and its rasters.
struct tile_input {
  gp::pixel_window window;
  int column = 0;
  int row = 0;
  std::vector<std::uint8_t> change;
  std::vector<std::int32_t> first_date, confirmed_date;
  std::vector<float> magnitude;
};

/// Cuts the picture into tiles at the given column and row boundaries (increasing, inside the
/// window), in raster order of the layout.
std::vector<tile_input> cut(aoi_picture const& p, std::vector<int> const& x_splits,
                            std::vector<int> const& y_splits) {
  std::vector<int> xs{0}, ys{0};
  xs.insert(xs.end(), x_splits.begin(), x_splits.end());
  ys.insert(ys.end(), y_splits.begin(), y_splits.end());
  xs.push_back(p.width);
  ys.push_back(p.height);
  std::vector<tile_input> tiles;
  for (std::size_t tr = 0; tr + 1 < ys.size(); ++tr) {
    for (std::size_t tc = 0; tc + 1 < xs.size(); ++tc) {
      tile_input t;
      t.window = {xs[tc], ys[tr], xs[tc + 1] - xs[tc], ys[tr + 1] - ys[tr]};
      t.column = static_cast<int>(tc);
      t.row = static_cast<int>(tr);
      for (int r = t.window.y_offset; r < t.window.y_offset + t.window.height; ++r) {
        for (int c = t.window.x_offset; c < t.window.x_offset + t.window.width; ++c) {
          t.change.push_back(p.change[p.at(c, r)]);
          t.first_date.push_back(p.first_date[p.at(c, r)]);
          t.confirmed_date.push_back(p.confirmed_date[p.at(c, r)]);
          t.magnitude.push_back(p.magnitude[p.at(c, r)]);
        }
      }
      tiles.push_back(std::move(t));
    }
  }
  return tiles;
}

/// What a stitch gives: the patches, and the provisional and final label of every AOI pixel.
struct stitched {
  std::vector<gp::change_patch> patches;
  std::vector<std::int32_t> provisional;
  std::vector<std::int32_t> labels;
};

/// Adds `tiles` in the order `order` (indices into tiles; all of them in layout order when
/// empty), finishes with `min_area_ha` and maps every provisional id with final_label. Row
/// areas are all 100 m^2 unless `row_areas` is given.
stitched stitch(aoi_picture const& p, std::vector<tile_input> const& tiles, double min_area_ha,
                std::vector<std::size_t> order = {}, std::vector<double> row_areas = {}) {
  if (order.empty()) {
    for (std::size_t i = 0; i < tiles.size(); ++i) order.push_back(i);
  }
  if (row_areas.empty()) row_areas.assign(static_cast<std::size_t>(p.height), 100.0);
  gp::patch_stitcher stitcher(aoi_name, grid_of(p), row_areas);
  stitched out;
  out.provisional.assign(p.change.size(), -1);
  for (std::size_t i : order) {
    tile_input const& t = tiles[i];
    auto const ids = stitcher.add_tile(t.window, t.column, t.row, t.change, t.first_date,
                                       t.confirmed_date, t.magnitude, k::backend::cpu);
    EXPECT_EQ(ids.size(), t.window.pixel_count());
    for (int r = 0; r < t.window.height; ++r) {
      for (int c = 0; c < t.window.width; ++c) {
        out.provisional[p.at(c + t.window.x_offset, r + t.window.y_offset)] =
            ids[static_cast<std::size_t>(r) * static_cast<std::size_t>(t.window.width) +
                static_cast<std::size_t>(c)];
      }
    }
  }
  out.patches = stitcher.finish(min_area_ha);
  for (std::int32_t id : out.provisional) out.labels.push_back(stitcher.final_label(id));
  return out;
}

/// Final labels as a picture: '.' for 0, else the label's digit.
std::vector<std::string> label_picture(stitched const& s, int width) {
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < s.labels.size(); ++i) {
    if (i % static_cast<std::size_t>(width) == 0) rows.emplace_back();
    std::int32_t const label = s.labels[i];
    rows.back().push_back(label == 0 ? '.' : label < 10 ? static_cast<char>('0' + label) : '+');
  }
  return rows;
}

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

/// Stitches `rows` cut at the splits and expects one patch of `pixels` pixels (0.01 ha each),
/// labelled 1 on every changed pixel.
void expect_one_patch(std::vector<std::string> const& rows, std::vector<int> const& x_splits,
                      std::vector<int> const& y_splits, std::int64_t pixels) {
  auto const p = draw(rows);
  auto const s = stitch(p, cut(p, x_splits, y_splits), 0.0);
  ASSERT_EQ(s.patches.size(), 1u);
  EXPECT_EQ(s.patches[0].label, 1);
  EXPECT_EQ(s.patches[0].alert.pixels, pixels);
  EXPECT_NEAR(s.patches[0].alert.area_ha, 0.01 * static_cast<double>(pixels), 1e-12);
  std::vector<std::string> expected = rows;
  for (auto& line : expected) {
    for (char& c : line) c = (c == 'l' || c == 'h') ? '1' : '.';
  }
  EXPECT_EQ(label_picture(s, p.width), expected);
}

}  // namespace

// ---- joins across tile edges and corners

TEST(PatchStitcher, JoinsAPatchAcrossAVerticalEdge) {
  // Tiles of columns 0-2 and 3-5. Side by side on one row: 2 + 2 pixels.
  expect_one_patch({"......",  //
                    ".hhll.",  //
                    "......"},
                   {3}, {}, 4);
  // A step down across the edge, (2,0)-(3,1), and back, (3,1)-(2,2): the left tile holds two
  // parts, (1,0)-(2,0) and (2,2), which only the right one joins: 2 + 1 + 2 pixels.
  expect_one_patch({".lh...",  //
                    "...lh.",  //
                    "..h..."},
                   {3}, {}, 5);
  // A whole column on each side of the edge: 3 + 3 pixels.
  expect_one_patch({"..hl..",  //
                    "..hl..",  //
                    "..hl.."},
                   {3}, {}, 6);
}

TEST(PatchStitcher, JoinsAPatchAcrossAHorizontalEdge) {
  // Tiles of rows 0-1 and 2-3. Straight down: 1 + 2 pixels.
  expect_one_patch({"....",  //
                    ".h..",  //
                    ".l..",  //
                    ".h.."},
                   {}, {2}, 3);
  // Diagonal steps across the edge: (1,1)-(0,2) and (1,1)-(2,2); (3,1)-(2,2).
  expect_one_patch({"....",  //
                    ".h.h",  //
                    "l.l.",  //
                    "...."},
                   {}, {2}, 4);
}

TEST(PatchStitcher, JoinsAPatchTouchingOnlyAtATileCornerOnTheBackslashDiagonal) {
  // Four tiles meeting at (2,2): (1,1) in the top-left tile, (2,2) in the bottom-right one.
  expect_one_patch({"h...",  //
                    ".h..",  //
                    "..h.",  //
                    "...l"},
                   {2}, {2}, 4);
  // Every corner of a 4 x 4 window, tiles of any sizes: two pixels touching only there.
  for (int sx = 1; sx <= 3; ++sx) {
    for (int sy = 1; sy <= 3; ++sy) {
      SCOPED_TRACE("corner at " + std::to_string(sx) + "," + std::to_string(sy));
      std::vector<std::string> rows(4, "....");
      rows[static_cast<std::size_t>(sy - 1)][static_cast<std::size_t>(sx - 1)] = 'h';
      rows[static_cast<std::size_t>(sy)][static_cast<std::size_t>(sx)] = 'l';
      expect_one_patch(rows, {sx}, {sy}, 2);
    }
  }
}

TEST(PatchStitcher, JoinsAPatchTouchingOnlyAtATileCornerOnTheSlashDiagonal) {
  // (2,1) in the top-right tile, (1,2) in the bottom-left one.
  expect_one_patch({"...h",  //
                    "..h.",  //
                    ".l..",  //
                    "l..."},
                   {2}, {2}, 4);
  for (int sx = 1; sx <= 3; ++sx) {
    for (int sy = 1; sy <= 3; ++sy) {
      SCOPED_TRACE("corner at " + std::to_string(sx) + "," + std::to_string(sy));
      std::vector<std::string> rows(4, "....");
      rows[static_cast<std::size_t>(sy - 1)][static_cast<std::size_t>(sx)] = 'h';
      rows[static_cast<std::size_t>(sy)][static_cast<std::size_t>(sx - 1)] = 'l';
      expect_one_patch(rows, {sx}, {sy}, 2);
    }
  }
}

TEST(PatchStitcher, KeepsPatchesApartAcrossAGapOfOnePixel) {
  struct gap_case {
    char const* what;
    std::vector<std::string> rows;
    std::vector<int> x_splits, y_splits;
    std::vector<std::string> expected;
  };
  std::vector<gap_case> const cases{
      {"vertical edge, a row between",
       {"..h...", "......", "...h.."},
       {3},
       {},
       {"..1...", "......", "...2.."}},
      {"vertical edge, the first column of the right tile between",
       {"..h.h.", "......"},
       {3},
       {},
       {"..1.2.", "......"}},
      {"vertical edge, the last column of the left tile between",
       {".h.h..", "......"},
       {3},
       {},
       {".1.2..", "......"}},
      {"horizontal edge, a column between",
       {"....", "h...", "..h.", "...."},
       {},
       {2},
       {"....", "1...", "..2.", "...."}},
      {"corner, two rows apart",
       {"....", ".h..", "....", "..h."},
       {2},
       {2},
       {"....", ".1..", "....", "..2."}},
      {"corner, two columns apart",
       {"....", ".h..", "...h", "...."},
       {2},
       {2},
       {"....", ".1..", "...2", "...."}},
      {"slash corner, two columns apart",
       {"....", "..h.", "h...", "...."},
       {2},
       {2},
       {"....", "..1.", "2...", "...."}},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.what);
    auto const p = draw(c.rows);
    auto const s = stitch(p, cut(p, c.x_splits, c.y_splits), 0.0);
    ASSERT_EQ(s.patches.size(), 2u);
    EXPECT_EQ(s.patches[0].alert.pixels, 1);
    EXPECT_EQ(s.patches[1].alert.pixels, 1);
    EXPECT_EQ(label_picture(s, p.width), c.expected);
  }
}

// ---- the minimum mapping unit

TEST(PatchStitcher, MinimumMappingUnitKeepsAPatchExactlyAtItAndDropsOnePixelLess) {
  // Both patches straddle the edge between columns 0-3 and 4-7. The first in raster order has
  // 4 pixels (2 + 2) = 400 m^2 = 0.04 ha, the second 5 (3 + 2) = 0.05 ha.
  auto const p = draw({"..llll..",  //
                       "........",  //
                       ".hhhll.."});
  auto const tiles = cut(p, {4}, {});

  // At 0.05 ha the 5-pixel patch is kept (exactly at the unit) and numbered 1; the 4-pixel one
  // is dropped and its pixels' provisional ids map to 0.
  {
    auto const s = stitch(p, tiles, 0.05);
    ASSERT_EQ(s.patches.size(), 1u);
    EXPECT_EQ(s.patches[0].label, 1);
    EXPECT_EQ(s.patches[0].alert.pixels, 5);
    EXPECT_DOUBLE_EQ(s.patches[0].alert.area_ha, 0.05);
    EXPECT_EQ(label_picture(s, p.width), (std::vector<std::string>{"........",  //
                                                                   "........",  //
                                                                   ".11111.."}));
    for (int c = 2; c <= 5; ++c) {
      std::size_t const i = p.at(c, 0);
      EXPECT_GT(s.provisional[i], 0) << "column " << c;
      EXPECT_EQ(s.labels[i], 0) << "column " << c;
    }
  }
  // At 0.04 ha, the 4-pixel patch is exactly at the unit: both are kept, numbered in raster
  // order.
  {
    auto const s = stitch(p, tiles, 0.04);
    ASSERT_EQ(s.patches.size(), 2u);
    EXPECT_EQ(s.patches[0].alert.pixels, 4);
    EXPECT_DOUBLE_EQ(s.patches[0].alert.area_ha, 0.04);
    EXPECT_EQ(s.patches[1].alert.pixels, 5);
    EXPECT_EQ(label_picture(s, p.width), (std::vector<std::string>{"..1111..",  //
                                                                   "........",  //
                                                                   ".22222.."}));
  }
  // At 0.06 ha the 5-pixel patch is one pixel under too: nothing is kept, every id maps to 0.
  {
    auto const s = stitch(p, tiles, 0.06);
    EXPECT_TRUE(s.patches.empty());
    EXPECT_EQ(std::count(s.labels.begin(), s.labels.end(), 0),
              static_cast<std::ptrdiff_t>(p.change.size()));
  }
}

TEST(PatchStitcher, MinimumMappingUnitWeighsTheGroundAreaOfEachRow) {
  // Rows of 100, 150, 250 and 300 m^2 (a grid whose pixels grow southward). Tiles of rows 0-1
  // and 2-3, so the lower tile must read the areas of rows 2 and 3, not 0 and 1.
  // Patch: (1,1) 150 + (1,2) 250 + (2,3) 300 = 700 m^2 = 0.07 ha, over 3 pixels.
  auto const p = draw({"....",  //
                       ".h..",  //
                       ".l..",  //
                       "..l."});
  auto const tiles = cut(p, {}, {2});
  std::vector<double> const areas{100.0, 150.0, 250.0, 300.0};
  auto const kept = stitch(p, tiles, 0.07, {}, areas);
  ASSERT_EQ(kept.patches.size(), 1u);
  EXPECT_EQ(kept.patches[0].alert.pixels, 3);
  EXPECT_NEAR(kept.patches[0].alert.area_ha, 0.07, 1e-12);
  // 700 m^2 is under 0.071 ha: dropped.
  EXPECT_TRUE(stitch(p, tiles, 0.071, {}, areas).patches.empty());
  // Per-date areas: all three first seen on day0 (700 m^2); only (1,1) confirmed (150 m^2).
  ASSERT_EQ(kept.patches[0].first_seen.count(day0), 1u);
  EXPECT_DOUBLE_EQ(kept.patches[0].first_seen.at(day0).area_m2, 700.0);
  ASSERT_EQ(kept.patches[0].confirmed.count(confirm_day), 1u);
  EXPECT_DOUBLE_EQ(kept.patches[0].confirmed.at(confirm_day).area_m2, 150.0);
}

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
