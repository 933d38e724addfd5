#pragma once
/// \file
/// Reports per AOI, drawn with cairo from a run's outputs (change.nc, alerts.csv and the
/// COGs): a PDF with map pages (before/after images, change outlines, compass rose, scale
/// bar, graticule, legend), the alert table and the index time series, a PNG of each map
/// page and of the time series, and an HTML index of every AOI's report. docs/reports.md
/// describes the pages and file names.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// What to render.
struct report_options {
  std::optional<std::string> aoi;  ///< one AOI by name; all AOIs of the job when absent
  /// Only the AOIs of this network (aois[].network); with `aoi`, that AOI must belong to it.
  std::optional<std::string> network;
};

/// The report of one AOI.
struct aoi_report {
  std::string name;
  std::filesystem::path pdf;                ///< report/<aoi>.pdf
  std::vector<std::filesystem::path> pngs;  ///< report/<aoi>_map_*.png, <aoi>_time_series.png
  int pages = 0;
  std::size_t alerts = 0;
  double seconds = 0;  ///< time to read and render it
};

/// What render_reports wrote.
struct report_result {
  std::vector<aoi_report> aois;
  std::vector<std::filesystem::path> networks;  ///< report/network-<name>.pdf, one per network
  std::filesystem::path index_html;             ///< report/index.html
};

/// Renders the reports of `spec`'s AOIs into `spec.outputs.dir`/report/ from the outputs of an
/// earlier run. Every file is written under a temporary name and renamed when complete.
/// Throws geosweep::io_error naming the missing file when the run's outputs are absent, and
/// geosweep::config_error for an unknown AOI name.
report_result render_reports(job_spec const& spec, report_options const& options = {});

/// Names of the PNGs of a map page: "<aoi>_map_<kind>_<period>.png" with kind "true_colour",
/// "false_colour" or the change index, period "before" or "after".
std::string map_png_name(std::string const& aoi, std::string const& kind,
                         std::string const& period);

}  // namespace geosweep::pipeline
