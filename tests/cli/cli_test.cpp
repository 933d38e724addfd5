// The geosweep command as a user runs it: exit codes, one-line errors, outputs in place.
#include <gtest/gtest.h>

#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "geosweep/kernels/backend.hpp"
#include "tools/shell_command.hpp"

namespace fs = std::filesystem;

namespace {

using geosweep::test_tools::command_result;

/// Runs geosweep with `args` through the shell; `prefix` goes before it (e.g. "env -u X ").
command_result run_geosweep(std::string const& args, std::string const& prefix = "") {
  return geosweep::test_tools::geosweep_command(args, prefix);
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("geosweep_cli_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

}  // namespace

TEST_F(Cli, SimulateThenRunWritesOutputs) {
  auto const sim = run_geosweep("simulate --out " + dir_.string() + " --seed 9 --size 300");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  EXPECT_NE(sim.out.find("planted clearings"), std::string::npos) << sim.out;
  auto const run = run_geosweep("--backend cpu run " + (dir_ / "job.yaml").string());
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("reserve-north"), std::string::npos) << run.out;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "change.nc"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "areas.csv"));
  auto const validate = run_geosweep("validate " + (dir_ / "job.yaml").string());
  EXPECT_EQ(validate.exit_code, 0) << validate.out;
  EXPECT_NE(validate.out.find("valid job"), std::string::npos);
}

TEST_F(Cli, VerifyChecksARunsOutputsAgainstItsManifest) {
  auto const sim = run_geosweep("simulate --out " + dir_.string() + " --seed 4 --size 200");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  ASSERT_EQ(run_geosweep("--backend cpu run " + (dir_ / "job.yaml").string()).exit_code, 0);
  fs::path const out = dir_ / "out";
  auto const ok = run_geosweep("verify " + out.string());
  EXPECT_EQ(ok.exit_code, 0) << ok.out;
  EXPECT_NE(ok.out.find(" output(s) match"), std::string::npos) << ok.out;
  {
    std::ofstream(out / "areas.csv", std::ios::app) << ",";  // one byte more
  }
  auto const changed = run_geosweep("verify " + out.string());
  EXPECT_EQ(changed.exit_code, 7) << changed.out;
  EXPECT_NE(changed.out.find("output areas.csv: changed: size "), std::string::npos) << changed.out;
  auto const help = run_geosweep("verify --help");
  EXPECT_EQ(help.exit_code, 0) << help.out;
  EXPECT_NE(help.out.find("manifest.json"), std::string::npos) << help.out;
  auto const usage = run_geosweep("verify");
  EXPECT_EQ(usage.exit_code, 2) << usage.out;
}

TEST_F(Cli, BrokenJobGivesOneLocatedLineAndExitCode3) {
  fs::create_directories(dir_ / "scenes");
  std::ofstream(dir_ / "job.yaml")
      << "job: x\nscenes: {dir: scenes}\naois:\n  - name: a\n    bbox: [1, 2, 3, 4]\n"
         "period: {baseline: [2023-01-01, 2023-02-01], monitor: [2023-03-01, 2023-04-01]}\n"
         "change: {index: ndvl}\n";
  for (char const* command : {"run", "validate"}) {
    auto const r = run_geosweep(std::string(command) + " " + (dir_ / "job.yaml").string());
    EXPECT_EQ(r.exit_code, 3) << r.out;
    EXPECT_EQ(r.out,
              "geosweep: error: " + (dir_ / "job.yaml").string() +
                  ":7:17: change.index: unknown index 'ndvl'; did you mean 'ndvi'? "
                  "(expected one of: ndvi, nbr, nbr2, ndmi, ndwi, mndwi, evi, savi, msavi, bsi)\n");
  }
}

TEST_F(Cli, GarbageYamlIsAnErrorNotACrash) {
  std::ofstream(dir_ / "job.yaml") << "job: [unclosed\n  : : :\n\t\x01";
  auto const r = run_geosweep("run " + (dir_ / "job.yaml").string());
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_EQ(r.out.rfind("geosweep: error: " + (dir_ / "job.yaml").string() + ":", 0), 0u) << r.out;
}

