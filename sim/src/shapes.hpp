#pragma once
/// \file
/// Internal to geosweep_sim: the star-shaped blobs every planted patch and cloud is drawn as,
/// and the erosion that keeps them off edges (events.cpp, series.cpp).

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "simulator.hpp"

namespace geosweep::sim::detail {

// ---------------------------------------------------------------------------------------
// Shapes.

/// A star-shaped blob: radius(theta) = r * (1 + sum_k a_k cos(k theta + phi_k)), k = 2..4.
struct star_shape {
  double cx = 0, cy = 0;  // pixel coordinates of the centre
  double r = 1;
  std::array<double, 3> amp{};
  std::array<double, 3> phase{};

  [[nodiscard]] double radius(double theta) const {
    double f = 1.0;
    for (int k = 0; k < 3; ++k) f += amp[k] * std::cos((k + 2) * theta + phase[k]);
    return r * f;
  }
  [[nodiscard]] double max_radius() const {
    return r * (1.0 + std::abs(amp[0]) + std::abs(amp[1]) + std::abs(amp[2]));
  }
  /// Distance of pixel centre (col, row) relative to the boundary in that direction:
  /// <= 1 inside.
  [[nodiscard]] double relative_distance(int col, int row) const {
    double const dx = col + 0.5 - cx;
    double const dy = row + 0.5 - cy;
    double const d = std::sqrt(dx * dx + dy * dy);
    if (d == 0.0) return 0.0;
    return d / radius(std::atan2(dy, dx));
  }
};

inline star_shape random_star(random_stream& rng, double cx, double cy, double area_px,
                              double irregularity) {
  star_shape s;
  s.cx = cx;
  s.cy = cy;
  double sum_sq = 0;
  for (int k = 0; k < 3; ++k) {
    s.amp[k] = rng.uniform(0.0, irregularity / (k + 1));
    s.phase[k] = rng.uniform(0.0, 2.0 * pi);
    sum_sq += s.amp[k] * s.amp[k];
  }
  // Area of the star: pi r^2 (1 + sum a_k^2 / 2).
  s.r = std::sqrt(area_px / (pi * (1.0 + sum_sq / 2.0)));
  return s;
}

/// Pixels (row-major indices) whose centre is inside the shape, clipped to the grid.
inline std::vector<std::size_t> star_pixels(star_shape const& s, int width, int height) {
  std::vector<std::size_t> out;
  double const rm = s.max_radius() + 1.0;
  int const r0 = std::max(0, static_cast<int>(std::floor(s.cy - rm)));
  int const r1 = std::min(height - 1, static_cast<int>(std::ceil(s.cy + rm)));
  int const c0 = std::max(0, static_cast<int>(std::floor(s.cx - rm)));
  int const c1 = std::min(width - 1, static_cast<int>(std::ceil(s.cx + rm)));
  for (int row = r0; row <= r1; ++row)
    for (int col = c0; col <= c1; ++col)
      if (s.relative_distance(col, row) <= 1.0)
        out.push_back(static_cast<std::size_t>(row) * width + col);
  return out;
}

/// Erosion of a 0/1 mask by a (2m+1)^2 square: 1 where every pixel within Chebyshev distance
/// m is 1 (outside the grid counts as 0).
inline std::vector<std::uint8_t> erode(std::vector<std::uint8_t> const& mask, int width, int height,
                                       int m) {
  std::vector<std::uint8_t> tmp(mask.size()), out(mask.size());
  for (int row = 0; row < height; ++row) {
    std::uint8_t const* in = &mask[static_cast<std::size_t>(row) * width];
    // run length of ones ending at / starting at each pixel
    std::vector<int> left(width), right(width);
    for (int c = 0; c < width; ++c) left[c] = in[c] ? (c > 0 ? left[c - 1] : 0) + 1 : 0;
    for (int c = width - 1; c >= 0; --c)
      right[c] = in[c] ? (c + 1 < width ? right[c + 1] : 0) + 1 : 0;
    for (int c = 0; c < width; ++c)
      tmp[static_cast<std::size_t>(row) * width + c] = left[c] > m && right[c] > m;
  }
  for (int col = 0; col < width; ++col) {
    std::vector<int> up(height), down(height);
    for (int r = 0; r < height; ++r) {
      bool const v = tmp[static_cast<std::size_t>(r) * width + col] != 0;
      up[r] = v ? (r > 0 ? up[r - 1] : 0) + 1 : 0;
    }
    for (int r = height - 1; r >= 0; --r) {
      bool const v = tmp[static_cast<std::size_t>(r) * width + col] != 0;
      down[r] = v ? (r + 1 < height ? down[r + 1] : 0) + 1 : 0;
    }
    for (int r = 0; r < height; ++r)
      out[static_cast<std::size_t>(r) * width + col] = up[r] > m && down[r] > m;
  }
  return out;
}

}  // namespace geosweep::sim::detail
