// networks.csv's rows from hand-made AOIs and alerts: each network's totals are the sums of
// its AOIs' alerts, worked out by hand below; AOIs without a network and alerts of AOIs the
// job does not have are left out; networks come in the order the job first names them. The
// network pages' file names, by hand.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "outputs/tables.hpp"
#include "report/report_network_page.hpp"

namespace gp = geosweep::pipeline;
using namespace std::chrono_literals;

namespace {

gp::aoi_spec aoi(std::string name, std::string network) {
  gp::aoi_spec a;
  a.name = std::move(name);
  a.network = std::move(network);
  return a;
}

gp::alert alert(std::string aoi, double ha, gp::alert_confidence confidence,
                std::optional<double> value, gp::civil_date first) {
  gp::alert a;
  a.aoi = std::move(aoi);
  a.area_ha = ha;
  a.confidence = confidence;
  a.estimated_value = value;
  a.first_seen = first;
  return a;
}

using row = std::vector<std::string>;

}  // namespace

TEST(NetworkTable, EachNetworkSumsItsAoisAlerts) {
  auto const high = gp::alert_confidence::high, low = gp::alert_confidence::low;
  std::vector<gp::aoi_spec> const aois{aoi("d", "Blue"), aoi("a", "Acme Timber Ltd"), aoi("b", ""),
                                       aoi("c", "Acme Timber Ltd"), aoi("e", "Empty Co")};
  std::vector<gp::alert> const alerts{
      alert("a", 1.25, high, 100.0, 2024y / 6 / 19),
      alert("b", 9.0, high, 1000.0, 2024y / 1 / 1),  // b has no network
      alert("a", 0.5, low, std::nullopt, 2024y / 7 / 4),
      alert("d", 0.75, low, std::nullopt, 2024y / 8 / 1),
      alert("c", 2.0, high, 50.5, 2024y / 5 / 30),
      alert("z", 4.0, high, 7.0, 2023y / 1 / 1),  // no such AOI
  };
  auto const rows = gp::network_rows(aois, alerts, false);
  // Acme: 1.25 + 0.5 + 2.0 = 3.75 ha, 1.25 + 2.0 = 3.25 ha high; 100 + 50.5 = 150.50;
  // first seen 2024-05-30 (c), last 2024-07-04 (a's low alert).
  ASSERT_EQ(rows.size(), 3u);
  // Without causes the cross-over flag is empty.
  EXPECT_EQ(rows[0], (row{"Blue", "all", "1", "1", "1", "0", "0.7500", "0.0000", "", "2024-08-01",
                          "2024-08-01", ""}));
  EXPECT_EQ(rows[1], (row{"Acme Timber Ltd", "all", "2", "2", "3", "2", "3.7500", "3.2500",
                          "150.50", "2024-05-30", "2024-07-04", ""}));
  EXPECT_EQ(rows[2],
            (row{"Empty Co", "all", "1", "0", "0", "0", "0.0000", "0.0000", "", "", "", ""}));
  EXPECT_EQ(gp::network_table_columns().size(), rows[0].size());
  EXPECT_EQ(gp::network_table_columns()[0], "network");
  EXPECT_EQ(gp::network_table_columns()[8], "changed_value");
}

TEST(NetworkTable, NoNetworkNoRows) {
  std::vector<gp::aoi_spec> const aois{aoi("a", ""), aoi("b", "")};
  std::vector<gp::alert> const alerts{
      alert("a", 1.0, gp::alert_confidence::high, 1.0, 2024y / 6 / 19)};
  EXPECT_TRUE(gp::network_rows(aois, alerts, true).empty());
}

TEST(NetworkTable, ARowPerCauseAndTheCrossOverFlag) {
  auto const high = gp::alert_confidence::high, low = gp::alert_confidence::low;
  std::vector<gp::aoi_spec> const aois{aoi("a", "Acme"), aoi("c", "Acme"), aoi("d", "Blue"),
                                       aoi("e", "Green")};
  auto with = [](gp::alert a, gp::alert_cause c) {
    a.cause = c;
    return a;
  };
  std::vector<gp::alert> const alerts{
      with(alert("a", 1.25, high, 100.0, 2024y / 6 / 19), gp::alert_cause::clearing),
      with(alert("c", 2.0, high, 50.5, 2024y / 5 / 30), gp::alert_cause::burn),
      with(alert("a", 0.5, low, std::nullopt, 2024y / 7 / 4), gp::alert_cause::clearing),
      // Blue: clearing and "other" (no crime): no cross-over.
      with(alert("d", 0.75, low, std::nullopt, 2024y / 8 / 1), gp::alert_cause::clearing),
      with(alert("d", 3.0, high, std::nullopt, 2024y / 8 / 2), gp::alert_cause::other),
  };
  auto const rows = gp::network_rows(aois, alerts, true);
  // Acme: all 3.75 ha as above; clearing 1.25 + 0.5 = 1.75 ha in AOI a (1.25 high, 100.00);
  // burn 2.0 ha in AOI c. Two crimes: a cross-over on each of its rows.
  ASSERT_EQ(rows.size(), 7u);
  EXPECT_EQ(rows[0], (row{"Acme", "all", "2", "2", "3", "2", "3.7500", "3.2500", "150.50",
                          "2024-05-30", "2024-07-04", "true"}));
  EXPECT_EQ(rows[1], (row{"Acme", "clearing", "2", "1", "2", "1", "1.7500", "1.2500", "100.00",
                          "2024-06-19", "2024-07-04", "true"}));
  EXPECT_EQ(rows[2], (row{"Acme", "burn", "2", "1", "1", "1", "2.0000", "2.0000", "50.50",
                          "2024-05-30", "2024-05-30", "true"}));
  EXPECT_EQ(rows[3], (row{"Blue", "all", "1", "1", "2", "1", "3.7500", "3.0000", "", "2024-08-01",
                          "2024-08-02", "false"}));
  EXPECT_EQ(rows[4][1], "clearing");
  EXPECT_EQ(rows[5], (row{"Blue", "other", "1", "1", "1", "1", "3.0000", "3.0000", "", "2024-08-02",
                          "2024-08-02", "false"}));
  // A network without alerts: no crime, no cross-over.
  EXPECT_EQ(rows[6],
            (row{"Green", "all", "1", "0", "0", "0", "0.0000", "0.0000", "", "", "", "false"}));
}

TEST(NetworkTable, PageFileStemsAreLowerCaseAsciiAndUnique) {
  // Worked by hand: runs of other characters (spaces, '.', '#', '/', UTF-8 bytes) are one '-'.
  EXPECT_EQ(gp::network_file_stems({"Acme Timber Ltd.", "  Case #12 / 2026 ", "Ñandú SA",
                                    "acme timber-LTD", "***", "Acme  Timber  Ltd"}),
            (std::vector<std::string>{"network-acme-timber-ltd", "network-case-12-2026",
                                      "network-and-sa", "network-acme-timber-ltd-2", "network",
                                      "network-acme-timber-ltd-3"}));
}
