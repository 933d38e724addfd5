#include "geosweep/pipeline/scene_search.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <numbers>

#include "catalog/scene_catalog.hpp"
#include "compute/chunk_processor.hpp"
#include "core/atomic_file.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "run/run_plan.hpp"

namespace geosweep::pipeline {
namespace {

/// `b` as one or two boxes that do not cross the antimeridian.
std::vector<geo_bbox> split(geo_bbox const& b) {
  if (!b.crosses_antimeridian()) return {b};
  return {{b.west, b.south, 180.0, b.north}, {-180.0, b.south, b.east, b.north}};
}

/// The pixel size a run's grid would have, where the job or the sensor tells it.
std::optional<double> pixel_size_m(job_spec const& spec) {
  if (spec.grid.resolution) return spec.grid.resolution;
  switch (spec.sensor.type) {
    case sensor_type::sentinel2_l2a:
      return 10.0;
    case sensor_type::landsat_c2_l2:
      return 30.0;
    default:
      return std::nullopt;
  }
}

/// Ground area in m² of the part of `box` inside `footprint`, on a sphere of the WGS84 mean
/// radius.
double covered_m2(geo_bbox const& box, geo_bbox const& footprint) {
  constexpr double radius = 6371008.8, rad = std::numbers::pi / 180.0;
  double m2 = 0.0;
  for (auto const& a : split(box))
    for (auto const& f : split(footprint)) {
      geo_bbox const i{std::max(a.west, f.west), std::max(a.south, f.south),
                       std::min(a.east, f.east), std::min(a.north, f.north)};
      if (i.east <= i.west || i.north <= i.south) continue;
      m2 += radius * radius * (i.east - i.west) * rad *
            (std::sin(i.north * rad) - std::sin(i.south * rad));
    }
  return m2;
}

}  // namespace

double box_cover(geo_bbox const& box, geo_bbox const& footprint) {
  double const whole = covered_m2(box, box);
  return whole > 0.0 ? std::min(1.0, covered_m2(box, footprint) / whole) : 0.0;
}

scene_search search_scenes(job_spec const& spec,
                           std::optional<std::filesystem::path> const& save_dir) {
  if (save_dir && !spec.scenes.stac_api)
    throw config_error(spec.file.string() +
                       ": --save writes the items of a STAC API search; this job has no "
                       "scenes.stac_api");
  scene_search out;
  out.bands = bands_to_read(spec);
  std::vector<std::string> features;
  catalog_options options;
  options.require_both_periods = false;  // show what there is, even a period without scenes
  options.searched_features = save_dir ? &features : nullptr;
  if (spec.change.causes) options.optional_bands = evidence_bands();
  auto const catalog = build_catalog(spec, out.bands, options);
  for (auto const& band : evidence_bands_to_read(spec, catalog))
    if (std::find(out.bands.begin(), out.bands.end(), band) == out.bands.end())
      out.bands.push_back(band);
  out.found = catalog.scenes_found;
  out.dropped_by_period = catalog.dropped_by_period;
  out.dropped_by_footprint = catalog.dropped_by_footprint;
  out.dropped_by_cloud = catalog.dropped_by_cloud;
  auto const aois = aoi_bboxes(spec);
  auto const pixel = pixel_size_m(spec);
  for (bool monitor : {false, true}) {
    for (auto const& s : monitor ? catalog.monitor : catalog.baseline) {
      planned_scene p{s.id, s.date, monitor, s.cloud_cover, {}, {}};
      double m2 = 0.0;
      for (auto const& a : aois) {
        if (s.footprint) {
          p.aoi_cover.push_back(box_cover(a, *s.footprint));
          m2 += covered_m2(a, *s.footprint);
        } else {
          p.aoi_cover.push_back(std::nullopt);
        }
      }
      if (pixel && s.footprint)
        p.decoded_bytes = m2 / (*pixel * *pixel) * 2.0 * static_cast<double>(out.bands.size());
      out.scenes.push_back(std::move(p));
    }
  }
  std::sort(out.scenes.begin(), out.scenes.end(), [](auto const& a, auto const& b) {
    return a.date != b.date ? a.date < b.date : a.id < b.id;
  });
  if (save_dir) {
    std::filesystem::create_directories(*save_dir);
    std::string text = "{\"type\": \"FeatureCollection\", \"features\": [\n";
    for (std::size_t i = 0; i < features.size(); ++i)
      text += features[i] + (i + 1 < features.size() ? ",\n" : "\n");
    text += "]}\n";
    out.saved = *save_dir / "items.json";
    write_whole_file(*out.saved, text);
  }
  return out;
}

}  // namespace geosweep::pipeline
