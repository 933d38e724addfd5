// The alert pages of an AOI report (report_alert_pages.hpp): chips cut from the map pages'
// pixels (so that colours match the maps), outlines from the patch raster, the facts of the
// alert in the sidebar with true north and a scale bar, its index over time below the chips.
#include "report/report_alert_pages.hpp"

#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/text.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "report/report_drawing.hpp"
#include "report/report_map.hpp"
#include "report/report_pages.hpp"
#include "report/report_series_page.hpp"
#include "report/report_text.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;

constexpr double kMargin = 36.0;
constexpr double kChipsLeft = kMargin, kChipsRight = 566.0;
constexpr double kChipsTop = 98.0, kChipsBottom = 404.0;
constexpr double kChipGap = 14.0, kRowGap = 20.0;
constexpr double kSidebarX = 590.0;
constexpr double kSidebarWidth = report_page_width - kMargin - kSidebarX;
constexpr std::uint32_t kAlertLine = 0xC0003C, kAoiLine = 0x2E7D32;

std::string text(job_spec const& spec, char const* key) {
  return std::string(tr(spec.outputs.language, key));
}

template <class... Args>
std::string text(job_spec const& spec, char const* key, Args&&... args) {
  return say(spec.outputs.language, key, std::forward<Args>(args)...);
}

/// The map pages the chips are cut from, by row: true colour, false colour, else the index.
std::vector<std::array<map_page_spec const*, 2>> chip_sources(report_document const& doc) {
  std::vector<std::array<map_page_spec const*, 2>> rows;
  auto const add_kind = [&](std::string const& kind) {
    std::array<map_page_spec const*, 2> row{};
    for (auto const& m : doc.maps)
      if (m.kind == kind) row[m.period == "before" ? 0 : 1] = &m;
    if (row[0] && row[1]) rows.push_back(row);
  };
  add_kind("true_colour");
  add_kind("false_colour");
  if (rows.empty() && !doc.maps.empty()) add_kind(doc.maps.front().kind);
  return rows;
}

/// An ISO date of the inputs as the report's language writes it (as it is when it does not
/// parse).
std::string local_date(job_spec const& spec, std::string const& iso) {
  return date_text(spec.outputs.language, iso);
}

/// The dates of an alert's own pixels in a chip: one date, or the first and the last; the
/// period's latest date (`fallback`) where the run recorded none.
std::string look_dates(job_spec const& spec, std::optional<day_range> const& days,
                       std::string const& fallback) {
  if (!days) return local_date(spec, fallback);
  auto const lang = spec.outputs.language;
  std::string const last = format_date(lang, from_days_since_epoch(days->last));
  if (days->first == days->last) return last;
  return fmt::format("{} \u2013 {}", format_date(lang, from_days_since_epoch(days->first)), last);
}

std::string kind_name(job_spec const& spec, std::string const& kind) {
  if (kind == "true_colour") return text(spec, "alert_page.true_colour");
  if (kind == "false_colour") return text(spec, "alert_page.false_colour");
  return upper(kind);
}

