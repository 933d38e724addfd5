// The time-series page of an AOI report (report_series_page.hpp), drawn in named steps in the
// order cairo paints them: axes and shading, the alerts' dates, the lines, the date labels, the
// legend and the provenance.
#include "report/report_series_page.hpp"

#include <cairo.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <set>

#include "core/text.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "outputs/csv_writer.hpp"
#include "report/report_drawing.hpp"
#include "report/report_map.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;

constexpr double kMargin = 36.0;

/// The plot area of the time-series page (points) and the value range it shows.
struct series_plot {
  double px0 = kMargin + 46, px1 = report_page_width - kMargin - 190;
  double py0 = 84, py1 = 360;
  std::size_t n = 0;  ///< dates, one column each
  double lo = 0, hi = 1;

  /// The centre of column `i`.
  [[nodiscard]] double x(std::size_t i) const {
    return px0 + (px1 - px0) * (i + 0.5) / std::max<std::size_t>(n, 1);
  }
  [[nodiscard]] double y(double v) const { return py1 - (py1 - py0) * (v - lo) / (hi - lo); }
};

/// The plot of `in`'s series with its value range: every plotted value, padded, on a 0.1 grid.
series_plot make_series_plot(job_spec const& spec, aoi_inputs const& in) {
  series_plot plot;
  plot.n = in.series.size();
  double lo = 1e9, hi = -1e9;
  auto const take = [&](double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  };
  for (auto const& p : in.series) {
    take(p.aoi_mean);
    take(p.alert_mean);
  }
  take(in.baseline_aoi_mean);
  take(in.baseline_alert_mean);
  if (std::isfinite(in.baseline_alert_mean)) take(in.baseline_alert_mean - spec.change.drop);
  if (lo > hi) lo = 0, hi = 1;
  plot.lo = std::floor(lo * 10 - 0.5) / 10;
  plot.hi = std::ceil(hi * 10 + 0.5) / 10;
  return plot;
}

/// The periods shaded, the value grid with its labels and title, the period names.
void draw_series_axes(cairo_t* cr, series_plot const& p, aoi_inputs const& in,
                      std::string const& index) {
  auto const& [px0, px1, py0, py1, n, lo, hi] = p;
  // Periods shaded.
  for (std::size_t i = 0; i < n; ++i) {
    double const w = (px1 - px0) / std::max<std::size_t>(n, 1);
    cairo_rectangle(cr, px0 + w * i, py0, w, py1 - py0);
    d::set_colour(cr, in.series[i].monitor ? 0xEAF1FB : 0xF2F2F2);
    cairo_fill(cr);
  }
  // Grid and y labels.
  d::set_font(cr, 8);
  cairo_set_line_width(cr, 0.4);
  double const step = (hi - lo) > 1.2 ? 0.2 : 0.1;
  for (double v = lo; v <= hi + 1e-9; v += step) {
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_move_to(cr, px0, p.y(v));
    cairo_line_to(cr, px1, p.y(v));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, px0 - 5, p.y(v) + 3, fixed(v, 1), 1.0);
  }
  cairo_save(cr);
  cairo_translate(cr, kMargin + 6, (py0 + py1) / 2);
  cairo_rotate(cr, -std::numbers::pi / 2);
  d::set_font(cr, 9, true);
  d::draw_text(cr, 0, 0, index + " (mean of clear pixels)", 0.5);
  cairo_restore(cr);
  // Period labels at the top of the shading.
  d::set_font(cr, 7.5);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  for (bool monitor : {false, true}) {
    for (std::size_t i = 0; i < n; ++i) {
      if (in.series[i].monitor != monitor) continue;
      d::draw_text(cr, p.x(i) - (px1 - px0) / std::max<std::size_t>(n, 1) / 2 + 3, py0 + 10,
                   monitor ? "monitoring" : "baseline");
      break;
    }
  }
}

/// Anomaly and confirmation dates of the alerts: vertical lines.
void draw_alert_dates(cairo_t* cr, series_plot const& p, aoi_inputs const& in) {
  std::set<int> first_seen, confirmed;  // days since the epoch
  for (auto const& a : in.alerts) {
    first_seen.insert(days_since_epoch(a.first_seen));
    if (a.confirmed_on) confirmed.insert(days_since_epoch(*a.confirmed_on));
  }
  for (std::size_t i = 0; i < p.n; ++i) {
    int const day = in.series[i].day;
    bool const f = first_seen.count(day) > 0, c = confirmed.count(day) > 0;
    if (!f && !c) continue;
    cairo_set_line_width(cr, c ? 1.4 : 1.0);
    if (!c) {
      double const dash[] = {3, 3};
      cairo_set_dash(cr, dash, 2, 0);
    }
    d::set_colour(cr, c ? 0xC0003C : 0xE08000);
    cairo_move_to(cr, p.x(i), p.py0 + 14);
    cairo_line_to(cr, p.x(i), p.py1);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  }
}

