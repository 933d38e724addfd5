#include "catalog/stac_catalog.hpp"

#include <ogr_geometry.h>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <tuple>

#include "catalog/sensor_profile.hpp"
#include "core/gdal_utils.hpp"
#include "core/text.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

bool iequals(std::string const& a, std::string const& b) {
  return lower(a) == lower(b);
}

std::string read_text(fs::path const& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw config_error(file.string() + ": cannot open the STAC file");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json parse_json(std::string const& text, fs::path const& file) {
  try {
    return json::parse(text);
  } catch (json::exception const& e) {
    throw config_error(file.string() + ": not valid JSON: " + e.what());
  }
}

std::string percent_decode(std::string const& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

/// A number at `j[key]` (finite), or nullopt when absent or null; config_error when it holds
/// something else.
std::optional<double> optional_number(json const& j, char const* key, fs::path const& file,
                                      std::string const& where) {
  if (!j.is_object() || !j.contains(key) || j[key].is_null()) return std::nullopt;
  auto const& v = j[key];
  if (!v.is_number()) {
    throw config_error(file.string() + ": " + where + key + ": expected a number, found " +
                       v.dump());
  }
  double const d = v.get<double>();
  if (!std::isfinite(d)) return std::nullopt;
  return d;
}

std::string optional_string(json const& j, char const* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_string()) return {};
  return j[key].get<std::string>();
}

/// nodata may be a number or one of "nan", "inf", "-inf": only finite numbers are kept.
std::optional<double> nodata_of(json const& j, char const* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_number()) return std::nullopt;
  double const d = j[key].get<double>();
  return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
}

stac_asset parse_asset(std::string const& key, json const& a, fs::path const& file,
                       std::string const& where) {
  std::string const here = where + "assets." + key + ".";
  if (!a.is_object()) throw config_error(file.string() + ": " + here + ": expected an object");
  if (!a.contains("href") || !a["href"].is_string())
    throw config_error(file.string() + ": " + here + "href: missing");
  stac_asset asset;
  asset.key = key;
  asset.href = a["href"].get<std::string>();
  asset.path = resolve_stac_href(asset.href, file);
  asset.media_type = optional_string(a, "type");
  if (a.contains("roles") && a["roles"].is_array()) {
    for (auto const& r : a["roles"])
      if (r.is_string()) asset.roles.push_back(r.get<std::string>());
  }
  asset.gsd = optional_number(a, "gsd", file, here);

  auto const array_at = [&](char const* name) -> json const* {
    if (a.contains(name) && a[name].is_array()) return &a[name];
    return nullptr;
  };
  json const* eo = array_at("eo:bands");
  json const* raster = array_at("raster:bands");
  json const* unified = array_at("bands");  // STAC 1.1
  std::size_t const n =
      std::max({eo ? eo->size() : 0, raster ? raster->size() : 0, unified ? unified->size() : 0});
  for (std::size_t i = 0; i < n; ++i) {
    stac_band band;
    std::string const at = here + "[" + std::to_string(i) + "].";
    if (unified && i < unified->size()) {
      auto const& b = (*unified)[i];
      band.name = optional_string(b, "name");
      band.common_name = optional_string(b, "eo:common_name");
      band.scale = optional_number(b, "raster:scale", file, at);
      band.offset = optional_number(b, "raster:offset", file, at);
      band.nodata = nodata_of(b, "nodata");
      band.resolution = optional_number(b, "raster:spatial_resolution", file, at);
    }
    if (eo && i < eo->size()) {
      auto const& b = (*eo)[i];
      if (band.name.empty()) band.name = optional_string(b, "name");
      if (band.common_name.empty()) band.common_name = optional_string(b, "common_name");
    }
    if (raster && i < raster->size()) {
      auto const& b = (*raster)[i];
      if (!band.scale) band.scale = optional_number(b, "scale", file, at);
      if (!band.offset) band.offset = optional_number(b, "offset", file, at);
      if (!band.nodata) band.nodata = nodata_of(b, "nodata");
      if (!band.resolution) band.resolution = optional_number(b, "spatial_resolution", file, at);
    }
    asset.bands.push_back(band);
  }
  // STAC 1.1 lets a single-band asset carry the band's fields itself.
  if (asset.bands.empty() && (a.contains("eo:common_name") || a.contains("raster:scale") ||
                              a.contains("raster:offset") || a.contains("nodata"))) {
    stac_band band;
    band.common_name = optional_string(a, "eo:common_name");
    band.scale = optional_number(a, "raster:scale", file, here);
    band.offset = optional_number(a, "raster:offset", file, here);
    band.nodata = nodata_of(a, "nodata");
    band.resolution = optional_number(a, "raster:spatial_resolution", file, here);
    asset.bands.push_back(band);
  }
  return asset;
}

