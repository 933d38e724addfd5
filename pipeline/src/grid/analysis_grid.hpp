#pragma once
/// \file
/// The analysis grid of a job (CRS, resolution, extent over the AOIs) and its chunks.

#include <cstddef>
#include <string>
#include <vector>

#include "catalog/scene_catalog.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"
#include "grid/aoi.hpp"

namespace geosweep::pipeline {

/// The CRS (WKT) of the analysis grid: `grid.crs` of the job; else the scenes' own CRS when
/// they all share one; else the UTM zone of the AOIs' centre.
std::string analysis_crs(job_spec const& spec, scene_catalog const& catalog,
                         std::string const& reference_band);

/// The UTM zone (WGS84, EPSG:326zz north / 327zz south) holding a longitude and latitude.
int utm_epsg(double lon, double lat);

/// The analysis grid: `crs_wkt`, the job's resolution or the first scene's pixel size, aligned
/// with the first scene's pixel edges when it shares the CRS, covering every AOI.
raster_grid make_analysis_grid(job_spec const& spec, scene_catalog const& catalog,
                               std::string const& reference_band, std::string const& crs_wkt,
                               std::vector<aoi_shape> const& aois);

/// One chunk of the analysis grid and the AOIs it touches.
struct grid_chunk {
  pixel_window window;  ///< in the analysis grid
  int column = 0;       ///< position in the chunk layout
  int row = 0;
  std::vector<std::size_t> aois;  ///< indices of the AOIs whose window it overlaps
};

/// The chunks of side `chunk` that overlap at least one AOI window, row by row.
std::vector<grid_chunk> plan_chunks(raster_grid const& grid,
                                    std::vector<pixel_window> const& aoi_windows, int chunk);

}  // namespace geosweep::pipeline
