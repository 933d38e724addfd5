#include "geosweep/sim/scene_simulator.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <fmt/format.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::sim {
namespace {

using pipeline::atomic_file;
using pipeline::days_since_epoch;
using pipeline::from_days_since_epoch;
using pipeline::geotransform;
using pipeline::to_iso;

namespace fs = std::filesystem;
constexpr double pi = std::numbers::pi;

// ---------------------------------------------------------------------------------------
// Deterministic random numbers. std::mt19937_64's output sequence is fixed by the standard;
// the std distributions are not, so the transforms below are our own. Every part of the
// scene draws from its own stream (seed, stream id), so changing one part leaves the rest.

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

enum class stream : std::uint64_t {
  landcover = 1,
  texture = 2,
  aoi = 3,
  clearings = 4,
  clouds = 5,
  noise = 6,
  degradation = 7,
};

class random_stream {
 public:
  random_stream(std::uint64_t seed, stream s, std::uint64_t a = 0, std::uint64_t b = 0)
      : engine_(splitmix64(splitmix64(splitmix64(seed) ^ static_cast<std::uint64_t>(s)) ^
                           (a << 16 | b))) {}

  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  /// Uniform integer in [lo, hi].
  int uniform_int(int lo, int hi) {
    int const v = lo + static_cast<int>(uniform() * static_cast<double>(hi - lo + 1));
    return std::min(v, hi);
  }
  /// Standard normal (Box-Muller).
  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double const u1 = 1.0 - uniform();  // (0, 1]
    double const u2 = uniform();
    double const r = std::sqrt(-2.0 * std::log(u1));
    spare_ = r * std::sin(2.0 * pi * u2);
    has_spare_ = true;
    return r * std::cos(2.0 * pi * u2);
  }

 private:
  std::mt19937_64 engine_;
  double spare_ = 0.0;
  bool has_spare_ = false;
};

// ---------------------------------------------------------------------------------------
// Spectra. Bands in file order: B02 B03 B04 B08 B11 B12.

constexpr int n_bands = 6;
constexpr std::array<char const*, n_bands> band_names{"B02", "B03", "B04", "B08", "B11", "B12"};
constexpr int nir_band = 3;

enum cover : std::uint8_t { forest = 0, pasture = 1, water = 2, bare = 3 };

constexpr std::array<std::array<double, n_bands>, 4> surface_reflectance{{
    {0.025, 0.05, 0.03, 0.30, 0.15, 0.07},     // forest     NDVI 0.82
    {0.04, 0.07, 0.09, 0.25, 0.25, 0.15},      // pasture    NDVI 0.47
    {0.04, 0.045, 0.03, 0.012, 0.006, 0.004},  // water      NDVI < 0
    {0.09, 0.12, 0.16, 0.22, 0.30, 0.26},      // bare soil  NDVI 0.16
}};
// Clouds: a per-blob brightness times this tint (a little bluer than flat).
constexpr std::array<double, n_bands> cloud_tint{1.04, 1.02, 1.0, 0.98, 0.95, 0.92};

// Noise budget (keeps NDVI classes apart for every pixel and date):
//  - texture: a per-pixel factor common to all bands, 1 + 0.04 N(0,1) cut at 3 sd; it cancels
//    in normalized differences;
//  - per band, pixel and date: a factor 1 + U(-0.026, 0.026) (sd 1.5 %);
//  - season: a per-date factor on all bands (+-2 %) and an annual NIR cycle (+-3 %), so the
//    index itself follows the season;
//  - gradual degradation: forest mixed with up to 10 % bare soil over the monitoring period
//    (NDVI falls by ~0.08, below any loss threshold).
// Worst cases: forest NDVI >= 0.72 (degrading) and >= 0.78 (intact), pasture <= 0.52,
// bare soil <= 0.20.
constexpr double texture_sd = 0.04;
constexpr double band_noise = 0.026;

constexpr std::uint8_t scl_shadow = 3;
constexpr std::uint8_t scl_vegetation = 4;
constexpr std::uint8_t scl_bare = 5;
constexpr std::uint8_t scl_water = 6;
constexpr std::uint8_t scl_cloud_medium = 8;
constexpr std::uint8_t scl_cloud_high = 9;

// ---------------------------------------------------------------------------------------
// GDAL helpers.

[[noreturn]] void throw_gdal(fs::path const& path, std::string const& what) {
  throw io_error(fmt::format("{}: {}: {}", path.string(), what, pipeline::last_gdal_message()));
}

/// Closes (flushes) a dataset being written; GDALClose reports failures only as CPL errors.
void close_checked(GDALDatasetUniquePtr ds, fs::path const& path) {
  CPLErrorReset();
  GDALClose(GDALDataset::ToHandle(ds.release()));
  if (CPLGetLastErrorType() >= CE_Failure) throw_gdal(path, "cannot finish writing");
}

GDALDriver* driver(char const* name) {
  GDALDriver* d = GetGDALDriverManager()->GetDriverByName(name);
  if (d == nullptr) throw io_error(fmt::format("GDAL driver {} is not available", name));
  return d;
}

