#include "run/chunk_applier.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <memory>
#include <variant>

#include "core/atomic_file.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/error.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {
namespace {

namespace k = geosweep::kernels;

}  // namespace

chunk_applier::chunk_applier(job_spec const& spec, run_plan& plan, kernels::backend backend)
    : spec_(spec),
      plan_(plan),
      backend_(backend),
      device_(k::current_cuda_device()),
      variables_(product::pixel_variables(spec, plan.indices)),
      writes_(static_cast<std::size_t>(std::max(2, spec.processing.slots))) {}

void chunk_applier::open(continuation const* resume) {
  if (auto const n = remove_orphaned_temporaries(spec_.outputs.dir); n > 0)
    spdlog::warn("removed {} temporary file(s) an interrupted run left in {}", n,
                 spec_.outputs.dir.string());
  if (resume != nullptr) {
    state_ = std::make_unique<state_output>(resume->state_out, resume->state_attributes);
    writers_.push_back(state_.get());
  }
  if (std::find(plan_.cog_aois.begin(), plan_.cog_aois.end(), true) != plan_.cog_aois.end()) {
    std::vector<std::pair<std::string, raster_grid>> grids;
    for (auto const& a : plan_.aois) grids.emplace_back(a.shape.name(), a.grid);
    cog_provenance about;  // the job, and the dates and scenes of each period this run read
    about.job = spec_.name;
    for (auto const& g : plan_.dates) {
      auto& period = about.periods[g.monitor ? 1 : 0];
      period.dates.push_back(to_iso(g.date));
      for (auto const* s : g.scenes) period.scenes.push_back(s->id);
    }
    cogs_ = std::make_unique<cog_exporter>(spec_.outputs.dir, grids, spec_.change.index,
                                           plan_.composites, plan_.cog_aois, about);
    writers_.push_back(cogs_.get());
  }
  if (!spec_.outputs.hdf5) return;
  netcdf_contents contents;
  contents.indices = plan_.indices;
  for (auto const& a : plan_.aois) {
    contents.aoi_names.push_back(a.shape.name());
    contents.aoi_grids.push_back(a.grid);
  }
  for (auto const& g : plan_.dates) {
    contents.days.push_back(days_since_epoch(g.date));
    for (auto const* s : g.scenes) contents.scene_ids.push_back(s->id);
  }
  contents.date_before = plan_.date_before;
  contents.date_after = plan_.date_after;
  contents.backend = k::to_string(backend_);
  netcdf_ = std::make_unique<netcdf_product>(spec_.outputs.dir, spec_, std::move(contents));
  writers_.push_back(netcdf_.get());
}

void chunk_applier::add_areas(aoi_tile_output const& t) {
  aoi_work& aoi = plan_.aois[t.aoi];
  for (int r = 0; r < t.tile.height; ++r) {
    double const area = aoi.row_areas[static_cast<std::size_t>(r + t.tile.y_offset)];
    std::uint8_t const* row = t.change.data() + static_cast<std::size_t>(r) * t.tile.width;
    std::int64_t inside = 0, clear = 0, no_model = 0;  // per row, then weighed by its area
    for (int c = 0; c < t.tile.width; ++c) {
      inside += row[c] != k::change_outside_aoi ? 1 : 0;
      clear += k::is_observed_class(row[c]) ? 1 : 0;
      no_model += row[c] == k::change_no_model ? 1 : 0;
    }
    aoi.inside_pixels += inside;
    aoi.clear_pixels += clear;
    aoi.clear_m2 += static_cast<double>(clear) * area;
    aoi.no_model_m2 += static_cast<double>(no_model) * area;
  }
  aoi.clear_m2_by_date.resize(plan_.dates.size(), 0.0);
  for (std::size_t d = 0; d < plan_.dates.size(); ++d) aoi.clear_m2_by_date[d] += t.clear_m2[d];
  aoi.inside_m2 += t.inside_m2;
  aoi.forest_m2 += t.forest_m2;
}

void chunk_applier::apply(chunk_output&& out) {
  // Stitching, summing and writing happen on the writer thread, in chunk order, while this
  // thread computes the next chunks.
  auto finished = std::make_shared<finished_chunk>();
  finished->output = std::move(out);
  auto series = std::make_shared<std::vector<series_window>>(std::move(chunk_series_));
  chunk_series_.clear();
  writes_.push([this, finished, series] {
    if (backend_ == k::backend::cuda) k::use_cuda_device(device_);  // the labelling kernels'
    chunk_output& out = finished->output;
    grid_chunk const& chunk = plan_.chunks[out.chunk];
    finished->window = chunk.window;
    for (auto& t : out.aois) {
      auto& stitcher = *plan_.aois[t.aoi].stitcher;
      finished->patches.push_back(stitcher.add_tile(t.tile, chunk.column, chunk.row, t.change,
                                                    t.first_date, t.confirmed_date, t.magnitude,
                                                    backend_));
      clear_closed_small(t, finished->patches.back(), stitcher);
      add_areas(t);
      add_series(t, finished->patches.back(), *series);
      add_causes(t, finished->patches.back());
    }
    for (auto* w : writers_) w->write(*finished);
  });
}