stac_item item_from_json(json const& j, fs::path const& file, std::string const& where) {
  auto const fail = [&](std::string const& key, std::string const& message) {
    throw config_error(file.string() + ": " + where + key + ": " + message);
  };
  if (!j.is_object()) fail("", "expected a STAC item object");
  stac_item item;
  item.file = file;
  if (!j.contains("id") || !j["id"].is_string()) fail("id", "missing");
  item.id = j["id"].get<std::string>();
  item.collection = optional_string(j, "collection");
  if (!j.contains("properties") || !j["properties"].is_object()) fail("properties", "missing");
  auto const& p = j["properties"];
  std::string when = optional_string(p, "datetime");
  std::string when_key = "properties.datetime";
  if (when.empty()) {
    when = optional_string(p, "start_datetime");
    when_key = "properties.start_datetime";
  }
  if (when.empty()) fail("properties.datetime", "missing (and no start_datetime)");
  auto const date = parse_iso_date(std::string_view(when).substr(0, 10));
  if (!date) fail(when_key, "'" + when + "' is not an RFC 3339 date and time");
  item.date = *date;
  item.platform = optional_string(p, "platform");
  item.cloud_cover = optional_number(p, "eo:cloud_cover", file, where + "properties.");
  item.processing_baseline = optional_string(p, "s2:processing_baseline");
  item.gsd = optional_number(p, "gsd", file, where + "properties.");

  if (j.contains("bbox") && j["bbox"].is_array()) {
    auto const& b = j["bbox"];
    if (b.size() != 4 && b.size() != 6) fail("bbox", "expected 4 or 6 numbers");
    std::vector<double> v;
    for (auto const& x : b) {
      if (!x.is_number()) fail("bbox", "expected numbers, found " + x.dump());
      v.push_back(x.get<double>());
    }
    std::size_t const half = v.size() / 2;  // [w, s, (zmin,) e, n, (zmax)]
    item.bbox = geo_bbox{v[0], v[1], v[half], v[half + 1]};
  } else if (j.contains("geometry") && j["geometry"].is_object()) {
    std::string const geometry = j["geometry"].dump();
    OGRGeometryUniquePtr const g(OGRGeometryFactory::createFromGeoJson(geometry.c_str()));
    if (g && !g->IsEmpty()) {
      OGREnvelope e;
      g->getEnvelope(&e);
      item.bbox = geo_bbox{e.MinX, e.MinY, e.MaxX, e.MaxY};
    }
  }

  if (!j.contains("assets") || !j["assets"].is_object() || j["assets"].empty())
    fail("assets", "missing (an item needs its band assets)");
  for (auto const& [key, a] : j["assets"].items())
    item.assets.push_back(parse_asset(key, a, file, where));
  return item;
}

std::string type_of(json const& j) {
  return optional_string(j, "type");
}

bool is_stac_document(json const& j) {
  auto const type = type_of(j);
  if (type == "Feature") return j.contains("stac_version") || j.contains("assets");
  if (type == "FeatureCollection") return j.contains("features");
  return type == "Catalog" || type == "Collection";
}

void collect(fs::path const& file, json const& doc, bool follow_links, std::set<fs::path>& visited,
             std::vector<stac_item>& out);

