#include "geosweep/pipeline/scene_catalog.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/sensor_profile.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

bool is_raster_name(fs::path const& p) {
  std::string ext = p.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static std::set<std::string> const raster_ext{".tif", ".tiff", ".jp2", ".vrt", ".img"};
  return raster_ext.count(ext) > 0;
}

std::vector<fs::path> sorted_entries(fs::path const& dir) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (auto const& e : fs::directory_iterator(dir, ec)) entries.push_back(e.path());
  if (ec) throw io_error(dir.string() + ": cannot list folder: " + ec.message());
  std::sort(entries.begin(), entries.end());
  return entries;
}

/// How well a file stem names band `code`: 1 for "B04", "..._B04" (or "..._SR_B4" for
/// Landsat), 2-4 for SAFE names "..._B04_10m" / "_20m" / "_60m" (finest first), 0 for no match.
int band_match_rank(std::string const& stem, std::string const& code) {
  if (stem == code) return 1;
  if (stem.size() > code.size() &&
      stem.compare(stem.size() - code.size() - 1, std::string::npos, "_" + code) == 0)
    return 1;
  static char const* const resolutions[] = {"_10m", "_20m", "_60m"};
  for (int r = 0; r < 3; ++r) {
    if (stem.find("_" + code + resolutions[r]) != std::string::npos) return 2 + r;
  }
  return 0;
}

/// A scene of a named profile (Sentinel-2 L2A, Landsat C2 L2): a folder of per-band files.
scene profile_scene(fs::path const& folder, std::optional<civil_date> date,
                    std::string const& sensor, std::vector<std::string> const& needed_bands) {
  scene s;
  s.id = folder.filename().string();
  auto const when = date ? date : date_from_name(s.id);
  if (!when) {
    throw config_error(folder.string() +
                       ": cannot tell the scene date from the folder name; "
                       "list it under scenes.list with a 'date'");
  }
  s.date = *when;
  std::vector<fs::path> files;
  for (auto const& p : sorted_entries(folder))
    if (is_raster_name(p)) files.push_back(p);
  // Landsat codes depend on the mission: read it from the folder or, failing that, a file.
  auto codes = named_band_codes(sensor, s.id);
  for (std::size_t i = 0; !codes && i < files.size(); ++i)
    codes = named_band_codes(sensor, files[i].filename().string());
  if (!codes) {
    throw config_error(folder.string() + ": not a " + sensor +
                       " product (cannot tell the mission from its name)");
  }

  auto const find_code = [&](std::string const& code) -> std::optional<band_file> {
    std::optional<band_file> best;
    int best_rank = 1 << 30;
    for (auto const& f : files) {
      int const rank = band_match_rank(f.stem().string(), code);
      if (rank > 0 && rank < best_rank) {
        best_rank = rank;
        best = band_file{f, 1};
      }
    }
    return best;
  };
  for (auto const& name : needed_bands) {
    auto const& code = codes->bands.at(name);
    auto f = find_code(code);
    if (!f)
      throw config_error(folder.string() + ": scene has no " + code + " (" + name + ") band file");
    s.bands[name] = *f;
  }
  s.quality = find_code(codes->quality);
  return s;
}

/// Generic sensor, band numbers: one multi-band file per scene.
scene generic_multiband_scene(fs::path const& file, std::optional<civil_date> date,
                              sensor_spec const& sensor) {
  scene s;
  s.id = file.filename().string();
  auto const when = date ? date : date_from_name(s.id);
  if (!when) {
    throw config_error(file.string() +
                       ": cannot tell the scene date from the file name; "
                       "list it under scenes.list with a 'date'");
  }
  s.date = *when;
  for (auto const& [name, source] : sensor.bands)
    s.bands[name] = band_file{file, source.band_number};
  if (sensor.mask) s.quality = band_file{file, sensor.mask->band.band_number};
  return s;
}

/// Generic sensor, file suffixes: scenes are groups of files sharing a prefix.
std::vector<scene> generic_suffix_scenes(fs::path const& dir, std::optional<civil_date> date,
                                         sensor_spec const& sensor) {
  auto const prefix_of = [](std::string const& name,
                            std::string const& suffix) -> std::optional<std::string> {
    if (name.size() <= suffix.size() ||
        name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      return std::nullopt;
    }
    return name.substr(0, name.size() - suffix.size());
  };
  std::map<std::string, scene> by_prefix;
  for (auto const& p : sorted_entries(dir)) {
    auto const name = p.filename().string();
    for (auto const& [band, source] : sensor.bands) {
      if (auto prefix = prefix_of(name, source.file_suffix)) {
        auto& s = by_prefix[*prefix];
        s.id = *prefix;
        s.bands[band] = band_file{p, 1};
      }
    }
    if (sensor.mask) {
      if (auto prefix = prefix_of(name, sensor.mask->band.file_suffix))
        by_prefix[*prefix].quality = band_file{p, 1};
    }
  }
  std::vector<scene> scenes;
  for (auto& [prefix, s] : by_prefix) {
    s.id = prefix;
    auto const when = date ? date : date_from_name(prefix);
    if (!when) {
      throw config_error((dir / prefix).string() +
                         "*: cannot tell the scene date from the file "
                         "names; list it under scenes.list with a 'date'");
    }
    s.date = *when;
    if (sensor.mask && !s.quality) {
      throw config_error((dir / prefix).string() + "*: scene has no mask file ending in '" +
                         sensor.mask->band.file_suffix + "'");
    }
    for (auto const& [band, source] : sensor.bands) {
      if (!s.bands.count(band)) {
        throw config_error((dir / prefix).string() + "*: scene has no file ending in '" +
                           source.file_suffix + "' (" + band + ")");
      }
    }
    scenes.push_back(std::move(s));
  }
  return scenes;
}

