#pragma once
/// \file
/// The CUDA side of stream.hpp, as untyped calls with opaque handles (cudaStream_t and
/// cudaEvent_t as void*), so that no host translation unit includes cuda_runtime.h. Defined in
/// src/cuda/cuda_backend.cu; without CUDA, src/cpu/cuda_absent.cpp throws cuda_error.

#include <cstddef>

namespace geosweep::kernels::detail {

void* cuda_stream_create();
void cuda_stream_destroy(void* stream) noexcept;
/// Throws cuda_error for a failure of the stream's work, or for an earlier failed release.
void cuda_stream_synchronize(void* stream);
/// Waits for the stream's work without throwing (an error is kept for the next synchronize).
void cuda_stream_drain(void* stream) noexcept;
void cuda_stream_wait(void* stream, void* event);
void* cuda_event_create();
void cuda_event_destroy(void* event) noexcept;
void cuda_event_record(void* event, void* stream);
void cuda_event_synchronize(void* event);
void* cuda_device_allocate(void* stream, std::size_t bytes);
void cuda_device_release(void* stream, void* p) noexcept;
void* cuda_pinned_allocate(std::size_t bytes);
void cuda_pinned_release(void* p) noexcept;
/// kind: 0 host to device, 1 device to host, 2 device to device (detail::copy_kind).
void cuda_copy(void* stream, void* to, void const* from, std::size_t bytes, int kind);

/// Device memory from plain cudaMalloc/cudaFree instead of the stream-ordered pools, as where
/// a device has no memory pools (for tests of that fallback). Only before the first device
/// allocation of the process: returns false, changing nothing, after it.
bool cuda_use_plain_allocation(bool plain);
/// Whether device memory comes from the stream-ordered pools (decides, if not yet decided).
bool cuda_pooled_allocation();

}  // namespace geosweep::kernels::detail
