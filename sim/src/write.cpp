// The write phase: the band and SCL GeoTIFFs of every scene (rendered in parallel, replaced as
// a whole), the concession AOI and the truth as GeoJSON, and job.yaml. Every file goes through
// a temporary name, so a failed run leaves the previous files.

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include <cpl_error.h>
#include <cpl_string.h>
#include <fmt/format.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <ogr_geometry.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <nlohmann/json.hpp>

#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "simulator.hpp"

namespace geosweep::sim::detail {

using pipeline::atomic_file;
using pipeline::to_iso;
using pipeline::write_whole_file;

namespace {

/// Throws io_error naming `path`, with what failed and GDAL's last message.
[[noreturn]] void throw_gdal(fs::path const& path, std::string const& what) {
  throw io_error(fmt::format("{}: {}: {}", path.string(), what, pipeline::last_gdal_message()));
}

/// Closes (flushes) a dataset being written; GDALClose reports failures only as CPL errors.
void close_checked(GDALDatasetUniquePtr ds, fs::path const& path) {
  CPLErrorReset();
  GDALClose(GDALDataset::ToHandle(ds.release()));
  if (CPLGetLastErrorType() >= CE_Failure) throw_gdal(path, "cannot finish writing");
}

std::string yyyymmdd(civil_date d) {
  return fmt::format("{:04}{:02}{:02}", static_cast<int>(d.year()),
                     static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
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

}  // namespace

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
    std::vector<double> cloud_cover(dates_.size(), 0.0);
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
          // ESA's cloudy pixel percentage: SCL 8-10 (cloud medium, high, thin cirrus).
          auto const cloudy = std::count_if(buf.begin(), buf.end(),
                                            [](std::uint8_t c) { return c >= 8 && c <= 10; });
          cloud_cover[static_cast<std::size_t>(d)] =
              100.0 * static_cast<double>(cloudy) / static_cast<double>(buf.size());
        }
      } catch (...) {
        errors[static_cast<std::size_t>(t)] = std::current_exception();
      }
    }
    for (auto const& e : errors)
      if (e) std::rethrow_exception(e);
    std::vector<std::string> names;
    for (auto const& p : scene_dirs) names.push_back(p.filename().string());
    write_stac_items(names, cloud_cover);
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

