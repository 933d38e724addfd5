// CPU and CUDA give identical component labels, patch statistics and class row statistics,
// on hand-drawn shapes, random masks of several densities and odd sizes, and large rasters
// (4096 x 4096 at 30 % foreground, one snake spanning the whole image). Exits 77 (skipped)
// without a CUDA device.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <random>
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

void expect_same_summaries(std::vector<k::patch_summary> const& cpu,
                           std::vector<k::patch_summary> const& gpu) {
  ASSERT_EQ(cpu.size(), gpu.size());
  std::size_t mismatches = 0;
  for (std::size_t i = 0; i < cpu.size() && mismatches < 10; ++i) {
    auto const& a = cpu[i];
    auto const& b = gpu[i];
    bool const same =
        a.label == b.label && a.pixel_count == b.pixel_count && a.column_sum == b.column_sum &&
        a.row_sum == b.row_sum && a.column_min == b.column_min && a.column_max == b.column_max &&
        a.row_min == b.row_min && a.row_max == b.row_max && a.first_date_min == b.first_date_min &&
        a.confirmed_date_min == b.confirmed_date_min && a.status_max == b.status_max &&
        a.magnitude_sum_e4 == b.magnitude_sum_e4;
    if (!same) {
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

int main(int argc, char** argv) {
  if (k::cuda_device_count() == 0) {
    std::printf(
        "patches_parity_test: no CUDA device (or no CUDA backend in this build): skipped\n");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
