#pragma once
// Internal to pipeline/src: the few text conversions the stages share. Lists are joined with
// fmt::join (<fmt/format.h>).

#include <string>
#include <string_view>

namespace geosweep::pipeline {

/// ASCII lower case (file extensions, URL schemes, header names, keys).
std::string lower(std::string_view text);

/// ASCII upper case (band codes, index names in titles).
std::string upper(std::string_view text);

/// Square metres in hectares.
constexpr double m2_to_ha(double m2) {
  return m2 / 10000.0;
}

}  // namespace geosweep::pipeline