TEST_F(Cli, MissingJobFileAndBadOptions) {
  auto const missing = run_geosweep("run " + (dir_ / "absent.yaml").string());
  EXPECT_EQ(missing.exit_code, 3) << missing.out;
  EXPECT_NE(missing.out.find("absent.yaml"), std::string::npos);
  auto const bad_backend = run_geosweep("--backend gpu info");
  EXPECT_EQ(bad_backend.exit_code, 2) << bad_backend.out;
  auto const no_command = run_geosweep("");
  EXPECT_EQ(no_command.exit_code, 2) << no_command.out;
  auto const help = run_geosweep("run --help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("Job file"), std::string::npos) << help.out;
}

TEST_F(Cli, InfoNamesBackendsAndLibraries) {
  auto const r = run_geosweep("info");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("backends: cpu"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("GDAL: 3."), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("HDF5: 1."), std::string::npos) << r.out;
}

TEST_F(Cli, IdleOpenMpThreadsSleepUnlessTheUserChoseAPolicy) {
  // geosweep starts itself again with OMP_WAIT_POLICY=passive: libgomp reads it only as it loads.
  auto const unset = run_geosweep("info", "env -u OMP_WAIT_POLICY ");
  EXPECT_EQ(unset.exit_code, 0) << unset.out;
  EXPECT_NE(unset.out.find("OpenMP wait policy passive"), std::string::npos) << unset.out;
  auto const chosen = run_geosweep("info", "env OMP_WAIT_POLICY=active ");
  EXPECT_NE(chosen.out.find("OpenMP wait policy active"), std::string::npos) << chosen.out;
}

TEST_F(Cli, CudaBackendWithoutDeviceIsExitCode5) {
  if (geosweep::kernels::cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  auto const sim =
      run_geosweep("simulate --out " + dir_.string() + " --seed 2 --size 200 --no-clouds");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  auto const r = run_geosweep("--backend cuda run " + (dir_ / "job.yaml").string());
  EXPECT_EQ(r.exit_code, 5) << r.out;
  EXPECT_NE(r.out.find("geosweep: error:"), std::string::npos) << r.out;
  // The CUDA runtime's own reason, by name (cudaErrorNoDevice, cudaErrorInsufficientDriver...),
  // not a blanket "no device".
  if (geosweep::kernels::cuda_compiled()) {
    EXPECT_NE(r.out.find("no usable CUDA device (cudaError"), std::string::npos) << r.out;
  }
  EXPECT_FALSE(fs::exists(dir_ / "out" / "change.nc"));
  auto const info = run_geosweep("info");
  if (geosweep::kernels::cuda_compiled()) {
    EXPECT_NE(info.out.find("CUDA devices: none usable, cudaError"), std::string::npos) << info.out;
  }
  // --devices is refused on the CPU backend, before anything is written.
  auto const devices =
      run_geosweep("--backend cpu --devices 0 run " + (dir_ / "job.yaml").string());
  EXPECT_EQ(devices.exit_code, 3) << devices.out;
  EXPECT_NE(devices.out.find("--devices needs the CUDA backend"), std::string::npos) << devices.out;
  EXPECT_FALSE(fs::exists(dir_ / "out"));
}

TEST_F(Cli, AFailingReaderOrDateEndsTheRunWithItsErrorAndNoOutputs) {
  // GEOSWEEP_FAIL_AT throws where a reader thread starts (outside it, a throw there ended the
  // process in std::terminate) and where a date has its kernels queued but not waited for.
  auto const sim =
      run_geosweep("simulate --out " + dir_.string() + " --seed 2 --size 200 --no-clouds");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  for (std::string const point : {"reader-start", "date-queued"}) {
    fs::remove_all(dir_ / "out");
    auto const r = run_geosweep("--backend cpu run " + (dir_ / "job.yaml").string(),
                                "GEOSWEEP_FAIL_AT=" + point + " ");
    EXPECT_EQ(r.exit_code, 4) << point << ": " << r.out;
    EXPECT_NE(r.out.find("geosweep: error: test failure at " + point), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dir_ / "out" / "change.nc")) << point;
    EXPECT_FALSE(fs::exists(dir_ / "out" / "areas.csv")) << point;
  }
}

namespace {

/// geosweep's stdout alone (stderr dropped), and its exit code.
command_result stdout_of(std::string const& args) {
  return geosweep::test_tools::shell("{ " + std::string(GEOSWEEP_BINARY) + " " + args +
                                     " 2>/dev/null; }");
}

/// The data rows of the CSV `path` whose `column` (0-based) is `value`.
std::size_t csv_rows_with(fs::path const& path, std::size_t column, std::string const& value) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // header
  std::size_t n = 0;
  while (std::getline(in, line)) {
    std::size_t start = 0;
    for (std::size_t i = 0; i < column; ++i) start = line.find(',', start) + 1;
    n += line.compare(start, value.size() + 1, value + ",") == 0 ? 1 : 0;
  }
  return n;
}

}  // namespace