void collect_file(fs::path const& file, bool follow_links, bool skip_non_stac,
                  std::set<fs::path>& visited, std::vector<stac_item>& out) {
  auto const canonical = fs::weakly_canonical(file);
  if (!visited.insert(canonical).second) return;
  json const doc = parse_json(read_text(file), file);
  if (skip_non_stac && !is_stac_document(doc)) return;
  collect(file, doc, follow_links, visited, out);
}

void collect(fs::path const& file, json const& doc, bool follow_links, std::set<fs::path>& visited,
             std::vector<stac_item>& out) {
  auto const type = type_of(doc);
  if (type == "Feature") {
    out.push_back(item_from_json(doc, file, ""));
  } else if (type == "FeatureCollection") {
    if (!doc.contains("features") || !doc["features"].is_array())
      throw config_error(file.string() + ": features: missing");
    auto const& features = doc["features"];
    for (std::size_t i = 0; i < features.size(); ++i)
      out.push_back(item_from_json(features[i], file, "features[" + std::to_string(i) + "]."));
  } else if (type == "Catalog" || type == "Collection") {
    if (!follow_links || !doc.contains("links") || !doc["links"].is_array()) return;
    for (auto const& link : doc["links"]) {
      auto const rel = optional_string(link, "rel");
      if (rel != "item" && rel != "child") continue;
      auto const path = resolve_stac_href(optional_string(link, "href"), file);
      if (path.empty() || is_remote_path(path)) continue;  // local catalogs only
      if (!fs::exists(path)) {
        throw config_error(file.string() + ": links: the " + rel + " link '" + path +
                           "' does not exist");
      }
      collect_file(path, true, false, visited, out);
    }
  } else {
    throw config_error(file.string() +
                       ": not a STAC item, ItemCollection, catalog or collection (type '" + type +
                       "')");
  }
}

/// STAC common names that stand for each of geosweep's band names, best first.
std::vector<std::string> common_names_for(sensor_type sensor, std::string const& band) {
  if (band == "blue" || band == "green" || band == "red") return {band};
  if (band == "nir") {
    // Sentinel-2's broad NIR (B08) is "nir"; B8A is "nir08". Landsat OLI/TM NIR is "nir08".
    if (sensor == sensor_type::sentinel2_l2a) return {"nir"};
    return {"nir08", "nir"};
  }
  if (band == "swir1") return {"swir16"};
  if (band == "swir2") return {"swir22"};
  return {};
}

/// What identifies one band in an item's assets.
struct wanted_band {
  std::string name;  ///< geosweep band name, or "quality"
  std::string code;  ///< sensor band code (B04, SR_B4, SCL, QA_PIXEL) or ""
  std::vector<std::string> common_names;
  std::string suffix;   ///< generic per-band files: the file-name suffix
  int band_number = 0;  ///< generic multi-band files: the band number
};

bool is_raster_asset(stac_asset const& a) {
  for (auto const& role : a.roles) {
    if (role == "thumbnail" || role == "overview" || role == "visual" || role == "metadata")
      return false;
  }
  auto const type = lower(a.media_type);
  for (char const* not_raster : {"json", "xml", "text/", "jpeg", "png", "html"})
    if (type.find(not_raster) != std::string::npos) return false;
  return true;
}

std::string file_stem_of(std::string const& path) {
  auto const slash = path.find_last_of('/');
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  auto const query = name.find('?');
  if (query != std::string::npos) name.erase(query);
  auto const dot = name.find_last_of('.');
  return dot == std::string::npos ? name : name.substr(0, dot);
}

