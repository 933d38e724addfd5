#pragma once
/// \file
/// The alert pages of an AOI report, one per alert (the largest `report.alert_pages` by area):
/// before and after chips at native resolution around the alert (the map pages' pixels, so
/// colours match), its outline and its neighbours', a scale bar and true north, its centroid
/// in decimal degrees and degrees-minutes-seconds, area, dates, confidence, magnitude, value
/// and its index over time. The window, the layout and the DMS text are plain functions.

#include <cstddef>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "report/report_inputs.hpp"
#include "report/report_labels.hpp"
#include "report/report_pages.hpp"

namespace geosweep::pipeline {

/// A window of the AOI grid: first column and row, size in pixels.
struct chip_window {
  int col0 = 0, row0 = 0, width = 0, height = 0;
};

/// The window around patch box `b` on a `grid_width` x `grid_height` grid: the box with a
/// margin on each side of half its size and at least 20 pixels, cut to the grid.
chip_window alert_window(pixel_box const& b, int grid_width, int grid_height);

/// Where an alert page draws its chips: `rows` rows (one per colour kind) of a before and an
/// after chip, all at `scale` points per pixel; chips[2 * row + period].
struct alert_page_layout {
  double scale = 1;
  std::vector<page_box> chips;
  page_box plot;  ///< the index over time
};
alert_page_layout layout_alert_page(chip_window const& w, int rows);

/// "9°30'12.34\"S", "62°04'05.00\"W": degrees, minutes and seconds to 0.01" (about 0.3 m),
/// the decimal sign as `language` writes it.
std::string format_dms(report_language language, double value, bool latitude);

/// The places in `alerts` of those with a page: the `cap` largest by area, in their order.
std::vector<std::size_t> alert_page_alerts(std::vector<alert> const& alerts, int cap);

/// Draws the page of alert `k` (a place in `in.alerts`; patch k + 1).
void draw_alert_page(cairo_t* cr, job_spec const& spec, aoi_inputs const& in,
                     report_document const& doc, std::size_t k, page_context const& ctx);

}  // namespace geosweep::pipeline
