#include "geosweep/pipeline/alert.hpp"

#include <fmt/format.h>

namespace geosweep::pipeline {

std::string stable_alert_id(std::string const& aoi, double lat, double lon,
                            std::int32_t first_day) {
  std::string const key = fmt::format("{}|{:.4f}|{:.4f}|{}", aoi, lat, lon, first_day);
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return fmt::format("gs-{:012x}", hash & 0xFFFFFFFFFFFFull);
}

}  // namespace geosweep::pipeline
