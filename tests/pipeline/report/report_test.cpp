// Reports as a reader sees them: simulated scenes are run and reported with the geosweep
// command, the PDF is turned into PNGs with pdftoppm and the pixels are checked (planted
// clearings outlined where truth.geojson puts them and nowhere else, the compass rose in its
// corner, the map not blank); the alert table is read back with pdftotext. The map geometry
// (true north, scale bar, graticule) is checked against independent formulas.
#include <gtest/gtest.h>

#include <cairo.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <sys/wait.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numbers>
#include <sstream>
#include <string>
#include <vector>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/report.hpp"
#include "report/map_geometry.hpp"
#include "report/report_map.hpp"
#include "report/report_series_page.hpp"
#include "tools/int_raster.hpp"
#include "tools/png_image.hpp"
#include "tools/shell_command.hpp"
#include "tools/wkt.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;

namespace {

constexpr double kDegree = std::numbers::pi / 180.0;

using geosweep::test_tools::command_result;
using geosweep::test_tools::sha256sum;
using geosweep::test_tools::shell;

command_result geosweep(std::string const& args) {
  return geosweep::test_tools::geosweep_command(args);
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

// ---------------------------------------------------------------- the time axis

int day_of(std::string const& iso) {
  return gp::days_since_epoch(*gp::parse_iso_date(iso));
}

TEST(SeriesPage, TimeAxisPlacesDatesInProportionToTime) {
  // 2023-06-05 to 2023-06-20 is 15 days, to 2024-05-20 350 days: on 100 to 450 points, one
  // point a day.
  gp::time_axis const axis{day_of("2023-06-05"), day_of("2024-05-20"), 100, 450};
  EXPECT_DOUBLE_EQ(axis.x(day_of("2023-06-05")), 100);
  EXPECT_DOUBLE_EQ(axis.x(day_of("2023-06-20")), 115);
  EXPECT_DOUBLE_EQ(axis.x(day_of("2024-05-20")), 450);
  // The 11-month gap is 335 points, the 15-day one 15: not one column each.
  EXPECT_DOUBLE_EQ(axis.x(day_of("2024-05-20")) - axis.x(day_of("2023-06-20")), 335);
  // On another width the same proportions: 2023-06-20 at 15/350 of the way.
  gp::time_axis const narrow{day_of("2023-06-05"), day_of("2024-05-20"), 0, 70};
  EXPECT_DOUBLE_EQ(narrow.x(day_of("2023-06-20")), 3);
  // A single date sits midway.
  gp::time_axis const one{day_of("2023-06-05"), day_of("2023-06-05"), 10, 30};
  EXPECT_DOUBLE_EQ(one.x(day_of("2023-06-05")), 20);
}

TEST(SeriesPage, DateLabelsAreThinnedSoThatNoneOverlaps) {
  // 14 dates, 5 to 16 days apart over a year's baseline and a monitoring season, on an axis of
  // 300 points: 41-point labels (an ISO date at 7.5 points) cannot all fit.
  std::vector<std::string> const dates{"2023-06-05", "2023-06-10", "2023-06-20", "2023-07-05",
                                       "2023-07-15", "2023-07-20", "2023-08-04", "2024-05-20",
                                       "2024-05-25", "2024-06-04", "2024-06-14", "2024-06-19",
                                       "2024-07-04", "2024-07-19"};
  gp::time_axis const axis{day_of(dates.front()), day_of(dates.back()), 50, 350};
  std::vector<double> centres, widths;
  for (auto const& d : dates) {
    centres.push_back(axis.x(day_of(d)));
    widths.push_back(41);
  }
  double const gap = 6;
  auto const kept = gp::thin_labels(centres, widths, gap);
  ASSERT_GE(kept.size(), 2U);
  EXPECT_LT(kept.size(), dates.size());
  EXPECT_EQ(kept.front(), 0U);
  EXPECT_EQ(kept.back(), dates.size() - 1);
  for (std::size_t j = 1; j < kept.size(); ++j) {
    std::size_t const a = kept[j - 1], b = kept[j];
    EXPECT_LT(a, b);
    EXPECT_LE(centres[a] + widths[a] / 2 + gap, centres[b] - widths[b] / 2)
        << dates[a] << " overlaps " << dates[b];
  }
  // With room for all, all are kept.
  gp::time_axis const wide{day_of(dates.front()), day_of(dates.back()), 0, 40000};
  for (std::size_t i = 0; i < dates.size(); ++i) centres[i] = wide.x(day_of(dates[i]));
  EXPECT_EQ(gp::thin_labels(centres, widths, gap).size(), dates.size());
}

TEST(SeriesPage, ADateWithoutAClearLookBreaksTheLine) {
  std::vector<double> const values{0.8, NAN, 0.7, 0.6, 0.5, NAN, NAN, 0.3, NAN};
  auto const runs = gp::finite_runs(values);
  using run = std::pair<std::size_t, std::size_t>;
  ASSERT_EQ(runs, (std::vector<run>{{0, 1}, {2, 5}, {7, 8}}));
  // No segment passes through a NaN date: each run holds finite values only, and the dates
  // on each side of a NaN are in different runs.
  for (auto const& [begin, end] : runs)
    for (std::size_t i = begin; i < end; ++i) EXPECT_TRUE(std::isfinite(values[i])) << i;
  EXPECT_TRUE(gp::finite_runs({NAN, NAN}).empty());
}

TEST(SeriesPage, TheLargestAlertsGetLinesOfTheirOwn) {
  std::vector<gp::alert> alerts(8);
  std::vector<double> const areas{0.6, 3.0, 0.7, 2.0, 0.5, 2.5, 1.0, 0.9};
  for (std::size_t k = 0; k < alerts.size(); ++k) alerts[k].area_ha = areas[k];
  EXPECT_EQ(gp::largest_alerts(alerts, gp::series_alert_lines),
            (std::vector<std::size_t>{1, 3, 5, 6, 7}));
  EXPECT_EQ(gp::largest_alerts(std::vector<gp::alert>(alerts.begin(), alerts.begin() + 3), 5),
            (std::vector<std::size_t>{0, 1, 2}));
}

/// The time-series page of `in` drawn at 2 pixels a point; the pixel at a page point.
struct drawn_page {
  cairo_surface_t* surface = nullptr;
  drawn_page(gp::job_spec const& spec, gp::aoi_inputs const& in) {
    surface =
        cairo_image_surface_create(CAIRO_FORMAT_RGB24, static_cast<int>(gp::report_page_width * 2),
                                   static_cast<int>(gp::report_page_height * 2));
    cairo_t* cr = cairo_create(surface);
    cairo_scale(cr, 2, 2);
    gp::draw_series_page(cr, spec, in, {"provenance"}, {"footer", 1, 1});
    cairo_destroy(cr);
    cairo_surface_flush(surface);
  }
  ~drawn_page() { cairo_surface_destroy(surface); }
  drawn_page(drawn_page const&) = delete;
  drawn_page& operator=(drawn_page const&) = delete;
  [[nodiscard]] std::uint32_t at(double x, double y) const {
    auto const* data = cairo_image_surface_get_data(surface);
    int const stride = cairo_image_surface_get_stride(surface);
    auto const* row =
        reinterpret_cast<std::uint32_t const*>(data + static_cast<int>(y * 2) * stride);
    return row[static_cast<int>(x * 2)] & 0xFFFFFF;
  }
};

bool near_colour(std::uint32_t a, std::uint32_t b, int tolerance) {
  for (int shift : {16, 8, 0})
    if (std::abs(static_cast<int>((a >> shift) & 0xFF) - static_cast<int>((b >> shift) & 0xFF)) >
        tolerance)
      return false;
  return true;
}

/// A synthetic AOI for the series page: `dates` dates 10 days apart from `first`, the first
/// `baseline` of them in the baseline period, the AOI's mean 0.7 and every pixel clear.
gp::aoi_inputs synthetic_series(int first, int dates, int baseline, char const* baseline_period,
                                char const* monitor_period, char const* monitor_start) {
  gp::aoi_inputs in;
  in.name = "synthetic";
  in.index = "ndvi";
  in.change_method = "baseline";
  in.baseline_period = baseline_period;
  in.monitor_period = monitor_period;
  in.monitor_start = gp::parse_iso_date(monitor_start);
  for (int i = 0; i < dates; ++i) {
    gp::series_point point;
    point.day = first + 10 * i;
    point.monitor = i >= baseline;
    point.aoi_mean = 0.7;
    point.clear_share = 1;
    in.series.push_back(point);
  }
  return in;
}

TEST(SeriesPage, ADateWithoutAClearLookLeavesNoSegmentThroughItOnThePage) {
  // 14 dates 10 days apart, 5 baseline and 9 monitoring; one alert at 0.8 with no clear look
  // on date 9, the AOI at 0.7 throughout.
  gp::job_spec spec;
  int const first = day_of("2024-01-01");
  auto in = synthetic_series(first, 14, 5, "2024-01-01 to 2024-02-10", "2024-02-20 to 2024-05-10",
                             "2024-02-20");
  std::vector<double> alert(14, 0.8);
  alert[9] = NAN;
  in.alerts.resize(1);
  in.alerts[0].area_ha = 1;
  in.alerts[0].first_seen = gp::from_days_since_epoch(first + 10 * 5);
  in.alert_series = {alert};
  drawn_page const page(spec, in);
  auto const frame = gp::series_plot_frame();
  gp::time_axis const axis{first, first + 130, frame.first_date_x, frame.last_date_x};
  auto const alert_pixels = [&](double x) {
    int n = 0;
    for (double y = frame.top + 1; y < frame.bottom - 1; y += 0.5)
      n += near_colour(page.at(x, y), 0xC0003C, 40) ? 1 : 0;
    return n;
  };
  // Between two clear dates of the monitoring period: the alert's line.
  EXPECT_GT(alert_pixels((axis.x(first + 60) + axis.x(first + 70)) / 2), 0);
  // On each side of the date without a clear look and on it: no line, no dot.
  for (int day : {first + 85, first + 90, first + 95})
    EXPECT_EQ(alert_pixels(axis.x(day)), 0) << "a segment through day " << day - first;
  // The AOI's line goes on through it.
  int green = 0;
  for (double y = frame.top + 1; y < frame.bottom - 1; y += 0.5)
    green += near_colour(page.at(axis.x(first + 90), y), 0x2E7D32, 40) ? 1 : 0;
  EXPECT_GT(green, 0);
  if (char const* keep = std::getenv("GEOSWEEP_KEEP_SERIES_PNG"))
    cairo_surface_write_to_png(page.surface, keep);
}

TEST(SeriesPage, AlertsBeyondTheCapFormABandFromTheirLowestToTheirHighestMean) {
  // 7 alerts: the 5 largest get lines at 0.85; the 2 smallest, at 0.3 and 0.5, a band.
  gp::job_spec spec;
  int const first = day_of("2024-01-01");
  auto in = synthetic_series(first, 6, 3, "2024-01-01 to 2024-01-21", "2024-01-31 to 2024-02-20",
                             "2024-01-31");
  for (int k = 0; k < 7; ++k) {
    gp::alert a;
    a.area_ha = k < 5 ? 5.0 - k : 0.5;
    a.first_seen = gp::from_days_since_epoch(first + 40);
    in.alerts.push_back(a);
    in.alert_series.emplace_back(6, k < 5 ? 0.85 : (k == 5 ? 0.3 : 0.5));
  }
  drawn_page const page(spec, in);
  auto const frame = gp::series_plot_frame();
  gp::time_axis const axis{first, first + 50, frame.first_date_x, frame.last_date_x};
  // The plot shows 0.2 to 0.9 (the values padded to a 0.1 grid): 0.45 is in the band, 0.65 not
  // (off the grid lines).
  auto const y = [&](double v) {
    return frame.bottom - (frame.bottom - frame.top) * (v - 0.2) / (0.9 - 0.2);
  };
  double const x = (axis.x(first + 30) + axis.x(first + 40)) / 2;
  auto const inside = page.at(x, y(0.45)), outside = page.at(x, y(0.65));
  EXPECT_TRUE(near_colour(outside, 0xDCE8F7, 6)) << std::hex << outside;  // the shade alone
  EXPECT_FALSE(near_colour(inside, 0xDCE8F7, 6)) << std::hex << inside;   // tinted by the band
  EXPECT_GT((inside >> 16) & 0xFF, inside & 0xFF);                        // towards crimson
  // Between the periods (no look at all) there is no band.
  auto const between = page.at((axis.x(first + 20) + axis.x(first + 30)) / 2, y(0.45));
  EXPECT_TRUE(near_colour(between, 0xFFFFFF, 6)) << std::hex << between;
  if (char const* keep = std::getenv("GEOSWEEP_KEEP_BAND_PNG"))
    cairo_surface_write_to_png(page.surface, keep);
}

// ---------------------------------------------------------------- reports end to end

using geosweep::test_tools::read_png;
using geosweep::test_tools::rgb_image;

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
geosweep::test_tools::int_raster read_aoi_grid(fs::path const& nc, std::string const& aoi) {
  return geosweep::test_tools::read_int_raster(
      geosweep::test_tools::nc_variable(nc, aoi, "change"));
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
    // The cover, two true-colour maps (four with false colour), the table pages, a page per
    // alert (up to 100), the time series, the chain of custody.
    int const maps = fs::exists(out() / "cog" / aoi / "false_colour_before.tif") ? 4 : 2;
    int const expected = 1 + maps + static_cast<int>(std::max<std::size_t>(1, (alerts + 25) / 26)) +
                         static_cast<int>(std::min<std::size_t>(alerts, 100)) + 2;
    auto const info = shell("pdfinfo " + pdf.string());
    ASSERT_EQ(info.exit_code, 0) << info.out;
    EXPECT_NE(info.out.find("Pages:           " + std::to_string(expected) + "\n"),
              std::string::npos)
        << info.out;
    EXPECT_NE(report_out_->find(pdf.string()), std::string::npos) << *report_out_;
    for (std::string const& png :
         {aoi + "_cover.png", gp::map_png_name(aoi, "true_colour", "before"),
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
      for (std::size_t column : {2, 3, 7, 8, 9})  // first_seen, confirmed_on, area, lat, lon
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
    // One page per call (-singlefile): pdftoppm pads page numbers in file names to the
    // document's page count, which the alert pages make vary. The map pages follow the cover:
    // pages 2 and 3.
    for (int page : {2, 3}) {
      auto const ppm =
          shell("pdftoppm -r 144 -png -singlefile -f " + std::to_string(page) + " -l " +
                std::to_string(page) + " " + (out() / "report" / (aoi + ".pdf")).string() + " " +
                prefix.string() + "-" + std::to_string(page));
      ASSERT_EQ(ppm.exit_code, 0) << ppm.out;
    }
    auto const before = read_png(prefix.string() + "-2.png");
    auto const after = read_png(prefix.string() + "-3.png");
    fs::remove(prefix.string() + "-2.png");
    fs::remove(prefix.string() + "-3.png");
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

/// The number of `pdf`'s time-series page: the one before the chain-of-custody page, the last.
std::string series_page_number(fs::path const& pdf) {
  auto const info = shell("pdfinfo " + pdf.string());
  auto const at = info.out.find("Pages:");
  if (at == std::string::npos) return "0";
  return std::to_string(std::stoi(info.out.substr(at + 6)) - 1);
}

/// The text of `pdf`'s time-series page, its runs of white space as one space.
std::string series_page_text(fs::path const& pdf) {
  std::string const last = series_page_number(pdf);
  auto const text = shell("pdftotext -f " + last + " -l " + last + " " + pdf.string() + " -");
  std::string flat;
  for (char c : text.out) {
    bool const space = c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f';
    if (space && (flat.empty() || flat.back() == ' ')) continue;
    flat += space ? ' ' : c;
  }
  return flat;
}

TEST_F(Report, SeriesPageShadesThePeriodsOnATimeAxisToScale) {
  auto const areas = read_csv_rows(out() / "areas.csv");  // aoi, date, period, ...
  auto const frame = gp::series_plot_frame();
  for (auto const& aoi : aois()) {
    std::vector<int> baseline, monitor;
    for (auto const& r : areas)
      if (r.at(0) == aoi) (r.at(2) == "baseline" ? baseline : monitor).push_back(day_of(r.at(1)));
    ASSERT_GE(baseline.size(), 2U) << aoi;
    ASSERT_FALSE(monitor.empty()) << aoi;
    gp::time_axis const axis{baseline.front(), monitor.back(), frame.first_date_x,
                             frame.last_date_x};
    // The time-series page at 72 dpi: a PNG pixel a point.
    fs::path const prefix =
        fs::temp_directory_path() / ("geosweep_report_series_" + std::to_string(::getpid()));
    fs::path const pdf = out() / "report" / (aoi + ".pdf");
    std::string const last = series_page_number(pdf);
    auto const ppm = shell("pdftoppm -r 72 -png -singlefile -f " + last + " -l " + last + " " +
                           pdf.string() + " " + prefix.string());
    ASSERT_EQ(ppm.exit_code, 0) << ppm.out;
    auto const page = read_png(prefix.string() + ".png");
    fs::remove(prefix.string() + ".png");
    ASSERT_GT(page.width, 0);
    // Down a column midway between two baseline dates, then two monitoring dates (or just
    // after the last baseline date when there is one monitoring date), most pixels have the
    // period's shade: grey for the baseline, blue for the monitoring period.
    auto const share = [&](double x_point, std::array<int, 3> shade) {
      int const x = static_cast<int>(x_point);
      int hits = 0, all = 0;
      for (int y = static_cast<int>(frame.top) + 16; y < static_cast<int>(frame.bottom) - 2; ++y) {
        auto const p = page.at(x, y);
        ++all;
        bool const same = std::abs(p[0] - shade[0]) <= 6 && std::abs(p[1] - shade[1]) <= 6 &&
                          std::abs(p[2] - shade[2]) <= 6;
        hits += same ? 1 : 0;
      }
      return all > 0 ? static_cast<double>(hits) / all : 0.0;
    };
    double const xb = (axis.x(baseline[0]) + axis.x(baseline[1])) / 2;
    EXPECT_GT(share(xb, {0xE6, 0xE6, 0xE6}), 0.6) << aoi << " at x " << xb;
    double const xm =
        monitor.size() > 1 ? (axis.x(monitor[0]) + axis.x(monitor[1])) / 2 : axis.x(monitor[0]) - 2;
    EXPECT_GT(share(xm, {0xDC, 0xE8, 0xF7}), 0.6) << aoi << " at x " << xm;
    // The dates are to scale: the baseline's 15 days are not the width of the gap to the
    // monitoring period.
    EXPECT_LT(axis.x(baseline.back()) - axis.x(baseline.front()),
              axis.x(monitor.front()) - axis.x(baseline.back()))
        << aoi;
  }
}

TEST_F(Report, SeriesPageDrawsALinePerAlertAndSaysWhatTheBaselineMethodDid) {
  auto const rows = read_csv_rows(out() / "alerts.csv");
  for (auto const& aoi : aois()) {
    auto const text = series_page_text(out() / "report" / (aoi + ".pdf"));
    // The ladder, with the job's numbers (simulate writes drop 0.25, forest_min 0.6,
    // confirm 2; the defaults k_sigma 3 and window_days 90).
    for (char const* words :
         {"Change: baseline on ndvi, the ladder", "forest_min 0.60", "drop 0.25",
          "k_sigma 3.0 standard deviations", "2 anomalous clear looks within 90 days",
          "patches under 0.50 ha", "grow 0.50 \u00d7 drop = 0.125"})
      EXPECT_NE(text.find(words), std::string::npos) << aoi << " lacks '" << words << "': " << text;
    // One legend line per alert, up to the cap, by its number on the maps.
    std::size_t alerts = 0;
    for (auto const& r : rows) alerts += r.at(1) == aoi ? 1 : 0;
    ASSERT_GT(alerts, 0U) << aoi;
    for (std::size_t k = 1; k <= std::min(alerts, gp::series_alert_lines); ++k)
      EXPECT_NE(text.find("alert #" + std::to_string(k) + " ("), std::string::npos)
          << aoi << " has no line for alert " << k;
    EXPECT_EQ(text.find("alert #" + std::to_string(alerts + 1) + " ("), std::string::npos);
    EXPECT_NE(text.find("no series of its undisturbed forest"), std::string::npos) << text;
    auto const map =
        shell("pdftotext -f 2 -l 2 " + (out() / "report" / (aoi + ".pdf")).string() + " -");
    EXPECT_NE(map.out.find("Change, high confidence (confirmed)"), std::string::npos) << map.out;
    EXPECT_NE(map.out.find("Change, low confidence"), std::string::npos) << map.out;
  }
  std::ifstream in(out() / "report" / "index.html");
  std::string const html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("change by baseline on ndvi"), std::string::npos);
  EXPECT_NE(html.find("confirmed by 2 anomalous clear looks within 90 days"), std::string::npos);
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

TEST(ReportMethod, ABitemporalReportSaysOneLookPerPeriodNotAnomalousLooks) {
  if (!have_poppler()) GTEST_SKIP() << "poppler-utils not installed";
  fs::path const dir =
      fs::temp_directory_path() / ("geosweep_report_bitemporal_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto const sim = geosweep("simulate --out " + dir.string() + " --seed 5 --size 200");
  ASSERT_EQ(sim.exit_code, 0) << sim.out;
  std::string job;
  {
    std::ifstream in(dir / "job.yaml");
    job.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto const at = job.find("method: baseline");
  ASSERT_NE(at, std::string::npos) << job;
  job.replace(at, 16, "method: bitemporal");
  job.erase(job.find("  confirm: 2\n"), 13);  // the baseline method's only
  job.insert(job.find("  min_area_ha:"), "  edge_buffer_m: 15\n  grow: 0.4\n");
  std::ofstream(dir / "job.yaml") << job;
  auto const run = geosweep("--backend cpu run " + (dir / "job.yaml").string());
  ASSERT_EQ(run.exit_code, 0) << run.out;
  auto const report = geosweep("report " + (dir / "job.yaml").string());
  ASSERT_EQ(report.exit_code, 0) << report.out;
  for (std::string aoi : {"reserve-north", "concession-7"}) {
    auto const text = series_page_text(dir / "out" / "report" / (aoi + ".pdf"));
    for (char const* words :
         {"Change: bitemporal on ndvi, one look per period", "forest_min 0.60",
          "fell by at least drop 0.25", "grow 0.40 \u00d7 drop = 0.100", "within 15.0 m",
          "patches under 0.50 ha", "latest clear baseline look"})
      EXPECT_NE(text.find(words), std::string::npos) << aoi << " lacks '" << words << "': " << text;
    for (char const* words : {"anomalous clear looks", "k_sigma", "confirmation"})
      EXPECT_EQ(text.find(words), std::string::npos) << aoi << " says '" << words << "'";
  }
  // The map legend (page 2, after the cover): nothing confirmed, no low confidence.
  auto const first_page = shell("pdftotext -f 2 -l 2 " +
                                (dir / "out" / "report" / "reserve-north.pdf").string() + " -");
  EXPECT_NE(first_page.out.find("Change (bitemporal: high confidence)"), std::string::npos)
      << first_page.out;
  EXPECT_EQ(first_page.out.find("low confidence"), std::string::npos) << first_page.out;
  EXPECT_EQ(first_page.out.find("(confirmed)"), std::string::npos) << first_page.out;
  std::ifstream in(dir / "out" / "report" / "index.html");
  std::string const html((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(html.find("change by bitemporal on ndvi: one clear look per period"),
            std::string::npos);
  EXPECT_EQ(html.find("anomalous"), std::string::npos);
  fs::remove_all(dir);
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
