// Reports as a reader sees them: simulated scenes are run and reported with the geosweep
// command, the PDF is turned into PNGs with pdftoppm and the pixels are checked (planted
// clearings outlined where truth.geojson puts them and nowhere else, the compass rose in its
// corner, the map not blank); the alert table is read back with pdftotext. The map geometry
// (true north, scale bar, graticule) is checked against independent formulas.
#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/report.hpp"
#include "report/map_geometry.hpp"
#include "report/report_map.hpp"
#include "tools/wkt.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;

namespace {

constexpr double kDegree = std::numbers::pi / 180.0;

struct command_result {
  int exit_code = -1;
  std::string out;  // stdout and stderr together
};

command_result shell(std::string const& command) {
  command_result r;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return r;
  std::array<char, 4096> buffer{};
  while (std::fgets(buffer.data(), buffer.size(), pipe) != nullptr) r.out += buffer.data();
  int const status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

command_result geosweep(std::string const& args) {
  return shell(std::string(GEOSWEEP_BINARY) + " " + args);
}

bool have_poppler() {
  return shell("command -v pdftoppm && command -v pdfinfo").exit_code == 0;
}

// ---------------------------------------------------------------- geometry

TEST(MapGeometry, TrueNorthIsUpOnANorthUpGeographicGrid) {
  gp::raster_grid grid{
      geosweep::test_tools::wkt_of(4326), {-62.1, 0.0001, 0, -9.5, 0, -0.0001}, 500, 400};
  gp::grid_geography const geo(grid);
  for (gp::image_point p :
       {gp::image_point{0, 0}, gp::image_point{250, 200}, gp::image_point{500, 400}})
    EXPECT_NEAR(geo.true_north_angle(p), 0.0, 1e-6);
}

/// Meridian convergence of transverse Mercator on the sphere, gamma = atan(tan(dlon) sin(lat)):
/// the angle from true north clockwise to grid north. True north seen from grid up is -gamma.
double expected_true_north(double lon, double lat, double central_meridian) {
  return -std::atan(std::tan((lon - central_meridian) * kDegree) * std::sin(lat * kDegree)) /
         kDegree;
}

/// A 10 m UTM grid centred on (lon, lat).
gp::raster_grid utm_grid_around(int epsg, double lon, double lat) {
  auto const utm = gp::make_srs(geosweep::test_tools::wkt_of(epsg));
  auto const t = gp::make_transform(gp::wgs84(), utm);
  double x = lon, y = lat;
  EXPECT_TRUE(t->Transform(1, &x, &y));
  return {geosweep::test_tools::wkt_of(epsg), {x - 1000, 10, 0, y + 1000, 0, -10}, 200, 200};
}

TEST(MapGeometry, TrueNorthOnAUtmGridFarFromItsCentralMeridian) {
  struct place {
    int epsg;
    double lon, lat, central_meridian;
  };
  // Northern hemisphere east of the meridian: true north leans anticlockwise (negative);
  // southern hemisphere east of it: clockwise; west of it in the north: clockwise.
  for (auto const& p : {place{32633, 18.0, 60.0, 15.0}, place{32720, -60.0, -30.0, -63.0},
                        place{32633, 12.2, 45.0, 15.0}}) {
    gp::grid_geography const geo(utm_grid_around(p.epsg, p.lon, p.lat));
    double const expected = expected_true_north(p.lon, p.lat, p.central_meridian);
    double const angle = geo.true_north_angle({100, 100});
    EXPECT_NEAR(angle, expected, 0.02) << p.epsg << " " << p.lon << " " << p.lat;
    EXPECT_GT(std::abs(angle), 1.0);  // far from the meridian: clearly not zero
  }
}

TEST(MapGeometry, TrueNorthOnARotatedGeotransform) {
  // Rotating the pixel axes anticlockwise by theta on the ground (column axis towards
  // north-east, image up towards north-west) leaves true north theta clockwise of image up.
  for (double theta : {30.0, -20.0, 90.0}) {
    double const c = std::cos(theta * kDegree), s = std::sin(theta * kDegree), size = 1e-4;
    gp::raster_grid grid{geosweep::test_tools::wkt_of(4326),
                         {-62.1, size * c, size * s, -9.5, size * s, -size * c},
                         300,
                         300};
    gp::grid_geography const geo(grid);
    EXPECT_NEAR(geo.true_north_angle({150, 150}), theta, 0.01) << theta;
  }
}

TEST(MapGeometry, GroundDistanceOfAUtmPixelIsItsSizeTimesTheScaleFactor) {
  // On the central meridian the UTM scale factor is 0.9996: 10 grid metres are 10.004 m.
  gp::grid_geography const geo(utm_grid_around(32633, 15.0, 50.0));
  EXPECT_NEAR(geo.ground_distance({100, 100}, {200, 100}), 1000.0 / 0.9996, 0.05);
}

TEST(MapGeometry, ScaleBarLengthsAreRoundAndFillTheRoom) {
  for (double room = 0.37; room < 5e6; room *= 1.37) {
    double const length = gp::scale_bar_length(room);
    EXPECT_LE(length, room * (1 + 1e-12));
    EXPECT_GT(length, room / 2.5);  // 1 -> 2 -> 5 -> 10: never less than 40 % of the room
    double const leading = length / std::pow(10.0, std::floor(std::log10(length) + 1e-9));
    EXPECT_TRUE(std::abs(leading - 1) < 1e-9 || std::abs(leading - 2) < 1e-9 ||
                std::abs(leading - 5) < 1e-9)
        << length;
  }
  EXPECT_EQ(gp::format_distance(500), "500 m");
  EXPECT_EQ(gp::format_distance(2000), "2 km");
  EXPECT_EQ(gp::format_distance(250), "250 m");
  EXPECT_EQ(gp::format_distance(1500), "1.5 km");
}

TEST(MapGeometry, GraticuleLabelsReadAsDegreesMinutesSeconds) {
  EXPECT_EQ(gp::format_latitude(-9.5, 0.5), "9\u00b030'S");
  EXPECT_EQ(gp::format_longitude(-62.075, 15.0 / 3600), "62\u00b004'30\"W");
  EXPECT_EQ(gp::format_latitude(10, 5), "10\u00b0N");
  EXPECT_EQ(gp::format_longitude(0, 1), "0\u00b0");
  EXPECT_EQ(gp::format_longitude(7.25, 0.25), "7\u00b015'E");
  // The step is the smallest round one that keeps the lines at or under the maximum.
  for (double span : {0.0225, 0.3, 2.7, 40.0}) {
    double const step = gp::graticule_step(span, 4);
    EXPECT_LE(span / step, 4.0) << span;
    auto const values = gp::graticule_values(-10.0, -10.0 + span, step);
    EXPECT_FALSE(values.empty());
    for (double v : values) EXPECT_NEAR(v / step, std::round(v / step), 1e-6);
  }
}

TEST(MapGeometry, GraticuleOfANorthUpGridLabelsMeridiansTopAndBottom) {
  // 0.05 x 0.04 degrees, edges off the round values.
  double const west = -62.1003, north = -9.5003, size = 0.0001;
  gp::raster_grid grid{
      geosweep::test_tools::wkt_of(4326), {west, size, 0, north, 0, -size}, 500, 400};
  gp::grid_geography const geo(grid);
  auto const lines = gp::make_graticule(geo, grid.width, grid.height, 4);
  double const step = gp::graticule_step(0.05, 4);
  EXPECT_NEAR(step, 1.0 / 60, 1e-12);  // 30" would need 6 lines, 1' needs 3
  int meridians = 0, parallels = 0;
  for (auto const& line : lines) {
    ASSERT_FALSE(line.labels.empty());
    for (auto const& label : line.labels) {
      if (line.meridian) {
        EXPECT_TRUE(label.edge == gp::image_edge::top || label.edge == gp::image_edge::bottom);
        // The column where the meridian crosses: (lon - west) / pixel size.
        EXPECT_NEAR(label.position, (line.value - west) / size, 1e-3);
        EXPECT_EQ(label.text, gp::format_longitude(line.value, step)) << label.text;
      } else {
        EXPECT_TRUE(label.edge == gp::image_edge::left || label.edge == gp::image_edge::right);
        EXPECT_NEAR(label.position, (north - line.value) / size, 1e-3);
      }
    }
    (line.meridian ? meridians : parallels)++;
  }
  auto const multiples = [&](double lo, double hi) {
    return static_cast<int>(std::floor(hi / step) - std::ceil(lo / step)) + 1;
  };
  EXPECT_EQ(meridians, multiples(west, west + 500 * size));
  EXPECT_EQ(parallels, multiples(north - 400 * size, north));
  EXPECT_EQ(meridians, 3);
}

TEST(MapGeometry, PercentileLimitsIgnoreNoData) {
  std::vector<float> values;
  for (int i = 1; i <= 100; ++i) values.push_back(static_cast<float>(i));
  values.push_back(NAN);
  auto const limits = gp::percentile_limits(values, 2, 98);
  EXPECT_EQ(limits[0], 2.0F);
  EXPECT_EQ(limits[1], 98.0F);
}

// ---------------------------------------------------------------- reports end to end

/// An RGB PNG read with GDAL.
struct rgb_image {
  int width = 0, height = 0;
  std::array<std::vector<std::uint8_t>, 3> bands;
  [[nodiscard]] std::array<int, 3> at(int x, int y) const {
    auto const i = static_cast<std::size_t>(y) * width + x;
    return {bands[0][i], bands[1][i], bands[2][i]};
  }
};

rgb_image read_png(fs::path const& path) {
  gp::ensure_gdal();
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  rgb_image image;
  if (!ds) {
    ADD_FAILURE() << "cannot open " << path;
    return image;
  }
  image.width = ds->GetRasterXSize();
  image.height = ds->GetRasterYSize();
  for (int b = 0; b < 3; ++b) {
    auto& band = image.bands[static_cast<std::size_t>(b)];
    band.resize(static_cast<std::size_t>(image.width) * image.height);
    EXPECT_EQ(
        ds->GetRasterBand(b + 1)->RasterIO(GF_Read, 0, 0, image.width, image.height, band.data(),
                                           image.width, image.height, GDT_Byte, 0, 0),
        CE_None);
  }
  return image;
}

bool is_high_outline(std::array<int, 3> const& p) {
  int const r = (gp::high_confidence_colour >> 16) & 0xFF,
            g = (gp::high_confidence_colour >> 8) & 0xFF, b = gp::high_confidence_colour & 0xFF;
  return std::abs(p[0] - r) < 40 && std::abs(p[1] - g) < 40 && std::abs(p[2] - b) < 40;
}

/// A planted clearing from truth.geojson: its AOI and its box in longitude/latitude.
struct clearing {
  std::string aoi;
  std::vector<std::array<double, 2>> ring;  // lon, lat
};

std::vector<clearing> read_truth(fs::path const& path) {
  auto ds = gp::open_vector(path);
  std::vector<clearing> out;
  for (auto& feature : *ds->GetLayer(0)) {
    clearing c;
    c.aoi = feature->GetFieldAsString("aoi");
    OGREnvelope e;
    feature->GetGeometryRef()->getEnvelope(&e);
    c.ring = {{e.MinX, e.MinY}, {e.MaxX, e.MinY}, {e.MaxX, e.MaxY}, {e.MinX, e.MaxY}};
    out.push_back(std::move(c));
  }
  return out;
}

/// The AOI grid of change.nc (as GDAL reads it).
struct aoi_grid {
  int width = 0, height = 0;
  std::array<double, 6> inverse{};
  std::unique_ptr<OGRCoordinateTransformation> from_wgs84;
  /// Image column and row of a longitude/latitude.
  [[nodiscard]] std::array<double, 2> pixel(double lon, double lat) const {
    double x = lon, y = lat;
    from_wgs84->Transform(1, &x, &y);
    return {inverse[0] + x * inverse[1] + y * inverse[2],
            inverse[3] + x * inverse[4] + y * inverse[5]};
  }
};

aoi_grid read_aoi_grid(fs::path const& nc, std::string const& aoi) {
  auto ds = gp::open_raster("NETCDF:\"" + nc.string() + "\":/aoi/" + aoi + "/change");
  aoi_grid g;
  g.width = ds->GetRasterXSize();
  g.height = ds->GetRasterYSize();
  std::array<double, 6> gt{};
  EXPECT_EQ(ds->GetGeoTransform(gt.data()), CE_None);
  EXPECT_TRUE(GDALInvGeoTransform(gt.data(), g.inverse.data()));
  OGRSpatialReference srs(*ds->GetSpatialRef());
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  g.from_wgs84 = gp::make_transform(gp::wgs84(), srs);
  return g;
}

std::vector<std::vector<std::string>> read_csv_rows(fs::path const& path) {
  std::ifstream in(path);
  std::vector<std::vector<std::string>> rows;
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

/// Simulated scenes, run and reported once for the suite.
class Report : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ =
        new fs::path(fs::temp_directory_path() / ("geosweep_report_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    auto const sim = geosweep("simulate --out " + dir_->string() + " --seed 11 --size 400");
    ASSERT_EQ(sim.exit_code, 0) << sim.out;
    auto const run = geosweep("--backend cpu run " + (*dir_ / "job.yaml").string());
    ASSERT_EQ(run.exit_code, 0) << run.out;
    auto const report = geosweep("report " + (*dir_ / "job.yaml").string());
    ASSERT_EQ(report.exit_code, 0) << report.out;
    *report_out_ = report.out;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    if (!have_poppler()) GTEST_SKIP() << "pdftoppm/pdfinfo (poppler-utils) not installed";
  }
  static fs::path out() { return *dir_ / "out"; }
  static std::vector<std::string> aois() { return {"reserve-north", "concession-7"}; }

  static fs::path* dir_;
  static std::string* report_out_;
};

fs::path* Report::dir_ = nullptr;
std::string* Report::report_out_ = new std::string;

TEST_F(Report, WritesAPdfPerAoiWithMapTableAndSeriesPages) {
  auto const rows = read_csv_rows(out() / "alerts.csv");
  for (auto const& aoi : aois()) {
    fs::path const pdf = out() / "report" / (aoi + ".pdf");
    ASSERT_TRUE(fs::exists(pdf)) << pdf;
    std::size_t alerts = 0;
    for (auto const& r : rows) alerts += r.at(1) == aoi ? 1 : 0;
    // Two true-colour maps (four with false colour), the table pages, the time series, the
    // chain of custody.
    int const maps = fs::exists(out() / "cog" / aoi / "false_colour_before.tif") ? 4 : 2;
    int const expected = maps + static_cast<int>(std::max<std::size_t>(1, (alerts + 25) / 26)) + 2;
    auto const info = shell("pdfinfo " + pdf.string());
    ASSERT_EQ(info.exit_code, 0) << info.out;
    EXPECT_NE(info.out.find("Pages:           " + std::to_string(expected) + "\n"),
              std::string::npos)
        << info.out;
    EXPECT_NE(report_out_->find(pdf.string()), std::string::npos) << *report_out_;
    for (std::string const& png :
         {gp::map_png_name(aoi, "true_colour", "before"),
          gp::map_png_name(aoi, "true_colour", "after"), aoi + "_time_series.png"}) {
      auto const image = read_png(out() / "report" / png);
      EXPECT_GT(image.width, 1600) << png;  // at least 2 px per point: 144 dpi
    }
  }
  // Nothing left under a temporary name.
  for (auto const& entry : fs::directory_iterator(out() / "report"))
    EXPECT_EQ(entry.path().string().find(".tmp-"), std::string::npos) << entry.path();
}

TEST_F(Report, AlertTableMatchesAlertsCsv) {
  auto const rows = read_csv_rows(out() / "alerts.csv");
  ASSERT_FALSE(rows.empty());
  for (auto const& aoi : aois()) {
    auto const text =
        shell("pdftotext -layout " + (out() / "report" / (aoi + ".pdf")).string() + " -");
    ASSERT_EQ(text.exit_code, 0) << text.out;
    std::size_t last = 0;
    for (auto const& r : rows) {
      auto const at = text.out.find(r.at(0));
      if (r.at(1) != aoi) {
        EXPECT_EQ(at, std::string::npos) << r.at(0) << " belongs to " << r.at(1);
        continue;
      }
      ASSERT_NE(at, std::string::npos) << r.at(0) << " missing from the report of " << aoi;
      EXPECT_GT(at, last) << "rows out of the order of alerts.csv";
      last = at;
      // Its row carries its dates, area and position as alerts.csv does.
      auto const line = text.out.substr(at, text.out.find('\n', at) - at);
      for (std::size_t column : {2, 3, 5, 6, 7})  // first_seen, confirmed_on, area, lat, lon
        EXPECT_NE(line.find(r.at(column)), std::string::npos) << line << " lacks " << r.at(column);
    }
  }
  // The HTML index links each PDF and lists each alert.
  std::ifstream in(out() / "report" / "index.html");
  std::string const html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (auto const& aoi : aois()) {
    EXPECT_NE(html.find("href=\"" + aoi + ".pdf\""), std::string::npos);
    EXPECT_NE(html.find("src=\"" + gp::map_png_name(aoi, "true_colour", "after") + "\""),
              std::string::npos);
  }
  for (auto const& r : rows) EXPECT_NE(html.find(r.at(0)), std::string::npos) << r.at(0);
}

TEST_F(Report, MapsOutlineThePlantedClearingsAndShowACompassRose) {
  auto const truth = read_truth(*dir_ / "truth.geojson");
  ASSERT_FALSE(truth.empty());
  double const dpi = 144, k = dpi / 72.0;  // PNG pixels per point
  for (auto const& aoi : aois()) {
    auto const grid = read_aoi_grid(out() / "change.nc", aoi);
    auto const layout = gp::layout_map_page(grid.width, grid.height);
    fs::path const prefix =
        fs::temp_directory_path() / ("geosweep_report_pages_" + std::to_string(::getpid()));
    auto const ppm = shell("pdftoppm -r 144 -png -f 1 -l 2 " +
                           (out() / "report" / (aoi + ".pdf")).string() + " " + prefix.string());
    ASSERT_EQ(ppm.exit_code, 0) << ppm.out;
    auto const before = read_png(prefix.string() + "-1.png");
    auto const after = read_png(prefix.string() + "-2.png");
    fs::remove(prefix.string() + "-1.png");
    fs::remove(prefix.string() + "-2.png");
    ASSERT_GT(after.width, 0);
    // Page position of an image position, in PNG pixels.
    auto const to_png = [&](std::array<double, 2> px) {
      return std::array<double, 2>{(layout.frame_x + px[0] * layout.scale) * k,
                                   (layout.frame_y + px[1] * layout.scale) * k};
    };
    int const fx0 = static_cast<int>(layout.frame_x * k) + 2;
    int const fy0 = static_cast<int>(layout.frame_y * k) + 2;
    int const fx1 = static_cast<int>((layout.frame_x + layout.frame_width) * k) - 2;
    int const fy1 = static_cast<int>((layout.frame_y + layout.frame_height) * k) - 2;
    // Boxes of every planted clearing on the page (those of other AOIs may lie in the window).
    struct box {
      double x0, y0, x1, y1;
      bool mine;
    };
    std::vector<box> boxes;
    for (auto const& c : truth) {
      box b{1e9, 1e9, -1e9, -1e9, c.aoi == aoi};
      for (auto const& ll : c.ring) {
        auto const p = to_png(grid.pixel(ll[0], ll[1]));
        b.x0 = std::min(b.x0, p[0]);
        b.y0 = std::min(b.y0, p[1]);
        b.x1 = std::max(b.x1, p[0]);
        b.y1 = std::max(b.y1, p[1]);
      }
      boxes.push_back(b);
    }
    // The after map shows the AOI (not blank): its pixels vary.
    double sum = 0, sum2 = 0, n = 0;
    for (int y = fy0; y < fy1; y += 3) {
      for (int x = fx0; x < fx1; x += 3) {
        auto const p = after.at(x, y);
        double const l = (p[0] + p[1] + p[2]) / 3.0;
        sum += l;
        sum2 += l * l;
        ++n;
      }
    }
    double const sd = std::sqrt(sum2 / n - (sum / n) * (sum / n));
    EXPECT_GT(sd, 15.0) << aoi << ": the map looks blank";
    // Outline-coloured pixels: around each of this AOI's clearings, and nowhere far from all.
    double const near = 10 * k;  // points around a clearing's box: outline width and rounding
    std::vector<int> found(boxes.size(), 0);
    int stray = 0;
    for (int y = fy0; y < fy1; ++y) {
      for (int x = fx0; x < fx1; ++x) {
        if (!is_high_outline(after.at(x, y))) continue;
        bool close = false;
        for (std::size_t i = 0; i < boxes.size(); ++i) {
          auto const& b = boxes[i];
          if (x >= b.x0 - near && x <= b.x1 + near && y >= b.y0 - near && y <= b.y1 + near) {
            close = true;
            ++found[i];
          }
        }
        stray += close ? 0 : 1;
      }
    }
    EXPECT_EQ(stray, 0) << aoi << ": outline pixels away from every planted clearing";
    for (std::size_t i = 0; i < boxes.size(); ++i) {
      if (!boxes[i].mine) continue;
      // A closed outline around a box of w x h points has about 2 (w + h) k pixels per width.
      EXPECT_GT(found[i], 20) << aoi << ": planted clearing " << i << " not outlined";
      // And the clearing itself is bare soil after, forest before: brighter in the after map.
      int const cx = static_cast<int>((boxes[i].x0 + boxes[i].x1) / 2);
      int const cy = static_cast<int>((boxes[i].y0 + boxes[i].y1) / 2);
      auto const a = after.at(cx, cy), b = before.at(cx, cy);
      EXPECT_GT(a[0] + a[1] + a[2], b[0] + b[1] + b[2] + 90) << aoi << ": clearing " << i;
    }
    // The compass rose: a white disc with a black north point at the top of the sidebar, the
    // black above its centre on this north-up grid.
    auto const count = [&](rgb_image const& image, double cx, double cy, double r,
                           double* mean_dark_row) {
      int white = 0, dark = 0;
      double rows = 0;
      for (int y = static_cast<int>((cy - r) * k); y <= static_cast<int>((cy + r) * k); ++y) {
        for (int x = static_cast<int>((cx - r) * k); x <= static_cast<int>((cx + r) * k); ++x) {
          if (std::hypot(x / k - cx, y / k - cy) > r * 0.9) continue;
          auto const p = image.at(x, y);
          if (p[0] > 235 && p[1] > 235 && p[2] > 235) ++white;
          if (p[0] < 40 && p[1] < 40 && p[2] < 40) {
            ++dark;
            rows += y / k - cy;
          }
        }
      }
      if (mean_dark_row != nullptr) *mean_dark_row = dark > 0 ? rows / dark : 0;
      return std::array<int, 2>{white, dark};
    };
    double const r = layout.compass_radius;
    double const disc = std::numbers::pi * (0.9 * r * k) * (0.9 * r * k);
    double dark_row = 0;
    auto const rose =
        count(after, layout.compass_centre[0], layout.compass_centre[1], r, &dark_row);
    EXPECT_GT(rose[0], 0.4 * disc) << aoi << ": no white disc where the compass rose belongs";
    EXPECT_GT(rose[1], 0.03 * disc) << aoi << ": no black north point";
    EXPECT_LT(dark_row, -0.1 * r) << aoi << ": the north point is not above the rose's centre";
    // Beside the map, not over it: no pixel of the image is hidden.
    EXPECT_GT(layout.compass_centre[0] - r, layout.frame_x + layout.frame_width) << aoi;
  }
}

TEST_F(Report, OneAoiOnRequestAndAClearErrorForAnUnknownOne) {
  auto const one = geosweep("report --aoi concession-7 " + (*dir_ / "job.yaml").string());
  EXPECT_EQ(one.exit_code, 0) << one.out;
  EXPECT_NE(one.out.find("concession-7.pdf"), std::string::npos) << one.out;
  EXPECT_EQ(one.out.find("reserve-north.pdf"), std::string::npos) << one.out;
  auto const unknown = geosweep("report --aoi reserve-nrth " + (*dir_ / "job.yaml").string());
  EXPECT_EQ(unknown.exit_code, 3) << unknown.out;
  EXPECT_NE(unknown.out.find("no AOI named 'reserve-nrth'"), std::string::npos) << unknown.out;
  EXPECT_NE(unknown.out.find("reserve-north"), std::string::npos) << unknown.out;
}

TEST_F(Report, WithSourceDateEpochTheSameOutputsGiveTheSameBytes) {
  auto const pdf = out() / "report" / "concession-7.pdf";
  auto const read = [](fs::path const& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  std::string const job = (*dir_ / "job.yaml").string();
  ASSERT_EQ(geosweep("report --aoi concession-7 " + job).exit_code, 0);
  auto const unpinned = read(pdf);
  std::string const pinned_command = "SOURCE_DATE_EPOCH=1700000000 " +
                                     std::string(GEOSWEEP_BINARY) + " report --aoi concession-7 " +
                                     job;
  ASSERT_EQ(shell(pinned_command).exit_code, 0);
  auto const first = read(pdf);
  ASSERT_EQ(shell(pinned_command).exit_code, 0);
  EXPECT_EQ(read(pdf), first);
  EXPECT_NE(first.find("/CreationDate (20231114221320"), std::string::npos) << "the pinned date";
  EXPECT_EQ(unpinned.find("/CreationDate (20231114221320"), std::string::npos);
}

/// The value of `field` in pdfinfo's output `info` ("" when absent).
std::string pdfinfo_field(std::string const& info, std::string const& field) {
  auto at = info.find("\n" + field + ":");
  if (at == std::string::npos) return "";
  at = info.find_first_not_of(' ', at + field.size() + 2);
  return info.substr(at, info.find('\n', at) - at);
}

TEST_F(Report, PdfMetadataNamesTheJobAndHonoursSourceDateEpoch) {
  std::string const job = (*dir_ / "job.yaml").string();
  auto const pdf = out() / "report" / "concession-7.pdf";
  ASSERT_EQ(shell("SOURCE_DATE_EPOCH=1700000000 " + std::string(GEOSWEEP_BINARY) +
                  " report --aoi concession-7 " + job)
                .exit_code,
            0);
  auto const info = shell("pdfinfo -isodates " + pdf.string());
  ASSERT_EQ(info.exit_code, 0) << info.out;
  std::string const text = "\n" + info.out;
  EXPECT_EQ(pdfinfo_field(text, "Title"), "geosweep report: concession-7") << info.out;
  EXPECT_EQ(pdfinfo_field(text, "Author"), "simulated-seed-11") << info.out;
  EXPECT_EQ(pdfinfo_field(text, "Subject").rfind("Land-cover change in AOI 'concession-7'", 0), 0u)
      << info.out;
  EXPECT_EQ(pdfinfo_field(text, "Keywords").rfind("geosweep, land-cover change, concession-7", 0),
            0u)
      << info.out;
  EXPECT_EQ(pdfinfo_field(text, "CreationDate"), "2023-11-14T22:13:20Z") << info.out;  // 1700000000
}

/// The digest sha256sum prints for `path`.
std::string sha256sum(fs::path const& path) {
  return shell("sha256sum " + path.string()).out.substr(0, 64);
}

TEST_F(Report, TheLastPagePrintsTheManifestJobAndInputHashes) {
  if (shell("command -v sha256sum").exit_code != 0) GTEST_SKIP() << "sha256sum not installed";
  std::ifstream in(out() / "manifest.json");
  std::string const manifest((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  for (auto const& aoi : aois()) {
    fs::path const pdf = out() / "report" / (aoi + ".pdf");
    auto const pages = shell("pdfinfo " + pdf.string());
    auto const at = pages.out.find("Pages:");
    ASSERT_NE(at, std::string::npos) << pages.out;
    int const last = std::stoi(pages.out.substr(at + 6));
    auto const text = shell("pdftotext -layout -f " + std::to_string(last) + " -l " +
                            std::to_string(last) + " " + pdf.string() + " -");
    ASSERT_EQ(text.exit_code, 0) << text.out;
    EXPECT_NE(text.out.find("chain of custody"), std::string::npos) << text.out;
    EXPECT_NE(text.out.find(sha256sum(out() / "manifest.json")), std::string::npos) << text.out;
    EXPECT_NE(text.out.find(sha256sum(*dir_ / "job.yaml")), std::string::npos) << text.out;
    // The first input of the manifest, with its hash.
    auto const path_at = manifest.find("\"path\": \"", manifest.find("\"inputs\""));
    ASSERT_NE(path_at, std::string::npos) << manifest;
    auto const start = path_at + 9;
    fs::path const input = manifest.substr(start, manifest.find('"', start) - start);
    EXPECT_NE(text.out.find(sha256sum(input)), std::string::npos) << input << "\n" << text.out;
  }
  // The report adds nothing to the manifest, so the hash it prints stays true.
  EXPECT_EQ(geosweep("verify " + out().string()).exit_code, 0);
}

TEST(ReportErrors, WithoutARunTheErrorNamesTheMissingOutput) {
  fs::path const dir =
      fs::temp_directory_path() / ("geosweep_report_norun_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto const sim = geosweep("simulate --out " + dir.string() + " --seed 3 --size 200");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  auto const r = geosweep("report " + (dir / "job.yaml").string());
  EXPECT_EQ(r.exit_code, 4) << r.out;
  EXPECT_NE(r.out.find("geosweep: error: " + (dir / "out" / "change.nc").string() + ": not found"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(dir / "out" / "report" / "reserve-north.pdf"));
  fs::remove_all(dir);
}

TEST(ReportErrors, RunRendersTheReportWhenTheJobAsksForIt) {
  if (!have_poppler()) GTEST_SKIP() << "poppler-utils not installed";
  fs::path const dir =
      fs::temp_directory_path() / ("geosweep_report_run_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto const sim = geosweep("simulate --out " + dir.string() + " --seed 5 --size 200 --no-clouds");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  std::ofstream(dir / "job.yaml", std::ios::app) << "  report: true\n";
  auto const r = geosweep("--backend cpu run " + (dir / "job.yaml").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (std::string aoi : {"reserve-north", "concession-7"}) {
    EXPECT_TRUE(fs::exists(dir / "out" / "report" / (aoi + ".pdf"))) << r.out;
    EXPECT_TRUE(
        fs::exists(dir / "out" / "report" / gp::map_png_name(aoi, "true_colour", "before")));
  }
  EXPECT_TRUE(fs::exists(dir / "out" / "report" / "index.html"));
  // report needs the tables it draws from.
  std::string text;
  {
    std::ifstream in(dir / "job.yaml");
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto const at = text.find("  csv: true");
  ASSERT_NE(at, std::string::npos) << text;
  std::ofstream(dir / "job.yaml") << text.replace(at, 11, "  csv: false");
  auto const bad = geosweep("validate " + (dir / "job.yaml").string());
  EXPECT_EQ(bad.exit_code, 3) << bad.out;
  EXPECT_NE(bad.out.find("outputs.report"), std::string::npos) << bad.out;
  fs::remove_all(dir);
}

}  // namespace
