#pragma once
/// \file
/// The pages of one AOI's report, as painters that draw on any cairo surface (the PDF and the
/// PNGs draw the same pages): the map pages (a stretched colour composite or the index per
/// period, with sidebars of dates, grid and stretch), the alert table over as many pages as it
/// needs, and the time-series page (report_series_page.hpp) with the provenance of the
/// outputs. Also the texts that say where a report comes from (the footer, provenance lines,
/// the line of index.html) and the columns of the alert table, which index.html repeats.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "report/map_geometry.hpp"
#include "report/report_inputs.hpp"
#include "report/report_labels.hpp"
#include "report/report_map.hpp"

namespace geosweep::pipeline {

/// Where a page sits in its document.
struct page_context {
  std::string footer;
  int number = 0;
  int pages = 0;
};

/// Draws one page on a cairo context whose user space is PDF points.
using page_painter = std::function<void(cairo_t*, page_context const&)>;

/// A map page and the names its PNG is written under (map_png_name).
struct map_page_spec {
  std::string kind;    ///< true_colour, false_colour or the change index
  std::string period;  ///< before or after
  map_page page;
};

/// What the pages of one AOI's report show beyond its inputs.
struct report_document {
  grid_geography geography;  ///< of the AOI grid
  std::string footer;        ///< provenance line of every page
  std::vector<map_page_spec> maps;
  std::size_t table_pages = 1;
  /// The alerts with a page of their own (places in the AOI's alerts, in their order) and
  /// every patch's box in the AOI grid.
  std::vector<std::size_t> alert_pages;
  std::vector<pixel_box> patch_boxes;
  std::vector<std::string> provenance;  ///< lines of the time-series page
};

/// The map pages, table page count, footer and provenance of AOI `in`'s report.
report_document make_document(job_spec const& spec, run_inputs const& run, aoi_inputs const& in);

/// The pages of the report: map pages, table pages, alert pages, then the time series. They draw
/// from `spec`, `in` and `doc`, which must outlive them.
std::vector<page_painter> page_painters(job_spec const& spec, aoi_inputs const& in,
                                        report_document const& doc);

/// The line under the title of index.html: the job, its scenes, the method in brief
/// (method_summary) and the version that wrote the outputs.
std::string index_provenance(job_spec const& spec, run_inputs const& run);

/// What change method `method` (as change.nc records it) did with the job's settings, in the
/// words of docs/detector.md: for `bitemporal` one look per period, drop and forest_min; for
/// `baseline` the ladder (k_sigma, confirm, window_days); for both growth, the edge buffer and
/// the minimum mapping unit. The provenance line of the time-series page, in the job's
/// outputs.report_language (as are method_summary and index_provenance).
std::string method_description(job_spec const& spec, std::string const& method,
                               std::string const& index);

/// The method and its thresholds in one clause, for index.html.
std::string method_summary(job_spec const& spec, std::string const& method);

/// A column of the alert table.
struct table_column {
  std::string title;
  std::string key;  ///< alerts.csv column, "#" for the alert number
  double width;
  double align;  ///< 0 left, 1 right
};

/// The columns of the alert table, titled in `language`; the estimated value only when an
/// alert has one, the cause only `with_cause` (change.causes).
std::vector<table_column> table_columns(report_language language, bool with_value, bool with_cause);

/// An alert's cause in `language`, with its burn severity ("burn (high severity)"); empty
/// without one.
std::string cause_text(report_language language, alert const& a);

/// The text of alert field `key` as alerts.csv writes it ("" for nothing).
std::string alert_cell_text(alert const& a, std::string_view key);

/// The text of alert field `key` as a report page prints it in `language`: numbers and dates
/// in the language's format, the confidence in its words, ids and other text as alerts.csv
/// writes them.
std::string alert_cell_text(report_language language, alert const& a, std::string_view key);

}  // namespace geosweep::pipeline
