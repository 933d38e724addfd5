#include "geosweep/kernels/backend.hpp"

#include <omp.h>

#include "geosweep/kernels/error.hpp"

namespace geosweep::kernels {
namespace detail {
// Defined in src/cuda/cuda_backend.cu, or in src/cpu/cuda_absent.cpp without CUDA.
int cuda_device_count_impl();
std::vector<std::string> cuda_device_descriptions_impl();
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
      if (cuda_device_count() == 0) throw cuda_error("--backend cuda: no CUDA device found");
      return backend::cuda;
  }
  return backend::cpu;
}

void set_cpu_threads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

}  // namespace geosweep::kernels