std::string yyyymmdd(civil_date d) {
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

/// Parses the text `value` is printed as with `decimals` decimals: the double a reader gets.
double rounded(double value, int decimals) {
  return std::strtod(fmt::format("{:.{}f}", value, decimals).c_str(), nullptr);
}

// ---------------------------------------------------------------------------------------
// Shapes.

/// A star-shaped blob: radius(theta) = r * (1 + sum_k a_k cos(k theta + phi_k)), k = 2..4.
struct star_shape {
  double cx = 0, cy = 0;  // pixel coordinates of the centre
  double r = 1;
  std::array<double, 3> amp{};
  std::array<double, 3> phase{};

  [[nodiscard]] double radius(double theta) const {
    double f = 1.0;
    for (int k = 0; k < 3; ++k) f += amp[k] * std::cos((k + 2) * theta + phase[k]);
    return r * f;
  }
  [[nodiscard]] double max_radius() const {
    return r * (1.0 + std::abs(amp[0]) + std::abs(amp[1]) + std::abs(amp[2]));
  }
  /// Distance of pixel centre (col, row) relative to the boundary in that direction:
  /// <= 1 inside.
  [[nodiscard]] double relative_distance(int col, int row) const {
    double const dx = col + 0.5 - cx;
    double const dy = row + 0.5 - cy;
    double const d = std::sqrt(dx * dx + dy * dy);
    if (d == 0.0) return 0.0;
    return d / radius(std::atan2(dy, dx));
  }
};

star_shape random_star(random_stream& rng, double cx, double cy, double area_px,
                       double irregularity) {
  star_shape s;
  s.cx = cx;
  s.cy = cy;
  double sum_sq = 0;
  for (int k = 0; k < 3; ++k) {
    s.amp[k] = rng.uniform(0.0, irregularity / (k + 1));
    s.phase[k] = rng.uniform(0.0, 2.0 * pi);
    sum_sq += s.amp[k] * s.amp[k];
  }
  // Area of the star: pi r^2 (1 + sum a_k^2 / 2).
  s.r = std::sqrt(area_px / (pi * (1.0 + sum_sq / 2.0)));
  return s;
}

/// Pixels (row-major indices) whose centre is inside the shape, clipped to the grid.
std::vector<std::size_t> star_pixels(star_shape const& s, int width, int height) {
  std::vector<std::size_t> out;
  double const rm = s.max_radius() + 1.0;
  int const r0 = std::max(0, static_cast<int>(std::floor(s.cy - rm)));
  int const r1 = std::min(height - 1, static_cast<int>(std::ceil(s.cy + rm)));
  int const c0 = std::max(0, static_cast<int>(std::floor(s.cx - rm)));
  int const c1 = std::min(width - 1, static_cast<int>(std::ceil(s.cx + rm)));
  for (int row = r0; row <= r1; ++row)
    for (int col = c0; col <= c1; ++col)
      if (s.relative_distance(col, row) <= 1.0)
        out.push_back(static_cast<std::size_t>(row) * width + col);
  return out;
}

/// Erosion of a 0/1 mask by a (2m+1)^2 square: 1 where every pixel within Chebyshev distance
/// m is 1 (outside the grid counts as 0).
std::vector<std::uint8_t> erode(std::vector<std::uint8_t> const& mask, int width, int height,
                                int m) {
  std::vector<std::uint8_t> tmp(mask.size()), out(mask.size());
  for (int row = 0; row < height; ++row) {
    std::uint8_t const* in = &mask[static_cast<std::size_t>(row) * width];
    // run length of ones ending at / starting at each pixel
    std::vector<int> left(width), right(width);
    for (int c = 0; c < width; ++c) left[c] = in[c] ? (c > 0 ? left[c - 1] : 0) + 1 : 0;
    for (int c = width - 1; c >= 0; --c)
      right[c] = in[c] ? (c + 1 < width ? right[c + 1] : 0) + 1 : 0;
    for (int c = 0; c < width; ++c)
      tmp[static_cast<std::size_t>(row) * width + c] = left[c] > m && right[c] > m;
  }
  for (int col = 0; col < width; ++col) {
    std::vector<int> up(height), down(height);
    for (int r = 0; r < height; ++r) {
      bool const v = tmp[static_cast<std::size_t>(r) * width + col] != 0;
      up[r] = v ? (r > 0 ? up[r - 1] : 0) + 1 : 0;
    }
    for (int r = height - 1; r >= 0; --r) {
      bool const v = tmp[static_cast<std::size_t>(r) * width + col] != 0;
      down[r] = v ? (r + 1 < height ? down[r + 1] : 0) + 1 : 0;
    }
    for (int r = 0; r < height; ++r)
      out[static_cast<std::size_t>(r) * width + col] = up[r] > m && down[r] > m;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// The scene model.

struct aoi_def {
  std::string name;
  OGRPolygon lonlat;               // as written (bbox or GeoJSON), EPSG:4326 lon/lat
  std::vector<std::uint8_t> mask;  // pixel centre inside, on the grid
  std::array<double, 4> bbox{};    // lon_min, lat_min, lon_max, lat_max (reserve only)
};

struct cloud_state {
  std::vector<std::uint8_t> scl;   // 0 = clear, else 3, 8 or 9
  std::vector<std::uint8_t> blob;  // cloud blob index per cloudy pixel
  std::vector<double> brightness;  // per blob
};

class simulator {
 public:
  simulator(fs::path out_dir, simulation_options opt)
      : dir_(std::move(out_dir)), o_(std::move(opt)) {}

  simulation_result run();

 private:
  void validate() const;
  void make_grid();
  void make_dates();
  void make_landcover();
  void make_aois();
  void place_clearings();
  void place_degradation();
  void make_clouds();
  void write_scenes();
  void write_concession() const;
  void write_truth() const;
  void write_job() const;

  [[nodiscard]] std::vector<std::uint8_t> rasterize(OGRPolygon const& lonlat) const;
  void render_band(int date, int band, std::vector<std::uint16_t>& out) const;
  void render_scl(int date, std::vector<std::uint8_t>& out) const;
  void write_tiff(fs::path const& path, void const* data, GDALDataType type, bool reflectance_band,
                  char const* description) const;

  fs::path dir_;
  simulation_options o_;
  int w_ = 0, h_ = 0;
  std::size_t n_ = 0;
  geotransform gt_{};
  OGRSpatialReference utm_, wgs84_;
  std::string utm_wkt_;  // shared by the writer threads (an SRS object is not)
  std::vector<civil_date> dates_;
  std::vector<int> period_;          // 0 baseline, 1 monitor, per date
  std::vector<std::uint8_t> cover_;  // forest / pasture / water
  std::vector<float> texture_;
  std::vector<aoi_def> aois_;
  std::vector<std::uint8_t> truth_;
  std::vector<planted_clearing> clearings_;
  std::vector<int> cleared_index_;      // per clearing id (1-based; [0] unused): date index
  std::vector<std::uint8_t> degraded_;  // 1 where forest degrades gradually while monitored
  std::vector<cloud_state> clouds_;
};

void simulator::validate() const {
  auto expects = [](bool ok, char const* what) {
    if (!ok) throw logic_error(fmt::format("simulate_scenes: {}", what));
  };
  expects(o_.width >= 32 && o_.height >= 32, "width and height must be at least 32 pixels");
  expects(o_.resolution_m > 0.0 && std::isfinite(o_.resolution_m), "resolution_m must be > 0");
  expects(o_.utm_zone >= 1 && o_.utm_zone <= 60, "utm_zone must be in 1..60");
  expects(o_.baseline_start.ok() && o_.monitor_start.ok(), "start dates must be valid");
  expects(o_.baseline_dates >= 1 && o_.monitor_dates >= 1, "each period needs a date");
  expects(o_.revisit_days >= 1, "revisit_days must be >= 1");
  expects(o_.clearings >= 0 && o_.clearings <= 255, "clearings must be in 0..255");
  expects(o_.clearings == 0 || o_.monitor_dates >= 2,
          "clearings need at least two monitoring dates");
  expects(!o_.tile.empty() && o_.tile.find_first_of("/\\ ") == std::string::npos,
          "tile must be a plain name");
  int const last_baseline =
      days_since_epoch(o_.baseline_start) + (o_.baseline_dates - 1) * o_.revisit_days;
  expects(last_baseline < days_since_epoch(o_.monitor_start),
          "the baseline period must end before the monitoring period starts");
}

void simulator::make_grid() {
  w_ = o_.width;
  h_ = o_.height;
  n_ = static_cast<std::size_t>(w_) * h_;
  gt_ = {o_.origin_x, o_.resolution_m, 0.0, o_.origin_y, 0.0, -o_.resolution_m};
  if (utm_.importFromEPSG(32700 + o_.utm_zone) != OGRERR_NONE ||
      wgs84_.importFromEPSG(4326) != OGRERR_NONE)
    throw io_error(fmt::format(
        "cannot build EPSG:327{:02} / EPSG:4326 (is PROJ's database installed?)", o_.utm_zone));
  utm_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  wgs84_.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  char* wkt = nullptr;
  char const* wkt_options[] = {"FORMAT=WKT2", nullptr};
  if (utm_.exportToWkt(&wkt, wkt_options) != OGRERR_NONE || wkt == nullptr) {
    CPLFree(wkt);
    throw io_error("cannot export the UTM CRS as WKT");
  }
  utm_wkt_ = wkt;
  CPLFree(wkt);
}

void simulator::make_dates() {
  for (int i = 0; i < o_.baseline_dates; ++i) {
    dates_.push_back(
        from_days_since_epoch(days_since_epoch(o_.baseline_start) + i * o_.revisit_days));
    period_.push_back(0);
  }
  for (int i = 0; i < o_.monitor_dates; ++i) {
    dates_.push_back(
        from_days_since_epoch(days_since_epoch(o_.monitor_start) + i * o_.revisit_days));
    period_.push_back(1);
  }
}

void simulator::make_landcover() {
  random_stream rng(o_.seed, stream::landcover);
  // Pasture: the top quarter of a two-octave value-noise field (cells ~1.2 km and ~0.6 km),
  // i.e. a few smooth blobs covering ~25 % of the tile.
  auto octave = [&](double cell_m) {
    double const cell = std::max(8.0, cell_m / o_.resolution_m);
    int const nx = static_cast<int>(w_ / cell) + 2;
    int const ny = static_cast<int>(h_ / cell) + 2;
    std::vector<double> lattice(static_cast<std::size_t>(nx) * ny);
    for (double& v : lattice) v = rng.uniform();
    std::vector<float> field(n_);
    for (int row = 0; row < h_; ++row) {
      double const fy = (row + 0.5) / cell;
      int const iy = static_cast<int>(fy);
      double ty = fy - iy;
      ty = ty * ty * (3 - 2 * ty);
      for (int col = 0; col < w_; ++col) {
        double const fx = (col + 0.5) / cell;
        int const ix = static_cast<int>(fx);
        double tx = fx - ix;
        tx = tx * tx * (3 - 2 * tx);
        auto at = [&](int x, int y) { return lattice[static_cast<std::size_t>(y) * nx + x]; };
        double const top = at(ix, iy) + (at(ix + 1, iy) - at(ix, iy)) * tx;
        double const bottom = at(ix, iy + 1) + (at(ix + 1, iy + 1) - at(ix, iy + 1)) * tx;
        field[static_cast<std::size_t>(row) * w_ + col] =
            static_cast<float>(top + (bottom - top) * ty);
      }
    }
    return field;
  };
  std::vector<float> field = octave(1200.0);
  std::vector<float> const fine = octave(600.0);
  for (std::size_t i = 0; i < n_; ++i) field[i] += 0.45f * fine[i];
  std::vector<float> sorted = field;
  auto const q = sorted.begin() + static_cast<std::ptrdiff_t>(n_ * 3 / 4);
  std::nth_element(sorted.begin(), q, sorted.end());
  float const threshold = *q;

  cover_.assign(n_, forest);
  for (std::size_t i = 0; i < n_; ++i)
    if (field[i] > threshold) cover_[i] = pasture;

  // A meandering river, north to south, 30-50 m wide.
  double const x0 = rng.uniform(0.15, 0.85) * w_;
  double const a1 = rng.uniform(0.03, 0.07) * w_, l1 = rng.uniform(0.5, 1.0) * h_;
  double const a2 = rng.uniform(0.01, 0.02) * w_, l2 = rng.uniform(0.15, 0.3) * h_;
  double const p1 = rng.uniform(0.0, 2 * pi), p2 = rng.uniform(0.0, 2 * pi);
  double const half_width = std::max(1.0, rng.uniform(15.0, 25.0) / o_.resolution_m);
  for (int row = 0; row < h_; ++row) {
    double const y = row + 0.5;
    double const xc =
        x0 + a1 * std::sin(2 * pi * y / l1 + p1) + a2 * std::sin(2 * pi * y / l2 + p2);
    int const c0 = std::max(0, static_cast<int>(std::floor(xc - half_width - 1)));
    int const c1 = std::min(w_ - 1, static_cast<int>(std::ceil(xc + half_width + 1)));
    for (int col = c0; col <= c1; ++col)
      if (std::abs(col + 0.5 - xc) <= half_width)
        cover_[static_cast<std::size_t>(row) * w_ + col] = water;
  }

  random_stream trng(o_.seed, stream::texture);
  texture_.resize(n_);
  for (float& t : texture_)
    t = static_cast<float>(1.0 + texture_sd * std::clamp(trng.normal(), -3.0, 3.0));
}

std::vector<std::uint8_t> simulator::rasterize(OGRPolygon const& lonlat) const {
  OGRGeometryUniquePtr g(lonlat.clone());
  auto const to_utm = pipeline::make_transform(wgs84_, utm_);
  if (g->transform(to_utm.get()) != OGRERR_NONE)
    throw io_error("cannot transform an AOI into the UTM grid: " +
                   std::string(CPLGetLastErrorMsg()));
  GDALDatasetUniquePtr ds(driver("MEM")->Create("", w_, h_, 1, GDT_Byte, nullptr));
  if (!ds)
    throw io_error("cannot create an in-memory raster: " + std::string(CPLGetLastErrorMsg()));
  double gt[6] = {gt_[0], gt_[1], gt_[2], gt_[3], gt_[4], gt_[5]};
  ds->SetGeoTransform(gt);
  ds->SetSpatialRef(&utm_);
  int band = 1;
  double burn = 1.0;
  OGRGeometryH gh = OGRGeometry::ToHandle(g.get());
  if (GDALRasterizeGeometries(GDALDataset::ToHandle(ds.get()), 1, &band, 1, &gh, nullptr, nullptr,
                              &burn, nullptr, nullptr, nullptr) != CE_None)
    throw io_error("cannot rasterize an AOI: " + std::string(CPLGetLastErrorMsg()));
  std::vector<std::uint8_t> mask(n_);
  if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w_, h_, mask.data(), w_, h_, GDT_Byte, 0, 0,
                                     nullptr) != CE_None)
    throw io_error("cannot read a rasterized AOI: " + std::string(CPLGetLastErrorMsg()));
  return mask;
}

void simulator::make_aois() {
  auto const to_lonlat = pipeline::make_transform(utm_, wgs84_);
  auto utm_of = [&](double fx, double fy) {
    return std::array<double, 2>{o_.origin_x + fx * w_ * o_.resolution_m,
                                 o_.origin_y - fy * h_ * o_.resolution_m};
  };
  auto lonlat_of = [&](std::array<double, 2> p) {
    double x = p[0], y = p[1];
    if (!to_lonlat->Transform(1, &x, &y))
      throw io_error("cannot transform a point to EPSG:4326: " + std::string(CPLGetLastErrorMsg()));
    return std::array<double, 2>{x, y};
  };

  // reserve-north: the lon/lat box inside the UTM rectangle [4 %, 66 %] x [4 %, 66 %] of the
  // tile (north-west, ~38 % of its area), rounded inwards to 5 decimals.
  {
    auto const ul = lonlat_of(utm_of(0.04, 0.04)), ur = lonlat_of(utm_of(0.66, 0.04));
    auto const ll = lonlat_of(utm_of(0.04, 0.66)), lr = lonlat_of(utm_of(0.66, 0.66));
    double const e5 = 1e5;
    aoi_def a;
    a.name = "reserve-north";
    a.bbox = {rounded(std::ceil(std::max(ul[0], ll[0]) * e5) / e5, 5),
              rounded(std::ceil(std::max(ll[1], lr[1]) * e5) / e5, 5),
              rounded(std::floor(std::min(ur[0], lr[0]) * e5) / e5, 5),
              rounded(std::floor(std::min(ul[1], ur[1]) * e5) / e5, 5)};
    OGRLinearRing ring;
    ring.addPoint(a.bbox[0], a.bbox[1]);
    ring.addPoint(a.bbox[2], a.bbox[1]);
    ring.addPoint(a.bbox[2], a.bbox[3]);
    ring.addPoint(a.bbox[0], a.bbox[3]);
    ring.addPoint(a.bbox[0], a.bbox[1]);
    a.lonlat.addRing(&ring);
    a.mask = rasterize(a.lonlat);
    aois_.push_back(std::move(a));
  }

  // concession-7: a jittered L around the reserve (south and east), 7 to 10 vertices, at least
  // 3 % of the tile away from the reserve. Fractions of the tile, x east, y south.
  {
    random_stream rng(o_.seed, stream::aoi);
    auto j = [&](double v) { return v + rng.uniform(-0.02, 0.02); };
    std::vector<std::array<double, 2>> base{
        {std::max(0.69, j(0.71)), j(0.05)},  // A: north-west corner of the east leg
        {j(0.95), j(0.05)},                  // B
        {j(0.95), j(0.95)},                  // C
        {j(0.05), j(0.95)},                  // D
        {j(0.05), std::max(0.69, j(0.71))},  // E: north-west corner of the south leg
        {std::max(0.69, j(0.71)), std::max(0.69, j(0.71))},  // F: inner corner
    };
    // Extra vertices on the outer edges A-B, B-C, C-D, D-E, pulled inwards.
    int const extra = rng.uniform_int(1, 4);
    std::array<int, 4> order{0, 1, 2, 3};
    for (int i = 3; i > 0; --i) std::swap(order[i], order[rng.uniform_int(0, i)]);
    std::vector<std::vector<std::array<double, 2>>> inserts(6);
    for (int k = 0; k < extra; ++k) {
      int const e = order[k];
      auto const p = base[e], q = base[e + 1];
      double const t = rng.uniform(0.3, 0.7);
      double const in = rng.uniform(0.01, 0.04);
      std::array<double, 2> m{p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1])};
      // inward normal of an edge of this clockwise-on-screen ring: (-dy, dx) rotated
      double const dx = q[0] - p[0], dy = q[1] - p[1], len = std::hypot(dx, dy);
      m[0] += -dy / len * in;
      m[1] += dx / len * in;
      inserts[e].push_back(m);
    }
    OGRLinearRing ring;
    auto add = [&](std::array<double, 2> const& pt) {
      auto const ll = lonlat_of(utm_of(pt[0], pt[1]));
      ring.addPoint(rounded(ll[0], 7), rounded(ll[1], 7));
    };
    for (int v = 0; v < 6; ++v) {
      add(base[v]);
      for (auto const& pt : inserts[v]) add(pt);
    }
    ring.closeRings();
    if (ring.isClockwise()) ring.reverseWindingOrder();  // RFC 7946: exterior ring CCW
    aoi_def a;
    a.name = "concession-7";
    a.lonlat.addRing(&ring);
    a.mask = rasterize(a.lonlat);
    aois_.push_back(std::move(a));
  }
}

