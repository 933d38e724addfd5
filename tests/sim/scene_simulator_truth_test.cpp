// Tests of the scene simulator's planted truth and job: the AOI files and masks, the planted
// clearings against truth.geojson, job.yaml, and the land-cover raster against the truth.

#include "geosweep/sim/scene_simulator.hpp"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "sim/scene_simulator_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using namespace geosweep::pipeline;
using namespace geosweep::sim;
using namespace geosweep::test_tools;

/// EPSG:32720 and EPSG:4326, both x = easting/longitude.
struct crs_pair {
  OGRSpatialReference utm, wgs84;
  crs_pair() {
    utm.importFromEPSG(32720);
    wgs84.importFromEPSG(4326);
    utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  }
};

/// The shared fixture, and the AOIs as the pipeline reads them.
class SceneSimulator : public scene_simulator_fixture {
 protected:
  /// The AOI polygons in UTM, as the pipeline would build them from job.yaml.
  static std::vector<std::unique_ptr<OGRPolygon>> aois_in_utm() {
    crs_pair crs;
    std::unique_ptr<OGRCoordinateTransformation, void (*)(OGRCoordinateTransformation*)> ct(
        OGRCreateCoordinateTransformation(&crs.wgs84, &crs.utm),
        OGRCoordinateTransformation::DestroyCT);
    std::vector<std::unique_ptr<OGRPolygon>> out;
    YAML::Node const job = YAML::LoadFile((dir() / "job.yaml").string());
    auto const bbox = job["aois"][0]["bbox"].as<std::vector<double>>();
    OGRLinearRing ring;
    ring.addPoint(bbox[0], bbox[1]);
    ring.addPoint(bbox[2], bbox[1]);
    ring.addPoint(bbox[2], bbox[3]);
    ring.addPoint(bbox[0], bbox[3]);
    ring.closeRings();
    auto reserve = std::make_unique<OGRPolygon>();
    reserve->addRing(&ring);
    out.push_back(std::move(reserve));

    GDALDatasetUniquePtr ds = open_vector(dir() / job["aois"][1]["geometry"].as<std::string>());
    if (!ds || ds->GetLayerCount() != 1) throw std::runtime_error("cannot read the concession AOI");
    OGRLayer* layer = ds->GetLayer(0);
    layer->ResetReading();
    OGRFeatureUniquePtr f(layer->GetNextFeature());
    if (!f || f->GetGeometryRef() == nullptr)
      throw std::runtime_error("concession AOI has no feature");
    out.emplace_back(f->GetGeometryRef()->clone()->toPolygon());
    for (auto& p : out)
      if (p->transform(ct.get()) != OGRERR_NONE)
        throw std::runtime_error("cannot transform an AOI");
    return out;
  }

  /// Pixel-centre membership of a polygon (exterior ring, as built here: no holes).
  static std::vector<std::uint8_t> membership(OGRPolygon const& poly) {
    auto const& g = result().grid;
    std::vector<std::uint8_t> m(g.pixel_count());
    OGRLinearRing const* ring = poly.getExteriorRing();
    for (int row = 0; row < g.height; ++row)
      for (int col = 0; col < g.width; ++col) {
        auto const c = g.pixel_center(col, row);
        OGRPoint const pt(c[0], c[1]);
        m[static_cast<std::size_t>(row) * g.width + col] = ring->isPointInRing(&pt) ? 1 : 0;
      }
    return m;
  }
};

TEST_F(SceneSimulator, ConcessionAoiFile) {
  GDALDatasetUniquePtr ds = open_vector(dir() / "aois" / "concession-7.geojson");
  ASSERT_TRUE(ds);
  EXPECT_STREQ(ds->GetDriver()->GetDescription(), "GeoJSON");
  ASSERT_EQ(ds->GetLayerCount(), 1);
  OGRLayer* layer = ds->GetLayer(0);
  ASSERT_EQ(layer->GetFeatureCount(), 1);
  layer->ResetReading();
  OGRFeatureUniquePtr f(layer->GetNextFeature());
  ASSERT_TRUE(f);
  EXPECT_STREQ(f->GetFieldAsString("name"), "concession-7");
  OGRGeometry const* g = f->GetGeometryRef();
  ASSERT_NE(g, nullptr);
  ASSERT_EQ(wkbFlatten(g->getGeometryType()), wkbPolygon);
  OGRPolygon const* poly = g->toPolygon();
  EXPECT_EQ(poly->getNumInteriorRings(), 0);
  int const vertices = poly->getExteriorRing()->getNumPoints() - 1;  // closed ring
  EXPECT_GE(vertices, 6);
  EXPECT_LE(vertices, 10);
  EXPECT_TRUE(g->IsValid());
  // lon/lat order (RFC 7946), not lat/lon: Rondonia is near 62.1 W, 9.5 S.
  OGREnvelope env;
  g->getEnvelope(&env);
  EXPECT_GT(env.MinX, -63.0);
  EXPECT_LT(env.MaxX, -61.0);
  EXPECT_GT(env.MinY, -10.5);
  EXPECT_LT(env.MaxY, -9.0);
  // RFC 7946: exterior ring counterclockwise.
  EXPECT_FALSE(poly->getExteriorRing()->isClockwise());
}

