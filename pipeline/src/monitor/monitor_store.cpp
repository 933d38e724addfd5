#include "geosweep/pipeline/monitor_store.hpp"

#include <fmt/format.h>

#include <spdlog/spdlog.h>
#include <sqlite3.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <random>
#include <set>
#include <utility>

#include "geosweep/pipeline/errors.hpp"
#include "monitor/sqlite_statement.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;

/// 2: alerts and events have a cause and a burn severity (NULL where a run had no causes).
constexpr int schema_version = 2;

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
  cause TEXT, burn_severity TEXT, first_seen TEXT NOT NULL, confirmed_on TEXT NOT NULL, area_ha REAL NOT NULL,
  centroid_lat REAL NOT NULL, centroid_lon REAL NOT NULL, bbox_west REAL NOT NULL,
  bbox_south REAL NOT NULL, bbox_east REAL NOT NULL, bbox_north REAL NOT NULL,
  mean_magnitude REAL NOT NULL, pixels INTEGER NOT NULL, estimated_value REAL,
  created_run INTEGER NOT NULL, confirmed_run INTEGER, last_seen_run INTEGER NOT NULL,
  dismissed_utc TEXT NOT NULL DEFAULT '', dismissed_by TEXT NOT NULL DEFAULT '',
  dismiss_reason TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS events(
  run INTEGER NOT NULL REFERENCES runs(run), alert_id TEXT NOT NULL, aoi TEXT NOT NULL,
  kind TEXT NOT NULL, confidence TEXT NOT NULL, cause TEXT, burn_severity TEXT,
  first_seen TEXT NOT NULL,
  confirmed_on TEXT NOT NULL, area_ha REAL NOT NULL, centroid_lat REAL NOT NULL,
  centroid_lon REAL NOT NULL, bbox_west REAL NOT NULL, bbox_south REAL NOT NULL,
  bbox_east REAL NOT NULL, bbox_north REAL NOT NULL, estimated_value REAL,
  PRIMARY KEY(run, alert_id, kind));
CREATE TABLE IF NOT EXISTS deliveries(
  delivery_id TEXT PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(run),
  channel TEXT NOT NULL, aoi TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '', sent_utc TEXT NOT NULL DEFAULT '');
)sql";

/// What takes a ledger of schema version N - 1 to N (index N - 2).
char const* const migrations[] = {
    // 1 -> 2: causes (docs/detector.md, "Causes"); earlier alerts have none.
    "ALTER TABLE alerts ADD COLUMN cause TEXT; ALTER TABLE alerts ADD COLUMN burn_severity TEXT;"
    "ALTER TABLE events ADD COLUMN cause TEXT; ALTER TABLE events ADD COLUMN burn_severity TEXT;",
};
static_assert(std::size(migrations) == schema_version - 1);

/// The alert fields the ledger keeps of an alert (all of them), and of an event (all but the
/// magnitude and pixel count), by the names of its columns.
std::vector<std::string_view> const& alert_columns() {
  static std::vector<std::string_view> const names = [] {
    std::vector<std::string_view> out;
    for (auto const& f : alert_fields()) out.push_back(f.name);
    return out;
  }();
  return names;
}

constexpr std::string_view kEventColumns[] = {
    "alert_id",   "aoi",          "confidence", "cause",        "burn_severity",
    "first_seen", "confirmed_on", "area_ha",    "centroid_lat", "centroid_lon",
    "bbox_west",  "bbox_south",   "bbox_east",  "bbox_north",   "estimated_value"};

/// The ledger's own columns of an alert, after its fields.
constexpr std::string_view kLifecycleColumns[] = {"status",        "created_run",   "confirmed_run",
                                                  "last_seen_run", "dismissed_utc", "dismissed_by",
                                                  "dismiss_reason"};

std::string select_alerts() {
  return "SELECT " + column_list(alert_columns()) + ", " + column_list(kLifecycleColumns) +
         " FROM alerts";
}

