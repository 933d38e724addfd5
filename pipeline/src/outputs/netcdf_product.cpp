#include "outputs/netcdf_product.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>
#include <variant>

#include "core/parallel.hpp"
#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/deflate_chunk.hpp"

#ifndef GEOSWEEP_VERSION
#define GEOSWEEP_VERSION "0.0.0"
#endif

namespace geosweep::pipeline {
namespace {

namespace k = geosweep::kernels;

template <class T>
std::vector<std::byte> bytes_of(std::vector<T> const& values) {
  std::vector<std::byte> out(values.size() * sizeof(T));
  if (!out.empty()) std::memcpy(out.data(), values.data(), out.size());
  return out;
}

/// `value` (in the variable's own terms: a float before packing) as one stored element.
std::vector<std::byte> stored_element(product::pixel_variable const& v, double value) {
  return product::with_type(v.type, [&](auto element) {
    using T = decltype(element);
    if constexpr (std::is_same_v<T, std::int16_t>) {
      return bytes_of(std::vector<T>{product::pack(static_cast<float>(value))});
    } else {
      return bytes_of(std::vector<T>{static_cast<T>(value)});
    }
  });
}

/// The fill value of `v` as one stored element (0 without one). The attribute is in the stored
/// type already, packed layers' -32768 included: it is converted, not packed.
std::vector<std::byte> stored_fill(product::pixel_variable const& v) {
  double const fill = v.attributes.fill_value.value_or(0.0);
  return product::with_type(v.type, [&](auto element) {
    using T = decltype(element);
    return bytes_of(std::vector<T>{static_cast<T>(fill)});
  });
}

/// A tile's values of `v` as stored: packed to int16 where the variable is, else as they are.
std::vector<std::byte> stored_tile(product::pixel_variable const& v,
                                   product::const_tile_values values) {
  return std::visit(
      [&](auto const* source) -> std::vector<std::byte> {
        using T = typename std::decay_t<decltype(*source)>::value_type;
        if (v.type == product::raster_type::int16) {
          if constexpr (std::is_same_v<T, float>) {
            std::vector<std::int16_t> packed(source->size());
            std::transform(source->begin(), source->end(), packed.begin(), product::pack);
            return bytes_of(packed);
          }
          throw logic_error("variable " + v.name + ": only float values are packed");
        }
        if constexpr (std::is_same_v<T, float>) {
          if (v.type == product::raster_type::int32) {  // days held as float, NaN for none
            std::vector<std::int32_t> days(source->size());
            std::transform(source->begin(), source->end(), days.begin(), [](float day) {
              return k::is_nodata(day) ? k::no_date : static_cast<std::int32_t>(day);
            });
            return bytes_of(days);
          }
        }
        if (sizeof(T) != product::element_size(v.type))
          throw logic_error("variable " + v.name + ": the tile's values are of another type");
        return bytes_of(*source);
      },
      values);
}

/// Calls f with an unsigned integer of `size` bytes (elements handled as plain bits).
template <class F>
decltype(auto) with_bits(std::size_t size, F&& f) {
  switch (size) {
    case 1:
      return f(std::uint8_t{});
    case 2:
      return f(std::uint16_t{});
    case 4:
      return f(std::uint32_t{});
    case 8:
      return f(std::uint64_t{});
    default:
      throw logic_error("change.nc has no variable of " + std::to_string(size) + "-byte elements");
  }
}

/// `values` made of `count` copies of the element `fill`.
std::vector<std::byte> filled(std::size_t count, std::vector<std::byte> const& fill) {
  std::vector<std::byte> values(count * fill.size());
  with_bits(fill.size(), [&](auto bits) {
    using U = decltype(bits);
    U element{};
    std::memcpy(&element, fill.data(), sizeof(U));
    if (element == U{}) return;  // already zero
    U* to = reinterpret_cast<U*>(values.data());
    std::fill(to, to + count, element);
  });
  return values;
}

/// Whether two chunks hold the same bytes (memcmp: std::vector<std::byte>'s == compares byte
/// by byte).
bool same_bytes(std::vector<std::byte> const& a, std::vector<std::byte> const& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size()) == 0;
}

/// The elements of `values` that are not `fill`.
std::size_t not_fill(std::vector<std::byte> const& values, std::vector<std::byte> const& fill) {
  return with_bits(fill.size(), [&](auto bits) {
    using U = decltype(bits);
    U element{};
    std::memcpy(&element, fill.data(), sizeof(U));
    U const* from = reinterpret_cast<U const*>(values.data());
    return static_cast<std::size_t>(std::count_if(from, from + values.size() / sizeof(U),
                                                  [element](U v) { return v != element; }));
  });
}

/// The DEFLATE level for a chunk with `others` elements of `count` not the fill: libdeflate's
/// level 1 is the fastest on noisy layers (the indices: 140 MB/s against level 2's 85), level 2
/// on layers that are mostly the fill (dates, magnitude: 500 MB/s against 350), at the same
/// ratio (measured on 512² chunks).
int deflate_level(std::size_t others, std::size_t count) {
  return others * 2 < count ? 2 : 1;
}

}  // namespace

