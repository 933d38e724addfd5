#pragma once
/// \file
/// Per-pixel radiometry, quality masks and spectral indices as functors shared by both
/// backends. Only + - * / and a correctly rounded sqrt appear in the bodies, and the build
/// turns off FMA contraction on both sides, so CPU and CUDA results are bit-identical.
/// docs/indices.md gives the formulas, references and edge cases.

#include <cstdint>

#include "geosweep/kernels/hd.hpp"

namespace geosweep::kernels {

/// Digital number to surface reflectance: (DN + add_offset) / quantification * scale + offset.
/// Sentinel-2 L2A uses quantification 10000 and add_offset -1000 from processing baseline
/// 04.00 (January 2022), with scale 1 and offset 0 (both exact); Landsat Collection 2 uses
/// scale 0.0000275 and offset -0.2. `nodata` DNs and DNs at or above `saturation` become NaN.
struct reflectance_op {
  float add_offset = 0.0f;
  float quantification = 1.0f;
  float scale = 1.0f;
  float offset = 0.0f;
  std::uint16_t nodata = 0;
  bool has_nodata = true;
  std::uint16_t saturation = 65535;  ///< 65535 with 16-bit data: the sensor's saturated code

  // Written as selects, not early returns, so that the CPU loops vectorize; the values are
  // the same on both backends (the arithmetic is computed, then discarded where invalid).
  GEOSWEEP_HD float operator()(std::uint16_t dn) const {
    float const r =
        canonical_nan((static_cast<float>(dn) + add_offset) / quantification * scale + offset);
    bool const invalid = (has_nodata & (dn == nodata)) | (dn >= saturation);
    return invalid ? nodata_f32() : r;
  }

  /// Reflectance of a pixel whose quality flag says it is not clear is NaN too.
  GEOSWEEP_HD float operator()(std::uint16_t dn, std::uint8_t clear) const {
    float const r = (*this)(dn);
    return clear != 0 ? r : nodata_f32();
  }
};

/// How many saturated DN codes a band can name (sensor.saturated).
inline constexpr int max_saturated_codes = 8;

/// DN of any other type (Int16, UInt32, Int32, Float32, Float64, held as double) to surface
/// reflectance, with the arithmetic of reflectance_op: (float(DN) + add_offset) /
/// quantification * scale + offset, so a DN gives the same reflectance whichever type holds
/// it. DNs that are not finite, the `nodata` DN and the `saturated` codes become NaN. The
/// pipeline gives nodata and codes in the band's own type (a Float32 band's as floats).
struct real_reflectance_op {
  float add_offset = 0.0f;
  float quantification = 1.0f;
  float scale = 1.0f;
  float offset = 0.0f;
  double nodata = 0.0;
  bool has_nodata = false;
  int saturated_count = 0;  ///< the first saturated_count entries of `saturated` are used
  double saturated[max_saturated_codes + 1] = {};  ///< the job's codes, and 65535 of UInt16

  GEOSWEEP_HD float operator()(double dn) const {
    if (!(dn - dn == 0.0)) return nodata_f32();  // NaN or infinite
    if (has_nodata && dn == nodata) return nodata_f32();
    for (int k = 0; k < saturated_count; ++k) {
      if (dn == saturated[k]) return nodata_f32();
    }
    return canonical_nan((static_cast<float>(dn) + add_offset) / quantification * scale + offset);
  }

  /// Reflectance of a pixel whose quality flag says it is not clear is NaN too.
  GEOSWEEP_HD float operator()(double dn, std::uint8_t clear) const {
    return clear != 0 ? (*this)(dn) : nodata_f32();
  }
};

/// Quality classes (for example Sentinel-2 SCL): 1 when `cls` is one of the classes set in
/// `clear_classes` (bit k: class k is clear), else 0. Classes >= 32 are never clear.
struct class_is_clear_op {
  std::uint32_t clear_classes = 0;

  GEOSWEEP_HD std::uint8_t operator()(std::uint16_t cls) const {
    return (cls < 32 && ((clear_classes >> cls) & 1u) != 0) ? 1 : 0;
  }
};

/// Quality bit fields (for example Landsat Collection 2 QA_PIXEL): 1 when none of
/// `reject_bits` is set and all of `require_bits` are, else 0.
struct bits_are_clear_op {
  std::uint16_t reject_bits = 0;
  std::uint16_t require_bits = 0;

