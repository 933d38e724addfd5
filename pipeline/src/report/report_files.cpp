// Writing a report's files (report_files.hpp): the pages through cairo's PDF and image
// surfaces, and index.html as text; each under a temporary name until it is complete.
#include "report/report_files.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/text.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "report/report_map.hpp"
#include "report/report_text.hpp"
#include "report/report_web_map.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

/// Throws geosweep::io_error naming `path` unless cairo reports success.
void check_cairo(cairo_status_t status, fs::path const& path) {
  if (status != CAIRO_STATUS_SUCCESS)
    throw io_error(path.string() + ": cannot draw: " + cairo_status_to_string(status));
}

/// `s` as HTML text or attribute value.
std::string html_escape(std::string const& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

/// The head of index.html, its title and the provenance line.
void write_index_head(std::ostream& html, job_spec const& spec, std::string const& provenance,
                      bool with_map) {
  auto const language = spec.outputs.language;
  std::string const title =
      fmt::format(fmt::runtime(tr(language, "index.title")), html_escape(spec.name));
  html << "<!DOCTYPE html>\n<html lang=\"" << to_string(language)
       << "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << title
       << "</title>\n<style>\nbody{font-family:'DejaVu Sans',sans-serif;margin:2em;color:#222}\n"
          "a>img{max-width:48%;border:1px solid #ccc;margin:0.3em}\n"
          "table{border-collapse:collapse;font-size:0.85em}\n"
          "th,td{padding:0.25em 0.6em;border-bottom:1px solid #ddd;text-align:right}\n"
          "th:nth-child(-n+5),td:nth-child(-n+5){text-align:left}\n"
          "tr:nth-child(even){background:#f4f4f4}\n.footer{color:#666;font-size:0.8em}\n"
          "</style>\n";
  if (with_map) write_web_map_head(html);
  html << "</head>\n<body>\n<h1>" << title << "</h1>\n<p>" << html_escape(provenance) << "</p>\n";
}

/// The images of AOI `aoi` that are in `dir`, each a link to itself.
void write_index_images(std::ostream& html, fs::path const& dir, job_spec const& spec,
                        std::string const& aoi) {
  std::vector<std::string> images{aoi + "_cover.png"};
  for (std::string kind : {"true_colour", "false_colour"})
    for (std::string period : {"before", "after"})
      images.push_back(map_png_name(aoi, kind, period));
  for (auto const& index : spec.indices)
    for (std::string period : {"before", "after"})
      images.push_back(map_png_name(aoi, index, period));
  images.push_back(aoi + "_time_series.png");
  for (auto const& image : images) {
    if (!fs::exists(dir / image)) continue;
    html << "<a href=\"" << url_path(image) << "\"><img src=\"" << url_path(image) << "\" alt=\""
         << html_escape(image) << "\"></a>\n";
  }
}

/// The alert table of AOI `aoi`: the PDF's columns, cells as alerts.csv writes them.
void write_index_table(std::ostream& html, std::vector<alert> const& alerts, std::string const& aoi,
                       report_language language) {
  bool with_value = false, with_cause = false;
  for (auto const& a : alerts) {
    with_value = with_value || (a.aoi == aoi && a.estimated_value.has_value());
    with_cause = with_cause || (a.aoi == aoi && a.cause.has_value());
  }
  auto const columns = table_columns(language, true, with_cause);
  html << "<table>\n<tr>";
  for (auto const& c : columns) {
    if (c.key == "estimated_value" && !with_value) continue;
    html << "<th>" << html_escape(c.title) << "</th>";
  }
  html << "</tr>\n";
  std::size_t number = 0;
  for (auto const& a : alerts) {
    if (a.aoi != aoi) continue;
    html << "<tr>";
    ++number;
    for (auto const& c : columns) {
      if (c.key == "estimated_value" && !with_value) continue;
      html << "<td>"
           << html_escape(c.key == "#" ? std::to_string(number)
                                       : alert_cell_text(language, a, c.key))
           << "</td>";
    }
    html << "</tr>\n";
  }
  if (number == 0)
    html << "<tr><td colspan=\"" << columns.size() << "\">" << tr(language, "index.no_change")
         << "</td></tr>\n";
  html << "</table>\n";
}

/// Writes `text` to `path` under a temporary name, renamed when complete.
void write_text_file(fs::path const& path, std::string const& text) {
  write_whole_file(path, text);
}

}  // namespace

pdf_metadata pdf_metadata_of(job_spec const& spec, std::string const& aoi) {
  auto const language = spec.outputs.language;
  auto const text = [&](std::string_view key) { return fmt::runtime(tr(language, key)); };
  auto const date = [&](civil_date d) { return format_date(language, d); };
  pdf_metadata m;
  m.title = fmt::format(text("common.pdf_title"), aoi);
  m.subject =
      fmt::format(text("common.pdf_subject"), aoi, spec.name, date(spec.baseline.first),
                  date(spec.baseline.last), date(spec.monitor.first), date(spec.monitor.last));
  m.author = spec.name;
  m.keywords = fmt::format(text("common.pdf_keywords"), aoi, to_string(spec.change.method),
                           spec.change.index);
  return m;
}

void write_pdf(fs::path const& path, std::string const& title,
               std::vector<page_painter> const& pages, std::string const& footer) {
  pdf_metadata m;
  m.title = title;
  write_pdf(path, m, pages, footer);
}

