#pragma once
// Internal to pipeline/src: change.nc, a run's rasters as netCDF-4/CF (outputs/hdf5_writer.hpp
// does the HDF5 mechanics). One group per AOI with its grid, the time coordinate, the series of
// the change index and the variables of product::pixel_variables(), written tile by tile as
// chunks finish; once the patches are final, the patch numbers are rewritten and the pixels of
// patches under the minimum mapping unit are cleared, tile by tile.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "outputs/chunk_writer.hpp"
#include "outputs/hdf5_writer.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {

/// What change.nc describes besides the job.
struct netcdf_contents {
  std::vector<std::string> indices;    ///< computed: the job's and the change index
  std::vector<std::string> aoi_names;  ///< in job order
  std::vector<raster_grid> aoi_grids;  ///< each AOI's window of the analysis grid
  std::vector<std::int32_t> days;      ///< the time coordinate: each date read
  civil_date date_before, date_after;  ///< the latest date of each period
  std::string backend;                 ///< where the kernels ran
  std::vector<std::string> scene_ids;  ///< every scene read, in date order
};

/// Writes `dir`/change.nc.
class netcdf_product final : public chunk_writer {
 public:
  netcdf_product(std::filesystem::path const& dir, job_spec const& spec, netcdf_contents contents);

  void write(finished_chunk const& chunk) override;
  void write_series(series_window const& window) override;
  /// Rewrites the patch numbers and clears the pixels of dropped patches.
  void finish(patch_numbering const& numbering) override;
  std::vector<std::filesystem::path> commit() override;

  [[nodiscard]] std::filesystem::path const& path() const { return path_; }

 private:
  void create_group(std::size_t aoi, job_spec const& spec);
  void renumber(std::size_t aoi, pixel_window const& tile, patch_numbering const& numbering);

  std::filesystem::path path_;
  netcdf_contents contents_;
  std::string change_index_;
  std::vector<product::pixel_variable> variables_;
  hdf5_writer h5_;
  std::vector<std::vector<pixel_window>> tiles_;  // per AOI: the tiles written, in order
};

/// HDF5 storage chunks as large as the processing chunks (at most 1024 px, dividing them when
/// larger), so that one window written touches few storage chunks.
int storage_chunk(int chunk);

}  // namespace geosweep::pipeline
