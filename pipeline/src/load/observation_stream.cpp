#include "load/observation_stream.hpp"

#include <cpl_conv.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "catalog/sensor_profile.hpp"
#include "core/gdal_utils.hpp"
#include "core/test_hooks.hpp"
#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/hd.hpp"
#include "grid/aoi.hpp"
#include "load/reflectance_reader.hpp"
#include "load/scene_reader.hpp"

namespace geosweep::pipeline {
namespace {

/// A reader thread's open bands: one GDAL dataset per file per thread.
class dataset_cache {
 public:
  band_reader& get(band_file const& file) {
    auto const key = file.path.string() + "#" + std::to_string(file.band);
    auto it = readers_.find(key);
    if (it == readers_.end()) {
      if (readers_.size() >= 256) readers_.clear();  // bounded: reopen rather than hoard handles
      it = readers_.emplace(key, std::make_unique<band_reader>(file)).first;
    }
    return *it->second;
  }

 private:
  std::map<std::string, std::unique_ptr<band_reader>> readers_;
};

/// One ring slot: holds observation k from its read until the consumer is done with it.
struct slot {
  slot(kernels::backend where, std::vector<std::string> const& bands, std::size_t capacity)
      : copies(where), uploaded(where) {
    // On the CPU the kernels read the host buffers themselves: nothing to upload.
    bool const upload = kernels::resolve_backend(where) != kernels::backend::cpu;
    for (auto const& band : bands) {
      host.emplace(band, kernels::pinned_array<float>(where, capacity));
      if (upload) resident.emplace(band, kernels::device_array<float>(copies, capacity));
    }
  }

  /// Where the kernels read `band`: the uploaded copy, or on the CPU the host buffer.
  [[nodiscard]] float const* reflectance(std::string const& band) const {
    auto const it = resident.find(band);
    return it != resident.end() ? it->second.data() : host.at(band).data();
  }
  std::int64_t task = -1;  // the task it holds, or -1
  bool ready = false;
  bool end = false;  // the task is past the last chunk
  std::size_t chunk = 0, date = 0, pixels = 0;
  std::int64_t bytes_read = 0;
  kernels::stream copies;   // the uploads of this slot
  kernels::event uploaded;  // recorded after them
  std::map<std::string, kernels::pinned_array<float>> host;
  std::map<std::string, kernels::device_array<float>> resident;
  std::exception_ptr error;
};

/// Reads one date over one chunk into the slot's host buffers.
void read_observation(job_spec const& spec, raster_grid const& chunk_grid, date_group const& group,
                      std::vector<std::string> const& bands, quality_rule const& rule,
                      dataset_cache& cache, slot& out) {
  std::size_t const n = chunk_grid.pixel_count();
  std::vector<std::uint8_t> clear;       // empty: every pixel the scene covers is clear
  std::vector<std::uint16_t> saturated;  // the scene's per-band saturation bits, if it has them
  std::vector<std::uint8_t> band_clear;  // clear and not saturated in one band
  bool first = true;
  for (scene const* s : group.scenes) {
    // Clear = covered by the scene and clear by its quality band (when it has one).
    clear.clear();
    if (s->quality && rule.type != quality_rule::kind::none) {
      auto const qa = cache.get(*s->quality).read_onto(chunk_grid, resampling::nearest);
      out.bytes_read += static_cast<std::int64_t>(n * sizeof(std::uint16_t));
      clear.resize(n);
      for (std::size_t i = 0; i < n; ++i) {
        std::uint8_t const ok = rule.type == quality_rule::kind::classes
                                    ? rule.classes(qa.values[i])
                                    : rule.bits(qa.values[i]);
        clear[i] = static_cast<std::uint8_t>(ok & qa.covered[i]);
      }
    }
    saturated.clear();
    for (auto const& band : bands) {
      auto& reader = cache.get(s->bands.at(band));
      auto const radiometry = radiometry_of(spec.sensor, *s, band, reader);
      std::uint8_t const* band_mask = clear.empty() ? nullptr : clear.data();
      if (radiometry.saturation_bit >= 0) {
        if (saturated.empty()) {  // read once per scene, for every band
          auto const radsat = cache.get(*s->saturation).read_onto(chunk_grid, resampling::nearest);
          out.bytes_read += static_cast<std::int64_t>(n * sizeof(std::uint16_t));
          saturated.resize(n);
          for (std::size_t i = 0; i < n; ++i)
            saturated[i] = radsat.covered[i] != 0 ? radsat.values[i] : 0;
        }
        band_clear.resize(n);
        auto const bit = static_cast<unsigned>(radiometry.saturation_bit);
        for (std::size_t i = 0; i < n; ++i) {
          auto const not_saturated = static_cast<std::uint8_t>(((saturated[i] >> bit) & 1u) ^ 1u);
          band_clear[i] = static_cast<std::uint8_t>((clear.empty() ? 1 : clear[i]) & not_saturated);
        }
        band_mask = band_clear.data();
      }
      // The date's first scene sets every pixel (NaN where it has no clear look); later ones
      // fill in where they have one.
      out.bytes_read += mosaic_reflectance(reader, radiometry, chunk_grid, band_mask, first,
                                           out.host.at(band).data());
    }
    first = false;
  }
  if (first) {  // no scene: nothing clear
    for (auto const& band : bands) {
      auto& values = out.host.at(band);
      std::fill(values.data(), values.data() + n, kernels::nodata_f32());
    }
  }
}

/// The ring of slots that reader threads fill and the consumer empties, in task order. Task k
/// is date k % dates of the (k / dates)-th chunk of the source; it uses slot k % slots once
/// the consumer released task k - slots.
class slot_ring {
 public:
  slot_ring(job_spec const& spec, kernels::backend where, raster_grid const& grid,
            std::vector<grid_chunk> const& chunks, chunk_source const& source,
            std::vector<date_group> const& dates, std::vector<std::string> const& bands)
      : spec_(spec),
        where_(where),
        grid_(grid),
        chunks_(chunks),
        source_(source),
        dates_(dates),
        bands_(bands),
        rule_(quality_rule_for(spec.sensor)),
        device_(kernels::current_cuda_device()) {
    std::size_t const count = static_cast<std::size_t>(std::max(1, spec.processing.slots));
    std::size_t capacity = 0;
    for (auto const& c : chunks) capacity = std::max(capacity, c.window.pixel_count());
    for (std::size_t i = 0; i < count; ++i)
      slots_.push_back(std::make_unique<slot>(where, bands, capacity));
  }

