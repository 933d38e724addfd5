// Faults an operator meets, as geosweep meets them: a full disk under `run`, `report` and
// `monitor` (a tmpfs of several sizes), output folders that cannot be made, and SIGKILLs at
// random moments while a run replaces the outputs of an earlier one. Each gets exit 4 and one
// line naming the file and the system's reason, never a crash, and the outputs folder holds
// the whole old set or the whole new set. Mounting needs root: the tests that mount skip with
// a message where it is refused.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <string>

#include "tools/run_geosweep.hpp"

namespace fs = std::filesystem;
namespace tt = geosweep::test_tools;
using tt::read_file;

namespace {

/// The products of a run, file by file (relative path -> bytes), and nothing else of the
/// folder: what a reader of the outputs sees.
std::map<std::string, std::string> products(fs::path const& dir) {
  std::map<std::string, std::string> files;
  if (!fs::exists(dir)) return files;
  for (auto const& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::string const rel = fs::relative(e.path(), dir).string();
    if (rel.rfind("state/", 0) == 0 || rel.rfind("events/", 0) == 0 || rel == "notes.txt") continue;
    // change.nc and the COGs are compared by presence and size; the tables byte for byte.
    files[rel] = rel.ends_with(".csv") || rel.ends_with(".geojson")
                     ? read_file(e.path())
                     : std::to_string(fs::file_size(e.path()));
  }
  return files;
}

/// Entries of `dir` other than `keep`: what a failed or killed run left beside the outputs.
std::vector<std::string> litter(fs::path const& dir, std::string const& keep) {
  std::vector<std::string> names;
  for (auto const& e : fs::directory_iterator(dir))
    if (e.path().filename() != keep) names.push_back(e.path().filename().string());
  return names;
}

/// How many "geosweep: error:" lines `output` has.
int errors_in(std::string const& output) {
  int n = 0;
  for (auto at = output.find("geosweep: error:"); at != std::string::npos;
       at = output.find("geosweep: error:", at + 1))
    ++n;
  return n;
}

class Faults : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = fs::temp_directory_path() / ("geosweep_faults_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    auto const e = tt::run_geosweep(
        {"simulate", "--out", (root_ / "sim").string(), "--seed", "4", "--size", "300"});
    ASSERT_EQ(e.code, 0) << e.output;
    job_ = read_file(root_ / "sim" / "job.yaml");
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }
  void TearDown() override {
    for (auto const& m : mounts_) ::umount2(m.c_str(), MNT_DETACH);
  }

  /// The simulated job with its outputs in `outputs` and `extra` lines added to `outputs:`,
  /// written as sim/<name>.yaml.
  static fs::path job(std::string const& name, fs::path const& outputs,
                      std::string const& extra = "", std::string const& min_area = "0.5") {
    std::string text =
        std::regex_replace(job_, std::regex("  dir: out"), "  dir: " + outputs.string() + extra);
    text = std::regex_replace(text, std::regex("min_area_ha: [0-9.]+"), "min_area_ha: " + min_area);
    fs::path const file = root_ / "sim" / (name + ".yaml");
    std::ofstream(file) << text;
    return file;
  }

  /// A tmpfs of `size` at `at` (made empty); false where mounting is refused.
  bool mount_tmpfs(fs::path const& at, std::string const& size) {
    fs::create_directories(at);
    if (::mount("tmpfs", at.c_str(), "tmpfs", 0, ("size=" + size).c_str()) != 0) return false;
    mounts_.push_back(at);
    return true;
  }

  static inline fs::path root_;
  static inline std::string job_;
  std::vector<fs::path> mounts_;
};

// Tables only: small enough to fit where the full outputs do not.
constexpr char const* kTablesOnly =
    "\n  hdf5: false\n  cog: false\n  alert_polygons: []\n  stac: false";

}  // namespace

TEST_F(Faults, AFullDiskUnderRunIsExit4AndTheOldOutputsStay) {
  // From 32k: the tables and manifest.json of the small run (15 kB, its inputs' hashes) fit.
  for (std::string const size : {"32k", "128k", "512k", "1m", "2m"}) {
    SCOPED_TRACE("tmpfs of " + size);
    fs::path const disk = root_ / ("disk-" + size);
    if (!mount_tmpfs(disk, size)) GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(errno);
    fs::path const out = disk / "out";
    auto const first =
        tt::run_geosweep({"--backend", "cpu", "run", job("small", out, kTablesOnly).string()});
    ASSERT_EQ(first.code, 0) << first.output;
    auto const old = products(out);
    ASSERT_EQ(old.size(), 4u);  // areas, alerts, series, manifest
    auto const full = tt::run_geosweep({"--backend", "cpu", "run", job("full", out).string()});
    EXPECT_FALSE(full.signaled) << full.output;
    EXPECT_EQ(full.code, 4) << full.output;
    std::smatch line;
    ASSERT_TRUE(std::regex_search(full.output, line, std::regex("geosweep: error: (.*)")))
        << full.output;
    std::string const message = line[1];
    EXPECT_NE(message.find(out.string() + "/"), std::string::npos) << message;  // names the file
    EXPECT_EQ(message.find(".staging-"), std::string::npos) << message;  // as the user knows it
    EXPECT_TRUE(message.find("No space left on device") != std::string::npos ||
                message.find("disk is full") != std::string::npos)
        << message;
    // One line: HDF5's own two-line report of a failed write is not passed on.
    EXPECT_EQ(errors_in(full.output), 1) << full.output;
    EXPECT_EQ(products(out), old);                                            // the old set, whole
    EXPECT_TRUE(litter(disk, "out").empty()) << litter(disk, "out").front();  // no staging
  }
}

