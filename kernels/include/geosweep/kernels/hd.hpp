#pragma once
/// \file
/// Portability macro for functions that run on both backends.

#ifdef __CUDACC__
/// Marks a function callable from host and device code; plain inline on a host-only build.
#define GEOSWEEP_HD __host__ __device__
#else
#define GEOSWEEP_HD
#endif

namespace geosweep::kernels {

/// A quiet NaN, the nodata value of every floating-point raster geosweep computes.
GEOSWEEP_HD inline float nodata_f32() {
  return __builtin_nanf("");
}

/// True for NaN; written as a comparison so it never depends on <cmath> in device code.
GEOSWEEP_HD inline bool is_nodata(float v) {
  return v != v;
}

}  // namespace geosweep::kernels
