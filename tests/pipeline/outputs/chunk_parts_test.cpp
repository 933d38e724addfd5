// The part files of shared runs (outputs/chunk_parts.hpp): a chunk written by part_writer comes
// back from part_reader as the same chunk_output (every raster of every AOI tile, the clear and
// inside areas, the colour composites) and the same series windows, for chunks that touch two
// AOIs; without keep_rasters only the change rasters cross; with keep_state the detector state
// (a real one, from make_change_detector on the CPU) and the kept composites cross too.
//
// The analysis grid is 8 x 4 pixels, cut in two chunks of 4 x 4; AOI 0 covers analysis pixels
// x 0-4, y 0-2 and AOI 1 x 3-7, y 1-3, so each chunk has a part of each AOI. The tiles, in
// AOI-window pixels, are worked out by hand below. Expected rasters are the ones each test
// builds from its formulas; the detector's expected state is worked out by hand from
// kernels/detector.hpp (Welford mean and spread, then one monitoring look).
#include "outputs/chunk_parts.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "compute/change_detector.hpp"
#include "geosweep/kernels/detector.hpp"
#include "geosweep/kernels/stream.hpp"
#include "pipeline/outputs/output_fixtures.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;
namespace tt = geosweep::test_tools;

namespace {

float const nan_f = k::nodata_f32();

std::vector<std::string> const kIndices{"ndvi", "nbr"};
std::vector<std::string> const kColour{"red", "green", "blue", "nir"};
std::uint8_t const kClasses[] = {0, 1, 2, 254, 255};  // every change class

/// AOI-window tiles of each chunk's AOI parts: chunk 0 (x 0-3) meets AOI 0 at x 0-3, y 0-2 and
/// AOI 1 at x 3, y 1-3 (its column 0); chunk 1 (x 4-7) meets AOI 0 at x 4 and AOI 1 at x 4-7
/// (its columns 1-4).
std::map<std::size_t, std::vector<gp::pixel_window>> const kTiles{
    {0, {{0, 0, 4, 3}, {0, 0, 1, 3}}},
    {1, {{4, 0, 1, 3}, {1, 0, 4, 3}}},
};

class chunk_parts_test : public tt::temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    spec_ = tt::outputs_job(dir_);
    chunks_ = {{{0, 0, 4, 4}, 0, 0, {0, 1}}, {{4, 0, 4, 4}, 1, 0, {0, 1}}};
    for (char const* date : {"2023-07-01", "2023-08-01", "2024-07-01"}) {
      gp::date_group g;
      g.date = gp::parse_iso_date(date).value();
      g.monitor = date[3] == '4';
      dates_.push_back(g);
    }
    cx_.spec = &spec_;
    cx_.grid = tt::utm_grid(8, 4);
    cx_.chunks = &chunks_;
    cx_.dates = &dates_;
    cx_.bands = kColour;
    cx_.indices = kIndices;
    cx_.colour = kColour;
    cx_.causes = true;  // the spec's default: the cause evidence crosses, and its composites
    cx_.evidence = true;
    cx_.aois = {{nullptr, {0, 0, 5, 3}, nullptr}, {nullptr, {3, 1, 5, 3}, nullptr}};
  }

  /// Chunk `id` with every raster filled from a formula of the chunk, AOI and pixel.
  gp::chunk_output full_chunk(std::size_t id) const {
    gp::chunk_output out;
    out.chunk = id;
    for (std::size_t a = 0; a < 2; ++a) {
      auto const& tile = kTiles.at(id)[a];
      // The indices, the colour bands and the days of their looks.
      auto t = tt::full_tile(a, tile, gp::state_composites(kIndices, kColour, false));
      t.cause.resize(tile.pixel_count());
      float const base = static_cast<float>(id * 10 + a);
      for (std::size_t i = 0; i < tile.pixel_count(); ++i) {
        auto const fi = static_cast<float>(i);
        t.inside[i] = i % 3 == 2 ? 0 : 1;
        t.change[i] = kClasses[(i + a) % 5];
        t.cause[i] = static_cast<std::uint8_t>((i + 2 * a) % 9);  // every evidence class
        t.first_date[i] = i % 2 == 0 ? 19800 + static_cast<int>(i + 100 * id) : k::no_date;
        t.confirmed_date[i] = i % 4 == 1 ? 19900 + static_cast<int>(i) : k::no_date;
        t.magnitude[i] = i % 2 == 0 ? 0.25f + 0.01f * fi : nan_f;
        t.baseline[i] = 0.5f + 0.001f * fi + base;
        t.clear_count[i] = static_cast<std::uint16_t>(10 * a + i);
        for (int p = 0; p < 2; ++p) {
          float offset = 0.0f;
          for (auto& [name, values] : t.latest[p]) {
            values[i] = (i + p) % 5 == 4 ? nan_f : base + p + offset + 0.0001f * fi;
            offset += 0.1f;
          }
        }
      }
      t.clear_m2 = {100.0 * (a + 1) + id, 250.5, 0.0};
      t.inside_m2 = 1234.5 + 10.0 * a + id;
      t.forest_m2 = 987.25 + 10.0 * a + id;
      out.aois.push_back(std::move(t));
    }
    return out;
  }

  /// The series windows of chunk `id`: each date's change index over each AOI part.
  std::vector<gp::series_window> series_of(std::size_t id) const {
    std::vector<gp::series_window> out;
    for (std::size_t a = 0; a < 2; ++a) {
      for (std::size_t d = 0; d < dates_.size(); ++d) {
        gp::series_window w;
        w.chunk = id;
        w.aoi = a;
        w.date = d;
        w.tile = kTiles.at(id)[a];
        for (std::size_t i = 0; i < w.tile.pixel_count(); ++i)
          w.values.push_back((i + d) % 4 == 0 ? nan_f : 0.1f * d + 0.01f * i + a);
        out.push_back(std::move(w));
      }
    }
    return out;
  }

  gp::job_spec spec_;
  std::vector<gp::grid_chunk> chunks_;
  std::vector<gp::date_group> dates_;
  gp::chunk_context cx_;
};

