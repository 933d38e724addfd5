// The monitoring ledger on its own: an alert's lifecycle over four runs (new, confirmed,
// dismissed, withdrawn), the events and deliveries each run queues, and alerts read back with
// every field as committed. The expected lifecycle is written out run by run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/monitor_store.hpp"

namespace gp = geosweep::pipeline;
namespace fs = std::filesystem;

namespace {

gp::alert make_alert(std::string id, std::string aoi, gp::alert_confidence confidence) {
  gp::alert a;
  a.id = std::move(id);
  a.aoi = std::move(aoi);
  a.first_seen = gp::parse_iso_date("2024-06-04").value();
  if (confidence == gp::alert_confidence::high) a.confirmed_on = gp::parse_iso_date("2024-06-19");
  a.confidence = confidence;
  a.area_ha = 1.5;
  a.centroid_lat = -9.5;
  a.centroid_lon = -62.25;
  a.bbox = {-62.3, -9.6, -62.2, -9.4};
  a.mean_magnitude = 0.3125;
  a.pixels = 150;
  return a;
}

class MonitorStore : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("geosweep_store_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    store_ = std::make_unique<gp::monitor_store>(dir_ / "state" / "monitor.sqlite");
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  /// Commits the next run with `alerts`; channels "all" (every AOI) and "north".
  gp::run_summary commit(std::vector<gp::alert> alerts) {
    gp::run_commit c;
    c.run = store_->next_run();
    c.job = "job";
    c.started_utc = c.finished_utc = "2024-07-01T00:00:00Z";
    c.backend = "cpu";
    c.state_file = "state-" + std::to_string(c.run) + ".h5";
    c.scenes = {{"scene-" + std::to_string(c.run), gp::parse_iso_date("2024-06-04").value(), true,
                 gp::scene_status::ingested}};
    c.alerts = std::move(alerts);
    c.channels = {{"all", {}}, {"north", {"north"}}};
    return store_->commit_run(c);
  }

  gp::alert_status status_of(std::string const& id) const { return store_->alert(id)->status; }

  fs::path dir_;
  std::unique_ptr<gp::monitor_store> store_;
};

using gp::alert_status;
using gp::event_kind;
using gp::alert_confidence::high;
using gp::alert_confidence::low;

std::vector<std::pair<std::string, event_kind>> events_of(gp::run_summary const& s) {
  std::vector<std::pair<std::string, event_kind>> out;
  for (auto const& e : s.events) out.emplace_back(e.alert.id, e.kind);
  return out;
}

}  // namespace

TEST_F(MonitorStore, AlertsGoThroughTheirLifecycle) {
  EXPECT_EQ(store_->next_run(), 1);
  // Run 1: A low and B high are both new; B is confirmed at once.
  auto const r1 = commit({make_alert("A", "south", low), make_alert("B", "south", high)});
  EXPECT_EQ(events_of(r1), (std::vector<std::pair<std::string, event_kind>>{
                               {"A", event_kind::new_alert}, {"B", event_kind::new_alert}}));
  EXPECT_EQ(status_of("A"), alert_status::new_alert);
  EXPECT_EQ(status_of("B"), alert_status::confirmed);
  EXPECT_EQ(store_->alert("B")->confirmed_run, 1);
  EXPECT_FALSE(store_->alert("A")->confirmed_run);
  // Run 2: A reaches high confidence: one "confirmed" event; B, already confirmed, none.
  auto const r2 = commit({make_alert("A", "south", high), make_alert("B", "south", high)});
  EXPECT_EQ(events_of(r2),
            (std::vector<std::pair<std::string, event_kind>>{{"A", event_kind::confirmed}}));
  EXPECT_EQ(store_->alert("A")->confirmed_run, 2);
  EXPECT_EQ(store_->alert("A")->created_run, 1);
  // An analyst dismisses B.
  store_->dismiss("B", "ana", "a road", "2024-07-02T08:00:00Z");
  EXPECT_THROW(store_->dismiss("Z", "ana", "", ""), geosweep::config_error);
  // Run 3: A measured low again stays confirmed; B stays dismissed, unannounced; C is new.
  auto const r3 = commit({make_alert("A", "south", low), make_alert("B", "south", high),
                          make_alert("C", "north", low)});
  EXPECT_EQ(events_of(r3),
            (std::vector<std::pair<std::string, event_kind>>{{"C", event_kind::new_alert}}));
  EXPECT_EQ(status_of("A"), alert_status::confirmed);
  EXPECT_EQ(store_->alert("A")->alert.confidence, low);  // its latest measurement
  EXPECT_EQ(status_of("B"), alert_status::dismissed);
  EXPECT_EQ(store_->alert("B")->dismissed_by, "ana");
  // Run 4: only C is found: A is withdrawn, B stays dismissed.
  auto const r4 = commit({make_alert("C", "north", low)});
  EXPECT_TRUE(r4.events.empty());
  EXPECT_EQ(r4.withdrawn, 1);
  EXPECT_EQ(status_of("A"), alert_status::withdrawn);
  EXPECT_EQ(status_of("B"), alert_status::dismissed);
  EXPECT_EQ(store_->alert("C")->last_seen_run, 4);
  EXPECT_EQ(store_->alerts(alert_status::withdrawn).size(), 1u);
  EXPECT_EQ(store_->alerts({}, "north").size(), 1u);
  EXPECT_EQ(store_->history("A").size(), 2u);  // new in run 1, confirmed in run 2
}

