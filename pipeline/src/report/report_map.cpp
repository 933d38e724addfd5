#include "report/report_map.hpp"

#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <numbers>

#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "report/report_drawing.hpp"
#include "report/report_labels.hpp"
#include "report/report_text.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;

constexpr double kMargin = 36.0;
constexpr double kSidebarWidth = 196.0;
constexpr double kSidebarX = report_page_width - kMargin - kSidebarWidth;
constexpr double kLabelRoom = 16.0;  // graticule labels outside the frame
constexpr double kFrameTop = 84.0;
constexpr double kFooterRoom = 34.0;

/// A graticule label in `language`: west is O (oeste, ouest) in Spanish, Portuguese and French.
std::string hemisphere_text(report_language language, std::string text) {
  if (!text.empty() && text.back() == 'W') {
    text.pop_back();
    text += tr(language, "map.west_letter");
  }
  return text;
}

/// `format_distance` with the language's decimal sign ("1.5 km", "1,5 km").
std::string distance_text(report_language language, double metres) {
  std::string text = format_distance(metres);
  if (language != report_language::en) std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

/// Pixel edges between differently labelled neighbours, as merged horizontal and vertical
/// runs, grouped by the key `edge_key(a, b)` returns for the labels on either side (0: none).
template <class Label, class Key>
std::map<int, std::vector<std::array<double, 4>>> trace_edges(int width, int height, Label label,
                                                              Key edge_key) {
  std::map<int, std::vector<std::array<double, 4>>> runs;
  auto const extend = [&](int key, double x0, double y0, double x1, double y1) {
    auto& list = runs[key];
    if (!list.empty()) {
      auto& last = list.back();
      if (last[2] == x0 && last[3] == y0 && (last[1] == y1 || last[0] == x1)) {
        last[2] = x1;
        last[3] = y1;
        return;
      }
    }
    list.push_back({x0, y0, x1, y1});
  };
  for (int r = 0; r <= height; ++r) {  // horizontal edges above row r
    for (int c = 0; c < width; ++c) {
      int const above = r > 0 ? label(c, r - 1) : -1;
      int const below = r < height ? label(c, r) : -1;
      if (above == below) continue;
      if (int const key = edge_key(above, below); key != 0) extend(key, c, r, c + 1, r);
    }
  }
  for (int c = 0; c <= width; ++c) {  // vertical edges left of column c
    for (int r = 0; r < height; ++r) {
      int const left = c > 0 ? label(c - 1, r) : -1;
      int const right = c < width ? label(c, r) : -1;
      if (left == right) continue;
      if (int const key = edge_key(left, right); key != 0) extend(key, c, r, c, r + 1);
    }
  }
  return runs;
}

void stroke_runs(cairo_t* cr, map_layout const& m, std::vector<std::array<double, 4>> const& runs) {
  for (auto const& s : runs) {
    cairo_move_to(cr, m.frame_x + s[0] * m.scale, m.frame_y + s[1] * m.scale);
    cairo_line_to(cr, m.frame_x + s[2] * m.scale, m.frame_y + s[3] * m.scale);
  }
  cairo_stroke(cr);
}

void draw_image(cairo_t* cr, map_page const& page, map_layout const& m) {
  d::draw_pixels(cr, page.pixels.data(), static_cast<std::size_t>(page.width), page.width,
                 page.height, m.frame_x, m.frame_y, m.scale);
}

void draw_outlines(cairo_t* cr, map_page const& page, map_layout const& m) {
  int const w = page.width;
  auto const change_at = [&](int c, int r) {
    return page.change[static_cast<std::size_t>(r) * w + c];
  };
  // AOI boundary: between pixels inside and outside the AOI (dashed black on white).
  auto const aoi = trace_edges(
      w, page.height,
      [&](int c, int r) { return change_at(c, r) == kernels::change_outside_aoi ? 0 : 1; },
      [](int a, int b) { return a >= 0 && b >= 0 ? 1 : 0; });  // not along the window's edge
  if (auto it = aoi.find(1); it != aoi.end()) {
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_BUTT);
    cairo_set_line_width(cr, 2.0);
    cairo_set_source_rgb(cr, 1, 1, 1);
    stroke_runs(cr, m, it->second);
    double const dash[] = {4.0, 4.0};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_set_source_rgb(cr, 0, 0, 0);
    stroke_runs(cr, m, it->second);
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  // Alerts: the patch footprints, coloured by the confidence of the patch inside the edge.
  draw_patch_outlines(cr, w, page.height, page.patch, page.patch_confidence, m.frame_x, m.frame_y,
                      m.scale);
}

void draw_alert_numbers(cairo_t* cr, map_page const& page, map_layout const& m) {
  std::size_t const count = page.patch_confidence.size();
  if (count == 0 || count > 200) return;  // beyond that, numbers would hide the image
  auto const boxes = patch_boxes(page.patch, page.width, page.height, count);
  std::vector<label_request> requests;
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < count; ++i) {
    auto const& b = boxes[i];
    if (b.max_c < 0) continue;
    texts.push_back(std::to_string(i + 1));
    auto const [w, h] = label_size(cr, texts.back(), 9);
    requests.push_back({{m.frame_x + b.min_c * m.scale, m.frame_y + b.min_r * m.scale,
                         m.frame_x + (b.max_c + 1) * m.scale, m.frame_y + (b.max_r + 1) * m.scale},
                        w,
                        h});
  }
  // Numbers never overlap: placed clear of each other, with leader lines where displaced.
  auto const labels = place_labels(
      requests, {m.frame_x, m.frame_y, m.frame_x + m.frame_width, m.frame_y + m.frame_height});
  draw_labels(cr, labels, texts, 9);
}

