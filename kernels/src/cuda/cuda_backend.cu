// The CUDA backend: the grid-stride transform kernel, its explicit instantiations and the
// device queries. One translation unit keeps nvcc's share of the build small.

#include <cuda_runtime.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <mutex>
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

template <class Op>
__global__ void for_each_kernel(std::size_t n, Op op) {
  std::size_t const stride = static_cast<std::size_t>(blockDim.x) * gridDim.x;
  for (std::size_t i = static_cast<std::size_t>(blockIdx.x) * blockDim.x + threadIdx.x; i < n;
       i += stride) {
    op(i);
  }
}

}  // namespace

namespace detail {

template <class Op>
void cuda_for_each<Op>::launch(void* stream, std::size_t n, Op op) {
  if (n == 0) return;
  constexpr int block = 256;
  for_each_kernel<<<cuda::grid_size_for(static_cast<std::int64_t>(n), block), block, 0,
                    static_cast<cudaStream_t>(stream)>>>(n, op);
  GEOSWEEP_CUDA_TRY(cudaGetLastError());
}

#define GEOSWEEP_INSTANTIATE_CUDA_FOR_EACH(...) template struct cuda_for_each<__VA_ARGS__>;
GEOSWEEP_FOR_EACH_INSTANTIATIONS(GEOSWEEP_INSTANTIATE_CUDA_FOR_EACH)
#undef GEOSWEEP_INSTANTIATE_CUDA_FOR_EACH

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

// Failures of release calls (destructors never throw). The sticky "last error" they leave is
// cleared at once, so the next kernel launch is not blamed for it; the first such failure is
// kept and thrown by the next synchronisation, so it is reported as what it was.
namespace {
std::mutex release_mutex;
std::string release_failure;  // guarded by release_mutex

void note_release(char const* call, cudaError_t status) noexcept {
  if (status == cudaSuccess) return;
  cudaGetLastError();
  try {
    std::lock_guard lock(release_mutex);
    if (release_failure.empty())
      release_failure = std::string(call) + " failed: " + cudaGetErrorString(status);
  } catch (...) {  // out of memory for the message: the release itself is what matters
  }
}

void throw_release_failure() {
  std::string failure;
  {
    std::lock_guard lock(release_mutex);
    failure.swap(release_failure);
  }
  if (!failure.empty()) throw cuda_error("an earlier CUDA release failed: " + failure);
}

/// How device memory is taken: from the device's stream-ordered pool (cudaMallocAsync), or
/// with cudaMalloc/cudaFree where some device has no memory pools (cudaFree waits for the
/// device, so freeing stays in order) or a test asked for it. Decided once, for every device.
enum class allocation { undecided, pooled, plain };
std::atomic<allocation> device_allocation{allocation::undecided};
std::atomic<bool> plain_requested{false};
std::mutex allocation_mutex;

/// Keeps freed pool memory for reuse instead of returning it to the driver at every
/// synchronisation (the pool's default release threshold is 0).
void keep_pool_memory(int device) {
  cudaMemPool_t pool = nullptr;
  GEOSWEEP_CUDA_TRY(cudaDeviceGetDefaultMemPool(&pool, device));
  std::uint64_t threshold = std::numeric_limits<std::uint64_t>::max();
  GEOSWEEP_CUDA_TRY(cudaMemPoolSetAttribute(pool, cudaMemPoolAttrReleaseThreshold, &threshold));
}

allocation allocation_mode() {
  allocation mode = device_allocation.load(std::memory_order_acquire);
  if (mode != allocation::undecided) return mode;
  std::lock_guard lock(allocation_mutex);
  mode = device_allocation.load(std::memory_order_relaxed);
  if (mode != allocation::undecided) return mode;
  int count = 0;
  GEOSWEEP_CUDA_TRY(cudaGetDeviceCount(&count));
  bool pools = !plain_requested.load();
  for (int d = 0; d < count && pools; ++d) {
    int supported = 0;
    GEOSWEEP_CUDA_TRY(cudaDeviceGetAttribute(&supported, cudaDevAttrMemoryPoolsSupported, d));
    pools = supported != 0;
  }
  if (pools)
    for (int d = 0; d < count; ++d) keep_pool_memory(d);
  mode = pools ? allocation::pooled : allocation::plain;
  device_allocation.store(mode, std::memory_order_release);
  return mode;
}
}  // namespace

bool cuda_use_plain_allocation(bool plain) {
  std::lock_guard lock(allocation_mutex);
  if (device_allocation.load() != allocation::undecided) return false;
  plain_requested = plain;
  return true;
}

bool cuda_pooled_allocation() {
  return allocation_mode() == allocation::pooled;
}

// Streams, events and memory of stream.hpp (detail/cuda_stream.hpp).
void* cuda_stream_create() {
  cudaStream_t stream = nullptr;
  GEOSWEEP_CUDA_TRY(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
  return stream;
}
void cuda_stream_destroy(void* stream) noexcept {
  note_release("cudaStreamDestroy", cudaStreamDestroy(static_cast<cudaStream_t>(stream)));
}
void cuda_stream_synchronize(void* stream) {
  GEOSWEEP_CUDA_TRY(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)));
  throw_release_failure();
}
void cuda_stream_drain(void* stream) noexcept {
  note_release("cudaStreamSynchronize", cudaStreamSynchronize(static_cast<cudaStream_t>(stream)));
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
  note_release("cudaEventDestroy", cudaEventDestroy(static_cast<cudaEvent_t>(event)));
}
void cuda_event_record(void* event, void* stream) {
  GEOSWEEP_CUDA_TRY(
      cudaEventRecord(static_cast<cudaEvent_t>(event), static_cast<cudaStream_t>(stream)));
}
void cuda_event_synchronize(void* event) {
  GEOSWEEP_CUDA_TRY(cudaEventSynchronize(static_cast<cudaEvent_t>(event)));
  throw_release_failure();
}
void* cuda_device_allocate(void* stream, std::size_t bytes) {
  void* p = nullptr;
  if (allocation_mode() == allocation::pooled)
    GEOSWEEP_CUDA_TRY(cudaMallocAsync(&p, bytes, static_cast<cudaStream_t>(stream)));
  else
    GEOSWEEP_CUDA_TRY(cudaMalloc(&p, bytes));
  return p;
}
void cuda_device_release(void* stream, void* p) noexcept {
  // Allocated memory means the mode was decided (allocation_mode cannot throw any more).
  if (device_allocation.load(std::memory_order_acquire) == allocation::pooled)
    note_release("cudaFreeAsync", cudaFreeAsync(p, static_cast<cudaStream_t>(stream)));
  else
    note_release("cudaFree", cudaFree(p));
}
void* cuda_pinned_allocate(std::size_t bytes) {
  void* p = nullptr;
  GEOSWEEP_CUDA_TRY(cudaHostAlloc(&p, bytes, cudaHostAllocPortable));
  return p;
}
void cuda_pinned_release(void* p) noexcept {
  note_release("cudaFreeHost", cudaFreeHost(p));
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
  // Any failure means no usable device here (cuda_probe_error_impl says why).
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();
    return 0;
  }
  return count;
}

std::string cuda_probe_error_impl(bool& expected) {
  int count = 0;
  cudaError_t const status = cudaGetDeviceCount(&count);
  expected = status == cudaErrorNoDevice || status == cudaErrorInsufficientDriver;
  if (status == cudaSuccess) return {};
  cudaGetLastError();
  return std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status);
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
