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

#include "geosweep/pipeline/change_patch.hpp"
#include "geosweep/pipeline/notifier.hpp"

namespace geosweep::pipeline {

/// An alert as the ledger knows it.
struct stored_alert {
  std::string alert_id;
  std::string aoi;
  std::string status;      ///< "new", "confirmed", "dismissed" or "withdrawn"
  std::string confidence;  ///< "low" or "high" (its latest measurement)
  std::string first_seen;  ///< ISO dates; confirmed_on empty while not confirmed
  std::string confirmed_on;
  double area_ha = 0.0;
  double centroid_lat = 0.0;
  double centroid_lon = 0.0;
  std::array<double, 4> bbox{};  ///< west, south, east, north (WGS84)
  double mean_magnitude = 0.0;
  std::int64_t pixels = 0;
  std::optional<double> estimated_value;
  std::int64_t created_run = 0;
  std::optional<std::int64_t> confirmed_run;
  std::int64_t last_seen_run = 0;
  std::string dismissed_utc, dismissed_by, dismiss_reason;  ///< empty unless dismissed
};

/// One acquisition date ingested by an earlier run: its scenes and each AOI's clear area.
struct stored_date {
  std::string date;  ///< ISO
  bool monitor = false;
  std::int64_t scenes = 0;
  std::map<std::string, double> clear_m2;  ///< by AOI
};

/// A scene a run looked at: ingested, or skipped because it came after a later date.
struct stored_scene {
  std::string scene_id;
  std::string date;  ///< ISO
  bool monitor = false;
  std::string status;  ///< "ingested" or "late"
};

/// A notification waiting for delivery (or delivered).
struct stored_delivery {
  std::string delivery_id;
  std::int64_t run = 0;
  std::string channel;
  std::string aoi;
  std::string status;  ///< "pending" or "sent"
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
  std::vector<change_patch> patches;  ///< every alert the run found (all AOIs)
  std::map<std::string, std::optional<double>> value_per_ha;  ///< by AOI
  /// Notification channels: name -> the AOIs it covers ("" alone = all).
  std::map<std::string, std::vector<std::string>> channels;
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
  /// The latest ingested date, ISO; empty when none.
  [[nodiscard]] std::string last_date() const;

  /// Alerts, optionally of one status and/or AOI, by AOI then first seen then id.
  [[nodiscard]] std::vector<stored_alert> alerts(std::string const& status = {},
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

  [[nodiscard]] std::vector<stored_delivery> deliveries(std::string const& status = {}) const;
  /// The notification a delivery sends, rebuilt from the events of its run.
  [[nodiscard]] notification notification_of(stored_delivery const& d) const;
  void mark_sent(std::string const& delivery_id, std::int64_t attempts,
                 std::string const& when_utc);
  void mark_failed(std::string const& delivery_id, std::int64_t attempts, std::string const& error);

 private:
  struct db;
  std::filesystem::path file_;
  std::unique_ptr<db> db_;
};

}  // namespace geosweep::pipeline
