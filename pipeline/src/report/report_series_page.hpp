#pragma once
/// \file
/// The time-series page of an AOI report: on a time axis (x proportional to time, the baseline
/// and monitoring periods shaded) the mean index of each date over each of the largest alerts
/// (the others as a min-max band) and over the whole AOI, the baseline means and the anomaly
/// threshold, the dates the alerts were first seen and confirmed, the clear share of each
/// date, and below the plot the provenance of the outputs the report was drawn from. Dates
/// without a clear look are gaps in the lines. The axis, the label thinning and the line runs
/// are plain functions, tested without drawing.

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "report/report_inputs.hpp"
#include "report/report_pages.hpp"

namespace geosweep::pipeline {

/// A time axis: the first date at `x0`, the last at `x1` and every day in between in
/// proportion (days since the epoch); a single date sits midway.
struct time_axis {
  int first_day = 0, last_day = 0;
  double x0 = 0, x1 = 1;
  /// The x of `day` (days since the epoch); days outside the range extrapolate.
  [[nodiscard]] double x(double day) const;
};

/// The labels to draw, in order, of labels centred at `centres` (increasing) with widths
/// `widths`, so that no two kept boxes come closer than `gap`: the first and the last always
/// (the last alone is dropped only when it would overlap the first), those between greedily
/// from the left.
std::vector<std::size_t> thin_labels(std::vector<double> const& centres,
                                     std::vector<double> const& widths, double gap);

/// The runs [begin, end) of consecutive finite values: the pieces of a line that a value
/// without a clear look (NaN) breaks. A run of one is a lone dot.
std::vector<std::pair<std::size_t, std::size_t>> finite_runs(std::vector<double> const& values);

/// The places in `alerts` of the `cap` largest by area (ties: the earlier), in their order.
std::vector<std::size_t> largest_alerts(std::vector<alert> const& alerts, std::size_t cap);

/// The alerts that get a line of their own; the others form a band.
inline constexpr std::size_t series_alert_lines = 5;

/// The plot frame of the time-series page, in points: left, top, right, bottom, and where
/// its time axis puts the first and the last date.
struct series_frame {
  double left, top, right, bottom;
  double first_date_x, last_date_x;
};
series_frame series_plot_frame();

/// Draws the time-series page of `in` with the `provenance` lines at the bottom.
void draw_series_page(cairo_t* cr, job_spec const& spec, aoi_inputs const& in,
                      std::vector<std::string> const& provenance, page_context const& ctx);

}  // namespace geosweep::pipeline
