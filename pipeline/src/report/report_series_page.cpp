// The time-series page of an AOI report (report_series_page.hpp), drawn in named steps in the
// order cairo paints them: periods shaded and the value grid, the alerts' dates, the lines, the
// dates' ticks, clear shares and labels, the legend and the provenance. x is time to scale.
#include "report/report_series_page.hpp"

#include <cairo.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "core/text.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "outputs/csv_writer.hpp"
#include "report/report_drawing.hpp"
#include "report/report_map.hpp"
#include "report/report_text.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;

constexpr double kMargin = 36.0;
constexpr double kAxisPad = 14.0;  ///< from the frame to the first and last dates

/// Lines of the largest alerts, in turn; the band of the others takes the first's colour.
constexpr std::uint32_t kAlertColours[series_alert_lines] = {0xC0003C, 0x7B3294, 0x1F78B4, 0x8C510A,
                                                             0xD01C8B};
constexpr std::uint32_t kAoiColour = 0x2E7D32;
constexpr std::uint32_t kBaselineShade = 0xE6E6E6, kMonitorShade = 0xDCE8F7;

/// The plot area of the time-series page (points), its time axis and value range.
struct series_plot {
  double px0 = kMargin + 46, px1 = report_page_width - kMargin - 200;
  double py0 = 84, py1 = 350;
  time_axis axis;
  double lo = 0, hi = 1;

  [[nodiscard]] double x(int day) const { return axis.x(day); }
  [[nodiscard]] double y(double v) const { return py1 - (py1 - py0) * (v - lo) / (hi - lo); }
};

/// The width of the j-th alert's line: each wider than the one drawn over it, so that alerts
/// with the same values show as stacked colours, not as one line.
double alert_line_width(std::size_t j) {
  return 1.4 + 0.9 * static_cast<double>(j);
}

bool is_bitemporal(job_spec const& spec, aoi_inputs const& in) {
  if (!in.change_method.empty()) return in.change_method == to_string(change_method::bitemporal);
  return spec.change.method == change_method::bitemporal;
}

/// The first and last day of a period "YYYY-MM-DD to YYYY-MM-DD" (none when it does not parse).
std::optional<std::pair<int, int>> period_days(std::string const& period) {
  if (period.size() < 10) return std::nullopt;
  auto const a = parse_iso_date(period.substr(0, 10));
  auto const b = parse_iso_date(period.substr(period.size() - 10));
  if (!a || !b) return std::nullopt;
  return std::pair{days_since_epoch(*a), days_since_epoch(*b)};
}

/// The plot of `in`'s series with its value range: every plotted value, padded, on a 0.1 grid.
series_plot make_series_plot(job_spec const& spec, aoi_inputs const& in) {
  series_plot plot;
  if (!in.series.empty())
    plot.axis = {in.series.front().day, in.series.back().day, plot.px0 + kAxisPad,
                 plot.px1 - kAxisPad};
  else  // no series.csv: the periods' span, so that the alerts' dates still sit to scale
    plot.axis = {period_days(in.baseline_period).value_or(std::pair{0, 0}).first,
                 period_days(in.monitor_period).value_or(std::pair{0, 0}).second,
                 plot.px0 + kAxisPad, plot.px1 - kAxisPad};
  double lo = 1e9, hi = -1e9;
  auto const take = [&](double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  };
  for (auto const& p : in.series) take(p.aoi_mean);
  for (auto const& line : in.alert_series)
    for (double v : line) take(v);
  take(in.baseline_aoi_mean);
  take(in.baseline_alert_mean);
  if (std::isfinite(in.baseline_alert_mean)) take(in.baseline_alert_mean - spec.change.drop);
  if (lo > hi) lo = 0, hi = 1;
  plot.lo = std::floor(lo * 10 - 0.5) / 10;
  plot.hi = std::ceil(hi * 10 + 0.5) / 10;
  return plot;
}

