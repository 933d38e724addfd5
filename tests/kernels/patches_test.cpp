// Connected-component labelling and per-patch statistics on the CPU backend, against
// hand-drawn masks and against independent references written here (a BFS flood fill and a
// per-pixel loop). CPU/CUDA parity is in patches_parity_test.cpp.
#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/error.hpp"
#include "geosweep/kernels/patches.hpp"
#include "geosweep/kernels/statistics.hpp"
#include "tools/patch_attributes.hpp"

namespace k = geosweep::kernels;

namespace {

/// A raster drawn as text, one string per row: '#' is foreground (1), anything else 0.
struct drawn_mask {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;
};

drawn_mask draw(std::vector<std::string> const& rows) {
  drawn_mask m;
  m.height = static_cast<int>(rows.size());
  m.width = rows.empty() ? 0 : static_cast<int>(rows[0].size());
  for (auto const& row : rows) {
    EXPECT_EQ(static_cast<int>(row.size()), m.width);
    for (char ch : row) m.pixels.push_back(ch == '#' ? 1 : 0);
  }
  return m;
}

/// Expected labels drawn as text: '.' is 0, '1'..'9' and 'a'..'z' are 1..35.
std::vector<std::int32_t> expected_labels(std::vector<std::string> const& rows) {
  std::vector<std::int32_t> labels;
  for (auto const& row : rows) {
    for (char ch : row) {
      if (ch == '.') {
        labels.push_back(0);
      } else if (ch >= '1' && ch <= '9') {
        labels.push_back(ch - '0');
      } else {
        labels.push_back(10 + (ch - 'a'));
      }
    }
  }
  return labels;
}

/// The reference: breadth-first flood fill from each unlabelled foreground pixel in raster
/// order, so components are numbered in the raster order of their first pixel.
std::int32_t flood_fill_labels(std::vector<std::uint8_t> const& mask, int width, int height,
                               std::uint8_t foreground, std::vector<std::int32_t>& labels) {
  labels.assign(mask.size(), 0);
  std::int32_t count = 0;
  std::deque<std::int64_t> queue;
  for (std::int64_t start = 0; start < static_cast<std::int64_t>(mask.size()); ++start) {
    if (mask[start] != foreground || labels[start] != 0) continue;
    labels[start] = ++count;
    queue.push_back(start);
    while (!queue.empty()) {
      std::int64_t const i = queue.front();
      queue.pop_front();
      int const r = static_cast<int>(i / width);
      int const c = static_cast<int>(i % width);
      for (int dr = -1; dr <= 1; ++dr) {
        for (int dc = -1; dc <= 1; ++dc) {
          int const rr = r + dr;
          int const cc = c + dc;
          if (rr < 0 || rr >= height || cc < 0 || cc >= width) continue;
          std::int64_t const j = static_cast<std::int64_t>(rr) * width + cc;
          if (mask[j] == foreground && labels[j] == 0) {
            labels[j] = count;
            queue.push_back(j);
          }
        }
      }
    }
  }
  return count;
}

std::vector<std::int32_t> label_cpu(drawn_mask const& m, std::int32_t& count,
                                    std::uint8_t foreground = 1) {
  std::vector<std::int32_t> labels(m.pixels.size(), -7);
  count = k::label_components(k::backend::cpu, m.pixels.data(), m.width, m.height, foreground,
                              labels.data());
  return labels;
}

void expect_labels(std::vector<std::string> const& mask_rows,
                   std::vector<std::string> const& label_rows, std::int32_t expected_count) {
  auto const m = draw(mask_rows);
  std::int32_t count = -1;
  auto const labels = label_cpu(m, count);
  EXPECT_EQ(count, expected_count);
  EXPECT_EQ(labels, expected_labels(label_rows));
}

void expect_matches_flood_fill(drawn_mask const& m, std::uint8_t foreground = 1) {
  std::vector<std::int32_t> reference;
  std::int32_t const reference_count =
      flood_fill_labels(m.pixels, m.width, m.height, foreground, reference);
  std::int32_t count = -1;
  auto const labels = label_cpu(m, count, foreground);
  EXPECT_EQ(count, reference_count) << m.width << " x " << m.height;
  EXPECT_EQ(labels, reference) << m.width << " x " << m.height;
}

drawn_mask random_mask(int width, int height, double density, std::uint64_t seed) {
  drawn_mask m;
  m.width = width;
  m.height = height;
  m.pixels.resize(static_cast<std::size_t>(width) * height);
  std::mt19937_64 rng(seed);
  std::bernoulli_distribution foreground(density);
  for (auto& p : m.pixels) p = foreground(rng) ? 1 : 0;
  return m;
}

/// A square spiral of foreground, one pixel wide, with a one-pixel gap between turns.
drawn_mask spiral(int size) {
  std::vector<std::string> rows(static_cast<std::size_t>(size), std::string(size, '.'));
  int top = 0, left = 0, bottom = size - 1, right = size - 1;
  while (top <= bottom && left <= right) {
    for (int c = left; c <= right; ++c) rows[top][c] = '#';
    for (int r = top; r <= bottom; ++r) rows[r][right] = '#';
    if (bottom > top) {
      for (int c = left; c <= right; ++c) rows[bottom][c] = '#';
    }
    if (left + 2 <= right) {
      for (int r = top + 2; r <= bottom; ++r) rows[r][left] = '#';
    }
    // Next turn starts two in from each side; the connector keeps it one path.
    if (top + 2 <= bottom) rows[top + 2][left + 1] = '#';
    top += 2;
    left += 2;
    bottom -= 2;
    right -= 2;
  }
  return draw(rows);
}

/// Restores the OpenMP thread count when a test changes it.
class thread_count_guard {
 public:
  thread_count_guard() : saved_(omp_get_max_threads()) {}
  thread_count_guard(thread_count_guard const&) = delete;
  thread_count_guard& operator=(thread_count_guard const&) = delete;
  ~thread_count_guard() { k::set_cpu_threads(saved_); }

