#pragma once
/// \file
/// The page of a network (job spec `aois[].network`: the company, group or case holding AOIs):
/// the totals of its AOIs' alerts (count, hectares by confidence, value, first and last date),
/// its AOIs ranked by changed area, and the cover's locator map with the network's AOIs filled.
/// Drawn from alerts.csv, landcover.csv (its change by land-cover class) and the job's AOIs,
/// like the cover page; report/network-<slug>.pdf.

#include <cairo.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "outputs/tables.hpp"
#include "report/report_cover_page.hpp"
#include "report/report_inputs.hpp"

namespace geosweep::pipeline {

/// What the page of one network shows.
struct network_summary {
  std::string name;
  struct aoi_totals {
    std::string name;
    alert_totals totals;
  };
  std::vector<aoi_totals> ranked;  ///< its AOIs, most changed area first (then job order)
  alert_totals totals;             ///< all its AOIs' alerts
  std::map<alert_cause, alert_totals> by_cause;  ///< its alerts with a cause, by cause
  /// Two or more of clearing, burn, mining and flooding among its alerts.
  [[nodiscard]] bool cross_over() const;
};

/// The summary of network `network` of `spec` from `alerts` (every AOI's). Throws
/// geosweep::config_error when no AOI belongs to it (network_aois).
network_summary summarize_network(job_spec const& spec, std::string const& network,
                                  std::vector<alert> const& alerts);

/// The file stems of the pages of `networks`: "network-" and the name in lower case, each run
/// of characters other than ASCII letters and digits one '-' ("Acme Timber Ltd." ->
/// "network-acme-timber-ltd"); "-2", "-3"... after a stem an earlier network has, and
/// "network" alone for a name without a letter or digit.
std::vector<std::string> network_file_stems(std::vector<std::string> const& networks);

/// Draws the page of `network`.
void draw_network_page(cairo_t* cr, job_spec const& spec, run_inputs const& run,
                       network_summary const& network, cover_locator const& locator,
                       page_context const& ctx);

/// Writes `dir`/`stem`.pdf (one page) and `stem`.png; returns the PDF.
std::filesystem::path write_network_page(std::filesystem::path const& dir, std::string const& stem,
                                         job_spec const& spec, run_inputs const& run,
                                         network_summary const& network,
                                         cover_locator const& locator);

}  // namespace geosweep::pipeline
