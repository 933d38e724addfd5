#pragma once
// Internal to pipeline/src: per-chunk change detection over a date-ordered series of index
// rasters, one type per method of the job (baseline_detector.cpp, bitemporal_detector.cpp).
// The per-pixel state stays resident where the chunk's stream computes (device memory on the
// CUDA backend) from the first date to the last; only the results come back to the host. A
// detector's state can be saved to a state file and restored from it (monitoring keeps it from
// one night to the next, shared runs pass it through their part files); each method writes
// and reads its own datasets, so the file follows the detector.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "core/state_file.hpp"
#include "geosweep/kernels/stream.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"

namespace geosweep::pipeline {

/// Per-pixel results of one chunk for one AOI (row-major over the chunk window).
struct detection_rasters {
  std::vector<std::uint8_t> change;          ///< kernels::change_class
  std::vector<std::int32_t> first_date;      ///< day number of the first anomaly, or no_date
  std::vector<std::int32_t> confirmed_date;  ///< day number of confirmation, or no_date
  std::vector<float> magnitude;              ///< mean index drop of the anomalies, NaN without
  std::vector<std::uint16_t> clear_count;    ///< clear monitoring observations
  std::vector<float> baseline_mean;  ///< baseline index (mean, or latest clear for bitemporal)
};

/// A detector's per-pixel state of one chunk, in host memory.
class detector_state {
 public:
  virtual ~detector_state() = default;
  /// Pixels of the chunk it describes.
  [[nodiscard]] virtual std::size_t size() const = 0;
  /// Writes its datasets ("detector/...") for chunk `chunk` (window.pixel_count() == size()).
  virtual void write(state_writer& out, std::size_t chunk, pixel_window const& window) const = 0;
};

/// Folds observations of the change index date by date. Every call queues work on the stream
/// given at construction; index pointers are resident where that stream computes.
class change_detector {
 public:
  virtual ~change_detector() = default;

  /// A baseline-period observation (NaN where not clear).
  virtual void observe_baseline(civil_date date, float const* index) = 0;

  /// A monitoring-period observation (NaN where not clear).
  virtual void observe_monitor(civil_date date, float const* index) = 0;

  /// The per-pixel results for each AOI of the chunk, copied to the host (waits for the
  /// stream); `zones` are the AOIs' kernels::aoi_zone masks and `latest_monitor` the latest
  /// clear monitoring look of the index (NaN without one), resident like the index.
  [[nodiscard]] virtual std::vector<detection_rasters> finish(
      std::vector<std::uint8_t const*> const& zones, float const* latest_monitor) const = 0;

  /// The state so far, copied to the host (waits for the stream).
  [[nodiscard]] virtual std::unique_ptr<detector_state> save() const = 0;

  /// Continues from the state of chunk `chunk` that `in` holds (written by save()->write()
  /// for the same method and window; waits for the upload).
  virtual void restore(state_reader const& in, std::size_t chunk, pixel_window const& window) = 0;
};

/// The detector of `change.method` for chunks of `pixels` pixels, computing on `s`; a run
/// with `history_looks` baseline-period dates (the `bfast` method sizes its state by them).
std::unique_ptr<change_detector> make_change_detector(change_spec const& change, std::size_t pixels,
                                                      kernels::stream const& s,
                                                      std::size_t history_looks = 0);

/// The saved state of chunk `chunk` of a `method` detector, as its write() left it in `in`.
std::unique_ptr<detector_state> read_detector_state(state_reader const& in, std::size_t chunk,
                                                    pixel_window const& window,
                                                    change_method method);

// One per method (baseline_detector.cpp, bitemporal_detector.cpp, bfast_detector.cpp).
std::unique_ptr<change_detector> make_baseline_detector(change_spec const& change,
                                                        std::size_t pixels,
                                                        kernels::stream const& s);
std::unique_ptr<detector_state> read_baseline_state(state_reader const& in, std::size_t chunk,
                                                    pixel_window const& window);
std::unique_ptr<change_detector> make_bitemporal_detector(change_spec const& change,
                                                          std::size_t pixels,
                                                          kernels::stream const& s);
std::unique_ptr<detector_state> read_bitemporal_state(state_reader const& in, std::size_t chunk,
                                                      pixel_window const& window);
std::unique_ptr<change_detector> make_bfast_detector(change_spec const& change, std::size_t pixels,
                                                     kernels::stream const& s,
                                                     std::size_t history_looks);
std::unique_ptr<detector_state> read_bfast_state(state_reader const& in, std::size_t chunk,
                                                 pixel_window const& window);

}  // namespace geosweep::pipeline
