#pragma once
/// \file
/// WGS84 bounding boxes: AOIs, scene footprints and alerts. A box may cross the antimeridian.

#include <array>
#include <vector>

namespace geosweep::pipeline {

/// A WGS84 bounding box in degrees. `west > east` when it crosses the antimeridian (as in
/// STAC and GeoJSON, RFC 7946 section 5.2).
struct geo_bbox {
  double west = 0.0;
  double south = 0.0;
  double east = 0.0;
  double north = 0.0;

  /// True when the box crosses the antimeridian (west > east).
  [[nodiscard]] bool crosses_antimeridian() const { return west > east; }
  /// True when the two boxes share at least one point; boxes crossing the antimeridian are
  /// handled.
  [[nodiscard]] bool intersects(geo_bbox const& other) const;
  bool operator==(geo_bbox const&) const = default;
};

/// The bounding box of lon/lat points (degrees). Points spanning more than 180 degrees of
/// longitude are taken to cross the antimeridian (a footprint is never that wide).
/// Expects at least one point.
geo_bbox bbox_of_points(std::vector<std::array<double, 2>> const& lon_lat);

}  // namespace geosweep::pipeline
