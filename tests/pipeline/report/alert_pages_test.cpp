// The alert pages of the reports and the placement of alert numbers on the maps. Simulated
// scenes are run and reported with the geosweep command; the PDF is read back with pdfinfo,
// pdftotext and pdftoppm: a page per alert (counted from alerts.csv), the centroid as
// alerts.csv writes it and in degrees-minutes-seconds worked out here, the alert's outline
// colour in both chips where the patch raster of change.nc puts the alert, and
// `report.alert_pages` keeping the largest. Label placement is checked as plain geometry.
#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "report/report_alert_pages.hpp"
#include "report/report_labels.hpp"
#include "report/report_map.hpp"
#include "tools/int_raster.hpp"
#include "tools/png_image.hpp"
#include "tools/shell_command.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;

namespace {

using geosweep::test_tools::shell;

// ---------------------------------------------------------------- label placement

/// The gap between two boxes (0 when they touch or overlap).
double gap_between(gp::page_box const& a, gp::page_box const& b) {
  double const dx = std::max({0.0, b.x0 - a.x1, a.x0 - b.x1});
  double const dy = std::max({0.0, b.y0 - a.y1, a.y0 - b.y1});
  return std::hypot(dx, dy);
}

void expect_clean_placement(std::vector<gp::label_request> const& requests,
                            std::vector<gp::placed_label> const& labels,
                            gp::page_box const& frame) {
  ASSERT_EQ(labels.size(), requests.size());
  for (std::size_t i = 0; i < labels.size(); ++i) {
    auto const& b = labels[i].box;
    ASSERT_TRUE(labels[i].placed) << i;
    EXPECT_NEAR(b.x1 - b.x0, requests[i].width, 1e-9);
    EXPECT_NEAR(b.y1 - b.y0, requests[i].height, 1e-9);
    EXPECT_TRUE(b.x0 >= frame.x0 && b.y0 >= frame.y0 && b.x1 <= frame.x1 && b.y1 <= frame.y1)
        << "label " << i << " outside the frame";
    for (std::size_t j = 0; j < i; ++j) {
      auto const& o = labels[j].box;
      bool const overlap = b.x0 < o.x1 && o.x0 < b.x1 && b.y0 < o.y1 && o.y0 < b.y1;
      EXPECT_FALSE(overlap) << "labels " << j << " and " << i << " overlap";
    }
    // A label away from its patch has a leader from its own box to the patch's box.
    double const away = gap_between(b, requests[i].anchor);
    if (away > 2.0) {
      EXPECT_TRUE(labels[i].leader) << "label " << i << " is " << away << " pt away, no leader";
    }
    if (labels[i].leader) {
      auto const& [fx, fy] = labels[i].leader_from;
      auto const& [tx, ty] = labels[i].leader_to;
      auto const& a = requests[i].anchor;
      EXPECT_TRUE(fx >= b.x0 - 1e-9 && fx <= b.x1 + 1e-9 && fy >= b.y0 - 1e-9 && fy <= b.y1 + 1e-9);
      EXPECT_TRUE(tx >= a.x0 - 1e-9 && tx <= a.x1 + 1e-9 && ty >= a.y0 - 1e-9 && ty <= a.y1 + 1e-9);
    }
  }
}

TEST(LabelPlacement, ThirtyCrowdedAnchorsGetLabelsThatNeverOverlap) {
  // 30 patches of 2-5 points within a 60 x 60 point square of a 400 x 300 frame: most labels
  // cannot sit next to their patch.
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> pos(0, 60), size(2, 5);
  gp::page_box const frame{100, 80, 500, 380};
  std::vector<gp::label_request> requests;
  for (int i = 0; i < 30; ++i) {
    double const x = 270 + pos(rng), y = 200 + pos(rng), s = size(rng);
    requests.push_back({{x, y, x + s, y + s}, i < 9 ? 7.0 : 12.0, 10.0});
  }
  auto const labels = gp::place_labels(requests, frame);
  expect_clean_placement(requests, labels, frame);
  EXPECT_GT(std::count_if(labels.begin(), labels.end(), [](auto const& l) { return l.leader; }), 0);
}

TEST(LabelPlacement, TwoAdjacentPatchesDoNotReadAsOneNumber) {
  // Alerts 1 and 2 side by side (the "21" of issue 17): the labels stay apart.
  gp::page_box const frame{0, 0, 300, 200};
  std::vector<gp::label_request> requests{{{100, 100, 104, 104}, 7, 10},
                                          {{106, 100, 110, 104}, 7, 10}};
  auto const labels = gp::place_labels(requests, frame);
  expect_clean_placement(requests, labels, frame);
  EXPECT_GE(gap_between(labels[0].box, labels[1].box), 1.0);
}

TEST(LabelPlacement, LabelsAtTheFrameEdgeStayInside) {
  gp::page_box const frame{10, 10, 110, 60};
  std::vector<gp::label_request> requests;
  for (int i = 0; i < 6; ++i)
    requests.push_back({{106.0, 10.0 + 8 * i, 110.0, 14.0 + 8 * i}, 12, 10});  // the right edge
  requests.push_back({{10, 10, 12, 12}, 12, 10});                              // a corner
  auto const labels = gp::place_labels(requests, frame);
  expect_clean_placement(requests, labels, frame);
}

TEST(LabelPlacement, AFreeLabelSitsNextToItsPatchWithoutALeader) {
  gp::page_box const frame{0, 0, 300, 200};
  std::vector<gp::label_request> requests{{{100, 100, 110, 108}, 12, 10}};
  auto const labels = gp::place_labels(requests, frame);
  expect_clean_placement(requests, labels, frame);
  EXPECT_FALSE(labels[0].leader);
  EXPECT_LE(gap_between(labels[0].box, requests[0].anchor), 2.0);
}

TEST(LabelPlacement, PatchBoxesSpanEachPatchsPixels) {
  // 4 x 3 raster: patch 1 at (0,0)-(1,1), patch 2 at (3,0) and (3,2); patch 3 has no pixel.
  std::vector<std::int32_t> const patch{1, 1, 0, 2, 0, 1, 0, 0, 0, 0, 0, 2};
  auto const boxes = gp::patch_boxes(patch, 4, 3, 3);
  ASSERT_EQ(boxes.size(), 3u);
  EXPECT_EQ(boxes[0].min_c, 0);
  EXPECT_EQ(boxes[0].max_c, 1);
  EXPECT_EQ(boxes[0].max_r, 1);
  EXPECT_EQ(boxes[1].min_c, 3);
  EXPECT_EQ(boxes[1].min_r, 0);
  EXPECT_EQ(boxes[1].max_r, 2);
  EXPECT_LT(boxes[2].max_c, 0);
}

// ---------------------------------------------------------------- alert page pieces

TEST(AlertPage, DegreesMinutesSecondsWorkedByHand) {
  // 9.503400 = 9° + 0.5034 × 60 = 30.204' → 0.204 × 60 = 12.24".
  EXPECT_EQ(gp::format_dms(gp::report_language::en, -9.5034, true), "9\u00b030'12.24\"S");
  // 62.068056 = 62° 4.08336' → 0.08336 × 60 = 5.0016" → 05.00".
  EXPECT_EQ(gp::format_dms(gp::report_language::en, -62.068056, false), "62\u00b004'05.00\"W");
  EXPECT_EQ(gp::format_dms(gp::report_language::en, 3.25, true), "3\u00b015'00.00\"N");
  // 10.999999° = 10° 59' 59.9964" rounds to 11° 00' 00.00", never 59' 60".
  EXPECT_EQ(gp::format_dms(gp::report_language::en, 10.999999, false), "11\u00b000'00.00\"E");
  EXPECT_EQ(gp::format_dms(gp::report_language::fr, -9.5034, true), "9\u00b030'12,24\"S");
}

TEST(AlertPage, TheWindowHasAMarginOfHalfTheAlertAndAtLeastTwentyPixels) {
  // A 10 x 4 px alert far from the edges: 20 px on every side.
  auto const w = gp::alert_window({100, 200, 109, 203}, 1000, 1000);
  EXPECT_EQ(w.col0, 80);
  EXPECT_EQ(w.row0, 180);
  EXPECT_EQ(w.width, 50);
  EXPECT_EQ(w.height, 44);
  // A 100 x 60 px alert: 50 and 30 px.
  auto const big = gp::alert_window({300, 300, 399, 359}, 1000, 1000);
  EXPECT_EQ(big.col0, 250);
  EXPECT_EQ(big.row0, 270);
  EXPECT_EQ(big.width, 200);
  EXPECT_EQ(big.height, 120);
  // Cut to the grid at its corner.
  auto const corner = gp::alert_window({0, 2, 4, 5}, 30, 30);
  EXPECT_EQ(corner.col0, 0);
  EXPECT_EQ(corner.row0, 0);
  EXPECT_EQ(corner.width, 25);
  EXPECT_EQ(corner.height, 26);
}

// ---------------------------------------------------------------- the job setting

std::string read_text(fs::path const& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// The error of parsing `text` (empty when it parses).
std::string parse_error(std::string const& text, fs::path const& file) {
  try {
    gp::parse_job_spec(text, file, false);
  } catch (geosweep::config_error const& e) {
    return e.what();
  }
  return "";
}

// ---------------------------------------------------------------- reports

struct csv_table {
  std::map<std::string, std::size_t> column;
  std::vector<std::vector<std::string>> rows;
  [[nodiscard]] std::string const& at(std::size_t row, std::string const& name) const {
    return rows.at(row).at(column.at(name));
  }
};

csv_table read_csv(fs::path const& path) {
  std::ifstream in(path);
  csv_table t;
  std::string line;
  auto const split = [](std::string const& s) {
    std::vector<std::string> cells;
    std::stringstream ss(s);
    for (std::string cell; std::getline(ss, cell, ',');) cells.push_back(cell);
    return cells;
  };
  std::getline(in, line);
  auto const header = split(line);
  for (std::size_t i = 0; i < header.size(); ++i) t.column[header[i]] = i;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) t.rows.push_back(split(line));
  }
  return t;
}

