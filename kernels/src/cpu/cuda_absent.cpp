// Device queries for a build without the CUDA backend.
#include <string>
#include <vector>

namespace geosweep::kernels::detail {

int cuda_device_count_impl() {
  return 0;
}

std::string cuda_probe_error_impl(bool& expected) {
  expected = true;
  return {};
}

std::vector<std::string> cuda_device_descriptions_impl() {
  return {};
}

void cuda_set_device_impl(int) {}  // unreachable: there is no device to choose

}  // namespace geosweep::kernels::detail

// Streams and memory (detail/cuda_stream.hpp): unreachable, since resolve_backend refuses
// `cuda` in this build; they throw rather than pretend.
#include "geosweep/kernels/detail/cuda_stream.hpp"
#include "geosweep/kernels/error.hpp"

namespace geosweep::kernels::detail {
namespace {
[[noreturn]] void absent() {
  throw cuda_error("this geosweep was built without the CUDA backend");
}
}  // namespace

void* cuda_stream_create() {
  absent();
}
void cuda_stream_destroy(void*) noexcept {}
void cuda_stream_synchronize(void*) {
  absent();
}
void cuda_stream_drain(void*) noexcept {}
void cuda_stream_wait(void*, void*) {
  absent();
}
void* cuda_event_create() {
  absent();
}
void cuda_event_destroy(void*) noexcept {}
void cuda_event_record(void*, void*) {
  absent();
}
void cuda_event_synchronize(void*) {
  absent();
}
void* cuda_device_allocate(void*, std::size_t) {
  absent();
}
void cuda_device_release(void*, void*) noexcept {}
void* cuda_pinned_allocate(std::size_t) {
  absent();
}
void cuda_pinned_release(void*) noexcept {}
void cuda_copy(void*, void*, void const*, std::size_t, int) {
  absent();
}
bool cuda_use_plain_allocation(bool) {
  return false;
}
bool cuda_pooled_allocation() {
  return false;
}

}  // namespace geosweep::kernels::detail
