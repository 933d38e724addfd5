#pragma once
// Internal to pipeline/src: change.nc, a run's rasters as netCDF-4/CF (outputs/hdf5_writer.hpp
// does the HDF5 mechanics). One group per AOI with its grid, the time coordinate, the variables
// of product::pixel_variables() and, with outputs.series, the series of the change index.
//
// Tiles are gathered into whole storage chunks; each complete chunk is shuffled and deflated on
// the OpenMP threads (outputs/deflate_chunk.hpp) and stored as it is by the one writer thread
// (H5Dwrite_chunk), in a fixed order. Chunks that hold nothing but the fill value are not stored
// (they read as the fill). The provisional patch numbers are kept aside (sparse: only patch
// pixels); once the patches are final, the patch variable is written and the pixels of patches
// under the minimum mapping unit are cleared, chunk by chunk, the same way.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "outputs/chunk_writer.hpp"
#include "outputs/hdf5_writer.hpp"
#include "outputs/product_layout.hpp"
#include "patches/patch_pixels.hpp"

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
  /// `threads`: the threads that compress chunks (0: as many as the CPU kernels use).
  netcdf_product(std::filesystem::path const& dir, job_spec const& spec, netcdf_contents contents,
                 int threads = 0);

  void write(finished_chunk const& chunk) override;
  void write_series(series_window const& window) override;
  /// Rewrites the patch numbers and clears the pixels of dropped patches.
  void finish(patch_numbering const& numbering) override;
  std::vector<std::filesystem::path> commit() override;

  [[nodiscard]] std::filesystem::path const& path() const { return path_; }
  /// The final patch numbers of AOI `aoi` (job order), as its patch variable holds them;
  /// complete after finish().
  [[nodiscard]] patch_pixels const& patches(std::size_t aoi) const { return patches_.at(aoi); }

 private:
  /// A variable as stored: its name, element size and fill value (one element's bytes).
  struct stored_variable {
    std::string name;
    std::size_t element_size = 0;
    std::vector<std::byte> fill;
    product::pixel_variable const* pixel = nullptr;  ///< none for the series
  };
  /// A storage chunk: AOI, variable (index into stored_), time index (-1), chunk y, chunk x.
  using chunk_key = std::tuple<std::size_t, std::size_t, int, int, int>;
  /// A storage chunk being filled by tiles.
  struct pending_chunk {
    std::vector<std::byte> values;  ///< chunk_w × chunk_h elements, the fill where unwritten
    std::int64_t filled = 0, expected = 0;
  };
  /// A chunk on its way to the file.
  struct encoded_chunk {
    chunk_key key;
    std::vector<std::byte> bytes;  ///< empty: only the fill value, not stored
  };

  void create_group(std::size_t aoi, job_spec const& spec);
  /// Copies a tile's values (stored type, row-major over `tile`) into its storage chunks.
  void put(std::size_t aoi, std::size_t variable, int time, pixel_window const& tile,
           std::vector<std::byte>&& values);
  /// Encodes the chunks `put` completed on the worker threads and writes them in order.
  void flush_ready();
  void write_encoded(std::vector<encoded_chunk> const& chunks);
  /// Keeps a tile's provisional patch numbers, pixel by pixel where there is one, by storage
  /// chunk: the patch variable is written once, when the numbers are final.
  void keep_patches(std::size_t aoi, pixel_window const& tile,
                    std::vector<std::int32_t> const& labels);
  /// Writes the final patch numbers of `chunks` (x, y) and clears the pixels of their dropped
  /// patches in the variables written.
  void renumber(std::size_t aoi, std::vector<std::array<int, 2>> const& chunks,
                patch_numbering const& numbering);

  std::filesystem::path path_;
  netcdf_contents contents_;
  std::string change_index_;
  std::vector<product::pixel_variable> variables_;
  std::vector<stored_variable> stored_;          // variables_ in order, then the series (if any)
  std::vector<std::array<int, 2>> chunk_shape_;  // per AOI: storage chunk width, height
  std::vector<bool> looks_;  // per AOI: whether it holds the index looks (writes_index_looks)
  int threads_ = 1;
  hdf5_writer h5_;
  std::map<chunk_key, pending_chunk> pending_;
  /// Per AOI, by storage chunk (y, x): (index in the chunk, provisional patch number) of each
  /// patch pixel. Memory: 8 bytes a changed pixel, until finish().
  std::vector<std::map<std::pair<int, int>, std::vector<std::pair<std::uint32_t, std::int32_t>>>>
      provisional_;
  std::vector<chunk_key> ready_;       // complete, in the order they completed
  std::vector<patch_pixels> patches_;  // per AOI: the final patch numbers, after finish()
};

/// HDF5 storage chunks as large as the processing chunks (at most 1024 px, dividing them when
/// larger), so that one window written touches few storage chunks.
int storage_chunk(int chunk);

}  // namespace geosweep::pipeline
