#include "core/text.hpp"

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace geosweep::pipeline {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

/// `text` with every byte other than letters, digits, -._~ and those in `keep` as %XX.
std::string percent_encode(std::string_view text, std::string_view keep) {
  std::string out;
  for (unsigned char const c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        keep.find(static_cast<char>(c)) != std::string_view::npos) {
      out += static_cast<char>(c);
    } else {
      char buffer[4];
      std::snprintf(buffer, sizeof buffer, "%%%02X", c);
      out += buffer;
    }
  }
  return out;
}

}  // namespace

std::string url_path(std::string_view path) {
  return percent_encode(path, "/");
}

std::string url_component(std::string_view text) {
  return percent_encode(text, "");
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::optional<std::string> source_date(char const* format) {
  char const* epoch = std::getenv("SOURCE_DATE_EPOCH");
  if (epoch == nullptr || *epoch == '\0') return std::nullopt;
  std::time_t const t = static_cast<std::time_t>(std::strtoll(epoch, nullptr, 10));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char date[64];
  std::size_t const n = std::strftime(date, sizeof date, format, &tm);
  return std::string(date, n);
}

}  // namespace geosweep::pipeline
