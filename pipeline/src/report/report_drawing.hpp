#pragma once
// Text and colour helpers shared by the report's pages (cairo's toy text API, DejaVu Sans).

#include <cairo.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "geosweep/pipeline/errors.hpp"

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

/// Draws a `width` x `height` window of 0xRRGGBB pixels (row r starts at first + r × pitch)
/// with its top left at (x, y), `scale` points a pixel, every pixel a block: nearest
/// neighbour, never smoothed, so an analyst zooming in sees each raster pixel. Throws
/// geosweep::io_error when cairo cannot allocate the image.
inline void draw_pixels(cairo_t* cr, std::uint32_t const* first, std::size_t pitch, int width,
                        int height, double x, double y, double scale) {
  cairo_surface_t* image = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  if (cairo_surface_status(image) != CAIRO_STATUS_SUCCESS) {
    cairo_surface_destroy(image);
    throw io_error("cannot allocate a " + std::to_string(width) + " x " + std::to_string(height) +
                   " image for the report");
  }
  cairo_surface_flush(image);
  unsigned char* data = cairo_image_surface_get_data(image);
  int const stride = cairo_image_surface_get_stride(image);
  for (int r = 0; r < height; ++r)
    std::copy_n(first + static_cast<std::size_t>(r) * pitch, width,
                reinterpret_cast<std::uint32_t*>(data + static_cast<std::ptrdiff_t>(r) * stride));
  cairo_surface_mark_dirty(image);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, scale, scale);
  cairo_set_source_surface(cr, image, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle(cr, 0, 0, width, height);
  cairo_fill(cr);
  cairo_restore(cr);
  cairo_surface_destroy(image);
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

/// The facts down the left of a cover or network page: bold headings at `x`, and lines under
/// them indented by 8 points and wrapped to `width`, from `y` down.
class fact_column {
 public:
  fact_column(cairo_t* cr, double x, double y, double width)
      : cr_(cr), x_(x), y_(y), width_(width) {}
  void heading(std::string const& text) {
    y_ += 6;
    set_font(cr_, 10, true);
    cairo_set_source_rgb(cr_, 0, 0, 0);
    draw_text(cr_, x_, y_, text);
    y_ += 14;
  }
  void line(std::string const& text) {
    set_font(cr_, 9);
    cairo_set_source_rgb(cr_, 0.1, 0.1, 0.1);
    for (auto const& l : wrap_text(cr_, text, width_)) {
      draw_text(cr_, x_ + 8, y_, l);
      y_ += 12;
    }
  }
  /// Where the next heading or line goes.
  [[nodiscard]] double y() const { return y_; }

 private:
  cairo_t* cr_;
  double x_, y_, width_;
};

}  // namespace geosweep::pipeline::drawing
