// The run's outputs as a STAC catalogue (outputs/stac_output.hpp), written with nlohmann::json.
// The rasters' projection and bands are read back from the files themselves (GDAL), so the
// catalogue says what the files hold, not what the writer meant to write.
#include "outputs/stac_output.hpp"

#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "core/sha256.hpp"
#include "core/text.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;  // fields in the order written, as documented

constexpr char const* kStacVersion = "1.0.0";
constexpr char const* kProjection =
    "https://stac-extensions.github.io/projection/v1.1.0/schema.json";
constexpr char const* kRaster = "https://stac-extensions.github.io/raster/v1.1.0/schema.json";
constexpr char const* kFile = "https://stac-extensions.github.io/file/v2.1.0/schema.json";
constexpr char const* kCogType = "image/tiff; application=geotiff; profile=cloud-optimized";

/// A file of the whole run that every AOI's Item lists: its asset key, media type and title.
struct run_file {
  std::string file;
  char const* key;
  char const* type;
  char const* title;
};

std::vector<run_file> run_files() {
  return {
      {std::string(product::netcdf_file), "netcdf", "application/netcdf",
       "Change layers (netCDF-4/CF)"},
      {std::string(product::area_table_file), "areas", "text/csv", "Areas by AOI and date"},
      {std::string(product::alert_table_file), "alerts", "text/csv", "Alerts"},
      {std::string(product::series_table_file), "series", "text/csv",
       "Change index by alert and date"},
      {std::string(product::landcover_table_file), "landcover", "text/csv",
       "Changed area by land-cover class"},
      {std::string(product::network_table_file), "networks", "text/csv", "Totals by network"},
      {product::polygon_file(polygon_format::gpkg), "alerts_gpkg", "application/geopackage+sqlite3",
       "Alert polygons (GeoPackage)"},
      {product::polygon_file(polygon_format::geojson), "alerts_geojson", "application/geo+json",
       "Alert polygons (GeoJSON)"},
      {product::polygon_file(polygon_format::kmz), "alerts_kmz", "application/vnd.google-earth.kmz",
       "Alert placemarks (KMZ)"},
  };
}

/// The date `d` at `time` UTC, RFC 3339.
std::string date_time(civil_date d, char const* time) {
  return to_iso(d) + "T" + time + "Z";
}

/// The file extension's fields of the output `path` (relative to the outputs folder): its
/// size and its SHA-256 as a multihash (0x12: SHA2-256, 0x20: 32 bytes, then the digest).
void add_file_fields(json& asset, std::string const& path,
                     std::map<std::string, file_digest> const& digests) {
  auto const it = digests.find(path);
  if (it == digests.end()) return;
  asset["file:size"] = it->second.size;
  asset["file:checksum"] = "1220" + it->second.sha256;
}

/// The projection extension's fields of a grid of `width` x `height` pixels.
void add_projection(json& object, OGRSpatialReference const& srs, std::array<double, 6> const& gt,
                    int width, int height) {
  char const* const authority = srs.GetAuthorityName(nullptr);
  char const* const code = srs.GetAuthorityCode(nullptr);
  if (authority != nullptr && code != nullptr && std::string_view(authority) == "EPSG") {
    object["proj:epsg"] = std::stoi(code);
  } else {
    // No EPSG code: the CRS in full, as the projection extension asks (2 kB an asset, so
    // not beside a code that says the same).
    object["proj:epsg"] = nullptr;
    char* wkt = nullptr;
    char const* const options[] = {"FORMAT=WKT2_2018", nullptr};
    if (srs.exportToWkt(&wkt, options) == OGRERR_NONE && wkt != nullptr)
      object["proj:wkt2"] = std::string(wkt);
    CPLFree(wkt);
  }
  object["proj:shape"] = {height, width};
  object["proj:transform"] = {gt[1], gt[2], gt[0], gt[4], gt[5], gt[3]};
  double min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;
  for (int const row : {0, height})
    for (int const col : {0, width}) {
      double const x = gt[0] + col * gt[1] + row * gt[2];
      double const y = gt[3] + col * gt[4] + row * gt[5];
      min_x = std::min(min_x, x);
      max_x = std::max(max_x, x);
      min_y = std::min(min_y, y);
      max_y = std::max(max_y, y);
    }
  object["proj:bbox"] = {min_x, min_y, max_x, max_y};
}

/// The raster extension's name of a GDAL data type.
std::string stac_data_type(GDALDataType type) {
  switch (type) {
    case GDT_Byte:
      return "uint8";
    case GDT_UInt16:
      return "uint16";
    case GDT_Int16:
      return "int16";
    case GDT_UInt32:
      return "uint32";
    case GDT_Int32:
      return "int32";
    case GDT_Float32:
      return "float32";
    case GDT_Float64:
      return "float64";
    default:
      return "other";
  }
}

