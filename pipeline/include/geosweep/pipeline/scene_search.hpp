#pragma once
/// \file
/// What a run of a job would read, without reading a pixel (`geosweep search JOB.yaml`): the
/// scenes its catalog keeps (a folder, a list, saved STAC items or a STAC API search, then the
/// periods, footprints and cloud filter), each with its cloud cover, how much of each AOI's
/// box its footprint covers, and the decoded bytes its AOI windows come to. A STAC API's
/// items can be saved as an ItemCollection, so that a later run reads exactly them.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/geo_bbox.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// One scene a run would read.
struct planned_scene {
  std::string id;
  civil_date date;
  bool monitor = false;  ///< of the monitoring period (else the baseline)
  std::optional<double> cloud_cover;
  /// Per AOI of the job, in job order: the share (0-1) of its WGS84 box inside the scene's
  /// footprint box; none when the scene's footprint is unknown.
  std::vector<std::optional<double>> aoi_cover;
  /// The bands' 16-bit values over the covered parts of the AOIs' boxes at the pixel size
  /// (grid.resolution, else 10 m for sentinel2-l2a, 30 m for landsat-c2-l2); none for a
  /// generic sensor without grid.resolution or an unknown footprint. The bytes fetched differ:
  /// compressed, in whole tiles.
  std::optional<double> decoded_bytes;
};

/// What `geosweep search` found.
struct scene_search {
  std::vector<planned_scene> scenes;  ///< by date, then id
  /// The bands a run reads: change.causes' evidence bands only when every scene has them all.
  std::vector<std::string> bands;
  std::size_t found = 0;  ///< before the filters
  std::size_t dropped_by_period = 0, dropped_by_footprint = 0, dropped_by_cloud = 0;
  std::optional<std::filesystem::path> saved;  ///< the ItemCollection written (save_dir)
};

/// The share (0-1) of `box`'s ground area (on a sphere) inside `footprint`; both may cross the
/// antimeridian. 0 for an empty box.
double box_cover(geo_bbox const& box, geo_bbox const& footprint);

/// The scenes a run of `spec` would read. With `save_dir` (a STAC API job only; a
/// geosweep::config_error otherwise) the search's items are written, as the API gave them, to
/// `save_dir`/items.json, a STAC ItemCollection that `scenes.stac` reads. Errors as
/// build_catalog's and search_stac_api's.
scene_search search_scenes(job_spec const& spec,
                           std::optional<std::filesystem::path> const& save_dir = std::nullopt);

}  // namespace geosweep::pipeline
