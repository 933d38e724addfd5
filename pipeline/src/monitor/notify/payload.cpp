#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "monitor/notify/delivery.hpp"
#include "outputs/alert_json.hpp"

namespace geosweep::pipeline {
namespace {

using ordered_json = nlohmann::ordered_json;

/// An event's alert fields and its kind, as "status".
field_row event_row(alert_event const& e) {
  field_row row = alert_row(e.alert);
  row.push_back({"status", field_type::text, 0, std::string(to_string(e.kind))});
  return row;
}

std::string dump(ordered_json const& document) {
  return document.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string file_safe(std::string const& text) {
  std::string out = text;
  for (auto& c : out) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  }
  return out;
}

int count_kind(notification const& n, event_kind kind) {
  return static_cast<int>(std::count_if(n.events.begin(), n.events.end(),
                                        [&](alert_event const& e) { return e.kind == kind; }));
}

double total_area(notification const& n) {
  double sum = 0;
  for (auto const& e : n.events) sum += e.alert.area_ha;
  return sum;
}

std::string alerts_geojson(notification const& n) {
  ordered_json features = ordered_json::array();
  for (auto const& e : n.events) {
    auto const row = event_row(e);
    ordered_json feature;
    feature["type"] = "Feature";
    feature["id"] = e.alert.id;
    feature["bbox"] = json_object(row, {bbox_key()})["bbox"];
    feature["geometry"] = {{"type", "Point"},
                           {"coordinates", {e.alert.centroid_lon, e.alert.centroid_lat}}};
    feature["properties"] =
        json_object(row, {"alert_id", "aoi", "status", "first_seen", "confirmed_on", "confidence",
                          "cause", "burn_severity", "area_ha", "estimated_value"});
    features.push_back(std::move(feature));
  }
  ordered_json collection;
  collection["type"] = "FeatureCollection";
  collection["features"] = std::move(features);
  return dump(collection);
}

std::string notification_json(notification const& n) {
  ordered_json alerts = ordered_json::array();
  for (auto const& e : n.events) {
    // The keys of schema geosweep.notification/1 (docs/notifications.md).
    alerts.push_back(json_object(event_row(e), {"alert_id",
                                                "status",
                                                "aoi",
                                                "first_seen",
                                                "confirmed_on",
                                                "confidence",
                                                "cause",
                                                "burn_severity",
                                                "area_ha",
                                                {"lat", {"centroid_lat"}},
                                                {"lon", {"centroid_lon"}},
                                                bbox_key(),
                                                "estimated_value"}));
  }
  ordered_json document;
  document["schema"] = "geosweep.notification/1";
  document["delivery_id"] = n.delivery_id;
  document["job"] = n.job;
  document["run"] = n.run;
  document["run_started_utc"] = n.run_started_utc;
  document["aoi"] = n.aoi;
  document["summary"] = {{"new", count_kind(n, event_kind::new_alert)},
                         {"confirmed", count_kind(n, event_kind::confirmed)},
                         {"area_ha", total_area(n)}};
  document["alerts"] = std::move(alerts);
  return dump(document);
}

std::string notification_file_name(notification const& n) {
  return file_safe(n.delivery_id) + ".json";
}

}  // namespace geosweep::pipeline
