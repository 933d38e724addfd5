// The ledger's alerts as `geosweep alerts list` and `alerts show` print them (CSV and JSON),
// from the alert field table and the ledger's lifecycle columns.
#include <nlohmann/json.hpp>

#include "geosweep/pipeline/monitor_store.hpp"
#include "outputs/alert_json.hpp"
#include "outputs/csv_writer.hpp"

namespace geosweep::pipeline {
namespace {

/// The alert's fields and what the ledger adds.
field_row ledger_row(stored_alert const& a) {
  auto const run = [](std::optional<std::int64_t> v) {
    return v ? field_value(*v) : field_value();
  };
  field_row row = alert_row(a.alert);
  row.push_back({"status", field_type::text, 0, std::string(to_string(a.status))});
  row.push_back({"created_run", field_type::integer, 0, a.created_run});
  row.push_back({"confirmed_run", field_type::integer, 0, run(a.confirmed_run)});
  row.push_back({"last_seen_run", field_type::integer, 0, a.last_seen_run});
  row.push_back({"dismissed_utc", field_type::text, 0, a.dismissed_utc});
  row.push_back({"dismissed_by", field_type::text, 0, a.dismissed_by});
  row.push_back({"dismiss_reason", field_type::text, 0, a.dismiss_reason});
  return row;
}

nlohmann::ordered_json record(stored_alert const& a) {
  std::vector<json_key> keys{"alert_id",        "aoi",          "status",         "confidence",
                             "cause",           "burn_severity",
                             "first_seen",      "confirmed_on", "area_ha",        "centroid_lat",
                             "centroid_lon",    bbox_key(),     "mean_magnitude", "pixels",
                             "estimated_value", "created_run",  "confirmed_run",  "last_seen_run"};
  if (a.status == alert_status::dismissed) {
    for (auto const* k : {"dismissed_utc", "dismissed_by", "dismiss_reason"}) keys.emplace_back(k);
  }
  return json_object(ledger_row(a), keys);
}

}  // namespace

std::string alert_list_csv(std::vector<stored_alert> const& alerts) {
  static constexpr std::string_view columns[] = {
      "alert_id",     "aoi",     "status",       "confidence",   "cause",        "burn_severity",
      "first_seen",   "confirmed_on", "area_ha", "centroid_lat", "centroid_lon", "estimated_value"};
  std::string out = csv_line({std::begin(columns), std::end(columns)}) + "\n";
  for (auto const& a : alerts)
    out += csv_line(field_texts(alert_row(a.alert, columns, ledger_row(a)))) + "\n";
  return out;
}

std::string alert_list_json(std::vector<stored_alert> const& alerts) {
  auto list = nlohmann::ordered_json::array();
  for (auto const& a : alerts) list.push_back(record(a));
  return list.dump(2);
}

std::string alert_record_json(stored_alert const& a,
                              std::vector<std::pair<std::int64_t, alert_event>> const* history) {
  auto j = record(a);
  if (history != nullptr) {
    auto events = nlohmann::ordered_json::array();
    for (auto const& [run, e] : *history) {
      nlohmann::ordered_json h;
      h["run"] = run;
      h["event"] = to_string(e.kind);
      h["confidence"] = to_string(e.alert.confidence);
      h["area_ha"] = e.alert.area_ha;
      events.push_back(h);
    }
    j["events"] = events;
  }
  return j.dump(2);
}

}  // namespace geosweep::pipeline
