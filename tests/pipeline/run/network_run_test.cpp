// Networks end to end on `geosweep simulate --seed 3 --size 320 --burns 1 --mines 1`: with both
// AOIs held by one company, networks.csv's "all" row is the sum of every row of alerts.csv and
// each cause's row the sum of that cause's rows (added up here, not by the code under test), and
// clearing, burning and mining in one network make it a cross-over; with each AOI in its own
// network, each row is that AOI's alone, and `alerts list --network` and `report --network` keep to
// the network's AOIs. An unknown network is refused with the job's networks.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "tools/csv_rows.hpp"
#include "tools/run_geosweep.hpp"
#include "tools/shell_command.hpp"

namespace fs = std::filesystem;
namespace tt = geosweep::test_tools;
using tt::column;

namespace {

using table = std::vector<std::vector<std::string>>;

/// `job` with `network: NAME` added to the AOI called `aoi`, and its outputs in `dir`.
std::string with_network(std::string job, std::string const& aoi, std::string const& network) {
  auto const at = job.find("  - name: " + aoi + "\n");
  EXPECT_NE(at, std::string::npos) << aoi;
  job.insert(at + 11 + aoi.size(), "    network: " + network + "\n");
  return job;
}

std::string with_outputs(std::string job, std::string const& dir) {
  auto const at = job.find("  dir: out\n");
  EXPECT_NE(at, std::string::npos);
  return job.replace(at, 11, "  dir: " + dir + "\n");
}

/// What networks.csv should say of the alerts of `aois`: summed from alerts.csv.
struct expected_totals {
  int alerts = 0, high = 0;
  double ha = 0.0, high_ha = 0.0;
  std::string first, last;
  std::set<std::string> aois;
};

/// (`cause`: of those alerts only; "all" for every one)
expected_totals totals_of(table const& alerts, std::set<std::string> const& aois,
                          std::string const& cause = "all") {
  expected_totals t;
  std::size_t const aoi = column(alerts, "aoi"), area = column(alerts, "area_ha"),
                    conf = column(alerts, "confidence"), first = column(alerts, "first_seen"),
                    why = column(alerts, "cause");
  for (std::size_t i = 1; i < alerts.size(); ++i) {
    auto const& a = alerts[i];
    if (!aois.count(a[aoi])) continue;
    if (cause != "all" && a[why] != cause) continue;
    ++t.alerts;
    t.ha += std::stod(a[area]);
    if (a[conf] == "high") {
      ++t.high;
      t.high_ha += std::stod(a[area]);
    }
    if (t.first.empty() || a[first] < t.first) t.first = a[first];  // ISO dates sort as text
    if (t.last.empty() || a[first] > t.last) t.last = a[first];
    t.aois.insert(a[aoi]);
  }
  return t;
}

/// The causes of `aois`' alerts in alerts.csv, in networks.csv's order.
std::vector<std::string> causes_of(table const& alerts, std::set<std::string> const& aois) {
  std::vector<std::string> out;
  for (char const* cause : {"clearing", "burn", "mining", "flooding", "other", "unknown"})
    if (totals_of(alerts, aois, cause).alerts > 0) out.emplace_back(cause);
  return out;
}

void expect_row(table const& networks, std::size_t r, std::string const& name,
                std::string const& cause, int aois, expected_totals const& t, std::size_t rounded) {
  auto const& row = networks.at(r);
  ASSERT_EQ(row.size(), networks[0].size());
  EXPECT_EQ(row[column(networks, "network")], name);
  EXPECT_EQ(row[column(networks, "cause")], cause);
  EXPECT_EQ(row[column(networks, "aois")], std::to_string(aois));
  EXPECT_EQ(row[column(networks, "aois_with_change")], std::to_string(t.aois.size()));
  EXPECT_EQ(row[column(networks, "alerts")], std::to_string(t.alerts));
  EXPECT_EQ(row[column(networks, "high_alerts")], std::to_string(t.high));
  // alerts.csv rounds each area to 4 decimals: the sum is within half a unit of each.
  double const slack = 0.00005 * static_cast<double>(rounded) + 0.00005;
  EXPECT_NEAR(std::stod(row[column(networks, "changed_area_ha")]), t.ha, slack);
  EXPECT_NEAR(std::stod(row[column(networks, "high_area_ha")]), t.high_ha, slack);
  EXPECT_EQ(row[column(networks, "changed_value")], "");  // the simulated AOIs have no value
  EXPECT_EQ(row[column(networks, "first_seen")], t.first);
  EXPECT_EQ(row[column(networks, "last_seen")], t.last);
}

}  // namespace