  /// A reader thread: takes the next task, reads it into its slot, until the stream ends.
  void read() {
    // A reader that cannot start hands its error to the consumer with its first task.
    std::exception_ptr setup_error;
    try {
      // The slots' streams belong to the calling thread's device; so do this thread's copies.
      if (where_ == kernels::backend::cuda) kernels::use_cuda_device(device_);
      // Fewer readers than cores: GDAL decodes the blocks of one window on several threads
      // (GTiff's multi-threaded decoding), unless the user set GDAL_NUM_THREADS.
      if (CPLGetConfigOption("GDAL_NUM_THREADS", nullptr) == nullptr) {
        int const share =
            std::max(1, kernels::cpu_core_count() / std::max(1, spec_.processing.readers));
        CPLSetThreadLocalConfigOption("GDAL_NUM_THREADS", std::to_string(share).c_str());
      }
      fail_point("reader-start");  // tests
    } catch (...) {
      setup_error = std::current_exception();
    }
    dataset_cache cache;
    for (;;) {
      std::int64_t const k = next_task_.fetch_add(1);
      std::optional<std::size_t> chunk;
      std::exception_ptr error = setup_error;
      try {
        if (!error) chunk = chunk_of(k);
      } catch (...) {
        error = std::current_exception();
      }
      slot& s = slot_of(k);
      if (!wait_for_slot(k)) return;
      // Past the last chunk: the task tells the consumer the stream has ended.
      s.end = !chunk && !error;
      if (chunk && !error) error = fill(s, k, *chunk, cache);
      bool const last = s.end || error != nullptr;
      {
        std::lock_guard lock(mutex_);
        s.task = k;
        s.error = error;
        s.ready = true;
      }
      changed_.notify_all();
      if (last) return;  // every later task ends too
    }
  }

