#pragma once
/// \file
/// Run-time choice between the CPU (OpenMP) and CUDA backends.

#include <string>
#include <string_view>
#include <vector>

namespace geosweep::kernels {

/// Where kernels run. `automatic` resolves to `cuda` when a device is present.
enum class backend { automatic, cpu, cuda };

/// "auto", "cpu" or "cuda".
std::string_view to_string(backend b);

/// Parses "auto", "cpu" or "cuda"; throws geosweep::logic_error otherwise.
backend parse_backend(std::string_view name);

/// True when this binary was built with the CUDA backend.
bool cuda_compiled();

/// Number of CUDA devices usable now; 0 without a driver, a device or the CUDA backend.
int cuda_device_count();

/// Why there is no usable CUDA device: the CUDA runtime's own words for what
/// cudaGetDeviceCount answered ("cudaErrorNoDevice: no CUDA-capable device is detected"), or
/// that this binary has no CUDA backend. Empty when a device is usable.
std::string cuda_unavailable_reason();

/// True when CUDA is compiled in and a GPU is not usable for a reason other than having no
/// device or no driver (a driver that is too old, a device in use or broken): worth a
/// warning where `automatic` then falls back to the CPU.
bool cuda_unexpectedly_unavailable();

/// How device memory is allocated: from stream-ordered pools that keep freed memory for
/// reuse, or with cudaMalloc/cudaFree where a device has no pools. Needs a usable device.
std::string cuda_memory_description();

/// One line per CUDA device: index, name, compute capability and memory.
std::vector<std::string> cuda_device_descriptions();

/// Resolves `automatic` and checks that `cuda` is usable; throws geosweep::cuda_error if not.
backend resolve_backend(backend requested);

/// Makes CUDA device `device` the one the calling thread's streams, arrays and kernels use
/// (each thread starts on device 0). Throws geosweep::cuda_error for a device that is absent.
void use_cuda_device(int device);

/// The CUDA device of the calling thread (0 unless use_cuda_device chose another).
int current_cuda_device();

/// Limits the CPU backend to `threads` OpenMP threads (0 keeps the default), for kernels the
/// calling thread starts.
void set_cpu_threads(int threads);

/// The cores OpenMP may use.
int cpu_core_count();

/// The OpenMP threads kernels the calling thread starts run on.
int cpu_threads();

}  // namespace geosweep::kernels
