#pragma once
/// \file
/// Finds the scenes of a job (scene folders, an explicit list or STAC items), their dates,
/// band files and metadata (cloud cover, footprint, radiometry from Landsat MTL, Sentinel-2
/// MTD_MSIL2A.xml or the STAC item), and keeps those in the job's periods that overlap an AOI
/// and are clear enough.

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/product_metadata.hpp"
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
  std::optional<double> nodata;  ///< DN that marks no data, when the metadata gives one
};

/// One acquisition: its date and where each common band (red, nir, ...) lives.
struct scene {
  std::string id;
  civil_date date;
  std::map<std::string, band_file> bands;
  std::optional<band_file> quality;     ///< SCL, QA_PIXEL or a generic mask band; may be absent
  std::optional<band_file> saturation;  ///< Landsat QA_RADSAT (per-band saturation bits), if any
  std::optional<double> cloud_cover;    ///< percent (0-100), when the metadata gives it
  std::optional<geo_bbox> footprint;    ///< WGS84, from metadata, a STAC bbox or the raster
  std::filesystem::path metadata;       ///< the MTL, MTD_MSIL2A.xml or STAC item read, if any
};

/// Scenes of the two periods, each sorted by date then id, and what was left out and why.
/// Each scene found is counted once: used, or dropped for the first reason that applies, in
/// the order below.
struct scene_catalog {
  std::vector<scene> baseline;
  std::vector<scene> monitor;
  std::size_t scenes_found = 0;          ///< before any filtering
  std::size_t dropped_by_period = 0;     ///< dated outside both periods
  std::size_t dropped_by_footprint = 0;  ///< footprint known and outside every AOI's bbox
  std::size_t dropped_by_cloud = 0;      ///< cloud cover known and above scenes.max_cloud_cover
};

/// How much work cataloguing does beyond listing names.
struct catalog_options {
  /// Band files of STAC items on local disk must exist (an error names the item and asset).
  /// Off for metadata-only use, e.g. items whose assets live elsewhere.
  bool require_local_files = true;
  /// Scenes whose metadata gives no footprint get the WGS84 bounds of their first band file
  /// (local files only: no network request is made while cataloguing).
  bool raster_footprints = true;
  /// A period left without scenes is an error.
  bool require_both_periods = true;
  /// When set, a STAC API search (scenes.stac_api) puts each item's JSON here, as the API
  /// gave it (geosweep search --save).
  std::vector<std::string>* searched_features = nullptr;
  /// Bands catalogued where a scene has them, skipped where it has not (the causes' evidence
  /// bands, docs/detector.md): a scene's `bands` then lacks them.
  std::vector<std::string> optional_bands;
};

/// Date in a product or file name: an 8-digit YYYYMMDD token, or the YYYYDDD of a Landsat
/// scene id (LT52240631988227CUB02). nullopt when the name holds neither.
std::optional<civil_date> date_from_name(std::string const& name);

/// How well a file stem names band `code`: 1 for "B04", "..._B04" (or "..._SR_B4" for
/// Landsat), 2-4 for SAFE names "..._B04_10m" / "_20m" / "_60m" (finest first), 0 for no match.
int band_file_rank(std::string const& stem, std::string const& code);

/// Every scene of `spec` (folders, list entries or STAC items) with the bands in
/// `needed_bands`, before any filtering, sorted by date then id. Throws geosweep::config_error
/// naming the scene (or item file) when it lacks a band the job needs or has no recognisable
/// date, and geosweep::io_error when its metadata file cannot be read.
std::vector<scene> find_scenes(job_spec const& spec, std::vector<std::string> const& needed_bands,
                               catalog_options const& options = {});

/// The WGS84 bounding box of each AOI of `spec`. Throws geosweep::io_error naming a geometry
/// file that cannot be read.
std::vector<geo_bbox> aoi_bboxes(job_spec const& spec);

/// Builds the catalog of `spec`: find_scenes, then keeps the scenes of either period whose
/// footprint (when known) meets an AOI's bounding box and whose cloud cover (when known) is at
/// most scenes.max_cloud_cover. Throws geosweep::config_error as find_scenes does, and when a
/// period has no scene (saying how many were dropped and why). Also tells GDAL how to reach
/// remote scenes (configure_remote_reads: limits, headers, S3, signing, cache) for the readers.
scene_catalog build_catalog(job_spec const& spec, std::vector<std::string> const& needed_bands);

/// build_catalog with `options`.
scene_catalog build_catalog(job_spec const& spec, std::vector<std::string> const& needed_bands,
                            catalog_options const& options);

/// One line for logs: "19 scenes found, 11 used (5 baseline, 6 monitor); dropped: 3 outside
/// both periods, 4 outside every AOI, 1 above the cloud cover limit".
std::string describe_catalog(scene_catalog const& catalog);

}  // namespace geosweep::pipeline
