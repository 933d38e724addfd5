#include "catalog/scene_catalog.hpp"

#include <ogr_geometry.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <set>

#include "catalog/sensor_profile.hpp"
#include "catalog/stac_catalog.hpp"
#include "catalog/stac_search.hpp"
#include "core/gdal_utils.hpp"
#include "core/text.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "grid/aoi.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

bool is_raster_name(fs::path const& p) {
  std::string const ext = lower(p.extension().string());
  static std::set<std::string> const raster_ext{".tif", ".tiff", ".jp2", ".vrt", ".img"};
  return raster_ext.count(ext) > 0;
}

/// Band `band` of `path`, with no radiometry of its own.
band_file file_band(fs::path const& path, int band) {
  band_file f;
  f.path = path;
  f.band = band;
  return f;
}

std::vector<fs::path> sorted_entries(fs::path const& dir) {
  std::vector<fs::path> entries;
  std::error_code ec;
  for (auto const& e : fs::directory_iterator(dir, ec)) entries.push_back(e.path());
  if (ec) throw io_error(dir.string() + ": cannot list folder: " + ec.message());
  std::sort(entries.begin(), entries.end());
  return entries;
}

bool ends_with_icase(std::string const& name, std::string const& suffix) {
  return name.size() >= suffix.size() &&
         lower(name.substr(name.size() - suffix.size())) == lower(suffix);
}

