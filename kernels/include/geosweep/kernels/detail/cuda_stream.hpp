#pragma once
/// \file
/// The CUDA side of stream.hpp, as untyped calls with opaque handles (cudaStream_t and
/// cudaEvent_t as void*), so that no host translation unit includes cuda_runtime.h. Defined in
/// src/cuda/cuda_backend.cu; without CUDA, src/cpu/cuda_absent.cpp throws cuda_error.

#include <cstddef>

namespace geosweep::kernels::detail {

void* cuda_stream_create();
void cuda_stream_destroy(void* stream) noexcept;
void cuda_stream_synchronize(void* stream);
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

}  // namespace geosweep::kernels::detail