/// The best asset and band for `want`, as (asset index, band index), or nullopt.
std::optional<std::pair<std::size_t, std::size_t>> find_asset(stac_item const& item,
                                                              wanted_band const& want,
                                                              bool sentinel2) {
  auto const normal = [&](std::string const& code) {
    return sentinel2 ? sentinel2_band_code(code) : lower(code);
  };
  using score = std::tuple<int, int, double, int, std::size_t, std::string>;
  std::optional<score> best;
  std::optional<std::pair<std::size_t, std::size_t>> where;
  for (std::size_t ai = 0; ai < item.assets.size(); ++ai) {
    auto const& a = item.assets[ai];
    if (!is_raster_asset(a)) continue;
    bool const single = a.bands.size() <= 1;
    std::size_t const n = std::max<std::size_t>(1, a.bands.size());
    for (std::size_t bi = 0; bi < n; ++bi) {
      stac_band const none;
      auto const& band = bi < a.bands.size() ? a.bands[bi] : none;
      int match = 1 << 20;
      if (!want.code.empty()) {
        if (single && iequals(a.key, want.code)) {
          match = 0;
        } else if (!band.name.empty() && normal(band.name) == normal(want.code)) {
          match = 1;
        } else if (int const rank = single ? band_file_rank(file_stem_of(a.path), want.code) : 0;
                   rank > 0) {
          match = 1 + rank;  // 2 .. 5
        }
      }
      if (!want.suffix.empty() && single && a.path.size() > want.suffix.size() &&
          a.path.compare(a.path.size() - want.suffix.size(), want.suffix.size(), want.suffix) ==
              0) {
        match = std::min(match, 0);
      }
      for (std::size_t k = 0; k < want.common_names.size(); ++k) {
        auto const& c = want.common_names[k];
        if ((single && iequals(a.key, c)) || iequals(band.common_name, c))
          match = std::min(match, 10 + static_cast<int>(k));
      }
      if (match == 1 << 20) continue;
      double const resolution = band.resolution ? *band.resolution
                                : a.gsd         ? *a.gsd
                                : item.gsd      ? *item.gsd
                                                : std::numeric_limits<double>::infinity();
      int const not_cog = lower(a.media_type).find("cloud-optimized") != std::string::npos ? 0 : 1;
      score const s{match, single ? 0 : 1, resolution, not_cog, a.key.size(), a.key};
      if (!best || s < *best) {
        best = s;
        where = std::make_pair(ai, bi);
      }
    }
  }
  return where;
}

std::string asset_keys(stac_item const& item) {
  std::vector<std::string> keys;
  for (auto const& a : item.assets) keys.push_back(a.key);
  return fmt::format("{}", fmt::join(keys, ", "));
}

/// The Landsat product name to take band codes from: the item id, or the mission the
/// platform names (landsat-8 -> LC08).
std::string landsat_product_name(stac_item const& item) {
  if (named_band_codes(sensor_type::landsat_c2_l2, item.id)) return item.id;
  auto const platform = lower(item.platform);
  if (platform == "landsat-8") return "LC08";
  if (platform == "landsat-9") return "LC09";
  if (platform == "landsat-7") return "LE07";
  if (platform == "landsat-5") return "LT05";
  if (platform == "landsat-4") return "LT04";
  return item.id;
}

}  // namespace

bool is_remote_path(std::string const& path) {
  return path.starts_with("/vsicurl") || path.starts_with("/vsis3") || path.starts_with("/vsigs") ||
         path.starts_with("/vsiaz") || path.starts_with("/vsiadls") ||
         path.starts_with("/vsioss") || path.starts_with("/vsiswift") ||
         path.starts_with("/vsiwebhdfs") || path.starts_with("/vsihdfs") ||
         path.starts_with("http://") || path.starts_with("https://");
}

std::string resolve_stac_href(std::string const& href, fs::path const& item_file) {
  if (href.empty()) return {};
  if (href.starts_with("/vsi")) return href;
  if (href.starts_with("http://") || href.starts_with("https://")) return "/vsicurl/" + href;
  if (href.starts_with("s3://")) return "/vsis3/" + href.substr(5);
  if (href.starts_with("gs://")) return "/vsigs/" + href.substr(5);
  if (href.starts_with("file://")) {
    std::string rest = href.substr(7);
    if (rest.starts_with("localhost/")) rest = rest.substr(9);
    return percent_decode(rest);
  }
  std::string const local = href.find('%') != std::string::npos ? percent_decode(href) : href;
  fs::path p(local);
  if (p.is_relative()) p = item_file.parent_path() / p;
  return p.lexically_normal().string();
}

