#include "grid/analysis_grid.hpp"

#include <algorithm>
#include <cmath>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "load/scene_reader.hpp"

namespace geosweep::pipeline {
namespace {

std::string wkt_of(OGRSpatialReference const& srs) {
  char* wkt = nullptr;
  char const* options[] = {"FORMAT=WKT2_2018", nullptr};
  srs.exportToWkt(&wkt, options);
  std::string out(wkt != nullptr ? wkt : "");
  CPLFree(wkt);
  return out;
}

std::vector<scene const*> all_scenes(scene_catalog const& catalog) {
  std::vector<scene const*> scenes;
  for (auto const& s : catalog.baseline) scenes.push_back(&s);
  for (auto const& s : catalog.monitor) scenes.push_back(&s);
  return scenes;
}

}  // namespace

int utm_epsg(double lon, double lat) {
  int zone = static_cast<int>(std::floor((lon + 180.0) / 6.0)) + 1;
  zone = std::clamp(zone, 1, 60);
  return (lat < 0 ? 32700 : 32600) + zone;
}

std::string analysis_crs(job_spec const& spec, scene_catalog const& catalog,
                         std::string const& reference_band) {
  if (!spec.grid.crs.empty()) {
    OGRSpatialReference srs;
    if (srs.SetFromUserInput(spec.grid.crs.c_str()) != OGRERR_NONE) {
      throw config_error(spec.file.string() + ": grid.crs: '" + spec.grid.crs +
                         "' is not a CRS GDAL knows");
    }
    return wkt_of(srs);
  }
  // The scenes' own CRS when they all share one: no resampling at all.
  std::string first;
  bool shared = true;
  for (auto const* s : all_scenes(catalog)) {
    auto const grid = band_reader(s->bands.at(reference_band)).grid();
    if (first.empty()) {
      first = grid.crs_wkt;
    } else if (grid.crs_wkt != first) {
      auto const a = make_srs(first);
      auto const b = make_srs(grid.crs_wkt);
      if (!a.IsSame(&b)) {
        shared = false;
        break;
      }
    }
  }
  if (shared) return first;
  // Otherwise the UTM zone of the AOIs' centre.
  double west = 1e9, south = 1e9, east = -1e9, north = -1e9;
  for (auto const& aoi : spec.aois) {
    auto const b = aoi_lon_lat_bbox(aoi);
    west = std::min(west, b.west);
    south = std::min(south, b.south);
    east = std::max(east, b.east);
    north = std::max(north, b.north);
  }
  OGRSpatialReference utm;
  utm.importFromEPSG(utm_epsg((west + east) / 2, (south + north) / 2));
  return wkt_of(utm);
}

raster_grid make_analysis_grid(job_spec const& spec, scene_catalog const& catalog,
                               std::string const& reference_band, std::string const& crs_wkt,
                               std::vector<aoi_shape> const& aois) {
  auto const first = band_reader(catalog.baseline.front().bands.at(reference_band)).grid();
  auto const grid_srs = make_srs(crs_wkt);
  bool const same_crs = make_srs(first.crs_wkt).IsSame(&grid_srs);
  bool const north_up =
      first.transform[2] == 0.0 && first.transform[4] == 0.0 && first.transform[5] < 0.0;

  double resolution = 0.0;
  if (spec.grid.resolution) {
    resolution = *spec.grid.resolution;
  } else if (same_crs && north_up &&
             std::abs(first.transform[1] + first.transform[5]) < 1e-9 * first.transform[1]) {
    resolution = first.transform[1];
  } else if (!same_crs && grid_srs.IsProjected() && make_srs(first.crs_wkt).IsProjected()) {
    resolution = std::abs(first.transform[1]) * make_srs(first.crs_wkt).GetLinearUnits() /
                 grid_srs.GetLinearUnits();
  } else {
    throw config_error(spec.file.string() +
                       ": grid.resolution: cannot take the pixel size from the scenes (" +
                       "another kind of CRS or non-square pixels); give grid.resolution");
  }

  double min_x = 1e300, min_y = 1e300, max_x = -1e300, max_y = -1e300;
  for (auto const& aoi : aois) {
    auto const& e = aoi.envelope();
    min_x = std::min(min_x, e[0]);
    min_y = std::min(min_y, e[1]);
    max_x = std::max(max_x, e[2]);
    max_y = std::max(max_y, e[3]);
  }
  // Pixel edges on the first scene's when the CRS and pixel size agree, else on multiples of
  // the resolution.
  double origin_x = 0.0, origin_y = 0.0;
  if (same_crs && north_up && std::abs(first.transform[1] - resolution) < 1e-9 * resolution) {
    origin_x = first.transform[0];
    origin_y = first.transform[3];
  }
  // An AOI edge on a pixel edge reaches the grid's CRS through WGS84 and can land a hair past
  // it: within a millionth of a pixel it is on the edge (no column or row of outside pixels).
  constexpr double edge_tolerance = 1e-6;
  double const x0 =
      origin_x + std::floor((min_x - origin_x) / resolution + edge_tolerance) * resolution;
  double const y0 =
      origin_y + std::ceil((max_y - origin_y) / resolution - edge_tolerance) * resolution;
  raster_grid grid;
  grid.crs_wkt = crs_wkt;
  grid.transform = {x0, resolution, 0.0, y0, 0.0, -resolution};
  grid.width = std::max(1, static_cast<int>(std::ceil((max_x - x0) / resolution - edge_tolerance)));
  grid.height =
      std::max(1, static_cast<int>(std::ceil((y0 - min_y) / resolution - edge_tolerance)));
  if (static_cast<double>(grid.width) * grid.height > 2147483647.0) {
    throw config_error(spec.file.string() + ": the AOIs span " + std::to_string(grid.width) +
                       " x " + std::to_string(grid.height) +
                       " pixels; split them or coarsen grid.resolution");
  }
  return grid;
}

std::vector<grid_chunk> plan_chunks(raster_grid const& grid,
                                    std::vector<pixel_window> const& aoi_windows, int chunk) {
  std::vector<grid_chunk> chunks;
  for (int row = 0, y = 0; y < grid.height; ++row, y += chunk) {
    for (int column = 0, x = 0; x < grid.width; ++column, x += chunk) {
      grid_chunk c;
      c.window = {x, y, std::min(chunk, grid.width - x), std::min(chunk, grid.height - y)};
      c.column = column;
      c.row = row;
      for (std::size_t a = 0; a < aoi_windows.size(); ++a) {
        if (!c.window.intersect(aoi_windows[a]).empty()) c.aois.push_back(a);
      }
      if (!c.aois.empty()) chunks.push_back(std::move(c));
    }
  }
  return chunks;
}

}  // namespace geosweep::pipeline
