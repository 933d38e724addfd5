// A run shared among workers of one process (--workers) or among MPI ranks (mpirun) writes
// exactly what one process writes: byte-identical tables, polygons and COGs, equal change.nc
// datasets; with either schedule. A rank killed mid-run fails the job and leaves no outputs;
// the rerun completes.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tools/run_geosweep.hpp"

namespace fs = std::filesystem;
namespace tt = geosweep::test_tools;
using tt::read_file;
using tt::run_geosweep;

namespace {

/// Every raster variable of an AOI group, as raw bytes of all its bands.
std::string variable_bytes(fs::path const& nc, std::string const& aoi, std::string const& var) {
  std::string const name = "NETCDF:\"" + nc.string() + "\":/aoi/" + aoi + "/" + var;
  GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (!ds) return "cannot open " + name;
  std::string out;
  for (int b = 1; b <= ds->GetRasterCount(); ++b) {
    auto* band = ds->GetRasterBand(b);
    int const size = GDALGetDataTypeSizeBytes(band->GetRasterDataType());
    std::string bytes(static_cast<std::size_t>(ds->GetRasterXSize()) * ds->GetRasterYSize() * size,
                      '\0');
    if (band->RasterIO(GF_Read, 0, 0, ds->GetRasterXSize(), ds->GetRasterYSize(), bytes.data(),
                       ds->GetRasterXSize(), ds->GetRasterYSize(), band->GetRasterDataType(), 0,
                       0) != CE_None)
      return "cannot read " + name;
    out += bytes;
  }
  return out;
}

class Sharing : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GDALAllRegister();
    root_ = fs::temp_directory_path() / ("geosweep_sharing_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    auto const e = run_geosweep(
        {"simulate", "--out", (root_ / "sim").string(), "--seed", "5", "--size", "300"});
    ASSERT_EQ(e.code, 0) << e.output;
    // Chunks of 112 px: 3 x 3 of unequal size (the last row and column are narrow).
    std::string job = read_file(root_ / "sim" / "job.yaml");
    job.replace(job.find("outputs:"), 8, "processing: {chunk: 112, readers: 1}\noutputs:");
    std::ofstream(root_ / "sim" / "job.yaml") << job;
    reference_ = run("reference", {});
  }
  static void TearDownTestSuite() { fs::remove_all(root_); }

  /// Runs the job with `options` (before `run`) into outputs folder `name`; returns the folder.
  static fs::path run(std::string const& name, std::vector<std::string> const& options,
                      std::vector<std::string> const& launcher = {},
                      std::map<std::string, std::string> const& env = {}) {
    fs::path const out = root_ / name;
    std::string job = read_file(root_ / "sim" / "job.yaml");
    // With the series in change.nc too: it travels through the parts as well.
    job.replace(job.find("dir: out"), 8, "dir: " + out.string() + "\n  series: true");
    fs::path const job_file = root_ / "sim" / (name + ".yaml");
    std::ofstream(job_file) << job;
    std::vector<std::string> all = launcher;
    all.push_back(GEOSWEEP_BINARY);
    all.insert(all.end(), options.begin(), options.end());
    all.push_back("run");
    all.push_back(job_file.string());
    last_ = tt::run_program(all, env);
    return out;
  }

  /// The outputs of `dir` equal the reference run's.
  static void expect_same_outputs(fs::path const& dir) {
    for (auto const* f : {"alerts.csv", "areas.csv", "series.csv", "alerts.geojson"})
      EXPECT_EQ(read_file(dir / f), read_file(reference_ / f)) << f;
    for (auto const& e : fs::recursive_directory_iterator(reference_ / "cog")) {
      if (!e.is_regular_file()) continue;
      auto const rel = fs::relative(e.path(), reference_);
      EXPECT_EQ(read_file(dir / rel), read_file(e.path())) << rel;
    }
    for (auto const* aoi : {"reserve-north", "concession-7"}) {
      for (auto const* var :
           {"change", "first_date", "confirmed_date", "magnitude", "patch", "clear_count",
            "ndvi_baseline", "ndvi_before", "ndvi_after", "nbr_after", "ndvi"}) {
        EXPECT_EQ(variable_bytes(dir / "change.nc", aoi, var),
                  variable_bytes(reference_ / "change.nc", aoi, var))
            << aoi << "/" << var;
      }
    }
    EXPECT_FALSE(fs::exists(dir / ".parts")) << "parts are removed once merged";
  }

  static fs::path root_, reference_;
  static tt::ending last_;
};

