#pragma once
/// \file
/// An alert: one patch of change in one AOI, as every output shows it (alerts.csv, the alert
/// polygons, the monitoring ledger and events, notifications, reports). Its fields are listed
/// once, in alert_fields(): each has a name, a type and the decimals tables write it with, and
/// every writer (CSV, OGR, JSON, SQL) takes names, types and values from that table.
///
///   auto const row = alert_row(a, {"alert_id", "first_seen", "area_ha"});
///   field_texts(row) == {"gs-6b4a4411ef59", "2024-06-19", "6.5800"}

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/enum_names.hpp"
#include "geosweep/pipeline/geo_bbox.hpp"

namespace geosweep::pipeline {

/// Low: change seen, not yet confirmed (or a single look); high: confirmed.
enum class alert_confidence { low, high };
template <>
struct enum_names<alert_confidence> {
  static constexpr std::array<std::string_view, 2> values{"low", "high"};
};

/// Where an alert stands in the monitoring ledger.
enum class alert_status { new_alert, confirmed, dismissed, withdrawn };
template <>
struct enum_names<alert_status> {
  static constexpr std::array<std::string_view, 4> values{"new", "confirmed", "dismissed",
                                                          "withdrawn"};
};

/// What a monitoring run says about an alert: seen for the first time, or newly confirmed.
enum class event_kind { new_alert, confirmed };
template <>
struct enum_names<event_kind> {
  static constexpr std::array<std::string_view, 2> values{"new", "confirmed"};
};

/// What an alert's pixels turned into (docs/detector.md, "Causes").
enum class alert_cause { clearing, burn, mining, flooding, other, unknown };
template <>
struct enum_names<alert_cause> {
  static constexpr std::array<std::string_view, 6> values{"clearing", "burn",  "mining",
                                                          "flooding", "other", "unknown"};
};

/// A burn's severity: the dNBR class of FIREMON's landscape assessment (Key and Benson 2006).
enum class burn_severity { moderate_low, moderate_high, high };
template <>
struct enum_names<burn_severity> {
  static constexpr std::array<std::string_view, 3> values{"moderate-low", "moderate-high", "high"};
};

/// One patch of change kept after the minimum mapping unit.
struct alert {
  std::string id;  ///< stable: from the AOI and the place and date of its earliest pixel
  std::string aoi;
  civil_date first_seen;                                 ///< earliest first anomaly of its pixels
  std::optional<civil_date> confirmed_on;                ///< earliest confirmation; none while low
  alert_confidence confidence = alert_confidence::low;   ///< the highest of its pixels
  std::optional<alert_cause> cause;                      ///< none without change.causes
  std::optional<pipeline::burn_severity> burn_severity;  ///< burns only
  double area_ha = 0.0;       ///< ground area (ellipsoidal on geographic grids)
  double centroid_lat = 0.0;  ///< WGS84, mean of its pixel centres
  double centroid_lon = 0.0;
  geo_bbox bbox;                ///< WGS84 degrees
  double mean_magnitude = 0.0;  ///< mean index drop over its pixels
  std::int64_t pixels = 0;
  std::optional<double> estimated_value;  ///< area x the AOI's value_per_ha, when it has one
};

/// A stable alert id, "gs-" and 12 hex digits, from the AOI name, a position rounded to 1e-4
/// degrees (about 11 m) and a day number. Patches pass the centre and first date of their
/// earliest pixel (first anomaly, then raster order): it stays put while a clearing grows from
/// night to night, so the alert keeps its id; when two patches merge, the older id goes on.
std::string stable_alert_id(std::string const& aoi, double lat, double lon, std::int32_t first_day);

// ---- the field table

/// What a field holds.
enum class field_type { text, date, real, integer };

/// A value of a field; monostate where there is none (not confirmed, no value per hectare).
using field_value = std::variant<std::monostate, std::string, double, std::int64_t, civil_date>;

/// A named value of a row: a field of the alert, or a column a table adds (run, status...).
struct field_cell {
  std::string_view name;
  field_type type = field_type::text;
  int decimals = 0;  ///< reals in tables
  field_value value;
};
using field_row = std::vector<field_cell>;

/// One field of an alert.
struct alert_field {
  std::string_view name;
  field_type type;
  int decimals;  ///< reals in tables
  field_value (*get)(alert const&);
  void (*set)(alert&, field_value const&);  ///< from a value of `type` (or monostate)
};

/// Every field of an alert, in the order of alerts.csv.
std::span<alert_field const> alert_fields();

/// The field called `name`, or nullptr.
alert_field const* find_alert_field(std::string_view name);

/// Every field of `a`, in table order.
field_row alert_row(alert const& a);

/// The cells `names` of `a`, in that order; names that are not alert fields are taken from
/// `extra` (a table's own columns). Throws geosweep::logic_error for a name in neither.
field_row alert_row(alert const& a, std::span<std::string_view const> names,
                    field_row const& extra = {});
field_row alert_row(alert const& a, std::initializer_list<std::string_view> names,
                    field_row const& extra = {});

/// Sets the alert fields among `row` on `a` (the others are left as they are).
void set_alert_fields(alert& a, field_row const& row);

/// How tables write a cell: text as is, dates ISO, reals with the cell's decimals, integers in
/// full, nothing as "".
std::string field_text(field_cell const& cell);

/// field_text of each cell.
std::vector<std::string> field_texts(field_row const& row);

/// A cell's value read back from its table text (field_text's inverse; "" is nothing). Throws
/// geosweep::io_error naming the field when the text does not parse.
field_value parse_field(std::string_view name, field_type type, std::string const& text);

/// The names of a row's cells.
std::vector<std::string> field_names(field_row const& row);

}  // namespace geosweep::pipeline
