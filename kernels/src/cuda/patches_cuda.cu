// The CUDA backend of patches.hpp (connected-component labelling, per-patch statistics) and
// of class_row_statistics (statistics.hpp): integer statistics over class masks, staged
// through device memory from host arrays like cuda_transform.
//
// Labelling follows the union-find algorithm of Playne and Hawick (2018), "A new algorithm
// for parallel connected-component labelling on GPUs": label[i] = i for foreground; each
// pixel unites with its already-scanned neighbours, linking the larger root under the
// smaller with atomicMin, so every root is the smallest index of its set, as on the CPU;
// a flatten pass points every pixel at its root; roots are numbered densely in raster order
// by an exclusive scan of "is a root" flags, and every pixel gathers its root's number.

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <cub/device/device_scan.cuh>
#include <vector>

#include "cuda_memory.cuh"
#include "geosweep/kernels/patches.hpp"
#include "geosweep/kernels/statistics.hpp"

namespace geosweep::kernels {
namespace {

constexpr int block_size = 256;

/// Runs of one row handled by one thread of summarize_kernel.
constexpr int summary_chunk = 32;

using accumulator = unsigned long long;  // what atomicAdd takes for 64-bit integers

__device__ std::int64_t first_index() {
  return static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

__device__ std::int64_t grid_stride() {
  return static_cast<std::int64_t>(blockDim.x) * gridDim.x;
}

/// Root of x, halving the path on the way (x's parent becomes its grandparent). The halving
/// uses atomicMin, like the links, so no parent ever rises and a link made by another thread
/// at the same moment is never overwritten: every value a parent takes is a smaller index
/// of the same set. Volatile reads, as other threads change parents meanwhile.
__device__ std::int32_t find_root(std::int32_t* parent, std::int32_t x) {
  std::int32_t const volatile* const view = parent;
  std::int32_t p = view[x];
  while (p != x) {
    std::int32_t const grandparent = view[p];
    if (grandparent == p) return p;
    atomicMin(&parent[x], grandparent);
    x = grandparent;
    p = view[x];
  }
  return x;
}

/// Unites the sets of a and b (Playne and Hawick). atomicMin links the larger root under the
/// smaller; if that root had been linked meanwhile, atomicMin returns where to, and the
/// union goes on from there, so no link is lost.
__device__ void unite(std::int32_t* parent, std::int32_t a, std::int32_t b) {
  bool done = false;
  while (!done) {
    a = find_root(parent, a);
    b = find_root(parent, b);
    if (a < b) {
      std::int32_t const old = atomicMin(&parent[b], a);
      done = old == b;
      b = old;
    } else if (b < a) {
      std::int32_t const old = atomicMin(&parent[a], b);
      done = old == a;
      a = old;
    } else {
      done = true;
    }
  }
}

__global__ void init_parent_kernel(std::uint8_t const* mask, std::int64_t n,
                                   std::uint8_t foreground, std::int32_t* parent) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) {
    parent[i] = mask[i] == foreground ? static_cast<std::int32_t>(i) : -1;
  }
}

__global__ void union_kernel(std::uint8_t const* mask, int width, std::int64_t n,
                             std::uint8_t foreground, std::int32_t* parent) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) {
    if (mask[i] != foreground) continue;
    std::int64_t const r = i / width;
    std::int64_t const c = i - r * width;
    bool const west = c > 0 && mask[i - 1] == foreground;
    bool const north_west = r > 0 && c > 0 && mask[i - width - 1] == foreground;
    bool const north = r > 0 && mask[i - width] == foreground;
    bool const north_east = r > 0 && c + 1 < width && mask[i - width + 1] == foreground;
    unsigned const chosen = detail::scanned_neighbours(west, north_west, north, north_east);
    auto const self = static_cast<std::int32_t>(i);
    if (chosen & detail::neighbour_north) unite(parent, self, static_cast<std::int32_t>(i - width));
    if (chosen & detail::neighbour_west) unite(parent, self, static_cast<std::int32_t>(i - 1));
    if (chosen & detail::neighbour_north_west) {
      unite(parent, self, static_cast<std::int32_t>(i - width - 1));
    }
    if (chosen & detail::neighbour_north_east) {
      unite(parent, self, static_cast<std::int32_t>(i - width + 1));
    }
  }
}

