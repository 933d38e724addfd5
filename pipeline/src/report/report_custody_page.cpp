// The chain-of-custody page (report_custody_page.hpp): the manifest's, the job file's and the
// inputs' SHA-256, as a table on the report's last page.
#include "report/report_custody_page.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "geosweep/pipeline/errors.hpp"
#include "report/report_drawing.hpp"
#include "report/report_map.hpp"
#include "report/report_text.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;
namespace fs = std::filesystem;

constexpr double kMargin = 36.0;

std::string size_text(std::optional<file_digest> const& digest, report_language language) {
  return digest ? format_number(language, static_cast<double>(digest->size), 0) : "";
}

/// `text` cut at its start to `width` points, with a leading ellipsis (paths keep their end).
std::string fit_left(cairo_t* cr, std::string text, double width) {
  if (d::text_width(cr, text) <= width) return text;
  while (!text.empty() && d::text_width(cr, "\u2026" + text) > width) {
    text.erase(0, 1);
    while (!text.empty() && (static_cast<unsigned char>(text.front()) & 0xC0) == 0x80)
      text.erase(0, 1);  // never cut a UTF-8 sequence
  }
  return "\u2026" + text;
}

}  // namespace

custody_record read_custody(fs::path const& outputs_dir) {
  custody_record c;
  c.manifest_path = fs::absolute(outputs_dir / manifest_file).lexically_normal();
  std::error_code ec;
  if (!fs::is_regular_file(c.manifest_path, ec)) {
    c.problem =
        "No manifest.json in the outputs: they were written by an older geosweep, or "
        "it was removed. Nothing ties this report to its inputs.";
    c.missing = true;
    return c;
  }
  try {
    c.contents = read_manifest(c.manifest_path);
    c.manifest_sha256 = sha256_file(c.manifest_path).sha256;
  } catch (io_error const& e) {
    c.problem = e.what();
    c.manifest_sha256.clear();
  }
  return c;
}

void draw_custody_page(cairo_t* cr, std::string const& aoi, custody_record const& custody,
                       page_context const& ctx, report_language language) {
  d::draw_page_heading(cr, kMargin, say(language, "custody.title", aoi),
                       say(language, "custody.subtitle"));
  double y = 88;
  double const label_x = kMargin, value_x = kMargin + 120;
  auto const line = [&](std::string const& label, std::string const& value) {
    d::set_font(cr, 8.5, true);
    cairo_set_source_rgb(cr, 0, 0, 0);
    d::draw_text(cr, label_x, y, label);
    d::set_font(cr, 8.5);
    d::draw_text(cr, value_x, y, fit_left(cr, value, report_page_width - kMargin - value_x));
    y += 13;
  };
  auto const& m = custody.contents;
  if (!custody.problem.empty()) {
    d::set_font(cr, 9);
    cairo_set_source_rgb(cr, 0.6, 0.1, 0.0);
    // An unreadable manifest's problem is its reader's message, as the command line gives it.
    std::string const problem =
        custody.missing ? say(language, "custody.no_manifest") : custody.problem;
    for (auto const& l : d::wrap_text(cr, problem, report_page_width - 2 * kMargin)) {
      d::draw_text(cr, kMargin, y, l);
      y += 13;
    }
    draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages, language);
    return;
  }
  line(say(language, "custody.manifest"), custody.manifest_path.string());
  line(say(language, "custody.manifest_sha256"), custody.manifest_sha256);
  line(say(language, "custody.job_file"), m.job_file);
  line(say(language, "custody.job_sha256"),
       m.job_digest ? m.job_digest->sha256 : say(language, "custody.job_not_found"));
  line(say(language, "custody.run"), say(language, "custody.run_text", m.job_name, m.started,
                                         m.geosweep_version, m.outputs.size()));
  y += 8;
  // The inputs' table.
  struct column {
    std::string title;
    double width;
  };
  std::array<column, 6> const columns{
      column{say(language, "custody.scene"), 160}, column{say(language, "custody.date"), 58},
      column{say(language, "custody.role"), 48},   column{say(language, "custody.file"), 150},
      column{say(language, "custody.bytes"), 62},  column{"SHA-256", 292}};
  d::set_font(cr, 7.5, true);
  double x = kMargin;
  for (auto const& c : columns) {
    d::draw_text(cr, x, y, c.title);
    x += c.width;
  }
  y += 4;
  cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
  cairo_set_line_width(cr, 0.5);
  cairo_move_to(cr, kMargin, y);
  cairo_line_to(cr, report_page_width - kMargin, y);
  cairo_stroke(cr);
  y += 10;
  d::set_font(cr, 7);
  cairo_set_source_rgb(cr, 0, 0, 0);
  std::size_t const shown = std::min(custody_inputs_shown, m.inputs.size());
  for (std::size_t i = 0; i < shown; ++i) {
    auto const& in = m.inputs[i];
    std::string const scene =
        in.use.scene.empty() ? say(language, "custody.aoi", in.use.aoi) : in.use.scene;
    std::array<std::string, 6> const cells{
        scene,
        date_text(language, in.use.date),
        in.use.role,
        fs::path(in.use.path).filename().string(),
        size_text(in.digest, language),
        in.digest ? in.digest->sha256 : say(language, "custody.not_hashed", in.not_hashed)};
    x = kMargin;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      d::draw_text(cr, x, y, fit_left(cr, cells[c], columns[c].width - 4));
      x += columns[c].width;
    }
    y += 11;
  }
  if (m.inputs.empty()) {
    d::draw_text(cr, kMargin, y, say(language, "custody.no_inputs"));
    y += 11;
  } else if (shown < m.inputs.size()) {
    d::set_font(cr, 7.5, true);
    d::draw_text(cr, kMargin, y + 3,
                 say(language, "custody.more_inputs", m.inputs.size() - shown,
                     std::string(manifest_file), m.inputs.size()));
  }
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages, language);
}

}  // namespace geosweep::pipeline
