// The budget of GDAL's HTTP reads of remote scenes (/vsicurl/), against an archive on loopback
// (tests/tools/archive_server.py) that is slow, fails at first or stalls: the job's
// scenes.http limits, else the environment's GDAL_HTTP_* variables, else geosweep's defaults,
// become GDAL's config options; an archive that answers within the timeout is read once per
// request; one that does not, or keeps failing, is given up after its attempts with an error
// naming the URL; and `geosweep run` over a stalled archive ends with exit code 4 within its
// budget instead of hanging.
#include <cpl_conv.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "catalog/scene_catalog.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "load/scene_reader.hpp"
#include "tools/archive_server.hpp"
#include "tools/run_geosweep.hpp"
#include "tools/stac_fixtures.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string option(char const* name) {
  char const* value = CPLGetConfigOption(name, nullptr);
  return value == nullptr ? std::string("(unset)") : std::string(value);
}

/// A 256 x 256 px UInt16 COG (values (row * 256 + col) % 5000) at www/s/B04.tif, and the
/// GDAL_HTTP_* variables of the environment cleared while a test runs.
class HttpBudget : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
    for (auto const* name : kOptions) ::unsetenv(name);
    dir_ = fs::temp_directory_path() /
           ("geosweep_http_budget_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "www" / "s");
    gp::ensure_gdal();
    GDALDatasetUniquePtr mem(GetGDALDriverManager()->GetDriverByName("MEM")->Create(
        "", 256, 256, 1, GDT_UInt16, nullptr));
    double const transform[6] = {500000, 10, 0, 9000000, 0, -10};
    mem->SetGeoTransform(const_cast<double*>(transform));
    OGRSpatialReference srs;
    srs.importFromEPSG(32720);
    mem->SetSpatialRef(&srs);
    std::vector<std::uint16_t> values(256 * 256);
    for (std::size_t i = 0; i < values.size(); ++i)
      values[i] = static_cast<std::uint16_t>(i % 5000);
    ASSERT_EQ(mem->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 256, 256, values.data(), 256, 256,
                                              GDT_UInt16, 0, 0),
              CE_None);
    GDALDatasetUniquePtr cog(GetGDALDriverManager()->GetDriverByName("COG")->CreateCopy(
        (dir_ / "www" / "s" / "B04.tif").c_str(), mem.get(), FALSE, nullptr, nullptr, nullptr));
    ASSERT_TRUE(cog);
    values_ = values;
  }
  void TearDown() override {
    gp::configure_http_reads({});  // the defaults again, for the next test
    fs::remove_all(dir_);
  }

  /// The COG as a band file on `archive`.
  static gp::band_file remote_band(tt::archive_server const& archive) {
    gp::band_file band;
    band.path = "/vsicurl/" + archive.url() + "/s/B04.tif";
    return band;
  }

  static constexpr char const* kOptions[] = {"GDAL_HTTP_CONNECTTIMEOUT", "GDAL_HTTP_TIMEOUT",
                                             "GDAL_HTTP_MAX_RETRY", "GDAL_HTTP_RETRY_DELAY"};
  fs::path dir_;
  std::vector<std::uint16_t> values_;
};

}  // namespace

TEST_F(HttpBudget, LimitsComeFromTheJobThenTheEnvironmentThenTheDefaults) {
  gp::configure_http_reads({});
  EXPECT_EQ(option("GDAL_HTTP_CONNECTTIMEOUT"), "10");
  EXPECT_EQ(option("GDAL_HTTP_TIMEOUT"), "30");
  EXPECT_EQ(option("GDAL_HTTP_MAX_RETRY"), "2");  // 3 attempts
  EXPECT_EQ(option("GDAL_HTTP_RETRY_DELAY"), "1");

  ::setenv("GDAL_HTTP_TIMEOUT", "45", 1);  // an operator's site-wide setting
  ::setenv("GDAL_HTTP_MAX_RETRY", "5", 1);
  gp::configure_http_reads({});
  EXPECT_EQ(option("GDAL_HTTP_TIMEOUT"), "45");
  EXPECT_EQ(option("GDAL_HTTP_MAX_RETRY"), "5");
  EXPECT_EQ(option("GDAL_HTTP_CONNECTTIMEOUT"), "10");

  gp::http_limits job;  // the job file wins
  job.connect_timeout_s = 2.5;
  job.timeout_s = 7.5;
  job.attempts = 1;
  job.backoff_s = 0;
  gp::configure_http_reads(job);
  EXPECT_EQ(option("GDAL_HTTP_CONNECTTIMEOUT"), "2.5");
  EXPECT_EQ(option("GDAL_HTTP_TIMEOUT"), "7.5");
  EXPECT_EQ(option("GDAL_HTTP_MAX_RETRY"), "0");
  EXPECT_EQ(option("GDAL_HTTP_RETRY_DELAY"), "0");

  // A later job without limits does not inherit the previous job's.
  gp::configure_http_reads({});
  EXPECT_EQ(option("GDAL_HTTP_TIMEOUT"), "45");
  EXPECT_EQ(option("GDAL_HTTP_CONNECTTIMEOUT"), "10");
  ::unsetenv("GDAL_HTTP_TIMEOUT");
  ::unsetenv("GDAL_HTTP_MAX_RETRY");
}

