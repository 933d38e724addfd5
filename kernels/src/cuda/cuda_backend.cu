// The CUDA backend: the grid-stride transform kernel, its explicit instantiations and the
// device queries. One translation unit keeps nvcc's share of the build small.

#include <cuda_runtime.h>

#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "cuda_memory.cuh"
#include "geosweep/kernels/detail/cuda_transform.hpp"

namespace geosweep::kernels {
namespace {

template <class Op, class Out, class... In>
__global__ void transform_kernel(std::size_t n, Op op, Out* out, In const*... in) {
  std::size_t const stride = static_cast<std::size_t>(blockDim.x) * gridDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    out[i] = op(in[i]...);
  }
}

template <class T>
cuda::device_buffer<T> to_device(T const* host, std::size_t n, cudaStream_t stream) {
  cuda::device_buffer<T> buffer(n, stream);
  if (n > 0) {
    GEOSWEEP_CUDA_TRY(
        cudaMemcpyAsync(buffer.data(), host, n * sizeof(T), cudaMemcpyHostToDevice, stream));
  }
  return buffer;
}

int grid_size_for(std::size_t n, int block) {
  int device = 0;
  int sm_count = 1;
  GEOSWEEP_CUDA_TRY(cudaGetDevice(&device));
  GEOSWEEP_CUDA_TRY(cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, device));
  std::size_t const blocks_needed = (n + block - 1) / block;
  std::size_t const cap = static_cast<std::size_t>(sm_count) * 32;
  return static_cast<int>(blocks_needed < cap ? blocks_needed : cap);
}

}  // namespace

namespace detail {

template <class Op, class Out, class... In>
void cuda_transform<Op, Out, In...>::run(std::size_t n, Op op, Out* out, In const*... in) {
  if (n == 0) return;
  cuda::cuda_stream stream;
  auto inputs = std::make_tuple(to_device(in, n, stream.get())...);
  cuda::device_buffer<Out> d_out(n, stream.get());
  constexpr int block = 256;
  std::apply(
      [&](auto&... buffers) {
        transform_kernel<<<grid_size_for(n, block), block, 0, stream.get()>>>(
            n, op, d_out.data(), static_cast<In const*>(buffers.data())...);
      },
      inputs);
  GEOSWEEP_CUDA_TRY(cudaGetLastError());
  GEOSWEEP_CUDA_TRY(
      cudaMemcpyAsync(out, d_out.data(), n * sizeof(Out), cudaMemcpyDeviceToHost, stream.get()));
  stream.synchronize();
}

#define GEOSWEEP_INSTANTIATE_CUDA_TRANSFORM(...) template struct cuda_transform<__VA_ARGS__>;
GEOSWEEP_TRANSFORM_INSTANTIATIONS(GEOSWEEP_INSTANTIATE_CUDA_TRANSFORM)
#undef GEOSWEEP_INSTANTIATE_CUDA_TRANSFORM

int cuda_device_count_impl() {
  int count = 0;
  // No driver or no device both mean "no CUDA here", not an error.
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

std::vector<std::string> cuda_device_descriptions_impl() {
  std::vector<std::string> lines;
  int const count = cuda_device_count_impl();
  for (int d = 0; d < count; ++d) {
    cudaDeviceProp prop{};
    if (cudaGetDeviceProperties(&prop, d) != cudaSuccess) continue;
    char line[256];
    std::snprintf(line, sizeof line, "%d: %s (sm_%d%d, %.1f GiB)", d, prop.name, prop.major,
                  prop.minor, static_cast<double>(prop.totalGlobalMem) / (1024.0 * 1024 * 1024));
    lines.emplace_back(line);
  }
  return lines;
}

}  // namespace detail
}  // namespace geosweep::kernels
