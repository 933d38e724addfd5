#pragma once
/// \file
/// Change classes shared by every method, and the bitemporal classifier.

#include <cstdint>

#include "geosweep/kernels/hd.hpp"

namespace geosweep::kernels {

/// Classes of the change raster written by every method.
enum change_class : std::uint8_t {
  change_none = 0,           ///< clear observations, no loss detected
  change_low = 1,            ///< loss with low confidence (a candidate, not yet confirmed)
  change_high = 2,           ///< loss with high confidence (confirmed)
  change_outside_aoi = 254,  ///< outside the area of interest
  change_no_data = 255,      ///< inside the AOI but without the clear observations needed
};

/// Bitemporal loss: a pixel that was forest (index before >= forest_min) and whose index
/// dropped by at least `drop` is loss (high confidence: both looks are clear).
/// Inputs: index before, index after, AOI mask (0 outside).
struct bitemporal_change_op {
  float drop = 0.25f;
  float forest_min = 0.6f;

  GEOSWEEP_HD std::uint8_t operator()(float before, float after, std::uint8_t inside) const {
    if (inside == 0) return change_outside_aoi;
    if (is_nodata(before) || is_nodata(after)) return change_no_data;
    if (before >= forest_min && before - after >= drop) return change_high;
    return change_none;
  }
};

/// 1 for loss of either confidence, else 0: the foreground of patch labelling.
struct is_change_op {
  GEOSWEEP_HD std::uint8_t operator()(std::uint8_t cls) const {
    return (cls == change_low || cls == change_high) ? 1 : 0;
  }
};

}  // namespace geosweep::kernels
