#include "geosweep/pipeline/job_spec.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <ogr_spatialref.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <sstream>
#include <string_view>

#include "compute/spectral_index.hpp"
#include "core/environment.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/bfast.hpp"
#include "geosweep/kernels/indices.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "monitor/notify/channel_spec.hpp"
#include "spec/spec_reader.hpp"

namespace geosweep::pipeline {

int default_readers() {
  return std::clamp(kernels::cpu_core_count(), 2, 8);
}

namespace {

namespace fs = std::filesystem;

std::vector<std::string> const kTopKeys{
    "job",  "sensor",     "scenes",  "aois",   "period",        "indices",  "change",
    "grid", "processing", "outputs", "report", "notifications", "landcover"};
std::vector<std::string> const kBandNames{"blue", "green", "red", "nir", "swir1", "swir2"};

std::optional<band_source> read_band_source(spec_reader& r, YAML::Node const& node,
                                            std::string const& key_path) {
  if (!node.IsScalar()) {
    r.error(node, key_path, "expected a band number or a file-name suffix");
    return std::nullopt;
  }
  band_source source;
  int number = 0;
  if (YAML::convert<int>::decode(node, number)) {
    if (number < 1) r.error(node, key_path, "band numbers start at 1");
    source.band_number = number;
  } else {
    source.file_suffix = node.Scalar();
  }
  return source;
}

std::vector<int> read_int_list(spec_reader& r, YAML::Node const& node, std::string const& key_path,
                               int low, int high) {
  std::vector<int> values;
  if (!r.expect_sequence(node, key_path)) return values;
  if (node.size() == 0) r.error(node, key_path, "the list is empty");
  for (std::size_t i = 0; i < node.size(); ++i) {
    if (auto v = r.integer_in(node[i], key_path + "[" + std::to_string(i) + "]", low, high))
      values.push_back(*v);
  }
  return values;
}

void read_mask(spec_reader& r, YAML::Node const& node, sensor_spec& sensor) {
  if (!r.expect_map(node, "sensor.mask")) return;
  r.check_keys(node, "sensor.mask", {"band", "clear_values", "reject_bits"});
  mask_spec mask;
  if (!node["band"]) {
    r.error(node, "sensor.mask", "missing key 'band' (a band number or a file-name suffix)");
  } else if (auto source = read_band_source(r, node["band"], "sensor.mask.band")) {
    mask.band = *source;
  }
  if (node["clear_values"] && node["reject_bits"]) {
    r.error(node, "sensor.mask", "give either 'clear_values' or 'reject_bits', not both");
  } else if (!node["clear_values"] && !node["reject_bits"]) {
    r.error(node, "sensor.mask",
            "missing 'clear_values' (classes that are clear) or 'reject_bits' (bits that mark "
            "cloud, shadow, fill)");
  }
  if (node["clear_values"]) {
    mask.clear_values = read_int_list(r, node["clear_values"], "sensor.mask.clear_values", 0, 31);
  }
  if (node["reject_bits"]) {
    mask.reject_bits = read_int_list(r, node["reject_bits"], "sensor.mask.reject_bits", 0, 15);
  }
  sensor.mask = mask;
}

/// A DN value (nodata, a saturated code): any finite number; the band's type decides later
/// whether it can occur (an integer band's must be an integer).
std::optional<double> read_dn_value(spec_reader& r, YAML::Node const& node,
                                    std::string const& key_path) {
  auto const v = r.number(node, key_path);
  if (v && !std::isfinite(*v)) {
    r.error(node, key_path,
            "expected a finite number (NaN and infinite pixels of float bands are always no "
            "data)");
    return std::nullopt;
  }
  return v;
}

void read_sensor(spec_reader& r, YAML::Node const& node, sensor_spec& sensor) {
  if (node.IsScalar()) {
    if (node.Scalar() == "generic") {
      r.error(node, "sensor",
              "a generic sensor needs a band map: write it as a mapping with "
              "'type: generic' and 'bands:'");
    } else if (auto type = r.choice<sensor_type>(node, "sensor", "sensor")) {
      sensor.type = *type;
    }
    return;
  }
  if (!r.expect_map(node, "sensor")) return;
  r.check_keys(node, "sensor", {"type", "bands", "scale", "offset", "nodata", "saturated", "mask"});
  if (!node["type"]) {
    r.error(node, "sensor", "missing key 'type'");
    return;
  }
  auto const type = r.choice<sensor_type>(node["type"], "sensor.type", "sensor");
  if (type) sensor.type = *type;
  if (type != sensor_type::generic) {
    // What a named profile (or an unreadable type) is called in messages.
    std::string const name = type                      ? std::string(to_string(*type))
                             : node["type"].IsScalar() ? node["type"].Scalar()
                                                       : std::string(to_string(sensor.type));
    for (char const* key : {"bands", "scale", "offset", "nodata", "saturated", "mask"}) {
      if (node[key]) {
        r.error(node[key], std::string("sensor.") + key,
                "only a generic sensor takes '" + std::string(key) + "'; " + name + " has its own");
      }
    }
    return;
  }
  if (!node["bands"]) {
    r.error(node, "sensor", "a generic sensor needs 'bands' (for example bands: {red: 3, nir: 4})");
  } else if (r.expect_map(node["bands"], "sensor.bands")) {
    r.check_keys(node["bands"], "sensor.bands", kBandNames);
    for (auto it = node["bands"].begin(); it != node["bands"].end(); ++it) {
      auto const name = it->first.as<std::string>("");
      if (auto source = read_band_source(r, it->second, "sensor.bands." + name)) {
        sensor.bands[name] = *source;
      }
    }
  }
  if (node["scale"]) {
    if (auto v = r.number(node["scale"], "sensor.scale")) {
      if (*v == 0) r.error(node["scale"], "sensor.scale", "scale must not be zero");
      sensor.scale = *v;
    }
  }
  if (node["offset"]) {
    if (auto v = r.number(node["offset"], "sensor.offset")) sensor.offset = *v;
  }
  if (node["nodata"]) {
    if (auto v = read_dn_value(r, node["nodata"], "sensor.nodata")) sensor.nodata = *v;
  }
  if (node["saturated"] && r.expect_sequence(node["saturated"], "sensor.saturated")) {
    auto const& codes = node["saturated"];
    if (codes.size() == 0) r.error(codes, "sensor.saturated", "the list is empty");
    if (codes.size() > static_cast<std::size_t>(kernels::max_saturated_codes)) {
      r.error(codes, "sensor.saturated",
              fmt::format("at most {} codes", kernels::max_saturated_codes));
    }
    for (std::size_t i = 0; i < codes.size(); ++i) {
      if (auto v = read_dn_value(r, codes[i], fmt::format("sensor.saturated[{}]", i)))
        sensor.saturated.push_back(*v);
    }
  }
  if (node["mask"]) read_mask(r, node["mask"], sensor);
}

/// A number in (0, high] (or [0, high] when `zero_ok`) at node[key], under path.key.
std::optional<double> read_seconds(spec_reader& r, YAML::Node const& node, std::string const& path,
                                   char const* key, double high, bool zero_ok) {
  if (!node[key]) return std::nullopt;
  auto const where = path + "." + key;
  auto v = r.number(node[key], where);
  if (!v) return std::nullopt;
  if ((zero_ok ? *v < 0 : *v <= 0) || *v > high) {
    r.error(node[key], where,
            std::string("expected a value in ") + (zero_ok ? "[" : "(") + "0, " +
                std::to_string(static_cast<int>(high)) + "]");
    return std::nullopt;
  }
  return v;
}

/// scenes.http: the limits of GDAL's HTTP requests for remote scenes.
void read_http_limits(spec_reader& r, YAML::Node const& node, http_limits& http) {
  std::string const path = "scenes.http";
  if (!r.expect_map(node, path)) return;
  r.check_keys(node, path, {"connect_timeout_s", "timeout_s", "attempts", "backoff_s", "headers"});
  http.connect_timeout_s = read_seconds(r, node, path, "connect_timeout_s", 600, false);
  http.timeout_s = read_seconds(r, node, path, "timeout_s", 3600, false);
  if (node["attempts"]) http.attempts = r.integer_in(node["attempts"], path + ".attempts", 1, 20);
  http.backoff_s = read_seconds(r, node, path, "backoff_s", 600, true);
  if (node["headers"] && r.expect_map(node["headers"], path + ".headers")) {
    for (auto const& kv : node["headers"]) {
      auto const name = kv.first.as<std::string>();
      auto const key_path = path + ".headers." + name;
      bool const token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
      });
      if (!token) {
        r.error(kv.first, key_path, "a header name is letters, digits, '-' and '_'");
        continue;
      }
      auto value = r.string(kv.second, key_path);
      if (!value) continue;
      if (value->find_first_of("\r\n") != std::string::npos) {
        r.error(kv.second, key_path, "a header value is one line");
      } else if (!environment_references(*value)) {
        r.error(kv.second, key_path,
                "malformed environment reference in '" + *value +
                    "': write ${NAME} with NAME of letters, digits and '_'");
      } else {
        http.headers.push_back({name, *value, location_of(kv.second)});
      }
    }
  }
}

