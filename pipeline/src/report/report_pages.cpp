// The pages of an AOI report (report_pages.hpp): the map page specs (stretched composites or
// index colours, sidebars), the alert table, the texts that say where the report comes from,
// and the list of page painters (the time-series page is drawn by report_series_page.cpp).
// Table cells print alert fields as alerts.csv writes them.
#include "report/report_pages.hpp"

#include "outputs/product_layout.hpp"

#include <cairo.h>
#include <ogr_spatialref.h>

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "core/gdal_utils.hpp"
#include "core/text.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/sanity_warnings.hpp"
#include "report/report_alert_pages.hpp"
#include "report/report_drawing.hpp"
#include "report/report_series_page.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;

constexpr double kMargin = 36.0;
constexpr int kRowsPerPage = 26;

// ---------------------------------------------------------------- map images

/// Stretched 0xRRGGBB pixels of one period; limits per band over both periods (2-98 %).
std::vector<std::uint32_t> stretch(aoi_inputs const& in, colour_composite const& c,
                                   std::array<std::array<float, 2>, 3> const& limits) {
  std::size_t const n = in.grid.pixel_count();
  std::vector<std::uint32_t> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (in.change[i] == kernels::change_outside_aoi) {
      out[i] = 0xE6E6E6;
      continue;
    }
    std::uint32_t rgb = 0;
    bool valid = true;
    for (int b = 0; b < 3; ++b) {
      float const v = c.bands[static_cast<std::size_t>(b)][i];
      if (!std::isfinite(v)) {
        valid = false;
        break;
      }
      auto const& [lo, hi] = limits[static_cast<std::size_t>(b)];
      double const t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      auto const byte = static_cast<std::uint32_t>(std::lround(std::clamp(t, 0.0, 1.0) * 255.0));
      rgb |= byte << (16 - 8 * b);
    }
    out[i] = valid ? rgb : 0x8C8C8C;
  }
  return out;
}

/// The 2-98 % limits of each band, pooled over both periods inside the AOI.
std::array<std::array<float, 2>, 3> stretch_limits(
    aoi_inputs const& in, std::array<std::optional<colour_composite>, 2> const& c) {
  std::array<std::array<float, 2>, 3> limits{};
  for (std::size_t b = 0; b < 3; ++b) {
    std::vector<float> pooled;
    for (auto const& period : c) {
      for (std::size_t i = 0; i < in.change.size(); ++i)
        if (in.change[i] != kernels::change_outside_aoi) pooled.push_back(period->bands[b][i]);
    }
    limits[b] = percentile_limits(pooled, 2.0, 98.0);
  }
  return limits;
}

/// The index as colours (brown low, green high) when there is no colour image.
std::vector<std::uint32_t> index_colours(aoi_inputs const& in, std::vector<float> const& v,
                                         std::array<float, 2> limits) {
  std::vector<std::uint32_t> out(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (in.change[i] == kernels::change_outside_aoi) {
      out[i] = 0xE6E6E6;
    } else if (!std::isfinite(v[i])) {
      out[i] = 0x8C8C8C;
    } else {
      double const t = std::clamp(
          limits[1] > limits[0] ? (v[i] - limits[0]) / (limits[1] - limits[0]) : 0.5, 0.0, 1.0);
      auto const mix = [&](int a, int b) { return static_cast<std::uint32_t>(a + t * (b - a)); };
      out[i] = mix(0xA6, 0x1A) << 16 | mix(0x61, 0x96) << 8 | mix(0x1A, 0x41);
    }
  }
  return out;
}

// ---------------------------------------------------------------- the alert table

/// Alerts, area and high-confidence count of an AOI, as the table and sidebars state them.
struct alert_totals {
  double area_ha = 0;
  int high = 0;
  bool with_value = false;  ///< an alert has an estimated value
};

alert_totals totals_of(std::vector<alert> const& alerts) {
  alert_totals t;
  for (auto const& a : alerts) {
    t.area_ha += a.area_ha;
    t.high += a.confidence == alert_confidence::high ? 1 : 0;
    t.with_value = t.with_value || a.estimated_value.has_value();
  }
  return t;
}

