#include "report/report_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>

#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

/// One phrase in every language, in the order of report_language.
struct phrase {
  std::string_view key;
  std::array<std::string_view, 4> text;  ///< en, es, pt, fr
};

// The translation table. Keys are grouped by page; keep each group sorted by key.
constexpr phrase table[] = {
    // ---- shared by every page
    {"common.page_of", {"page {} of {}", "página {} de {}", "página {} de {}", "page {} sur {}"}},
    // ---- cover page (report_cover_page.cpp)
    // ---- alert pages (report_alert_pages.cpp)
    // ---- map pages (report_map.cpp, report_pages.cpp)
    // ---- alert table (report_pages.cpp)
    // ---- time-series page (report_series_page.cpp)
    // ---- custody page (report_custody_page.cpp)
    // ---- index.html (report_files.cpp)
};

}  // namespace

std::string_view tr(report_language language, std::string_view key) {
  auto const* it = std::find_if(std::begin(table), std::end(table),
                                [&](phrase const& p) { return p.key == key; });
  if (it == std::end(table)) throw logic_error("no report text for key '" + std::string(key) + "'");
  return it->text[static_cast<std::size_t>(language)];
}

std::vector<std::string_view> translation_keys() {
  std::vector<std::string_view> keys;
  for (auto const& p : table) keys.push_back(p.key);
  return keys;
}

std::string format_number(report_language language, double value, int decimals) {
  if (std::isnan(value)) return "\u2013";
  std::string const plain = fmt::format("{:.{}f}", std::abs(value), std::max(decimals, 0));
  auto const point = plain.find('.');
  std::string_view const whole = std::string_view(plain).substr(0, point);
  bool const english = language == report_language::en;
  std::string_view const group = english ? "," : language == report_language::fr ? "\u202F" : ".";
  // A minus only where something non-zero is printed.
  bool const negative = std::signbit(value) && plain.find_first_not_of("0.") != std::string::npos;
  std::string out = negative ? "-" : "";
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) out.append(group);
    out.push_back(whole[i]);
  }
  if (point != std::string::npos) {
    out.push_back(english ? '.' : ',');
    out.append(plain, point + 1);
  }
  return out;
}

std::string format_date(report_language language, civil_date date) {
  if (language == report_language::en) return to_iso(date);
  return fmt::format("{:02d}/{:02d}/{:04d}", static_cast<unsigned>(date.day()),
                     static_cast<unsigned>(date.month()), static_cast<int>(date.year()));
}

}  // namespace geosweep::pipeline