stored_alert read_alert(statement const& s) {
  auto const n = static_cast<int>(alert_columns().size());
  stored_alert a;
  a.alert = s.read_alert_fields(0, alert_columns());
  auto const status = from_string<alert_status>(s.text(n));
  if (!status) throw io_error("unknown alert status '" + s.text(n) + "' in the ledger");
  a.status = *status;
  a.created_run = s.integer(n + 1);
  a.confirmed_run = s.optional_integer(n + 2);
  a.last_seen_run = s.integer(n + 3);
  a.dismissed_utc = s.text(n + 4);
  a.dismissed_by = s.text(n + 5);
  a.dismiss_reason = s.text(n + 6);
  return a;
}

std::string select_events() {
  return "SELECT " + column_list(kEventColumns) + ", kind FROM events";
}

/// An event from columns first... of a select_events() row.
alert_event read_event(statement const& s, int first = 0) {
  alert_event e;
  e.alert = s.read_alert_fields(first, kEventColumns);
  auto const kind_column = first + static_cast<int>(std::size(kEventColumns));
  auto const kind = from_string<event_kind>(s.text(kind_column));
  if (!kind) throw io_error("unknown event kind '" + s.text(kind_column) + "' in the ledger");
  e.kind = *kind;
  return e;
}

/// Whether an alert's cause is among `causes` (an alert without one is not).
bool is_one_of(std::optional<alert_cause> cause, std::vector<alert_cause> const& causes) {
  return cause && std::find(causes.begin(), causes.end(), *cause) != causes.end();
}

/// ", ?" n times.
std::string placeholders(std::size_t n) {
  std::string out;
  for (std::size_t k = 0; k < n; ++k) out += ", ?";
  return out;
}

/// An alert's status after a run that measured it (`high`: at high confidence), and the event
/// that is, if any: new on first sight, confirmed when high confidence first arrives; a
/// dismissed alert stays dismissed and is never announced again.
std::pair<alert_status, std::optional<event_kind>> next_status(
    std::optional<stored_alert> const& before, bool high) {
  auto const measured = high ? alert_status::confirmed : alert_status::new_alert;
  if (!before) return {measured, event_kind::new_alert};
  if (before->status == alert_status::dismissed) return {alert_status::dismissed, std::nullopt};
  if (high && !before->confirmed_run) return {alert_status::confirmed, event_kind::confirmed};
  return {before->confirmed_run ? alert_status::confirmed : measured, std::nullopt};
}

constexpr std::string_view period_name(bool monitor) {
  return monitor ? "monitor" : "baseline";
}