/// The baseline means, the anomaly threshold of the alert pixels and the two series; the frame.
void draw_series_lines(cairo_t* cr, series_plot const& p, job_spec const& spec,
                       aoi_inputs const& in) {
  // Baseline means and the anomaly threshold of the alert pixels.
  auto const hline = [&](double v, std::uint32_t colour, double dash_on) {
    if (!std::isfinite(v)) return;
    d::set_colour(cr, colour);
    cairo_set_line_width(cr, 1.0);
    double const dash[] = {dash_on, 3};
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, p.px0, p.y(v));
    cairo_line_to(cr, p.px1, p.y(v));
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  };
  hline(in.baseline_aoi_mean, 0x2E7D32, 6);
  hline(in.baseline_alert_mean, 0xC0003C, 6);
  if (std::isfinite(in.baseline_alert_mean))
    hline(in.baseline_alert_mean - spec.change.drop, 0x555555, 1.5);
  // The two series: lines through the dates that have a clear look, dots on them.
  auto const series_line = [&](auto value, std::uint32_t colour) {
    d::set_colour(cr, colour);
    cairo_set_line_width(cr, 1.8);
    bool open = false;
    for (std::size_t i = 0; i < p.n; ++i) {
      double const v = value(in.series[i]);
      if (!std::isfinite(v)) continue;
      if (open)
        cairo_line_to(cr, p.x(i), p.y(v));
      else
        cairo_move_to(cr, p.x(i), p.y(v));
      open = true;
    }
    cairo_stroke(cr);
    for (std::size_t i = 0; i < p.n; ++i) {
      double const v = value(in.series[i]);
      if (!std::isfinite(v)) continue;
      cairo_arc(cr, p.x(i), p.y(v), 3, 0, 2 * std::numbers::pi);
      cairo_fill(cr);
    }
  };
  series_line([](series_point const& s) { return s.aoi_mean; }, 0x2E7D32);
  series_line([](series_point const& s) { return s.alert_mean; }, 0xC0003C);
  cairo_rectangle(cr, p.px0, p.py0, p.px1 - p.px0, p.py1 - p.py0);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);
}

/// X labels: the date, its clear share below; the axis title.
void draw_date_labels(cairo_t* cr, series_plot const& p, aoi_inputs const& in) {
  d::set_font(cr, 7.5);
  for (std::size_t i = 0; i < p.n; ++i) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, p.x(i), p.py1 + 12, to_iso(from_days_since_epoch(in.series[i].day)), 0.5);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    d::draw_text(cr, p.x(i), p.py1 + 23, fixed(100 * in.series[i].clear_share, 0) + " % clear",
                 0.5);
  }
  d::set_font(cr, 9, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, (p.px0 + p.px1) / 2, p.py1 + 38,
               "acquisition date (share of the AOI with a clear look)", 0.5);
}

/// Legend on the right of the plot.
void draw_series_legend(cairo_t* cr, series_plot const& p, job_spec const& spec) {
  double lx = p.px1 + 18, ly = p.py0 + 8;
  d::set_font(cr, 8);
  struct entry {
    std::string text;
    std::uint32_t colour;
    int style;  // 0 line+dot, 1 dashed, 2 dotted, 3 vertical solid, 4 vertical dashed
  };
  std::vector<entry> const entries{
      {"alert pixels", 0xC0003C, 0},
      {"whole AOI", 0x2E7D32, 0},
      {"baseline mean, alert pixels", 0xC0003C, 1},
      {"baseline mean, whole AOI", 0x2E7D32, 1},
      {"alert baseline \u2212 drop (" + fixed(spec.change.drop, 2) + ")", 0x555555, 2},
      {"first anomaly (first seen)", 0xE08000, 4},
      {"confirmation", 0xC0003C, 3}};
  for (auto const& e : entries) {
    d::set_colour(cr, e.colour);
    cairo_set_line_width(cr, e.style == 0 ? 1.8 : 1.0);
    if (e.style == 1 || e.style == 2 || e.style == 4) {
      double const dash[] = {e.style == 2 ? 1.5 : 3.0, 3};
      cairo_set_dash(cr, dash, 2, 0);
    }
    if (e.style >= 3) {
      cairo_move_to(cr, lx + 9, ly - 8);
      cairo_line_to(cr, lx + 9, ly + 2);
    } else {
      cairo_move_to(cr, lx, ly - 3);
      cairo_line_to(cr, lx + 18, ly - 3);
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    if (e.style == 0) {
      cairo_arc(cr, lx + 9, ly - 3, 3, 0, 2 * std::numbers::pi);
      cairo_fill(cr);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, lx + 24, ly, e.text);
    ly += 14;
  }
}

/// Provenance below the plot, wrapped, as far as the page goes.
void draw_provenance(cairo_t* cr, series_plot const& p,
                     std::vector<std::string> const& provenance) {
  double y = p.py1 + 66;
  d::set_font(cr, 10, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, kMargin, y, "Provenance");
  y += 14;
  d::set_font(cr, 8);
  for (auto const& line : provenance) {
    for (auto const& part : d::wrap_text(cr, line, report_page_width - 2 * kMargin)) {
      if (y > report_page_height - 40) break;
      d::draw_text(cr, kMargin, y, part);
      y += 11;
    }
  }
}

}  // namespace

/// The time-series page: the plot, its legend and the provenance of the outputs.
void draw_series_page(cairo_t* cr, job_spec const& spec, aoi_inputs const& in,
                      std::vector<std::string> const& provenance, page_context const& ctx) {
  std::string const index = upper(in.index);
  d::draw_page_heading(cr, kMargin, in.name + ": " + index + " time series",
                       "Mean " + index +
                           " of each acquisition date over the clear pixels of the alerts " +
                           "and of the whole AOI; one column per date, in date order");
  auto const plot = make_series_plot(spec, in);
  draw_series_axes(cr, plot, in, index);
  draw_alert_dates(cr, plot, in);
  draw_series_lines(cr, plot, spec, in);
  draw_date_labels(cr, plot, in);
  draw_series_legend(cr, plot, spec);
  draw_provenance(cr, plot, provenance);
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages);
}

}  // namespace geosweep::pipeline
