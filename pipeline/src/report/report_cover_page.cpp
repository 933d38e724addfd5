// The cover page (report_cover_page.hpp): the facts of the report on the left, the locator map
// on the right. The locator is plate carrée scaled by the cosine of its middle latitude, so
// that a kilometre east is as long as a kilometre north there.
#include "report/report_cover_page.hpp"

#include <cpl_conv.h>
#include <fmt/format.h>
#include <ogr_api.h>
#include <ogr_geometry.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "catalog/scene_catalog.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "grid/aoi.hpp"
#include "outputs/tables.hpp"
#include "report/map_geometry.hpp"
#include "report/report_drawing.hpp"
#include "report/report_map.hpp"
#include "report/report_text.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;

constexpr double kMargin = 36.0;
constexpr std::uint32_t kFootprint = 0x616161;
constexpr std::uint32_t kGraticule = 0xBDBDBD;

/// WKT of EPSG:4326, longitude first (aoi_shape reprojects to it: the shapes stay lon/lat).
std::string wgs84_wkt() {
  char* text = nullptr;
  wgs84().exportToWkt(&text);
  std::string wkt = text != nullptr ? text : "";
  CPLFree(text);
  return wkt;
}

/// The rings of a polygon or multipolygon, in its coordinates.
void add_rings(OGRGeometry const& g, std::vector<std::vector<std::array<double, 2>>>& rings) {
  auto const ring_points = [&](OGRLinearRing const& r) {
    std::vector<std::array<double, 2>> pts;
    for (int i = 0; i < r.getNumPoints(); ++i) pts.push_back({r.getX(i), r.getY(i)});
    rings.push_back(std::move(pts));
  };
  auto const flat = wkbFlatten(g.getGeometryType());
  if (flat == wkbPolygon) {
    auto const* p = g.toPolygon();
    if (p->getExteriorRing() != nullptr) ring_points(*p->getExteriorRing());
    for (int i = 0; i < p->getNumInteriorRings(); ++i) ring_points(*p->getInteriorRing(i));
  } else if (flat == wkbMultiPolygon || flat == wkbGeometryCollection) {
    for (auto const* part : *g.toGeometryCollection()) add_rings(*part, rings);
  }
}

/// Longitude/latitude to page points.
struct locator_projection {
  double west = 0, north = 0, cos_lat = 1, scale = 1, x0 = 0, y0 = 0;
  double width = 0, height = 0;
  [[nodiscard]] std::array<double, 2> at(double lon, double lat) const {
    return {x0 + (lon - west) * cos_lat * scale, y0 + (north - lat) * scale};
  }
};

/// The extent of the footprints and the AOIs, padded, fitted into `box`.
locator_projection fit(cover_locator const& loc, locator_box const& box) {
  geo_bbox e{1e9, 1e9, -1e9, -1e9};
  auto const add = [&](geo_bbox const& b) {
    e.west = std::min(e.west, b.west);
    e.south = std::min(e.south, b.south);
    e.east = std::max(e.east, b.east);
    e.north = std::max(e.north, b.north);
  };
  for (auto const& f : loc.footprints)
    if (!f.crosses_antimeridian()) add(f);
  for (auto const& a : loc.aois) add(a.bbox);
  if (e.west > e.east) e = {-1, -1, 1, 1};
  // A margin of a tenth of the larger side (and at least about 100 m).
  double const pad = std::max({0.1 * (e.east - e.west), 0.1 * (e.north - e.south), 0.001});
  e = {e.west - pad, std::max(-89.0, e.south - pad), e.east + pad, std::min(89.0, e.north + pad)};
  locator_projection p;
  p.cos_lat = std::cos((e.south + e.north) / 2 * std::numbers::pi / 180.0);
  double const w = (e.east - e.west) * p.cos_lat, h = e.north - e.south;
  p.scale = std::min((box.x1 - box.x0) / w, (box.y1 - box.y0) / h);
  p.west = e.west;
  p.north = e.north;
  p.width = w * p.scale;
  p.height = h * p.scale;
  p.x0 = box.x1 - p.width;  // against the right margin, the facts on the left
  p.y0 = box.y0;
  return p;
}

