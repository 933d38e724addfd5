#pragma once
/// \file
/// The files of a report: the PDF of an AOI (every page; reproducible with SOURCE_DATE_EPOCH),
/// a PNG of the cover, of each map page and of the time series, and index.html over every
/// AOI's report with its alert table. Each file is written under a temporary name and renamed
/// when complete (core/atomic_file.hpp), so a reader never sees half a report.

#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/report.hpp"
#include "report/report_inputs.hpp"
#include "report/report_pages.hpp"
#include "report/report_web_map.hpp"

namespace geosweep::pipeline {

/// The document information of a report's PDF.
struct pdf_metadata {
  std::string title;
  std::string subject;
  std::string author;  ///< the job's name
  std::string keywords;
};

/// The PDF metadata of AOI `aoi`'s report of `spec`.
pdf_metadata pdf_metadata_of(job_spec const& spec, std::string const& aoi);

/// Writes `pages` as a PDF with `metadata`, each page with `footer`; its creation date is
/// SOURCE_DATE_EPOCH's when that is set, else now. Throws geosweep::io_error naming `path`
/// when cairo cannot draw or write it.
void write_pdf(std::filesystem::path const& path, pdf_metadata const& metadata,
               std::vector<page_painter> const& pages, std::string const& footer);

/// write_pdf with only a title.
void write_pdf(std::filesystem::path const& path, std::string const& title,
               std::vector<page_painter> const& pages, std::string const& footer);

/// Writes one page as a PNG at `scale` pixels per point. Throws geosweep::io_error naming
/// `path` when cairo cannot draw or write it.
void write_png(std::filesystem::path const& path, page_painter const& page, page_context const& ctx,
               double scale);

/// Writes the PDF (with `metadata`) and PNGs of AOI `in` into `dir`: `pages` are the cover,
/// the map pages, the table pages and the time series of `doc`, then any further pages (the
/// custody page). The report says what was written (all but the time it took).
aoi_report write_aoi_files(std::filesystem::path const& dir, aoi_inputs const& in,
                           report_document const& doc, std::vector<page_painter> const& pages,
                           pdf_metadata const& metadata);

/// A link of index.html: a file of the report folder and its text.
struct index_link {
  std::string file, text;
};

/// Writes index.html at `path`: the interactive `map` (none when null), links to the network
/// pages `networks`, then every AOI of `spec` whose PDF is in the folder, its images and its
/// rows of `alerts`, under the line `provenance`.
void write_index(std::filesystem::path const& path, job_spec const& spec,
                 std::vector<alert> const& alerts, std::string const& provenance,
                 web_map const* map = nullptr, std::vector<index_link> const& networks = {});

}  // namespace geosweep::pipeline
