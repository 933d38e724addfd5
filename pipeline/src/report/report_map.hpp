#pragma once
/// \file
/// A map page of an AOI report: an image of the AOI at native resolution (every raster pixel
/// embedded) with change outlines coloured by confidence, alert numbers, the AOI boundary, a
/// compass rose pointing to true north, a scale bar, a labelled latitude/longitude graticule
/// and a legend. docs/reports.md describes the page.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "outputs/cause_colours.hpp"
#include "report/map_geometry.hpp"
#include "report/report_date_map.hpp"

typedef struct _cairo cairo_t;  // NOLINT: cairo's own declaration, so callers need no cairo.h

namespace geosweep::pipeline {

/// A4 landscape, in PDF points.
inline constexpr double report_page_width = 841.89;
inline constexpr double report_page_height = 595.28;

/// Outline colours (0xRRGGBB) of low- and high-confidence change.
inline constexpr std::uint32_t low_confidence_colour = 0xFFD200;
inline constexpr std::uint32_t high_confidence_colour = 0xFF00C8;
/// Outline colour of the neighbouring alerts on an alert page (white: cyan is bare soil in
/// false colour).
inline constexpr std::uint32_t neighbour_outline_colour = 0xFFFFFF;

/// Where the map of a `width` x `height` pixel image sits on its page (points).
struct map_layout {
  double frame_x = 0;  ///< left edge of the image
  double frame_y = 0;  ///< top edge of the image
  double scale = 1;    ///< points per raster pixel
  double frame_width = 0;
  double frame_height = 0;
  std::array<double, 2> compass_centre{};  ///< the compass rose, top left of the sidebar
  double compass_radius = 0;               ///< its white disc
};

/// The layout of a map page for an image of `width` x `height` pixels.
map_layout layout_map_page(int width, int height);

/// The `low` and `high` percentiles (0-100) of the finite values, by nearest rank; {0, 1}
/// when there are none.
std::array<float, 2> percentile_limits(std::span<float const> values, double low, double high);

/// Three band values as 0xRRGGBB, each stretched linearly between its `limits` (low 0, high
/// 255, clamped; mid-grey where low equals high); 0x8C8C8C when a value is not finite.
std::uint32_t stretched_colour(std::array<float, 3> const& values,
                               std::array<std::array<float, 2>, 3> const& limits);

/// Everything drawn on one map page.
struct map_page {
  std::string title;     ///< e.g. "reserve-north: before, true colour"
  std::string subtitle;  ///< dates, bands, stretch
  int width = 0;
  int height = 0;
  std::vector<std::uint32_t> pixels;     ///< 0xRRGGBB per pixel, row-major (already stretched)
  std::span<std::int32_t const> patch;   ///< patch number per pixel, 0 none
  std::span<std::uint8_t const> change;  ///< change classes (254 outside the AOI)
  std::vector<int> patch_confidence;     ///< per patch number - 1: 1 low, 2 high
  std::vector<std::string> sidebar;      ///< text lines under the legend ("" for a gap)
  std::vector<std::string> warnings;     ///< sanity warnings, boxed under the legend
  std::string footer;                    ///< provenance line
  /// The change is bitemporal (one look per period): no low confidence, nothing confirmed.
  bool one_look_per_period = false;
  report_language language = report_language::en;  ///< of the legend, compass and scale bar
  /// The date of each pixel's look, drawn small under the sidebar where there is room.
  date_inset dates;
  std::string dates_title;  ///< its heading
};

/// Draws `page` (page `number` of `pages`) on `cr`, whose user space is PDF points.
void draw_map_page(cairo_t* cr, map_page const& page, grid_geography const& geography, int number,
                   int pages);

/// The exact pixel edges of the patches of a `width` x `height` patch raster, drawn with the
/// raster's top-left corner at (x, y) and `scale` points per pixel, styled per patch number
/// - 1 by `style`: 0 not drawn, 1 low and 2 high confidence, 3 a neighbour (thin, white).
void draw_patch_outlines(cairo_t* cr, int width, int height, std::span<std::int32_t const> patch,
                         std::span<int const> style, double x, double y, double scale);

/// A scale bar of round ground length (scale_bar_length) at most `room` points long, its left
/// end at (x, y), for `metres_per_point` on the ground, labelled in `language`: the map
/// pages' and the alert pages' own.
void draw_scale_bar_at(cairo_t* cr, double x, double y, double room, double metres_per_point,
                       report_language language);

/// The footer of every report page: provenance on the left, "page n of N" on the right, in
/// `language`.
void draw_report_footer(cairo_t* cr, std::string const& text, int number, int pages,
                        report_language language);

}  // namespace geosweep::pipeline