int page_count(fs::path const& pdf) {
  auto const info = shell("pdfinfo " + pdf.string());
  auto const at = info.out.find("Pages:");
  return at == std::string::npos ? -1 : std::stoi(info.out.substr(at + 6));
}

std::string page_text(fs::path const& pdf, int page) {
  auto const n = std::to_string(page);
  auto const text = shell("pdftotext -f " + n + " -l " + n + " " + pdf.string() + " -");
  std::string flat;  // runs of white space as one space
  for (char c : text.out) {
    bool const space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
    if (space && (flat.empty() || flat.back() == ' ')) continue;
    flat += space ? ' ' : c;
  }
  return flat;
}

/// The degrees, minutes and seconds of `value` as a surveyor writes them, to 0.01".
std::string dms_by_hand(double value, char positive, char negative) {
  double const a = std::abs(value);
  int degrees = static_cast<int>(a);
  double const minutes_f = (a - degrees) * 60;
  int minutes = static_cast<int>(minutes_f);
  double seconds = std::round((minutes_f - minutes) * 60 * 100) / 100;
  if (seconds >= 60) seconds -= 60, ++minutes;
  if (minutes >= 60) minutes -= 60, ++degrees;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%d\u00b0%02d'%05.2f\"%c", degrees, minutes, seconds,
                value < 0 ? negative : positive);
  return buffer;
}

