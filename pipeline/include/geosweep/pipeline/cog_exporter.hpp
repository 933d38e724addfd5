#pragma once
/// \file
/// Per-AOI exports at native resolution: Cloud-Optimized GeoTIFFs of true colour (surface
/// reflectance x 10000, red/green/blue) and of the monitored index, before and after, each the
/// latest clear look of its period, clipped to the AOI (nodata outside). Written chunk by chunk
/// into staging GeoTIFFs, then converted to COGs under temporary names and renamed.

#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include <gdal_priv.h>

#include "geosweep/pipeline/aoi.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// The COGs of every AOI of a run.
class cog_exporter {
 public:
  /// `aois`: name and grid (the AOI window) of each AOI; files go to `dir`/cog/<aoi>/.
  /// Without `true_colour` (a sensor without red, green and blue) only the index is exported.
  cog_exporter(std::filesystem::path dir,
               std::vector<std::pair<std::string, raster_grid>> const& aois, std::string index,
               bool true_colour);
  cog_exporter(cog_exporter const&) = delete;
  cog_exporter& operator=(cog_exporter const&) = delete;
  /// Removes the staging files (and any unfinished COG).
  ~cog_exporter();

  /// One tile of AOI `aoi` (AOI-window pixels): `inside` the AOI mask; rgb[period] the red,
  /// green and blue reflectance; index[period] the monitored index (period 0 before, 1 after).
  void write(std::size_t aoi, pixel_window const& tile, std::vector<std::uint8_t> const& inside,
             std::array<std::array<std::vector<float> const*, 3>, 2> const& rgb,
             std::array<std::vector<float> const*, 2> const& index);

  /// Turns the staging files into COGs; returns the files written.
  std::vector<std::filesystem::path> finish();

 private:
  struct staged {
    std::filesystem::path staging;
    std::filesystem::path final_path;
    GDALDatasetUniquePtr dataset;
  };
  std::vector<std::array<staged, 4>>
      files_;  // per AOI: true colour before/after, index before/after
  bool true_colour_ = true;
};

}  // namespace geosweep::pipeline
