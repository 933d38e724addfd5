#pragma once
// Internal to pipeline/src: the run's outputs as a STAC catalogue (STAC 1.0.0), so that a STAC
// browser, pystac or a data catalogue finds them. stac/collection.json describes the run (its
// extent in space and time, the job's method) and links one Item per AOI,
// stac/<aoi>/<aoi>.json: the AOI's outline in WGS84 as its geometry, the periods as its time
// range, and as assets the run's files that hold the AOI (change.nc, the tables, the polygons,
// the AOI's COGs), each with its media type and roles, its size and SHA-256 (the file
// extension's file:size and file:checksum, from the hashes manifest.json lists), and for rasters
// the projection extension's grid and the raster extension's bands. Hrefs are relative, so the
// folder can be moved or published as it is. docs/outputs.md describes the fields.

#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"
#include "outputs/manifest.hpp"

class OGRGeometry;

namespace geosweep::pipeline {

/// The collection's file in the outputs' stac/ (product::stac_dir).
inline constexpr std::string_view stac_collection_file = "collection.json";

/// An AOI as its Item needs it.
struct stac_aoi {
  aoi_result const* result = nullptr;
  raster_grid grid;                      ///< the AOI's window of the analysis grid
  OGRGeometry const* outline = nullptr;  ///< in grid.crs_wkt
};

/// Writes stac/collection.json and stac/<aoi>/<aoi>.json under the outputs folder `dir`, each
/// under a temporary name until complete. `outputs` are the files already in `dir` with their
/// digests (hash_outputs); `created` is the run's start (ISO 8601 UTC). Returns the files
/// written with their digests, paths relative to `dir`, for the manifest.
std::vector<manifest_output> write_stac(std::filesystem::path const& dir, job_spec const& spec,
                                        std::vector<stac_aoi> const& aois,
                                        std::vector<manifest_output> const& outputs,
                                        std::string const& created);

}  // namespace geosweep::pipeline