/// One chip: the window of the map page's pixels, every pixel a block, with the outlines of
/// the alert (its confidence colour) and of its neighbours (white), and their numbers.
void draw_chip(cairo_t* cr, map_page const& page, chip_window const& w, page_box const& at,
               double scale, aoi_inputs const& in, std::size_t k) {
  std::vector<std::int32_t> patch(static_cast<std::size_t>(w.width) * w.height);
  for (int r = 0; r < w.height; ++r) {
    for (int c = 0; c < w.width; ++c) {
      patch[static_cast<std::size_t>(r) * w.width + c] =
          page.patch[static_cast<std::size_t>(w.row0 + r) * page.width + (w.col0 + c)];
    }
  }
  cairo_save(cr);
  cairo_rectangle(cr, at.x0, at.y0, at.x1 - at.x0, at.y1 - at.y0);
  cairo_clip(cr);
  d::draw_pixels(cr, page.pixels.data() + static_cast<std::size_t>(w.row0) * page.width + w.col0,
                 static_cast<std::size_t>(page.width), w.width, w.height, at.x0, at.y0, scale);
  std::vector<int> style(in.alerts.size(), 3);
  style[k] = in.alerts[k].confidence == alert_confidence::high ? 2 : 1;
  // Outlines traced over the window and a pixel beyond it (within the grid), so that a
  // patch the window cuts shows no edge along the cut.
  int const c0 = std::max(0, w.col0 - 1), r0 = std::max(0, w.row0 - 1);
  int const c1 = std::min(page.width, w.col0 + w.width + 1);
  int const r1 = std::min(page.height, w.row0 + w.height + 1);
  std::vector<std::int32_t> around(static_cast<std::size_t>(c1 - c0) * (r1 - r0));
  for (int r = r0; r < r1; ++r)
    for (int c = c0; c < c1; ++c)
      around[static_cast<std::size_t>(r - r0) * (c1 - c0) + (c - c0)] =
          page.patch[static_cast<std::size_t>(r) * page.width + c];
  draw_patch_outlines(cr, c1 - c0, r1 - r0, around, style, at.x0 - (w.col0 - c0) * scale,
                      at.y0 - (w.row0 - r0) * scale, scale);
  cairo_restore(cr);
  // The numbers of the alert and of its neighbours, placed clear of each other.
  auto const boxes = patch_boxes(patch, w.width, w.height, in.alerts.size());
  std::vector<label_request> requests;
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < boxes.size(); ++i) {
    std::size_t const j = i == 0 ? k : (i <= k ? i - 1 : i);  // the alert's own number first
    auto const& b = boxes[j];
    if (b.max_c < 0) continue;
    texts.push_back(std::to_string(j + 1));
    auto const [tw, th] = label_size(cr, texts.back(), 9);
    requests.push_back({{at.x0 + b.min_c * scale, at.y0 + b.min_r * scale,
                         at.x0 + (b.max_c + 1) * scale, at.y0 + (b.max_r + 1) * scale},
                        tw,
                        th});
  }
  draw_labels(cr, place_labels(requests, at), texts, 9);
  cairo_rectangle(cr, at.x0, at.y0, at.x1 - at.x0, at.y1 - at.y0);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.8);
  cairo_stroke(cr);
}

/// A north arrow centred at (cx, cy), turned `angle` degrees clockwise from up.
void draw_north_arrow(cairo_t* cr, double cx, double cy, double angle) {
  double const R = 15;
  cairo_new_path(cr);
  cairo_arc(cr, cx, cy, R, 0, 2 * std::numbers::pi);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_fill_preserve(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.7);
  cairo_stroke(cr);
  cairo_save(cr);
  cairo_translate(cr, cx, cy);
  cairo_rotate(cr, angle * std::numbers::pi / 180.0);
  cairo_move_to(cr, 0, -R * 0.8);
  cairo_line_to(cr, R * 0.3, R * 0.5);
  cairo_line_to(cr, 0, R * 0.25);
  cairo_line_to(cr, -R * 0.3, R * 0.5);
  cairo_close_path(cr);
  cairo_fill(cr);
  cairo_restore(cr);
  double const a = angle * std::numbers::pi / 180.0;
  d::set_font(cr, 9, true);
  d::draw_text(cr, cx + std::sin(a) * (R + 7), cy - std::cos(a) * (R + 7) + 3.3, "N", 0.5);
}

/// The facts of the alert, label above value, from `y`; returns where they end.
double draw_facts(cairo_t* cr, job_spec const& spec, alert const& a, double y) {
  auto const lang = spec.outputs.language;
  std::vector<std::pair<std::string, std::vector<std::string>>> facts{
      {text(spec, "alert_page.id"), {a.id}},
      {text(spec, "alert_page.centroid"),
       {fmt::format("{}, {}", format_number(lang, a.centroid_lat, 6),
                    format_number(lang, a.centroid_lon, 6)),
        fmt::format("{}  {}", format_dms(lang, a.centroid_lat, true),
                    format_dms(lang, a.centroid_lon, false))}},
      {text(spec, "alert_page.area"),
       {text(spec, "alert_page.area_value", format_number(lang, a.area_ha, 4),
             format_number(lang, static_cast<double>(a.pixels), 0))}},
      {text(spec, "alert_page.first_seen"), {format_date(lang, a.first_seen)}},
      {text(spec, "alert_page.confirmed"),
       {a.confirmed_on ? format_date(lang, *a.confirmed_on)
                       : text(spec, "alert_page.not_confirmed")}},
      {text(spec, "alert_page.confidence"),
       {text(spec, a.confidence == alert_confidence::high ? "alert_page.confidence_high"
                                                          : "alert_page.confidence_low")}},
      {text(spec, "alert_page.magnitude"), {format_number(lang, a.mean_magnitude, 4)}}};
  if (a.cause) facts.push_back({std::string(tr(lang, "table.cause")), {cause_text(lang, a)}});
  if (a.estimated_value)
    facts.push_back({text(spec, "alert_page.value"), {format_number(lang, *a.estimated_value, 2)}});
  for (auto const& [label, values] : facts) {
    d::set_font(cr, 7.5);
    cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
    d::draw_text(cr, kSidebarX, y, label);
    y += 11;
    d::set_font(cr, 9.5, true);
    cairo_set_source_rgb(cr, 0, 0, 0);
    for (auto const& v : values) {
      d::draw_text(cr, kSidebarX, y, v);
      y += 12;
    }
    y += 4;
  }
  return y;
}

