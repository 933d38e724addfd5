#pragma once
/// \file
/// What the patch stitcher's tests share: AOI windows drawn by hand as text on a 10 m UTM grid
/// (EPSG:32720, origin 600000 E 8950000 N, so every pixel is 100 m^2 = 0.01 ha), cut into tiles
/// and stitched in any order. Used by patch_stitcher_joins_test.cpp and
/// patch_stitcher_alerts_test.cpp as `using namespace geosweep::test_tools;`.

#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "geosweep/kernels/backend.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "patches/patch_stitcher.hpp"
#include "tools/wkt.hpp"

namespace geosweep::test_tools {

inline double const origin_x = 600000.0;
inline double const origin_y = 8950000.0;
inline double const pixel_m = 10.0;
inline std::string const aoi_name = "aoi";

/// Days since 1970-01-01 of a calendar date (std::chrono, not the pipeline's civil_date.cpp).
inline std::int32_t day_of(std::chrono::year_month_day d) {
  return static_cast<std::int32_t>(std::chrono::sys_days{d}.time_since_epoch().count());
}

// Every changed pixel is first seen on day0 and every high one confirmed on confirm_day, unless
// a test sets other dates.
inline std::int32_t const day0 = day_of(std::chrono::year{2024} / 6 / 1);
inline std::int32_t const confirm_day = day_of(std::chrono::year{2024} / 6 / 11);

/// An AOI window drawn as text, one string a row: '.' no change, 'l' low, 'h' high, 'g' grown
/// (a weaker fall, no date of its own), '#' outside the AOI. Low pixels have magnitude 0.25,
/// high ones 0.5, grown ones 0.125.
struct aoi_picture {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> change;
  std::vector<std::int32_t> first_date;
  std::vector<std::int32_t> confirmed_date;
  std::vector<float> magnitude;

