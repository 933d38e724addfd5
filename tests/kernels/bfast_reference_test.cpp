// The `bfast` kernels against R's strucchange, the package R's bfastmonitor() runs on
// (tests/tools/bfast_reference.R): random seasonal series with per-pixel cloudy looks and falls
// of random size and date; for every pixel the number of clear history looks, the coefficients
// and sigma of the fit, and the break date (the first look whose MOSUM crosses the boundary)
// must agree. Skipped when Rscript or strucchange is missing (scripts/deps.txt installs both).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "geosweep/kernels/bfast.hpp"
#include "geosweep/kernels/bfast_state.hpp"
#include "geosweep/kernels/stream.hpp"
#include "tools/csv_rows.hpp"
#include "tools/shell_command.hpp"

namespace k = geosweep::kernels;
namespace fs = std::filesystem;

namespace {

struct model_case {
  int harmonics;
  bool trend;
  double h;
  double level;
  int end;
};

std::vector<double> regressors(model_case const& m, int day) {
  double const t = (day - 10957) / 365.25;
  std::vector<double> x{1.0};
  if (m.trend) x.push_back(t);
  for (int j = 1; j <= m.harmonics; ++j) {
    x.push_back(std::cos(2 * std::numbers::pi * j * t));
    x.push_back(std::sin(2 * std::numbers::pi * j * t));
  }
  return x;
}

bool have_strucchange() {
  return geosweep::test_tools::shell("Rscript -e 'suppressMessages(library(strucchange))'")
             .exit_code == 0;
}

void compare_with_strucchange(model_case const& m, std::uint64_t seed) {
  constexpr std::size_t pixels = 120;
  constexpr int history_looks = 137, monitor_looks = 60, step = 8, first_day = 17532;  // 2018
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  std::normal_distribution<double> noise(0.0, 0.02);
  // values[look][pixel], NaN where cloudy.
  std::vector<std::vector<float>> values(history_looks + monitor_looks, std::vector<float>(pixels));
  std::vector<double> cloud(pixels), fall(pixels), phase(pixels);
  std::vector<int> fall_look(pixels);
  for (std::size_t i = 0; i < pixels; ++i) {
    cloud[i] = 0.5 * u(rng);
    fall[i] = i % 3 == 0 ? 0.0 : 0.03 + 0.3 * u(rng);
    fall_look[i] = history_looks + static_cast<int>(u(rng) * (monitor_looks - 5));
    phase[i] = 2 * std::numbers::pi * u(rng);
  }
  for (int l = 0; l < history_looks + monitor_looks; ++l) {
    double const t = (first_day + step * l - 10957) / 365.25;
    for (std::size_t i = 0; i < pixels; ++i) {
      double v = 0.75 + 0.08 * std::cos(2 * std::numbers::pi * t + phase[i]) +
                 (m.trend ? 0.01 * (t - 18) : 0.0) + noise(rng);
      if (l >= fall_look[i]) v -= fall[i];
      bool const cloudy = u(rng) < cloud[i];
      values[l][i] = cloudy ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(v);
    }
  }
  fs::path const dir = fs::temp_directory_path() / ("bfast_reference_" + std::to_string(seed));
  fs::create_directories(dir);
  {
    std::ofstream csv(dir / "in.csv");
    csv << "pixel,day,value,monitor\n";
    char buffer[64];
    for (std::size_t i = 0; i < pixels; ++i) {
      for (int l = 0; l < history_looks + monitor_looks; ++l) {
        float const v = values[l][i];
        std::snprintf(buffer, sizeof buffer, "%.9g", static_cast<double>(v));
        csv << i << "," << first_day + step * l << "," << (std::isnan(v) ? "NA" : buffer) << ","
            << (l >= history_looks ? 1 : 0) << "\n";
      }
    }
  }
  auto const r = geosweep::test_tools::shell(
      "Rscript " + std::string(GEOSWEEP_SOURCE_DIR) + "/tests/tools/bfast_reference.R " +
      (dir / "in.csv").string() + " " + (dir / "out.csv").string() + " " +
      std::to_string(m.harmonics) + " " + (m.trend ? "1" : "0") + " " + std::to_string(m.h) + " " +
      std::to_string(m.level) + " " + std::to_string(m.end));
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto rows = geosweep::test_tools::csv_rows(dir / "out.csv");
  ASSERT_FALSE(rows.empty());
  std::vector<std::vector<std::string>> const reference(rows.begin() + 1, rows.end());
  ASSERT_EQ(reference.size(), pixels);

  // geosweep's kernels, look by look, on the CPU backend.
  int const params = 1 + (m.trend ? 1 : 0) + 2 * m.harmonics;
  int const capacity = static_cast<int>(std::floor(m.h * history_looks));
  k::stream s(k::backend::cpu);
  auto b = k::make_bfast_buffers(s, pixels, params, history_looks, capacity);
  auto const a = k::view(b, pixels);
  std::vector<double> table;
  for (int l = 0; l < history_looks; ++l) {
    auto const x = regressors(m, first_day + step * l);
    k::bfast_history_op op;
    op.a = a;
    op.index = values[l].data();
    std::copy(x.begin(), x.end(), op.x);
    op.params = params;
    op.look = l;
    op.capacity = capacity;
    k::for_each_pixel(s, pixels, op);
    table.insert(table.end(), x.begin(), x.end());
  }
  k::bfast_fit_op fit;
  fit.a = a;
  fit.table = table.data();
  fit.looks = history_looks;
  fit.params = params;
  fit.capacity = capacity;
  fit.h = m.h;
  fit.min_history = 1;
  k::for_each_pixel(s, pixels, fit);
  for (int l = history_looks; l < history_looks + monitor_looks; ++l) {
    auto const x = regressors(m, first_day + step * l);
    k::bfast_monitor_op op;
    op.a = a;
    op.index = values[l].data();
    std::copy(x.begin(), x.end(), op.x);
    op.params = params;
    op.date = first_day + step * l;
    op.lambda = k::bfast_critical_value(m.h, m.end, m.level);
    op.forest_min = -1.0f;
    op.confirm = 1;
    op.window_days = 100000;
    k::for_each_pixel(s, pixels, op);
  }

  int breaks = 0, upward = 0, compared = 0;
  for (std::size_t i = 0; i < pixels; ++i) {
    auto const& row = reference[i];
    ASSERT_EQ(row.size(), static_cast<std::size_t>(5 + params));
    EXPECT_EQ(b.history.data()[i], std::stoi(row[1])) << "pixel " << i;
    if (row[2] == "NA") {
      EXPECT_NE(b.model.data()[i], k::bfast_fitted) << "pixel " << i;
      continue;
    }
    ASSERT_EQ(b.model.data()[i], k::bfast_fitted) << "pixel " << i;
    ++compared;
    EXPECT_NEAR(b.sigma.data()[i], std::stod(row[2]), 1e-7 + 1e-6 * std::stod(row[2]));
    for (int j = 0; j < params; ++j) {
      double const want = std::stod(row[3 + j]);
      EXPECT_NEAR(b.beta.data()[j * pixels + i], want, 1e-6 + 1e-6 * std::abs(want))
          << "pixel " << i << " coefficient " << j;
    }
    std::string const& break_day = row[3 + params];
    bool const fell = b.status.data()[i] != k::status_none;
    if (break_day == "NA") {
      EXPECT_FALSE(fell) << "pixel " << i << ": geosweep finds a fall strucchange does not";
      continue;
    }
    ++breaks;
    if (std::stod(row[4 + params]) > 0) {  // an upward break first: not a fall
      ++upward;
      continue;
    }
    ASSERT_TRUE(fell) << "pixel " << i << ": strucchange breaks on day " << break_day;
    EXPECT_EQ(b.first.data()[i], std::stoi(break_day)) << "pixel " << i;
  }
  // The case is a real test: most pixels are modelled, and most falls are found by both.
  std::printf("%d pixels modelled, %d breaks (%d upward first)\n", compared, breaks, upward);
  EXPECT_GE(compared, 100);
  EXPECT_GE(breaks - upward, 50);
  fs::remove_all(dir);
}

}  // namespace