/// The column titles and the rule under them; returns the table's right edge.
double draw_table_header(cairo_t* cr, std::vector<table_column> const& columns, double y) {
  double x = kMargin;
  d::set_font(cr, 8.5, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (auto const& c : columns) {
    d::draw_text(cr, c.align > 0 ? x + c.width - 6 : x, y, c.title, c.align);
    x += c.width;
  }
  double const table_right = x;
  cairo_set_line_width(cr, 0.8);
  cairo_move_to(cr, kMargin, y + 5);
  cairo_line_to(cr, table_right, y + 5);
  cairo_stroke(cr);
  return table_right;
}

/// Row `r` of the alert table (number r + 1 on the maps) with its top at `y`.
void draw_table_row(cairo_t* cr, std::vector<table_column> const& columns, alert const& a,
                    std::size_t r, bool shaded, double y, double table_right) {
  double const row_h = 16;
  if (shaded) {
    cairo_rectangle(cr, kMargin, y, table_right - kMargin, row_h);
    cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
    cairo_fill(cr);
  }
  double x = kMargin;
  double const baseline = y + row_h - 4.5;
  for (auto const& c : columns) {
    std::string text = c.key == "#" ? std::to_string(r + 1) : alert_cell_text(a, c.key);
    if (c.key == "confirmed_on" && text.empty()) text = "\u2013";
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (c.key == "confidence") {
      cairo_rectangle(cr, x, y + 4, 9, 8);
      d::set_colour(cr, a.confidence == alert_confidence::high ? high_confidence_colour
                                                               : low_confidence_colour);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      d::draw_text(cr, x + 13, baseline, text);
    } else {
      d::draw_text(cr, c.align > 0 ? x + c.width - 6 : x, baseline, text, c.align);
    }
    x += c.width;
  }
}

/// Table page `table_page` of `table_pages`: rows `first` to `first + count` of the alerts.
void draw_table_page(cairo_t* cr, aoi_inputs const& in, std::size_t first, std::size_t count,
                     int table_page, int table_pages, page_context const& ctx) {
  auto const totals = totals_of(in.alerts);
  std::string title = in.name + ": alerts";
  if (table_pages > 1)
    title += " (" + std::to_string(table_page) + " of " + std::to_string(table_pages) + ")";
  d::draw_page_heading(cr, kMargin, title,
                       std::to_string(in.alerts.size()) + " alert(s), " + fixed(totals.area_ha, 2) +
                           " ha, " + std::to_string(totals.high) + " high confidence; monitoring " +
                           in.monitor_period +
                           "; the numbers (#) are those on the maps; rows as in alerts.csv");
  auto const columns = table_columns(totals.with_value);
  double y = 92;
  double const row_h = 16;
  double const table_right = draw_table_header(cr, columns, y);
  y += 5;
  d::set_font(cr, 8.5);
  if (in.alerts.empty()) {
    d::draw_text(cr, kMargin, y + 16, "No change found in this AOI for the monitoring period.");
  }
  for (std::size_t r = first; r < first + count; ++r) {
    draw_table_row(cr, columns, in.alerts[r], r, (r - first) % 2 == 1, y, table_right);
    y += row_h;
  }
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_set_line_width(cr, 0.5);
  cairo_move_to(cr, kMargin, y + 1);
  cairo_line_to(cr, table_right, y + 1);
  cairo_stroke(cr);
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages);
}

// ---------------------------------------------------------------- map pages

/// What every map page of an AOI shares: grid, outlines, footer and the common sidebar.
struct map_basis {
  aoi_inputs const& in;
  std::vector<int> confidence;  ///< per patch number - 1: 1 low, 2 high
  std::string crs_name;
  double pixel_w = 0, pixel_h = 0;  ///< metres on the ground at the centre
  alert_totals totals;
  std::string footer;
};

map_basis make_map_basis(aoi_inputs const& in, grid_geography const& geo,
                         std::string const& footer) {
  map_basis b{in, {}, {}, 0, 0, totals_of(in.alerts), footer};
  for (auto const& a : in.alerts)
    b.confidence.push_back(a.confidence == alert_confidence::high ? 2 : 1);
  OGRSpatialReference const srs = make_srs(in.grid.crs_wkt);
  b.crs_name = srs.GetName() ? srs.GetName() : "unnamed";
  double const cx = in.grid.width / 2.0, cy = in.grid.height / 2.0;
  b.pixel_w = geo.ground_distance({cx, cy}, {cx + 1, cy});
  b.pixel_h = geo.ground_distance({cx, cy}, {cx, cy + 1});
  return b;
}

