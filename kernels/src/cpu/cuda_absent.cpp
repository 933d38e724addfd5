// Device queries for a build without the CUDA backend.
#include <string>
#include <vector>

namespace geosweep::kernels::detail {

int cuda_device_count_impl() {
  return 0;
}

std::vector<std::string> cuda_device_descriptions_impl() {
  return {};
}

}  // namespace geosweep::kernels::detail
