#include "report/map_geometry.hpp"

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

constexpr double kDegree = std::numbers::pi / 180.0;

std::array<double, 2> apply(geotransform const& gt, double a, double b) {
  return {gt[0] + a * gt[1] + b * gt[2], gt[3] + a * gt[4] + b * gt[5]};
}

/// Degrees, minutes and seconds of |value| rounded to the precision of `step`.
std::string format_angle(double value, double step, char positive, char negative) {
  char const hemisphere = value < 0 ? negative : positive;
  double const magnitude = std::abs(value);
  // Round to whole seconds, minutes or degrees, whichever the step is a multiple of.
  auto const is_multiple = [&](double unit) {
    return std::abs(step / unit - std::round(step / unit)) < 1e-6;
  };
  long long const total_seconds = std::llround(magnitude * 3600.0);
  long long const degrees = total_seconds / 3600;
  long long const minutes = (total_seconds / 60) % 60;
  long long const seconds = total_seconds % 60;
  std::string out = std::to_string(degrees) + "\u00b0";
  bool const need_seconds = !is_multiple(1.0 / 60.0) || seconds != 0;
  bool const need_minutes = need_seconds || !is_multiple(1.0) || minutes != 0;
  auto const two = [](long long v) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "%02lld", v);
    return std::string(buffer);
  };
  if (need_minutes) out += two(minutes) + "'";
  if (need_seconds) out += two(seconds) + "\"";
  if (total_seconds != 0) out += hemisphere;
  return out;
}

}  // namespace

grid_geography::grid_geography(raster_grid grid) : grid_(std::move(grid)) {
  ensure_gdal();
  if (GDALInvGeoTransform(grid_.transform.data(), inverse_.data()) == 0)
    throw io_error("the grid's geotransform cannot be inverted");
  auto const srs = make_srs(grid_.crs_wkt);
  to_wgs84_ = make_transform(srs, wgs84());
  from_wgs84_ = make_transform(wgs84(), srs);
}

grid_geography::~grid_geography() = default;
grid_geography::grid_geography(grid_geography&&) noexcept = default;
grid_geography& grid_geography::operator=(grid_geography&&) noexcept = default;

std::array<double, 2> grid_geography::to_lon_lat(image_point p) const {
  auto xy = apply(grid_.transform, p[0], p[1]);
  if (!to_wgs84_->Transform(1, &xy[0], &xy[1]))
    throw io_error("cannot transform a map position to WGS84");
  return xy;
}

image_point grid_geography::to_image(double lon, double lat) const {
  double x = lon, y = lat;
  if (!from_wgs84_->Transform(1, &x, &y))
    throw io_error("cannot transform a longitude/latitude into the grid's CRS");
  return apply(inverse_, x, y);
}

double grid_geography::true_north_angle(image_point p) const {
  auto const ll = to_lon_lat(p);
  // A step north of a metre or so: small enough to be local, large enough for doubles.
  double const d = ll[1] > 89.99 ? -1e-5 : 1e-5;
  auto const q = to_image(ll[0], ll[1] + d);
  double const angle = image_bearing(q[0] - p[0], q[1] - p[1]);
  return d > 0 ? angle : std::remainder(angle + 180.0, 360.0);
}

double grid_geography::ground_distance(image_point a, image_point b) const {
  auto const la = to_lon_lat(a);
  auto const lb = to_lon_lat(b);
  // The azimuthal equidistant projection centred on a keeps geodesic distances from a.
  OGRSpatialReference local;
  if (local.SetAE(la[1], la[0], 0, 0) != OGRERR_NONE || local.SetWellKnownGeogCS("WGS84"))
    throw io_error("cannot build a local projection for distances");
  local.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  auto const t = make_transform(wgs84(), local);
  double x = lb[0], y = lb[1];
  if (!t->Transform(1, &x, &y)) throw io_error("cannot measure a distance on the ellipsoid");
  return std::hypot(x, y);
}

lon_lat_box grid_geography::bounds() const {
  lon_lat_box box{180, 90, -180, -90};
  int const steps = 32;
  double const w = grid_.width, h = grid_.height;
  for (int i = 0; i <= steps; ++i) {
    double const f = static_cast<double>(i) / steps;
    for (image_point const p : {image_point{f * w, 0}, image_point{f * w, h}, image_point{0, f * h},
                                image_point{w, f * h}}) {
      auto const ll = to_lon_lat(p);
      box.west = std::min(box.west, ll[0]);
      box.east = std::max(box.east, ll[0]);
      box.south = std::min(box.south, ll[1]);
      box.north = std::max(box.north, ll[1]);
    }
  }
  return box;
}

