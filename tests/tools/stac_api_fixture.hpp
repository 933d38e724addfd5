#pragma once
// The local STAC API of tests/tools/stac_api_server.py as the tests drive it: started over a
// set of item files, its request log read back, and the simulator's job pointed at it.
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "geosweep/sim/scene_simulator.hpp"
#include "tools/local_servers.hpp"

namespace geosweep::test_tools {

/// The API over the items of `items` (items or ItemCollections), logging each request to `log`
/// (emptied first), with `extra` options of the script.
inline std::unique_ptr<python_server> serve_stac_api(
    std::filesystem::path const& log, std::vector<std::filesystem::path> const& items,
    std::vector<std::string> const& extra = {}) {
  std::filesystem::remove(log);
  std::vector<std::string> args{"--log", log.string(), "--items"};
  for (auto const& f : items) args.push_back(f.string());
  args.insert(args.end(), extra.begin(), extra.end());
  return std::make_unique<python_server>(tools_dir() / "stac_api_server.py", args);
}

/// http://127.0.0.1:PORT of a server.
inline std::string url_of(python_server const& s) {
  return "http://127.0.0.1:" + std::to_string(s.port());
}

/// The requests logged to `log`, in order (one JSON object each).
inline std::vector<nlohmann::json> logged_requests(std::filesystem::path const& log) {
  std::vector<nlohmann::json> out;
  std::ifstream in(log);
  for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
  return out;
}

/// The text of the simulator's job file `job_file` with `scenes` (lines indented by two) in
/// place of its `dir: scenes`.
inline std::string job_with_scenes(std::filesystem::path const& job_file,
                                   std::string const& scenes) {
  std::ifstream in(job_file);
  std::string job((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string const block = "scenes:\n  dir: scenes\n";
  auto const at = job.find(block);
  if (at == std::string::npos) throw std::runtime_error(job_file.string() + ": no scene folder");
  return job.replace(at, block.size(), "scenes:\n" + scenes);
}

/// Simulates the API tests' scenes (seed 7, 200 x 200 px) into `dir`/sim and returns their
/// ItemCollection with each asset's href `href_of` its file (an absolute path).
inline nlohmann::json simulated_items(
    std::filesystem::path const& dir,
    std::function<std::string(std::filesystem::path const&)> const& href_of) {
  std::filesystem::remove_all(dir);
  geosweep::sim::simulation_options options;
  options.seed = 7;
  options.width = options.height = 200;
  geosweep::sim::simulate_scenes(dir / "sim", options);
  std::ifstream in(dir / "sim" / "stac" / "items.json");
  nlohmann::json items = nlohmann::json::parse(in);
  for (auto& item : items["features"])
    for (auto& [key, asset] : item["assets"].items())
      asset["href"] = href_of(std::filesystem::weakly_canonical(dir / "sim" / "stac" /
                                                                asset["href"].get<std::string>()));
  return items;
}

}  // namespace geosweep::test_tools
