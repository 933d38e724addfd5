#include "outputs/cf_crs.hpp"

#include <ogr_spatialref.h>
#include <ogr_srs_api.h>

#include <cmath>
#include <string_view>

#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {

crs_description describe_crs(std::string const& wkt) {
  OGRSpatialReference srs;
  if (srs.importFromWkt(wkt.c_str()) != OGRERR_NONE) {
    throw logic_error("raster_grid.crs_wkt is not a CRS GDAL can parse");
  }
  crs_description result;
  if (srs.IsGeographic()) {
    result.axes = {"longitude", "latitude",     "longitude",
                   "latitude",  "degrees_east", "degrees_north"};
  } else {
    char const* unit_name = nullptr;
    double const to_metre = srs.GetLinearUnits(&unit_name);
    std::string units = "m";
    if (std::abs(to_metre - 1.0) > 1e-12) {
      // Best effort: UDUNITS spells e.g. "US survey foot" as "US_survey_foot".
      units = unit_name != nullptr ? unit_name : "";
      for (char& c : units) {
        if (c == ' ') c = '_';
      }
      if (std::abs(to_metre - 1000.0) < 1e-9) units = "km";
    }
    result.axes = {"projection_x_coordinate",
                   "projection_y_coordinate",
                   "x coordinate of projection",
                   "y coordinate of projection",
                   units,
                   units};
  }

  // CF asks for grid_mapping_name; readers that ignore crs_wkt (Panoply, older netCDF
  // tools) need it. Only the mappings used by geosweep's grids are spelled out.
  auto const add_ellipsoid = [&] {
    OGRErr err = OGRERR_NONE;
    result.parameters.push_back({"semi_major_axis", srs.GetSemiMajor(&err)});
    result.parameters.push_back({"inverse_flattening", srs.GetInvFlattening(&err)});
    result.parameters.push_back({"longitude_of_prime_meridian", srs.GetPrimeMeridian()});
  };
  if (srs.IsGeographic()) {
    result.grid_mapping_name = "latitude_longitude";
    add_ellipsoid();
  } else if (srs.IsProjected()) {
    char const* method = srs.GetAttrValue("PROJECTION");
    if (method != nullptr && std::string_view(method) == SRS_PT_TRANSVERSE_MERCATOR) {
      result.grid_mapping_name = "transverse_mercator";
      result.parameters = {
          {"scale_factor_at_central_meridian", srs.GetNormProjParm(SRS_PP_SCALE_FACTOR, 1.0)},
          {"longitude_of_central_meridian", srs.GetNormProjParm(SRS_PP_CENTRAL_MERIDIAN, 0.0)},
          {"latitude_of_projection_origin", srs.GetNormProjParm(SRS_PP_LATITUDE_OF_ORIGIN, 0.0)},
          {"false_easting", srs.GetNormProjParm(SRS_PP_FALSE_EASTING, 0.0)},
          {"false_northing", srs.GetNormProjParm(SRS_PP_FALSE_NORTHING, 0.0)},
      };
      add_ellipsoid();
    }
  }
  return result;
}

}  // namespace geosweep::pipeline
