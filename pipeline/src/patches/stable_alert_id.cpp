#include "geosweep/pipeline/alert.hpp"

#include <fmt/format.h>

#include "core/text.hpp"

namespace geosweep::pipeline {

std::string stable_alert_id(std::string const& aoi, double lat, double lon,
                            std::int32_t first_day) {
  std::string const key = fmt::format("{}|{:.4f}|{:.4f}|{}", aoi, lat, lon, first_day);
  return fmt::format("gs-{:012x}", fnv1a64(key) & 0xFFFFFFFFFFFFull);
}

}  // namespace geosweep::pipeline
