#pragma once
/// \file
/// The fixed text of the reports in each report language (outputs.report_language), from one
/// translation table (report_text.cpp), and dates and numbers in that language's format.
/// Every page takes its words from here: a key names a phrase ("alert_page.title"), its text
/// may hold fmt placeholders ("Alert {}") filled by the caller with fmt::runtime.

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// The text of `key` in `language`. Throws geosweep::logic_error for a key the table lacks.
std::string_view tr(report_language language, std::string_view key);

/// `key`'s text in `language` with `args` in its placeholders: say(lang, "map.crs", name).
template <class... Args>
std::string say(report_language language, std::string_view key, Args&&... args) {
  return fmt::format(fmt::runtime(tr(language, key)), std::forward<Args>(args)...);
}

/// An ISO date ("2023-07-05") as `language` writes dates; anything else as it is.
std::string date_text(report_language language, std::string const& iso);

/// Every key of the translation table (tests: each has a text in every language).
std::vector<std::string_view> translation_keys();

/// `value` with `decimals` digits after the decimal sign, grouped by thousands, as the
/// language writes numbers (en 12,345.6; es and pt 12.345,6; fr 12 345,6 with a narrow
/// no-break space). NaN as "–".
std::string format_number(report_language language, double value, int decimals);

/// `date` as the language writes a date in a document (en 2023-07-05; es, pt and fr
/// 05/07/2023).
std::string format_date(report_language language, civil_date date);

}  // namespace geosweep::pipeline