  GEOSWEEP_HD std::uint8_t operator()(std::uint16_t qa) const {
    return ((qa & reject_bits) == 0 && (qa & require_bits) == require_bits) ? 1 : 0;
  }
};

/// (a - b) / (a + b): NaN when either input is NaN or the denominator is zero; clamped to
/// [-1, 1] because negative reflectances (possible after the BOA offset) can push it outside.
struct normalized_difference_op {
  // Selects, not early returns (the CPU loop vectorizes): the quotient is computed for every
  // pixel and replaced by NaN where an input is NaN, the sum is zero or it is NaN itself (from
  // infinite inputs).
  GEOSWEEP_HD float operator()(float a, float b) const {
    float const sum = a + b;
    float const v = (a - b) / sum;
    float const clamped = v > 1.0f ? 1.0f : (v < -1.0f ? -1.0f : v);
    bool const nan_a = is_nodata(a), nan_b = is_nodata(b), nan_v = is_nodata(v);
    bool const invalid = nan_a | nan_b | (sum == 0.0f) | nan_v;
    return invalid ? nodata_f32() : clamped;
  }
};

/// The spectral indices geosweep computes; see docs/indices.md.
enum class index_kind : std::uint8_t {
  ndvi,   ///< (nir - red) / (nir + red)
  nbr,    ///< (nir - swir2) / (nir + swir2)
  nbr2,   ///< (swir1 - swir2) / (swir1 + swir2)
  ndmi,   ///< (nir - swir1) / (nir + swir1)
  ndwi,   ///< (green - nir) / (green + nir), McFeeters 1996
  mndwi,  ///< (green - swir1) / (green + swir1), Xu 2006
  evi,    ///< 2.5 (nir - red) / (nir + 6 red - 7.5 blue + 1)
  savi,   ///< 1.5 (nir - red) / (nir + red + 0.5)
  msavi,  ///< (2 nir + 1 - sqrt((2 nir + 1)^2 - 8 (nir - red))) / 2
  bsi,    ///< ((swir1 + red) - (nir + blue)) / ((swir1 + red) + (nir + blue))
};

/// Whether an index is a plain normalized difference of its two bands (normalized_difference_op).
GEOSWEEP_HD constexpr bool is_normalized_difference(index_kind kind) {
  return kind == index_kind::ndvi || kind == index_kind::nbr || kind == index_kind::nbr2 ||
         kind == index_kind::ndmi || kind == index_kind::ndwi || kind == index_kind::mndwi;
}

/// Any index from its bands' reflectances, in the band order the pipeline's index table gives
/// (spectral_index.hpp). Two-band indices use operator()(a, b), EVI (nir, red, blue) the
/// three-band form, BSI (swir1, red, nir, blue) the four-band form. NaN in, NaN out; a zero
/// denominator or a negative square-root argument gives NaN.
struct spectral_index_op {
  index_kind kind = index_kind::ndvi;

  GEOSWEEP_HD float operator()(float a, float b) const {
    switch (kind) {
      case index_kind::savi: {
        if (is_nodata(a) || is_nodata(b)) return nodata_f32();
        float const denominator = a + b + 0.5f;
        if (denominator == 0.0f) return nodata_f32();
        return canonical_nan(1.5f * (a - b) / denominator);
      }
      case index_kind::msavi: {
        if (is_nodata(a) || is_nodata(b)) return nodata_f32();
        float const t = 2.0f * a + 1.0f;
        float const radicand = t * t - 8.0f * (a - b);
        if (radicand < 0.0f) return nodata_f32();
        return canonical_nan((t - sqrt_rn(radicand)) / 2.0f);
      }
      default:
        return normalized_difference_op{}(a, b);
    }
  }

  GEOSWEEP_HD float operator()(float nir, float red, float blue) const {
    // EVI (MODIS coefficients): G = 2.5, C1 = 6, C2 = 7.5, L = 1.
    if (is_nodata(nir) || is_nodata(red) || is_nodata(blue)) return nodata_f32();
    float const denominator = nir + 6.0f * red - 7.5f * blue + 1.0f;
    if (denominator == 0.0f) return nodata_f32();
    return canonical_nan(2.5f * (nir - red) / denominator);
  }

  GEOSWEEP_HD float operator()(float swir1, float red, float nir, float blue) const {
    if (is_nodata(swir1) || is_nodata(red) || is_nodata(nir) || is_nodata(blue))
      return nodata_f32();
    return normalized_difference_op{}(swir1 + red, nir + blue);
  }
};

/// Per-pixel "latest clear observation" composite: keeps `previous` where `candidate` is
/// nodata. Folding scenes in date order leaves the most recent clear value.
struct latest_clear_op {
  GEOSWEEP_HD float operator()(float previous, float candidate) const {
    return is_nodata(candidate) ? previous : candidate;
  }
};

/// The day of the latest clear observation: `day` where `candidate` is clear, else
/// `previous`. In int32 (the bitemporal detector's date of its latest look) or in float, the
/// date layer kept beside a latest_clear_op composite (NaN: none yet; day numbers are exact in
/// float below 2^24, past the year 45000).
template <class Day>
struct latest_clear_date_op {
  Day day;
  GEOSWEEP_HD Day operator()(Day previous, float candidate) const {
    return is_nodata(candidate) ? previous : day;
  }
};

/// `day` where all four bands are clear, else NaN: the pixels a date can give a multi-band
/// composite (pass a band more than once for fewer than four).
struct all_clear_day_op {
  float day;
  GEOSWEEP_HD float operator()(float a, float b, float c, float d) const {
    // Named, then combined with | (no branches, so the loop vectorizes).
    bool const missing_a = is_nodata(a), missing_b = is_nodata(b);
    bool const missing_c = is_nodata(c), missing_d = is_nodata(d);
    bool const missing = missing_a | missing_b | missing_c | missing_d;
    return missing ? nodata_f32() : day;
  }
};

/// A band of a multi-band composite: `candidate` where `look` is clear (all_clear_day_op of
/// the date), else `previous`. Every band of a pixel then comes from the same date.
struct latest_where_clear_op {
  GEOSWEEP_HD float operator()(float previous, float candidate, float look) const {
    return is_nodata(look) ? previous : candidate;
  }
};

/// Counts clear observations (saturating at 65535).
struct clear_count_op {
  GEOSWEEP_HD std::uint16_t operator()(std::uint16_t previous, float candidate) const {
    return is_nodata(candidate) || previous == 65535 ? previous
                                                     : static_cast<std::uint16_t>(previous + 1);
  }
};

}  // namespace geosweep::kernels
