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
#include <charconv>
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
#include "report/report_text.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;

constexpr double kMargin = 36.0;
constexpr int kRowsPerPage = 26;

/// A period "YYYY-MM-DD to YYYY-MM-DD" (report_inputs) in `language`.
std::string period_text(report_language language, std::string const& period) {
  auto const a = period.size() >= 10 ? parse_iso_date(period.substr(0, 10)) : std::nullopt;
  auto const b =
      period.size() >= 10 ? parse_iso_date(period.substr(period.size() - 10)) : std::nullopt;
  if (!a || !b) return period;
  return say(language, "common.period", format_date(language, *a), format_date(language, *b));
}

/// "3 alert(s), 12.50 ha, 2 high confidence" in `language`.
std::string alert_summary(report_language language, std::size_t alerts, double area_ha, int high) {
  return say(language, "common.alert_summary", alerts, format_number(language, area_ha, 2), high);
}

/// A sanity warning's code explained in `language` (describe_warning's words); an unknown
/// code as it is.
std::string warning_text(report_language language, std::string_view code) {
  auto const equals = code.find('=');
  if (equals == std::string_view::npos) return std::string(code);
  auto const name = code.substr(0, equals), text = code.substr(equals + 1);
  double v = 0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::string(code);
  if (name == "flagged_share")
    return say(language, "map.warning_flagged_share", format_number(language, 100.0 * v, 1));
  if (name == "season_gap_days")
    return say(language, "map.warning_season_gap", format_number(language, v, 0));
  return std::string(code);
}

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
    out[i] = stretched_colour({c.bands[0][i], c.bands[1][i], c.bands[2][i]}, limits);
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
double draw_table_header(cairo_t* cr, std::vector<table_column> const& columns, double y,
                         double font = 8.5) {
  double x = kMargin;
  d::set_font(cr, font, true);
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
/// The dates of an alert's own pixels in one period's look: the latest, marked "*" when some
/// of its pixels come from earlier looks (its alert page gives the range).
std::string look_cell(report_language language, std::optional<day_range> const& days) {
  if (!days) return "\u2013";
  std::string const last = format_date(language, from_days_since_epoch(days->last));
  return days->first == days->last ? last : last + "*";
}

void draw_table_row(cairo_t* cr, std::vector<table_column> const& columns, alert const& a,
                    std::array<std::optional<day_range>, 2> const* looks, std::size_t r,
                    bool shaded, double y, double table_right, report_language language) {
  double const row_h = 16;
  if (shaded) {
    cairo_rectangle(cr, kMargin, y, table_right - kMargin, row_h);
    cairo_set_source_rgb(cr, 0.95, 0.95, 0.95);
    cairo_fill(cr);
  }
  double x = kMargin;
  double const baseline = y + row_h - 4.5;
  for (auto const& c : columns) {
    std::string text;
    if (c.key == "#")
      text = std::to_string(r + 1);
    else if (c.key == "look_before" || c.key == "look_after")
      text = looks != nullptr ? look_cell(language, (*looks)[c.key == "look_before" ? 0 : 1])
                              : std::string("\u2013");
    else
      text = alert_cell_text(language, a, c.key);
    if (c.key == "confirmed_on" && text.empty()) text = "\u2013";
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (c.key == "confidence") {
      cairo_rectangle(cr, x, y + 4, 9, 8);
      d::set_colour(cr, a.confidence == alert_confidence::high ? high_confidence_colour
                                                               : low_confidence_colour);
      cairo_fill(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      d::draw_text(cr, x + 13, baseline, text);
    } else if (c.key == "cause" && a.cause) {
      cairo_rectangle(cr, x, y + 4, 9, 8);
      d::set_colour(cr, cause_colour(*a.cause));
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
                     int table_page, int table_pages, page_context const& ctx,
                     report_language language) {
  auto const totals = totals_of(in.alerts);
  std::string const title =
      table_pages > 1 ? say(language, "table.title_part", in.name, table_page, table_pages)
                      : say(language, "table.title", in.name);
  d::draw_page_heading(cr, kMargin, title,
                       say(language, "table.subtitle",
                           alert_summary(language, in.alerts.size(), totals.area_ha, totals.high),
                           period_text(language, in.monitor_period)));
  bool const with_cause =
      std::any_of(in.alerts.begin(), in.alerts.end(), [](alert const& a) { return a.cause; });
  auto columns = table_columns(language, totals.with_value, with_cause);
  bool const looks = !in.index_days[0].empty() || !in.index_days[1].empty();
  if (looks) {
    // The dates of each alert's own pixels before and after, beside its detection dates; its
    // pixel count gives way (its alert page has it).
    std::erase_if(columns, [](table_column const& c) { return c.key == "pixels"; });
    auto const at = std::find_if(columns.begin(), columns.end(),
                                 [](table_column const& c) { return c.key == "confirmed_on"; });
    columns.insert(at + 1, {{std::string(tr(language, "table.look_before")), "look_before", 70, 0},
                            {std::string(tr(language, "table.look_after")), "look_after", 70, 0}});
  }
  // Narrowed, smaller type included, to fit between the margins.
  double total = 0;
  for (auto const& c : columns) total += c.width;
  double const fit = std::min(1.0, (report_page_width - 2 * kMargin) / total);
  for (auto& c : columns) c.width *= fit;
  double const font = 8.5 * fit;
  double y = 92;
  double const row_h = 16;
  double const table_right = draw_table_header(cr, columns, y, font);
  y += 5;
  d::set_font(cr, font);
  if (in.alerts.empty()) {
    d::draw_text(cr, kMargin, y + 16, std::string(tr(language, "table.no_change")));
  }
  for (std::size_t r = first; r < first + count; ++r) {
    draw_table_row(cr, columns, in.alerts[r],
                   r < in.alert_days.size() ? &in.alert_days[r] : nullptr, r, (r - first) % 2 == 1,
                   y, table_right, language);
    y += row_h;
  }
  if (looks) {  // what the marks of the look columns mean
    d::set_font(cr, 7.5);
    cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
    double ny = y + 14;
    for (auto const& line : d::wrap_text(cr, std::string(tr(language, "table.looks_note")),
                                         report_page_width - 2 * kMargin)) {
      d::draw_text(cr, kMargin, ny, line);
      ny += 10;
    }
  }
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_set_line_width(cr, 0.5);
  cairo_move_to(cr, kMargin, y + 1);
  cairo_line_to(cr, table_right, y + 1);
  cairo_stroke(cr);
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages, language);
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
  report_language language = report_language::en;
};

map_basis make_map_basis(aoi_inputs const& in, grid_geography const& geo, std::string const& footer,
                         report_language language) {
  map_basis b{in, {}, {}, 0, 0, totals_of(in.alerts), footer, language};
  for (auto const& a : in.alerts)
    b.confidence.push_back(a.confidence == alert_confidence::high ? 2 : 1);
  OGRSpatialReference const srs = make_srs(in.grid.crs_wkt);
  b.crs_name = srs.GetName() ? srs.GetName() : std::string(tr(language, "map.crs_unnamed"));
  double const cx = in.grid.width / 2.0, cy = in.grid.height / 2.0;
  b.pixel_w = geo.ground_distance({cx, cy}, {cx + 1, cy});
  b.pixel_h = geo.ground_distance({cx, cy}, {cx, cy + 1});
  return b;
}

/// A share of pixels as a percentage ("76", "4.5").
std::string percent_text(report_language language, double share) {
  return format_number(language, 100.0 * share, share < 0.095 ? 1 : 0);
}

/// The sidebar lines that say which dates the pixels of a map come from (the four most
/// common, the rest together, those without a look), and the date map with its legend.
void add_look_dates(map_page& p, std::vector<std::int32_t> const& days, aoi_inputs const& in,
                    std::vector<look_date_share> const& shares) {
  auto const lang = p.language;
  std::vector<std::string> lines{std::string(tr(lang, "map.dates"))};
  std::vector<std::string> labels;
  double other = 0;
  std::size_t dated = 0;
  for (auto const& s : shares) {
    // The date map's legend names the dates; the lines give their shares too.
    labels.push_back(s.date ? format_date(lang, *s.date) : std::string(tr(lang, "map.no_look")));
    if (!s.date || dated++ < 4) {
      lines.push_back(s.date
                          ? say(lang, "map.date_label", labels.back(), percent_text(lang, s.share))
                          : say(lang, "map.date_none", percent_text(lang, s.share)));
    } else {
      other += s.share;
    }
  }
  if (other > 0)
    lines.insert(lines.begin() + 5, say(lang, "map.date_other", percent_text(lang, other)));
  p.sidebar.insert(p.sidebar.begin() + 1, lines.begin(), lines.end());
  if (shares.size() < 2) return;  // one date for every pixel: the lines say it all
  p.dates = make_date_inset(days, in.change, in.grid.width, in.grid.height, shares, labels,
                            std::string(tr(lang, "map.date_others")), 160);
  p.dates_title = tr(lang, "map.date_map");
}

/// A map page of `period` with everything but its pixels and title; its subtitle the dates of
/// its pixels. `days`: the date of each pixel's look (empty for outputs that lack them).
map_page base_page(map_basis const& b, std::string const& period,
                   std::vector<std::int32_t> const& days) {
  aoi_inputs const& in = b.in;
  map_page p;
  p.width = in.grid.width;
  p.height = in.grid.height;
  p.patch = in.patch;
  p.change = in.change;
  p.patch_confidence = b.confidence;
  p.footer = b.footer;
  p.one_look_per_period = in.change_method == to_string(change_method::bitemporal);
  auto const lang = p.language = b.language;
  for (auto const& code : in.warnings) p.warnings.push_back(warning_text(lang, code));
  bool const before = period == "before";
  std::string const latest = date_text(lang, before ? in.date_before : in.date_after);
  p.sidebar = {
      fmt::format("#{}", tr(lang, "map.image")),
      before ? say(lang, "map.latest_baseline", period_text(lang, in.baseline_period))
             : say(lang, "map.latest_monitor", period_text(lang, in.monitor_period)),
      "",
      fmt::format("#{}", tr(lang, "map.grid")),
      say(lang, "map.crs", b.crs_name),
      say(lang, "map.pixel", format_number(lang, b.pixel_w, 1), format_number(lang, b.pixel_h, 1)),
      "",
      fmt::format("#{}", tr(lang, "map.alerts")),
      alert_summary(lang, in.alerts.size(), b.totals.area_ha, b.totals.high)};
  // bfast: the share of the AOI it could not model (too short a history) is not monitored.
  std::size_t inside = 0, no_model = 0;
  for (auto const c : in.change) {
    inside += c != kernels::change_outside_aoi ? 1 : 0;
    no_model += c == kernels::change_no_model ? 1 : 0;
  }
  if (no_model > 0) {
    p.sidebar.push_back(
        say(lang, "map.no_model",
            percent_text(lang, static_cast<double>(no_model) / static_cast<double>(inside))));
  }
  if (days.empty()) {  // outputs of a geosweep that did not record the dates of the pixels
    p.sidebar.insert(p.sidebar.begin() + 1,
                     {say(lang, "map.date", latest), std::string(tr(lang, "map.dates_unknown"))});
    p.subtitle = latest;
    return p;
  }
  auto const shares = look_date_shares(days, in.change);
  add_look_dates(p, days, in, shares);
  // The subtitle: the two most common dates, and that there are more.
  std::vector<std::string> brief;
  for (auto const& s : shares) {
    if (!s.date) continue;
    if (brief.size() == 2) {
      brief.push_back("\u2026");
      break;
    }
    brief.push_back(
        say(lang, "map.date_label", format_date(lang, *s.date), percent_text(lang, s.share)));
  }
  p.subtitle = brief.empty() ? latest : fmt::format("{}", fmt::join(brief, ", "));
  return p;
}

/// Before and after pages of each colour composite, stretched alike.
void add_colour_pages(std::vector<map_page_spec>& maps, map_basis const& b) {
  aoi_inputs const& in = b.in;
  auto const lang = b.language;
  for (auto const& [kind, periods] : in.colours) {
    auto const limits = stretch_limits(in, periods);
    bool const false_colour = kind == "false_colour";
    for (int p = 0; p < 2; ++p) {
      std::string const period = p == 0 ? "before" : "after";
      map_page page = base_page(b, period, in.colour_days[static_cast<std::size_t>(p)]);
      page.pixels = stretch(in, *periods[static_cast<std::size_t>(p)], limits);
      page.title = say(lang, "map.title", in.name, tr(lang, fmt::format("map.{}", period)),
                       tr(lang, false_colour ? "map.false_colour" : "map.true_colour"));
      page.subtitle = fmt::format("{}  \u00b7  {}  \u00b7  {}", page.subtitle,
                                  tr(lang, false_colour ? "map.bands_false" : "map.bands_true"),
                                  tr(lang, "map.stretch_note"));
      std::vector<std::string> stretch_text{std::string(tr(lang, "map.stretch"))};
      char const* const band_names[2][3] = {{"map.band_red", "map.band_green", "map.band_blue"},
                                            {"map.band_nir", "map.band_red", "map.band_green"}};
      for (int band = 0; band < 3; ++band)
        stretch_text.push_back(
            fmt::format("  {} {} \u2013 {}", tr(lang, band_names[false_colour ? 1 : 0][band]),
                        format_number(lang, limits[static_cast<std::size_t>(band)][0], 3),
                        format_number(lang, limits[static_cast<std::size_t>(band)][1], 3)));
      // After the image's dates and the period line.
      auto const at = std::find_if(page.sidebar.begin() + 1, page.sidebar.end(),
                                   [](std::string const& line) { return line.empty(); });
      page.sidebar.insert(at, stretch_text.begin(), stretch_text.end());
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
  auto const lang = b.language;
  for (int p = 0; p < 2; ++p) {
    std::string const period = p == 0 ? "before" : "after";
    map_page page = base_page(b, period, in.index_days[static_cast<std::size_t>(p)]);
    page.pixels = index_colours(in, in.index_images[static_cast<std::size_t>(p)], limits);
    page.title =
        say(lang, "map.title", in.name, tr(lang, fmt::format("map.{}", period)), upper(in.index));
    page.subtitle =
        fmt::format("{}  \u00b7  {}", page.subtitle,
                    say(lang, "map.index_subtitle", upper(in.index),
                        format_number(lang, limits[0], 2), format_number(lang, limits[1], 2)));
    maps.push_back({in.index, period, std::move(page)});
  }
}

// ---------------------------------------------------------------- provenance

/// The footer of every page: job, AOI, scenes, dates and the versions involved.
std::string report_footer(run_inputs const& run, aoi_inputs const& in, report_language language) {
  std::string first_date, last_date;
  if (!in.series.empty()) {
    first_date = format_date(language, from_days_since_epoch(in.series.front().day));
    last_date = format_date(language, from_days_since_epoch(in.series.back().day));
  }
  return say(language, "common.footer", run.job, in.name, run.scenes.size(), in.series.size(),
             first_date, last_date, run.version, geosweep_version());
}

/// The method that wrote change.nc: its own record, else the job's.
std::string method_of(job_spec const& spec, run_inputs const& run) {
  return run.change_method.empty() ? std::string(to_string(spec.change.method)) : run.change_method;
}

/// How patches are formed from the seeds: growth, edge buffer, minimum mapping unit.
std::string patch_text(change_spec const& c, bool bitemporal, report_language language) {
  auto const number = [&](double v, int decimals) { return format_number(language, v, decimals); };
  std::string grow;
  if (c.grow > 0 && c.method == change_method::bfast) {
    grow = say(language, "series.patch_grow_bfast", number(c.grow, 2));
  } else if (c.grow > 0) {
    std::string const fall =
        say(language, "series.patch_fall", number(c.grow, 2), number(c.grow * c.drop, 3));
    grow = bitemporal
               ? say(language, "series.patch_grow_bitemporal", fall)
               : say(language, "series.patch_grow_baseline", fall, number(c.grow * c.k_sigma, 2));
  } else {
    grow = tr(language, "series.patch_no_grow");
  }
  std::string const edge = !c.edge_buffer_m ? std::string(tr(language, "series.patch_edge_pixel"))
                           : *c.edge_buffer_m > 0
                               ? say(language, "series.patch_edge", number(*c.edge_buffer_m, 1))
                               : std::string(tr(language, "series.patch_edge_none"));
  return say(language, "series.patch_mmu", grow, edge, number(c.min_area_ha, 2));
}

/// The provenance lines of the time-series page.
std::vector<std::string> provenance_lines(job_spec const& spec, run_inputs const& run,
                                          aoi_inputs const& in) {
  auto const lang = spec.outputs.language;
  std::string files = fmt::format("{}, {}, {}", run.nc.string(), run.alerts_csv.string(),
                                  (spec.outputs.dir / product::series_table_file).string());
  if (!in.colours.empty())
    files = say(lang, "series.prov_and", files,
                product::cog_folder(spec.outputs.dir, in.name).string());
  return {say(lang, "series.prov_job", run.job, spec.file.string()),
          method_description(spec, method_of(spec, run), in.index),
          say(lang, "series.prov_periods", period_text(lang, in.baseline_period),
              period_text(lang, in.monitor_period)),
          say(lang, "series.prov_scenes", run.scenes.size(), fmt::join(run.scenes, ", ")),
          say(lang, "series.prov_software", run.version, run.backend, geosweep_version(), files)};
}

}  // namespace

report_document make_document(job_spec const& spec, run_inputs const& run, aoi_inputs const& in) {
  report_document doc{
      grid_geography(in.grid), report_footer(run, in, spec.outputs.language), {}, 1, {}, {}, {}};
  auto const basis = make_map_basis(in, doc.geography, doc.footer, spec.outputs.language);
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
    pages.push_back(
        [&spec, &in, first, count, t, table_pages](cairo_t* cr, page_context const& ctx) {
          draw_table_page(cr, in, first, in.alerts.empty() ? 0 : count, static_cast<int>(t + 1),
                          static_cast<int>(table_pages), ctx, spec.outputs.language);
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
  auto const lang = spec.outputs.language;
  bool const bitemporal = method == to_string(change_method::bitemporal);
  std::string const forest = format_number(lang, c.forest_min, 2);
  std::string const drop = format_number(lang, c.drop, 2);
  if (bitemporal)
    return say(lang, "series.method_bitemporal", index, forest, drop, patch_text(c, true, lang));
  if (method == to_string(change_method::bfast)) {
    auto const& b = c.bfast;
    return say(lang, "series.method_bfast", index, b.k,
               b.trend ? std::string(tr(lang, "series.trend")) : std::string(),
               format_number(lang, b.h, 2), format_number(lang, b.level, 3), forest, c.confirm,
               c.window_days, b.min_history, patch_text(c, false, lang));
  }
  return say(lang, "series.method_baseline", index, forest, drop, format_number(lang, c.k_sigma, 1),
             c.confirm, c.window_days, patch_text(c, false, lang));
}

std::string method_summary(job_spec const& spec, std::string const& method) {
  auto const& c = spec.change;
  auto const lang = spec.outputs.language;
  auto const number = [&](double v, int decimals) { return format_number(lang, v, decimals); };
  if (method == to_string(change_method::bitemporal))
    return say(lang, "index.method_bitemporal", c.index, number(c.drop, 2), number(c.forest_min, 2),
               number(c.min_area_ha, 2));
  if (method == to_string(change_method::bfast))
    return say(lang, "index.method_bfast", c.index, c.bfast.k, number(c.bfast.h, 2),
               number(c.bfast.level, 3), number(c.forest_min, 2), c.confirm, c.window_days,
               number(c.min_area_ha, 2));
  return say(lang, "index.method_baseline", c.index, number(c.drop, 2), number(c.k_sigma, 1),
             number(c.forest_min, 2), c.confirm, c.window_days, number(c.min_area_ha, 2));
}

std::string index_provenance(job_spec const& spec, run_inputs const& run) {
  return say(spec.outputs.language, "index.provenance", run.job, run.scenes.size(),
             method_summary(spec, method_of(spec, run)), run.version);
}

std::vector<table_column> table_columns(report_language language, bool with_value,
                                        bool with_cause) {
  auto const title = [&](char const* key) { return std::string(tr(language, key)); };
  std::vector<table_column> c{{"#", "#", 26, 1},
                              {title("table.alert_id"), "alert_id", 104, 0},
                              {title("table.first_seen"), "first_seen", 72, 0},
                              {title("table.confirmed"), "confirmed_on", 72, 0},
                              {title("table.confidence"), "confidence", 74, 0}};
  // The cause, its burn severity with it (the page's fit narrows every column to make room).
  if (with_cause) c.push_back({title("table.cause"), "cause", 104, 0});
  for (auto const& more :
       std::vector<table_column>{{title("table.area"), "area_ha", 64, 1},
                                 {title("table.latitude"), "centroid_lat", 74, 1},
                                 {title("table.longitude"), "centroid_lon", 80, 1},
                                 {title("table.magnitude"), "mean_magnitude", 66, 1},
                                 {title("table.pixels"), "pixels", 50, 1}})
    c.push_back(more);
  if (with_value) c.push_back({title("table.value"), "estimated_value", 74, 1});
  return c;
}

std::string cause_text(report_language language, alert const& a) {
  if (!a.cause) return {};
  std::string const cause(tr(language, "cause." + std::string(to_string(*a.cause))));
  if (!a.burn_severity) return cause;
  std::string key = "severity." + std::string(to_string(*a.burn_severity));
  std::replace(key.begin(), key.end(), '-', '_');  // moderate-high -> severity.moderate_high
  return say(language, "cause.with_severity", cause, std::string(tr(language, key)));
}

std::string alert_cell_text(alert const& a, std::string_view key) {
  return field_text(alert_row(a, {key}).front());
}

std::string alert_cell_text(report_language language, alert const& a, std::string_view key) {
  if (key == "confidence")
    return std::string(tr(language, a.confidence == alert_confidence::high
                                        ? "table.confidence_high"
                                        : "table.confidence_low"));
  if (key == "cause") return cause_text(language, a);
  auto const cell = alert_row(a, {key}).front();
  if (auto const* v = std::get_if<double>(&cell.value))
    return format_number(language, *v, cell.decimals);
  if (auto const* v = std::get_if<std::int64_t>(&cell.value))
    return format_number(language, static_cast<double>(*v), 0);
  if (auto const* v = std::get_if<civil_date>(&cell.value)) return format_date(language, *v);
  return field_text(cell);
}

}  // namespace geosweep::pipeline
