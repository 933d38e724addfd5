// Both change detectors on four pixels of hand-made index series (CPU backend): the classes,
// dates, magnitudes and counts each method gives, worked out by hand from docs/detector.md;
// and a detector saved to a state file after some dates, restored into a new one and fed the
// rest ends exactly as one that saw every date (what monitoring does from night to night).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>

#include "compute/change_detector.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/kernels/hd.hpp"
#include "geosweep/kernels/stream.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;
namespace fs = std::filesystem;

namespace {

float const nan = k::nodata_f32();
constexpr std::size_t kPixels = 4;

gp::civil_date day(int d) {
  return gp::from_days_since_epoch(d);
}

/// Index rasters of four pixels on three baseline dates (days 100, 110, 120) and three
/// monitoring dates (days 400, 410, 420).
struct series {
  std::vector<std::array<float, kPixels>> baseline, monitor;
};

series sample() {
  series s;
  //            forest, loses  forest, 0.2 less  not forest   cloudy monitoring but the last
  s.baseline = {{0.8f, 0.7f, 0.5f, 0.8f}, {0.8f, 0.7f, 0.5f, 0.8f}, {0.8f, 0.7f, 0.5f, nan}};
  s.monitor = {{0.4f, 0.5f, 0.1f, nan}, {0.45f, 0.5f, 0.1f, nan}, {nan, 0.5f, 0.1f, 0.3f}};
  return s;
}

struct detector_run {
  k::stream stream{k::backend::cpu};
  std::unique_ptr<gp::change_detector> detector;
  detector_run(gp::change_spec const& change) {
    detector = gp::make_change_detector(change, kPixels, stream);
  }
  /// Feeds dates [first, last) of the baseline then the monitoring period (0..5).
  void feed(series const& s, int first, int last) {
    for (int d = first; d < last; ++d) {
      if (d < 3)
        detector->observe_baseline(day(100 + 10 * d), s.baseline[d].data());
      else
        detector->observe_monitor(day(400 + 10 * (d - 3)), s.monitor[d - 3].data());
    }
  }
  /// The results once every date was fed; the latest clear monitoring look comes from the
  /// series itself (the pipeline keeps it as a composite).
  gp::detection_rasters finish(std::vector<std::uint8_t> const& zones) const {
    auto const s = sample();
    std::vector<float> latest(kPixels, nan);
    for (auto const& look : s.monitor)
      for (std::size_t i = 0; i < kPixels; ++i)
        if (!std::isnan(look[i])) latest[i] = look[i];
    return detector->finish({zones.data()}, latest.data()).at(0);
  }
};

gp::change_spec method(gp::change_method m) {
  gp::change_spec c;
  c.method = m;
  c.drop = 0.25;
  c.forest_min = 0.6;
  c.k_sigma = 3.0;
  c.confirm = 2;
  c.window_days = 90;
  c.grow = 0.0;  // seeds only (the growth tests below set it)
  return c;
}

void expect_same(gp::detection_rasters const& a, gp::detection_rasters const& b) {
  EXPECT_EQ(a.change, b.change);
  EXPECT_EQ(a.first_date, b.first_date);
  EXPECT_EQ(a.confirmed_date, b.confirmed_date);
  EXPECT_EQ(a.clear_count, b.clear_count);
  ASSERT_EQ(a.magnitude.size(), b.magnitude.size());
  for (std::size_t i = 0; i < a.magnitude.size(); ++i) {
    if (std::isnan(a.magnitude[i]))
      EXPECT_TRUE(std::isnan(b.magnitude[i])) << i;
    else
      EXPECT_EQ(a.magnitude[i], b.magnitude[i]) << i;  // bit for bit
    if (std::isnan(a.baseline_mean[i]))
      EXPECT_TRUE(std::isnan(b.baseline_mean[i])) << i;
    else
      EXPECT_EQ(a.baseline_mean[i], b.baseline_mean[i]) << i;
  }
}

/// Runs dates [0, split), saves, restores into a new detector, runs [split, 6).
gp::detection_rasters interrupted(gp::change_spec const& change, int split,
                                  std::vector<std::uint8_t> const& inside) {
  fs::path const file =
      fs::temp_directory_path() / ("geosweep_detector_" + std::to_string(::getpid()) + ".h5");
  gp::pixel_window const window{0, 0, static_cast<int>(kPixels), 1};
  {
    detector_run first(change);
    first.feed(sample(), 0, split);
    auto const state = first.detector->save();
    EXPECT_EQ(state->size(), kPixels);
    gp::state_writer out(file, {{"run", "1"}});
    state->write(out, 7, window);
    out.commit();
  }
  gp::state_reader in(file);
  EXPECT_EQ(gp::read_detector_state(in, 7, window, change.method)->size(), kPixels);
  detector_run second(change);
  second.detector->restore(in, 7, window);
  second.feed(sample(), split, 6);
  fs::remove(file);
  return second.finish(inside);
}

std::vector<std::uint8_t> const kInside{1, 1, 1, 1};

}  // namespace

