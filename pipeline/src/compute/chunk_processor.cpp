#include "compute/chunk_processor.hpp"

#include "compute/detector_results.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <memory>

#include "compute/spectral_index.hpp"
#include "core/test_hooks.hpp"
#include "geosweep/kernels/cause.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/error.hpp"
#include "geosweep/kernels/stream.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

namespace k = geosweep::kernels;

/// Queues the index from its bands' resident reflectances (NaN where not clear) into `out`.
void compute_index(k::stream const& s, spectral_index const& index, std::size_t n,
                   std::map<std::string, float const*> const& reflectance, float* out) {
  k::spectral_index_op const op{index.kind};
  auto const band = [&](std::size_t i) { return reflectance.at(index.bands[i]); };
  switch (index.bands.size()) {
    case 2:
      // The same values as `op`; one loop without the switch over index kinds (it vectorizes).
      if (k::is_normalized_difference(index.kind))
        k::transform_pixels(s, n, k::normalized_difference_op{}, out, band(0), band(1));
      else
        k::transform_pixels(s, n, op, out, band(0), band(1));
      return;
    case 3:
      k::transform_pixels(s, n, op, out, band(0), band(1), band(2));
      return;
    case 4:
      k::transform_pixels(s, n, op, out, band(0), band(1), band(2), band(3));
      return;
    default:
      throw logic_error("index " + index.name + " has an unsupported band count");
  }
}

/// The working state of the chunk being carried through the dates. The per-pixel state stays
/// resident where the kernels run (device memory on the CUDA backend) from the chunk's first
/// date to its last; per date only the change index comes back, for the tables and the series.
struct chunk_state {
  chunk_state(k::backend where, std::size_t capacity)
      : stream(where),
        index(stream, capacity),
        index_host(where, capacity),
        look(stream, capacity) {}
  k::stream stream;  // first: the arrays below are freed in its order
  std::size_t chunk = std::numeric_limits<std::size_t>::max();
  std::unique_ptr<change_detector> detector;
  std::map<std::string, k::device_array<float>> composite[2];  // latest clear look per period
  std::map<std::string, k::device_array<float>> colour[2];     // latest clear colour bands
  std::map<std::string, k::device_array<float>> look_day[2];   // their days (look_date_name)
  std::map<std::string, k::device_array<float>> evidence[2];   // the causes' evidence layers
  std::map<std::size_t, std::vector<std::uint8_t>> inside;     // AOI masks over the chunk
  std::map<std::size_t, k::device_array<std::uint8_t>> inside_resident;
  std::map<std::size_t, std::vector<double>> clear_m2;  // per AOI, by date
  std::map<std::size_t, double> inside_m2;              // per AOI
  k::device_array<float> index;                         // one index of the current date
  k::pinned_array<float> index_host;  // the change index of the current date, on the host
  k::device_array<float> look;        // the date where every colour band is clear, else NaN
};

/// Continues a chunk from the previous monitoring run: its detector state and composites.
void restore_chunk(state_reader const& in, std::size_t chunk, pixel_window const& window,
                   chunk_state& state) {
  state.detector->restore(in, chunk, window);
  std::vector<float> values;
  for (int period = 0; period < 2; ++period) {
    for (auto* arrays : {&state.composite[period], &state.colour[period]}) {
      for (auto& [name, resident] : *arrays) {
        in.read(chunk, window, composite_name(period, name), values);
        k::copy_to_device(state.stream, resident, values.data(), values.size());
        state.stream.synchronize();  // `values` is reused for the next one
      }
    }
    // The days of the looks and the evidence; a state saved before they were kept leaves them
    // unknown (NaN).
    for (auto* arrays : {&state.evidence[period], &state.look_day[period]}) {
      for (auto& [name, resident] : *arrays) {
        auto const key = composite_name(period, name);
        if (!in.has(chunk, key)) continue;
        in.read(chunk, window, key, values);
        k::copy_to_device(state.stream, resident, values.data(), values.size());
        state.stream.synchronize();
      }
    }
  }
}