using geosweep::test_tools::read_png;
using geosweep::test_tools::rgb_image;

bool near_rgb(std::array<int, 3> const& p, std::uint32_t rgb) {
  return std::abs(p[0] - static_cast<int>((rgb >> 16) & 0xFF)) < 40 &&
         std::abs(p[1] - static_cast<int>((rgb >> 8) & 0xFF)) < 40 &&
         std::abs(p[2] - static_cast<int>(rgb & 0xFF)) < 40;
}

/// An AOI's patch raster and grid as GDAL reads them from change.nc.
geosweep::test_tools::int_raster read_patch_raster(fs::path const& nc, std::string const& aoi) {
  return geosweep::test_tools::read_int_raster(geosweep::test_tools::nc_variable(nc, aoi, "patch"));
}

/// Simulated scenes, run and reported once for the suite.
class AlertPages : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("geosweep_alert_pages_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    auto const sim = geosweep::test_tools::geosweep_command("simulate --out " + dir_->string() +
                                                            " --seed 11 --size 400");
    ASSERT_EQ(sim.exit_code, 0) << sim.out;
    auto const run = geosweep::test_tools::geosweep_command("--backend cpu run " +
                                                            (*dir_ / "job.yaml").string());
    ASSERT_EQ(run.exit_code, 0) << run.out;
    auto const report =
        geosweep::test_tools::geosweep_command("report " + (*dir_ / "job.yaml").string());
    ASSERT_EQ(report.exit_code, 0) << report.out;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    if (shell("command -v pdftoppm && command -v pdfinfo && command -v pdftotext").exit_code != 0)
      GTEST_SKIP() << "poppler-utils not installed";
  }
  static fs::path out() { return *dir_ / "out"; }
  static std::vector<std::string> aois() { return {"reserve-north", "concession-7"}; }
  /// The rows of alerts.csv of `aoi`, in their order.
  static std::vector<std::size_t> rows_of(csv_table const& t, std::string const& aoi) {
    std::vector<std::size_t> rows;
    for (std::size_t i = 0; i < t.rows.size(); ++i)
      if (t.at(i, "aoi") == aoi) rows.push_back(i);
    return rows;
  }
  /// The first alert page: after 2 map pages (4 with false colour) and the table pages.
  static int first_alert_page(std::string const& aoi, std::size_t alerts) {
    int const maps = fs::exists(out() / "cog" / aoi / "false_colour_before.tif") ? 4 : 2;
    // After the cover, the map pages and the table pages.
    return 1 + maps + static_cast<int>(std::max<std::size_t>(1, (alerts + 25) / 26)) + 1;
  }
  static fs::path* dir_;
};

