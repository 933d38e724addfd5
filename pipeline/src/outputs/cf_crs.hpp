#pragma once
// Internal to pipeline/src/outputs: how CF-1.8 describes a grid's CRS in change.nc, so that
// readers that ignore crs_wkt (Panoply, older netCDF tools) still place the rasters: the axes'
// standard names and units, and a grid_mapping_name with its parameters for the mappings
// geosweep's grids use (geographic, transverse Mercator).

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

/// A numeric CF grid-mapping parameter (e.g. false_easting).
struct cf_parameter {
  char const* name;
  double value;
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