 private:
  int saved_;
};

}  // namespace

TEST(LabelComponents, DiagonalTouchIsOneComponent) {
  expect_labels({"#..", ".#.", "..#"}, {"1..", ".1.", "..1"}, 1);
  expect_labels({"..#", ".#.", "#.."}, {"..1", ".1.", "1.."}, 1);
  // Touching only at a corner across two arms.
  expect_labels({"##..", "##..", "..##", "..##"}, {"11..", "11..", "..11", "..11"}, 1);
}

TEST(LabelComponents, FourConnectedGapsStaySeparate) {
  expect_labels({"#.#", "...", "#.#"}, {"1.2", "...", "3.4"}, 4);
  expect_labels({"#..#", "....", ".##."}, {"1..2", "....", ".33."}, 3);
}

TEST(LabelComponents, UShapeMergesLate) {
  // A one-pass labeller gives the arms two labels; they only meet on the last row.
  expect_labels({"#...#", "#...#", "#...#", "#####"}, {"1...1", "1...1", "1...1", "11111"}, 1);
  // Arms that meet through a north-east diagonal only, the right arm starting first.
  expect_labels({"....#", "...#.", "#.#..", "##..."}, {"....1", "...1.", "1.1..", "11..."}, 1);
  // A W: three arms joined at the bottom, plus a separate dot.
  expect_labels({"#.#.#..#", "#.#.#...", ".#.#....", "........"},
                {"1.1.1..2", "1.1.1...", ".1.1....", "........"}, 2);
}

TEST(LabelComponents, NumberedInRasterOrderOfFirstPixel) {
  // The big patch below starts on row 1; the dot at the end of row 0 comes first.
  expect_labels({".....#", ".#....", "#####.", "......", "##..##"},
                {".....1", ".2....", "22222.", "......", "33..44"}, 4);
  // A component whose first pixel is on the right of the first row comes first.
  expect_labels({"...##", "#...#", "#..#."}, {"...11", "2...1", "2..1."}, 2);
}

