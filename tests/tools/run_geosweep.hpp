#pragma once
/// \file
/// Runs the geosweep binary of this build as a child process (GEOSWEEP_BINARY), with extra
/// environment variables, optionally killing it with SIGKILL after a delay; captures its
/// output and how it ended. Also reads a whole file.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace geosweep::test_tools {

inline std::string read_file(std::filesystem::path const& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// How a child process ended.
struct ending {
  bool signaled = false;
  int code = -1;  ///< exit code, or the signal when signaled
  std::string output;
};

/// Runs `program_and_args` (argv[0] a path) with extra environment variables; output captured.
inline ending run_program(std::vector<std::string> all, std::map<std::string, std::string> env = {},
                          std::optional<double> kill_after_s = std::nullopt) {
  static std::filesystem::path const out_file =
      std::filesystem::temp_directory_path() / ("geosweep_test_out_" + std::to_string(::getpid()));
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> environment;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string const entry = *e;
    if (env.count(entry.substr(0, entry.find('='))) == 0) environment.push_back(entry);
  }
  for (auto const& [k, v] : env) environment.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : environment) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  int const rc = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  ending e;
  if (rc != 0) return e;
  if (kill_after_s) {
    std::this_thread::sleep_for(std::chrono::duration<double>(*kill_after_s));
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  e.signaled = WIFSIGNALED(status);
  e.code = e.signaled ? WTERMSIG(status) : WEXITSTATUS(status);
  e.output = read_file(out_file);
  return e;
}

/// Runs the geosweep binary of this build with `args` (see run_program).
inline ending run_geosweep(std::vector<std::string> args,
                           std::map<std::string, std::string> env = {},
                           std::optional<double> kill_after_s = std::nullopt) {
  std::vector<std::string> all{GEOSWEEP_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  return run_program(std::move(all), std::move(env), kill_after_s);
}

}  // namespace geosweep::test_tools
