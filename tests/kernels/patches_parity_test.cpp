// CPU and CUDA give identical component labels, patch statistics and class row statistics,
// on hand-drawn shapes, random masks of several densities and odd sizes, degenerate rasters
// (empty, one row or column), large rasters (4096 x 4096 at 30 % foreground, one snake
// spanning the whole image), and on every one of many repeated runs over masks whose giant
// components make races likely. Exits 77 (skipped) without a CUDA device.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/patches.hpp"
#include "geosweep/kernels/statistics.hpp"
#include "tools/patch_attributes.hpp"

namespace k = geosweep::kernels;

namespace {

struct raster_mask {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
  raster_mask(int w, int h) : width(w), height(h), pixels(static_cast<std::size_t>(w) * h, 0) {}
  std::uint8_t& at(int r, int c) { return pixels[static_cast<std::size_t>(r) * width + c]; }
};

raster_mask random_mask(int width, int height, double density, std::uint64_t seed) {
  raster_mask m(width, height);
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution foreground(density);
  for (auto& p : m.pixels) p = foreground(rng) ? 1 : 0;
  return m;
}

raster_mask drawn(std::vector<std::string> const& rows) {
  raster_mask m(static_cast<int>(rows[0].size()), static_cast<int>(rows.size()));
  for (int r = 0; r < m.height; ++r) {
    for (int c = 0; c < m.width; ++c) m.at(r, c) = rows[r][c] == '#' ? 1 : 0;
  }
  return m;
}

/// Every other row full, joined alternately at the right and left ends: one component that
/// visits every row, the deepest union-find trees a mask can make.
raster_mask snake(int width, int height) {
  raster_mask m(width, height);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      m.at(r, c) = r % 2 == 0 || (r % 4 == 1 ? c == width - 1 : c == 0);
    }
  }
  return m;
}

/// A vertical snake: every other column full, joined alternately at the bottom and top.
raster_mask column_snake(int width, int height) {
  raster_mask m(width, height);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      m.at(r, c) = c % 2 == 0 || (c % 4 == 1 ? r == height - 1 : r == 0);
    }
  }
  return m;
}

/// Teeth from the top that meet only in the bottom row.
raster_mask comb(int width, int height) {
  raster_mask m(width, height);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) m.at(r, c) = c % 2 == 0 || r == height - 1;
  }
  return m;
}

raster_mask checkerboard(int width, int height) {
  raster_mask m(width, height);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) m.at(r, c) = static_cast<std::uint8_t>((r + c) % 2);
  }
  return m;
}

/// Labels both backends; expects identical counts and bits and returns the labels.
std::vector<std::int32_t> expect_label_parity(raster_mask const& m, std::int32_t& count,
                                              std::uint8_t foreground = 1) {
  std::vector<std::int32_t> cpu(m.pixels.size(), -7);
  std::vector<std::int32_t> gpu(m.pixels.size(), -9);
  count = k::label_components(k::backend::cpu, m.pixels.data(), m.width, m.height, foreground,
                              cpu.data());
  std::int32_t const gpu_count = k::label_components(k::backend::cuda, m.pixels.data(), m.width,
                                                     m.height, foreground, gpu.data());
  EXPECT_EQ(gpu_count, count) << m.width << " x " << m.height;
  EXPECT_TRUE(cpu.size() == gpu.size() &&
              std::memcmp(cpu.data(), gpu.data(), cpu.size() * sizeof(std::int32_t)) == 0)
      << m.width << " x " << m.height << ": labels differ";
  return cpu;
}

bool same_summary(k::patch_summary const& a, k::patch_summary const& b) {
  return a.label == b.label && a.pixel_count == b.pixel_count && a.column_sum == b.column_sum &&
         a.row_sum == b.row_sum && a.column_min == b.column_min && a.column_max == b.column_max &&
         a.row_min == b.row_min && a.row_max == b.row_max && a.first_date_min == b.first_date_min &&
         a.confirmed_date_min == b.confirmed_date_min && a.status_max == b.status_max &&
         a.magnitude_sum_e4 == b.magnitude_sum_e4;
}

