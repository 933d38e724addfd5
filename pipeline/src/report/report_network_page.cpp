// The network page (report_network_page.hpp): the network's totals and its AOIs ranked on the
// left, the cover's locator map on the right.
#include "report/report_network_page.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "geosweep/pipeline/build_info.hpp"
#include "report/report_drawing.hpp"
#include "report/report_files.hpp"
#include "report/report_map.hpp"
#include "report/report_text.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;

constexpr double kMargin = 36.0;
constexpr double kColumnWidth = 380.0;
constexpr double kLastRow = 535.0;  // the table stops above the footer

/// The table's columns: x offset from the margin, and right-aligned numbers after the name.
struct column {
  std::string_view key;
  double right;  ///< x of its right edge (the name column: of its left edge)
};
constexpr column kColumns[] = {{"network.col_aoi", 0},
                               {"network.col_alerts", 200},
                               {"network.col_ha", 255},
                               {"network.col_high_ha", 310},
                               {"network.col_value", 380}};

}  // namespace

network_summary summarize_network(job_spec const& spec, std::string const& network,
                                  std::vector<alert> const& alerts) {
  network_summary s;
  s.name = network;
  for (auto const& name : network_aois(spec, network)) s.ranked.push_back({name, {}});
  for (auto const& a : alerts) {
    for (auto& r : s.ranked) {
      if (r.name != a.aoi) continue;
      r.totals.add(a);
      s.totals.add(a);
      if (a.cause) s.by_cause[*a.cause].add(a);
    }
  }
  std::stable_sort(s.ranked.begin(), s.ranked.end(), [](auto const& a, auto const& b) {
    return a.totals.area_ha > b.totals.area_ha;
  });
  return s;
}

bool network_summary::cross_over() const {
  int crimes = 0;
  for (auto const c :
       {alert_cause::clearing, alert_cause::burn, alert_cause::mining, alert_cause::flooding})
    crimes += by_cause.count(c) > 0 ? 1 : 0;
  return crimes >= 2;
}

std::vector<std::string> network_file_stems(std::vector<std::string> const& networks) {
  std::vector<std::string> stems;
  for (auto const& network : networks) {
    std::string stem = "network";
    bool gap = true;
    for (unsigned char c : network) {
      if (c < 128 && std::isalnum(c) != 0) {
        if (gap) stem += '-';
        stem += static_cast<char>(std::tolower(c));
        gap = false;
      } else {
        gap = true;
      }
    }
    std::string unique = stem;
    for (int n = 2; std::find(stems.begin(), stems.end(), unique) != stems.end(); ++n)
      unique = stem + "-" + std::to_string(n);
    stems.push_back(unique);
  }
  return stems;
}

