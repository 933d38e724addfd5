#pragma once
// Text and colour helpers shared by the report's pages (cairo's toy text API, DejaVu Sans).

#include <cairo.h>

#include <cstdint>
#include <string>
#include <vector>

namespace geosweep::pipeline::drawing {

inline void set_colour(cairo_t* cr, std::uint32_t rgb, double alpha = 1.0) {
  cairo_set_source_rgba(cr, ((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0,
                        (rgb & 0xFF) / 255.0, alpha);
}

inline void set_font(cairo_t* cr, double size, bool bold = false) {
  cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                         bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, size);
}

inline double text_width(cairo_t* cr, std::string const& text) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, text.c_str(), &e);
  return e.x_advance;
}

/// Draws `text` with its baseline at y; `align` 0 left, 0.5 centred, 1 right of x.
inline void draw_text(cairo_t* cr, double x, double y, std::string const& text,
                      double align = 0.0) {
  cairo_move_to(cr, x - align * text_width(cr, text), y);
  cairo_show_text(cr, text.c_str());
}

/// Text in the current colour with a white halo, readable over any image.
inline void draw_text_halo(cairo_t* cr, double x, double y, std::string const& text,
                           double align = 0.0) {
  cairo_pattern_t* source = cairo_pattern_reference(cairo_get_source(cr));
  cairo_move_to(cr, x - align * text_width(cr, text), y);
  cairo_text_path(cr, text.c_str());
  cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
  cairo_set_line_width(cr, 2.5);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  cairo_stroke_preserve(cr);
  cairo_set_source(cr, source);
  cairo_fill(cr);
  cairo_pattern_destroy(source);
}

/// A white page with its title and subtitle, from the left margin `x` (the alert table and
/// time-series pages).
inline void draw_page_heading(cairo_t* cr, double x, std::string const& title,
                              std::string const& subtitle) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  set_font(cr, 15, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  draw_text(cr, x, 44, title);
  set_font(cr, 9);
  cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
  draw_text(cr, x, 60, subtitle);
}

/// Splits `text` into lines no wider than `width` at spaces (long words stay whole).
inline std::vector<std::string> wrap_text(cairo_t* cr, std::string const& text, double width) {
  std::vector<std::string> lines;
  std::string line, word;
  auto const flush_word = [&] {
    if (word.empty()) return;
    std::string const candidate = line.empty() ? word : line + " " + word;
    if (!line.empty() && text_width(cr, candidate) > width) {
      lines.push_back(line);
      line = word;
    } else {
      line = candidate;
    }
    word.clear();
  };
  for (char c : text) {
    if (c == ' ') {
      flush_word();
    } else {
      word += c;
    }
  }
  flush_word();
  if (!line.empty() || lines.empty()) lines.push_back(line);
  return lines;
}

}  // namespace geosweep::pipeline::drawing