TEST(LabelComponents, Spiral) {
  for (int size : {5, 9, 15, 33}) {
    auto const m = spiral(size);
    std::int32_t count = -1;
    auto const labels = label_cpu(m, count);
    EXPECT_EQ(count, 1) << size;
    expect_matches_flood_fill(m, 1);
    expect_matches_flood_fill(m, 0);  // the gaps between the turns
  }
}

TEST(LabelComponents, CheckerboardIsOneComponent) {
  drawn_mask m;
  m.width = 37;
  m.height = 23;
  for (int r = 0; r < m.height; ++r) {
    for (int c = 0; c < m.width; ++c) m.pixels.push_back(static_cast<std::uint8_t>((r + c) % 2));
  }
  for (std::uint8_t foreground : {0, 1}) {
    std::int32_t count = -1;
    auto const labels = label_cpu(m, count, foreground);
    EXPECT_EQ(count, 1);
    for (std::size_t i = 0; i < labels.size(); ++i) {
      ASSERT_EQ(labels[i], m.pixels[i] == foreground ? 1 : 0) << i;
    }
  }
}

TEST(LabelComponents, AllBackgroundAndAllForeground) {
  drawn_mask m;
  m.width = 19;
  m.height = 11;
  m.pixels.assign(19 * 11, 0);
  std::int32_t count = -1;
  EXPECT_EQ(label_cpu(m, count), std::vector<std::int32_t>(19 * 11, 0));
  EXPECT_EQ(count, 0);
  m.pixels.assign(19 * 11, 1);
  EXPECT_EQ(label_cpu(m, count), std::vector<std::int32_t>(19 * 11, 1));
  EXPECT_EQ(count, 1);
}

TEST(LabelComponents, SingleRowAndSingleColumn) {
  expect_labels({"#.##.#..###"}, {"1.22.3..444"}, 4);
  expect_labels({"#", ".", "#", "#", ".", "#"}, {"1", ".", "2", "2", ".", "3"}, 3);
  expect_labels({"#"}, {"1"}, 1);
  expect_labels({"."}, {"."}, 0);
}

TEST(LabelComponents, ForegroundValueIsAnyClass) {
  drawn_mask m;
  m.width = 5;
  m.height = 2;
  m.pixels = {2, 2, 0, 1, 0, 1, 0, 0, 2, 2};
  std::int32_t count = -1;
  EXPECT_EQ(label_cpu(m, count, 2), (std::vector<std::int32_t>{1, 1, 0, 0, 0, 0, 0, 0, 2, 2}));
  EXPECT_EQ(count, 2);
  EXPECT_EQ(label_cpu(m, count, 1), (std::vector<std::int32_t>{0, 0, 0, 1, 0, 2, 0, 0, 0, 0}));
  EXPECT_EQ(count, 2);
}

TEST(LabelComponents, EmptyRasterAndBadArguments) {
  EXPECT_EQ(k::label_components(k::backend::cpu, nullptr, 0, 0, 1, nullptr), 0);
  EXPECT_EQ(k::label_components(k::backend::cpu, nullptr, 0, 17, 1, nullptr), 0);
  std::uint8_t pixel = 1;
  std::int32_t label = 0;
  EXPECT_THROW(k::label_components(k::backend::cpu, &pixel, -1, 1, 1, &label),
               geosweep::logic_error);
  // 65536 x 32768 = 2^31 pixels: one too many for int32 indices.
  EXPECT_THROW(k::label_components(k::backend::cpu, &pixel, 65536, 32768, 1, &label),
               geosweep::logic_error);
  EXPECT_THROW(k::label_components(k::backend::cpu, nullptr, 1, 1, 1, &label),
               geosweep::logic_error);
}

TEST(LabelComponents, RandomMasksMatchFloodFill) {
  struct dims {
    int width, height;
  };
  std::uint64_t seed = 1;
  for (auto const s : {dims{1, 1}, dims{1, 257}, dims{257, 1}, dims{7, 5}, dims{64, 64},
                       dims{257, 131}, dims{1000, 3}, dims{3, 1000}}) {
    for (double density : {0.05, 0.3, 0.45, 0.6, 0.9}) {
      expect_matches_flood_fill(random_mask(s.width, s.height, density, seed++));
    }
  }
}