/// The alert's index on every date (x to scale), the AOI's mean for context, the alert's
/// first-seen (dashed) and confirmation (solid) dates; dates without a clear look are gaps.
void draw_alert_series(cairo_t* cr, job_spec const& spec, aoi_inputs const& in, std::size_t k,
                       page_box const& box) {
  auto const lang = spec.outputs.language;
  d::set_font(cr, 9, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, box.x0 - 30, box.y0 - 8, text(spec, "alert_page.series_title", upper(in.index)));
  if (in.series.empty() || k >= in.alert_series.size()) return;
  std::vector<double> const& values = in.alert_series[k];
  std::vector<double> aoi(in.series.size());
  for (std::size_t i = 0; i < in.series.size(); ++i) aoi[i] = in.series[i].aoi_mean;
  double lo = 1e9, hi = -1e9;
  for (std::vector<double> const* line : {&values, static_cast<std::vector<double> const*>(&aoi)})
    for (double v : *line)
      if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
  if (lo > hi) lo = 0, hi = 1;
  lo = std::floor(lo * 10 - 0.5) / 10;
  hi = std::ceil(hi * 10 + 0.5) / 10;
  time_axis const axis{in.series.front().day, in.series.back().day, box.x0 + 8, box.x1 - 8};
  auto const y_of = [&](double v) { return box.y1 - (box.y1 - box.y0) * (v - lo) / (hi - lo); };
  // The monitoring period shaded, from its first date.
  auto const first_monitor = std::find_if(in.series.begin(), in.series.end(),
                                          [](series_point const& p) { return p.monitor; });
  if (first_monitor != in.series.end()) {
    double const x =
        in.monitor_start ? axis.x(days_since_epoch(*in.monitor_start)) : axis.x(first_monitor->day);
    double const from = std::clamp(x, box.x0, box.x1);
    cairo_rectangle(cr, from, box.y0, box.x1 - from, box.y1 - box.y0);
    d::set_colour(cr, 0xDCE8F7);
    cairo_fill(cr);
  }
  d::set_font(cr, 7.5);
  cairo_set_line_width(cr, 0.4);
  for (double v : {lo, (lo + hi) / 2, hi}) {
    cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
    cairo_move_to(cr, box.x0, y_of(v));
    cairo_line_to(cr, box.x1, y_of(v));
    cairo_stroke(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, box.x0 - 4, y_of(v) + 3, format_number(lang, v, 2), 1.0);
  }
  alert const& a = in.alerts[k];
  auto const vline = [&](civil_date date, bool dashed) {
    double const x = axis.x(days_since_epoch(date));
    if (x < box.x0 || x > box.x1) return;
    cairo_set_line_width(cr, 1.0);
    double const dash[] = {3, 3};
    if (dashed) cairo_set_dash(cr, dash, 2, 0);
    d::set_colour(cr, dashed ? 0xE08000 : 0x333333);
    cairo_move_to(cr, x, box.y0);
    cairo_line_to(cr, x, box.y1);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
  };
  vline(a.first_seen, true);
  if (a.confirmed_on) vline(*a.confirmed_on, false);
  auto const line = [&](std::vector<double> const& v, std::uint32_t colour, double width) {
    d::set_colour(cr, colour);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_width(cr, width);
    for (auto const& [begin, end] : finite_runs(v)) {
      // Between the periods there is no look at all: a thin dotted segment, as on the
      // time-series page.
      for (std::size_t i = begin + 1; i < end; ++i) {
        bool const between = in.series[i - 1].monitor != in.series[i].monitor;
        double const dash[] = {1.5, 2.5};
        if (between) cairo_set_dash(cr, dash, 2, 0);
        cairo_set_line_width(cr, between ? 0.8 : width);
        cairo_move_to(cr, axis.x(in.series[i - 1].day), y_of(v[i - 1]));
        cairo_line_to(cr, axis.x(in.series[i].day), y_of(v[i]));
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
      }
      for (std::size_t i = begin; i < end; ++i) {
        cairo_arc(cr, axis.x(in.series[i].day), y_of(v[i]), width / 2 + 1.2, 0,
                  2 * std::numbers::pi);
        cairo_fill(cr);
      }
    }
  };
  line(aoi, kAoiLine, 1.2);
  line(values, kAlertLine, 1.8);
  cairo_rectangle(cr, box.x0, box.y0, box.x1 - box.x0, box.y1 - box.y0);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 0.6);
  cairo_stroke(cr);
  // Date labels under the axis: the first and the last, and the dates between where they fit.
  d::set_font(cr, 7.5);
  std::vector<double> centres, widths;
  std::vector<std::string> labels;
  for (auto const& p : in.series) {
    labels.push_back(format_date(lang, from_days_since_epoch(p.day)));
    centres.push_back(axis.x(p.day));
    widths.push_back(d::text_width(cr, labels.back()));
  }
  for (std::size_t i : thin_labels(centres, widths, 8)) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, centres[i], box.y1 + 10, labels[i], 0.5);
    cairo_move_to(cr, centres[i], box.y1);
    cairo_line_to(cr, centres[i], box.y1 + 2.5);
    cairo_stroke(cr);
  }
  // Legend, right of the title.
  double x = box.x0 + 150;
  double const y = box.y0 - 8;
  for (auto const& [colour, key] : {std::pair{kAlertLine, "alert_page.this_alert"},
                                    std::pair{kAoiLine, "alert_page.aoi_mean"}}) {
    d::set_colour(cr, colour);
    cairo_rectangle(cr, x, y - 4, 14, 2);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, 0, 0, 0);
    std::string const t = text(spec, key);
    d::draw_text(cr, x + 18, y, t);
    x += 30 + d::text_width(cr, t);
  }
  d::set_colour(cr, 0xE08000);
  double const dash[] = {3, 3};
  cairo_set_dash(cr, dash, 2, 0);
  cairo_set_line_width(cr, 1.0);
  cairo_move_to(cr, x + 4, y - 8);
  cairo_line_to(cr, x + 4, y + 1);
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  cairo_set_source_rgb(cr, 0, 0, 0);
  std::string const first = text(spec, "alert_page.first_seen");
  d::draw_text(cr, x + 9, y, first);
  x += 24 + d::text_width(cr, first);
  d::set_colour(cr, 0x333333);
  cairo_move_to(cr, x + 4, y - 8);
  cairo_line_to(cr, x + 4, y + 1);
  cairo_stroke(cr);
  d::draw_text(cr, x + 9, y, text(spec, "alert_page.confirmed"));
}

}  // namespace