void simulator::place_clearings() {
  truth_.assign(n_, 0);
  cleared_index_.assign(1, -1);
  if (o_.clearings == 0) return;
  random_stream rng(o_.seed, stream::clearings);

  double const px_per_ha = 10000.0 / (o_.resolution_m * o_.resolution_m);
  auto const min_px = static_cast<std::size_t>(std::max(1.0, std::ceil(1.0 * px_per_ha)));
  auto const max_px = static_cast<std::size_t>(std::max(1.0, std::floor(8.0 * px_per_ha)));
  int const aoi_margin = std::max(4, static_cast<int>(std::ceil(50.0 / o_.resolution_m)));
  int const cover_margin = std::max(3, static_cast<int>(std::ceil(30.0 / o_.resolution_m)));
  int const gap = std::max(3, static_cast<int>(std::ceil(30.0 / o_.resolution_m)));

  std::vector<std::uint8_t> forest_mask(n_);
  for (std::size_t i = 0; i < n_; ++i) forest_mask[i] = cover_[i] == forest;
  std::vector<std::uint8_t> const forest_inner = erode(forest_mask, w_, h_, cover_margin);
  std::vector<std::vector<std::uint8_t>> allowed;  // per AOI: inside with margins, in forest
  for (auto const& a : aois_) {
    std::vector<std::uint8_t> m = erode(a.mask, w_, h_, aoi_margin);
    for (std::size_t i = 0; i < n_; ++i) m[i] = m[i] && forest_inner[i];
    allowed.push_back(std::move(m));
  }
  std::vector<std::uint8_t> blocked(n_, 0);  // within `gap` pixels of a placed clearing

  for (int id = 1; id <= o_.clearings; ++id) {
    int const a = (id - 1) % 2;
    auto const& ok = allowed[a];
    // Centres are drawn from the pixels still free.
    std::vector<std::size_t> free;
    for (std::size_t i = 0; i < n_; ++i)
      if (ok[i] && !blocked[i]) free.push_back(i);
    if (free.empty())
      throw logic_error(fmt::format(
          "simulate_scenes: no forest left in AOI {} for clearing {}; use a larger tile or fewer "
          "clearings",
          aois_[a].name, id));
    std::vector<std::size_t> pixels;
    bool placed = false;
    for (int attempt = 0; attempt < 6000 && !placed; ++attempt) {
      // The first clearing is small (~1.1 ha); later ones 1.5-7 ha, shrinking towards 1.1 ha
      // when the AOI gets crowded.
      double hi = 7.0, lo = 1.5;
      if (attempt > 2000) hi = 4.0, lo = 1.2;
      if (attempt > 4000) hi = 1.6, lo = 1.1;
      double const ha = id == 1 ? rng.uniform(1.05, 1.25) : rng.uniform(lo, hi);
      std::size_t const centre =
          free[std::min(free.size() - 1, static_cast<std::size_t>(rng.uniform() * free.size()))];
      double const cx = static_cast<double>(centre % w_) + rng.uniform();
      double const cy = static_cast<double>(centre / w_) + rng.uniform();
      star_shape const s = random_star(rng, cx, cy, ha * px_per_ha, 0.35);
      pixels = star_pixels(s, w_, h_);
      if (pixels.size() < min_px || pixels.size() > max_px) continue;
      placed = std::all_of(pixels.begin(), pixels.end(),
                           [&](std::size_t i) { return ok[i] && !blocked[i]; });
    }
    if (!placed)
      throw logic_error(
          fmt::format("simulate_scenes: no room for clearing {} in AOI {}; use a larger tile or "
                      "fewer clearings",
                      id, aois_[a].name));
    for (std::size_t i : pixels) {
      truth_[i] = static_cast<std::uint8_t>(id);
      int const row = static_cast<int>(i / w_), col = static_cast<int>(i % w_);
      for (int r = std::max(0, row - gap); r <= std::min(h_ - 1, row + gap); ++r)
        for (int c = std::max(0, col - gap); c <= std::min(w_ - 1, col + gap); ++c)
          blocked[static_cast<std::size_t>(r) * w_ + c] = 1;
    }
    int const monitor_index = rng.uniform_int(0, o_.monitor_dates - 2);
    int const date_index = o_.baseline_dates + monitor_index;
    planted_clearing c;
    c.id = id;
    c.aoi = aois_[a].name;
    c.cleared_on = dates_[date_index];
    c.pixel_count = static_cast<std::int64_t>(pixels.size());
    c.area_ha = static_cast<double>(c.pixel_count) * o_.resolution_m * o_.resolution_m / 10000.0;
    clearings_.push_back(c);
    cleared_index_.push_back(date_index);
  }
}

