// An outputs folder replaced as one set (core/output_set.hpp): the new products in, stale
// ones out, what the folder keeps across runs (state/, events/, a user's files) kept; a run
// that fails or dies leaves the old set as it was, and the next one puts back what a dead
// run had moved aside. Also inside a mount point, where the staging folder sits inside.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/atomic_file.hpp"
#include "core/output_set.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/product_layout.hpp"
#include "tools/run_geosweep.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
using geosweep::test_tools::read_file;

namespace {

void write(fs::path const& p, std::string const& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

/// Every file under `dir` (relative path -> contents), hidden staging folders included.
std::map<std::string, std::string> contents(fs::path const& dir) {
  std::map<std::string, std::string> files;
  for (auto const& e : fs::recursive_directory_iterator(dir))
    if (e.is_regular_file()) files[fs::relative(e.path(), dir).string()] = read_file(e.path());
  return files;
}

/// A pid that no longer runs: a child that has exited and been waited for.
long dead_pid() {
  pid_t const child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);
  return child;
}

class OutputSet : public geosweep::test_tools::temp_dir_test {
 protected:
  /// An earlier run's outputs, a monitor's state and events, and a user's note.
  void old_outputs() {
    write(live() / "areas.csv", "old areas");
    write(live() / "alerts.csv", "old alerts");
    write(live() / "cog/dropped-aoi/ndvi_after.tif", "old cog of an AOI no longer in the job");
    write(live() / "cog/kept-aoi/ndvi_after.tif", "old cog");
    write(live() / "report/kept-aoi.pdf", "old report");
    write(live() / "state/monitor.sqlite", "ledger");
    write(live() / "events/run-1.csv", "events");
    write(live() / "notes.txt", "the user's");
  }
  fs::path live() const { return dir_ / "out"; }
};

}  // namespace

TEST_F(OutputSet, IntoAFolderThatDoesNotExistYet) {
  {
    gp::output_set set(live(), gp::product::is_run_product);
    EXPECT_FALSE(set.weak());
    EXPECT_EQ(set.staging().parent_path(), live().parent_path());  // beside, not inside
    EXPECT_FALSE(fs::exists(live()));
    write(set.staging() / "areas.csv", "new areas");
    set.commit();
  }
  EXPECT_EQ(contents(live()), (std::map<std::string, std::string>{{"areas.csv", "new areas"}}));
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(OutputSet, ReplacesTheProductsAsOneSetAndKeepsTheRest) {
  old_outputs();
  {
    gp::output_set set(live(), gp::product::is_run_product);
    write(set.staging() / "areas.csv", "new areas");
    write(set.staging() / "alerts.csv", "new alerts");
    write(set.staging() / "cog/kept-aoi/ndvi_after.tif", "new cog");
    // Until the commit, readers see the old set whole.
    EXPECT_EQ(read_file(live() / "areas.csv"), "old areas");
    set.commit();
  }
  EXPECT_EQ(contents(live()),
            (std::map<std::string, std::string>{{"areas.csv", "new areas"},
                                                {"alerts.csv", "new alerts"},
                                                {"cog/kept-aoi/ndvi_after.tif", "new cog"},
                                                {"state/monitor.sqlite", "ledger"},
                                                {"events/run-1.csv", "events"},
                                                {"notes.txt", "the user's"}}));
  // Nothing left beside it: no staging folder, no journal.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(OutputSet, WithoutCommitTheOldSetStaysAsItWas) {
  old_outputs();
  auto const before = contents(live());
  {
    gp::output_set set(live(), gp::product::is_run_product);
    write(set.staging() / "areas.csv", "new areas, never committed");
  }
  EXPECT_EQ(contents(live()), before);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
}

TEST_F(OutputSet, ADeadRunsCarriedEntriesComeBack) {
  // A run killed between carrying state/ and notes.txt over and the swap: they are in its
  // staging folder, listed in its journal; the live folder has the old products only.
  old_outputs();
  long const pid = dead_pid();
  fs::path const staging = dir_ / (".out.staging-" + std::to_string(pid));
  write(staging / "areas.csv", "new areas of the dead run");
  fs::rename(live() / "state", staging / "state");
  fs::rename(live() / "notes.txt", staging / "notes.txt");
  write(fs::path(staging.string() + ".carried"), "state\nnotes.txt\nevents\n");
  // A second dead run that had not got as far: its staging folder alone.
  long const other = dead_pid();
  write(dir_ / (".out.staging-" + std::to_string(other)) / "alerts.csv", "half written");
  // And one inside the folder (where it could not be beside).
  write(live() / (".staging-" + std::to_string(other)) / "alerts.csv", "half written");

  EXPECT_EQ(gp::recover_output_sets(live()), 3u);
  auto const now = contents(live());
  EXPECT_EQ(now.at("state/monitor.sqlite"), "ledger");
  EXPECT_EQ(now.at("notes.txt"), "the user's");
  EXPECT_EQ(now.at("events/run-1.csv"), "events");  // listed, never moved: left alone
  EXPECT_EQ(now.at("areas.csv"), "old areas");
  EXPECT_EQ(now.size(), 8u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir_), fs::directory_iterator()), 1);
  EXPECT_EQ(gp::recover_output_sets(live()), 0u);
}

