// The chain-of-custody page (report_custody_page.hpp): the manifest's, the job file's and the
// inputs' SHA-256, as a table on the report's last page.
#include "report/report_custody_page.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "geosweep/pipeline/errors.hpp"
#include "report/report_drawing.hpp"
#include "report/report_map.hpp"

namespace geosweep::pipeline {
namespace {

namespace d = drawing;
namespace fs = std::filesystem;

constexpr double kMargin = 36.0;

std::string size_text(std::optional<file_digest> const& digest) {
  return digest ? fmt::format("{}", digest->size) : "";
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
                       page_context const& ctx) {
  d::draw_page_heading(cr, kMargin, aoi + ": chain of custody",
                       "SHA-256 of the files this report and its outputs come from; "
                       "`geosweep verify OUTPUTS_DIR` hashes them again");
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
    for (auto const& l : d::wrap_text(cr, custody.problem, report_page_width - 2 * kMargin)) {
      d::draw_text(cr, kMargin, y, l);
      y += 13;
    }
    draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages);
    return;
  }
  line("Manifest", custody.manifest_path.string());
  line("Manifest SHA-256", custody.manifest_sha256);
  line("Job file", m.job_file);
  line("Job file SHA-256", m.job_digest ? m.job_digest->sha256 : "(not found when the run ran)");
  line("Run", fmt::format("job '{}', started {}, geosweep {}; {} output file(s) listed", m.job_name,
                          m.started, m.geosweep_version, m.outputs.size()));
  y += 8;
  // The inputs' table.
  struct column {
    char const* title;
    double width;
  };
  std::array<column, 6> const columns{column{"Scene", 160}, column{"Date", 58},
                                      column{"Role", 48},   column{"File", 150},
                                      column{"Bytes", 62},  column{"SHA-256", 292}};
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
    std::string const scene = in.use.scene.empty() ? "AOI " + in.use.aoi : in.use.scene;
    std::array<std::string, 6> const cells{
        scene,
        in.use.date,
        in.use.role,
        fs::path(in.use.path).filename().string(),
        size_text(in.digest),
        in.digest ? in.digest->sha256 : "not hashed: " + in.not_hashed};
    x = kMargin;
    for (std::size_t c = 0; c < cells.size(); ++c) {
      d::draw_text(cr, x, y, fit_left(cr, cells[c], columns[c].width - 4));
      x += columns[c].width;
    }
    y += 11;
  }
  if (m.inputs.empty()) {
    d::draw_text(cr, kMargin, y, "No input files listed.");
    y += 11;
  } else if (shown < m.inputs.size()) {
    d::set_font(cr, 7.5, true);
    d::draw_text(cr, kMargin, y + 3,
                 fmt::format("... and {} more input file(s): {} lists all {} with their paths.",
                             m.inputs.size() - shown, std::string(manifest_file), m.inputs.size()));
  }
  draw_report_footer(cr, ctx.footer, ctx.number, ctx.pages);
}

}  // namespace geosweep::pipeline
