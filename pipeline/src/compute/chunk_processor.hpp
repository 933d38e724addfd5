#pragma once
// Internal to pipeline/src: carries chunks of the analysis grid through every date (the
// computing half of job_runner.cpp). For each chunk it streams the dates (observation_stream),
// computes indices, composites and the change detector on state resident on the job's backend,
// and hands out what the rest of the run needs: each date's change index over each AOI (the
// series) and, after the chunk's last date, a chunk_output. Those are plain values, so the
// same chunk can be computed by another thread or process (chunk_parts.hpp) and applied in
// chunk order by one writer, with identical results.

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "compute/change_detector.hpp"
#include "core/state_file.hpp"
#include "geosweep/kernels/backend.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "grid/analysis_grid.hpp"
#include "grid/aoi.hpp"
#include "load/observation_stream.hpp"

namespace geosweep::pipeline {

/// The `part` window of a raster laid out over `whole` (both in the same pixel space).
template <class T>
std::vector<T> crop(T const* values, pixel_window const& whole, pixel_window const& part) {
  if (part == whole) return std::vector<T>(values, values + whole.pixel_count());  // no zeroing
  std::vector<T> out(part.pixel_count());
  for (int r = 0; r < part.height; ++r) {
    auto const* from = values +
                       static_cast<std::size_t>(r + part.y_offset - whole.y_offset) * whole.width +
                       (part.x_offset - whole.x_offset);
    std::copy(from, from + part.width, out.data() + static_cast<std::size_t>(r) * part.width);
  }
  return out;
}

template <class T>
std::vector<T> crop(std::vector<T> const& values, pixel_window const& whole,
                    pixel_window const& part) {
  return crop(values.data(), whole, part);
}

/// crop(), taking `values` itself when the part is the whole (no copy); `values` is left empty
/// then.
template <class T>
std::vector<T> take_crop(std::vector<T>& values, pixel_window const& whole,
                         pixel_window const& part) {
  if (part == whole && values.size() == whole.pixel_count()) return std::move(values);
  return crop(values.data(), whole, part);
}

/// The key of the day of a composite's latest clear look ("<composite>_date"), beside the
/// composite in aoi_tile_output::latest and in state files: days since 1970-01-01 as float,
/// NaN where the period had no clear look. Each index has one; the colour bands share
/// look_date_name(colour_look) (a pixel takes every colour band from the same date).
std::string look_date_name(std::string const& composite);
inline constexpr std::string_view colour_look = "colour";

/// The colour layers a finished chunk holds beside its indices: the colour bands and, when
/// there are any, the day of their looks.
std::vector<std::string> colour_layers(std::vector<std::string> const& colour);

/// A composite the causes' evidence is read from (docs/detector.md, "Causes"): an index of
/// its bands or one band, by its name in the state ("cause_nbr"...). Each is composited in
/// both periods where the run reads its bands, and stays NaN where it does not.
struct evidence_layer {
  std::string name;
  std::string index;  ///< an index of spectral_indices(), or empty
  std::string band;   ///< or a band
};

/// The evidence layers, in the order of kernels::cause_evidence_op's inputs (nbr, mndwi, bsi,
/// red, swir2).
std::vector<evidence_layer> const& evidence_layers();

/// The bands the evidence layers read (blue, green, red, nir, swir1, swir2).
std::vector<std::string> evidence_bands();

/// Every composite of a chunk's state, by its name in aoi_tile_output::latest: each index and
/// the day of its look, then colour_layers(), then (with `causes`) the evidence layers.
std::vector<std::string> state_composites(std::vector<std::string> const& indices,
                                          std::vector<std::string> const& colour, bool causes);

/// The name of a composite (an index, or a colour band) of a period in a state file.
std::string composite_name(int period, std::string const& name);

/// Writes a chunk's detector state ("detector/...") and its composites (`kept`, by
/// composite_name) to a state file: the monitoring state and the workers' parts.
void write_chunk_state(state_writer& out, std::size_t chunk, pixel_window const& window,
                       detector_state const& state,
                       std::map<std::string, std::vector<float>> const& kept);

/// An AOI as the chunks see it.
struct aoi_layout {
  aoi_shape const* shape = nullptr;
  pixel_window window;                             ///< in the analysis grid
  std::vector<double> const* row_areas = nullptr;  ///< ground area of a pixel, by window row
};

/// What every chunk of a run shares.
struct chunk_context {
  job_spec const* spec = nullptr;
  kernels::backend backend = kernels::backend::cpu;
  raster_grid grid;
  std::vector<grid_chunk> const* chunks = nullptr;  ///< all chunks of the run
  std::vector<date_group> const* dates = nullptr;
  std::vector<std::string> bands;    ///< read
  std::vector<std::string> indices;  ///< computed (the change index among them)
  std::vector<std::string> colour;   ///< colour bands composited for the COGs
  std::vector<aoi_layout> aois;
  state_reader const* state_in = nullptr;  ///< monitoring: the previous run's state
  bool keep_state = false;                 ///< monitoring: outputs carry the chunk's state
  bool keep_rasters = true;  ///< outputs carry the composites and per-pixel results (for
                             ///< change.nc and the COGs; the tables need only the classes)
  /// Outputs carry the days of the looks (change.nc's index looks, the COGs, the state).
  bool keep_look_days = true;
  /// Each changed pixel's cause evidence (change.causes): aoi_tile_output::cause.
  bool causes = false;
  /// With `causes`: the evidence bands are read (run_plan::cause_bands), so the evidence
  /// layers are composited (and kept in the state). Without them every changed pixel's
  /// evidence is evidence_unknown, and no layer is filled or computed for it.
  bool evidence = false;
};

/// One AOI's part of a finished chunk (rasters over `tile`, in AOI-window pixels).
struct aoi_tile_output {
  std::size_t aoi = 0;
  pixel_window tile;
  std::vector<std::uint8_t> inside, change;
  std::vector<std::uint8_t> cause;  ///< kernels::cause_evidence, with chunk_context::causes
  std::vector<std::int32_t> first_date, confirmed_date;
  std::vector<float> magnitude, baseline;
  std::vector<std::uint16_t> clear_count;
  /// Indices, colour bands and the days of their looks (look_date_name).
  std::array<std::map<std::string, std::vector<float>>, 2> latest;
  std::vector<double> clear_m2;  ///< by date: ground area inside with a clear look
  double inside_m2 = 0.0;        ///< ground area inside the AOI
  double forest_m2 = 0.0;        ///< ground area inside whose baseline index is forest
};

/// A finished chunk.
struct chunk_output {
  std::size_t chunk = 0;
  std::vector<aoi_tile_output> aois;
  std::unique_ptr<detector_state> state;           ///< with chunk_context::keep_state
  std::map<std::string, std::vector<float>> kept;  ///< its composites, by composite_name()
};

/// One date's change index over one AOI's part of a chunk (NaN outside the AOI or cloudy).
struct series_window {
  std::size_t chunk = 0, aoi = 0, date = 0;
  pixel_window tile;  ///< in AOI-window pixels
  std::vector<float> values;
};

/// Where the results go (called on the calling thread, in chunk then date order).
struct chunk_sinks {
  std::function<void(series_window&&)> series;
  std::function<void(chunk_output&&)> chunk;
  std::function<void(std::size_t chunk, std::int64_t pixels)> progress;  ///< after each date
};

/// Computes the chunks `source` names (observation_stream.hpp), in its order.
stream_totals process_chunks(chunk_context const& context, chunk_source const& source,
                             chunk_sinks const& sinks);

}  // namespace geosweep::pipeline
