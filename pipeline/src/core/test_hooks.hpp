#pragma once
/// \file
/// Hooks for the crash tests: GEOSWEEP_CRASH_AT=<point> makes the process kill itself with
/// SIGKILL when it reaches `point` (docs/monitoring.md and docs/cluster.md list the points).
/// GEOSWEEP_FAIL_AT=<point> makes `fail_point(point)` throw io_error instead, for tests of
/// how a run unwinds (docs/architecture.md lists the points). Unset, either costs one
/// comparison.

#include <string>

namespace geosweep::pipeline {

void crash_point(std::string const& point);
void fail_point(char const* point);

}  // namespace geosweep::pipeline
