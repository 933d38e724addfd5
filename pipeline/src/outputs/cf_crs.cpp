#include "outputs/cf_crs.hpp"

#include <ogr_spatialref.h>
#include <ogr_srs_api.h>

#include <array>
#include <cmath>
#include <memory>
#include <numbers>
#include <optional>
#include <string_view>

#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {

namespace {

/// Where a method needs more than copying parameters.
enum class special {
  none,
  lcc_1sp,              ///< standard_parallel from the scale factor (CF's cone has none)
  hotine_a,             ///< false easting/northing moved from the natural origin to the centre
  hotine_b,             ///< CF's oblique_mercator as it stands
  polar_stereographic,  ///< variant A (scale factor) or B (standard parallel)
};

/// One CF parameter from one WKT1 parameter; consecutive rows with the same CF name make one
/// attribute of several values (the two standard parallels of a cone).
struct parameter_row {
  char const* cf = nullptr;
  char const* wkt = nullptr;
};

struct mapping_row {
  char const* method;  ///< SRS_PT_*
  char const* grid_mapping_name;
  special how;
  std::array<parameter_row, 4> parameters;  ///< besides false_easting and false_northing
};

constexpr parameter_row kCentralMeridian{"longitude_of_central_meridian", SRS_PP_CENTRAL_MERIDIAN};
constexpr parameter_row kOriginLatitude{"latitude_of_projection_origin", SRS_PP_LATITUDE_OF_ORIGIN};
constexpr parameter_row kOriginLongitude{"longitude_of_projection_origin", SRS_PP_CENTRAL_MERIDIAN};
constexpr parameter_row kCentreLatitude{"latitude_of_projection_origin", SRS_PP_LATITUDE_OF_CENTER};
constexpr parameter_row kCentreLongitude{"longitude_of_projection_origin",
                                         SRS_PP_LONGITUDE_OF_CENTER};
constexpr parameter_row kOriginScale{"scale_factor_at_projection_origin", SRS_PP_SCALE_FACTOR};
constexpr parameter_row kParallel1{"standard_parallel", SRS_PP_STANDARD_PARALLEL_1};
constexpr parameter_row kParallel2{"standard_parallel", SRS_PP_STANDARD_PARALLEL_2};
constexpr std::array<parameter_row, 4> kObliqueMercator{
    {{"azimuth_of_central_line", SRS_PP_AZIMUTH}, kCentreLatitude, kCentreLongitude, kOriginScale}};

/// CF 1.8 Appendix F for the WKT1 methods GDAL 3.6 names (GDAL has no exportToCF1 before 3.9).
/// Not here, so without grid_mapping_name: EPSG's Oblique Stereographic (9809, a double
/// projection that CF's stereographic is not), Hotine two-point, Laborde, south-orientated
/// Transverse Mercator, Geostationary (sweep axis), and methods CF has no mapping for.
constexpr std::array<mapping_row, 15> kMappings{{
    {SRS_PT_TRANSVERSE_MERCATOR,
     "transverse_mercator",
     special::none,
     {{{"scale_factor_at_central_meridian", SRS_PP_SCALE_FACTOR},
       kCentralMeridian,
       kOriginLatitude}}},
    {SRS_PT_HOTINE_OBLIQUE_MERCATOR, "oblique_mercator", special::hotine_a, kObliqueMercator},
    {SRS_PT_HOTINE_OBLIQUE_MERCATOR_AZIMUTH_CENTER, "oblique_mercator", special::hotine_b,
     kObliqueMercator},
    {SRS_PT_LAMBERT_CONFORMAL_CONIC_1SP,
     "lambert_conformal_conic",
     special::lcc_1sp,
     {{kCentralMeridian, kOriginLatitude}}},
    {SRS_PT_LAMBERT_CONFORMAL_CONIC_2SP,
     "lambert_conformal_conic",
     special::none,
     {{kParallel1, kParallel2, kCentralMeridian, kOriginLatitude}}},
    {SRS_PT_ALBERS_CONIC_EQUAL_AREA,
     "albers_conical_equal_area",
     special::none,
     {{kParallel1,
       kParallel2,
       {"longitude_of_central_meridian", SRS_PP_LONGITUDE_OF_CENTER},
       kCentreLatitude}}},
    {SRS_PT_LAMBERT_AZIMUTHAL_EQUAL_AREA,
     "lambert_azimuthal_equal_area",
     special::none,
     {{kCentreLongitude, kCentreLatitude}}},
    {SRS_PT_AZIMUTHAL_EQUIDISTANT,
     "azimuthal_equidistant",
     special::none,
     {{kCentreLongitude, kCentreLatitude}}},
    {SRS_PT_MERCATOR_1SP, "mercator", special::none, {{kOriginLongitude, kOriginScale}}},
    {SRS_PT_MERCATOR_2SP, "mercator", special::none, {{kOriginLongitude, kParallel1}}},
    {SRS_PT_POLAR_STEREOGRAPHIC,
     "polar_stereographic",
     special::polar_stereographic,
     {{{"straight_vertical_longitude_from_pole", SRS_PP_CENTRAL_MERIDIAN}}}},
    {SRS_PT_STEREOGRAPHIC,
     "stereographic",
     special::none,
     {{kOriginLatitude, kOriginLongitude, kOriginScale}}},
    {SRS_PT_ORTHOGRAPHIC, "orthographic", special::none, {{kOriginLatitude, kOriginLongitude}}},
    {SRS_PT_SINUSOIDAL, "sinusoidal", special::none, {{kCentreLongitude}}},
    {SRS_PT_CYLINDRICAL_EQUAL_AREA,
     "lambert_cylindrical_equal_area",
     special::none,
     {{kParallel1, kCentralMeridian}}},
}};

double radians(double degrees) {
  return degrees * std::numbers::pi / 180.0;
}

/// The standard parallels (degrees) of the Lambert conic conformal 1SP cone with scale `k0` at
/// latitude `origin`: {origin} when k0 is 1, the two parallels of true scale when k0 < 1 (where,
/// in Snyder's m and t, m / t^n equals k0 m0 / t0^n with n = sin(origin)), none when k0 > 1 (every
/// parallel is then longer than on the ellipsoid, which CF's cone, having no scale factor, cannot
/// say) or when the origin is on the equator (no cone).
std::optional<std::vector<double>> lcc_standard_parallels(double origin, double k0, double e2) {
  if (std::abs(k0 - 1.0) < 1e-12) return std::vector<double>{origin};
  double const phi0 = radians(origin);
  if (k0 > 1.0 || std::abs(phi0) < 1e-9) return std::nullopt;
  double const e = std::sqrt(e2);
  auto const log_m = [&](double phi) {
    return std::log(std::cos(phi) / std::sqrt(1.0 - e2 * std::sin(phi) * std::sin(phi)));
  };
  auto const log_t = [&](double phi) {
    double const s = e * std::sin(phi);
    return std::log(std::tan(std::numbers::pi / 4 - phi / 2)) -
           e / 2 * std::log((1.0 - s) / (1.0 + s));
  };
  double const n = std::sin(phi0);
  double const target = std::log(k0) + log_m(phi0) - n * log_t(phi0);
  // g is -log(k0) > 0 at the origin and tends to -infinity at either pole.
  auto const g = [&](double phi) { return log_m(phi) - n * log_t(phi) - target; };
  auto const root = [&](double pole) {
    double inside = phi0, outside = pole;
    for (int i = 0; i < 200; ++i) {
      double const mid = (inside + outside) / 2;
      (g(mid) > 0 ? inside : outside) = mid;
    }
    return (inside + outside) / 2 * 180.0 / std::numbers::pi;
  };
  double const pole = std::numbers::pi / 2 - 1e-12;
  return std::vector<double>{root(-pole), root(pole)};
}

/// The easting and northing of the projection centre (CRS units) of a Hotine variant A CRS,
/// which are variant B's false easting and northing.
std::optional<std::array<double, 2>> projection_centre(OGRSpatialReference const& srs) {
  std::unique_ptr<OGRSpatialReference> geographic(srs.CloneGeogCS());
  if (!geographic) return std::nullopt;
  geographic->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  OGRSpatialReference projected(srs);
  projected.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  std::unique_ptr<OGRCoordinateTransformation> to_projected(
      OGRCreateCoordinateTransformation(geographic.get(), &projected));
  // In the units of the geographic CRS, as the WKT1 parameters are.
  double x = srs.GetProjParm(SRS_PP_LONGITUDE_OF_CENTER);
  double y = srs.GetProjParm(SRS_PP_LATITUDE_OF_CENTER);
  if (!to_projected || !to_projected->Transform(1, &x, &y)) return std::nullopt;
  return std::array{x, y};
}

}  // namespace

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
  // tools) need it. The projection is looked up in kMappings; every mapping gets the ellipsoid.
  auto const add = [&](char const* name, double value) {
    if (!result.parameters.empty() && std::string_view(result.parameters.back().name) == name) {
      result.parameters.back().values.push_back(value);
    } else {
      result.parameters.push_back({name, {value}});
    }
  };
  auto const add_ellipsoid = [&] {
    OGRErr err = OGRERR_NONE;
    add("semi_major_axis", srs.GetSemiMajor(&err));
    add("inverse_flattening", srs.GetInvFlattening(&err));
    add("longitude_of_prime_meridian", srs.GetPrimeMeridian());
  };
  if (srs.IsGeographic()) {
    result.grid_mapping_name = "latitude_longitude";
    add_ellipsoid();
    return result;
  }
  auto const without_mapping = [&] {
    result.parameters.clear();
    return result;
  };
  char const* method = srs.IsProjected() ? srs.GetAttrValue("PROJECTION") : nullptr;
  // An EXTENSION["PROJ4", ...] says the WKT1 method does not tell the whole projection (EPSG:3857
  // is "Mercator_1SP" of a sphere on WGS 84 coordinates), so CF's mapping would be wrong.
  if (method == nullptr || srs.GetExtension("PROJCS", "PROJ4", nullptr) != nullptr) return result;
  mapping_row const* mapping = nullptr;
  for (auto const& row : kMappings) {
    if (std::string_view(method) == row.method) mapping = &row;
  }
  if (mapping == nullptr) return result;

  // Angles in degrees and scales as CF gives them; false easting and northing in the CRS's
  // linear unit, the unit of the x and y coordinates, as CF asks.
  auto const normalized = [&](char const* name, double fallback = 0.0) {
    return srs.GetNormProjParm(name, fallback);
  };
  for (auto const& row : mapping->parameters) {
    if (row.cf != nullptr) {
      add(row.cf,
          normalized(row.wkt, std::string_view(row.wkt) == SRS_PP_SCALE_FACTOR ? 1.0 : 0.0));
    }
  }
  double false_easting = srs.GetProjParm(SRS_PP_FALSE_EASTING);
  double false_northing = srs.GetProjParm(SRS_PP_FALSE_NORTHING);
  switch (mapping->how) {
    case special::none:
      break;
    case special::lcc_1sp: {
      auto const parallels = lcc_standard_parallels(normalized(SRS_PP_LATITUDE_OF_ORIGIN),
                                                    normalized(SRS_PP_SCALE_FACTOR, 1.0),
                                                    srs.GetSquaredEccentricity());
      if (!parallels) return without_mapping();
      result.parameters.push_back({"standard_parallel", *parallels});
      break;
    }
    case special::hotine_a:
    case special::hotine_b: {
      // CF's oblique_mercator (PROJ's omerc without +gamma) turns the grid by the azimuth.
      double const azimuth = normalized(SRS_PP_AZIMUTH);
      if (std::abs(normalized(SRS_PP_RECTIFIED_GRID_ANGLE, azimuth) - azimuth) > 1e-9) {
        return without_mapping();
      }
      if (mapping->how == special::hotine_a) {
        auto const centre = projection_centre(srs);
        if (!centre) return without_mapping();
        false_easting = (*centre)[0];
        false_northing = (*centre)[1];
      }
      break;
    }
    case special::polar_stereographic: {
      // Variant A has a scale factor at the pole; variant B a latitude of true scale.
      double const latitude = normalized(SRS_PP_LATITUDE_OF_ORIGIN);
      OGRErr scale_missing = OGRERR_NONE;
      double const scale = srs.GetNormProjParm(SRS_PP_SCALE_FACTOR, 1.0, &scale_missing);
      add("latitude_of_projection_origin", latitude < 0 ? -90.0 : 90.0);
      if (scale_missing == OGRERR_NONE) {
        add("scale_factor_at_projection_origin", scale);
      } else {
        add("standard_parallel", latitude);
      }
      break;
    }
  }
  result.grid_mapping_name = mapping->grid_mapping_name;
  add("false_easting", false_easting);
  add("false_northing", false_northing);
  add_ellipsoid();
  return result;
}

}  // namespace geosweep::pipeline
