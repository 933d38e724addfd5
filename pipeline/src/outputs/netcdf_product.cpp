#include "outputs/netcdf_product.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <variant>

#include "geosweep/kernels/change.hpp"

#ifndef GEOSWEEP_VERSION
#define GEOSWEEP_VERSION "0.0.0"
#endif

namespace geosweep::pipeline {
namespace {

namespace k = geosweep::kernels;

/// A window of a whole variable of a tile's type, read back.
template <class T>
std::vector<T> read(hdf5_writer& h5, std::string const& group, std::string const& name,
                    pixel_window const& tile) {
  std::vector<T> values(tile.pixel_count());
  h5.read_window<T>(group, name, tile, values);
  return values;
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
                               netcdf_contents contents)
    : path_(dir / product::netcdf_file),
      contents_(std::move(contents)),
      change_index_(spec.change.index),
      variables_(product::pixel_variables(spec, contents_.indices)),
      h5_(path_),
      tiles_(contents_.aoi_names.size()) {
  namespace root = product::root;
  h5_.set_root_attribute("title", "geosweep change detection: " + spec.name);
  h5_.set_root_attribute("source", "geosweep " GEOSWEEP_VERSION);
  h5_.set_root_attribute(root::version, GEOSWEEP_VERSION);
  h5_.set_root_attribute(root::job, spec.name);
  h5_.set_root_attribute(root::job_spec, spec.text);
  h5_.set_root_attribute(root::backend, contents_.backend);
  h5_.set_root_attribute(root::scenes, fmt::format("{}", fmt::join(contents_.scene_ids, "\n")));
  h5_.set_root_attribute(root::change_method, to_string(spec.change.method));
  for (std::size_t a = 0; a < contents_.aoi_names.size(); ++a) create_group(a, spec);
}

void netcdf_product::create_group(std::size_t aoi, job_spec const& spec) {
  namespace attribute = product::group;
  std::string const group = product::aoi_group(contents_.aoi_names[aoi]);
  h5_.add_grid(group, contents_.aoi_grids[aoi], storage_chunk(spec.processing.chunk));
  h5_.add_time(group, contents_.days);
  h5_.create_series<float>(group, product::variable::series(change_index_),
                           product::series_attributes(spec));
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
    product::with_type(v.type, [&](auto element) {
      h5_.create_variable<decltype(element)>(group, v.name, v.attributes);
    });
  }
}

void netcdf_product::write(finished_chunk const& chunk) {
  auto const& out = chunk.output;
  for (std::size_t t = 0; t < out.aois.size(); ++t) {
    auto const& tile = out.aois[t];
    std::string const group = product::aoi_group(contents_.aoi_names[tile.aoi]);
    for (auto const& v : variables_) {
      if (!product::in_tile(v)) {  // the patch numbers
        h5_.write_window<std::int32_t>(group, v.name, tile.tile, chunk.patches[t]);
        continue;
      }
      std::visit(
          [&](auto const* values) {
            using T = typename std::decay_t<decltype(*values)>::value_type;
            h5_.write_window<T>(group, v.name, tile.tile, *values);
          },
          product::values_in(v, tile));
    }
    tiles_[tile.aoi].push_back(tile.tile);
  }
}

void netcdf_product::write_series(series_window const& w) {
  h5_.write_series_window<float>(product::aoi_group(contents_.aoi_names[w.aoi]),
                                 product::variable::series(change_index_), static_cast<int>(w.date),
                                 w.tile, w.values);
}

void netcdf_product::finish(patch_numbering const& numbering) {
  for (std::size_t a = 0; a < tiles_.size(); ++a)
    for (auto const& tile : tiles_[a]) renumber(a, tile, numbering);
}

void netcdf_product::renumber(std::size_t aoi, pixel_window const& tile,
                              patch_numbering const& numbering) {
  std::string const group = product::aoi_group(contents_.aoi_names[aoi]);
  std::string const patch(product::variable::patch);
  auto labels = read<std::int32_t>(h5_, group, patch, tile);
  bool dropped_any = false;
  for (auto& label : labels) {
    std::int32_t const final_label = numbering(aoi, label);
    dropped_any = dropped_any || (label != 0 && final_label == 0);
    label = final_label;
  }
  h5_.write_window<std::int32_t>(group, patch, tile, labels);
  if (!dropped_any) return;
  // The pixels of a patch under the minimum mapping unit: changed, but in no patch now.
  auto const change = read<std::uint8_t>(h5_, group, std::string(product::variable::change), tile);
  std::vector<bool> dropped(labels.size());
  for (std::size_t i = 0; i < labels.size(); ++i)
    dropped[i] = labels[i] == 0 && (change[i] == k::change_low || change[i] == k::change_high);
  for (auto const& v : variables_) {
    if (!v.dropped) continue;
    product::with_type(v.type, [&](auto element) {
      using T = decltype(element);
      // The change classes were read above: not read twice.
      auto values = [&] {
        if constexpr (std::is_same_v<T, std::uint8_t>) {
          if (v.name == product::variable::change) return change;
        }
        return read<T>(h5_, group, v.name, tile);
      }();
      for (std::size_t i = 0; i < values.size(); ++i)
        if (dropped[i]) values[i] = static_cast<T>(*v.dropped);
      h5_.write_window<T>(group, v.name, tile, values);
    });
  }
}

std::vector<std::filesystem::path> netcdf_product::commit() {
  h5_.commit();
  return {path_};
}

}  // namespace geosweep::pipeline
