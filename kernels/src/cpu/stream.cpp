// Streams, events and memory (stream.hpp): inline host versions here, CUDA ones in
// src/cuda/cuda_backend.cu (or src/cpu/cuda_absent.cpp, which refuses, without CUDA).
#include "geosweep/kernels/stream.hpp"

#include <cstring>
#include <new>

#include "geosweep/kernels/detail/cuda_stream.hpp"
#include "geosweep/kernels/error.hpp"

namespace geosweep::kernels {
namespace {

constexpr std::align_val_t host_alignment{64};

}  // namespace

stream::stream(backend where) : where_(resolve_backend(where)) {
  if (where_ == backend::cuda) native_ = detail::cuda_stream_create();
}
stream::stream(stream&& other) noexcept
    : where_(other.where_), native_(std::exchange(other.native_, nullptr)) {}
stream& stream::operator=(stream&& other) noexcept {
  std::swap(where_, other.where_);
  std::swap(native_, other.native_);
  return *this;
}
stream::~stream() {
  if (native_ == nullptr) return;
  detail::cuda_stream_drain(native_);
  detail::cuda_stream_destroy(native_);
}
void stream::synchronize() const {
  if (where_ == backend::cuda) detail::cuda_stream_synchronize(native_);
}
void stream::drain() const noexcept {
  if (native_ != nullptr) detail::cuda_stream_drain(native_);
}
void stream::wait(event const& e) const {
  GEOSWEEP_EXPECTS(e.where() == where_, "a stream waits for events of its own backend");
  if (where_ == backend::cuda) detail::cuda_stream_wait(native_, e.native());
}

event::event(backend where) : where_(resolve_backend(where)) {
  if (where_ == backend::cuda) native_ = detail::cuda_event_create();
}
event::event(event&& other) noexcept
    : where_(other.where_), native_(std::exchange(other.native_, nullptr)) {}
event& event::operator=(event&& other) noexcept {
  std::swap(where_, other.where_);
  std::swap(native_, other.native_);
  return *this;
}
event::~event() {
  if (native_ != nullptr) detail::cuda_event_destroy(native_);
}
void event::record(stream const& s) {
  GEOSWEEP_EXPECTS(s.where() == where_, "an event records a stream of its own backend");
  if (where_ == backend::cuda) detail::cuda_event_record(native_, s.native());
}
void event::synchronize() const {
  if (where_ == backend::cuda) detail::cuda_event_synchronize(native_);
}

namespace detail {

void* device_allocate(stream const& s, std::size_t bytes) {
  if (s.where() == backend::cuda) return cuda_device_allocate(s.native(), bytes);
  return ::operator new(bytes, host_alignment);
}

void device_release(stream const& s, void* p) noexcept {
  if (s.where() == backend::cuda)
    cuda_device_release(s.native(), p);
  else
    ::operator delete(p, host_alignment);
}

void* pinned_allocate(backend where, std::size_t bytes) {
  if (where == backend::cuda) return cuda_pinned_allocate(bytes);
  return ::operator new(bytes, host_alignment);
}

void pinned_release(backend where, void* p) noexcept {
  if (where == backend::cuda)
    cuda_pinned_release(p);
  else
    ::operator delete(p, host_alignment);
}

void copy_bytes(stream const& s, void* to, void const* from, std::size_t bytes, copy_kind kind) {
  if (bytes == 0) return;
  if (s.where() == backend::cuda) {
    cuda_copy(s.native(), to, from, bytes, static_cast<int>(kind));
    return;
  }
  std::memcpy(to, from, bytes);
}

}  // namespace detail
}  // namespace geosweep::kernels
