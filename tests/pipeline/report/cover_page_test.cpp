// The cover page as a reader sees it: simulated scenes are run and reported with the geosweep
// command, page 1 is read back with pdftotext (job, AOI, periods, alert count, hectares by
// confidence and value summed here from alerts.csv) and rendered with pdftoppm (each AOI's fill
// on the locator map lies where the job file puts it relative to the other AOIs). An extra AOI
// without planted clearings says that it has no alerts.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <array>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "report/report_cover_page.hpp"
#include "report/report_text.hpp"
#include "tools/png_image.hpp"
#include "tools/shell_command.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;

namespace {

using geosweep::test_tools::shell;

bool have_poppler() {
  return shell("command -v pdftoppm && command -v pdftotext").exit_code == 0;
}

std::string read_text(fs::path const& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// alerts.csv as rows of named cells.
std::vector<std::map<std::string, std::string>> read_alerts_csv(fs::path const& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();  // CSV rows end in CRLF
  std::vector<std::string> header;
  {
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) header.push_back(cell);
  }
  std::vector<std::map<std::string, std::string>> rows;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::map<std::string, std::string> row;
    std::stringstream s(line);
    std::size_t i = 0;
    for (std::string cell; std::getline(s, cell, ',') && i < header.size(); ++i)
      row[header[i]] = cell;
    rows.push_back(row);
  }
  return rows;
}

/// `text` with its runs of white space as one space.
std::string flatten(std::string const& text) {
  std::string flat;
  for (char c : text) {
    bool const space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
    if (space && (flat.empty() || flat.back() == ' ')) continue;
    flat += space ? ' ' : c;
  }
  return flat;
}

/// The number after `label` in `text` (NaN when absent); English grouping commas dropped.
double number_after(std::string const& text, std::string const& label) {
  auto const at = text.find(label);
  if (at == std::string::npos) return NAN;
  std::string digits;
  for (std::size_t i = at + label.size(); i < text.size(); ++i) {
    char const c = text[i];
    if (c == ',') continue;
    if ((c < '0' || c > '9') && c != '.') break;
    digits += c;
  }
  return digits.empty() ? NAN : std::stod(digits);
}

using geosweep::test_tools::read_png;
using geosweep::test_tools::rgb_image;

bool near_colour(std::uint32_t p, std::uint32_t c, int tolerance) {
  for (int shift : {16, 8, 0})
    if (std::abs(static_cast<int>((p >> shift) & 0xFF) - static_cast<int>((c >> shift) & 0xFF)) >
        tolerance)
      return false;
  return true;
}

/// Mean position (x, y) and count of the pixels of `colour` in the locator frame of `image`: the
/// box of the frame's background inside the locator box (so the legend's swatches are left out).
struct colour_spot {
  double x = 0, y = 0;
  int count = 0;
};

colour_spot find_in_locator(rgb_image const& image, std::uint32_t colour, double k) {
  gp::locator_box const box;
  int fx0 = image.width, fy0 = image.height, fx1 = -1, fy1 = -1;
  for (int y = static_cast<int>(box.y0 * k); y < static_cast<int>(box.y1 * k); ++y)
    for (int x = static_cast<int>(box.x0 * k); x < static_cast<int>(box.x1 * k); ++x)
      if (near_colour(image.rgb(x, y), 0xF7F7F2, 2)) {
        fx0 = std::min(fx0, x);
        fy0 = std::min(fy0, y);
        fx1 = std::max(fx1, x);
        fy1 = std::max(fy1, y);
      }
  colour_spot s;
  for (int y = fy0; y <= fy1; ++y)
    for (int x = fx0; x <= fx1; ++x)
      if (near_colour(image.rgb(x, y), colour, 12)) {
        s.x += x;
        s.y += y;
        ++s.count;
      }
  if (s.count > 0) {
    s.x /= s.count;
    s.y /= s.count;
  }
  return s;
}

/// The middle of an AOI's lon/lat envelope.
struct lon_lat {
  double lon = 0, lat = 0;
};

