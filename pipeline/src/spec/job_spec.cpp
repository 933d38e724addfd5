#include "geosweep/pipeline/job_spec.hpp"

#include <ogr_spatialref.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <functional>
#include <sstream>
#include <string_view>

#include "compute/spectral_index.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

/// Edit distance, for did-you-mean suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t const above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// "; did you mean 'x'?" when one candidate is close to `word`, else "".
std::string did_you_mean(std::string_view word, std::vector<std::string> const& candidates) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (auto const& c : candidates) {
    std::size_t const d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best.empty() ? std::string{} : "; did you mean '" + best + "'?";
}

std::string join(std::vector<std::string> const& words) {
  std::string out;
  for (auto const& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

/// Collects every problem with its location, then throws them all at once.
class spec_reader {
 public:
  spec_reader(fs::path file, fs::path base_dir, bool check_paths)
      : file_(std::move(file)), base_(std::move(base_dir)), check_paths_(check_paths) {}

  void error(YAML::Mark const& mark, std::string const& path, std::string const& message) {
    int const line = mark.is_null() ? 0 : mark.line + 1;
    int const column = mark.is_null() ? 0 : mark.column + 1;
    errors_.push_back(file_.string() + ":" + std::to_string(line) + ":" + std::to_string(column) +
                      ": " + (path.empty() ? "" : path + ": ") + message);
  }
  void error(YAML::Node const& node, std::string const& path, std::string const& message) {
    error(node.Mark(), path, message);
  }

  [[nodiscard]] bool failed() const { return !errors_.empty(); }
  [[nodiscard]] std::string report() const {
    std::string out;
    for (auto const& e : errors_) out += (out.empty() ? "" : "\n") + e;
    return out;
  }

  /// Flags keys of `map` not in `allowed`, with a suggestion.
  void check_keys(YAML::Node const& map, std::string const& path,
                  std::vector<std::string> const& allowed) {
    for (auto it = map.begin(); it != map.end(); ++it) {
      auto const key = it->first.as<std::string>("");
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        error(it->first, join_path(path, key),
              "unknown key '" + key + "'" + did_you_mean(key, allowed) +
                  " (expected one of: " + join(allowed) + ")");
      }
    }
  }

  static std::string join_path(std::string const& parent, std::string const& key) {
    return parent.empty() ? key : parent + "." + key;
  }

  bool expect_map(YAML::Node const& node, std::string const& path) {
    if (node.IsMap()) return true;
    error(node, path, "expected a mapping (key: value lines), found " + kind(node));
    return false;
  }
  bool expect_sequence(YAML::Node const& node, std::string const& path) {
    if (node.IsSequence()) return true;
    error(node, path, "expected a list, found " + kind(node));
    return false;
  }

  std::optional<std::string> string(YAML::Node const& node, std::string const& path) {
    if (!node.IsScalar()) {
      error(node, path, "expected a text value, found " + kind(node));
      return std::nullopt;
    }
    return node.Scalar();
  }

  std::optional<double> number(YAML::Node const& node, std::string const& path) {
    double v = 0;
    if (!node.IsScalar() || !YAML::convert<double>::decode(node, v) || v != v) {
      error(node, path, "expected a number, found " + describe(node));
      return std::nullopt;
    }
    return v;
  }

  std::optional<int> integer(YAML::Node const& node, std::string const& path) {
    int v = 0;
    if (!node.IsScalar() || !YAML::convert<int>::decode(node, v)) {
      error(node, path, "expected an integer, found " + describe(node));
      return std::nullopt;
    }
    return v;
  }

  std::optional<bool> boolean(YAML::Node const& node, std::string const& path) {
    bool v = false;
    if (!node.IsScalar() || !YAML::convert<bool>::decode(node, v)) {
      error(node, path, "expected true or false, found " + describe(node));
      return std::nullopt;
    }
    return v;
  }

  std::optional<civil_date> date(YAML::Node const& node, std::string const& path) {
    if (!node.IsScalar()) {
      error(node, path, "expected a date YYYY-MM-DD, found " + kind(node));
      return std::nullopt;
    }
    auto d = parse_iso_date(node.Scalar());
    if (!d) error(node, path, "'" + node.Scalar() + "' is not a valid date (expected YYYY-MM-DD)");
    return d;
  }

  std::optional<date_range> range(YAML::Node const& node, std::string const& path) {
    if (!expect_sequence(node, path)) return std::nullopt;
    if (node.size() != 2) {
      error(node, path, "expected [first, last], found " + std::to_string(node.size()) + " values");
      return std::nullopt;
    }
    auto first = date(node[0], path + "[0]");
    auto last = date(node[1], path + "[1]");
    if (!first || !last) return std::nullopt;
    if (*last < *first) {
      error(node, path,
            "range ends (" + to_iso(*last) + ") before it starts (" + to_iso(*first) + ")");
      return std::nullopt;
    }
    return date_range{*first, *last};
  }

  /// A path relative to the job file's folder; checks that it exists when `must_exist`.
  std::optional<fs::path> path(YAML::Node const& node, std::string const& key_path, bool must_exist,
                               char const* what) {
    auto text = string(node, key_path);
    if (!text) return std::nullopt;
    if (text->empty()) {
      error(node, key_path, "empty path");
      return std::nullopt;
    }
    fs::path p(*text);
    if (p.is_relative()) p = base_ / p;
    p = p.lexically_normal();
    std::error_code ec;
    if (must_exist && check_paths_ && !fs::exists(p, ec)) {
      error(node, key_path, std::string(what) + " '" + p.string() + "' does not exist");
      return std::nullopt;
    }
    return p;
  }

  static std::string kind(YAML::Node const& node) {
    if (node.IsMap()) return "a mapping";
    if (node.IsSequence()) return "a list";
    if (node.IsNull()) return "nothing";
    return "'" + node.Scalar() + "'";
  }
  static std::string describe(YAML::Node const& node) { return kind(node); }

  [[nodiscard]] bool check_paths() const { return check_paths_; }

 private:
  fs::path file_;
  fs::path base_;
  bool check_paths_ = true;
  std::vector<std::string> errors_;
};

source_location location_of(YAML::Node const& node) {
  auto const m = node.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

std::vector<std::string> const kTopKeys{"job",        "sensor",  "scenes",       "aois",
                                        "period",     "indices", "change",       "grid",
                                        "processing", "outputs", "notifications"};
std::vector<std::string> const kSensors{"sentinel2-l2a", "landsat-c2-l2", "generic"};
std::vector<std::string> const kBandNames{"blue", "green", "red", "nir", "swir1", "swir2"};
std::vector<std::string> const kMethods{"baseline", "bitemporal"};

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
    auto const item_path = key_path + "[" + std::to_string(i) + "]";
    if (auto v = r.integer(node[i], item_path)) {
      if (*v < low || *v > high) {
        r.error(node[i], item_path,
                "expected " + std::to_string(low) + " to " + std::to_string(high));
      } else {
        values.push_back(*v);
      }
    }
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

void read_sensor(spec_reader& r, YAML::Node const& node, sensor_spec& sensor) {
  if (node.IsScalar()) {
    auto const name = node.Scalar();
    if (name == "generic") {
      r.error(node, "sensor",
              "a generic sensor needs a band map: write it as a mapping with "
              "'type: generic' and 'bands:'");
    } else if (std::find(kSensors.begin(), kSensors.end(), name) == kSensors.end()) {
      r.error(node, "sensor",
              "unknown sensor '" + name + "'" + did_you_mean(name, kSensors) +
                  " (expected one of: " + join(kSensors) + ")");
    }
    sensor.type = name;
    return;
  }
  if (!r.expect_map(node, "sensor")) return;
  r.check_keys(node, "sensor", {"type", "bands", "scale", "offset", "nodata", "mask"});
  if (!node["type"]) {
    r.error(node, "sensor", "missing key 'type'");
    return;
  }
  if (auto t = r.string(node["type"], "sensor.type")) {
    sensor.type = *t;
    if (*t != "generic" && std::find(kSensors.begin(), kSensors.end(), *t) == kSensors.end()) {
      r.error(node["type"], "sensor.type",
              "unknown sensor '" + *t + "'" + did_you_mean(*t, kSensors) +
                  " (expected one of: " + join(kSensors) + ")");
    }
  }
  if (sensor.type != "generic") {
    for (char const* key : {"bands", "scale", "offset", "nodata", "mask"}) {
      if (node[key]) {
        r.error(node[key], std::string("sensor.") + key,
                "only a generic sensor takes '" + std::string(key) + "'; " + sensor.type +
                    " has its own");
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
    if (auto v = r.integer(node["nodata"], "sensor.nodata")) {
      if (*v < 0 || *v > 65535) r.error(node["nodata"], "sensor.nodata", "expected 0 to 65535");
      sensor.nodata = *v;
    }
  }
  if (node["mask"]) read_mask(r, node["mask"], sensor);
}

void read_scenes(spec_reader& r, YAML::Node const& node, scenes_spec& scenes) {
  scenes.where = location_of(node);
  if (!r.expect_map(node, "scenes")) return;
  r.check_keys(node, "scenes", {"dir", "list", "stac", "max_cloud_cover"});
  int const sources = (node["dir"] ? 1 : 0) + (node["list"] ? 1 : 0) + (node["stac"] ? 1 : 0);
  if (sources > 1) {
    r.error(node, "scenes", "give one of 'dir', 'list' or 'stac', not several");
  }
  if (sources == 0) {
    r.error(node, "scenes",
            "missing 'dir' (a folder of scenes), 'list' (scene paths) or 'stac' (STAC items)");
  }
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
    r.check_keys(item, key_path, {"name", "bbox", "geometry", "value_per_ha"});
    aoi_spec aoi;
    aoi.where = location_of(item);
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
      bool const valid = !name->empty() && std::all_of(name->begin(), name->end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
      });
      if (!valid) {
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
    auto name = r.string(node[i], key_path);
    if (!name) continue;
    auto const& known = known_indices();
    if (std::find(known.begin(), known.end(), *name) == known.end()) {
      r.error(node[i], key_path,
              "unknown index '" + *name + "'" + did_you_mean(*name, known) +
                  " (expected one of: " + join(known) + ")");
    } else if (std::find(indices.begin(), indices.end(), *name) != indices.end()) {
      r.error(node[i], key_path, "index '" + *name + "' is listed twice");
    } else {
      indices.push_back(*name);
    }
  }
}

void read_change(spec_reader& r, YAML::Node const& node, change_spec& change) {
  if (!r.expect_map(node, "change")) return;
  r.check_keys(node, "change",
               {"method", "index", "drop", "forest_min", "k_sigma", "confirm", "window_days",
                "min_area_ha"});
  if (node["method"]) {
    if (auto m = r.string(node["method"], "change.method")) {
      if (std::find(kMethods.begin(), kMethods.end(), *m) == kMethods.end()) {
        r.error(node["method"], "change.method",
                "unknown method '" + *m + "'" + did_you_mean(*m, kMethods) +
                    " (expected one of: " + join(kMethods) + ")");
      }
      change.method = *m;
    }
  }
  if (node["index"]) {
    if (auto i = r.string(node["index"], "change.index")) {
      auto const& known = known_indices();
      if (std::find(known.begin(), known.end(), *i) == known.end()) {
        r.error(node["index"], "change.index",
                "unknown index '" + *i + "'" + did_you_mean(*i, known) +
                    " (expected one of: " + join(known) + ")");
      }
      change.index = *i;
    }
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
    if (auto v = r.integer(node["confirm"], "change.confirm")) {
      if (*v < 1 || *v > 255) r.error(node["confirm"], "change.confirm", "expected 1 to 255");
      change.confirm = *v;
    }
  }
  if (node["window_days"]) {
    if (auto v = r.integer(node["window_days"], "change.window_days")) {
      if (*v < 1 || *v > 3660)
        r.error(node["window_days"], "change.window_days", "expected 1 to 3660");
      change.window_days = *v;
    }
  }
  if (node["min_area_ha"]) {
    if (auto v = r.number(node["min_area_ha"], "change.min_area_ha")) {
      if (*v < 0) r.error(node["min_area_ha"], "change.min_area_ha", "must not be negative");
      change.min_area_ha = *v;
    }
  }
  if (change.method == "bitemporal") {
    for (char const* key : {"k_sigma", "confirm", "window_days"}) {
      if (node[key]) {
        r.error(node[key], std::string("change.") + key,
                "'" + std::string(key) + "' applies to the baseline method only");
      }
    }
  }
  if (node["forest_min"]) {
    if (auto v = r.number(node["forest_min"], "change.forest_min")) {
      if (*v < -1 || *v > 1)
        r.error(node["forest_min"], "change.forest_min", "expected a value in [-1, 1]");
      change.forest_min = *v;
    }
  }
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
    auto const key_path = std::string("processing.") + key;
    if (auto v = r.integer(node[key], key_path)) {
      if (*v < low || *v > high) {
        r.error(node[key], key_path,
                "expected " + std::to_string(low) + " to " + std::to_string(high));
      } else {
        value = *v;
      }
    }
  };
  read_int("chunk", 16, 8192, processing.chunk);
  read_int("readers", 1, 64, processing.readers);
  read_int("slots", 1, 64, processing.slots);
}

void read_outputs(spec_reader& r, YAML::Node const& node, outputs_spec& outputs) {
  if (!r.expect_map(node, "outputs")) return;
  r.check_keys(node, "outputs", {"dir", "hdf5", "csv", "alert_polygons", "cog", "report"});
  if (node["cog"]) {
    if (auto v = r.boolean(node["cog"], "outputs.cog")) outputs.cog = *v;
  }
  if (node["report"]) {
    if (auto v = r.boolean(node["report"], "outputs.report")) outputs.report = *v;
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
    std::vector<std::string> const formats{"gpkg", "geojson"};
    outputs.alert_polygons.clear();
    auto const& list = node["alert_polygons"];
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto const key_path = "outputs.alert_polygons[" + std::to_string(i) + "]";
      auto format = r.string(list[i], key_path);
      if (!format) continue;
      if (std::find(formats.begin(), formats.end(), *format) == formats.end()) {
        r.error(list[i], key_path,
                "unknown format '" + *format + "'" + did_you_mean(*format, formats) +
                    " (expected one of: " + join(formats) + ")");
      } else {
        outputs.alert_polygons.push_back(*format);
      }
    }
  }
  if (!outputs.hdf5 && !outputs.alert_polygons.empty() && node["hdf5"]) {
    r.error(node["hdf5"], "outputs.hdf5",
            "alert polygons are traced from change.nc: keep hdf5 true or set alert_polygons: []");
  }
  if (outputs.report && (!outputs.hdf5 || !outputs.csv)) {
    r.error(node["report"], "outputs.report",
            "reports are drawn from change.nc and alerts.csv: keep hdf5 and csv true");
  }
}

std::vector<std::string> const kChannelTypes{"webhook", "email", "file"};
std::vector<std::string> const kTlsModes{"starttls", "ssl", "none"};

std::string lowercase(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

bool is_name(std::string const& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

bool is_environment_variable_name(std::string_view text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front()))) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

/// Whether a key, header or query parameter name means a secret value: one of its words (split
/// at '-', '_' and '.') is a credential word, or holds password, token or secret.
bool names_a_secret(std::string const& name) {
  std::string word;
  std::string const lower = lowercase(name);
  std::size_t start = 0;
  while (start <= lower.size()) {
    auto const end = lower.find_first_of("-_.", start);
    word = lower.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (char const* exact :
         {"pass", "pwd", "key", "apikey", "auth", "authorization", "credential", "credentials",
          "cookie", "signature", "sig", "bearer", "privatekey"}) {
      if (word == exact) return true;
    }
    for (char const* part : {"password", "passwd", "token", "secret"}) {
      if (word.find(part) != std::string::npos) return true;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

/// A plain e-mail address (local@domain, no spaces, no display name).
bool is_mail_address(std::string const& text) {
  auto const at = text.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == text.size()) return false;
  if (text.find('@', at + 1) != std::string::npos) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) ||
           std::iscntrl(static_cast<unsigned char>(c)) || c == '<' || c == '>' || c == ',' ||
           c == ';' || c == '"';
  });
}