bool same_summaries(std::vector<k::patch_summary> const& cpu,
                    std::vector<k::patch_summary> const& gpu) {
  return cpu.size() == gpu.size() && std::equal(cpu.begin(), cpu.end(), gpu.begin(), same_summary);
}

void expect_same_summaries(std::vector<k::patch_summary> const& cpu,
                           std::vector<k::patch_summary> const& gpu) {
  ASSERT_EQ(cpu.size(), gpu.size());
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < cpu.size() && mismatches < 10; ++i) {
    auto const& a = cpu[i];
    auto const& b = gpu[i];
    if (!same_summary(a, b)) {
      ++mismatches;
      ADD_FAILURE() << "patch " << a.label << ": cpu {" << a.pixel_count << ", " << a.column_sum
                    << ", " << a.row_sum << ", " << a.column_min << ".." << a.column_max << ", "
                    << a.row_min << ".." << a.row_max << ", " << a.first_date_min << ", "
                    << a.confirmed_date_min << ", " << int{a.status_max} << ", "
                    << a.magnitude_sum_e4 << "} gpu {" << b.pixel_count << ", " << b.column_sum
                    << ", " << b.row_sum << ", " << b.column_min << ".." << b.column_max << ", "
                    << b.row_min << ".." << b.row_max << ", " << b.first_date_min << ", "
                    << b.confirmed_date_min << ", " << int{b.status_max} << ", "
                    << b.magnitude_sum_e4 << "}";
    }
  }
}

using geosweep::test_tools::pixel_attributes;

/// Labels, then summarizes with all attributes and with none, on both backends.
void expect_full_parity(raster_mask const& m, std::uint64_t seed) {
  std::int32_t count = 0;
  auto const labels = expect_label_parity(m, count);
  pixel_attributes const a(m.pixels.size(), seed);
  for (bool with_attributes : {true, false}) {
    auto const summarize = [&](k::backend b) {
      return k::summarize_patches(b, labels.data(), m.width, m.height, count,
                                  with_attributes ? a.first_date.data() : nullptr,
                                  with_attributes ? a.confirmed_date.data() : nullptr,
                                  with_attributes ? a.status.data() : nullptr,
                                  with_attributes ? a.magnitude.data() : nullptr);
    };
    expect_same_summaries(summarize(k::backend::cpu), summarize(k::backend::cuda));
  }
}

/// Expects the summary of patch `label` to have no pixels: zero counts and sums, a zero
/// bounding box and neutral dates, status and magnitude, as patches.hpp documents.
void expect_no_pixels(k::patch_summary const& s, std::int32_t label, char const* backend) {
  SCOPED_TRACE(std::string(backend) + ", patch " + std::to_string(label));
  EXPECT_EQ(s.label, label);
  EXPECT_EQ(s.pixel_count, 0);
  EXPECT_EQ(s.column_sum, 0);
  EXPECT_EQ(s.row_sum, 0);
  EXPECT_EQ(s.column_min, 0);
  EXPECT_EQ(s.column_max, 0);
  EXPECT_EQ(s.row_min, 0);
  EXPECT_EQ(s.row_max, 0);
  EXPECT_EQ(s.first_date_min, k::patch_no_date);
  EXPECT_EQ(s.confirmed_date_min, k::patch_no_date);
  EXPECT_EQ(s.status_max, 0);
  EXPECT_EQ(s.magnitude_sum_e4, 0);
}

