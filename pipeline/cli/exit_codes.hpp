#pragma once
// The exit codes of the geosweep command (documented in README.md and docs/monitoring.md).

namespace geosweep::cli {

enum exit_code : int {
  exit_ok = 0,
  exit_internal = 1,
  exit_usage = 2,
  exit_config = 3,
  exit_io = 4,
  exit_cuda = 5,
  exit_delivery_pending = 6,  ///< monitor: the run is committed, some notifications wait
  exit_verify_mismatch = 7,   ///< verify: a file differs from manifest.json or is missing
};

}  // namespace geosweep::cli