/// Raster files of a Sentinel-2 SAFE product or granule below `folder`: GRANULE/*/IMG_DATA/R*m.
std::vector<fs::path> safe_raster_files(fs::path const& folder) {
  std::vector<fs::path> files;
  for (char const* sub : {"GRANULE", "IMG_DATA", "R10m", "R20m", "R60m"}) {
    std::error_code ec;
    if (!fs::is_directory(folder / sub, ec)) continue;
    for (auto it = fs::recursive_directory_iterator(folder / sub, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file() && is_raster_name(it->path())) files.push_back(it->path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

/// MTD_MSIL2A.xml of a Sentinel-2 scene folder: in the folder itself, or in the SAFE folder
/// that holds it (a granule or IMG_DATA folder listed as the scene).
std::optional<fs::path> find_sentinel2_mtd(fs::path const& folder) {
  auto const in = [](fs::path const& dir) -> std::optional<fs::path> {
    std::error_code ec;
    for (auto const& e : fs::directory_iterator(dir, ec)) {
      auto const name = e.path().filename().string();
      if (e.is_regular_file() && (name == "MTD_MSIL2A.xml" || name.ends_with("_MTD_MSIL2A.xml")))
        return e.path();
    }
    return std::nullopt;
  };
  if (auto f = in(folder)) return f;
  fs::path p = fs::absolute(folder).lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  for (int level = 0; level < 5 && p.has_parent_path() && p != p.parent_path(); ++level) {
    p = p.parent_path();
    if (ends_with_icase(p.filename().string(), ".SAFE")) return in(p);
  }
  return std::nullopt;
}

/// A Landsat MTL in a product folder: _MTL.txt, then _MTL.xml, then _MTL.json.
std::optional<fs::path> find_landsat_mtl(std::vector<fs::path> const& entries) {
  for (char const* suffix : {"_MTL.txt", "_MTL.xml", "_MTL.json"}) {
    for (auto const& p : entries)
      if (ends_with_icase(p.filename().string(), suffix)) return p;
  }
  return std::nullopt;
}

/// The band number of a Landsat Level-2 code (SR_B4 -> 4), or 0.
int landsat_band_number(std::string const& code) {
  auto const b = code.rfind("_B");
  if (b == std::string::npos || b + 2 >= code.size()) return 0;
  int n = 0;
  for (std::size_t i = b + 2; i < code.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(code[i]))) return 0;
    n = n * 10 + (code[i] - '0');
  }
  return n;
}

/// A scene of a named profile (Sentinel-2 L2A, Landsat C2 L2): a folder of per-band files (or
/// a SAFE product), with what its MTL or MTD_MSIL2A.xml says of date, clouds, footprint and
/// radiometry.
scene profile_scene(fs::path const& folder, std::optional<civil_date> date, sensor_type sensor,
                    std::vector<std::string> const& needed_bands,
                    std::vector<std::string> const& optional_bands) {
  scene s;
  s.id = folder.filename().string();
  auto const entries = sorted_entries(folder);
  std::vector<fs::path> files;
  for (auto const& p : entries)
    if (is_raster_name(p) && fs::is_regular_file(p)) files.push_back(p);
  std::optional<landsat_metadata> mtl;
  std::optional<sentinel2_metadata> mtd;
  if (sensor == sensor_type::sentinel2_l2a) {
    auto more = safe_raster_files(folder);
    files.insert(files.end(), more.begin(), more.end());
    if (auto f = find_sentinel2_mtd(folder)) {
      mtd = read_sentinel2_mtd(*f);
      s.metadata = *f;
      // A granule or IMG_DATA folder listed on its own is named after its SAFE product.
      if (f->parent_path() != folder) s.id = f->parent_path().filename().string();
    }
  } else if (auto f = find_landsat_mtl(entries)) {
    mtl = read_landsat_mtl(*f);
    s.metadata = *f;
  }
  std::optional<civil_date> when = date;
  if (!when && mtl) when = mtl->acquired;
  if (!when && mtd) when = mtd->sensing_date;
  if (!when) when = date_from_name(s.id);
  if (!when) {
    throw config_error(folder.string() +
                       ": cannot tell the scene date from the folder name; "
                       "list it under scenes.list with a 'date'");
  }
  s.date = *when;
  // Landsat codes depend on the mission: read it from the folder, the MTL or a file name.
  auto codes = named_band_codes(sensor, s.id);
  if (!codes && mtl) codes = named_band_codes(sensor, mtl->product_id);
  for (std::size_t i = 0; !codes && i < files.size(); ++i)
    codes = named_band_codes(sensor, files[i].filename().string());
  if (!codes) {
    throw config_error(folder.string() + ": not a " + std::string(to_string(sensor)) +
                       " product (cannot tell the mission from its name)");
  }

  auto const find_code = [&](std::string const& code) -> std::optional<band_file> {
    std::optional<band_file> best;
    int best_rank = 1 << 30;
    for (auto const& f : files) {
      int const rank = band_file_rank(f.stem().string(), code);
      if (rank > 0 && rank < best_rank) {
        best_rank = rank;
        best = file_band(f, 1);
      }
    }
    return best;
  };
  std::vector<std::string> names = needed_bands;
  names.insert(names.end(), optional_bands.begin(), optional_bands.end());
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto const& name = names[i];
    bool const optional = i >= needed_bands.size();
    auto const code_it = codes->bands.find(name);
    if (code_it == codes->bands.end()) {
      if (optional) continue;
      throw logic_error("profile without a code for band " + name);
    }
    auto const& code = code_it->second;
    if (optional && s.bands.count(name) > 0) continue;
    auto f = find_code(code);
    if (!f && optional) continue;
    if (!f)
      throw config_error(folder.string() + ": scene has no " + code + " (" + name + ") band file");
    if (mtl && mtl->surface_reflectance) {
      auto const it = mtl->reflectance.find(landsat_band_number(code));
      if (it != mtl->reflectance.end()) {
        f->scale = it->second.mult;
        f->offset = it->second.add;
      }
    }
    if (mtd) {
      f->scale = 1.0 / mtd->quantification;
      f->offset = mtd->add_offset(code) / mtd->quantification;
    }
    s.bands[name] = *f;
  }
  s.quality = find_code(codes->quality);
  if (!codes->saturation.empty()) s.saturation = find_code(codes->saturation);
  if (mtl) {
    s.cloud_cover = mtl->cloud_cover;
    s.footprint = mtl->footprint;
  }
  if (mtd) {
    s.cloud_cover = mtd->cloud_cover;
    s.footprint = mtd->footprint;
  }
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
    s.bands[name] = file_band(file, source.band_number);
  if (sensor.mask) s.quality = file_band(file, sensor.mask->band.band_number);
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
        s.bands[band] = file_band(p, 1);
      }
    }
    if (sensor.mask) {
      if (auto prefix = prefix_of(name, sensor.mask->band.file_suffix))
        by_prefix[*prefix].quality = file_band(p, 1);
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
                             job_spec const& spec, std::vector<std::string> const& needed_bands,
                             std::vector<std::string> const& optional_bands) {
  if (spec.sensor.type == sensor_type::generic) {
    if (uses_suffixes(spec.sensor)) {
      if (!fs::is_directory(path))
        throw config_error(path.string() + ": expected a folder of per-band files");
      return generic_suffix_scenes(path, date, spec.sensor);
    }
    return {generic_multiband_scene(path, date, spec.sensor)};
  }
  if (!fs::is_directory(path))
    throw config_error(path.string() + ": expected a scene folder of per-band files");
  return {profile_scene(path, date, spec.sensor.type, needed_bands, optional_bands)};
}

