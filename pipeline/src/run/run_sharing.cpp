#include "run/run_sharing.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "core/test_hooks.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/chunk_parts.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {
namespace {

/// Whether the run needs each date's change index: for series.csv (with the tables) or for
/// change.nc's series (outputs.series).
bool wants_series(job_spec const& spec) {
  return spec.outputs.csv || (spec.outputs.hdf5 && spec.outputs.series);
}

namespace fs = std::filesystem;
namespace k = geosweep::kernels;

/// Where one worker's chunks come from: in turn (chunk k to worker k mod n), or claimed from
/// the queue all workers of all ranks share when the worker gets to them.
class worker_chunks {
 public:
  worker_chunks(int worker, int workers, std::size_t chunks, bool stripes,
                std::function<std::int64_t()> next_ticket)
      : worker_(static_cast<std::size_t>(worker)),
        workers_(static_cast<std::size_t>(workers)),
        chunks_(chunks),
        stripes_(stripes),
        next_ticket_(std::move(next_ticket)) {}

  std::optional<std::size_t> operator()(std::size_t j) {
    if (stripes_) {
      std::size_t const id = worker_ + j * workers_;
      return id < chunks_ ? std::optional(id) : std::nullopt;
    }
    while (claimed_.size() <= j && !exhausted_) {
      auto const ticket = static_cast<std::size_t>(next_ticket_());
      if (ticket < chunks_)
        claimed_.push_back(ticket);
      else
        exhausted_ = true;
    }
    return j < claimed_.size() ? std::optional(claimed_[j]) : std::nullopt;
  }

 private:
  std::size_t worker_, workers_, chunks_;
  bool stripes_;
  std::function<std::int64_t()> next_ticket_;
  std::vector<std::size_t> claimed_;
  bool exhausted_ = false;
};

/// Runs this process's workers, each computing its chunks into its part file. Returns the bytes
/// read; rethrows a worker's error after every worker stopped.
std::int64_t compute_parts(chunk_context const& cx, run_sharing const& sharing,
                           run_options const& options, fs::path const& outputs,
                           progress_line& progress) {
  int const size = sharing.processes * sharing.workers;
  int const first = sharing.rank * sharing.workers;
  std::atomic<std::int64_t> local_tickets{0};
  auto const next_ticket = [&]() -> std::int64_t {
    return sharing.ranks != nullptr ? sharing.ranks->next_ticket() : local_tickets.fetch_add(1);
  };
  bool const stripes = options.schedule == chunk_schedule::stripes ||
                       (sharing.ranks != nullptr && !sharing.ranks->next_ticket);
  int const parent_device = k::current_cuda_device();
  auto const workers = static_cast<std::size_t>(sharing.workers);
  std::vector<std::exception_ptr> errors(workers);
  std::vector<stream_totals> totals(workers);
  std::vector<std::thread> threads;
  for (std::size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      try {
        // Its GPU: from --devices, else this thread's (a rank's GPU chosen by its local rank;
        // a new thread would otherwise start on device 0).
        if (!options.devices.empty())
          k::use_cuda_device(options.devices[w]);
        else if (cx.backend == k::backend::cuda)
          k::use_cuda_device(parent_device);
        // CPU kernels: the cores shared among this process's workers.
        if (cx.backend == k::backend::cpu && sharing.workers > 1)
          k::set_cpu_threads(std::max(1, k::cpu_core_count() / sharing.workers));
        int const worker = first + static_cast<int>(w);
        part_writer part(product::part_file(outputs, worker), cx);
        chunk_sinks sinks;
        if (wants_series(*cx.spec)) sinks.series = [&part](series_window&& s) { part.write(s); };
        sinks.chunk = [&part, worker](chunk_output&& c) {
          part.write(c);
          crash_point("worker-" + std::to_string(worker) + "-chunk");  // crash tests
        };
        sinks.progress = [&progress](std::size_t chunk, std::int64_t pixels) {
          progress.add(chunk, pixels);
        };
        worker_chunks const mine(worker, size, cx.chunks->size(), stripes, next_ticket);
        totals[w] = process_chunks(cx, mine, sinks);
        part.commit();
      } catch (...) {
        errors[w] = std::current_exception();
      }
    });
  }
  for (auto& t : threads) t.join();
  bool const ok = std::all_of(errors.begin(), errors.end(), [](auto const& e) { return !e; });
  bool const all_ok = sharing.ranks != nullptr ? sharing.ranks->all_done(ok) : ok;
  for (auto const& e : errors)
    if (e) std::rethrow_exception(e);
  if (!all_ok) throw io_error("another rank of this run failed; no output was written");
  std::int64_t bytes = 0;
  for (auto const& t : totals) bytes += t.bytes_read;
  return bytes;
}

