// The dates a report prints for a map and for an alert, from the date layers: each date's
// share of the AOI's pixels (most first, the pixels without a look last) and each alert's
// first and last look day, on rasters small enough to count by hand; and, on a simulated run,
// the map page's dates and shares and the table's dates as counted here from the COG's date
// layer and change.nc with GDAL.
#include <gtest/gtest.h>

#include <gdal_priv.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "tools/int_raster.hpp"
#include "tools/shell_command.hpp"

#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "report/report_date_map.hpp"
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

TEST(DateInset, EachPixelTakesTheColourOfItsDateMostCommonFirst) {
  int const a = day("2023-07-05"), b = day("2023-06-20");
  // 4 x 2: a a b none / a out b a.
  std::vector<std::int32_t> const days{a, a, b, none, a, a, b, a};
  std::vector<std::uint8_t> const change{0, 0, 0, 0, 0, out, 0, 0};
  auto const shares = gp::look_date_shares(days, change);  // a (4), b (2), none (1)
  ASSERT_EQ(shares.size(), 3u);
  auto const inset =
      gp::make_date_inset(days, change, 4, 2, shares, {"A", "B", "none"}, "other", 100);
  ASSERT_EQ(inset.width, 4);
  ASSERT_EQ(inset.height, 2);
  std::uint32_t const ca = gp::date_colours[0], cb = gp::date_colours[1];
  EXPECT_EQ(inset.pixels, (std::vector<std::uint32_t>{ca, ca, cb, gp::no_look_colour, ca,
                                                      gp::outside_colour, cb, ca}));
  ASSERT_EQ(inset.legend.size(), 3u);
  EXPECT_EQ(inset.legend[0], std::make_pair(ca, std::string("A")));
  EXPECT_EQ(inset.legend[1], std::make_pair(cb, std::string("B")));
  EXPECT_EQ(inset.legend[2], std::make_pair(gp::no_look_colour, std::string("none")));
}

TEST(DateInset, BeyondFiveDatesTheRestShareOneColourAndLargeRastersAreSampled) {
  // Seven dates on a 7 x 1 raster, one pixel each: all tie, so the later date comes first and
  // the two earliest fall into "other dates".
  std::vector<std::int32_t> days;
  for (int d = 0; d < 7; ++d) days.push_back(19000 + d);
  std::vector<std::uint8_t> const change(7, 0);
  auto const shares = gp::look_date_shares(days, change);
  std::vector<std::string> labels;
  for (std::size_t s = 0; s < shares.size(); ++s) labels.push_back(std::to_string(s));
  auto const inset = gp::make_date_inset(days, change, 7, 1, shares, labels, "other", 100);
  EXPECT_EQ(inset.pixels[6], gp::date_colours[0]);  // the latest
  EXPECT_EQ(inset.pixels[2], gp::date_colours[4]);
  EXPECT_EQ(inset.pixels[1], gp::other_dates_colour);
  EXPECT_EQ(inset.pixels[0], gp::other_dates_colour);
  ASSERT_EQ(inset.legend.size(), 6u);  // five dates and "other"
  EXPECT_EQ(inset.legend[5].second, "other");
  // 7 x 1 into at most 3 px a side: blocks of 3, their centre pixels 1, 4 and 6 (clamped).
  auto const small = gp::make_date_inset(days, change, 7, 1, shares, labels, "other", 3);
  ASSERT_EQ(small.width, 3);
  EXPECT_EQ(small.pixels, (std::vector<std::uint32_t>{gp::other_dates_colour, gp::date_colours[2],
                                                      gp::date_colours[0]}));
}

/// A band of a raster as int32.
std::vector<std::int32_t> read_ints(std::string const& name) {
  return geosweep::test_tools::read_int_raster(name).values;
}

TEST(ReportDates, TheMapPageAndTheTablePrintTheDatesOfTheirPixels) {
  using geosweep::test_tools::shell;
  if (shell("command -v pdftotext").exit_code != 0) GTEST_SKIP() << "pdftotext not installed";
  namespace fs = std::filesystem;
  fs::path const dir =
      fs::temp_directory_path() / ("geosweep_report_dates_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto const run = [&](std::string const& args) {
    return geosweep::test_tools::geosweep_command(args);
  };
  ASSERT_EQ(run("simulate --out " + dir.string() + " --seed 11 --size 400").exit_code, 0);
  ASSERT_EQ(run("--backend cpu run " + (dir / "job.yaml").string()).exit_code, 0);
  ASSERT_EQ(run("report " + (dir / "job.yaml").string()).exit_code, 0);
  std::string const aoi = "reserve-north";
  fs::path const out = dir / "out";
  // The shares of the colour composite's dates before, counted over the AOI here.
  auto const days = read_ints((out / "cog" / aoi / "colour_before_date.tif").string());
  auto const classes =
      read_ints(geosweep::test_tools::nc_variable(out / "change.nc", aoi, "change"));
  ASSERT_EQ(days.size(), classes.size());
  std::map<std::int32_t, std::int64_t> count;
  std::int64_t inside = 0;
  for (std::size_t i = 0; i < days.size(); ++i) {
    if (classes[i] == k::change_outside_aoi) continue;
    ++count[days[i]];
    ++inside;
  }
  ASSERT_GE(count.size(), 2u);  // the clouds: more than one date
  // Page 2, the first map (true or false colour before), says each with its whole percent.
  auto const page =
      shell("pdftotext -f 2 -l 2 " + (out / "report" / (aoi + ".pdf")).string() + " -").out;
  for (auto const& [day_number, pixels] : count) {
    if (day_number == 0) continue;  // the COG's nodata: no look
    double const percent = 100.0 * static_cast<double>(pixels) / static_cast<double>(inside);
    std::string const expected = gp::to_iso(gp::from_days_since_epoch(day_number)) + " (" +
                                 std::to_string(static_cast<int>(std::lround(percent))) + " %)";
    if (percent >= 9.5) {  // below that, printed to a tenth
      EXPECT_NE(page.find(expected), std::string::npos) << expected << page;
    }
  }
  // The table: the latest look day of the first alert's pixels before, from change.nc.
  auto const patch = read_ints(geosweep::test_tools::nc_variable(out / "change.nc", aoi, "patch"));
  auto const index_days =
      read_ints(geosweep::test_tools::nc_variable(out / "change.nc", aoi, "ndvi_before_date"));
  std::int32_t first = none, last = 0;
  for (std::size_t i = 0; i < patch.size(); ++i) {
    if (patch[i] != 1 || index_days[i] == none) continue;
    first = std::min(first, index_days[i]);
    last = std::max(last, index_days[i]);
  }
  ASSERT_NE(first, none);
  // Page 6: after the cover and four map pages (true and false colour, before and after).
  auto const table =
      shell("pdftotext -f 6 -l 6 " + (out / "report" / (aoi + ".pdf")).string() + " -").out;
  std::string const cell = gp::to_iso(gp::from_days_since_epoch(last)) + (first != last ? "*" : "");
  EXPECT_NE(table.find(cell), std::string::npos) << cell << table;
  fs::remove_all(dir);
}

}  // namespace
