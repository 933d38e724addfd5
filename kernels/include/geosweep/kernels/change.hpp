#pragma once
/// \file
/// Change classification functors.

#include <cstdint>

#include "geosweep/kernels/hd.hpp"

namespace geosweep::kernels {

/// Classes of the change mask written by every method.
enum change_class : std::uint8_t {
  change_none = 0,           ///< clear in both periods, no loss detected
  change_loss = 1,           ///< forest whose index dropped by at least the threshold
  change_outside_aoi = 254,  ///< outside the area of interest
  change_no_data = 255,      ///< inside the AOI but without a clear observation in a period
};

/// Bitemporal loss: a pixel that was forest (index before >= forest_min) and whose index
/// dropped by at least `drop` is loss. Inputs: index before, index after, AOI mask (0 outside).
struct bitemporal_change_op {
  float drop = 0.25f;
  float forest_min = 0.6f;

  GEOSWEEP_HD std::uint8_t operator()(float before, float after, std::uint8_t inside) const {
    if (inside == 0) return change_outside_aoi;
    if (is_nodata(before) || is_nodata(after)) return change_no_data;
    if (before >= forest_min && before - after >= drop) return change_loss;
    return change_none;
  }
};

}  // namespace geosweep::kernels