TEST(LabelComponents, IndependentOfThreadCount) {
  thread_count_guard const guard;
  // Every strip height, down to one row per strip, and seams in every position.
  for (auto const& m : {random_mask(257, 131, 0.45, 99), random_mask(31, 5, 0.5, 98),
                        random_mask(129, 7, 0.6, 97), spiral(41)}) {
    std::vector<std::int32_t> reference;
    std::int32_t const reference_count =
        flood_fill_labels(m.pixels, m.width, m.height, 1, reference);
    for (int threads : {1, 2, 3, 4, 7, 16}) {
      k::set_cpu_threads(threads);
      std::int32_t count = -1;
      EXPECT_EQ(label_cpu(m, count), reference) << threads << " threads";
      EXPECT_EQ(count, reference_count) << threads << " threads";
    }
  }
}

TEST(LabelComponents, SnakeAndCombSpanningTheRaster) {
  thread_count_guard const guard;
  int const width = 301;
  int const height = 203;
  // A serpentine: every other row full, joined alternately at the right and left ends.
  drawn_mask snake;
  snake.width = width;
  snake.height = height;
  snake.pixels.assign(static_cast<std::size_t>(width) * height, 0);
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      bool const on = r % 2 == 0 || (r % 4 == 1 ? c == width - 1 : c == 0);
      snake.pixels[static_cast<std::size_t>(r) * width + c] = on ? 1 : 0;
    }
  }
  // A comb: teeth from the top that only meet in the bottom row.
  drawn_mask comb = snake;
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      comb.pixels[static_cast<std::size_t>(r) * width + c] = (c % 2 == 0 || r == height - 1);
    }
  }
  for (int threads : {1, 3, 8}) {
    k::set_cpu_threads(threads);
    for (auto const* m : {&snake, &comb}) {
      std::int32_t count = -1;
      auto const labels = label_cpu(*m, count);
      EXPECT_EQ(count, 1);
      for (std::size_t i = 0; i < labels.size(); ++i) {
        ASSERT_EQ(labels[i], m->pixels[i]) << i;
      }
      expect_matches_flood_fill(*m, 0);
    }
  }
}

TEST(SummarizePatches, PatchesOfAnEmptyRasterHaveAZeroBox) {
  // count > 0 over 0 x 3, 3 x 0 and 0 x 0 rasters: every patch empty, so a zero box (the CUDA
  // backend's answer too), not the "min above max" a box starts from.
  for (auto const& [width, height] : {std::pair{0, 3}, std::pair{3, 0}, std::pair{0, 0}}) {
    auto const s = k::summarize_patches(k::backend::cpu, nullptr, width, height, 2, nullptr,
                                        nullptr, nullptr, nullptr);
    ASSERT_EQ(s.size(), 2u);
    for (std::int32_t label = 1; label <= 2; ++label) {
      auto const& p = s[static_cast<std::size_t>(label - 1)];
      EXPECT_EQ(p.label, label);
      EXPECT_EQ(p.pixel_count, 0);
      EXPECT_EQ(p.column_min, 0) << width << " x " << height;
      EXPECT_EQ(p.column_max, 0);
      EXPECT_EQ(p.row_min, 0);
      EXPECT_EQ(p.row_max, 0);
      EXPECT_EQ(p.first_date_min, k::patch_no_date);
      EXPECT_EQ(p.confirmed_date_min, k::patch_no_date);
    }
  }
}

TEST(SummarizePatches, RunColumnSumsOfRowsWiderThanTwoToThe30) {
  // Both backends sum a run's columns with run_column_sum. By hand: columns 5..9 sum to 35;
  // 2^30 .. 2^30 + 4 to 5 * 2^30 + 10 = 5368709130; 2^31 - 10 .. 2^31 - 2 (the widest row,
  // 2^31 - 1 pixels) to 9 * (2^31 - 10) + 36 = 19327352778. In 32-bit ints the ends' sums
  // 2^31 + 3 and 2^32 - 13 overflow.
  EXPECT_EQ(k::detail::run_column_sum(5, 10), 35);
  EXPECT_EQ(k::detail::run_column_sum(0, 1), 0);
  EXPECT_EQ(k::detail::run_column_sum(7, 8), 7);
  EXPECT_EQ(k::detail::run_column_sum(1073741824, 1073741829), 5368709130LL);
  EXPECT_EQ(k::detail::run_column_sum(2147483638, 2147483647), 19327352778LL);
}