/// The calendar along the top of the frame, so that time reads to scale between the dates: a
/// short tick at the first of each month, a longer one at each new year with the year above.
void draw_calendar_ticks(cairo_t* cr, series_plot const& p) {
  using namespace std::chrono;
  if (p.axis.last_day <= p.axis.first_day) return;
  auto const first = from_days_since_epoch(p.axis.first_day - 40);
  year_month month = first.year() / first.month();
  d::set_font(cr, 7.5);
  cairo_set_line_width(cr, 0.6);
  bool const month_ticks = p.x(p.axis.first_day + 31) - p.x(p.axis.first_day) >= 4;
  double label_end = -1e9;  // where the last year label ends: the next keeps clear of it
  for (int guard = 0; guard < 12 * 400; ++guard, month += months(1)) {
    int const day = days_since_epoch(month / 1);
    double const x = p.x(day);
    if (x > p.px1) break;
    bool const january = month.month() == January;
    if (x < p.px0 || (!january && !month_ticks)) continue;
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    cairo_move_to(cr, x, p.py0);
    cairo_line_to(cr, x, p.py0 - (january ? 6 : 3));
    cairo_stroke(cr);
    std::string const year = std::to_string(static_cast<int>(month.year()));
    if (january && x + 2 > label_end + 4 && x + 2 + d::text_width(cr, year) <= p.px1) {
      d::draw_text(cr, x + 2, p.py0 - 3, year);
      label_end = x + 2 + d::text_width(cr, year);
    }
  }
}

/// The periods shaded (each from its first day to the end of its last, within the frame), the
/// value grid with its labels and title, the period names.
void draw_series_axes(cairo_t* cr, series_plot const& p, aoi_inputs const& in,
                      std::string const& index, report_language language) {
  d::set_font(cr, 7.5);
  for (bool monitor : {false, true}) {
    auto const days = period_days(monitor ? in.monitor_period : in.baseline_period);
    if (!days) continue;
    double const a = std::clamp(p.x(days->first), p.px0, p.px1);
    double const b = std::clamp(p.x(days->second + 1), p.px0, p.px1);
    if (b <= a) continue;
    cairo_rectangle(cr, a, p.py0, b - a, p.py1 - p.py0);
    d::set_colour(cr, monitor ? kMonitorShade : kBaselineShade);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    std::string const name = say(language, monitor ? "series.monitoring" : "series.baseline");
    if (d::text_width(cr, name) + 6 < b - a) d::draw_text(cr, a + 3, p.py0 + 10, name);
  }
  draw_calendar_ticks(cr, p);
  // Grid and y labels.
  d::set_font(cr, 8);
  cairo_set_line_width(cr, 0.4);
  double const step = (p.hi - p.lo) > 1.2 ? 0.2 : 0.1;
  for (double v = p.lo; v <= p.hi + 1e-9; v += step) {
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_move_to(cr, p.px0, p.y(v));
    cairo_line_to(cr, p.px1, p.y(v));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, p.px0 - 5, p.y(v) + 3, format_number(language, v, 1), 1.0);
  }
  cairo_save(cr);
  cairo_translate(cr, kMargin + 6, (p.py0 + p.py1) / 2);
  cairo_rotate(cr, -std::numbers::pi / 2);
  d::set_font(cr, 9, true);
  d::draw_text(cr, 0, 0, say(language, "series.y_title", index), 0.5);
  cairo_restore(cr);
}

/// Anomaly and confirmation dates of the alerts: vertical lines at their days.
void draw_alert_dates(cairo_t* cr, series_plot const& p, aoi_inputs const& in) {
  std::set<int> first_seen, confirmed;  // days since the epoch
  for (auto const& a : in.alerts) {
    first_seen.insert(days_since_epoch(a.first_seen));
    if (a.confirmed_on) confirmed.insert(days_since_epoch(*a.confirmed_on));
  }
  auto const outside = [&](int day) { return p.x(day) < p.px0 || p.x(day) > p.px1; };
  for (int day : first_seen) {
    if (confirmed.count(day) > 0 || outside(day)) continue;  // the solid line covers it
    cairo_set_line_width(cr, 1.0);
    double const dash[] = {3, 3};
    cairo_set_dash(cr, dash, 2, 0);
    d::set_colour(cr, 0xE08000);
    cairo_move_to(cr, p.x(day), p.py0 + 14);
    cairo_line_to(cr, p.x(day), p.py1);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  }
  for (int day : confirmed) {
    if (outside(day)) continue;
    cairo_set_line_width(cr, 1.0);
    d::set_colour(cr, 0x333333, 0.7);
    cairo_move_to(cr, p.x(day), p.py0 + 14);
    cairo_line_to(cr, p.x(day), p.py1);
    cairo_stroke(cr);
  }
}

