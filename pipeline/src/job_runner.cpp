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
#include "geosweep/pipeline/csv_writer.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/gdal_utils.hpp"
#include "geosweep/pipeline/hdf5_writer.hpp"
#include "geosweep/pipeline/pixel_area.hpp"
#include "geosweep/pipeline/scene_catalog.hpp"
#include "geosweep/pipeline/scene_reader.hpp"
#include "geosweep/pipeline/spectral_index.hpp"

#ifndef GEOSWEEP_VERSION
#define GEOSWEEP_VERSION "0.0.0"
#endif

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
namespace k = geosweep::kernels;

enum period_kind { baseline_period = 0, monitor_period = 1 };

/// Per-AOI working state: its mask and the latest-clear composite of each index per period.
struct aoi_state {
  aoi_raster raster;
  std::map<std::string, std::vector<float>> composite[2];
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
    bands.insert(index.band_a);
    bands.insert(index.band_b);
  }
  return {bands.begin(), bands.end()};
}

std::string fixed(double v, int decimals) {
  return fmt::format("{:.{}f}", v, decimals);
}

/// Area and centroid of the pixels of class `value` in `classes` over `grid`.
struct class_extent {
  std::int64_t pixels = 0;
  double area_m2 = 0.0;
  std::optional<std::array<double, 2>> centroid_xy;
};

