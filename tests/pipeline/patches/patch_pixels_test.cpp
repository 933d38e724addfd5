// patch_pixels (patches/patch_pixels.hpp): the sparse final patch numbers by storage chunk.
// With 4 x 3 px chunks, pixels given by (chunk, index in the chunk) land at the AOI pixels
// worked out by hand below, a window's mask holds only its label's pixels inside the window,
// and windows that cross chunk edges or lie partly outside every chunk are handled.
#include "patches/patch_pixels.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace gp = geosweep::pipeline;

namespace {

// Chunks of 4 columns x 3 rows. Chunk (column 1, row 0) index 5 is its row 1, column 1: AOI
// pixel (x 5, y 1). Chunk (0, 1) index 11 is its row 2, column 3: AOI (3, 5). Chunk (1, 1)
// index 0 is AOI (4, 3); index 3 is AOI (7, 3).
gp::patch_pixels sample() {
  gp::patch_pixels p(4, 3);
  p.add(1, 0, {{5, 7}});
  p.add(0, 1, {{11, 7}});
  p.add(1, 1, {{0, 7}, {3, 8}});
  p.add(1, 1, {{1, 7}});  // a second batch for the same chunk adds to it: AOI (5, 3)
  return p;
}

}  // namespace

TEST(patch_pixels, a_window_holds_its_labels_pixels_across_chunk_edges) {
  auto const mask = sample().mask({3, 1, 3, 5}, 7);  // x 3..5, y 1..5
  std::vector<std::uint8_t> expected(15, 0);
  auto const at = [&](int x, int y) -> std::uint8_t& { return expected[(y - 1) * 3 + (x - 3)]; };
  at(5, 1) = 1;
  at(3, 5) = 1;
  at(4, 3) = 1;
  at(5, 3) = 1;
  EXPECT_EQ(mask, expected);
}

TEST(patch_pixels, other_labels_and_pixels_outside_the_window_are_left_out) {
  auto const p = sample();
  // Label 8's one pixel, AOI (7, 3), lies just outside x 3..6 and just inside x 4..7.
  EXPECT_EQ(p.mask({3, 3, 4, 1}, 8), (std::vector<std::uint8_t>{0, 0, 0, 0}));
  EXPECT_EQ(p.mask({4, 3, 4, 1}, 8), (std::vector<std::uint8_t>{0, 0, 0, 1}));
  EXPECT_EQ(p.mask({0, 0, 2, 2}, 7), (std::vector<std::uint8_t>(4, 0)));  // no chunk pixel there
  // A window reaching past every chunk: the pixels it covers, zeros elsewhere.
  auto const wide = p.mask({6, 2, 4, 3}, 8);  // x 6..9, y 2..4
  std::vector<std::uint8_t> expected(12, 0);
  expected[1 * 4 + 1] = 1;  // (7, 3)
  EXPECT_EQ(wide, expected);
}
