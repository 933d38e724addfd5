// End to end on simulated scenes: every planted clearing is found, nothing outside them is,
// areas match the truth within 2%, and the outputs open in GDAL with their georeferencing.
#include <gtest/gtest.h>

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <tuple>

#include "core/gdal_utils.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

namespace {

struct simulated_run {
  geosweep::sim::simulation_result simulation;
  gp::job_spec spec;
  gp::run_result result;
};

fs::path scratch(std::string const& name) {
  auto const dir =
      fs::temp_directory_path() / ("geosweep_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

simulated_run simulate_and_run(fs::path const& dir, std::uint64_t seed, bool series = false,
                               std::vector<gp::polygon_format> const* polygons = nullptr) {
  geosweep::sim::simulation_options options;
  options.seed = seed;
  options.width = options.height = 400;
  options.clearings = 5;
  simulated_run out;
  out.simulation = geosweep::sim::simulate_scenes(dir, options);
  out.spec = gp::load_job_spec(out.simulation.job_file);
  out.spec.outputs.series = series;
  if (polygons != nullptr) out.spec.outputs.alert_polygons = *polygons;
  gp::run_options run;
  run.backend = gk::backend::cpu;
  out.result = gp::run_job(out.spec, run);
  return out;
}

std::vector<std::string> split(std::string const& line) {
  std::vector<std::string> cells;
  std::stringstream in(line);
  std::string cell;
  while (std::getline(in, cell, ',')) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

}  // namespace

class SimulatedRun : public ::testing::TestWithParam<std::uint64_t> {};

TEST_P(SimulatedRun, FindsEveryPlantedClearingAndNothingElse) {
  auto const dir = scratch("run_seed" + std::to_string(GetParam()));
  auto const run = simulate_and_run(dir, GetParam());
  auto const& sim = run.simulation;
  ASSERT_FALSE(sim.clearings.empty());
  ASSERT_TRUE(run.result.hdf5_file);
  ASSERT_EQ(run.result.aois.size(), 2u);

  std::map<std::string, double> truth_ha;
  for (auto const& c : sim.clearings) truth_ha[c.aoi] += c.area_ha;
  double total_truth = 0, total_found = 0;
  std::map<int, std::int64_t> found_in_clearing;
  std::int64_t false_alarms = 0;

  for (auto const& aoi : run.result.aois) {
    SCOPED_TRACE(aoi.name);
    total_truth += truth_ha[aoi.name];
    total_found += aoi.changed_area_ha;
    EXPECT_NEAR(aoi.changed_area_ha, truth_ha[aoi.name], 0.02 * truth_ha[aoi.name]);
    EXPECT_GT(aoi.clear_area_ha, 0.9 * aoi.aoi_pixels * 0.01);  // every pixel has clear looks

    // The change raster, read back through GDAL's netCDF driver.
    std::string const name =
        "NETCDF:\"" + run.result.hdf5_file->string() + "\":/aoi/" + aoi.name + "/change";
    GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    ASSERT_TRUE(ds) << name;
    OGRSpatialReference utm;
    utm.importFromEPSG(32720);
    ASSERT_NE(ds->GetSpatialRef(), nullptr);
    EXPECT_TRUE(ds->GetSpatialRef()->IsSame(&utm, nullptr) ||
                ds->GetSpatialRef()->GetEPSGGeogCS() == 4326);
    double gt[6];
    ASSERT_EQ(ds->GetGeoTransform(gt), CE_None);
    // Window offset in the simulated grid from the geotransform.
    int const x0 =
        static_cast<int>(std::lround((gt[0] - sim.grid.transform[0]) / sim.grid.transform[1]));
    int const y0 =
        static_cast<int>(std::lround((gt[3] - sim.grid.transform[3]) / sim.grid.transform[5]));
    EXPECT_DOUBLE_EQ(gt[1], sim.grid.transform[1]);
    EXPECT_DOUBLE_EQ(gt[5], sim.grid.transform[5]);
    int const w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
    std::vector<std::uint8_t> change(static_cast<std::size_t>(w) * h);
    ASSERT_EQ(
        ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, change.data(), w, h, GDT_Byte, 0, 0),
        CE_None);
    std::int64_t loss = 0;
    for (int r = 0; r < h; ++r) {
      for (int c = 0; c < w; ++c) {
        auto const cls = change[static_cast<std::size_t>(r) * w + c];
        if (cls != gk::change_low && cls != gk::change_high) continue;
        ++loss;
        auto const id =
            sim.truth_mask[static_cast<std::size_t>(r + y0) * sim.grid.width + (c + x0)];
        if (id == 0)
          ++false_alarms;
        else
          ++found_in_clearing[id];
      }
    }
    EXPECT_EQ(loss, aoi.changed_pixels);
  }
  EXPECT_EQ(false_alarms, 0);
  for (auto const& c : sim.clearings) {
    EXPECT_GE(found_in_clearing[c.id], static_cast<std::int64_t>(0.98 * c.pixel_count))
        << "clearing " << c.id << " in " << c.aoi << " (" << c.pixel_count << " px)";
  }
  EXPECT_NEAR(total_found, total_truth, 0.02 * total_truth);
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Seeds, SimulatedRun, ::testing::Values(1u, 7u, 2024u));

TEST(SimulatedRunOutputs, AreaTableHasARowPerAoiAndDate) {
  auto const dir = scratch("csv");
  auto const run = simulate_and_run(dir, 11);
  auto const& sim = run.simulation;
  ASSERT_TRUE(run.result.csv_file);
  std::ifstream in(*run.result.csv_file);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  ASSERT_FALSE(line.empty());
  EXPECT_EQ(line.back(), '\r');  // RFC 4180 line ends
  line.pop_back();
  EXPECT_EQ(
      line,
      "aoi,date,period,scenes,clear_area_ha,cloud_fraction,new_low_ha,new_high_ha,low_area_ha,"
      "high_area_ha,changed_area_ha,centroid_lat,centroid_lon,changed_value,warnings");
  std::vector<std::vector<std::string>> rows;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    rows.push_back(split(line));
    ASSERT_EQ(rows.back().size(), 15u) << line;
  }
  std::size_t const dates = sim.dates.size();
  ASSERT_EQ(rows.size(), run.result.aois.size() * dates);

  // Clear looks per date from the scenes' own SCL bands, to check the clear areas.
  std::vector<fs::path> scene_dirs;
  for (auto const& e : fs::directory_iterator(dir / "scenes")) scene_dirs.push_back(e.path());
  std::sort(scene_dirs.begin(), scene_dirs.end(), [](fs::path const& a, fs::path const& b) {
    return a.filename().string().substr(10) < b.filename().string().substr(10);
  });
  for (std::size_t k = 0; k < run.result.aois.size(); ++k) {
    auto const& aoi = run.result.aois[k];
    SCOPED_TRACE(aoi.name);
    std::string const name =
        "NETCDF:\"" + run.result.hdf5_file->string() + "\":/aoi/" + aoi.name + "/change";
    GDALDatasetUniquePtr change(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    ASSERT_TRUE(change);
    double gt[6];
    change->GetGeoTransform(gt);
    int const w = change->GetRasterXSize(), h = change->GetRasterYSize();
    int const x0 =
        static_cast<int>(std::lround((gt[0] - sim.grid.transform[0]) / sim.grid.transform[1]));
    int const y0 =
        static_cast<int>(std::lround((gt[3] - sim.grid.transform[3]) / sim.grid.transform[5]));
    std::vector<std::uint8_t> classes(static_cast<std::size_t>(w) * h);
    ASSERT_EQ(change->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, classes.data(), w, h,
                                                 GDT_Byte, 0, 0),
              CE_None);
    double seen = 0, high = 0;
    for (std::size_t d = 0; d < dates; ++d) {
      auto const& cells = rows[k * dates + d];
      EXPECT_EQ(cells[0], aoi.name);
      EXPECT_EQ(cells[1], gp::to_iso(sim.dates[d]));
      EXPECT_EQ(cells[2], d < 3 ? "baseline" : "monitor");
      EXPECT_EQ(cells[3], "1");
      GDALDatasetUniquePtr scl(
          GDALDataset::Open((scene_dirs[d] / "SCL.tif").c_str(), GDAL_OF_RASTER));
      std::vector<std::uint8_t> classes_on_date(static_cast<std::size_t>(w) * h, 0);
      int const read_w = std::min(w, sim.grid.width - x0),
                read_h = std::min(h, sim.grid.height - y0);
      ASSERT_EQ(
          scl->GetRasterBand(1)->RasterIO(GF_Read, x0, y0, read_w, read_h, classes_on_date.data(),
                                          read_w, read_h, GDT_Byte, 0, static_cast<GSpacing>(w)),
          CE_None);
      std::int64_t clear = 0;
      for (std::size_t i = 0; i < classes.size(); ++i) {
        std::uint8_t const scl_class = classes_on_date[i];
        clear += classes[i] != gk::change_outside_aoi && scl_class >= 4 && scl_class <= 7 ? 1 : 0;
      }
      EXPECT_NEAR(std::stod(cells[4]), static_cast<double>(clear) * 0.01, 1e-6) << cells[1];
      seen += std::stod(cells[6]);
      high += std::stod(cells[7]);
      EXPECT_NEAR(std::stod(cells[8]), seen - high, 1e-3);
      EXPECT_NEAR(std::stod(cells[9]), high, 1e-3);
      EXPECT_NEAR(std::stod(cells[10]), seen, 1e-3);
      if (d < 3) {
        EXPECT_EQ(std::stod(cells[10]), 0.0);
      }
      EXPECT_EQ(cells[13], "");  // no value_per_ha for this AOI
      EXPECT_EQ(cells[14], "");  // no sanity warning: a few clearings, one season
    }
    // The last row holds the whole change of the AOI, its centroid near the tile (~9.5 S, 62.1 W).
    auto const& last = rows[k * dates + dates - 1];
    EXPECT_NEAR(std::stod(last[10]), aoi.changed_area_ha, 1e-4);
    ASSERT_TRUE(aoi.changed_centroid_lat_lon);
    EXPECT_NEAR(std::stod(last[11]), (*aoi.changed_centroid_lat_lon)[0], 1e-5);
    EXPECT_NEAR(std::stod(last[12]), (*aoi.changed_centroid_lat_lon)[1], 1e-5);
    EXPECT_NEAR(std::stod(last[11]), -9.5, 0.2);
    EXPECT_NEAR(std::stod(last[12]), -62.1, 0.2);
  }
  // Nothing half-written is left beside the outputs.
  for (auto const& e : fs::directory_iterator(run.spec.outputs.dir)) {
    EXPECT_EQ(e.path().string().find(".tmp-"), std::string::npos) << e.path();
  }
  fs::remove_all(dir);
}

TEST(SimulatedRunOutputs, CentroidOfTheChangeIsInsideTheTruthFootprint) {
  auto const dir = scratch("centroid");
  geosweep::sim::simulation_options options;
  options.seed = 3;
  options.width = options.height = 400;
  options.clearings = 2;  // one per AOI: the centroid is that clearing's
  auto const sim = geosweep::sim::simulate_scenes(dir, options);
  auto const result =
      gp::run_job(gp::load_job_spec(sim.job_file), gp::run_options{gk::backend::cpu});
  auto const to_utm = gp::make_transform(gp::wgs84(), gp::make_srs(sim.grid.crs_wkt));
  for (auto const& aoi : result.aois) {
    ASSERT_TRUE(aoi.changed_centroid_lat_lon) << aoi.name;
    double x = (*aoi.changed_centroid_lat_lon)[1], y = (*aoi.changed_centroid_lat_lon)[0];
    ASSERT_TRUE(to_utm->Transform(1, &x, &y));
    // The mean of the truth pixels of the clearing in this AOI.
    double sx = 0, sy = 0, n = 0;
    int id = 0;
    for (auto const& c : sim.clearings)
      if (c.aoi == aoi.name) id = c.id;
    for (int r = 0; r < sim.grid.height; ++r) {
      for (int c = 0; c < sim.grid.width; ++c) {
        if (sim.truth_mask[static_cast<std::size_t>(r) * sim.grid.width + c] != id) continue;
        auto const p = sim.grid.pixel_center(c, r);
        sx += p[0];
        sy += p[1];
        ++n;
      }
    }
    ASSERT_GT(n, 0);
    EXPECT_NEAR(x, sx / n, 1.0) << aoi.name;
    EXPECT_NEAR(y, sy / n, 1.0) << aoi.name;
  }
  fs::remove_all(dir);
}

// The simulator's STAC items (stac/items.json) are its scene folders: a job over them finds
// the same alerts and areas as over scenes.dir, and max_cloud_cover filters by their
// eo:cloud_cover, the boundary included.
TEST(SimulatedRunOutputs, TheSameJobOverTheStacItemsFindsTheSameAlerts) {
  auto const dir = scratch("stac_items");
  auto const folder = simulate_and_run(dir, 17);
  auto spec = folder.spec;
  spec.scenes.dir.reset();
  spec.scenes.stac = dir / "stac" / "items.json";
  spec.outputs.dir = dir / "out-stac";
  gp::run_options run;
  run.backend = gk::backend::cpu;
  auto const items = gp::run_job(spec, run);
  EXPECT_EQ(items.scenes_used, folder.result.scenes_used);
  ASSERT_EQ(items.aois.size(), folder.result.aois.size());
  for (std::size_t a = 0; a < items.aois.size(); ++a) {
    auto const& x = items.aois[a];
    auto const& y = folder.result.aois[a];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.changed_area_ha, y.changed_area_ha);
    EXPECT_EQ(x.clear_area_ha, y.clear_area_ha);
    ASSERT_EQ(x.alerts.size(), y.alerts.size());
    for (std::size_t i = 0; i < x.alerts.size(); ++i) {
      EXPECT_EQ(x.alerts[i].id, y.alerts[i].id);
      EXPECT_EQ(x.alerts[i].pixels, y.alerts[i].pixels);
      EXPECT_EQ(x.alerts[i].first_seen, y.alerts[i].first_seen);
    }
  }
  // The cloudiest item's eo:cloud_cover as the limit keeps every scene; just under it drops it.
  std::ifstream in(dir / "stac" / "items.json");
  double cloudiest = 0;
  for (std::string line; std::getline(in, line);) {
    auto const at = line.find("\"eo:cloud_cover\": ");
    if (at != std::string::npos) cloudiest = std::max(cloudiest, std::stod(line.substr(at + 17)));
  }
  ASSERT_GT(cloudiest, 0.0);
  spec.scenes.max_cloud_cover = cloudiest;
  EXPECT_EQ(gp::run_job(spec, run).scenes_used, folder.result.scenes_used);
  spec.scenes.max_cloud_cover = cloudiest - 0.01;
  EXPECT_EQ(gp::run_job(spec, run).scenes_used, folder.result.scenes_used - 1);
  fs::remove_all(dir);
}

