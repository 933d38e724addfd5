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

namespace geosweep::pipeline {

class band_reader;
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
};

/// Codes for `sensor` (a named profile) and a product called `product_name`; nullopt when
/// the profile cannot tell (a Landsat name of no known mission).
std::optional<band_codes> named_band_codes(sensor_type sensor, std::string const& product_name);

/// The quality rule of the job's sensor.
quality_rule quality_rule_for(sensor_spec const& sensor);

/// DN-to-reflectance of one band of scene `s`, from the sensor profile and the band's own
/// metadata (Sentinel-2 BOA_ADD_OFFSET / QUANTIFICATION_VALUE when present).
kernels::reflectance_op band_reflectance(sensor_spec const& sensor, scene const& s,
                                         band_reader const& band);

}  // namespace geosweep::pipeline