/// Simulated scenes with an extra AOI ("quiet", away from every planted clearing) and a value
/// per hectare on reserve-north, run and reported once for the suite.
class CoverPage : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ =
        new fs::path(fs::temp_directory_path() / ("geosweep_cover_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    auto const sim = geosweep::test_tools::geosweep_command("simulate --out " + dir_->string() +
                                                            " --seed 11 --size 200");
    ASSERT_EQ(sim.exit_code, 0) << sim.out;
    std::string job = read_text(*dir_ / "job.yaml");
    auto const at = job.find("    bbox: [-62.08819, -9.50952, -62.07693, -9.49835]\n");
    ASSERT_NE(at, std::string::npos) << job;
    job.insert(at, "    value_per_ha: 1000\n");
    auto const period = job.find("period:");
    ASSERT_NE(period, std::string::npos);
    job.insert(period, std::string("  - name: quiet\n    bbox: ") + kQuietBbox + "\n");
    std::ofstream(*dir_ / "job.yaml") << job;
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
    if (!have_poppler()) GTEST_SKIP() << "pdftoppm/pdftotext (poppler-utils) not installed";
  }
  static fs::path out() { return *dir_ / "out"; }
  static fs::path pdf(std::string const& aoi) { return out() / "report" / (aoi + ".pdf"); }
  static std::string cover_text(std::string const& aoi) {
    return flatten(shell("pdftotext -f 1 -l 1 " + pdf(aoi).string() + " -").out);
  }
  /// Page 1 of `aoi`'s PDF at `dpi`.
  static rgb_image cover_image(std::string const& aoi, int dpi) {
    fs::path const prefix = fs::temp_directory_path() /
                            ("geosweep_cover_page_" + aoi + "_" + std::to_string(::getpid()));
    auto const ppm = shell("pdftoppm -r " + std::to_string(dpi) + " -png -singlefile -f 1 -l 1 " +
                           pdf(aoi).string() + " " + prefix.string());
    EXPECT_EQ(ppm.exit_code, 0) << ppm.out;
    auto image = read_png(prefix.string() + ".png");
    if (char const* keep = std::getenv("GEOSWEEP_KEEP_COVER"); keep != nullptr)
      fs::copy_file(prefix.string() + ".png", fs::path(keep) / (aoi + "_cover_page.png"),
                    fs::copy_options::overwrite_existing);
    fs::remove(prefix.string() + ".png");
    return image;
  }
  /// Where the job file puts each AOI: its bbox, or its GeoJSON's envelope.
  static std::map<std::string, lon_lat> aoi_centres() {
    gp::ensure_gdal();
    auto ds = gp::open_vector(*dir_ / "aois" / "concession-7.geojson");
    OGREnvelope e;
    for (auto& feature : *ds->GetLayer(0)) {
      OGREnvelope f;
      feature->GetGeometryRef()->getEnvelope(&f);
      e.Merge(f);
    }
    return {{"reserve-north", {(-62.08819 - 62.07693) / 2, (-9.50952 - 9.49835) / 2}},
            {"concession-7", {(e.MinX + e.MaxX) / 2, (e.MinY + e.MaxY) / 2}},
            {"quiet", {(-62.0755 - 62.0725) / 2, (-9.5020 - 9.4995) / 2}}};
  }

  static constexpr char const* kQuietBbox = "[-62.0755, -9.5020, -62.0725, -9.4995]";
  static fs::path* dir_;
};

fs::path* CoverPage::dir_ = nullptr;

std::vector<std::string> all_aois() {
  return {"reserve-north", "concession-7", "quiet"};
}

TEST_F(CoverPage, PageOneNamesTheJobTheAoiAndThePeriods) {
  for (auto const& aoi : all_aois()) {
    auto const text = cover_text(aoi);
    // As the job file (simulate) writes them.
    for (std::string const& words : {std::string("simulated-seed-11"), aoi + ": forest-loss report",
                                     std::string("Baseline: 2023-06-05 to 2023-07-05"),
                                     std::string("Monitoring: 2024-06-04 to 2024-07-19"),
                                     std::string("sentinel2-l2a, 7 scene"),
                                     std::string("baseline on ndvi"), std::string("backend cpu")})
      EXPECT_NE(text.find(words), std::string::npos) << aoi << " lacks '" << words << "': " << text;
    EXPECT_TRUE(fs::exists(out() / "report" / (aoi + "_cover.png"))) << aoi;
  }
  auto const html = read_text(out() / "report" / "index.html");
  EXPECT_NE(html.find("src=\"reserve-north_cover.png\""), std::string::npos);
}

