#include "geosweep/pipeline/civil_date.hpp"

#include <cstdio>

namespace geosweep::pipeline {
namespace {

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::optional<civil_date> make_date(std::string_view y, std::string_view m, std::string_view d) {
  if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return std::nullopt;
  civil_date const date{std::chrono::year{to_int(y)},
                        std::chrono::month{static_cast<unsigned>(to_int(m))},
                        std::chrono::day{static_cast<unsigned>(to_int(d))}};
  if (!date.ok()) return std::nullopt;
  return date;
}

}  // namespace

std::optional<civil_date> parse_iso_date(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  return make_date(text.substr(0, 4), text.substr(5, 2), text.substr(8, 2));
}

std::optional<civil_date> parse_compact_date(std::string_view text) {
  if (text.size() != 8) return std::nullopt;
  return make_date(text.substr(0, 4), text.substr(4, 2), text.substr(6, 2));
}

std::string to_iso(civil_date d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return buf;
}

int days_since_epoch(civil_date d) {
  return static_cast<int>(std::chrono::sys_days{d}.time_since_epoch().count());
}

civil_date from_days_since_epoch(int days) {
  return civil_date{std::chrono::sys_days{std::chrono::days{days}}};
}

}  // namespace geosweep::pipeline