/// scenes.s3: GDAL's /vsis3/ options for s3:// assets.
void read_s3_access(spec_reader& r, YAML::Node const& node, s3_access& s3) {
  std::string const path = "scenes.s3";
  if (!r.expect_map(node, path)) return;
  r.check_keys(node, path, {"requester_pays", "anonymous", "region", "endpoint"});
  if (node["requester_pays"])
    s3.requester_pays = r.boolean(node["requester_pays"], path + ".requester_pays").value_or(false);
  if (node["anonymous"])
    s3.anonymous = r.boolean(node["anonymous"], path + ".anonymous").value_or(false);
  if (node["region"]) s3.region = r.string(node["region"], path + ".region").value_or("");
  if (node["endpoint"]) {
    s3.endpoint = r.string(node["endpoint"], path + ".endpoint").value_or("");
    if (!s3.endpoint.starts_with("http://") && !s3.endpoint.starts_with("https://"))
      r.error(node["endpoint"], path + ".endpoint",
              "'" + s3.endpoint + "': expected http(s)://host[:port] of an S3-compatible store");
    while (s3.endpoint.ends_with("/")) s3.endpoint.pop_back();
  }
}

/// A YAML value as JSON: maps and sequences as objects and arrays, plain scalars as booleans,
/// integers or numbers where they read as one (YAML 1.2's core schema), else as strings.
nlohmann::ordered_json to_json(YAML::Node const& node) {
  if (node.IsMap()) {
    auto out = nlohmann::ordered_json::object();
    for (auto const& kv : node) out[kv.first.as<std::string>()] = to_json(kv.second);
    return out;
  }
  if (node.IsSequence()) {
    auto out = nlohmann::ordered_json::array();
    for (auto const& v : node) out.push_back(to_json(v));
    return out;
  }
  if (!node.IsScalar()) return nullptr;
  std::string const text = node.Scalar();
  if (node.Tag() == "!") return text;  // quoted: a string
  if (text == "true" || text == "false") return text == "true";
  if (text == "null" || text == "~") return nullptr;
  char* end = nullptr;
  long long const i = std::strtoll(text.c_str(), &end, 10);
  if (!text.empty() && end == text.c_str() + text.size()) return i;
  double const d = std::strtod(text.c_str(), &end);
  if (!text.empty() && end == text.c_str() + text.size() && std::isfinite(d)) return d;
  return text;
}

