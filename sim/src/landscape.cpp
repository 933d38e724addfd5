// The landscape phase: the grid and its CRS, the scene dates, the land cover (forest, pasture,
// a river) with its texture, and the two AOIs. Nothing here depends on the date; events.cpp
// plants what changes on top of it.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "simulator.hpp"

namespace geosweep::sim::detail {

using pipeline::days_since_epoch;
using pipeline::from_days_since_epoch;

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
  std::vector<float> field = value_noise(rng, 1200.0);
  std::vector<float> const fine = value_noise(rng, 600.0);
  for (std::size_t i = 0; i < n_; ++i) field[i] += 0.45f * fine[i];
  std::vector<float> sorted = field;
  auto const q = sorted.begin() + static_cast<std::ptrdiff_t>(n_ * 3 / 4);
  std::nth_element(sorted.begin(), q, sorted.end());
  float const threshold = *q;

  cover_.assign(n_, forest);
  for (std::size_t i = 0; i < n_; ++i)
    if (field[i] > threshold) cover_[i] = pasture;

  add_river(rng);

  random_stream trng(o_.seed, stream::texture);
  texture_.resize(n_);
  for (float& t : texture_)
    t = static_cast<float>(1.0 + texture_sd * std::clamp(trng.normal(), -3.0, 3.0));
}

std::vector<float> simulator::value_noise(random_stream& rng, double cell_m) const {
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
}

void simulator::add_river(random_stream& rng) {
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
  aois_.push_back(make_reserve(*to_lonlat));
  aois_.push_back(make_concession(*to_lonlat));
}

std::array<double, 2> simulator::tile_lonlat(OGRCoordinateTransformation& to_lonlat, double fx,
                                             double fy) const {
  double x = o_.origin_x + fx * w_ * o_.resolution_m;
  double y = o_.origin_y - fy * h_ * o_.resolution_m;
  if (!to_lonlat.Transform(1, &x, &y))
    throw io_error("cannot transform a point to EPSG:4326: " + std::string(CPLGetLastErrorMsg()));
  return std::array<double, 2>{x, y};
}

aoi_def simulator::make_reserve(OGRCoordinateTransformation& to_lonlat) const {
  // reserve-north: the lon/lat box inside the UTM rectangle [4 %, 66 %] x [4 %, 66 %] of the
  // tile (north-west, ~38 % of its area), rounded inwards to 5 decimals.
  auto const ul = tile_lonlat(to_lonlat, 0.04, 0.04), ur = tile_lonlat(to_lonlat, 0.66, 0.04);
  auto const ll = tile_lonlat(to_lonlat, 0.04, 0.66), lr = tile_lonlat(to_lonlat, 0.66, 0.66);
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
  return a;
}

aoi_def simulator::make_concession(OGRCoordinateTransformation& to_lonlat) const {
  // concession-7: a jittered L around the reserve (south and east), 7 to 10 vertices, at least
  // 3 % of the tile away from the reserve. Fractions of the tile, x east, y south.
  random_stream rng(o_.seed, stream::aoi);
  auto j = [&](double v) { return v + rng.uniform(-0.02, 0.02); };
  std::vector<std::array<double, 2>> base{
      {std::max(0.69, j(0.71)), j(0.05)},                  // A: north-west corner of the east leg
      {j(0.95), j(0.05)},                                  // B
      {j(0.95), j(0.95)},                                  // C
      {j(0.05), j(0.95)},                                  // D
      {j(0.05), std::max(0.69, j(0.71))},                  // E: north-west corner of the south leg
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
    auto const ll = tile_lonlat(to_lonlat, pt[0], pt[1]);
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
  return a;
}

}  // namespace geosweep::sim::detail