TEST_F(MonitorStore, DeliveryIdsNeverRepeatAfterTheLedgerIsMadeAfresh) {
  // The documented reset, `rm -rf outputs.dir/state`: runs number from 1 again, but the new
  // ledger's ids differ from the old one's, so a receiver dropping repeats drops none.
  auto const first = commit({make_alert("A", "south", low)}).deliveries;
  auto const kept = store_->meta("ledger_id");
  store_.reset();
  gp::monitor_store reopened(dir_ / "state" / "monitor.sqlite");
  EXPECT_EQ(reopened.meta("ledger_id"), kept);  // the same ledger keeps its name
  fs::remove_all(dir_ / "state");
  store_ = std::make_unique<gp::monitor_store>(dir_ / "state" / "monitor.sqlite");
  EXPECT_EQ(store_->next_run(), 1);
  auto const again = commit({make_alert("A", "south", low)}).deliveries;
  ASSERT_EQ(first.size(), 1u);
  ASSERT_EQ(again.size(), 1u);
  EXPECT_NE(first[0], again[0]);
  EXPECT_EQ(again[0].rfind("job/run-1.", 0), 0u) << again[0];
}

TEST_F(MonitorStore, DeliveriesGoToTheChannelsCoveringTheEventsAois) {
  auto const ledger = store_->meta("ledger_id").value_or("");
  ASSERT_EQ(ledger.size(), 8u);
  auto const r1 = commit({make_alert("A", "south", low)});
  EXPECT_EQ(r1.deliveries, (std::vector<std::string>{"job/run-1." + ledger + "/all/south"}));
  auto const r2 = commit({make_alert("A", "south", low), make_alert("C", "north", low)});
  EXPECT_EQ(r2.deliveries, (std::vector<std::string>{"job/run-2." + ledger + "/all/north",
                                                     "job/run-2." + ledger + "/north/north"}));
  auto const pending = store_->deliveries(gp::delivery_status::pending);
  ASSERT_EQ(pending.size(), 3u);
  store_->mark_sent(pending[0].delivery_id, 2, "2024-07-01T00:00:05Z");
  store_->mark_failed(pending[1].delivery_id, 3, "HTTP 503");
  EXPECT_EQ(store_->deliveries(gp::delivery_status::pending).size(), 2u);
  auto const all = store_->deliveries();
  EXPECT_EQ(all[0].status, gp::delivery_status::sent);
  EXPECT_EQ(all[0].attempts, 2);
  EXPECT_EQ(all[1].last_error, "HTTP 503");
  auto const n = store_->notification_of(all[2]);
  EXPECT_EQ(n.aoi, "north");
  ASSERT_EQ(n.events.size(), 1u);
  EXPECT_EQ(n.events[0].alert.id, "C");
}