void read_stac_api(spec_reader& r, YAML::Node const& node, stac_api_spec& api) {
  if (node.IsScalar()) {  // the URL alone
    if (auto url = r.string(node, "scenes.stac_api")) api.url = *url;
  } else if (r.expect_map(node, "scenes.stac_api")) {
    r.check_keys(node, "scenes.stac_api",
                 {"url", "collections", "query", "filter", "max_items", "limit", "method", "sign"});
    if (!node["url"]) {
      r.error(node, "scenes.stac_api", "missing key 'url' (the API root)");
    } else if (auto url = r.string(node["url"], "scenes.stac_api.url")) {
      api.url = *url;
    }
    if (node["collections"]) {
      auto const& c = node["collections"];
      if (c.IsScalar()) {
        if (auto v = r.string(c, "scenes.stac_api.collections")) api.collections.push_back(*v);
      } else if (r.expect_sequence(c, "scenes.stac_api.collections")) {
        for (std::size_t i = 0; i < c.size(); ++i)
          if (auto v = r.string(c[i], "scenes.stac_api.collections[" + std::to_string(i) + "]"))
            api.collections.push_back(*v);
      }
    }
    for (auto const* key : {"query", "filter"}) {
      if (!node[key]) continue;
      if (!node[key].IsMap()) {
        r.error(node[key], std::string("scenes.stac_api.") + key,
                std::string("expected a mapping (") +
                    (std::string_view(key) == "query" ? "the STAC query extension's object"
                                                      : "a CQL2 JSON expression") +
                    ")");
        continue;
      }
      (std::string_view(key) == "query" ? api.query : api.filter) = to_json(node[key]).dump();
    }
    if (node["max_items"]) {
      if (auto v = r.integer(node["max_items"], "scenes.stac_api.max_items")) {
        if (*v < 1) r.error(node["max_items"], "scenes.stac_api.max_items", "must be at least 1");
        api.max_items = *v;
      }
    }
    if (node["limit"]) {
      if (auto v = r.integer(node["limit"], "scenes.stac_api.limit")) {
        if (*v < 1 || *v > 10000)
          r.error(node["limit"], "scenes.stac_api.limit", "expected 1 to 10000 items a page");
        api.limit = *v;
      }
    }
    if (node["method"]) {
      if (auto v = r.string(node["method"], "scenes.stac_api.method")) {
        if (*v != "POST" && *v != "GET")
          r.error(node["method"], "scenes.stac_api.method", "expected POST or GET");
        api.post = *v != "GET";
      }
    }
    if (node["sign"]) {
      if (auto v = r.string(node["sign"], "scenes.stac_api.sign")) {
        if (*v == "planetary-computer") {
          api.sign = planetary_computer_token_url;
        } else if (v->starts_with("http://") || v->starts_with("https://")) {
          api.sign = *v;
          if (!api.sign.ends_with("/")) api.sign += '/';  // the collection's id follows
        } else {
          r.error(node["sign"], "scenes.stac_api.sign",
                  "'" + *v +
                      "': expected planetary-computer or the http(s) URL of a SAS token "
                      "endpoint (the collection's id is appended)");
        }
      }
    }
  }
  if (!api.url.empty() && !api.url.starts_with("http://") && !api.url.starts_with("https://"))
    r.error(node["url"] ? node["url"] : node, "scenes.stac_api.url",
            "'" + api.url + "': expected an http:// or https:// URL");
  while (api.url.ends_with("/")) api.url.pop_back();
}

void read_scenes(spec_reader& r, YAML::Node const& node, scenes_spec& scenes) {
  scenes.where = location_of(node);
  if (!r.expect_map(node, "scenes")) return;
  r.check_keys(node, "scenes",
               {"dir", "list", "stac", "stac_api", "max_cloud_cover", "http", "s3", "cache"});
  if (node["http"]) read_http_limits(r, node["http"], scenes.http);
  if (node["s3"]) read_s3_access(r, node["s3"], scenes.s3);
  if (node["cache"]) scenes.cache = r.path(node["cache"], "scenes.cache", false, "cache folder");
  int const sources = (node["dir"] ? 1 : 0) + (node["list"] ? 1 : 0) + (node["stac"] ? 1 : 0) +
                      (node["stac_api"] ? 1 : 0);
  if (sources > 1) {
    r.error(node, "scenes", "give one of 'dir', 'list', 'stac' or 'stac_api', not several");
  }
  if (sources == 0) {
    r.error(node, "scenes",
            "missing 'dir' (a folder of scenes), 'list' (scene paths), 'stac' (STAC items) or "
            "'stac_api' (a STAC API to search)");
  }
  if (node["stac_api"]) read_stac_api(r, node["stac_api"], scenes.stac_api.emplace());
  if (node["stac"]) {
    scenes.stac = r.path(node["stac"], "scenes.stac", true, "STAC item, collection or folder");
  }
  if (node["max_cloud_cover"]) {
    if (auto v = r.number(node["max_cloud_cover"], "scenes.max_cloud_cover")) {
      if (*v < 0 || *v > 100) {
        r.error(node["max_cloud_cover"], "scenes.max_cloud_cover",
                "expected a percentage from 0 to 100");
      } else {
        scenes.max_cloud_cover = *v;
      }
    }
  }
  if (node["dir"]) {
    if (auto p = r.path(node["dir"], "scenes.dir", true, "scene folder")) {
      if (r.check_paths() && !std::filesystem::is_directory(*p)) {
        r.error(node["dir"], "scenes.dir", "'" + p->string() + "' is not a folder");
      }
      scenes.dir = *p;
    }
  }
  if (node["list"] && r.expect_sequence(node["list"], "scenes.list")) {
    auto const& list = node["list"];
    if (list.size() == 0) r.error(list, "scenes.list", "the list is empty");
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto const item = list[i];
      auto const key_path = "scenes.list[" + std::to_string(i) + "]";
      scene_entry entry;
      entry.where = location_of(item);
      if (item.IsScalar()) {
        if (auto p = r.path(item, key_path, true, "scene")) entry.path = *p;
      } else if (r.expect_map(item, key_path)) {
        r.check_keys(item, key_path, {"path", "date"});
        if (!item["path"]) {
          r.error(item, key_path, "missing key 'path'");
        } else if (auto p = r.path(item["path"], key_path + ".path", true, "scene")) {
          entry.path = *p;
        }
        if (item["date"]) entry.date = r.date(item["date"], key_path + ".date");
      }
      scenes.list.push_back(entry);
    }
  }
}