TEST(LabelComponents, CudaWithoutDeviceThrows) {
  if (k::cuda_device_count() > 0) GTEST_SKIP() << "a CUDA device is present";
  std::uint8_t pixel = 1;
  std::int32_t label = 0;
  EXPECT_THROW(k::label_components(k::backend::cuda, &pixel, 1, 1, 1, &label),
               geosweep::cuda_error);
  EXPECT_THROW(
      k::summarize_patches(k::backend::cuda, &label, 1, 1, 1, nullptr, nullptr, nullptr, nullptr),
      geosweep::cuda_error);
  EXPECT_THROW(k::class_row_statistics(k::backend::cuda, &pixel, 1, 1, 1), geosweep::cuda_error);
  // `automatic` falls back to the CPU.
  EXPECT_EQ(k::label_components(k::backend::automatic, &pixel, 1, 1, 1, &label), 1);
  EXPECT_EQ(label, 1);
}

TEST(MagnitudeE4, RoundsToNearestTiesAwayFromZero) {
  EXPECT_EQ(k::magnitude_e4(0.0f), 0);
  EXPECT_EQ(k::magnitude_e4(-0.0f), 0);
  EXPECT_EQ(k::magnitude_e4(0.5f), 5000);
  EXPECT_EQ(k::magnitude_e4(-0.25f), -2500);
  EXPECT_EQ(k::magnitude_e4(0.12344f), 1234);
  EXPECT_EQ(k::magnitude_e4(0.12346f), 1235);
  EXPECT_EQ(k::magnitude_e4(-0.12344f), -1234);
  EXPECT_EQ(k::magnitude_e4(-0.12346f), -1235);
  // Exact ties: 1/32 * 10000 = 312.5, 3/32 * 10000 = 937.5.
  EXPECT_EQ(k::magnitude_e4(0.03125f), 313);
  EXPECT_EQ(k::magnitude_e4(-0.03125f), -313);
  EXPECT_EQ(k::magnitude_e4(0.09375f), 938);
  EXPECT_EQ(k::magnitude_e4(-0.09375f), -938);
  // Decimal ties are not ties in binary: 0.00005f and 0.00035f are stored slightly below
  // 0.00005 and 0.00035, 0.00015f slightly above 0.00015.
  EXPECT_EQ(k::magnitude_e4(0.00005f), 0);
  EXPECT_EQ(k::magnitude_e4(-0.00005f), 0);
  EXPECT_EQ(k::magnitude_e4(0.00035f), 3);
  EXPECT_EQ(k::magnitude_e4(0.00015f), 2);
  EXPECT_EQ(k::magnitude_e4(2.0f), 20000);
  EXPECT_EQ(k::magnitude_e4(-2.0f), -20000);
}

TEST(MagnitudeE4, NanIsZeroAndHugeValuesSaturate) {
  float const inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(k::magnitude_e4(std::numeric_limits<float>::quiet_NaN()), 0);
  EXPECT_EQ(k::magnitude_e4(k::nodata_f32()), 0);
  EXPECT_EQ(k::magnitude_e4(inf), k::max_magnitude_e4);
  EXPECT_EQ(k::magnitude_e4(-inf), -k::max_magnitude_e4);
  EXPECT_EQ(k::magnitude_e4(1e30f), k::max_magnitude_e4);
  EXPECT_EQ(k::magnitude_e4(-1e30f), -k::max_magnitude_e4);
  EXPECT_EQ(k::magnitude_e4(65535.0f), 655350000);
}

