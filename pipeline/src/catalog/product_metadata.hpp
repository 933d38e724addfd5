#pragma once
/// \file
/// Product metadata files read into plain structs: Landsat MTL (Collection 1 and 2, Level-1
/// and Level-2, as ODL text, XML or JSON) and Sentinel-2 L2A MTD_MSIL2A.xml.

#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/geo_bbox.hpp"

namespace geosweep::pipeline {

/// value = DN * mult + add.
struct linear_rescale {
  double mult = 1.0;
  double add = 0.0;
  bool operator==(linear_rescale const&) const = default;
};

/// What geosweep uses of a Landsat MTL file. The three formats of one product (MTL.txt,
/// MTL.xml, MTL.json) give equal structs.
struct landsat_metadata {
  std::string product_id;             ///< LANDSAT_PRODUCT_ID, or LANDSAT_SCENE_ID in older files
  std::string spacecraft;             ///< SPACECRAFT_ID, e.g. LANDSAT_8
  std::string sensor;                 ///< SENSOR_ID, e.g. OLI_TIRS
  std::string processing_level;       ///< PROCESSING_LEVEL (L2SP, L1TP) or DATA_TYPE (L1T)
  civil_date acquired;                ///< DATE_ACQUIRED
  int wrs_path = 0;                   ///< WRS_PATH (0 when absent)
  int wrs_row = 0;                    ///< WRS_ROW (0 when absent)
  std::optional<double> cloud_cover;  ///< CLOUD_COVER, percent of the scene
  std::optional<double> cloud_cover_land;  ///< CLOUD_COVER_LAND, percent of the land
  /// Product corners as {lon, lat}: upper left, upper right, lower right, lower left.
  std::optional<std::array<std::array<double, 2>, 4>> corners;
  std::optional<geo_bbox> footprint;  ///< bounding box of the corners
  /// Reflectance = DN * mult + add by band number (REFLECTANCE_MULT_BAND_n, _ADD_BAND_n):
  /// surface reflectance from LEVEL2_SURFACE_REFLECTANCE_PARAMETERS when the product is
  /// Level-2, else top-of-atmosphere reflectance from the Level-1 rescaling group. Empty when
  /// the file has neither (old Level-1 MTLs give radiance only).
  std::map<int, linear_rescale> reflectance;
  bool surface_reflectance = false;  ///< true when `reflectance` is Level-2 surface reflectance
  bool operator==(landsat_metadata const&) const = default;
};

/// The encodings of a Landsat MTL file.
enum class mtl_format { odl, xml, json };

/// Reads a Landsat MTL file (any GDAL path, e.g. /vsicurl/...). The format follows the
/// extension (.txt ODL, .xml, .json), or the first character for other names. ODL text may be
/// padded with NUL bytes. Throws geosweep::io_error naming the file (and the key) when it
/// cannot be read, is not an MTL, or lacks DATE_ACQUIRED.
landsat_metadata read_landsat_mtl(std::filesystem::path const& file);

/// Parses MTL text in `format`; `name` names it in errors.
landsat_metadata parse_landsat_mtl(std::string const& text, mtl_format format,
                                   std::string const& name);

/// What geosweep uses of a Sentinel-2 L2A product metadata file (MTD_MSIL2A.xml).
struct sentinel2_metadata {
  std::string product_uri;            ///< PRODUCT_URI, the SAFE name
  std::string spacecraft;             ///< SPACECRAFT_NAME, e.g. Sentinel-2A
  std::string processing_baseline;    ///< PROCESSING_BASELINE, e.g. 02.12 or 05.10
  civil_date sensing_date;            ///< date of PRODUCT_START_TIME (UTC)
  std::optional<double> cloud_cover;  ///< Cloud_Coverage_Assessment, percent
  double quantification = 10000.0;    ///< BOA_QUANTIFICATION_VALUE
  /// BOA_ADD_OFFSET by band code (B01 ... B12, B8A), for every band of the product. Products
  /// before processing baseline 04.00 have none: 0. A product of baseline 04.00 or later
  /// without the list gets ESA's -1000.
  std::map<std::string, double> boa_add_offset;
  std::optional<geo_bbox> footprint;  ///< bounding box of the product footprint
  bool operator==(sentinel2_metadata const&) const = default;

  /// BOA_ADD_OFFSET of band `code` (B04 or B4), 0 when the product gives none.
  [[nodiscard]] double add_offset(std::string const& code) const;
};

/// Reads MTD_MSIL2A.xml (any GDAL path). Throws geosweep::io_error naming the file and the
/// element when it cannot be read, is not L2A product metadata or lacks its start time.
sentinel2_metadata read_sentinel2_mtd(std::filesystem::path const& file);

/// Parses MTD_MSIL2A.xml text; `name` names it in errors.
sentinel2_metadata parse_sentinel2_mtd(std::string const& xml, std::string const& name);

/// Sentinel-2 band code with two digits: B4 -> B04, B8A -> B8A, SCL -> SCL.
std::string sentinel2_band_code(std::string const& name);

/// True when processing baseline `baseline` ("04.00", "5.09") is 04.00 or later, the baselines
/// whose reflectance carries a BOA_ADD_OFFSET.
bool sentinel2_baseline_has_offset(std::string const& baseline);

/// The WGS84 bounding box of a georeferenced raster (its band 1 grid), or nullopt when GDAL
/// cannot open it or it has no geotransform or CRS.
std::optional<geo_bbox> raster_footprint(std::filesystem::path const& file);

}  // namespace geosweep::pipeline