class_extent measure_class(std::vector<std::uint8_t> const& classes, raster_grid const& grid,
                           std::vector<double> const& row_areas, std::uint8_t value) {
  auto const rows = k::class_row_statistics(classes.data(), static_cast<std::size_t>(grid.width),
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

}  // namespace

std::vector<std::string> const& area_table_columns() {
  static std::vector<std::string> const columns{
      "aoi",           "date_before",  "date_after",  "changed_area_ha",
      "clear_area_ha", "centroid_lat", "centroid_lon"};
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

  std::vector<aoi_state> aois;
  for (auto const& aoi : spec.aois) {
    aoi_state state;
    state.raster = rasterize_aoi(aoi, grid);
    for (auto& period : state.composite) {
      for (auto const& name : indices)
        period[name].assign(state.raster.grid.pixel_count(), k::nodata_f32());
    }
    spdlog::debug("AOI '{}': window {}x{} at ({}, {}), {} pixels inside", aoi.name,
                  state.raster.window.width, state.raster.window.height,
                  state.raster.window.x_offset, state.raster.window.y_offset,
                  state.raster.inside_pixels);
    aois.push_back(std::move(state));
  }

  std::uint32_t const clear = clear_classes(spec.sensor);
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
      std::unique_ptr<band_reader> quality;
      if (s.quality) {
        quality = std::make_unique<band_reader>(*s.quality);
        quality->require_grid(grid);
      }
      for (auto& aoi : aois) {
        auto const& window = aoi.raster.window;
        std::size_t const n = aoi.raster.grid.pixel_count();
        std::map<std::string, std::vector<std::uint16_t>> dn;
        for (auto const& [band, reader] : readers) {
          dn[band] = reader->read_dn(window);
          result.bytes_read += static_cast<std::int64_t>(n * sizeof(std::uint16_t));
        }
        std::vector<std::uint8_t> classes;
        if (quality) {
          classes = quality->read_classes(window);
          result.bytes_read += static_cast<std::int64_t>(n);
        }
        std::vector<float> observation(n);
        for (auto const& name : indices) {
          auto const& index = find_spectral_index(name);
          auto const refl_a = readers.at(index.band_a)->reflectance(spec.sensor, s);
          auto const refl_b = readers.at(index.band_b)->reflectance(spec.sensor, s);
          auto const* a = dn.at(index.band_a).data();
          auto const* b = dn.at(index.band_b).data();
          if (quality) {
            k::transform_pixels(
                result.backend, n, k::index_from_dn_op{refl_a, refl_b, k::class_is_clear_op{clear}},
                observation.data(), a, b, static_cast<std::uint8_t const*>(classes.data()));
          } else {
            k::transform_pixels(result.backend, n, k::index_from_dn_unmasked_op{refl_a, refl_b},
                                observation.data(), a, b);
          }
          auto& composite = aoi.composite[period].at(name);
          k::transform_pixels(result.backend, n, k::latest_clear_op{}, composite.data(),
                              static_cast<float const*>(composite.data()),
                              static_cast<float const*>(observation.data()));
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
    h5->set_root_attribute("institution", "");
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
  std::vector<std::vector<std::string>> rows;
  for (auto& aoi : aois) {
    auto const& g = aoi.raster.grid;
    std::size_t const n = g.pixel_count();
    auto const& before = aoi.composite[baseline_period].at(spec.change.index);
    auto const& after = aoi.composite[monitor_period].at(spec.change.index);
    std::vector<std::uint8_t> change(n);
    k::bitemporal_change_op const classify{static_cast<float>(spec.change.drop),
                                           static_cast<float>(spec.change.forest_min)};
    k::transform_pixels(result.backend, n, classify, change.data(), before.data(), after.data(),
                        static_cast<std::uint8_t const*>(aoi.raster.mask.data()));

    auto const row_areas = row_pixel_areas_m2(g);
    auto const changed = measure_class(change, g, row_areas, k::change_loss);
    auto const stable = measure_class(change, g, row_areas, k::change_none);

    aoi_result r;
    r.name = aoi.raster.name;
    r.date_before = catalog.baseline.back().date;
    r.date_after = catalog.monitor.back().date;
    r.aoi_pixels = aoi.raster.inside_pixels;
    r.changed_pixels = changed.pixels;
    r.clear_pixels = changed.pixels + stable.pixels;
    r.changed_area_ha = changed.area_m2 / 10000.0;
    r.clear_area_ha = (changed.area_m2 + stable.area_m2) / 10000.0;
    if (changed.centroid_xy) {
      double x = (*changed.centroid_xy)[0], y = (*changed.centroid_xy)[1];
      if (!to_wgs84->Transform(1, &x, &y)) throw io_error("cannot transform a centroid to WGS84");
      r.changed_centroid_lat_lon = std::array<double, 2>{y, x};
    }
    rows.push_back({r.name, to_iso(r.date_before), to_iso(r.date_after),
                    fixed(r.changed_area_ha, 4), fixed(r.clear_area_ha, 4),
                    r.changed_centroid_lat_lon ? fixed((*r.changed_centroid_lat_lon)[0], 6) : "",
                    r.changed_centroid_lat_lon ? fixed((*r.changed_centroid_lat_lon)[1], 6) : ""});
    spdlog::info("AOI '{}': {:.2f} ha changed of {:.2f} ha clear", r.name, r.changed_area_ha,
                 r.clear_area_ha);

    if (h5) {
      std::string const group = "aoi/" + r.name;
      h5->add_grid(group, g);
      h5->set_group_attribute(group, "aoi", r.name);
      h5->set_group_attribute(group, "date_before", to_iso(r.date_before));
      h5->set_group_attribute(group, "date_after", to_iso(r.date_after));
      h5->set_group_attribute(group, "baseline_period",
                              to_iso(spec.baseline.first) + "/" + to_iso(spec.baseline.last));
      h5->set_group_attribute(group, "monitor_period",
                              to_iso(spec.monitor.first) + "/" + to_iso(spec.monitor.last));
      for (auto const& name : indices) {
        auto const& index = find_spectral_index(name);
        variable_attributes attrs;
        attrs.units = "1";
        attrs.fill_value = std::numeric_limits<double>::quiet_NaN();
        attrs.long_name = index.long_name + ", latest clear observation of the baseline period";
        h5->write_float32(group, name + "_before", aoi.composite[baseline_period].at(name), attrs);
        attrs.long_name = index.long_name + ", latest clear observation of the monitoring period";
        h5->write_float32(group, name + "_after", aoi.composite[monitor_period].at(name), attrs);
      }
      variable_attributes change_attrs;
      change_attrs.long_name = "forest loss between the baseline and monitoring periods";
      change_attrs.fill_value = k::change_no_data;
      change_attrs.flag_values = {k::change_none, k::change_loss, k::change_outside_aoi,
                                  k::change_no_data};
      change_attrs.flag_meanings = "no_change loss outside_aoi no_clear_observation";
      h5->write_uint8(group, "change", change, change_attrs);
    }
    result.aois.push_back(std::move(r));
  }

  if (spec.outputs.csv) {
    fs::path const csv_path = spec.outputs.dir / "areas.csv";
    write_csv(csv_path, area_table_columns(), rows);
    result.csv_file = csv_path;
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
