#include "geosweep/pipeline/geo_bbox.hpp"

#include <algorithm>

#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {

bool geo_bbox::intersects(geo_bbox const& other) const {
  if (south > other.north || other.south > north) return false;
  // Longitude intervals, split at the antimeridian when a box crosses it.
  auto const intervals = [](geo_bbox const& b) {
    std::vector<std::array<double, 2>> out;
    if (b.crosses_antimeridian()) {
      out.push_back({b.west, 180.0});
      out.push_back({-180.0, b.east});
    } else {
      out.push_back({b.west, b.east});
    }
    return out;
  };
  for (auto const& a : intervals(*this))
    for (auto const& b : intervals(other))
      if (a[0] <= b[1] && b[0] <= a[1]) return true;
  return false;
}

geo_bbox bbox_of_points(std::vector<std::array<double, 2>> const& lon_lat) {
  GEOSWEEP_EXPECTS(!lon_lat.empty(), "a footprint needs at least one point");
  geo_bbox box{lon_lat[0][0], lon_lat[0][1], lon_lat[0][0], lon_lat[0][1]};
  for (auto const& [lon, lat] : lon_lat) {
    box.west = std::min(box.west, lon);
    box.east = std::max(box.east, lon);
    box.south = std::min(box.south, lat);
    box.north = std::max(box.north, lat);
  }
  if (box.east - box.west > 180.0) {
    // Crosses the antimeridian: measure the western longitudes in [0, 360).
    double west = 360.0, east = -360.0;
    for (auto const& p : lon_lat) {
      double const lon = p[0] < 0 ? p[0] + 360.0 : p[0];
      west = std::min(west, lon);
      east = std::max(east, lon);
    }
    box.west = west > 180.0 ? west - 360.0 : west;
    box.east = east > 180.0 ? east - 360.0 : east;
  }
  return box;
}

}  // namespace geosweep::pipeline
