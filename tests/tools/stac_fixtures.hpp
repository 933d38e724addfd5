#pragma once
/// \file
/// STAC fixtures for tests: Cloud Optimized GeoTIFF copies of simulated scenes and STAC items
/// describing them, with hrefs relative to the item or under a URL (e.g. a local nginx, see
/// nginx_server.hpp). Header-only; needs GDAL and nlohmann-json.
///
///   auto sim = gp::simulate_scenes(dir / "sim", options);
///   test_tools::write_cogs(dir / "sim" / "scenes", dir / "www" / "cogs");
///   test_tools::nginx_server server(dir / "www", dir / "nginx");
///   test_tools::stac_item_options items;
///   items.href_base = server.url() + "/cogs";
///   test_tools::write_stac_items(dir / "www" / "cogs", dir / "items", items);
///   // a job with scenes: {stac: <dir>/items} now reads the scenes over HTTP.

#include <cpl_string.h>
#include <gdal_priv.h>
#include <gdal_utils.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "catalog/product_metadata.hpp"
#include "catalog/scene_catalog.hpp"
#include "core/gdal_utils.hpp"

namespace geosweep::test_tools {

/// How write_stac_items writes items.
struct stac_item_options {
  /// "" gives hrefs relative to the item file; otherwise a URL prefix (like
  /// "http://127.0.0.1:8080/cogs") that stands for `scenes_dir` in each band file's path.
  std::string href_base;
  /// Asset keys: band codes as Planetary Computer and Earth Search v0 (B04, B08, SCL), or
  /// common names as Earth Search v1 (red, nir, scl).
  bool common_name_keys = false;
  /// Write raster:bands scale and offset (from each file's BOA_ADD_OFFSET and
  /// QUANTIFICATION_VALUE). Off, the reader takes the same values from the file itself, so
  /// reflectance is bit for bit that of the folder catalog.
  bool scale_offset = false;
  /// Write one ItemCollection (items.json) instead of one <id>.json per scene.
  bool item_collection = false;
  /// eo:cloud_cover by scene id (left out for scenes not listed).
  std::map<std::string, double> cloud_cover;
};

/// Every GeoTIFF under `from` copied to the same relative path under `to` as a Cloud
/// Optimized GeoTIFF (GDAL's COG driver, DEFLATE), keeping band metadata and nodata.
/// Throws std::runtime_error naming the file when GDAL fails.
inline void write_cogs(std::filesystem::path const& from, std::filesystem::path const& to) {
  namespace fs = std::filesystem;
  pipeline::ensure_gdal();
  for (auto const& entry : fs::recursive_directory_iterator(from)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".tif") continue;
    fs::path const target = to / fs::relative(entry.path(), from);
    fs::create_directories(target.parent_path());
    GDALDatasetUniquePtr source(GDALDataset::Open(entry.path().c_str(), GDAL_OF_RASTER));
    if (!source) throw std::runtime_error(entry.path().string() + ": cannot open");
    CPLStringList args;
    for (char const* a : {"-of", "COG", "-co", "COMPRESS=DEFLATE", "-co", "BLOCKSIZE=256"})
      args.AddString(a);
    std::unique_ptr<GDALTranslateOptions, decltype(&GDALTranslateOptionsFree)> options(
        GDALTranslateOptionsNew(args.List(), nullptr), &GDALTranslateOptionsFree);
    int usage_error = 0;
    GDALDatasetH out = GDALTranslate(target.c_str(), GDALDataset::ToHandle(source.get()),
                                     options.get(), &usage_error);
    if (out == nullptr || usage_error)
      throw std::runtime_error(target.string() + ": gdal_translate -of COG failed");
    GDALClose(out);
  }
}

