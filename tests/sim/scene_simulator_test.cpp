// Tests of the scene simulator: the files it writes, their georeferencing, the planted
// clearings against truth.geojson, the spectral separation the change detector relies on,
// the cloud guarantee and job.yaml.

#include "geosweep/sim/scene_simulator.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "geosweep/pipeline/errors.hpp"

namespace {

namespace fs = std::filesystem;
using namespace geosweep::pipeline;
using namespace geosweep::sim;
using std::chrono::day;
using std::chrono::year;

constexpr char const* band_files[] = {"B02.tif", "B03.tif", "B04.tif",
                                      "B08.tif", "B11.tif", "B12.tif"};

GDALDatasetUniquePtr open_raster(fs::path const& p) {
  return GDALDatasetUniquePtr(GDALDataset::Open(p.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
}
/// DATE_AS_STRING: the GeoJSON driver would otherwise turn "2024-06-04" into an OFTDate.
GDALDatasetUniquePtr open_vector(fs::path const& p) {
  char const* const options[] = {"DATE_AS_STRING=YES", nullptr};
  return GDALDatasetUniquePtr(
      GDALDataset::Open(p.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, options));
}

template <typename T>
std::vector<T> read_band(fs::path const& p) {
  GDALDatasetUniquePtr ds = open_raster(p);
  if (!ds) throw std::runtime_error("cannot open " + p.string());
  int const w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
  std::vector<T> v(static_cast<std::size_t>(w) * h);
  GDALDataType const t = sizeof(T) == 1 ? GDT_Byte : GDT_UInt16;
  if (ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, v.data(), w, h, t, 0, 0, nullptr) !=
      CE_None)
    throw std::runtime_error("cannot read " + p.string());
  return v;
}

std::string file_bytes(fs::path const& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::string compact(civil_date d) {
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
}

fs::path scene_dir(fs::path const& root, std::string const& tile, std::size_t index, civil_date d) {
  return root / "scenes" /
         fmt::format("{}_{}_{}_0_L2A", index % 2 == 0 ? "S2A" : "S2B", tile, compact(d));
}

bool is_clear(std::uint8_t scl) {
  return scl == 4 || scl == 5 || scl == 6;
}

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

class SceneSimulator : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    GDALAllRegister();
    root_ = fs::temp_directory_path() / fmt::format("geosweep-scene-simulator-test-{}", ::getpid());
    fs::remove_all(root_);
    result_ = std::make_unique<simulation_result>(simulate_scenes(dir(), small()));
  }
  static void TearDownTestSuite() {
    result_.reset();
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  /// 3 x 3 km, the default dates, 6 clearings, clouds.
  static simulation_options small() {
    simulation_options o;
    o.seed = 7;
    o.width = 300;
    o.height = 300;
    return o;
  }
  static fs::path dir() { return root_ / "seed7"; }
  static simulation_result const& result() { return *result_; }
  static int width() { return result().grid.width; }
  static std::size_t pixel_count() { return result().grid.pixel_count(); }

  static fs::path scene(std::size_t i) {
    return scene_dir(dir(), small().tile, i, result().dates[i]);
  }
  /// 0 for baseline dates, 1 for monitoring dates.
  static int period_of(std::size_t i) {
    return i < static_cast<std::size_t>(small().baseline_dates) ? 0 : 1;
  }

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

  static inline fs::path root_;
  static inline std::unique_ptr<simulation_result> result_;
};

TEST_F(SceneSimulator, DatesGridAndResult) {
  auto const& r = result();
  std::vector<civil_date> const expected{
      {year{2023}, std::chrono::June, day{5}},  {year{2023}, std::chrono::June, day{20}},
      {year{2023}, std::chrono::July, day{5}},  {year{2024}, std::chrono::June, day{4}},
      {year{2024}, std::chrono::June, day{19}}, {year{2024}, std::chrono::July, day{4}},
      {year{2024}, std::chrono::July, day{19}}};
  EXPECT_EQ(r.dates, expected);
  EXPECT_EQ(r.grid.width, 300);
  EXPECT_EQ(r.grid.height, 300);
  geotransform const gt{600000.0, 10.0, 0.0, 8950000.0, 0.0, -10.0};
  EXPECT_EQ(r.grid.transform, gt);
  OGRSpatialReference srs;
  ASSERT_EQ(srs.importFromWkt(r.grid.crs_wkt.c_str()), OGRERR_NONE);
  ASSERT_NE(srs.GetAuthorityCode(nullptr), nullptr);
  EXPECT_STREQ(srs.GetAuthorityCode(nullptr), "32720");
  EXPECT_EQ(r.job_file, dir() / "job.yaml");
  EXPECT_EQ(r.truth_file, dir() / "truth.geojson");
  ASSERT_EQ(r.truth_mask.size(), r.grid.pixel_count());
  ASSERT_EQ(r.clearings.size(), 6u);
}

TEST_F(SceneSimulator, EveryFileExistsWithGridAndMetadata) {
  auto const& r = result();
  // Exactly one folder per date, named like Earth Search's L2A items, S2A/S2B alternating.
  std::set<std::string> names;
  for (auto const& e : fs::directory_iterator(dir() / "scenes"))
    names.insert(e.path().filename().string());
  std::set<std::string> expected;
  for (std::size_t i = 0; i < r.dates.size(); ++i) expected.insert(scene(i).filename().string());
  EXPECT_EQ(names, expected);
  EXPECT_TRUE(names.count("S2A_20LMR_20230605_0_L2A")) << "first scene name";
  EXPECT_TRUE(names.count("S2B_20LMR_20230620_0_L2A")) << "second scene name";

  for (std::size_t i = 0; i < r.dates.size(); ++i) {
    std::vector<std::string> files(std::begin(band_files), std::end(band_files));
    files.emplace_back("SCL.tif");
    for (auto const& name : files) {
      fs::path const p = scene(i) / name;
      SCOPED_TRACE(p.string());
      ASSERT_TRUE(fs::is_regular_file(p));
      GDALDatasetUniquePtr ds = open_raster(p);
      ASSERT_TRUE(ds);
      EXPECT_STREQ(ds->GetDriver()->GetDescription(), "GTiff");
      EXPECT_EQ(ds->GetRasterXSize(), 300);
      EXPECT_EQ(ds->GetRasterYSize(), 300);
      ASSERT_EQ(ds->GetRasterCount(), 1);
      OGRSpatialReference const* srs = ds->GetSpatialRef();
      ASSERT_NE(srs, nullptr);
      ASSERT_NE(srs->GetAuthorityCode(nullptr), nullptr);
      EXPECT_STREQ(srs->GetAuthorityCode(nullptr), "32720");
      double gt[6];
      ASSERT_EQ(ds->GetGeoTransform(gt), CE_None);
      for (int k = 0; k < 6; ++k) EXPECT_EQ(gt[k], r.grid.transform[k]) << "geotransform " << k;
      char const* compression = ds->GetMetadataItem("COMPRESSION", "IMAGE_STRUCTURE");
      ASSERT_NE(compression, nullptr);
      EXPECT_STREQ(compression, "DEFLATE");
      GDALRasterBand* band = ds->GetRasterBand(1);
      int bx = 0, by = 0;
      band->GetBlockSize(&bx, &by);
      EXPECT_EQ(bx, 256);
      EXPECT_EQ(by, 256);
      int has_nodata = 0;
      double const nodata = band->GetNoDataValue(&has_nodata);
      EXPECT_TRUE(has_nodata);
      EXPECT_EQ(nodata, 0.0);
      if (name == "SCL.tif") {
        EXPECT_EQ(band->GetRasterDataType(), GDT_Byte);
      } else {
        EXPECT_EQ(band->GetRasterDataType(), GDT_UInt16);
        char const* offset = band->GetMetadataItem("BOA_ADD_OFFSET");
        char const* quant = band->GetMetadataItem("QUANTIFICATION_VALUE");
        ASSERT_NE(offset, nullptr);
        ASSERT_NE(quant, nullptr);
        EXPECT_STREQ(offset, "-1000");
        EXPECT_STREQ(quant, "10000");
      }
    }
  }
  // The GeoTIFF predictor is in the TIFF tags; GDAL reports it from 3.x as PREDICTOR.
  GDALDatasetUniquePtr ds = open_raster(scene(0) / "B04.tif");
  ASSERT_TRUE(ds);
  if (char const* pred = ds->GetMetadataItem("PREDICTOR", "IMAGE_STRUCTURE")) {
    EXPECT_STREQ(pred, "2");
  }

  EXPECT_TRUE(fs::is_regular_file(dir() / "job.yaml"));
  EXPECT_TRUE(fs::is_regular_file(dir() / "truth.geojson"));
  EXPECT_TRUE(fs::is_regular_file(dir() / "aois" / "concession-7.geojson"));
  // Nothing left behind: no temporary files or folders.
  for (auto const& e : fs::recursive_directory_iterator(dir()))
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
}

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
    EXPECT_EQ(f->GetFieldAsString("cleared_on"), to_iso(c.cleared_on));
    EXPECT_NE(text.find(fmt::format(R"("id": {}, "aoi": "{}", "cleared_on": "{}")", c.id, c.aoi,
                                    to_iso(c.cleared_on))),
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

/// NDVI from the DN files as the pipeline computes it: reflectance = (DN - 1000) / 10000.
struct scene_stack {
  std::vector<std::vector<float>> ndvi;        // per date; NaN where not clear
  std::vector<std::vector<std::uint8_t>> scl;  // per date
};

scene_stack load_stack(std::size_t dates, std::function<fs::path(std::size_t)> const& scene) {
  scene_stack s;
  for (std::size_t d = 0; d < dates; ++d) {
    auto const red = read_band<std::uint16_t>(scene(d) / "B04.tif");
    auto const nir = read_band<std::uint16_t>(scene(d) / "B08.tif");
    auto scl = read_band<std::uint8_t>(scene(d) / "SCL.tif");
    std::vector<float> v(red.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      float const r = (static_cast<float>(red[i]) - 1000.0f) / 10000.0f;
      float const n = (static_cast<float>(nir[i]) - 1000.0f) / 10000.0f;
      v[i] = is_clear(scl[i]) ? (n - r) / (n + r) : std::nanf("");
    }
    s.ndvi.push_back(std::move(v));
    s.scl.push_back(std::move(scl));
  }
  return s;
}

TEST_F(SceneSimulator, SpectralSeparation) {
  auto const& r = result();
  scene_stack const s = load_stack(r.dates.size(), [](std::size_t d) { return scene(d); });
  std::size_t const n = pixel_count();

  // Clearings: forest (NDVI > 0.7, SCL 4) on every clear date before cleared_on, bare
  // (NDVI < 0.3, SCL 5) on every clear date from it on, and seen clear on both sides.
  for (auto const& c : r.clearings) {
    SCOPED_TRACE(c.id);
    std::size_t const cut =
        std::find(r.dates.begin(), r.dates.end(), c.cleared_on) - r.dates.begin();
    std::int64_t bad_before = 0, bad_after = 0, unseen_before = 0, unseen_after = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (r.truth_mask[i] != c.id) continue;
      bool seen_before = false, seen_after = false;
      for (std::size_t d = 0; d < r.dates.size(); ++d) {
        float const v = s.ndvi[d][i];
        if (std::isnan(v)) continue;
        if (d < cut) {
          seen_before = true;
          bad_before += !(v > 0.7f && s.scl[d][i] == 4);
        } else {
          seen_after = true;
          bad_after += !(v < 0.3f && s.scl[d][i] == 5);
        }
      }
      unseen_before += !seen_before;
      unseen_after += !seen_after;
    }
    EXPECT_EQ(bad_before, 0) << "pixels not forest before clearing";
    EXPECT_EQ(bad_after, 0) << "pixels not bare after clearing";
    EXPECT_EQ(unseen_before, 0);
    EXPECT_EQ(unseen_after, 0);
  }

  // Everything else keeps its class: forest stays > 0.7 on every clear date, non-forest stays
  // < 0.55, so forest_min 0.6 / drop 0.25 has no ambiguous pixel.
  std::int64_t forest = 0, other = 0, ambiguous = 0, never_clear = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (r.truth_mask[i] != 0) continue;
    bool any = false, all_forest = true, all_other = true;
    for (std::size_t d = 0; d < r.dates.size(); ++d) {
      float const v = s.ndvi[d][i];
      if (std::isnan(v)) continue;
      any = true;
      all_forest = all_forest && v > 0.7f;
      all_other = all_other && v < 0.55f;
    }
    never_clear += !any;
    if (!any) continue;
    if (all_forest)
      ++forest;
    else if (all_other)
      ++other;
    else
      ++ambiguous;
  }
  EXPECT_EQ(ambiguous, 0);
  EXPECT_EQ(never_clear, 0);
  double const forest_share = static_cast<double>(forest) / static_cast<double>(n);
  EXPECT_GT(forest_share, 0.55);
  EXPECT_LT(forest_share, 0.85);
  EXPECT_GT(static_cast<double>(other) / static_cast<double>(n), 0.10) << "pasture and water";
}

TEST_F(SceneSimulator, CloudsNeverHideAPixelTwiceInARow) {
  auto const& r = result();
  std::size_t const n = pixel_count();
  std::vector<std::vector<std::uint8_t>> scl;
  for (std::size_t d = 0; d < r.dates.size(); ++d)
    scl.push_back(read_band<std::uint8_t>(scene(d) / "SCL.tif"));

  std::set<int> classes;
  std::size_t cloudy_dates = 0;
  for (std::size_t d = 0; d < r.dates.size(); ++d) {
    std::size_t not_clear = 0, cloud = 0;
    for (std::uint8_t v : scl[d]) {
      classes.insert(v);
      not_clear += !is_clear(v);
      cloud += v == 8 || v == 9;
    }
    cloudy_dates += not_clear > n / 100;
    EXPECT_LE(cloud, n * 22 / 100) << "date " << d << ": clouds cover at most ~20 %";
    EXPECT_LE(not_clear, n * 45 / 100) << "date " << d << ": clouds and shadows";
  }
  EXPECT_GE(cloudy_dates, 3u) << "the guarantee below must not hold vacuously";
  for (int k : {3, 4, 5, 6, 8, 9}) EXPECT_TRUE(classes.count(k)) << "SCL class " << k;
  for (int k : classes) EXPECT_TRUE(k == 3 || k == 4 || k == 5 || k == 6 || k == 8 || k == 9) << k;

  for (std::size_t d = 1; d < r.dates.size(); ++d) {
    if (period_of(d) != period_of(d - 1)) continue;
    std::size_t twice = 0;
    for (std::size_t i = 0; i < n; ++i) twice += !is_clear(scl[d - 1][i]) && !is_clear(scl[d][i]);
    EXPECT_EQ(twice, 0u) << "dates " << d - 1 << " and " << d;
  }

  // Clouds are bright, shadows dark.
  std::size_t dim_cloud = 0, clouds = 0;
  for (std::size_t d = 0; d < r.dates.size(); ++d) {
    auto const blue = read_band<std::uint16_t>(scene(d) / "B02.tif");
    for (std::size_t i = 0; i < n; ++i)
      if (scl[d][i] == 8 || scl[d][i] == 9) {
        ++clouds;
        dim_cloud += (blue[i] - 1000) / 10000.0 < 0.35;
      }
  }
  EXPECT_GT(clouds, 0u);
  EXPECT_EQ(dim_cloud, 0u);
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

TEST_F(SceneSimulator, DeterministicFromTheSeed) {
  fs::path const again = root_ / "seed7-again";
  simulation_result const r2 = simulate_scenes(again, small());
  EXPECT_EQ(r2.truth_mask, result().truth_mask);
  ASSERT_EQ(r2.clearings.size(), result().clearings.size());
  for (std::size_t k = 0; k < r2.clearings.size(); ++k) {
    EXPECT_EQ(r2.clearings[k].cleared_on, result().clearings[k].cleared_on);
    EXPECT_EQ(r2.clearings[k].pixel_count, result().clearings[k].pixel_count);
  }
  // Every written file, byte for byte.
  std::size_t compared = 0;
  for (auto const& e : fs::recursive_directory_iterator(dir())) {
    if (!e.is_regular_file()) continue;
    fs::path const rel = fs::relative(e.path(), dir());
    SCOPED_TRACE(rel.string());
    ASSERT_TRUE(fs::exists(again / rel));
    EXPECT_TRUE(file_bytes(e.path()) == file_bytes(again / rel));
    ++compared;
  }
  EXPECT_EQ(compared, 7u * 7u + 3u);
  EXPECT_EQ(file_bytes(scene(3) / "B04.tif"),
            file_bytes(scene_dir(again, "20LMR", 3, result().dates[3]) / "B04.tif"));

  simulation_options other = small();
  other.seed = 8;
  simulation_result const r3 = simulate_scenes(root_ / "seed8", other);
  EXPECT_NE(r3.truth_mask, result().truth_mask);
  EXPECT_NE(file_bytes(root_ / "seed8" / "job.yaml"), file_bytes(dir() / "job.yaml"));
  EXPECT_NE(file_bytes(scene_dir(root_ / "seed8", "20LMR", 3, result().dates[3]) / "B04.tif"),
            file_bytes(scene(3) / "B04.tif"));
}

TEST_F(SceneSimulator, RerunReplacesTheScenes) {
  fs::path const d = root_ / "rerun";
  simulation_options o = small();
  o.seed = 11;
  o.width = 200;
  o.height = 200;
  o.clearings = 2;
  simulate_scenes(d, o);
  std::string const b04 = file_bytes(scene_dir(d, o.tile, 0, result().dates[0]) / "B04.tif");
  fs::create_directories(d / "scenes" / "stale_scene");
  std::ofstream(d / "scenes" / "stale.txt") << "left over";
  std::ofstream(d / "job.yaml") << "garbage";
  simulate_scenes(d, o);
  EXPECT_FALSE(fs::exists(d / "scenes" / "stale_scene"));
  EXPECT_FALSE(fs::exists(d / "scenes" / "stale.txt"));
  EXPECT_EQ(file_bytes(scene_dir(d, o.tile, 0, result().dates[0]) / "B04.tif"), b04);
  EXPECT_EQ(YAML::LoadFile((d / "job.yaml").string())["job"].as<std::string>(),
            "simulated-seed-11");
}

TEST_F(SceneSimulator, WithoutCloudsAndClearings) {
  fs::path const d = root_ / "plain";
  simulation_options o = small();
  o.width = 96;
  o.height = 80;
  o.clearings = 0;
  o.clouds = false;
  o.baseline_dates = 1;
  o.monitor_dates = 2;
  simulation_result const r = simulate_scenes(d, o);
  ASSERT_EQ(r.dates.size(), 3u);
  EXPECT_TRUE(r.clearings.empty());
  EXPECT_TRUE(
      std::all_of(r.truth_mask.begin(), r.truth_mask.end(), [](std::uint8_t v) { return v == 0; }));
  for (std::size_t i = 0; i < r.dates.size(); ++i) {
    auto const scl = read_band<std::uint8_t>(scene_dir(d, o.tile, i, r.dates[i]) / "SCL.tif");
    EXPECT_EQ(scl.size(), 96u * 80u);
    EXPECT_TRUE(
        std::all_of(scl.begin(), scl.end(), [](std::uint8_t v) { return v == 4 || v == 6; }));
  }
  GDALDatasetUniquePtr ds = open_vector(r.truth_file);
  ASSERT_TRUE(ds);
  EXPECT_EQ(ds->GetLayer(0)->GetFeatureCount(), 0);
  YAML::Node const job = YAML::LoadFile(r.job_file.string());
  EXPECT_EQ(job["period"]["baseline"][0].as<std::string>(),
            job["period"]["baseline"][1].as<std::string>());
}

TEST_F(SceneSimulator, ErrorsNameThePath) {
  fs::path const file = root_ / "a-file";
  std::ofstream(file) << "x";
  fs::path const bad = file / "sub";
  try {
    simulate_scenes(bad, small());
    FAIL() << "expected io_error";
  } catch (geosweep::io_error const& e) {
    EXPECT_NE(std::string(e.what()).find(bad.string()), std::string::npos) << e.what();
  }
  simulation_options o = small();
  o.monitor_dates = 1;  // a clearing needs a monitoring date before the last one
  EXPECT_THROW(simulate_scenes(root_ / "never", o), geosweep::logic_error);
  o = small();
  o.width = 40;
  o.height = 40;  // no room for six clearings
  EXPECT_THROW(simulate_scenes(root_ / "tiny", o), geosweep::logic_error);
}

// The demo: the default 8 x 8 km tile (timing belongs in bench/, not here).
TEST_F(SceneSimulator, DefaultDemo) {
  fs::path const d = root_ / "demo";
  simulation_result const r = simulate_scenes(d, simulation_options{});
  EXPECT_EQ(r.grid.width, 800);
  EXPECT_EQ(r.dates.size(), 7u);
  ASSERT_EQ(r.clearings.size(), 6u);
  int reserve = 0, concession = 0;
  for (auto const& c : r.clearings) (c.aoi == "reserve-north" ? reserve : concession) += 1;
  EXPECT_EQ(reserve, 3);
  EXPECT_EQ(concession, 3);
  std::size_t files = 0;
  for (auto const& e : fs::recursive_directory_iterator(d / "scenes")) files += e.is_regular_file();
  EXPECT_EQ(files, 49u);
}

}  // namespace