/// The first pixel where two labellings differ, as text, or "" where they are equal.
std::string first_label_difference(std::vector<std::int32_t> const& expected,
                                   std::vector<std::int32_t> const& actual, int width) {
  if (expected.size() != actual.size()) return "sizes differ";
  std::size_t first = expected.size();
  std::size_t different = 0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    if (expected[i] == actual[i]) continue;
    if (different++ == 0) first = i;
  }
  if (different == 0) return "";
  auto const w = static_cast<std::size_t>(width);
  std::ostringstream text;
  text << different << " pixels differ, the first at row " << first / w << " column " << first % w
       << ": cpu " << expected[first] << ", cuda " << actual[first];
  return text.str();
}

/// Labels and summarizes `m` `runs` times on CUDA and expects every run to give exactly the
/// CPU's labels, count and summaries: a race in labelling (or in the atomics of the
/// summaries) shows only now and then, so one matching run proves little. Summaries are
/// taken of the CPU's labels on every run, so that a labelling race cannot hide or fake a
/// race in the summaries.
void expect_repeatable_parity(std::string const& name, raster_mask const& m, int runs,
                              std::uint64_t seed) {
  SCOPED_TRACE(name);
  std::vector<std::int32_t> cpu(m.pixels.size(), -7);
  std::int32_t const count =
      k::label_components(k::backend::cpu, m.pixels.data(), m.width, m.height, 1, cpu.data());
  pixel_attributes const a(m.pixels.size(), seed);
  auto const summarize = [&](k::backend b) {
    return k::summarize_patches(b, cpu.data(), m.width, m.height, count, a.first_date.data(),
                                a.confirmed_date.data(), a.status.data(), a.magnitude.data());
  };
  auto const cpu_summaries = summarize(k::backend::cpu);
  {
    // The CPU backend is multithreaded too: it must repeat itself before it can be the
    // reference.
    std::vector<std::int32_t> again(m.pixels.size(), -8);
    EXPECT_EQ(
        k::label_components(k::backend::cpu, m.pixels.data(), m.width, m.height, 1, again.data()),
        count);
    EXPECT_EQ(first_label_difference(cpu, again, m.width), "") << "cpu labelling, second run";
    EXPECT_TRUE(same_summaries(cpu_summaries, summarize(k::backend::cpu)))
        << "cpu summaries, second run";
  }
  std::vector<std::int32_t> gpu(m.pixels.size());
  int failed_labellings = 0;
  int failed_summaries = 0;
  for (int run = 0; run < runs; ++run) {
    std::fill(gpu.begin(), gpu.end(), -9);  // a run that writes nothing must not pass
    std::int32_t const gpu_count =
        k::label_components(k::backend::cuda, m.pixels.data(), m.width, m.height, 1, gpu.data());
    std::string const difference = first_label_difference(cpu, gpu, m.width);
    if (gpu_count != count || !difference.empty()) {
      ++failed_labellings;
      ADD_FAILURE() << "run " << run << ": cuda counts " << gpu_count << " patches, cpu " << count
                    << "; " << (difference.empty() ? "same labels" : difference);
    }
    auto const gpu_summaries = summarize(k::backend::cuda);
    if (!same_summaries(cpu_summaries, gpu_summaries)) {
      // The details of the first failing run only; the others are counted.
      if (failed_summaries++ == 0) {
        SCOPED_TRACE("run " + std::to_string(run));
        expect_same_summaries(cpu_summaries, gpu_summaries);
      }
    }
  }
  EXPECT_EQ(failed_labellings, 0) << "of " << runs << " runs";
  EXPECT_EQ(failed_summaries, 0) << "of " << runs << " runs";
}

/// The number of runs of `foreground` along a raster of one row or one column: its
/// 8-connected components.
std::int32_t runs_along_a_line(raster_mask const& m, std::uint8_t foreground) {
  std::int32_t runs = 0;
  for (std::size_t i = 0; i < m.pixels.size(); ++i) {
    runs += m.pixels[i] == foreground && (i == 0 || m.pixels[i - 1] != foreground);
  }
  return runs;
}
}  // namespace