fs::path* AlertPages::dir_ = nullptr;

TEST_F(AlertPages, APagePerAlertBetweenTheTableAndTheTimeSeries) {
  auto const csv = read_csv(out() / "alerts.csv");
  std::size_t total = 0;
  for (auto const& aoi : aois()) {
    fs::path const pdf = out() / "report" / (aoi + ".pdf");
    auto const rows = rows_of(csv, aoi);
    total += rows.size();
    int const first = first_alert_page(aoi, rows.size());
    // The alert pages, then the time series and the chain of custody.
    EXPECT_EQ(page_count(pdf), first - 1 + static_cast<int>(rows.size()) + 2) << aoi;
    for (std::size_t k = 0; k < rows.size(); ++k) {
      auto const text = page_text(pdf, first + static_cast<int>(k));
      EXPECT_NE(text.find(aoi + ": alert " + std::to_string(k + 1)), std::string::npos) << text;
      EXPECT_NE(text.find(csv.at(rows[k], "alert_id")), std::string::npos) << text;
    }
    EXPECT_NE(page_text(pdf, first + static_cast<int>(rows.size())).find("time series"),
              std::string::npos);
  }
  EXPECT_GT(total, 2u);  // the simulation plants several clearings
}

TEST_F(AlertPages, TheCentroidReadsAsAlertsCsvAndInDegreesMinutesSeconds) {
  auto const csv = read_csv(out() / "alerts.csv");
  for (auto const& aoi : aois()) {
    fs::path const pdf = out() / "report" / (aoi + ".pdf");
    auto const rows = rows_of(csv, aoi);
    int const first = first_alert_page(aoi, rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      auto const text = page_text(pdf, first + static_cast<int>(k));
      std::string const lat = csv.at(rows[k], "centroid_lat");
      std::string const lon = csv.at(rows[k], "centroid_lon");
      EXPECT_NE(text.find(lat + ", " + lon), std::string::npos) << lat << ", " << lon << "\n"
                                                                << text;
      std::string const dms =
          dms_by_hand(std::stod(lat), 'N', 'S') + " " + dms_by_hand(std::stod(lon), 'E', 'W');
      EXPECT_NE(text.find(dms), std::string::npos) << dms << "\n" << text;
      EXPECT_NE(text.find(csv.at(rows[k], "first_seen")), std::string::npos) << text;
      EXPECT_NE(text.find(csv.at(rows[k], "area_ha") + " ha"), std::string::npos) << text;
    }
  }
}

