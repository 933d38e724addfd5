#pragma once
/// \file
/// A real nginx serving a folder over HTTP on a free loopback port, for tests that read
/// scenes through GDAL's /vsicurl/. It runs as a child process (daemon off, one process) with
/// its config, pid file, logs and temporary folders in a work folder, and is stopped when the
/// object goes. Header-only, POSIX.
///
///   auto nginx = test_tools::nginx_server::find_binary();
///   if (!nginx) return 77;  // skipped: nginx is not installed (scripts/deps.txt lists it)
///   test_tools::nginx_server server(root, work_dir);
///   server.url();  // "http://127.0.0.1:PORT", root's files below it

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace geosweep::test_tools {

/// nginx serving `root` on 127.0.0.1 while the object lives.
class nginx_server {
 public:
  /// The nginx program: on PATH, or /usr/sbin/nginx (not on a normal user's PATH on Debian);
  /// nullopt when it is not installed.
  static std::optional<std::filesystem::path> find_binary() {
    namespace fs = std::filesystem;
    std::vector<fs::path> candidates;
    if (char const* path = std::getenv("PATH")) {
      std::stringstream dirs(path);
      std::string dir;
      while (std::getline(dirs, dir, ':'))
        if (!dir.empty()) candidates.push_back(fs::path(dir) / "nginx");
    }
    candidates.emplace_back("/usr/sbin/nginx");
    candidates.emplace_back("/usr/local/sbin/nginx");
    for (auto const& c : candidates)
      if (::access(c.c_str(), X_OK) == 0) return c;
    return std::nullopt;
  }

  /// Starts nginx serving `root`, with its files in `work_dir` (created), on a free port.
  /// Throws std::runtime_error with nginx's error log when it does not answer within 10 s
  /// (after three tries on fresh ports), or when nginx is not installed.
  nginx_server(std::filesystem::path const& root, std::filesystem::path const& work_dir)
      : work_(work_dir) {
    auto const binary = find_binary();
    if (!binary) throw std::runtime_error("nginx is not installed");
    std::filesystem::create_directories(work_ / "tmp");
    for (int attempt = 0; attempt < 3; ++attempt) {
      port_ = free_port();
      write_config(std::filesystem::absolute(root));
      if (start(*binary)) return;
      stop();
    }
    throw std::runtime_error("nginx did not start; its error log says:\n" + error_log());
  }

  nginx_server(nginx_server const&) = delete;
  nginx_server& operator=(nginx_server const&) = delete;
  ~nginx_server() { stop(); }

  /// The port it listens on.
  [[nodiscard]] int port() const { return port_; }

  /// "http://127.0.0.1:PORT".
  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  /// Requests answered so far (lines of the access log), to show that reads went over HTTP.
  [[nodiscard]] std::size_t requests() const {
    std::ifstream in(work_ / "access.log");
    std::size_t n = 0;
    for (std::string line; std::getline(in, line);) ++n;
    return n;
  }

  /// The access log's lines.
  [[nodiscard]] std::string access_log() const { return read(work_ / "access.log"); }

  /// The error log's text.
  [[nodiscard]] std::string error_log() const { return read(work_ / "error.log"); }

 private:
  static std::string read(std::filesystem::path const& file) {
    std::ifstream in(file);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  /// A port the kernel just handed out for 127.0.0.1 (free unless someone takes it first,
  /// hence the retries).
  static int free_port() {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw std::runtime_error("socket() failed");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      ::close(fd);
      throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(addr.sin_port);
  }

  static bool answers(int port) {
    int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    bool const ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    ::close(fd);
    return ok;
  }

  void write_config(std::filesystem::path const& root) const {
    std::string const w = std::filesystem::absolute(work_).string();
    std::ofstream out(work_ / "nginx.conf");
    out << "daemon off;\n"
           "master_process off;\n"
           "worker_processes 1;\n"
        << "pid " << w << "/nginx.pid;\n"
        << "error_log " << w << "/error.log info;\n"
        << "events { worker_connections 64; }\n"
           "http {\n"
        << "  access_log " << w << "/access.log;\n"
        << "  client_body_temp_path " << w << "/tmp/body;\n"
        << "  proxy_temp_path " << w << "/tmp/proxy;\n"
        << "  fastcgi_temp_path " << w << "/tmp/fastcgi;\n"
        << "  uwsgi_temp_path " << w << "/tmp/uwsgi;\n"
        << "  scgi_temp_path " << w << "/tmp/scgi;\n"
        << "  types { image/tiff tif tiff; application/json json; }\n"
           "  default_type application/octet-stream;\n"
        << "  server {\n"
        << "    listen 127.0.0.1:" << port_ << ";\n"
        << "    root " << root.string() << ";\n"
        << "  }\n"
           "}\n";
  }

  bool start(std::filesystem::path const& binary) {
    std::string const w = std::filesystem::absolute(work_).string();
    std::vector<std::string> args{binary.string(),   "-p", w + "/",         "-c",
                                  w + "/nginx.conf", "-e", w + "/error.log"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (::posix_spawn(&pid_, binary.c_str(), nullptr, nullptr, argv.data(), environ) != 0) {
      pid_ = -1;
      return false;
    }
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: port taken or bad config
        pid_ = -1;
        return false;
      }
      if (answers(port_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }

  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 250; ++i) {  // 5 s, then no more asking
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  std::filesystem::path work_;
  int port_ = 0;
  pid_t pid_ = -1;
};

/// The main of a test that needs nginx: 77 (skipped) when it is not installed; loopback
/// requests bypass any proxy; then every GoogleTest test runs.
inline int run_tests_with_nginx(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (!nginx_server::find_binary()) {
    std::cout << "nginx is not installed (scripts/deps.txt lists it): skipped\n";
    return 77;
  }
  ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);
  ::setenv("no_proxy", "127.0.0.1,localhost", 1);
  return RUN_ALL_TESTS();
}

}  // namespace geosweep::test_tools