void chunk_applier::clear_closed_small(aoi_tile_output& t, std::vector<std::int32_t>& patches,
                                       patch_stitcher const& stitcher) const {
  std::int32_t last = 0;
  bool drop = false;
  for (std::size_t i = 0; i < patches.size(); ++i) {
    if (patches[i] == 0) continue;
    if (patches[i] != last) {
      last = patches[i];
      drop = stitcher.closed_and_dropped(last, t.tile, spec_.change.min_area_ha);
    }
    if (!drop) continue;
    patches[i] = 0;
    if (t.change[i] == k::change_grown) continue;  // a weaker fall stays as evidence
    for (auto const& v : variables_) {  // as netcdf_product::finish() clears a dropped patch
      if (!v.dropped || !product::in_tile(v)) continue;
      std::visit(
          [&](auto* values) {
            using T = typename std::decay_t<decltype(*values)>::value_type;
            if (i < values->size()) (*values)[i] = static_cast<T>(*v.dropped);
          },
          product::values_of(v, t));
    }
  }
}

void chunk_applier::add_series(aoi_tile_output const& t, std::vector<std::int32_t> const& patches,
                               std::vector<series_window> const& windows) {
  aoi_work& aoi = plan_.aois[t.aoi];
  // The patches' pixels, once; then each date's values at them.
  std::vector<std::uint32_t> in_patch;
  for (std::size_t i = 0; i < patches.size(); ++i)
    if (patches[i] != 0) in_patch.push_back(static_cast<std::uint32_t>(i));
  for (auto const& w : windows) {
    if (w.aoi != t.aoi) continue;
    GEOSWEEP_EXPECTS(w.values.size() == patches.size(), "a series window over the tile");
    // Four partial sums (sum[j] of the values at i = j mod 4), so that the additions do not
    // wait on each other; written as blocks of four, which the compiler vectorizes.
    std::array<double, 4> sum{};
    std::array<std::int64_t, 4> clear{};
    float const* values = w.values.data();
    std::size_t const n = w.values.size();
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
      for (std::size_t j = 0; j < 4; ++j) {
        float const v = values[i + j];
        bool const ok = !k::is_nodata(v);  // cloudy, or outside the AOI
        sum[j] += ok ? static_cast<double>(v) : 0.0;
        clear[j] += ok ? 1 : 0;
      }
    }
    for (std::size_t j = 0; i < n; ++i, ++j) {
      float const v = values[i];
      bool const ok = !k::is_nodata(v);
      sum[j] += ok ? static_cast<double>(v) : 0.0;
      clear[j] += ok ? 1 : 0;
    }
    std::int64_t const clear_all = clear[0] + clear[1] + clear[2] + clear[3];
    if (clear_all > 0) aoi.series.add(w.date, (sum[0] + sum[1]) + (sum[2] + sum[3]), clear_all);
    std::int32_t last = 0;
    series_sums* sums = nullptr;
    for (auto const i : in_patch) {
      float const v = w.values[i];
      if (k::is_nodata(v)) continue;
      if (sums == nullptr || patches[i] != last) {
        last = patches[i];
        sums = &aoi.series_by_patch[last];
      }
      sums->add(w.date, v);
    }
  }
}

void chunk_applier::add_causes(aoi_tile_output const& t, std::vector<std::int32_t> const& patches) {
  if (t.cause.empty()) return;  // no change.causes
  GEOSWEEP_EXPECTS(t.cause.size() == patches.size(), "a cause layer over the tile");
  auto& tallies = plan_.aois[t.aoi].causes_by_patch;
  std::int32_t last = 0;
  cause_tally* tally = nullptr;
  for (std::size_t i = 0; i < patches.size(); ++i) {
    if (patches[i] == 0) continue;
    if (tally == nullptr || patches[i] != last) {
      last = patches[i];
      tally = &tallies[last];
    }
    tally->add(t.cause[i]);
  }
}

void chunk_applier::series(series_window&& w) {
  if (netcdf_ && spec_.outputs.series) {
    auto const shared = std::make_shared<series_window>(w);
    writes_.push([this, shared] { netcdf_->write_series(*shared); });
  }
  chunk_series_.push_back(std::move(w));
}

void chunk_applier::drain() {
  writes_.drain();
}

}  // namespace geosweep::pipeline
