#pragma once
// Internal to pipeline/src: the colour of each alert cause, shared by the reports (alert tables,
// network pages) and the GeoPackage's QGIS style by cause, so that a cause looks the same
// everywhere.

#include <cstdint>

#include "geosweep/pipeline/alert.hpp"

namespace geosweep::pipeline {

/// The colour (0xRRGGBB) of each alert cause in tables and legends: clearing orange, burn dark
/// red, mining brown, flooding blue, other and unknown greys.
inline constexpr std::uint32_t cause_colour(alert_cause cause) {
  switch (cause) {
    case alert_cause::clearing:
      return 0xE6550D;
    case alert_cause::burn:
      return 0x99000D;
    case alert_cause::mining:
      return 0x8C510A;
    case alert_cause::flooding:
      return 0x2171B5;
    case alert_cause::other:
      return 0x969696;
    case alert_cause::unknown:
      break;
  }
  return 0xD9D9D9;
}

}  // namespace geosweep::pipeline