int storage_chunk(int chunk) {
  if (chunk <= 1024) return chunk;
  for (int side : {1024, 512, 256, 128}) {
    if (chunk % side == 0) return side;
  }
  return 1024;  // an odd chunk size: windows straddle storage chunks (slower, still correct)
}

netcdf_product::netcdf_product(std::filesystem::path const& dir, job_spec const& spec,
                               netcdf_contents contents, int threads)
    : path_(dir / product::netcdf_file),
      contents_(std::move(contents)),
      change_index_(spec.change.index),
      variables_(product::pixel_variables(spec, contents_.indices)),
      threads_(threads > 0 ? threads : k::cpu_threads()),
      h5_(path_) {
  namespace root = product::root;
  h5_.set_root_attribute("title", "geosweep change detection: " + spec.name);
  h5_.set_root_attribute("source", "geosweep " GEOSWEEP_VERSION);
  h5_.set_root_attribute(root::version, GEOSWEEP_VERSION);
  h5_.set_root_attribute(root::job, spec.name);
  h5_.set_root_attribute(root::job_spec, spec.text);
  h5_.set_root_attribute(root::backend, contents_.backend);
  h5_.set_root_attribute(root::scenes, fmt::format("{}", fmt::join(contents_.scene_ids, "\n")));
  h5_.set_root_attribute(root::change_method, to_string(spec.change.method));
  for (auto const& v : variables_) {
    stored_.push_back({v.name, product::element_size(v.type), stored_fill(v), &v});
  }
  if (spec.outputs.series) {
    stored_.push_back({product::variable::series(change_index_), sizeof(std::int16_t),
                       bytes_of(std::vector<std::int16_t>{product::packed_fill}), nullptr});
  }
  provisional_.resize(contents_.aoi_names.size());
  for (std::size_t a = 0; a < contents_.aoi_names.size(); ++a) {
    auto const pixels = static_cast<std::int64_t>(contents_.aoi_grids[a].pixel_count());
    looks_.push_back(writes_index_looks(spec.outputs, pixels));
    create_group(a, spec);
  }
}

void netcdf_product::create_group(std::size_t aoi, job_spec const& spec) {
  namespace attribute = product::group;
  std::string const group = product::aoi_group(contents_.aoi_names[aoi]);
  h5_.add_grid(group, contents_.aoi_grids[aoi], storage_chunk(spec.processing.chunk));
  chunk_shape_.push_back(h5_.chunk_shape(group));
  patches_.emplace_back(chunk_shape_.back()[0], chunk_shape_.back()[1]);
  h5_.add_time(group, contents_.days);
  if (spec.outputs.series) {
    h5_.create_series<std::int16_t>(group, product::variable::series(change_index_),
                                    product::series_attributes(spec));
  }
  h5_.set_group_attribute(group, attribute::aoi, contents_.aoi_names[aoi]);
  h5_.set_group_attribute(group, attribute::date_before, to_iso(contents_.date_before));
  h5_.set_group_attribute(group, attribute::date_after, to_iso(contents_.date_after));
  h5_.set_group_attribute(group, attribute::baseline_period,
                          to_iso(spec.baseline.first) + "/" + to_iso(spec.baseline.last));
  h5_.set_group_attribute(group, attribute::monitor_period,
                          to_iso(spec.monitor.first) + "/" + to_iso(spec.monitor.last));
  h5_.set_group_attribute(group, attribute::change_method, to_string(spec.change.method));
  h5_.set_group_attribute(group, attribute::change_index, spec.change.index);
  for (auto const& v : variables_) {
    if (v.look_period >= 0 && !looks_[aoi]) continue;
    product::with_type(v.type, [&](auto element) {
      h5_.create_variable<decltype(element)>(group, v.name, v.attributes);
    });
  }
}