/// Every raster of every AOI tile of `got` equals `expected`.
void expect_same_tiles(gp::chunk_output const& expected, gp::chunk_output const& got) {
  EXPECT_EQ(got.chunk, expected.chunk);
  ASSERT_EQ(got.aois.size(), expected.aois.size());
  for (std::size_t t = 0; t < expected.aois.size(); ++t) {
    SCOPED_TRACE("tile " + std::to_string(t));
    auto const& e = expected.aois[t];
    auto const& g = got.aois[t];
    EXPECT_EQ(g.aoi, e.aoi);
    EXPECT_EQ(g.tile.x_offset, e.tile.x_offset);
    EXPECT_EQ(g.tile.y_offset, e.tile.y_offset);
    EXPECT_EQ(g.tile.width, e.tile.width);
    EXPECT_EQ(g.tile.height, e.tile.height);
    EXPECT_EQ(g.inside, e.inside);
    EXPECT_EQ(g.change, e.change);
    EXPECT_EQ(g.cause, e.cause);
    EXPECT_EQ(g.first_date, e.first_date);
    EXPECT_EQ(g.confirmed_date, e.confirmed_date);
    EXPECT_TRUE(tt::same_floats(g.magnitude, e.magnitude));
    EXPECT_TRUE(tt::same_floats(g.baseline, e.baseline));
    EXPECT_EQ(g.clear_count, e.clear_count);
    for (int p = 0; p < 2; ++p) {
      ASSERT_EQ(g.latest[p].size(), e.latest[p].size()) << "period " << p;
      for (auto const& [name, values] : e.latest[p]) {
        ASSERT_TRUE(g.latest[p].count(name)) << name << " of period " << p;
        EXPECT_TRUE(tt::same_floats(g.latest[p].at(name), values)) << name << " of period " << p;
      }
    }
    EXPECT_EQ(g.clear_m2, e.clear_m2);
    EXPECT_EQ(g.inside_m2, e.inside_m2);
    EXPECT_EQ(g.forest_m2, e.forest_m2);
  }
}

}  // namespace

TEST_F(chunk_parts_test, tiles_of_the_test_layout_are_the_intersections) {
  // The hand-made tiles are what the chunk and AOI windows give: a sanity check of the layout
  // (analysis x 4 is AOI 0's x 4 and AOI 1's x 1).
  for (std::size_t id = 0; id < 2; ++id) {
    for (std::size_t a = 0; a < 2; ++a) {
      auto const part = chunks_[id].window.intersect(cx_.aois[a].window);
      auto const& tile = kTiles.at(id)[a];
      EXPECT_EQ(part.x_offset - cx_.aois[a].window.x_offset, tile.x_offset);
      EXPECT_EQ(part.width, tile.width);
      EXPECT_EQ(part.height, tile.height);
    }
  }
}

