#pragma once
/// \file
/// The monitoring ledger: one SQLite database beside the outputs (`state/monitor.sqlite`) with
/// the runs, the scenes they ingested, each date's clear area per AOI, the alerts and their
/// lifecycle (new, confirmed, dismissed, withdrawn), the events of each run and the delivery of
/// each notification. A run's results enter in one transaction (commit_run), so a run killed at
/// any point leaves the ledger as it was before that run; the per-pixel detector state lives in
/// an HDF5 file whose name the same transaction records.

#include <array>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/notifier.hpp"

namespace geosweep::pipeline {

/// An alert as the ledger knows it: its latest measurement and its lifecycle.
struct stored_alert {
  pipeline::alert alert;
  alert_status status = alert_status::new_alert;
  std::int64_t created_run = 0;
  std::optional<std::int64_t> confirmed_run;
  std::int64_t last_seen_run = 0;
  std::string dismissed_utc, dismissed_by, dismiss_reason;  ///< empty unless dismissed
};

/// One acquisition date ingested by an earlier run: its scenes and each AOI's clear area.
struct stored_date {
  civil_date date;
  bool monitor = false;
  std::int64_t scenes = 0;
  std::map<std::string, double> clear_m2;  ///< by AOI
};

/// What became of a scene a run looked at.
enum class scene_status { ingested, late };
template <>
struct enum_names<scene_status> {
  static constexpr std::array<std::string_view, 2> values{"ingested", "late"};
};

/// A scene a run looked at: ingested, or skipped because it came after a later date.
struct stored_scene {
  std::string scene_id;
  civil_date date;
  bool monitor = false;
  scene_status status = scene_status::ingested;
};

/// Where a notification stands.
enum class delivery_status { pending, sent };
template <>
struct enum_names<delivery_status> {
  static constexpr std::array<std::string_view, 2> values{"pending", "sent"};
};

/// A notification waiting for delivery (or delivered).
struct stored_delivery {
  std::string delivery_id;
  std::int64_t run = 0;
  std::string channel;
  std::string aoi;
  delivery_status status = delivery_status::pending;
  std::int64_t attempts = 0;
  std::string last_error;
};

/// Everything one monitoring run adds, committed at once.
struct run_commit {
  std::int64_t run = 0;  ///< next_run() when the run started
  std::string started_utc, finished_utc, backend;
  std::string state_file;  ///< the detector state this run wrote (file name in the state folder)
  std::vector<stored_scene> scenes;
  std::vector<stored_date> dates;
  std::vector<alert> alerts;  ///< every alert the run found (all AOIs), values estimated
  /// Notification channels: name -> the AOIs it covers (none: all).
  std::map<std::string, std::vector<std::string>> channels;
  /// name -> the alert causes it reports (none or absent: all): an AOI gets a delivery when an
  /// event has one of them.
  std::map<std::string, std::vector<alert_cause>> channel_causes;
  std::map<std::string, std::string> meta;  ///< grid and job facts kept from the first run
  std::string job;
};

/// What commit_run decided.
struct run_summary {
  std::vector<alert_event> events;      ///< new or newly confirmed alerts, by AOI then id
  std::int64_t withdrawn = 0;           ///< alerts no longer found
  std::vector<std::string> deliveries;  ///< ids of the deliveries it queued
};

/// Opens (creating when needed) a ledger; one per process, usable from one thread.
class monitor_store {
 public:
  explicit monitor_store(std::filesystem::path file);
  monitor_store(monitor_store const&) = delete;
  monitor_store& operator=(monitor_store const&) = delete;
  ~monitor_store();

  [[nodiscard]] std::filesystem::path const& file() const { return file_; }

  /// The number the next run gets (1 for the first).
  [[nodiscard]] std::int64_t next_run() const;
  /// The last committed run, 0 when none.
  [[nodiscard]] std::int64_t last_run() const;
  /// A value recorded by a run's `meta` (or by set_meta).
  [[nodiscard]] std::optional<std::string> meta(std::string const& key) const;

  [[nodiscard]] std::vector<stored_scene> scenes() const;
  [[nodiscard]] std::vector<stored_date> dates() const;
  /// The latest ingested date; none before the first run.
  [[nodiscard]] std::optional<civil_date> last_date() const;

  /// Alerts, optionally of one status and/or AOI, by AOI then first seen then id.
  [[nodiscard]] std::vector<stored_alert> alerts(std::optional<alert_status> status = {},
                                                 std::string const& aoi = {}) const;
  [[nodiscard]] std::optional<stored_alert> alert(std::string const& id) const;
  /// Events of one run (new or confirmed), by AOI then id.
  [[nodiscard]] std::vector<alert_event> events(std::int64_t run) const;
  /// Every event of one alert, with the run it happened in.
  [[nodiscard]] std::vector<std::pair<std::int64_t, alert_event>> history(
      std::string const& id) const;

  /// Commits a run: scenes, dates, alerts (lifecycle), its events and the deliveries they
  /// call for, the state file and meta. All or nothing.
  run_summary commit_run(run_commit const& commit);

  /// Marks an alert dismissed by an analyst; throws config_error for an unknown id.
  void dismiss(std::string const& id, std::string const& by, std::string const& reason,
               std::string const& when_utc);

  [[nodiscard]] std::vector<stored_delivery> deliveries(
      std::optional<delivery_status> status = {}) const;
  /// The notification a delivery sends, rebuilt from the events of its run: those of `causes`
  /// only, when given.
  [[nodiscard]] notification notification_of(stored_delivery const& d,
                                             std::vector<alert_cause> const& causes = {}) const;
  void mark_sent(std::string const& delivery_id, std::int64_t attempts,
                 std::string const& when_utc);
  void mark_failed(std::string const& delivery_id, std::int64_t attempts, std::string const& error);

 private:
  /// commit_run's steps: the alerts' lifecycle and events (returns the new and newly confirmed
  /// counts), then the deliveries those events call for.
  std::pair<std::int64_t, std::int64_t> update_alerts(run_commit const& c, run_summary& summary);
  void queue_deliveries(run_commit const& c, run_summary& summary);

  struct db;
  std::filesystem::path file_;
  std::unique_ptr<db> db_;
};

/// The ledger's alerts as `geosweep alerts list --format csv` prints them: a header and a line
/// per alert (LF line ends, RFC 4180 quoting).
std::string alert_list_csv(std::vector<stored_alert> const& alerts);

/// The ledger's alerts as `geosweep alerts list --format json` prints them: an array of objects.
std::string alert_list_json(std::vector<stored_alert> const& alerts);

/// One alert of the ledger as a JSON object, with its events when `history` is given
/// (`geosweep alerts show`).
std::string alert_record_json(stored_alert const& a,
                              std::vector<std::pair<std::int64_t, alert_event>> const* history);

}  // namespace geosweep::pipeline
