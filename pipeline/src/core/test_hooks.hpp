#pragma once
/// \file
/// Hooks for the crash tests: GEOSWEEP_CRASH_AT=<point> makes the process kill itself with
/// SIGKILL when it reaches `point` (docs/monitoring.md and docs/cluster.md list the points).
/// Unset, a crash point costs one comparison.

#include <string>

namespace geosweep::pipeline {

void crash_point(std::string const& point);

}  // namespace geosweep::pipeline
