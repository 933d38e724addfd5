#pragma once
/// \file
/// Work that stays on one backend between calls: streams, events, device-resident arrays and
/// pinned host arrays. On the CUDA backend a `stream` is a CUDA stream, a `device_array` lives
/// in device memory, a `pinned_array` in page-locked host memory, and copies and transforms
/// are queued asynchronously. On the CPU backend the same calls run inline on host memory, so
/// code above the kernels does not branch on the backend.
///
///     kernels::stream s(backend);
///     kernels::device_array<float> red(s, n), nir(s, n), ndvi(s, n);
///     kernels::copy_to_device(s, red, host_red, n);  // host_red: a pinned_array for overlap
///     ...
///     kernels::transform_pixels(s, n, spectral_index_op{...}, ndvi.data(), red.data(), ...);
///     kernels::copy_to_host(s, host_ndvi, ndvi, n);
///     s.synchronize();                               // host_ndvi is ready

#include <cstddef>
#include <cstring>
#include <memory>
#include <type_traits>
#include <utility>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/fill.hpp"
#include "geosweep/kernels/transform.hpp"

namespace geosweep::kernels {

class event;

/// An ordered queue of work on one backend (a CUDA stream, or inline on the CPU).
class stream {
 public:
  /// A new stream on `where` (`automatic` is resolved).
  explicit stream(backend where);
  stream(stream const&) = delete;
  stream& operator=(stream const&) = delete;
  stream(stream&& other) noexcept;
  stream& operator=(stream&& other) noexcept;
  ~stream();

  [[nodiscard]] backend where() const { return where_; }
  /// The cudaStream_t on the CUDA backend, nullptr on the CPU.
  [[nodiscard]] void* native() const { return native_; }
  /// Waits until everything queued so far has run; throws cuda_error if any of it failed.
  void synchronize() const;
  /// Waits like synchronize but never throws: for unwinding, when host memory that queued
  /// work reads or writes is about to be freed (a failure is reported by the next
  /// synchronize). The destructor drains too.
  void drain() const noexcept;
  /// Work queued after this call waits for `e` (recorded on any stream of the same backend).
  void wait(event const& e) const;

 private:
  backend where_;
  void* native_ = nullptr;
};

/// A point in a stream's work that other streams (or the host) can wait for.
class event {
 public:
  explicit event(backend where);
  event(event const&) = delete;
  event& operator=(event const&) = delete;
  event(event&& other) noexcept;
  event& operator=(event&& other) noexcept;
  ~event();

  [[nodiscard]] backend where() const { return where_; }
  [[nodiscard]] void* native() const { return native_; }
  /// Marks the current end of `s`'s queued work.
  void record(stream const& s);
  /// Waits on the host until the recorded work has run.
  void synchronize() const;

 private:
  backend where_;
  void* native_ = nullptr;
};

namespace detail {
void* device_allocate(stream const& s, std::size_t bytes);
void device_release(stream const& s, void* p) noexcept;
void* pinned_allocate(backend where, std::size_t bytes);  // `where` resolved: cpu or cuda
void pinned_release(backend where, void* p) noexcept;
/// `to_device`: host to device (else device to host); a device-to-device copy is `both`.
enum class copy_kind { to_device, to_host, on_device };
void copy_bytes(stream const& s, void* to, void const* from, std::size_t bytes, copy_kind kind);
}  // namespace detail

/// `size` elements of T resident where a stream computes (uninitialised). Freed in the
/// stream's order, so it must not outlive its stream.
template <class T>
class device_array {
  static_assert(std::is_trivially_copyable_v<T>, "device arrays hold plain values");

 public:
  using value_type = T;
  device_array() = default;
  device_array(stream const& s, std::size_t size)
      : stream_(&s),
        size_(size),
        data_(static_cast<T*>(size > 0 ? detail::device_allocate(s, size * sizeof(T)) : nullptr)) {}
  device_array(device_array const&) = delete;
  device_array& operator=(device_array const&) = delete;
  device_array(device_array&& other) noexcept { swap(other); }
  device_array& operator=(device_array&& other) noexcept {
    device_array(std::move(other)).swap(*this);
    return *this;
  }
  ~device_array() {
    if (data_ != nullptr) detail::device_release(*stream_, data_);
  }

  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] T const* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }

 private:
  void swap(device_array& other) noexcept {
    std::swap(stream_, other.stream_);
    std::swap(size_, other.size_);
    std::swap(data_, other.data_);
  }
  stream const* stream_ = nullptr;
  std::size_t size_ = 0;
  T* data_ = nullptr;
};