/// Writes one STAC 1.0 item (eo and raster extensions) per scene folder under `scenes_dir`
/// laid out as simulate_scenes writes them (S2A_20LMR_20230605_0_L2A/B02.tif ... SCL.tif, or
/// the COG copies of write_cogs) into `items_dir`: id = folder name, datetime from its name,
/// bbox from the rasters, platform sentinel-2a/b, one asset per band file with eo:bands
/// (name, common_name) and raster:bands (nodata 0, spatial_resolution). Returns the files
/// written, sorted.
inline std::vector<std::filesystem::path> write_stac_items(std::filesystem::path const& scenes_dir,
                                                           std::filesystem::path const& items_dir,
                                                           stac_item_options const& options = {}) {
  namespace fs = std::filesystem;
  using json = nlohmann::ordered_json;
  static std::map<std::string, std::pair<std::string, std::string>> const bands{
      {"B02", {"blue", "blue"}}, {"B03", {"green", "green"}},   {"B04", {"red", "red"}},
      {"B08", {"nir", "nir"}},   {"B11", {"swir16", "swir16"}}, {"B12", {"swir22", "swir22"}},
      {"SCL", {"scl", ""}}};
  fs::create_directories(items_dir);
  std::vector<fs::path> folders;
  for (auto const& e : fs::directory_iterator(scenes_dir))
    if (e.is_directory()) folders.push_back(e.path());
  std::sort(folders.begin(), folders.end());

  std::vector<json> items;
  for (auto const& folder : folders) {
    std::string const id = folder.filename().string();
    auto const date = pipeline::date_from_name(id);
    if (!date) throw std::runtime_error(folder.string() + ": no date in the folder name");
    json assets = json::object();
    std::optional<pipeline::geo_bbox> bbox;
    for (auto const& [code, names] : bands) {
      fs::path const file = folder / (code + ".tif");
      if (!fs::exists(file)) continue;
      if (!bbox) bbox = pipeline::raster_footprint(file);
      GDALDatasetUniquePtr ds(GDALDataset::Open(file.c_str(), GDAL_OF_RASTER));
      if (!ds) throw std::runtime_error(file.string() + ": cannot open");
      double gt[6] = {0, 1, 0, 0, 0, 1};
      ds->GetGeoTransform(gt);
      GDALRasterBand* band = ds->GetRasterBand(1);
      json raster = {{"nodata", 0},
                     {"data_type", code == "SCL" ? "uint8" : "uint16"},
                     {"spatial_resolution", gt[1]}};
      if (options.scale_offset && code != "SCL") {
        char const* q = band->GetMetadataItem("QUANTIFICATION_VALUE");
        char const* add = band->GetMetadataItem("BOA_ADD_OFFSET");
        double const quantification = q != nullptr ? std::atof(q) : 10000.0;
        raster["scale"] = 1.0 / quantification;
        raster["offset"] = (add != nullptr ? std::atof(add) : 0.0) / quantification;
      }
      std::string const href =
          options.href_base.empty()
              ? fs::relative(file, items_dir).generic_string()
              : options.href_base + "/" + fs::relative(file, scenes_dir).generic_string();
      json asset = {{"href", href},
                    {"type", "image/tiff; application=geotiff; profile=cloud-optimized"},
                    {"roles", json::array({"data"})}};
      if (code != "SCL") {
        // Earth Search v1 names bands by common name too; others by band code.
        asset["eo:bands"] = json::array({{{"name", options.common_name_keys ? names.second : code},
                                          {"common_name", names.second}}});
      }
      asset["raster:bands"] = json::array({raster});
      assets[options.common_name_keys ? names.first : code] = asset;
    }
    if (!bbox) throw std::runtime_error(folder.string() + ": no georeferenced band file");
    json properties = {{"datetime", pipeline::to_iso(*date) + "T14:37:00Z"},
                       {"platform", id.rfind("S2B", 0) == 0 ? "sentinel-2b" : "sentinel-2a"},
                       {"constellation", "sentinel-2"}};
    if (auto it = options.cloud_cover.find(id); it != options.cloud_cover.end())
      properties["eo:cloud_cover"] = it->second;
    auto const& b = *bbox;
    json geometry = {
        {"type", "Polygon"},
        {"coordinates",
         json::array({json::array({json::array({b.west, b.south}), json::array({b.east, b.south}),
                                   json::array({b.east, b.north}), json::array({b.west, b.north}),
                                   json::array({b.west, b.south})})})}};
    items.push_back({{"type", "Feature"},
                     {"stac_version", "1.0.0"},
                     {"stac_extensions",
                      json::array({"https://stac-extensions.github.io/eo/v1.1.0/schema.json",
                                   "https://stac-extensions.github.io/raster/v1.1.0/schema.json"})},
                     {"id", id},
                     {"collection", "geosweep-simulated"},
                     {"bbox", json::array({b.west, b.south, b.east, b.north})},
                     {"geometry", geometry},
                     {"properties", properties},
                     {"links", json::array()},
                     {"assets", assets}});
  }

  std::vector<fs::path> written;
  auto const write = [&](fs::path const& path, json const& doc) {
    std::ofstream out(path, std::ios::binary);
    out << doc.dump(2) << "\n";
    if (!out) throw std::runtime_error(path.string() + ": cannot write");
    written.push_back(path);
  };
  if (options.item_collection) {
    write(items_dir / "items.json", {{"type", "FeatureCollection"}, {"features", items}});
  } else {
    for (auto const& item : items)
      write(items_dir / (item["id"].get<std::string>() + ".json"), item);
  }
  std::sort(written.begin(), written.end());
  return written;
}

/// The job file `job_file` (as simulate_scenes writes it, with `scenes: {dir: ...}`) rewritten
/// to read `stac` (an item, ItemCollection or folder of items) instead, written to `out_file`.
/// Returns `out_file`. Throws std::runtime_error when the job has no scenes.dir line.
inline std::filesystem::path write_stac_job(std::filesystem::path const& job_file,
                                            std::filesystem::path const& stac,
                                            std::filesystem::path const& out_file) {
  std::ifstream in(job_file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  std::string job = text.str();
  std::string const block = "scenes:\n  ";
  auto const at = job.find(block + "dir: ");
  if (at == std::string::npos)
    throw std::runtime_error(job_file.string() + ": no 'scenes:' with a 'dir:' line");
  auto const key = at + block.size();  // "dir: scenes" up to the end of the line
  job.replace(key, job.find('\n', key) - key, "stac: " + stac.string());
  std::ofstream out(out_file, std::ios::binary);
  out << job;
  if (!out) throw std::runtime_error(out_file.string() + ": cannot write");
  return out_file;
}

}  // namespace geosweep::test_tools