void draw_graticule(cairo_t* cr, map_page const& page, grid_geography const& geo,
                    map_layout const& m) {
  auto const lines = make_graticule(geo, page.width, page.height, 4);
  cairo_save(cr);
  cairo_rectangle(cr, m.frame_x, m.frame_y, m.frame_width, m.frame_height);
  cairo_clip(cr);
  cairo_set_line_width(cr, 0.6);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.7);
  for (auto const& line : lines) {
    for (std::size_t i = 0; i < line.points.size(); ++i) {
      double const x = m.frame_x + line.points[i][0] * m.scale;
      double const y = m.frame_y + line.points[i][1] * m.scale;
      if (i == 0)
        cairo_move_to(cr, x, y);
      else
        cairo_line_to(cr, x, y);
    }
    cairo_stroke(cr);
  }
  cairo_restore(cr);
  // Labels and ticks outside the frame; a label that would overlap its neighbour is dropped.
  d::set_font(cr, 7.5);
  std::map<image_edge, std::vector<graticule_label>> by_edge;
  for (auto const& line : lines)
    for (auto l : line.labels) {
      l.text = hemisphere_text(page.language, l.text);
      by_edge[l.edge].push_back(l);
    }
  cairo_set_line_width(cr, 0.8);
  for (auto& [edge, labels] : by_edge) {
    std::sort(labels.begin(), labels.end(),
              [](auto const& a, auto const& b) { return a.position < b.position; });
    double last_end = -1e9;
    for (auto const& l : labels) {
      bool const horizontal = edge == image_edge::top || edge == image_edge::bottom;
      double const along = (horizontal ? m.frame_x : m.frame_y) + l.position * m.scale;
      double const tw = d::text_width(cr, l.text);
      if (along - tw / 2 < last_end + 6) continue;
      double const lo = horizontal ? m.frame_x : m.frame_y;
      double const hi = lo + (horizontal ? m.frame_width : m.frame_height);
      if (along - tw / 2 < lo - 12 || along + tw / 2 > hi + 12) continue;  // would stick out
      last_end = along + tw / 2;
      cairo_set_source_rgb(cr, 0, 0, 0);
      double const left = m.frame_x, right = m.frame_x + m.frame_width;
      double const top = m.frame_y, bottom = m.frame_y + m.frame_height;
      switch (edge) {
        case image_edge::bottom:
          cairo_move_to(cr, along, bottom);
          cairo_line_to(cr, along, bottom + 3);
          cairo_stroke(cr);
          d::draw_text(cr, along, bottom + 11.5, l.text, 0.5);
          break;
        case image_edge::top:
          cairo_move_to(cr, along, top);
          cairo_line_to(cr, along, top - 3);
          cairo_stroke(cr);
          d::draw_text(cr, along, top - 5, l.text, 0.5);
          break;
        case image_edge::left:
        case image_edge::right: {
          double const x = edge == image_edge::left ? left : right;
          double const out = edge == image_edge::left ? -1 : 1;
          cairo_move_to(cr, x, along);
          cairo_line_to(cr, x + 3 * out, along);
          cairo_stroke(cr);
          cairo_save(cr);
          // Read bottom to top on both sides, as on topographic maps.
          cairo_translate(cr, x + out * (edge == image_edge::left ? 5 : 11.5), along);
          cairo_rotate(cr, -std::numbers::pi / 2);
          d::draw_text(cr, 0, 0, l.text, 0.5);
          cairo_restore(cr);
          break;
        }
      }
    }
  }
}

