#pragma once
/// \file
/// The small date map of a map page: which acquisition each pixel of the page's image shows.
/// A composite is the latest clear look of its period per pixel, so one image holds several
/// dates; the inset colours each pixel by its look's date (the most common dates each their
/// own colour, the rest together), with a legend of the dates and their shares.

#include <cstdint>
#include <string>
#include <vector>

#include "report/report_inputs.hpp"

typedef struct _cairo cairo_t;  // NOLINT: cairo's own declaration, so callers need no cairo.h

namespace geosweep::pipeline {

/// Colours of the dates of a date map, most common date first (colour-blind safe, Okabe-Ito).
inline constexpr std::uint32_t date_colours[] = {0x0072B2, 0xE69F00, 0x009E73, 0xCC79A7, 0x56B4E9};
/// The other dates, the pixels without a look, and those outside the AOI.
inline constexpr std::uint32_t other_dates_colour = 0x000000;
inline constexpr std::uint32_t no_look_colour = 0x8C8C8C;
inline constexpr std::uint32_t outside_colour = 0xFFFFFF;

/// A date map, ready to draw.
struct date_inset {
  int width = 0, height = 0;
  std::vector<std::uint32_t> pixels;                          ///< 0xRRGGBB, row-major
  std::vector<std::pair<std::uint32_t, std::string>> legend;  ///< colour and its label
};

/// The date map of `days` (a date layer on the AOI grid of `width` x `height`; `change`
/// marks the pixels outside the AOI) reduced to at most `max_side` pixels a side by taking
/// one pixel in each block (nearest, so every colour is a date's). `shares` are
/// look_date_shares(days, change) and `labels` their legend texts, in the same order: the
/// first entries with a date get date_colours, further dates other_dates_colour under
/// `other_label`, the pixels without a look no_look_colour.
date_inset make_date_inset(std::vector<std::int32_t> const& days,
                           std::vector<std::uint8_t> const& change, int width, int height,
                           std::vector<look_date_share> const& shares,
                           std::vector<std::string> const& labels, std::string const& other_label,
                           int max_side);

/// Draws `inset` with its top left at (x, y), at most `max_width` x `max_height` points for
/// the map, its legend to the right of it (11 points a line). Returns the height used.
double draw_date_inset(cairo_t* cr, date_inset const& inset, double x, double y, double max_width,
                       double max_height);

}  // namespace geosweep::pipeline