/// Reads every part back and applies its chunks in chunk order.
void apply_parts(chunk_context const& cx, int parts, fs::path const& outputs,
                 chunk_applier& applier) {
  std::vector<std::unique_ptr<part_reader>> readers;
  for (int g = 0; g < parts; ++g)
    readers.push_back(std::make_unique<part_reader>(product::part_file(outputs, g), cx));
  for (std::size_t id = 0; id < cx.chunks->size(); ++id) {
    auto const owner = std::find_if(readers.begin(), readers.end(),
                                    [&](auto const& r) { return r->has_chunk(id); });
    if (owner == readers.end())
      throw logic_error("chunk " + std::to_string(id) + " is in no worker's part");
    if (wants_series(*cx.spec)) {
      for (auto& w : (*owner)->read_series(id)) applier.series(std::move(w));
    }
    applier.apply((*owner)->read_chunk(id));
  }
}

}  // namespace

run_sharing sharing_of(run_options const& options, kernels::backend backend) {
  run_sharing s;
  if (options.ranks != nullptr && options.ranks->size > 1) {
    s.ranks = options.ranks;
    s.rank = options.ranks->rank;
    s.processes = options.ranks->size;
  }
  s.workers = !options.devices.empty() ? static_cast<int>(options.devices.size())
                                       : std::max(1, options.workers);
  if (!options.devices.empty() && backend != k::backend::cuda)
    throw config_error("--devices needs the CUDA backend (--backend cuda or auto with a GPU)");
  int const present = options.devices.empty() ? 0 : k::cuda_device_count();
  for (int d : options.devices) {
    if (d < 0 || d >= present) {
      throw config_error("--devices: CUDA device " + std::to_string(d) + " does not exist (" +
                         std::to_string(present) + " found, numbered from 0)");
    }
  }
  return s;
}

execution_totals execute_alone(chunk_context const& cx, continuation const* resume,
                               chunk_applier& applier, progress_line& progress) {
  chunk_source const all = [&](std::size_t j) {
    return j < cx.chunks->size() ? std::optional<std::size_t>(j) : std::nullopt;
  };
  applier.open(resume);
  chunk_sinks sinks;
  if (wants_series(*cx.spec))
    sinks.series = [&](series_window&& w) { applier.series(std::move(w)); };
  sinks.chunk = [&](chunk_output&& out) { applier.apply(std::move(out)); };
  sinks.progress = [&](std::size_t chunk, std::int64_t pixels) { progress.add(chunk, pixels); };
  auto const totals = process_chunks(cx, all, sinks);
  return {totals.bytes_read, progress.pixels()};
}

execution_totals execute_shared(chunk_context const& cx, run_sharing const& sharing,
                                run_options const& options, fs::path const& outputs,
                                continuation const* resume, chunk_applier& applier,
                                progress_line& progress) {
  fs::create_directories(outputs / product::parts_dir);
  execution_totals totals;
  totals.bytes_read = compute_parts(cx, sharing, options, outputs, progress);
  totals.pixels = progress.pixels();
  if (sharing.ranks != nullptr) {
    totals.bytes_read = sharing.ranks->sum(totals.bytes_read);
    totals.pixels = sharing.ranks->sum(totals.pixels);
  }
  if (!sharing.writes()) return totals;  // the writing process applies every part
  applier.open(resume);
  apply_parts(cx, sharing.processes * sharing.workers, outputs, applier);
  return totals;
}

}  // namespace geosweep::pipeline