void netcdf_product::put(std::size_t aoi, std::size_t variable, int time, pixel_window const& tile,
                         std::vector<std::byte>&& values) {
  auto const& grid = contents_.aoi_grids[aoi];
  auto const [cw, ch] = chunk_shape_[aoi];
  stored_variable const& v = stored_[variable];
  std::size_t const es = v.element_size;
  GEOSWEEP_EXPECTS(values.size() == tile.pixel_count() * es, "one stored value per tile pixel");
  if (tile.empty()) return;
  // A tile that is one whole storage chunk (aligned tiles of a chunk's size): taken as it is.
  if (tile.x_offset % cw == 0 && tile.y_offset % ch == 0 && tile.width == cw && tile.height == ch) {
    chunk_key const key{aoi, variable, time, tile.y_offset / ch, tile.x_offset / cw};
    auto [it, made] = pending_.try_emplace(key);
    GEOSWEEP_EXPECTS(made, "each storage chunk is written once");
    it->second.values = std::move(values);
    it->second.filled = it->second.expected = static_cast<std::int64_t>(tile.pixel_count());
    ready_.push_back(key);
    return;
  }
  for (int cy = tile.y_offset / ch; cy <= (tile.y_offset + tile.height - 1) / ch; ++cy) {
    for (int cx = tile.x_offset / cw; cx <= (tile.x_offset + tile.width - 1) / cw; ++cx) {
      pixel_window const chunk{cx * cw, cy * ch, std::min(cw, grid.width - cx * cw),
                               std::min(ch, grid.height - cy * ch)};
      pixel_window const part = chunk.intersect(tile);
      if (part.empty()) continue;
      chunk_key const key{aoi, variable, time, cy, cx};
      auto [it, made] = pending_.try_emplace(key);
      pending_chunk& p = it->second;
      if (made) {
        p.values = filled(static_cast<std::size_t>(cw) * ch, v.fill);
        p.expected = static_cast<std::int64_t>(chunk.pixel_count());
      }
      for (int r = 0; r < part.height; ++r) {
        std::size_t const to = (static_cast<std::size_t>(part.y_offset - chunk.y_offset + r) * cw +
                                static_cast<std::size_t>(part.x_offset - chunk.x_offset)) *
                               es;
        std::size_t const from =
            (static_cast<std::size_t>(part.y_offset - tile.y_offset + r) * tile.width +
             static_cast<std::size_t>(part.x_offset - tile.x_offset)) *
            es;
        std::memcpy(p.values.data() + to, values.data() + from,
                    static_cast<std::size_t>(part.width) * es);
      }
      p.filled += static_cast<std::int64_t>(part.pixel_count());
      if (p.filled == p.expected) ready_.push_back(key);
    }
  }
}

void netcdf_product::flush_ready() {
  if (ready_.empty()) return;
  std::vector<encoded_chunk> chunks(ready_.size());
  // A chunk that equals one of another variable at the same place (the `bitemporal` method's
  // first and confirmed dates) is encoded once.
  std::vector<std::size_t> same_as(ready_.size());
  std::map<std::tuple<std::size_t, int, int, int>, std::vector<std::size_t>> at_place;
  for (std::size_t i = 0; i < ready_.size(); ++i) {
    auto const& [aoi, variable, time, cy, cx] = ready_[i];
    auto const& values = pending_.at(ready_[i]).values;
    same_as[i] = i;
    auto& earlier = at_place[{aoi, time, cy, cx}];
    for (std::size_t j : earlier) {
      if (stored_[std::get<1>(ready_[j])].element_size == stored_[variable].element_size &&
          same_bytes(pending_.at(ready_[j]).values, values)) {
        same_as[i] = j;
        break;
      }
    }
    if (same_as[i] == i) earlier.push_back(i);
  }
  parallel_for(ready_.size(), threads_, [&](std::size_t i) {
    chunks[i].key = ready_[i];
    if (same_as[i] != i) return;
    auto const& values = pending_.at(ready_[i]).values;
    stored_variable const& v = stored_[std::get<1>(ready_[i])];
    std::size_t const count = values.size() / v.element_size, others = not_fill(values, v.fill);
    if (others > 0)
      chunks[i].bytes = encode_chunk(values, v.element_size, deflate_level(others, count));
  });
  for (std::size_t i = 0; i < chunks.size(); ++i)
    if (same_as[i] != i) chunks[i].bytes = chunks[same_as[i]].bytes;
  for (auto const& key : ready_) pending_.erase(key);
  ready_.clear();
  write_encoded(chunks);
}