/// The parts of scheme://authority/rest.
struct url_parts {
  std::string scheme, userinfo, host, port, rest;
  bool has_userinfo = false;
};

std::optional<url_parts> split_url(std::string const& url) {
  auto const colon = url.find("://");
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  url_parts parts;
  parts.scheme = lowercase(url.substr(0, colon));
  auto const start = colon + 3;
  auto const end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  parts.rest = end == std::string::npos ? "" : url.substr(end);
  if (auto const at = authority.rfind('@'); at != std::string::npos) {
    parts.has_userinfo = true;
    parts.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    auto const close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    parts.host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      parts.port = authority.substr(close + 2);
    }
  } else if (auto const c = authority.rfind(':'); c != std::string::npos) {
    parts.host = authority.substr(0, c);
    parts.port = authority.substr(c + 1);
  } else {
    parts.host = authority;
  }
  if (parts.host.empty()) return std::nullopt;
  if (!parts.port.empty() &&
      (!std::all_of(parts.port.begin(), parts.port.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
       parts.port.size() > 5 || std::stoi(parts.port) < 1 || std::stoi(parts.port) > 65535)) {
    return std::nullopt;
  }
  return parts;
}

bool is_loopback_host(std::string host) {
  host = lowercase(host);
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

std::string const kSecretAdvice =
    "secrets never go in the job file: put the value in an environment variable and name it ";

/// Reads a text that may name environment variables as ${VAR}; records them as secrets.
std::optional<std::string> read_with_references(spec_reader& r, YAML::Node const& node,
                                                std::string const& key_path,
                                                notification_spec& channel) {
  auto text = r.string(node, key_path);
  if (!text) return std::nullopt;
  auto const names = environment_references(*text);
  if (!names) {
    r.error(node, key_path,
            "malformed environment reference in '" + *text +
                "': write ${NAME} with NAME of letters, digits and '_'");
    return std::nullopt;
  }
  for (auto const& name : *names) channel.secrets.push_back({name, key_path, location_of(node)});
  return text;
}

void read_webhook(spec_reader& r, YAML::Node const& node, std::string const& key_path,
                  notification_spec& channel) {
  if (!node["url"]) {
    r.error(node, key_path, "missing key 'url' (the http:// or https:// address to POST to)");
  } else if (auto url = read_with_references(r, node["url"], key_path + ".url", channel)) {
    channel.webhook.url = *url;
    auto const url_path = key_path + ".url";
    bool const templated = url->rfind("${", 0) == 0;  // the whole address from a variable
    auto const parts = split_url(*url);
    if (!templated && (!parts || (parts->scheme != "http" && parts->scheme != "https"))) {
      r.error(node["url"], url_path, "'" + *url + "' is not an http:// or https:// URL");
    } else if (parts && parts->has_userinfo && parts->userinfo.find("${") == std::string::npos) {
      r.error(node["url"], url_path,
              kSecretAdvice +
                  "in the URL as ${VAR}, or send it in a header: headers: "
                  "{Authorization: \"Bearer ${VAR}\"}");
    } else if (parts) {
      // A query parameter such as ?token=abc holds a literal secret.
      auto const query_at = parts->rest.find('?');
      if (query_at != std::string::npos) {
        std::stringstream query(
            parts->rest.substr(query_at + 1, parts->rest.find('#') - query_at - 1));
        for (std::string pair; std::getline(query, pair, '&');) {
          auto const eq = pair.find('=');
          auto const name = pair.substr(0, eq);
          auto const value = eq == std::string::npos ? "" : pair.substr(eq + 1);
          if (names_a_secret(name) && !value.empty() && value.find("${") == std::string::npos) {
            r.error(node["url"], url_path,
                    "query parameter '" + name + "': " + kSecretAdvice + "in the URL as " + name +
                        "=${VAR}");
          }
        }
      }
    }
  }
  if (node["headers"] && r.expect_map(node["headers"], key_path + ".headers")) {
    std::vector<std::string> seen;
    for (auto it = node["headers"].begin(); it != node["headers"].end(); ++it) {
      auto const name = it->first.as<std::string>("");
      auto const header_path = key_path + ".headers." + name;
      bool const token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
      });
      if (!token) {
        r.error(it->first, header_path, "'" + name + "' is not a valid HTTP header name");
        continue;
      }
      auto const lower = lowercase(name);
      if (lower == "content-type" || lower == "content-length" || lower == "host" ||
          lower == "idempotency-key" || lower == "transfer-encoding" || lower == "expect") {
        r.error(it->first, header_path, "geosweep sets the '" + name + "' header itself");
        continue;
      }
      if (std::find(seen.begin(), seen.end(), lower) != seen.end()) {
        r.error(it->first, header_path, "header '" + name + "' is given twice");
        continue;
      }
      seen.push_back(lower);
      auto value = read_with_references(r, it->second, header_path, channel);
      if (!value) continue;
      if (value->find_first_of("\r\n") != std::string::npos) {
        r.error(it->second, header_path, "a header value must be one line");
        continue;
      }
      auto const lower_value = lowercase(*value);
      bool const credential_scheme = lower_value.rfind("bearer ", 0) == 0 ||
                                     lower_value.rfind("basic ", 0) == 0 ||
                                     lower_value.rfind("token ", 0) == 0;
      if ((names_a_secret(name) || credential_scheme) && value->find("${") == std::string::npos) {
        r.error(it->second, header_path,
                kSecretAdvice + "here as ${VAR} (for example \"Bearer ${GEOSWEEP_HOOK_TOKEN}\")");
        continue;
      }
      channel.webhook.headers.emplace_back(name, *value);
    }
  }
}

