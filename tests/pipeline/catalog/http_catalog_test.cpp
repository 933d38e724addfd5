// Scenes over HTTP: simulated scenes as Cloud Optimized GeoTIFFs served by a real nginx on a
// loopback port, described by STAC items whose hrefs are http:// URLs. The catalog built from
// the items equals the one built from the local folders (ids, dates, bands, footprints), and a
// band read through /vsicurl/ gives the local file's pixels and metadata. Exits 77 (skipped)
// when nginx is not installed (scripts/deps.txt lists it).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "catalog/scene_catalog.hpp"
#include "catalog/sensor_profile.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "load/scene_reader.hpp"
#include "tools/nginx_server.hpp"
#include "tools/stac_fixtures.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;

namespace {

/// Simulated scenes, their COGs under www/cogs and nginx serving www: made once for all tests.
class HttpCatalog : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("geosweep_http_catalog_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    geosweep::sim::simulation_options options;
    options.seed = 7;
    options.width = options.height = 200;
    options.clearings = 2;
    simulation_ = new geosweep::sim::simulation_result(
        geosweep::sim::simulate_scenes(*dir_ / "sim", options));
    tt::write_cogs(*dir_ / "sim" / "scenes", *dir_ / "www" / "cogs");
    server_ = new tt::nginx_server(*dir_ / "www", *dir_ / "nginx");
  }
  static void TearDownTestSuite() {
    delete server_;
    delete simulation_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  static fs::path const& dir() { return *dir_; }
  static tt::nginx_server const& server() { return *server_; }
  static geosweep::sim::simulation_result const& simulation() { return *simulation_; }

  /// The simulated job read from STAC items written with `options` into `name`.
  static gp::job_spec stac_job(std::string const& name, tt::stac_item_options options) {
    options.href_base = server().url() + "/cogs";
    tt::write_stac_items(dir() / "www" / "cogs", dir() / name, options);
    auto const job = tt::write_stac_job(simulation().job_file, dir() / name,
                                        simulation().job_file.parent_path() / (name + ".yaml"));
    return gp::load_job_spec(job);
  }

 private:
  static fs::path* dir_;
  static geosweep::sim::simulation_result* simulation_;
  static tt::nginx_server* server_;
};

fs::path* HttpCatalog::dir_ = nullptr;
geosweep::sim::simulation_result* HttpCatalog::simulation_ = nullptr;
tt::nginx_server* HttpCatalog::server_ = nullptr;

std::vector<gp::scene> scenes_of(gp::scene_catalog const& c) {
  auto all = c.baseline;
  all.insert(all.end(), c.monitor.begin(), c.monitor.end());
  return all;
}

}  // namespace

TEST_F(HttpCatalog, ItemsWithHttpHrefsGiveTheLocalCatalog) {
  std::vector<std::string> const bands{"nir", "red"};
  auto const local_spec = gp::load_job_spec(simulation().job_file);
  auto const local = gp::build_catalog(local_spec, bands);
  auto const http_spec = stac_job("items", {});
  ASSERT_TRUE(http_spec.scenes.stac);
  auto const http = gp::build_catalog(http_spec, bands);

  EXPECT_EQ(http.scenes_found, local.scenes_found);
  EXPECT_EQ(http.baseline.size(), local.baseline.size());
  EXPECT_EQ(http.monitor.size(), local.monitor.size());
  auto const a = scenes_of(local), b = scenes_of(http);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), simulation().dates.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(a[i].id);
    EXPECT_EQ(b[i].id, a[i].id);
    EXPECT_EQ(b[i].date, a[i].date);
    EXPECT_EQ(b[i].date, simulation().dates[i]);
    ASSERT_EQ(b[i].bands.size(), a[i].bands.size());
    for (auto const& [name, file] : a[i].bands) {
      auto const& remote = b[i].bands.at(name);
      EXPECT_EQ(remote.path.string(), "/vsicurl/" + server().url() + "/cogs/" + a[i].id + "/" +
                                          file.path.filename().string());
      EXPECT_EQ(remote.band, file.band);
      EXPECT_FALSE(remote.scale);  // the reader takes BOA_ADD_OFFSET from the file, as locally
      EXPECT_EQ(remote.nodata, 0.0);
    }
    ASSERT_TRUE(b[i].quality);
    EXPECT_EQ(b[i].quality->path.filename().string(), "SCL.tif");
    // The item's bbox is the raster's footprint, which the local catalog computes itself.
    ASSERT_TRUE(a[i].footprint);
    ASSERT_TRUE(b[i].footprint);
    EXPECT_NEAR(b[i].footprint->west, a[i].footprint->west, 1e-9);
    EXPECT_NEAR(b[i].footprint->north, a[i].footprint->north, 1e-9);
    EXPECT_EQ(b[i].metadata, dir() / "items" / (a[i].id + ".json"));
  }
}

