#pragma once
/// \file
/// Finds the scenes of a job, their dates and band files, and keeps those in the job's
/// baseline and monitoring periods.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// One band of one scene: a file (or a GDAL path such as /vsicurl/https://...) and a band
/// number in it, with the radiometry its metadata gives, when it gives one (for example a STAC
/// item's raster:bands scale and offset: reflectance = DN * scale + offset).
struct band_file {
  std::filesystem::path path;
  int band = 1;
  std::optional<double> scale;
  std::optional<double> offset;
};

/// One acquisition: its date and where each common band (red, nir, ...) lives.
struct scene {
  std::string id;
  civil_date date;
  std::map<std::string, band_file> bands;
  std::optional<band_file> quality;  ///< SCL, QA_PIXEL or a generic mask band; may be absent
};

/// Scenes of the two periods, each sorted by date then id.
struct scene_catalog {
  std::vector<scene> baseline;
  std::vector<scene> monitor;
  std::size_t scenes_found = 0;  ///< before filtering by period
};

/// Date in a product or file name: an 8-digit YYYYMMDD token, or the YYYYDDD of a Landsat
/// scene id (LT52240631988227CUB02). nullopt when the name holds neither.
std::optional<civil_date> date_from_name(std::string const& name);

/// Builds the catalog of `spec`. Throws geosweep::config_error when a scene lacks a band the
/// job needs or has no recognisable date, and when a period has no scene.
scene_catalog build_catalog(job_spec const& spec, std::vector<std::string> const& needed_bands);

}  // namespace geosweep::pipeline