  /// The consumer: hands each task to `consume`, in order, until the stream ends.
  stream_totals consume(std::function<void(chunk_observation&)> const& consume) {
    stream_totals totals;
    for (std::int64_t k = 0;; ++k) {
      slot& s = slot_of(k);
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return s.ready && s.task == k; });
        if (s.error) std::rethrow_exception(s.error);
        if (s.end) break;
      }
      chunk_observation observation;
      observation.chunk = s.chunk;
      observation.date = s.date;
      observation.pixels = s.pixels;
      observation.ready = &s.uploaded;
      observation.bytes_read = s.bytes_read;
      for (auto const& band : bands_) observation.reflectance[band] = s.reflectance(band);
      totals.bytes_read += observation.bytes_read;
      ++totals.observations;
      consume(observation);
      {
        std::lock_guard lock(mutex_);
        s.ready = false;
        s.task = -1;
        released_ = k + 1;
      }
      changed_.notify_all();
    }
    return totals;
  }

  /// Stops the readers (they return at their next wait).
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    changed_.notify_all();
  }

  /// Waits for the uploads the readers queued: the slots' memory must outlive them.
  void finish_uploads() {
    for (auto& s : slots_) s->copies.drain();  // a failed device: the first error is reported
  }

 private:
  slot& slot_of(std::int64_t k) { return *slots_[static_cast<std::size_t>(k) % slots_.size()]; }

  std::optional<std::size_t> chunk_of(std::int64_t k) {
    std::lock_guard lock(source_mutex_);
    return source_(static_cast<std::size_t>(k) / dates_.size());
  }

  /// Waits until task k may use its slot; false when the stream stops.
  bool wait_for_slot(std::int64_t k) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] {
      return stop_ || released_ >= k - static_cast<std::int64_t>(slots_.size()) + 1;
    });
    return !stop_;
  }

  /// Reads task k (of chunk `chunk`) into `s` and queues its upload; the error, if any.
  std::exception_ptr fill(slot& s, std::int64_t k, std::size_t chunk, dataset_cache& cache) {
    try {
      s.chunk = chunk;
      s.date = static_cast<std::size_t>(k) % dates_.size();
      raster_grid const chunk_grid = sub_grid(grid_, chunks_[s.chunk].window);
      s.pixels = chunk_grid.pixel_count();
      s.bytes_read = 0;
      read_observation(spec_, chunk_grid, dates_[s.date], bands_, rule_, cache, s);
      // Queue the upload on the slot's own stream: it overlaps the consumer's work on the
      // previous observation. The host buffers stay untouched until the slot is released.
      for (auto& [band, resident] : s.resident)
        kernels::copy_to_device(s.copies, resident, s.host.at(band).data(), s.pixels);
      s.uploaded.record(s.copies);
      return nullptr;
    } catch (...) {
      return std::current_exception();
    }
  }

  job_spec const& spec_;
  kernels::backend where_;
  raster_grid const& grid_;
  std::vector<grid_chunk> const& chunks_;
  chunk_source const& source_;
  std::vector<date_group> const& dates_;
  std::vector<std::string> const& bands_;
  quality_rule const rule_;
  int const device_;
  std::vector<std::unique_ptr<slot>> slots_;  // fixed addresses: arrays refer to their stream
  std::mutex mutex_;
  std::condition_variable changed_;
  std::atomic<std::int64_t> next_task_{0};
  std::int64_t released_ = 0;  // tasks the consumer is done with (guarded by mutex_)
  bool stop_ = false;
  std::mutex source_mutex_;
};

}  // namespace

std::vector<date_group> group_by_date(scene_catalog const& catalog) {
  std::vector<date_group> groups;
  for (bool monitor : {false, true}) {
    for (auto const& s : monitor ? catalog.monitor : catalog.baseline) {
      if (groups.empty() || groups.back().date != s.date || groups.back().monitor != monitor) {
        groups.push_back(date_group{s.date, monitor, {}});
      }
      groups.back().scenes.push_back(&s);
    }
  }
  return groups;
}

stream_totals stream_observations(job_spec const& spec, kernels::backend where,
                                  raster_grid const& grid, std::vector<grid_chunk> const& chunks,
                                  chunk_source const& source, std::vector<date_group> const& dates,
                                  std::vector<std::string> const& bands,
                                  std::function<void(chunk_observation&)> const& consume) {
  if (dates.empty()) return {};
  slot_ring ring(spec, where, grid, chunks, source, dates, bands);
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, spec.processing.readers); ++t)
    threads.emplace_back([&ring] { ring.read(); });
  stream_totals totals;
  std::exception_ptr failure;
  try {
    totals = ring.consume(consume);
  } catch (...) {
    failure = std::current_exception();
  }
  ring.stop();
  for (auto& t : threads) t.join();
  ring.finish_uploads();
  if (failure) std::rethrow_exception(failure);
  return totals;
}

}  // namespace geosweep::pipeline
