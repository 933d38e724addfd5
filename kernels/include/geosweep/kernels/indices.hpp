#pragma once
/// \file
/// Per-pixel radiometry and spectral indices as functors shared by both backends.
/// Only + - * / appear in the bodies, so CPU and CUDA results are bit-identical
/// (the build turns off FMA contraction on both sides).

#include <cstdint>

#include "geosweep/kernels/hd.hpp"

namespace geosweep::kernels {

/// Digital number to surface reflectance: (DN + add_offset) / quantification * scale + offset.
/// Sentinel-2 L2A uses quantification 10000 and add_offset -1000 from processing baseline
/// 04.00 (January 2022), with scale 1 and offset 0 (both exact); Landsat Collection 2 uses
/// scale 0.0000275 and offset -0.2. `nodata` DNs become NaN.
struct reflectance_op {
  float add_offset = 0.0f;
  float quantification = 1.0f;
  float scale = 1.0f;
  float offset = 0.0f;
  std::uint16_t nodata = 0;
  bool has_nodata = true;

  GEOSWEEP_HD float operator()(std::uint16_t dn) const {
    if (has_nodata && dn == nodata) return nodata_f32();
    return (static_cast<float>(dn) + add_offset) / quantification * scale + offset;
  }
};

/// (a - b) / (a + b): NDVI with (nir, red), NBR with (nir, swir2). NaN when either input is
/// NaN or the denominator is zero; the result is clamped to [-1, 1] because negative
/// reflectances (possible after the BOA offset) can push it outside.
struct normalized_difference_op {
  GEOSWEEP_HD float operator()(float a, float b) const {
    if (is_nodata(a) || is_nodata(b)) return nodata_f32();
    float const sum = a + b;
    if (sum == 0.0f) return nodata_f32();
    float const v = (a - b) / sum;
    return v > 1.0f ? 1.0f : (v < -1.0f ? -1.0f : v);
  }
};

/// True when a quality-class value (for example a Sentinel-2 SCL class) is one of the
/// classes set in `clear_classes` (bit k set: class k is clear). Classes >= 32 are never clear.
struct class_is_clear_op {
  std::uint32_t clear_classes = 0;

  GEOSWEEP_HD bool operator()(std::uint8_t cls) const {
    return cls < 32 && ((clear_classes >> cls) & 1u) != 0;
  }
};

/// A normalized-difference index straight from two DN bands and a quality-class band:
/// NaN where the quality class is not clear or either DN is nodata.
struct index_from_dn_op {
  reflectance_op reflectance_a;
  reflectance_op reflectance_b;
  class_is_clear_op clear;

  GEOSWEEP_HD float operator()(std::uint16_t dn_a, std::uint16_t dn_b, std::uint8_t cls) const {
    if (!clear(cls)) return nodata_f32();
    return normalized_difference_op{}(reflectance_a(dn_a), reflectance_b(dn_b));
  }
};

/// The same index when the scene has no quality band.
struct index_from_dn_unmasked_op {
  reflectance_op reflectance_a;
  reflectance_op reflectance_b;

  GEOSWEEP_HD float operator()(std::uint16_t dn_a, std::uint16_t dn_b) const {
    return normalized_difference_op{}(reflectance_a(dn_a), reflectance_b(dn_b));
  }
};

/// Per-pixel "latest clear observation" composite: keeps `previous` where `candidate` is
/// nodata. Folding scenes in date order leaves the most recent clear value.
struct latest_clear_op {
  GEOSWEEP_HD float operator()(float previous, float candidate) const {
    return is_nodata(candidate) ? previous : candidate;
  }
};

}  // namespace geosweep::kernels