void trace_rings(cairo_t* cr, locator_projection const& p, locator_aoi const& a) {
  for (auto const& ring : a.rings) {
    for (std::size_t i = 0; i < ring.size(); ++i) {
      auto const q = p.at(ring[i][0], ring[i][1]);
      if (i == 0) {
        cairo_move_to(cr, q[0], q[1]);
      } else {
        cairo_line_to(cr, q[0], q[1]);
      }
    }
    cairo_close_path(cr);
  }
}

/// A translated phrase with its placeholders filled.
template <typename... Args>
std::string say(job_spec const& spec, std::string_view key, Args&&... args) {
  return say(spec.outputs.language, key, std::forward<Args>(args)...);
}

}  // namespace

void draw_locator(cairo_t* cr, job_spec const& spec, locator_focus const& focus,
                  cover_locator const& loc) {
  locator_box const box;
  auto const p = fit(loc, box);
  auto const focused = [&focus](std::string const& name) {
    return std::find(focus.aois.begin(), focus.aois.end(), name) != focus.aois.end();
  };
  d::set_font(cr, 10, true);
  cairo_set_source_rgb(cr, 0, 0, 0);
  d::draw_text(cr, p.x0, box.y0 - 8, focus.title);
  cairo_save(cr);
  cairo_rectangle(cr, p.x0, p.y0, p.width, p.height);
  cairo_set_source_rgb(cr, 0.97, 0.97, 0.95);
  cairo_fill_preserve(cr);
  cairo_clip(cr);
  // The graticule, at a round step in each direction.
  double const east = p.west + p.width / p.scale / p.cos_lat, south = p.north - p.height / p.scale;
  double const step = graticule_step(std::max(east - p.west, p.north - south), 5);
  auto const meridians = graticule_values(p.west, east, step);
  auto const parallels = graticule_values(south, p.north, step);
  d::set_colour(cr, kGraticule);
  cairo_set_line_width(cr, 0.5);
  for (double lon : meridians) {
    auto const a = p.at(lon, p.north), b = p.at(lon, south);
    cairo_move_to(cr, a[0], a[1]);
    cairo_line_to(cr, b[0], b[1]);
  }
  for (double lat : parallels) {
    auto const a = p.at(p.west, lat), b = p.at(east, lat);
    cairo_move_to(cr, a[0], a[1]);
    cairo_line_to(cr, b[0], b[1]);
  }
  cairo_stroke(cr);
  // Scene footprints, dashed.
  d::set_colour(cr, kFootprint);
  cairo_set_line_width(cr, 0.8);
  double const dash[] = {3.0, 2.0};
  cairo_set_dash(cr, dash, 2, 0);
  for (auto const& f : loc.footprints) {
    auto const a = p.at(f.west, f.north), b = p.at(f.east, f.south);
    cairo_rectangle(cr, a[0], a[1], b[0] - a[0], b[1] - a[1]);
  }
  cairo_stroke(cr);
  cairo_set_dash(cr, nullptr, 0, 0);
  // The focus filled (ringed as well when too small to see), the others outlined.
  for (auto const& a : loc.aois) {
    if (!focused(a.name)) continue;
    trace_rings(cr, p, a);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    d::set_colour(cr, locator_aoi_fill);
    cairo_fill(cr);
    auto const nw = p.at(a.bbox.west, a.bbox.north), se = p.at(a.bbox.east, a.bbox.south);
    if (std::max(se[0] - nw[0], se[1] - nw[1]) < 8) {
      cairo_set_line_width(cr, 1.5);
      cairo_arc(cr, (nw[0] + se[0]) / 2, (nw[1] + se[1]) / 2, 8, 0, 2 * std::numbers::pi);
      cairo_stroke(cr);
    }
  }
  cairo_set_line_width(cr, 1.5);
  for (auto const& a : loc.aois) {
    if (focused(a.name)) continue;
    trace_rings(cr, p, a);
    d::set_colour(cr, locator_other_aoi);
    cairo_stroke(cr);
  }
  // Labels over everything: each AOI's name inside it.
  d::set_font(cr, 8, true);
  for (auto const& a : loc.aois) {
    auto const c = p.at(a.label[0], a.label[1]);
    d::set_colour(cr, focused(a.name) ? 0x000000 : locator_other_aoi);
    d::draw_text_halo(cr, c[0], c[1] + 3, a.name, 0.5);
  }
  cairo_restore(cr);
  cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
  cairo_set_line_width(cr, 0.8);
  cairo_rectangle(cr, p.x0, p.y0, p.width, p.height);
  cairo_stroke(cr);
  // Graticule labels: longitudes under the frame, latitudes left of it.
  d::set_font(cr, 7);
  cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
  for (double lon : meridians)
    d::draw_text(cr, p.at(lon, south)[0], p.y0 + p.height + 10, format_longitude(lon, step), 0.5);
  for (double lat : parallels)
    d::draw_text(cr, p.x0 - 3, p.at(p.west, lat)[1] + 2.5, format_latitude(lat, step), 1.0);
  // The legend.
  double y = p.y0 + p.height + 28;
  double const x = p.x0;
  auto const swatch = [&](std::string const& text) {
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::set_font(cr, 8);
    // Wrapped: a reason for missing footprints may be a long error message.
    for (auto const& l : d::wrap_text(cr, text, box.x1 - x - 22)) {
      d::draw_text(cr, x + 22, y, l);
      y += 11;
    }
    y += 2;
  };
  cairo_rectangle(cr, x, y - 7, 16, 8);
  d::set_colour(cr, locator_aoi_fill);
  cairo_fill(cr);
  swatch(focus.legend);
  if (loc.aois.size() > focus.aois.size()) {
    cairo_rectangle(cr, x + 0.75, y - 6.25, 14.5, 6.5);
    d::set_colour(cr, locator_other_aoi);
    cairo_set_line_width(cr, 1.5);
    cairo_stroke(cr);
    swatch(std::string(tr(spec.outputs.language, "cover.legend_other")));
  }
  if (!loc.footprints.empty()) {
    cairo_rectangle(cr, x + 0.5, y - 6.5, 15, 7);
    d::set_colour(cr, kFootprint);
    cairo_set_line_width(cr, 0.8);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    swatch(say(spec, "cover.legend_scenes", loc.footprints.size()));
  } else {
    swatch(say(spec, "cover.no_footprints", loc.footprint_problem));
  }
  d::set_font(cr, 7);
  cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
  double const middle = p.north - p.height / p.scale / 2;
  std::string const note =
      say(spec, "cover.projection", format_number(spec.outputs.language, middle, 2));
  for (auto const& l : d::wrap_text(cr, note, box.x1 - x)) {
    d::draw_text(cr, x, y, l);
    y += 9;
  }
}

