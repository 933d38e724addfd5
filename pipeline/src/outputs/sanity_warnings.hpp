#pragma once
// Internal to pipeline/src: the sanity warnings of an AOI's results, the checks a careful
// analyst makes before trusting a map of change (docs/detector.md, "Sanity warnings"):
//  - flagged_share: more of the AOI's forest flagged than change.warn_flagged_share (default
//    20 %): most likely season, haze or radiometry, not clearing;
//  - season_gap_days: the latest clear looks of the two periods more than
//    change.warn_season_days (default 60) apart in the year: seasonal change may be flagged.
// Each warning has a short code, written in areas.csv's `warnings` column
// (`flagged_share=0.884;season_gap_days=160`), read back by the report, and a sentence for
// stderr. A warning never stops a run.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// Days between `monitor` and the nearest anniversary of `baseline` (its month and day in the
/// year before, of or after `monitor`'s; 29 February as the 28th in common years): the
/// circular difference of their days of year, 0 to 183. 2023-12-20 and 2024-01-10: 21.
int season_gap_days(civil_date baseline, civil_date monitor);

/// What the checks look at, for one AOI.
struct sanity_inputs {
  std::string aoi;
  double forest_m2 = 0.0;   ///< inside, with a baseline index >= change.forest_min
  double flagged_m2 = 0.0;  ///< in the kept alerts (patches at or above the mapping unit)
  std::optional<civil_date> baseline_look;  ///< latest baseline date with a clear look
  std::optional<civil_date> monitor_look;   ///< latest monitoring date with a clear look
};

/// One warning about an AOI.
struct sanity_warning {
  std::string code;     ///< "flagged_share=0.884" or "season_gap_days=160"
  std::string message;  ///< a sentence naming the AOI, the figure and the likely cause
};

/// The warnings `change`'s thresholds raise for `in` (none when a threshold is off): flagged
/// share first, then the season gap.
std::vector<sanity_warning> sanity_warnings(change_spec const& change, sanity_inputs const& in);

/// The codes joined with ';' (areas.csv's `warnings`; empty when none).
std::string warning_codes(std::vector<sanity_warning> const& warnings);

/// The codes of a `warnings` field, split at ';' (none for an empty field).
std::vector<std::string> split_warning_codes(std::string_view field);

/// A line for the report about one code of areas.csv: what it says and what to check
/// ("88.4 % of the forest flagged: ..."); an unknown code is shown as it is.
std::string describe_warning(std::string_view code);

}  // namespace geosweep::pipeline