/// A map page of `period` with everything but its pixels, title and subtitle.
map_page base_page(map_basis const& b, std::string const& period) {
  aoi_inputs const& in = b.in;
  map_page p;
  p.width = in.grid.width;
  p.height = in.grid.height;
  p.patch = in.patch;
  p.change = in.change;
  p.patch_confidence = b.confidence;
  p.footer = b.footer;
  p.one_look_per_period = in.change_method == to_string(change_method::bitemporal);
  for (auto const& code : in.warnings) p.warnings.push_back(describe_warning(code));
  bool const before = period == "before";
  p.sidebar = {
      "#Image",
      "Date: " + (before ? in.date_before : in.date_after),
      "Latest clear look of the " + std::string(before ? "baseline period " + in.baseline_period
                                                       : "monitoring period " + in.monitor_period),
      "",
      "#Grid",
      std::string("CRS: ") + b.crs_name,
      "Pixel: " + fixed(b.pixel_w, 1) + " x " + fixed(b.pixel_h, 1) + " m on the ground",
      "",
      "#Alerts",
      std::to_string(in.alerts.size()) + " alert(s), " + fixed(b.totals.area_ha, 2) + " ha, " +
          std::to_string(b.totals.high) + " high confidence"};
  return p;
}

/// Before and after pages of each colour composite, stretched alike.
void add_colour_pages(std::vector<map_page_spec>& maps, map_basis const& b) {
  aoi_inputs const& in = b.in;
  for (auto const& [kind, periods] : in.colours) {
    auto const limits = stretch_limits(in, periods);
    bool const false_colour = kind == "false_colour";
    for (int p = 0; p < 2; ++p) {
      std::string const period = p == 0 ? "before" : "after";
      map_page page = base_page(b, period);
      page.pixels = stretch(in, *periods[static_cast<std::size_t>(p)], limits);
      page.title = in.name + ": " + period + ", " + (false_colour ? "false colour" : "true colour");
      page.subtitle = (p == 0 ? in.date_before : in.date_after) +
                      (false_colour ? "  \u00b7  near infrared, red, green as red, green, blue"
                                    : "  \u00b7  red, green, blue surface reflectance") +
                      "  \u00b7  stretched per band between the 2nd and 98th percentiles of "
                      "both dates";
      std::vector<std::string> stretch_text{"Stretch, 2nd to 98th percentile (reflectance):"};
      char const* const band_names[2][3] = {{"red", "green", "blue"}, {"NIR", "red", "green"}};
      for (int band = 0; band < 3; ++band)
        stretch_text.push_back(std::string("  ") + band_names[false_colour ? 1 : 0][band] + " " +
                               fixed(limits[static_cast<std::size_t>(band)][0], 3) + " \u2013 " +
                               fixed(limits[static_cast<std::size_t>(band)][1], 3));
      page.sidebar.insert(page.sidebar.begin() + 3, stretch_text.begin(), stretch_text.end());
      maps.push_back({kind, period, std::move(page)});
    }
  }
}

/// Before and after pages of the index, when there are no colour composites.
void add_index_pages(std::vector<map_page_spec>& maps, map_basis const& b) {
  aoi_inputs const& in = b.in;
  std::vector<float> pooled;
  for (auto const& image : in.index_images)
    for (std::size_t i = 0; i < image.size(); ++i)
      if (in.change[i] != kernels::change_outside_aoi) pooled.push_back(image[i]);
  auto const limits = percentile_limits(pooled, 2.0, 98.0);
  for (int p = 0; p < 2; ++p) {
    std::string const period = p == 0 ? "before" : "after";
    map_page page = base_page(b, period);
    page.pixels = index_colours(in, in.index_images[static_cast<std::size_t>(p)], limits);
    page.title = in.name + ": " + period + ", " + upper(in.index);
    page.subtitle = (p == 0 ? in.date_before : in.date_after) + "  \u00b7  " + upper(in.index) +
                    " from brown (" + fixed(limits[0], 2) + ") to green (" + fixed(limits[1], 2) +
                    "), 2nd to 98th percentile (no colour COGs)";
    maps.push_back({in.index, period, std::move(page)});
  }
}

// ---------------------------------------------------------------- provenance