chip_window alert_window(pixel_box const& b, int grid_width, int grid_height) {
  int const w = b.max_c - b.min_c + 1, h = b.max_r - b.min_r + 1;
  int const mc = std::max(20, (w + 1) / 2), mr = std::max(20, (h + 1) / 2);
  chip_window out;
  out.col0 = std::max(0, b.min_c - mc);
  out.row0 = std::max(0, b.min_r - mr);
  out.width = std::min(grid_width, b.max_c + 1 + mc) - out.col0;
  out.height = std::min(grid_height, b.max_r + 1 + mr) - out.row0;
  return out;
}

alert_page_layout layout_alert_page(chip_window const& w, int rows) {
  rows = std::max(rows, 1);
  alert_page_layout out;
  double const cell_w = (kChipsRight - kChipsLeft - kChipGap) / 2;
  double const cell_h = (kChipsBottom - kChipsTop - (rows - 1) * kRowGap) / rows;
  out.scale = std::min(cell_w / std::max(w.width, 1), cell_h / std::max(w.height, 1));
  double const cw = w.width * out.scale, ch = w.height * out.scale;
  for (int r = 0; r < rows; ++r) {
    for (int p = 0; p < 2; ++p) {
      double const x = kChipsLeft + p * (cell_w + kChipGap) + (cell_w - cw) / 2;
      double const y = kChipsTop + r * (cell_h + kRowGap);
      out.chips.push_back({x, y, x + cw, y + ch});
    }
  }
  // The plot right under the chips (room for its title), at most 140 points high.
  double const plot_top = out.chips.back().y1 + 42;
  out.plot = {kChipsLeft + 30, plot_top, kChipsRight, std::min(530.0, plot_top + 140)};
  return out;
}

