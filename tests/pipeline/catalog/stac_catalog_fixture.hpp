#pragma once
/// \file
/// What the STAC catalog tests share: small GeoTIFFs and JSON files written for a test, STAC
/// assets and Sentinel-2 items built as JSON, the sensor spec of a sensor type, and a fixture
/// with a scratch folder that writes a local Sentinel-2 item with its band files. The tests use
/// it as `using StacCatalog = geosweep::test_tools::stac_catalog_fixture;`.

#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "tools/json_file.hpp"
#include "tools/temp_dir_test.hpp"

namespace geosweep::test_tools {

/// A 4 x 4 GeoTIFF of `value`, EPSG:32722 (as the sensor profile tests).
inline void write_tif(std::filesystem::path const& path, std::uint16_t value) {
  pipeline::ensure_gdal();
  std::filesystem::create_directories(path.parent_path());
  GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
  GDALDatasetUniquePtr ds(gtiff->Create(path.c_str(), 4, 4, 1, GDT_UInt16, nullptr));
  ASSERT_TRUE(ds);
  double gt[6] = {500000, 30, 0, 9000000, 0, -30};
  ds->SetGeoTransform(gt);
  OGRSpatialReference utm;
  utm.importFromEPSG(32722);
  ds->SetSpatialRef(&utm);
  std::vector<std::uint16_t> values(16, value);
  ASSERT_EQ(
      ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 4, 4, values.data(), 4, 4, GDT_UInt16, 0, 0),
      CE_None);
}

/// A data asset at `href` with eo:bands `name` and `common` (left out when both are empty) and
/// raster:bands of nodata 0 at `resolution` metres.
inline nlohmann::json band_asset(std::string const& href, std::string const& name,
                                 std::string const& common, double resolution,
                                 char const* type =
                                     "image/tiff; application=geotiff; "
                                     "profile=cloud-optimized") {
  nlohmann::json a = {{"href", href}, {"type", type}, {"roles", {"data"}}};
  if (!name.empty() || !common.empty()) {
    nlohmann::json b = nlohmann::json::object();
    if (!name.empty()) b["name"] = name;
    if (!common.empty()) b["common_name"] = common;
    a["eo:bands"] = nlohmann::json::array({b});
  }
  a["raster:bands"] = nlohmann::json::array({{{"nodata", 0}, {"spatial_resolution", resolution}}});
  return a;
}

/// A Sentinel-2 L2A item dated `date` with `assets`.
inline nlohmann::json sentinel2_item(std::string const& id, std::string const& date,
                                     nlohmann::json assets) {
  return {{"type", "Feature"},
          {"stac_version", "1.0.0"},
          {"id", id},
          {"collection", "sentinel-2-l2a"},
          {"bbox", {-51.1, -9.2, -50.9, -8.9}},
          {"geometry", nullptr},
          {"properties", {{"datetime", date + "T14:37:29.024000Z"}, {"platform", "sentinel-2a"}}},
          {"links", nlohmann::json::array()},
          {"assets", std::move(assets)}};
}

/// A scratch folder per test, jobs of one bbox AOI in it (temp_dir_test), and local Sentinel-2
/// items.
class stac_catalog_fixture : public temp_dir_test {
 protected:
  /// Local band files B04/B08/SCL of a scene called `id`, and a Planetary-Computer-style item
  /// for them (keys B04, B08, SCL; hrefs relative to the item).
  /// `up` is the way from the item's folder to dir_.
  nlohmann::json local_sentinel2_item(std::string const& id, std::string const& date,
                                      std::string const& up = "../") {
    for (char const* band : {"B04", "B08", "SCL"})
      write_tif(dir_ / "cogs" / id / (std::string(band) + ".tif"), 1000);
    std::string const at = up + "cogs/" + id + "/";
    return sentinel2_item(id, date,
                          {{"B04", band_asset(at + "B04.tif", "B04", "red", 10)},
                           {"B08", band_asset(at + "B08.tif", "B08", "nir", 10)},
                           {"SCL", band_asset(at + "SCL.tif", "", "", 20)}});
  }
};

/// The sensor spec of a sensor type name (sentinel2-l2a, landsat-c2-l2, ...), defaults otherwise.
inline pipeline::sensor_spec sensor(std::string const& type) {
  pipeline::sensor_spec s;
  s.type = pipeline::from_string<pipeline::sensor_type>(type).value();
  return s;
}

}  // namespace geosweep::test_tools