/// The scale bar sits under the compass rose, the legend under the scale bar.
double scale_bar_top(map_layout const& m) {
  return m.compass_centre[1] + m.compass_radius + 8;
}

void draw_compass(cairo_t* cr, map_layout const& m, double angle_degrees,
                  report_language language) {
  double const cx = m.compass_centre[0], cy = m.compass_centre[1], R = m.compass_radius;
  d::set_font(cr, 9, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, cx + R + 12, cy - 6, std::string(tr(language, "map.true_north")));
  d::set_font(cr, 8);
  std::string const angle =
      fmt::format(fmt::runtime(tr(language, angle_degrees >= 0 ? "map.north_clockwise"
                                                               : "map.north_anticlockwise")),
                  format_number(language, std::abs(angle_degrees), 2));
  d::draw_text(cr, cx + R + 12, cy + 6, angle);
  d::draw_text(cr, cx + R + 12, cy + 17, std::string(tr(language, "map.at_centre")));
  cairo_new_path(cr);  // show_text leaves a current point the arc would join
  cairo_save(cr);
  cairo_arc(cr, cx, cy, R, 0, 2 * std::numbers::pi);
  cairo_set_source_rgba(cr, 1, 1, 1, 0.95);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);
  cairo_translate(cr, cx, cy);
  cairo_rotate(cr, angle_degrees * std::numbers::pi / 180.0);
  double const tip = R * 0.62, side = R * 0.16;
  // East, south and west points: thin, white with a black edge.
  for (int k = 1; k < 4; ++k) {
    cairo_save(cr);
    cairo_rotate(cr, k * std::numbers::pi / 2);
    cairo_move_to(cr, 0, -tip * 0.72);
    cairo_line_to(cr, side * 0.8, 0);
    cairo_line_to(cr, -side * 0.8, 0);
    cairo_close_path(cr);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_fill_preserve(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 0.7);
    cairo_stroke(cr);
    cairo_restore(cr);
  }
  // The north point: solid black, the part a reader looks for.
  cairo_move_to(cr, 0, -tip);
  cairo_line_to(cr, side, 0);
  cairo_line_to(cr, -side, 0);
  cairo_close_path(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_fill(cr);
  cairo_arc(cr, 0, 0, 1.6, 0, 2 * std::numbers::pi);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_fill(cr);
  // "N" beyond the tip, upright whatever the rotation.
  cairo_rotate(cr, -angle_degrees * std::numbers::pi / 180.0);
  double const a = angle_degrees * std::numbers::pi / 180.0;
  double const nx = std::sin(a) * R * 0.8, ny = -std::cos(a) * R * 0.8;
  d::set_font(cr, 9, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, nx, ny + 3.3, std::string(tr(language, "map.north_letter")), 0.5);
  cairo_restore(cr);
}

void draw_scale_bar(cairo_t* cr, map_page const& page, grid_geography const& geo,
                    map_layout const& m) {
  // Ground metres per point along the image's horizontal through its centre.
  double const cx = page.width / 2.0, cy = page.height / 2.0;
  double const half = std::max(1.0, page.width / 4.0);
  double const metres_per_pixel =
      geo.ground_distance({cx - half, cy}, {cx + half, cy}) / (2 * half);
  draw_scale_bar_at(cr, kSidebarX + 6, scale_bar_top(m) + 14, kSidebarWidth - 44,
                    metres_per_pixel / m.scale, page.language);
}

