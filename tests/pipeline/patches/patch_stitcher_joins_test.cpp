// patch_stitcher: which pixels become one patch. Patches of change labelled tile by tile are
// joined across tile edges and corners (8-connectivity) and kept apart across a gap of one pixel,
// whatever the tile layout; the minimum mapping unit keeps a patch exactly at it, drops one a
// pixel smaller, and weighs the ground area of each row. The AOI pictures and the stitching are
// in patch_pictures.hpp; numbering, merged statistics and stable ids are checked in
// patch_stitcher_alerts_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/patches/patch_pictures.hpp"

using namespace geosweep::test_tools;

namespace {

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

// ---- patches known to be dropped before the other tiles come

TEST(PatchStitcher, KnowsAClosedPartUnderTheMinimumBeforeTheOtherTiles) {
  // Tiles of columns 0-3 and 4-7, 0.01 ha a pixel. Left: a 2-pixel part inside the tile and a
  // 3-pixel part on its right edge (the right tile could join it). Right: a 1-pixel part inside
  // and one on the AOI's (and tile's) right edge.
  auto const p = draw({"........",  //
                       ".hh..h..",  //
                       "........",  //
                       ".lll...h",  //
                       "........"});
  auto const tiles = cut(p, {4}, {});
  geosweep::pipeline::patch_stitcher stitcher(aoi_name, grid_of(p), std::vector<double>(5, 100.0));
  std::vector<std::vector<std::int32_t>> ids;
  for (auto const& t : tiles)
    ids.push_back(stitcher.add_tile(t.window, t.column, t.row, t.change, t.first_date,
                                    t.confirmed_date, t.magnitude,
                                    geosweep::kernels::backend::cpu));
  auto const id_at = [&](std::size_t tile, int column, int row) {
    auto const& w = tiles[tile].window;
    return ids[tile][static_cast<std::size_t>(row * w.width + column - w.x_offset)];
  };
  std::int32_t const pair = id_at(0, 1, 1), edge = id_at(0, 1, 3), single = id_at(1, 5, 1),
                     aoi_edge = id_at(1, 7, 3);
  auto const& left = tiles[0].window;
  auto const& right = tiles[1].window;
  EXPECT_FALSE(stitcher.closed_and_dropped(pair, left, 0.02));   // at the minimum: kept
  EXPECT_TRUE(stitcher.closed_and_dropped(pair, left, 0.0201));  // just under it: dropped
  EXPECT_FALSE(stitcher.closed_and_dropped(edge, left, 1.0));    // may still grow
  EXPECT_TRUE(stitcher.closed_and_dropped(single, right, 0.02));
  EXPECT_FALSE(stitcher.closed_and_dropped(aoi_edge, right, 1.0));  // on an edge of its tile
  EXPECT_FALSE(stitcher.closed_and_dropped(0, left, 1.0));          // no patch
  // finish() agrees: what was known to be dropped is dropped.
  stitcher.finish(0.0201);
  EXPECT_EQ(stitcher.final_label(pair), 0);
  EXPECT_EQ(stitcher.final_label(single), 0);
  EXPECT_GT(stitcher.final_label(edge), 0);  // 3 pixels: 0.03 ha
}

// ---- seeded patches: grown pixels join a patch only through a seed

TEST(PatchStitcher, GrownPixelsFormAPatchOnlyWithASeed) {
  // Left: a grown run with no seed (dropped). Right: one high seed grown into four pixels.
  auto const p = draw({"gg....g.",  //
                       "gg...ggh",  //
                       "......g."});
  auto const s = stitch(p, cut(p, {}, {}), 0.0);
  ASSERT_EQ(s.patches.size(), 1u);
  EXPECT_EQ(label_picture(s, p.width),
            (std::vector<std::string>{"......1.", ".....111", "......1."}));
  auto const& a = s.patches[0].alert;
  EXPECT_EQ(a.pixels, 5);
  EXPECT_EQ(a.confidence, geosweep::pipeline::alert_confidence::high);  // its seed's
  // Dated by the seed: every pixel first seen on day0 and confirmed on confirm_day.
  ASSERT_EQ(s.patches[0].first_seen.size(), 1u);
  EXPECT_EQ(s.patches[0].first_seen.begin()->first, day0);
  EXPECT_EQ(s.patches[0].first_seen.begin()->second.pixels, 5);
  ASSERT_EQ(s.patches[0].confirmed.size(), 1u);
  EXPECT_EQ(s.patches[0].confirmed.begin()->first, confirm_day);
  EXPECT_EQ(s.patches[0].confirmed.begin()->second.pixels, 5);
  // Magnitude: (0.5 + 4 * 0.125) / 5.
  EXPECT_NEAR(a.mean_magnitude, 0.2, 1e-12);
}

TEST(PatchStitcher, AGrownPartJoinsItsSeedAcrossATileEdge) {
  // Columns 0-3 hold only grown pixels, the low seed is in the right tile: one patch of 6,
  // low confidence, first seen on day0 with no confirmation.
  auto const p = draw({"..ggg...",  //
                       "...ggl..",  //
                       "........"});
  auto const s = stitch(p, cut(p, {4}, {}), 0.0);
  ASSERT_EQ(s.patches.size(), 1u);
  EXPECT_EQ(s.patches[0].alert.pixels, 6);
  EXPECT_EQ(s.patches[0].alert.confidence, geosweep::pipeline::alert_confidence::low);
  EXPECT_EQ(s.patches[0].first_seen.at(day0).pixels, 6);
  EXPECT_TRUE(s.patches[0].confirmed.empty());
  // The same grown part with its seed cut away: nothing.
  auto const q = draw({"..ggg...",  //
                       "...gg...",  //
                       "........"});
  EXPECT_TRUE(stitch(q, cut(q, {4}, {}), 0.0).patches.empty());
}

TEST(PatchStitcher, TheMinimumMappingUnitWeighsTheGrownPatch) {
  // One seed and four grown pixels: 5 pixels, 0.05 ha. Kept at 0.05 ha, dropped just above.
  auto const p = draw({".....",  //
                       ".ghg.",  //
                       "..gg.",  //
                       "....."});
  EXPECT_EQ(stitch(p, cut(p, {}, {}), 0.05).patches.size(), 1u);
  EXPECT_TRUE(stitch(p, cut(p, {}, {}), 0.0501).patches.empty());
}

TEST(PatchStitcher, AClosedPartWithoutASeedIsDroppedBeforeItIsWritten) {
  auto const p = draw({"......",  //
                       ".gg.h.",  //
                       "......"});
  geosweep::pipeline::patch_stitcher stitcher(aoi_name, grid_of(p), std::vector<double>(3, 100.0));
  geosweep::pipeline::pixel_window const whole{0, 0, p.width, p.height};
  auto const ids = stitcher.add_tile(whole, 0, 0, p.change, p.first_date, p.confirmed_date,
                                     p.magnitude, geosweep::kernels::backend::cpu);
  EXPECT_TRUE(stitcher.closed_and_dropped(ids[p.at(1, 1)], whole, 0.0));   // grown only
  EXPECT_FALSE(stitcher.closed_and_dropped(ids[p.at(4, 1)], whole, 0.0));  // a seed
}