TEST_F(SceneSimulator, AoisCoverTheTileWithoutOverlap) {
  auto const aois = aois_in_utm();
  ASSERT_EQ(aois.size(), 2u);
  auto const reserve = membership(*aois[0]);
  auto const concession = membership(*aois[1]);
  std::size_t in_reserve = 0, in_concession = 0, in_both = 0;
  std::size_t reserve_north_west = 0;
  for (int row = 0; row < 300; ++row)
    for (int col = 0; col < 300; ++col) {
      std::size_t const i = static_cast<std::size_t>(row) * 300 + col;
      in_reserve += reserve[i];
      in_concession += concession[i];
      in_both += reserve[i] && concession[i];
      reserve_north_west += reserve[i] && row < 200 && col < 200;
    }
  double const n = 300.0 * 300.0;
  EXPECT_EQ(in_both, 0u);
  EXPECT_FALSE(aois[0]->Intersects(aois[1].get()));
  EXPECT_GT(in_reserve / n, 0.30);
  EXPECT_LT(in_reserve / n, 0.45);
  EXPECT_EQ(reserve_north_west, in_reserve) << "reserve-north lies in the north-west";
  EXPECT_GT(in_concession / n, 0.25);
  // Both strictly inside the tile: no AOI pixel on the tile's border.
  for (int k = 0; k < 300; ++k)
    for (std::size_t i :
         {static_cast<std::size_t>(k), static_cast<std::size_t>(299 * 300 + k),
          static_cast<std::size_t>(k * 300), static_cast<std::size_t>(k * 300 + 299)})
      EXPECT_FALSE(reserve[i] || concession[i]) << "pixel " << i;
}

TEST_F(SceneSimulator, ClearingsAreWellFormed) {
  auto const& r = result();
  std::vector<std::int64_t> counts(256, 0);
  for (std::uint8_t v : r.truth_mask) ++counts[v];
  double smallest = 1e9;
  for (std::size_t k = 0; k < r.clearings.size(); ++k) {
    auto const& c = r.clearings[k];
    SCOPED_TRACE(c.id);
    EXPECT_EQ(c.id, static_cast<int>(k) + 1);
    EXPECT_EQ(c.aoi, k % 2 == 0 ? "reserve-north" : "concession-7") << "AOIs alternate";
    EXPECT_EQ(c.pixel_count, counts[c.id]);
    EXPECT_EQ(c.area_ha, static_cast<double>(c.pixel_count) * 100.0 / 10000.0);
    EXPECT_GE(c.area_ha, 1.0);
    EXPECT_LE(c.area_ha, 8.0);
    smallest = std::min(smallest, c.area_ha);
    // A monitoring date, never the last one.
    auto const it = std::find(r.dates.begin(), r.dates.end(), c.cleared_on);
    ASSERT_NE(it, r.dates.end());
    auto const index = it - r.dates.begin();
    EXPECT_GE(index, 3);
    EXPECT_LE(index, 5);
  }
  EXPECT_LE(smallest, 1.5) << "at least one small clearing";
  std::int64_t ids_beyond = 0;
  for (std::size_t v = r.clearings.size() + 1; v < 256; ++v) ids_beyond += counts[v];
  EXPECT_EQ(ids_beyond, 0);
  // Clearings never touch, not even diagonally.
  int const w = width();
  for (int row = 0; row < w; ++row)
    for (int col = 0; col < w; ++col) {
      std::uint8_t const a = r.truth_mask[static_cast<std::size_t>(row) * w + col];
      if (a == 0) continue;
      for (int dr = -1; dr <= 1; ++dr)
        for (int dc = -1; dc <= 1; ++dc) {
          int const rr = row + dr, cc = col + dc;
          if (rr < 0 || rr >= w || cc < 0 || cc >= w) continue;
          std::uint8_t const b = r.truth_mask[static_cast<std::size_t>(rr) * w + cc];
          EXPECT_TRUE(b == 0 || b == a) << "clearings " << int{a} << " and " << int{b} << " touch";
        }
    }
}