void read_aois(spec_reader& r, YAML::Node const& node, std::vector<aoi_spec>& aois) {
  if (!r.expect_sequence(node, "aois")) return;
  if (node.size() == 0) r.error(node, "aois", "at least one AOI is needed");
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto const item = node[i];
    auto const key_path = "aois[" + std::to_string(i) + "]";
    if (!r.expect_map(item, key_path)) continue;
    r.check_keys(item, key_path, {"name", "bbox", "geometry", "value_per_ha", "network"});
    aoi_spec aoi;
    aoi.where = location_of(item);
    if (item["network"]) {
      if (auto v = r.string(item["network"], key_path + ".network")) {
        if (v->find_first_not_of(" \t") == std::string::npos)
          r.error(item["network"], key_path + ".network", "must not be empty");
        aoi.network = *v;
      }
    }
    if (item["value_per_ha"]) {
      if (auto v = r.number(item["value_per_ha"], key_path + ".value_per_ha")) {
        if (*v < 0)
          r.error(item["value_per_ha"], key_path + ".value_per_ha", "must not be negative");
        aoi.value_per_ha = *v;
      }
    }
    if (!item["name"]) {
      r.error(item, key_path, "missing key 'name'");
    } else if (auto name = r.string(item["name"], key_path + ".name")) {
      aoi.name = *name;
      if (!is_plain_name(*name)) {
        r.error(
            item["name"], key_path + ".name",
            "'" + *name + "': use letters, digits, '-', '_' and '.' only (it names output groups)");
      }
      for (auto const& other : aois) {
        if (other.name == *name)
          r.error(item["name"], key_path + ".name", "duplicate AOI name '" + *name + "'");
      }
    }
    if (item["bbox"] && item["geometry"]) {
      r.error(item, key_path, "give either 'bbox' or 'geometry', not both");
    } else if (!item["bbox"] && !item["geometry"]) {
      r.error(item, key_path,
              "missing 'bbox' [lon_min, lat_min, lon_max, lat_max] or 'geometry' (a vector file)");
    }
    if (item["bbox"] && r.expect_sequence(item["bbox"], key_path + ".bbox")) {
      auto const& b = item["bbox"];
      if (b.size() != 4) {
        r.error(b, key_path + ".bbox",
                "expected [lon_min, lat_min, lon_max, lat_max], found " + std::to_string(b.size()) +
                    " values");
      } else {
        std::array<double, 4> box{};
        bool ok = true;
        for (std::size_t k = 0; k < 4; ++k) {
          auto v = r.number(b[k], key_path + ".bbox[" + std::to_string(k) + "]");
          ok = ok && v.has_value();
          if (v) box[k] = *v;
        }
        if (ok) {
          if (box[0] < -180 || box[2] > 180 || box[1] < -90 || box[3] > 90) {
            r.error(b, key_path + ".bbox",
                    "longitudes must lie in [-180, 180] and latitudes in [-90, 90]");
          } else if (box[0] - box[2] > 180.0 && box[1] < box[3]) {  // 179.9 .. -179.9
            r.error(b, key_path + ".bbox",
                    "lon_min is east of lon_max: a box across the antimeridian is not supported; "
                    "split it in two at 180 degrees (two AOIs)");
          } else if (box[0] >= box[2] || box[1] >= box[3]) {
            r.error(b, key_path + ".bbox", "expected lon_min < lon_max and lat_min < lat_max");
          } else {
            aoi.bbox = box;
          }
        }
      }
    }
    if (item["geometry"])
      aoi.geometry = r.path(item["geometry"], key_path + ".geometry", true, "geometry file");
    aois.push_back(aoi);
  }
}

void read_indices(spec_reader& r, YAML::Node const& node, std::vector<std::string>& indices) {
  if (!r.expect_sequence(node, "indices")) return;
  indices.clear();
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto const key_path = "indices[" + std::to_string(i) + "]";
    auto name = r.one_of(node[i], key_path, "index", known_indices());
    if (!name) continue;
    if (std::find(indices.begin(), indices.end(), *name) != indices.end()) {
      r.error(node[i], key_path, "index '" + *name + "' is listed twice");
    } else {
      indices.push_back(*name);
    }
  }
}

/// `off`, the sanity warnings' word for none.
bool is_off(YAML::Node const& node) {
  return node.IsScalar() && node.Scalar() == "off";
}

/// change.warn_flagged_share and change.warn_season_days: a threshold, or `off`.
void read_sanity_warnings(spec_reader& r, YAML::Node const& node, change_spec& change) {
  if (auto const& v = node["warn_flagged_share"]; v) {
    double share = 0;
    if (is_off(v)) {
      change.warn_flagged_share.reset();
    } else if (v.IsScalar() && YAML::convert<double>::decode(v, share) && share > 0 && share <= 1) {
      change.warn_flagged_share = share;
    } else {
      r.error(
          v, "change.warn_flagged_share",
          "expected a share of the forest area in (0, 1], or off, found " + spec_reader::kind(v));
    }
  }
  if (auto const& v = node["warn_season_days"]; v) {
    int days = 0;
    if (is_off(v)) {
      change.warn_season_days.reset();
    } else if (v.IsScalar() && YAML::convert<int>::decode(v, days) && days >= 1 && days <= 182) {
      change.warn_season_days = days;
    } else {
      r.error(v, "change.warn_season_days",
              "expected whole days from 1 to 182, or off, found " + spec_reader::kind(v));
    }
  }
}