TEST_F(chunk_parts_test, a_chunk_touching_two_aois_round_trips) {
  fs::path const path = dir_ / "part.h5";
  auto const chunk0 = full_chunk(0);
  auto const chunk1 = full_chunk(1);
  {
    gp::part_writer part(path, cx_);
    part.write(chunk1);  // chunks in any order, as a worker claims them
    part.write(chunk0);
    EXPECT_FALSE(fs::exists(path));
    part.commit();
  }
  ASSERT_TRUE(fs::exists(path));
  gp::part_reader part(path, cx_);
  EXPECT_TRUE(part.has_chunk(0));
  EXPECT_TRUE(part.has_chunk(1));
  EXPECT_FALSE(part.has_chunk(2));
  auto const back1 = part.read_chunk(1);
  expect_same_tiles(chunk1, back1);
  expect_same_tiles(chunk0, part.read_chunk(0));
  // The colour composites are among the looks: spot-check one value by its formula (chunk 1,
  // AOI 1, "nir" is the 8th look in name order blue, colour_date, green, nbr, nbr_date, ndvi,
  // ndvi_date, nir, red: offset 0.7; base 11, period 1, pixel 2: 11 + 1 + 0.7 + 0.0002).
  EXPECT_FLOAT_EQ(back1.aois[1].latest[1].at("nir")[2], 11.0f + 1.0f + 0.7f + 0.0002f);
  EXPECT_EQ(back1.aois[1].inside_m2, 1245.5);
  EXPECT_EQ(back1.aois[0].clear_m2, (std::vector<double>{101.0, 250.5, 0.0}));
  EXPECT_FALSE(back1.state);
  EXPECT_TRUE(back1.kept.empty());
}

TEST_F(chunk_parts_test, series_windows_round_trip_by_aoi_then_date) {
  fs::path const path = dir_ / "part.h5";
  auto const series = series_of(1);
  {
    gp::part_writer part(path, cx_);
    // process_chunks hands them out date by date, each date's AOIs in turn.
    for (std::size_t d = 0; d < 3; ++d)
      for (std::size_t a = 0; a < 2; ++a) part.write(series[a * 3 + d]);
    part.write(full_chunk(1));
    part.commit();
  }
  gp::part_reader part(path, cx_);
  auto const back = part.read_series(1);
  ASSERT_EQ(back.size(), 6u);
  for (std::size_t i = 0; i < back.size(); ++i) {
    SCOPED_TRACE("window " + std::to_string(i));
    EXPECT_EQ(back[i].chunk, 1u);
    EXPECT_EQ(back[i].aoi, i / 3);
    EXPECT_EQ(back[i].date, i % 3);
    EXPECT_EQ(back[i].tile.x_offset, series[i].tile.x_offset);
    EXPECT_EQ(back[i].tile.width, series[i].tile.width);
    EXPECT_EQ(back[i].tile.height, series[i].tile.height);
    EXPECT_TRUE(tt::same_floats(back[i].values, series[i].values));
  }
  // AOI 1 of chunk 1 is 4 x 3: date 2, pixel 5 is 0.2 + 0.05 + 1.
  EXPECT_FLOAT_EQ(back[5].values[5], 0.1f * 2 + 0.01f * 5 + 1);
  EXPECT_TRUE(std::isnan(back[5].values[2]));  // (2 + 2) % 4 == 0
}

