#include "geosweep/pipeline/job_runner.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <set>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/statistics.hpp"
#include "geosweep/kernels/transform.hpp"
#include "geosweep/pipeline/aoi.hpp"
#include "geosweep/pipeline/change_detector.hpp"
#include "geosweep/pipeline/csv_writer.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/gdal_utils.hpp"
#include "geosweep/pipeline/hdf5_writer.hpp"
#include "geosweep/pipeline/pixel_area.hpp"
#include "geosweep/pipeline/scene_catalog.hpp"
#include "geosweep/pipeline/scene_reader.hpp"
#include "geosweep/pipeline/sensor_profile.hpp"
#include "geosweep/pipeline/spectral_index.hpp"

#ifndef GEOSWEEP_VERSION
#define GEOSWEEP_VERSION "0.0.0"
#endif

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
namespace k = geosweep::kernels;

enum period_kind { baseline_period = 0, monitor_period = 1 };

/// Per-AOI working state: its mask, the latest-clear composite of each index per period,
/// and the change detector.
struct aoi_state {
  aoi_raster raster;
  std::map<std::string, std::vector<float>> composite[2];
  std::unique_ptr<change_detector> detector;
};

/// Indices to compute: the job's list plus the change index, without repeats, in job order.
std::vector<std::string> indices_to_compute(job_spec const& spec) {
  std::vector<std::string> names = spec.indices;
  if (std::find(names.begin(), names.end(), spec.change.index) == names.end())
    names.push_back(spec.change.index);
  return names;
}

std::vector<std::string> bands_needed(std::vector<std::string> const& indices) {
  std::set<std::string> bands;
  for (auto const& name : indices) {
    auto const& index = find_spectral_index(name);
    bands.insert(index.bands.begin(), index.bands.end());
  }
  return {bands.begin(), bands.end()};
}

/// 1 where a pixel is clear by the sensor's quality band (all 1 without one).
std::vector<std::uint8_t> clear_mask(k::backend where, quality_rule const& rule,
                                     band_reader const* quality, pixel_window const& window,
                                     std::size_t n, std::int64_t& bytes_read) {
  std::vector<std::uint8_t> clear(n, 1);
  if (quality == nullptr || rule.type == quality_rule::kind::none) return clear;
  auto const qa = quality->read_quality(window);
  bytes_read += static_cast<std::int64_t>(n * sizeof(std::uint16_t));
  if (rule.type == quality_rule::kind::classes) {
    k::transform_pixels(where, n, rule.classes, clear.data(), qa.data());
  } else {
    k::transform_pixels(where, n, rule.bits, clear.data(), qa.data());
  }
  return clear;
}

/// The index from its bands' reflectances (NaN where not clear).
void compute_index(k::backend where, spectral_index const& index,
                   std::map<std::string, std::vector<float>> const& reflectance,
                   std::vector<float>& out) {
  k::spectral_index_op const op{index.kind};
  auto const band = [&](std::size_t i) { return reflectance.at(index.bands[i]).data(); };
  switch (index.bands.size()) {
    case 2:
      k::transform_pixels(where, out.size(), op, out.data(), band(0), band(1));
      return;
    case 3:
      k::transform_pixels(where, out.size(), op, out.data(), band(0), band(1), band(2));
      return;
    case 4:
      k::transform_pixels(where, out.size(), op, out.data(), band(0), band(1), band(2), band(3));
      return;
    default:
      throw logic_error("index " + index.name + " has an unsupported band count");
  }
}

std::string fixed(double v, int decimals) {
  return fmt::format("{:.{}f}", v, decimals);
}

std::string date_or_empty(std::int32_t day) {
  return day == k::no_date ? std::string() : to_iso(from_days_since_epoch(day));
}

/// Area and centroid of the pixels of class `value` in `classes` over `grid`.
struct class_extent {
  std::int64_t pixels = 0;
  double area_m2 = 0.0;
  std::optional<std::array<double, 2>> centroid_xy;
};

class_extent measure_class(k::backend where, std::vector<std::uint8_t> const& classes,
                           raster_grid const& grid, std::vector<double> const& row_areas,
                           std::uint8_t value) {
  auto const rows =
      k::class_row_statistics(where, classes.data(), static_cast<std::size_t>(grid.width),
                              static_cast<std::size_t>(grid.height), value);
  class_extent out;
  auto const& gt = grid.transform;
  double sx = 0, sy = 0;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    if (rows[r].count == 0) continue;
    double const n = static_cast<double>(rows[r].count);
    double const w = row_areas[r];
    double const mean_col = static_cast<double>(rows[r].column_sum) / n + 0.5;
    double const row_centre = static_cast<double>(r) + 0.5;
    out.pixels += rows[r].count;
    out.area_m2 += n * w;
    // Area-weighted mean of pixel centres (weights differ by row on geographic grids).
    sx += n * w * (gt[0] + mean_col * gt[1] + row_centre * gt[2]);
    sy += n * w * (gt[3] + mean_col * gt[4] + row_centre * gt[5]);
  }
  if (out.pixels > 0) out.centroid_xy = std::array<double, 2>{sx / out.area_m2, sy / out.area_m2};
  return out;
}

