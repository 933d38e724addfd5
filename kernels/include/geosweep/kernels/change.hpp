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
  change_grown = 3,          ///< a weaker fall (grow x drop): part of a patch grown from seeds
                             ///< where `patch` > 0, else evidence only (docs/detector.md)
  change_no_model = 253,     ///< `bfast`: too few clear history looks to fit the model, or
                             ///< looks that do not determine it (docs/detector.md)
  change_outside_aoi = 254,  ///< outside the area of interest
  change_no_data = 255,      ///< inside the AOI but without the clear observations needed
};

/// Zones of an AOI mask as the detectors' classifiers read it: outside the AOI; the core,
/// where seeds start (an inside mask of 0 and 1 is all core); and the part within
/// `change.edge_buffer_m` of the AOI's edge, which growth may enter but no seed may start in.
enum aoi_zone : std::uint8_t {
  zone_outside = 0,
  zone_core = 1,
  zone_edge = 2,
};

/// Whether a class is a clear observation (no change, or change of any kind).
GEOSWEEP_HD inline bool is_observed_class(std::uint8_t cls) {
  return cls == change_none || cls == change_low || cls == change_high || cls == change_grown;
}

/// Bitemporal loss: a pixel that was forest (index before >= forest_min) and whose index
/// dropped by at least `drop` is loss (high confidence: both looks are clear) and a seed of a
/// patch. With `grow_drop` > 0, a forest pixel whose index dropped by at least `grow_drop`
/// (and a seed in the AOI's edge zone) is change_grown: it joins a patch only where it
/// touches one grown from a seed. Inputs: index before, index after, AOI zone (aoi_zone).
struct bitemporal_change_op {
  float drop = 0.25f;
  float forest_min = 0.6f;
  float grow_drop = 0.0f;  ///< 0: no growth

  // Selects in order of precedence, the last the strongest (the CPU loop vectorizes): outside
  // the AOI, then no clear look, then not forest before, then a seed or a weaker fall.
  GEOSWEEP_HD std::uint8_t operator()(float before, float after, std::uint8_t zone) const {
    float const fall = before - after;
    bool const seed = (fall >= drop) & (zone == zone_core);
    bool const grown = (grow_drop > 0.0f) & (fall >= grow_drop);
    using u8 = std::uint8_t;
    u8 cls = seed ? u8{change_high} : (grown ? u8{change_grown} : u8{change_none});
    cls = before < forest_min ? u8{change_none} : cls;
    bool const nan_before = is_nodata(before), nan_after = is_nodata(after);
    cls = (nan_before | nan_after) ? u8{change_no_data} : cls;
    return zone == zone_outside ? u8{change_outside_aoi} : cls;
  }
};

/// 1 for change of any kind (seeds and grown pixels), else 0: the foreground of patch
/// labelling.
struct is_change_op {
  GEOSWEEP_HD std::uint8_t operator()(std::uint8_t cls) const {
    return (cls == change_low || cls == change_high || cls == change_grown) ? 1 : 0;
  }
};

/// The status a pixel gives its patch: its class for a seed (low or high), 0 for a grown
/// pixel or no change. A patch whose pixels all give 0 has no seed and is dropped.
struct seed_status_op {
  GEOSWEEP_HD std::uint8_t operator()(std::uint8_t cls) const {
    return (cls == change_low || cls == change_high) ? cls : std::uint8_t{0};
  }
};

/// A seed's date, or no_date for any other pixel: a patch's dates follow its seeds.
struct seed_date_op {
  GEOSWEEP_HD std::int32_t operator()(std::int32_t date, std::uint8_t cls) const {
    return (cls == change_low || cls == change_high) ? date : no_date;
  }
};

}  // namespace geosweep::kernels