TEST_F(chunk_parts_test, without_rasters_only_the_change_rasters_cross) {
  cx_.keep_rasters = false;
  // What process_chunks makes without rasters: no baseline, clear count or looks.
  auto chunk = full_chunk(1);
  for (auto& t : chunk.aois) {
    t.baseline.clear();
    t.clear_count.clear();
    t.latest[0].clear();
    t.latest[1].clear();
  }
  fs::path const path = dir_ / "part.h5";
  {
    gp::part_writer part(path, cx_);
    part.write(chunk);
    part.commit();
  }
  gp::part_reader part(path, cx_);
  auto const back = part.read_chunk(1);
  expect_same_tiles(chunk, back);
  for (auto const& t : back.aois) {
    EXPECT_EQ(t.change.size(), t.tile.pixel_count());
    EXPECT_EQ(t.cause.size(), t.tile.pixel_count());  // the alerts' causes need it
    EXPECT_EQ(t.first_date.size(), t.tile.pixel_count());
    EXPECT_EQ(t.confirmed_date.size(), t.tile.pixel_count());
    EXPECT_EQ(t.magnitude.size(), t.tile.pixel_count());
    EXPECT_TRUE(t.baseline.empty());
    EXPECT_TRUE(t.clear_count.empty());
    EXPECT_TRUE(t.latest[0].empty());
    EXPECT_TRUE(t.latest[1].empty());
  }
  // Nor are they in the file.
  gp::state_reader file(path);
  EXPECT_TRUE(file.has(1, "aoi_0/change"));
  EXPECT_FALSE(file.has(1, "aoi_0/clear_count"));
  EXPECT_FALSE(file.has(1, "aoi_1/ndvi_before"));
  EXPECT_FALSE(file.has(1, "aoi_1/composite/after/red"));
}

TEST_F(chunk_parts_test, with_state_the_detector_state_and_kept_composites_cross) {
  cx_.keep_state = true;
  // A baseline detector over chunk 1's 16 pixels: two clear baseline looks (0.8 except pixel 3,
  // cloudy; then 0.9), one monitoring look on 2024-07-01 (day 19905): 0.3 on pixels 0-7, 0.85
  // on 8-14, cloudy on 15.
  std::size_t const n = 16;
  k::stream s(k::backend::cpu);
  auto detector = gp::make_change_detector(spec_.change, n, s);
  std::vector<float> look(n, 0.8f);
  look[3] = nan_f;
  detector->observe_baseline(dates_[0].date, look.data());
  look.assign(n, 0.9f);
  detector->observe_baseline(dates_[1].date, look.data());
  look.assign(n, 0.85f);
  for (std::size_t i = 0; i < 8; ++i) look[i] = 0.3f;
  look[15] = nan_f;
  detector->observe_monitor(dates_[2].date, look.data());
  s.synchronize();

  auto chunk = full_chunk(1);
  chunk.state = detector->save();
  for (int p = 0; p < 2; ++p) {
    for (auto const& name : gp::state_composites(kIndices, kColour, true)) {
      std::vector<float> values(n);
      for (std::size_t i = 0; i < n; ++i) values[i] = static_cast<float>(p * 100 + i) / 64.0f;
      values[p] = nan_f;
      chunk.kept[gp::composite_name(p, name)] = values;
    }
  }
  // 2 indices and the days of their looks, 4 colour bands and the day of theirs, 5 evidence
  // layers, x 2 periods.
  ASSERT_EQ(chunk.kept.size(), 28u);

  fs::path const path = dir_ / "part.h5";
  {
    gp::part_writer part(path, cx_);
    part.write(chunk);
    part.commit();
  }
  gp::part_reader part(path, cx_);
  auto const back = part.read_chunk(1);
  expect_same_tiles(chunk, back);
  ASSERT_TRUE(back.state);
  EXPECT_EQ(back.state->size(), n);
  ASSERT_EQ(back.kept.size(), 28u);
  for (auto const& [name, values] : chunk.kept) {
    ASSERT_TRUE(back.kept.count(name)) << name;
    EXPECT_TRUE(tt::same_floats(back.kept.at(name), values)) << name;
  }
  EXPECT_EQ(back.kept.at("composite/after/nir")[5], 105.0f / 64.0f);

  // The state read back, through a state file of its own.
  fs::path const check = dir_ / "check.h5";
  {
    gp::state_writer out(check, {});
    gp::write_chunk_state(out, 1, {0, 0, 16, 1}, *back.state, {});
    out.commit();
  }
  std::vector<k::pixel_state> pixels;
  gp::state_reader(check).read(1, {0, 0, 16, 1}, "detector/state", pixels);
  ASSERT_EQ(pixels.size(), n);
  // Pixel 0: mean (0.8 + 0.9) / 2, M2 0.1 x (0.9 - 0.85); 0.3 falls 0.55 >= 0.25 and >= 3 sd
  // (sd 0.0707): a low-confidence candidate dated 19905.
  EXPECT_EQ(pixels[0].baseline_count, 2);
  EXPECT_NEAR(pixels[0].baseline_mean, 0.85f, 1e-6);
  EXPECT_NEAR(pixels[0].baseline_m2, 0.005f, 1e-6);
  EXPECT_EQ(pixels[0].clear_count, 1);
  EXPECT_EQ(pixels[0].status, k::status_low);
  EXPECT_EQ(pixels[0].first_anomaly, 19905);
  EXPECT_EQ(pixels[0].confirmed, k::no_date);
  EXPECT_EQ(pixels[0].anomaly_count, 1);
  EXPECT_NEAR(pixels[0].magnitude_sum, 0.55f, 1e-6);
  // Pixel 3: one clear baseline look (0.9), then the same drop (0.6).
  EXPECT_EQ(pixels[3].baseline_count, 1);
  EXPECT_NEAR(pixels[3].baseline_mean, 0.9f, 1e-6);
  EXPECT_EQ(pixels[3].status, k::status_low);
  EXPECT_NEAR(pixels[3].magnitude_sum, 0.6f, 1e-6);
  // Pixel 8: a normal look; pixel 15: no clear monitoring look.
  EXPECT_EQ(pixels[8].status, k::status_none);
  EXPECT_EQ(pixels[8].clear_count, 1);
  EXPECT_EQ(pixels[8].first_anomaly, k::no_date);
  EXPECT_EQ(pixels[15].clear_count, 0);
  EXPECT_EQ(pixels[15].baseline_count, 2);
}

