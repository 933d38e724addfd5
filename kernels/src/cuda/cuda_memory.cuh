#pragma once
// Move-only owners of CUDA resources. Destructors never throw.

#include <cuda_runtime.h>

#include <cstddef>
#include <string>
#include <utility>

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
    if (stream_ != nullptr) cudaStreamDestroy(stream_);
  }
  [[nodiscard]] cudaStream_t get() const { return stream_; }
  void synchronize() const { GEOSWEEP_CUDA_TRY(cudaStreamSynchronize(stream_)); }

 private:
  cudaStream_t stream_ = nullptr;
};

/// Stream-ordered device allocation of `size` elements of T.
template <class T>
class device_buffer {
 public:
  device_buffer(std::size_t size, cudaStream_t stream) : size_(size), stream_(stream) {
    if (size_ > 0) {
      GEOSWEEP_CUDA_TRY(
          cudaMallocAsync(reinterpret_cast<void**>(&data_), size_ * sizeof(T), stream_));
    }
  }
  device_buffer(device_buffer const&) = delete;
  device_buffer& operator=(device_buffer const&) = delete;
  device_buffer(device_buffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(other.size_), stream_(other.stream_) {}
  ~device_buffer() {
    if (data_ != nullptr) cudaFreeAsync(data_, stream_);
  }
  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] T const* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
  cudaStream_t stream_ = nullptr;
};

}  // namespace geosweep::kernels::cuda