/// The sanity warnings in a box with a bold orange border, top at `y`; returns its bottom.
double draw_warnings(cairo_t* cr, std::vector<std::string> const& warnings, double x, double y,
                     double width, report_language language) {
  constexpr double pad = 5;
  d::set_font(cr, 8);
  std::vector<std::vector<std::string>> lines;
  double height = pad + 13;  // the heading
  for (auto const& w : warnings) {
    lines.push_back(d::wrap_text(cr, w, width - 2 * pad));
    height += 10.0 * static_cast<double>(lines.back().size()) + 3;
  }
  height += pad - 3;
  cairo_rectangle(cr, x, y, width, height);
  d::set_colour(cr, 0xFFF1DC);
  cairo_fill_preserve(cr);
  d::set_colour(cr, 0xD9480F);
  cairo_set_line_width(cr, 1.6);
  cairo_stroke(cr);
  double line_y = y + pad + 9;
  d::set_font(cr, 9, true);
  d::draw_text(cr, x + pad, line_y,
               std::string(tr(language, warnings.size() == 1 ? "map.warning" : "map.warnings")));
  line_y += 13;
  d::set_font(cr, 8);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (auto const& paragraph : lines) {
    for (auto const& line : paragraph) {
      d::draw_text(cr, x + pad, line_y, line);
      line_y += 10;
    }
    line_y += 3;
  }
  return y + height;
}

void draw_legend(cairo_t* cr, map_page const& page, map_layout const& m) {
  double const x = kSidebarX;
  double const width = report_page_width - kMargin - x;
  double y = scale_bar_top(m) + 44;
  d::set_font(cr, 10, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  auto const text = [&](char const* key) { return std::string(tr(page.language, key)); };
  d::draw_text(cr, x, y, text("map.legend"));
  y += 16;
  struct item {
    std::string text;
    int kind;  // 0 high, 1 low, 2 AOI boundary, 3 no clear look, 4 outside, 5 number
  };
  std::vector<item> items{{text("map.legend_high"), 0},    {text("map.legend_low"), 1},
                          {text("map.legend_aoi"), 2},     {text("map.legend_no_look"), 3},
                          {text("map.legend_outside"), 4}, {text("map.legend_number"), 5}};
  if (page.one_look_per_period) {  // bitemporal: every alert is a fall between two looks
    items[0].text = text("map.legend_bitemporal");
    items.erase(items.begin() + 1);
  }
  d::set_font(cr, 8);
  for (auto const& it : items) {
    double const sx = x, sy = y - 8, sw = 20, sh = 10;
    switch (it.kind) {
      case 0:
      case 1:
        cairo_rectangle(cr, sx + 1, sy + 1, sw - 2, sh - 2);
        cairo_set_source_rgba(cr, 0, 0, 0, 0.55);
        cairo_set_line_width(cr, 3.2);
        cairo_stroke_preserve(cr);
        d::set_colour(cr, it.kind == 0 ? high_confidence_colour : low_confidence_colour);
        cairo_set_line_width(cr, 1.8);
        cairo_stroke(cr);
        break;
      case 2: {
        cairo_move_to(cr, sx, sy + sh / 2);
        cairo_line_to(cr, sx + sw, sy + sh / 2);
        cairo_set_line_width(cr, 2);
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
        cairo_stroke_preserve(cr);
        double const dash[] = {4.0, 4.0};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_source_rgb(cr, 0, 0, 0);
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
        break;
      }
      case 3:
      case 4:
        cairo_rectangle(cr, sx, sy, sw, sh);
        d::set_colour(cr, it.kind == 3 ? 0x8C8C8C : 0xE6E6E6);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.4, 0.4, 0.4);
        cairo_set_line_width(cr, 0.5);
        cairo_stroke(cr);
        break;
      default:
        d::set_font(cr, 9, true);
        cairo_set_source_rgb(cr, 0, 0, 0);
        d::draw_text_halo(cr, sx + sw / 2, sy + sh - 1, "3", 0.5);
        d::set_font(cr, 8);
        break;
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, sx + sw + 6, y, it.text);
    y += 15;
  }
  y += 6;
  if (!page.warnings.empty())
    y = draw_warnings(cr, page.warnings, x, y - 4, width, page.language) + 10;
  for (auto const& line : page.sidebar) {
    if (line.empty()) {
      y += 6;
      continue;
    }
    bool const heading = line.front() == '#';
    d::set_font(cr, heading ? 9 : 8, heading);
    for (auto const& part : d::wrap_text(cr, heading ? line.substr(1) : line, width)) {
      d::draw_text(cr, x, y, part);
      y += heading ? 13 : 11;
    }
  }
  // The date map last, where the page has room for it (its legend beside it).
  double const room = report_page_height - kFooterRoom - 6 - (y + 11);
  if (page.dates.width > 0 && room >= 40) {
    y += 6;
    d::set_font(cr, 9, true);
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, x, y, page.dates_title);
    draw_date_inset(cr, page.dates, x, y + 5, 96, std::min(room, 96.0));
  }
}

}  // namespace