TEST_F(CoverPage, TheSummaryAddsUpAlertsCsv) {
  auto const rows = read_alerts_csv(out() / "alerts.csv");
  ASSERT_FALSE(rows.empty());
  for (std::string aoi : {"reserve-north", "concession-7"}) {
    int count = 0, high = 0, low = 0;
    double high_ha = 0, low_ha = 0, value = 0;
    for (auto const& r : rows) {
      if (r.at("aoi") != aoi) continue;
      ++count;
      double const ha = std::stod(r.at("area_ha"));
      if (r.at("confidence") == "high") {
        high_ha += ha;
        ++high;
      } else {
        low_ha += ha;
        ++low;
      }
      if (r.count("estimated_value") && !r.at("estimated_value").empty())
        value += std::stod(r.at("estimated_value"));
    }
    ASSERT_GT(count, 0) << aoi;
    auto const text = cover_text(aoi);
    EXPECT_NE(text.find("Alerts: " + std::to_string(count) + ","), std::string::npos) << text;
    // alerts.csv rounds each area; the page sums unrounded ones.
    double const slack = 0.005 * count + 0.011;
    EXPECT_NEAR(number_after(text, "High confidence: "), high_ha, slack) << text;
    EXPECT_NEAR(number_after(text, "Low confidence: "), low_ha, slack) << text;
    EXPECT_NE(text.find("(" + std::to_string(high) + " alert(s))"), std::string::npos) << text;
    EXPECT_NE(text.find("(" + std::to_string(low) + " alert(s))"), std::string::npos) << text;
    if (aoi == "reserve-north") {
      // value_per_ha 1000: the value is a thousand times the area.
      EXPECT_NEAR(number_after(text, "Estimated value: "), value, 0.01 * count + 0.01) << text;
      EXPECT_NEAR(value, 1000 * (high_ha + low_ha), 10.0 * count);
      EXPECT_NE(text.find("(1,000.00 per ha)"), std::string::npos) << text;
    } else {
      EXPECT_EQ(text.find("Estimated value"), std::string::npos) << text;
    }
  }
}

TEST_F(CoverPage, AnAoiWithoutAlertsSaysSo) {
  for (auto const& r : read_alerts_csv(out() / "alerts.csv"))
    ASSERT_NE(r.at("aoi"), "quiet") << "the quiet AOI got an alert: move it off the clearings";
  auto const text = cover_text("quiet");
  EXPECT_NE(text.find("No change found in this AOI for the monitoring period."), std::string::npos)
      << text;
  EXPECT_EQ(text.find("High confidence:"), std::string::npos) << text;
  EXPECT_EQ(cover_text("reserve-north").find("No change found"), std::string::npos);
}

TEST_F(CoverPage, TheLocatorFillsEachAoiWhereTheJobPutsItAmongTheOthers) {
  int const dpi = 144;
  double const k = dpi / 72.0;
  auto const centres = aoi_centres();
  std::map<std::string, colour_spot> fills;
  for (auto const& aoi : all_aois()) {
    auto const image = cover_image(aoi, dpi);
    ASSERT_GT(image.width, 0) << aoi;
    auto const fill = find_in_locator(image, gp::locator_aoi_fill, k);
    EXPECT_GT(fill.count, 100) << aoi << ": no AOI fill on the locator";
    fills[aoi] = fill;
    // The other AOIs are outlined on the same map, with their colour.
    auto const others = find_in_locator(image, gp::locator_other_aoi, k);
    EXPECT_GT(others.count, 100) << aoi << ": no outline of the other AOIs";
  }
  // Every cover has the same locator (the run's extent), so the fills compare across covers:
  // east is right, north is up, in the order of the job's coordinates.
  for (auto const& a : all_aois()) {
    for (auto const& b : all_aois()) {
      if (a == b) continue;
      double const dlon = centres.at(b).lon - centres.at(a).lon;
      double const dlat = centres.at(b).lat - centres.at(a).lat;
      double const dx = fills.at(b).x - fills.at(a).x, dy = fills.at(b).y - fills.at(a).y;
      if (std::abs(dlon) > 0.001) {
        EXPECT_GT(dx * dlon, 0) << b << " against " << a;
      }
      if (std::abs(dlat) > 0.001) {
        EXPECT_LT(dy * dlat, 0) << b << " against " << a;
      }
    }
  }
  // On reserve-north's cover the other AOIs' outlines lie east of its fill (concession-7 and
  // quiet both lie east of it in the job file).
  auto const image = cover_image("reserve-north", dpi);
  auto const others = find_in_locator(image, gp::locator_other_aoi, k);
  EXPECT_GT(others.x, fills.at("reserve-north").x);
}