TEST_F(Faults, AFullRunFitsWhereThereIsRoomAndReplacesTheOldSet) {
  fs::path const disk = root_ / "disk-roomy";
  if (!mount_tmpfs(disk, "32m")) GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(errno);
  fs::path const out = disk / "out";
  ASSERT_EQ(
      tt::run_geosweep({"--backend", "cpu", "run", job("small", out, kTablesOnly).string()}).code,
      0);
  auto const r = tt::run_geosweep({"--backend", "cpu", "run", job("full", out).string()});
  ASSERT_EQ(r.code, 0) << r.output;
  auto const now = products(out);
  EXPECT_TRUE(now.count("change.nc") && now.count("alerts.gpkg") && now.count("areas.csv"));
  EXPECT_TRUE(litter(disk, "out").empty());
}

TEST_F(Faults, AFullDiskUnderReportAndMonitorIsExit4) {
  fs::path const disk = root_ / "disk-filled";
  if (!mount_tmpfs(disk, "32m")) GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(errno);
  fs::path const out = disk / "out";
  auto const run = tt::run_geosweep({"--backend", "cpu", "run", job("full", out).string()});
  ASSERT_EQ(run.code, 0) << run.output;
  auto const old = products(out);
  // Fill what is left.
  {
    std::ofstream filler(disk / "filler", std::ios::binary);
    std::string const block(1 << 16, 'x');
    while (filler.write(block.data(), static_cast<std::streamsize>(block.size()))) {
    }
  }
  auto const report = tt::run_geosweep({"report", job("full", out).string()});
  EXPECT_FALSE(report.signaled) << report.output;
  EXPECT_EQ(report.code, 4) << report.output;
  EXPECT_NE(report.output.find("geosweep: error: " + (out / "report").string()), std::string::npos)
      << report.output;
  EXPECT_EQ(products(out), old);  // no half-written report
  auto const monitor = tt::run_geosweep({"--backend", "cpu", "monitor", job("full", out).string()});
  EXPECT_FALSE(monitor.signaled) << monitor.output;
  EXPECT_EQ(monitor.code, 4) << monitor.output;
  EXPECT_NE(monitor.output.find("geosweep: error: " + disk.string()), std::string::npos)
      << monitor.output;
  // With room again, the same night goes through.
  fs::remove(disk / "filler");
  auto const again = tt::run_geosweep({"--backend", "cpu", "monitor", job("full", out).string()});
  EXPECT_EQ(again.code, 0) << again.output;
  EXPECT_TRUE(fs::exists(out / "state" / "monitor.sqlite"));
}

