// The dates a report prints for a map and for an alert, from the date layers: each date's
// share of the AOI's pixels (most first, the pixels without a look last) and each alert's
// first and last look day, on rasters small enough to count by hand.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "report/report_inputs.hpp"

namespace gp = geosweep::pipeline;
namespace k = geosweep::kernels;

namespace {

constexpr std::int32_t none = k::no_date;
constexpr std::uint8_t out = k::change_outside_aoi;

gp::civil_date iso(char const* text) {
  return *gp::parse_iso_date(text);
}

int day(char const* text) {
  return gp::days_since_epoch(iso(text));
}

TEST(LookDateShares, EachDateWithItsShareOfTheAoiMostPixelsFirst) {
  int const a = day("2023-07-05"), b = day("2023-06-20"), c = day("2023-06-05");
  // 10 pixels, 2 outside the AOI (their dates do not count): inside, 4 of a, 2 of b, 1 of c,
  // 1 without a look.
  std::vector<std::int32_t> const days{a, a, b, c, none, a, b, a, c, c};
  std::vector<std::uint8_t> const change{0, 0, 0, 0, 0, 2, 1, 0, out, out};
  auto const shares = gp::look_date_shares(days, change);
  ASSERT_EQ(shares.size(), 4u);
  EXPECT_EQ(shares[0].date, iso("2023-07-05"));
  EXPECT_EQ(shares[0].pixels, 4);
  EXPECT_DOUBLE_EQ(shares[0].share, 4.0 / 8.0);
  EXPECT_EQ(shares[1].date, iso("2023-06-20"));
  EXPECT_DOUBLE_EQ(shares[1].share, 2.0 / 8.0);
  EXPECT_EQ(shares[2].date, iso("2023-06-05"));
  EXPECT_EQ(shares[2].pixels, 1);
  EXPECT_FALSE(shares[3].date.has_value());  // no look, last
  EXPECT_DOUBLE_EQ(shares[3].share, 1.0 / 8.0);
}

TEST(LookDateShares, ATieListsTheLaterDateFirstAndNoLookStaysLast) {
  int const a = day("2024-06-04"), b = day("2024-07-19");
  std::vector<std::int32_t> const days{none, none, none, a, b};
  auto const shares = gp::look_date_shares(days, std::vector<std::uint8_t>(5, 0));
  ASSERT_EQ(shares.size(), 3u);
  EXPECT_EQ(shares[0].date, iso("2024-07-19"));
  EXPECT_EQ(shares[1].date, iso("2024-06-04"));
  EXPECT_FALSE(shares[2].date.has_value());  // the most pixels, still last
  EXPECT_EQ(shares[2].pixels, 3);
  EXPECT_TRUE(gp::look_date_shares({}, {}).empty());
}

TEST(AlertDayRanges, TheFirstAndLastLookOfEachAlertsOwnPixels) {
  int const a = day("2023-06-05"), b = day("2023-06-20"), c = day("2023-07-05");
  // Alert 1 (patch 1) has looks a and c and a pixel without; alert 2 only b; alert 3 has no
  // pixel with a look; patch 4 is beyond the 3 alerts and is ignored.
  std::vector<std::int32_t> const patch{0, 1, 1, 1, 2, 2, 3, 4, 0};
  std::vector<std::int32_t> const days{a, c, a, none, b, b, none, a, c};
  auto const ranges = gp::alert_day_ranges(patch, days, 3);
  ASSERT_EQ(ranges.size(), 3u);
  ASSERT_TRUE(ranges[0]);
  EXPECT_EQ(ranges[0]->first, a);
  EXPECT_EQ(ranges[0]->last, c);
  ASSERT_TRUE(ranges[1]);
  EXPECT_EQ(ranges[1]->first, b);
  EXPECT_EQ(ranges[1]->last, b);
  EXPECT_FALSE(ranges[2]);
  // Without a date layer (older outputs): no range.
  auto const without = gp::alert_day_ranges(patch, {}, 3);
  EXPECT_FALSE(without[0] || without[1] || without[2]);
}

}  // namespace
