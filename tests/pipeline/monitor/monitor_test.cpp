// geosweep monitor: simulated scenes arriving over three nights. Each night's events equal
// what batch runs over the scenes known that night and the night before say is new or newly
// confirmed; the final tables equal one batch run over everything; a run killed with SIGKILL
// at several points, then rerun, ends exactly as an uninterrupted one; notifications arrive
// once at real local receivers that fail at first.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/monitor_store.hpp"
#include "tools/csv_rows.hpp"
#include "tools/json_file.hpp"
#include "tools/local_servers.hpp"
#include "tools/run_geosweep.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using tt::read_file;
using tt::run_geosweep;

namespace {

/// The simulated scene set, shared by the tests: scene folders by night.
class Monitor : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GDALAllRegister();
    root_ = fs::temp_directory_path() / ("geosweep_monitor_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    auto const e = run_geosweep(
        {"simulate", "--out", (root_ / "sim").string(), "--seed", "3", "--size", "320"});
    ASSERT_EQ(e.code, 0) << e.output;
    std::vector<std::pair<std::string, std::string>> scenes;  // (date, folder)
    for (auto const& entry : fs::directory_iterator(root_ / "sim" / "scenes")) {
      auto const name = entry.path().filename().string();
      scenes.emplace_back(name.substr(10, 8), name);  // S2A_20LMR_YYYYMMDD_...
    }
    std::sort(scenes.begin(), scenes.end());
    ASSERT_EQ(scenes.size(), 7u);
    // Night 1: the 3 baseline scenes and the first monitoring one; night 2: two more; night 3:
    // the last one.
    nights_ = {{}, {}, {}};
    for (std::size_t i = 0; i < scenes.size(); ++i)
      nights_[i < 4 ? 0 : i < 6 ? 1 : 2].push_back(scenes[i].second);
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  /// A job folder `name` seeing the scenes of nights 1..`night`, with `extra` YAML appended
  /// (and, with `bfast`, the change method bfast with a constant model for the three
  /// baseline looks).
  static fs::path job_dir(std::string const& name, int night, std::string const& extra = "",
                          bool bfast = false) {
    fs::path const dir = root_ / name;
    fs::create_directories(dir / "scenes");
    if (!fs::exists(dir / "aois")) fs::copy(root_ / "sim" / "aois", dir / "aois");
    std::string job = read_file(root_ / "sim" / "job.yaml");
    if (bfast) {
      auto const at = job.find("  method: baseline\n  index: ndvi\n  drop: 0.25\n");
      EXPECT_NE(at, std::string::npos);
      job.replace(at, std::string("  method: baseline\n  index: ndvi\n  drop: 0.25\n").size(),
                  "  method: bfast\n  index: ndvi\n  bfast: {k: 0, h: 1, min_history: 3}\n");
    }
    std::ofstream(dir / "job.yaml") << job << extra;
    see_night(dir, night);
    return dir;
  }
  /// Adds the scenes of nights up to `night` to a job folder.
  static void see_night(fs::path const& dir, int night) {
    for (int n = 0; n < night; ++n) {
      for (auto const& s : nights_[static_cast<std::size_t>(n)]) {
        if (!fs::exists(dir / "scenes" / s))
          fs::create_directory_symlink(root_ / "sim" / "scenes" / s, dir / "scenes" / s);
      }
    }
  }

  static fs::path root_;
  static std::vector<std::vector<std::string>> nights_;
};

fs::path Monitor::root_;
std::vector<std::vector<std::string>> Monitor::nights_;

/// alert id -> confidence, from an alerts.csv.
std::map<std::string, std::string> alert_confidence(fs::path const& alerts_csv) {
  std::map<std::string, std::string> out;
  auto const rows = tt::csv_rows(alerts_csv);
  for (std::size_t i = 1; i < rows.size(); ++i) out[rows[i][0]] = rows[i][4];
  return out;
}

/// (event, alert id) of an events CSV.
std::set<std::pair<std::string, std::string>> events_of(fs::path const& csv) {
  std::set<std::pair<std::string, std::string>> out;
  auto const rows = tt::csv_rows(csv);
  for (std::size_t i = 1; i < rows.size(); ++i) out.insert({rows[i][1], rows[i][2]});
  return out;
}