/// A series as lines through its consecutive clear dates, broken where a date has none, with a
/// dot on each value. From the last baseline date to the first monitoring date, where there
/// is no look at all, the line is thin and dotted: a fall there happened at some unknown time.
void draw_series_line(cairo_t* cr, series_plot const& p, aoi_inputs const& in,
                      std::vector<double> const& values, std::uint32_t colour, double width) {
  d::set_colour(cr, colour);
  cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
  auto const at = [&](std::size_t i) { return std::pair{p.x(in.series[i].day), p.y(values[i])}; };
  for (auto const& [begin, end] : finite_runs(values)) {
    for (std::size_t i = begin + 1; i < end; ++i) {
      bool const between = in.series[i - 1].monitor != in.series[i].monitor;
      auto const [xa, ya] = at(i - 1);
      auto const [xb, yb] = at(i);
      cairo_set_line_width(cr, between ? 0.8 : width);
      if (between) {
        double const dash[] = {1.5, 2.5};
        cairo_set_dash(cr, dash, 2, 0);
      }
      cairo_move_to(cr, xa, ya);
      cairo_line_to(cr, xb, yb);
      cairo_stroke(cr);
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    for (std::size_t i = begin; i < end; ++i) {
      auto const [x, y] = at(i);
      cairo_arc(cr, x, y, width / 2 + 1.6, 0, 2 * std::numbers::pi);
      cairo_fill(cr);
    }
  }
}

/// The baseline means, the anomaly threshold of the alert pixels, the band of the smaller
/// alerts, the lines of the largest and of the whole AOI; the frame.
void draw_series_lines(cairo_t* cr, series_plot const& p, job_spec const& spec,
                       aoi_inputs const& in) {
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
  hline(in.baseline_aoi_mean, kAoiColour, 6);
  hline(in.baseline_alert_mean, 0x555555, 6);
  if (std::isfinite(in.baseline_alert_mean))
    hline(in.baseline_alert_mean - spec.change.drop, 0x555555, 1.5);
  // The other alerts: the min-max band of each date where one has a clear look, broken where
  // none has.
  auto const lines = largest_alerts(in.alerts, series_alert_lines);
  std::vector<bool> own(in.alerts.size(), false);
  for (auto k : lines) own[k] = true;
  std::vector<double> band_lo(in.series.size(), NAN), band_hi(in.series.size(), NAN);
  for (std::size_t k = 0; k < in.alert_series.size(); ++k) {
    if (own[k]) continue;
    for (std::size_t i = 0; i < in.series.size(); ++i) {
      double const v = in.alert_series[k][i];
      if (!std::isfinite(v)) continue;
      band_lo[i] = std::isfinite(band_lo[i]) ? std::min(band_lo[i], v) : v;
      band_hi[i] = std::isfinite(band_hi[i]) ? std::max(band_hi[i], v) : v;
    }
  }
  d::set_colour(cr, kAlertColours[0], 0.18);
  // Runs of dates with a value, split where the monitoring period starts: no look between the
  // periods, so no band across that time (the lines are dotted there).
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (auto const& [run_begin, run_end] : finite_runs(band_lo)) {
    std::size_t from = run_begin;
    for (std::size_t i = run_begin + 1; i < run_end; ++i) {
      if (in.series[i].monitor == in.series[i - 1].monitor) continue;
      runs.emplace_back(from, i);
      from = i;
    }
    runs.emplace_back(from, run_end);
  }
  for (auto const& [begin, end] : runs) {
    double const half = end - begin == 1 ? 2.0 : 0.0;  // a lone date: a narrow bar
    cairo_move_to(cr, p.x(in.series[begin].day) - half, p.y(band_hi[begin]));
    for (std::size_t i = begin; i < end; ++i)
      cairo_line_to(cr, p.x(in.series[i].day), p.y(band_hi[i]));
    cairo_line_to(cr, p.x(in.series[end - 1].day) + half, p.y(band_hi[end - 1]));
    cairo_line_to(cr, p.x(in.series[end - 1].day) + half, p.y(band_lo[end - 1]));
    for (std::size_t i = end; i-- > begin;)
      cairo_line_to(cr, p.x(in.series[i].day), p.y(band_lo[i]));
    cairo_line_to(cr, p.x(in.series[begin].day) - half, p.y(band_lo[begin]));
    cairo_close_path(cr);
    cairo_fill(cr);
  }
  std::vector<double> aoi(in.series.size());
  for (std::size_t i = 0; i < in.series.size(); ++i) aoi[i] = in.series[i].aoi_mean;
  draw_series_line(cr, p, in, aoi, kAoiColour, 1.8);
  for (std::size_t j = lines.size(); j-- > 0;)  // the first alert's line on top
    if (lines[j] < in.alert_series.size())
      draw_series_line(cr, p, in, in.alert_series[lines[j]], kAlertColours[j], alert_line_width(j));
  cairo_rectangle(cr, p.px0, p.py0, p.px1 - p.px0, p.py1 - p.py0);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);
}

