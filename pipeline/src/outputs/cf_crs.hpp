#pragma once
// Internal to pipeline/src/outputs: how CF-1.8 describes a grid's CRS in change.nc, so that
// readers that ignore crs_wkt (Panoply, older netCDF tools) still place the rasters: the axes'
// standard names and units, and, where CF 1.8 Appendix F has the CRS's projection, a
// grid_mapping_name with its parameters and the ellipsoid's (semi_major_axis, inverse_flattening,
// longitude_of_prime_meridian). A table of GDAL 3.6's WKT1 methods gives latitude_longitude,
// transverse_mercator, oblique_mercator (Hotine variants A and B, when the rectified grid angle is
// the azimuth; variant A's false easting and northing are moved to the projection centre, where
// CF and PROJ's omerc put them), lambert_conformal_conic (2SP; 1SP with one standard parallel, or
// the two of true scale when its scale factor is below 1), albers_conical_equal_area,
// lambert_azimuthal_equal_area, azimuthal_equidistant, mercator (1SP, 2SP), polar_stereographic
// (variants A and B), stereographic, orthographic, sinusoidal and lambert_cylindrical_equal_area.
// Angles are in degrees; false_easting and false_northing in the CRS's linear unit, the unit of
// the x and y coordinates. Any other CRS (EPSG:3857, oblique stereographic, ...) gets no
// grid_mapping_name and no parameters; crs_wkt still describes it.

#include <string>
#include <vector>

namespace geosweep::pipeline {

/// How CF describes the axes of one CRS.
struct axis_description {
  char const* x_standard_name;
  char const* y_standard_name;
  char const* x_long_name;
  char const* y_long_name;
  std::string x_units;
  std::string y_units;
};

/// A numeric CF grid-mapping parameter (e.g. false_easting): one value, or two for the
/// standard_parallel of a two-parallel cone (written as a 1-D attribute).
struct cf_parameter {
  char const* name;
  std::vector<double> values;
};

/// What the `crs` variable says besides the WKT.
struct crs_description {
  axis_description axes;
  std::string grid_mapping_name;  ///< "" where this writer does not know the CF name
  std::vector<cf_parameter> parameters;
};

/// The CF description of the CRS of `wkt`; throws geosweep::logic_error when GDAL cannot parse
/// it.
crs_description describe_crs(std::string const& wkt);

}  // namespace geosweep::pipeline