fs::path Sharing::root_, Sharing::reference_;
tt::ending Sharing::last_;

/// mpiexec as root needs these (CI containers run as root).
std::map<std::string, std::string> mpi_env() {
  return {{"OMPI_ALLOW_RUN_AS_ROOT", "1"},
          {"OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1"},
          {"OMPI_MCA_mpi_yield_when_idle", "1"}};
}

}  // namespace

TEST_F(Sharing, TheReferenceRunHasSeveralChunksAndAlerts) {
  auto const alerts = read_file(reference_ / "alerts.csv");
  EXPECT_GT(std::count(alerts.begin(), alerts.end(), '\n'), 2);
  EXPECT_TRUE(fs::exists(reference_ / "change.nc"));
}

TEST_F(Sharing, WorkersInOneProcessWriteWhatOneWorkerWrites) {
  for (auto const* schedule : {"queue", "stripes"}) {
    for (int workers : {2, 3}) {
      SCOPED_TRACE(std::string(schedule) + ", " + std::to_string(workers) + " workers");
      auto const dir = run(std::string("workers-") + schedule + std::to_string(workers),
                           {"--workers", std::to_string(workers), "--schedule", schedule});
      ASSERT_EQ(last_.code, 0) << last_.output;
      expect_same_outputs(dir);
    }
  }
}

TEST_F(Sharing, MpiRanksWriteWhatOneProcessWrites) {
#ifndef GEOSWEEP_TEST_MPIEXEC
  GTEST_SKIP() << "built without the MPI front end (-DGEOSWEEP_ENABLE_MPI=ON)";
#else
  for (auto const* schedule : {"queue", "stripes"}) {
    for (int ranks : {1, 2, 3}) {
      SCOPED_TRACE(std::string(schedule) + ", " + std::to_string(ranks) + " ranks");
      auto const dir =
          run(std::string("mpi-") + schedule + std::to_string(ranks), {"--schedule", schedule},
              {GEOSWEEP_TEST_MPIEXEC, "--oversubscribe", "-n", std::to_string(ranks)}, mpi_env());
      ASSERT_EQ(last_.code, 0) << last_.output;
      expect_same_outputs(dir);
    }
  }
#endif
}

TEST_F(Sharing, AKilledRankFailsTheRunLeavingNoOutputsAndTheRerunCompletes) {
#ifndef GEOSWEEP_TEST_MPIEXEC
  GTEST_SKIP() << "built without the MPI front end (-DGEOSWEEP_ENABLE_MPI=ON)";
#else
  auto env = mpi_env();
  env["GEOSWEEP_CRASH_AT"] = "worker-1-chunk";  // rank 1 kills itself after its first chunk
  std::vector<std::string> const mpi{GEOSWEEP_TEST_MPIEXEC, "--oversubscribe", "-n", "3"};
  auto const dir = run("mpi-killed", {"--schedule", "stripes"}, mpi, env);
  EXPECT_NE(last_.code, 0) << last_.output;
  for (auto const* f : {"alerts.csv", "areas.csv", "change.nc", "alerts.gpkg", "alerts.geojson"})
    EXPECT_FALSE(fs::exists(dir / f)) << f;
  std::vector<std::string> stray;
  for (auto const& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().parent_path().filename() != ".parts")
      stray.push_back(e.path().string());
  }
  EXPECT_TRUE(stray.empty()) << stray.front();
  run("mpi-killed", {"--schedule", "stripes"}, mpi, mpi_env());
  ASSERT_EQ(last_.code, 0) << last_.output;
  expect_same_outputs(dir);
#endif
}

TEST_F(Sharing, AKilledWorkerProcessLeavesNoOutputsAndTheRerunCompletes) {
  std::map<std::string, std::string> const env{{"GEOSWEEP_CRASH_AT", "worker-1-chunk"}};
  auto const dir = run("workers-killed", {"--workers", "2"}, {}, env);
  EXPECT_TRUE(last_.signaled) << last_.output;
  EXPECT_FALSE(fs::exists(dir / "alerts.csv"));
  EXPECT_FALSE(fs::exists(dir / "change.nc"));
  run("workers-killed", {"--workers", "2"});
  ASSERT_EQ(last_.code, 0) << last_.output;
  expect_same_outputs(dir);
}