TEST_F(Faults, OutputFoldersThatCannotBeMadeAreExit4NamingThePath) {
  fs::path const file = root_ / "a-file";
  std::ofstream(file) << "not a folder";
  for (fs::path const& out : {file / "out", file}) {
    auto const r = tt::run_geosweep({"--backend", "cpu", "run", job("bad", out).string()});
    EXPECT_EQ(r.code, 4) << r.output;
    EXPECT_NE(r.output.find("geosweep: error: " + out.string()), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("internal error"), std::string::npos) << r.output;
  }
  EXPECT_EQ(read_file(file), "not a folder");
  fs::path const readonly = root_ / "readonly";
  fs::create_directories(readonly);
  if (::mount("tmpfs", readonly.c_str(), "tmpfs", MS_RDONLY, "size=1m") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs: " << std::strerror(errno);
  mounts_.push_back(readonly);
  auto const r =
      tt::run_geosweep({"--backend", "cpu", "run", job("ro", readonly / "out").string()});
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_NE(r.output.find("geosweep: error: " + (readonly / "out").string()), std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("Read-only file system"), std::string::npos) << r.output;
}

TEST_F(Faults, KilledWhileReplacingOutputsLeavesTheOldSetOrTheNewNeverAMix) {
  // The old set (min_area 0.5) and the new (min_area 2.5: fewer alerts) differ in every table.
  fs::path const out = root_ / "killed";
  auto const old_job = job("old", out, "", "0.5");
  auto const new_job = job("new", out, "", "2.5");
  ASSERT_EQ(tt::run_geosweep({"--backend", "cpu", "run", new_job.string()}).code, 0);
  auto const fresh = products(out);
  std::ofstream(out / "notes.txt") << "the user's";
  auto const started = std::chrono::steady_clock::now();
  ASSERT_EQ(tt::run_geosweep({"--backend", "cpu", "run", old_job.string()}).code, 0);
  double const seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto const old = products(out);
  ASSERT_NE(old, fresh);
  std::mt19937 random(15);
  std::uniform_real_distribution<double> moment(0.05, seconds * 1.3);
  int old_seen = 0, new_seen = 0;
  for (int kill = 0; kill < 16; ++kill) {
    double const at = moment(random);
    SCOPED_TRACE("SIGKILL after " + std::to_string(at) + " s");
    auto const e = tt::run_geosweep({"--backend", "cpu", "run", new_job.string()}, {}, at);
    auto const now = products(out);
    EXPECT_TRUE(now == old || now == fresh) << "a mix after a kill";
    old_seen += now == old;
    new_seen += now == fresh;
    EXPECT_EQ(read_file(out / "notes.txt"), "the user's");
    // Back to the old set for the next kill (this run also recovers what the kill left).
    if (now == fresh) {
      ASSERT_EQ(tt::run_geosweep({"--backend", "cpu", "run", old_job.string()}).code, 0);
    }
  }
  std::printf("16 kills: the old set %d times, the new set %d times\n", old_seen, new_seen);
  EXPECT_EQ(old_seen + new_seen, 16);
  // The next run cleans up whatever a kill left beside the folder.
  ASSERT_EQ(tt::run_geosweep({"--backend", "cpu", "run", new_job.string()}).code, 0);
  EXPECT_EQ(products(out), fresh);
  for (auto const& name : litter(root_, "killed"))
    EXPECT_EQ(name.find(".killed.staging-"), std::string::npos) << name;
}

TEST_F(Faults, AnOutputsFolderAmongTheScenesIsNotTakenForAScene) {
  // outputs.dir inside scenes.dir: the second run used to fail on "scenes/out" as a scene
  // without a date; the staging folder beside it (hidden) is no scene either.
  fs::path const out = root_ / "sim" / "scenes" / "out";
  auto const file = job("among-scenes", out);
  auto const first = tt::run_geosweep({"--backend", "cpu", "run", file.string()});
  ASSERT_EQ(first.code, 0) << first.output;
  auto const alerts = read_file(out / "alerts.csv");
  auto const second = tt::run_geosweep({"--backend", "cpu", "run", file.string()});
  EXPECT_EQ(second.code, 0) << second.output;
  EXPECT_EQ(read_file(out / "alerts.csv"), alerts);
  fs::remove_all(out);
}

TEST_F(Faults, MonitoringFollowsTheJobNotThePathItWasCalledBy) {
  // First night as `geosweep monitor d/job.yaml` from the folder above; later nights by the
  // absolute path, from inside the folder, and after the folder moved: the same job each
  // time (its AOI files are named by their contents in the state, not by the path typed).
  fs::path const above = root_ / "paths";
  fs::create_directories(above);
  ASSERT_EQ(tt::run_geosweep(
                {"simulate", "--out", (above / "d").string(), "--seed", "6", "--size", "160"})
                .code,
            0);
  auto const in = [](fs::path const& cwd, std::string const& job) {
    return tt::run_program({"/bin/sh", "-c",
                            "cd '" + cwd.string() + "' && exec '" + GEOSWEEP_BINARY +
                                "' --backend cpu monitor '" + job + "'"});
  };
  auto const first = in(above, "d/job.yaml");
  ASSERT_EQ(first.code, 0) << first.output;
  auto const absolute = in(root_, (above / "d" / "job.yaml").string());
  EXPECT_EQ(absolute.code, 0) << absolute.output;
  auto const inside = in(above / "d", "job.yaml");
  EXPECT_EQ(inside.code, 0) << inside.output;
  fs::rename(above / "d", above / "moved");
  auto const moved = in(above, "moved/job.yaml");
  EXPECT_EQ(moved.code, 0) << moved.output;
  EXPECT_NE(moved.output.find("no new scene"), std::string::npos) << moved.output;
  // A changed AOI file is still a different job.
  std::ofstream(above / "moved" / "aois" / "concession-7.geojson", std::ios::app) << "\n";
  auto const changed = in(above, "moved/job.yaml");
  EXPECT_EQ(changed.code, 3) << changed.output;
}
