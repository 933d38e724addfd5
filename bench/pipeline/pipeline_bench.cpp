// End-to-end throughput of a job (catalog, streaming reads, indices, detector, patches,
// outputs) beside a plain GDAL read of the same chunk windows with the same reader threads:
// the ratio shows what the rest of the pipeline adds to reading. Items are pixel-dates.
#include <benchmark/benchmark.h>

#include <gdal_priv.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "catalog/scene_catalog.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "grid/analysis_grid.hpp"
#include "load/observation_stream.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

namespace {

/// A simulated 1000 x 1000 px (10 x 10 km) job with 7 dates, made once per process.
gp::job_spec const& bench_job() {
  static gp::job_spec const spec = [] {
    auto const dir =
        fs::temp_directory_path() / ("geosweep_pipeline_bench_" + std::to_string(::getpid()));
    geosweep::sim::simulation_options options;
    options.seed = 4;
    options.width = options.height = 1000;
    auto const sim = geosweep::sim::simulate_scenes(dir, options);
    auto job = gp::load_job_spec(sim.job_file);
    job.processing = {512, 2, 2};
    return job;
  }();
  return spec;
}

void bm_run_job(benchmark::State& state, bool rasters) {
  auto spec = bench_job();
  if (!rasters) {  // tables only: no change.nc, COGs or polygons
    spec.outputs.hdf5 = false;
    spec.outputs.cog = false;
    spec.outputs.alert_polygons.clear();
  }
  std::int64_t pixels = 0, bytes = 0;
  for (auto _ : state) {
    auto const result = gp::run_job(spec, gp::run_options{gk::backend::cpu, false});
    pixels += result.pixels_processed;
    bytes += result.bytes_read;
  }
  state.SetItemsProcessed(pixels);
  state.SetBytesProcessed(bytes);
}

/// The same chunk windows of the same band files, read with GDAL alone by the same number of
/// threads (one dataset per file per thread), nothing computed.
void bm_plain_gdal_read(benchmark::State& state) {
  auto const& spec = bench_job();
  // The bands the job reads: NDVI and NBR, and red, green and blue for the true-colour COGs.
  std::vector<std::string> const bands{"nir", "red", "swir2", "green", "blue"};
  auto const catalog = gp::build_catalog(spec, bands);
  auto const dates = gp::group_by_date(catalog);
  std::string const crs = gp::analysis_crs(spec, catalog, "nir");
  std::vector<gp::aoi_shape> shapes;
  for (auto const& aoi : spec.aois) shapes.emplace_back(aoi, crs);
  auto const grid = gp::make_analysis_grid(spec, catalog, "nir", crs, shapes);
  std::vector<gp::pixel_window> windows;
  for (auto const& s : shapes) windows.push_back(s.window_in(grid));
  auto const chunks = gp::plan_chunks(grid, windows, spec.processing.chunk);
  auto const first = gp::open_raster(catalog.baseline.front().bands.at("nir").path);
  double gt[6];
  first->GetGeoTransform(gt);
  int const dx = static_cast<int>(std::lround((grid.transform[0] - gt[0]) / gt[1]));
  int const dy = static_cast<int>(std::lround((grid.transform[3] - gt[3]) / gt[5]));

  std::int64_t pixels = 0, bytes = 0;
  for (auto _ : state) {
    std::atomic<std::size_t> next{0};
    std::atomic<std::int64_t> read_bytes{0};
    std::size_t const tasks = chunks.size() * dates.size();
    auto const reader = [&] {
      std::map<std::string, GDALDatasetUniquePtr> open;
      std::vector<std::uint16_t> buffer;
      for (std::size_t k; (k = next.fetch_add(1)) < tasks;) {
        auto const& w = chunks[k / dates.size()].window;
        buffer.resize(w.pixel_count());
        for (auto const* s : dates[k % dates.size()].scenes) {
          std::vector<gp::band_file> files;
          for (auto const& b : bands) files.push_back(s->bands.at(b));
          if (s->quality) files.push_back(*s->quality);
          for (auto const& f : files) {
            auto& ds = open[f.path.string()];
            if (!ds) ds = gp::open_raster(f.path);
            if (ds->GetRasterBand(1)->RasterIO(GF_Read, w.x_offset + dx, w.y_offset + dy, w.width,
                                               w.height, buffer.data(), w.width, w.height,
                                               GDT_UInt16, 0, 0) != CE_None) {
              std::abort();
            }
            read_bytes += static_cast<std::int64_t>(buffer.size() * sizeof(std::uint16_t));
          }
        }
      }
    };
    std::vector<std::thread> threads;
    for (int t = 0; t < spec.processing.readers; ++t) threads.emplace_back(reader);
    for (auto& t : threads) t.join();
    for (auto const& c : chunks)
      pixels += static_cast<std::int64_t>(c.window.pixel_count() * dates.size());
    bytes += read_bytes;
  }
  state.SetItemsProcessed(pixels);
  state.SetBytesProcessed(bytes);
}

}  // namespace

BENCHMARK_CAPTURE(bm_run_job, all_outputs, true)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK_CAPTURE(bm_run_job, tables_only, false)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->MinTime(2.0);
BENCHMARK(bm_plain_gdal_read)->Unit(benchmark::kMillisecond)->UseRealTime()->MinTime(2.0);

BENCHMARK_MAIN();