TEST(BaselineDetector, FlagsConfirmsAndDatesTheLossByHand) {
  detector_run run(method(gp::change_method::baseline));
  run.feed(sample(), 0, 6);
  auto const r = run.finish(kInside);
  // Pixel 0: mean 0.8, spread 0; falls 0.4 on day 400 (a candidate) and 0.35 on day 410
  // (the second anomaly confirms it), then a clear look that changes nothing: confirmed.
  EXPECT_EQ(r.change, (std::vector<std::uint8_t>{k::change_high, k::change_none, k::change_none,
                                                 k::change_low}));
  EXPECT_EQ(r.first_date[0], 400);
  EXPECT_EQ(r.confirmed_date[0], 410);
  EXPECT_FLOAT_EQ(r.magnitude[0], (0.4f + 0.35f) / 2);
  EXPECT_FLOAT_EQ(r.baseline_mean[0], 0.8f);
  // Pixel 1 falls 0.2 < drop; pixel 2 (0.5) was never forest: no change, no dates.
  EXPECT_EQ(r.first_date[1], k::no_date);
  EXPECT_EQ(r.first_date[2], k::no_date);
  EXPECT_TRUE(std::isnan(r.magnitude[1]));
  // Pixel 3: two clear baseline looks (mean 0.8), one clear monitoring look (0.3): a candidate
  // on day 420, not confirmed.
  EXPECT_EQ(r.first_date[3], 420);
  EXPECT_EQ(r.confirmed_date[3], k::no_date);
  EXPECT_FLOAT_EQ(r.magnitude[3], 0.5f);
  EXPECT_EQ(r.clear_count, (std::vector<std::uint16_t>{2, 3, 3, 1}));
  // Outside the AOI.
  auto const outside = run.finish({1, 0, 1, 1});
  EXPECT_EQ(outside.change[1], k::change_outside_aoi);
}

TEST(BitemporalDetector, ComparesTheLatestClearLookOfEachPeriodByHand) {
  detector_run run(method(gp::change_method::bitemporal));
  run.feed(sample(), 0, 6);
  auto const r = run.finish(kInside);
  // Pixel 0: before 0.8 (day 120), after 0.45 (day 410: day 420 is cloudy): fell 0.35.
  // Pixel 3: before 0.8 (day 110: day 120 is cloudy), after 0.3 (day 420): fell 0.5.
  EXPECT_EQ(r.change, (std::vector<std::uint8_t>{k::change_high, k::change_none, k::change_none,
                                                 k::change_high}));
  EXPECT_EQ(r.first_date, (std::vector<std::int32_t>{410, k::no_date, k::no_date, 420}));
  EXPECT_EQ(r.confirmed_date, r.first_date);
  EXPECT_FLOAT_EQ(r.magnitude[0], 0.8f - 0.45f);
  EXPECT_FLOAT_EQ(r.magnitude[3], 0.8f - 0.3f);
  EXPECT_TRUE(std::isnan(r.magnitude[1]));
  EXPECT_EQ(r.baseline_mean, (std::vector<float>{0.8f, 0.7f, 0.5f, 0.8f}));
  EXPECT_EQ(r.clear_count, (std::vector<std::uint16_t>{2, 3, 3, 1}));
}