void read_email(spec_reader& r, YAML::Node const& node, std::string const& key_path,
                notification_spec& channel) {
  auto& email = channel.email;
  std::optional<url_parts> server;
  if (!node["smtp_url"]) {
    r.error(node, key_path, "missing key 'smtp_url' (smtp://host:587 or smtps://host:465)");
  } else if (auto url = r.string(node["smtp_url"], key_path + ".smtp_url")) {
    server = split_url(*url);
    if (!server || (server->scheme != "smtp" && server->scheme != "smtps") ||
        !(server->rest.empty() || server->rest == "/")) {
      r.error(node["smtp_url"], key_path + ".smtp_url",
              "'" + *url + "' is not smtp://host[:port] or smtps://host[:port]");
      server.reset();
    } else if (server->has_userinfo) {
      r.error(node["smtp_url"], key_path + ".smtp_url",
              kSecretAdvice + "with username_env and password_env");
      server.reset();
    } else {
      email.smtp_url = *url;
      email.tls = server->scheme == "smtps" ? "ssl" : "starttls";
    }
  }
  if (node["tls"]) {
    if (auto tls = r.string(node["tls"], key_path + ".tls")) {
      if (std::find(kTlsModes.begin(), kTlsModes.end(), *tls) == kTlsModes.end()) {
        r.error(node["tls"], key_path + ".tls",
                "unknown mode '" + *tls + "'" + did_you_mean(*tls, kTlsModes) +
                    " (expected one of: " + join(kTlsModes) + ")");
      } else if (server && server->scheme == "smtps" && *tls != "ssl") {
        r.error(node["tls"], key_path + ".tls",
                "an smtps:// server speaks TLS from the start: use tls: ssl, or smtp:// for '" +
                    *tls + "'");
      } else if (server && server->scheme == "smtp" && *tls == "ssl") {
        r.error(node["tls"], key_path + ".tls", "tls: ssl needs an smtps:// URL");
      } else if (server && *tls == "none" && !is_loopback_host(server->host)) {
        r.error(node["tls"], key_path + ".tls",
                "tls: none sends alerts and credentials in clear text; it is allowed only for "
                "a server on this machine (localhost, 127.0.0.1, [::1])");
      } else {
        email.tls = *tls;
      }
    }
  }
  if (!node["from"]) {
    r.error(node, key_path, "missing key 'from' (the sender address)");
  } else if (auto from = r.string(node["from"], key_path + ".from")) {
    if (!is_mail_address(*from))
      r.error(node["from"], key_path + ".from", "'" + *from + "' is not an e-mail address");
    email.from = *from;
  }
  if (!node["to"]) {
    r.error(node, key_path, "missing key 'to' (a list of recipient addresses)");
  } else if (r.expect_sequence(node["to"], key_path + ".to")) {
    auto const& list = node["to"];
    if (list.size() == 0) r.error(list, key_path + ".to", "the list is empty");
    for (std::size_t i = 0; i < list.size(); ++i) {
      auto const item_path = key_path + ".to[" + std::to_string(i) + "]";
      auto to = r.string(list[i], item_path);
      if (!to) continue;
      if (!is_mail_address(*to)) {
        r.error(list[i], item_path, "'" + *to + "' is not an e-mail address");
      } else if (std::find(email.to.begin(), email.to.end(), *to) != email.to.end()) {
        r.error(list[i], item_path, "'" + *to + "' is listed twice");
      } else {
        email.to.push_back(*to);
      }
    }
  }
  for (auto [key, target] : {std::pair{"username_env", &email.username_env},
                             std::pair{"password_env", &email.password_env}}) {
    if (!node[key]) continue;
    auto const env_path = key_path + "." + key;
    if (auto name = r.string(node[key], env_path)) {
      if (!is_environment_variable_name(*name)) {
        r.error(node[key], env_path,
                "expected the name of an environment variable (letters, digits, '_'), not the "
                "secret itself");
      } else {
        *target = *name;
        channel.secrets.push_back({*name, env_path, location_of(node[key])});
      }
    }
  }
  if (node["username_env"].IsDefined() != node["password_env"].IsDefined()) {
    r.error(node, key_path, "give both 'username_env' and 'password_env', or neither");
  }
  if (node["attach_geojson"]) {
    if (auto v = r.boolean(node["attach_geojson"], key_path + ".attach_geojson"))
      email.attach_geojson = *v;
  }
}