namespace {

/// Per-pixel reference of summarize_patches.
std::vector<k::patch_summary> summarize_reference(std::vector<std::int32_t> const& labels,
                                                  int width, int height, std::int32_t count,
                                                  std::int32_t const* first_date,
                                                  std::int32_t const* confirmed_date,
                                                  std::uint8_t const* status,
                                                  float const* magnitude) {
  std::vector<k::patch_summary> out(static_cast<std::size_t>(count));
  std::vector<bool> seen(static_cast<std::size_t>(count), false);
  for (std::int32_t label = 1; label <= count; ++label) out[label - 1].label = label;
  for (int r = 0; r < height; ++r) {
    for (int c = 0; c < width; ++c) {
      std::size_t const i = static_cast<std::size_t>(r) * width + c;
      std::int32_t const label = labels[i];
      if (label < 1 || label > count) continue;
      auto& s = out[label - 1];
      if (!seen[label - 1]) {
        seen[label - 1] = true;
        s.column_min = s.column_max = c;
        s.row_min = s.row_max = r;
      }
      ++s.pixel_count;
      s.column_sum += c;
      s.row_sum += r;
      s.column_min = std::min(s.column_min, c);
      s.column_max = std::max(s.column_max, c);
      s.row_min = std::min(s.row_min, r);
      s.row_max = std::max(s.row_max, r);
      if (first_date) s.first_date_min = std::min(s.first_date_min, first_date[i]);
      if (confirmed_date) s.confirmed_date_min = std::min(s.confirmed_date_min, confirmed_date[i]);
      if (status) s.status_max = std::max(s.status_max, status[i]);
      if (magnitude) s.magnitude_sum_e4 += k::magnitude_e4(magnitude[i]);
    }
  }
  return out;
}

void expect_same_summaries(std::vector<k::patch_summary> const& actual,
                           std::vector<k::patch_summary> const& expected) {
  ASSERT_EQ(actual.size(), expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) {
    auto const& a = actual[i];
    auto const& e = expected[i];
    SCOPED_TRACE("patch " + std::to_string(e.label));
    EXPECT_EQ(a.label, e.label);
    EXPECT_EQ(a.pixel_count, e.pixel_count);
    EXPECT_EQ(a.column_sum, e.column_sum);
    EXPECT_EQ(a.row_sum, e.row_sum);
    EXPECT_EQ(a.column_min, e.column_min);
    EXPECT_EQ(a.column_max, e.column_max);
    EXPECT_EQ(a.row_min, e.row_min);
    EXPECT_EQ(a.row_max, e.row_max);
    EXPECT_EQ(a.first_date_min, e.first_date_min);
    EXPECT_EQ(a.confirmed_date_min, e.confirmed_date_min);
    EXPECT_EQ(a.status_max, e.status_max);
    EXPECT_EQ(a.magnitude_sum_e4, e.magnitude_sum_e4);
  }
}

using geosweep::test_tools::pixel_attributes;

}  // namespace

TEST(SummarizePatches, MatchesPerPixelLoop) {
  std::uint64_t seed = 7;
  for (auto const& m : {random_mask(257, 131, 0.3, 11), random_mask(257, 131, 0.6, 12),
                        random_mask(1, 300, 0.5, 13), random_mask(300, 1, 0.5, 14), spiral(31)}) {
    std::vector<std::int32_t> labels(m.pixels.size());
    std::int32_t const count =
        k::label_components(k::backend::cpu, m.pixels.data(), m.width, m.height, 1, labels.data());
    pixel_attributes const a(m.pixels.size(), seed++);
    auto const summaries = k::summarize_patches(k::backend::cpu, labels.data(), m.width, m.height,
                                                count, a.first_date.data(), a.confirmed_date.data(),
                                                a.status.data(), a.magnitude.data());
    expect_same_summaries(
        summaries,
        summarize_reference(labels, m.width, m.height, count, a.first_date.data(),
                            a.confirmed_date.data(), a.status.data(), a.magnitude.data()));
  }
}

