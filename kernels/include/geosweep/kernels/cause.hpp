#pragma once
/// \file
/// What a changed pixel turned into: the spectral evidence an alert's cause is decided from
/// (docs/detector.md, "Causes"). Each pixel's latest clear look before and after the change
/// gives one evidence class; a patch's cause follows from the shares of its pixels' classes
/// (pipeline/src/patches/cause_tally.hpp).
///
///   cause_evidence_op{}(nbr_before, nbr_after, mndwi_before, mndwi_after, bsi_after, red_after,
///                       swir2_before, swir2_after)
///
/// The thresholds:
///   - new open water: MNDWI after > 0 and before <= 0 (Xu 2006: water has MNDWI > 0);
///   - burn (char): dNBR = NBR before - NBR after >= 0.27, the lower bound of the
///     "moderate-low severity" class of FIREMON's landscape assessment (Key and Benson 2006),
///     with a dark surface (red after < 0.08) and a SWIR2 rise; the dNBR classes 0.44 and 0.66
///     split it into moderate-low, moderate-high and high severity;
///   - bare soil or spoil: BSI after > 0.1 (the bare soil index of Rikimaru et al. 2002);
///   - slash (vegetation loss without bare soil): dNBR >= 0.1, FIREMON's "unburned" upper bound;
///   - other: an index fall without any of these (dNBR < 0.1);
///   - unknown: a look or a band is missing (a sensor without SWIR bands says unknown, never
///     clearing or burn).

#include <cstdint>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"

namespace geosweep::kernels {

/// A pixel's evidence class, as change.nc's `cause` layer stores it.
enum cause_evidence : std::uint8_t {
  evidence_no_change = 0,           ///< not a changed pixel
  evidence_bare = 1,                ///< clearing: bare soil or spoil
  evidence_slash = 2,               ///< clearing: vegetation lost without bare soil
  evidence_burn_moderate_low = 3,   ///< char, dNBR in [0.27, 0.44)
  evidence_burn_moderate_high = 4,  ///< char, dNBR in [0.44, 0.66)
  evidence_burn_high = 5,           ///< char, dNBR >= 0.66
  evidence_water = 6,               ///< new open water (mining pit or flood, by its patch)
  evidence_other = 7,               ///< a fall of the change index without a burn-ratio fall
  evidence_unknown = 8,             ///< a look or a band is missing
  evidence_outside_aoi = 254,       ///< as change_outside_aoi
};
inline constexpr int evidence_classes = 9;  ///< evidence_no_change .. evidence_unknown

/// Whether an evidence class is one of the burn classes.
GEOSWEEP_HD inline bool is_burn_evidence(std::uint8_t e) {
  return e >= evidence_burn_moderate_low && e <= evidence_burn_high;
}

/// The evidence class of a pixel from its latest clear looks before and after (NaN: none).
struct cause_evidence_op {
  float water_mndwi = 0.0f;  ///< MNDWI above this is water
  float burn_dnbr = 0.27f;   ///< FIREMON moderate-low severity and above
  float moderate_high_dnbr = 0.44f;
  float high_dnbr = 0.66f;
  float char_red = 0.08f;  ///< char is darker than this in red
  float bare_bsi = 0.1f;   ///< bare soil and spoil are above this
  float loss_dnbr = 0.1f;  ///< FIREMON's unburned class ends here

  // Selects, in order of precedence, the last the strongest (the CPU loop vectorizes).
  GEOSWEEP_HD std::uint8_t operator()(float nbr_before, float nbr_after, float mndwi_before,
                                      float mndwi_after, float bsi_after, float red_after,
                                      float swir2_before, float swir2_after) const {
    using u8 = std::uint8_t;
    float const dnbr = nbr_before - nbr_after;
    bool const lost = dnbr >= loss_dnbr;
    bool const bare = bsi_after > bare_bsi;
    bool const burn = (dnbr >= burn_dnbr) & (red_after < char_red) & (swir2_after > swir2_before);
    bool const water = (mndwi_after > water_mndwi) & (mndwi_before <= water_mndwi);
    u8 const severity = dnbr >= high_dnbr            ? u8{evidence_burn_high}
                        : dnbr >= moderate_high_dnbr ? u8{evidence_burn_moderate_high}
                                                     : u8{evidence_burn_moderate_low};
    u8 e = lost ? u8{evidence_slash} : u8{evidence_other};
    e = (lost & bare) ? u8{evidence_bare} : e;
    e = burn ? severity : e;
    e = water ? u8{evidence_water} : e;
    bool const missing = is_nodata(nbr_before) || is_nodata(nbr_after) || is_nodata(mndwi_before) ||
                         is_nodata(mndwi_after) || is_nodata(bsi_after) || is_nodata(red_after) ||
                         is_nodata(swir2_before) || is_nodata(swir2_after);
    return missing ? u8{evidence_unknown} : e;
  }
};

/// The `cause` layer of a pixel: its evidence where it changed (any change class), no change
/// elsewhere inside the AOI, outside where the change class says so.
struct cause_pixel_op {
  GEOSWEEP_HD std::uint8_t operator()(std::uint8_t change, std::uint8_t evidence) const {
    using u8 = std::uint8_t;
    bool const changed =
        (change == change_low) | (change == change_high) | (change == change_grown);
    u8 const e = changed ? evidence : u8{evidence_no_change};
    return change == change_outside_aoi ? u8{evidence_outside_aoi} : e;
  }
};

}  // namespace geosweep::kernels