void write_pdf(fs::path const& path, pdf_metadata const& metadata,
               std::vector<page_painter> const& pages, std::string const& footer) {
  atomic_file file(path);
  cairo_surface_t* surface =
      cairo_pdf_surface_create(file.temp_path().c_str(), report_page_width, report_page_height);
  check_cairo(cairo_surface_status(surface), path);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, metadata.title.c_str());
  for (auto const& [field, value] : {std::pair{CAIRO_PDF_METADATA_SUBJECT, &metadata.subject},
                                     std::pair{CAIRO_PDF_METADATA_AUTHOR, &metadata.author},
                                     std::pair{CAIRO_PDF_METADATA_KEYWORDS, &metadata.keywords}})
    if (!value->empty()) cairo_pdf_surface_set_metadata(surface, field, value->c_str());
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR,
                                 ("geosweep " + geosweep_version()).c_str());
  // Reproducible documents: SOURCE_DATE_EPOCH (reproducible-builds.org) fixes the dates that
  // cairo would otherwise take from the clock, so the same outputs give the same bytes.
  if (auto const date = source_date("%Y-%m-%dT%H:%M:%SZ")) {
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, date->c_str());
    cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, date->c_str());
  }
  cairo_t* cr = cairo_create(surface);
  try {
    for (std::size_t i = 0; i < pages.size(); ++i) {
      pages[i](cr, {footer, static_cast<int>(i + 1), static_cast<int>(pages.size())});
      cairo_show_page(cr);
      check_cairo(cairo_status(cr), path);
    }
  } catch (...) {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    throw;
  }
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t const status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  check_cairo(status, path);
  file.commit();
}

void write_png(fs::path const& path, page_painter const& page, page_context const& ctx,
               double scale) {
  atomic_file file(path);
  int const w = static_cast<int>(std::ceil(report_page_width * scale));
  int const h = static_cast<int>(std::ceil(report_page_height * scale));
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  check_cairo(cairo_surface_status(surface), path);
  cairo_t* cr = cairo_create(surface);
  cairo_scale(cr, scale, scale);
  try {
    page(cr, ctx);
  } catch (...) {
    cairo_destroy(cr);
    cairo_surface_destroy(surface);
    throw;
  }
  cairo_status_t status = cairo_status(cr);
  cairo_destroy(cr);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_write_to_png(surface, file.temp_path().c_str());
  cairo_surface_destroy(surface);
  check_cairo(status, path);
  file.commit();
}

aoi_report write_aoi_files(fs::path const& dir, aoi_inputs const& in, report_document const& doc,
                           std::vector<page_painter> const& pages, pdf_metadata const& metadata) {
  aoi_report report;
  report.name = in.name;
  report.pdf = dir / (in.name + ".pdf");
  report.pages = static_cast<int>(pages.size());
  report.alerts = in.alerts.size();
  write_pdf(report.pdf, metadata, pages, doc.footer);
  // The cover is page 1; the map pages follow it.
  fs::path const cover_png = dir / (in.name + "_cover.png");
  write_png(cover_png, pages[0], {doc.footer, 1, report.pages}, 2.0);
  report.pngs.push_back(cover_png);
  // PNGs: every raster pixel at least one PNG pixel where that stays under 4x (288 dpi).
  for (std::size_t i = 0; i < doc.maps.size(); ++i) {
    auto const layout = layout_map_page(in.grid.width, in.grid.height);
    double const scale = std::clamp(1.0 / layout.scale, 2.0, 4.0);
    fs::path const png = dir / map_png_name(in.name, doc.maps[i].kind, doc.maps[i].period);
    write_png(png, pages[i + 1], {doc.footer, static_cast<int>(i + 2), report.pages}, scale);
    report.pngs.push_back(png);
  }
  fs::path const series_png = dir / (in.name + "_time_series.png");
  // The time series follows the cover, map, table and alert pages; pages after it (custody)
  // get no PNG.
  std::size_t const series =
      std::min(1 + doc.maps.size() + doc.table_pages + doc.alert_pages.size(), pages.size() - 1);
  write_png(series_png, pages[series], {doc.footer, static_cast<int>(series + 1), report.pages},
            2.0);
  report.pngs.push_back(series_png);
  return report;
}

void write_index(fs::path const& path, job_spec const& spec, std::vector<alert> const& alerts,
                 std::string const& provenance, web_map const* map,
                 std::vector<index_link> const& networks) {
  fs::path const dir = path.parent_path();
  std::ostringstream html;
  write_index_head(html, spec, provenance, map != nullptr);
  if (map != nullptr) write_web_map(html, *map, spec.outputs.language);
  if (!networks.empty()) {
    html << "<h2>" << tr(spec.outputs.language, "index.networks") << "</h2>\n<ul>\n";
    for (auto const& n : networks)
      html << "<li><a href=\"" << url_path(n.file) << "\">" << html_escape(n.text) << "</a></li>\n";
    html << "</ul>\n";
  }
  for (auto const& aoi : spec.aois) {
    fs::path const pdf = dir / (aoi.name + ".pdf");
    if (!fs::exists(pdf)) continue;
    html << "<h2 id=\"" << html_escape(aoi.name) << "\">" << html_escape(aoi.name) << "</h2>\n"
         << "<p><a href=\"" << url_path(aoi.name + ".pdf") << "\">"
         << tr(spec.outputs.language, "index.report_pdf") << "</a></p>\n<p>\n";
    write_index_images(html, dir, spec, aoi.name);
    html << "</p>\n";
    write_index_table(html, alerts, aoi.name, spec.outputs.language);
  }
  html << "<p class=\"footer\">"
       << html_escape(fmt::format(fmt::runtime(tr(spec.outputs.language, "index.made_by")),
                                  geosweep_version()))
       << "</p>\n</body>\n</html>\n";
  write_text_file(path, html.str());
}

}  // namespace geosweep::pipeline