  [[nodiscard]] std::size_t at(int column, int row) const {
    return static_cast<std::size_t>(row) * static_cast<std::size_t>(width) +
           static_cast<std::size_t>(column);
  }
  /// Sets the dates of pixel (column, row).
  void set_dates(int column, int row, std::int32_t first, std::int32_t confirmed) {
    first_date[at(column, row)] = first;
    confirmed_date[at(column, row)] = confirmed;
  }
};

inline aoi_picture draw(std::vector<std::string> const& rows) {
  aoi_picture p;
  p.height = static_cast<int>(rows.size());
  p.width = static_cast<int>(rows.front().size());
  for (auto const& line : rows) {
    EXPECT_EQ(static_cast<int>(line.size()), p.width) << "ragged picture";
    for (char c : line) {
      std::uint8_t cls = kernels::change_none;
      std::int32_t first = kernels::no_date, confirmed = kernels::no_date;
      float magnitude = 0.0f;
      if (c == 'l') {
        cls = kernels::change_low;
        first = day0;
        magnitude = 0.25f;
      } else if (c == 'h') {
        cls = kernels::change_high;
        first = day0;
        confirmed = confirm_day;
        magnitude = 0.5f;
      } else if (c == 'g') {
        cls = kernels::change_grown;
        magnitude = 0.125f;
      } else if (c == '#') {
        cls = kernels::change_outside_aoi;
      } else {
        EXPECT_EQ(c, '.') << "unknown pixel in a picture";
      }
      p.change.push_back(cls);
      p.first_date.push_back(first);
      p.confirmed_date.push_back(confirmed);
      p.magnitude.push_back(magnitude);
    }
  }
  return p;
}

/// The AOI window as a grid: EPSG:32720, 10 m pixels.
inline pipeline::raster_grid grid_of(aoi_picture const& p) {
  static std::string const wkt = wkt_of(32720);
  return {wkt, {origin_x, pixel_m, 0, origin_y, 0, -pixel_m}, p.width, p.height};
}

/// One tile of the AOI window, its place (column, row) in the chunk layout and its rasters.
struct tile_input {
  pipeline::pixel_window window;
  int column = 0;
  int row = 0;
  std::vector<std::uint8_t> change;
  std::vector<std::int32_t> first_date, confirmed_date;
  std::vector<float> magnitude;
};

/// Cuts the picture into tiles at the given column and row boundaries (increasing, inside the
/// window), in raster order of the layout.
inline std::vector<tile_input> cut(aoi_picture const& p, std::vector<int> const& x_splits,
                                   std::vector<int> const& y_splits) {
  std::vector<int> xs{0}, ys{0};
  xs.insert(xs.end(), x_splits.begin(), x_splits.end());
  ys.insert(ys.end(), y_splits.begin(), y_splits.end());
  xs.push_back(p.width);
  ys.push_back(p.height);
  std::vector<tile_input> tiles;
  for (std::size_t tr = 0; tr + 1 < ys.size(); ++tr) {
    for (std::size_t tc = 0; tc + 1 < xs.size(); ++tc) {
      tile_input t;
      t.window = {xs[tc], ys[tr], xs[tc + 1] - xs[tc], ys[tr + 1] - ys[tr]};
      t.column = static_cast<int>(tc);
      t.row = static_cast<int>(tr);
      for (int r = t.window.y_offset; r < t.window.y_offset + t.window.height; ++r) {
        for (int c = t.window.x_offset; c < t.window.x_offset + t.window.width; ++c) {
          t.change.push_back(p.change[p.at(c, r)]);
          t.first_date.push_back(p.first_date[p.at(c, r)]);
          t.confirmed_date.push_back(p.confirmed_date[p.at(c, r)]);
          t.magnitude.push_back(p.magnitude[p.at(c, r)]);
        }
      }
      tiles.push_back(std::move(t));
    }
  }
  return tiles;
}

/// What a stitch gives: the patches, and the provisional and final label of every AOI pixel.
struct stitched {
  std::vector<pipeline::change_patch> patches;
  std::vector<std::int32_t> provisional;
  std::vector<std::int32_t> labels;
};

/// Adds `tiles` in the order `order` (indices into tiles; all of them in layout order when
/// empty), finishes with `min_area_ha` and maps every provisional id with final_label. Row
/// areas are all 100 m^2 unless `row_areas` is given.
inline stitched stitch(aoi_picture const& p, std::vector<tile_input> const& tiles,
                       double min_area_ha, std::vector<std::size_t> order = {},
                       std::vector<double> row_areas = {}) {
  if (order.empty()) {
    for (std::size_t i = 0; i < tiles.size(); ++i) order.push_back(i);
  }
  if (row_areas.empty()) row_areas.assign(static_cast<std::size_t>(p.height), 100.0);
  pipeline::patch_stitcher stitcher(aoi_name, grid_of(p), row_areas);
  stitched out;
  out.provisional.assign(p.change.size(), -1);
  for (std::size_t i : order) {
    tile_input const& t = tiles[i];
    auto const ids = stitcher.add_tile(t.window, t.column, t.row, t.change, t.first_date,
                                       t.confirmed_date, t.magnitude, kernels::backend::cpu);
    EXPECT_EQ(ids.size(), t.window.pixel_count());
    for (int r = 0; r < t.window.height; ++r) {
      for (int c = 0; c < t.window.width; ++c) {
        out.provisional[p.at(c + t.window.x_offset, r + t.window.y_offset)] =
            ids[static_cast<std::size_t>(r) * static_cast<std::size_t>(t.window.width) +
                static_cast<std::size_t>(c)];
      }
    }
  }
  out.patches = stitcher.finish(min_area_ha);
  for (std::int32_t id : out.provisional) out.labels.push_back(stitcher.final_label(id));
  return out;
}

/// Final labels as a picture: '.' for 0, else the label's digit.
inline std::vector<std::string> label_picture(stitched const& s, int width) {
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < s.labels.size(); ++i) {
    if (i % static_cast<std::size_t>(width) == 0) rows.emplace_back();
    std::int32_t const label = s.labels[i];
    rows.back().push_back(label == 0 ? '.' : label < 10 ? static_cast<char>('0' + label) : '+');
  }
  return rows;
}

}  // namespace geosweep::test_tools
