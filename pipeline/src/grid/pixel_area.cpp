#include "grid/pixel_area.hpp"

#include <cmath>
#include <numbers>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

/// q(phi) of the authalic latitude: the zone area from the equator to phi is pi * b^2 * q.
double authalic_q(double phi, double e) {
  double const s = std::sin(phi);
  if (e == 0.0) return 2.0 * s;
  double const es = e * s;
  return (1.0 - e * e) * (s / (1.0 - es * es) - std::log((1.0 - es) / (1.0 + es)) / (2.0 * e));
}

}  // namespace

double ellipsoidal_cell_area_m2(double lat1_deg, double lat2_deg, double dlon_deg, double a,
                                double inv_f) {
  double const f = inv_f > 0 ? 1.0 / inv_f : 0.0;
  double const e2 = f * (2.0 - f);
  double const e = std::sqrt(e2);
  double const to_rad = std::numbers::pi / 180.0;
  // Area of a zone between two latitudes over dlon: a^2 * dlon * (q(phi2) - q(phi1)) / 2.
  double const q1 = authalic_q(lat1_deg * to_rad, e);
  double const q2 = authalic_q(lat2_deg * to_rad, e);
  return std::abs(a * a * (dlon_deg * to_rad) * (q2 - q1) / 2.0);
}

std::vector<double> row_pixel_areas_m2(raster_grid const& grid) {
  auto const srs = make_srs(grid.crs_wkt);
  auto const& gt = grid.transform;
  std::vector<double> areas(static_cast<std::size_t>(grid.height));
  if (srs.IsGeographic()) {
    if (gt[2] != 0.0 || gt[4] != 0.0) {
      throw io_error("pixel areas of rotated geographic grids are not supported");
    }
    OGRErr err = OGRERR_NONE;
    double const a = srs.GetSemiMajor(&err);
    double const inv_f = srs.GetInvFlattening(&err);
    double const degrees_per_unit = srs.GetAngularUnits() * 180.0 / std::numbers::pi;
    for (int r = 0; r < grid.height; ++r) {
      double const top = (gt[3] + r * gt[5]) * degrees_per_unit;
      double const bottom = (gt[3] + (r + 1) * gt[5]) * degrees_per_unit;
      areas[static_cast<std::size_t>(r)] =
          ellipsoidal_cell_area_m2(bottom, top, gt[1] * degrees_per_unit, a, inv_f);
    }
    return areas;
  }
  double const unit = srs.GetLinearUnits();  // metres per CRS unit
  double const area = std::abs(gt[1] * gt[5] - gt[2] * gt[4]) * unit * unit;
  for (auto& v : areas) v = area;
  return areas;
}

}  // namespace geosweep::pipeline