cover_locator read_cover_locator(job_spec const& spec, run_inputs const& run) {
  cover_locator loc;
  std::string const wkt = wgs84_wkt();
  for (auto const& a : spec.aois) {
    try {
      aoi_shape const shape(a, wkt);
      locator_aoi out{a.name, {}, {}};
      add_rings(shape.geometry(), out.rings);
      auto const& e = shape.envelope();
      out.bbox = {e[0], e[1], e[2], e[3]};
      // Its name inside it (the middle of its box may lie in another AOI).
      OGRGeometryUniquePtr inside(OGRGeometry::FromHandle(OGR_G_PointOnSurface(
          OGRGeometry::ToHandle(const_cast<OGRGeometry*>(&shape.geometry())))));
      if (inside && !inside->IsEmpty() && wkbFlatten(inside->getGeometryType()) == wkbPoint) {
        out.label = {inside->toPoint()->getX(), inside->toPoint()->getY()};
      } else {
        out.label = {(e[0] + e[2]) / 2, (e[1] + e[3]) / 2};
      }
      loc.aois.push_back(std::move(out));
    } catch (std::exception const& e) {
      spdlog::warn("report: AOI '{}' left off the locator map: {}", a.name, e.what());
    }
  }
  // Footprints from the scenes' metadata (or their rasters' bounds: GDAL opens a band file of
  // a local scene, reads no pixel); the scenes the run read, by id.
  try {
    catalog_options options;
    options.require_local_files = false;
    options.require_both_periods = false;
    for (auto const& s : find_scenes(spec, {"red"}, options)) {
      bool const read =
          run.scenes.empty()
              ? spec.baseline.contains(s.date) || spec.monitor.contains(s.date)
              : std::find(run.scenes.begin(), run.scenes.end(), s.id) != run.scenes.end();
      if (read && s.footprint) loc.footprints.push_back(*s.footprint);
    }
    if (loc.footprints.empty()) loc.footprint_problem = "no scene's metadata gives one";
  } catch (std::exception const& e) {
    loc.footprint_problem = e.what();
    spdlog::warn("report: no scene footprints on the locator map: {}", e.what());
  }
  return loc;
}

