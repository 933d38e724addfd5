#pragma once
// Internal to pipeline/src: the few text conversions the stages share. Lists are joined with
// fmt::join (<fmt/format.h>).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace geosweep::pipeline {

/// ASCII lower case (file extensions, URL schemes, header names, keys).
std::string lower(std::string_view text);

/// ASCII upper case (band codes, index names in titles).
std::string upper(std::string_view text);

/// `path` percent-encoded for a relative URL: every byte but RFC 3986's unreserved characters
/// and '/' (a file name in a link may hold spaces and other characters).
std::string url_path(std::string_view path);

/// `text` percent-encoded for a query parameter or any other URL component: every byte but
/// RFC 3986's unreserved characters.
std::string url_component(std::string_view text);

/// The 64-bit FNV-1a hash of `bytes`: stable across runs, builds and machines (unlike
/// std::hash), for identifiers derived from content.
constexpr std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (char const c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

/// The time SOURCE_DATE_EPOCH (reproducible-builds.org: seconds since 1970, UTC) fixes, in
/// strftime's `format`; nothing when it is unset or empty. Outputs that would carry the clock
/// (a PDF's dates, a TIFF's TIFFTAG_DATETIME) carry this or nothing, so that the same inputs
/// give the same bytes.
std::optional<std::string> source_date(char const* format);

/// Square metres in hectares.
constexpr double m2_to_ha(double m2) {
  return m2 / 10000.0;
}

}  // namespace geosweep::pipeline