void simulator::place_degradation() {
  // Selective logging: blobs of 3-10 ha of forest anywhere (AOIs included), away from the
  // clearings, whose index falls slowly while monitored.
  degraded_.assign(n_, 0);
  random_stream rng(o_.seed, stream::degradation);
  double const px_per_ha = 10000.0 / (o_.resolution_m * o_.resolution_m);
  int const gap = std::max(3, static_cast<int>(std::ceil(30.0 / o_.resolution_m)));
  for (int k = 0; k < o_.degradations; ++k) {
    for (int attempt = 0; attempt < 200; ++attempt) {
      double const cx = rng.uniform() * w_, cy = rng.uniform() * h_;
      star_shape const shape = random_star(rng, cx, cy, rng.uniform(3.0, 10.0) * px_per_ha, 0.3);
      auto const pixels = star_pixels(shape, w_, h_);
      bool ok = !pixels.empty();
      for (std::size_t i : pixels) {
        if (!ok) break;
        int const row = static_cast<int>(i / w_), col = static_cast<int>(i % w_);
        ok = cover_[i] == forest && degraded_[i] == 0;
        for (int r = std::max(0, row - gap); ok && r <= std::min(h_ - 1, row + gap); ++r)
          for (int c = std::max(0, col - gap); ok && c <= std::min(w_ - 1, col + gap); ++c)
            ok = truth_[static_cast<std::size_t>(r) * w_ + c] == 0;
      }
      if (!ok) continue;
      for (std::size_t i : pixels) degraded_[i] = 1;
      break;
    }
  }
}

