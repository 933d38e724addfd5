// The minimum mapping unit on whole runs: patches of exact pixel counts planted below, on and
// above `change.min_area_ha` in a tiny scene of 10 m pixels (0.01 ha each), so the boundary
// falls on a pixel count: 49 px (0.49 ha) is dropped at 0.5 ha, 50 px (0.5 ha) is kept. The
// alerts.csv rows, areas.csv's total and the change raster of change.nc are checked against
// the planted pixel counts; with 16-px chunks the patches also cross chunk edges, where
// patches are closed and measured tile by tile.
#include <fmt/format.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "pipeline/run/tiny_scenes.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;
namespace tt = geosweep::test_tools;

namespace {

// A rectangle of changed pixels: columns [c0, c1], rows [r0, r1].
struct box {
  int c0, r0, c1, r1;
  [[nodiscard]] bool holds(int c, int r) const { return c >= c0 && c <= c1 && r >= r0 && r <= r1; }
  bool operator==(box const&) const = default;
};

// 64 x 48 px; with 16-px chunks the edges are at columns and rows 16, 32, 48.
// Every patch is at least two pixels from every other (8-connectivity does not join them).
box const k49{2, 2, 8, 8};           // 7 x 7 = 49 px: 0.49 ha
box const k50{12, 2, 21, 6};         // 10 x 5 = 50 px: 0.50 ha, across column 16
box const k51{25, 2, 41, 4};         // 17 x 3 = 51 px: 0.51 ha, across column 32
box const k1{50, 2, 50, 2};          // 1 px
box const k120{10, 12, 21, 21};      // 12 x 10 = 120 px: 1.20 ha, across column and row 16
box const kCornerA{30, 12, 34, 16};  // 5 x 5 = 25 px and 3 x 9 = 27 px touching only at a
box const kCornerB{35, 17, 37, 25};  // corner, (34, 16)-(35, 17): one 8-connected patch of 52
box const k24{50, 30, 55, 33};       // 6 x 4 = 24 px: 0.24 ha
box const k25{2, 30, 6, 34};         // 5 x 5 = 25 px, across row 32

std::vector<box> const kAll{k49, k50, k51, k1, k120, kCornerA, kCornerB, k24, k25};

// Three baseline dates, four monitoring ones. Days since 1970 (Python datetime):
// 2024-06-04 = 19878, 2024-06-14 = 19888.
std::vector<tt::tiny_date> const kDates{
    {"2023-06-05", true},  {"2023-06-20", true},  {"2023-07-05", true}, {"2024-06-04", false},
    {"2024-06-14", false}, {"2024-06-24", false}, {"2024-07-04", false}};

/// Forest (NDVI 0.8) everywhere; the patches are bare (0.3) on every monitoring date: a fall
/// of 0.5 with no baseline spread, anomalous on 2024-06-04 and confirmed on 2024-06-14.
tt::tiny_scenes planted() {
  tt::tiny_scenes s;
  s.width = 64;
  s.height = 48;
  s.dates = kDates;
  s.ndvi = [](std::size_t d, int c, int r) {
    if (kDates[d].baseline) return 0.8;
    for (auto const& b : kAll)
      if (b.holds(c, r)) return 0.3;
    return 0.8;
  };
  return s;
}

/// The change block with every key written out.
std::string change_block(double min_area_ha) {
  return fmt::format(
      "change:\n  method: baseline\n  index: ndvi\n  drop: 0.25\n  forest_min: 0.6\n"
      "  k_sigma: 3\n  confirm: 2\n  window_days: 90\n  min_area_ha: {}\n  grow: 0.5\n"
      "  edge_buffer_m: 10\n",
      min_area_ha);
}

struct mmu_case {
  double min_area_ha;
  int chunk;
  std::set<std::int64_t> kept;  ///< pixel counts of the alerts expected
};

std::string name_of(::testing::TestParamInfo<mmu_case> const& info) {
  return fmt::format("mmu_{}_chunk_{}", static_cast<int>(info.param.min_area_ha * 100 + 0.5),
                     info.param.chunk);
}

}  // namespace