TEST_F(AlertPages, BothChipsOutlineTheAlertWhereChangeNcPutsIt) {
  auto const csv = read_csv(out() / "alerts.csv");
  double const k_px = 2.0;  // PNG pixels per point at 144 dpi
  for (auto const& aoi : aois()) {
    fs::path const pdf = out() / "report" / (aoi + ".pdf");
    auto const rows = rows_of(csv, aoi);
    auto const raster = read_patch_raster(out() / "change.nc", aoi);
    int const kinds = fs::exists(out() / "cog" / aoi / "false_colour_before.tif") ? 2 : 1;
    int const first = first_alert_page(aoi, rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
      // The alert's pixels: patch k + 1 of change.nc; its centroid from alerts.csv lies among
      // them (the planted clearings are rectangles).
      gp::pixel_box box{raster.width, raster.height, -1, -1};
      for (int r = 0; r < raster.height; ++r)
        for (int c = 0; c < raster.width; ++c)
          if (raster.values[static_cast<std::size_t>(r) * raster.width + c] ==
              static_cast<int>(k + 1)) {
            box.min_c = std::min(box.min_c, c), box.max_c = std::max(box.max_c, c);
            box.min_r = std::min(box.min_r, r), box.max_r = std::max(box.max_r, r);
          }
      ASSERT_GE(box.max_c, 0) << aoi << " alert " << k + 1;
      auto const centre = raster.pixel(std::stod(csv.at(rows[k], "centroid_lon")),
                                       std::stod(csv.at(rows[k], "centroid_lat")));
      EXPECT_GE(centre[0], box.min_c);
      EXPECT_LE(centre[0], box.max_c + 1);
      EXPECT_GE(centre[1], box.min_r);
      EXPECT_LE(centre[1], box.max_r + 1);
      // The window of docs/reports.md: half the alert's size around it, at least 20 pixels.
      int const mc = std::max(20, (box.max_c - box.min_c + 2) / 2);
      int const mr = std::max(20, (box.max_r - box.min_r + 2) / 2);
      gp::chip_window w;
      w.col0 = std::max(0, box.min_c - mc);
      w.row0 = std::max(0, box.min_r - mr);
      w.width = std::min(raster.width, box.max_c + 1 + mc) - w.col0;
      w.height = std::min(raster.height, box.max_r + 1 + mr) - w.row0;
      auto const layout = gp::layout_alert_page(w, kinds);
      int const page = first + static_cast<int>(k);
      fs::path const prefix =
          fs::temp_directory_path() / ("geosweep_alert_chip_" + std::to_string(::getpid()));
      auto const ppm =
          shell("pdftoppm -r 144 -png -singlefile -f " + std::to_string(page) + " -l " +
                std::to_string(page) + " " + pdf.string() + " " + prefix.string());
      ASSERT_EQ(ppm.exit_code, 0) << ppm.out;
      auto const image = read_png(prefix.string() + ".png");
      fs::remove(prefix.string() + ".png");
      std::uint32_t const colour = csv.at(rows[k], "confidence") == "high"
                                       ? gp::high_confidence_colour
                                       : gp::low_confidence_colour;
      for (int p = 0; p < 2; ++p) {
        auto const& chip = layout.chips[static_cast<std::size_t>(p)];
        // The alert's box on the page, one pixel around it (the outline straddles its edge);
        // and the rest of the chip more than 3 pixels beyond it.
        auto const to_png = [&](double col, double row) {
          return std::array<int, 2>{
              static_cast<int>((chip.x0 + (col - w.col0) * layout.scale) * k_px),
              static_cast<int>((chip.y0 + (row - w.row0) * layout.scale) * k_px)};
        };
        auto const lo = to_png(box.min_c - 0.5, box.min_r - 0.5);
        auto const hi = to_png(box.max_c + 1.5, box.max_r + 1.5);
        int on_alert = 0;
        for (int y = lo[1]; y <= hi[1]; ++y)
          for (int x = lo[0]; x <= hi[0]; ++x)
            if (x >= 0 && y >= 0 && x < image.width && y < image.height)
              on_alert += near_rgb(image.at(x, y), colour) ? 1 : 0;
        // The outline runs all round: at least the alert's perimeter in points, once.
        double const perimeter =
            2.0 * (box.max_c - box.min_c + box.max_r - box.min_r + 2) * layout.scale * k_px;
        EXPECT_GT(on_alert, 0.8 * perimeter)
            << aoi << " alert " << k + 1 << (p == 0 ? " before" : " after") << " chip";
      }
    }
  }
}