TEST_F(MonitorStore, AlertsReadBackWithEveryFieldAsCommitted) {
  auto a = make_alert("A", "south", high);
  a.estimated_value = 1875.0;
  auto b = make_alert("B", "south", low);  // no confirmation, no value: '' and NULL
  commit({a, b});
  auto const back_a = store_->alert("A")->alert;
  auto const back_b = store_->alert("B")->alert;
  EXPECT_EQ(gp::field_texts(gp::alert_row(back_a)), gp::field_texts(gp::alert_row(a)));
  EXPECT_EQ(gp::field_texts(gp::alert_row(back_b)), gp::field_texts(gp::alert_row(b)));
  EXPECT_EQ(back_a.confirmed_on, a.confirmed_on);
  EXPECT_FALSE(back_b.confirmed_on);
  EXPECT_EQ(back_a.estimated_value, 1875.0);
  EXPECT_FALSE(back_b.estimated_value);
  EXPECT_DOUBLE_EQ(back_a.mean_magnitude, 0.3125);
  // Events keep what a notification shows (not the magnitude and pixel count).
  auto const events = store_->events(1);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].alert.id, "A");
  EXPECT_EQ(events[0].alert.estimated_value, 1875.0);
  EXPECT_EQ(events[0].alert.bbox, a.bbox);
  EXPECT_EQ(events[0].alert.pixels, 0);
  EXPECT_EQ(store_->last_date(), gp::parse_iso_date("2024-06-04"));
  EXPECT_EQ(store_->scenes().front().status, gp::scene_status::ingested);
}

TEST_F(MonitorStore, ACauseChannelGetsOnlyTheAoisAndEventsOfItsCauses) {
  auto const ledger = store_->meta("ledger_id").value_or("");
  auto burn = make_alert("B", "south", low);
  burn.cause = gp::alert_cause::burn;
  burn.burn_severity = gp::burn_severity::high;
  auto clearing = make_alert("C", "south", low);
  clearing.cause = gp::alert_cause::clearing;
  auto north = make_alert("N", "north", low);
  north.cause = gp::alert_cause::clearing;
  gp::run_commit c;
  c.run = store_->next_run();
  c.job = "job";
  c.started_utc = c.finished_utc = "2024-07-01T00:00:00Z";
  c.backend = "cpu";
  c.state_file = "state-1.h5";
  c.alerts = {burn, clearing, north};
  c.channels = {{"all", {}}, {"fires", {}}};
  c.channel_causes = {{"fires", {gp::alert_cause::burn, gp::alert_cause::mining}}};
  auto const r = store_->commit_run(c);
  // "fires" reports the south (a burn), not the north (a clearing only).
  EXPECT_EQ(r.deliveries, (std::vector<std::string>{"job/run-1." + ledger + "/all/north",
                                                    "job/run-1." + ledger + "/all/south",
                                                    "job/run-1." + ledger + "/fires/south"}));
  auto const all = store_->deliveries();
  ASSERT_EQ(all.size(), 3u);
  auto const fires = store_->notification_of(all[2], {gp::alert_cause::burn});
  ASSERT_EQ(fires.events.size(), 1u);
  EXPECT_EQ(fires.events[0].alert.id, "B");
  EXPECT_EQ(fires.events[0].alert.cause, gp::alert_cause::burn);
  EXPECT_EQ(fires.events[0].alert.burn_severity, gp::burn_severity::high);
  EXPECT_EQ(store_->notification_of(all[1]).events.size(), 2u);  // "all": both of the south
  auto const back = store_->alert("C");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->alert.cause, gp::alert_cause::clearing);
  EXPECT_FALSE(back->alert.burn_severity);
}