void netcdf_product::write_encoded(std::vector<encoded_chunk> const& chunks) {
  for (auto const& c : chunks) {
    if (c.bytes.empty()) continue;
    auto const& [aoi, variable, time, cy, cx] = c.key;
    h5_.write_chunk(product::aoi_group(contents_.aoi_names[aoi]), stored_[variable].name, cx, cy,
                    c.bytes, time);
  }
}

void netcdf_product::write(finished_chunk const& chunk) {
  auto const& out = chunk.output;
  for (std::size_t t = 0; t < out.aois.size(); ++t) {
    auto const& tile = out.aois[t];
    for (std::size_t i = 0; i < variables_.size(); ++i) {
      auto const& v = variables_[i];
      if (v.look_period >= 0 && !looks_[tile.aoi]) continue;
      if (product::in_tile(v))
        put(tile.aoi, i, -1, tile.tile, stored_tile(v, product::values_in(v, tile)));
      else
        keep_patches(tile.aoi, tile.tile, chunk.patches[t]);  // written once they are final
    }
  }
  flush_ready();
}

void netcdf_product::keep_patches(std::size_t aoi, pixel_window const& tile,
                                  std::vector<std::int32_t> const& labels) {
  auto const [cw, ch] = chunk_shape_[aoi];
  auto& chunks = provisional_[aoi];
  for (int r = 0; r < tile.height; ++r) {
    int const y = tile.y_offset + r;
    for (int c = 0; c < tile.width; ++c) {
      std::int32_t const label = labels[static_cast<std::size_t>(r) * tile.width + c];
      if (label == 0) continue;
      int const x = tile.x_offset + c;
      chunks[{y / ch, x / cw}].push_back(
          {static_cast<std::uint32_t>((y % ch) * cw + x % cw), label});
    }
  }
}

void netcdf_product::write_series(series_window const& w) {
  if (stored_.back().pixel != nullptr)
    throw logic_error("change.nc has no series (outputs.series is false)");
  std::vector<std::int16_t> packed(w.values.size());
  std::transform(w.values.begin(), w.values.end(), packed.begin(), product::pack);
  put(w.aoi, stored_.size() - 1, static_cast<int>(w.date), w.tile, bytes_of(packed));
  flush_ready();
}

void netcdf_product::finish(patch_numbering const& numbering) {
  // Tiles that did not fill a chunk (none do in a complete run): stored as they are.
  for (auto const& [key, p] : pending_) ready_.push_back(key);
  flush_ready();
  std::size_t const batch_size = static_cast<std::size_t>(std::max(16, 4 * threads_));
  for (std::size_t a = 0; a < contents_.aoi_names.size(); ++a) {
    std::vector<std::array<int, 2>> batch;  // chunks (x, y) that hold a patch, in raster order
    for (auto const& [at, entries] : provisional_[a]) {
      batch.push_back({at.second, at.first});
      if (batch.size() == batch_size) {
        renumber(a, batch, numbering);
        batch.clear();
      }
    }
    renumber(a, batch, numbering);
    provisional_[a].clear();
  }
}