void read_notifications(spec_reader& r, YAML::Node const& node, std::vector<aoi_spec> const& aois,
                        std::vector<notification_spec>& channels) {
  if (!r.expect_sequence(node, "notifications")) return;
  std::vector<std::string> const common{"name", "type", "aois"};
  std::vector<std::string> const network{"timeout_s", "attempts", "backoff_s"};
  std::map<std::string, std::vector<std::string>> const own_keys{
      {"webhook", {"url", "headers"}},
      {"email",
       {"smtp_url", "tls", "from", "to", "username_env", "password_env", "attach_geojson"}},
      {"file", {"dir"}}};
  std::vector<std::string> aoi_names;
  for (auto const& aoi : aois) aoi_names.push_back(aoi.name);

  for (std::size_t i = 0; i < node.size(); ++i) {
    auto const item = node[i];
    auto const key_path = "notifications[" + std::to_string(i) + "]";
    if (!r.expect_map(item, key_path)) continue;
    notification_spec channel;
    channel.where = location_of(item);

    if (!item["type"]) {
      r.error(item, key_path, "missing key 'type' (one of: " + join(kChannelTypes) + ")");
    } else if (auto type = r.string(item["type"], key_path + ".type")) {
      if (own_keys.count(*type) == 0) {
        r.error(item["type"], key_path + ".type",
                "unknown channel type '" + *type + "'" + did_you_mean(*type, kChannelTypes) +
                    " (expected one of: " + join(kChannelTypes) + ")");
      } else {
        channel.type = *type;
      }
    }

    // Keys: secrets first, then keys of another channel type, then unknown keys.
    std::vector<std::string> allowed = common;
    if (!channel.type.empty()) {
      auto const& own = own_keys.at(channel.type);
      allowed.insert(allowed.end(), own.begin(), own.end());
      if (channel.type != "file") allowed.insert(allowed.end(), network.begin(), network.end());
    } else {
      allowed.insert(allowed.end(), network.begin(), network.end());
      for (auto const& [type, own] : own_keys)
        allowed.insert(allowed.end(), own.begin(), own.end());
    }
    for (auto it = item.begin(); it != item.end(); ++it) {
      auto const key = it->first.as<std::string>("");
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      auto const where = r.join_path(key_path, key);
      if (names_a_secret(key) || lowercase(key) == "username" || lowercase(key) == "user") {
        r.error(it->first, where,
                kSecretAdvice +
                    (channel.type == "webhook"
                         ? std::string("in a header value: headers: {Authorization: \"Bearer "
                                       "${GEOSWEEP_HOOK_TOKEN}\"}")
                         : std::string("with username_env and password_env")));
        continue;
      }
      std::string owner;
      for (auto const& [type, own] : own_keys)
        if (std::find(own.begin(), own.end(), key) != own.end()) owner = type;
      if (owner.empty() && channel.type == "file" &&
          std::find(network.begin(), network.end(), key) != network.end()) {
        r.error(it->first, where, "a file drop is written once; it takes no '" + key + "'");
      } else if (!owner.empty()) {
        r.error(it->first, where,
                "only a " + owner + " channel takes '" + key + "'; this one is " + channel.type);
      } else {
        r.error(it->first, where,
                "unknown key '" + key + "'" + did_you_mean(key, allowed) +
                    " (expected one of: " + join(allowed) + ")");
      }
    }

    if (!item["name"]) {
      r.error(item, key_path, "missing key 'name' (the channel's unique name)");
    } else if (auto name = r.string(item["name"], key_path + ".name")) {
      channel.name = *name;
      if (!is_name(*name)) {
        r.error(
            item["name"], key_path + ".name",
            "'" + *name + "': use letters, digits, '-', '_' and '.' only (it names deliveries)");
      }
      for (auto const& other : channels) {
        if (other.name == *name)
          r.error(item["name"], key_path + ".name", "duplicate channel name '" + *name + "'");
      }
    }
    if (item["aois"] && r.expect_sequence(item["aois"], key_path + ".aois")) {
      auto const& list = item["aois"];
      if (list.size() == 0)
        r.error(list, key_path + ".aois", "the list is empty (leave 'aois' out for every AOI)");
      for (std::size_t k = 0; k < list.size(); ++k) {
        auto const item_path = key_path + ".aois[" + std::to_string(k) + "]";
        auto name = r.string(list[k], item_path);
        if (!name) continue;
        if (std::find(aoi_names.begin(), aoi_names.end(), *name) == aoi_names.end()) {
          r.error(list[k], item_path,
                  "unknown AOI '" + *name + "'" + did_you_mean(*name, aoi_names) +
                      " (the job's AOIs: " + join(aoi_names) + ")");
        } else if (std::find(channel.aois.begin(), channel.aois.end(), *name) !=
                   channel.aois.end()) {
          r.error(list[k], item_path, "AOI '" + *name + "' is listed twice");
        } else {
          channel.aois.push_back(*name);
        }
      }
    }
    if (channel.type != "file") {
      if (item["timeout_s"]) {
        if (auto v = r.number(item["timeout_s"], key_path + ".timeout_s")) {
          if (*v <= 0 || *v > 600)
            r.error(item["timeout_s"], key_path + ".timeout_s", "expected a value in (0, 600]");
          channel.timeout_s = *v;
        }
      }
      if (item["attempts"]) {
        if (auto v = r.integer(item["attempts"], key_path + ".attempts")) {
          if (*v < 1 || *v > 20)
            r.error(item["attempts"], key_path + ".attempts", "expected 1 to 20");
          channel.attempts = *v;
        }
      }
      if (item["backoff_s"]) {
        if (auto v = r.number(item["backoff_s"], key_path + ".backoff_s")) {
          if (*v < 0 || *v > 3600)
            r.error(item["backoff_s"], key_path + ".backoff_s", "expected a value in [0, 3600]");
          channel.backoff_s = *v;
        }
      }
    }
    if (channel.type == "webhook") read_webhook(r, item, key_path, channel);
    if (channel.type == "email") read_email(r, item, key_path, channel);
    if (channel.type == "file") {
      if (!item["dir"]) {
        r.error(item, key_path, "missing key 'dir' (the folder notifications are dropped in)");
      } else if (auto p = r.path(item["dir"], key_path + ".dir", false, "drop folder")) {
        channel.file.dir = *p;
      }
    }
    channels.push_back(std::move(channel));
  }
}

}  // namespace