/// The run, its scenes and dates, and the meta it keeps.
void insert_run(sqlite3* h, fs::path const& file, run_commit const& c) {
  statement(h, file,
            "INSERT INTO runs(run, started_utc, finished_utc, backend, state_file, scenes, "
            "new_alerts, confirmed_alerts) VALUES(?, ?, ?, ?, ?, ?, 0, 0)")
      .bind(1, c.run)
      .bind(2, c.started_utc)
      .bind(3, c.finished_utc)
      .bind(4, c.backend)
      .bind(5, c.state_file)
      .bind(6, static_cast<std::int64_t>(c.scenes.size()))
      .run();
  // OR REPLACE: a run that recomputed the history (late scenes) reads earlier runs' scenes
  // and dates again; the ledger then says this run read them, with what it found.
  statement scene(h, file,
                  "INSERT OR REPLACE INTO scenes(scene_id, date, period, status, run) "
                  "VALUES(?, ?, ?, ?, ?)");
  for (auto const& s : c.scenes) {
    scene.reset()
        .bind(1, s.scene_id)
        .bind(2, to_iso(s.date))
        .bind(3, period_name(s.monitor))
        .bind(4, to_string(s.status))
        .bind(5, c.run)
        .run();
  }
  statement date(h, file,
                 "INSERT OR REPLACE INTO dates(date, aoi, period, scenes, clear_m2, run) "
                 "VALUES(?, ?, ?, ?, ?, ?)");
  for (auto const& d : c.dates) {
    for (auto const& [aoi, m2] : d.clear_m2) {
      date.reset()
          .bind(1, to_iso(d.date))
          .bind(2, aoi)
          .bind(3, period_name(d.monitor))
          .bind(4, d.scenes)
          .bind(5, m2)
          .bind(6, c.run)
          .run();
    }
  }
  statement meta(h, file, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
  for (auto const& [key, value] : c.meta) meta.reset().bind(1, key).bind(2, value).run();
}

/// "INSERT INTO alerts(fields..., status, created_run, confirmed_run, last_seen_run) ..." that
/// updates an alert already there, but for its id, AOI and first run.
std::string upsert_alert_sql() {
  std::vector<std::string_view> columns = alert_columns();
  for (auto const* c : {"status", "created_run", "confirmed_run", "last_seen_run"})
    columns.emplace_back(c);
  std::string values, updates;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    values += (k ? ", ?" : "?") + std::to_string(k + 1);
    if (columns[k] == "alert_id" || columns[k] == "aoi" || columns[k] == "created_run") continue;
    updates +=
        (updates.empty() ? "" : ", ") + std::string(columns[k]) + " = ?" + std::to_string(k + 1);
  }
  return "INSERT INTO alerts(" + column_list(columns) + ") VALUES(" + values +
         ") ON CONFLICT(alert_id) DO UPDATE SET " + updates;
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
  int stored = 0;
  if (version) {
    auto const [end, ec] =
        std::from_chars(version->data(), version->data() + version->size(), stored);
    if (ec != std::errc{} || end != version->data() + version->size() || stored < 1 ||
        stored > schema_version) {
      throw io_error(file_.string() + ": schema version " + *version + ", this geosweep reads " +
                     std::to_string(schema_version) + " and older");
    }
  }
  if (version && stored < schema_version) {
    // An older ledger is brought up to date in one transaction: all of it, or none.
    std::string migrate = "BEGIN IMMEDIATE;";
    for (int v = stored; v < schema_version; ++v) migrate += migrations[v - 1];
    migrate += "UPDATE meta SET value = '" + std::to_string(schema_version) +
               "' WHERE key = 'schema_version'; COMMIT;";
    if (sqlite3_exec(db_->handle, migrate.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      std::string const why = message ? message : "unknown error";
      sqlite3_free(message);
      sqlite3_exec(db_->handle, "ROLLBACK;", nullptr, nullptr, nullptr);
      throw io_error(file_.string() + ": cannot update the monitoring database from schema " +
                     "version " + *version + " to " + std::to_string(schema_version) + ": " + why);
    }
    spdlog::info("{}: ledger updated from schema version {} to {}", file_.string(), stored,
                 schema_version);
  }
  if (!version) {
    statement(db_->handle, file_, "INSERT INTO meta(key, value) VALUES('schema_version', ?)")
        .bind(1, std::to_string(schema_version))
        .run();
  }
  // This ledger's own name, part of every delivery id: a ledger made afresh (after `rm -rf
  // state`) starts its runs at 1 again, and its ids must still never repeat an older one's.
  if (!meta("ledger_id")) {
    std::random_device entropy;
    auto const now = std::chrono::system_clock::now().time_since_epoch().count();
    std::uint64_t const id = (static_cast<std::uint64_t>(entropy()) << 32 ^ entropy()) ^
                             static_cast<std::uint64_t>(now) * 0x9E3779B97F4A7C15ull;
    statement(db_->handle, file_, "INSERT OR IGNORE INTO meta(key, value) VALUES('ledger_id', ?)")
        .bind(1, fmt::format("{:08x}", id & 0xFFFFFFFFull))
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
  while (s.step()) {
    auto const date = parse_iso_date(s.text(1));
    auto const status = from_string<scene_status>(s.text(3));
    if (!date || !status) throw io_error(file_.string() + ": a bad scene row: " + s.text(0));
    out.push_back({s.text(0), *date, s.text(2) == "monitor", *status});
  }
  return out;
}

std::vector<stored_date> monitor_store::dates() const {
  statement s(db_->handle, file_,
              "SELECT date, period, scenes, aoi, clear_m2 FROM dates ORDER BY date, aoi");
  std::vector<stored_date> out;
  while (s.step()) {
    auto const date = parse_iso_date(s.text(0));
    if (!date) throw io_error(file_.string() + ": a bad date row: " + s.text(0));
    if (out.empty() || out.back().date != *date)
      out.push_back({*date, s.text(1) == "monitor", s.integer(2), {}});
    out.back().clear_m2[s.text(3)] = s.real(4);
  }
  return out;
}

std::optional<civil_date> monitor_store::last_date() const {
  statement s(db_->handle, file_,
              "SELECT COALESCE(MAX(date), '') FROM scenes WHERE status = 'ingested'");
  s.step();
  return parse_iso_date(s.text(0));
}

std::vector<stored_alert> monitor_store::alerts(std::optional<alert_status> status,
                                                std::string const& aoi) const {
  statement s(db_->handle, file_,
              select_alerts() +
                  " WHERE (?1 = '' OR status = ?1) AND (?2 = '' OR aoi = ?2)"
                  " ORDER BY aoi, first_seen, alert_id");
  s.bind(1, status ? to_string(*status) : std::string_view()).bind(2, aoi);
  std::vector<stored_alert> out;
  while (s.step()) out.push_back(read_alert(s));
  return out;
}

std::optional<stored_alert> monitor_store::alert(std::string const& id) const {
  statement s(db_->handle, file_, select_alerts() + " WHERE alert_id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_alert(s);
}

std::vector<alert_event> monitor_store::events(std::int64_t run) const {
  statement s(db_->handle, file_,
              select_events() + " WHERE run = ? ORDER BY aoi, alert_id, kind DESC");
  s.bind(1, run);
  std::vector<alert_event> out;
  while (s.step()) out.push_back(read_event(s));
  return out;
}

std::vector<std::pair<std::int64_t, alert_event>> monitor_store::history(
    std::string const& id) const {
  statement s(db_->handle, file_,
              "SELECT run, " + column_list(kEventColumns) +
                  ", kind FROM events WHERE alert_id = ? ORDER BY run, kind DESC");
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
    insert_run(h, file_, c);  // first: the rows below refer to it
    auto const [new_count, confirmed_count] = update_alerts(c, summary);
    summary.events = events(c.run);
    statement(h, file_, "UPDATE runs SET new_alerts = ?, confirmed_alerts = ? WHERE run = ?")
        .bind(1, new_count)
        .bind(2, confirmed_count)
        .bind(3, c.run)
        .run();
    queue_deliveries(c, summary);
    statement(h, file_, "COMMIT").run();
  } catch (...) {
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  return summary;
}

std::pair<std::int64_t, std::int64_t> monitor_store::update_alerts(run_commit const& c,
                                                                   run_summary& summary) {
  sqlite3* h = db_->handle;
  // The alert lifecycle (next_status), and withdrawn when no longer found.
  statement upsert(h, file_, upsert_alert_sql());
  statement insert_event(h, file_,
                         "INSERT INTO events(run, kind, " + column_list(kEventColumns) +
                             ") VALUES(?, ?" + placeholders(std::size(kEventColumns)) + ")");
  std::int64_t new_count = 0, confirmed_count = 0;
  std::set<std::string> seen;
  auto const fields = static_cast<int>(alert_columns().size());
  for (auto const& a : c.alerts) {
    seen.insert(a.id);
    bool const high = a.confidence == alert_confidence::high;
    auto const before = alert(a.id);
    auto const [status, kind] = next_status(before, high);
    new_count += kind == event_kind::new_alert ? 1 : 0;
    confirmed_count += kind == event_kind::confirmed ? 1 : 0;
    bool const was_confirmed = before && before->confirmed_run.has_value();
    std::int64_t const confirmed_run = was_confirmed ? before->confirmed_run.value_or(0) : c.run;
    upsert.reset()
        .bind(1, alert_row(a, alert_columns()))
        .bind(fields + 1, to_string(status))
        .bind(fields + 2, c.run)
        .bind_or_null(fields + 3, was_confirmed || high, confirmed_run)
        .bind(fields + 4, c.run)
        .run();
    if (!kind) continue;
    insert_event.reset()
        .bind(1, c.run)
        .bind(2, to_string(*kind))
        .bind(3, alert_row(a, kEventColumns));
    insert_event.run();
  }
  statement withdraw(h, file_, "UPDATE alerts SET status = 'withdrawn' WHERE alert_id = ?");
  for (auto const& a : alerts()) {
    if (seen.count(a.alert.id) > 0 || a.status == alert_status::dismissed ||
        a.status == alert_status::withdrawn)
      continue;
    withdraw.reset().bind(1, a.alert.id).run();
    ++summary.withdrawn;
  }
  return {new_count, confirmed_count};
}

void monitor_store::queue_deliveries(run_commit const& c, run_summary& summary) {
  // One delivery per channel and AOI with events, queued in the same transaction.
  std::set<std::string> aois_with_events;
  for (auto const& e : summary.events) aois_with_events.insert(e.alert.aoi);
  auto const reported = [&](std::string const& channel, std::string const& aoi) {
    auto const it = c.channel_causes.find(channel);
    if (it == c.channel_causes.end() || it->second.empty()) return true;
    return std::any_of(summary.events.begin(), summary.events.end(), [&](alert_event const& e) {
      return e.alert.aoi == aoi && is_one_of(e.alert.cause, it->second);
    });
  };
  std::string const ledger = meta("ledger_id").value_or("0");
  statement insert(db_->handle, file_,
                   "INSERT INTO deliveries(delivery_id, run, channel, aoi, status, attempts) "
                   "VALUES(?, ?, ?, ?, 'pending', 0)");
  for (auto const& [channel, covered] : c.channels) {
    for (auto const& aoi : aois_with_events) {
      if (!covered.empty() && std::find(covered.begin(), covered.end(), aoi) == covered.end())
        continue;
      if (!reported(channel, aoi)) continue;
      std::string const id = fmt::format("{}/run-{}.{}/{}/{}", c.job, c.run, ledger, channel, aoi);
      insert.reset().bind(1, id).bind(2, c.run).bind(3, channel).bind(4, aoi).run();
      summary.deliveries.push_back(id);
    }
  }
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

std::vector<stored_delivery> monitor_store::deliveries(
    std::optional<delivery_status> status) const {
  statement s(db_->handle, file_,
              "SELECT delivery_id, run, channel, aoi, status, attempts, last_error "
              "FROM deliveries WHERE ?1 = '' OR status = ?1 ORDER BY run, channel, aoi");
  s.bind(1, status ? to_string(*status) : std::string_view());
  std::vector<stored_delivery> out;
  while (s.step()) {
    auto const state = from_string<delivery_status>(s.text(4));
    if (!state) throw io_error(file_.string() + ": delivery " + s.text(0) + ": bad status");
    out.push_back({s.text(0), s.integer(1), s.text(2), s.text(3), *state, s.integer(5), s.text(6)});
  }
  return out;
}

notification monitor_store::notification_of(stored_delivery const& d,
                                            std::vector<alert_cause> const& causes) const {
  notification n;
  n.delivery_id = d.delivery_id;
  n.job = meta("job").value_or("");
  n.aoi = d.aoi;
  n.run = d.run;
  statement s(db_->handle, file_, "SELECT started_utc FROM runs WHERE run = ?");
  s.bind(1, d.run);
  if (s.step()) n.run_started_utc = s.text(0);
  for (auto& e : events(d.run)) {
    if (e.alert.aoi == d.aoi && (causes.empty() || is_one_of(e.alert.cause, causes)))
      n.events.push_back(std::move(e));
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
