#include "outputs/chunk_parts.hpp"

#include <algorithm>
#include <string>

namespace geosweep::pipeline {
namespace {

std::string aoi_prefix(std::size_t aoi) {
  return "aoi_" + std::to_string(aoi) + "/";
}

/// Per-date and scalar arrays are stored with a one-row "window" of their length.
pixel_window row(std::size_t n) {
  return {0, 0, static_cast<int>(n), 1};
}

/// The AOI parts a chunk has, in the order process_chunks makes them.
std::vector<std::pair<std::size_t, pixel_window>> aoi_parts(chunk_context const& cx,
                                                            std::size_t id) {
  grid_chunk const& chunk = (*cx.chunks)[id];
  std::vector<std::pair<std::size_t, pixel_window>> parts;
  for (std::size_t a : chunk.aois) {
    auto const& aoi = cx.aois[a];
    pixel_window const part = chunk.window.intersect(aoi.window);
    if (part.empty()) continue;
    parts.emplace_back(
        a, pixel_window{part.x_offset - aoi.window.x_offset, part.y_offset - aoi.window.y_offset,
                        part.width, part.height});
  }
  std::sort(parts.begin(), parts.end(),
            [](auto const& x, auto const& y) { return x.first < y.first; });
  return parts;
}

}  // namespace

part_writer::part_writer(std::filesystem::path path) : file_(std::move(path), {}, false) {}

void part_writer::write(chunk_output const& out) {
  for (auto const& t : out.aois) {
    auto const p = aoi_prefix(t.aoi);
    file_.write(out.chunk, t.tile, p + "inside", t.inside);
    file_.write(out.chunk, t.tile, p + "change", t.change);
    file_.write(out.chunk, t.tile, p + "first_date", t.first_date);
    file_.write(out.chunk, t.tile, p + "confirmed_date", t.confirmed_date);
    file_.write(out.chunk, t.tile, p + "magnitude", t.magnitude);
    if (t.baseline.empty()) {  // a run without rasters (chunk_context::keep_rasters)
      file_.write(out.chunk, row(t.clear_m2.size()), p + "clear_m2", t.clear_m2);
      file_.write(out.chunk, row(1), p + "inside_m2", std::vector<double>{t.inside_m2});
      continue;
    }
    file_.write(out.chunk, t.tile, p + "baseline", t.baseline);
    file_.write(out.chunk, t.tile, p + "clear_count", t.clear_count);
    for (int period = 0; period < 2; ++period) {
      for (auto const& [name, values] : t.latest[period])
        file_.write(out.chunk, t.tile, p + composite_name(period, name), values);
    }
    file_.write(out.chunk, row(t.clear_m2.size()), p + "clear_m2", t.clear_m2);
    file_.write(out.chunk, row(1), p + "inside_m2", std::vector<double>{t.inside_m2});
  }
  if (out.state) {
    auto const n = !out.state->pixels.empty() ? out.state->pixels.size() : out.state->before.size();
    write_chunk_state(file_, out.chunk, row(n), *out.state, out.kept);
  }
}

void part_writer::write(series_window const& w) {
  file_.write(w.chunk, w.tile, aoi_prefix(w.aoi) + "series/" + std::to_string(w.date), w.values);
}

void part_writer::commit() {
  file_.commit();
}

part_reader::part_reader(std::filesystem::path path) : file_(std::move(path)) {}

chunk_output part_reader::read_chunk(chunk_context const& cx, std::size_t id) const {
  chunk_output out;
  out.chunk = id;
  for (auto const& [a, tile] : aoi_parts(cx, id)) {
    aoi_tile_output t;
    t.aoi = a;
    t.tile = tile;
    auto const p = aoi_prefix(a);
    file_.read(id, tile, p + "inside", t.inside);
    file_.read(id, tile, p + "change", t.change);
    file_.read(id, tile, p + "first_date", t.first_date);
    file_.read(id, tile, p + "confirmed_date", t.confirmed_date);
    file_.read(id, tile, p + "magnitude", t.magnitude);
    if (cx.keep_rasters) {
      file_.read(id, tile, p + "baseline", t.baseline);
      file_.read(id, tile, p + "clear_count", t.clear_count);
      for (int period = 0; period < 2; ++period) {
        for (auto const* names : {&cx.indices, &cx.colour}) {
          for (auto const& name : *names)
            file_.read(id, tile, p + composite_name(period, name), t.latest[period][name]);
        }
      }
    }
    file_.read(id, row(cx.dates->size()), p + "clear_m2", t.clear_m2);
    std::vector<double> inside_m2;
    file_.read(id, row(1), p + "inside_m2", inside_m2);
    t.inside_m2 = inside_m2.at(0);
    out.aois.push_back(std::move(t));
  }
  if (cx.keep_state) {
    auto const window = row((*cx.chunks)[id].window.pixel_count());
    out.state = read_detector_state(file_, id, window, cx.spec->change.method);
    for (int period = 0; period < 2; ++period) {
      for (auto const* names : {&cx.indices, &cx.colour}) {
        for (auto const& name : *names) {
          auto const key = composite_name(period, name);
          file_.read(id, window, key, out.kept[key]);
        }
      }
    }
  }
  return out;
}

std::vector<series_window> part_reader::read_series(chunk_context const& cx, std::size_t id) const {
  std::vector<series_window> out;
  for (auto const& [a, tile] : aoi_parts(cx, id)) {
    for (std::size_t d = 0; d < cx.dates->size(); ++d) {
      series_window w;
      w.chunk = id;
      w.aoi = a;
      w.date = d;
      w.tile = tile;
      file_.read(id, tile, aoi_prefix(a) + "series/" + std::to_string(d), w.values);
      out.push_back(std::move(w));
    }
  }
  return out;
}

}  // namespace geosweep::pipeline