std::vector<std::string> const& known_indices() {
  static std::vector<std::string> const names = [] {
    std::vector<std::string> out;
    for (auto const& index : spectral_indices()) out.push_back(index.name);
    return out;
  }();
  return names;
}

std::optional<std::vector<std::string>> environment_references(std::string const& text) {
  std::vector<std::string> names;
  for (std::size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at)) {
    auto const close = text.find('}', at + 2);
    if (close == std::string::npos) return std::nullopt;
    auto const name = text.substr(at + 2, close - at - 2);
    if (!is_environment_variable_name(name)) return std::nullopt;
    names.push_back(name);
    at = close + 1;
  }
  return names;
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
  if (root["period"] && r.expect_map(root["period"], "period")) {
    auto const& period = root["period"];
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
              "the monitoring period must start after the baseline ends (" +
                  to_iso(baseline->last) + ")");
    }
  }
  if (root["indices"]) read_indices(r, root["indices"], spec.indices);
  if (root["change"]) read_change(r, root["change"], spec.change);
  if (root["grid"]) read_grid(r, root["grid"], spec.grid);
  if (root["processing"]) read_processing(r, root["processing"], spec.processing);
  if (root["outputs"]) read_outputs(r, root["outputs"], spec.outputs);
  if (root["notifications"])
    read_notifications(r, root["notifications"], spec.aois, spec.notifications);

  if (spec.sensor.type == "generic") {
    std::vector<std::string> all = spec.indices;
    all.push_back(spec.change.index);
    for (auto const& index : all) {
      auto const& known = known_indices();
      if (std::find(known.begin(), known.end(), index) == known.end()) continue;
      auto const& definition = find_spectral_index(index);
      for (auto const& band : definition.bands) {
        if (!spec.sensor.bands.count(band) && root["sensor"]) {
          r.error(root["sensor"], "sensor.bands",
                  "index '" + index + "' needs band '" + band + "'");
        }
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
      r.error(root["sensor"], "sensor.bands",
              "use band numbers (one multi-band file per scene) or "
              "file suffixes (one file per band), not both");
    }
  }

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