/// The footer of every page: job, AOI, scenes, dates and the versions involved.
std::string report_footer(run_inputs const& run, aoi_inputs const& in) {
  std::string first_date, last_date;
  if (!in.series.empty()) {
    first_date = to_iso(from_days_since_epoch(in.series.front().day));
    last_date = to_iso(from_days_since_epoch(in.series.back().day));
  }
  return "job '" + run.job + "', AOI '" + in.name + "': " + std::to_string(run.scenes.size()) +
         " scenes, " + std::to_string(in.series.size()) + " dates from " + first_date + " to " +
         last_date + "; change.nc by geosweep " + run.version + ", report by geosweep " +
         geosweep_version();
}

/// The method that wrote change.nc: its own record, else the job's.
std::string method_of(job_spec const& spec, run_inputs const& run) {
  return run.change_method.empty() ? std::string(to_string(spec.change.method)) : run.change_method;
}

/// How patches are formed from the seeds: growth, edge buffer, minimum mapping unit.
std::string patch_text(change_spec const& c, bool bitemporal) {
  std::string grow;
  if (c.grow > 0) {
    std::string const fall =
        fmt::format("grow {} \u00d7 drop = {}", fixed(c.grow, 2), fixed(c.grow * c.drop, 3));
    grow = bitemporal ? fmt::format(
                            "Patches grow from the seeds into 8-connected forest pixels "
                            "whose index fell (before \u2212 after) by at least {}; ",
                            fall)
                      : fmt::format(
                            "Patches grow from the seeds into 8-connected forest pixels "
                            "whose latest clear monitoring look lies at least {} and {} "
                            "standard deviations below the baseline mean; ",
                            fall, fixed(c.grow * c.k_sigma, 2));
  } else {
    grow = "No growth (grow 0): only seeds form patches; ";
  }
  std::string const edge =
      !c.edge_buffer_m ? "no seed starts within one grid pixel of the AOI's boundary (edge buffer)"
      : *c.edge_buffer_m > 0
          ? fmt::format("no seed starts within {} m of the AOI's boundary (edge buffer)",
                        fixed(*c.edge_buffer_m, 1))
          : "no edge buffer";
  return fmt::format("{}{}; patches under {} ha (the minimum mapping unit) are dropped.", grow,
                     edge, fixed(c.min_area_ha, 2));
}

/// The provenance lines of the time-series page.
std::vector<std::string> provenance_lines(job_spec const& spec, run_inputs const& run,
                                          aoi_inputs const& in) {
  return {
      "Job: " + run.job + " (" + spec.file.string() + ")",
      method_description(spec, method_of(spec, run), in.index),
      "Periods: baseline " + in.baseline_period + ", monitoring " + in.monitor_period,
      fmt::format("Scenes ({}): {}", run.scenes.size(), fmt::join(run.scenes, ", ")),
      "Software: change.nc written by geosweep " + run.version + " (backend " + run.backend +
          "); report drawn by geosweep " + geosweep_version() + " from " + run.nc.string() + ", " +
          run.alerts_csv.string() + ", " +
          (spec.outputs.dir / product::series_table_file).string() +
          (in.colours.empty() ? std::string()
                              : " and " + product::cog_folder(spec.outputs.dir, in.name).string())};
}

}  // namespace

report_document make_document(job_spec const& spec, run_inputs const& run, aoi_inputs const& in) {
  report_document doc{grid_geography(in.grid), report_footer(run, in), {}, 1, {}, {}, {}};
  auto const basis = make_map_basis(in, doc.geography, doc.footer);
  add_colour_pages(doc.maps, basis);
  if (in.colours.empty()) add_index_pages(doc.maps, basis);
  doc.table_pages = std::max<std::size_t>(1, (in.alerts.size() + kRowsPerPage - 1) / kRowsPerPage);
  doc.alert_pages = alert_page_alerts(in.alerts, spec.report.alert_pages);
  doc.patch_boxes = patch_boxes(in.patch, in.grid.width, in.grid.height, in.alerts.size());
  doc.provenance = provenance_lines(spec, run, in);
  return doc;
}