/// The COG `path` (relative to `dir`) as an asset: its bands, grid, size and checksum.
json cog_asset(fs::path const& dir, std::string const& path,
               std::map<std::string, file_digest> const& digests) {
  fs::path const file = dir / path;
  GDALDatasetUniquePtr ds(GDALDataset::Open(file.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (!ds) throw io_error(file.string() + ": cannot open to describe it in the STAC item");
  std::string const stem = fs::path(path).stem().string();
  json asset;
  asset["href"] = "../../" + url_path(path);
  asset["type"] = kCogType;
  bool const dates = stem.size() > 5 && stem.compare(stem.size() - 5, 5, "_date") == 0;
  bool const composite = ds->GetRasterCount() == 3;
  asset["title"] = stem;
  std::string description;
  for (int b = 1; b <= ds->GetRasterCount(); ++b) {
    std::string const name = ds->GetRasterBand(b)->GetDescription();
    if (!name.empty()) description += (description.empty() ? "" : ", ") + name;
  }
  if (!description.empty()) asset["description"] = "Bands: " + description;
  if (dates)
    asset["roles"] = {"date"};  // STAC best practices: per-pixel acquisition dates
  else if (composite)
    asset["roles"] = {"data", "reflectance"};
  else
    asset["roles"] = {"data"};
  std::array<double, 6> gt{};
  ds->GetGeoTransform(gt.data());
  if (auto const* srs = ds->GetSpatialRef())
    add_projection(asset, *srs, gt, ds->GetRasterXSize(), ds->GetRasterYSize());
  json bands = json::array();
  for (int b = 1; b <= ds->GetRasterCount(); ++b) {
    GDALRasterBand* band = ds->GetRasterBand(b);
    json j;
    j["data_type"] = stac_data_type(band->GetRasterDataType());
    int has = 0;
    double const nodata = band->GetNoDataValue(&has);
    bool const integral = GDALDataTypeIsInteger(band->GetRasterDataType()) != 0;
    if (has && std::isnan(nodata))
      j["nodata"] = "nan";
    else if (has)
      j["nodata"] = integral ? json(static_cast<std::int64_t>(nodata)) : json(nodata);
    j["sampling"] = "area";
    j["spatial_resolution"] = std::abs(gt[1]);
    double const scale = band->GetScale(&has);
    if (has && scale != 1.0) j["scale"] = scale;
    double const offset = band->GetOffset(&has);
    if (has && offset != 0.0) j["offset"] = offset;
    if (dates) j["unit"] = "days since 1970-01-01";
    bands.push_back(std::move(j));
  }
  asset["raster:bands"] = std::move(bands);
  add_file_fields(asset, path, digests);
  return asset;
}

/// The outline `outline` (in `grid`'s CRS) in WGS84 as GeoJSON, and its bounding box.
std::pair<json, std::array<double, 4>> wgs84_geometry(OGRGeometry const& outline,
                                                      raster_grid const& grid,
                                                      std::string const& aoi) {
  OGRGeometryUniquePtr g(outline.clone());
  auto const to_wgs84 = make_transform(make_srs(grid.crs_wkt), wgs84());
  if (g->transform(to_wgs84.get()) != OGRERR_NONE)
    throw io_error("STAC item of AOI '" + aoi + "': cannot reproject its outline to WGS84");
  char* text = g->exportToJson();
  json geometry = json::parse(text);
  CPLFree(text);
  OGREnvelope e;
  g->getEnvelope(&e);
  return {std::move(geometry), {e.MinX, e.MinY, e.MaxX, e.MaxY}};
}

json link(char const* rel, std::string const& href, char const* type, std::string title = "") {
  json j;
  j["rel"] = rel;
  j["href"] = href;
  j["type"] = type;
  if (!title.empty()) j["title"] = std::move(title);
  return j;
}

/// The Item of one AOI.
json aoi_item(fs::path const& dir, job_spec const& spec, stac_aoi const& aoi,
              std::map<std::string, file_digest> const& digests, std::string const& created) {
  auto const& r = *aoi.result;
  auto [geometry, bbox] = wgs84_geometry(*aoi.outline, aoi.grid, r.name);
  json item;
  item["type"] = "Feature";
  item["stac_version"] = kStacVersion;
  item["stac_extensions"] = {kProjection, kRaster, kFile};
  item["id"] = r.name;
  item["collection"] = spec.name;
  item["geometry"] = std::move(geometry);
  item["bbox"] = bbox;
  json p;
  p["title"] = r.name;
  p["description"] = "Land-cover change in AOI " + r.name + " of job " + spec.name;
  p["datetime"] = nullptr;  // a range: from the baseline's start to the monitoring's end
  p["start_datetime"] = date_time(spec.baseline.first, "00:00:00");
  p["end_datetime"] = date_time(spec.monitor.last, "23:59:59");
  p["created"] = created;
  add_projection(p, make_srs(aoi.grid.crs_wkt), aoi.grid.transform, aoi.grid.width,
                 aoi.grid.height);
  p["geosweep:change_method"] = std::string(to_string(spec.change.method));
  p["geosweep:change_index"] = spec.change.index;
  p["geosweep:date_before"] = to_iso(r.date_before);
  p["geosweep:date_after"] = to_iso(r.date_after);
  p["geosweep:alerts"] = r.alerts.size();
  p["geosweep:changed_ha"] = r.changed_area_ha;
  p["geosweep:clear_ha"] = r.clear_area_ha;
  item["properties"] = std::move(p);
  std::string const collection = "../" + std::string(stac_collection_file);
  item["links"] = {link("root", collection, "application/json"),
                   link("parent", collection, "application/json"),
                   link("collection", collection, "application/json")};
  json assets = json::object();
  for (auto const& f : run_files()) {
    std::string const& name = f.file;
    if (!fs::is_regular_file(dir / name)) continue;
    json a;
    a["href"] = "../../" + url_path(name);
    a["type"] = f.type;
    a["title"] = f.title;
    if (name == product::netcdf_file)
      a["description"] = "This AOI's layers are in the group " + product::aoi_group(r.name);
    a["roles"] = {"data"};
    add_file_fields(a, name, digests);
    assets[f.key] = std::move(a);
  }
  // The AOI's COGs, in name order.
  fs::path const cogs = product::cog_folder(dir, r.name);
  std::vector<std::string> tifs;
  std::error_code ec;
  for (auto const& e : fs::directory_iterator(cogs, ec))
    if (e.is_regular_file() && e.path().extension() == ".tif")
      tifs.push_back(e.path().lexically_relative(dir).generic_string());
  std::sort(tifs.begin(), tifs.end());
  for (auto const& tif : tifs) assets[fs::path(tif).stem().string()] = cog_asset(dir, tif, digests);
  json manifest;
  manifest["href"] = "../../" + std::string(manifest_file);
  manifest["type"] = "application/json";
  manifest["title"] = "Chain of custody: every input and output with its SHA-256";
  manifest["roles"] = {"metadata"};
  assets["manifest"] = std::move(manifest);
  item["assets"] = std::move(assets);
  return item;
}

/// The Collection of the run, linking its Items.
json run_collection(job_spec const& spec, std::vector<stac_aoi> const& aois,
                    std::vector<std::array<double, 4>> const& boxes) {
  json c;
  c["type"] = "Collection";
  c["stac_version"] = kStacVersion;
  c["stac_extensions"] = json::array();
  c["id"] = spec.name;
  c["title"] = spec.name;
  c["description"] = "Land-cover change found by geosweep (" +
                     std::string(to_string(spec.change.method)) + " on " + spec.change.index +
                     "): baseline " + to_iso(spec.baseline.first) + " to " +
                     to_iso(spec.baseline.last) + ", monitoring " + to_iso(spec.monitor.first) +
                     " to " + to_iso(spec.monitor.last) + ".";
  c["keywords"] = {"land-cover change", "deforestation", std::string(to_string(spec.change.method)),
                   spec.change.index};
  c["license"] = "proprietary";  // the analyst's; the scenes' own licences are theirs
  json provider;
  provider["name"] = "geosweep " + geosweep_version();
  provider["roles"] = {"processor"};
  c["providers"] = json::array({provider});
  std::array<double, 4> all{INFINITY, INFINITY, -INFINITY, -INFINITY};
  for (auto const& b : boxes) {
    all[0] = std::min(all[0], b[0]);
    all[1] = std::min(all[1], b[1]);
    all[2] = std::max(all[2], b[2]);
    all[3] = std::max(all[3], b[3]);
  }
  c["extent"]["spatial"]["bbox"] = json::array({all});
  c["extent"]["temporal"]["interval"] = json::array(
      {{date_time(spec.baseline.first, "00:00:00"), date_time(spec.monitor.last, "23:59:59")}});
  std::string const self = "./" + std::string(stac_collection_file);
  json links = json::array({link("root", self, "application/json", spec.name)});
  for (auto const& a : aois) {
    std::string const& name = a.result->name;
    links.push_back(link("item", "./" + url_path(name) + "/" + url_path(name) + ".json",
                         "application/geo+json", name));
  }
  c["links"] = std::move(links);
  return c;
}

}  // namespace

std::vector<manifest_output> write_stac(fs::path const& dir, job_spec const& spec,
                                        std::vector<stac_aoi> const& aois,
                                        std::vector<manifest_output> const& outputs,
                                        std::string const& created) {
  ensure_gdal();
  std::map<std::string, file_digest> digests;
  for (auto const& o : outputs) digests[o.path] = o.digest;
  std::vector<manifest_output> written;
  auto const write = [&](std::string const& relative, json const& j) {
    fs::path const path = dir / relative;
    fs::create_directories(path.parent_path());
    write_whole_file(path, j.dump(2) + "\n");
    written.push_back({relative, sha256_file(path)});
  };
  std::vector<std::array<double, 4>> boxes;
  for (auto const& a : aois) {
    json const item = aoi_item(dir, spec, a, digests, created);
    boxes.push_back(item["bbox"].get<std::array<double, 4>>());
    std::string const& name = a.result->name;
    write(std::string(product::stac_dir) + "/" + name + "/" + name + ".json", item);
  }
  write(std::string(product::stac_dir) + "/" + std::string(stac_collection_file),
        run_collection(spec, aois, boxes));
  return written;
}

}  // namespace geosweep::pipeline