std::vector<std::string> class_change_lines(report_language language,
                                            std::vector<class_change> const& classes) {
  constexpr std::size_t shown = 5;
  std::vector<std::string> lines;
  double rest_ha = 0.0;
  for (std::size_t k = 0; k < classes.size(); ++k) {
    auto const& c = classes[k];
    if (k >= shown) {
      rest_ha += c.changed_ha;
      continue;
    }
    auto const ha = format_number(language, c.changed_ha, 2);
    lines.push_back(c.value ? say(language, "cover.class_ha_value", ha, c.name,
                                  format_number(language, *c.value, 2))
                            : say(language, "cover.class_ha", ha, c.name));
  }
  if (classes.size() > shown)
    lines.push_back(say(language, "cover.class_more", classes.size() - shown,
                        format_number(language, rest_ha, 2)));
  return lines;
}

void draw_cover_page(cairo_t* cr, job_spec const& spec, run_inputs const& run, aoi_inputs const& in,
                     cover_locator const& locator, page_context const& ctx) {
  auto const lang = spec.outputs.language;
  d::draw_page_heading(cr, kMargin, say(spec, "cover.title", in.name),
                       say(spec, "cover.subtitle", run.job));
  d::fact_column facts(cr, kMargin, 92, 380);
  auto const heading = [&](std::string_view key) { facts.heading(std::string(tr(lang, key))); };
  auto const line = [&](std::string const& text) { facts.line(text); };
  heading("cover.heading_periods");
  line(say(spec, "cover.baseline", format_date(lang, spec.baseline.first),
           format_date(lang, spec.baseline.last)));
  line(say(spec, "cover.monitoring", format_date(lang, spec.monitor.first),
           format_date(lang, spec.monitor.last)));
  heading("cover.heading_imagery");
  line(say(spec, "cover.scenes", to_string(spec.sensor.type), run.scenes.size()));
  heading("cover.heading_method");
  std::string const method =
      run.change_method.empty() ? std::string(to_string(spec.change.method)) : run.change_method;
  line(method_summary(spec, method));
  heading("cover.heading_summary");
  if (in.alerts.empty()) {
    line(std::string(tr(lang, "cover.no_alerts")));
  } else {
    alert_totals t;
    for (auto const& a : in.alerts) t.add(a);
    line(say(spec, "cover.alerts", t.alerts, format_number(lang, t.high_ha + t.low_ha, 2)));
    line(say(spec, "cover.high_ha", format_number(lang, t.high_ha, 2), t.high));
    line(say(spec, "cover.low_ha", format_number(lang, t.low_ha, 2), t.alerts - t.high));
    auto const aoi = std::find_if(spec.aois.begin(), spec.aois.end(),
                                  [&](aoi_spec const& a) { return a.name == in.name; });
    if (spec.landcover && t.value)
      line(say(spec, "cover.value_by_class", format_number(lang, *t.value, 2)));
    else if (aoi != spec.aois.end() && aoi->value_per_ha && t.value)
      line(say(spec, "cover.value", format_number(lang, *t.value, 2),
               format_number(lang, *aoi->value_per_ha, 2)));
    if (auto const lc = run.landcover.by_aoi.find(in.name); lc != run.landcover.by_aoi.end()) {
      heading("cover.heading_landcover");
      for (auto const& text : class_change_lines(lang, lc->second)) line(text);
    }
  }
  heading("cover.heading_provenance");
  line(say(spec, "cover.provenance", run.version, run.backend, geosweep_version()));
  draw_locator(
      cr, spec,
      {{in.name}, std::string(tr(lang, "cover.locator")), say(spec, "cover.legend_aoi", in.name)},
      locator);
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages, spec.outputs.language);
}

}  // namespace geosweep::pipeline