/// Under the plot: a tick at every date, a strip of each date's clear share (a bar; a cross
/// where nothing was clear), the dates' labels thinned so that none overlaps, the axis title.
void draw_date_labels(cairo_t* cr, series_plot const& p, aoi_inputs const& in,
                      report_language language) {
  double const strip0 = p.py1 + 6, strip1 = p.py1 + 22;
  cairo_set_line_width(cr, 0.8);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (auto const& s : in.series) {
    cairo_move_to(cr, p.x(s.day), p.py1);
    cairo_line_to(cr, p.x(s.day), p.py1 + 3);
  }
  cairo_stroke(cr);
  cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
  cairo_set_line_width(cr, 0.4);
  cairo_rectangle(cr, p.px0, strip0, p.px1 - p.px0, strip1 - strip0);
  cairo_stroke(cr);
  for (auto const& s : in.series) {
    double const x = p.x(s.day);
    if (s.clear_share > 0) {
      d::set_colour(cr, 0x6A8CAF);
      double const h = (strip1 - strip0) * std::clamp(s.clear_share, 0.0, 1.0);
      cairo_rectangle(cr, x - 1.5, strip1 - h, 3, h);
      cairo_fill(cr);
    } else {
      d::set_colour(cr, 0x999999);
      cairo_set_line_width(cr, 0.8);
      cairo_move_to(cr, x - 2, strip1 - 6);
      cairo_line_to(cr, x + 2, strip1 - 2);
      cairo_move_to(cr, x + 2, strip1 - 6);
      cairo_line_to(cr, x - 2, strip1 - 2);
      cairo_stroke(cr);
    }
  }
  d::set_font(cr, 7);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  d::draw_text(cr, p.px0 - 4, strip0 + 6, say(language, "series.clear_all"), 1.0);
  d::draw_text(cr, p.px0 - 4, strip1, say(language, "series.clear_none"), 1.0);
  d::set_font(cr, 7.5);
  std::vector<double> centres, widths;
  std::vector<std::string> labels;
  for (auto const& s : in.series) {
    labels.push_back(format_date(language, from_days_since_epoch(s.day)));
    centres.push_back(p.x(s.day));
    widths.push_back(d::text_width(cr, labels.back()));
  }
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (auto i : thin_labels(centres, widths, 6.0))
    d::draw_text(cr, centres[i], strip1 + 11, labels[i], 0.5);
  d::set_font(cr, 9, true);
  d::draw_text(cr, (p.px0 + p.px1) / 2, strip1 + 25,
               say(language, in.series.size() > 1 ? "series.acquisition_date"
                                                  : "series.acquisition_date_one"),
               0.5);
}