/// Writes one AOI's rasters into its group of the HDF5 file.
void write_aoi_group(hdf5_writer& h5, job_spec const& spec, aoi_state const& aoi,
                     aoi_result const& r, detection_rasters const& detection,
                     patch_set const& patches, std::vector<std::string> const& indices) {
  std::string const group = "aoi/" + r.name;
  h5.add_grid(group, aoi.raster.grid);
  h5.set_group_attribute(group, "aoi", r.name);
  h5.set_group_attribute(group, "date_before", to_iso(r.date_before));
  h5.set_group_attribute(group, "date_after", to_iso(r.date_after));
  h5.set_group_attribute(group, "baseline_period",
                         to_iso(spec.baseline.first) + "/" + to_iso(spec.baseline.last));
  h5.set_group_attribute(group, "monitor_period",
                         to_iso(spec.monitor.first) + "/" + to_iso(spec.monitor.last));
  h5.set_group_attribute(group, "change_method", spec.change.method);
  h5.set_group_attribute(group, "change_index", spec.change.index);
  for (auto const& name : indices) {
    auto const& index = find_spectral_index(name);
    variable_attributes attrs;
    attrs.units = "1";
    attrs.fill_value = std::numeric_limits<double>::quiet_NaN();
    attrs.long_name = index.long_name + ", latest clear observation of the baseline period";
    h5.write_float32(group, name + "_before", aoi.composite[baseline_period].at(name), attrs);
    attrs.long_name = index.long_name + ", latest clear observation of the monitoring period";
    h5.write_float32(group, name + "_after", aoi.composite[monitor_period].at(name), attrs);
  }
  variable_attributes change;
  change.long_name = "forest loss between the baseline and monitoring periods, by confidence";
  change.fill_value = k::change_no_data;
  change.flag_values = {k::change_none, k::change_low, k::change_high, k::change_outside_aoi,
                        k::change_no_data};
  change.flag_meanings =
      "no_change low_confidence_loss high_confidence_loss outside_aoi no_clear_observation";
  h5.write_uint8(group, "change", detection.change, change);

  variable_attributes date;
  date.units = "days since 1970-01-01";
  date.fill_value = k::no_date;
  date.long_name = "date of the first anomaly of the change";
  h5.write_int32(group, "first_date", detection.first_date, date);
  date.long_name = "date the change was confirmed (high confidence)";
  h5.write_int32(group, "confirmed_date", detection.confirmed_date, date);

  variable_attributes magnitude;
  magnitude.units = "1";
  magnitude.fill_value = std::numeric_limits<double>::quiet_NaN();
  magnitude.long_name =
      "mean drop of " + spec.change.index + " below the baseline over the anomalies";
  h5.write_float32(group, "magnitude", detection.magnitude, magnitude);
  magnitude.long_name = spec.change.method == "baseline"
                            ? "mean of the clear baseline observations of " + spec.change.index
                            : "latest clear baseline observation of " + spec.change.index;
  h5.write_float32(group, spec.change.index + "_baseline", detection.baseline_mean, magnitude);

  variable_attributes count;
  count.units = "1";
  count.long_name = "clear observations in the monitoring period";
  h5.write_uint16(group, "clear_count", detection.clear_count, count);

  variable_attributes patch;
  patch.units = "1";
  patch.long_name = "patch number of the change (row of alerts.csv within the AOI), 0 for none";
  h5.write_int32(group, "patch", patches.labels, patch);
}

}  // namespace

std::vector<std::string> const& area_table_columns() {
  static std::vector<std::string> const columns{
      "aoi",           "date_before",  "date_after",  "changed_area_ha",
      "clear_area_ha", "centroid_lat", "centroid_lon"};
  return columns;
}

std::vector<std::string> const& alert_table_columns() {
  static std::vector<std::string> const columns{
      "alert_id",  "aoi",          "first_seen",     "confirmed_on", "confidence",
      "area_ha",   "centroid_lat", "centroid_lon",   "bbox_west",    "bbox_south",
      "bbox_east", "bbox_north",   "mean_magnitude", "pixels"};
  return columns;
}