TEST(SimulatedRunOutputs, AlertPolygonsMatchTheTableInAreaAndAttributes) {
  auto const dir = scratch("polygons");
  std::vector const every{gp::polygon_format::gpkg, gp::polygon_format::geojson,
                          gp::polygon_format::kmz};
  auto const run = simulate_and_run(dir, 13, false, &every);
  ASSERT_EQ(run.result.polygon_files.size(), 3u);  // alerts.gpkg, .geojson, .kmz
  std::size_t alerts = 0;
  for (auto const& aoi : run.result.aois) alerts += aoi.alerts.size();
  ASSERT_GT(alerts, 0u);
  auto const utm = gp::make_srs(run.simulation.grid.crs_wkt);
  for (auto const& file : run.result.polygon_files) {
    SCOPED_TRACE(file.string());
    auto ds = gp::open_vector(file);
    // The GeoJSON's only layer; the GeoPackage's and the KMZ's alerts beside their aois.
    OGRLayer* layer = ds->GetLayerCount() == 1 ? ds->GetLayer(0) : ds->GetLayerByName("alerts");
    ASSERT_NE(layer, nullptr);
    EXPECT_EQ(layer->GetFeatureCount(), static_cast<GIntBig>(alerts));
    OGRSpatialReference const* srs = layer->GetSpatialRef();
    ASSERT_NE(srs, nullptr);
    EXPECT_STREQ(srs->GetAuthorityCode(nullptr), "4326");
    OGRSpatialReference wgs84(*srs);
    wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    auto const to_utm = gp::make_transform(wgs84, utm);
    std::size_t matched = 0;
    for (auto& feature : *layer) {
      std::string const id = feature->GetFieldAsString("alert_id");
      for (auto const& aoi : run.result.aois) {
        for (auto const& p : aoi.alerts) {
          if (p.id != id) continue;
          ++matched;
          EXPECT_EQ(feature->GetFieldAsString("aoi"), p.aoi);
          EXPECT_EQ(feature->GetFieldAsInteger64("pixels"), p.pixels);
          EXPECT_NEAR(feature->GetFieldAsDouble("area_ha"), p.area_ha, 1e-9);
          // The traced polygon, back in UTM, has the table's area (to 1 %; it is the pixel
          // footprint, so in fact to rounding).
          std::unique_ptr<OGRGeometry> g(feature->GetGeometryRef()->clone());
          ASSERT_EQ(g->transform(to_utm.get()), OGRERR_NONE);
          double const area_ha = OGR_G_Area(OGRGeometry::ToHandle(g.get())) / 10000.0;
          EXPECT_NEAR(area_ha, p.area_ha, 0.01 * p.area_ha);
          // Its centroid lies at the alert's centroid.
          OGRPoint centre;
          ASSERT_EQ(feature->GetGeometryRef()->Centroid(&centre), OGRERR_NONE);
          EXPECT_NEAR(centre.getY(), p.centroid_lat, 1e-4);
          EXPECT_NEAR(centre.getX(), p.centroid_lon, 1e-4);
        }
      }
    }
    EXPECT_EQ(matched, alerts);
  }
  // The KMZ holds every alert's before and after chips, as PNG of the window around the alert
  // cut from the run's true-colour COGs: at least 21 pixels a side (a pixel and a margin of 20
  // on one side at least, where the grid cuts the other).
  fs::path const kmz = run.spec.outputs.dir / "alerts.kmz";
  for (auto const& aoi : run.result.aois) {
    for (auto const& a : aoi.alerts) {
      for (char const* period : {"before", "after"}) {
        std::string const name =
            "/vsizip/{" + kmz.string() + "}/files/" + a.id + "_" + period + ".png";
        GDALDatasetUniquePtr png(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER));
        ASSERT_TRUE(png) << name;
        EXPECT_STREQ(png->GetDriver()->GetDescription(), "PNG");
        EXPECT_EQ(png->GetRasterCount(), 3);
        EXPECT_GE(std::min(png->GetRasterXSize(), png->GetRasterYSize()), 21);
      }
    }
  }
  fs::remove_all(dir);
}

