#pragma once
/// \file
/// The exception hierarchy of geosweep. Host code throws; device code never does.

#include <stdexcept>
#include <string>

namespace geosweep {

/// Base of every error geosweep reports to a user.
class error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A CUDA runtime call failed, or a CUDA backend was asked for where none exists.
class cuda_error : public error {
 public:
  using error::error;
};

/// A caller broke a precondition of an API (a programming error, not bad input).
class logic_error : public error {
 public:
  using error::error;
};

}  // namespace geosweep

/// Throws geosweep::logic_error with `msg` when `cond` is false.
#define GEOSWEEP_EXPECTS(cond, msg)                                                             \
  do {                                                                                          \
    if (!(cond))                                                                                \
      throw ::geosweep::logic_error(std::string("expects ") + #cond + ": " + std::string(msg)); \
  } while (0)
