// A whole job over a remote archive: COGs and STAC items served by a real nginx on loopback
// (range requests through GDAL's /vsicurl/), against the same job on the local files. The
// outputs must be identical, and the run's count of HTTP requests and bytes downloaded is
// nginx's (its access log). With scenes.cache, a rerun (a new process) fetches no byte, and a
// file changed on the server is fetched again, alone.
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
#include "tools/run_geosweep.hpp"
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

/// One request of nginx's access log (combined format).
struct logged {
  std::string method, path;
  int status = 0;
  std::int64_t bytes = 0;  ///< body bytes sent
};

std::vector<logged> access_log(tt::nginx_server const& server) {
  std::vector<logged> out;
  std::istringstream log(server.access_log());
  std::regex const fields("\"([A-Z]+) ([^ ]+) [^\"]*\" (\\d{3}) (\\d+) ");
  for (std::string line; std::getline(log, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, fields)) throw std::runtime_error("unexpected log: " + line);
    out.push_back({m[1].str(), m[2].str(), std::stoi(m[3].str()), std::stoll(m[4].str())});
  }
  return out;
}

/// A simulation whose scenes nginx serves as COGs, with STAC items of them in dir/items.
struct served_simulation {
  geosweep::sim::simulation_result sim;
  std::unique_ptr<tt::nginx_server> server;
};

served_simulation serve_simulation(fs::path const& dir,
                                   geosweep::sim::simulation_options const& options) {
  fs::remove_all(dir);
  served_simulation out;
  out.sim = geosweep::sim::simulate_scenes(dir / "sim", options);
  tt::write_cogs(dir / "sim" / "scenes", dir / "www" / "cogs");
  out.server = std::make_unique<tt::nginx_server>(dir / "www", dir / "nginx");
  tt::stac_item_options items;
  items.href_base = out.server->url() + "/cogs";
  tt::write_stac_items(dir / "www" / "cogs", dir / "items", items);
  return out;
}

}  // namespace

TEST(HttpJob, JobOverStacItemsServedByNginxEqualsTheLocalRun) {
  auto const dir = fs::temp_directory_path() / ("geosweep_http_job_" + std::to_string(::getpid()));
  geosweep::sim::simulation_options options;
  options.seed = 21;
  options.width = options.height = 240;
  options.clearings = 2;
  auto const served = serve_simulation(dir, options);
  auto const& sim = served.sim;
  auto const& server = *served.server;

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

TEST(HttpJob, ARerunWithTheCacheFetchesNothingAndAChangedFileAlone) {
  auto const dir =
      fs::temp_directory_path() / ("geosweep_http_cache_" + std::to_string(::getpid()));
  geosweep::sim::simulation_options options;
  options.seed = 22;
  options.width = options.height = 200;
  auto const served = serve_simulation(dir, options);
  auto const& sim = served.sim;
  auto const& server = *served.server;
  auto const job = tt::write_stac_job(sim.job_file, dir / "items", dir / "sim" / "job_cache.yaml");
  {
    std::string text = slurp(job);
    text.replace(text.find("scenes:\n"), 8, "scenes:\n  cache: " + (dir / "cache").string() + "\n");
    std::ofstream(job) << text;
  }
  // Each run is a new process: GDAL's own cache in memory is gone, the cache folder stays.
  auto const run = [&] {
    std::size_t const before = access_log(server).size();
    auto const r = tt::run_geosweep({"--json", "run", job.string()});
    EXPECT_EQ(r.code, 0) << r.output;
    auto const summary = nlohmann::json::parse(r.output.substr(r.output.find('{')));
    auto log = access_log(server);
    log.erase(log.begin(), log.begin() + static_cast<long>(before));
    std::int64_t sent = 0;
    for (auto const& l : log) sent += l.bytes;
    EXPECT_EQ(summary.at("http_bytes").get<std::int64_t>(), sent);  // the run counts nginx's bytes
    return std::tuple{summary, log, sent};
  };

  auto const [first, first_log, first_sent] = run();
  EXPECT_GT(first_sent, 0);
  auto const alerts = slurp(dir / "sim" / "out" / "alerts.csv");
  EXPECT_GT(std::count(alerts.begin(), alerts.end(), '\n'), 1);

  auto const [second, second_log, second_sent] = run();
  EXPECT_EQ(second_sent, 0);                                               // counted at the server
  for (auto const& l : second_log) EXPECT_EQ(l.method, "HEAD") << l.path;  // only "unchanged?"
  EXPECT_GT(second.at("cache_served_bytes").get<std::int64_t>(), 0);
  EXPECT_EQ(second.at("cache_invalidated").get<std::int64_t>(), 0);
  EXPECT_EQ(slurp(dir / "sim" / "out" / "alerts.csv"), alerts);

  // One COG rewritten on the server (same pixels, a new file): fetched again, and only it.
  fs::path changed;
  for (auto const& e : fs::recursive_directory_iterator(dir / "www" / "cogs"))
    if (e.path().extension() == ".tif") {
      changed = e.path();
      break;
    }
  ASSERT_FALSE(changed.empty());
  auto const bytes = slurp(changed);
  fs::remove(changed);
  std::ofstream(changed, std::ios::binary) << bytes << std::string(512, '\0');  // a new size
  auto const url_path = "/" + changed.lexically_relative(dir / "www").generic_string();
  auto const [third, third_log, third_sent] = run();
  EXPECT_EQ(third.at("cache_invalidated").get<std::int64_t>(), 1);
  EXPECT_GT(third_sent, 0);
  for (auto const& l : third_log) {
    if (l.bytes > 0) {
      EXPECT_EQ(l.path, url_path);
    }
  }
  EXPECT_EQ(slurp(dir / "sim" / "out" / "alerts.csv"), alerts);
  std::cout << "cached reruns: first run " << first_sent << " bytes from nginx in "
            << first_log.size() << " requests; rerun " << second_sent << " bytes in "
            << second_log.size() << " requests ("
            << second.at("cache_served_bytes").get<std::int64_t>()
            << " bytes served from the cache); one file changed: " << third_sent << " bytes\n";
  fs::remove_all(dir);
}

int main(int argc, char** argv) {
  return tt::run_tests_with_nginx(argc, argv);
}