class MinimumArea : public ::testing::TestWithParam<mmu_case> {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           fmt::format("geosweep_mmu_{}_{}", name_of({GetParam(), 0}), ::getpid());
    fs::remove_all(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

TEST_P(MinimumArea, KeepsPatchesOnAndAboveTheUnitAndDropsThoseBelow) {
  auto const& p = GetParam();
  tt::write_tiny_job(dir_, planted(), change_block(p.min_area_ha),
                     fmt::format("processing: {{chunk: {}}}\n", p.chunk));
  auto const spec = gp::load_job_spec(dir_ / "job.yaml");
  ASSERT_EQ(spec.change.min_area_ha, p.min_area_ha);
  auto const result = gp::run_job(spec, gp::run_options{gk::backend::cpu});
  ASSERT_TRUE(result.alerts_file && result.csv_file && result.hdf5_file);

  // alerts.csv: one row per kept patch, area = pixels / 100 ha (4 decimals), dates literal.
  tt::alert_rows const alerts{gp::read_csv(*result.alerts_file)};
  EXPECT_EQ(alerts.table.rows.size(), p.kept.size());
  std::int64_t kept_px = 0;
  for (std::int64_t px : p.kept) {
    SCOPED_TRACE(fmt::format("{} px", px));
    kept_px += px;
    int const row = alerts.with_pixels(px);
    ASSERT_GE(row, 0) << "no alert";
    auto const r = static_cast<std::size_t>(row);
    EXPECT_EQ(alerts.at(r, "area_ha"), fmt::format("{}.{:02d}00", px / 100, px % 100));
    EXPECT_EQ(alerts.at(r, "first_seen"), "2024-06-04");
    EXPECT_EQ(alerts.at(r, "confirmed_on"), "2024-06-14");
    EXPECT_EQ(alerts.at(r, "confidence"), "high");
    EXPECT_EQ(alerts.at(r, "mean_magnitude"), "0.5000");  // 0.8 - 0.3
  }
  // No alert of a patch below the unit.
  for (std::int64_t px : {1, 24, 25, 27, 49, 50, 51, 52, 120}) {
    if (p.kept.count(px) == 0) {
      EXPECT_EQ(alerts.with_pixels(px), -1) << px << " px";
    }
  }

  // areas.csv: the last date's changed area is the kept patches' (their pixels / 100 ha).
  auto const areas = gp::read_csv(*result.csv_file);
  ASSERT_EQ(areas.rows.size(), kDates.size());
  auto const& last = areas.rows.back();
  EXPECT_EQ(last[1], "2024-07-04");
  ASSERT_EQ(areas.header[10], "changed_area_ha");
  EXPECT_NEAR(std::stod(last[10]), static_cast<double>(kept_px) / 100.0, 1e-6);
  ASSERT_EQ(result.aois.size(), 1u);
  EXPECT_EQ(result.aois[0].changed_pixels, kept_px);

  // change.nc: the pixels of dropped patches are no change; only kept ones are high.
  int const w = 64, h = 48;
  std::vector<std::uint8_t> beyond;
  auto const classes =
      tt::read_planted<std::uint8_t>(*result.hdf5_file, "change", GDT_Byte, w, h, false, &beyond);
  ASSERT_EQ(classes.size(), static_cast<std::size_t>(w) * h);
  for (auto v : beyond) EXPECT_EQ(v, gk::change_outside_aoi);
  // The planted patch sizes, by box (the two corner blocks are one patch of 52).
  auto const patch_px = [](box const& b) -> std::int64_t {
    if (b == kCornerA || b == kCornerB) return 52;
    return static_cast<std::int64_t>(b.c1 - b.c0 + 1) * (b.r1 - b.r0 + 1);
  };
  std::int64_t high = 0, wrong = 0;
  for (int r = 0; r < h; ++r) {
    for (int c = 0; c < w; ++c) {
      std::uint8_t expected = gk::change_none;
      for (auto const& b : kAll)
        if (b.holds(c, r) && p.kept.count(patch_px(b)) != 0) expected = gk::change_high;
      auto const got = classes[static_cast<std::size_t>(r) * w + c];
      high += got == gk::change_high ? 1 : 0;
      wrong += got != expected ? 1 : 0;
    }
  }
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(high, kept_px);
}

// The default unit (0.5 ha: 50 px on it, 49 px under it; the corner pair's parts, 25 and 27 px,
// are each under it, together over it), the same across chunk edges, and two other units on a
// pixel count (0.25 ha: 25 on, 24 under; 0.51 ha: 51 on, 50 under).
INSTANTIATE_TEST_SUITE_P(Units, MinimumArea,
                         ::testing::Values(mmu_case{0.5, 512, {50, 51, 52, 120}},
                                           mmu_case{0.5, 16, {50, 51, 52, 120}},
                                           mmu_case{0.25, 512, {25, 49, 50, 51, 52, 120}},
                                           mmu_case{0.51, 512, {51, 52, 120}},
                                           mmu_case{0.51, 16, {51, 52, 120}}),
                         name_of);