bool uses_suffixes(sensor_spec const& sensor) {
  return std::any_of(sensor.bands.begin(), sensor.bands.end(),
                     [](auto const& b) { return !b.second.file_suffix.empty(); });
}

std::vector<scene> scenes_at(fs::path const& path, std::optional<civil_date> date,
                             job_spec const& spec, std::vector<std::string> const& needed_bands) {
  if (spec.sensor.type == "generic") {
    if (uses_suffixes(spec.sensor)) {
      if (!fs::is_directory(path))
        throw config_error(path.string() + ": expected a folder of per-band files");
      return generic_suffix_scenes(path, date, spec.sensor);
    }
    return {generic_multiband_scene(path, date, spec.sensor)};
  }
  if (!fs::is_directory(path))
    throw config_error(path.string() + ": expected a scene folder of per-band files");
  return {profile_scene(path, date, spec.sensor.type, needed_bands)};
}

}  // namespace

std::optional<civil_date> date_from_name(std::string const& name) {
  auto const digit = [&](std::size_t i) {
    return i < name.size() && std::isdigit(static_cast<unsigned char>(name[i]));
  };
  // An 8-digit run that is a calendar date, as in S2A_20LMR_20240115_0_L2A.
  for (std::size_t i = 0; i + 8 <= name.size(); ++i) {
    if ((i > 0 && digit(i - 1)) || digit(i + 8)) continue;
    bool all = true;
    for (std::size_t k = 0; k < 8; ++k) all = all && digit(i + k);
    if (!all) continue;
    if (auto d = parse_compact_date(std::string_view(name).substr(i, 8))) return d;
  }
  // A Landsat scene id: L + sensor + mission digit, path/row (6), year (4), day of year (3).
  if (name.size() >= 16 && name[0] == 'L' && std::isalpha(static_cast<unsigned char>(name[1]))) {
    bool all = true;
    for (std::size_t k = 2; k < 16; ++k) all = all && digit(k);
    if (all) {
      int const year = std::stoi(name.substr(9, 4));
      int const doy = std::stoi(name.substr(13, 3));
      civil_date const jan1{std::chrono::year{year}, std::chrono::January, std::chrono::day{1}};
      if (doy >= 1 && doy <= (std::chrono::year{year}.is_leap() ? 366 : 365)) {
        return civil_date{std::chrono::sys_days{jan1} + std::chrono::days{doy - 1}};
      }
    }
  }
  return std::nullopt;
}

scene_catalog build_catalog(job_spec const& spec, std::vector<std::string> const& needed_bands) {
  std::vector<scene> all;
  if (spec.scenes.dir) {
    auto const& dir = *spec.scenes.dir;
    if (spec.sensor.type == "generic" && uses_suffixes(spec.sensor)) {
      all = generic_suffix_scenes(dir, std::nullopt, spec.sensor);
      for (auto const& p : sorted_entries(dir)) {
        if (!fs::is_directory(p)) continue;
        auto more = generic_suffix_scenes(p, std::nullopt, spec.sensor);
        all.insert(all.end(), more.begin(), more.end());
      }
    } else {
      for (auto const& p : sorted_entries(dir)) {
        bool const is_scene = spec.sensor.type == "generic"
                                  ? (fs::is_regular_file(p) && is_raster_name(p))
                                  : fs::is_directory(p);
        if (!is_scene) continue;
        auto more = scenes_at(p, std::nullopt, spec, needed_bands);
        all.insert(all.end(), more.begin(), more.end());
      }
    }
    if (all.empty()) throw config_error(dir.string() + ": no scenes found in the scene folder");
  }
  for (auto const& entry : spec.scenes.list) {
    auto more = scenes_at(entry.path, entry.date, spec, needed_bands);
    all.insert(all.end(), more.begin(), more.end());
  }

  scene_catalog catalog;
  catalog.scenes_found = all.size();
  for (auto& s : all) {
    if (spec.baseline.contains(s.date))
      catalog.baseline.push_back(s);
    else if (spec.monitor.contains(s.date))
      catalog.monitor.push_back(s);
  }
  auto const by_date = [](scene const& a, scene const& b) {
    return a.date != b.date ? a.date < b.date : a.id < b.id;
  };
  std::sort(catalog.baseline.begin(), catalog.baseline.end(), by_date);
  std::sort(catalog.monitor.begin(), catalog.monitor.end(), by_date);
  auto const where = spec.file.string();
  if (catalog.baseline.empty()) {
    throw config_error(where + ": period.baseline: none of the " + std::to_string(all.size()) +
                       " scenes found falls between " + to_iso(spec.baseline.first) + " and " +
                       to_iso(spec.baseline.last));
  }
  if (catalog.monitor.empty()) {
    throw config_error(where + ": period.monitor: none of the " + std::to_string(all.size()) +
                       " scenes found falls between " + to_iso(spec.monitor.first) + " and " +
                       to_iso(spec.monitor.last));
  }
  return catalog;
}

}  // namespace geosweep::pipeline