TEST_F(HttpBudget, TheJobSpecsHttpLimitsReachGdalThroughTheCatalog) {
  fs::create_directories(dir_ / "scenes");
  std::ofstream(dir_ / "job.yaml")
      << "job: t\n"
         "scenes:\n  dir: scenes\n  http: {timeout_s: 4, connect_timeout_s: 1.5, attempts: 4, "
         "backoff_s: 0.25}\n"
         "aois: [{name: a, bbox: [-51.1, -9.2, -50.9, -8.9]}]\n"
         "period: {baseline: [2019-01-01, 2019-12-31], monitor: [2020-01-01, 2022-12-31]}\n";
  auto const spec = gp::load_job_spec(dir_ / "job.yaml");
  EXPECT_EQ(spec.scenes.http.timeout_s, 4.0);
  EXPECT_EQ(spec.scenes.http.attempts, 4);
  EXPECT_THROW(gp::build_catalog(spec, {"red", "nir"}), geosweep::config_error);  // no scenes
  EXPECT_EQ(option("GDAL_HTTP_TIMEOUT"), "4");
  EXPECT_EQ(option("GDAL_HTTP_CONNECTTIMEOUT"), "1.5");
  EXPECT_EQ(option("GDAL_HTTP_MAX_RETRY"), "3");
  EXPECT_EQ(option("GDAL_HTTP_RETRY_DELAY"), "0.25");
}

TEST_F(HttpBudget, SlowArchiveJustWithinTheTimeoutIsReadWithEachRequestMadeOnce) {
  tt::archive_server archive(dir_ / "www", dir_ / "archive.log",
                             tt::archive_server_options::answering_after(0.5));
  gp::http_limits limits;
  limits.timeout_s = 1.5;  // three times what each answer takes
  limits.attempts = 3;
  limits.backoff_s = 0.1;
  gp::configure_http_reads(limits);
  gp::band_reader reader(remote_band(archive));
  EXPECT_EQ(reader.grid().width, 256);
  EXPECT_EQ(reader.read_dn({0, 0, 256, 256}), values_);
  auto const requests = archive.requests();
  ASSERT_FALSE(requests.empty());
  std::map<std::string, int> seen;
  for (auto const& r : requests) ++seen[r.method + " " + r.path + " " + r.range];
  for (auto const& [request, times] : seen) EXPECT_EQ(times, 1) << request;  // nothing retried
  EXPECT_EQ(archive.count("HEAD", "/s/B04.tif"), 1u);
}

