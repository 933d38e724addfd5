#pragma once
/// \file
/// The last page of each AOI's report, its chain of custody: the hashes of the run's
/// manifest.json (outputs/manifest.hpp), of the job file and of the input files the run read,
/// so that a printed report can be tied to the files it was drawn from (`geosweep verify`).

#include <cairo.h>

#include <cstddef>
#include <filesystem>
#include <string>

#include "outputs/manifest.hpp"
#include "report/report_pages.hpp"

namespace geosweep::pipeline {

/// What the custody page shows: the run's manifest, or why there is none.
struct custody_record {
  std::filesystem::path manifest_path;
  std::string manifest_sha256;  ///< empty without a readable manifest
  manifest contents;
  std::string problem;   ///< why there is no manifest to show ("" when there is)
  bool missing = false;  ///< the problem is that there is no manifest.json (the page says so)
};

/// Reads `outputs_dir`/manifest.json and hashes it. A missing or malformed manifest is not an
/// error: the page says so.
custody_record read_custody(std::filesystem::path const& outputs_dir);

/// Input files listed on the page; the rest are counted and left to manifest.json.
inline constexpr std::size_t custody_inputs_shown = 30;

/// Draws the custody page of AOI `aoi` in `language`.
void draw_custody_page(cairo_t* cr, std::string const& aoi, custody_record const& custody,
                       page_context const& ctx, report_language language);

}  // namespace geosweep::pipeline
