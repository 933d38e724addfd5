#include "outputs/sanity_warnings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>

namespace geosweep::pipeline {

namespace {

constexpr std::string_view flagged_share_code = "flagged_share";
constexpr std::string_view season_gap_code = "season_gap_days";

/// Day of the year, 1 to 366.
int day_of_year(civil_date d) {
  using namespace std::chrono;
  return days_since_epoch(d) - days_since_epoch(d.year() / January / 1) + 1;
}

/// The value of `code` when it reads "`name`=value".
std::optional<double> value_of(std::string_view code, std::string_view name) {
  if (code.size() <= name.size() + 1 || code.substr(0, name.size()) != name ||
      code[name.size()] != '=')
    return std::nullopt;
  auto const text = code.substr(name.size() + 1);
  double v = 0;
  auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return v;
}

}  // namespace

int season_gap_days(civil_date baseline, civil_date monitor) {
  using namespace std::chrono;
  int const day = days_since_epoch(monitor);
  int gap = std::numeric_limits<int>::max();
  for (int const shift : {-1, 0, 1}) {
    year const y = monitor.year() + years{shift};
    civil_date anniversary = y / baseline.month() / baseline.day();
    if (!anniversary.ok()) anniversary = y / baseline.month() / std::chrono::day{28};  // 29 Feb
    gap = std::min(gap, std::abs(day - days_since_epoch(anniversary)));
  }
  return gap;
}

std::vector<sanity_warning> sanity_warnings(change_spec const& change, sanity_inputs const& in) {
  std::vector<sanity_warning> out;
  if (change.warn_flagged_share && in.forest_m2 > 0.0) {
    double const share = in.flagged_m2 / in.forest_m2;
    if (share > *change.warn_flagged_share) {
      out.push_back(
          {fmt::format("{}={:.3f}", flagged_share_code, share),
           fmt::format("AOI '{}': {:.1f} % of its forest ({:.2f} of {:.2f} ha) is flagged as "
                       "change, more than change.warn_flagged_share ({:g} %): likely season, haze "
                       "or radiometry rather than clearing; check the looks' dates and the cloud "
                       "mask",
                       in.aoi, 100.0 * share, in.flagged_m2 / 10000.0, in.forest_m2 / 10000.0,
                       100.0 * *change.warn_flagged_share)});
    }
  }
  if (change.warn_season_days && in.baseline_look && in.monitor_look) {
    int const gap = season_gap_days(*in.baseline_look, *in.monitor_look);
    if (gap > *change.warn_season_days) {
      out.push_back(
          {fmt::format("{}={}", season_gap_code, gap),
           fmt::format("AOI '{}': the latest clear baseline look ({}, day {} of the year) and "
                       "monitoring look ({}, day {}) are {} days apart in the season, more than "
                       "change.warn_season_days ({}): seasonal change (wet and dry season, "
                       "leaf-off) may be flagged as loss; compare looks of the same season",
                       in.aoi, to_iso(*in.baseline_look), day_of_year(*in.baseline_look),
                       to_iso(*in.monitor_look), day_of_year(*in.monitor_look), gap,
                       *change.warn_season_days)});
    }
  }
  return out;
}

std::string warning_codes(std::vector<sanity_warning> const& warnings) {
  std::string out;
  for (auto const& w : warnings) {
    if (!out.empty()) out += ';';
    out += w.code;
  }
  return out;
}

std::vector<std::string> split_warning_codes(std::string_view field) {
  std::vector<std::string> out;
  while (!field.empty()) {
    auto const end = std::min(field.find(';'), field.size());
    if (end > 0) out.emplace_back(field.substr(0, end));
    field.remove_prefix(std::min(end + 1, field.size()));
  }
  return out;
}

std::string describe_warning(std::string_view code) {
  // Short: the report's sidebar holds them beside the map.
  if (auto const share = value_of(code, flagged_share_code)) {
    return fmt::format(
        "{:.1f} % of the forest flagged: likely season, haze or radiometry, not clearing. "
        "Check the looks' dates and the cloud mask.",
        100.0 * *share);
  }
  if (auto const gap = value_of(code, season_gap_code)) {
    return fmt::format(
        "Latest looks {:.0f} days apart in the season: seasonal change may show as loss. "
        "Compare looks of the same season.",
        *gap);
  }
  return std::string(code);
}

}  // namespace geosweep::pipeline
