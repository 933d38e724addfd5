// The streaming loader and chunked runner: results do not depend on how the grid is cut
// into chunks or how many readers and slots run, and scenes from two UTM zones, mosaicked on
// the fly, give the same per-AOI results as the same scenes pre-mosaicked with gdalwarp.
#include <gtest/gtest.h>

#include <gdal_priv.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "geosweep/pipeline/job_runner.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "grid/analysis_grid.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace gk = geosweep::kernels;

namespace {

fs::path scratch(std::string const& name) {
  auto const dir =
      fs::temp_directory_path() / ("geosweep_stream_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string slurp(fs::path const& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

template <class T>
std::vector<T> read_variable(fs::path const& nc, std::string const& variable, GDALDataType type) {
  std::string const name = "NETCDF:\"" + nc.string() + "\":" + variable;
  GDALDatasetUniquePtr ds(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  EXPECT_TRUE(ds) << name;
  if (!ds) return {};
  int const w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
  std::vector<T> values(static_cast<std::size_t>(w) * h);
  EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, values.data(), w, h, type, 0, 0),
            CE_None);
  return values;
}

void run_command(std::string const& command) {
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

}  // namespace

TEST(Streaming, ResultsDoNotDependOnChunksReadersOrSlots) {
  auto const dir = scratch("chunks");
  geosweep::sim::simulation_options options;
  options.seed = 5;
  options.width = options.height = 400;
  auto const sim = geosweep::sim::simulate_scenes(dir, options);
  auto spec = gp::load_job_spec(sim.job_file);

  spec.processing = {4096, 1, 1};  // one chunk: the whole grid at once
  spec.outputs.dir = dir / "one";
  auto const whole = gp::run_job(spec, gp::run_options{gk::backend::cpu});
  spec.processing = {37, 3, 4};  // many small chunks: patches cross chunk edges
  spec.outputs.dir = dir / "many";
  auto const chunked = gp::run_job(spec, gp::run_options{gk::backend::cpu});

  EXPECT_EQ(whole.chunks, 1u);
  EXPECT_GT(chunked.chunks, 50u);
  EXPECT_EQ(whole.pixels_processed, chunked.pixels_processed);
  EXPECT_EQ(slurp(dir / "one" / "alerts.csv"), slurp(dir / "many" / "alerts.csv"));
  EXPECT_EQ(slurp(dir / "one" / "areas.csv"), slurp(dir / "many" / "areas.csv"));
  std::size_t patches = 0;
  for (auto const& aoi : whole.aois) {
    patches += aoi.alerts.size();
    std::string const group = "/aoi/" + aoi.name + "/";
    EXPECT_EQ(read_variable<std::uint8_t>(dir / "one" / "change.nc", group + "change", GDT_Byte),
              read_variable<std::uint8_t>(dir / "many" / "change.nc", group + "change", GDT_Byte));
    EXPECT_EQ(read_variable<std::int32_t>(dir / "one" / "change.nc", group + "patch", GDT_Int32),
              read_variable<std::int32_t>(dir / "many" / "change.nc", group + "patch", GDT_Int32));
    EXPECT_EQ(
        read_variable<std::int32_t>(dir / "one" / "change.nc", group + "first_date", GDT_Int32),
        read_variable<std::int32_t>(dir / "many" / "change.nc", group + "first_date", GDT_Int32));
  }
  EXPECT_EQ(patches, sim.clearings.size());
  fs::remove_all(dir);
}

TEST(Streaming, SmallPatchesAcrossChunkEdgesAreJoinedBeforeTheMinimumMappingUnit) {
  auto const dir = scratch("mmu");
  geosweep::sim::simulation_options options;
  options.seed = 8;
  options.width = options.height = 300;
  auto const sim = geosweep::sim::simulate_scenes(dir, options);
  auto spec = gp::load_job_spec(sim.job_file);
  // Chunks of 16 px (1.6 ha at most per chunk): every clearing is cut into parts, most below
  // a 1 ha minimum mapping unit; joined, each is kept whole.
  spec.change.min_area_ha = 1.0;
  spec.processing = {16, 2, 2};
  auto const result = gp::run_job(spec, gp::run_options{gk::backend::cpu});
  std::size_t kept = 0;
  double found = 0, truth = 0;
  for (auto const& aoi : result.aois) {
    kept += aoi.alerts.size();
    found += aoi.changed_area_ha;
  }
  std::size_t expected = 0;
  for (auto const& c : sim.clearings) {
    truth += c.area_ha >= 1.0 ? c.area_ha : 0.0;
    expected += c.area_ha >= 1.0 ? 1 : 0;
  }
  EXPECT_EQ(kept, expected);
  EXPECT_NEAR(found, truth, 1e-9);
  fs::remove_all(dir);
}

TEST(Streaming, TwoUtmZonesMosaickedOnTheFlyEqualThePreMosaickedScenes) {
  auto const dir = scratch("zones");
  geosweep::sim::simulation_options options;
  options.seed = 12;
  options.width = options.height = 400;
  options.clouds = false;  // the mosaic's tie-break between cloudy tiles is not gdalwarp's
  auto const sim = geosweep::sim::simulate_scenes(dir / "sim", options);

  // Each date as two tiles: the western half in UTM 20S as it is, the eastern half reprojected
  // to UTM 21S (its own grid, 10 m), as a neighbouring product would be.
  fs::create_directories(dir / "zones");
  std::vector<std::string> const files{"B04.tif", "B08.tif", "B12.tif", "SCL.tif"};
  for (auto const& entry : fs::directory_iterator(dir / "sim" / "scenes")) {
    std::string const name = entry.path().filename().string();  // S2A_20LMR_YYYYMMDD_0_L2A
    std::string const date = name.substr(10, 8);
    fs::path const west = dir / "zones" / ("S2A_20LMR_" + date + "_0_L2A");
    fs::path const east = dir / "zones" / ("S2B_21LAM_" + date + "_0_L2A");
    fs::create_directories(west);
    fs::create_directories(east);
    for (auto const& f : files) {
      std::string const source = (entry.path() / f).string();
      run_command("gdal_translate -q -srcwin 0 0 200 400 -co TILED=YES '" + source + "' '" +
                  (west / f).string() + "'");
      run_command("gdal_translate -q -srcwin 200 0 200 400 '" + source + "' '" +
                  (dir / "east_part.tif").string() + "'");
      run_command(std::string("gdalwarp -q -overwrite -t_srs EPSG:32721 -tr 10 10 -et 0 -r ") +
                  (f == "SCL.tif" ? "near" : "bilinear") + " '" + (dir / "east_part.tif").string() +
                  "' '" + (east / f).string() + "'");
    }
  }
  auto text = slurp(sim.job_file);
  text.replace(text.find("  dir: scenes"), std::strlen("  dir: scenes"),
               "  dir: " + (dir / "zones").string());
  text.replace(text.find("indices: [ndvi, nbr]"), std::strlen("indices: [ndvi, nbr]"),
               "indices: [ndvi]");
  auto on_the_fly = gp::parse_job_spec(text, sim.job_file);
  on_the_fly.outputs.dir = dir / "out_zones";
  on_the_fly.outputs.cog = false;  // the tiles carry only the bands NDVI and the mask need
  on_the_fly.processing.chunk = 96;
  // Seeds only: warping the tiles to the other zone blurs the clearings' edges, and growth
  // would rightly take in the mixed pixels around them; here the area meets the planted truth.
  on_the_fly.change.grow = 0.0;
  auto const a = gp::run_job(on_the_fly, gp::run_options{gk::backend::cpu});
  // The default analysis grid of scenes in two CRSs: the UTM zone of the AOIs.
  EXPECT_NE(a.grid.crs_wkt.find("UTM zone 20S"), std::string::npos);

  // The same tiles, mosaicked beforehand onto the analysis grid with gdalwarp.
  auto const& gt = a.grid.transform;
  std::string const extent =
      std::to_string(gt[0]) + " " + std::to_string(gt[3] + a.grid.height * gt[5]) + " " +
      std::to_string(gt[0] + a.grid.width * gt[1]) + " " + std::to_string(gt[3]);
  for (auto const& entry : fs::directory_iterator(dir / "zones")) {
    std::string const name = entry.path().filename().string();
    if (name.rfind("S2A_20LMR_", 0) != 0) continue;
    std::string const date = name.substr(10, 8);
    fs::path const mosaic = dir / "premosaic" / ("S2A_20LMR_" + date + "_0_L2A");
    fs::create_directories(mosaic);
    for (auto const& f : files) {
      run_command(std::string("gdalwarp -q -overwrite -t_srs EPSG:32720 -tr 10 10 -et 0 -te ") +
                  extent + " -r " + (f == "SCL.tif" ? "near" : "bilinear") + " '" +
                  (entry.path() / f).string() + "' '" +
                  (dir / "zones" / ("S2B_21LAM_" + date + "_0_L2A") / f).string() + "' '" +
                  (mosaic / f).string() + "'");
    }
  }
  auto pre = on_the_fly;
  pre.scenes.dir = dir / "premosaic";
  pre.outputs.dir = dir / "out_premosaic";
  auto const b = gp::run_job(pre, gp::run_options{gk::backend::cpu});

  EXPECT_EQ(a.grid.transform, b.grid.transform);
  EXPECT_EQ(a.scenes_used, 2 * b.scenes_used);  // two tiles a date against one
  ASSERT_EQ(a.aois.size(), b.aois.size());
  for (std::size_t i = 0; i < a.aois.size(); ++i) {
    SCOPED_TRACE(a.aois[i].name);
    EXPECT_EQ(a.aois[i].clear_pixels, b.aois[i].clear_pixels);
    EXPECT_EQ(a.aois[i].changed_pixels, b.aois[i].changed_pixels);
    EXPECT_DOUBLE_EQ(a.aois[i].changed_area_ha, b.aois[i].changed_area_ha);
    EXPECT_EQ(a.aois[i].alerts.size(), b.aois[i].alerts.size());
  }
  EXPECT_EQ(slurp(dir / "out_zones" / "alerts.csv"), slurp(dir / "out_premosaic" / "alerts.csv"));
  // The area tables agree but for the scene count of each date: two tiles against one.
  auto const without_scene_count = [](std::string const& table) {
    std::istringstream in(table);
    std::string line, out;
    while (std::getline(in, line)) {
      std::size_t comma = 0;
      for (int k = 0; k < 3; ++k) comma = line.find(',', comma) + 1;
      out += line.substr(0, comma) + line.substr(line.find(',', comma) + 1) + "\n";
    }
    return out;
  };
  EXPECT_EQ(without_scene_count(slurp(dir / "out_zones" / "areas.csv")),
            without_scene_count(slurp(dir / "out_premosaic" / "areas.csv")));
  // And the clearings are found across the seam of the two zones.
  double truth = 0, found = 0;
  for (auto const& c : sim.clearings) truth += c.area_ha;
  for (auto const& aoi : a.aois) found += aoi.changed_area_ha;
  EXPECT_NEAR(found, truth, 0.02 * truth);
  fs::remove_all(dir);
}