void simulator::make_clouds() {
  clouds_.resize(dates_.size());
  for (std::size_t d = 0; d < dates_.size(); ++d) {
    cloud_state& cs = clouds_[d];
    cs.scl.assign(n_, 0);
    int const period_size = period_[d] == 0 ? o_.baseline_dates : o_.monitor_dates;
    // A period of one date stays clear, so every pixel has a clear view in every period.
    if (!o_.clouds || period_size < 2) continue;
    cs.blob.assign(n_, 0);
    random_stream rng(o_.seed, stream::clouds, d);
    double const target = rng.uniform(0.05, 0.20);
    int const nblobs = rng.uniform_int(2, 5);
    double const blob_area = target * static_cast<double>(n_) / nblobs;
    std::size_t covered = 0;
    double const target_px = target * static_cast<double>(n_);
    for (int k = 0; k < 12 && static_cast<double>(covered) < 0.9 * target_px; ++k) {
      double const area = std::min(blob_area * rng.uniform(0.6, 1.4),
                                   1.1 * (target_px - static_cast<double>(covered)));
      star_shape const s =
          random_star(rng, rng.uniform(0.0, w_), rng.uniform(0.0, h_), std::max(area, 16.0), 0.45);
      cs.brightness.push_back(rng.uniform(0.46, 0.60));
      auto const blob_id = static_cast<std::uint8_t>(cs.brightness.size() - 1);
      for (std::size_t i : star_pixels(s, w_, h_)) {
        double const q = s.relative_distance(static_cast<int>(i % w_), static_cast<int>(i / w_));
        std::uint8_t const cls = q < 0.6 ? scl_cloud_high : scl_cloud_medium;
        if (cs.scl[i] == 0) ++covered;
        if (cls > cs.scl[i]) {
          cs.scl[i] = cls;
          cs.blob[i] = blob_id;
        }
      }
    }
    // Shadows: the cloud mask shifted 300-700 m away from the sun (roughly south-west here).
    double const angle = rng.uniform(0.55, 0.95) * pi;  // direction in image coords
    double const dist = rng.uniform(300.0, 700.0) / o_.resolution_m;
    int const dx = static_cast<int>(std::lround(dist * std::cos(angle)));
    int const dy = static_cast<int>(std::lround(dist * std::sin(angle)));
    std::vector<std::uint8_t> const cloudy = cs.scl;
    for (int row = 0; row < h_; ++row)
      for (int col = 0; col < w_; ++col) {
        if (cloudy[static_cast<std::size_t>(row) * w_ + col] == 0) continue;
        int const r = row + dy, c = col + dx;
        if (r < 0 || r >= h_ || c < 0 || c >= w_) continue;
        std::size_t const j = static_cast<std::size_t>(r) * w_ + c;
        if (cs.scl[j] == 0) cs.scl[j] = scl_shadow;
      }
    // The guarantee: no pixel is cloudy or shadowed on two consecutive dates of a period.
    if (d > 0 && period_[d - 1] == period_[d]) {
      std::vector<std::uint8_t> const& prev = clouds_[d - 1].scl;
      for (std::size_t i = 0; i < n_; ++i)
        if (prev[i] != 0) cs.scl[i] = 0;
    }
  }
}

