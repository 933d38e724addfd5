#pragma once
// Internal to pipeline/src/run: the first phase of a run, everything decided before a pixel is
// read. The bands and indices, the scenes of each date (for monitoring, only those no earlier
// run read), the analysis grid and each AOI's window of it, and the chunks.

#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "catalog/scene_catalog.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "grid/analysis_grid.hpp"
#include "grid/aoi.hpp"
#include "load/observation_stream.hpp"
#include "outputs/cog_exporter.hpp"
#include "outputs/tables.hpp"
#include "patches/cause_tally.hpp"
#include "patches/patch_stitcher.hpp"

namespace geosweep::pipeline {

/// An AOI of the run, and what is summed over it while the chunks stream past.
struct aoi_work {
  aoi_shape shape;
  pixel_window window;  ///< in the analysis grid
  raster_grid grid;     ///< the window as a grid
  std::unique_ptr<patch_stitcher> stitcher;
  std::vector<double> row_areas;  ///< ground area of a pixel, by window row
  std::int64_t inside_pixels = 0;
  std::int64_t clear_pixels = 0;  ///< inside, and clear in both periods
  double clear_m2 = 0.0;
  double no_model_m2 = 0.0;              ///< inside, class change_no_model (bfast)
  std::vector<double> clear_m2_by_date;  ///< area with a clear look, per date
  double inside_m2 = 0.0;                ///< ground area inside the AOI
  double forest_m2 = 0.0;                ///< of it, forest by its baseline index
  series_sums series;                    ///< the change index over the whole AOI (series.csv)
  std::unordered_map<std::int32_t, series_sums> series_by_patch;  ///< by provisional patch
  std::unordered_map<std::int32_t, cause_tally> causes_by_patch;  ///< by provisional patch
};

/// What a run reads and computes, and where.
struct run_plan {
  std::vector<std::string> indices;  ///< computed: the job's, then the change index
  std::vector<std::string> bands;    ///< read: the indices' and the colour composites'
  std::vector<std::string> colour;   ///< the bands the colour composites use
  /// change.causes: evidence_bands_to_read (they join `bands`); none when a scene lacks one,
  /// and then every cause is unknown.
  std::vector<std::string> cause_bands;
  std::vector<colour_composite> composites;
  scene_catalog catalog;
  std::vector<date_group> dates;  ///< point into catalog
  raster_grid grid;
  std::vector<aoi_work> aois;  ///< in job order
  std::vector<bool> cog_aois;  ///< by AOI: whether it gets COGs (outputs.cog, cog_auto_pixels)
  std::vector<grid_chunk> chunks;
  civil_date date_before, date_after;  ///< the latest date of each period (earlier runs too)
};

/// The bands a run of `spec` catalogs its scenes for: those of its indices and, with
/// outputs.cog, the colour bands (plan_run drops those again when no AOI gets COGs). The
/// evidence bands of change.causes are optional: catalog them as catalog_options'
/// optional_bands, then evidence_bands_to_read.
std::vector<std::string> bands_to_read(job_spec const& spec);

/// change.causes: the evidence bands (evidence_bands) when every scene of `catalog` has all
/// of them, else none; every evidence layer needs a SWIR band, so with one band missing
/// anywhere no cause can be decided and reading the others would be for nothing.
std::vector<std::string> evidence_bands_to_read(job_spec const& spec, scene_catalog const& catalog);

/// Plans the run of `spec`, continuing `resume` when monitoring; records the scenes it will
/// read (and those left out) in `result`. Nothing to plan when monitoring finds no new scene,
/// or no monitoring date yet (result.nothing_new is set then).
std::optional<run_plan> plan_run(job_spec const& spec, continuation const* resume,
                                 run_result& result);

}  // namespace geosweep::pipeline
