#pragma once
/// \file
/// A remote scene archive on loopback for tests of GDAL's HTTP reads: tests/tools/
/// archive_server.py (run by /usr/bin/python3) serving a folder with range requests, slow,
/// failing or stalled on request, and logging every request it gets. Header-only, POSIX.
///
///   test_tools::archive_server archive(www, dir / "archive.log",
///                                      test_tools::archive_server_options::stalled());
///   archive.url() + "/cogs/S2A_.../B04.tif";  // "http://127.0.0.1:PORT/cogs/..."
///   archive.requests();  // method, path, range, status (0: no answer)

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tools/local_servers.hpp"

namespace geosweep::test_tools {

/// How the archive behaves: requests from number stall_from on (from 0) stall: accepted, never
/// answered; of the others, the first fail_first get fail_status and the rest the file. Every
/// answer comes delay_seconds late.
struct archive_server_options {
  int stall_from = -1;  ///< -1: none stalls
  int fail_first = 0;
  int fail_status = 503;
  double delay_seconds = 0;

  /// Accepts every connection, reads the request and never answers, from request `first` on.
  static archive_server_options stalled(int first = 0) {
    archive_server_options o;
    o.stall_from = first;
    return o;
  }
  /// Answers every request after `seconds`.
  static archive_server_options answering_after(double seconds) {
    archive_server_options o;
    o.delay_seconds = seconds;
    return o;
  }
  /// The first `n` requests answered with `status`.
  static archive_server_options failing_first(int n, int status = 503) {
    archive_server_options o;
    o.fail_first = n;
    o.fail_status = status;
    return o;
  }
};

/// One request as the archive logged it when it arrived.
struct archive_request {
  std::string method;  ///< HEAD or GET
  std::string path;
  std::string range;  ///< the Range header, "" without one
  int status = 0;     ///< the answer planned; 0 when it stalls
};

/// tests/tools/archive_server.py on 127.0.0.1 serving `root`, logging to `log`.
class archive_server {
 public:
  archive_server(std::filesystem::path const& root, std::filesystem::path log,
                 archive_server_options const& o = {})
      : log_(std::move(log)), server_(tools_dir() / "archive_server.py", args(root, o)) {}

  /// "http://127.0.0.1:PORT"; root's files below it.
  [[nodiscard]] std::string url() const {
    return "http://127.0.0.1:" + std::to_string(server_.port());
  }

  /// The requests logged so far, in arrival order.
  [[nodiscard]] std::vector<archive_request> requests() const {
    std::vector<archive_request> out;
    std::ifstream in(log_);
    std::string line;
    while (std::getline(in, line)) {
      auto const r = nlohmann::json::parse(line);
      archive_request q;
      q.method = r.at("method");
      q.path = r.at("path");
      if (r.at("range").is_string()) q.range = r.at("range");
      if (r.at("status").is_number()) q.status = r.at("status");
      out.push_back(std::move(q));
    }
    return out;
  }

  /// How many requests of `method` for `path` arrived.
  [[nodiscard]] std::size_t count(std::string const& method, std::string const& path) const {
    std::size_t n = 0;
    for (auto const& r : requests()) n += r.method == method && r.path == path ? 1 : 0;
    return n;
  }

 private:
  std::vector<std::string> args(std::filesystem::path const& root,
                                archive_server_options const& o) const {
    std::vector<std::string> a{"--root",          root.string(),
                               "--log",           log_.string(),
                               "--fail-first",    std::to_string(o.fail_first),
                               "--fail-status",   std::to_string(o.fail_status),
                               "--delay-seconds", std::to_string(o.delay_seconds),
                               "--stall-from",    std::to_string(o.stall_from)};
    return a;
  }

  std::filesystem::path log_;
  python_server server_;
};

}  // namespace geosweep::test_tools