TEST(BfastReference, SeasonalSeriesAgreeWithStrucchange) {
  if (!have_strucchange()) GTEST_SKIP() << "Rscript with strucchange not installed";
  compare_with_strucchange({3, false, 0.25, 0.05, 10}, 11);
}

TEST(BfastReference, TrendAndOneHarmonicWithAWiderWindowAgreeWithStrucchange) {
  if (!have_strucchange()) GTEST_SKIP() << "Rscript with strucchange not installed";
  compare_with_strucchange({1, true, 0.5, 0.01, 4}, 12);
}

TEST(BfastReference, OurTableIsStrucchangesTable) {
  if (!have_strucchange()) GTEST_SKIP() << "Rscript with strucchange not installed";
  auto const r = geosweep::test_tools::shell(
      "Rscript -e 'suppressMessages(library(strucchange)); "
      "t <- strucchange:::monitorMECritvalTable; "
      "for (h in c(\"0.25\",\"0.5\",\"1\")) for (e in c(\"2\",\"4\",\"6\",\"8\",\"10\")) "
      "for (l in c(\"0.95\",\"0.975\",\"0.99\",\"0.999\")) "
      "cat(h, e, l, sprintf(\"%.17g\", t[h, e, l, \"max\"]), \"\\n\")'");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  std::istringstream in(r.out);
  double h = 0, level = 0, value = 0;
  int end = 0, rows = 0;
  while (in >> h >> end >> level >> value) {
    EXPECT_NEAR(k::bfast_critical_value(h, end, 1.0 - level), value, 1e-12)
        << "h " << h << " end " << end << " 1 - level " << level;
    ++rows;
  }
  EXPECT_EQ(rows, 3 * 5 * 4);
}
