#include "outputs/chunk_parts.hpp"

#include <algorithm>
#include <string>

#include "compute/change_detector.hpp"

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

part_writer::part_writer(std::filesystem::path path, chunk_context const& cx)
    : cx_(cx),
      variables_(product::pixel_variables(*cx.spec, cx.indices)),
      file_(std::move(path), {}, false) {}

void part_writer::write(chunk_output const& out) {
  for (auto const& t : out.aois) {
    auto const p = aoi_prefix(t.aoi);
    file_.write(out.chunk, t.tile, p + "inside", t.inside);
    // The tile's rasters (a run without rasters has only the change and its dates).
    for (auto const& v : variables_) {
      if (!product::in_tile(v)) continue;  // the patch numbers: made when the parts are applied
      std::visit(
          [&](auto const* values) {
            if (!values->empty()) file_.write(out.chunk, t.tile, p + v.name, *values);
          },
          product::values_in(v, t));
    }
    for (int period = 0; period < 2 && cx_.keep_rasters; ++period) {
      for (auto const& layer : colour_layers(cx_.colour))
        file_.write(out.chunk, t.tile, p + composite_name(period, layer),
                    t.latest[period].at(layer));
    }
    file_.write(out.chunk, row(t.clear_m2.size()), p + "clear_m2", t.clear_m2);
    file_.write(out.chunk, row(1), p + "inside_m2", std::vector<double>{t.inside_m2});
    file_.write(out.chunk, row(1), p + "forest_m2", std::vector<double>{t.forest_m2});
  }
  if (out.state) write_chunk_state(file_, out.chunk, row(out.state->size()), *out.state, out.kept);
}

void part_writer::write(series_window const& w) {
  file_.write(w.chunk, w.tile, aoi_prefix(w.aoi) + "series/" + std::to_string(w.date), w.values);
}

void part_writer::commit() {
  file_.commit();
}

part_reader::part_reader(std::filesystem::path path, chunk_context const& cx)
    : cx_(cx), variables_(product::pixel_variables(*cx.spec, cx.indices)), file_(std::move(path)) {}

chunk_output part_reader::read_chunk(std::size_t id) const {
  chunk_output out;
  out.chunk = id;
  for (auto const& [a, tile] : aoi_parts(cx_, id)) {
    aoi_tile_output t;
    t.aoi = a;
    t.tile = tile;
    auto const p = aoi_prefix(a);
    file_.read(id, tile, p + "inside", t.inside);
    for (auto const& v : variables_) {
      if (!product::in_tile(v) || !file_.has(id, p + v.name)) continue;
      std::visit([&](auto* values) { file_.read(id, t.tile, p + v.name, *values); },
                 product::values_of(v, t));
    }
    for (int period = 0; period < 2 && cx_.keep_rasters; ++period) {
      for (auto const& layer : colour_layers(cx_.colour))
        file_.read(id, tile, p + composite_name(period, layer), t.latest[period][layer]);
    }
    file_.read(id, row(cx_.dates->size()), p + "clear_m2", t.clear_m2);
    std::vector<double> inside_m2;
    file_.read(id, row(1), p + "inside_m2", inside_m2);
    t.inside_m2 = inside_m2.at(0);
    std::vector<double> forest_m2;
    file_.read(id, row(1), p + "forest_m2", forest_m2);
    t.forest_m2 = forest_m2.at(0);
    out.aois.push_back(std::move(t));
  }
  if (cx_.keep_state) {
    auto const window = row((*cx_.chunks)[id].window.pixel_count());
    out.state = read_detector_state(file_, id, window, cx_.spec->change.method);
    for (int period = 0; period < 2; ++period) {
      for (auto const& name :
           state_composites(cx_.indices, cx_.colour, cx_.causes && cx_.evidence)) {
        auto const key = composite_name(period, name);
        file_.read(id, window, key, out.kept[key]);
      }
    }
  }
  return out;
}

std::vector<series_window> part_reader::read_series(std::size_t id) const {
  std::vector<series_window> out;
  for (auto const& [a, tile] : aoi_parts(cx_, id)) {
    for (std::size_t d = 0; d < cx_.dates->size(); ++d) {
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