/// Legend on the right of the plot: the lines (one per largest alert, by its number on the
/// maps), the band, the whole AOI, the references, the dates and the shading.
void draw_series_legend(cairo_t* cr, series_plot const& p, job_spec const& spec,
                        aoi_inputs const& in) {
  double const lx = p.px1 + 14, width = report_page_width - kMargin - lx - 24;
  double ly = p.py0 + 8;
  d::set_font(cr, 7.5);
  enum class mark { line, dashed, dotted, vertical, vertical_dashed, band, shade };
  struct entry {
    std::string text;
    std::uint32_t colour;
    mark style;
    double width = 1.5;
  };
  bool const bitemporal = is_bitemporal(spec, in);
  auto const lang = spec.outputs.language;
  std::string const reference =
      say(lang, bitemporal ? "series.latest_baseline_look" : "series.baseline_mean");
  std::vector<entry> entries;
  auto const lines = largest_alerts(in.alerts, series_alert_lines);
  for (std::size_t j = 0; j < lines.size(); ++j) {
    auto const& a = in.alerts[lines[j]];
    entries.push_back(
        {say(lang, "series.alert_line", lines[j] + 1, format_number(lang, a.area_ha, 2)),
         kAlertColours[j], mark::line, alert_line_width(j)});
  }
  if (in.alerts.size() > lines.size())
    entries.push_back({say(lang, "series.others", in.alerts.size() - lines.size()),
                       kAlertColours[0], mark::band});
  if (in.alerts.empty()) entries.push_back({say(lang, "series.no_alerts"), 0xFFFFFF, mark::band});
  entries.push_back({say(lang, "series.whole_aoi"), kAoiColour, mark::line});
  entries.push_back({say(lang, "series.reference_aoi", reference), kAoiColour, mark::dashed});
  entries.push_back({say(lang, "series.reference_alerts", reference), 0x555555, mark::dashed});
  entries.push_back(
      {say(lang, "series.threshold", reference, format_number(lang, spec.change.drop, 2)), 0x555555,
       mark::dotted});
  if (!bitemporal) {
    entries.push_back({say(lang, "series.first_anomaly"), 0xE08000, mark::vertical_dashed});
    entries.push_back({say(lang, "series.confirmation"), 0x333333, mark::vertical});
  } else {
    entries.push_back({say(lang, "series.latest_monitor_look"), 0x333333, mark::vertical});
  }
  entries.push_back({say(lang, "series.baseline_period"), kBaselineShade, mark::shade});
  entries.push_back({say(lang, "series.monitor_period"), kMonitorShade, mark::shade});
  entries.push_back({say(lang, "series.dotted"), 0xFFFFFF, mark::band});
  entries.push_back({say(lang, "series.breaks"), 0xFFFFFF, mark::band});
  for (auto const& e : entries) {
    if (e.colour != 0xFFFFFF || e.style != mark::band) {
      d::set_colour(cr, e.colour);
      cairo_set_line_width(cr, e.style == mark::line ? e.width : 1.0);
      if (e.style == mark::dashed || e.style == mark::dotted || e.style == mark::vertical_dashed) {
        double const dash[] = {e.style == mark::dotted ? 1.5 : 3.0, 3};
        cairo_set_dash(cr, dash, 2, 0);
      }
      if (e.style == mark::band || e.style == mark::shade) {
        if (e.style == mark::band) d::set_colour(cr, e.colour, 0.18);
        cairo_rectangle(cr, lx, ly - 7, 18, 8);
        cairo_fill(cr);
      } else if (e.style == mark::vertical || e.style == mark::vertical_dashed) {
        cairo_move_to(cr, lx + 9, ly - 8);
        cairo_line_to(cr, lx + 9, ly + 2);
        cairo_stroke(cr);
      } else {
        cairo_move_to(cr, lx, ly - 3);
        cairo_line_to(cr, lx + 18, ly - 3);
        cairo_stroke(cr);
        if (e.style == mark::line) {
          cairo_arc(cr, lx + 9, ly - 3, e.width / 2 + 1.6, 0, 2 * std::numbers::pi);
          cairo_fill(cr);
        }
      }
      cairo_set_dash(cr, nullptr, 0, 0);
    }
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (auto const& part : d::wrap_text(cr, e.text, width)) {
      d::draw_text(cr, lx + 24, ly, part);
      ly += 10;
    }
    ly += 3;
  }
}