TEST(PatchesParity, HandDrawnShapes) {
  std::vector<std::vector<std::string>> const shapes{
      {"#..", ".#.", "..#"},
      {"..#", ".#.", "#.."},
      {"#...#", "#...#", "#...#", "#####"},
      {"....#", "...#.", "#.#..", "##..."},
      {"#.#.#..#", "#.#.#...", ".#.#....", "........"},
      {".....#", ".#....", "#####.", "......", "##..##"},
      {"#.##.#..###"},
      {"#", ".", "#", "#", ".", "#"},
      {"#"},
      {"."},
  };
  std::uint64_t seed = 1;
  for (auto const& rows : shapes) expect_full_parity(drawn(rows), seed++);
  std::int32_t count = 0;
  auto const board = checkerboard(37, 23);
  expect_label_parity(board, count, 1);
  EXPECT_EQ(count, 1);
  expect_label_parity(board, count, 0);
  EXPECT_EQ(count, 1);
  raster_mask empty(129, 65);
  expect_label_parity(empty, count);
  EXPECT_EQ(count, 0);
  raster_mask full(129, 65);
  full.pixels.assign(full.pixels.size(), 1);
  expect_full_parity(full, 3);
  EXPECT_EQ(k::label_components(k::backend::cuda, nullptr, 0, 0, 1, nullptr), 0);
}

TEST(PatchesParity, RandomMasksOfOddSizes) {
  struct dims {
    int width, height;
  };
  std::uint64_t seed = 100;
  for (auto const d : {dims{1, 1}, dims{1, 4097}, dims{4097, 1}, dims{7, 5}, dims{257, 131},
                       dims{1023, 777}, dims{2, 3001}}) {
    for (double density : {0.05, 0.3, 0.45, 0.6, 0.9}) {
      expect_full_parity(random_mask(d.width, d.height, density, seed), seed);
      ++seed;
    }
  }
}

TEST(PatchesParity, Large30PercentForeground) {
  expect_full_parity(random_mask(4096, 4096, 0.3, 4096), 4097);
  expect_full_parity(random_mask(4099, 2053, 0.5, 4098), 4099);
}

TEST(PatchesParity, SnakesAndCombsSpanningTheImage) {
  for (auto const& m :
       {snake(4096, 4096), column_snake(4096, 4096), snake(4097, 1031), comb(4096, 4096)}) {
    std::int32_t count = 0;
    expect_label_parity(m, count);
    EXPECT_EQ(count, 1);
    expect_full_parity(m, 5);
    // The background between the turns: many long thin components.
    expect_label_parity(m, count, 0);
  }
}

TEST(PatchesParity, ClassRowStatistics) {
  struct dims {
    int width, height;
  };
  for (auto const d : {dims{1, 1}, dims{4097, 1031}, dims{4096, 4096}, dims{3, 5000}}) {
    std::vector<std::uint8_t> classes(static_cast<std::size_t>(d.width) * d.height);
    std::mt19937 rng(7);
    for (auto& v : classes) v = static_cast<std::uint8_t>(rng() % 5);
    for (std::uint8_t value : {0, 1, 4, 9}) {
      auto const cpu = k::class_row_statistics(k::backend::cpu, classes.data(),
                                               static_cast<std::size_t>(d.width),
                                               static_cast<std::size_t>(d.height), value);
      auto const gpu = k::class_row_statistics(k::backend::cuda, classes.data(),
                                               static_cast<std::size_t>(d.width),
                                               static_cast<std::size_t>(d.height), value);
      ASSERT_EQ(cpu.size(), gpu.size());
      for (std::size_t r = 0; r < cpu.size(); ++r) {
        ASSERT_EQ(cpu[r].count, gpu[r].count) << d.width << " x " << d.height << " row " << r;
        ASSERT_EQ(cpu[r].column_sum, gpu[r].column_sum)
            << d.width << " x " << d.height << " row " << r;
      }
    }
  }
}