TEST(SummarizePatches, OptionalInputsMayBeNull) {
  auto const m = random_mask(97, 61, 0.4, 21);
  std::vector<std::int32_t> labels(m.pixels.size());
  std::int32_t const count =
      k::label_components(k::backend::cpu, m.pixels.data(), m.width, m.height, 1, labels.data());
  pixel_attributes const a(m.pixels.size(), 22);
  auto const none = k::summarize_patches(k::backend::cpu, labels.data(), m.width, m.height, count,
                                         nullptr, nullptr, nullptr, nullptr);
  expect_same_summaries(none, summarize_reference(labels, m.width, m.height, count, nullptr,
                                                  nullptr, nullptr, nullptr));
  for (auto const& s : none) {
    EXPECT_EQ(s.first_date_min, k::patch_no_date);
    EXPECT_EQ(s.confirmed_date_min, k::patch_no_date);
    EXPECT_EQ(s.status_max, 0);
    EXPECT_EQ(s.magnitude_sum_e4, 0);
  }
  auto const some =
      k::summarize_patches(k::backend::cpu, labels.data(), m.width, m.height, count, nullptr,
                           a.confirmed_date.data(), nullptr, a.magnitude.data());
  expect_same_summaries(
      some, summarize_reference(labels, m.width, m.height, count, nullptr, a.confirmed_date.data(),
                                nullptr, a.magnitude.data()));
}

TEST(SummarizePatches, HandDrawnPatch) {
  auto const m = draw({".##.", "#..#", "...."});
  std::int32_t count = -1;
  auto const labels = label_cpu(m, count);
  ASSERT_EQ(count, 1);
  std::vector<std::int32_t> const first{0, 30, 20, 0, 10, 0, 0, k::patch_no_date, 0, 0, 0, 0};
  std::vector<std::uint8_t> const status{0, 1, 3, 0, 2, 0, 0, 1, 0, 0, 0, 0};
  std::vector<float> const magnitude{
      0.0f, -0.03125f, 0.5f, 0.0f, k::nodata_f32(), 0.0f, 0.0f, 0.12346f, 9.0f, 9.0f, 9.0f, 9.0f};
  auto const s = k::summarize_patches(k::backend::cpu, labels.data(), m.width, m.height, count,
                                      first.data(), nullptr, status.data(), magnitude.data());
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].label, 1);
  EXPECT_EQ(s[0].pixel_count, 4);
  EXPECT_EQ(s[0].column_sum, 1 + 2 + 0 + 3);
  EXPECT_EQ(s[0].row_sum, 0 + 0 + 1 + 1);
  EXPECT_EQ(s[0].column_min, 0);
  EXPECT_EQ(s[0].column_max, 3);
  EXPECT_EQ(s[0].row_min, 0);
  EXPECT_EQ(s[0].row_max, 1);
  EXPECT_EQ(s[0].first_date_min, 10);
  EXPECT_EQ(s[0].confirmed_date_min, k::patch_no_date);
  EXPECT_EQ(s[0].status_max, 3);
  EXPECT_EQ(s[0].magnitude_sum_e4, -313 + 5000 + 0 + 1235);
}

TEST(SummarizePatches, EmptyPatchesAndStrayLabels) {
  // Labels 2 and 4 have no pixels; -1 and 9 are outside 1..count and count as background.
  std::vector<std::int32_t> const labels{1, 1, 0, 3, -1, 9, 3, 0};
  auto const s = k::summarize_patches(k::backend::cpu, labels.data(), 4, 2, 4, nullptr, nullptr,
                                      nullptr, nullptr);
  ASSERT_EQ(s.size(), 4u);
  for (std::int32_t label = 1; label <= 4; ++label) EXPECT_EQ(s[label - 1].label, label);
  EXPECT_EQ(s[0].pixel_count, 2);
  EXPECT_EQ(s[2].pixel_count, 2);
  EXPECT_EQ(s[2].column_min, 2);
  EXPECT_EQ(s[2].column_max, 3);
  EXPECT_EQ(s[2].row_min, 0);
  EXPECT_EQ(s[2].row_max, 1);
  for (auto const* empty : {&s[1], &s[3]}) {
    EXPECT_EQ(empty->pixel_count, 0);
    EXPECT_EQ(empty->column_sum, 0);
    EXPECT_EQ(empty->column_min, 0);
    EXPECT_EQ(empty->column_max, 0);
    EXPECT_EQ(empty->row_min, 0);
    EXPECT_EQ(empty->row_max, 0);
    EXPECT_EQ(empty->first_date_min, k::patch_no_date);
  }
  EXPECT_TRUE(
      k::summarize_patches(k::backend::cpu, nullptr, 0, 0, 0, nullptr, nullptr, nullptr, nullptr)
          .empty());
  EXPECT_THROW(k::summarize_patches(k::backend::cpu, labels.data(), 4, 2, -1, nullptr, nullptr,
                                    nullptr, nullptr),
               geosweep::logic_error);
}

