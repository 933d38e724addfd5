#include "outputs/tables.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/text.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {

std::span<std::string_view const> area_table_columns() {
  static constexpr std::string_view columns[] = {
      "aoi",           "date",           "period",          "scenes",
      "clear_area_ha", "cloud_fraction", "new_low_ha",      "new_high_ha",
      "low_area_ha",   "high_area_ha",   "changed_area_ha", "centroid_lat",
      "centroid_lon",  "changed_value",  "warnings"};
  return columns;
}

std::vector<std::vector<std::string>> area_rows(area_table_aoi const& aoi,
                                                std::vector<change_patch> const& patches,
                                                std::vector<date_summary> const& dates,
                                                OGRCoordinateTransformation& to_wgs84) {
  std::map<std::int32_t, date_extent> first_seen, confirmed;
  std::map<std::int32_t, double> value_first_seen;  // value_by_class: by first day
  bool any_value = false;
  for (auto const& p : patches) {
    accumulate_dates(first_seen, p.first_seen);
    accumulate_dates(confirmed, p.confirmed);
    if (!aoi.value_by_class || !p.alert.estimated_value) continue;
    any_value = true;
    double m2 = 0.0;
    for (auto const& [day, e] : p.first_seen) m2 += e.area_m2;
    if (m2 <= 0.0) continue;
    for (auto const& [day, e] : p.first_seen)
      value_first_seen[day] += *p.alert.estimated_value * (e.area_m2 / m2);
  }
  std::vector<std::vector<std::string>> rows;
  double seen_m2 = 0.0, confirmed_m2 = 0.0, seen_value = 0.0;
  std::int64_t seen_pixels = 0, seen_columns = 0, seen_rows = 0;
  for (auto const& date : dates) {
    std::int32_t const day = days_since_epoch(date.date);
    double new_low = 0.0, new_high = 0.0;
    if (auto it = first_seen.find(day); it != first_seen.end()) {
      new_low = it->second.area_m2;
      seen_pixels += it->second.pixels;
      seen_columns += it->second.column_sum;
      seen_rows += it->second.row_sum;
    }
    if (auto it = confirmed.find(day); it != confirmed.end()) new_high = it->second.area_m2;
    if (auto it = value_first_seen.find(day); it != value_first_seen.end())
      seen_value += it->second;
    seen_m2 += new_low;
    confirmed_m2 += new_high;
    auto const clear_it = date.clear_m2.find(aoi.name);
    double const clear = clear_it != date.clear_m2.end() ? clear_it->second : 0.0;
    std::string lat, lon;
    if (seen_pixels > 0) {
      auto const& gt = aoi.grid.transform;
      double const c = static_cast<double>(seen_columns) / static_cast<double>(seen_pixels) + 0.5;
      double const w = static_cast<double>(seen_rows) / static_cast<double>(seen_pixels) + 0.5;
      double x = gt[0] + c * gt[1] + w * gt[2], y = gt[3] + c * gt[4] + w * gt[5];
      if (!to_wgs84.Transform(1, &x, &y)) throw io_error("cannot transform a centroid to WGS84");
      lat = fixed(y, 6);
      lon = fixed(x, 6);
    }
    std::string changed_value;
    if (aoi.value_by_class ? any_value : aoi.value_per_ha.has_value())
      changed_value =
          fixed(aoi.value_by_class ? seen_value : m2_to_ha(seen_m2) * *aoi.value_per_ha, 2);
    rows.push_back({aoi.name, to_iso(date.date), date.monitor ? "monitor" : "baseline",
                    std::to_string(date.scenes), fixed(m2_to_ha(clear), 4),
                    fixed(aoi.inside_m2 > 0 ? 1.0 - clear / aoi.inside_m2 : 1.0, 4),
                    fixed(m2_to_ha(new_low), 4), fixed(m2_to_ha(new_high), 4),
                    fixed(m2_to_ha(seen_m2 - confirmed_m2), 4), fixed(m2_to_ha(confirmed_m2), 4),
                    fixed(m2_to_ha(seen_m2), 4), lat, lon, changed_value, aoi.warnings});
  }
  return rows;
}

std::span<std::string_view const> series_table_columns() {
  static constexpr std::string_view columns[] = {"aoi",   "alert_id", "date",        "period",
                                                 "index", "mean",     "clear_pixels"};
  return columns;
}

std::vector<std::vector<std::string>> series_rows(std::string const& aoi, std::string const& index,
                                                  std::vector<change_patch> const& patches,
                                                  series_sums const& whole,
                                                  std::vector<series_sums> const& by_alert,
                                                  std::vector<date_summary> const& dates) {
  std::vector<std::vector<std::string>> rows;
  auto const add = [&](std::string const& id, series_sums const& sums) {
    for (std::size_t d = 0; d < dates.size() && d < sums.clear.size(); ++d) {
      if (sums.clear[d] == 0) continue;
      rows.push_back({aoi, id, to_iso(dates[d].date), dates[d].monitor ? "monitor" : "baseline",
                      index, fixed(sums.sum[d] / static_cast<double>(sums.clear[d]), 4),
                      std::to_string(sums.clear[d])});
    }
  };
  add("", whole);
  for (std::size_t k = 0; k < patches.size() && k < by_alert.size(); ++k)
    add(patches[k].alert.id, by_alert[k]);
  return rows;
}