TEST_F(SceneSimulator, ClearingsLieInsideTheirAoi) {
  auto const aois = aois_in_utm();
  auto const& r = result();
  auto const& g = r.grid;
  std::vector<std::int64_t> inside(r.clearings.size() + 1, 0);
  for (int row = 0; row < g.height; ++row)
    for (int col = 0; col < g.width; ++col) {
      std::uint8_t const id = r.truth_mask[static_cast<std::size_t>(row) * g.width + col];
      if (id == 0) continue;
      auto const& c = r.clearings[id - 1];
      OGRPolygon const& aoi = *aois[c.aoi == "reserve-north" ? 0 : 1];
      auto const centre = g.pixel_center(col, row);
      OGRPoint const pt(centre[0], centre[1]);
      // With a margin: the whole pixel and its neighbours' centres are inside too.
      bool ok = true;
      for (int dr = -1; dr <= 1; ++dr)
        for (int dc = -1; dc <= 1; ++dc) {
          auto const n = g.pixel_center(col + dc, row + dr);
          OGRPoint const q(n[0], n[1]);
          ok = ok && aoi.getExteriorRing()->isPointInRing(&q);
        }
      EXPECT_TRUE(ok) << "clearing " << int{id} << " pixel (" << col << ", " << row << ") outside "
                      << c.aoi;
      inside[id] += aoi.getExteriorRing()->isPointInRing(&pt) ? 1 : 0;
    }
  for (auto const& c : r.clearings) EXPECT_EQ(inside[c.id], c.pixel_count) << "clearing " << c.id;
}

TEST_F(SceneSimulator, TruthGeojsonMatchesTheMask) {
  auto const& r = result();
  std::string const text = file_bytes(r.truth_file);
  GDALDatasetUniquePtr ds = open_vector(r.truth_file);
  ASSERT_TRUE(ds);
  EXPECT_STREQ(ds->GetDriver()->GetDescription(), "GeoJSON");
  ASSERT_EQ(ds->GetLayerCount(), 1);
  OGRLayer* layer = ds->GetLayer(0);
  EXPECT_STREQ(layer->GetName(), "clearings");
  ASSERT_EQ(layer->GetFeatureCount(), static_cast<GIntBig>(r.clearings.size()));
  OGRFeatureDefn const* defn = layer->GetLayerDefn();
  for (auto [name, type] : {std::pair{"id", OFTInteger}, std::pair{"aoi", OFTString},
                            std::pair{"cleared_on", OFTString}, std::pair{"pixels", OFTInteger64},
                            std::pair{"area_ha", OFTReal}}) {
    int const idx = defn->GetFieldIndex(name);
    ASSERT_GE(idx, 0) << name;
    if (type == OFTInteger64)
      EXPECT_TRUE(defn->GetFieldDefn(idx)->GetType() == OFTInteger64 ||
                  defn->GetFieldDefn(idx)->GetType() == OFTInteger)
          << name;
    else
      EXPECT_EQ(defn->GetFieldDefn(idx)->GetType(), type) << name;
  }

  crs_pair crs;
  std::unique_ptr<OGRCoordinateTransformation, void (*)(OGRCoordinateTransformation*)> to_utm(
      OGRCreateCoordinateTransformation(&crs.wgs84, &crs.utm),
      OGRCoordinateTransformation::DestroyCT);
  ASSERT_TRUE(to_utm);

  std::int64_t mask_pixels = 0;
  for (std::uint8_t v : r.truth_mask) mask_pixels += v != 0;
  double area_sum = 0;
  std::set<int> seen;
  auto const& g = r.grid;
  layer->ResetReading();
  for (auto& f : *layer) {
    int const id = f->GetFieldAsInteger("id");
    SCOPED_TRACE(id);
    ASSERT_GE(id, 1);
    ASSERT_LE(id, static_cast<int>(r.clearings.size()));
    EXPECT_TRUE(seen.insert(id).second) << "one feature per clearing";
    auto const& c = r.clearings[id - 1];
    EXPECT_EQ(f->GetFieldAsString("aoi"), c.aoi);
    EXPECT_STREQ(f->GetFieldAsString("cause"), "clearing");  // no burns, mines or floods here
    EXPECT_EQ(f->GetFieldAsString("cleared_on"), to_iso(c.cleared_on));
    EXPECT_NE(
        text.find(fmt::format(R"("id": {}, "cause": "clearing", "aoi": "{}", "cleared_on": "{}")",
                              c.id, c.aoi, to_iso(c.cleared_on))),
        std::string::npos)
        << "a YYYY-MM-DD string in the file";
    EXPECT_EQ(f->GetFieldAsInteger64("pixels"), c.pixel_count);
    EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("area_ha"), c.area_ha);
    area_sum += f->GetFieldAsDouble("area_ha");

    OGRGeometry const* geom = f->GetGeometryRef();
    ASSERT_NE(geom, nullptr);
    auto const type = wkbFlatten(geom->getGeometryType());
    EXPECT_TRUE(type == wkbPolygon || type == wkbMultiPolygon);
    OGREnvelope ll;
    geom->getEnvelope(&ll);
    EXPECT_LT(ll.MaxX, -61.0) << "longitude first";
    EXPECT_GT(ll.MinY, -10.5) << "latitude second";
    // Back in UTM the footprint is the clearing's pixels, exactly.
    std::unique_ptr<OGRGeometry> utm(geom->clone());
    ASSERT_EQ(utm->transform(to_utm.get()), OGRERR_NONE);
    double const area_m2 =
        type == wkbPolygon ? utm->toPolygon()->get_Area() : utm->toMultiPolygon()->get_Area();
    EXPECT_NEAR(area_m2, static_cast<double>(c.pixel_count) * 100.0, 0.05);
    OGREnvelope env;
    utm->getEnvelope(&env);
    int const c0 = static_cast<int>(std::floor((env.MinX - g.transform[0]) / 10.0)) - 1;
    int const c1 = static_cast<int>(std::floor((env.MaxX - g.transform[0]) / 10.0)) + 1;
    int const r0 = static_cast<int>(std::floor((g.transform[3] - env.MaxY) / 10.0)) - 1;
    int const r1 = static_cast<int>(std::floor((g.transform[3] - env.MinY) / 10.0)) + 1;
    std::int64_t contained = 0, mismatched = 0;
    for (int row = std::max(0, r0); row <= std::min(g.height - 1, r1); ++row)
      for (int col = std::max(0, c0); col <= std::min(g.width - 1, c1); ++col) {
        auto const p = g.pixel_center(col, row);
        OGRPoint const pt(p[0], p[1]);
        bool const in = utm->Contains(&pt);
        contained += in;
        mismatched += in != (r.truth_mask[static_cast<std::size_t>(row) * g.width + col] == id);
      }
    EXPECT_EQ(contained, c.pixel_count);
    EXPECT_EQ(mismatched, 0);
  }
  EXPECT_EQ(seen.size(), r.clearings.size());
  EXPECT_NEAR(area_sum, static_cast<double>(mask_pixels) * 0.01, 1e-9);
}

