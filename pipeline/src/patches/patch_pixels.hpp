#pragma once
// Internal to pipeline/src: the final patch number of every patch pixel of one AOI, kept
// sparse by storage chunk (8 bytes a patch pixel). It is what the AOI's patch raster in
// change.nc holds, kept in memory so that the alert polygons are traced from a small window
// around each alert instead of reading the whole raster back.

#include <cstdint>
#include <map>
#include <utility>
#include <vector>

#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

class patch_pixels {
 public:
  patch_pixels(int chunk_width, int chunk_height);

  /// Records the pixels of storage chunk (`column`, `row`) that lie in a patch:
  /// (index in the chunk, row-major, final patch number > 0).
  void add(int column, int row, std::vector<std::pair<std::uint32_t, std::int32_t>> pixels);

  /// 1 where patch `label` has a pixel in `window` (AOI-window pixels), 0 elsewhere; row-major
  /// over the window.
  [[nodiscard]] std::vector<std::uint8_t> mask(pixel_window const& window,
                                               std::int32_t label) const;

  /// The patch number of every pixel of `window` (0 none); row-major over the window.
  [[nodiscard]] std::vector<std::int32_t> labels(pixel_window const& window) const;

 private:
  /// Calls `visit(index in window, patch number)` for each patch pixel inside `window`.
  template <class Visit>
  void visit(pixel_window const& window, Visit&& visit) const;

  int chunk_width_, chunk_height_;
  std::map<std::pair<int, int>, std::vector<std::pair<std::uint32_t, std::int32_t>>>
      chunks_;  // by (row, column)
};

}  // namespace geosweep::pipeline