TEST(BaselineDetector, GrowsIntoWeakerFallsAndKeepsSeedsOutOfTheEdgeZone) {
  auto change = method(gp::change_method::baseline);
  change.grow = 0.4;  // a weaker fall: 0.4 * 0.25 = 0.1, and 0.4 * 3 = 1.2 std devs
  detector_run run(change);
  run.feed(sample(), 0, 6);
  auto const r = run.finish(kInside);
  // Pixel 1: mean 0.7 with no spread, latest look 0.5: fell 0.2 >= 0.1, never anomalous (0.2 <
  // drop), so grown, with the fall of that look as magnitude and no date of its own.
  // Pixel 2 fell 0.4 but was never forest (0.5 < 0.6): no growth.
  EXPECT_EQ(r.change, (std::vector<std::uint8_t>{k::change_high, k::change_grown, k::change_none,
                                                 k::change_low}));
  EXPECT_FLOAT_EQ(r.magnitude[1], 0.2f);
  EXPECT_EQ(r.first_date[1], k::no_date);
  EXPECT_TRUE(std::isnan(r.magnitude[2]));
  // A weaker fall of 0.21 (grow 0.84) is more than pixel 1's 0.2: no growth.
  change.grow = 0.84;
  detector_run strict(change);
  strict.feed(sample(), 0, 6);
  EXPECT_EQ(strict.finish(kInside).change[1], k::change_none);
  // In the AOI's edge zone (2) no seed starts: the confirmed pixel 0 and the candidate 3 are
  // only grown pixels there, and pixel 1 is grown as before.
  auto const edge = run.finish({2, 2, 2, 2});
  EXPECT_EQ(edge.change, (std::vector<std::uint8_t>{k::change_grown, k::change_grown,
                                                    k::change_none, k::change_grown}));
  // Without growth, the edge zone has no change at all.
  detector_run seeds_only(method(gp::change_method::baseline));
  seeds_only.feed(sample(), 0, 6);
  EXPECT_EQ(seeds_only.finish({2, 2, 2, 2}).change,
            (std::vector<std::uint8_t>(kPixels, k::change_none)));
}

TEST(BitemporalDetector, GrowsIntoWeakerFallsAndKeepsSeedsOutOfTheEdgeZone) {
  auto change = method(gp::change_method::bitemporal);
  change.grow = 0.4;
  detector_run run(change);
  run.feed(sample(), 0, 6);
  auto const r = run.finish({1, 1, 1, 2});
  // Pixel 1: before 0.7, after 0.5: fell 0.2 >= 0.1: grown, dated by its later look (day 420)
  // like a seed. Pixel 3 fell 0.5 but lies in the edge zone: grown, not a seed.
  EXPECT_EQ(r.change, (std::vector<std::uint8_t>{k::change_high, k::change_grown, k::change_none,
                                                 k::change_grown}));
  EXPECT_EQ(r.first_date, (std::vector<std::int32_t>{410, 420, k::no_date, 420}));
  EXPECT_FLOAT_EQ(r.magnitude[1], 0.7f - 0.5f);
  EXPECT_FLOAT_EQ(r.magnitude[3], 0.8f - 0.3f);
}

TEST(ChangeDetectors, ASavedAndRestoredDetectorEndsAsOneThatSawEveryDate) {
  for (auto m : {gp::change_method::baseline, gp::change_method::bitemporal}) {
    SCOPED_TRACE(std::string(gp::to_string(m)));
    detector_run whole(method(m));
    whole.feed(sample(), 0, 6);
    auto const expected = whole.finish(kInside);
    // Split inside the baseline, between the periods, inside the monitoring period.
    for (int split : {1, 3, 4, 5}) {
      SCOPED_TRACE("split after date " + std::to_string(split));
      expect_same(interrupted(method(m), split, kInside), expected);
    }
  }
}

TEST(ChangeDetectors, AStateOfAnotherWindowOrMethodIsRefused) {
  fs::path const file =
      fs::temp_directory_path() / ("geosweep_detector_w" + std::to_string(::getpid()) + ".h5");
  gp::pixel_window const window{0, 0, static_cast<int>(kPixels), 1};
  {
    detector_run run(method(gp::change_method::baseline));
    gp::state_writer out(file, {});
    run.detector->save()->write(out, 0, window);
    out.commit();
  }
  gp::state_reader in(file);
  detector_run other(method(gp::change_method::baseline));
  EXPECT_THROW(other.detector->restore(in, 0, {0, 1, static_cast<int>(kPixels), 1}),
               geosweep::io_error);
  detector_run bitemporal(method(gp::change_method::bitemporal));
  EXPECT_THROW(bitemporal.detector->restore(in, 0, window), geosweep::io_error);
  fs::remove(file);
}