stac_item parse_stac_item(std::string const& json_text, fs::path const& file) {
  return item_from_json(parse_json(json_text, file), file, "");
}

std::vector<stac_item> read_stac_items(fs::path const& path) {
  std::vector<stac_item> items;
  std::set<fs::path> visited;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(
             path, fs::directory_options::follow_directory_symlink, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && lower(it->path().extension().string()) == ".json")
        files.push_back(it->path());
    }
    if (ec) throw io_error(path.string() + ": cannot list folder: " + ec.message());
    std::sort(files.begin(), files.end());
    // Catalog links are not followed here: the walk finds their items anyway.
    for (auto const& f : files) collect_file(f, false, true, visited, items);
    if (items.empty()) throw config_error(path.string() + ": no STAC items in the folder");
  } else {
    collect_file(path, true, false, visited, items);
    if (items.empty()) throw config_error(path.string() + ": no STAC items found");
  }
  // The same item listed twice (an item file and a collection holding it) counts once.
  std::set<std::pair<std::string, std::string>> seen;
  std::vector<stac_item> unique;
  for (auto& item : items)
    if (seen.insert({item.collection, item.id}).second) unique.push_back(std::move(item));
  return unique;
}

namespace {

/// The bands of `item` to find for `sensor`: the job's bands, and the quality band.
std::pair<std::vector<wanted_band>, std::optional<wanted_band>> wanted_bands(
    stac_item const& item, sensor_spec const& sensor, std::vector<std::string> const& needed_bands,
    std::string const& where) {
  std::vector<wanted_band> wanted;
  std::optional<wanted_band> quality;
  if (sensor.type == sensor_type::generic) {
    for (auto const& name : needed_bands) {
      auto const it = sensor.bands.find(name);
      if (it == sensor.bands.end())
        throw config_error(where + ": the sensor has no '" + name + "' band");
      wanted.push_back({name, "", common_names_for(sensor.type, name), it->second.file_suffix,
                        it->second.band_number});
    }
    if (sensor.mask) {
      quality = wanted_band{
          "quality", "", {}, sensor.mask->band.file_suffix, sensor.mask->band.band_number};
    }
  } else {
    std::string const product =
        sensor.type == sensor_type::landsat_c2_l2 ? landsat_product_name(item) : item.id;
    auto const codes = named_band_codes(sensor.type, product);
    if (!codes) {
      throw config_error(where + ": not a " + std::string(to_string(sensor.type)) +
                         " item (cannot tell the mission from its id or platform '" +
                         item.platform + "')");
    }
    for (auto const& name : needed_bands)
      wanted.push_back({name, codes->bands.at(name), common_names_for(sensor.type, name), "", 0});
    quality = wanted_band{"quality", codes->quality, {}, "", 0};
  }
  return {wanted, quality};
}

/// A generic band map by band numbers refers to one multi-band asset: the item's only data
/// asset (none when there are several).
std::optional<std::size_t> numbered_asset(stac_item const& item) {
  std::optional<std::size_t> found;
  for (std::size_t i = 0; i < item.assets.size(); ++i) {
    auto const& a = item.assets[i];
    if (!is_raster_asset(a)) continue;
    bool const data =
        a.roles.empty() || std::find(a.roles.begin(), a.roles.end(), "data") != a.roles.end();
    if (!data) continue;
    if (found) return std::nullopt;  // ambiguous
    found = i;
  }
  return found;
}

/// Where `want` lives among the item's assets, with its radiometry (reflective bands) and nodata.
std::optional<band_file> band_file_for(stac_item const& item, wanted_band const& want,
                                       bool reflective, bool sentinel2) {
  auto const hit = find_asset(item, want, sentinel2);
  band_file f;
  if (hit) {
    auto const& a = item.assets[hit->first];
    f.path = a.path;
    f.band = static_cast<int>(hit->second) + 1;
    if (hit->second < a.bands.size()) {
      auto const& b = a.bands[hit->second];
      if (reflective) {
        f.scale = b.scale;
        f.offset = b.offset;
      }
      f.nodata = b.nodata;
    }
  } else if (want.band_number > 0) {
    auto const index = numbered_asset(item);
    if (!index) return std::nullopt;
    auto const& a = item.assets[*index];
    f.path = a.path;
    f.band = want.band_number;
    auto const bi = static_cast<std::size_t>(want.band_number - 1);
    if (bi < a.bands.size()) {
      if (reflective) {
        f.scale = a.bands[bi].scale;
        f.offset = a.bands[bi].offset;
      }
      f.nodata = a.bands[bi].nodata;
    }
  } else {
    return std::nullopt;
  }
  if (reflective && sentinel2 && !f.scale && !f.offset && !item.processing_baseline.empty()) {
    // (DN + BOA_ADD_OFFSET) / 10000, the offset following the processing baseline: reprocessed
    // archives (baseline 05.00) carry it on dates before 2022 too.
    f.scale = 1.0 / 10000.0;
    f.offset = sentinel2_baseline_has_offset(item.processing_baseline) ? -1000.0 / 10000.0 : 0.0;
  }
  return f;
}

}  // namespace