void read_bfast(spec_reader& r, YAML::Node const& node, bfast_spec& bfast) {
  if (!r.expect_map(node, "change.bfast")) return;
  r.check_keys(node, "change.bfast",
               {"k", "trend", "h", "level", "end", "min_history", "min_fall"});
  if (node["k"]) {
    if (auto v = r.integer_in(node["k"], "change.bfast.k", 0, kernels::bfast_max_harmonics))
      bfast.k = *v;
  }
  if (node["trend"]) {
    if (auto v = r.boolean(node["trend"], "change.bfast.trend")) bfast.trend = *v;
  }
  if (node["h"]) {
    if (auto v = r.number(node["h"], "change.bfast.h")) {
      if (*v != 0.25 && *v != 0.5 && *v != 1.0)
        r.error(node["h"], "change.bfast.h",
                "expected 0.25, 0.5 or 1 (the windows of the critical value table)");
      else
        bfast.h = *v;
    }
  }
  if (node["level"]) {
    if (auto v = r.number(node["level"], "change.bfast.level")) {
      if (!(*v >= 0.001 && *v <= 0.05))
        r.error(node["level"], "change.bfast.level",
                "expected a significance level in [0.001, 0.05] (the critical value table)");
      else
        bfast.level = *v;
    }
  }
  if (node["end"]) {
    if (auto v = r.integer_in(node["end"], "change.bfast.end", 2, 10)) {
      if (*v % 2 != 0)
        r.error(node["end"], "change.bfast.end",
                "expected 2, 4, 6, 8 or 10 (the horizons of the critical value table)");
      else
        bfast.end = *v;
    }
  }
  if (node["min_history"]) {
    if (auto v = r.integer_in(node["min_history"], "change.bfast.min_history", 1, 65535))
      bfast.min_history = *v;
  }
  if (node["min_fall"]) {
    if (auto v = r.number(node["min_fall"], "change.bfast.min_fall")) {
      if (!(*v >= 0 && *v <= 2))
        r.error(node["min_fall"], "change.bfast.min_fall",
                "expected a fall of the index in [0, 2] (0: the MOSUM test alone)");
      else
        bfast.min_fall = *v;
    }
  }
}

void read_change(spec_reader& r, YAML::Node const& node, change_spec& change) {
  if (!r.expect_map(node, "change")) return;
  r.check_keys(
      node, "change",
      {"method", "index", "drop", "forest_min", "k_sigma", "confirm", "window_days", "min_area_ha",
       "grow", "edge_buffer_m", "warn_flagged_share", "warn_season_days", "bfast", "causes"});
  if (node["method"]) {
    if (auto m = r.choice<change_method>(node["method"], "change.method", "method"))
      change.method = *m;
  }
  if (node["index"]) {
    if (auto i = r.one_of(node["index"], "change.index", "index", known_indices()))
      change.index = *i;
  }
  if (node["drop"]) {
    if (auto v = r.number(node["drop"], "change.drop")) {
      if (*v <= 0 || *v > 2) r.error(node["drop"], "change.drop", "expected a value in (0, 2]");
      change.drop = *v;
    }
  }
  if (node["k_sigma"]) {
    if (auto v = r.number(node["k_sigma"], "change.k_sigma")) {
      if (*v < 0 || *v > 100)
        r.error(node["k_sigma"], "change.k_sigma", "expected a value in [0, 100]");
      change.k_sigma = *v;
    }
  }
  if (node["confirm"]) {
    if (auto v = r.integer_in(node["confirm"], "change.confirm", 1, 255)) change.confirm = *v;
  }
  if (node["window_days"]) {
    if (auto v = r.integer_in(node["window_days"], "change.window_days", 1, 3660))
      change.window_days = *v;
  }
  if (node["min_area_ha"]) {
    if (auto v = r.number(node["min_area_ha"], "change.min_area_ha")) {
      if (*v < 0) r.error(node["min_area_ha"], "change.min_area_ha", "must not be negative");
      change.min_area_ha = *v;
    }
  }
  if (node["grow"]) {
    if (auto v = r.number(node["grow"], "change.grow")) {
      if (*v < 0 || *v > 1)
        r.error(node["grow"], "change.grow", "expected a value in [0, 1] (0: no growing)");
      change.grow = *v;
    }
  }
  if (node["edge_buffer_m"]) {
    if (auto v = r.number(node["edge_buffer_m"], "change.edge_buffer_m")) {
      if (*v < 0 || *v > 10000)
        r.error(node["edge_buffer_m"], "change.edge_buffer_m", "expected metres in [0, 10000]");
      change.edge_buffer_m = *v;
    }
  }
  if (change.method == change_method::bitemporal) {
    for (char const* key : {"k_sigma", "confirm", "window_days"}) {
      if (node[key]) {
        r.error(node[key], std::string("change.") + key,
                "'" + std::string(key) + "' applies to the baseline and bfast methods only");
      }
    }
  }
  if (change.method == change_method::bfast) {
    for (char const* key : {"drop", "k_sigma"}) {
      if (node[key]) {
        r.error(node[key], std::string("change.") + key,
                "'" + std::string(key) +
                    "' does not apply to the bfast method (its test is the MOSUM boundary)");
      }
    }
  }
  if (node["bfast"]) {
    if (change.method != change_method::bfast)
      r.error(node["bfast"], "change.bfast", "'bfast' settings need 'method: bfast'");
    else
      read_bfast(r, node["bfast"], change.bfast);
  }
  if (node["forest_min"]) {
    if (auto v = r.number(node["forest_min"], "change.forest_min")) {
      if (*v < -1 || *v > 1)
        r.error(node["forest_min"], "change.forest_min", "expected a value in [-1, 1]");
      change.forest_min = *v;
    }
  }
  if (node["causes"]) {
    if (auto v = r.boolean(node["causes"], "change.causes")) change.causes = *v;
  }
  read_sanity_warnings(r, node, change);
}

