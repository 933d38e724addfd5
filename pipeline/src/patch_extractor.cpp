#include "geosweep/pipeline/patch_extractor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/patches.hpp"
#include "geosweep/kernels/transform.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/gdal_utils.hpp"
#include "geosweep/pipeline/pixel_area.hpp"

namespace geosweep::pipeline {

namespace k = geosweep::kernels;

std::string stable_alert_id(std::string const& aoi, double lat, double lon,
                            std::int32_t first_date) {
  std::string const key = fmt::format("{}|{:.4f}|{:.4f}|{}", aoi, lat, lon, first_date);
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return fmt::format("gs-{:012x}", hash & 0xFFFFFFFFFFFFull);
}

patch_set extract_patches(std::string const& aoi, detection_rasters& detection,
                          raster_grid const& grid, double min_area_ha, k::backend where) {
  std::size_t const n = grid.pixel_count();
  GEOSWEEP_EXPECTS(detection.change.size() == n, "detection rasters match the grid");
  std::vector<std::uint8_t> foreground(n);
  k::transform_pixels(where, n, k::is_change_op{}, foreground.data(), detection.change.data());
  patch_set out;
  out.labels.resize(n);
  std::int32_t const count =
      k::label_components(where, foreground.data(), grid.width, grid.height, 1, out.labels.data());
  if (count == 0) return out;
  auto const summaries = k::summarize_patches(
      where, out.labels.data(), grid.width, grid.height, count, detection.first_date.data(),
      detection.confirmed_date.data(), detection.change.data(), detection.magnitude.data());

  // Ground area per patch, row by row (rows differ on geographic grids).
  auto const row_areas = row_pixel_areas_m2(grid);
  std::vector<double> area_m2(static_cast<std::size_t>(count) + 1, 0.0);
  for (int r = 0; r < grid.height; ++r) {
    std::int32_t const* row = out.labels.data() + static_cast<std::size_t>(r) * grid.width;
    for (int c = 0; c < grid.width; ++c) {
      if (row[c] != 0)
        area_m2[static_cast<std::size_t>(row[c])] += row_areas[static_cast<std::size_t>(r)];
    }
  }

  auto const to_wgs84 = make_transform(make_srs(grid.crs_wkt), wgs84());
  auto const to_lon_lat = [&](double col, double row) {
    auto const& gt = grid.transform;
    double x = gt[0] + col * gt[1] + row * gt[2];
    double y = gt[3] + col * gt[4] + row * gt[5];
    if (!to_wgs84->Transform(1, &x, &y))
      throw io_error("cannot transform a patch position to WGS84");
    return std::array<double, 2>{x, y};
  };

  std::vector<std::int32_t> kept_label(static_cast<std::size_t>(count) + 1, 0);
  for (auto const& s : summaries) {
    double const area_ha = area_m2[static_cast<std::size_t>(s.label)] / 10000.0;
    if (area_ha < min_area_ha) continue;
    change_patch p;
    p.aoi = aoi;
    p.label = static_cast<std::int32_t>(out.patches.size() + 1);
    p.pixels = s.pixel_count;
    p.area_ha = area_ha;
    double const pixels = static_cast<double>(s.pixel_count);
    auto const centre = to_lon_lat(static_cast<double>(s.column_sum) / pixels + 0.5,
                                   static_cast<double>(s.row_sum) / pixels + 0.5);
    p.centroid_lon = centre[0];
    p.centroid_lat = centre[1];
    double west = 1e9, south = 1e9, east = -1e9, north = -1e9;
    for (double col :
         {static_cast<double>(s.column_min), static_cast<double>(s.column_max) + 1.0}) {
      for (double row : {static_cast<double>(s.row_min), static_cast<double>(s.row_max) + 1.0}) {
        auto const corner = to_lon_lat(col, row);
        west = std::min(west, corner[0]);
        east = std::max(east, corner[0]);
        south = std::min(south, corner[1]);
        north = std::max(north, corner[1]);
      }
    }
    p.bbox = {west, south, east, north};
    p.first_date = s.first_date_min;
    p.confirmed_date = s.confirmed_date_min;
    p.confidence = s.status_max;
    p.mean_magnitude = static_cast<double>(s.magnitude_sum_e4) / 1e4 / pixels;
    p.alert_id = stable_alert_id(aoi, p.centroid_lat, p.centroid_lon, p.first_date);
    kept_label[static_cast<std::size_t>(s.label)] = p.label;
    out.patches.push_back(std::move(p));
  }

  // Pixels of dropped patches are no longer change; kept ones are renumbered densely.
  for (std::size_t i = 0; i < n; ++i) {
    std::int32_t& label = out.labels[i];
    if (label == 0) continue;
    label = kept_label[static_cast<std::size_t>(label)];
    if (label == 0) {
      detection.change[i] = k::change_none;
      detection.first_date[i] = k::no_date;
      detection.confirmed_date[i] = k::no_date;
      detection.magnitude[i] = k::nodata_f32();
    }
  }
  return out;
}

}  // namespace geosweep::pipeline
