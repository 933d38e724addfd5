#pragma once
/// \file
/// Alert numbers on a map without collisions. place_labels is a plain function of page
/// geometry (tested without drawing): each label goes to the first free place among
/// candidates around its patch, else further out with a leader line back to the patch; no
/// two placed labels overlap and each lies inside the map frame. draw_labels draws them.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

typedef struct _cairo cairo_t;  // NOLINT: cairo's own declaration, so callers need no cairo.h

namespace geosweep::pipeline {

/// An axis-aligned box in page points (x right, y down); x0 <= x1, y0 <= y1.
struct page_box {
  double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  [[nodiscard]] bool intersects(page_box const& o) const {
    return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1;
  }
  [[nodiscard]] bool inside(page_box const& o) const {
    return x0 >= o.x0 && y0 >= o.y0 && x1 <= o.x1 && y1 <= o.y1;
  }
};

/// A label to place: the box of what it names (a patch) and the label's size.
struct label_request {
  page_box anchor;
  double width = 0, height = 0;
};

/// Where a label went.
struct placed_label {
  bool placed = false;  ///< false only when the frame has no free room left for it
  page_box box;
  bool leader = false;  ///< displaced from its patch: a line joins them
  std::array<double, 2> leader_from{}, leader_to{};  ///< on the label's box, on the anchor
};

/// Places `requests` in order inside `frame`: next to the anchor (right, left, above, below,
/// the corners) where that is free of other labels and patches, else on rings further out
/// (first clear of patches, then of labels only) with a leader line. Placed boxes never
/// intersect one another and lie inside `frame`.
std::vector<placed_label> place_labels(std::span<label_request const> requests, page_box frame);

/// A patch's box in raster pixels (inclusive); max_c < 0 when the patch has no pixel.
struct pixel_box {
  int min_c = 0, min_r = 0, max_c = -1, max_r = -1;
};

/// The box of every patch number 1..count in a `width` x `height` patch raster.
std::vector<pixel_box> patch_boxes(std::span<std::int32_t const> patch, int width, int height,
                                   std::size_t count);

/// Draws `texts[i]` (bold, `size` points, black with a white halo) in `labels[i]`'s box, with
/// its leader line where it has one; labels not placed are left out.
void draw_labels(cairo_t* cr, std::span<placed_label const> labels,
                 std::span<std::string const> texts, double size);

/// The size of a label of `text` in bold `size` points: its box with a little room around.
std::array<double, 2> label_size(cairo_t* cr, std::string const& text, double size);

}  // namespace geosweep::pipeline