void simulator::render_band(int date, int band, std::vector<std::uint16_t>& out) const {
  // A small seasonal factor from the day of year.
  civil_date const dt = dates_[date];
  int const doy = days_since_epoch(dt) - days_since_epoch(civil_date{
                                             dt.year(), std::chrono::January, std::chrono::day{1}});
  double const phase = 2.0 * pi * doy / 365.25;
  double season = 1.0 + 0.02 * std::sin(phase + 0.3);
  if (band == nir_band) season *= 1.0 + 0.03 * std::cos(phase);

  std::array<double, 4> base{};
  for (int c = 0; c < 4; ++c) base[c] = surface_reflectance[c][band] * season;

  // Degradation grows linearly over the monitoring dates to 10 % bare soil on the last one.
  std::vector<double> degradation_share(dates_.size(), 0.0);
  for (std::size_t d = static_cast<std::size_t>(o_.baseline_dates); d < dates_.size(); ++d) {
    degradation_share[d] = 0.10 * static_cast<double>(d - o_.baseline_dates + 1) / o_.monitor_dates;
  }
  random_stream rng(o_.seed, stream::noise, static_cast<std::uint64_t>(date),
                    static_cast<std::uint64_t>(band));
  cloud_state const& cs = clouds_[date];
  out.resize(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    double const noise = 1.0 + band_noise * (2.0 * rng.uniform() - 1.0);
    std::uint8_t const id = truth_[i];
    int const c = id != 0 && cleared_index_[id] <= date ? int{bare} : int{cover_[i]};
    double surface = base[c];
    if (degraded_[i] != 0 && c == forest && period_[date] == 1) {
      surface =
          (1.0 - degradation_share[date]) * base[forest] + degradation_share[date] * base[bare];
    }
    double refl = surface * texture_[i] * noise;
    switch (cs.scl[i]) {
      case scl_cloud_high:
        refl = cs.brightness[cs.blob[i]] * cloud_tint[band] * noise;
        break;
      case scl_cloud_medium:
        refl = 0.92 * cs.brightness[cs.blob[i]] * cloud_tint[band] * noise;
        break;
      case scl_shadow:
        refl *= 0.5;
        break;
      default:
        break;
    }
    double const dn = std::floor(refl * 10000.0 + 0.5) + 1000.0;
    out[i] = static_cast<std::uint16_t>(std::clamp(dn, 1.0, 65535.0));
  }
}

void simulator::render_scl(int date, std::vector<std::uint8_t>& out) const {
  cloud_state const& cs = clouds_[date];
  out.resize(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    if (cs.scl[i] != 0) {
      out[i] = cs.scl[i];
      continue;
    }
    std::uint8_t const id = truth_[i];
    if (id != 0 && cleared_index_[id] <= date)
      out[i] = scl_bare;
    else
      out[i] = cover_[i] == water ? scl_water : scl_vegetation;
  }
}