TEST(SimulatedRunOutputs, ValuePerHectareAddsEstimates) {
  auto const dir = scratch("value");
  geosweep::sim::simulation_options options;
  options.seed = 11;
  options.width = options.height = 400;
  options.clearings = 4;
  auto const sim = geosweep::sim::simulate_scenes(dir, options);
  auto spec = gp::load_job_spec(sim.job_file);
  spec.aois[0].value_per_ha = 1250.0;  // e.g. timber value per hectare, in the analyst's unit
  auto const result = gp::run_job(spec, gp::run_options{gk::backend::cpu, false});
  std::ifstream alerts(*result.alerts_file);
  std::string line;
  std::getline(alerts, line);
  EXPECT_NE(line.find(",pixels,estimated_value"), std::string::npos) << line;
  std::size_t valued = 0, unvalued = 0;
  while (std::getline(alerts, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto const cells = split(line);
    ASSERT_EQ(cells.size(), 17u) << line;  // estimated_value is column 16, area_ha 7
    if (cells[1] == spec.aois[0].name) {
      EXPECT_NEAR(std::stod(cells[16]), std::stod(cells[7]) * 1250.0, 0.01) << line;
      ++valued;
    } else {
      EXPECT_EQ(cells[16], "");
      ++unvalued;
    }
  }
  EXPECT_GT(valued, 0u);
  EXPECT_GT(unvalued, 0u);
  std::ifstream areas(*result.csv_file);
  std::string last;  // the AOI's last date: its whole change
  while (std::getline(areas, line)) {
    if (line.rfind(spec.aois[0].name + ",", 0) == 0) last = line;
  }
  auto const cells = split(last.substr(0, last.size() - 1));
  ASSERT_EQ(cells.size(), 15u) << last;  // the last, `warnings`, empty
  EXPECT_NEAR(std::stod(cells[13]), result.aois[0].changed_area_ha * 1250.0, 0.01);
  fs::remove_all(dir);
}

TEST(SimulatedRunOutputs, XarrayReadsTheValuesAtMapCoordinates) {
  auto const dir = scratch("xarray");
  auto const run = simulate_and_run(dir, 17);
  auto const& aoi = run.result.aois.at(0);
  ASSERT_FALSE(aoi.alerts.empty());
  // A changed pixel and an intact one, read through GDAL and through xarray at their centres.
  std::string const base =
      "NETCDF:\"" + run.result.hdf5_file->string() + "\":/aoi/" + aoi.name + "/";
  GDALDatasetUniquePtr change(
      GDALDataset::Open((base + "change").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  GDALDatasetUniquePtr ndvi(
      GDALDataset::Open((base + "ndvi_after").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  ASSERT_TRUE(change && ndvi);
  double gt[6];
  change->GetGeoTransform(gt);
  int const w = change->GetRasterXSize(), h = change->GetRasterYSize();
  std::vector<std::uint8_t> classes(static_cast<std::size_t>(w) * h);
  std::vector<float> values(classes.size());
  ASSERT_EQ(
      change->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, classes.data(), w, h, GDT_Byte, 0, 0),
      CE_None);
  ASSERT_EQ(
      ndvi->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, values.data(), w, h, GDT_Float32, 0, 0),
      CE_None);
  int checked = 0;
  for (std::uint8_t wanted : {gk::change_high, gk::change_none}) {
    auto const at = std::find(classes.begin(), classes.end(), wanted);
    ASSERT_NE(at, classes.end());
    auto const i = static_cast<std::size_t>(at - classes.begin());
    double const x = gt[0] + (static_cast<double>(i % w) + 0.5) * gt[1];
    double const y = gt[3] + (static_cast<double>(i / w) + 0.5) * gt[5];
    // GDAL reads the stored int16; xarray unpacks it (× 0.0001, in float32).
    for (auto const& [variable, expected] :
         {std::pair<std::string, double>{"change", classes[i]},
          std::pair<std::string, double>{"ndvi_after", static_cast<double>(values[i] * 1e-4f)}}) {
      std::string const command = "/usr/bin/python3 " GEOSWEEP_SOURCE_DIR
                                  "/tests/tools/xarray_read.py '" +
                                  run.result.hdf5_file->string() + "' aoi/" + aoi.name + " " +
                                  variable + " " + fmt::format("{:.3f} {:.3f}", x, y);
      FILE* pipe = popen(command.c_str(), "r");
      ASSERT_NE(pipe, nullptr);
      char buffer[256] = {};
      std::string output = std::fgets(buffer, sizeof buffer, pipe) != nullptr ? buffer : "";
      ASSERT_EQ(pclose(pipe), 0) << command;
      double value = 0;
      int crs_ok = 0;
      ASSERT_EQ(std::sscanf(output.c_str(), "%lf %d", &value, &crs_ok), 2) << output;
      EXPECT_NEAR(value, expected, 1e-7) << variable << " at " << x << ", " << y;
      // Classes stay integers ("2", not "2.0"); the index is a float.
      EXPECT_EQ(output.substr(0, output.find(' ')).find('.') == std::string::npos,
                variable == "change")
          << output;
      EXPECT_EQ(crs_ok, 1);
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);
  fs::remove_all(dir);
}

TEST(SimulatedRunOutputs, CloudOptimizedGeoTiffsOfEachAoiAreClippedAndMatchTheRasters) {
  auto const dir = scratch("cog");
  auto const run = simulate_and_run(dir, 19);
  // 3 pictures and 2 date layers (the index's, the colour composites'), x 2 periods, and the
  // change classes.
  ASSERT_EQ(run.result.cog_files.size(), 11 * run.result.aois.size());
  for (auto const& aoi : run.result.aois) {
    SCOPED_TRACE(aoi.name);
    fs::path const folder = run.spec.outputs.dir / "cog" / aoi.name;
    std::string const base =
        "NETCDF:\"" + run.result.hdf5_file->string() + "\":/aoi/" + aoi.name + "/";
    GDALDatasetUniquePtr change(
        GDALDataset::Open((base + "change").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    GDALDatasetUniquePtr ndvi(
        GDALDataset::Open((base + "ndvi_after").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    ASSERT_TRUE(change && ndvi);
    int const w = change->GetRasterXSize(), h = change->GetRasterYSize();
    std::vector<std::uint8_t> classes(static_cast<std::size_t>(w) * h);
    std::vector<float> expected(classes.size()), exported(classes.size());
    ASSERT_EQ(change->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, classes.data(), w, h,
                                                 GDT_Byte, 0, 0),
              CE_None);
    ASSERT_EQ(ndvi->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, expected.data(), w, h,
                                               GDT_Float32, 0, 0),
              CE_None);  // stored values: the COG packs the index as change.nc does
    for (char const* name :
         {"true_colour_before.tif", "true_colour_after.tif", "false_colour_before.tif",
          "false_colour_after.tif", "ndvi_before.tif", "ndvi_after.tif", "ndvi_before_date.tif",
          "ndvi_after_date.tif", "colour_before_date.tif", "colour_after_date.tif", "change.tif"}) {
      SCOPED_TRACE(name);
      GDALDatasetUniquePtr cog(
          GDALDataset::Open((folder / name).c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
      ASSERT_TRUE(cog);
      char const* layout = cog->GetMetadataItem("LAYOUT", "IMAGE_STRUCTURE");
      ASSERT_NE(layout, nullptr);
      EXPECT_STREQ(layout, "COG");
      EXPECT_EQ(cog->GetRasterXSize(), w);
      EXPECT_EQ(cog->GetRasterYSize(), h);
      EXPECT_EQ(cog->GetRasterCount(),
                std::string(name).find("_colour_") != std::string::npos ? 3 : 1);
      OGRSpatialReference utm;
      utm.importFromEPSG(32720);
      EXPECT_TRUE(cog->GetSpatialRef()->IsSame(&utm));
      char const* job = cog->GetMetadataItem("GEOSWEEP_JOB");
      ASSERT_NE(job, nullptr);
      EXPECT_EQ(job, run.spec.name);
      EXPECT_NE(cog->GetMetadataItem("GEOSWEEP_PROVENANCE"), nullptr);
      EXPECT_NE(cog->GetRasterBand(1)->GetDescription(), std::string());
    }
    // change.tif: change.nc's final change layer, pixel for pixel.
    {
      GDALDatasetUniquePtr cog(
          GDALDataset::Open((folder / "change.tif").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
      std::vector<std::uint8_t> exported_classes(classes.size());
      ASSERT_EQ(cog->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, exported_classes.data(), w, h,
                                                GDT_Byte, 0, 0),
                CE_None);
      std::size_t differ = 0, changed = 0;
      for (std::size_t i = 0; i < classes.size(); ++i) {
        differ += exported_classes[i] != classes[i] ? 1 : 0;
        changed += classes[i] == gk::change_high || classes[i] == gk::change_low ? 1 : 0;
      }
      EXPECT_EQ(differ, 0u);
      EXPECT_GT(changed, 0u);  // the clearings are there to compare
    }
    // The monitored index after: the raster's values inside the AOI, nodata outside it.
    GDALDatasetUniquePtr cog(
        GDALDataset::Open((folder / "ndvi_after.tif").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    ASSERT_EQ(cog->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, exported.data(), w, h,
                                              GDT_Float32, 0, 0),
              CE_None);
    std::size_t inside = 0;
    for (std::size_t i = 0; i < classes.size(); ++i) {
      if (classes[i] == gk::change_outside_aoi) {
        ASSERT_EQ(exported[i], -32768.0f) << i;
      } else {
        ++inside;
        if (expected[i] == -32768.0f) {
          ASSERT_EQ(exported[i], -32768.0f) << i;
        } else {
          ASSERT_EQ(exported[i], expected[i]) << i;
        }
      }
    }
    EXPECT_EQ(static_cast<std::int64_t>(inside), aoi.aoi_pixels);

    // False colour is NIR, red, green: its red is true colour's red, and its NIR, where both
    // are looked at, makes the NDVI of the after composite (to the rounding of the UInt16s).
    auto const read_bands = [&](char const* name) {
      GDALDatasetUniquePtr ds(
          GDALDataset::Open((folder / name).c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
      std::vector<std::uint16_t> v(3 * classes.size());
      EXPECT_EQ(ds->RasterIO(GF_Read, 0, 0, w, h, v.data(), w, h, GDT_UInt16, 3, nullptr, 0, 0, 0,
                             nullptr),
                CE_None);
      return v;
    };
    auto const truec = read_bands("true_colour_after.tif");
    auto const falsec = read_bands("false_colour_after.tif");
    std::size_t const n = classes.size();
    std::size_t compared = 0;
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(falsec[n + i], truec[i]) << i;          // red
      ASSERT_EQ(falsec[2 * n + i], truec[n + i]) << i;  // green
      if (falsec[i] == 0 || truec[i] == 0 || expected[i] == -32768.0f) continue;
      double const nir = falsec[i] / 10000.0, red = truec[i] / 10000.0;
      ASSERT_NEAR((nir - red) / (nir + red), expected[i] * 1e-4, 2e-3) << i;
      ++compared;
    }
    EXPECT_GT(compared, inside / 2);
  }
  fs::remove_all(dir);
}

TEST(SimulatedRunOutputs, TheChangeCogHoldsTheFinalClassesWherePatchesAcrossChunksAreDropped) {
  // 32-px chunks and a 10 ha unit: patches under it that cross chunk edges are dropped only once
  // every chunk is in, after change.tif's tiles were written; change.tif must still equal
  // change.nc's final change layer.
  auto const dir = scratch("cog_dropped");
  geosweep::sim::simulation_options options;
  options.seed = 19;
  options.width = options.height = 400;
  options.clearings = 5;
  auto const simulation = geosweep::sim::simulate_scenes(dir, options);
  auto spec = gp::load_job_spec(simulation.job_file);
  spec.processing.chunk = 32;
  spec.change.min_area_ha = 10.0;
  spec.outputs.cog = true;
  auto const result = gp::run_job(spec, gp::run_options{gk::backend::cpu});
  ASSERT_TRUE(result.hdf5_file);
  std::size_t compared = 0;
  for (auto const& aoi : result.aois) {
    SCOPED_TRACE(aoi.name);
    auto const read = [](std::string const& name) {
      GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
      EXPECT_TRUE(ds) << name;
      if (!ds) return std::vector<std::uint8_t>{};
      int const w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
      std::vector<std::uint8_t> v(static_cast<std::size_t>(w) * h);
      EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, v.data(), w, h, GDT_Byte, 0, 0),
                CE_None);
      return v;
    };
    auto const nc =
        read("NETCDF:\"" + result.hdf5_file->string() + "\":/aoi/" + aoi.name + "/change");
    auto const cog = read((spec.outputs.dir / "cog" / aoi.name / "change.tif").string());
    ASSERT_EQ(cog.size(), nc.size());
    std::size_t differ = 0;
    for (std::size_t i = 0; i < nc.size(); ++i) differ += cog[i] != nc[i] ? 1 : 0;
    EXPECT_EQ(differ, 0u);
    compared += nc.size();
  }
  EXPECT_GT(compared, 0u);
  fs::remove_all(dir);
}

TEST(SimulatedRunOutputs, TimeSeriesOfTheChangeIndexHasOneBandPerDate) {
  auto const dir = scratch("series");
  auto const run = simulate_and_run(dir, 23, true);
  auto const& aoi = run.result.aois.at(1);
  std::string const base =
      "NETCDF:\"" + run.result.hdf5_file->string() + "\":/aoi/" + aoi.name + "/";
  GDALDatasetUniquePtr series(
      GDALDataset::Open((base + "ndvi").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  GDALDatasetUniquePtr after(
      GDALDataset::Open((base + "ndvi_after").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  ASSERT_TRUE(series && after);
  ASSERT_EQ(series->GetRasterCount(), static_cast<int>(run.simulation.dates.size()));
  // The time coordinate holds the acquisition dates as days since 1970-01-01.
  char const* times = series->GetMetadataItem("NETCDF_DIM_time_VALUES");
  ASSERT_NE(times, nullptr);
  std::string expected = "{";
  for (std::size_t d = 0; d < run.simulation.dates.size(); ++d) {
    if (d > 0) expected += ',';
    expected += std::to_string(gp::days_since_epoch(run.simulation.dates[d]));
  }
  EXPECT_EQ(std::string(times), expected + "}");
  // For every pixel, the latest non-NaN date of the series is the monitoring composite.
  int const w = series->GetRasterXSize(), h = series->GetRasterYSize();
  std::size_t const n = static_cast<std::size_t>(w) * h;
  // Both packed the same way: the stored values compare exactly (-32768: none).
  std::vector<float> composite(n), latest(n, -32768.0f), band(n);
  ASSERT_EQ(after->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, composite.data(), w, h,
                                              GDT_Float32, 0, 0),
            CE_None);
  for (int b = 4; b <= series->GetRasterCount(); ++b) {  // the monitoring dates
    ASSERT_EQ(series->GetRasterBand(b)->RasterIO(GF_Read, 0, 0, w, h, band.data(), w, h,
                                                 GDT_Float32, 0, 0),
              CE_None);
    for (std::size_t i = 0; i < n; ++i)
      if (band[i] != -32768.0f) latest[i] = band[i];
  }
  std::size_t inside = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (latest[i] == -32768.0f) continue;  // outside the AOI or never clear
    ++inside;
    ASSERT_EQ(latest[i], composite[i]) << i;
  }
  EXPECT_GT(inside, n / 4);
  fs::remove_all(dir);
}

TEST(SimulatedRunOutputs, SeriesTableIsTheMeanOfTheSeriesRasterPerAlertAndDate) {
  auto const dir = scratch("series-table");
  auto const run = simulate_and_run(dir, 29, true);
  ASSERT_TRUE(run.result.series_file);
  std::ifstream in(*run.result.series_file);
  std::string line;
  std::getline(in, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  EXPECT_EQ(line, "aoi,alert_id,date,period,index,mean,clear_pixels");
  // (aoi, alert id, date) -> mean, clear pixels
  std::map<std::tuple<std::string, std::string, std::string>, std::pair<double, std::int64_t>> rows;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    auto const cells = split(line);
    ASSERT_EQ(cells.size(), 7u) << line;
    EXPECT_EQ(cells[4], "ndvi");
    rows[{cells[0], cells[1], cells[2]}] = {std::stod(cells[5]), std::stoll(cells[6])};
  }
  std::size_t checked = 0;
  for (auto const& aoi : run.result.aois) {
    SCOPED_TRACE(aoi.name);
    ASSERT_FALSE(aoi.alerts.empty());
    std::string const base =
        "NETCDF:\"" + run.result.hdf5_file->string() + "\":/aoi/" + aoi.name + "/";
    GDALDatasetUniquePtr series(
        GDALDataset::Open((base + "ndvi").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    GDALDatasetUniquePtr patch(
        GDALDataset::Open((base + "patch").c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    ASSERT_TRUE(series && patch);
    int const w = series->GetRasterXSize(), h = series->GetRasterYSize();
    std::vector<std::int32_t> patches(static_cast<std::size_t>(w) * h);
    ASSERT_EQ(patch->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, patches.data(), w, h,
                                                GDT_Int32, 0, 0),
              CE_None);
    for (int b = 1; b <= series->GetRasterCount(); ++b) {
      std::vector<std::int16_t> stored(patches.size());
      ASSERT_EQ(series->GetRasterBand(b)->RasterIO(GF_Read, 0, 0, w, h, stored.data(), w, h,
                                                   GDT_Int16, 0, 0),
                CE_None);
      std::string const date = gp::to_iso(run.simulation.dates[static_cast<std::size_t>(b - 1)]);
      // The whole AOI, then each alert (patch k + 1 is alert k), from the raster.
      for (std::int32_t k = -1; k < static_cast<std::int32_t>(aoi.alerts.size()); ++k) {
        double sum = 0;
        std::int64_t n = 0;
        for (std::size_t i = 0; i < stored.size(); ++i) {
          if (stored[i] == -32768 || (k >= 0 && patches[i] != k + 1)) continue;
          sum += stored[i] * 1e-4;
          ++n;
        }
        std::string const id = k < 0 ? "" : aoi.alerts[static_cast<std::size_t>(k)].id;
        auto const row = rows.find({aoi.name, id, date});
        if (n == 0) {
          EXPECT_EQ(row, rows.end()) << id << " " << date;
          continue;
        }
        ASSERT_NE(row, rows.end()) << id << " " << date;
        EXPECT_EQ(row->second.second, n) << id << " " << date;
        // The table averages the floats, the raster holds them packed: within half a step
        // each, plus the table's 4 decimals.
        EXPECT_NEAR(row->second.first, sum / static_cast<double>(n), 1.01e-4) << id << " " << date;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 10u);
  fs::remove_all(dir);
}
