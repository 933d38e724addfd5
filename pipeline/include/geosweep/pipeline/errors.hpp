#pragma once
/// \file
/// Errors of the pipeline layer. Each class maps to its own exit code (see README).

#include <string>

#include "geosweep/kernels/error.hpp"

namespace geosweep {

/// A job file is malformed or inconsistent. what() reads `FILE:LINE:COL: key.path: message`.
class config_error : public error {
 public:
  using error::error;
};

/// Reading or writing a file failed (missing input, GDAL/HDF5 failure, bad raster).
class io_error : public error {
 public:
  using error::error;
};

}  // namespace geosweep
