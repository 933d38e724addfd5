#pragma once
/// \file
/// Runs a command line through the shell (popen), stdout and stderr captured together, for the
/// tests that drive geosweep or a tool (pdftotext, sha256sum) as a user would. Needs
/// GEOSWEEP_BINARY (the build's geosweep) for geosweep_command().

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace geosweep::test_tools {

/// How a shell command ended.
struct command_result {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

/// Runs `command` with `sh -c` (through popen), its stderr joined to its stdout.
inline command_result shell(std::string const& command) {
  command_result r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) r.out += buffer.data();
  int const status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

/// The digest the sha256sum tool prints for `path`: a SHA-256 independent of geosweep's.
inline std::string sha256sum(std::string const& path) {
  return shell("sha256sum '" + path + "'").out.substr(0, 64);
}

#ifdef GEOSWEEP_BINARY
/// Runs this build's geosweep with `args`; `prefix` goes before it (e.g. "env -u X ").
inline command_result geosweep_command(std::string const& args, std::string const& prefix = "") {
  return shell(prefix + std::string(GEOSWEEP_BINARY) + " " + args);
}
#endif

}  // namespace geosweep::test_tools