TEST(CoverText, LandCoverLinesShowFiveClassesThenHowManyMore) {
  // Seven classes, most hectares first: five lines, then one for the last two (0.5 + 0.25 ha).
  std::vector<gp::class_change> classes{{"dense forest", 1234.5, 3703500.0},
                                        {"open forest", 10.0, std::nullopt},
                                        {"shrubs", 5.0, 50.0},
                                        {"grass", 4.0, std::nullopt},
                                        {"crops", 2.0, std::nullopt},
                                        {"wetland", 0.5, std::nullopt},
                                        {"moss", 0.25, std::nullopt}};
  auto const en = gp::class_change_lines(gp::report_language::en, classes);
  ASSERT_EQ(en.size(), 6u);
  EXPECT_EQ(en[0], "1,234.50 ha of dense forest, estimated 3,703,500.00");
  EXPECT_EQ(en[1], "10.00 ha of open forest");
  EXPECT_EQ(en[4], "2.00 ha of crops");
  EXPECT_EQ(en[5], "and 2 more class(es), 0.75 ha (landcover.csv)");
  // Five or fewer: no such line.
  classes.resize(5);
  EXPECT_EQ(gp::class_change_lines(gp::report_language::en, classes).size(), 5u);
  classes.resize(1);
  auto const fr = gp::class_change_lines(gp::report_language::fr, classes);
  ASSERT_EQ(fr.size(), 1u);
  EXPECT_NE(fr[0].find("ha de dense forest, valeur estimée"), std::string::npos) << fr[0];
}

TEST(LandcoverChange, ReadsTheRowsWithChangeAndNamesTheLineOfABadOne) {
  auto const dir =
      fs::temp_directory_path() / ("geosweep_landcover_read_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "landcover.csv") << "aoi,alert_id,class,changed_ha,value,class_area_ha\r\n"
                                          "north,,grass,0.0000,,12.0000\r\n"
                                          "north,,forest,1.5000,4500.00,80.0000\r\n"
                                          "north,,crops,2.2500,,30.0000\r\n"
                                          "north,gs-1,forest,1.5000,4500.00,\r\n";
  auto const read = gp::read_landcover_change(dir / "landcover.csv");
  ASSERT_EQ(read.by_aoi.size(), 1u);
  auto const& north = read.by_aoi.at("north");
  ASSERT_EQ(north.size(), 2u);  // grass has no change; crops has the most hectares
  EXPECT_EQ(north[0].name, "crops");
  EXPECT_FALSE(north[0].value.has_value());
  EXPECT_EQ(north[1].name, "forest");
  EXPECT_DOUBLE_EQ(*north[1].value, 4500.0);
  ASSERT_EQ(read.by_alert.at("gs-1").size(), 1u);
  EXPECT_TRUE(gp::read_landcover_change(dir / "absent.csv").by_aoi.empty());
  std::ofstream(dir / "bad.csv") << "aoi,alert_id,class,changed_ha,value,class_area_ha\n"
                                    "north,,forest,1.5000,4500.00,80.0000\n"
                                    "north,,crops,lots,,30.0000\n";
  try {
    gp::read_landcover_change(dir / "bad.csv");
    ADD_FAILURE() << "no error";
  } catch (geosweep::io_error const& e) {
    EXPECT_NE(std::string(e.what()).find("bad.csv: line 3"), std::string::npos) << e.what();
  }
  fs::remove_all(dir);
}

TEST(CoverText, EveryCoverPhraseHasATextInEachLanguage) {
  int cover_keys = 0;
  for (auto const key : gp::translation_keys()) {
    if (key.rfind("cover.", 0) != 0) continue;
    ++cover_keys;
    for (auto const language : {gp::report_language::en, gp::report_language::es,
                                gp::report_language::pt, gp::report_language::fr})
      EXPECT_FALSE(gp::tr(language, key).empty()) << key;
  }
  EXPECT_GT(cover_keys, 10);
  // Real translations, not copies; placeholders filled in the language's word order.
  EXPECT_NE(gp::tr(gp::report_language::es, "cover.title"),
            gp::tr(gp::report_language::en, "cover.title"));
  EXPECT_EQ(fmt::format(fmt::runtime(gp::tr(gp::report_language::fr, "cover.baseline")),
                        "05/06/2023", "05/07/2023"),
            "Référence : du 05/06/2023 au 05/07/2023");
}

}  // namespace