double image_bearing(double d_col, double d_row) {
  // Image up is -row; clockwise is towards +col.
  return std::atan2(d_col, -d_row) / kDegree;
}

double scale_bar_length(double max_metres) {
  if (!(max_metres > 0)) throw logic_error("scale_bar_length: the room must be positive");
  double const decade = std::pow(10.0, std::floor(std::log10(max_metres)));
  for (double m : {5.0, 2.0, 1.0}) {
    if (m * decade <= max_metres * (1 + 1e-12)) return m * decade;
  }
  return decade;
}

std::string format_distance(double metres) {
  auto const trim = [](double v) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.3f", v);
    std::string s(buffer);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
    return s;
  };
  return metres >= 1000.0 ? trim(metres / 1000.0) + " km" : trim(metres) + " m";
}

double graticule_step(double span_degrees, int max_lines) {
  static constexpr double kSteps[] = {
      1.0 / 3600, 2.0 / 3600, 5.0 / 3600, 10.0 / 3600, 15.0 / 3600, 20.0 / 3600, 30.0 / 3600,
      1.0 / 60,   2.0 / 60,   5.0 / 60,   10.0 / 60,   15.0 / 60,   20.0 / 60,   30.0 / 60,
      1.0,        2.0,        5.0,        10.0,        15.0,        30.0};
  for (double step : kSteps) {
    if (span_degrees / step <= max_lines) return step;
  }
  return 30.0;
}

std::vector<double> graticule_values(double min, double max, double step) {
  std::vector<double> values;
  for (double k = std::ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k += 1.0)
    values.push_back(k * step);
  return values;
}

std::string format_latitude(double latitude, double step) {
  return format_angle(latitude, step, 'N', 'S');
}

std::string format_longitude(double longitude, double step) {
  return format_angle(longitude, step, 'E', 'W');
}

std::vector<graticule_line> make_graticule(grid_geography const& geo, int width, int height,
                                           int max_lines) {
  auto const box = geo.bounds();
  double const step =
      graticule_step(std::max(box.east - box.west, box.north - box.south), std::max(1, max_lines));
  double const w = width, h = height;
  std::vector<graticule_line> lines;
  auto const add = [&](bool meridian, double value) {
    graticule_line line;
    line.meridian = meridian;
    line.value = value;
    int const n = 64;
    double const lo = meridian ? box.south : box.west, hi = meridian ? box.north : box.east;
    double const pad = (hi - lo) * 0.05 + 1e-9;
    for (int i = 0; i <= n; ++i) {
      double const t = lo - pad + (hi - lo + 2 * pad) * i / n;
      line.points.push_back(meridian ? geo.to_image(value, t) : geo.to_image(t, value));
    }
    std::string const text =
        meridian ? format_longitude(value, step) : format_latitude(value, step);
    // Crossings of the line with each image edge, in pixels along that edge.
    auto const crossings = [&](image_edge edge) {
      std::vector<graticule_label> found;
      bool const horizontal = edge == image_edge::top || edge == image_edge::bottom;
      double const level = edge == image_edge::top      ? 0
                           : edge == image_edge::bottom ? h
                           : edge == image_edge::left   ? 0
                                                        : w;
      double const extent = horizontal ? w : h;
      for (std::size_t i = 1; i < line.points.size(); ++i) {
        auto const& a = line.points[i - 1];
        auto const& b = line.points[i];
        double const ua = horizontal ? a[1] : a[0], ub = horizontal ? b[1] : b[0];
        if ((ua - level) * (ub - level) > 0 || ua == ub) continue;
        double const f = (level - ua) / (ub - ua);
        double const along = horizontal ? a[0] + f * (b[0] - a[0]) : a[1] + f * (b[1] - a[1]);
        if (along >= 0 && along <= extent) found.push_back({edge, along, text});
      }
      return found;
    };
    std::vector<image_edge> const preferred =
        meridian ? std::vector{image_edge::bottom, image_edge::top}
                 : std::vector{image_edge::left, image_edge::right};
    std::vector<image_edge> const others = meridian
                                               ? std::vector{image_edge::left, image_edge::right}
                                               : std::vector{image_edge::bottom, image_edge::top};
    for (auto e : preferred)
      for (auto& l : crossings(e)) line.labels.push_back(l);
    if (line.labels.empty()) {  // strongly rotated grids: label where the line does leave
      for (auto e : others)
        for (auto& l : crossings(e)) line.labels.push_back(l);
    }
    if (!line.labels.empty()) lines.push_back(std::move(line));
  };
  for (double lon : graticule_values(box.west, box.east, step)) add(true, lon);
  for (double lat : graticule_values(box.south, box.north, step)) add(false, lat);
  return lines;
}

}  // namespace geosweep::pipeline