/// Starts chunk `id`: fresh (or restored) state, AOI masks.
void start_chunk(chunk_context const& cx, std::size_t id, chunk_state& state) {
  grid_chunk const& chunk = (*cx.chunks)[id];
  std::size_t const n = chunk.window.pixel_count();
  k::stream const& stream = state.stream;
  state.chunk = id;
  auto const history_looks = static_cast<std::size_t>(std::count_if(
      cx.dates->begin(), cx.dates->end(), [](date_group const& d) { return !d.monitor; }));
  state.detector = make_change_detector(cx.spec->change, n, stream, history_looks);
  GEOSWEEP_EXPECTS(cx.colour.size() <= 4, "at most four colour bands (all_clear_day_op)");
  for (int period = 0; period < 2; ++period) {
    for (auto* arrays : {&state.composite[period], &state.colour[period], &state.look_day[period],
                         &state.evidence[period]})
      arrays->clear();
    auto const add = [&](std::map<std::string, k::device_array<float>>& arrays,
                         std::string const& name) {
      auto const v = arrays.emplace(name, k::device_array<float>(stream, n)).first;
      k::fill(stream, v->second, n, k::nodata_f32());
    };
    // The days of the looks only where the outputs carry them (not for the tables alone).
    bool const dated = cx.keep_look_days;
    for (auto const& name : cx.indices) {
      add(state.composite[period], name);
      if (dated) add(state.look_day[period], look_date_name(name));
    }
    for (auto const& b : cx.colour) add(state.colour[period], b);
    if (!cx.colour.empty()) add(state.look_day[period], look_date_name(std::string(colour_look)));
    if (cx.causes && cx.evidence)
      for (auto const& layer : evidence_layers()) add(state.evidence[period], layer.name);
  }
  state.inside.clear();
  state.inside_resident.clear();
  state.clear_m2.clear();
  state.inside_m2.clear();
  raster_grid const chunk_grid = sub_grid(cx.grid, chunk.window);
  for (std::size_t a : chunk.aois) {
    auto const& aoi = cx.aois[a];
    if (chunk.window.intersect(aoi.window).empty()) continue;
    // The detector reads the AOI's zones (core, edge); everything else the inside mask.
    auto const zones = aoi.shape->rasterize_zones(chunk_grid);
    auto& mask = state.inside[a];
    mask.resize(n);
    for (std::size_t i = 0; i < n; ++i) mask[i] = zones[i] != k::zone_outside ? 1 : 0;
    auto& resident =
        state.inside_resident.emplace(a, k::device_array<std::uint8_t>(stream, n)).first->second;
    k::copy_to_device(stream, resident, zones.data(), n);
    stream.synchronize();  // `zones` goes at the end of this iteration
    state.clear_m2[a].assign(cx.dates->size(), 0.0);
    state.inside_m2[a] = 0.0;
  }
  if (cx.state_in != nullptr) restore_chunk(*cx.state_in, id, chunk.window, state);
}