/// parent[i] = root of i, by pointer jumping: the forest no longer changes but for these
/// writes, each of which replaces a parent by one of its ancestors, and a thread that walks
/// through a pixel jumps as far as that pixel's own thread has got, so deep trees (a long
/// row linked pixel by pixel) take a logarithmic number of steps.
__global__ void flatten_kernel(std::int64_t n, std::int32_t* parent) {
  std::int32_t volatile* const view = parent;
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) {
    std::int32_t p = view[i];
    if (p < 0) continue;
    for (std::int32_t grandparent = view[p]; grandparent != p; grandparent = view[p]) {
      view[i] = grandparent;
      p = grandparent;
    }
  }
}

__global__ void root_flag_kernel(std::int64_t n, std::int32_t const* parent,
                                 std::int32_t* is_root) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) {
    is_root[i] = parent[i] == i ? 1 : 0;
  }
}

/// labels[i] = 1 + the number of roots before i's root in raster order; 0 for background.
__global__ void number_kernel(std::int64_t n, std::int32_t const* parent,
                              std::int32_t const* roots_before, std::int32_t* labels) {
  for (std::int64_t i = first_index(); i < n; i += grid_stride()) {
    std::int32_t const root = parent[i];
    labels[i] = root < 0 ? 0 : roots_before[root] + 1;
  }
}

/// Per-patch accumulators on the device, one array per field, `count` entries each.
struct patch_accumulators {
  accumulator* pixel_count;
  accumulator* column_sum;
  accumulator* row_sum;
  accumulator* magnitude_sum_e4;  // two's complement: the sum of int64 values modulo 2^64
  int* column_min;
  int* column_max;
  int* row_min;
  int* row_max;
  int* first_date_min;
  int* confirmed_date_min;
  int* status_max;
};

__global__ void init_accumulators_kernel(patch_accumulators acc, std::int32_t count, int width,
                                         int height) {
  for (std::int64_t k = first_index(); k < count; k += grid_stride()) {
    acc.pixel_count[k] = 0;
    acc.column_sum[k] = 0;
    acc.row_sum[k] = 0;
    acc.magnitude_sum_e4[k] = 0;
    acc.column_min[k] = width;  // an empty box: min above max
    acc.column_max[k] = -1;
    acc.row_min[k] = height;
    acc.row_max[k] = -1;
    acc.first_date_min[k] = patch_no_date;
    acc.confirmed_date_min[k] = patch_no_date;
    acc.status_max[k] = 0;
  }
}