TEST_F(SceneSimulator, JobYaml) {
  std::string const text = file_bytes(dir() / "job.yaml");
  EXPECT_EQ(text.rfind("# Written by `geosweep simulate --seed 7`: 7 Sentinel-2 L2A-like scenes "
                       "with 6 planted clearings (see truth.geojson).\n",
                       0),
            0u)
      << text;
  EXPECT_TRUE(std::regex_search(
      text, std::regex(R"(bbox: \[-?\d+\.\d{5}, -?\d+\.\d{5}, -?\d+\.\d{5}, -?\d+\.\d{5}\]\n)")))
      << "bbox with 5 decimals";

  YAML::Node const job = YAML::Load(text);
  EXPECT_EQ(job["job"].as<std::string>(), "simulated-seed-7");
  EXPECT_EQ(job["sensor"].as<std::string>(), "sentinel2-l2a");
  EXPECT_EQ(job["scenes"]["dir"].as<std::string>(), "scenes");
  ASSERT_TRUE(job["aois"].IsSequence());
  ASSERT_EQ(job["aois"].size(), 2u);
  EXPECT_EQ(job["aois"][0]["name"].as<std::string>(), "reserve-north");
  EXPECT_EQ(job["aois"][1]["name"].as<std::string>(), "concession-7");
  EXPECT_EQ(job["aois"][1]["geometry"].as<std::string>(), "aois/concession-7.geojson");
  EXPECT_FALSE(job["aois"][0]["geometry"]);
  EXPECT_FALSE(job["aois"][1]["bbox"]);
  auto const bbox = job["aois"][0]["bbox"].as<std::vector<double>>();
  ASSERT_EQ(bbox.size(), 4u);
  EXPECT_LT(bbox[0], bbox[2]);
  EXPECT_LT(bbox[1], bbox[3]);
  // The box lies strictly inside the tile.
  crs_pair crs;
  std::unique_ptr<OGRCoordinateTransformation, void (*)(OGRCoordinateTransformation*)> to_utm(
      OGRCreateCoordinateTransformation(&crs.wgs84, &crs.utm),
      OGRCoordinateTransformation::DestroyCT);
  for (auto [lon, lat] : {std::pair{bbox[0], bbox[1]}, std::pair{bbox[2], bbox[1]},
                          std::pair{bbox[2], bbox[3]}, std::pair{bbox[0], bbox[3]}}) {
    double x = lon, y = lat;
    ASSERT_TRUE(to_utm->Transform(1, &x, &y));
    EXPECT_GT(x, 600000.0);
    EXPECT_LT(x, 603000.0);
    EXPECT_GT(y, 8947000.0);
    EXPECT_LT(y, 8950000.0);
  }
  EXPECT_EQ(job["period"]["baseline"][0].as<std::string>(), "2023-06-05");
  EXPECT_EQ(job["period"]["baseline"][1].as<std::string>(), "2023-07-05");
  EXPECT_EQ(job["period"]["monitor"][0].as<std::string>(), "2024-06-04");
  EXPECT_EQ(job["period"]["monitor"][1].as<std::string>(), "2024-07-19");
  EXPECT_EQ(job["indices"].as<std::vector<std::string>>(),
            (std::vector<std::string>{"ndvi", "nbr"}));
  EXPECT_EQ(job["change"]["method"].as<std::string>(), "baseline");
  EXPECT_EQ(job["change"]["confirm"].as<int>(), 2);
  EXPECT_EQ(job["change"]["min_area_ha"].as<double>(), 0.5);
  EXPECT_EQ(job["change"]["index"].as<std::string>(), "ndvi");
  EXPECT_EQ(job["change"]["drop"].as<double>(), 0.25);
  EXPECT_EQ(job["change"]["forest_min"].as<double>(), 0.6);
  EXPECT_EQ(job["outputs"]["dir"].as<std::string>(), "out");
  EXPECT_TRUE(job["outputs"]["hdf5"].as<bool>());
  EXPECT_TRUE(job["outputs"]["csv"].as<bool>());
  std::set<std::string> keys;
  for (auto const& kv : job) keys.insert(kv.first.as<std::string>());
  EXPECT_EQ(keys, (std::set<std::string>{"job", "sensor", "scenes", "aois", "period", "indices",
                                         "change", "outputs"}));
}

}  // namespace

