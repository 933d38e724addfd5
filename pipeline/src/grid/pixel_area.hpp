#pragma once
/// \file
/// Ground area of grid cells: planar for projected CRSs, ellipsoidal for geographic ones.

#include <vector>

#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// Area in m^2 of the cell between latitudes `lat1_deg` and `lat2_deg` spanning `dlon_deg` of
/// longitude on an ellipsoid with semi-major axis `a` and inverse flattening `inv_f`
/// (exact: the difference of authalic zone areas).
double ellipsoidal_cell_area_m2(double lat1_deg, double lat2_deg, double dlon_deg, double a,
                                double inv_f);

/// Ground area in m^2 of one pixel in each row of `grid`. Projected CRS: |det| of the
/// geotransform times the squared linear unit; geographic CRS: ellipsoidal cell area of each
/// row (north-up grids only). Throws geosweep::io_error for a rotated geographic grid.
std::vector<double> row_pixel_areas_m2(raster_grid const& grid);

}  // namespace geosweep::pipeline