/// One thread per summary_chunk pixels of a row: runs of one label are summed locally and
/// merged with integer atomics, so the totals are exact and independent of scheduling.
__global__ void summarize_kernel(std::int32_t const* labels, int width, int height,
                                 std::int32_t count, std::int32_t const* first_date,
                                 std::int32_t const* confirmed_date, std::uint8_t const* status,
                                 float const* magnitude, patch_accumulators acc) {
  // 64-bit column arithmetic: a chunk's end passes 2^31 in rows just under 2^31 pixels wide.
  std::int64_t const chunks_per_row =
      (static_cast<std::int64_t>(width) + summary_chunk - 1) / summary_chunk;
  std::int64_t const chunks = chunks_per_row * height;
  for (std::int64_t t = first_index(); t < chunks; t += grid_stride()) {
    auto const r = static_cast<int>(t / chunks_per_row);
    auto const chunk_begin = static_cast<int>((t - r * chunks_per_row) * summary_chunk);
    std::int64_t const chunk_limit = static_cast<std::int64_t>(chunk_begin) + summary_chunk;
    auto const chunk_end = static_cast<int>(chunk_limit < width ? chunk_limit : width);
    std::int64_t const row = static_cast<std::int64_t>(r) * width;
    int c = chunk_begin;
    while (c < chunk_end) {
      std::int32_t const label = labels[row + c];
      if (label < 1 || label > count) {
        ++c;
        continue;
      }
      int const run_begin = c;
      std::int32_t date_min = patch_no_date;
      std::int32_t confirmed_min = patch_no_date;
      int run_status = 0;
      std::int64_t magnitude_sum = 0;
      for (; c < chunk_end && labels[row + c] == label; ++c) {
        std::int64_t const i = row + c;
        if (first_date != nullptr && first_date[i] < date_min) date_min = first_date[i];
        if (confirmed_date != nullptr && confirmed_date[i] < confirmed_min) {
          confirmed_min = confirmed_date[i];
        }
        if (status != nullptr && status[i] > run_status) run_status = status[i];
        if (magnitude != nullptr) magnitude_sum += magnitude_e4(magnitude[i]);
      }
      std::int64_t const length = c - run_begin;
      std::int32_t const k = label - 1;
      atomicAdd(&acc.pixel_count[k], static_cast<accumulator>(length));
      atomicAdd(&acc.column_sum[k], static_cast<accumulator>(detail::run_column_sum(run_begin, c)));
      atomicAdd(&acc.row_sum[k], static_cast<accumulator>(length * r));
      if (magnitude_sum != 0) {
        atomicAdd(&acc.magnitude_sum_e4[k], static_cast<accumulator>(magnitude_sum));
      }
      atomicMin(&acc.column_min[k], run_begin);
      atomicMax(&acc.column_max[k], c - 1);
      atomicMin(&acc.row_min[k], r);
      atomicMax(&acc.row_max[k], r);
      if (date_min != patch_no_date) atomicMin(&acc.first_date_min[k], date_min);
      if (confirmed_min != patch_no_date) atomicMin(&acc.confirmed_date_min[k], confirmed_min);
      if (run_status != 0) atomicMax(&acc.status_max[k], run_status);
    }
  }
}

/// One block per row (grid-stride over rows): per-thread sums, merged in shared memory.
__global__ void row_statistics_kernel(std::uint8_t const* mask, std::size_t width,
                                      std::size_t height, std::uint8_t value, accumulator* counts,
                                      accumulator* column_sums) {
  __shared__ accumulator block_count;
  __shared__ accumulator block_column_sum;
  for (std::size_t r = blockIdx.x; r < height; r += gridDim.x) {
    if (threadIdx.x == 0) {
      block_count = 0;
      block_column_sum = 0;
    }
    __syncthreads();
    accumulator count = 0;
    accumulator column_sum = 0;
    std::uint8_t const* row = mask + r * width;
    for (std::size_t c = threadIdx.x; c < width; c += blockDim.x) {
      if (row[c] == value) {
        ++count;
        column_sum += c;
      }
    }
    atomicAdd(&block_count, count);
    atomicAdd(&block_column_sum, column_sum);
    __syncthreads();
    if (threadIdx.x == 0) {
      counts[r] = block_count;
      column_sums[r] = block_column_sum;
    }
    __syncthreads();  // the totals are read before the next row resets them
  }
}

// Host side.

int grid_size_for(std::int64_t work_items) {
  return cuda::grid_size_for(work_items, block_size);
}

using cuda::to_device;
using cuda::to_host;

/// An optional input: copied when given, nullptr on the device when not.
template <class T>
cuda::device_buffer<T> optional_to_device(T const* host, std::size_t n, cudaStream_t stream) {
  return to_device(host, host != nullptr ? n : 0, stream);
}

}  // namespace