void read_grid(spec_reader& r, YAML::Node const& node, grid_spec& grid) {
  grid.where = location_of(node);
  if (!r.expect_map(node, "grid")) return;
  r.check_keys(node, "grid", {"crs", "resolution"});
  if (node["crs"]) {
    if (auto crs = r.string(node["crs"], "grid.crs")) {
      OGRSpatialReference srs;
      if (srs.SetFromUserInput(crs->c_str()) != OGRERR_NONE) {
        r.error(node["crs"], "grid.crs", "'" + *crs + "' is not a CRS GDAL knows (try EPSG:32720)");
      } else if (srs.IsGeographic() == 0 && srs.IsProjected() == 0) {
        r.error(node["crs"], "grid.crs", "'" + *crs + "' is neither projected nor geographic");
      } else {
        grid.crs = *crs;
      }
    }
  }
  if (node["resolution"]) {
    if (auto v = r.number(node["resolution"], "grid.resolution")) {
      if (*v <= 0) r.error(node["resolution"], "grid.resolution", "must be positive");
      grid.resolution = *v;
    }
  }
}

void read_processing(spec_reader& r, YAML::Node const& node, processing_spec& processing) {
  if (!r.expect_map(node, "processing")) return;
  r.check_keys(node, "processing", {"chunk", "readers", "slots"});
  auto const read_int = [&](char const* key, int low, int high, int& value) {
    if (!node[key]) return;
    if (auto v = r.integer_in(node[key], std::string("processing.") + key, low, high)) value = *v;
  };
  read_int("chunk", 16, 8192, processing.chunk);
  read_int("readers", 1, 64, processing.readers);
  read_int("slots", 1, 64, processing.slots);
}

void read_report(spec_reader& r, YAML::Node const& node, report_spec& report) {
  if (!r.expect_map(node, "report")) return;
  r.check_keys(node, "report", {"alert_pages"});
  if (node["alert_pages"]) {
    if (auto v = r.integer_in(node["alert_pages"], "report.alert_pages", 0, 100000))
      report.alert_pages = *v;
  }
}

void read_outputs(spec_reader& r, YAML::Node const& node, outputs_spec& outputs) {
  if (!r.expect_map(node, "outputs")) return;
  r.check_keys(node, "outputs",
               {"dir", "hdf5", "csv", "alert_polygons", "cog", "series", "layers", "report",
                "report_language", "stac"});
  if (node["cog"]) {
    bool every = false;
    if (node["cog"].IsScalar() && node["cog"].Scalar() == "auto") {
      outputs.cog = true;
      outputs.cog_every_aoi = false;
    } else if (node["cog"].IsScalar() && YAML::convert<bool>::decode(node["cog"], every)) {
      outputs.cog = outputs.cog_every_aoi = every;
    } else {
      r.error(node["cog"], "outputs.cog", "expected true, false or auto");
    }
  }
  if (node["series"]) {
    if (auto v = r.boolean(node["series"], "outputs.series")) outputs.series = *v;
  }
  if (node["report"]) {
    if (auto v = r.boolean(node["report"], "outputs.report")) outputs.report = *v;
  }
  if (node["stac"]) {
    if (auto v = r.boolean(node["stac"], "outputs.stac")) outputs.stac = *v;
  }
  if (node["report_language"]) {
    if (auto language = r.choice<report_language>(node["report_language"],
                                                  "outputs.report_language", "report language"))
      outputs.language = *language;
  }
  if (node["dir"]) {
    if (auto p = r.path(node["dir"], "outputs.dir", false, "output folder")) outputs.dir = *p;
  }
  if (node["hdf5"]) {
    if (auto v = r.boolean(node["hdf5"], "outputs.hdf5")) outputs.hdf5 = *v;
  }
  if (node["csv"]) {
    if (auto v = r.boolean(node["csv"], "outputs.csv")) outputs.csv = *v;
  }
  if (node["alert_polygons"] &&
      r.expect_sequence(node["alert_polygons"], "outputs.alert_polygons")) {
    outputs.alert_polygons.clear();
    auto const& list = node["alert_polygons"];
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto const key_path = "outputs.alert_polygons[" + std::to_string(i) + "]";
      if (auto format = r.choice<polygon_format>(list[i], key_path, "format"))
        outputs.alert_polygons.push_back(*format);
    }
  }
  if (node["layers"] && r.expect_sequence(node["layers"], "outputs.layers")) {
    outputs.layers.clear();
    outputs.layers_given = true;
    auto const& list = node["layers"];
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto const key_path = "outputs.layers[" + std::to_string(i) + "]";
      if (auto layer = r.choice<optional_layer>(list[i], key_path, "layer"))
        outputs.layers.push_back(*layer);
    }
  }
  if (!outputs.hdf5 && !outputs.alert_polygons.empty() && node["hdf5"]) {
    r.error(node["hdf5"], "outputs.hdf5",
            "alert polygons are traced from change.nc: keep hdf5 true or set alert_polygons: []");
  }
  if (outputs.report && node["layers"] && !outputs.has_layer(optional_layer::indices)) {
    r.error(node["layers"], "outputs.layers",
            "reports show the index before and after: keep 'indices' in outputs.layers");
  }
  if (outputs.report && (!outputs.hdf5 || !outputs.csv)) {
    r.error(node["report"], "outputs.report",
            "reports are drawn from change.nc and alerts.csv: keep hdf5 and csv true");
  }
}