map_layout layout_map_page(int width, int height) {
  if (width <= 0 || height <= 0) throw logic_error("layout_map_page: an empty image");
  map_layout m;
  double const left = kMargin + kLabelRoom;
  double const right = report_page_width - kMargin - kSidebarWidth - kLabelRoom;
  double const top = kFrameTop;
  double const bottom = report_page_height - kFooterRoom - kLabelRoom;
  m.scale = std::min((right - left) / width, (bottom - top) / height);
  m.frame_width = width * m.scale;
  m.frame_height = height * m.scale;
  m.frame_x = left + (right - left - m.frame_width) / 2;
  m.frame_y = top;
  // The rose and the scale bar head the sidebar: they never hide a pixel of the image.
  m.compass_radius = 24;
  m.compass_centre = {kSidebarX + m.compass_radius + 1, kFrameTop + m.compass_radius};
  return m;
}

std::uint32_t stretched_colour(std::array<float, 3> const& values,
                               std::array<std::array<float, 2>, 3> const& limits) {
  std::uint32_t rgb = 0;
  for (std::size_t b = 0; b < 3; ++b) {
    float const v = values[b];
    if (!std::isfinite(v)) return 0x8C8C8C;
    auto const& [lo, hi] = limits[b];
    double const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
    rgb |= static_cast<std::uint32_t>(std::lround(std::clamp(t, 0.0, 1.0) * 255.0)) << (16 - 8 * b);
  }
  return rgb;
}

std::array<float, 2> percentile_limits(std::span<float const> values, double low, double high) {
  std::vector<float> finite;
  finite.reserve(values.size());
  for (float v : values)
    if (std::isfinite(v)) finite.push_back(v);
  if (finite.empty()) return {0.0F, 1.0F};
  auto const at = [&](double pct) {
    auto const n = finite.size();
    auto k = static_cast<std::size_t>(std::ceil(pct / 100.0 * static_cast<double>(n)));
    k = std::clamp<std::size_t>(k, 1, n) - 1;
    std::nth_element(finite.begin(), finite.begin() + static_cast<std::ptrdiff_t>(k), finite.end());
    return finite[k];
  };
  return {at(low), at(high)};
}

void draw_patch_outlines(cairo_t* cr, int width, int height, std::span<std::int32_t const> patch,
                         std::span<int const> style, double x, double y, double scale) {
  auto const style_of = [&](int p) {
    if (p <= 0 || p > static_cast<int>(style.size())) return 0;
    return style[static_cast<std::size_t>(p - 1)];
  };
  // An edge between two outlined patches takes the style that ranks higher: high, low, then
  // a neighbour's.
  auto const rank = [](int s) { return s == 3 ? 1 : s == 0 ? 0 : s + 1; };
  auto const runs = trace_edges(
      width, height, [&](int c, int r) { return patch[static_cast<std::size_t>(r) * width + c]; },
      [&](int a, int b) {
        int const sa = style_of(a), sb = style_of(b);
        return rank(sa) >= rank(sb) ? sa : sb;
      });
  map_layout m;
  m.frame_x = x;
  m.frame_y = y;
  m.scale = scale;
  cairo_set_line_cap(cr, CAIRO_LINE_CAP_SQUARE);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_MITER);
  for (int key : {3, 1, 2}) {  // neighbours under, high confidence drawn last, on top
    auto it = runs.find(key);
    if (it == runs.end()) continue;
    bool const neighbour = key == 3;
    cairo_set_line_width(cr, neighbour ? 2.4 : 3.2);
    cairo_set_source_rgba(cr, 0, 0, 0, 0.55);  // dark casing: visible on bright soil too
    stroke_runs(cr, m, it->second);
    cairo_set_line_width(cr, neighbour ? 1.0 : 1.8);
    if (neighbour)
      d::set_colour(cr, neighbour_outline_colour);
    else
      d::set_colour(cr, key == 2 ? high_confidence_colour : low_confidence_colour);
    stroke_runs(cr, m, it->second);
  }
}

