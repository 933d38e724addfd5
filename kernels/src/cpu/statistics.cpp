#include "geosweep/kernels/statistics.hpp"

#include "geosweep/kernels/error.hpp"

namespace geosweep::kernels {

#if GEOSWEEP_HAVE_CUDA
namespace detail {
// Defined in src/cuda/patches_cuda.cu.
std::vector<row_statistics> class_row_statistics_cuda(std::uint8_t const* mask, std::size_t width,
                                                      std::size_t height, std::uint8_t value);
}  // namespace detail
#endif

namespace {

std::vector<row_statistics> class_row_statistics_cpu(std::uint8_t const* mask, std::size_t width,
                                                     std::size_t height, std::uint8_t value) {
  std::vector<row_statistics> rows(height);
  auto const row_count = static_cast<std::ptrdiff_t>(height);
#pragma omp parallel for schedule(static)
  for (std::ptrdiff_t r = 0; r < row_count; ++r) {
    row_statistics s;
    std::uint8_t const* row = mask + static_cast<std::size_t>(r) * width;
    for (std::size_t c = 0; c < width; ++c) {
      if (row[c] == value) {
        ++s.count;
        s.column_sum += static_cast<std::int64_t>(c);
      }
    }
    rows[static_cast<std::size_t>(r)] = s;
  }
  return rows;
}

}  // namespace

std::vector<row_statistics> class_row_statistics(backend where, std::uint8_t const* mask,
                                                 std::size_t width, std::size_t height,
                                                 std::uint8_t value) {
  where = resolve_backend(where);
  if (where == backend::cpu) return class_row_statistics_cpu(mask, width, height, value);
#if GEOSWEEP_HAVE_CUDA
  return detail::class_row_statistics_cuda(mask, width, height, value);
#else
  throw cuda_error("this geosweep was built without the CUDA backend");
#endif
}

}  // namespace geosweep::kernels
