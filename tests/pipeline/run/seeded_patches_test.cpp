// Seeded patches and the AOI's edge buffer on whole runs of a tiny planted scene (10 m pixels,
// 0.01 ha each; the AOI is the raster's extent): `change.grow` and `change.edge_buffer_m`
// reach the detector, and the pixel counts of the kept patches follow by hand.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "pipeline/run/tiny_scenes.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;
namespace tt = geosweep::test_tools;

namespace {

std::vector<tt::tiny_date> const kDates{{"2023-07-05", true}, {"2024-07-04", false}};

/// 40 x 30 px of forest (NDVI 0.8). Monitoring look:
///  - a strip on the AOI's west edge, columns 0-2, rows 5-14: bare (0.3), a fall of 0.5;
///  - a partial cut away from the edges: a seed core, columns 20-24, rows 10-13 (20 px, fall
///    0.5), in a ring two pixels wide that fell by 0.15 (columns 18-26, rows 8-15: 72 - 20 =
///    52 px), above grow 0.5 x drop 0.25 = 0.125 and under the drop;
///  - a lone weak fall of 0.15, columns 32-36, rows 20-27 (40 px), touching no seed.
tt::tiny_scenes planted() {
  tt::tiny_scenes s;
  s.width = 40;
  s.height = 30;
  s.dates = kDates;
  s.ndvi = [](std::size_t d, int c, int r) {
    if (d == 0) return 0.8;
    if (c <= 2 && r >= 5 && r <= 14) return 0.3;
    if (c >= 20 && c <= 24 && r >= 10 && r <= 13) return 0.3;
    if (c >= 18 && c <= 26 && r >= 8 && r <= 15) return 0.65;
    if (c >= 32 && c <= 36 && r >= 20 && r <= 27) return 0.65;
    return 0.8;
  };
  return s;
}

/// Runs the scene with `grow` and `edge` (metres; empty: the default) and 0.1 ha minimum.
gp::run_result run(std::string const& name, std::string const& grow, std::string const& edge) {
  fs::path const dir =
      fs::temp_directory_path() / ("geosweep_seeded_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  std::string change =
      "change:\n  method: bitemporal\n  index: ndvi\n  drop: 0.25\n  forest_min: 0.6\n"
      "  min_area_ha: 0.1\n  grow: " +
      grow + "\n";
  if (!edge.empty()) change.append("  edge_buffer_m: ").append(edge).append("\n");
  tt::write_tiny_job(dir, planted(), change);
  auto const spec = gp::load_job_spec(dir / "job.yaml");
  auto result = gp::run_job(spec, gp::run_options{gk::backend::cpu});
  fs::remove_all(dir);
  return result;
}

/// Kept patches' pixel counts, in the order of the alerts.
std::vector<std::int64_t> pixels(gp::run_result const& r) {
  std::vector<std::int64_t> out;
  for (auto const& a : r.aois.at(0).alerts) out.push_back(a.pixels);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST(SeededPatches, TheDefaultGrowsThePartialCutAndKeepsTheEdgeStripThroughItsCore) {
  // Default edge buffer, one pixel (10 m): column 0 of the strip may not seed, columns 1-2
  // do and grow into column 0 (its fall passes the weak test): the strip stays 30 px. The
  // partial cut grows from its 20-px core into its 52-px ring: 72 px. The lone weak fall has
  // no seed: dropped.
  auto const r = run("default", "0.5", "");
  EXPECT_EQ(pixels(r), (std::vector<std::int64_t>{30, 72}));
}

TEST(SeededPatches, WithoutGrowthOnlySeedsCountAndTheEdgeColumnIsLost) {
  // Seeds only: the core's 20 px; the strip's columns 1-2 (20 px), column 0 being in the edge
  // zone.
  EXPECT_EQ(pixels(run("seeds", "0", "")), (std::vector<std::int64_t>{20, 20}));
  // Without an edge buffer the whole strip seeds: 30 px.
  EXPECT_EQ(pixels(run("seeds_no_edge", "0", "0")), (std::vector<std::int64_t>{20, 30}));
}

TEST(SeededPatches, AWideEdgeBufferKeepsSeedsOffTheWholeStrip) {
  // A buffer of 30 m: pixel centres within 30 m of the boundary, columns 0-2 (centres at 5, 15
  // and 25 m), are all edge: the strip has no seed and goes; the partial cut stays.
  EXPECT_EQ(pixels(run("wide_edge", "0.5", "30")), (std::vector<std::int64_t>{72}));
}

TEST(SeededPatches, AWeakerGrowThresholdThanTheRingsFallStopsAtTheCore) {
  // grow 0.64: 0.16 > the ring's 0.15 (planted 0.8 -> 0.65; the DNs give exactly 0.15):
  // the core alone.
  EXPECT_EQ(pixels(run("strict", "0.64", "")), (std::vector<std::int64_t>{20, 30}));
}