void draw_scale_bar_at(cairo_t* cr, double x, double y, double room, double metres_per_point,
                       report_language language) {
  double const metres = scale_bar_length(room * metres_per_point);
  double const length = metres / metres_per_point;
  double const bh = 4.5;
  for (int k = 0; k < 4; ++k) {
    cairo_rectangle(cr, x + k * length / 4, y, length / 4, bh);
    double const v = k % 2 == 0 ? 0 : 1;
    cairo_set_source_rgb(cr, v, v, v);
    cairo_fill(cr);
  }
  cairo_rectangle(cr, x, y, length, bh);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.6);
  cairo_stroke(cr);
  d::set_font(cr, 8);
  d::draw_text(cr, x, y - 3, "0", 0.5);
  d::draw_text(cr, x + length / 2, y - 3, distance_text(language, metres / 2), 0.5);
  d::draw_text(cr, x + length, y - 3, distance_text(language, metres), 0.5);
}

void draw_report_footer(cairo_t* cr, std::string const& text, int number, int pages,
                        report_language language) {
  double const y = report_page_height - 18;
  cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
  cairo_set_line_width(cr, 0.5);
  cairo_move_to(cr, kMargin, y - 10);
  cairo_line_to(cr, report_page_width - kMargin, y - 10);
  cairo_stroke(cr);
  d::set_font(cr, 7);
  cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
  std::string const page = fmt::format(fmt::runtime(tr(language, "common.page_of")), number, pages);
  double const room = report_page_width - 2 * kMargin - d::text_width(cr, page) - 12;
  std::string shown = text;
  while (!shown.empty() && d::text_width(cr, shown) > room) {
    shown.pop_back();
    while (!shown.empty() && (static_cast<unsigned char>(shown.back()) & 0xC0) == 0x80)
      shown.pop_back();  // never cut a UTF-8 sequence
    if (d::text_width(cr, shown + "\u2026") <= room) {
      shown += "\u2026";
      break;
    }
  }
  d::draw_text(cr, kMargin, y, shown);
  d::draw_text(cr, report_page_width - kMargin, y, page, 1.0);
}

void draw_map_page(cairo_t* cr, map_page const& page, grid_geography const& geography, int number,
                   int pages) {
  if (page.pixels.size() != static_cast<std::size_t>(page.width) * page.height ||
      page.patch.size() != page.pixels.size() || page.change.size() != page.pixels.size())
    throw logic_error("draw_map_page: rasters of different sizes");
  auto const m = layout_map_page(page.width, page.height);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  d::set_font(cr, 15, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, kMargin, 44, page.title);
  d::set_font(cr, 9);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  d::draw_text(cr, kMargin, 60, page.subtitle);

  draw_image(cr, page, m);
  cairo_save(cr);
  cairo_rectangle(cr, m.frame_x, m.frame_y, m.frame_width, m.frame_height);
  cairo_clip(cr);
  draw_outlines(cr, page, m);
  cairo_restore(cr);
  draw_graticule(cr, page, geography, m);
  draw_alert_numbers(cr, page, m);
  cairo_rectangle(cr, m.frame_x, m.frame_y, m.frame_width, m.frame_height);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);
  // True north at the map centre (it varies across a large UTM grid; docs/reports.md).
  draw_compass(cr, m, geography.true_north_angle({page.width / 2.0, page.height / 2.0}),
               page.language);
  draw_scale_bar(cr, page, geography, m);
  draw_legend(cr, page, m);
  draw_report_footer(cr, page.footer, number, pages, page.language);
}

}  // namespace geosweep::pipeline