namespace detail {

std::int32_t label_components_cuda(std::uint8_t const* mask, int width, int height,
                                   std::uint8_t foreground, std::int32_t* labels) {
  std::int64_t const n = static_cast<std::int64_t>(width) * height;
  if (n == 0) return 0;
  auto const size = static_cast<std::size_t>(n);
  cuda::cuda_stream stream;
  cudaStream_t const s = stream.get();
  auto d_mask = to_device(mask, size, s);
  cuda::device_buffer<std::int32_t> d_parent(size, s);
  cuda::device_buffer<std::int32_t> d_flags(size, s);  // "is a root", later the labels
  cuda::device_buffer<std::int32_t> d_roots_before(size, s);
  int const grid = grid_size_for(n);

  init_parent_kernel<<<grid, block_size, 0, s>>>(d_mask.data(), n, foreground, d_parent.data());
  GEOSWEEP_CUDA_TRY(cudaGetLastError());
  union_kernel<<<grid, block_size, 0, s>>>(d_mask.data(), width, n, foreground, d_parent.data());
  GEOSWEEP_CUDA_TRY(cudaGetLastError());
  flatten_kernel<<<grid, block_size, 0, s>>>(n, d_parent.data());
  GEOSWEEP_CUDA_TRY(cudaGetLastError());
  root_flag_kernel<<<grid, block_size, 0, s>>>(n, d_parent.data(), d_flags.data());
  GEOSWEEP_CUDA_TRY(cudaGetLastError());

  std::size_t temp_bytes = 0;
  GEOSWEEP_CUDA_TRY(cub::DeviceScan::ExclusiveSum(nullptr, temp_bytes, d_flags.data(),
                                                  d_roots_before.data(), static_cast<int>(n), s));
  // A null temp pointer would make CUB only report the size again, so never allocate 0 bytes.
  cuda::device_buffer<unsigned char> d_temp(temp_bytes > 0 ? temp_bytes : 1, s);
  GEOSWEEP_CUDA_TRY(cub::DeviceScan::ExclusiveSum(d_temp.data(), temp_bytes, d_flags.data(),
                                                  d_roots_before.data(), static_cast<int>(n), s));

  // count = roots before the last pixel + whether the last pixel is a root.
  std::int32_t last[2] = {0, 0};
  to_host(&last[0], d_roots_before.data() + (n - 1), 1, s);
  to_host(&last[1], d_flags.data() + (n - 1), 1, s);
  number_kernel<<<grid, block_size, 0, s>>>(n, d_parent.data(), d_roots_before.data(),
                                            d_flags.data());
  GEOSWEEP_CUDA_TRY(cudaGetLastError());
  to_host(labels, static_cast<std::int32_t const*>(d_flags.data()), size, s);
  stream.synchronize();
  return last[0] + last[1];
}

std::vector<patch_summary> summarize_patches_cuda(std::int32_t const* labels, int width, int height,
                                                  std::int32_t count,
                                                  std::int32_t const* first_date,
                                                  std::int32_t const* confirmed_date,
                                                  std::uint8_t const* status,
                                                  float const* magnitude) {
  std::vector<patch_summary> out(static_cast<std::size_t>(count));
  for (std::int32_t k = 0; k < count; ++k) out[static_cast<std::size_t>(k)].label = k + 1;
  std::int64_t const n = static_cast<std::int64_t>(width) * height;
  if (n == 0 || count == 0) return out;
  auto const size = static_cast<std::size_t>(n);
  auto const patches = static_cast<std::size_t>(count);
  cuda::cuda_stream stream;
  cudaStream_t const s = stream.get();
  auto d_labels = to_device(labels, size, s);
  auto d_first_date = optional_to_device(first_date, size, s);
  auto d_confirmed_date = optional_to_device(confirmed_date, size, s);
  auto d_status = optional_to_device(status, size, s);
  auto d_magnitude = optional_to_device(magnitude, size, s);
  cuda::device_buffer<accumulator> d_sums(4 * patches, s);
  cuda::device_buffer<int> d_extremes(7 * patches, s);
  patch_accumulators const acc{d_sums.data(),
                               d_sums.data() + patches,
                               d_sums.data() + 2 * patches,
                               d_sums.data() + 3 * patches,
                               d_extremes.data(),
                               d_extremes.data() + patches,
                               d_extremes.data() + 2 * patches,
                               d_extremes.data() + 3 * patches,
                               d_extremes.data() + 4 * patches,
                               d_extremes.data() + 5 * patches,
                               d_extremes.data() + 6 * patches};

  init_accumulators_kernel<<<grid_size_for(count), block_size, 0, s>>>(acc, count, width, height);
  GEOSWEEP_CUDA_TRY(cudaGetLastError());
  std::int64_t const chunks =
      (static_cast<std::int64_t>(width) + summary_chunk - 1) / summary_chunk * height;
  summarize_kernel<<<grid_size_for(chunks), block_size, 0, s>>>(
      d_labels.data(), width, height, count, d_first_date.data(), d_confirmed_date.data(),
      d_status.data(), d_magnitude.data(), acc);
  GEOSWEEP_CUDA_TRY(cudaGetLastError());

  std::vector<accumulator> sums(4 * patches);
  std::vector<int> extremes(7 * patches);
  to_host(sums.data(), static_cast<accumulator const*>(d_sums.data()), sums.size(), s);
  to_host(extremes.data(), static_cast<int const*>(d_extremes.data()), extremes.size(), s);
  stream.synchronize();

  for (std::size_t k = 0; k < patches; ++k) {
    auto& p = out[k];
    p.pixel_count = static_cast<std::int64_t>(sums[k]);
    p.column_sum = static_cast<std::int64_t>(sums[patches + k]);
    p.row_sum = static_cast<std::int64_t>(sums[2 * patches + k]);
    p.magnitude_sum_e4 = static_cast<std::int64_t>(sums[3 * patches + k]);
    p.column_min = extremes[k];
    p.column_max = extremes[patches + k];
    p.row_min = extremes[2 * patches + k];
    p.row_max = extremes[3 * patches + k];
    p.first_date_min = extremes[4 * patches + k];
    p.confirmed_date_min = extremes[5 * patches + k];
    p.status_max = static_cast<std::uint8_t>(extremes[6 * patches + k]);
    if (p.pixel_count == 0) p.column_min = p.column_max = p.row_min = p.row_max = 0;
  }
  return out;
}

std::vector<row_statistics> class_row_statistics_cuda(std::uint8_t const* mask, std::size_t width,
                                                      std::size_t height, std::uint8_t value) {
  std::vector<row_statistics> rows(height);
  if (height == 0) return rows;
  cuda::cuda_stream stream;
  cudaStream_t const s = stream.get();
  auto d_mask = to_device(mask, width * height, s);
  cuda::device_buffer<accumulator> d_counts(height, s);
  cuda::device_buffer<accumulator> d_column_sums(height, s);
  int device = 0;
  int sm_count = 1;
  GEOSWEEP_CUDA_TRY(cudaGetDevice(&device));
  GEOSWEEP_CUDA_TRY(cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, device));
  std::size_t const cap = static_cast<std::size_t>(sm_count) * 32;
  int const grid = static_cast<int>(height < cap ? height : cap);
  row_statistics_kernel<<<grid, block_size, 0, s>>>(d_mask.data(), width, height, value,
                                                    d_counts.data(), d_column_sums.data());
  GEOSWEEP_CUDA_TRY(cudaGetLastError());
  std::vector<accumulator> counts(height);
  std::vector<accumulator> column_sums(height);
  to_host(counts.data(), static_cast<accumulator const*>(d_counts.data()), height, s);
  to_host(column_sums.data(), static_cast<accumulator const*>(d_column_sums.data()), height, s);
  stream.synchronize();
  for (std::size_t r = 0; r < height; ++r) {
    rows[r].count = static_cast<std::int64_t>(counts[r]);
    rows[r].column_sum = static_cast<std::int64_t>(column_sums[r]);
  }
  return rows;
}

}  // namespace detail
}  // namespace geosweep::kernels
