#pragma once
/// \file
/// STAC items as scenes: reads items (one item file, an ItemCollection, a Catalog or
/// Collection with item links, or a folder of any of these), resolves asset hrefs to paths GDAL
/// opens (local files, /vsicurl/ for http(s), /vsis3/ for s3://) and finds each band's asset
/// by the sensor profile's band codes or STAC common names.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "catalog/product_metadata.hpp"
#include "catalog/scene_catalog.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// One band of a STAC asset: eo:bands and raster:bands entries at the same position.
struct stac_band {
  std::string name;                  ///< eo:bands name, e.g. B04 or OLI_B4
  std::string common_name;           ///< eo:bands common_name, e.g. red, nir08
  std::optional<double> scale;       ///< raster:bands scale
  std::optional<double> offset;      ///< raster:bands offset
  std::optional<double> nodata;      ///< raster:bands nodata (finite numbers only)
  std::optional<double> resolution;  ///< raster:bands spatial_resolution, metres
};

/// One asset of a STAC item.
struct stac_asset {
  std::string key;                 ///< the key in the item's assets, e.g. red or B04
  std::string href;                ///< as written in the item
  std::string path;                ///< what GDAL opens (see resolve_stac_href)
  std::string media_type;          ///< "type", e.g. image/tiff; application=geotiff
  std::vector<std::string> roles;  ///< e.g. data, reflectance, visual
  std::vector<stac_band> bands;    ///< empty when the asset has neither eo:bands nor raster:bands
  std::optional<double> gsd;       ///< the asset's gsd
};

/// The parts of a STAC item geosweep uses.
struct stac_item {
  std::filesystem::path file;  ///< the JSON file it was read from
  std::string id;
  std::string collection;
  std::string platform;               ///< properties.platform, e.g. sentinel-2a, landsat-8
  civil_date date;                    ///< UTC date of properties.datetime (or start_datetime)
  std::optional<double> cloud_cover;  ///< properties.eo:cloud_cover, percent
  std::optional<geo_bbox> bbox;       ///< bbox (west > east across the antimeridian)
  std::string processing_baseline;    ///< properties.s2:processing_baseline, when given
  std::optional<double> gsd;          ///< properties.gsd
  std::vector<stac_asset> assets;     ///< in the item's order
};

/// What a STAC href is for GDAL, relative to the item file `item_file`: a relative href is
/// taken from the item's folder; file:// URLs are local paths; http(s):// URLs are read with
/// /vsicurl/; s3:// and gs:// URLs with /vsis3/ and /vsigs/; /vsi... paths are kept.
std::string resolve_stac_href(std::string const& href, std::filesystem::path const& item_file);

/// True for paths GDAL reads over a network (/vsicurl/, /vsis3/, ...), which geosweep does not
/// touch while cataloguing.
bool is_remote_path(std::string const& path);

/// Reads the items at `path`: an item JSON (type Feature), an ItemCollection (type
/// FeatureCollection), a Catalog or Collection JSON (its local item and child links, followed
/// recursively), or a folder searched recursively for *.json files of any of these (other JSON
/// files in a folder are skipped). Throws geosweep::config_error naming the file and key when
/// a file is not valid JSON, `path` is no STAC document, or an item lacks its id, datetime or
/// assets.
std::vector<stac_item> read_stac_items(std::filesystem::path const& path);

/// Parses one item; `file` names it in errors and is the base of relative hrefs.
stac_item parse_stac_item(std::string const& json_text, std::filesystem::path const& file);

/// The scene `item` describes for the job's sensor: a band file for each of `needed_bands`
/// (blue, green, red, nir, swir1, swir2) and the quality band (SCL, QA_PIXEL, the generic mask)
/// when the item has it; date, cloud cover and footprint from the item; scale, offset and
/// nodata from raster:bands. Sentinel-2 assets without raster:bands scale get 1/10000 and the
/// BOA offset of the item's s2:processing_baseline, when it gives one. Throws
/// geosweep::config_error naming the item file and the band and asset it lacks. Each of
/// `optional_bands` the item has joins the bands too; one it lacks is left out.
scene stac_scene(stac_item const& item, sensor_spec const& sensor,
                 std::vector<std::string> const& needed_bands,
                 std::vector<std::string> const& optional_bands = {});

}  // namespace geosweep::pipeline
