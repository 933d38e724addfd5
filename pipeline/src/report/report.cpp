// The report loop (geosweep/pipeline/report.hpp): for each AOI of the job, its inputs are
// read (report_inputs.hpp), made into pages (report_pages.hpp) and written as a PDF and PNGs
// (report_files.hpp); index.html over all of them comes last. Also the PNG names of map pages.
#include "geosweep/pipeline/report.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <algorithm>
#include <chrono>

#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/product_layout.hpp"
#include "report/report_cover_page.hpp"
#include "report/report_custody_page.hpp"
#include "report/report_files.hpp"
#include "report/report_inputs.hpp"
#include "report/report_network_page.hpp"
#include "report/report_pages.hpp"
#include "report/report_text.hpp"
#include "report/report_web_map.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

/// The names of the AOIs to report on: `options.aoi`, or every AOI of the job, or of
/// `options.network`. Throws geosweep::config_error for a name the job does not have, a network
/// no AOI names, or an AOI outside the network.
std::vector<std::string> selected_aois(job_spec const& spec, report_options const& options) {
  std::vector<std::string> names;
  if (options.network) {
    names = network_aois(spec, *options.network);
  } else {
    for (auto const& a : spec.aois) names.push_back(a.name);
  }
  if (!options.aoi) return names;
  if (std::find(names.begin(), names.end(), *options.aoi) == names.end()) {
    throw config_error(
        fmt::format("{}: no AOI named '{}' {}(the {}AOIs: {})", spec.file.string(), *options.aoi,
                    options.network ? "in network '" + *options.network + "' " : "",
                    options.network ? "network's " : "job's ", fmt::join(names, ", ")));
  }
  return {*options.aoi};
}

/// The report of AOI `name`: inputs, pages (the cover first, the custody page last), files.
aoi_report render_aoi(job_spec const& spec, run_inputs const& run, std::string const& name,
                      fs::path const& dir, cover_locator const& locator,
                      custody_record const& custody, std::vector<web_overlay>* overlays) {
  auto const started = std::chrono::steady_clock::now();
  auto const in = read_aoi_inputs(spec, run, name);
  auto const doc = make_document(spec, run, in);
  // The web map's images: the colour maps' pixels, warped to Web Mercator.
  for (auto const& m : doc.maps) {
    if (overlays == nullptr || (m.kind != "true_colour" && m.kind != "false_colour")) continue;
    std::string const file =
        std::string(web_overlay_dir) + "/" + name + "_" + m.kind + "_" + m.period + ".png";
    auto const bounds = write_overlay_png(dir / file, in.grid, m.page.pixels, in.change);
    overlays->push_back({name, m.kind, m.period, file, bounds});
  }
  auto pages = page_painters(spec, in, doc);
  pages.insert(pages.begin(), [&spec, &run, &in, &locator](cairo_t* cr, page_context const& ctx) {
    draw_cover_page(cr, spec, run, in, locator, ctx);
  });
  pages.push_back([&spec, &custody, &in](cairo_t* cr, page_context const& ctx) {
    draw_custody_page(cr, in.name, custody, ctx, spec.outputs.language);
  });
  auto report = write_aoi_files(dir, in, doc, pages, pdf_metadata_of(spec, in.name));
  report.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return report;
}

}  // namespace

std::string map_png_name(std::string const& aoi, std::string const& kind,
                         std::string const& period) {
  return aoi + "_map_" + kind + "_" + period + ".png";
}

report_result render_reports(job_spec const& spec, report_options const& options) {
  ensure_gdal();
  require_run_outputs(spec);
  auto const names = selected_aois(spec, options);
  auto const run = read_run_inputs(spec);
  fs::path const dir = spec.outputs.dir / product::report_dir;
  fs::create_directories(dir);
  // The run's manifest: the report prints its hash and adds nothing to it (a report drawn
  // again from the same outputs is the same file).
  auto const custody = read_custody(spec.outputs.dir);
  // The cover's locator map: every AOI and the scenes' footprints, the same for each AOI.
  auto const locator = read_cover_locator(spec, run);
  // The web map, where Debian's libjs-leaflet is installed: Leaflet beside the page.
  bool const leaflet = copy_leaflet(dir);
  if (!leaflet)
    spdlog::warn("{}: not found (Debian's libjs-leaflet): report/index.html has no map",
                 (leaflet_source() / "leaflet.js").string());
  web_map map;
  map.aois = locator.aois;
  if (fs::path const geojson = spec.outputs.dir / product::polygon_file(polygon_format::geojson);
      fs::exists(geojson))
    map.alerts_geojson = read_whole_file(geojson);
  report_result result;
  for (auto const& name : names)
    result.aois.push_back(
        render_aoi(spec, run, name, dir, locator, custody, leaflet ? &map.overlays : nullptr));
  // A page per network: the one asked for, or every network of the job when all AOIs are
  // drawn.
  // File stems over every network of the job, so that a network's file is the same whichever
  // networks are drawn.
  auto const all = job_networks(spec);
  auto const stems = network_file_stems(all);
  std::vector<index_link> links;
  for (std::size_t n = 0; n < all.size(); ++n) {
    auto const& network = all[n];
    if (options.network ? network != *options.network : options.aoi.has_value()) continue;
    auto const pdf = write_network_page(dir, stems[n], spec, run,
                                        summarize_network(spec, network, run.alerts), locator);
    result.networks.push_back(pdf);
    links.push_back(
        {pdf.filename().string(), say(spec.outputs.language, "network.title", network)});
  }
  result.index_html = dir / "index.html";
  write_index(result.index_html, spec, run.alerts, index_provenance(spec, run),
              leaflet ? &map : nullptr, links);
  return result;
}

}  // namespace geosweep::pipeline