/// One date of the current chunk; its change index ends in state.index_host.
void observe(chunk_context const& cx, chunk_observation const& o, chunk_state& state) {
  std::size_t const n = o.pixels;
  date_group const& group = (*cx.dates)[o.date];
  int const period = group.monitor ? 1 : 0;
  k::stream const& stream = state.stream;
  // Everything of this date is queued on the chunk's stream after the slot's upload.
  stream.wait(*o.ready);
  auto const day = static_cast<float>(days_since_epoch(group.date));
  for (auto const& name : cx.indices) {
    bool const change_index = name == cx.spec->change.index;
    // On the CPU the change index goes straight into the host buffer the tables read.
    bool const direct = change_index && stream.where() == k::backend::cpu;
    float* index = direct ? state.index_host.data() : state.index.data();
    compute_index(stream, find_spectral_index(name), n, o.reflectance, index);
    auto& composite = state.composite[period].at(name);
    k::transform_pixels(stream, n, k::latest_clear_op{}, composite.data(),
                        static_cast<float const*>(composite.data()),
                        static_cast<float const*>(index));
    if (auto const it = state.look_day[period].find(look_date_name(name));
        it != state.look_day[period].end()) {
      k::transform_pixels(stream, n, k::latest_clear_date_op<float>{day}, it->second.data(),
                          static_cast<float const*>(it->second.data()),
                          static_cast<float const*>(index));
    }
    if (!change_index) continue;
    if (group.monitor)
      state.detector->observe_monitor(group.date, index);
    else
      state.detector->observe_baseline(group.date, index);
    if (!direct) k::copy_to_host(stream, state.index_host.data(), state.index, n);
  }
  if (!cx.colour.empty()) {
    // The colour composites take a pixel from this date only where every colour band is
    // clear, so that its colour is one look's and its date layer true for all its bands.
    std::array<float const*, 4> bands{};
    for (std::size_t b = 0; b < bands.size(); ++b)
      bands[b] = o.reflectance.at(cx.colour[std::min(b, cx.colour.size() - 1)]);
    float const* look = state.look.data();
    k::transform_pixels(stream, n, k::all_clear_day_op{day}, state.look.data(), bands[0], bands[1],
                        bands[2], bands[3]);
    auto& look_day = state.look_day[period].at(look_date_name(std::string(colour_look)));
    k::transform_pixels(stream, n, k::latest_clear_op{}, look_day.data(),
                        static_cast<float const*>(look_day.data()), look);
    for (auto& [band, composite] : state.colour[period]) {
      k::transform_pixels(stream, n, k::latest_where_clear_op{}, composite.data(),
                          static_cast<float const*>(composite.data()), o.reflectance.at(band),
                          look);
    }
  }
  // The evidence layers the run has the bands of; state.index is free again (the copy of the
  // change index above is queued before these kernels on the same stream).
  for (auto& [name, composite] : state.evidence[period]) {
    // Clang before 16 cannot capture a structured binding, so the lambda captures a reference.
    auto const& wanted = name;
    auto const& layer = *std::find_if(evidence_layers().begin(), evidence_layers().end(),
                                      [&](evidence_layer const& l) { return l.name == wanted; });
    float const* look = nullptr;
    if (!layer.band.empty()) {
      auto const it = o.reflectance.find(layer.band);
      if (it == o.reflectance.end()) continue;
      look = it->second;
    } else {
      auto const& index = find_spectral_index(layer.index);
      bool const read_all = std::all_of(index.bands.begin(), index.bands.end(),
                                        [&](auto const& b) { return o.reflectance.count(b) > 0; });
      if (!read_all) continue;
      compute_index(stream, index, n, o.reflectance, state.index.data());
      look = state.index.data();
    }
    k::transform_pixels(stream, n, k::latest_clear_op{}, composite.data(),
                        static_cast<float const*>(composite.data()), look);
  }
  fail_point("date-queued");  // tests: a date that fails with its kernels still queued
  // One wait per date: the change index is on the host and the slot may be reused.
  stream.synchronize();
}

/// The date's series windows and clear areas of each AOI of the chunk.
void emit_series(chunk_context const& cx, chunk_observation const& o, chunk_state& state,
                 chunk_sinks const& sinks) {
  grid_chunk const& chunk = (*cx.chunks)[state.chunk];
  float const* index = state.index_host.data();
  for (auto const& [a, mask] : state.inside) {
    auto const& aoi = cx.aois[a];
    double clear_m2 = 0.0, inside_m2 = 0.0;
    std::int64_t inside_pixels = 0;
    int const width = chunk.window.width;
    for (int r = 0; r < chunk.window.height; ++r) {
      int const aoi_row = chunk.window.y_offset + r - aoi.window.y_offset;
      if (aoi_row < 0 || aoi_row >= aoi.window.height) continue;
      double const area = (*aoi.row_areas)[static_cast<std::size_t>(aoi_row)];
      std::uint8_t const* in = mask.data() + static_cast<std::size_t>(r) * width;
      float const* look = index + static_cast<std::size_t>(r) * width;
      std::int64_t clear = 0, inside = 0;
      for (int c = 0; c < width; ++c) {
        inside += in[c];  // 0 or 1
        bool const looked = !k::is_nodata(look[c]);
        clear += ((in[c] != 0) & looked) ? 1 : 0;
      }
      clear_m2 += static_cast<double>(clear) * area;
      inside_m2 += static_cast<double>(inside) * area;
      inside_pixels += inside;
    }
    state.clear_m2.at(a)[o.date] = clear_m2;
    if (o.date == 0) state.inside_m2.at(a) = inside_m2;
    if (!sinks.series) continue;
    pixel_window const part = chunk.window.intersect(aoi.window);
    series_window w;
    w.chunk = state.chunk;
    w.aoi = a;
    w.date = o.date;
    w.tile = {part.x_offset - aoi.window.x_offset, part.y_offset - aoi.window.y_offset, part.width,
              part.height};
    w.values = crop(index, chunk.window, part);
    if (inside_pixels != static_cast<std::int64_t>(w.values.size())) {  // not all in the AOI
      auto const inside = crop(mask, chunk.window, part);
      for (std::size_t i = 0; i < w.values.size(); ++i) {
        if (inside[i] == 0) w.values[i] = k::nodata_f32();
      }
    }
    sinks.series(std::move(w));
  }
}

