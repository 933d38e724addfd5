#pragma once
/// \file
/// Exact integer statistics over class masks, from which the pipeline derives areas and
/// centroids. Integer accumulation keeps them independent of thread count and order.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "geosweep/kernels/backend.hpp"

namespace geosweep::kernels {

/// Pixels of one class in one raster row.
struct row_statistics {
  std::int64_t count = 0;       ///< pixels of the class in the row
  std::int64_t column_sum = 0;  ///< sum of their column indices (for centroids)
};

/// Per-row count and column sum of the pixels equal to `value` in a row-major host mask, on
/// backend `where` (`automatic` is resolved with resolve_backend; the CUDA backend stages the
/// mask through device memory). Exact integers, so both backends give the same result.
std::vector<row_statistics> class_row_statistics(backend where, std::uint8_t const* mask,
                                                 std::size_t width, std::size_t height,
                                                 std::uint8_t value);

}  // namespace geosweep::kernels
