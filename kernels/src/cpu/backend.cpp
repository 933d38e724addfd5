#include "geosweep/kernels/backend.hpp"

#include <omp.h>

#include "geosweep/kernels/detail/cuda_stream.hpp"
#include "geosweep/kernels/error.hpp"

namespace geosweep::kernels {
namespace detail {
// Defined in src/cuda/cuda_backend.cu, or in src/cpu/cuda_absent.cpp without CUDA.
int cuda_device_count_impl();
/// The answer of cudaGetDeviceCount as "name: description", empty on success; `expected` is
/// set when it means there is simply no GPU here (no device, no driver).
std::string cuda_probe_error_impl(bool& expected);
std::vector<std::string> cuda_device_descriptions_impl();
void cuda_set_device_impl(int device);
}  // namespace detail

std::string_view to_string(backend b) {
  switch (b) {
    case backend::automatic:
      return "auto";
    case backend::cpu:
      return "cpu";
    case backend::cuda:
      return "cuda";
  }
  return "unknown";
}

backend parse_backend(std::string_view name) {
  if (name == "auto") return backend::automatic;
  if (name == "cpu") return backend::cpu;
  if (name == "cuda") return backend::cuda;
  throw logic_error("unknown backend '" + std::string(name) + "' (expected auto, cpu or cuda)");
}

bool cuda_compiled() {
  return GEOSWEEP_HAVE_CUDA != 0;
}

int cuda_device_count() {
  return detail::cuda_device_count_impl();
}

std::string cuda_unavailable_reason() {
  if (!cuda_compiled()) return "this geosweep was built without the CUDA backend";
  bool expected = true;
  std::string reason = detail::cuda_probe_error_impl(expected);
  if (reason.empty() && cuda_device_count() == 0) reason = "no CUDA device found";
  return reason;
}

bool cuda_unexpectedly_unavailable() {
  if (!cuda_compiled()) return false;
  bool expected = true;
  return !detail::cuda_probe_error_impl(expected).empty() && !expected;
}

std::string cuda_memory_description() {
  if (cuda_device_count() == 0) return "no CUDA device";
  return detail::cuda_pooled_allocation()
             ? "stream-ordered pools, freed memory kept for reuse"
             : "cudaMalloc and cudaFree (a device has no stream-ordered memory pools)";
}

std::vector<std::string> cuda_device_descriptions() {
  return detail::cuda_device_descriptions_impl();
}

backend resolve_backend(backend requested) {
  switch (requested) {
    case backend::cpu:
      return backend::cpu;
    case backend::automatic:
      return cuda_device_count() > 0 ? backend::cuda : backend::cpu;
    case backend::cuda:
      if (!cuda_compiled()) throw cuda_error("this geosweep was built without the CUDA backend");
      if (cuda_device_count() == 0)
        throw cuda_error("--backend cuda: no usable CUDA device (" + cuda_unavailable_reason() +
                         ")");
      return backend::cuda;
  }
  return backend::cpu;
}

namespace {
thread_local int thread_device = 0;
}  // namespace

void use_cuda_device(int device) {
  int const count = cuda_device_count();
  if (device < 0 || device >= count) {
    throw cuda_error("CUDA device " + std::to_string(device) + " does not exist (" +
                     std::to_string(count) + " found)");
  }
  detail::cuda_set_device_impl(device);
  thread_device = device;
}

int current_cuda_device() {
  return thread_device;
}

void set_cpu_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

int cpu_core_count() {
  return omp_get_num_procs();
}

int cpu_threads() {
  return omp_get_max_threads();
}

}  // namespace geosweep::kernels