TEST_F(SceneSimulator, LandCoverPutsEveryClearingInEvergreenForest) {
  auto const& r = result();
  EXPECT_EQ(r.landcover_file, dir() / "landcover.tif");
  GDALDatasetUniquePtr ds(GDALDataset::Open(r.landcover_file.c_str(), GDAL_OF_RASTER));
  ASSERT_TRUE(ds);
  ASSERT_EQ(ds->GetRasterXSize(), r.grid.width);
  ASSERT_EQ(ds->GetRasterYSize(), r.grid.height);
  double gt[6];
  ASSERT_EQ(ds->GetGeoTransform(gt), CE_None);
  for (int i = 0; i < 6; ++i) EXPECT_EQ(gt[i], r.grid.transform[i]) << i;
  EXPECT_STREQ(ds->GetSpatialRef()->GetAuthorityCode(nullptr), "32720");
  std::vector<std::uint8_t> codes(static_cast<std::size_t>(r.grid.width) * r.grid.height);
  ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, r.grid.width, r.grid.height, codes.data(),
                                           r.grid.width, r.grid.height, GDT_Byte, 0, 0),
            CE_None);
  std::map<int, std::size_t> count;
  std::size_t cleared = 0, cleared_in_forest = 0;
  for (std::size_t i = 0; i < codes.size(); ++i) {
    ++count[codes[i]];
    if (r.truth_mask[i] == 0) continue;
    ++cleared;
    cleared_in_forest += codes[i] == 112;
  }
  EXPECT_GT(cleared, 0u);
  EXPECT_EQ(cleared_in_forest, cleared);  // clearings are planted in forest only
  // CGLS-LC100 codes only: forest, pasture (a quarter of the tile less the river), the river.
  EXPECT_EQ(count.size(), 3u);
  double const n = static_cast<double>(codes.size());
  EXPECT_GT(count[30] / n, 0.18);
  EXPECT_LT(count[30] / n, 0.26);
  EXPECT_GT(count[80], 0u);
  EXPECT_GT(count[112] / n, 0.6);
}
