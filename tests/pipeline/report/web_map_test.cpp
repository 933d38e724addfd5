// The web map of report/index.html, as an analyst opens it: in a real browser (Debian's
// headless Chromium, from file://, offline), the AOIs and every alert of alerts.csv are drawn,
// index.html#<alert id> opens that alert's popup with its row, the before and after images
// switch in a layer control, a scale bar and a north arrow are there. The images sit where
// gdalwarp puts the COGs in Web Mercator, and Leaflet is Debian's, copied beside the page.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "tools/shell_command.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using geosweep::test_tools::command_result;
using geosweep::test_tools::shell;

std::string read_text(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::size_t count(std::string const& text, std::string const& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// The rows of alerts.csv, each split at its commas (no field of theirs holds one).
std::vector<std::vector<std::string>> csv_rows(fs::path const& path) {
  std::ifstream in(path);
  std::string line;
  std::vector<std::vector<std::string>> rows;
  std::getline(in, line);
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> cells;
    std::stringstream s(line);
    std::string cell;
    while (std::getline(s, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

/// The simulated demo, run and reported once.
class WebMap : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("geosweep_web_map_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    std::string const geosweep = GEOSWEEP_BINARY;
    auto const sim =
        shell(geosweep + " simulate --out " + dir_->string() + " --seed 42 --size 240");
    ASSERT_EQ(sim.exit_code, 0) << sim.out;
    auto const run = shell(geosweep + " --backend cpu run " + (*dir_ / "job.yaml").string());
    ASSERT_EQ(run.exit_code, 0) << run.out;
    auto const report = shell(geosweep + " report " + (*dir_ / "job.yaml").string());
    ASSERT_EQ(report.exit_code, 0) << report.out;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    if (!fs::exists("/usr/share/javascript/leaflet/leaflet.js"))
      GTEST_SKIP() << "libjs-leaflet not installed";
  }
  static fs::path out() { return *dir_ / "out"; }
  static fs::path report() { return out() / "report"; }
  /// The page's data: the JSON after "var geosweepMap = ".
  static json page_data() {
    std::string const html = read_text(report() / "index.html");
    std::string const start = "var geosweepMap = ";
    auto const at = html.find(start);
    EXPECT_NE(at, std::string::npos);
    auto const end = html.find(";\n", at);
    return json::parse(html.substr(at + start.size(), end - at - start.size()));
  }
  /// Chromium's DOM of the page after its scripts ran, opened at `fragment`.
  static command_result browse(std::string const& fragment) {
    return shell(
        "timeout 120 chromium --headless --no-sandbox --disable-gpu "
        "--disable-dev-shm-usage --virtual-time-budget=5000 --dump-dom 'file://" +
        (report() / "index.html").string() + fragment + "' 2>/dev/null");
  }
  static fs::path* dir_;
};

fs::path* WebMap::dir_ = nullptr;

TEST_F(WebMap, LeafletIsDebiansCopiedBesideThePageAndNothingIsFetched) {
  for (char const* f : {"leaflet.js", "leaflet.css", "images/layers.png"})
    EXPECT_EQ(read_text(report() / "leaflet" / f),
              read_text(fs::path("/usr/share/javascript/leaflet") / f))
        << f;
  std::string const html = read_text(report() / "index.html");
  std::smatch m;
  std::regex const remote(R"((src|href)="(https?:)?//)");
  EXPECT_FALSE(std::regex_search(html, m, remote)) << m.str();
  EXPECT_NE(html.find("<script src=\"leaflet/leaflet.js\">"), std::string::npos);
}

// gdalwarp, not geosweep, says where each COG lies in Web Mercator; the overlay PNG must have
// its size and, in WGS84, its corners.
TEST_F(WebMap, EachImageLiesWhereGdalwarpPutsItsCog) {
  auto const data = page_data();
  ASSERT_EQ(data.at("overlays").size(), 8u);  // 2 AOIs x true and false colour x before, after
  for (auto const& o : data.at("overlays")) {
    std::string const aoi = o.at("aoi"), kind = o.at("kind"), period = o.at("period");
    SCOPED_TRACE(aoi + " " + kind + " " + period);
    fs::path const cog = out() / "cog" / aoi / (kind + "_" + period + ".tif");
    fs::path const warped = *dir_ / "warped.tif";
    fs::remove(warped);
    auto const w = shell("gdalwarp -q -t_srs EPSG:3857 -r near -et 0.125 '" + cog.string() + "' '" +
                         warped.string() + "'");
    ASSERT_EQ(w.exit_code, 0) << w.out;
    auto const g = json::parse(shell("gdalinfo -json '" + warped.string() + "'").out);
    auto const p = json::parse(
        shell("gdalinfo -json '" + (report() / o.at("file").get<std::string>()).string() + "'")
            .out);
    EXPECT_EQ(p.at("size"), g.at("size"));
    EXPECT_EQ(p.at("bands").size(), 4u);  // RGBA: transparent outside the AOI
    // Corners of the warped COG in WGS84 (gdalinfo's wgs84Extent: lon, lat).
    auto const& ring = g.at("wgs84Extent").at("coordinates").at(0);
    double west = 1e9, east = -1e9, south = 1e9, north = -1e9;
    for (auto const& c : ring) {
      west = std::min(west, c[0].get<double>());
      east = std::max(east, c[0].get<double>());
      south = std::min(south, c[1].get<double>());
      north = std::max(north, c[1].get<double>());
    }
    auto const& b = o.at("bounds");
    double const tolerance = 1e-6;  // about 0.1 m
    EXPECT_NEAR(b[0][0].get<double>(), south, tolerance);
    EXPECT_NEAR(b[0][1].get<double>(), west, tolerance);
    EXPECT_NEAR(b[1][0].get<double>(), north, tolerance);
    EXPECT_NEAR(b[1][1].get<double>(), east, tolerance);
  }
}

TEST_F(WebMap, ChromiumDrawsEveryAlertAndOpensTheOneInTheAddress) {
  if (shell("command -v chromium").exit_code != 0) GTEST_SKIP() << "chromium not installed";
  auto const rows = csv_rows(out() / "alerts.csv");
  ASSERT_GE(rows.size(), 2u);
  auto const& chosen = rows[1];  // alert_id, aoi, first_seen, confirmed_on, confidence, area_ha
  auto const dom = browse("#" + chosen[0]);
  ASSERT_EQ(dom.exit_code, 0) << dom.out.substr(0, 2000);
  // One SVG path per alert and per AOI outline (Leaflet's class for drawn vector layers).
  EXPECT_EQ(count(dom.out, "leaflet-interactive"), rows.size() + 2) << dom.out.substr(0, 2000);
  // The popup: that alert's row.
  auto const popup = dom.out.find("leaflet-popup-content");
  ASSERT_NE(popup, std::string::npos) << "no popup open";
  std::string const content = dom.out.substr(popup, 2000);
  EXPECT_NE(content.find("<td>" + chosen[0] + "</td>"), std::string::npos) << content;
  EXPECT_NE(content.find("<td>" + chosen[2] + "</td>"), std::string::npos)
      << content;  // first seen
  EXPECT_NE(content.find("<td>" + std::to_string(std::stod(chosen[7])).substr(0, 4)),
            std::string::npos)
      << content;  // area, as alerts.geojson rounds it
  // The images: the true colour before of both AOIs shown, the others a switch away.
  EXPECT_EQ(count(dom.out, "leaflet-image-layer"), 2u);
  EXPECT_NE(dom.out.find("src=\"map/reserve-north_true_colour_before.png\""), std::string::npos);
  for (char const* label : {"true colour, before", "true colour, after", "false colour, after",
                            "Areas of interest", "Alerts"})
    EXPECT_NE(dom.out.find(std::string("<span> ") + label + "</span>"), std::string::npos) << label;
  EXPECT_NE(dom.out.find("leaflet-control-scale-line"), std::string::npos);
  EXPECT_NE(dom.out.find("north-arrow"), std::string::npos);
  // Without a fragment no popup is open.
  auto const plain = browse("");
  EXPECT_EQ(plain.out.find("leaflet-popup-content"), std::string::npos);
  EXPECT_EQ(count(plain.out, "leaflet-interactive"), rows.size() + 2);
}

TEST_F(WebMap, WithoutLeafletThePageHasNoMapAndSaysWhy) {
  fs::path const copy = *dir_ / "out-copy";  // the run's outputs, without their report
  fs::remove_all(copy);
  fs::copy(out(), copy, fs::copy_options::recursive);
  fs::remove_all(copy / "report");
  auto const r = shell("GEOSWEEP_LEAFLET_DIR=/nonexistent " + std::string(GEOSWEEP_BINARY) +
                       " report -o " + copy.string() + " " + (*dir_ / "job.yaml").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("libjs-leaflet"), std::string::npos) << r.out;  // the warning
  std::string const html = read_text(copy / "report" / "index.html");
  EXPECT_EQ(html.find("leaflet"), std::string::npos);
  EXPECT_FALSE(fs::exists(copy / "report" / "map"));
  EXPECT_NE(html.find("reserve-north.pdf"), std::string::npos);  // the rest is there
}

}  // namespace