void simulator::write_tiff(fs::path const& path, void const* data, GDALDataType type,
                           bool reflectance_band, char const* description) const {
  CPLStringList co;
  co.SetNameValue("TILED", "YES");
  co.SetNameValue("BLOCKXSIZE", "256");
  co.SetNameValue("BLOCKYSIZE", "256");
  co.SetNameValue("COMPRESS", "DEFLATE");
  co.SetNameValue("PREDICTOR", "2");
  CPLErrorReset();
  GDALDatasetUniquePtr ds(driver("GTiff")->Create(path.c_str(), w_, h_, 1, type, co.List()));
  if (!ds) throw_gdal(path, "cannot create");
  double gt[6] = {gt_[0], gt_[1], gt_[2], gt_[3], gt_[4], gt_[5]};
  if (ds->SetGeoTransform(gt) != CE_None || ds->SetProjection(utm_wkt_.c_str()) != CE_None)
    throw_gdal(path, "cannot georeference");
  GDALRasterBand* band = ds->GetRasterBand(1);
  band->SetDescription(description);
  if (band->SetNoDataValue(0.0) != CE_None) throw_gdal(path, "cannot set nodata");
  if (reflectance_band) {
    if (band->SetMetadataItem("BOA_ADD_OFFSET", "-1000") != CE_None ||
        band->SetMetadataItem("QUANTIFICATION_VALUE", "10000") != CE_None)
      throw_gdal(path, "cannot set metadata");
  }
  // Tile by tile, in order, straight to the file (no block cache: same bytes every run).
  int const bs = 256;
  int const elem = GDALGetDataTypeSizeBytes(type);
  std::vector<unsigned char> tile(static_cast<std::size_t>(bs) * bs * elem);
  auto const* src = static_cast<unsigned char const*>(data);
  for (int ty = 0; ty * bs < h_; ++ty)
    for (int tx = 0; tx * bs < w_; ++tx) {
      std::fill(tile.begin(), tile.end(), 0);
      int const rows = std::min(bs, h_ - ty * bs), cols = std::min(bs, w_ - tx * bs);
      for (int r = 0; r < rows; ++r)
        std::copy_n(src + (static_cast<std::size_t>(ty * bs + r) * w_ + tx * bs) * elem,
                    static_cast<std::size_t>(cols) * elem,
                    tile.data() + static_cast<std::size_t>(r) * bs * elem);
      if (band->WriteBlock(tx, ty, tile.data()) != CE_None) throw_gdal(path, "cannot write");
    }
  close_checked(std::move(ds), path);
}

void simulator::write_scenes() {
  fs::path const final_dir = dir_ / "scenes";
  fs::path const tmp_dir = dir_ / fmt::format(".scenes.tmp-{}", ::getpid());
  std::error_code ec;
  fs::remove_all(tmp_dir, ec);
  std::vector<fs::path> scene_dirs;
  for (std::size_t d = 0; d < dates_.size(); ++d) {
    fs::path const p = tmp_dir / fmt::format("{}_{}_{}_0_L2A", d % 2 == 0 ? "S2A" : "S2B", o_.tile,
                                             yyyymmdd(dates_[d]));
    fs::create_directories(p, ec);
    if (ec)
      throw io_error(fmt::format("{}: cannot create directory: {}", p.string(), ec.message()));
    scene_dirs.push_back(p);
  }
  try {
    int const per_date = n_bands + 1;
    int const tasks = static_cast<int>(dates_.size()) * per_date;
    std::vector<std::exception_ptr> errors(static_cast<std::size_t>(tasks));
#pragma omp parallel for schedule(dynamic, 1)
    for (int t = 0; t < tasks; ++t) {
      try {
        int const d = t / per_date, k = t % per_date;
        if (k < n_bands) {
          std::vector<std::uint16_t> buf;
          render_band(d, k, buf);
          write_tiff(scene_dirs[d] / fmt::format("{}.tif", band_names[k]), buf.data(), GDT_UInt16,
                     true, band_names[k]);
        } else {
          std::vector<std::uint8_t> buf;
          render_scl(d, buf);
          write_tiff(scene_dirs[d] / "SCL.tif", buf.data(), GDT_Byte, false, "SCL");
        }
      } catch (...) {
        errors[static_cast<std::size_t>(t)] = std::current_exception();
      }
    }
    for (auto const& e : errors)
      if (e) std::rethrow_exception(e);
    fs::remove_all(final_dir);
    fs::rename(tmp_dir, final_dir);
  } catch (fs::filesystem_error const& e) {
    fs::remove_all(tmp_dir, ec);
    throw io_error(
        fmt::format("{}: cannot replace the scenes: {}", final_dir.string(), e.code().message()));
  } catch (...) {
    fs::remove_all(tmp_dir, ec);
    throw;
  }
}

