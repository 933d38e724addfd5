#pragma once
/// \file
/// The geometry of a map drawn from a raster grid, free of any drawing library: where true
/// north points on the image, how long a round scale bar is, where the latitude/longitude
/// graticule lines run and how they are labelled. Positions are image pixel coordinates with
/// (0, 0) the top-left corner of the top-left pixel, column to the right, row down.

#include <array>
#include <memory>
#include <string>
#include <vector>

#include "geosweep/pipeline/raster_grid.hpp"

class OGRCoordinateTransformation;

namespace geosweep::pipeline {

/// A position on the image: fractional column and row.
using image_point = std::array<double, 2>;

/// A longitude/latitude box (WGS84 degrees).
struct lon_lat_box {
  double west = 0;
  double south = 0;
  double east = 0;
  double north = 0;
};

/// Conversions between a grid's pixels and WGS84 longitude/latitude, and ground distances.
class grid_geography {
 public:
  /// Throws geosweep::io_error when the CRS cannot be read or transformed to WGS84, or the
  /// geotransform is singular.
  explicit grid_geography(raster_grid grid);
  ~grid_geography();
  grid_geography(grid_geography&&) noexcept;
  grid_geography& operator=(grid_geography&&) noexcept;

  [[nodiscard]] raster_grid const& grid() const { return grid_; }

  /// Longitude and latitude (degrees) of an image position.
  [[nodiscard]] std::array<double, 2> to_lon_lat(image_point p) const;

  /// Image position of a longitude/latitude (degrees).
  [[nodiscard]] image_point to_image(double lon, double lat) const;

  /// Clockwise angle in degrees from the image's "up" (decreasing row) to true north at `p`:
  /// 0 on a north-up geographic grid; the meridian convergence on a UTM grid; the rotation on
  /// a rotated geotransform.
  [[nodiscard]] double true_north_angle(image_point p) const;

  /// Geodesic distance in metres on the WGS84 ellipsoid between two image positions.
  [[nodiscard]] double ground_distance(image_point a, image_point b) const;

  /// The longitude/latitude box of the image (its edges sampled, so curved edges count).
  [[nodiscard]] lon_lat_box bounds() const;

 private:
  raster_grid grid_;
  geotransform inverse_{};
  std::unique_ptr<OGRCoordinateTransformation> to_wgs84_;
  std::unique_ptr<OGRCoordinateTransformation> from_wgs84_;
};

/// Clockwise angle in degrees from image "up" to the image direction (d_col, d_row).
double image_bearing(double d_col, double d_row);

/// A round scale-bar length: the largest 1, 2 or 5 x 10^k metres that is at most
/// `max_metres` (> 0).
double scale_bar_length(double max_metres);

/// "500 m", "20 m", "1 km", "2 km", "0.5 m": metres below 1 km, kilometres from 1 km.
std::string format_distance(double metres);

/// Graticule spacing in degrees: the smallest of 10°, 5°, 2°, 1°, 30', 20', 15', 10', 5', 2',
/// 1', 30", 20", 15", 10", 5", 2", 1" that puts at most `max_lines` lines across `span_degrees`.
double graticule_step(double span_degrees, int max_lines);

/// The multiples of `step` within [min, max].
std::vector<double> graticule_values(double min, double max, double step);

/// "9°30'S", "62°04'30\"W", "10°N": degrees, minutes and seconds as fine as `step` needs.
std::string format_latitude(double latitude, double step);
std::string format_longitude(double longitude, double step);

/// Which side of the image a label sits on.
enum class image_edge { top, bottom, left, right };

/// A graticule label: where a line meets an image edge.
struct graticule_label {
  image_edge edge = image_edge::bottom;
  double position = 0;  ///< column (top/bottom) or row (left/right) of the crossing
  std::string text;
};

/// One meridian or parallel across the image.
struct graticule_line {
  bool meridian = true;             ///< a line of constant longitude (else of constant latitude)
  double value = 0;                 ///< its longitude or latitude
  std::vector<image_point> points;  ///< the line, densified, in image coordinates
  std::vector<graticule_label> labels;  ///< meridians at top/bottom, parallels at left/right
};

/// Meridians and parallels at a round spacing (at most `max_lines` each way) over an image of
/// `width` x `height` pixels.
std::vector<graticule_line> make_graticule(grid_geography const& geo, int width, int height,
                                           int max_lines);

}  // namespace geosweep::pipeline
