#pragma once
/// \file
/// Patches of change: 8-connected component labelling of a class mask and exact per-patch
/// statistics. Both backends give the same labels (a canonical numbering) and the same
/// statistics (integer accumulation only), whatever the thread or block count.
///
/// Indices are int32: a raster may have at most max_patch_raster_pixels pixels
/// (width * height < 2^31).

#include <cstdint>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/hd.hpp"

namespace geosweep::kernels {

/// Largest width * height that label_components and summarize_patches accept (2^31 - 1).
inline constexpr std::int64_t max_patch_raster_pixels = 2147483647;

/// The neutral value of patch_summary's date fields: no pixel of the patch carries a date
/// (the no_date of day-number rasters, INT32_MAX, so a minimum over dates ignores it).
inline constexpr std::int32_t patch_no_date = no_date;

/// Largest magnitude, in 1e-4 units, that one pixel contributes (214748.3647); larger or
/// infinite magnitudes saturate there, so a sum over any raster fits in int64.
inline constexpr std::int64_t max_magnitude_e4 = 2147483647;

/// Labels the 8-connected components of the pixels of `mask` equal to `foreground`.
/// `mask` and `labels` are host arrays of width * height pixels in row-major order (the CUDA
/// backend stages them through device memory). labels[i] is 0 where mask[i] != foreground;
/// components are numbered 1..count in the raster order of their first pixel, so the
/// labelling is canonical and identical on both backends. Returns count. `automatic` is
/// resolved with resolve_backend; asking for `cuda` where there is none throws cuda_error.
/// Requires width, height >= 0 and width * height <= max_patch_raster_pixels.
std::int32_t label_components(backend where, std::uint8_t const* mask, int width, int height,
                              std::uint8_t foreground, std::int32_t* labels);

/// Exact statistics of one patch (connected component). Integer-only, so they do not depend
/// on the order in which pixels are accumulated.
struct patch_summary {
  std::int32_t label = 0;        ///< 1..count
  std::int64_t pixel_count = 0;  ///< pixels in the patch
  std::int64_t column_sum = 0;   ///< sum of the column indices of its pixels (centroid)
  std::int64_t row_sum = 0;      ///< sum of the row indices of its pixels (centroid)
  std::int32_t column_min = 0;   ///< bounding box, inclusive
  std::int32_t column_max = 0;   ///< bounding box, inclusive
  std::int32_t row_min = 0;      ///< bounding box, inclusive
  std::int32_t row_max = 0;      ///< bounding box, inclusive
  std::int32_t first_date_min = patch_no_date;      ///< min first_date over its pixels
  std::int32_t confirmed_date_min = patch_no_date;  ///< min confirmed_date over its pixels
  std::uint8_t status_max = 0;                      ///< max status over its pixels
  std::int64_t magnitude_sum_e4 = 0;  ///< sum of magnitude_e4(magnitude) over its pixels
};

/// `magnitude` as a whole number of 1e-4 units: rounded to nearest, ties away from zero
/// (decided on the exact binary value of the float: 0.00035f, stored slightly below 0.00035,
/// gives 3, and 1/32 = 0.03125f, an exact tie of 312.5 units, gives 313; -1/32 gives -313).
/// NaN gives 0; magnitudes beyond +-max_magnitude_e4 units saturate.
/// Written with * + - and casts only, so host and device round identically: a float times
/// 10000 is exact in double (24 + 14 significant bits), and so is adding 0.5 below 2^52.
GEOSWEEP_HD inline std::int64_t magnitude_e4(float magnitude) {
  if (is_nodata(magnitude)) return 0;
  double const units = static_cast<double>(magnitude) * 10000.0;
  double const limit = static_cast<double>(max_magnitude_e4);
  if (units >= limit) return max_magnitude_e4;
  if (units <= -limit) return -max_magnitude_e4;
  if (units >= 0.0) return static_cast<std::int64_t>(units + 0.5);
  return -static_cast<std::int64_t>(0.5 - units);
}

/// Statistics of patches 1..count of a labelling made by label_components, sorted by label
/// (result[k].label == k + 1). All arrays are host arrays of width * height pixels; any of
/// first_date, confirmed_date, status and magnitude may be nullptr, and the fields they feed
/// then keep their neutral values (patch_no_date, patch_no_date, 0, 0). Labels outside
/// 1..count count as background. A patch with no pixels keeps pixel_count 0, a zero
/// bounding box and neutral fields. Requires width * height <= max_patch_raster_pixels.
std::vector<patch_summary> summarize_patches(backend where, std::int32_t const* labels, int width,
                                             int height, std::int32_t count,
                                             std::int32_t const* first_date,
                                             std::int32_t const* confirmed_date,
                                             std::uint8_t const* status, float const* magnitude);

namespace detail {

/// Bits of scanned_neighbours: which already-scanned neighbours a pixel is united with.
inline constexpr unsigned neighbour_west = 1u;
inline constexpr unsigned neighbour_north_west = 2u;
inline constexpr unsigned neighbour_north = 4u;
inline constexpr unsigned neighbour_north_east = 8u;

/// Sum of the column indices begin..end-1 of a run (an arithmetic series), in 64-bit
/// arithmetic throughout: the run's ends sum past 2^31 in rows wider than 2^30 pixels.
GEOSWEEP_HD inline std::int64_t run_column_sum(std::int64_t begin, std::int64_t end) {
  return (end - begin) * (begin + end - 1) / 2;
}

/// The decision tree of Wu, Otoo and Suzuki (2009) for 8-connectivity: given which of the
/// west, north-west, north and north-east neighbours are foreground, the subset a pixel must
/// be united with. North alone suffices when it is foreground (the other three touch it); west
/// makes north-west redundant. Applied to every pixel, the chosen edges connect exactly the
/// 8-connected components, whatever order the unions run in.
GEOSWEEP_HD inline unsigned scanned_neighbours(bool west, bool north_west, bool north,
                                               bool north_east) {
  if (north) return neighbour_north;
  unsigned chosen = 0;
  if (west) {
    chosen |= neighbour_west;
  } else if (north_west) {
    chosen |= neighbour_north_west;
  }
  if (north_east) chosen |= neighbour_north_east;
  return chosen;
}

}  // namespace detail

}  // namespace geosweep::kernels