/// Writes one EPSG:4326 lon/lat layer with the GeoJSON driver (RFC 7946) through a temporary
/// file. `fill` adds the fields and features.
template <typename Fill>
void write_geojson(fs::path const& path, char const* layer_name, OGRSpatialReference const& wgs84,
                   char const* precision, Fill&& fill) {
  atomic_file out(path);
  CPLErrorReset();
  GDALDatasetUniquePtr ds(
      driver("GeoJSON")->Create(out.temp_path().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
  if (!ds) throw_gdal(path, "cannot create");
  CPLStringList lco;
  lco.SetNameValue("RFC7946", "YES");
  lco.SetNameValue("COORDINATE_PRECISION", precision);
  OGRLayer* layer =
      ds->CreateLayer(layer_name, const_cast<OGRSpatialReference*>(&wgs84), wkbUnknown, lco.List());
  if (layer == nullptr) throw_gdal(path, "cannot create layer");
  fill(*layer);
  close_checked(std::move(ds), path);
  out.commit();
}

void add_field(OGRLayer& layer, fs::path const& path, char const* name, OGRFieldType type) {
  OGRFieldDefn f(name, type);
  if (layer.CreateField(&f) != OGRERR_NONE)
    throw_gdal(path, fmt::format("cannot add field {}", name));
}

void simulator::write_concession() const {
  fs::path const dir = dir_ / "aois";
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    throw io_error(fmt::format("{}: cannot create directory: {}", dir.string(), ec.message()));
  fs::path const path = dir / "concession-7.geojson";
  write_geojson(path, "concession-7", wgs84_, "7", [&](OGRLayer& layer) {
    add_field(layer, path, "name", OFTString);
    OGRFeature f(layer.GetLayerDefn());
    f.SetField("name", aois_[1].name.c_str());
    f.SetGeometry(&aois_[1].lonlat);
    if (layer.CreateFeature(&f) != OGRERR_NONE) throw_gdal(path, "cannot write feature");
  });
}

void simulator::write_truth() const {
  fs::path const path = dir_ / "truth.geojson";
  // Polygonize the truth mask in UTM: the exact pixel footprints.
  CPLErrorReset();
  GDALDatasetUniquePtr mem(driver("MEM")->Create("", w_, h_, 1, GDT_Byte, nullptr));
  if (!mem) throw_gdal(path, "cannot create an in-memory raster");
  double gt[6] = {gt_[0], gt_[1], gt_[2], gt_[3], gt_[4], gt_[5]};
  mem->SetGeoTransform(gt);
  mem->SetSpatialRef(&utm_);
  GDALRasterBand* band = mem->GetRasterBand(1);
  if (band->RasterIO(GF_Write, 0, 0, w_, h_, const_cast<std::uint8_t*>(truth_.data()), w_, h_,
                     GDT_Byte, 0, 0, nullptr) != CE_None)
    throw_gdal(path, "cannot fill an in-memory raster");
  // OGR's "Memory" driver (GDAL < 3.11; later MEM holds vectors too).
  GDALDriver* vector_mem = GetGDALDriverManager()->GetDriverByName("Memory");
  if (vector_mem == nullptr) vector_mem = driver("MEM");
  GDALDatasetUniquePtr vec(vector_mem->Create("", 0, 0, 0, GDT_Unknown, nullptr));
  if (!vec) throw_gdal(path, "cannot create an in-memory layer");
  OGRLayer* polys =
      vec->CreateLayer("truth", const_cast<OGRSpatialReference*>(&utm_), wkbPolygon, nullptr);
  if (polys == nullptr) throw_gdal(path, "cannot create an in-memory layer");
  OGRFieldDefn idf("id", OFTInteger);
  polys->CreateField(&idf);
  if (GDALPolygonize(GDALRasterBand::ToHandle(band), GDALRasterBand::ToHandle(band),
                     OGRLayer::ToHandle(polys), 0, nullptr, nullptr, nullptr) != CE_None)
    throw_gdal(path, "cannot polygonize the truth mask");

  std::map<int, std::vector<std::unique_ptr<OGRPolygon>>> parts;
  polys->ResetReading();
  for (auto& feature : *polys) {
    int const id = feature->GetFieldAsInteger(0);
    OGRGeometry const* g = feature->GetGeometryRef();
    if (id <= 0 || g == nullptr || wkbFlatten(g->getGeometryType()) != wkbPolygon) continue;
    parts[id].emplace_back(g->clone()->toPolygon());
  }
  auto const to_lonlat = pipeline::make_transform(utm_, wgs84_);

  write_geojson(path, "clearings", wgs84_, "9", [&](OGRLayer& layer) {
    add_field(layer, path, "id", OFTInteger);
    add_field(layer, path, "aoi", OFTString);
    add_field(layer, path, "cleared_on", OFTString);
    add_field(layer, path, "pixels", OFTInteger64);
    add_field(layer, path, "area_ha", OFTReal);
    for (auto const& c : clearings_) {
      auto& pieces = parts[c.id];
      if (pieces.empty())
        throw io_error(fmt::format("{}: clearing {} has no footprint", path.string(), c.id));
      std::unique_ptr<OGRGeometry> geom;
      if (pieces.size() == 1) {
        geom = std::move(pieces.front());
      } else {
        auto multi = std::make_unique<OGRMultiPolygon>();
        for (auto& p : pieces) multi->addGeometryDirectly(p.release());
        geom = std::move(multi);
      }
      if (geom->transform(to_lonlat.get()) != OGRERR_NONE)
        throw_gdal(path, "cannot transform a clearing to EPSG:4326");
      OGRFeature f(layer.GetLayerDefn());
      f.SetField("id", c.id);
      f.SetField("aoi", c.aoi.c_str());
      f.SetField("cleared_on", to_iso(c.cleared_on).c_str());
      f.SetField("pixels", static_cast<GIntBig>(c.pixel_count));
      f.SetField("area_ha", c.area_ha);
      f.SetGeometry(geom.get());
      if (layer.CreateFeature(&f) != OGRERR_NONE) throw_gdal(path, "cannot write feature");
    }
  });
}

void simulator::write_job() const {
  fs::path const path = dir_ / "job.yaml";
  auto const& bbox = aois_[0].bbox;
  std::string const text = fmt::format(
      "# Written by `geosweep simulate --seed {seed}`: {n} Sentinel-2 L2A-like scenes with {k} "
      "planted clearings (see truth.geojson).\n"
      "job: simulated-seed-{seed}\n"
      "sensor: sentinel2-l2a\n"
      "scenes:\n"
      "  dir: scenes\n"
      "aois:\n"
      "  - name: reserve-north\n"
      "    bbox: [{lon0:.5f}, {lat0:.5f}, {lon1:.5f}, {lat1:.5f}]\n"
      "  - name: concession-7\n"
      "    geometry: aois/concession-7.geojson\n"
      "period:\n"
      "  baseline: [{b0}, {b1}]\n"
      "  monitor: [{m0}, {m1}]\n"
      "indices: [ndvi, nbr]\n"
      "change:\n"
      "  method: baseline\n"
      "  index: ndvi\n"
      "  drop: 0.25\n"
      "  forest_min: 0.6\n"
      "  confirm: 2\n"
      "  min_area_ha: 0.5\n"
      "outputs:\n"
      "  dir: out\n"
      "  hdf5: true\n"
      "  csv: true\n",
      fmt::arg("seed", o_.seed), fmt::arg("n", dates_.size()), fmt::arg("k", clearings_.size()),
      fmt::arg("lon0", bbox[0]), fmt::arg("lat0", bbox[1]), fmt::arg("lon1", bbox[2]),
      fmt::arg("lat1", bbox[3]), fmt::arg("b0", to_iso(dates_.front())),
      fmt::arg("b1", to_iso(dates_[o_.baseline_dates - 1])),
      fmt::arg("m0", to_iso(dates_[o_.baseline_dates])), fmt::arg("m1", to_iso(dates_.back())));
  atomic_file out(path);
  {
    std::ofstream f(out.temp_path(), std::ios::binary | std::ios::trunc);
    f << text;
    f.close();
    if (!f) throw io_error(fmt::format("{}: cannot write", path.string()));
  }
  out.commit();
}

simulation_result simulator::run() {
  validate();
  GDALAllRegister();
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec || !fs::is_directory(dir_))
    throw io_error(fmt::format("{}: cannot create directory: {}", dir_.string(),
                               ec ? ec.message() : "not a directory"));
  make_grid();
  make_dates();
  make_landcover();
  make_aois();
  place_clearings();
  place_degradation();
  make_clouds();
  write_scenes();
  write_concession();
  write_truth();
  write_job();

  simulation_result r;
  r.job_file = dir_ / "job.yaml";
  r.truth_file = dir_ / "truth.geojson";
  r.grid.crs_wkt = utm_wkt_;
  r.grid.transform = gt_;
  r.grid.width = w_;
  r.grid.height = h_;
  r.dates = dates_;
  r.clearings = clearings_;
  r.truth_mask = std::move(truth_);
  return r;
}

}  // namespace

simulation_result simulate_scenes(std::filesystem::path const& out_dir,
                                  simulation_options const& options) {
  return simulator(out_dir, options).run();
}

}  // namespace geosweep::sim