TEST(SummarizePatches, IndependentOfThreadCount) {
  thread_count_guard const guard;
  // Patches that cross strip seams: random blobs, a spiral and a serpentine spanning the raster.
  drawn_mask snake;
  snake.width = 67;
  snake.height = 45;
  for (int r = 0; r < snake.height; ++r) {
    for (int c = 0; c < snake.width; ++c) {
      bool const on = r % 2 == 0 || (r % 4 == 1 ? c == snake.width - 1 : c == 0);
      snake.pixels.push_back(on ? 1 : 0);
    }
  }
  for (auto const& m : {random_mask(257, 131, 0.55, 31), spiral(41), snake}) {
    std::vector<std::int32_t> labels(m.pixels.size());
    std::int32_t const count =
        k::label_components(k::backend::cpu, m.pixels.data(), m.width, m.height, 1, labels.data());
    pixel_attributes const a(m.pixels.size(), 32);
    auto const expected =
        summarize_reference(labels, m.width, m.height, count, a.first_date.data(),
                            a.confirmed_date.data(), a.status.data(), a.magnitude.data());
    for (int threads : {1, 3, 8, 16}) {
      k::set_cpu_threads(threads);
      expect_same_summaries(
          k::summarize_patches(k::backend::cpu, labels.data(), m.width, m.height, count,
                               a.first_date.data(), a.confirmed_date.data(), a.status.data(),
                               a.magnitude.data()),
          expected);
    }
  }
}

TEST(SummarizePatches, AnyLabellingNotOnlyConnectedOnes) {
  thread_count_guard const guard;
  // Labels scattered at random, in no raster order, some out of range: every patch crosses
  // every strip.
  int const width = 83;
  int const height = 59;
  std::int32_t const count = 40;
  std::vector<std::int32_t> labels(static_cast<std::size_t>(width) * height);
  std::mt19937 rng(5);
  for (auto& label : labels) label = static_cast<std::int32_t>(rng() % (count + 3)) - 1;
  pixel_attributes const a(labels.size(), 6);
  auto const expected =
      summarize_reference(labels, width, height, count, a.first_date.data(),
                          a.confirmed_date.data(), a.status.data(), a.magnitude.data());
  for (int threads : {1, 2, 5, 16}) {
    k::set_cpu_threads(threads);
    expect_same_summaries(k::summarize_patches(k::backend::cpu, labels.data(), width, height, count,
                                               a.first_date.data(), a.confirmed_date.data(),
                                               a.status.data(), a.magnitude.data()),
                          expected);
  }
}

TEST(ClassRowStatistics, MatchesLoop) {
  std::vector<std::uint8_t> classes(257 * 131);
  std::mt19937 rng(42);
  for (auto& v : classes) v = static_cast<std::uint8_t>(rng() % 4);
  for (std::uint8_t value : {0, 1, 3, 200}) {
    auto const rows = k::class_row_statistics(k::backend::cpu, classes.data(), 257, 131, value);
    ASSERT_EQ(rows.size(), 131u);
    for (int r = 0; r < 131; ++r) {
      std::int64_t count = 0, column_sum = 0;
      for (int c = 0; c < 257; ++c) {
        if (classes[static_cast<std::size_t>(r) * 257 + c] == value) {
          ++count;
          column_sum += c;
        }
      }
      EXPECT_EQ(rows[r].count, count) << r;
      EXPECT_EQ(rows[r].column_sum, column_sum) << r;
    }
  }
  EXPECT_TRUE(k::class_row_statistics(k::backend::cpu, nullptr, 0, 0, 1).empty());
}
