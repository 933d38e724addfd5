#include "core/test_hooks.hpp"

#include <csignal>
#include <cstdlib>
#include <cstring>

#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {

void crash_point(std::string const& point) {
  static char const* const at = std::getenv("GEOSWEEP_CRASH_AT");
  if (at != nullptr && point == at) std::raise(SIGKILL);
}

void fail_point(char const* point) {
  static char const* const at = std::getenv("GEOSWEEP_FAIL_AT");
  if (at != nullptr && std::strcmp(point, at) == 0)
    throw io_error(std::string("test failure at ") + point + " (GEOSWEEP_FAIL_AT)");
}

}  // namespace geosweep::pipeline