// GDAL and PDAL habits: -o puts the outputs elsewhere, for run, validate and report alike; the
// job's own outputs.dir stays untouched.
TEST_F(Cli, OutputOptionOverridesTheJobsOutputsDir) {
  ASSERT_EQ(run_geosweep("simulate --out " + dir_.string() + " --seed 5 --size 200").exit_code, 0);
  fs::path const job = dir_ / "job.yaml";
  fs::path const elsewhere = dir_ / "elsewhere";
  auto const run = run_geosweep("--backend cpu run -o " + elsewhere.string() + " " + job.string());
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_TRUE(fs::exists(elsewhere / "change.nc"));
  EXPECT_TRUE(fs::exists(elsewhere / "manifest.json"));
  EXPECT_FALSE(fs::exists(dir_ / "out")) << "the job's outputs.dir was written";
  EXPECT_NE(run.out.find((elsewhere / "change.nc").string()), std::string::npos) << run.out;
  auto const report = run_geosweep("report --output " + elsewhere.string() + " " + job.string());
  ASSERT_EQ(report.exit_code, 0) << report.out;
  EXPECT_TRUE(fs::exists(elsewhere / "report" / "index.html"));
  // Relative to the working folder, as a shell user means it.
  auto const validate = stdout_of("--json validate -o rel/out " + job.string());
  ASSERT_EQ(validate.exit_code, 0) << validate.out;
  EXPECT_EQ(nlohmann::json::parse(validate.out).at("outputs_dir").get<std::string>(),
            (fs::current_path() / "rel" / "out").string());
}

