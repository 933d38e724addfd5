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

/// Correctly rounded square root on both backends (IEEE 754 requires it of both), NaN for
/// negative inputs.
GEOSWEEP_HD inline float sqrt_rn(float x) {
#ifdef __CUDA_ARCH__
  return __fsqrt_rn(x);
#else
  return __builtin_sqrtf(x);
#endif
}

/// "No date" in int32 day-number rasters (days since 1970-01-01); the largest value, so a
/// minimum over dates ignores it.
inline constexpr int no_date = 2147483647;

}  // namespace geosweep::kernels