TEST_F(chunk_parts_test, with_state_a_bitemporal_state_crosses) {
  spec_ = tt::outputs_job(dir_, "bitemporal");
  cx_.keep_state = true;
  std::size_t const n = 16;
  k::stream s(k::backend::cpu);
  auto detector = gp::make_change_detector(spec_.change, n, s);
  std::vector<float> look(n, 0.8f);
  look[1] = nan_f;  // pixel 1 keeps no baseline look
  detector->observe_baseline(dates_[0].date, look.data());
  look.assign(n, 0.4f);
  look[2] = nan_f;  // pixel 2 keeps no monitoring look
  detector->observe_monitor(dates_[2].date, look.data());
  s.synchronize();
  auto chunk = full_chunk(1);
  chunk.state = detector->save();
  for (int p = 0; p < 2; ++p) {
    for (auto const& name : gp::state_composites(kIndices, kColour, true))
      chunk.kept[gp::composite_name(p, name)].assign(n, 0.5f);
  }
  fs::path const path = dir_ / "part.h5";
  {
    gp::part_writer part(path, cx_);
    part.write(chunk);
    part.commit();
  }
  auto const back = gp::part_reader(path, cx_).read_chunk(1);
  ASSERT_TRUE(back.state);
  fs::path const check = dir_ / "check.h5";
  {
    gp::state_writer out(check, {});
    back.state->write(out, 1, {0, 0, 16, 1});
    out.commit();
  }
  gp::state_reader in(check);
  std::vector<float> before, after;
  std::vector<std::int32_t> after_date;
  std::vector<std::uint16_t> clear_looks;
  in.read(1, {0, 0, 16, 1}, "detector/before", before);
  in.read(1, {0, 0, 16, 1}, "detector/after", after);
  in.read(1, {0, 0, 16, 1}, "detector/after_date", after_date);
  in.read(1, {0, 0, 16, 1}, "detector/clear_looks", clear_looks);
  EXPECT_EQ(before[0], 0.8f);
  EXPECT_TRUE(std::isnan(before[1]));
  EXPECT_EQ(after[0], 0.4f);
  EXPECT_TRUE(std::isnan(after[2]));
  EXPECT_EQ(after_date[0], 19905);
  EXPECT_EQ(after_date[2], k::no_date);
  EXPECT_EQ(clear_looks[0], 1);
  EXPECT_EQ(clear_looks[2], 0);
}

TEST_F(chunk_parts_test, an_uncommitted_part_leaves_nothing) {
  fs::path const path = dir_ / "part.h5";
  {
    gp::part_writer part(path, cx_);
    part.write(full_chunk(0));
  }
  EXPECT_TRUE(tt::file_names(dir_).empty());
}