std::vector<page_painter> page_painters(job_spec const& spec, aoi_inputs const& in,
                                        report_document const& doc) {
  std::vector<page_painter> pages;
  for (auto const& m : doc.maps) {
    pages.push_back([&m, &doc](cairo_t* cr, page_context const& ctx) {
      draw_map_page(cr, m.page, doc.geography, ctx.number, ctx.pages);
    });
  }
  std::size_t const table_pages = doc.table_pages;
  for (std::size_t t = 0; t < table_pages; ++t) {
    std::size_t const first = t * kRowsPerPage;
    std::size_t const count = std::min<std::size_t>(kRowsPerPage, in.alerts.size() - first);
    pages.push_back([&in, first, count, t, table_pages](cairo_t* cr, page_context const& ctx) {
      draw_table_page(cr, in, first, in.alerts.empty() ? 0 : count, static_cast<int>(t + 1),
                      static_cast<int>(table_pages), ctx);
    });
  }
  for (std::size_t k : doc.alert_pages) {
    pages.push_back([&spec, &in, &doc, k](cairo_t* cr, page_context const& ctx) {
      draw_alert_page(cr, spec, in, doc, k, ctx);
    });
  }
  pages.push_back([&spec, &in, &doc](cairo_t* cr, page_context const& ctx) {
    draw_series_page(cr, spec, in, doc.provenance, ctx);
  });
  return pages;
}

std::string method_description(job_spec const& spec, std::string const& method,
                               std::string const& index) {
  auto const& c = spec.change;
  bool const bitemporal = method == to_string(change_method::bitemporal);
  std::string const forest = fixed(c.forest_min, 2), drop = fixed(c.drop, 2);
  if (bitemporal)
    return fmt::format(
        "Change: bitemporal on {}, one look per period: each pixel's latest clear look of the "
        "baseline period against its latest clear look of the monitoring period. A forest pixel "
        "(before \u2265 forest_min {}) whose index fell by at least drop {} is a seed, loss with "
        "high confidence dated by its latest clear monitoring look. {}",
        index, forest, drop, patch_text(c, true));
  return fmt::format(
      "Change: baseline on {}, the ladder: each pixel's clear baseline looks give its mean and "
      "standard deviation; a forest pixel (baseline mean \u2265 forest_min {}) whose clear "
      "monitoring look lies at least drop {} and k_sigma {} standard deviations below its mean "
      "is anomalous; the first anomaly is a low-confidence candidate (first seen), {} anomalous "
      "clear looks within {} days of it confirm it (high confidence, confirmed on), a normal "
      "clear look before that clears it. {}",
      index, forest, drop, fixed(c.k_sigma, 1), c.confirm, c.window_days, patch_text(c, false));
}

std::string method_summary(job_spec const& spec, std::string const& method) {
  auto const& c = spec.change;
  if (method == to_string(change_method::bitemporal))
    return fmt::format(
        "bitemporal on {}: one clear look per period, a fall of at least {} from forest "
        "(\u2265 {}), patches of at least {} ha",
        c.index, fixed(c.drop, 2), fixed(c.forest_min, 2), fixed(c.min_area_ha, 2));
  return fmt::format(
      "baseline on {}: an anomaly at least {} and {} standard deviations below the pixel's "
      "baseline mean (forest \u2265 {}), confirmed by {} anomalous clear looks within {} days, "
      "patches of at least {} ha",
      c.index, fixed(c.drop, 2), fixed(c.k_sigma, 1), fixed(c.forest_min, 2), c.confirm,
      c.window_days, fixed(c.min_area_ha, 2));
}

std::string index_provenance(job_spec const& spec, run_inputs const& run) {
  return "Job '" + run.job + "', " + std::to_string(run.scenes.size()) + " scenes; change by " +
         method_summary(spec, method_of(spec, run)) + "; outputs of geosweep " + run.version + ".";
}

std::vector<table_column> table_columns(bool with_value) {
  std::vector<table_column> c{{"#", "#", 26, 1},
                              {"Alert id", "alert_id", 104, 0},
                              {"First seen", "first_seen", 72, 0},
                              {"Confirmed", "confirmed_on", 72, 0},
                              {"Confidence", "confidence", 74, 0},
                              {"Area (ha)", "area_ha", 64, 1},
                              {"Latitude", "centroid_lat", 74, 1},
                              {"Longitude", "centroid_lon", 80, 1},
                              {"Magnitude", "mean_magnitude", 66, 1},
                              {"Pixels", "pixels", 50, 1}};
  if (with_value) c.push_back({"Est. value", "estimated_value", 74, 1});
  return c;
}

std::string alert_cell_text(alert const& a, std::string_view key) {
  return field_text(alert_row(a, {key}).front());
}

}  // namespace geosweep::pipeline