void simulator::write_stac_items(std::vector<std::string> const& scenes,
                                 std::vector<double> const& cloud_cover) const {
  using nlohmann::json;
  auto const to_lonlat = pipeline::make_transform(utm_, wgs84_);
  json ring = json::array();
  double west = 180, south = 90, east = -180, north = -90;
  for (auto const& [fx, fy] : {std::pair{0.0, 1.0}, std::pair{1.0, 1.0}, std::pair{1.0, 0.0},
                               std::pair{0.0, 0.0}, std::pair{0.0, 1.0}}) {
    auto const p = tile_lonlat(*to_lonlat, fx, fy);
    ring.push_back({rounded(p[0], 7), rounded(p[1], 7)});
    west = std::min(west, p[0]);
    east = std::max(east, p[0]);
    south = std::min(south, p[1]);
    north = std::max(north, p[1]);
  }
  // Earth Search's asset keys and common names for the bands; reflectance as raster:bands.
  constexpr std::array<char const*, n_bands> keys{"blue", "green",  "red",
                                                  "nir",  "swir16", "swir22"};
  json features = json::array();
  for (std::size_t d = 0; d < scenes.size(); ++d) {
    json assets = json::object();
    for (int k = 0; k < n_bands; ++k) {
      auto const b = static_cast<std::size_t>(k);
      assets[keys[b]] = {{"href", "../scenes/" + scenes[d] + "/" + band_names[b] + ".tif"},
                         {"type", "image/tiff; application=geotiff"},
                         {"roles", {"data", "reflectance"}},
                         {"eo:bands", {{{"name", band_names[b]}, {"common_name", keys[b]}}}},
                         {"raster:bands",
                          {{{"data_type", "uint16"},
                            {"nodata", 0},
                            {"scale", 0.0001},
                            {"offset", -0.1},
                            {"spatial_resolution", o_.resolution_m}}}}};
    }
    assets["scl"] = {{"href", "../scenes/" + scenes[d] + "/SCL.tif"},
                     {"type", "image/tiff; application=geotiff"},
                     {"roles", {"data"}},
                     {"raster:bands", {{{"data_type", "uint8"}, {"nodata", 0}}}}};
    features.push_back(
        {{"type", "Feature"},
         {"stac_version", "1.0.0"},
         {"stac_extensions",
          {"https://stac-extensions.github.io/eo/v1.1.0/schema.json",
           "https://stac-extensions.github.io/raster/v1.1.0/schema.json"}},
         {"id", scenes[d]},
         {"collection", "sentinel-2-l2a"},
         {"bbox", {rounded(west, 7), rounded(south, 7), rounded(east, 7), rounded(north, 7)}},
         {"geometry", {{"type", "Polygon"}, {"coordinates", {ring}}}},
         {"properties",
          {{"datetime", to_iso(dates_[d]) + "T14:30:00Z"},
           {"platform", d % 2 == 0 ? "sentinel-2a" : "sentinel-2b"},
           {"constellation", "sentinel-2"},
           {"gsd", o_.resolution_m},
           {"eo:cloud_cover", rounded(cloud_cover[d], 2)},
           {"s2:processing_baseline", "05.00"},
           {"geosweep:simulated", true}}},
         {"links", json::array()},
         {"assets", assets}});
  }
  fs::path const path = dir_ / "stac" / "items.json";
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  if (ec)
    throw io_error(
        fmt::format("{}: cannot create directory: {}", path.parent_path().string(), ec.message()));
  json const collection = {{"type", "FeatureCollection"}, {"features", features}};
  write_whole_file(path, collection.dump(1) + "\n");
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

namespace {

/// One planted footprint (polygons of a truth id) as one geometry in lon/lat.
std::unique_ptr<OGRGeometry> lonlat_footprint(std::vector<std::unique_ptr<OGRPolygon>>& pieces,
                                              OGRCoordinateTransformation& to_lonlat,
                                              fs::path const& path, char const* what, int id) {
  if (pieces.empty())
    throw io_error(fmt::format("{}: {} {} has no footprint", path.string(), what, id));
  std::unique_ptr<OGRGeometry> geom;
  if (pieces.size() == 1) {
    geom = std::move(pieces.front());
  } else {
    auto multi = std::make_unique<OGRMultiPolygon>();
    for (auto& p : pieces) multi->addGeometryDirectly(p.release());
    geom = std::move(multi);
  }
  if (geom->transform(&to_lonlat) != OGRERR_NONE)
    throw_gdal(path, fmt::format("cannot transform {} {} to EPSG:4326", what, id));
  return geom;
}

}  // namespace

void simulator::write_landcover() const {
  // CGLS-LC100's codes (its product user manual): the tile lies in the Amazon's evergreen
  // broad-leaf forest; pasture is herbaceous vegetation; the river permanent water.
  std::vector<std::uint8_t> codes(n_);
  for (std::size_t i = 0; i < n_; ++i) {
    switch (cover_[i]) {
      case forest:
        codes[i] = 112;
        break;
      case pasture:
        codes[i] = 30;
        break;
      case water:
        codes[i] = 80;
        break;
      default:
        codes[i] = 60;  // bare / sparse vegetation
    }
  }
  write_tiff(dir_ / "landcover.tif", codes.data(), GDT_Byte, false, "land cover (CGLS-LC100)");
}

void simulator::write_truth() const {
  fs::path const path = dir_ / "truth.geojson";
  std::map<int, std::vector<std::unique_ptr<OGRPolygon>>> parts = polygonize_truth(path);
  auto const to_lonlat = pipeline::make_transform(utm_, wgs84_);

  write_geojson(path, "clearings", wgs84_, "9", [&](OGRLayer& layer) {
    add_field(layer, path, "id", OFTInteger);
    add_field(layer, path, "cause", OFTString);
    add_field(layer, path, "aoi", OFTString);
    add_field(layer, path, "cleared_on", OFTString);
    add_field(layer, path, "pixels", OFTInteger64);
    add_field(layer, path, "area_ha", OFTReal);
    for (auto const& c : clearings_) {
      auto const geom = lonlat_footprint(parts[c.id], *to_lonlat, path, "clearing", c.id);
      OGRFeature f(layer.GetLayerDefn());
      f.SetField("id", c.id);
      f.SetField("cause", to_string(c.cause));
      f.SetField("aoi", c.aoi.c_str());
      f.SetField("cleared_on", to_iso(c.cleared_on).c_str());
      f.SetField("pixels", static_cast<GIntBig>(c.pixel_count));
      f.SetField("area_ha", c.area_ha);
      f.SetGeometry(geom.get());
      if (layer.CreateFeature(&f) != OGRERR_NONE) throw_gdal(path, "cannot write feature");
    }
  });
}

void simulator::write_series_truth() const {
  {
    // DIR/truth.tif: the truth mask on the grid, event ids (0, nodata, elsewhere).
    fs::path const mask = dir_ / "truth.tif";
    atomic_file out(mask);
    write_tiff(out.temp_path(), truth_.data(), GDT_Byte, false, "event id");
    out.commit();
  }
  fs::path const path = dir_ / "truth.geojson";
  std::map<int, std::vector<std::unique_ptr<OGRPolygon>>> parts = polygonize_truth(path);
  auto const to_lonlat = pipeline::make_transform(utm_, wgs84_);

  write_geojson(path, "events", wgs84_, "9", [&](OGRLayer& layer) {
    add_field(layer, path, "id", OFTInteger);
    add_field(layer, path, "kind", OFTString);
    add_field(layer, path, "aoi", OFTString);
    add_field(layer, path, "start", OFTString);
    add_field(layer, path, "first_visible", OFTString);
    add_field(layer, path, "ramp_days", OFTInteger);
    add_field(layer, path, "pixels", OFTInteger64);
    add_field(layer, path, "area_ha", OFTReal);
    add_field(layer, path, "ndvi_fall", OFTReal);
    add_field(layer, path, "cleared_on", OFTString);
    for (auto const& e : events_) {
      auto const geom = lonlat_footprint(parts[e.id], *to_lonlat, path, "event", e.id);
      OGRFeature f(layer.GetLayerDefn());
      f.SetField("id", e.id);
      f.SetField("kind", to_string(e.kind));
      f.SetField("aoi", e.aoi.c_str());
      f.SetField("start", to_iso(e.start).c_str());
      f.SetField("first_visible", to_iso(e.first_visible).c_str());
      f.SetField("ramp_days", e.ramp_days);
      f.SetField("pixels", static_cast<GIntBig>(e.pixel_count));
      f.SetField("area_ha", e.area_ha);
      // Four decimals: the text a reader gets is the fall to 5e-5.
      f.SetField("ndvi_fall", std::round(e.ndvi_fall * 1e4) / 1e4);
      if (e.cleared_on)
        f.SetField("cleared_on", to_iso(*e.cleared_on).c_str());
      else
        f.SetFieldNull(f.GetFieldIndex("cleared_on"));
      f.SetGeometry(geom.get());
      if (layer.CreateFeature(&f) != OGRERR_NONE) throw_gdal(path, "cannot write feature");
    }
  });
}

std::map<int, std::vector<std::unique_ptr<OGRPolygon>>> simulator::polygonize_truth(
    fs::path const& path) const {
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
  return parts;
}

void simulator::write_job() const {
  fs::path const path = dir_ / "job.yaml";
  auto const& bbox = aois_[0].bbox;
  if (o_.series) {
    std::string const text = fmt::format(
        "# Written by `geosweep simulate --series --seed {seed}`: {n} Sentinel-2 L2A-like scenes "
        "every {r} days over {yh} + {ym} years with {k} planted events (see truth.geojson).\n"
        "job: simulated-series-seed-{seed}\n"
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
        "  method: bfast\n"
        "  index: ndvi\n"
        "outputs:\n"
        "  dir: out\n"
        "  hdf5: true\n"
        "  csv: true\n",
        fmt::arg("seed", o_.seed), fmt::arg("n", dates_.size()),
        fmt::arg("r", o_.series_revisit_days), fmt::arg("yh", o_.years_history),
        fmt::arg("ym", o_.years_monitor), fmt::arg("k", events_.size()), fmt::arg("lon0", bbox[0]),
        fmt::arg("lat0", bbox[1]), fmt::arg("lon1", bbox[2]), fmt::arg("lat1", bbox[3]),
        fmt::arg("b0", to_iso(dates_.front())),
        fmt::arg("b1", to_iso(dates_[o_.baseline_dates - 1])),
        fmt::arg("m0", to_iso(dates_[o_.baseline_dates])), fmt::arg("m1", to_iso(dates_.back())));
    write_whole_file(path, text);
    return;
  }
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
      "  csv: true\n"
      "# The land cover before the clearings (CGLS-LC100 codes): changed hectares by class.\n"
      "# landcover: {{raster: landcover.tif, classes: cgls-lc100}}\n",
      fmt::arg("seed", o_.seed), fmt::arg("n", dates_.size()), fmt::arg("k", clearings_.size()),
      fmt::arg("lon0", bbox[0]), fmt::arg("lat0", bbox[1]), fmt::arg("lon1", bbox[2]),
      fmt::arg("lat1", bbox[3]), fmt::arg("b0", to_iso(dates_.front())),
      fmt::arg("b1", to_iso(dates_[o_.baseline_dates - 1])),
      fmt::arg("m0", to_iso(dates_[o_.baseline_dates])), fmt::arg("m1", to_iso(dates_.back())));
  write_whole_file(path, text);
}

}  // namespace geosweep::sim::detail
