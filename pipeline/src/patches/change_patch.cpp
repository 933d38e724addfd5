#include "geosweep/pipeline/change_patch.hpp"

#include <fmt/format.h>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "geosweep/pipeline/civil_date.hpp"

namespace geosweep::pipeline {

std::string day_or_empty(std::int32_t day) {
  return day == kernels::no_date ? std::string() : to_iso(from_days_since_epoch(day));
}

std::string confidence_name(std::uint8_t confidence) {
  return confidence == kernels::change_high ? "high" : "low";
}

std::string stable_alert_id(std::string const& aoi, double lat, double lon,
                            std::int32_t first_date) {
  std::string const key = fmt::format("{}|{:.4f}|{:.4f}|{}", aoi, lat, lon, first_date);
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (unsigned char c : key) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return fmt::format("gs-{:012x}", hash & 0xFFFFFFFFFFFFull);
}

}  // namespace geosweep::pipeline
