#pragma once
// Internal to pipeline/src: the lifecycle every chunk-by-chunk output of a run shares (PDAL's
// Writer: ready, write, done). A writer creates its files under temporary names when it is
// made; write() takes each finished chunk, in chunk order, on the run's one writer thread;
// finish() completes the files once the patches are final; commit() renames them into place.
// change.nc (netcdf_product.hpp), the COGs (cog_exporter.hpp) and the monitoring state
// (state_output.hpp) are writers; the tables and polygons are written after the last chunk.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "compute/chunk_processor.hpp"

namespace geosweep::pipeline {

/// A finished chunk on its way to the writers.
struct finished_chunk {
  chunk_output output;
  pixel_window window;  ///< the chunk in the analysis grid
  /// By tile of output.aois: the provisional patch number of each pixel (0: none).
  std::vector<std::vector<std::int32_t>> patches;
};

/// The final number of AOI `aoi`'s provisional patch `provisional` (0: dropped or none).
/// The final patch number of a provisional id: 1.., 0 for a dropped patch with seeds (its
/// seeds' pixels are cleared), -1 for a dropped part without a seed (nothing to clear: its
/// pixels keep their class, change_grown).
using patch_numbering = std::function<std::int32_t(std::size_t aoi, std::int32_t provisional)>;

/// One output of a run written chunk by chunk.
class chunk_writer {
 public:
  virtual ~chunk_writer() = default;
  /// A finished chunk.
  virtual void write(finished_chunk const& chunk) = 0;
  /// One date's change index over one AOI's part of a chunk.
  virtual void write_series(series_window const& /*window*/) {}
  /// After the last chunk, once every patch has its final number.
  virtual void finish(patch_numbering const& /*numbering*/) {}
  /// Moves the files into place; returns them.
  virtual std::vector<std::filesystem::path> commit() = 0;
};

}  // namespace geosweep::pipeline