TEST_F(Cli, JsonRunSummaryIsTheRunsFiguresAndFiles) {
  ASSERT_EQ(run_geosweep("simulate --out " + dir_.string() + " --seed 9 --size 300").exit_code, 0);
  auto const r = stdout_of("--backend cpu --json run " + (dir_ / "job.yaml").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto const j = nlohmann::json::parse(r.out);  // the whole of stdout is one document
  EXPECT_EQ(j.at("job"), "simulated-seed-9");
  EXPECT_EQ(j.at("backend"), "cpu");
  // The analysis grid covers the AOIs, inside the 300 px scenes; the text summary says the same.
  int const w = j.at("grid").at("width"), h = j.at("grid").at("height");
  EXPECT_GT(w, 0);
  EXPECT_LE(w, 300);
  EXPECT_GT(h, 0);
  EXPECT_LE(h, 300);
  auto const text = run_geosweep("--backend cpu run " + (dir_ / "job.yaml").string());
  ASSERT_EQ(text.exit_code, 0) << text.out;
  EXPECT_NE(text.out.find(std::to_string(w) + " x " + std::to_string(h) + " px grid"),
            std::string::npos)
      << text.out;
  ASSERT_EQ(j.at("aois").size(), 2u);
  fs::path const out = dir_ / "out";
  for (auto const& a : j.at("aois")) {
    std::string const name = a.at("name");
    // alerts.csv: column 1 is the AOI.
    EXPECT_EQ(a.at("alerts").get<std::size_t>(), csv_rows_with(out / "alerts.csv", 1, name))
        << name;
    EXPECT_GT(a.at("clear_ha").get<double>(), 0.0) << name;
    EXPECT_LE(a.at("high_confidence_alerts").get<std::size_t>(), a.at("alerts").get<std::size_t>());
  }
  std::set<std::string> listed;
  for (auto const& f : j.at("outputs")) {
    listed.insert(f.get<std::string>());
    EXPECT_TRUE(fs::exists(f.get<std::string>())) << f;
  }
  for (char const* f : {"change.nc", "alerts.csv", "areas.csv", "manifest.json",
                        "stac/collection.json", "cog/reserve-north/change.tif"})
    EXPECT_EQ(listed.count((out / f).string()), 1u) << f;
}

TEST_F(Cli, QuietPrintsNothingButErrors) {
  ASSERT_EQ(run_geosweep("simulate --out " + dir_.string() + " --seed 4 --size 200").exit_code, 0);
  auto const quiet = run_geosweep("--backend cpu -q run " + (dir_ / "job.yaml").string());
  EXPECT_EQ(quiet.exit_code, 0) << quiet.out;
  EXPECT_EQ(quiet.out, "");
  EXPECT_TRUE(fs::exists(dir_ / "out" / "alerts.csv"));
  auto const broken = run_geosweep("-q validate " + (dir_ / "absent.yaml").string());
  EXPECT_EQ(broken.exit_code, 3);
  EXPECT_NE(broken.out.find("geosweep: error: "), std::string::npos) << broken.out;
  EXPECT_NE(broken.out.find("absent.yaml"), std::string::npos) << broken.out;
}

TEST_F(Cli, JsonInfoAndValidateAndWhereJsonIsNotOffered) {
  auto const info = stdout_of("--json info");
  ASSERT_EQ(info.exit_code, 0) << info.out;
  auto const i = nlohmann::json::parse(info.out);
  auto const version = stdout_of("--version");
  EXPECT_EQ(i.at("version").get<std::string>() + "\n", version.out);
  EXPECT_EQ(i.at("backends").at(0), "cpu");
  EXPECT_EQ(i.at("cuda").at("compiled").get<bool>(), geosweep::kernels::cuda_compiled());
  EXPECT_EQ(i.at("libraries").at("GDAL").get<std::string>().rfind("3.", 0), 0u) << info.out;
  ASSERT_EQ(run_geosweep("simulate --out " + dir_.string() + " --seed 4 --size 200").exit_code, 0);
  auto const v = stdout_of("validate --json " + (dir_ / "job.yaml").string());
  ASSERT_EQ(v.exit_code, 0) << v.out;
  auto const j = nlohmann::json::parse(v.out);
  EXPECT_TRUE(j.at("valid").get<bool>());
  EXPECT_EQ(j.at("aois"), nlohmann::json::array({"reserve-north", "concession-7"}));
  EXPECT_EQ(j.at("change").at("method"), "baseline");
  EXPECT_EQ(j.at("sensor"), "sentinel2-l2a");
  auto const report = run_geosweep("--json report " + (dir_ / "job.yaml").string());
  EXPECT_EQ(report.exit_code, 2) << report.out;
  EXPECT_NE(report.out.find("--json"), std::string::npos) << report.out;
  auto const both = run_geosweep("--json -q info");
  EXPECT_EQ(both.exit_code, 2) << both.out;
}

// Every example of configs/ with its data present, laid out as in a checkout beside ../shared:
// a copy of configs/, the demo that scripts/demo (or the `geosweep simulate` line in a
// config's header) makes, and $GEOSWEEP_SHARED_DATA. Every one validates; the Rondônia tour
// and the STAC one (the demo's stac/items.json) run, the nightly monitor runs (its secrets
// unset: the file drop delivers, the webhook and e-mail wait, exit 6), swissEO validates
// (real_data_test runs it).
TEST_F(Cli, EveryExampleConfigValidatesWithItsData) {
  fs::path const repo = dir_ / "repo";
  fs::create_directories(repo);
  fs::copy(fs::path(GEOSWEEP_SOURCE_DIR) / "configs", repo / "configs");
  char const* shared = std::getenv("GEOSWEEP_SHARED_DATA");
  if (shared != nullptr) {
    fs::create_directories(dir_ / "shared");
    fs::create_directory_symlink(fs::absolute(shared), dir_ / "shared" / "data");
  }
  std::set<std::string> configs;
  for (auto const& e : fs::directory_iterator(repo / "configs")) {
    configs.insert(e.path().filename().string());
    std::ifstream in(e.path());
    std::string const text((std::istreambuf_iterator<char>(in)), {});
    if (text.find("geosweep simulate --out demo --seed 42") != std::string::npos &&
        !fs::exists(repo / "demo")) {
      auto const sim = run_geosweep("simulate --out " + (repo / "demo").string() + " --seed 42");
      ASSERT_EQ(sim.exit_code, 0) << sim.out;
    }
  }
  EXPECT_EQ(configs,
            (std::set<std::string>{"monitoring-notifications.yaml", "sentinel2-rondonia.yaml",
                                   "sentinel2-stac.yaml", "swisseo-aargau.yaml"}))
      << "a new example: give it its data here";
  for (auto const& name : configs) {
    SCOPED_TRACE(name);
    fs::path const job = repo / "configs" / name;
    auto const v = run_geosweep("validate " + job.string());
    if (name == "swisseo-aargau.yaml" && shared == nullptr) continue;  // real_data_test says so
    EXPECT_EQ(v.exit_code, 0) << v.out;
    EXPECT_NE(v.out.find("valid job"), std::string::npos) << v.out;
  }
  auto const tour = run_geosweep("--backend cpu -q run " +
                                 (repo / "configs" / "sentinel2-rondonia.yaml").string());
  EXPECT_EQ(tour.exit_code, 0) << tour.out;
  EXPECT_TRUE(fs::exists(repo / "demo" / "out-weekly" / "alerts.csv"));
  auto const stac = run_geosweep("--backend cpu --json run " +
                                 (repo / "configs" / "sentinel2-stac.yaml").string());
  EXPECT_EQ(stac.exit_code, 0) << stac.out;
  EXPECT_NE(stac.out.find("\"scenes\": 6"), std::string::npos) << stac.out;  // 1 of 7 too cloudy
  EXPECT_TRUE(fs::exists(repo / "demo" / "out-stac" / "alerts.kmz"));
  auto const nightly = run_geosweep(
      "--backend cpu -q monitor " + (repo / "configs" / "monitoring-notifications.yaml").string(),
      "env -u GEOSWEEP_HOOK_TOKEN -u GEOSWEEP_SMTP_USER ");
  EXPECT_EQ(nightly.exit_code, 6) << nightly.out;  // committed; webhook and e-mail pending
  std::size_t dropped = 0;
  for (auto const& e : fs::directory_iterator(repo / "demo" / "inbox"))
    dropped += e.path().extension() == ".json" ? 1 : 0;
  EXPECT_EQ(dropped, 2u);  // one notification per AOI with new alerts
}