TEST_F(HttpCatalog, BandReadThroughVsicurlEqualsTheLocalFile) {
  auto const local = gp::build_catalog(gp::load_job_spec(simulation().job_file), {"nir", "red"});
  auto const spec = stac_job("items_read", {});
  auto const http = gp::build_catalog(spec, {"nir", "red"});
  std::size_t const before = server().requests();

  auto const& local_scene = local.monitor.back();
  auto const& http_scene = http.monitor.back();
  for (std::string const band : {"red", "nir"}) {
    SCOPED_TRACE(band);
    gp::band_reader here(local_scene.bands.at(band));
    gp::band_reader there(http_scene.bands.at(band));
    auto const grid = here.grid();
    EXPECT_EQ(there.grid().width, grid.width);
    EXPECT_EQ(there.grid().height, grid.height);
    EXPECT_EQ(there.grid().transform, grid.transform);
    there.require_grid(grid);
    gp::pixel_window const all{0, 0, grid.width, grid.height};
    EXPECT_EQ(there.read_dn(all), here.read_dn(all));
    gp::pixel_window const part{37, 11, 50, 120};
    EXPECT_EQ(there.read_dn(part), here.read_dn(part));
    EXPECT_EQ(there.metadata_item("BOA_ADD_OFFSET"), here.metadata_item("BOA_ADD_OFFSET"));
    // Same radiometry, bit for bit.
    auto const op_here = gp::band_reflectance(spec.sensor, local_scene, here);
    auto const op_there = gp::band_reflectance(spec.sensor, http_scene, there);
    for (std::uint16_t dn : {0, 1, 999, 1000, 1234, 5000, 65534}) {
      float const x = op_here(dn), y = op_there(dn);
      EXPECT_TRUE((x != x && y != y) || x == y) << dn;
    }
  }
  gp::band_reader here_scl(*local_scene.quality), there_scl(*http_scene.quality);
  gp::pixel_window const all{0, 0, here_scl.grid().width, here_scl.grid().height};
  EXPECT_EQ(there_scl.read_quality(all), here_scl.read_quality(all));
  // The pixels did come over HTTP.
  EXPECT_GT(server().requests(), before) << server().access_log();
  EXPECT_NE(server().access_log().find("GET /cogs/" + http_scene.id + "/B04.tif"),
            std::string::npos)
      << server().access_log();
}

TEST_F(HttpCatalog, EarthSearchStyleItemCollectionWithScaleAndCloudCover) {
  tt::stac_item_options options;
  options.common_name_keys = true;
  options.scale_offset = true;
  options.item_collection = true;
  auto const ids = [&] {
    std::vector<std::string> out;  // by date, as the catalog orders them
    for (auto const& e : fs::directory_iterator(simulation().job_file.parent_path() / "scenes"))
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end(), [](std::string const& a, std::string const& b) {
      return *gp::date_from_name(a) < *gp::date_from_name(b);
    });
    return out;
  }();
  // The second baseline scene is too cloudy for the job below.
  options.cloud_cover = {{ids[0], 5.0}, {ids[1], 80.0}, {ids[2], 20.0}};
  auto spec = stac_job("collection", options);
  EXPECT_EQ(*spec.scenes.stac, dir() / "collection");
  spec.scenes.max_cloud_cover = 50;
  auto const catalog = gp::build_catalog(spec, {"nir", "red", "swir2"});
  EXPECT_EQ(catalog.scenes_found, ids.size());
  EXPECT_EQ(catalog.dropped_by_cloud, 1u);
  EXPECT_EQ(catalog.dropped_by_footprint, 0u);
  ASSERT_EQ(catalog.baseline.size(), 2u);
  EXPECT_EQ(catalog.baseline[0].id, ids[0]);
  EXPECT_EQ(catalog.baseline[1].id, ids[2]);
  EXPECT_EQ(catalog.baseline[0].cloud_cover, 5.0);
  EXPECT_FALSE(catalog.monitor.front().cloud_cover);
  EXPECT_EQ(catalog.baseline[0].metadata, dir() / "collection" / "items.json");
  auto const& red = catalog.baseline[0].bands.at("red");
  EXPECT_NE(red.path.string().find("/cogs/" + ids[0] + "/B04.tif"), std::string::npos);
  EXPECT_DOUBLE_EQ(*red.scale, 1e-4);
  EXPECT_DOUBLE_EQ(*red.offset, -0.1);
  EXPECT_NE(catalog.baseline[0].bands.at("swir2").path.string().find("B12.tif"), std::string::npos);
  // reflectance = DN * 1e-4 - 0.1 = (DN - 1000) / 10000 within a float's rounding.
  gp::band_reader reader(red);
  auto const op = gp::band_reflectance(spec.sensor, catalog.baseline[0], reader);
  EXPECT_NEAR(op(3500), 0.25f, 1e-6f);
  EXPECT_NE(gp::describe_catalog(catalog).find("1 above the cloud cover limit"), std::string::npos)
      << gp::describe_catalog(catalog);
}

TEST_F(HttpCatalog, MissingRemoteFileIsAnErrorOfTheReaderNamingTheUrl) {
  // Cataloguing makes no request for remote assets; opening a missing one names its URL.
  gp::band_file missing;
  missing.path = "/vsicurl/" + server().url() + "/cogs/nowhere/B04.tif";
  try {
    gp::band_reader reader(missing);
    FAIL() << "expected an io_error";
  } catch (geosweep::io_error const& e) {
    EXPECT_NE(std::string(e.what()).find(missing.path.string()), std::string::npos) << e.what();
  }
}

int main(int argc, char** argv) {
  return tt::run_tests_with_nginx(argc, argv);
}
