#pragma once
/// \file
/// Patches of change across chunks: each chunk's part of an AOI is labelled on its own, the
/// labels that touch across chunk edges (8-connectivity) are joined with union-find, and the
/// integer statistics of the parts are merged. Memory grows with the number of patches and the
/// length of chunk edges, not with the area. The numbering of the final patches is the raster
/// order of their first pixel in the AOI window: the same as labelling the whole AOI at once.

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/raster_grid.hpp"
#include "grid/aoi.hpp"
#include "patches/change_patch.hpp"

class OGRCoordinateTransformation;

namespace geosweep::pipeline {

/// Stitches the patches of one AOI.
class patch_stitcher {
 public:
  /// `aoi_grid`: the AOI's window of the analysis grid; `row_areas_m2`: ground area of one
  /// pixel in each of its rows.
  patch_stitcher(std::string aoi, raster_grid aoi_grid, std::vector<double> row_areas_m2);

  /// Labels the changed pixels (low or high) of one tile of the AOI window and records them.
  /// `tile` is in AOI-window pixels; (column, row) is the tile's place in the chunk layout.
  /// The rasters are tile-sized. Returns the tile's provisional patch ids (0: none; -1: a part
  /// already dropped, see closed_and_dropped()), to be written out and later mapped with
  /// final_label().
  std::vector<std::int32_t> add_tile(pixel_window const& tile, int column, int row,
                                     std::vector<std::uint8_t> const& change,
                                     std::vector<std::int32_t> const& first_date,
                                     std::vector<std::int32_t> const& confirmed_date,
                                     std::vector<float> const& magnitude, kernels::backend where);

  /// Whether provisional part `id` of `tile` (as add_tile() returned it) is complete and
  /// dropped: it touches no edge of the tile, so no other tile can join it, and it covers less
  /// than `min_area_ha` or holds no seed (only grown pixels). finish() drops it whatever comes
  /// next, so its pixels can be cleared before they are written.
  [[nodiscard]] bool closed_and_dropped(std::int32_t id, pixel_window const& tile,
                                        double min_area_ha) const;

  /// Joins the tiles and measures the patches; drops those under `min_area_ha` and those
  /// without a seed (kernels::change_grown pixels only).
  /// Returns the kept patches, numbered 1.. in raster order of their first pixel.
  std::vector<change_patch> finish(double min_area_ha);

  /// The final label (0 when dropped or none) of a provisional id; valid after finish().
  [[nodiscard]] std::int32_t final_label(std::int32_t provisional) const;

  /// Whether the patch of a provisional id (> 0) holds a seed; valid after finish().
  [[nodiscard]] bool had_seed(std::int32_t provisional) const;

 private:
  struct part {
    std::int64_t pixels = 0, column_sum = 0, row_sum = 0, first_index = 0, magnitude_sum_e4 = 0;
    std::int64_t anchor = 0;  // min of (first date << 40 | raster index): the earliest pixel
    std::int32_t column_min = 0, column_max = 0, row_min = 0, row_max = 0;
    std::int32_t first_date = 0, confirmed_date = 0;
    std::uint8_t status = 0;
    double area_m2 = 0.0;
    std::map<std::int32_t, date_extent> first_seen, confirmed;  // of its seeds
    date_extent grown;                                          // its grown pixels
  };
  /// Whether a whole patch is kept: it has a seed and covers `min_area_ha` or more.
  static bool kept(part const& p, double min_area_ha);
  struct tile_edges {
    pixel_window tile;
    std::vector<std::int32_t> top, bottom, left, right;  // provisional ids along its edges
  };
  std::int32_t find(std::int32_t id);
  void unite(std::int32_t a, std::int32_t b);
  // finish()'s steps: unite the ids that touch across tile edges and corners; merge each
  // part into its root (is_root marks the roots); measure a kept patch.
  void join_tile_edges();
  std::vector<part> merge_parts(std::vector<bool>& is_root);
  change_patch measure(part const& merged, std::int32_t label,
                       OGRCoordinateTransformation& to_wgs84) const;

  std::string aoi_;
  raster_grid grid_;
  std::vector<double> row_areas_;
  std::vector<part> parts_;                          // by provisional id - 1
  std::vector<std::int32_t> parent_;                 // union-find over provisional ids - 1
  std::map<std::pair<int, int>, tile_edges> tiles_;  // by (column, row)
  std::vector<std::int32_t> final_;                  // provisional id - 1 -> final label
  std::vector<bool> seeded_;                         // provisional id - 1 -> its patch's seed
};

}  // namespace geosweep::pipeline