TEST(PatchesParity, RepeatedRunsOnPercolatingMasks) {
  // Above the 8-connected site-percolation threshold (about 0.41) most foreground pixels
  // join one giant component, whose unions many threads race to make at once.
  for (double const density : {0.5, 0.6}) {
    auto const m = random_mask(2048, 2048, density, density == 0.5 ? 50 : 60);
    std::vector<std::int32_t> labels(m.pixels.size());
    std::int32_t const count =
        k::label_components(k::backend::cpu, m.pixels.data(), m.width, m.height, 1, labels.data());
    auto const summaries = k::summarize_patches(k::backend::cpu, labels.data(), m.width, m.height,
                                                count, nullptr, nullptr, nullptr, nullptr);
    std::int64_t largest = 0;
    for (auto const& s : summaries) largest = std::max(largest, s.pixel_count);
    EXPECT_GT(largest, static_cast<std::int64_t>(m.pixels.size()) / 4)
        << "no giant component at density " << density;
    expect_repeatable_parity(
        "random 2048 x 2048, " + std::to_string(static_cast<int>(density * 100)) + " %", m, 24,
        density == 0.5 ? 51 : 61);
  }
}

TEST(PatchesParity, RepeatedRunsOnSnakesAndCombs) {
  expect_repeatable_parity("snake", snake(2048, 2048), 24, 70);
  expect_repeatable_parity("column snake", column_snake(2048, 2048), 24, 71);
  expect_repeatable_parity("comb", comb(2048, 2048), 24, 72);
}

TEST(PatchesParity, DegenerateSizes) {
  for (int const n : {2, 3, 33, 257, 4097}) {
    SCOPED_TRACE("n = " + std::to_string(n));
    // No pixels at all.
    for (raster_mask const& m : {raster_mask(0, 0), raster_mask(0, n), raster_mask(n, 0)}) {
      std::int32_t count = -1;
      auto const labels = expect_label_parity(m, count);
      EXPECT_EQ(count, 0);
      EXPECT_TRUE(labels.empty());
      expect_full_parity(m, 1);
    }
    // One row or one column: its components are its runs, whatever the backend.
    for (bool const row : {true, false}) {
      int const width = row ? n : 1;
      int const height = row ? 1 : n;
      raster_mask alternating(width, height);
      raster_mask pairs(width, height);  // two on, two off
      for (std::size_t i = 0; i < alternating.pixels.size(); ++i) {
        alternating.pixels[i] = static_cast<std::uint8_t>(i % 2);
        pairs.pixels[i] = static_cast<std::uint8_t>(i / 2 % 2 == 0);
      }
      raster_mask full(width, height);
      full.pixels.assign(full.pixels.size(), 1);
      std::uint64_t seed = 10;
      for (raster_mask const& m : {raster_mask(width, height), full, alternating, pairs,
                                   random_mask(width, height, 0.5, seed)}) {
        SCOPED_TRACE(std::to_string(width) + " x " + std::to_string(height));
        for (std::uint8_t const foreground : {1, 0}) {
          std::int32_t count = -1;
          expect_label_parity(m, count, foreground);
          EXPECT_EQ(count, runs_along_a_line(m, foreground));
        }
        expect_full_parity(m, seed++);
      }
    }
  }
  raster_mask const single(1, 1);
  raster_mask one = single;
  one.pixels[0] = 1;
  for (raster_mask const& m : {single, one}) {
    std::int32_t count = -1;
    auto const labels = expect_label_parity(m, count);
    EXPECT_EQ(count, m.pixels[0]);
    EXPECT_EQ(labels, std::vector<std::int32_t>{m.pixels[0]});
    expect_full_parity(m, 2);
  }
}