/// The box a STAC API search of `spec` asks for, "west, south, east, north".
std::string search_bbox_text(job_spec const& spec) {
  auto const b = search_bbox(aoi_bboxes(spec));
  return fmt::format("{}, {}, {}, {}", b.west, b.south, b.east, b.north);
}

std::vector<scene> stac_scenes(std::vector<stac_item> const& items, job_spec const& spec,
                               std::vector<std::string> const& needed_bands,
                               catalog_options const& options) {
  std::vector<scene> scenes;
  for (auto const& item : items) {
    auto s = stac_scene(item, spec.sensor, needed_bands, options.optional_bands);
    if (options.require_local_files) {
      auto const check = [&](std::string const& what, band_file const& f) {
        std::error_code ec;
        if (!is_remote_path(f.path.string()) && !fs::exists(f.path, ec)) {
          throw config_error(item.file.string() + ": item '" + item.id + "': the " + what +
                             " file '" + f.path.string() + "' does not exist");
        }
      };
      // An optional band whose file is not there is left out, as if the item had no asset.
      for (auto const& name : options.optional_bands) {
        auto const it = s.bands.find(name);
        if (std::error_code ec;
            it != s.bands.end() && !is_remote_path(it->second.path.string()) &&
            !fs::exists(it->second.path, ec) &&
            std::find(needed_bands.begin(), needed_bands.end(), name) == needed_bands.end())
          s.bands.erase(it);
      }
      for (auto const& [name, f] : s.bands) check(name + " band", f);
      if (s.quality) check("quality band", *s.quality);
      // QA_RADSAT is an extra: an item whose file is not there is read without it.
      if (std::error_code ec; s.saturation && !is_remote_path(s.saturation->path.string()) &&
                              !fs::exists(s.saturation->path, ec)) {
        spdlog::debug("{}: item '{}': no saturation band file '{}'; read without it",
                      item.file.string(), item.id, s.saturation->path.string());
        s.saturation.reset();
      }
    }
    scenes.push_back(std::move(s));
  }
  return scenes;
}

