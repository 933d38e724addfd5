// The CUDA backend: the grid-stride transform kernel, its explicit instantiations and the
// device queries. One translation unit keeps nvcc's share of the build small.

#include <cuda_runtime.h>

#include <cstdio>
#include <string>
#include <tuple>
#include <vector>

#include "cuda_memory.cuh"
#include "geosweep/kernels/detail/cuda_stream.hpp"
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

}  // namespace

namespace detail {

template <class Op, class Out, class... In>
void cuda_transform<Op, Out, In...>::launch(void* stream, std::size_t n, Op op, Out* out,
                                            In const*... in) {
  if (n == 0) return;
  constexpr int block = 256;
  transform_kernel<<<cuda::grid_size_for(static_cast<std::int64_t>(n), block), block, 0,
                     static_cast<cudaStream_t>(stream)>>>(n, op, out, in...);
  GEOSWEEP_CUDA_TRY(cudaGetLastError());
}

template <class Op, class Out, class... In>
void cuda_transform<Op, Out, In...>::run(std::size_t n, Op op, Out* out, In const*... in) {
  if (n == 0) return;
  cuda::cuda_stream stream;
  auto inputs = std::make_tuple(cuda::to_device(in, n, stream.get())...);
  cuda::device_buffer<Out> d_out(n, stream.get());
  std::apply(
      [&](auto&... buffers) {
        launch(stream.get(), n, op, d_out.data(), static_cast<In const*>(buffers.data())...);
      },
      inputs);
  GEOSWEEP_CUDA_TRY(
      cudaMemcpyAsync(out, d_out.data(), n * sizeof(Out), cudaMemcpyDeviceToHost, stream.get()));
  stream.synchronize();
}

#define GEOSWEEP_INSTANTIATE_CUDA_TRANSFORM(...) template struct cuda_transform<__VA_ARGS__>;
GEOSWEEP_TRANSFORM_INSTANTIATIONS(GEOSWEEP_INSTANTIATE_CUDA_TRANSFORM)
#undef GEOSWEEP_INSTANTIATE_CUDA_TRANSFORM

// Streams, events and memory of stream.hpp (detail/cuda_stream.hpp).
void* cuda_stream_create() {
  cudaStream_t stream = nullptr;
  GEOSWEEP_CUDA_TRY(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  return stream;
}
void cuda_stream_destroy(void* stream) noexcept {
  cudaStreamDestroy(static_cast<cudaStream_t>(stream));
}
void cuda_stream_synchronize(void* stream) {
  GEOSWEEP_CUDA_TRY(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)));
}
void cuda_stream_wait(void* stream, void* event) {
  GEOSWEEP_CUDA_TRY(
      cudaStreamWaitEvent(static_cast<cudaStream_t>(stream), static_cast<cudaEvent_t>(event), 0));
}
void* cuda_event_create() {
  cudaEvent_t event = nullptr;
  GEOSWEEP_CUDA_TRY(cudaEventCreateWithFlags(&event, cudaEventDisableTiming));
  return event;
}
void cuda_event_destroy(void* event) noexcept {
  cudaEventDestroy(static_cast<cudaEvent_t>(event));
}
void cuda_event_record(void* event, void* stream) {
  GEOSWEEP_CUDA_TRY(
      cudaEventRecord(static_cast<cudaEvent_t>(event), static_cast<cudaStream_t>(stream)));
}
void cuda_event_synchronize(void* event) {
  GEOSWEEP_CUDA_TRY(cudaEventSynchronize(static_cast<cudaEvent_t>(event)));
}
void* cuda_device_allocate(void* stream, std::size_t bytes) {
  void* p = nullptr;
  GEOSWEEP_CUDA_TRY(cudaMallocAsync(&p, bytes, static_cast<cudaStream_t>(stream)));
  return p;
}
void cuda_device_release(void* stream, void* p) noexcept {
  cudaFreeAsync(p, static_cast<cudaStream_t>(stream));
}
void* cuda_pinned_allocate(std::size_t bytes) {
  void* p = nullptr;
  GEOSWEEP_CUDA_TRY(cudaHostAlloc(&p, bytes, cudaHostAllocPortable));
  return p;
}
void cuda_pinned_release(void* p) noexcept {
  cudaFreeHost(p);
}
void cuda_copy(void* stream, void* to, void const* from, std::size_t bytes, int kind) {
  cudaMemcpyKind const direction = kind == 0   ? cudaMemcpyHostToDevice
                                   : kind == 1 ? cudaMemcpyDeviceToHost
                                               : cudaMemcpyDeviceToDevice;
  GEOSWEEP_CUDA_TRY(cudaMemcpyAsync(to, from, bytes, direction, static_cast<cudaStream_t>(stream)));
}

void cuda_set_device_impl(int device) {
  GEOSWEEP_CUDA_TRY(cudaSetDevice(device));
}

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