/// Ground area of the AOI's pixels of the chunk whose baseline index makes them forest (the
/// detector's own test, in float: baseline >= forest_min), for the flagged-share warning.
double forest_m2(chunk_context const& cx, std::size_t a, pixel_window const& window,
                 std::vector<std::uint8_t> const& mask, std::vector<float> const& baseline) {
  auto const& aoi = cx.aois[a];
  float const forest_min = static_cast<float>(cx.spec->change.forest_min);
  double m2 = 0.0;
  for (int r = 0; r < window.height; ++r) {
    int const aoi_row = window.y_offset + r - aoi.window.y_offset;
    if (aoi_row < 0 || aoi_row >= aoi.window.height) continue;
    std::int64_t forest = 0;
    for (int c = 0; c < window.width; ++c) {
      std::size_t const i = static_cast<std::size_t>(r) * window.width + c;
      forest += mask[i] != 0 && baseline[i] >= forest_min ? 1 : 0;  // NaN: no clear look
    }
    m2 += static_cast<double>(forest) * (*aoi.row_areas)[static_cast<std::size_t>(aoi_row)];
  }
  return m2;
}

/// The chunk's results after its last date.
chunk_output finish_chunk(chunk_context const& cx, chunk_state& state) {
  grid_chunk const& chunk = (*cx.chunks)[state.chunk];
  std::size_t const n = chunk.window.pixel_count();
  chunk_output out;
  out.chunk = state.chunk;
  // The composites come back to the host once per chunk, for the COGs and change.nc.
  std::map<std::string, std::vector<float>> latest[2];
  for (int period = 0; period < 2 && (cx.keep_rasters || cx.keep_state); ++period) {
    for (auto const& [name, values] : state.composite[period])
      latest[period][name] = to_host(state.stream, values, n);
    for (auto const& [band, values] : state.colour[period])
      latest[period][band] = to_host(state.stream, values, n);
    for (auto const& [name, values] : state.look_day[period])
      latest[period][name] = to_host(state.stream, values, n);
  }
  // Each pixel's cause evidence, computed where the composites are; only the classes come back.
  std::vector<std::uint8_t> evidence;
  if (cx.causes && !cx.evidence) evidence.assign(n, k::evidence_unknown);
  if (cx.causes && cx.evidence) {
    auto const layer = [&](int period, std::size_t i) {
      return static_cast<float const*>(state.evidence[period].at(evidence_layers()[i].name).data());
    };
    k::device_array<std::uint8_t> classes(state.stream, n);
    k::transform_pixels(state.stream, n, k::cause_evidence_op{}, classes.data(), layer(0, 0),
                        layer(1, 0), layer(0, 1), layer(1, 1), layer(1, 2), layer(1, 3),
                        layer(0, 4), layer(1, 4));
    evidence = to_host(state.stream, classes, n);
    for (int period = 0; period < 2 && cx.keep_state; ++period) {
      for (auto const& [name, values] : state.evidence[period])
        out.kept[composite_name(period, name)] = to_host(state.stream, values, n);
    }
  }
  if (cx.keep_state) {
    out.state = state.detector->save();
    for (int period = 0; period < 2; ++period) {
      for (auto const& [name, values] : latest[period])
        out.kept[composite_name(period, name)] = values;
    }
  }
  std::vector<std::uint8_t const*> insides;
  for (auto const& [a, mask] : state.inside) insides.push_back(state.inside_resident.at(a).data());
  auto detections =
      state.detector->finish(insides, state.composite[1].at(cx.spec->change.index).data());
  auto detection_it = detections.begin();
  std::size_t left = state.inside.size();
  // Each AOI's part of the chunk; where it is the whole chunk, the rasters are moved, not
  // copied (the composites only into the last AOI: they are shared).
  for (auto& [a, mask] : state.inside) {
    auto const& aoi = cx.aois[a];
    pixel_window const part = chunk.window.intersect(aoi.window);
    auto& detection = *detection_it++;
    bool const last = --left == 0;
    aoi_tile_output t;
    t.aoi = a;
    t.tile = {part.x_offset - aoi.window.x_offset, part.y_offset - aoi.window.y_offset, part.width,
              part.height};
    t.clear_m2 = state.clear_m2.at(a);
    t.inside_m2 = state.inside_m2.at(a);
    t.forest_m2 = forest_m2(cx, a, chunk.window, mask, detection.baseline_mean);
    t.inside = take_crop(mask, chunk.window, part);
    if (cx.causes) {
      std::vector<std::uint8_t> cause(n);
      k::transform_pixels_cpu(n, k::cause_pixel_op{}, cause.data(),
                              static_cast<std::uint8_t const*>(detection.change.data()),
                              static_cast<std::uint8_t const*>(evidence.data()));
      t.cause = take_crop(cause, chunk.window, part);
    }
    t.change = take_crop(detection.change, chunk.window, part);
    t.first_date = take_crop(detection.first_date, chunk.window, part);
    t.confirmed_date = take_crop(detection.confirmed_date, chunk.window, part);
    t.magnitude = take_crop(detection.magnitude, chunk.window, part);
    if (cx.keep_rasters) {
      t.baseline = take_crop(detection.baseline_mean, chunk.window, part);
      t.clear_count = take_crop(detection.clear_count, chunk.window, part);
      for (int period = 0; period < 2; ++period) {
        for (auto& [name, values] : latest[period])
          t.latest[period][name] =
              last ? take_crop(values, chunk.window, part) : crop(values, chunk.window, part);
      }
    }
    out.aois.push_back(std::move(t));
  }
  return out;
}

}  // namespace

