#pragma once
/// \file
/// Runs a validated job end to end: catalog, analysis grid, chunks streamed through every
/// date (observation_stream.hpp), indices and the change detector on the chosen backend,
/// patches stitched across chunks, HDF5 and CSV outputs written chunk by chunk.

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// The result for one AOI.
struct aoi_result {
  std::string name;
  civil_date date_before;           ///< last baseline scene date
  civil_date date_after;            ///< last monitoring scene date
  std::int64_t aoi_pixels = 0;      ///< pixels inside the AOI
  std::int64_t clear_pixels = 0;    ///< inside and clear in both periods
  std::int64_t changed_pixels = 0;  ///< in patches at or above the minimum mapping unit
  double clear_area_ha = 0.0;
  double changed_area_ha = 0.0;
  double no_model_area_ha = 0.0;  ///< bfast: inside, without a model (change_no_model)
  std::vector<alert> alerts;      ///< in raster order of their first pixel: alert k is patch k + 1
  std::optional<std::array<double, 2>> changed_centroid_lat_lon;  ///< absent without change
  double forest_area_ha = 0.0;  ///< inside, with a baseline index at or above forest_min
  /// Sanity warnings (docs/detector.md), as areas.csv's `warnings` codes: "flagged_share=0.884",
  /// "season_gap_days=160"; empty when none.
  std::vector<std::string> warnings;
};

/// One acquisition date of a run: its scenes and each AOI's clear area.
struct date_summary {
  civil_date date;
  bool monitor = false;
  std::int64_t scenes = 0;
  std::map<std::string, double> clear_m2;  ///< by AOI name: area inside with a clear look
};

/// A scene a run read, or left out because it arrived after a later date was read.
struct scene_record {
  std::string id;
  civil_date date;
  bool monitor = false;
};

/// What a run did and wrote.
struct run_result {
  std::vector<aoi_result> aois;
  std::optional<std::filesystem::path> hdf5_file;
  std::optional<std::filesystem::path> csv_file;
  std::optional<std::filesystem::path> alerts_file;
  std::optional<std::filesystem::path> series_file;     ///< series.csv
  std::optional<std::filesystem::path> landcover_file;  ///< landcover.csv (job spec `landcover`)
  std::optional<std::filesystem::path> network_file;    ///< networks.csv (`aois[].network`)
  std::vector<std::filesystem::path> polygon_files;     ///< alerts.gpkg, alerts.geojson
  std::vector<std::filesystem::path> cog_files;         ///< cog/<aoi>/*.tif
  kernels::backend backend = kernels::backend::cpu;
  std::size_t scenes_used = 0;
  std::int64_t pixels_processed = 0;  ///< chunk pixels times dates (pixel-dates)
  std::int64_t bytes_read = 0;        ///< decoded band bytes (16-bit values on the grid)
  /// Remote scenes: the HTTP requests GDAL made while the run read them, and the bytes it
  /// downloaded (this process's; 0 for local scenes).
  std::int64_t http_requests = 0, http_bytes = 0;
  /// With scenes.cache: the bytes of remote files served from the cache folder instead of
  /// fetched, and the cached files found changed remotely (their old bytes dropped).
  std::int64_t cache_served_bytes = 0, cache_invalidated = 0;
  std::size_t chunks = 0;
  double seconds = 0.0;
  raster_grid grid;                 ///< the analysis grid
  std::vector<date_summary> dates;  ///< the dates this run read, in order
  std::vector<scene_record> read;   ///< the scenes this run read
  /// Monitoring: new scenes dated at or before last_date. A run applies them by recomputing
  /// the whole history from the scene folder (`recomputed`), so this stays empty unless that
  /// was not possible.
  std::vector<scene_record> late;
  /// Monitoring: late scenes came in, so every scene was read again from the first date, as a
  /// one-shot run over all of them would; the state was rebuilt rather than continued.
  bool recomputed = false;
  bool nothing_new = false;  ///< monitoring: no new scene to read; nothing written
};

/// How a monitoring run continues from the previous one (geosweep monitor, monitor.hpp):
/// only scenes not read before are read, the per-pixel state goes on from the previous
/// run's state file, and the analysis grid stays the first run's.
struct continuation {
  std::optional<std::filesystem::path> state_in;        ///< the previous run's state; none at first
  std::filesystem::path state_out;                      ///< this run's state, written atomically
  std::map<std::string, std::string> state_attributes;  ///< kept in the state file
  std::optional<raster_grid> grid;                      ///< the first run's analysis grid
  std::set<std::string> known_scenes;                   ///< ids earlier runs read or left out
  std::set<std::string> read_scenes;                    ///< of those, the ones they read
  std::optional<civil_date> last_date;                  ///< latest date earlier runs read
  std::vector<date_summary> past_dates;                 ///< the dates earlier runs read
};

/// How to run.
/// This process's place among the processes of one run (MPI ranks; docs/cluster.md). The
/// job runner knows nothing of MPI: the command line fills these in.
struct rank_group {
  int rank = 0;
  int size = 1;
  /// Waits until every rank has reached this point; `ok` says whether this rank's part is
  /// complete. Returns false when any rank failed (then nobody writes outputs).
  std::function<bool(bool ok)> all_done;
  /// The sum of `value` over every rank (for the run's totals).
  std::function<std::int64_t(std::int64_t value)> sum;
  /// A counter shared by every rank (0, 1, 2... across all callers): the shared chunk queue.
  /// Callable from any thread.
  std::function<std::int64_t()> next_ticket;
};

/// How chunks are shared among workers: in turn (chunk k to worker k mod n, decided up
/// front), or from one queue each worker takes its next chunk from when it is ready.
enum class chunk_schedule { stripes, queue };
template <>
struct enum_names<chunk_schedule> {
  static constexpr std::array<std::string_view, 2> values{"stripes", "queue"};
};

/// How to run.
struct run_options {
  kernels::backend backend = kernels::backend::automatic;
  bool progress = false;  ///< a progress line on stderr (the CLI sets it on a terminal)
  continuation const* resume = nullptr;  ///< monitoring: go on from earlier runs
  /// Workers in this process sharing the chunks (threads, each with its own readers and
  /// stream); results do not depend on it.
  int workers = 1;
  /// CUDA devices, one worker each (overrides `workers`; needs the CUDA backend).
  std::vector<int> devices{};
  rank_group const* ranks = nullptr;  ///< MPI: the chunks are shared among the ranks too
  chunk_schedule schedule = chunk_schedule::queue;
};

/// Runs `spec`. Throws geosweep::config_error, io_error or cuda_error; outputs are complete
/// or absent.
run_result run_job(job_spec const& spec, run_options const& options);

}  // namespace geosweep::pipeline