/// Every file under a folder with its bytes (the ledger excepted).
std::map<std::string, std::string> snapshot(fs::path const& dir) {
  std::map<std::string, std::string> out;
  for (auto const& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    auto const rel = fs::relative(e.path(), dir).string();
    if (rel.find("monitor.sqlite") != std::string::npos) continue;
    out[rel] = read_file(e.path());
  }
  return out;
}

}  // namespace

TEST_F(Monitor, ThreeNightsAnnounceEachAlertOnceAndEndAsOneBatchRun) {
  fs::path const watch = job_dir("nightly", 1);
  std::map<std::string, std::string> previous;  // batch alerts of the night before
  std::set<std::pair<std::string, std::string>> announced;
  for (int night = 1; night <= 3; ++night) {
    see_night(watch, night);
    auto const e = run_geosweep({"monitor", (watch / "job.yaml").string()});
    ASSERT_EQ(e.code, 0) << e.output;
    ASSERT_FALSE(e.signaled);

    // What a batch run over the scenes known tonight says.
    fs::path const batch = job_dir("batch-" + std::to_string(night), night);
    auto const b = run_geosweep({"run", (batch / "job.yaml").string()});
    ASSERT_EQ(b.code, 0) << b.output;
    auto const tonight = alert_confidence(batch / "out" / "alerts.csv");
    std::set<std::pair<std::string, std::string>> expected;
    for (auto const& [id, confidence] : tonight) {
      auto const before = previous.find(id);
      if (before == previous.end())
        expected.insert({"new", id});
      else if (confidence == "high" && before->second == "low")
        expected.insert({"confirmed", id});
    }
    auto const events =
        events_of(watch / "out" / "events" / ("run-000" + std::to_string(night) + ".csv"));
    EXPECT_EQ(events, expected) << "night " << night;
    EXPECT_FALSE(expected.empty()) << "night " << night << " should bring news";
    for (auto const& ev : events) {
      EXPECT_TRUE(announced.insert(ev).second) << ev.first << " " << ev.second << " repeated";
    }
    // The same events as outlines in GeoJSON, each around its centroid.
    auto const geojson =
        watch / "out" / "events" / ("run-000" + std::to_string(night) + ".geojson");
    GDALDatasetUniquePtr ds(GDALDataset::Open(geojson.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    ASSERT_TRUE(ds) << geojson;
    std::set<std::pair<std::string, std::string>> mapped;
    for (auto& f : *ds->GetLayer(0)) {
      mapped.insert({f->GetFieldAsString("event"), f->GetFieldAsString("alert_id")});
      auto const* g = f->GetGeometryRef();
      ASSERT_NE(g, nullptr);
      auto const type = wkbFlatten(g->getGeometryType());
      EXPECT_TRUE(type == wkbPolygon || type == wkbMultiPolygon) << g->getGeometryName();
      OGREnvelope box;
      g->getEnvelope(&box);
      double const lon = f->GetFieldAsDouble("centroid_lon"),
                   lat = f->GetFieldAsDouble("centroid_lat");
      EXPECT_TRUE(box.MinX <= lon && lon <= box.MaxX && box.MinY <= lat && lat <= box.MaxY)
          << f->GetFieldAsString("alert_id");
    }
    EXPECT_EQ(mapped, events);
    // The monitor's tables are those of the batch run over the same scenes.
    EXPECT_EQ(read_file(watch / "out" / "alerts.csv"), read_file(batch / "out" / "alerts.csv"))
        << "night " << night;
    EXPECT_EQ(read_file(watch / "out" / "areas.csv"), read_file(batch / "out" / "areas.csv"))
        << "night " << night;
    // And so are the dates of the looks, carried from night to night in the state.
    for (char const* aoi : {"reserve-north", "concession-7"}) {
      for (char const* layer : {"ndvi_before_date", "ndvi_after_date"}) {
        auto const days = [&](fs::path const& out) {
          auto const name =
              "NETCDF:\"" + (out / "change.nc").string() + "\":/aoi/" + aoi + "/" + layer;
          GDALDatasetUniquePtr v(
              GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
          std::vector<std::int32_t> values;
          if (!v) return values;
          values.resize(static_cast<std::size_t>(v->GetRasterXSize()) * v->GetRasterYSize());
          EXPECT_EQ(v->GetRasterBand(1)->RasterIO(
                        GF_Read, 0, 0, v->GetRasterXSize(), v->GetRasterYSize(), values.data(),
                        v->GetRasterXSize(), v->GetRasterYSize(), GDT_Int32, 0, 0),
                    CE_None);
          return values;
        };
        auto const nightly = days(watch / "out");
        EXPECT_FALSE(nightly.empty()) << aoi << "/" << layer;
        EXPECT_TRUE(nightly == days(batch / "out")) << aoi << "/" << layer << " night " << night;
      }
    }
    previous = tonight;
  }
  // Some alert grew between nights and kept its id: new one night, confirmed a later one.
  std::size_t confirmed_later = 0;
  for (auto const& [kind, id] : announced)
    confirmed_later += kind == "confirmed" && announced.count({"new", id}) > 0 ? 1 : 0;
  EXPECT_GT(confirmed_later, 0u);

  // A night with nothing new changes nothing.
  auto const before = snapshot(watch / "out");
  auto const list_before =
      run_geosweep({"alerts", "list", (watch / "job.yaml").string(), "--format", "json"});
  auto const quiet = run_geosweep({"monitor", (watch / "job.yaml").string()});
  EXPECT_EQ(quiet.code, 0) << quiet.output;
  EXPECT_NE(quiet.output.find("no new scene"), std::string::npos) << quiet.output;
  EXPECT_EQ(snapshot(watch / "out"), before);
  EXPECT_EQ(
      run_geosweep({"alerts", "list", (watch / "job.yaml").string(), "--format", "json"}).output,
      list_before.output);
  gp::monitor_store store(watch / "out" / "state" / "monitor.sqlite");
  EXPECT_EQ(store.last_run(), 3);
  EXPECT_EQ(store.scenes().size(), 7u);

  // An analyst dismisses an alert; it is listed as dismissed.
  auto const alerts = store.alerts();
  ASSERT_FALSE(alerts.empty());
  auto const d = run_geosweep({"alerts", "dismiss", (watch / "job.yaml").string(),
                               alerts.front().alert.id, "--reason", "known road", "--by", "ana"});
  EXPECT_EQ(d.code, 0) << d.output;
  auto const dismissed = store.alerts(gp::alert_status::dismissed);
  ASSERT_EQ(dismissed.size(), 1u);
  EXPECT_EQ(dismissed[0].alert.id, alerts.front().alert.id);
  EXPECT_EQ(dismissed[0].dismissed_by, "ana");
  auto const unknown =
      run_geosweep({"alerts", "dismiss", (watch / "job.yaml").string(), "gs-000000000000"});
  EXPECT_EQ(unknown.code, 3) << unknown.output;
  EXPECT_NE(unknown.output.find("gs-000000000000"), std::string::npos);
}

TEST_F(Monitor, BfastNightsContinueTheMosumAndEndAsOneBatchRun) {
  // The model is fitted on night 1 (three baseline looks and a monitoring one); nights 2 and 3
  // go on from the stored coefficients, sigma and window: each night's tables equal a batch run
  // over the scenes known that night.
  fs::path const watch = job_dir("bfast-nightly", 1, "", true);
  for (int night = 1; night <= 3; ++night) {
    see_night(watch, night);
    auto const e = run_geosweep({"monitor", (watch / "job.yaml").string()});
    ASSERT_EQ(e.code, 0) << e.output;
    fs::path const batch = job_dir("bfast-batch-" + std::to_string(night), night, "", true);
    auto const b = run_geosweep({"run", (batch / "job.yaml").string()});
    ASSERT_EQ(b.code, 0) << b.output;
    EXPECT_EQ(read_file(watch / "out" / "alerts.csv"), read_file(batch / "out" / "alerts.csv"))
        << "night " << night;
    EXPECT_EQ(read_file(watch / "out" / "areas.csv"), read_file(batch / "out" / "areas.csv"))
        << "night " << night;
    if (night == 3) {
      EXPECT_GT(tt::csv_rows(batch / "out" / "alerts.csv").size(), 1u);
    }
  }
}

TEST_F(Monitor, ALateSceneIsAppliedAsIfItHadComeInTime) {
  // The first monitoring scene of night 2 comes a night late, after a later date was read (as
  // Sentinel-2 tiles of one day arrive hours apart): the night recomputes the history and ends
  // with the tables of a batch run over all seven scenes; exit 0, nothing left out.
  fs::path const watch = job_dir("late", 1);
  std::string const held_back = nights_[1][0];
  see_night(watch, 3);
  fs::remove(watch / "scenes" / held_back);
  ASSERT_EQ(run_geosweep({"monitor", (watch / "job.yaml").string()}).code, 0);
  fs::create_directory_symlink(root_ / "sim" / "scenes" / held_back, watch / "scenes" / held_back);
  auto const late = run_geosweep({"monitor", (watch / "job.yaml").string()});
  ASSERT_EQ(late.code, 0) << late.output;
  EXPECT_NE(late.output.find("late scenes applied"), std::string::npos) << late.output;
  EXPECT_EQ(late.output.find("left out"), std::string::npos) << late.output;
  fs::path const batch = job_dir("late-batch", 3);
  ASSERT_EQ(run_geosweep({"run", (batch / "job.yaml").string()}).code, 0);
  EXPECT_EQ(read_file(watch / "out" / "alerts.csv"), read_file(batch / "out" / "alerts.csv"));
  EXPECT_EQ(read_file(watch / "out" / "areas.csv"), read_file(batch / "out" / "areas.csv"));
  gp::monitor_store store(watch / "out" / "state" / "monitor.sqlite");
  EXPECT_EQ(store.scenes().size(), 7u);
  for (auto const& s : store.scenes())
    EXPECT_EQ(s.status, gp::scene_status::ingested) << s.scene_id;
  // The next night, with nothing new, changes nothing: the state continues from the rebuild.
  auto const quiet = run_geosweep({"monitor", (watch / "job.yaml").string()});
  EXPECT_NE(quiet.output.find("no new scene"), std::string::npos) << quiet.output;
}

TEST_F(Monitor, ALateSceneThatCannotBeAppliedFailsTheNightSayingWhatToDo) {
  // Late again, but a scene an earlier night read is gone (a rolling archive): the history
  // cannot be recomputed, so the night fails (exit 3) naming both, and nothing changes.
  fs::path const watch = job_dir("late-gone", 1);
  std::string const held_back = nights_[1][0];
  see_night(watch, 3);
  fs::remove(watch / "scenes" / held_back);
  ASSERT_EQ(run_geosweep({"monitor", (watch / "job.yaml").string()}).code, 0);
  auto const before = snapshot(watch / "out");
  fs::create_directory_symlink(root_ / "sim" / "scenes" / held_back, watch / "scenes" / held_back);
  std::string const gone = nights_[0][0];
  fs::remove(watch / "scenes" / gone);
  auto const late = run_geosweep({"monitor", (watch / "job.yaml").string()});
  EXPECT_EQ(late.code, 3) << late.output;
  EXPECT_NE(late.output.find("late scene(s) " + held_back), std::string::npos) << late.output;
  EXPECT_NE(late.output.find("no longer among the scenes (" + gone), std::string::npos)
      << late.output;
  EXPECT_EQ(snapshot(watch / "out"), before);
}

TEST_F(Monitor, KilledAtAnyPointTheNextRunEndsAsAnUninterruptedOne) {
  // The reference: nights 1 and 2 without interruption.
  fs::path const reference = job_dir("reference", 1);
  ASSERT_EQ(run_geosweep({"monitor", (reference / "job.yaml").string()}).code, 0);
  see_night(reference, 2);
  ASSERT_EQ(run_geosweep({"monitor", (reference / "job.yaml").string()}).code, 0);
  auto const reference_list =
      run_geosweep({"alerts", "list", (reference / "job.yaml").string(), "--format", "json"});
  // How long a night-2 run takes, to kill runs part-way through.
  fs::path const timing = job_dir("timing", 1);
  ASSERT_EQ(run_geosweep({"monitor", (timing / "job.yaml").string()}).code, 0);
  see_night(timing, 2);
  auto const t0 = std::chrono::steady_clock::now();
  ASSERT_EQ(run_geosweep({"monitor", (timing / "job.yaml").string()}).code, 0);
  double const seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  struct kill_case {
    std::string point;            // GEOSWEEP_CRASH_AT, or empty for a timed kill
    std::optional<double> after;  // seconds
  };
  std::vector<kill_case> cases{{"before-commit", {}}, {"after-commit", {}}, {"after-events", {}}};
  for (double f : {0.15, 0.4, 0.7}) cases.push_back({"", seconds * f});
  int n = 0;
  for (auto const& c : cases) {
    SCOPED_TRACE(c.point.empty() ? "killed after " + std::to_string(*c.after) + " s" : c.point);
    fs::path const dir = job_dir("killed-" + std::to_string(n++), 1);
    ASSERT_EQ(run_geosweep({"monitor", (dir / "job.yaml").string()}).code, 0);
    see_night(dir, 2);
    std::map<std::string, std::string> env;
    if (!c.point.empty()) env["GEOSWEEP_CRASH_AT"] = c.point;
    auto const killed = run_geosweep({"monitor", (dir / "job.yaml").string()}, env, c.after);
    if (!c.point.empty()) {
      EXPECT_TRUE(killed.signaled && killed.code == SIGKILL) << killed.output;
    }
    auto const again = run_geosweep({"monitor", (dir / "job.yaml").string()});
    ASSERT_EQ(again.code, 0) << again.output;
    for (auto const* file :
         {"alerts.csv", "areas.csv", "events/run-0002.csv", "events/run-0001.csv"}) {
      EXPECT_EQ(read_file(dir / "out" / file), read_file(reference / "out" / file)) << file;
    }
    EXPECT_EQ(
        run_geosweep({"alerts", "list", (dir / "job.yaml").string(), "--format", "json"}).output,
        reference_list.output);
    // Nothing of the interrupted run is left: one state file, no temporary files.
    std::vector<std::string> states, temporaries;
    for (auto const& e : fs::recursive_directory_iterator(dir / "out")) {
      auto const name = e.path().filename().string();
      if (name.rfind("state-", 0) == 0) states.push_back(name);
      if (name.find(".tmp-") != std::string::npos) temporaries.push_back(name);
    }
    EXPECT_EQ(states, std::vector<std::string>{"state-0002.h5"});
    EXPECT_TRUE(temporaries.empty());
    gp::monitor_store store(dir / "out" / "state" / "monitor.sqlite");
    EXPECT_EQ(store.last_run(), 2);
  }
}

TEST_F(Monitor, NotificationsArriveOnceThoughTheReceiversFailAtFirst) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "python3-aiosmtpd is not installed";
  fs::path const dir = root_ / "notify";
  fs::create_directories(dir);
  // The webhook fails its first 3 requests; each run tries twice: night 1 gives up (pending),
  // night 2 delivers night 1's notification at its second try, then night 2's at once.
  tt::webhook_server hook(dir / "hook", tt::webhook_server_options::failing_first(3));
  tt::smtp_server smtp(dir / "smtp", tt::smtp_server_options::failing_first(1, 1));
  std::string const channels =
      "notifications:\n"
      "  - name: desk\n    type: webhook\n    url: " +
      hook.url() +
      "\n    headers: {Authorization: \"Bearer ${GEOSWEEP_TEST_TOKEN}\"}\n"
      "    attempts: 2\n    backoff_s: 0\n    timeout_s: 5\n"
      "  - name: analysts\n    type: email\n    smtp_url: " +
      smtp.url() +
      "\n    tls: none\n    from: geosweep@example.org\n    to: [ana@example.org]\n"
      "    aois: [reserve-north]\n    attempts: 3\n    backoff_s: 0\n"
      "  - name: inbox\n    type: file\n    dir: inbox\n";
  fs::path const job = job_dir("notify", 1, channels) / "job.yaml";
  std::map<std::string, std::string> const env{{"GEOSWEEP_TEST_TOKEN", "s3cret"}};

  auto const night1 = run_geosweep({"monitor", job.string()}, env);
  EXPECT_EQ(night1.code, 6) << night1.output;  // committed; the webhook delivery waits
  see_night(job.parent_path(), 2);
  auto const night2 = run_geosweep({"monitor", job.string()}, env);
  EXPECT_EQ(night2.code, 0) << night2.output;
  auto const night3 = run_geosweep({"monitor", job.string()}, env);  // nothing new
  EXPECT_EQ(night3.code, 0) << night3.output;

  gp::monitor_store store(job.parent_path() / "out" / "state" / "monitor.sqlite");
  auto const deliveries = store.deliveries();
  ASSERT_FALSE(deliveries.empty());
  std::map<std::string, int> webhook_ok, inbox_files;
  std::set<std::string> expected_webhook;
  for (auto const& d : deliveries) {
    EXPECT_EQ(d.status, gp::delivery_status::sent) << d.delivery_id << ": " << d.last_error;
    if (d.channel == "desk") expected_webhook.insert(d.delivery_id);
  }
  // Each webhook delivery id answered 200 exactly once, with the token from the environment.
  for (auto const& r : hook.requests()) {
    EXPECT_EQ(r.header("authorization"), "Bearer s3cret");
    if (r.status == 200) ++webhook_ok[r.header("idempotency-key")];
  }
  std::set<std::string> delivered_ids;
  for (auto const& [id, count] : webhook_ok) {
    EXPECT_EQ(count, 1) << id;
    delivered_ids.insert(id);
  }
  EXPECT_EQ(delivered_ids, expected_webhook);
  EXPECT_EQ(hook.requests().size(), expected_webhook.size() + 3);  // plus the 3 failures
  // One webhook delivery per run and AOI with news.
  std::set<std::pair<std::int64_t, std::string>> news;
  for (std::int64_t run = 1; run <= store.last_run(); ++run) {
    for (auto const& e : store.events(run)) news.insert({run, e.alert.aoi});
  }
  EXPECT_EQ(expected_webhook.size(), news.size());

  // E-mail: one accepted message per reserve-north delivery, none for the other AOI.
  std::multiset<std::string> subjects;
  std::size_t email_deliveries = 0;
  for (auto const& d : deliveries) email_deliveries += d.channel == "analysts" ? 1 : 0;
  auto const accepted = smtp.accepted();
  EXPECT_EQ(accepted.size(), email_deliveries);
  std::size_t reserve_news = 0;
  for (auto const& [run, aoi] : news) reserve_news += aoi == "reserve-north" ? 1 : 0;
  EXPECT_EQ(email_deliveries, reserve_news);
  EXPECT_GE(email_deliveries, 1u);
  for (auto const& m : accepted) {
    EXPECT_EQ(m.rcpt_tos, std::vector<std::string>{"ana@example.org"});
    EXPECT_NE(m.data.find("reserve-north"), std::string::npos);
    EXPECT_EQ(m.data.find("concession-7"), std::string::npos);
  }
  // The file drop: one file per delivery.
  std::size_t files = 0;
  for (auto const& e : fs::directory_iterator(job.parent_path() / "inbox")) {
    EXPECT_EQ(e.path().extension(), ".json");
    ++files;
  }
  std::size_t inbox_deliveries = 0;
  for (auto const& d : deliveries) inbox_deliveries += d.channel == "inbox" ? 1 : 0;
  EXPECT_EQ(files, inbox_deliveries);
}

// Channels for chosen causes (the simulated alerts are all clearings): one for burns and pits
// gets nothing, one for clearings gets every AOI with news and only clearings in it.
TEST_F(Monitor, ACauseChannelDeliversOnlyItsCauses) {
  std::string const channels =
      "notifications:\n"
      "  - name: fires\n    type: file\n    dir: fires\n    causes: [burn, mining]\n"
      "  - name: cuts\n    type: file\n    dir: cuts\n    causes: [clearing]\n";
  fs::path const job = job_dir("causes", 1, channels) / "job.yaml";
  auto const night = run_geosweep({"monitor", job.string()});
  ASSERT_EQ(night.code, 0) << night.output;
  auto const events = tt::csv_rows(job.parent_path() / "out" / "events" / "run-0001.csv");
  ASSERT_GT(events.size(), 1u);
  std::size_t const cause = tt::column(events, "cause");
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_EQ(events[i][cause], "clearing");
  EXPECT_FALSE(fs::exists(job.parent_path() / "fires") &&
               !fs::is_empty(job.parent_path() / "fires"));
  std::size_t files = 0, alerts = 0;
  for (auto const& e : fs::directory_iterator(job.parent_path() / "cuts")) {
    auto const doc = tt::read_json(e.path());
    for (auto const& a : doc["alerts"]) {
      EXPECT_EQ(a["cause"], "clearing");
      ++alerts;
    }
    ++files;
  }
  EXPECT_GE(files, 1u);
  EXPECT_EQ(alerts, events.size() - 1);  // every event, each in its AOI's file
}

TEST_F(Monitor, AnUnsetSecretKeepsTheDeliveryPendingUntilItIsSet) {
  fs::path const dir = root_ / "secret";
  fs::create_directories(dir);
  tt::webhook_server hook(dir / "hook");
  std::string const channels =
      "notifications:\n  - name: desk\n    type: webhook\n    url: " + hook.url() +
      "\n    headers: {Authorization: \"Bearer ${GEOSWEEP_UNSET_TOKEN}\"}"
      "\n    backoff_s: 0\n";
  fs::path const job = job_dir("secret", 1, channels) / "job.yaml";
  auto const first = run_geosweep({"monitor", job.string()}, {{"GEOSWEEP_UNSET_TOKEN", ""}});
  EXPECT_EQ(first.code, 6) << first.output;
  EXPECT_NE(first.output.find("GEOSWEEP_UNSET_TOKEN"), std::string::npos) << first.output;
  EXPECT_TRUE(hook.requests().empty());
  auto const second = run_geosweep({"monitor", job.string()}, {{"GEOSWEEP_UNSET_TOKEN", "t"}});
  EXPECT_EQ(second.code, 0) << second.output;
  gp::monitor_store store(job.parent_path() / "out" / "state" / "monitor.sqlite");
  auto const deliveries = store.deliveries();
  ASSERT_FALSE(deliveries.empty());
  EXPECT_EQ(store.deliveries(gp::delivery_status::pending).size(), 0u);
  EXPECT_EQ(hook.requests().size(), deliveries.size());  // one each, nothing sent twice
  for (auto const& r : hook.requests()) EXPECT_EQ(r.header("authorization"), "Bearer t");
}

TEST_F(Monitor, AKillBetweenTheReceiversAnswerAndTheLedgerResendsOnceWithTheSameKey) {
  // The one window documented in docs/monitoring.md: the receiver said 200 and the process died
  // before the ledger recorded it. The next run sends again, with the same Idempotency-Key.
  fs::path const dir = root_ / "window";
  fs::create_directories(dir);
  tt::webhook_server hook(dir / "hook");
  std::string const channels =
      "notifications:\n  - name: desk\n    type: webhook\n    url: " + hook.url() +
      "\n    backoff_s: 0\n";
  fs::path const job = job_dir("window", 1, channels) / "job.yaml";
  auto const killed =
      run_geosweep({"monitor", job.string()}, {{"GEOSWEEP_CRASH_AT", "after-send"}});
  EXPECT_TRUE(killed.signaled) << killed.output;
  auto const again = run_geosweep({"monitor", job.string()});
  EXPECT_EQ(again.code, 0) << again.output;
  gp::monitor_store store(job.parent_path() / "out" / "state" / "monitor.sqlite");
  auto const deliveries = store.deliveries();
  auto const requests = hook.requests();
  ASSERT_EQ(requests.size(), deliveries.size() + 1);  // the interrupted one went twice
  EXPECT_EQ(requests[0].header("idempotency-key"), requests[1].header("idempotency-key"));
  EXPECT_EQ(requests[0].body, requests[1].body);
  EXPECT_EQ(store.deliveries(gp::delivery_status::pending).size(), 0u);
  auto const third = run_geosweep({"monitor", job.string()});
  EXPECT_EQ(third.code, 0);
  EXPECT_EQ(hook.requests().size(), deliveries.size() + 1);  // sent now: never again
}

TEST_F(Monitor, AChangedJobIsRefusedRatherThanMixedWithTheOldState) {
  fs::path const dir = job_dir("changed", 1);
  ASSERT_EQ(run_geosweep({"monitor", (dir / "job.yaml").string()}).code, 0);
  std::string text = read_file(dir / "job.yaml");
  text.replace(text.find("drop: 0.25"), 10, "drop: 0.30");
  std::ofstream(dir / "job.yaml") << text;
  see_night(dir, 2);
  auto const e = run_geosweep({"monitor", (dir / "job.yaml").string()});
  EXPECT_EQ(e.code, 3) << e.output;
  EXPECT_NE(e.output.find("first monitoring run"), std::string::npos) << e.output;
}

TEST_F(Monitor, SecretsEchoedByFailingReceiversReachNoOutputLedgerOrLog) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "python3-aiosmtpd is not installed";
  fs::path const dir = root_ / "echo-receivers";  // their records are not the job's files
  fs::create_directories(dir);
  // Receivers that refuse every delivery and repeat in their answer what they were sent: the
  // Authorization header and all headers, the (secret) path of the URL, the SMTP login.
  tt::webhook_server gateway(
      dir / "gateway", tt::webhook_server_options::echoing(
                           503,
                           "upstream down; you sent Authorization: {authorization} and X-Api-Key: "
                           "{header:X-Api-Key}; all headers: {headers}"));
  tt::webhook_server slack(dir / "slack",
                           tt::webhook_server_options::echoing(404, "no route for POST {path}"));
  auto login = tt::smtp_server_options::with_login("mailer", "the-right-one");
  login.echo_auth = true;
  tt::smtp_server smtp(dir / "smtp", login);
  std::map<std::string, std::string> const secrets{
      {"GEOSWEEP_TEST_ECHO_TOKEN", "tok-5d1e7a90c3b24f68"},
      {"GEOSWEEP_TEST_API_KEY", "key-0b9c44e1a7f2"},
      {"GEOSWEEP_TEST_SECRET_URL", slack.url("/services/T0ECHO/B0ECHO/p4thS3cretXYZ")},
      {"GEOSWEEP_TEST_SMTP_USER", "mailer-acct-7731"},
      {"GEOSWEEP_TEST_SMTP_PASSWORD", "pw-wrong-91e4c2"}};
  std::string const channels =
      "notifications:\n"
      "  - name: gateway\n    type: webhook\n    url: " +
      gateway.url() +
      "\n    headers: {Authorization: \"Bearer ${GEOSWEEP_TEST_ECHO_TOKEN}\", X-Api-Key: "
      "\"${GEOSWEEP_TEST_API_KEY}\"}\n"
      "    attempts: 2\n    backoff_s: 0\n"
      "  - name: slack\n    type: webhook\n    url: \"${GEOSWEEP_TEST_SECRET_URL}\"\n"
      "  - name: mail\n    type: email\n    smtp_url: " +
      smtp.url() +
      "\n    tls: none\n    from: geosweep@example.org\n    to: [ana@example.org]\n"
      "    username_env: GEOSWEEP_TEST_SMTP_USER\n    password_env: GEOSWEEP_TEST_SMTP_PASSWORD\n"
      "    attempts: 1\n";
  fs::path const job = job_dir("echo", 1, channels) / "job.yaml";
  auto const night1 = run_geosweep({"--verbose", "monitor", job.string()}, secrets);
  EXPECT_EQ(night1.code, 6) << night1.output;
  auto const night2 = run_geosweep({"monitor", job.string(), "--verbose"}, secrets);  // retries
  EXPECT_EQ(night2.code, 6) << night2.output;
  auto const listed = run_geosweep({"alerts", "list", job.string(), "--format", "json"}, secrets);
  EXPECT_EQ(listed.code, 0) << listed.output;

  // The receivers did get the secrets, and did echo them: the logs show the masked echoes.
  ASSERT_FALSE(gateway.requests().empty());
  EXPECT_EQ(gateway.requests()[0].header("authorization"), "Bearer tok-5d1e7a90c3b24f68");
  ASSERT_FALSE(slack.requests().empty());
  EXPECT_EQ(slack.requests()[0].path, "/services/T0ECHO/B0ECHO/p4thS3cretXYZ");
  std::string const logs = night1.output + night2.output + listed.output;
  EXPECT_NE(logs.find("you sent Authorization: Bearer *** and X-Api-Key: ***;"), std::string::npos)
      << logs;
  EXPECT_NE(logs.find("no route for POST ***"), std::string::npos) << logs;
  EXPECT_NE(logs.find("535"), std::string::npos) << logs;
  gp::monitor_store store(job.parent_path() / "out" / "state" / "monitor.sqlite");
  auto const deliveries = store.deliveries();
  ASSERT_FALSE(deliveries.empty());
  bool ledger_has_echo = false;
  for (auto const& d : deliveries) {
    EXPECT_EQ(d.status, gp::delivery_status::pending) << d.delivery_id;
    ledger_has_echo |= d.last_error.find("Bearer ***") != std::string::npos;
  }
  EXPECT_TRUE(ledger_has_echo);

  // No secret, nor the secret part of the URL, in the logs or in any file the runs wrote:
  // outputs, events, state, the SQLite ledger and its WAL, byte for byte.
  std::map<std::string, std::string> texts{{"the logs", logs}};
  for (auto const& e : fs::recursive_directory_iterator(job.parent_path())) {
    if (e.is_regular_file() && e.path().parent_path().filename() != "scenes")
      texts[fs::relative(e.path(), job.parent_path()).string()] = read_file(e.path());
  }
  EXPECT_GT(texts.size(), 5u);
  EXPECT_TRUE(texts.count((fs::path("out") / "state" / "monitor.sqlite").string()));
  for (auto const& [variable, value] : secrets) {
    std::string const secret =
        variable == "GEOSWEEP_TEST_SECRET_URL" ? "p4thS3cretXYZ" : value;  // the path part
    for (auto const& [where, text] : texts)
      EXPECT_EQ(text.find(secret), std::string::npos) << variable << " in " << where;
  }
}
