#include "geosweep/pipeline/monitor_store.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <utility>

#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

constexpr int schema_version = 1;

char const* const schema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs(
  run INTEGER PRIMARY KEY, started_utc TEXT NOT NULL, finished_utc TEXT NOT NULL,
  backend TEXT NOT NULL, state_file TEXT NOT NULL, scenes INTEGER NOT NULL,
  new_alerts INTEGER NOT NULL, confirmed_alerts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS scenes(
  scene_id TEXT PRIMARY KEY, date TEXT NOT NULL, period TEXT NOT NULL,
  status TEXT NOT NULL, run INTEGER NOT NULL REFERENCES runs(run));
CREATE TABLE IF NOT EXISTS dates(
  date TEXT NOT NULL, aoi TEXT NOT NULL, period TEXT NOT NULL, scenes INTEGER NOT NULL,
  clear_m2 REAL NOT NULL, run INTEGER NOT NULL REFERENCES runs(run), PRIMARY KEY(date, aoi));
CREATE TABLE IF NOT EXISTS alerts(
  alert_id TEXT PRIMARY KEY, aoi TEXT NOT NULL, status TEXT NOT NULL, confidence TEXT NOT NULL,
  first_seen TEXT NOT NULL, confirmed_on TEXT NOT NULL, area_ha REAL NOT NULL,
  centroid_lat REAL NOT NULL, centroid_lon REAL NOT NULL, bbox_west REAL NOT NULL,
  bbox_south REAL NOT NULL, bbox_east REAL NOT NULL, bbox_north REAL NOT NULL,
  mean_magnitude REAL NOT NULL, pixels INTEGER NOT NULL, estimated_value REAL,
  created_run INTEGER NOT NULL, confirmed_run INTEGER, last_seen_run INTEGER NOT NULL,
  dismissed_utc TEXT NOT NULL DEFAULT '', dismissed_by TEXT NOT NULL DEFAULT '',
  dismiss_reason TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS events(
  run INTEGER NOT NULL REFERENCES runs(run), alert_id TEXT NOT NULL, aoi TEXT NOT NULL,
  kind TEXT NOT NULL, confidence TEXT NOT NULL, first_seen TEXT NOT NULL,
  confirmed_on TEXT NOT NULL, area_ha REAL NOT NULL, centroid_lat REAL NOT NULL,
  centroid_lon REAL NOT NULL, bbox_west REAL NOT NULL, bbox_south REAL NOT NULL,
  bbox_east REAL NOT NULL, bbox_north REAL NOT NULL, estimated_value REAL,
  PRIMARY KEY(run, alert_id, kind));
CREATE TABLE IF NOT EXISTS deliveries(
  delivery_id TEXT PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(run),
  channel TEXT NOT NULL, aoi TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '', sent_utc TEXT NOT NULL DEFAULT '');
)sql";

/// A prepared statement; binds by position from 1, steps, reads columns from 0.
class statement {
 public:
  statement(sqlite3* db, fs::path const& file, char const* sql) : db_(db), file_(file) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail("prepare");
  }
  statement(statement const&) = delete;
  statement& operator=(statement const&) = delete;
  ~statement() { sqlite3_finalize(stmt_); }

  statement& bind(int i, std::string const& v) {
    check(sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  statement& bind(int i, char const* v) { return bind(i, std::string(v)); }
  statement& bind(int i, double v) {
    check(sqlite3_bind_double(stmt_, i, v));
    return *this;
  }
  statement& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  /// NULL when `present` is false.
  template <class T>
  statement& bind_or_null(int i, bool present, T v) {
    if (!present) {
      check(sqlite3_bind_null(stmt_, i));
      return *this;
    }
    return bind(i, v);
  }

  /// Ready to run again, with no bindings.
  statement& reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    return *this;
  }

  /// True while there is a row.
  bool step() {
    int const rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
  }
  void run() {
    while (step()) {
    }
  }

  [[nodiscard]] std::string text(int c) const {
    auto const* p = sqlite3_column_text(stmt_, c);
    return p ? std::string(reinterpret_cast<char const*>(p)) : std::string();
  }
  [[nodiscard]] std::int64_t integer(int c) const { return sqlite3_column_int64(stmt_, c); }
  [[nodiscard]] double real(int c) const { return sqlite3_column_double(stmt_, c); }
  [[nodiscard]] bool null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
  [[nodiscard]] std::optional<double> optional_real(int c) const {
    return null(c) ? std::nullopt : std::optional<double>(real(c));
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail("bind");
  }
  [[noreturn]] void fail(char const* what) {
    throw io_error(file_.string() + ": SQLite " + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  fs::path const& file_;
  sqlite3_stmt* stmt_ = nullptr;
};

constexpr char const* alert_columns =
    "alert_id, aoi, status, confidence, first_seen, confirmed_on, area_ha, centroid_lat, "
    "centroid_lon, bbox_west, bbox_south, bbox_east, bbox_north, mean_magnitude, pixels, "
    "estimated_value, created_run, confirmed_run, last_seen_run, dismissed_utc, dismissed_by, "
    "dismiss_reason";

stored_alert read_alert(statement const& s) {
  stored_alert a;
  a.alert_id = s.text(0);
  a.aoi = s.text(1);
  a.status = s.text(2);
  a.confidence = s.text(3);
  a.first_seen = s.text(4);
  a.confirmed_on = s.text(5);
  a.area_ha = s.real(6);
  a.centroid_lat = s.real(7);
  a.centroid_lon = s.real(8);
  a.bbox = {s.real(9), s.real(10), s.real(11), s.real(12)};
  a.mean_magnitude = s.real(13);
  a.pixels = s.integer(14);
  a.estimated_value = s.optional_real(15);
  a.created_run = s.integer(16);
  if (!s.null(17)) a.confirmed_run = s.integer(17);
  a.last_seen_run = s.integer(18);
  a.dismissed_utc = s.text(19);
  a.dismissed_by = s.text(20);
  a.dismiss_reason = s.text(21);
  return a;
}

constexpr char const* event_columns =
    "alert_id, aoi, kind, confidence, first_seen, confirmed_on, area_ha, centroid_lat, "
    "centroid_lon, bbox_west, bbox_south, bbox_east, bbox_north, estimated_value";

alert_event read_event(statement const& s, int c = 0) {
  alert_event e;
  e.alert_id = s.text(c + 0);
  e.aoi = s.text(c + 1);
  e.status = s.text(c + 2);
  e.confidence = s.text(c + 3);
  e.first_seen = s.text(c + 4);
  e.confirmed_on = s.text(c + 5);
  e.area_ha = s.real(c + 6);
  e.centroid_lat = s.real(c + 7);
  e.centroid_lon = s.real(c + 8);
  e.bbox = {s.real(c + 9), s.real(c + 10), s.real(c + 11), s.real(c + 12)};
  e.estimated_value = s.optional_real(c + 13);
  return e;
}

/// Binds a patch's confidence, first_seen, confirmed_on, area_ha, centroid_lat, centroid_lon and
/// bbox to the parameters from `first` on (the columns alerts and events share, in order).
statement& bind_measurements(statement& s, int first, change_patch const& p) {
  return s.bind(first, confidence_name(p.confidence))
      .bind(first + 1, day_or_empty(p.first_date))
      .bind(first + 2, day_or_empty(p.confirmed_date))
      .bind(first + 3, p.area_ha)
      .bind(first + 4, p.centroid_lat)
      .bind(first + 5, p.centroid_lon)
      .bind(first + 6, p.bbox[0])
      .bind(first + 7, p.bbox[1])
      .bind(first + 8, p.bbox[2])
      .bind(first + 9, p.bbox[3]);
}

}  // namespace

struct monitor_store::db {
  sqlite3* handle = nullptr;
  ~db() { sqlite3_close_v2(handle); }
};

monitor_store::monitor_store(fs::path file) : file_(std::move(file)), db_(std::make_unique<db>()) {
  std::error_code ec;
  if (file_.has_parent_path()) fs::create_directories(file_.parent_path(), ec);
  if (sqlite3_open_v2(file_.c_str(), &db_->handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    throw io_error(file_.string() + ": cannot open the monitoring database: " +
                   (db_->handle ? sqlite3_errmsg(db_->handle) : "out of memory"));
  }
  // An analyst's `alerts dismiss` may run while a monitor run holds the write lock.
  sqlite3_busy_timeout(db_->handle, 30000);
  char* message = nullptr;
  // WAL with FULL sync: a commit survives a crash once sqlite3_step returned.
  std::string const setup = std::string("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;") +
                            "PRAGMA foreign_keys=ON; BEGIN IMMEDIATE;" + schema + "COMMIT;";
  if (sqlite3_exec(db_->handle, setup.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string const why = message ? message : "unknown error";
    sqlite3_free(message);
    throw io_error(file_.string() + ": cannot set up the monitoring database: " + why);
  }
  auto const version = meta("schema_version");
  if (version && *version != std::to_string(schema_version)) {
    throw io_error(file_.string() + ": schema version " + *version + ", this geosweep reads " +
                   std::to_string(schema_version));
  }
  if (!version) {
    statement(db_->handle, file_, "INSERT INTO meta(key, value) VALUES('schema_version', ?)")
        .bind(1, std::to_string(schema_version))
        .run();
  }
}

monitor_store::~monitor_store() = default;

std::int64_t monitor_store::last_run() const {
  statement s(db_->handle, file_, "SELECT COALESCE(MAX(run), 0) FROM runs");
  s.step();
  return s.integer(0);
}

std::int64_t monitor_store::next_run() const {
  return last_run() + 1;
}

std::optional<std::string> monitor_store::meta(std::string const& key) const {
  statement s(db_->handle, file_, "SELECT value FROM meta WHERE key = ?");
  s.bind(1, key);
  if (!s.step()) return std::nullopt;
  return s.text(0);
}

std::vector<stored_scene> monitor_store::scenes() const {
  statement s(db_->handle, file_,
              "SELECT scene_id, date, period, status FROM scenes ORDER BY date, scene_id");
  std::vector<stored_scene> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2) == "monitor", s.text(3)});
  return out;
}

std::vector<stored_date> monitor_store::dates() const {
  statement s(db_->handle, file_,
              "SELECT date, period, scenes, aoi, clear_m2 FROM dates ORDER BY date, aoi");
  std::vector<stored_date> out;
  while (s.step()) {
    if (out.empty() || out.back().date != s.text(0)) {
      out.push_back({s.text(0), s.text(1) == "monitor", s.integer(2), {}});
    }
    out.back().clear_m2[s.text(3)] = s.real(4);
  }
  return out;
}

std::string monitor_store::last_date() const {
  statement s(db_->handle, file_,
              "SELECT COALESCE(MAX(date), '') FROM scenes WHERE status = 'ingested'");
  s.step();
  return s.text(0);
}

std::vector<stored_alert> monitor_store::alerts(std::string const& status,
                                                std::string const& aoi) const {
  statement s(db_->handle, file_,
              (std::string("SELECT ") + alert_columns +
               " FROM alerts WHERE (?1 = '' OR status = ?1) AND (?2 = '' OR aoi = ?2)"
               " ORDER BY aoi, first_seen, alert_id")
                  .c_str());
  s.bind(1, status).bind(2, aoi);
  std::vector<stored_alert> out;
  while (s.step()) out.push_back(read_alert(s));
  return out;
}

std::optional<stored_alert> monitor_store::alert(std::string const& id) const {
  statement s(db_->handle, file_,
              (std::string("SELECT ") + alert_columns + " FROM alerts WHERE alert_id = ?").c_str());
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_alert(s);
}

std::vector<alert_event> monitor_store::events(std::int64_t run) const {
  statement s(db_->handle, file_,
              (std::string("SELECT ") + event_columns +
               " FROM events WHERE run = ? ORDER BY aoi, alert_id, kind DESC")
                  .c_str());
  s.bind(1, run);
  std::vector<alert_event> out;
  while (s.step()) out.push_back(read_event(s));
  return out;
}

std::vector<std::pair<std::int64_t, alert_event>> monitor_store::history(
    std::string const& id) const {
  statement s(db_->handle, file_,
              (std::string("SELECT run, ") + event_columns +
               " FROM events WHERE alert_id = ? ORDER BY run, kind DESC")
                  .c_str());
  s.bind(1, id);
  std::vector<std::pair<std::int64_t, alert_event>> out;
  while (s.step()) out.emplace_back(s.integer(0), read_event(s, 1));
  return out;
}

run_summary monitor_store::commit_run(run_commit const& c) {
  sqlite3* h = db_->handle;
  GEOSWEEP_EXPECTS(c.run == next_run(), "runs are committed in order");
  statement(h, file_, "BEGIN IMMEDIATE").run();
  run_summary summary;
  try {
    // The run first: the rows below refer to it.
    std::int64_t new_count = 0, confirmed_count = 0;
    statement(h, file_,
              "INSERT INTO runs(run, started_utc, finished_utc, backend, state_file, scenes, "
              "new_alerts, confirmed_alerts) VALUES(?, ?, ?, ?, ?, ?, 0, 0)")
        .bind(1, c.run)
        .bind(2, c.started_utc)
        .bind(3, c.finished_utc)
        .bind(4, c.backend)
        .bind(5, c.state_file)
        .bind(6, static_cast<std::int64_t>(c.scenes.size()))
        .run();
    for (auto const& s : c.scenes) {
      statement(h, file_,
                "INSERT INTO scenes(scene_id, date, period, status, run) VALUES(?, ?, ?, ?, ?)")
          .bind(1, s.scene_id)
          .bind(2, s.date)
          .bind(3, s.monitor ? "monitor" : "baseline")
          .bind(4, s.status)
          .bind(5, c.run)
          .run();
    }
    for (auto const& d : c.dates) {
      for (auto const& [aoi, m2] : d.clear_m2) {
        statement(h, file_,
                  "INSERT INTO dates(date, aoi, period, scenes, clear_m2, run) "
                  "VALUES(?, ?, ?, ?, ?, ?)")
            .bind(1, d.date)
            .bind(2, aoi)
            .bind(3, d.monitor ? "monitor" : "baseline")
            .bind(4, d.scenes)
            .bind(5, m2)
            .bind(6, c.run)
            .run();
      }
    }
    for (auto const& [key, value] : c.meta) {
      statement(h, file_, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)")
          .bind(1, key)
          .bind(2, value)
          .run();
    }

    // The alert lifecycle: new on first sight, confirmed when high confidence arrives,
    // dismissed alerts stay dismissed (measured, never announced), withdrawn when gone.
    statement upsert(
        h, file_,
        "INSERT INTO alerts(alert_id, aoi, status, confidence, first_seen, confirmed_on, "
        "area_ha, centroid_lat, centroid_lon, bbox_west, bbox_south, bbox_east, "
        "bbox_north, mean_magnitude, pixels, estimated_value, created_run, "
        "confirmed_run, last_seen_run) "
        "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
        "?17, ?18, ?17) "
        "ON CONFLICT(alert_id) DO UPDATE SET status = ?3, confidence = ?4, "
        "first_seen = ?5, confirmed_on = ?6, area_ha = ?7, centroid_lat = ?8, "
        "centroid_lon = ?9, bbox_west = ?10, bbox_south = ?11, bbox_east = ?12, "
        "bbox_north = ?13, mean_magnitude = ?14, pixels = ?15, estimated_value = ?16, "
        "confirmed_run = ?18, last_seen_run = ?17");
    statement insert_event(h, file_,
                           (std::string("INSERT INTO events(run, ") + event_columns +
                            ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
                               .c_str());
    std::set<std::string> seen;
    for (auto const& p : c.patches) {
      seen.insert(p.alert_id);
      auto const value_it = c.value_per_ha.find(p.aoi);
      // Plain values, not optionals: GCC 12 warns wrongly about optionals bound below.
      bool const has_value = value_it != c.value_per_ha.end() && value_it->second.has_value();
      double const value = has_value ? p.area_ha * value_it->second.value_or(0.0) : 0.0;
      bool const high = p.confidence == kernels::change_high;
      auto const before = alert(p.alert_id);
      std::string status;
      std::optional<std::string> kind;
      if (!before) {
        status = high ? "confirmed" : "new";
        kind = "new";
        ++new_count;
      } else if (before->status == "dismissed") {
        status = "dismissed";
      } else if (high && !before->confirmed_run) {
        status = "confirmed";
        kind = "confirmed";
        ++confirmed_count;
      } else {
        status = high || before->confirmed_run ? "confirmed" : "new";
      }
      bool const was_confirmed = before && before->confirmed_run.has_value();
      bool const has_confirmed_run = was_confirmed || high;
      std::int64_t const confirmed_run =
          was_confirmed ? before->confirmed_run.value_or(0) : (high ? c.run : 0);
      upsert.reset().bind(1, p.alert_id).bind(2, p.aoi).bind(3, status);
      bind_measurements(upsert, 4, p)
          .bind(14, p.mean_magnitude)
          .bind(15, p.pixels)
          .bind_or_null(16, has_value, value)
          .bind(17, c.run)
          .bind_or_null(18, has_confirmed_run, confirmed_run)
          .run();
      if (!kind) continue;
      insert_event.reset().bind(1, c.run).bind(2, p.alert_id).bind(3, p.aoi).bind(4, *kind);
      bind_measurements(insert_event, 5, p).bind_or_null(15, has_value, value).run();
    }
    for (auto const& a : alerts()) {
      if (seen.count(a.alert_id) > 0 || a.status == "dismissed" || a.status == "withdrawn")
        continue;
      statement(h, file_, "UPDATE alerts SET status = 'withdrawn' WHERE alert_id = ?")
          .bind(1, a.alert_id)
          .run();
      ++summary.withdrawn;
    }
    summary.events = events(c.run);
    statement(h, file_, "UPDATE runs SET new_alerts = ?, confirmed_alerts = ? WHERE run = ?")
        .bind(1, new_count)
        .bind(2, confirmed_count)
        .bind(3, c.run)
        .run();

    // One delivery per channel and AOI with events, queued in the same transaction.
    std::set<std::string> aois_with_events;
    for (auto const& e : summary.events) aois_with_events.insert(e.aoi);
    for (auto const& [channel, covered] : c.channels) {
      for (auto const& aoi : aois_with_events) {
        if (!covered.empty() && std::find(covered.begin(), covered.end(), aoi) == covered.end())
          continue;
        std::string const id = c.job + "/run-" + std::to_string(c.run) + "/" + channel + "/" + aoi;
        statement(h, file_,
                  "INSERT INTO deliveries(delivery_id, run, channel, aoi, status, attempts) "
                  "VALUES(?, ?, ?, ?, 'pending', 0)")
            .bind(1, id)
            .bind(2, c.run)
            .bind(3, channel)
            .bind(4, aoi)
            .run();
        summary.deliveries.push_back(id);
      }
    }
    statement(h, file_, "COMMIT").run();
  } catch (...) {
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return summary;
}

void monitor_store::dismiss(std::string const& id, std::string const& by, std::string const& reason,
                            std::string const& when_utc) {
  statement s(db_->handle, file_,
              "UPDATE alerts SET status = 'dismissed', dismissed_utc = ?, dismissed_by = ?, "
              "dismiss_reason = ? WHERE alert_id = ?");
  s.bind(1, when_utc).bind(2, by).bind(3, reason).bind(4, id).run();
  if (sqlite3_changes(db_->handle) == 0)
    throw config_error(file_.string() + ": no alert '" + id + "'");
}

std::vector<stored_delivery> monitor_store::deliveries(std::string const& status) const {
  statement s(db_->handle, file_,
              "SELECT delivery_id, run, channel, aoi, status, attempts, last_error "
              "FROM deliveries WHERE ?1 = '' OR status = ?1 ORDER BY run, channel, aoi");
  s.bind(1, status);
  std::vector<stored_delivery> out;
  while (s.step()) {
    out.push_back(
        {s.text(0), s.integer(1), s.text(2), s.text(3), s.text(4), s.integer(5), s.text(6)});
  }
  return out;
}

notification monitor_store::notification_of(stored_delivery const& d) const {
  notification n;
  n.delivery_id = d.delivery_id;
  n.job = meta("job").value_or("");
  n.aoi = d.aoi;
  n.run = d.run;
  statement s(db_->handle, file_, "SELECT started_utc FROM runs WHERE run = ?");
  s.bind(1, d.run);
  if (s.step()) n.run_started_utc = s.text(0);
  for (auto& e : events(d.run)) {
    if (e.aoi == d.aoi) n.events.push_back(std::move(e));
  }
  return n;
}

void monitor_store::mark_sent(std::string const& delivery_id, std::int64_t attempts,
                              std::string const& when_utc) {
  statement(db_->handle, file_,
            "UPDATE deliveries SET status = 'sent', attempts = attempts + ?, last_error = '', "
            "sent_utc = ? WHERE delivery_id = ?")
      .bind(1, attempts)
      .bind(2, when_utc)
      .bind(3, delivery_id)
      .run();
}

void monitor_store::mark_failed(std::string const& delivery_id, std::int64_t attempts,
                                std::string const& error) {
  statement(db_->handle, file_,
            "UPDATE deliveries SET attempts = attempts + ?, last_error = ? "
            "WHERE delivery_id = ?")
      .bind(1, attempts)
      .bind(2, error)
      .bind(3, delivery_id)
      .run();
}

}  // namespace geosweep::pipeline