TEST(PatchesParity, SummariesOfPatchesWithNoPixels) {
  // Rasters with no pixels, asked for patches all the same (a chunk cut to nothing at the
  // edge of the grid): every patch has no pixels, and both backends say so alike.
  std::int32_t const first_date[1] = {19000};
  std::int32_t const confirmed_date[1] = {19010};
  std::uint8_t const status[1] = {2};
  float const magnitude[1] = {0.5f};
  struct dims {
    int width, height;
  };
  for (auto const d : {dims{0, 0}, dims{0, 5}, dims{7, 0}}) {
    for (std::int32_t const count : {1, 3}) {
      for (bool const with_attributes : {false, true}) {
        SCOPED_TRACE(std::to_string(d.width) + " x " + std::to_string(d.height) + ", " +
                     std::to_string(count) + " patches" +
                     (with_attributes ? ", with attributes" : ""));
        auto const summarize = [&](k::backend b) {
          return k::summarize_patches(
              b, nullptr, d.width, d.height, count, with_attributes ? first_date : nullptr,
              with_attributes ? confirmed_date : nullptr, with_attributes ? status : nullptr,
              with_attributes ? magnitude : nullptr);
        };
        auto const cpu = summarize(k::backend::cpu);
        auto const gpu = summarize(k::backend::cuda);
        expect_same_summaries(cpu, gpu);
        ASSERT_EQ(cpu.size(), static_cast<std::size_t>(count));
        ASSERT_EQ(gpu.size(), static_cast<std::size_t>(count));
        for (std::int32_t p = 0; p < count; ++p) {
          expect_no_pixels(cpu[static_cast<std::size_t>(p)], p + 1, "cpu");
          expect_no_pixels(gpu[static_cast<std::size_t>(p)], p + 1, "cuda");
        }
      }
    }
  }

  // A raster with pixels where most of the patches asked for have none, and labels outside
  // 1..count, which count as background.
  int const width = 9;
  int const height = 4;
  std::vector<std::int32_t> labels(static_cast<std::size_t>(width) * height, 0);
  for (int r = 1; r <= 2; ++r) {
    for (int c = 3; c <= 5; ++c) labels[static_cast<std::size_t>(r) * width + c] = 2;
  }
  labels[0] = -1;
  labels[8] = 6;
  labels[35] = 1000;
  std::int32_t const count = 5;
  pixel_attributes const a(labels.size(), 11);
  for (bool const with_attributes : {false, true}) {
    SCOPED_TRACE(with_attributes ? "with attributes" : "without attributes");
    auto const summarize = [&](k::backend b) {
      return k::summarize_patches(b, labels.data(), width, height, count,
                                  with_attributes ? a.first_date.data() : nullptr,
                                  with_attributes ? a.confirmed_date.data() : nullptr,
                                  with_attributes ? a.status.data() : nullptr,
                                  with_attributes ? a.magnitude.data() : nullptr);
    };
    auto const cpu = summarize(k::backend::cpu);
    auto const gpu = summarize(k::backend::cuda);
    expect_same_summaries(cpu, gpu);
    ASSERT_EQ(cpu.size(), static_cast<std::size_t>(count));
    for (std::int32_t const empty : {1, 3, 4, 5}) {
      expect_no_pixels(cpu[static_cast<std::size_t>(empty - 1)], empty, "cpu");
      expect_no_pixels(gpu[static_cast<std::size_t>(empty - 1)], empty, "cuda");
    }
    auto const& patch = cpu[1];
    EXPECT_EQ(patch.pixel_count, 6);
    EXPECT_EQ(patch.column_sum, 2 * (3 + 4 + 5));
    EXPECT_EQ(patch.row_sum, 3 * (1 + 2));
    EXPECT_EQ(patch.column_min, 3);
    EXPECT_EQ(patch.column_max, 5);
    EXPECT_EQ(patch.row_min, 1);
    EXPECT_EQ(patch.row_max, 2);
  }
}

int main(int argc, char** argv) {
  if (k::cuda_device_count() == 0) {
    std::printf(
        "patches_parity_test: no CUDA device (or no CUDA backend in this build): skipped\n");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
