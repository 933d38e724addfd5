#pragma once
// Move-only owners of CUDA resources. Destructors never throw.

#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "geosweep/kernels/detail/cuda_stream.hpp"
#include "geosweep/kernels/error.hpp"

/// Throws geosweep::cuda_error naming the call when a CUDA runtime call fails.
#define GEOSWEEP_CUDA_TRY(call)                                                         \
  do {                                                                                  \
    cudaError_t const geosweep_status_ = (call);                                        \
    if (geosweep_status_ != cudaSuccess)                                                \
      throw ::geosweep::cuda_error(std::string(#call) +                                 \
                                   " failed: " + cudaGetErrorString(geosweep_status_)); \
  } while (0)

namespace geosweep::kernels::cuda {

/// Owns a CUDA stream.
class cuda_stream {
 public:
  cuda_stream() { GEOSWEEP_CUDA_TRY(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking)); }
  cuda_stream(cuda_stream const&) = delete;
  cuda_stream& operator=(cuda_stream const&) = delete;
  cuda_stream(cuda_stream&& other) noexcept : stream_(std::exchange(other.stream_, nullptr)) {}
  ~cuda_stream() {
    if (stream_ == nullptr) return;
    detail::cuda_stream_drain(stream_);  // buffers freed in its order may still be in use
    detail::cuda_stream_destroy(stream_);
  }
  [[nodiscard]] cudaStream_t get() const { return stream_; }
  void synchronize() const { detail::cuda_stream_synchronize(stream_); }

 private:
  cudaStream_t stream_ = nullptr;
};

/// Stream-ordered device allocation of `size` elements of T (detail::cuda_device_allocate:
/// from the device's pool, or plain cudaMalloc where there is none).
template <class T>
class device_buffer {
 public:
  device_buffer(std::size_t size, cudaStream_t stream) : size_(size), stream_(stream) {
    if (size_ > 0)
      data_ = static_cast<T*>(detail::cuda_device_allocate(stream_, size_ * sizeof(T)));
  }
  device_buffer(device_buffer const&) = delete;
  device_buffer& operator=(device_buffer const&) = delete;
  device_buffer(device_buffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(other.size_), stream_(other.stream_) {}
  ~device_buffer() {
    if (data_ != nullptr) detail::cuda_device_release(stream_, data_);
  }
  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] T const* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
  cudaStream_t stream_ = nullptr;
};

/// Copies `n` host elements into a new device buffer, in stream order.
template <class T>
device_buffer<T> to_device(T const* host, std::size_t n, cudaStream_t stream) {
  device_buffer<T> buffer(n, stream);
  if (n > 0) {
    GEOSWEEP_CUDA_TRY(
        cudaMemcpyAsync(buffer.data(), host, n * sizeof(T), cudaMemcpyHostToDevice, stream));
  }
  return buffer;
}

/// Copies `n` device elements to host memory, in stream order.
template <class T>
void to_host(T* host, T const* device, std::size_t n, cudaStream_t stream) {
  if (n > 0) {
    GEOSWEEP_CUDA_TRY(cudaMemcpyAsync(host, device, n * sizeof(T), cudaMemcpyDeviceToHost, stream));
  }
}

/// Blocks for a grid-stride loop over `work_items`: enough to cover them, at most 32 per
/// multiprocessor, at least one.
inline int grid_size_for(std::int64_t work_items, int block_size) {
  int device = 0;
  int sm_count = 1;
  GEOSWEEP_CUDA_TRY(cudaGetDevice(&device));
  GEOSWEEP_CUDA_TRY(cudaDeviceGetAttribute(&sm_count, cudaDevAttrMultiProcessorCount, device));
  std::int64_t const blocks_needed = (work_items + block_size - 1) / block_size;
  std::int64_t const cap = static_cast<std::int64_t>(sm_count) * 32;
  std::int64_t const blocks = blocks_needed < cap ? blocks_needed : cap;
  return static_cast<int>(blocks < 1 ? 1 : blocks);
}

}  // namespace geosweep::kernels::cuda