/// `size` elements of T in host memory that the GPU copies from and to asynchronously
/// (page-locked on the CUDA backend, ordinary memory on the CPU). Zero-initialised.
template <class T>
class pinned_array {
  static_assert(std::is_trivially_copyable_v<T>, "pinned arrays hold plain values");

 public:
  pinned_array() = default;
  pinned_array(backend where, std::size_t size)
      : where_(resolve_backend(where)),
        size_(size),
        data_(static_cast<T*>(size > 0 ? detail::pinned_allocate(where_, size * sizeof(T))
                                       : nullptr)) {
    if (data_ != nullptr) std::memset(static_cast<void*>(data_), 0, size * sizeof(T));
  }
  pinned_array(pinned_array const&) = delete;
  pinned_array& operator=(pinned_array const&) = delete;
  pinned_array(pinned_array&& other) noexcept { swap(other); }
  pinned_array& operator=(pinned_array&& other) noexcept {
    pinned_array(std::move(other)).swap(*this);
    return *this;
  }
  ~pinned_array() {
    if (data_ != nullptr) detail::pinned_release(where_, data_);
  }

  [[nodiscard]] T* data() { return data_; }
  [[nodiscard]] T const* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }
  /// Where the memory lives: `cuda` for page-locked memory, `cpu` for ordinary memory.
  [[nodiscard]] backend where() const { return where_; }
  [[nodiscard]] T* begin() { return data_; }
  [[nodiscard]] T* end() { return data_ + size_; }
  [[nodiscard]] T const* begin() const { return data_; }
  [[nodiscard]] T const* end() const { return data_ + size_; }
  T& operator[](std::size_t i) { return data_[i]; }
  T const& operator[](std::size_t i) const { return data_[i]; }

 private:
  void swap(pinned_array& other) noexcept {
    std::swap(where_, other.where_);
    std::swap(size_, other.size_);
    std::swap(data_, other.data_);
  }
  backend where_ = backend::cpu;
  std::size_t size_ = 0;
  T* data_ = nullptr;
};

/// Queues a copy of `n` host elements into `to` (asynchronous from a pinned_array).
template <class T>
void copy_to_device(stream const& s, device_array<T>& to, T const* from, std::size_t n) {
  GEOSWEEP_EXPECTS(n <= to.size(), "the copy fits the device array");
  detail::copy_bytes(s, to.data(), from, n * sizeof(T), detail::copy_kind::to_device);
}

/// Queues a copy of the first `n` elements of `from` into host memory (asynchronous into a
/// pinned_array; read it after the stream is synchronised).
template <class T>
void copy_to_host(stream const& s, T* to, device_array<T> const& from, std::size_t n) {
  GEOSWEEP_EXPECTS(n <= from.size(), "the copy reads inside the device array");
  detail::copy_bytes(s, to, from.data(), n * sizeof(T), detail::copy_kind::to_host);
}

/// out[i] = op(in[i]...) for i in [0, n), queued on `s`. The pointers are resident where `s`
/// computes (device_array data on the CUDA backend).
template <class Op, class Out, class... In>
void transform_pixels(stream const& s, std::size_t n, Op const& op, Out* out, In const*... in) {
  if (s.where() == backend::cpu) {
    transform_pixels_cpu(n, op, out, in...);
    return;
  }
#if GEOSWEEP_HAVE_CUDA
  if (n > 0) detail::cuda_transform<Op, Out, In...>::launch(s.native(), n, op, out, in...);
#else
  throw cuda_error("this geosweep was built without the CUDA backend");
#endif
}

/// op(i) for i in [0, n), queued on `s`; `op` holds pointers resident where `s` computes.
template <class Op>
void for_each_pixel(stream const& s, std::size_t n, Op const& op) {
  if (s.where() == backend::cpu) {
    for_each_pixel_cpu(n, op);
    return;
  }
#if GEOSWEEP_HAVE_CUDA
  if (n > 0) detail::cuda_for_each<Op>::launch(s.native(), n, op);
#else
  throw cuda_error("this geosweep was built without the CUDA backend");
#endif
}

/// Queues `to[i] = value` for the first `n` elements.
template <class T>
void fill(stream const& s, device_array<T>& to, std::size_t n, T value) {
  GEOSWEEP_EXPECTS(n <= to.size(), "the fill stays inside the device array");
  transform_pixels(s, n, fill_op<T>{value}, to.data());
}

}  // namespace geosweep::kernels
