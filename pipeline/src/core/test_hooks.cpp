#include "core/test_hooks.hpp"

#include <csignal>
#include <cstdlib>

namespace geosweep::pipeline {

void crash_point(std::string const& point) {
  static char const* const at = std::getenv("GEOSWEEP_CRASH_AT");
  if (at != nullptr && point == at) std::raise(SIGKILL);
}

}  // namespace geosweep::pipeline