TEST_F(OutputSet, ADeadRunsTemporaryFilesGoWithOrWithoutAnExtension) {
  long const dead = dead_pid();
  std::string const d = std::to_string(dead), alive = std::to_string(::getpid());
  write(dir_ / ("alerts.gpkg.tmp-" + d), "half");
  write(dir_ / ("alerts.kmz.tmp-" + d + ".kmz"), "half");  // LIBKML's (atomic_file extension)
  write(dir_ / ("alerts.kmz.tmp-" + alive + ".kmz"), "being written");  // a live writer's
  write(dir_ / ("change.tif.tmp-" + d + ".aux.xml"), "<PAMDataset/>");  // GDAL's sidecar
  write(dir_ / ("notes.tmp-" + d + ".tar.gz"), "not ours");             // two extensions: not ours
  write(dir_ / ("notes.tmp-" + d + "x"), "not ours");                   // not a pid
  EXPECT_EQ(gp::remove_orphaned_temporaries(dir_), 3u);
  EXPECT_FALSE(fs::exists(dir_ / ("change.tif.tmp-" + d + ".aux.xml")));
  EXPECT_FALSE(fs::exists(dir_ / ("alerts.gpkg.tmp-" + d)));
  EXPECT_FALSE(fs::exists(dir_ / ("alerts.kmz.tmp-" + d + ".kmz")));
  EXPECT_TRUE(fs::exists(dir_ / ("alerts.kmz.tmp-" + alive + ".kmz")));
  EXPECT_TRUE(fs::exists(dir_ / ("notes.tmp-" + d + ".tar.gz")));
  EXPECT_TRUE(fs::exists(dir_ / ("notes.tmp-" + d + "x")));
}

TEST_F(OutputSet, ALiveRunsStagingIsLeftAlone) {
  old_outputs();
  fs::path const staging = dir_ / (".out.staging-" + std::to_string(::getppid()));
  write(staging / "areas.csv", "another run's, still running");
  EXPECT_EQ(gp::recover_output_sets(live()), 0u);
  EXPECT_TRUE(fs::exists(staging / "areas.csv"));
  fs::remove_all(staging);
}

TEST_F(OutputSet, AnOutputsPathThatIsAFileIsAnError) {
  write(live(), "a file where the folder should be");
  try {
    gp::output_set set(live(), gp::product::is_run_product);
    ADD_FAILURE() << "no error";
  } catch (geosweep::io_error const& e) {
    EXPECT_NE(std::string(e.what()).find(live().string() + ": cannot write outputs there: it is "
                                                           "not a folder"),
              std::string::npos)
        << e.what();
  }
  EXPECT_EQ(read_file(live()), "a file where the folder should be");
}

TEST_F(OutputSet, InsideAMountPointTheEntriesAreReplacedOneByOne) {
  fs::create_directories(live());
  if (::mount("tmpfs", live().c_str(), "tmpfs", 0, "size=1m") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here (needs root): " << std::strerror(errno);
  old_outputs();
  {
    gp::output_set set(live(), gp::product::is_run_product);
    EXPECT_TRUE(set.weak());
    EXPECT_EQ(set.staging().parent_path(), live());
    write(set.staging() / "areas.csv", "new areas");
    write(set.staging() / "cog/kept-aoi/ndvi_after.tif", "new cog");
    set.commit();
  }
  auto const now = contents(live());
  ::umount(live().c_str());
  EXPECT_EQ(now, (std::map<std::string, std::string>{{"areas.csv", "new areas"},
                                                     {"cog/kept-aoi/ndvi_after.tif", "new cog"},
                                                     {"state/monitor.sqlite", "ledger"},
                                                     {"events/run-1.csv", "events"},
                                                     {"notes.txt", "the user's"}}));
}
