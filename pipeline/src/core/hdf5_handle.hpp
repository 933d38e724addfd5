#pragma once
// Internal to pipeline/src: RAII for HDF5 identifiers and HDF5's error stack, shared by the
// netCDF writer (hdf5_writer.cpp) and the monitoring state file (state_file.cpp).

#include <hdf5.h>

#include <string>
#include <utility>

namespace geosweep::pipeline {

/// Owns one HDF5 identifier and the function that releases it.
class h5_handle {
 public:
  using closer = herr_t (*)(hid_t);

  h5_handle() = default;
  h5_handle(hid_t id, closer close) : id_(id), close_(close) {}
  h5_handle(h5_handle&& other) noexcept
      : id_(std::exchange(other.id_, H5I_INVALID_HID)), close_(other.close_) {}
  h5_handle& operator=(h5_handle&& other) noexcept {
    if (this != &other) {
      reset();
      id_ = std::exchange(other.id_, H5I_INVALID_HID);
      close_ = other.close_;
    }
    return *this;
  }
  h5_handle(h5_handle const&) = delete;
  h5_handle& operator=(h5_handle const&) = delete;
  ~h5_handle() { reset(); }

  [[nodiscard]] hid_t get() const { return id_; }

  /// Releases the identifier; returns HDF5's status so commit() can see a failed close.
  herr_t reset() {
    herr_t status = 0;
    if (id_ >= 0 && close_ != nullptr) status = close_(id_);
    id_ = H5I_INVALID_HID;
    return status;
  }

 private:
  hid_t id_ = H5I_INVALID_HID;
  closer close_ = nullptr;
};

/// Turns off HDF5's printing of its error stack for the lifetime of the guard; the stack
/// is folded into the io_error message instead.
class quiet_hdf5_errors {
 public:
  quiet_hdf5_errors() {
    H5Eget_auto2(H5E_DEFAULT, &saved_func_, &saved_data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  quiet_hdf5_errors(quiet_hdf5_errors const&) = delete;
  quiet_hdf5_errors& operator=(quiet_hdf5_errors const&) = delete;
  ~quiet_hdf5_errors() { H5Eset_auto2(H5E_DEFAULT, saved_func_, saved_data_); }

 private:
  H5E_auto2_t saved_func_ = nullptr;
  void* saved_data_ = nullptr;
};

inline herr_t innermost_error(unsigned /*n*/, H5E_error2_t const* entry, void* data) {
  auto* message = static_cast<std::string*>(data);
  if (entry->desc != nullptr && entry->desc[0] != '\0') *message = entry->desc;
  return 0;
}

/// A failed system call as HDF5 describes it ("file write failed: time = ..., filename = ...,
/// errno = 28, error message = 'No space left on device', buf = ...", over two lines) as the
/// one line a user needs: "No space left on device (errno 28)". Other text is kept.
inline std::string system_error_of(std::string const& description) {
  std::string const key = "error message = '";
  auto const at = description.find(key);
  if (at == std::string::npos) return description;
  auto const end = description.find('\'', at + key.size());
  std::string reason = description.substr(at + key.size(), end - at - key.size());
  auto const errno_at = description.find("errno = ");
  if (errno_at != std::string::npos) {
    auto const digits =
        description.substr(errno_at + 8, description.find(',', errno_at) - errno_at - 8);
    reason += " (errno " + digits + ")";
  }
  return reason;
}

/// The deepest description on HDF5's error stack: the one that names the real cause
/// (e.g. errno text), where the outer entries only say "unable to create file".
inline std::string take_hdf5_error() {
  std::string message;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, innermost_error, &message);
  H5Eclear2(H5E_DEFAULT);
  return system_error_of(message);
}

/// HDF5's exit handler stays off. A file whose close failed (a full disk: its metadata cannot
/// be flushed) stays in HDF5's tables, and at exit the handler flushes it again and crashes
/// (HDF5 1.10.8: SIGSEGV in H5F__close_cb), after geosweep has reported the error and removed
/// the temporary file. Set before main, ahead of any HDF5 call (it has no effect after one).
inline bool const hdf5_exit_handler_off = H5dont_atexit() >= 0;

}  // namespace geosweep::pipeline
