#pragma once
/// \file
/// What geosweep knows of each sensor: the file code of each common band, the quality band
/// and how it marks clear pixels, and DN-to-reflectance. docs/job-spec.md describes each.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "geosweep/kernels/indices.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "load/scene_reader.hpp"

namespace geosweep::pipeline {

struct scene;

/// How a quality band marks clear pixels.
struct quality_rule {
  enum class kind { none, classes, bits };
  kind type = kind::none;
  kernels::class_is_clear_op classes;  ///< kind::classes, e.g. Sentinel-2 SCL 4-7
  kernels::bits_are_clear_op bits;     ///< kind::bits, e.g. Landsat QA_PIXEL bits 0-5
};

/// Band codes of a named profile for one product, by common name (red -> B04, or SR_B4 for
/// Landsat 8), plus the quality band's code. Landsat codes depend on the mission, read from
/// the product name (LC08/LC09: OLI; LT04/LT05/LE07: TM/ETM+).
struct band_codes {
  std::map<std::string, std::string> bands;
  std::string quality;
  std::string saturation;  ///< the per-band saturation bits (Landsat QA_RADSAT), or empty
};

/// Codes for `sensor` (a named profile) and a product called `product_name`; nullopt when
/// the profile cannot tell (a Landsat name of no known mission).
std::optional<band_codes> named_band_codes(sensor_type sensor, std::string const& product_name);

/// The quality rule of the job's sensor.
quality_rule quality_rule_for(sensor_spec const& sensor);

/// DN-to-reflectance of one band of scene `s`, from the sensor profile and the band's own
/// metadata (Sentinel-2 BOA_ADD_OFFSET / QUANTIFICATION_VALUE when present), for DNs read in
/// 16 bits. Throws geosweep::config_error when the job's nodata or saturated codes cannot be
/// values of the band's type (a non-integer for an integer band).
kernels::reflectance_op band_reflectance(sensor_spec const& sensor, scene const& s,
                                         band_reader const& band);

/// Everything that turns one band's DNs into reflectance, whatever its type.
struct band_radiometry {
  /// True when the band is read in 16 bits (Byte or UInt16, no saturated codes, at most one
  /// nodata value): the fast path, with `dn16`. Otherwise its DNs are read as doubles, `real`.
  bool dn16_path = true;
  kernels::reflectance_op dn16;
  kernels::real_reflectance_op real;
  invalid_dns invalid;  ///< the nodata value and saturated codes a warp leaves out
  /// The bit of the scene's saturation band (Landsat QA_RADSAT) set where this band is
  /// saturated; -1 when there is none.
  int saturation_bit = -1;
};

/// The radiometry of band `name` (red, nir, ...) of scene `s`. Throws geosweep::config_error
/// as band_reflectance does, and geosweep::io_error for a floating-point band of a named
/// profile (whose bands hold integer DNs).
band_radiometry radiometry_of(sensor_spec const& sensor, scene const& s, std::string const& name,
                              band_reader const& band);

/// The QA_RADSAT bit of a Landsat band code: SR_Bn is bit n - 1; nullopt for other codes.
std::optional<int> landsat_saturation_bit(std::string const& code);

}  // namespace geosweep::pipeline