scene stac_scene(stac_item const& item, sensor_spec const& sensor,
                 std::vector<std::string> const& needed_bands,
                 std::vector<std::string> const& optional_bands) {
  scene s;
  s.id = item.id;
  s.date = item.date;
  s.cloud_cover = item.cloud_cover;
  s.footprint = item.bbox;
  s.metadata = item.file;
  std::string const where = item.file.string() + ": item '" + item.id + "'";
  bool const sentinel2 = sensor.type == sensor_type::sentinel2_l2a;
  auto const [wanted, quality] = wanted_bands(item, sensor, needed_bands, where);
  for (auto const& name : optional_bands) {
    if (std::find(needed_bands.begin(), needed_bands.end(), name) != needed_bands.end()) continue;
    std::vector<std::string> const one{name};
    if (sensor.type == sensor_type::generic && sensor.bands.count(name) == 0) continue;
    if (sensor.type != sensor_type::generic) {
      std::string const product =
          sensor.type == sensor_type::landsat_c2_l2 ? landsat_product_name(item) : item.id;
      auto const codes = named_band_codes(sensor.type, product);
      if (!codes || codes->bands.count(name) == 0) continue;
    }
    auto const want = wanted_bands(item, sensor, one, where).first.front();
    if (auto f = band_file_for(item, want, true, sentinel2)) s.bands[name] = *f;
  }
  for (auto const& want : wanted) {
    auto f = band_file_for(item, want, true, sentinel2);
    if (!f) {
      std::string what = want.code.empty() ? std::string{} : want.code;
      if (!want.suffix.empty()) what = "a file ending in '" + want.suffix + "'";
      std::string const names = fmt::format("{}", fmt::join(want.common_names, " or "));
      throw config_error(where + ": no asset for band " + (what.empty() ? "" : what + " ") + "(" +
                         want.name + (names.empty() ? "" : ", common name " + names) +
                         "); its assets are: " + asset_keys(item));
    }
    s.bands[want.name] = *f;
  }
  if (sensor.type == sensor_type::landsat_c2_l2) {  // QA_RADSAT, where the item has it
    s.saturation =
        band_file_for(item, wanted_band{"saturation", "QA_RADSAT", {}, "", 0}, false, sentinel2);
  }
  if (quality) {
    s.quality = band_file_for(item, *quality, false, sentinel2);
    if (!s.quality && sensor.type == sensor_type::generic) {
      throw config_error(where + ": no asset for the mask band " +
                         (quality->suffix.empty() ? std::string("(band number ") +
                                                        std::to_string(quality->band_number) + ")"
                                                  : "ending in '" + quality->suffix + "'") +
                         "; its assets are: " + asset_keys(item));
    }
  }
  return s;
}

}  // namespace geosweep::pipeline
