#pragma once
/// \file
/// `geosweep monitor`: a nightly, incremental run. Only scenes no earlier run has read are
/// read; the per-pixel detector state and composites continue from the previous run's state
/// file; the alerts' lifecycle, the run's events and the deliveries they call for enter the
/// ledger (monitor_store.hpp) in one transaction; then every pending delivery is attempted.
///
/// State lives in `outputs.dir/state/`: `monitor.sqlite` and `state-<run>.h5`. A run killed at
/// any point leaves the ledger as it was before the run, and the next run redoes it: outputs
/// and state files are written under temporary names and renamed when complete, the ledger
/// commit is atomic, and files of uncommitted runs are removed at the next start.

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/notifier.hpp"

namespace geosweep::pipeline {

/// How to monitor.
struct monitor_options {
  run_options run;            ///< backend, workers...; `resume` is the monitor's own
  delivery_options delivery;  ///< backoff scale (tests), CA bundle
};

/// What one monitoring run did.
struct monitor_result {
  std::int64_t run = 0;             ///< the run committed; 0 when there was nothing new
  bool nothing_new = false;         ///< no new scene (or no monitoring date yet): nothing written
  run_result job;                   ///< the job run (empty when nothing new)
  std::vector<alert_event> events;  ///< alerts new or newly confirmed in this run
  std::int64_t withdrawn = 0;       ///< alerts no longer found
  std::filesystem::path events_csv, events_geojson;  ///< this run's events
  std::int64_t delivered = 0;  ///< deliveries that succeeded now (this run's and older)
  std::int64_t pending = 0;    ///< deliveries still pending after this run
  std::vector<std::string> delivery_errors;  ///< one line per failed delivery
  std::vector<scene_record> late;            ///< new scenes left out: dated before the last run
};

/// The monitoring state folder of a job: `outputs.dir/state`.
std::filesystem::path monitor_state_dir(job_spec const& spec);

/// Puts back what a run killed while swapping its new outputs into spec.outputs.dir had moved
/// aside (a monitor's state/ and events/), and removes its staging folder. Call before reading
/// the ledger or the state of a folder a run may have been killed in (run and monitor do).
void recover_outputs(job_spec const& spec);

/// The monitoring ledger of a job: `outputs.dir/state/monitor.sqlite`.
std::filesystem::path monitor_ledger_file(job_spec const& spec);

/// Runs one night. Throws config_error (e.g. the job's grid, AOIs or detector changed since
/// the first run), io_error or cuda_error; a failed delivery is not an error (it stays
/// pending, see monitor_result::pending).
monitor_result run_monitor(job_spec const& spec, monitor_options const& options);

/// The columns of `events/run-<n>.csv`, in order: the run, the event, then alert fields.
std::span<std::string_view const> event_table_columns();

/// The time now as "YYYY-MM-DDTHH:MM:SSZ".
std::string utc_now();

}  // namespace geosweep::pipeline