TEST_F(HttpBudget, ArchiveSlowerThanTheTimeoutIsGivenUpAfterItsAttemptsNamingTheUrl) {
  tt::archive_server archive(dir_ / "www", dir_ / "archive.log",
                             tt::archive_server_options::answering_after(3.0));
  gp::http_limits limits;
  limits.timeout_s = 0.75;  // a quarter of what each answer takes
  limits.attempts = 2;
  limits.backoff_s = 0.1;
  gp::configure_http_reads(limits);
  auto const band = remote_band(archive);
  auto const start = std::chrono::steady_clock::now();
  try {
    gp::band_reader reader(band);
    ADD_FAILURE() << "expected an io_error";
  } catch (geosweep::io_error const& e) {
    std::cout << "an archive answering after 3 s, timeout 0.75 s, 2 attempts: " << e.what()
              << " after " << seconds_since(start) << " s\n";
    EXPECT_NE(std::string(e.what()).find(archive.url() + "/s/B04.tif"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find(
                  "no answer within the HTTP limits of 10 s to connect, 0.75 s per request and "
                  "2 attempt(s)"),
              std::string::npos)
        << e.what();
  }
  double const elapsed = seconds_since(start);
  EXPECT_EQ(archive.count("HEAD", "/s/B04.tif"), 2u);  // the attempts, no more
  EXPECT_GE(elapsed, 1.5);
  EXPECT_LT(elapsed, 5.0);  // 2 tries and GDAL's folder listing, 0.75 s each, plus slack
}

TEST_F(HttpBudget, ArchiveStallingAfterTheOpenFailsTheReadNamingTheUrl) {
  gp::http_limits limits;
  limits.timeout_s = 1;
  limits.attempts = 2;
  limits.backoff_s = 0.1;
  gp::configure_http_reads(limits);
  std::size_t opening_requests = 0;
  {
    tt::archive_server healthy(dir_ / "www", dir_ / "healthy.log");
    gp::band_reader reader(remote_band(healthy));
    opening_requests = healthy.requests().size();
  }
  ASSERT_GT(opening_requests, 0u);
  // The same requests are answered, then the archive goes silent: the pixels never come.
  tt::archive_server archive(
      dir_ / "www", dir_ / "archive.log",
      tt::archive_server_options::stalled(static_cast<int>(opening_requests)));
  gp::band_reader reader(remote_band(archive));
  auto const start = std::chrono::steady_clock::now();
  try {
    auto const pixels = reader.read_dn({0, 0, 256, 256});
    ADD_FAILURE() << "expected an io_error, read " << pixels.size() << " pixels";
  } catch (geosweep::io_error const& e) {
    std::cout << "an archive stalling after the open: " << e.what() << " after "
              << seconds_since(start) << " s\n";
    EXPECT_NE(std::string(e.what()).find("/vsicurl/" + archive.url() + "/s/B04.tif"),
              std::string::npos)
        << e.what();
  }
  EXPECT_LT(seconds_since(start), 6.0);                    // 2 tries of 1 s, plus slack
  EXPECT_GT(archive.requests().size(), opening_requests);  // the read did ask
}

TEST_F(HttpBudget, ServerErrorsAreTriedAgainUpToTheAttempts) {
  gp::http_limits limits;
  limits.timeout_s = 5;
  limits.backoff_s = 0.05;
  {
    // Two 503s, three attempts: the third gets the file.
    tt::archive_server archive(dir_ / "www", dir_ / "three.log",
                               tt::archive_server_options::failing_first(2, 503));
    limits.attempts = 3;
    gp::configure_http_reads(limits);
    gp::band_reader reader(remote_band(archive));
    EXPECT_EQ(reader.read_dn({10, 20, 30, 40}), reader.read_dn({10, 20, 30, 40}));
    EXPECT_EQ(reader.read_dn({0, 0, 256, 256}), values_);
    EXPECT_EQ(archive.count("HEAD", "/s/B04.tif"), 3u);
  }
  {
    // Two 503s, two attempts: given up, with the status.
    tt::archive_server archive(dir_ / "www", dir_ / "two.log",
                               tt::archive_server_options::failing_first(2, 503));
    limits.attempts = 2;
    gp::configure_http_reads(limits);
    try {
      gp::band_reader reader(remote_band(archive));
      ADD_FAILURE() << "expected an io_error";
    } catch (geosweep::io_error const& e) {
      EXPECT_NE(std::string(e.what()).find(archive.url() + "/s/B04.tif"), std::string::npos)
          << e.what();
    }
    EXPECT_EQ(archive.count("HEAD", "/s/B04.tif"), 2u);
  }
}

TEST_F(HttpBudget, StalledArchiveFailsTheRunWithExitCode4NamingTheUrlWithinItsBudget) {
  geosweep::sim::simulation_options options;
  options.seed = 5;
  options.width = options.height = 120;
  options.clearings = 1;
  auto const sim = geosweep::sim::simulate_scenes(dir_ / "sim", options);
  tt::write_cogs(dir_ / "sim" / "scenes", dir_ / "www" / "cogs");
  tt::archive_server archive(dir_ / "www", dir_ / "archive.log",
                             tt::archive_server_options::stalled());
  tt::stac_item_options items;
  items.href_base = archive.url() + "/cogs";
  tt::write_stac_items(dir_ / "www" / "cogs", dir_ / "items", items);
  auto const job = tt::write_stac_job(sim.job_file, dir_ / "items", dir_ / "sim" / "job.yaml");
  std::string text = tt::read_file(job);
  auto const stac_line = text.find("  stac: ");
  ASSERT_NE(stac_line, std::string::npos) << text;
  text.insert(text.find('\n', stac_line) + 1,
              "  http: {timeout_s: 1, connect_timeout_s: 1, attempts: 2, backoff_s: 0.1}\n");
  std::ofstream(job) << text;

  auto const start = std::chrono::steady_clock::now();
  // /usr/bin/timeout stops a run that hangs (exit 124) rather than the test suite.
  auto const e = tt::run_program({"/usr/bin/timeout", "90", GEOSWEEP_BINARY, "run", job.string()});
  double const elapsed = seconds_since(start);
  std::cout << "geosweep run over a stalled archive (timeout 1 s, 2 attempts): exit " << e.code
            << " after " << elapsed << " s, " << archive.requests().size() << " requests\n"
            << e.output;
  EXPECT_FALSE(e.signaled);
  EXPECT_EQ(e.code, 4) << e.output;  // io_error
  EXPECT_NE(e.output.find("geosweep: error: /vsicurl/" + archive.url() + "/cogs/"),
            std::string::npos)
      << e.output;
  EXPECT_NE(e.output.find("no answer within the HTTP limits of 1 s to connect, 1 s per request "
                          "and 2 attempt(s)"),
            std::string::npos)
      << e.output;
  EXPECT_LT(elapsed, 30.0);
  EXPECT_FALSE(archive.requests().empty());  // it did ask
  EXPECT_FALSE(fs::exists(sim.job_file.parent_path() / "out" / "alerts.csv"));
}
