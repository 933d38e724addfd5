#include "monitor_commands.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>

#include "exit_codes.hpp"
#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/monitor.hpp"
#include "geosweep/pipeline/monitor_store.hpp"

namespace geosweep::cli {
namespace {

namespace gp = geosweep::pipeline;

/// The ledger of a job that has been monitored; config_error when it has not.
std::unique_ptr<gp::monitor_store> open_ledger(std::string const& job_path,
                                               global_options const& g) {
  auto const spec = g.load_job(job_path, false);
  gp::recover_outputs(spec);
  auto const file = gp::monitor_ledger_file(spec);
  if (!std::filesystem::exists(file)) {
    throw config_error(job_path + ": not monitored yet (no " + file.string() +
                       "); run `geosweep monitor " + job_path + "` first");
  }
  return std::make_unique<gp::monitor_store>(file);
}

int monitor_command(std::string const& job_path, global_options const& g) {
  if (g.ranks != nullptr && g.ranks->size > 1)
    throw config_error("geosweep monitor runs as one process (use --workers or --devices)");
  auto const spec = g.load_job(job_path);
  gp::monitor_options options;
  options.run = g.run_options();
  auto const r = gp::run_monitor(spec, options);
  if (r.nothing_new) {
    fmt::print("geosweep monitor: job '{}': no new scene{}\n", spec.name,
               r.late.empty() ? "" : fmt::format(" ({} late scene(s) left out)", r.late.size()));
  } else {
    std::size_t fresh = 0;
    for (auto const& e : r.events) fresh += e.kind == gp::event_kind::new_alert ? 1 : 0;
    fmt::print(
        "geosweep monitor: job '{}' run {}: {}{} scene(s) on {} date(s), {} new alert(s), {} "
        "newly confirmed{}\n",
        spec.name, r.run, r.job.read.size(), r.job.recomputed ? "" : " new", r.job.dates.size(),
        fresh, r.events.size() - fresh,
        r.withdrawn > 0 ? fmt::format(", {} withdrawn", r.withdrawn) : "");
    if (r.job.recomputed) {
      fmt::print(
          "  late scenes applied: scenes dated before the last night's came in, so every "
          "scene was read again from the first date\n");
    }
    for (auto const& e : r.events) {
      auto const& a = e.alert;
      fmt::print("  {:<9} {} {:<16} {:>8.2f} ha  {:.5f} {:.5f}  first seen {}{}\n",
                 gp::to_string(e.kind), a.id, a.aoi, a.area_ha, a.centroid_lat, a.centroid_lon,
                 gp::to_iso(a.first_seen),
                 a.confirmed_on ? ", confirmed " + gp::to_iso(*a.confirmed_on) : "");
    }
    for (auto const& s : r.late) {
      fmt::print("  late scene left out: {} ({})\n", s.id, gp::to_iso(s.date));
    }
    fmt::print("events:\n  {}\n  {}\n", r.events_csv.string(), r.events_geojson.string());
  }
  if (r.delivered > 0) fmt::print("notifications delivered: {}\n", r.delivered);
  for (auto const& e : r.delivery_errors) fmt::print(stderr, "geosweep: warning: {}\n", e);
  if (r.pending > 0) {
    fmt::print(stderr,
               "geosweep: warning: {} notification(s) pending; they are retried on the next run\n",
               r.pending);
    return exit_delivery_pending;
  }
  return exit_ok;
}

int list_command(monitor_commands const& m, global_options const& g) {
  auto const ledger = open_ledger(m.job, g);
  std::optional<gp::alert_status> status;
  if (!m.status.empty()) status = gp::from_string<gp::alert_status>(m.status);
  auto alerts = ledger->alerts(status, m.aoi);
  if (!m.network.empty()) {
    auto const members = gp::network_aois(g.load_job(m.job, false), m.network);
    std::erase_if(alerts, [&](auto const& stored) {
      return std::find(members.begin(), members.end(), stored.alert.aoi) == members.end();
    });
  }
  if (m.format == list_format::json) {
    fmt::print("{}\n", gp::alert_list_json(alerts));
    return exit_ok;
  }
  if (m.format == list_format::csv) {
    fmt::print("{}", gp::alert_list_csv(alerts));
    return exit_ok;
  }
  fmt::print("{:<15} {:<16} {:<10} {:<5} {:<10} {:<10} {:>9} {:>10} {:>11}\n", "ALERT", "AOI",
             "STATUS", "CONF", "FIRST", "CONFIRMED", "AREA_HA", "LAT", "LON");
  for (auto const& stored : alerts) {
    auto const& a = stored.alert;
    fmt::print("{:<15} {:<16} {:<10} {:<5} {:<10} {:<10} {:>9.2f} {:>10.5f} {:>11.5f}\n", a.id,
               a.aoi, gp::to_string(stored.status), gp::to_string(a.confidence),
               gp::to_iso(a.first_seen), a.confirmed_on ? gp::to_iso(*a.confirmed_on) : "-",
               a.area_ha, a.centroid_lat, a.centroid_lon);
  }
  fmt::print("{} alert(s)\n", alerts.size());
  return exit_ok;
}

int show_command(monitor_commands const& m, global_options const& g) {
  auto const ledger = open_ledger(m.job, g);
  auto const alert = ledger->alert(m.alert_id);
  if (!alert) throw config_error(m.job + ": no alert '" + m.alert_id + "'");
  auto const history = ledger->history(m.alert_id);
  auto const json = gp::alert_record_json(*alert, &history);
  if (m.format == list_format::json) {
    fmt::print("{}\n", json);
    return exit_ok;
  }
  // The table: each key with its value as JSON shows it, then the events.
  auto const j = nlohmann::ordered_json::parse(json);
  for (auto const& [key, value] : j.items()) {
    if (key == "events") continue;
    fmt::print("{:<16} {}\n", key, value.is_string() ? value.get<std::string>() : value.dump());
  }
  for (auto const& h : j["events"]) {
    fmt::print("{:<16} run {}: {} ({} confidence, {:.2f} ha)\n", "event",
               h["run"].get<std::int64_t>(), h["event"].get<std::string>(),
               h["confidence"].get<std::string>(), h["area_ha"].get<double>());
  }
  return exit_ok;
}

int dismiss_command(monitor_commands const& m, global_options const& g) {
  auto const ledger = open_ledger(m.job, g);
  std::string by = m.by;
  if (by.empty()) {
    char const* user = std::getenv("USER");
    by = user != nullptr ? user : "unknown";
  }
  ledger->dismiss(m.alert_id, by, m.reason, gp::utc_now());
  fmt::print("geosweep alerts: {} dismissed by {}{}\n", m.alert_id, by,
             m.reason.empty() ? "" : ": " + m.reason);
  return exit_ok;
}

/// --format, one of `names` (the first is the default).
void add_format_option(CLI::App& command, monitor_commands& m, std::vector<std::string> names) {
  std::string const help = fmt::format("{} (the default) or {}", names.front(),
                                       fmt::join(names.begin() + 1, names.end(), ", "));
  command
      .add_option_function<std::string>(
          "--format",
          [&m](std::string const& name) {
            m.format = name == "csv"    ? list_format::csv
                       : name == "json" ? list_format::json
                                        : list_format::table;
          },
          help)
      ->check(CLI::IsMember(std::move(names)));
}

}  // namespace

void add_monitor_commands(CLI::App& app, monitor_commands& m) {
  m.monitor = app.add_subcommand(
      "monitor",
      "Nightly incremental run: read only new scenes, carry the detector state on, record the "
      "alerts' lifecycle and send notifications");
  m.monitor->add_option("job", m.job, "Job file (YAML)")->required();
  m.monitor->fallthrough();

  m.alerts = app.add_subcommand("alerts", "List, show or dismiss the alerts of a monitored job");
  m.alerts->require_subcommand(1);
  m.list = m.alerts->add_subcommand("list", "List the alerts, newest last within each AOI");
  m.list->add_option("job", m.job, "Job file (YAML)")->required();
  m.list->add_option("--status", m.status, "Only alerts of this status")
      ->check(CLI::IsMember(gp::all_names<gp::alert_status>()));
  m.list->add_option("--aoi", m.aoi, "Only alerts of this AOI");
  m.list->add_option("--network", m.network, "Only alerts of this network's AOIs (aois[].network)");
  add_format_option(*m.list, m, {"table", "csv", "json"});
  m.show = m.alerts->add_subcommand("show", "Show one alert and its events");
  m.show->add_option("job", m.job, "Job file (YAML)")->required();
  m.show->add_option("alert_id", m.alert_id, "Alert id (gs-...)")->required();
  add_format_option(*m.show, m, {"table", "json"});
  m.dismiss = m.alerts->add_subcommand(
      "dismiss", "Dismiss an alert (a false alarm, or already handled): never announced again");
  m.dismiss->add_option("job", m.job, "Job file (YAML)")->required();
  m.dismiss->add_option("alert_id", m.alert_id, "Alert id (gs-...)")->required();
  m.dismiss->add_option("--reason", m.reason, "Why, for the record");
  m.dismiss->add_option("--by", m.by, "Who (default: $USER)");
  for (auto* sub : {m.list, m.show, m.dismiss}) sub->fallthrough();
  m.alerts->fallthrough();
}

int run_monitor_commands(monitor_commands const& m, global_options const& g) {
  if (m.monitor->parsed()) return monitor_command(m.job, g);
  if (m.list->parsed()) return list_command(m, g);
  if (m.show->parsed()) return show_command(m, g);
  if (m.dismiss->parsed()) return dismiss_command(m, g);
  return -1;
}

}  // namespace geosweep::cli
