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
/// `v`, or the nodata NaN (nodata_f32(), bits 0x7fc00000) where `v` is any NaN. Arithmetic
/// makes NaNs of different bit patterns on the two backends (x86 writes 0xffc00000, NVIDIA
/// GPUs 0x7fffffff), so every float a kernel computes, rather than copies, passes through
/// this: the backends then agree bit for bit on inputs such as infinities too.
GEOSWEEP_HD inline float canonical_nan(float v) {
  return is_nodata(v) ? nodata_f32() : v;
}

GEOSWEEP_HD inline float sqrt_rn(float x) {
#ifdef __CUDA_ARCH__
  return __fsqrt_rn(x);
#else
  return __builtin_sqrtf(x);
#endif
}

GEOSWEEP_HD inline double sqrt_rn(double x) {
#ifdef __CUDA_ARCH__
  return __dsqrt_rn(x);
#else
  return __builtin_sqrt(x);
#endif
}

/// "No date" in int32 day-number rasters (days since 1970-01-01); the largest value, so a
/// minimum over dates ignores it.
inline constexpr int no_date = 2147483647;

}  // namespace geosweep::kernels