/// landcover: a class raster, its class names (a map or a built-in table) and values by class.
void read_landcover(spec_reader& r, YAML::Node const& node, std::optional<landcover_spec>& out) {
  if (!r.expect_map(node, "landcover")) return;
  r.check_keys(node, "landcover", {"raster", "band", "classes", "value_per_ha"});
  landcover_spec lc;
  lc.where = location_of(node);
  if (!node["raster"])
    r.error(node, "landcover", "missing key 'raster'");
  else if (auto p = r.path(node["raster"], "landcover.raster", true, "land-cover raster"))
    lc.raster = *p;
  if (node["band"])
    if (auto b = r.integer_in(node["band"], "landcover.band", 1, 65535)) lc.band = *b;
  auto const classes = node["classes"];
  if (!classes) {
    r.error(node, "landcover",
            "missing key 'classes' (a map CODE: NAME, cgls-lc100 or esa-worldcover)");
  } else if (classes.IsScalar()) {
    if (auto t = r.one_of(classes, "landcover.classes", "class table",
                          {"cgls-lc100", "esa-worldcover"})) {
      lc.table = *t;
      lc.classes = *landcover_class_table(*t);
    }
  } else if (classes.IsMap()) {
    if (classes.size() == 0) r.error(classes, "landcover.classes", "no class is named");
    for (auto it = classes.begin(); it != classes.end(); ++it) {
      auto const key_path = "landcover.classes." + it->first.Scalar();
      auto const code = r.integer_in(it->first, key_path, 0, 65535);
      auto const name = r.string(it->second, key_path);
      if (!code || !name) continue;
      if (name->empty()) r.error(it->second, key_path, "the class name is empty");
      // Several codes may share a name: they are counted as one class (111..116: forest).
      lc.classes[*code] = *name;
    }
  } else {
    r.error(classes, "landcover.classes",
            "expected a map CODE: NAME, cgls-lc100 or esa-worldcover, not " +
                spec_reader::kind(classes));
  }
  if (auto const values = node["value_per_ha"];
      values && r.expect_map(values, "landcover.value_per_ha")) {
    for (auto it = values.begin(); it != values.end(); ++it) {
      auto const name = it->first.Scalar();
      auto const key_path = "landcover.value_per_ha." + name;
      auto const v = r.number(it->second, key_path);
      if (!v) continue;
      if (*v < 0) r.error(it->second, key_path, "must not be negative");
      bool const known = std::any_of(lc.classes.begin(), lc.classes.end(),
                                     [&](auto const& c) { return c.second == name; });
      if (!known && !lc.classes.empty())
        r.error(it->first, key_path, "'" + name + "' is not a class name of landcover.classes");
      lc.value_per_ha[name] = *v;
    }
  }
  out = std::move(lc);
}

/// period: the baseline, then the monitoring period after it.
void read_period(spec_reader& r, YAML::Node const& period, job_spec& spec) {
  if (!r.expect_map(period, "period")) return;
  r.check_keys(period, "period", {"baseline", "monitor"});
  std::optional<date_range> baseline, monitor;
  if (!period["baseline"])
    r.error(period, "period", "missing key 'baseline'");
  else
    baseline = r.range(period["baseline"], "period.baseline");
  if (!period["monitor"])
    r.error(period, "period", "missing key 'monitor'");
  else
    monitor = r.range(period["monitor"], "period.monitor");
  if (baseline) spec.baseline = *baseline;
  if (monitor) spec.monitor = *monitor;
  if (baseline && monitor && !(baseline->last < monitor->first)) {
    r.error(period["monitor"], "period.monitor",
            "the monitoring period must start after the baseline ends (" + to_iso(baseline->last) +
                ")");
  }
}

/// A generic sensor maps every band its indices need, all by number or all by file suffix.
void check_generic_bands(spec_reader& r, YAML::Node const& sensor_node, job_spec const& spec) {
  std::vector<std::string> all = spec.indices;
  all.push_back(spec.change.index);
  auto const& known = known_indices();
  for (auto const& index : all) {
    if (std::find(known.begin(), known.end(), index) == known.end()) continue;
    for (auto const& band : find_spectral_index(index).bands) {
      if (!spec.sensor.bands.count(band))
        r.error(sensor_node, "sensor.bands", "index '" + index + "' needs band '" + band + "'");
    }
  }
  bool numbered = false, suffixed = false;
  for (auto const& [name, source] : spec.sensor.bands) {
    numbered = numbered || source.band_number > 0;
    suffixed = suffixed || !source.file_suffix.empty();
  }
  if (spec.sensor.mask) {
    numbered = numbered || spec.sensor.mask->band.band_number > 0;
    suffixed = suffixed || !spec.sensor.mask->band.file_suffix.empty();
  }
  if (numbered && suffixed) {
    r.error(sensor_node, "sensor.bands",
            "use band numbers (one multi-band file per scene) or "
            "file suffixes (one file per band), not both");
  }
}

}  // namespace

std::vector<std::string> job_networks(job_spec const& spec) {
  std::vector<std::string> names;
  for (auto const& a : spec.aois)
    if (!a.network.empty() && std::find(names.begin(), names.end(), a.network) == names.end())
      names.push_back(a.network);
  return names;
}

std::vector<std::string> network_aois(job_spec const& spec, std::string const& network) {
  std::vector<std::string> names;
  for (auto const& a : spec.aois)
    if (a.network == network) names.push_back(a.name);
  if (names.empty() || network.empty()) {
    auto const networks = job_networks(spec);
    throw config_error(fmt::format(
        "{}: no AOI of network '{}' ({})", spec.file.string(), network,
        networks.empty() ? std::string("the job's AOIs name no network")
                         : fmt::format("the job's networks: {}", fmt::join(networks, ", "))));
  }
  return names;
}

std::vector<std::string> const& known_indices() {
  static std::vector<std::string> const names = [] {
    std::vector<std::string> out;
    for (auto const& index : spectral_indices()) out.push_back(index.name);
    return out;
  }();
  return names;
}