TEST_F(AlertPages, AlertPagesTwoKeepsTheTwoLargestAndBadValuesNameTheField) {
  fs::path const job = *dir_ / "job.yaml";
  std::string const text = read_text(job);
  // Rejected, naming the field.
  for (std::string const bad : {"two", "-1", "2.5", "[1]"}) {
    auto const error = parse_error(text + "\nreport:\n  alert_pages: " + bad + "\n", job);
    EXPECT_NE(error.find("report.alert_pages"), std::string::npos) << bad << ": " << error;
  }
  EXPECT_NE(parse_error(text + "\nreport:\n  alert_pagez: 2\n", job).find("alert_pagez"),
            std::string::npos);
  EXPECT_EQ(gp::parse_job_spec(text, job, false).report.alert_pages, gp::default_alert_pages);
  fs::path const two = *dir_ / "job_two.yaml";
  {
    std::ofstream o(two);
    o << text << "\nreport:\n  alert_pages: 2\n";
  }
  EXPECT_EQ(gp::parse_job_spec(read_text(two), two, false).report.alert_pages, 2);
  auto const report = geosweep::test_tools::geosweep_command("report " + two.string());
  ASSERT_EQ(report.exit_code, 0) << report.out;
  auto const csv = read_csv(out() / "alerts.csv");
  for (auto const& aoi : aois()) {
    auto const rows = rows_of(csv, aoi);
    fs::path const pdf = out() / "report" / (aoi + ".pdf");
    std::size_t const pages = std::min<std::size_t>(2, rows.size());
    int const first = first_alert_page(aoi, rows.size());
    EXPECT_EQ(page_count(pdf), first - 1 + static_cast<int>(pages) + 2) << aoi;
    // The two largest by area (ties: the earlier), in the order of alerts.csv.
    std::vector<std::size_t> order(rows.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::stod(csv.at(rows[a], "area_ha")) > std::stod(csv.at(rows[b], "area_ha"));
    });
    order.resize(pages);
    std::sort(order.begin(), order.end());
    for (std::size_t j = 0; j < pages; ++j) {
      auto const page = page_text(pdf, first + static_cast<int>(j));
      EXPECT_NE(page.find(aoi + ": alert " + std::to_string(order[j] + 1) + " "), std::string::npos)
          << page;
      EXPECT_NE(page.find(csv.at(rows[order[j]], "alert_id")), std::string::npos) << page;
    }
  }
  // The default again, for the other tests of the suite.
  ASSERT_EQ(geosweep::test_tools::geosweep_command("report " + job.string()).exit_code, 0);
}

}  // namespace
