#pragma once
/// \file
/// Calendar dates (ISO 8601, no time of day) as std::chrono::year_month_day.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace geosweep::pipeline {

using civil_date = std::chrono::year_month_day;

/// Parses "YYYY-MM-DD"; nullopt unless the text is exactly a valid calendar date.
std::optional<civil_date> parse_iso_date(std::string_view text);

/// Parses "YYYYMMDD" (as in product names); nullopt unless a valid calendar date.
std::optional<civil_date> parse_compact_date(std::string_view text);

/// "YYYY-MM-DD".
std::string to_iso(civil_date d);

/// Days since 1970-01-01.
int days_since_epoch(civil_date d);

/// The date `days` after 1970-01-01.
civil_date from_days_since_epoch(int days);

}  // namespace geosweep::pipeline