std::map<int, std::string> const* landcover_class_table(std::string const& name) {
  // Copernicus Global Land Service, Land Cover 100 m (CGLS-LC100 v3), discrete classification:
  // the codes of its product user manual.
  static std::map<int, std::string> const cgls{{0, "no data"},
                                               {20, "shrubs"},
                                               {30, "herbaceous vegetation"},
                                               {40, "cultivated and managed vegetation"},
                                               {50, "urban / built up"},
                                               {60, "bare / sparse vegetation"},
                                               {70, "snow and ice"},
                                               {80, "permanent water bodies"},
                                               {90, "herbaceous wetland"},
                                               {100, "moss and lichen"},
                                               {111, "closed forest evergreen needle leaf"},
                                               {112, "closed forest evergreen broad leaf"},
                                               {113, "closed forest deciduous needle leaf"},
                                               {114, "closed forest deciduous broad leaf"},
                                               {115, "closed forest mixed"},
                                               {116, "closed forest unknown"},
                                               {121, "open forest evergreen needle leaf"},
                                               {122, "open forest evergreen broad leaf"},
                                               {123, "open forest deciduous needle leaf"},
                                               {124, "open forest deciduous broad leaf"},
                                               {125, "open forest mixed"},
                                               {126, "open forest unknown"},
                                               {200, "open sea"}};
  // ESA WorldCover 10 m (2020 v100, 2021 v200): the codes of its product user manual.
  static std::map<int, std::string> const worldcover{{0, "no data"},
                                                     {10, "tree cover"},
                                                     {20, "shrubland"},
                                                     {30, "grassland"},
                                                     {40, "cropland"},
                                                     {50, "built-up"},
                                                     {60, "bare / sparse vegetation"},
                                                     {70, "snow and ice"},
                                                     {80, "permanent water bodies"},
                                                     {90, "herbaceous wetland"},
                                                     {95, "mangroves"},
                                                     {100, "moss and lichen"}};
  if (name == "cgls-lc100") return &cgls;
  if (name == "esa-worldcover") return &worldcover;
  return nullptr;
}

std::string landcover_class_name(landcover_spec const& spec, int code) {
  auto const it = spec.classes.find(code);
  return it != spec.classes.end() ? it->second : "class " + std::to_string(code);
}

job_spec parse_job_spec(std::string const& text, std::filesystem::path const& file,
                        bool check_paths) {
  ensure_gdal();  // GDAL parses CRSs below; its messages go to the log, not the terminal
  fs::path const base = file.has_parent_path() ? file.parent_path() : fs::path(".");
  spec_reader r(file, base, check_paths);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (YAML::ParserException const& e) {
    r.error(e.mark, "", "YAML syntax error: " + e.msg);
    throw config_error(r.report());
  }
  if (!root.IsMap()) {
    r.error(root, "", "a job file is a mapping of keys (job, sensor, scenes, aois, period, ...)");
    throw config_error(r.report());
  }

  job_spec spec;
  spec.file = file;
  spec.text = text;
  spec.indices = {"ndvi"};
  spec.outputs.dir = base / "out";
  r.check_keys(root, "", kTopKeys);

  for (char const* key : {"job", "scenes", "aois", "period"}) {
    if (!root[key]) r.error(root, key, "missing required key");
  }
  if (root["job"]) {
    if (auto name = r.string(root["job"], "job")) {
      spec.name = *name;
      if (name->empty()) r.error(root["job"], "job", "the job name is empty");
    }
  }
  if (root["sensor"]) read_sensor(r, root["sensor"], spec.sensor);
  if (root["scenes"]) read_scenes(r, root["scenes"], spec.scenes);
  if (root["aois"]) read_aois(r, root["aois"], spec.aois);
  if (root["period"]) read_period(r, root["period"], spec);
  if (root["indices"]) read_indices(r, root["indices"], spec.indices);
  if (root["change"]) read_change(r, root["change"], spec.change);
  if (root["grid"]) read_grid(r, root["grid"], spec.grid);
  // Defaults by the machine: a reader per core, 2 to 8 (each decodes its own windows), and a
  // slot more than readers, so that one is computed while every reader fills another.
  spec.processing.readers = default_readers();
  spec.processing.slots = -1;
  if (root["processing"]) read_processing(r, root["processing"], spec.processing);
  if (spec.processing.slots < 0) spec.processing.slots = spec.processing.readers + 1;
  if (root["outputs"]) read_outputs(r, root["outputs"], spec.outputs);
  if (root["report"]) read_report(r, root["report"], spec.report);
  if (root["notifications"])
    read_notifications(r, root["notifications"], spec.aois, spec.notifications);
  // A channel for chosen causes needs the causes.
  for (std::size_t i = 0; i < spec.notifications.size() && !spec.change.causes; ++i) {
    if (spec.notifications[i].causes.empty()) continue;
    auto const node = root["notifications"][i]["causes"];
    r.error(node, "notifications[" + std::to_string(i) + "].causes",
            "the job has 'change.causes: false', so no alert has a cause to choose by");
  }
  if (root["landcover"]) {
    read_landcover(r, root["landcover"], spec.landcover);
    // The class of each alert pixel is looked up through change.nc's patch numbers.
    if (!spec.outputs.hdf5 || !spec.outputs.csv)
      r.error(root["landcover"], "landcover",
              "landcover.csv is counted from change.nc's patch pixels: keep outputs.hdf5 and csv "
              "true");
  }

  if (spec.sensor.type == sensor_type::generic && root["sensor"])
    check_generic_bands(r, root["sensor"], spec);

  if (r.failed()) throw config_error(r.report());
  return spec;
}

job_spec load_job_spec(std::filesystem::path const& file, bool check_paths) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw config_error(file.string() + ":0:0: cannot open the job file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_job_spec(text.str(), file, check_paths);
}

}  // namespace geosweep::pipeline