std::filesystem::path write_series_table(std::filesystem::path const& dir,
                                         std::vector<std::vector<std::string>> const& rows) {
  auto const path = dir / product::series_table_file;
  auto const columns = series_table_columns();
  write_csv(path, {columns.begin(), columns.end()}, rows);
  return path;
}

std::span<std::string_view const> network_table_columns() {
  static constexpr std::string_view columns[] = {
      "network",     "cause",           "aois",         "aois_with_change", "alerts",
      "high_alerts", "changed_area_ha", "high_area_ha", "changed_value",    "first_seen",
      "last_seen",   "cross_over"};
  return columns;
}

void alert_totals::add(alert const& a) {
  ++alerts;
  area_ha += a.area_ha;
  if (a.confidence == alert_confidence::high) {
    ++high;
    high_ha += a.area_ha;
  } else {
    low_ha += a.area_ha;
  }
  if (a.estimated_value) value = value.value_or(0.0) + *a.estimated_value;
  if (!first || a.first_seen < *first) first = a.first_seen;
  if (!last || *last < a.first_seen) last = a.first_seen;
}

std::vector<std::vector<std::string>> network_rows(std::span<aoi_spec const> aois,
                                                   std::span<alert const> alerts,
                                                   bool with_causes) {
  struct network {
    std::string name;
    std::size_t aois = 0;
    std::set<std::string> changed;  // AOIs with an alert
    alert_totals totals;
    std::map<alert_cause, std::pair<std::set<std::string>, alert_totals>> by_cause;
  };
  std::vector<network> networks;
  std::map<std::string, std::size_t> of_aoi;  // AOI name -> its network in `networks`
  for (auto const& a : aois) {
    if (a.network.empty()) continue;
    auto it = std::find_if(networks.begin(), networks.end(),
                           [&](network const& n) { return n.name == a.network; });
    if (it == networks.end())
      it = networks.insert(networks.end(), network{a.network, 0, {}, {}, {}});
    ++it->aois;
    of_aoi[a.name] = static_cast<std::size_t>(it - networks.begin());
  }
  for (auto const& a : alerts) {
    auto const it = of_aoi.find(a.aoi);
    if (it == of_aoi.end()) continue;
    auto& n = networks[it->second];
    n.changed.insert(a.aoi);
    n.totals.add(a);
    if (a.cause) {
      auto& [changed, totals] = n.by_cause[*a.cause];
      changed.insert(a.aoi);
      totals.add(a);
    }
  }
  std::vector<std::vector<std::string>> rows;
  auto const row = [&](network const& n, std::string_view cause, std::size_t changed,
                       alert_totals const& t, std::string const& cross_over) {
    rows.push_back({n.name, std::string(cause), std::to_string(n.aois), std::to_string(changed),
                    std::to_string(t.alerts), std::to_string(t.high), fixed(t.area_ha, 4),
                    fixed(t.high_ha, 4), t.value ? fixed(*t.value, 2) : std::string(),
                    t.first ? to_iso(*t.first) : std::string(),
                    t.last ? to_iso(*t.last) : std::string(), cross_over});
  };
  for (auto const& n : networks) {
    // With causes: a cross-over when the network's alerts show two crimes or more.
    std::string flag;
    if (with_causes) {
      int crimes = 0;
      for (auto const c :
           {alert_cause::clearing, alert_cause::burn, alert_cause::mining, alert_cause::flooding})
        crimes += n.by_cause.count(c) > 0 ? 1 : 0;
      flag = crimes >= 2 ? "true" : "false";
    }
    row(n, "all", n.changed.size(), n.totals, flag);
    for (auto const& [cause, part] : n.by_cause)
      row(n, to_string(cause), part.first.size(), part.second, flag);
  }
  return rows;
}

std::filesystem::path write_network_table(std::filesystem::path const& dir,
                                          std::vector<std::vector<std::string>> const& rows) {
  auto const path = dir / product::network_table_file;
  auto const columns = network_table_columns();
  write_csv(path, {columns.begin(), columns.end()}, rows);
  return path;
}

std::pair<std::filesystem::path, std::filesystem::path> write_tables(
    std::filesystem::path const& dir, std::vector<std::vector<std::string>> const& area_rows,
    std::vector<alert> const& alerts) {
  auto const areas = dir / product::area_table_file;
  auto const columns = area_table_columns();
  write_csv(areas, {columns.begin(), columns.end()}, area_rows);
  std::vector<std::vector<std::string>> alert_rows;
  for (auto const& a : alerts) alert_rows.push_back(field_texts(alert_row(a)));
  auto const alerts_csv = dir / product::alert_table_file;
  write_csv(alerts_csv, field_names(alert_row(alert{})), alert_rows);
  return {areas, alerts_csv};
}

}  // namespace geosweep::pipeline