/// Provenance below the plot, wrapped, as far as the page goes.
void draw_provenance(cairo_t* cr, series_plot const& p, std::vector<std::string> const& provenance,
                     report_language language) {
  double y = p.py1 + 72;
  d::set_font(cr, 10, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, kMargin, y, say(language, "series.provenance"));
  y += 14;
  // The largest size down to 6.5 pt at which every line fits above the footer (the longer
  // languages need a little less than 8 pt); at the smallest, what does not fit is left out.
  double size = 8;
  std::vector<std::string> parts;
  for (;; size -= 0.5) {
    d::set_font(cr, size);
    parts.clear();
    for (auto const& line : provenance)
      for (auto& part : d::wrap_text(cr, line, report_page_width - 2 * kMargin))
        parts.push_back(std::move(part));
    if (size <= 6.5 ||
        y + (size + 3) * (static_cast<double>(parts.size()) - 1) <= report_page_height - 40)
      break;
  }
  for (auto const& part : parts) {
    if (y > report_page_height - 40) break;
    d::draw_text(cr, kMargin, y, part);
    y += size + 3;
  }
}

}  // namespace

/// The time-series page: the plot, its legend and the provenance of the outputs.
void draw_series_page(cairo_t* cr, job_spec const& spec, aoi_inputs const& in,
                      std::vector<std::string> const& provenance, page_context const& ctx) {
  std::string const index = upper(in.index);
  auto const lang = spec.outputs.language;
  d::draw_page_heading(cr, kMargin, say(lang, "series.title", in.name, index),
                       say(lang, "series.subtitle", index, series_alert_lines));
  auto const plot = make_series_plot(spec, in);
  draw_series_axes(cr, plot, in, index, lang);
  draw_alert_dates(cr, plot, in);
  draw_series_lines(cr, plot, spec, in);
  if (in.series.empty()) {
    d::set_font(cr, 10);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    d::draw_text(cr, (plot.px0 + plot.px1) / 2, (plot.py0 + plot.py1) / 2,
                 say(lang, "series.no_series"), 0.5);
  }
  draw_date_labels(cr, plot, in, lang);
  draw_series_legend(cr, plot, spec, in);
  draw_provenance(cr, plot, provenance, lang);
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages, lang);
}

double time_axis::x(double day) const {
  if (last_day == first_day) return (x0 + x1) / 2;
  return x0 + (x1 - x0) * (day - first_day) / (last_day - first_day);
}

std::vector<std::size_t> thin_labels(std::vector<double> const& centres,
                                     std::vector<double> const& widths, double gap) {
  std::vector<std::size_t> kept;
  std::size_t const n = std::min(centres.size(), widths.size());
  if (n == 0) return kept;
  auto const clear_of = [&](std::size_t a, std::size_t b) {  // a left of b
    return centres[a] + widths[a] / 2 + gap <= centres[b] - widths[b] / 2;
  };
  kept.push_back(0);
  if (n == 1) return kept;
  for (std::size_t i = 1; i + 1 < n; ++i)
    if (clear_of(kept.back(), i) && clear_of(i, n - 1)) kept.push_back(i);
  if (clear_of(kept.back(), n - 1)) kept.push_back(n - 1);
  return kept;
}

std::vector<std::pair<std::size_t, std::size_t>> finite_runs(std::vector<double> const& values) {
  std::vector<std::pair<std::size_t, std::size_t>> runs;
  for (std::size_t i = 0; i < values.size();) {
    if (!std::isfinite(values[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < values.size() && std::isfinite(values[end])) ++end;
    runs.emplace_back(i, end);
    i = end;
  }
  return runs;
}

std::vector<std::size_t> largest_alerts(std::vector<alert> const& alerts, std::size_t cap) {
  std::vector<std::size_t> order(alerts.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return alerts[a].area_ha > alerts[b].area_ha;
  });
  order.resize(std::min(cap, order.size()));
  std::sort(order.begin(), order.end());
  return order;
}

series_frame series_plot_frame() {
  series_plot const p;
  return {p.px0, p.py0, p.px1, p.py1, p.px0 + kAxisPad, p.px1 - kAxisPad};
}

}  // namespace geosweep::pipeline
