#pragma once
/// \file
/// The first page of each AOI's report, its cover: the job, the AOI, the periods, the imagery,
/// the change method in brief, a summary of the alerts (count, hectares by confidence, value, and
/// with a land-cover raster the hectares and value by class) and the run's provenance, beside a
/// locator map of the AOI within the run's extent: the footprints of the run's scenes, the job's
/// other AOIs and a lon/lat graticule, in plate carrée. The locator reads the job's AOIs and the
/// scene catalog's metadata, never a pixel.

#include <cairo.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "geosweep/pipeline/geo_bbox.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "report/report_inputs.hpp"
#include "report/report_pages.hpp"

namespace geosweep::pipeline {

/// Fill of the report's AOI and outline of the job's other AOIs on the locator (0xRRGGBB).
inline constexpr std::uint32_t locator_aoi_fill = 0xE65100;
inline constexpr std::uint32_t locator_other_aoi = 0x1565C0;

/// The box (points) the locator map is fitted into, keeping its aspect; its legend lies below.
struct locator_box {
  double x0 = 470, y0 = 92, x1 = 762, y1 = 470;
};

/// One AOI on the locator: its rings in longitude/latitude (outer and holes).
struct locator_aoi {
  std::string name;
  std::vector<std::vector<std::array<double, 2>>> rings;
  geo_bbox bbox;
  std::array<double, 2> label{};  ///< a point inside it, where its name goes
};

/// What the locator map shows.
struct cover_locator {
  std::vector<locator_aoi> aois;     ///< every AOI of the job that could be read
  std::vector<geo_bbox> footprints;  ///< of the run's scenes, where the catalog knows them
  std::string footprint_problem;     ///< why there are none ("" when there are)
};

/// The locator of `spec`'s run: its AOIs' shapes and the footprints of the scenes `run` read
/// (from the scene catalog's metadata; no pixel is read). AOIs or scenes that cannot be read
/// are left out, and the page says so.
cover_locator read_cover_locator(job_spec const& spec, run_inputs const& run);

/// What a locator map is about: the AOIs filled (the others outlined), its title and the
/// legend line of the filled AOIs.
struct locator_focus {
  std::vector<std::string> aois;
  std::string title, legend;
};

/// Draws the locator map `loc` in locator_box, and its legend below it.
void draw_locator(cairo_t* cr, job_spec const& spec, locator_focus const& focus,
                  cover_locator const& loc);

/// The lines of a land-cover summary of `classes` (most hectares first, as landcover.csv is
/// read): "12.40 ha of closed forest evergreen broad leaf, estimated 37,200.00", at most five,
/// then one saying how many classes and hectares more.
std::vector<std::string> class_change_lines(report_language language,
                                            std::vector<class_change> const& classes);

/// Draws the cover page of AOI `in`.
void draw_cover_page(cairo_t* cr, job_spec const& spec, run_inputs const& run, aoi_inputs const& in,
                     cover_locator const& locator, page_context const& ctx);

}  // namespace geosweep::pipeline