/// "3 outside both periods, 1 above the cloud cover limit" (only the non-zero parts).
std::string drop_reasons(std::size_t period, std::size_t footprint, std::size_t cloud,
                         std::optional<double> max_cloud_cover) {
  std::vector<std::string> parts;
  auto const add = [&](std::size_t n, std::string const& why) {
    if (n > 0) parts.push_back(std::to_string(n) + " " + why);
  };
  add(period, "outside both periods");
  add(footprint, "outside every AOI");
  std::string limit = "above the cloud cover limit";
  if (max_cloud_cover) {
    std::string number = std::to_string(*max_cloud_cover);
    number.erase(number.find_last_not_of('0') + 1);
    if (!number.empty() && number.back() == '.') number.pop_back();
    limit = "above scenes.max_cloud_cover (" + number + "%)";
  }
  add(cloud, limit);
  return fmt::format("{}", fmt::join(parts, ", "));
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

int band_file_rank(std::string const& stem, std::string const& code) {
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

/// Entries of the scene folder that are not scenes: hidden ones (a run's staging folder, a
/// file manager's) and the job's own outputs folder, when it sits among the scenes.
bool skipped_in_scene_folder(fs::path const& p, job_spec const& spec) {
  if (p.filename().string().starts_with(".")) return true;
  std::error_code ec;
  if (!fs::equivalent(p, spec.outputs.dir, ec) || ec) return false;
  spdlog::debug("{}: the job's outputs folder, not a scene", p.string());
  return true;
}

std::vector<scene> find_scenes(job_spec const& spec, std::vector<std::string> const& needed_bands,
                               catalog_options const& options) {
  std::vector<scene> all;
  if (spec.scenes.dir) {
    auto const& dir = *spec.scenes.dir;
    if (spec.sensor.type == sensor_type::generic && uses_suffixes(spec.sensor)) {
      all = generic_suffix_scenes(dir, std::nullopt, spec.sensor);
      for (auto const& p : sorted_entries(dir)) {
        if (!fs::is_directory(p) || skipped_in_scene_folder(p, spec)) continue;
        auto more = generic_suffix_scenes(p, std::nullopt, spec.sensor);
        all.insert(all.end(), more.begin(), more.end());
      }
    } else {
      for (auto const& p : sorted_entries(dir)) {
        bool const is_scene = spec.sensor.type == sensor_type::generic
                                  ? (fs::is_regular_file(p) && is_raster_name(p))
                                  : fs::is_directory(p);
        if (!is_scene || skipped_in_scene_folder(p, spec)) continue;
        auto more = scenes_at(p, std::nullopt, spec, needed_bands, options.optional_bands);
        all.insert(all.end(), more.begin(), more.end());
      }
    }
    if (all.empty()) throw config_error(dir.string() + ": no scenes found in the scene folder");
  }
  for (auto const& entry : spec.scenes.list) {
    auto more = scenes_at(entry.path, entry.date, spec, needed_bands, options.optional_bands);
    all.insert(all.end(), more.begin(), more.end());
  }
  if (spec.scenes.stac) {
    auto more = stac_scenes(read_stac_items(*spec.scenes.stac), spec, needed_bands, options);
    all.insert(all.end(), more.begin(), more.end());
  }
  if (spec.scenes.stac_api) {
    auto const found = search_stac_api(spec);
    if (found.items.empty()) {
      auto const& api = *spec.scenes.stac_api;
      throw config_error(fmt::format(
          "{}/search: no items{} over the AOIs ({}) from {} to {}", api.url,
          api.collections.empty() ? std::string()
                                  : fmt::format(" of {}", fmt::join(api.collections, ", ")),
          search_bbox_text(spec), to_iso(std::min(spec.baseline.first, spec.monitor.first)),
          to_iso(std::max(spec.baseline.last, spec.monitor.last))));
    }
    if (options.searched_features != nullptr)
      options.searched_features->insert(options.searched_features->end(), found.features.begin(),
                                        found.features.end());
    auto more = stac_scenes(found.items, spec, needed_bands, options);
    std::map<std::string, std::string> collection_of;
    for (auto const& item : found.items) collection_of[item.id] = item.collection;
    for (auto& scene : more) {
      // An item of a search is no file: the manifest lists its assets, the job file the search.
      scene.metadata.clear();
      if (spec.scenes.stac_api->sign.empty()) continue;
      auto const sign = [&](band_file& f) {
        f.path = signed_read_path(f.path.string(), collection_of[scene.id]);
      };
      for (auto& [name, f] : scene.bands) sign(f);
      if (scene.quality) sign(*scene.quality);
      if (scene.saturation) sign(*scene.saturation);
    }
    all.insert(all.end(), more.begin(), more.end());
  }
  if (options.raster_footprints) {
    for (auto& s : all) {
      if (s.footprint || s.bands.empty()) continue;
      auto const& first = s.bands.begin()->second.path;
      if (!is_remote_path(first.string())) s.footprint = raster_footprint(first);
    }
  }
  std::sort(all.begin(), all.end(), [](scene const& a, scene const& b) {
    return a.date != b.date ? a.date < b.date : a.id < b.id;
  });
  return all;
}

std::vector<geo_bbox> aoi_bboxes(job_spec const& spec) {
  std::vector<geo_bbox> boxes;
  for (auto const& aoi : spec.aois) boxes.push_back(aoi_lon_lat_bbox(aoi));
  return boxes;
}

scene_catalog build_catalog(job_spec const& spec, std::vector<std::string> const& needed_bands) {
  return build_catalog(spec, needed_bands, catalog_options{});
}

scene_catalog build_catalog(job_spec const& spec, std::vector<std::string> const& needed_bands,
                            catalog_options const& options) {
  // The readers open the scenes this catalog lists, remote ones within the job's HTTP limits.
  ensure_gdal();
  configure_remote_reads(spec);
  auto const all = find_scenes(spec, needed_bands, options);
  bool const any_footprint =
      std::any_of(all.begin(), all.end(), [](scene const& s) { return s.footprint.has_value(); });
  std::vector<geo_bbox> const aois = any_footprint ? aoi_bboxes(spec) : std::vector<geo_bbox>{};

  scene_catalog catalog;
  catalog.scenes_found = all.size();
  // Scenes of each period dropped for their footprint or clouds, to explain an empty period.
  std::size_t baseline_footprint = 0, baseline_cloud = 0, monitor_footprint = 0, monitor_cloud = 0;
  for (auto const& s : all) {
    bool const in_baseline = spec.baseline.contains(s.date);
    if (!in_baseline && !spec.monitor.contains(s.date)) {
      ++catalog.dropped_by_period;
      continue;
    }
    if (s.footprint && !aois.empty() &&
        std::none_of(aois.begin(), aois.end(),
                     [&](geo_bbox const& aoi) { return s.footprint->intersects(aoi); })) {
      ++catalog.dropped_by_footprint;
      ++(in_baseline ? baseline_footprint : monitor_footprint);
      continue;
    }
    if (s.cloud_cover && spec.scenes.max_cloud_cover &&
        *s.cloud_cover > *spec.scenes.max_cloud_cover) {
      ++catalog.dropped_by_cloud;
      ++(in_baseline ? baseline_cloud : monitor_cloud);
      continue;
    }
    (in_baseline ? catalog.baseline : catalog.monitor).push_back(s);
  }
  if (!options.require_both_periods) return catalog;
  auto const where = spec.file.string();
  auto const empty_period = [&](char const* key, date_range const& range, std::size_t footprint,
                                std::size_t cloud) {
    std::string message =
        where + ": " + key + ": none of the " + std::to_string(all.size()) + " scenes found ";
    if (footprint + cloud == 0) {
      message += "falls between " + to_iso(range.first) + " and " + to_iso(range.last);
    } else {
      message += "between " + to_iso(range.first) + " and " + to_iso(range.last) +
                 " is usable: " + drop_reasons(0, footprint, cloud, spec.scenes.max_cloud_cover);
    }
    throw config_error(message);
  };
  if (catalog.baseline.empty())
    empty_period("period.baseline", spec.baseline, baseline_footprint, baseline_cloud);
  if (catalog.monitor.empty())
    empty_period("period.monitor", spec.monitor, monitor_footprint, monitor_cloud);
  // An AOI that no scene covers (a typo in its coordinates, the wrong tile): with every footprint
  // known, better said now than found as a grid spanning continents or an AOI without data.
  bool const all_footprints =
      std::all_of(all.begin(), all.end(), [](scene const& s) { return s.footprint.has_value(); });
  for (std::size_t a = 0; all_footprints && a < aois.size(); ++a) {
    auto const covers = [&](scene const& s) { return s.footprint->intersects(aois[a]); };
    if (std::any_of(catalog.baseline.begin(), catalog.baseline.end(), covers) ||
        std::any_of(catalog.monitor.begin(), catalog.monitor.end(), covers))
      continue;
    auto const& box = aois[a];
    throw config_error(fmt::format(
        "{}: aois: '{}' (lon {:.4f} to {:.4f}, lat {:.4f} to {:.4f}) lies outside every scene's "
        "footprint",
        where, spec.aois[a].name, box.west, box.east, box.south, box.north));
  }
  return catalog;
}

std::string describe_catalog(scene_catalog const& catalog) {
  std::string out = std::to_string(catalog.scenes_found) + " scenes found, " +
                    std::to_string(catalog.baseline.size() + catalog.monitor.size()) + " used (" +
                    std::to_string(catalog.baseline.size()) + " baseline, " +
                    std::to_string(catalog.monitor.size()) + " monitor)";
  auto const reasons = drop_reasons(catalog.dropped_by_period, catalog.dropped_by_footprint,
                                    catalog.dropped_by_cloud, std::nullopt);
  if (!reasons.empty()) out += "; dropped: " + reasons;
  return out;
}

}  // namespace geosweep::pipeline