void netcdf_product::renumber(std::size_t aoi, std::vector<std::array<int, 2>> const& chunks,
                              patch_numbering const& numbering) {
  std::string const group = product::aoi_group(contents_.aoi_names[aoi]);
  auto const [cw, ch] = chunk_shape_[aoi];
  std::size_t const n = static_cast<std::size_t>(cw) * ch;
  auto const index_of = [&](std::string_view name) {
    for (std::size_t i = 0; i < variables_.size(); ++i)
      if (variables_[i].name == name) return i;
    throw logic_error("change.nc has no variable " + std::string(name));
  };
  std::size_t const patch = index_of(product::variable::patch);
  std::size_t const change = index_of(product::variable::change);
  struct work {
    std::array<int, 2> at;
    std::vector<std::int32_t> labels;
    std::vector<std::pair<std::uint32_t, std::int32_t>> kept;  // (index, final number)
    bool dropped_any = false;
    std::map<std::size_t, std::vector<std::byte>> stored;  // the dropped-pixel variables
  };
  std::vector<work> items;
  for (auto const& at : chunks) items.push_back({at, {}, {}, false, {}});
  parallel_for(items.size(), threads_, [&](std::size_t i) {
    auto& w = items[i];
    w.labels.assign(n, 0);
    for (auto const& [index, provisional] : provisional_[aoi].at({w.at[1], w.at[0]})) {
      std::int32_t const final_label = numbering(aoi, provisional);
      w.dropped_any = w.dropped_any || final_label == 0;
      w.labels[index] = std::max(final_label, 0);
      if (final_label > 0) w.kept.emplace_back(index, final_label);
    }
  });
  for (auto& w : items) patches_[aoi].add(w.at[0], w.at[1], std::move(w.kept));
  // The pixels of a patch under the minimum mapping unit: changed, but in no patch now.
  for (auto& w : items) {
    if (!w.dropped_any) continue;
    for (std::size_t i = 0; i < variables_.size(); ++i)
      if (variables_[i].dropped)
        w.stored[i] = h5_.read_chunk(group, stored_[i].name, w.at[0], w.at[1]);
  }
  std::vector<encoded_chunk> out(items.size());
  std::vector<std::vector<encoded_chunk>> cleared(items.size());
  parallel_for(items.size(), threads_, [&](std::size_t i) {
    auto& w = items[i];
    auto labels = bytes_of(w.labels);
    std::size_t const others = not_fill(labels, stored_[patch].fill);
    // Nothing stored yet: a chunk of dropped patches only stays unwritten (it reads as 0).
    if (others > 0)
      out[i] = {{aoi, patch, -1, w.at[1], w.at[0]},
                encode_chunk(labels, 4, deflate_level(others, n))};
    if (!w.dropped_any) return;
    auto const decoded = [&](std::size_t v) {
      auto const& stored = w.stored.at(v);
      if (stored.empty()) return filled(n, stored_[v].fill);  // never written: the fill
      return decode_chunk(stored, stored_[v].element_size, n * stored_[v].element_size);
    };
    auto const classes = decoded(change);
    std::vector<bool> dropped(n);
    for (std::size_t j = 0; j < n; ++j) {
      auto const c = static_cast<std::uint8_t>(classes[j]);
      // Seeds only: a weaker fall (change_grown) stays as evidence, in no patch.
      dropped[j] = w.labels[j] == 0 && (c == k::change_low || c == k::change_high);
    }
    for (auto const& [v, stored] : w.stored) {
      auto values = v == change ? classes : decoded(v);
      auto const cleared_value = stored_element(variables_[v], *variables_[v].dropped);
      std::size_t const es = stored_[v].element_size;
      with_bits(es, [&](auto bits) {
        using U = decltype(bits);
        U element{};
        std::memcpy(&element, cleared_value.data(), sizeof(U));
        U* to = reinterpret_cast<U*>(values.data());
        for (std::size_t j = 0; j < n; ++j)
          if (dropped[j]) to[j] = element;
      });
      // Stored even when only the fill is left: the chunk in the file must be replaced.
      cleared[i].push_back(
          {{aoi, v, -1, w.at[1], w.at[0]},
           encode_chunk(values, es, deflate_level(not_fill(values, stored_[v].fill), n))});
    }
  });
  write_encoded(out);
  for (auto const& c : cleared) write_encoded(c);
}

std::vector<std::filesystem::path> netcdf_product::commit() {
  h5_.commit();
  return {path_};
}

}  // namespace geosweep::pipeline
