#pragma once
/// \file
/// The time-series page of an AOI report: the mean index of each date over the alerts' pixels
/// and over the whole AOI, the baseline means and the anomaly threshold, the dates the alerts
/// were first seen and confirmed, the clear share of each date, and below the plot the
/// provenance of the outputs the report was drawn from.

#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "report/report_inputs.hpp"
#include "report/report_pages.hpp"

namespace geosweep::pipeline {

/// Draws the time-series page of `in` with the `provenance` lines at the bottom.
void draw_series_page(cairo_t* cr, job_spec const& spec, aoi_inputs const& in,
                      std::vector<std::string> const& provenance, page_context const& ctx);

}  // namespace geosweep::pipeline