TEST(NetworkRun, NetworksCsvSumsItsAoisAndTheFiltersKeepToThem) {
  auto const root =
      fs::temp_directory_path() / ("geosweep_network_run_" + std::to_string(::getpid()));
  fs::remove_all(root);
  auto const sim = tt::run_geosweep({"simulate", "--out", (root / "sim").string(), "--seed", "3",
                                     "--size", "320", "--burns", "1", "--mines", "1"});
  ASSERT_EQ(sim.code, 0) << sim.output;
  auto const job = tt::read_file(root / "sim" / "job.yaml");

  // One company holds both AOIs.
  std::ofstream(root / "sim" / "one.yaml")
      << with_outputs(with_network(with_network(job, "reserve-north", "Acme Timber Ltd"),
                                   "concession-7", "Acme Timber Ltd"),
                      "out-one");
  auto const run =
      tt::run_geosweep({"--backend", "cpu", "run", (root / "sim" / "one.yaml").string()});
  ASSERT_EQ(run.code, 0) << run.output;
  auto const out = root / "sim" / "out-one";
  EXPECT_NE(run.output.find((out / "networks.csv").string()), std::string::npos) << run.output;
  auto const alerts = tt::csv_rows(out / "alerts.csv");
  auto const both = totals_of(alerts, {"reserve-north", "concession-7"});
  ASSERT_EQ(both.aois.size(), 2u) << "seed 3 has alerts in both AOIs";
  auto const networks = tt::csv_rows(out / "networks.csv");
  // The "all" row, then a row per cause of the alerts: clearings, the burn and the pit.
  auto const causes = causes_of(alerts, {"reserve-north", "concession-7"});
  ASSERT_EQ(causes, (std::vector<std::string>{"clearing", "burn", "mining"}));
  ASSERT_EQ(networks.size(), 2u + causes.size());
  EXPECT_EQ(networks[0],
            (std::vector<std::string>{"network", "cause", "aois", "aois_with_change", "alerts",
                                      "high_alerts", "changed_area_ha", "high_area_ha",
                                      "changed_value", "first_seen", "last_seen", "cross_over"}));
  expect_row(networks, 1, "Acme Timber Ltd", "all", 2, both, alerts.size() - 1);
  for (std::size_t c = 0; c < causes.size(); ++c) {
    expect_row(networks, 2 + c, "Acme Timber Ltd", causes[c], 2,
               totals_of(alerts, {"reserve-north", "concession-7"}, causes[c]), alerts.size() - 1);
  }
  // Clearing, burning and mining in one network: a cross-over, on each of its rows.
  for (std::size_t r = 1; r < networks.size(); ++r)
    EXPECT_EQ(networks[r][column(networks, "cross_over")], "true") << r;
  EXPECT_NE(tt::read_file(out / "manifest.json").find("networks.csv"), std::string::npos);

  // The network's page: its totals and its AOIs ranked by changed area, read back from the
  // PDF's left column (the locator map on the right labels every AOI of the job).
  auto const drawn = tt::run_geosweep({"report", (root / "sim" / "one.yaml").string()});
  ASSERT_EQ(drawn.code, 0) << drawn.output;
  auto const page = out / "report" / "network-acme-timber-ltd.pdf";
  ASSERT_TRUE(fs::exists(page)) << drawn.output;
  EXPECT_TRUE(fs::exists(out / "report" / "network-acme-timber-ltd.png"));
  EXPECT_NE(
      tt::read_file(out / "report" / "index.html").find("href=\"network-acme-timber-ltd.pdf\""),
      std::string::npos);
  if (tt::shell("command -v pdftotext").exit_code == 0) {
    auto const text =
        tt::shell("pdftotext -layout -x 0 -y 0 -W 430 -H 540 " + page.string() + " -").out;
    auto const whole = tt::shell("pdftotext " + page.string() + " -").out;
    EXPECT_NE(whole.find("Network Acme Timber Ltd: forest-loss summary"), std::string::npos)
        << whole;
    EXPECT_NE(text.find("AOIs: 2 (2 with change)"), std::string::npos) << text;
    EXPECT_NE(whole.find("Cross-over: clearing, burn, mining in the same network"),
              std::string::npos)
        << whole;
    char expected[64];
    std::snprintf(expected, sizeof expected, "Alerts: %d, %.2f ha", both.alerts, both.ha);
    EXPECT_NE(text.find(expected), std::string::npos) << expected << "\n" << text;
    // Ranked: the AOI with more changed area comes first.
    auto const north = totals_of(alerts, {"reserve-north"}),
               seven = totals_of(alerts, {"concession-7"});
    auto const at_north = text.find("reserve-north"), at_seven = text.find("concession-7");
    ASSERT_NE(at_north, std::string::npos) << text;
    ASSERT_NE(at_seven, std::string::npos) << text;
    EXPECT_EQ(north.ha > seven.ha, at_north < at_seven) << text;
  }

  // Each AOI its own network, monitored nightly: the ledger's alerts filter by network.
  std::ofstream(root / "sim" / "two.yaml")
      << with_outputs(with_network(with_network(job, "reserve-north", "Acme Timber Ltd"),
                                   "concession-7", "Case 12"),
                      "out-two");
  auto const two = (root / "sim" / "two.yaml").string();
  auto const monitor = tt::run_geosweep({"--backend", "cpu", "-q", "monitor", two});
  ASSERT_EQ(monitor.code, 0) << monitor.output;
  auto const per_aoi = tt::csv_rows(root / "sim" / "out-two" / "networks.csv");
  auto const north_causes = causes_of(alerts, {"reserve-north"});
  auto const seven_causes = causes_of(alerts, {"concession-7"});
  ASSERT_EQ(per_aoi.size(), 3u + north_causes.size() + seven_causes.size());
  expect_row(per_aoi, 1, "Acme Timber Ltd", "all", 1, totals_of(alerts, {"reserve-north"}),
             alerts.size() - 1);
  std::size_t const case12 = 2 + north_causes.size();
  expect_row(per_aoi, case12, "Case 12", "all", 1, totals_of(alerts, {"concession-7"}),
             alerts.size() - 1);
  for (std::size_t c = 0; c < seven_causes.size(); ++c) {
    expect_row(per_aoi, case12 + 1 + c, "Case 12", seven_causes[c], 1,
               totals_of(alerts, {"concession-7"}, seven_causes[c]), alerts.size() - 1);
  }

  auto const listed =
      tt::run_geosweep({"alerts", "list", two, "--network", "Case 12", "--format", "csv"});
  ASSERT_EQ(listed.code, 0) << listed.output;
  std::size_t const aoi = column(alerts, "aoi");
  std::size_t case12_alerts = 0;
  for (std::size_t i = 1; i < alerts.size(); ++i) {
    if (alerts[i][aoi] != "concession-7") continue;
    ++case12_alerts;
    EXPECT_NE(listed.output.find(alerts[i][column(alerts, "alert_id")]), std::string::npos);
  }
  EXPECT_EQ(listed.output.find("reserve-north"), std::string::npos) << listed.output;
  EXPECT_EQ(static_cast<std::size_t>(std::count(listed.output.begin(), listed.output.end(), '\n')),
            case12_alerts + 1)  // a header and a line per alert
      << listed.output;
  auto const unknown = tt::run_geosweep({"alerts", "list", two, "--network", "Case 13"});
  EXPECT_NE(unknown.code, 0);
  EXPECT_NE(unknown.output.find("no AOI of network 'Case 13' (the job's networks: Acme Timber "
                                "Ltd, Case 12)"),
            std::string::npos)
      << unknown.output;

  // The report of one network draws its AOIs only; an AOI outside it is refused.
  auto const report = tt::run_geosweep({"report", two, "--network", "Case 12"});
  ASSERT_EQ(report.code, 0) << report.output;
  EXPECT_TRUE(fs::exists(root / "sim" / "out-two" / "report" / "concession-7.pdf"));
  EXPECT_TRUE(fs::exists(root / "sim" / "out-two" / "report" / "network-case-12.pdf"));
  EXPECT_FALSE(fs::exists(root / "sim" / "out-two" / "report" / "reserve-north.pdf"));
  EXPECT_FALSE(fs::exists(root / "sim" / "out-two" / "report" / "network-acme-timber-ltd.pdf"));
  auto const outside =
      tt::run_geosweep({"report", two, "--network", "Case 12", "--aoi", "reserve-north"});
  EXPECT_NE(outside.code, 0);
  EXPECT_NE(outside.output.find("no AOI named 'reserve-north' in network 'Case 12'"),
            std::string::npos)
      << outside.output;
  fs::remove_all(root);
}
