#pragma once
/// \file
/// Internal to geosweep_sim: the scene simulator's one class and what its phases share. The
/// class is big and works in phases, so its members are defined by phase, one .cpp each
/// (landscape.cpp, events.cpp, render.cpp, write.cpp, scene_simulator.cpp; series.cpp for the
/// long-series mode), around this header: the random streams, the spectra and SCL classes, and
/// the scene model. It lives in `detail` rather than an anonymous namespace because several
/// files define its members.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <numbers>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include "geosweep/pipeline/errors.hpp"
#include "geosweep/sim/scene_simulator.hpp"

namespace geosweep::sim::detail {

using pipeline::geotransform;

namespace fs = std::filesystem;
inline constexpr double pi = std::numbers::pi;

/// Parses the text `value` is printed as with `decimals` decimals: the double a reader gets.
inline double rounded(double value, int decimals) {
  return std::strtod(fmt::format("{:.{}f}", value, decimals).c_str(), nullptr);
}

// ---------------------------------------------------------------------------------------
// Deterministic random numbers. std::mt19937_64's output sequence is fixed by the standard;
// the std distributions are not, so the transforms below are our own. Every part of the
// scene draws from its own stream (seed, stream id), so changing one part leaves the rest.

inline std::uint64_t splitmix64(std::uint64_t x) {
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
  partial = 8,
  // the long-series mode (series.cpp)
  series_events = 9,
  series_season = 10,
  series_clouds = 11,
  series_noise = 12,
  cross_over = 13,  // burns, mines and floods
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

inline constexpr int n_bands = 6;
inline constexpr std::array<char const*, n_bands> band_names{"B02", "B03", "B04",
                                                             "B08", "B11", "B12"};
inline constexpr int nir_band = 3;

/// Land covers; the first four make the landscape (cover_), the others only planted events.
enum cover : std::uint8_t {
  forest = 0,
  pasture = 1,
  water = 2,
  bare = 3,
  charred = 4,      ///< a burn scar
  pit_water = 5,    ///< turbid water in a mining pit
  tailings = 6,     ///< bright spoil around a pit
  flood_water = 7,  ///< turbid flood water
};
inline constexpr int n_covers = 8;

inline constexpr std::array<std::array<double, n_bands>, n_covers> surface_reflectance{{
    {0.025, 0.05, 0.03, 0.30, 0.15, 0.07},     // forest     NDVI 0.82, NBR 0.62
    {0.04, 0.07, 0.09, 0.25, 0.25, 0.15},      // pasture    NDVI 0.47
    {0.04, 0.045, 0.03, 0.012, 0.006, 0.004},  // water      NDVI < 0
    {0.09, 0.12, 0.16, 0.22, 0.30, 0.26},      // bare soil  NDVI 0.16, NBR -0.08
    {0.03, 0.04, 0.05, 0.09, 0.17, 0.19},      // charred    NBR -0.36 (dNBR 0.98), dark
    {0.07, 0.09, 0.10, 0.06, 0.025, 0.015},    // pit water  MNDWI 0.57, NDVI -0.25
    {0.12, 0.16, 0.22, 0.27, 0.34, 0.30},      // tailings   bright bare, BSI 0.17
    {0.06, 0.08, 0.08, 0.05, 0.02, 0.012},     // flood      MNDWI 0.60, NDVI -0.23
}};
// Clouds: a per-blob brightness times this tint (a little bluer than flat).
inline constexpr std::array<double, n_bands> cloud_tint{1.04, 1.02, 1.0, 0.98, 0.95, 0.92};

// Noise budget (keeps NDVI classes apart for every pixel and date):
//  - texture: a per-pixel factor common to all bands, 1 + 0.04 N(0,1) cut at 3 sd; it cancels
//    in normalized differences;
//  - per band, pixel and date: a factor 1 + U(-band_noise, band_noise), by default 0.026
//    (sd 1.5 %);
//  - season: a per-date factor on all bands (+-2 %) and an annual NIR cycle (+-3 %), so the
//    index itself follows the season;
//  - gradual degradation: forest mixed with up to 10 % bare soil over the monitoring period
//    (NDVI falls by ~0.08, below any loss threshold).
// Worst cases: forest NDVI >= 0.72 (degrading) and >= 0.78 (intact), pasture <= 0.52,
// bare soil <= 0.20.
inline constexpr double texture_sd = 0.04;

inline constexpr std::uint8_t scl_shadow = 3;
inline constexpr std::uint8_t scl_vegetation = 4;
inline constexpr std::uint8_t scl_bare = 5;
inline constexpr std::uint8_t scl_water = 6;
inline constexpr std::uint8_t scl_cloud_medium = 8;
inline constexpr std::uint8_t scl_cloud_high = 9;

// ---------------------------------------------------------------------------------------
// GDAL (the writers' own helpers are in write.cpp).

/// The GDAL driver `name`, or io_error when this GDAL lacks it.
inline GDALDriver* driver(char const* name) {
  GDALDriver* d = GetGDALDriverManager()->GetDriverByName(name);
  if (d == nullptr) throw io_error(fmt::format("GDAL driver {} is not available", name));
  return d;
}

// ---------------------------------------------------------------------------------------
// The scene model.

/// One AOI: as written, and on the grid.
struct aoi_def {
  std::string name;
  OGRPolygon lonlat;               // as written (bbox or GeoJSON), EPSG:4326 lon/lat
  std::vector<std::uint8_t> mask;  // pixel centre inside, on the grid
  std::array<double, 4> bbox{};    // lon_min, lat_min, lon_max, lat_max (reserve only)
};

/// The clouds and shadows of one date.
struct cloud_state {
  std::vector<std::uint8_t> scl;   // 0 = clear, else 3, 8 or 9
  std::vector<std::uint8_t> blob;  // cloud blob index per cloudy pixel
  std::vector<double> brightness;  // per blob
};

/// The DN of a band at pixel i whose surface reflectance is `refl` (noise applied) and whose
/// look is `noise`: a cloud replaces it, a shadow halves it; scaled by 10000 with the BOA offset
/// 1000, as a processing-baseline-04 L2A scene.
inline std::uint16_t scene_dn(double refl, cloud_state const& cs, std::size_t i, int band,
                              double noise) {
  switch (cs.scl[i]) {
    case scl_cloud_high:
      refl = cs.brightness[cs.blob[i]] * cloud_tint[static_cast<std::size_t>(band)] * noise;
      break;
    case scl_cloud_medium:
      refl = 0.92 * cs.brightness[cs.blob[i]] * cloud_tint[static_cast<std::size_t>(band)] * noise;
      break;
    case scl_shadow:
      refl *= 0.5;
      break;
    default:
      break;
  }
  double const dn = std::floor(refl * 10000.0 + 0.5) + 1000.0;
  return static_cast<std::uint16_t>(std::clamp(dn, 1.0, 65535.0));
}

/// How a planted event of the series mode changes NDVI, in days since series_start.
struct event_model {
  int start_day = 0;
  int ramp_days = 0;          // 0: abrupt
  double fall = 0.0;          // complete fall; regrowth: the rise
  int cleared_day = -1;       // regrowth: when it was cleared
  double cleared_fall = 0.0;  // regrowth: the fall of that clearing
};

/// Simulates one tile: run() builds the scene model phase by phase (landscape.cpp, then
/// events.cpp), then renders (render.cpp) and writes (write.cpp) every file. Each phase reads
/// only what the phases before it made.
class simulator {
 public:
  simulator(fs::path out_dir, simulation_options opt)
      : dir_(std::move(out_dir)), o_(std::move(opt)) {}

  /// Checks the options, runs every phase and returns what was written.
  simulation_result run();

 private:
  // scene_simulator.cpp
  /// Throws logic_error for options the simulator cannot honour.
  void validate() const;

  // landscape.cpp: the tile and what does not change with the date.
  /// The UTM grid, its CRS (and WKT) and EPSG:4326.
  void make_grid();
  /// The baseline, then the monitoring dates.
  void make_dates();
  /// Forest, pasture and a river, and the per-pixel texture.
  void make_landcover();
  /// One octave of smooth value noise with cells of `cell_m` metres, on the grid.
  [[nodiscard]] std::vector<float> value_noise(random_stream& rng, double cell_m) const;
  /// Paints a meandering river, north to south, into cover_.
  void add_river(random_stream& rng);
  /// Both AOIs: reserve-north (a bbox), then concession-7 (a polygon).
  void make_aois();
  [[nodiscard]] aoi_def make_reserve(OGRCoordinateTransformation& to_lonlat) const;
  [[nodiscard]] aoi_def make_concession(OGRCoordinateTransformation& to_lonlat) const;
  /// Lon/lat of the point at fractions (fx east, fy south) of the tile.
  [[nodiscard]] std::array<double, 2> tile_lonlat(OGRCoordinateTransformation& to_lonlat, double fx,
                                                  double fy) const;
  /// Pixel-centre membership of an EPSG:4326 polygon on the grid.
  [[nodiscard]] std::vector<std::uint8_t> rasterize(OGRPolygon const& lonlat) const;

  // events.cpp: what differs from date to date.
  /// The planted clearings: truth_, clearings_ and cleared_index_.
  void place_clearings();
  /// Per AOI: the pixels a clearing may cover (inside the AOI and in forest, with margins).
  [[nodiscard]] std::vector<std::vector<std::uint8_t>> clearing_sites() const;
  /// Draws the footprint of clearing `id` in AOI `aoi`: pixels where `ok` is set and
  /// `blocked` is not. Throws logic_error when there is no room.
  [[nodiscard]] std::vector<std::size_t> draw_clearing(
      random_stream& rng, int id, int aoi, std::vector<std::uint8_t> const& ok,
      std::vector<std::uint8_t> const& blocked) const;
  /// Sets truth_ to `id` over `pixels` and blocks what lies within `gap` pixels of them.
  void mark_planted(int id, std::vector<std::size_t> const& pixels,
                    std::vector<std::uint8_t>& blocked, int gap);
  /// Whether pixel `i` has a 4-neighbour outside its patch of truth_ (or off the tile).
  [[nodiscard]] bool on_patch_edge(std::size_t i) const;
  /// The record of patch `id`, changed on date index `date_index`.
  [[nodiscard]] planted_clearing planted(int id, planted_cause cause, int aoi, int date_index,
                                         std::size_t pixels) const;
  /// Burns, mines and floods after the clearings: more of truth_, clearings_, cleared_index_
  /// and event_cover_.
  void place_cross_over(std::vector<std::vector<std::uint8_t>> const& allowed,
                        std::vector<std::uint8_t>& blocked, int gap);
  /// Partial cuts (simulation_options::partial_cuts): bare_share_.
  void place_partial_cuts();
  /// Patches of gradual degradation: degraded_.
  void place_degradation();
  /// Clouds and their shadows per date: clouds_.
  void make_clouds();
  /// Star-shaped cloud blobs covering 5-20 % of the tile into `cs`.
  void draw_cloud_blobs(random_stream& rng, cloud_state& cs) const;
  /// Star-shaped cloud blobs covering about `target` of the tile into `cs`.
  void draw_cloud_blobs(random_stream& rng, cloud_state& cs, double target) const;
  /// The shadows of the clouds in `cs`.
  void cast_shadows(random_stream& rng, cloud_state& cs) const;

  // series.cpp: the long-series mode (simulation_options::series) in place of the dates,
  // events and clouds above, and its own pixel values and truth.
  /// Every series_revisit_days over the history, then the monitoring years.
  void make_series_dates();
  /// Each year's season (amplitude and peak day): season_amp_, season_peak_.
  void make_seasons();
  /// Forest NDVI's seasonal offset from its mean on day `t` (days since series_start), and
  /// pasture's is twice it.
  [[nodiscard]] double season_offset(double t) const;
  /// The planted events: truth_, events_, clearings_.
  void place_series_events();
  /// The NDVI fall of event `k` (events_[k]) on date index `date` (0 before it starts).
  [[nodiscard]] double event_fall(std::size_t k, int date) const;
  /// Clouds by the month's chance of a cloudy scene: clouds_.
  void make_series_clouds();
  void render_series_band(int date, int band, std::vector<std::uint16_t>& out) const;
  void render_series_scl(int date, std::vector<std::uint8_t>& out) const;
  /// DIR/truth.geojson: one feature per event; DIR/truth.tif: the truth mask.
  void write_series_truth() const;

  // render.cpp: pixel values of one file.
  /// DNs of band `band` on date index `date`.
  void render_band(int date, int band, std::vector<std::uint16_t>& out) const;
  /// The SCL band on date index `date`.
  void render_scl(int date, std::vector<std::uint8_t>& out) const;

  // write.cpp: the files.
  /// Every band and SCL file, replacing DIR/scenes as a whole.
  void write_scenes();
  /// One tiled, compressed single-band GeoTIFF on the grid.
  void write_tiff(fs::path const& path, void const* data, GDALDataType type, bool reflectance_band,
                  char const* description) const;
  /// DIR/stac/items.json: the scenes (`scenes`, folder names under DIR/scenes, per date) as
  /// an ItemCollection of STAC 1.0.0 items with Earth Search's asset keys, raster:bands
  /// scale and offset, and `cloud_cover` (percent per date) as eo:cloud_cover.
  void write_stac_items(std::vector<std::string> const& scenes,
                        std::vector<double> const& cloud_cover) const;
  /// DIR/aois/concession-7.geojson.
  void write_concession() const;
  /// DIR/landcover.tif: cover_ as CGLS-LC100 codes (simulation_result::landcover_file).
  void write_landcover() const;
  /// DIR/truth.geojson: one feature per clearing.
  void write_truth() const;
  /// The truth mask as UTM polygons, per clearing id (errors name `path`).
  [[nodiscard]] std::map<int, std::vector<std::unique_ptr<OGRPolygon>>> polygonize_truth(
      fs::path const& path) const;
  /// DIR/job.yaml.
  void write_job() const;

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
  std::vector<int> cleared_index_;         // per clearing id (1-based; [0] unused): date index
  std::vector<std::uint8_t> degraded_;     // 1 where forest degrades gradually while monitored
  std::vector<float> bare_share_;          // partial cuts: share of bare soil once cut
  std::vector<std::uint8_t> event_cover_;  // per pixel: the cover once its event happened
  std::vector<cloud_state> clouds_;
  // series mode
  std::vector<int> day_;             // per date: days since series_start
  std::vector<double> season_amp_;   // per year (one more than the series has)
  std::vector<double> season_peak_;  // per year: day of the year of the peak
  std::vector<planted_event> events_;
  std::vector<event_model> event_model_;  // per event, as events_
};

}  // namespace geosweep::sim::detail
