#pragma once
// Internal to pipeline/src/run: where finished chunks go, in chunk order, whoever computed them
// (this process or a part file of a shared run). Each chunk is queued for the one writer
// thread, which labels its patches and records them in its AOIs' stitchers, adds up its areas
// and series, and hands it to the writers (change.nc, the COGs, the monitoring state), while
// the computing thread goes on with the next chunks. The run's sums are read once drained.

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "outputs/chunk_writer.hpp"
#include "outputs/cog_exporter.hpp"
#include "outputs/netcdf_product.hpp"
#include "outputs/product_layout.hpp"
#include "outputs/state_output.hpp"
#include "run/run_plan.hpp"
#include "run/write_queue.hpp"

namespace geosweep::pipeline {

class chunk_applier {
 public:
  chunk_applier(job_spec const& spec, run_plan& plan, kernels::backend backend);

  /// Opens the outputs that are written chunk by chunk (with `resume`, the monitoring state
  /// too), after removing the temporary files of killed runs. Call before apply().
  void open(continuation const* resume);

  /// A finished chunk: stitched and summed here, written on the writer thread.
  void apply(chunk_output&& out);

  /// A date's change index over one AOI's part of a chunk: kept until the chunk's patches
  /// are known (for series.csv), and written to change.nc's series with outputs.series.
  void series(series_window&& w);

  /// Waits for every queued write; rethrows a write's error.
  void drain();

  /// The writers, once open() ran: change.nc and the state may be absent.
  [[nodiscard]] netcdf_product* netcdf() const { return netcdf_.get(); }
  [[nodiscard]] cog_exporter* cogs() const { return cogs_.get(); }
  [[nodiscard]] state_output* state() const { return state_.get(); }

 private:
  /// Adds a tile's inside and clear areas to its AOI's sums.
  void add_areas(aoi_tile_output const& t);
  /// Clears, before anything is written, the pixels of the tile's patches that are complete and
  /// under the minimum mapping unit (their patch number becomes 0), as change.nc's finish()
  /// would: most specks of noise never reach the file, and finish() has little left to clear.
  void clear_closed_small(aoi_tile_output& t, std::vector<std::int32_t>& patches,
                          patch_stitcher const& stitcher) const;
  /// Adds the evidence classes of tile `t`'s patch pixels to its AOI's patches' tallies.
  void add_causes(aoi_tile_output const& t, std::vector<std::int32_t> const& patches);
  /// Adds the chunk's series windows of tile `t` to its AOI's and patches' sums.
  void add_series(aoi_tile_output const& t, std::vector<std::int32_t> const& patches,
                  std::vector<series_window> const& windows);

  job_spec const& spec_;
  run_plan& plan_;
  kernels::backend backend_;
  int device_ = 0;  // the CUDA device of the thread that made it: the writer thread's too
  std::vector<product::pixel_variable> variables_;  // change.nc's: what a dropped pixel becomes
  std::unique_ptr<netcdf_product> netcdf_;
  std::unique_ptr<cog_exporter> cogs_;
  std::unique_ptr<state_output> state_;
  std::vector<chunk_writer*> writers_;       // those open, in the order they write a chunk
  std::vector<series_window> chunk_series_;  // of the chunk about to be applied
  write_queue writes_;                       // last: drained before the writers go
};

}  // namespace geosweep::pipeline
