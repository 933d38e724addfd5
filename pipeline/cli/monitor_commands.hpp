#pragma once
// `geosweep monitor` and `geosweep alerts list|show|dismiss` (pipeline/monitor.hpp).

#include <CLI/CLI.hpp>

#include <string>

#include "global_options.hpp"

namespace geosweep::cli {

/// How `alerts list` and `alerts show` print.
enum class list_format { table, csv, json };

/// The parsed options of the monitoring subcommands.
struct monitor_commands {
  CLI::App* monitor = nullptr;
  CLI::App* alerts = nullptr;
  CLI::App* list = nullptr;
  CLI::App* show = nullptr;
  CLI::App* dismiss = nullptr;
  std::string job;
  std::string status, aoi;  ///< status: one of enum_names<alert_status>
  std::string network;      ///< only the alerts of this network's AOIs (aois[].network)
  list_format format = list_format::table;
  std::string alert_id, reason, by;
};

/// Adds the subcommands to `app`.
void add_monitor_commands(CLI::App& app, monitor_commands& m);

/// Runs the parsed one; -1 when none of them was given.
int run_monitor_commands(monitor_commands const& m, global_options const& g);

}  // namespace geosweep::cli