std::string format_dms(report_language language, double value, bool latitude) {
  double const a = std::abs(value);
  // Hundredths of a second, rounded once, so that 59.995" carries into the next minute.
  auto const hundredths = static_cast<long long>(std::llround(a * 360000.0));
  long long const degrees = hundredths / 360000;
  long long const minutes = hundredths / 6000 % 60;
  double const seconds = static_cast<double>(hundredths % 6000) / 100.0;
  std::string const sec = format_number(language, seconds, 2);
  char const hemisphere = latitude ? (value < 0 ? 'S' : 'N') : (value < 0 ? 'W' : 'E');
  return fmt::format("{}\u00b0{:02d}'{}{}\"{}", degrees, minutes, seconds < 10 ? "0" : "", sec,
                     hemisphere);
}

std::vector<std::size_t> alert_page_alerts(std::vector<alert> const& alerts, int cap) {
  return largest_alerts(alerts, static_cast<std::size_t>(std::max(cap, 0)));
}

void draw_alert_page(cairo_t* cr, job_spec const& spec, aoi_inputs const& in,
                     report_document const& doc, std::size_t k, page_context const& ctx) {
  alert const& a = in.alerts[k];
  d::draw_page_heading(cr, kMargin, text(spec, "alert_page.title", in.name, k + 1),
                       text(spec, "alert_page.subtitle", in.alerts.size(), doc.alert_pages.size()));
  auto const rows = chip_sources(doc);
  pixel_box const box = k < doc.patch_boxes.size() ? doc.patch_boxes[k] : pixel_box{};
  if (box.max_c >= 0 && !rows.empty()) {
    chip_window const w = alert_window(box, in.grid.width, in.grid.height);
    auto const layout = layout_alert_page(w, static_cast<int>(rows.size()));
    for (std::size_t r = 0; r < rows.size(); ++r) {
      for (int p = 0; p < 2; ++p) {
        auto const& chip = layout.chips[2 * r + static_cast<std::size_t>(p)];
        auto const& source = *rows[r][static_cast<std::size_t>(p)];
        d::set_font(cr, 8.5, true);
        cairo_set_source_rgb(cr, 0, 0, 0);
        std::string const caption = fmt::format(
            "{}, {}  \u00b7  {}", text(spec, p == 0 ? "alert_page.before" : "alert_page.after"),
            kind_name(spec, source.kind),
            look_dates(spec,
                       (source.kind == in.index ? in.alert_days : in.alert_colour_days)
                           .at(k)[static_cast<std::size_t>(p)],
                       p == 0 ? in.date_before : in.date_after));
        d::draw_text(cr, chip.x0, chip.y0 - 4, caption);
        draw_chip(cr, source.page, w, chip, layout.scale, in, k);
      }
    }
    // True north at the alert and a scale bar at the chips' scale, in the sidebar.
    image_point const centre{(box.min_c + box.max_c + 1) / 2.0, (box.min_r + box.max_r + 1) / 2.0};
    double const metres_per_pixel =
        doc.geography.ground_distance({centre[0] - 0.5, centre[1]}, {centre[0] + 0.5, centre[1]});
    double const y = 400;
    draw_north_arrow(cr, kSidebarX + 16, y + 26, doc.geography.true_north_angle(centre));
    d::set_font(cr, 7.5);
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, kSidebarX + 40, y + 22, text(spec, "alert_page.true_north"));
    draw_scale_bar_at(cr, kSidebarX + 6, y + 66, kSidebarWidth - 40,
                      metres_per_pixel / layout.scale, spec.outputs.language);
    d::set_font(cr, 7.5);
    cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
    double ly = y + 86;
    for (auto const& line : d::wrap_text(cr, text(spec, "alert_page.legend"), kSidebarWidth)) {
      d::draw_text(cr, kSidebarX, ly, line);
      ly += 9.5;
    }
    draw_alert_series(cr, spec, in, k, layout.plot);
  }
  draw_facts(cr, spec, a, 92);
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages, spec.outputs.language);
}

}  // namespace geosweep::pipeline