void write_chunk_state(state_writer& out, std::size_t chunk, pixel_window const& window,
                       detector_state const& state,
                       std::map<std::string, std::vector<float>> const& kept) {
  state.write(out, chunk, window);
  for (auto const& [name, values] : kept) out.write(chunk, window, name, values);
}

std::string look_date_name(std::string const& composite) {
  return composite + "_date";
}

std::vector<std::string> colour_layers(std::vector<std::string> const& colour) {
  auto layers = colour;
  if (!colour.empty()) layers.push_back(look_date_name(std::string(colour_look)));
  return layers;
}

std::vector<evidence_layer> const& evidence_layers() {
  static std::vector<evidence_layer> const all{{"cause_nbr", "nbr", ""},
                                               {"cause_mndwi", "mndwi", ""},
                                               {"cause_bsi", "bsi", ""},
                                               {"cause_red", "", "red"},
                                               {"cause_swir2", "", "swir2"}};
  return all;
}

std::vector<std::string> evidence_bands() {
  std::vector<std::string> bands;
  for (auto const& layer : evidence_layers()) {
    std::vector<std::string> const reads = layer.band.empty()
                                               ? find_spectral_index(layer.index).bands
                                               : std::vector<std::string>{layer.band};
    for (auto const& b : reads)
      if (std::find(bands.begin(), bands.end(), b) == bands.end()) bands.push_back(b);
  }
  return bands;
}

std::vector<std::string> state_composites(std::vector<std::string> const& indices,
                                          std::vector<std::string> const& colour, bool causes) {
  std::vector<std::string> names;
  for (auto const& index : indices) {
    names.push_back(index);
    names.push_back(look_date_name(index));
  }
  for (auto& layer : colour_layers(colour)) names.push_back(std::move(layer));
  if (causes)
    for (auto const& layer : evidence_layers()) names.push_back(layer.name);
  return names;
}

std::string composite_name(int period, std::string const& name) {
  return std::string("composite/") + (period == 0 ? "before/" : "after/") + name;
}

stream_totals process_chunks(chunk_context const& cx, chunk_source const& source,
                             chunk_sinks const& sinks) {
  std::size_t capacity = 0;
  for (auto const& c : *cx.chunks) capacity = std::max(capacity, c.window.pixel_count());
  chunk_state state(cx.backend, capacity);
  return stream_observations(*cx.spec, cx.backend, cx.grid, *cx.chunks, source, *cx.dates, cx.bands,
                             [&](chunk_observation& o) {
                               try {
                                 if (state.chunk != o.chunk) start_chunk(cx, o.chunk, state);
                                 observe(cx, o, state);
                                 emit_series(cx, o, state, sinks);
                                 if (sinks.progress)
                                   sinks.progress(o.chunk, static_cast<std::int64_t>(o.pixels));
                                 if (o.date + 1 == cx.dates->size())
                                   sinks.chunk(finish_chunk(cx, state));
                               } catch (...) {
                                 // Work queued on the chunk's stream reads the slot's arrays
                                 // and writes index_host: both are freed while unwinding.
                                 state.stream.drain();
                                 throw;
                               }
                             });
}

}  // namespace geosweep::pipeline
