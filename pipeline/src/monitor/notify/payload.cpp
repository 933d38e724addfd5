#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "monitor/notify/delivery.hpp"

namespace geosweep::pipeline {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json json_or_null(std::optional<double> v) {
  return v ? ordered_json(*v) : ordered_json();
}
ordered_json json_or_null(std::string const& v) {
  return v.empty() ? ordered_json() : ordered_json(v);
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

int count_status(notification const& n, std::string const& status) {
  return static_cast<int>(std::count_if(n.events.begin(), n.events.end(),
                                        [&](alert_event const& e) { return e.status == status; }));
}

double total_area(notification const& n) {
  double sum = 0;
  for (auto const& e : n.events) sum += e.area_ha;
  return sum;
}

std::string alerts_geojson(notification const& n) {
  ordered_json features = ordered_json::array();
  for (auto const& e : n.events) {
    ordered_json feature;
    feature["type"] = "Feature";
    feature["id"] = e.alert_id;
    feature["bbox"] = {e.bbox[0], e.bbox[1], e.bbox[2], e.bbox[3]};
    feature["geometry"] = {{"type", "Point"}, {"coordinates", {e.centroid_lon, e.centroid_lat}}};
    feature["properties"] = {{"alert_id", e.alert_id},
                             {"aoi", e.aoi},
                             {"status", e.status},
                             {"first_seen", e.first_seen},
                             {"confirmed_on", json_or_null(e.confirmed_on)},
                             {"confidence", e.confidence},
                             {"area_ha", e.area_ha},
                             {"estimated_value", json_or_null(e.estimated_value)}};
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
    ordered_json alert;
    alert["alert_id"] = e.alert_id;
    alert["status"] = e.status;
    alert["aoi"] = e.aoi;
    alert["first_seen"] = e.first_seen;
    alert["confirmed_on"] = json_or_null(e.confirmed_on);
    alert["confidence"] = e.confidence;
    alert["area_ha"] = e.area_ha;
    alert["lat"] = e.centroid_lat;
    alert["lon"] = e.centroid_lon;
    alert["bbox"] = {e.bbox[0], e.bbox[1], e.bbox[2], e.bbox[3]};
    alert["estimated_value"] = json_or_null(e.estimated_value);
    alerts.push_back(std::move(alert));
  }
  ordered_json document;
  document["schema"] = "geosweep.notification/1";
  document["delivery_id"] = n.delivery_id;
  document["job"] = n.job;
  document["run"] = n.run;
  document["run_started_utc"] = n.run_started_utc;
  document["aoi"] = n.aoi;
  document["summary"] = {{"new", count_status(n, "new")},
                         {"confirmed", count_status(n, "confirmed")},
                         {"area_ha", total_area(n)}};
  document["alerts"] = std::move(alerts);
  return dump(document);
}

std::string notification_file_name(notification const& n) {
  return file_safe(n.delivery_id) + ".json";
}

}  // namespace geosweep::pipeline
