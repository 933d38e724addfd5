// Label placement for map numbers (report_labels.hpp): candidates next to the patch, then
// rings further out with a leader line; the first free candidate wins.
#include "report/report_labels.hpp"

#include <cairo.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <numbers>

#include "report/report_drawing.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;

constexpr double kGap = 1.5;  ///< between a label and its patch
constexpr double kPad = 1.0;  ///< kept free around every placed label

page_box box_at(double x, double y, double w, double h) {
  return {x, y, x + w, y + h};
}

page_box padded(page_box b, double pad) {
  return {b.x0 - pad, b.y0 - pad, b.x1 + pad, b.y1 + pad};
}

/// The point of `b` nearest to (x, y).
std::array<double, 2> nearest_on(page_box const& b, double x, double y) {
  return {std::clamp(x, b.x0, b.x1), std::clamp(y, b.y0, b.y1)};
}

/// The places next to the anchor, best first: right at its top (where readers look), left,
/// above, below, then the four corners.
std::vector<page_box> near_candidates(label_request const& q) {
  auto const& a = q.anchor;
  double const w = q.width, h = q.height;
  return {box_at(a.x1 + kGap, a.y0, w, h),
          box_at(a.x0 - kGap - w, a.y0, w, h),
          box_at((a.x0 + a.x1 - w) / 2, a.y0 - kGap - h, w, h),
          box_at((a.x0 + a.x1 - w) / 2, a.y1 + kGap, w, h),
          box_at(a.x1 + kGap, a.y1 - h, w, h),
          box_at(a.x0 - kGap - w, a.y1 - h, w, h),
          box_at(a.x1 + kGap, a.y0 - kGap - h, w, h),
          box_at(a.x0 - kGap - w, a.y0 - kGap - h, w, h)};
}

}  // namespace

std::vector<placed_label> place_labels(std::span<label_request const> requests, page_box frame) {
  std::vector<placed_label> out(requests.size());
  std::vector<page_box> taken;  // placed labels, padded
  auto const free_of_labels = [&](page_box const& b) {
    return b.inside(frame) &&
           std::none_of(taken.begin(), taken.end(), [&](auto const& t) { return t.intersects(b); });
  };
  auto const free_of_patches = [&](page_box const& b) {
    return std::none_of(requests.begin(), requests.end(),
                        [&](auto const& q) { return q.anchor.intersects(b); });
  };
  double const reach = std::hypot(frame.x1 - frame.x0, frame.y1 - frame.y0);
  for (std::size_t i = 0; i < requests.size(); ++i) {
    auto const& q = requests[i];
    auto& result = out[i];
    auto const accept = [&](page_box const& b, bool leader) {
      result.placed = true;
      result.box = b;
      result.leader = leader;
      double const cx = (q.anchor.x0 + q.anchor.x1) / 2, cy = (q.anchor.y0 + q.anchor.y1) / 2;
      result.leader_from = nearest_on(b, cx, cy);
      result.leader_to = nearest_on(q.anchor, (b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2);
      taken.push_back(padded(b, kPad));
    };
    bool done = false;
    for (auto const& b : near_candidates(q)) {
      if (free_of_labels(b) && free_of_patches(b)) {
        accept(b, false);
        done = true;
        break;
      }
    }
    // Further out, ring by ring around the anchor's centre: first a place that hides no patch,
    // then any place free of labels. The leader line says which patch the number names.
    double const cx = (q.anchor.x0 + q.anchor.x1) / 2, cy = (q.anchor.y0 + q.anchor.y1) / 2;
    double const rx = (q.anchor.x1 - q.anchor.x0 + q.width) / 2 + kGap;
    double const ry = (q.anchor.y1 - q.anchor.y0 + q.height) / 2 + kGap;
    for (int pass = 0; pass < 2 && !done; ++pass) {
      double const step = std::max(q.height, 4.0);
      for (double r = step; r <= reach && !done; r += step) {
        int const angles = std::clamp(static_cast<int>(2 * std::numbers::pi * r / step), 8, 720);
        for (int k = 0; k < angles && !done; ++k) {
          double const t = 2 * std::numbers::pi * k / angles;
          double const x = cx + (rx + r) * std::cos(t) - q.width / 2;
          double const y = cy - (ry + r) * std::sin(t) - q.height / 2;
          page_box const b = box_at(x, y, q.width, q.height);
          if (free_of_labels(b) && (pass == 1 || free_of_patches(b))) {
            accept(b, true);
            done = true;
          }
        }
      }
    }
  }
  return out;
}

std::vector<pixel_box> patch_boxes(std::span<std::int32_t const> patch, int width, int height,
                                   std::size_t count) {
  std::vector<pixel_box> boxes(count, pixel_box{INT_MAX, INT_MAX, -1, -1});
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      int const p = patch[static_cast<std::size_t>(r) * width + c];
      if (p <= 0 || p > static_cast<int>(count)) continue;
      auto& b = boxes[static_cast<std::size_t>(p - 1)];
      b.min_c = std::min(b.min_c, c);
      b.min_r = std::min(b.min_r, r);
      b.max_c = std::max(b.max_c, c);
      b.max_r = std::max(b.max_r, r);
    }
  }
  return boxes;
}

std::array<double, 2> label_size(cairo_t* cr, std::string const& text, double size) {
  d::set_font(cr, size, true);
  return {d::text_width(cr, text) + 2, size + 1};
}

void draw_labels(cairo_t* cr, std::span<placed_label const> labels,
                 std::span<std::string const> texts, double size) {
  // Leaders first, so that no line crosses a number.
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
  for (auto const& l : labels) {
    if (!l.placed || !l.leader) continue;
    for (int casing = 1; casing >= 0; --casing) {
      cairo_move_to(cr, l.leader_from[0], l.leader_from[1]);
      cairo_line_to(cr, l.leader_to[0], l.leader_to[1]);
      cairo_set_line_width(cr, casing ? 1.8 : 0.8);
      if (casing)
        cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
      else
        cairo_set_source_rgb(cr, 0, 0, 0);
      cairo_stroke(cr);
    }
  }
  d::set_font(cr, size, true);
  for (std::size_t i = 0; i < labels.size() && i < texts.size(); ++i) {
    auto const& l = labels[i];
    if (!l.placed) continue;
    cairo_set_source_rgb(cr, 0, 0, 0);
    // Digits stand on the baseline and reach about 0.73 em up: centred in the box.
    double const baseline = (l.box.y0 + l.box.y1) / 2 + 0.36 * size;
    d::draw_text_halo(cr, (l.box.x0 + l.box.x1) / 2, baseline, texts[i], 0.5);
  }
}

}  // namespace geosweep::pipeline