// A ledger written by geosweep before causes (schema 1, its tables as that version created
// them, written out here): opening it adds the columns, keeps its alerts, and takes causes.
TEST_F(MonitorStore, ASchemaOneLedgerIsMigratedAndKeepsItsAlerts) {
  store_.reset();
  auto const old = dir_ / "old.sqlite";
  std::string const v1 = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs(
  run INTEGER PRIMARY KEY, started_utc TEXT NOT NULL, finished_utc TEXT NOT NULL,
  backend TEXT NOT NULL, state_file TEXT NOT NULL, scenes INTEGER NOT NULL,
  new_alerts INTEGER NOT NULL, confirmed_alerts INTEGER NOT NULL);
CREATE TABLE scenes(
  scene_id TEXT PRIMARY KEY, date TEXT NOT NULL, period TEXT NOT NULL,
  status TEXT NOT NULL, run INTEGER NOT NULL REFERENCES runs(run));
CREATE TABLE dates(
  date TEXT NOT NULL, aoi TEXT NOT NULL, period TEXT NOT NULL, scenes INTEGER NOT NULL,
  clear_m2 REAL NOT NULL, run INTEGER NOT NULL REFERENCES runs(run), PRIMARY KEY(date, aoi));
CREATE TABLE alerts(
  alert_id TEXT PRIMARY KEY, aoi TEXT NOT NULL, status TEXT NOT NULL, confidence TEXT NOT NULL,
  first_seen TEXT NOT NULL, confirmed_on TEXT NOT NULL, area_ha REAL NOT NULL,
  centroid_lat REAL NOT NULL, centroid_lon REAL NOT NULL, bbox_west REAL NOT NULL,
  bbox_south REAL NOT NULL, bbox_east REAL NOT NULL, bbox_north REAL NOT NULL,
  mean_magnitude REAL NOT NULL, pixels INTEGER NOT NULL, estimated_value REAL,
  created_run INTEGER NOT NULL, confirmed_run INTEGER, last_seen_run INTEGER NOT NULL,
  dismissed_utc TEXT NOT NULL DEFAULT '', dismissed_by TEXT NOT NULL DEFAULT '',
  dismiss_reason TEXT NOT NULL DEFAULT '');
CREATE TABLE events(
  run INTEGER NOT NULL REFERENCES runs(run), alert_id TEXT NOT NULL, aoi TEXT NOT NULL,
  kind TEXT NOT NULL, confidence TEXT NOT NULL, first_seen TEXT NOT NULL,
  confirmed_on TEXT NOT NULL, area_ha REAL NOT NULL, centroid_lat REAL NOT NULL,
  centroid_lon REAL NOT NULL, bbox_west REAL NOT NULL, bbox_south REAL NOT NULL,
  bbox_east REAL NOT NULL, bbox_north REAL NOT NULL, estimated_value REAL,
  PRIMARY KEY(run, alert_id, kind));
CREATE TABLE deliveries(
  delivery_id TEXT PRIMARY KEY, run INTEGER NOT NULL REFERENCES runs(run),
  channel TEXT NOT NULL, aoi TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '', sent_utc TEXT NOT NULL DEFAULT '');
INSERT INTO meta VALUES('schema_version', '1');
INSERT INTO runs VALUES(1, '2024-07-01T00:00:00Z', '2024-07-01T00:01:00Z', 'cpu', 's.h5', 1, 1, 0);
INSERT INTO alerts VALUES('gs-old', 'north', 'new', 'low', '2024-06-04', '', 1.5, -9.5, -62.25,
  -62.3, -9.6, -62.2, -9.4, 0.3125, 150, NULL, 1, NULL, 1, '', '', '');
INSERT INTO events VALUES(1, 'gs-old', 'north', 'new', 'low', '2024-06-04', '', 1.5, -9.5,
  -62.25, -62.3, -9.6, -62.2, -9.4, NULL);
)sql";
  fs::create_directories(dir_);
  {
    std::FILE* pipe = ::popen(("sqlite3 " + old.string()).c_str(), "w");
    ASSERT_NE(pipe, nullptr);
    std::fputs(v1.c_str(), pipe);
    ASSERT_EQ(::pclose(pipe), 0);
  }
  gp::monitor_store store(old);
  EXPECT_EQ(store.meta("schema_version"), "2");
  auto const kept = store.alert("gs-old");
  ASSERT_TRUE(kept);
  EXPECT_EQ(kept->alert.area_ha, 1.5);
  EXPECT_FALSE(kept->alert.cause);  // none recorded before causes
  ASSERT_EQ(store.events(1).size(), 1u);
  EXPECT_FALSE(store.events(1)[0].alert.cause);
  // The next run records causes.
  auto a = make_alert("gs-old", "north", high);
  a.cause = gp::alert_cause::mining;
  gp::run_commit c;
  c.run = store.next_run();
  EXPECT_EQ(c.run, 2);
  c.job = "job";
  c.started_utc = c.finished_utc = "2024-07-02T00:00:00Z";
  c.backend = "cpu";
  c.state_file = "s2.h5";
  c.alerts = {a};
  store.commit_run(c);
  EXPECT_EQ(store.alert("gs-old")->alert.cause, gp::alert_cause::mining);
  EXPECT_EQ(store.events(2).at(0).alert.cause, gp::alert_cause::mining);
}

TEST_F(MonitorStore, ALedgerOfANewerSchemaIsRefused) {
  store_.reset();
  auto const file = dir_ / "state" / "monitor.sqlite";
  ASSERT_EQ(std::system(("sqlite3 " + file.string() +
                         " \"UPDATE meta SET value = '3' WHERE key = 'schema_version'\"")
                            .c_str()),
            0);
  try {
    gp::monitor_store again(dir_ / "state" / "monitor.sqlite");
    ADD_FAILURE() << "opened a schema 3 ledger";
  } catch (geosweep::io_error const& e) {
    EXPECT_NE(std::string(e.what()).find("schema version 3, this geosweep reads 2 and older"),
              std::string::npos)
        << e.what();
  }
}