void draw_network_page(cairo_t* cr, job_spec const& spec, run_inputs const& run,
                       network_summary const& network, cover_locator const& locator,
                       page_context const& ctx) {
  auto const lang = spec.outputs.language;
  auto const say_ = [lang](std::string_view key, auto&&... args) {
    return say(lang, key, std::forward<decltype(args)>(args)...);
  };
  d::draw_page_heading(cr, kMargin, say_("network.title", network.name),
                       say_("cover.subtitle", run.job));
  d::fact_column facts(cr, kMargin, 92, kColumnWidth);
  auto const heading = [&](std::string_view key) { facts.heading(std::string(tr(lang, key))); };
  auto const line = [&](std::string const& text) { facts.line(text); };
  auto const& t = network.totals;
  auto const changed =
      static_cast<std::size_t>(std::count_if(network.ranked.begin(), network.ranked.end(),
                                             [](auto const& r) { return r.totals.alerts > 0; }));
  heading("cover.heading_periods");
  line(say_("cover.baseline", format_date(lang, spec.baseline.first),
            format_date(lang, spec.baseline.last)));
  line(say_("cover.monitoring", format_date(lang, spec.monitor.first),
            format_date(lang, spec.monitor.last)));
  heading("cover.heading_summary");
  line(say_("network.aois", network.ranked.size(), changed));
  if (t.alerts == 0) {
    line(std::string(tr(lang, "network.no_alerts")));
  } else {
    line(say_("cover.alerts", t.alerts, format_number(lang, t.area_ha, 2)));
    line(say_("cover.high_ha", format_number(lang, t.high_ha, 2), t.high));
    line(say_("cover.low_ha", format_number(lang, t.low_ha, 2), t.alerts - t.high));
    if (t.value) line(say_("network.value", format_number(lang, *t.value, 2)));
    line(say_("network.dates", format_date(lang, *t.first), format_date(lang, *t.last)));
  }
  // Its AOIs' change by land-cover class (landcover.csv), summed by class name.
  std::vector<class_change> classes;
  for (auto const& r : network.ranked) {
    auto const lc = run.landcover.by_aoi.find(r.name);
    if (lc == run.landcover.by_aoi.end()) continue;
    for (auto const& c : lc->second) {
      auto it = std::find_if(classes.begin(), classes.end(),
                             [&](class_change const& e) { return e.name == c.name; });
      if (it == classes.end()) {
        classes.push_back(c);
        continue;
      }
      it->changed_ha += c.changed_ha;
      if (c.value) it->value = it->value.value_or(0.0) + *c.value;
    }
  }
  std::stable_sort(classes.begin(), classes.end(),
                   [](auto const& a, auto const& b) { return a.changed_ha > b.changed_ha; });
  if (!classes.empty()) {
    heading("cover.heading_landcover");
    for (auto const& text : class_change_lines(lang, classes)) line(text);
  }
  if (!network.by_cause.empty()) {
    heading("network.heading_causes");
    std::vector<std::string> crimes;
    for (auto const& [cause, c] : network.by_cause) {
      std::string const name(tr(lang, "cause." + std::string(to_string(cause))));
      // A swatch of the cause's colour (as in the alert tables) before its line.
      cairo_rectangle(cr, kMargin + 8, facts.y() - 7, 8, 8);
      d::set_colour(cr, cause_colour(cause));
      cairo_fill(cr);
      facts.line("     " + say_("network.by_cause", name, c.alerts,
                                format_number(lang, c.area_ha, 2), format_date(lang, *c.first),
                                format_date(lang, *c.last)));
      if (cause != alert_cause::other && cause != alert_cause::unknown) crimes.push_back(name);
    }
    if (network.cross_over()) {
      facts.line(say_("network.cross_over", fmt::format("{}", fmt::join(crimes, ", "))));
    }
  }
  heading("network.heading_ranked");
  double y = facts.y();
  d::set_font(cr, 8, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (auto const& c : kColumns)
    d::draw_text(cr, kMargin + 8 + c.right, y, std::string(tr(lang, c.key)), c.right > 0 ? 1 : 0);
  y += 4;
  cairo_set_line_width(cr, 0.5);
  cairo_move_to(cr, kMargin + 8, y);
  cairo_line_to(cr, kMargin + 8 + kColumns[4].right, y);
  cairo_stroke(cr);
  y += 11;
  d::set_font(cr, 8);
  for (std::size_t i = 0; i < network.ranked.size(); ++i) {
    if (y > kLastRow) {
      d::fact_column(cr, kMargin, y, kColumnWidth)
          .line(say_("network.more", network.ranked.size() - i));
      break;
    }
    auto const& r = network.ranked[i];
    std::string const cells[] = {
        r.name, std::to_string(r.totals.alerts), format_number(lang, r.totals.area_ha, 2),
        format_number(lang, r.totals.high_ha, 2),
        r.totals.value ? format_number(lang, *r.totals.value, 2) : std::string("-")};
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    for (std::size_t c = 0; c < std::size(kColumns); ++c)
      d::draw_text(cr, kMargin + 8 + kColumns[c].right, y, cells[c], kColumns[c].right > 0 ? 1 : 0);
    y += 11;
  }
  std::vector<std::string> members;
  for (auto const& r : network.ranked) members.push_back(r.name);
  draw_locator(
      cr, spec,
      {members, std::string(tr(lang, "network.locator")), say_("network.legend", network.name)},
      locator);
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages, lang);
}

std::filesystem::path write_network_page(std::filesystem::path const& dir, std::string const& stem,
                                         job_spec const& spec, run_inputs const& run,
                                         network_summary const& network,
                                         cover_locator const& locator) {
  auto const lang = spec.outputs.language;
  std::string const footer = say(lang, "network.footer", run.job, network.name, run.scenes.size(),
                                 run.version, geosweep_version());
  page_painter const page = [&](cairo_t* cr, page_context const& ctx) {
    draw_network_page(cr, spec, run, network, locator, ctx);
  };
  auto const pdf = dir / (stem + ".pdf");
  write_pdf(pdf, say(lang, "network.title", network.name), {page}, footer);
  write_png(dir / (stem + ".png"), page, {footer, 1, 1}, 2.0);
  return pdf;
}

}  // namespace geosweep::pipeline
