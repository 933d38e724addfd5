// A whole job over a remote archive: COGs and STAC items served by a real nginx on loopback
// (range requests through GDAL's /vsicurl/), against the same job on the local files. The
// outputs must be identical, and the run's count of HTTP requests and bytes downloaded is
// nginx's (its access log).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <regex>
#include <sstream>

#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "tools/nginx_server.hpp"
#include "tools/stac_fixtures.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;
namespace tt = geosweep::test_tools;

namespace {

std::string slurp(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST(HttpJob, JobOverStacItemsServedByNginxEqualsTheLocalRun) {
  auto const dir = fs::temp_directory_path() / ("geosweep_http_job_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  geosweep::sim::simulation_options options;
  options.seed = 21;
  options.width = options.height = 240;
  options.clearings = 2;
  auto const sim = geosweep::sim::simulate_scenes(dir / "sim", options);
  tt::write_cogs(dir / "sim" / "scenes", dir / "www" / "cogs");
  tt::nginx_server server(dir / "www", dir / "nginx");
  tt::stac_item_options items;
  items.href_base = server.url() + "/cogs";
  tt::write_stac_items(dir / "www" / "cogs", dir / "items", items);

  auto local = gp::load_job_spec(sim.job_file);
  local.outputs.dir = dir / "out_local";
  auto const a = gp::run_job(local, gp::run_options{gk::backend::cpu, false});

  auto const remote_job =
      tt::write_stac_job(sim.job_file, dir / "items", dir / "sim" / "job_http.yaml");
  auto remote = gp::load_job_spec(remote_job);
  ASSERT_FALSE(remote.scenes.dir);
  remote.outputs.dir = dir / "out_http";
  auto const b = gp::run_job(remote, gp::run_options{gk::backend::cpu, false});

  EXPECT_GT(server.requests(), 20u);  // the scenes really came over HTTP
  // The run's counts of what it fetched are nginx's: its requests, and the body bytes it sent
  // ("$status $body_bytes_sent" after the request line in the combined log format).
  EXPECT_EQ(a.http_requests, 0);
  EXPECT_EQ(a.http_bytes, 0);
  EXPECT_EQ(static_cast<std::size_t>(b.http_requests), server.requests());
  std::int64_t sent = 0;
  std::istringstream log(server.access_log());
  std::regex const fields("\" (\\d{3}) (\\d+) ");
  for (std::string line; std::getline(log, line);) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(line, m, fields)) << line;
    sent += std::stoll(m[2].str());
  }
  EXPECT_GT(sent, 0);
  EXPECT_EQ(b.http_bytes, sent);
  std::cout << "remote run: " << b.http_requests << " HTTP requests, " << b.http_bytes
            << " bytes downloaded, " << b.bytes_read << " bytes decoded\n";
  EXPECT_EQ(a.scenes_used, b.scenes_used);
  EXPECT_EQ(a.pixels_processed, b.pixels_processed);
  EXPECT_EQ(slurp(dir / "out_local" / "alerts.csv"), slurp(dir / "out_http" / "alerts.csv"));
  EXPECT_EQ(slurp(dir / "out_local" / "areas.csv"), slurp(dir / "out_http" / "areas.csv"));
  std::size_t alerts = 0;
  for (auto const& aoi : b.aois) alerts += aoi.alerts.size();
  EXPECT_EQ(alerts, sim.clearings.size());
  // The chain of custody lists the remote band files by URL, unhashed, with the reason; the
  // STAC items read from disk are hashed.
  auto const manifest = nlohmann::json::parse(slurp(dir / "out_http" / "manifest.json"));
  std::size_t remote_files = 0, local_items = 0;
  for (auto const& in : manifest.at("inputs")) {
    std::string const path = in.at("path").get<std::string>();
    if (path.starts_with("/vsicurl/" + server.url())) {
      ++remote_files;
      EXPECT_TRUE(in.at("sha256").is_null()) << path;
      EXPECT_TRUE(in.at("size").is_null()) << path;
      EXPECT_NE(in.at("not_hashed").get<std::string>().find("remote"), std::string::npos);
    } else {
      ++local_items;
      EXPECT_EQ(in.at("sha256").get<std::string>().size(), 64u) << path;
    }
  }
  EXPECT_GT(remote_files, 0u);
  EXPECT_GT(local_items, 0u) << "the STAC items";
  fs::remove_all(dir);
}

int main(int argc, char** argv) {
  return tt::run_tests_with_nginx(argc, argv);
}