run_result run_job(job_spec const& spec, run_options const& options) {
  auto const started = std::chrono::steady_clock::now();
  ensure_gdal();
  run_result result;
  result.backend = k::resolve_backend(options.backend);
  spdlog::info("job '{}': backend {}", spec.name, k::to_string(result.backend));

  auto const indices = indices_to_compute(spec);
  auto const bands = bands_needed(indices);
  auto const catalog = build_catalog(spec, bands);
  spdlog::info("{} scenes found, {} in the baseline period, {} in the monitoring period",
               catalog.scenes_found, catalog.baseline.size(), catalog.monitor.size());

  // The analysis grid is the grid of the first scene; every other band must match it.
  raster_grid const grid = band_reader(catalog.baseline.front().bands.at(bands.front())).grid();
  quality_rule const quality = quality_rule_for(spec.sensor);

  std::vector<aoi_state> aois;
  for (auto const& aoi : spec.aois) {
    aoi_state state;
    state.raster = rasterize_aoi(aoi, grid);
    std::size_t const n = state.raster.grid.pixel_count();
    for (auto& period : state.composite) {
      for (auto const& name : indices) period[name].assign(n, k::nodata_f32());
    }
    state.detector = std::make_unique<change_detector>(spec.change, n, result.backend);
    spdlog::debug("AOI '{}': window {}x{} at ({}, {}), {} pixels inside", aoi.name,
                  state.raster.window.width, state.raster.window.height,
                  state.raster.window.x_offset, state.raster.window.y_offset,
                  state.raster.inside_pixels);
    aois.push_back(std::move(state));
  }

  std::vector<std::string> scenes_used;
  for (period_kind period : {baseline_period, monitor_period}) {
    auto const& scenes = period == baseline_period ? catalog.baseline : catalog.monitor;
    for (auto const& s : scenes) {
      spdlog::debug("scene {} ({})", s.id, to_iso(s.date));
      scenes_used.push_back(s.id);
      std::map<std::string, std::unique_ptr<band_reader>> readers;
      for (auto const& band : bands) {
        auto reader = std::make_unique<band_reader>(s.bands.at(band));
        reader->require_grid(grid);
        readers[band] = std::move(reader);
      }
      std::unique_ptr<band_reader> quality_band;
      if (s.quality) {
        quality_band = std::make_unique<band_reader>(*s.quality);
        quality_band->require_grid(grid);
      }
      std::map<std::string, k::reflectance_op> radiometry;
      for (auto const& [band, reader] : readers)
        radiometry[band] = band_reflectance(spec.sensor, s, *reader);

      for (auto& aoi : aois) {
        auto const& window = aoi.raster.window;
        std::size_t const n = aoi.raster.grid.pixel_count();
        auto const clear =
            clear_mask(result.backend, quality, quality_band.get(), window, n, result.bytes_read);
        std::map<std::string, std::vector<float>> reflectance;
        for (auto const& [band, reader] : readers) {
          auto const dn = reader->read_dn(window);
          result.bytes_read += static_cast<std::int64_t>(n * sizeof(std::uint16_t));
          auto& values = reflectance[band];
          values.resize(n);
          k::transform_pixels(result.backend, n, radiometry.at(band), values.data(), dn.data(),
                              clear.data());
        }
        std::vector<float> observation(n);
        for (auto const& name : indices) {
          compute_index(result.backend, find_spectral_index(name), reflectance, observation);
          auto& composite = aoi.composite[period].at(name);
          k::transform_pixels(result.backend, n, k::latest_clear_op{}, composite.data(),
                              static_cast<float const*>(composite.data()),
                              static_cast<float const*>(observation.data()));
          if (name != spec.change.index) continue;
          if (period == baseline_period)
            aoi.detector->observe_baseline(s.date, observation);
          else
            aoi.detector->observe_monitor(s.date, observation);
        }
        result.pixels_processed += static_cast<std::int64_t>(n);
      }
    }
  }
  result.scenes_used = scenes_used.size();

  fs::create_directories(spec.outputs.dir);
  std::unique_ptr<hdf5_writer> h5;
  // netCDF-4 is HDF5 underneath; the .nc name makes GDAL and QGIS pick the netCDF driver,
  // which reads the CF georeferencing.
  fs::path const h5_path = spec.outputs.dir / "change.nc";
  if (spec.outputs.hdf5) {
    h5 = std::make_unique<hdf5_writer>(h5_path);
    h5->set_root_attribute("title", "geosweep change detection: " + spec.name);
    h5->set_root_attribute("source", "geosweep " GEOSWEEP_VERSION);
    h5->set_root_attribute("geosweep_version", GEOSWEEP_VERSION);
    h5->set_root_attribute("geosweep_job", spec.name);
    h5->set_root_attribute("geosweep_job_spec", spec.text);
    h5->set_root_attribute("geosweep_backend", std::string(k::to_string(result.backend)));
    std::string scene_list;
    for (auto const& id : scenes_used) scene_list += (scene_list.empty() ? "" : "\n") + id;
    h5->set_root_attribute("geosweep_scenes", scene_list);
    h5->set_root_attribute("geosweep_change_method", spec.change.method);
  }

  auto const to_wgs84 = make_transform(make_srs(grid.crs_wkt), wgs84());
  std::vector<std::vector<std::string>> area_rows, alert_rows;
  for (auto& aoi : aois) {
    auto const& g = aoi.raster.grid;
    auto detection = aoi.detector->finish(aoi.raster.mask);
    auto const patches =
        extract_patches(aoi.raster.name, detection, g, spec.change.min_area_ha, result.backend);

    auto const row_areas = row_pixel_areas_m2(g);
    std::vector<std::uint8_t> changed_mask(g.pixel_count());
    k::transform_pixels(result.backend, changed_mask.size(), k::is_change_op{}, changed_mask.data(),
                        detection.change.data());
    auto const changed = measure_class(result.backend, changed_mask, g, row_areas, 1);
    double clear_m2 = 0.0;
    for (std::uint8_t cls : {k::change_none, k::change_low, k::change_high}) {
      clear_m2 += measure_class(result.backend, detection.change, g, row_areas, cls).area_m2;
    }

    aoi_result r;
    r.name = aoi.raster.name;
    r.date_before = catalog.baseline.back().date;
    r.date_after = catalog.monitor.back().date;
    r.aoi_pixels = aoi.raster.inside_pixels;
    r.changed_pixels = changed.pixels;
    r.clear_pixels = 0;
    for (auto v : detection.change) r.clear_pixels += v <= k::change_high ? 1 : 0;
    r.changed_area_ha = changed.area_m2 / 10000.0;
    r.clear_area_ha = clear_m2 / 10000.0;
    r.patches = patches.patches;
    if (changed.centroid_xy) {
      double x = (*changed.centroid_xy)[0], y = (*changed.centroid_xy)[1];
      if (!to_wgs84->Transform(1, &x, &y)) throw io_error("cannot transform a centroid to WGS84");
      r.changed_centroid_lat_lon = std::array<double, 2>{y, x};
    }
    area_rows.push_back(
        {r.name, to_iso(r.date_before), to_iso(r.date_after), fixed(r.changed_area_ha, 4),
         fixed(r.clear_area_ha, 4),
         r.changed_centroid_lat_lon ? fixed((*r.changed_centroid_lat_lon)[0], 6) : "",
         r.changed_centroid_lat_lon ? fixed((*r.changed_centroid_lat_lon)[1], 6) : ""});
    for (auto const& p : patches.patches) {
      alert_rows.push_back({p.alert_id, p.aoi, date_or_empty(p.first_date),
                            date_or_empty(p.confirmed_date),
                            p.confidence == k::change_high ? "high" : "low", fixed(p.area_ha, 4),
                            fixed(p.centroid_lat, 6), fixed(p.centroid_lon, 6), fixed(p.bbox[0], 6),
                            fixed(p.bbox[1], 6), fixed(p.bbox[2], 6), fixed(p.bbox[3], 6),
                            fixed(p.mean_magnitude, 4), std::to_string(p.pixels)});
    }
    spdlog::info("AOI '{}': {:.2f} ha changed in {} patches, of {:.2f} ha clear", r.name,
                 r.changed_area_ha, patches.patches.size(), r.clear_area_ha);
    if (h5) write_aoi_group(*h5, spec, aoi, r, detection, patches, indices);
    result.aois.push_back(std::move(r));
  }

  if (spec.outputs.csv) {
    fs::path const csv_path = spec.outputs.dir / "areas.csv";
    write_csv(csv_path, area_table_columns(), area_rows);
    result.csv_file = csv_path;
    fs::path const alerts_path = spec.outputs.dir / "alerts.csv";
    write_csv(alerts_path, alert_table_columns(), alert_rows);
    result.alerts_file = alerts_path;
  }
  if (h5) {
    h5->commit();
    result.hdf5_file = h5_path;
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace geosweep::pipeline
