#pragma once
/// \file
/// The streaming loader: for each chunk of the analysis grid, the scenes of each date are read
/// by a pool of reader threads (one GDAL dataset per file per thread), warped onto the chunk,
/// cloud-masked, turned into reflectance and mosaicked (several tiles on one date), into a
/// ring of slots. Each slot owns pinned host buffers, resident (device) buffers, a copy stream
/// and an event: the reader that filled a slot queues its upload on the slot's stream, so the
/// copy of one date overlaps the computation of the previous one. The caller consumes chunk
/// after chunk, date after date, in order, while the readers work ahead by at most `slots`
/// observations: memory is bounded by slots x bands x chunk pixels whatever the region size.
/// The CPU backend runs the same scheduler; its "uploads" are host copies.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "catalog/scene_catalog.hpp"
#include "geosweep/kernels/stream.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "grid/analysis_grid.hpp"

namespace geosweep::pipeline {

/// The scenes of one acquisition date.
struct date_group {
  civil_date date;
  bool monitor = false;              ///< in the monitoring period (else the baseline)
  std::vector<scene const*> scenes;  ///< several tiles of one date are mosaicked
};

/// Groups the catalog by date, baseline first, in date order.
std::vector<date_group> group_by_date(scene_catalog const& catalog);

/// One date's clear reflectance over one chunk: for each band, NaN where no scene of the date
/// has a clear, covered pixel; where several do, the last in catalog order. The arrays are
/// resident where the job's kernels run (device memory on the CUDA backend) and hold the data
/// once `ready` has passed: make the computing stream wait for it, and synchronise that stream
/// before returning from the consumer (the slot is reused afterwards).
struct chunk_observation {
  std::size_t chunk = 0;
  std::size_t date = 0;    ///< index into the date groups
  std::size_t pixels = 0;  ///< pixels of the chunk, the length of each array
  std::map<std::string, float const*> reflectance;
  kernels::event const* ready = nullptr;
  std::int64_t bytes_read = 0;
};

/// Counters of a finished stream.
struct stream_totals {
  std::int64_t observations = 0;
  std::int64_t bytes_read = 0;
};

/// The chunks a stream covers, in order: the index (into the run's chunks) of its j-th chunk,
/// or nothing past the last. Called with j = 0, 1, 2... (each j possibly several times, never
/// concurrently); the same j must give the same answer. A static share answers from a list; a
/// shared queue claims the next unclaimed chunk the first time it sees j.
using chunk_source = std::function<std::optional<std::size_t>(std::size_t j)>;

/// Streams every (chunk, date) of the chunks `source` names, chunk by chunk and date by date,
/// to `consume` on the calling thread, with slot buffers on backend `where`. `chunks` are all
/// the run's chunks. Reader errors are rethrown there.
stream_totals stream_observations(job_spec const& spec, kernels::backend where,
                                  raster_grid const& grid, std::vector<grid_chunk> const& chunks,
                                  chunk_source const& source, std::vector<date_group> const& dates,
                                  std::vector<std::string> const& bands,
                                  std::function<void(chunk_observation&)> const& consume);

}  // namespace geosweep::pipeline
