// The bad-input suite of record: broken rasters, AOIs, scene folders, catalogs and job files,
// one row each, given to `geosweep run` as a user would. Each gets either one error line that
// names the file or field and a non-zero exit, or (where the input is usable) a logged warning
// and complete outputs; never a crash, a hang or a half-written output folder.
#include <fmt/format.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "tools/archive_server.hpp"
#include "tools/run_geosweep.hpp"

namespace fs = std::filesystem;
namespace tt = geosweep::test_tools;
using tt::read_file;

namespace {

/// The URL of a loopback archive that accepts every connection and never answers (set up with
/// the suite).
std::string stalled_archive_url;

/// One broken input: how to break a copy of the simulated job folder, and what must follow.
struct bad_input {
  std::string name;
  std::function<void(fs::path const& dir)> breaks;
  int exit_code;      ///< 3 (job), 4 (file), or 0: usable, with a warning and all outputs
  std::string names;  ///< what the error line (or, for 0, the log) must contain
};

void write(fs::path const& p, std::string const& text) {
  fs::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
}

/// The job file with `pattern` replaced by `with` (a regular expression, every match).
void edit_job(fs::path const& dir, std::string const& pattern, std::string const& with) {
  write(dir / "job.yaml",
        std::regex_replace(read_file(dir / "job.yaml"), std::regex(pattern), with));
}

/// The i-th scene folder (in date order of the names).
fs::path scene(fs::path const& dir, std::size_t i) {
  std::vector<fs::path> scenes;
  for (auto const& e : fs::directory_iterator(dir / "scenes")) scenes.push_back(e.path());
  std::sort(scenes.begin(), scenes.end(), [](fs::path const& a, fs::path const& b) {
    return a.filename().string().substr(10) < b.filename().string().substr(10);
  });
  return scenes.at(i);
}

/// Rewrites every pixel of band 1 of a GeoTIFF with `value`.
void fill_raster(fs::path const& tif, double value) {
  GDALDatasetUniquePtr ds(GDALDataset::Open(tif.c_str(), GDAL_OF_RASTER | GDAL_OF_UPDATE));
  ASSERT_TRUE(ds) << tif;
  int const w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
  std::vector<double> values(static_cast<std::size_t>(w) * h, value);
  ASSERT_EQ(
      ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, w, h, values.data(), w, h, GDT_Float64, 0, 0),
      CE_None);
}

/// Replaces a GeoTIFF by a 7 x 5 one of the same type in one corner of its extent.
void shrink_raster(fs::path const& tif) {
  GDALDatasetUniquePtr src(GDALDataset::Open(tif.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  ASSERT_TRUE(src);
  double t[6];
  src->GetGeoTransform(t);
  std::string const wkt = src->GetProjectionRef();
  GDALDataType const type = src->GetRasterBand(1)->GetRasterDataType();
  src.reset();
  fs::remove(tif);
  auto* driver = GetGDALDriverManager()->GetDriverByName("GTiff");
  GDALDatasetUniquePtr dst(driver->Create(tif.c_str(), 7, 5, 1, type, nullptr));
  dst->SetGeoTransform(t);
  dst->SetProjection(wkt.c_str());
  std::vector<std::uint16_t> values(35, 3000);
  ASSERT_EQ(
      dst->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 7, 5, values.data(), 7, 5, GDT_UInt16, 0, 0),
      CE_None);
}

/// Rewrites a GeoTIFF with gdal_translate `options` (for example another -ot type).
void run_gdal_translate(std::string const& options, fs::path const& tif) {
  fs::path const copy = tif.string() + ".orig.tif";
  fs::rename(tif, copy);
  std::string const command =
      fmt::format("gdal_translate -q {} '{}' '{}'", options, copy.string(), tif.string());
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  fs::remove(copy);
}

std::string random_bytes(std::size_t n) {
  std::mt19937 random(7);
  std::string bytes(n, '\0');
  for (auto& b : bytes) b = static_cast<char>(random() & 0xFF);
  return bytes;
}

/// A one-feature GeoJSON of `geometry` (GeoJSON text) as the AOI file concession-7.geojson.
void aoi_geometry(fs::path const& dir, std::string const& geometry) {
  write(dir / "aois" / "concession-7.geojson",
        R"({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
           "geometry": )" +
            geometry + "}]}");
}

/// A STAC ItemCollection of the scenes, as scenes.stac (its path relative to the job).
void stac_catalog(fs::path const& dir, std::string const& items_json) {
  write(dir / "items.json", items_json);
  edit_job(dir, "scenes:\n  dir: scenes", "scenes:\n  stac: items.json");
}

/// A STAC ItemCollection with one item per scene, each with `assets` (JSON object text).
std::string stac_items(fs::path const& dir, std::string const& assets) {
  std::string features;
  for (std::size_t i = 0; i < 7; ++i) {
    std::string const date = scene(dir, i).filename().string().substr(10, 8);
    if (!features.empty()) features += ",";
    features += R"({"type": "Feature", "stac_version": "1.0.0", "id": "item-)" + std::to_string(i) +
                R"(", "geometry": null, "properties": {"datetime": ")" + date.substr(0, 4) + "-" +
                date.substr(4, 2) + "-" + date.substr(6, 2) + R"(T14:00:00Z"}, "links": [],
                "assets": )" +
                assets + "}";
  }
  return R"({"type": "FeatureCollection", "features": [)" + features + "]}";
}

/// STAC assets of every band the job reads, at `url`/<band>.tif.
std::string remote_assets(std::string const& url) {
  std::string assets;
  for (char const* b : {"B02", "B03", "B04", "B08", "B11", "B12", "SCL"}) {
    assets += assets.empty() ? "{" : ",";
    assets += fmt::format(R"("{}": {{"href": "{}/{}.tif"}})", b, url, b);
  }
  return assets + "}";
}

/// Band `b` of the i-th scene.
fs::path band(fs::path const& dir, std::size_t i, char const* b) {
  return scene(dir, i) / (std::string(b) + ".tif");
}

std::vector<bad_input> suite() {
  return {
      // ---- rasters
      {"truncated raster",
       [](fs::path const& d) {
         fs::resize_file(band(d, 1, "B04"), fs::file_size(band(d, 1, "B04")) / 2);
       },
       4, "B04.tif"},
      {"zero-byte raster", [](fs::path const& d) { fs::resize_file(band(d, 2, "B08"), 0); }, 4,
       "B08.tif"},
      {"random bytes named .tif",
       [](fs::path const& d) { write(band(d, 3, "B04"), random_bytes(5000)); }, 4, "B04.tif"},
      {"a band missing on one date", [](fs::path const& d) { fs::remove(band(d, 4, "B08")); }, 3,
       "B08"},
      {"a folder where a band file should be",
       [](fs::path const& d) {
         fs::remove(band(d, 1, "B04"));
         fs::create_directory(band(d, 1, "B04"));
       },
       3, "no B04"},
      {"a band that links to nowhere",
       [](fs::path const& d) {
         fs::remove(band(d, 5, "B04"));
         fs::create_symlink(d / "nowhere.tif", band(d, 5, "B04"));
       },
       3, "no B04"},
      {"a band of complex numbers",
       [](fs::path const& d) { run_gdal_translate("-ot CInt16", band(d, 2, "B04")); }, 4,
       "B04.tif band 1: is CInt16"},
      {"a Float32 band for a named profile",
       [](fs::path const& d) {
         run_gdal_translate("-ot Float32 -scale 0 10000 0 1", band(d, 3, "B08"));
       },
       4, "B08.tif band 1: is Float32"},
      {"a band of another size, in one corner",
       [](fs::path const& d) { shrink_raster(band(d, 5, "B04")); }, 0, "areas.csv"},
      {"nodata-only scene",
       [](fs::path const& d) {
         for (char const* b : {"B02", "B03", "B04", "B08", "B11", "B12"})
           fill_raster(band(d, 5, b), 0);
       },
       0, "areas.csv"},
      {"all-cloud scenes",
       [](fs::path const& d) {
         for (std::size_t i = 0; i < 7; ++i) fill_raster(band(d, i, "SCL"), 9);
       },
       0, "no clear"},
      {"duplicate dates: two scenes of one day",
       [](fs::path const& d) {
         fs::path const first = scene(d, 0);
         std::string name = first.filename().string();
         name.replace(name.size() - 5, 1, "1");  // ..._0_L2A -> ..._1_L2A, the same date
         fs::copy(first, first.parent_path() / name);
       },
       0, "areas.csv"},
      {"non-ASCII paths",
       [](fs::path const& d) {
         fs::rename(d / "scenes", d / "cenas-são-joão");
         edit_job(d, "  dir: scenes", "  dir: cenas-são-joão");
       },
       0, "areas.csv"},
      {"a scene folder without a date in its name",
       [](fs::path const& d) { fs::rename(scene(d, 6), d / "scenes" / "latest"); }, 3, "latest"},
      {"an empty scene folder",
       [](fs::path const& d) {
         fs::remove_all(d / "scenes");
         fs::create_directory(d / "scenes");
       },
       3, "scenes"},
      {"a missing scene folder", [](fs::path const& d) { fs::remove_all(d / "scenes"); }, 3,
       "scenes"},
      // ---- AOIs
      {"an AOI outside the scenes",
       [](fs::path const& d) {
         edit_job(d, "bbox: \\[[^\\]]*\\]", "bbox: [10.0, 45.0, 10.1, 45.1]");
       },
       3, "reserve-north"},
      {"an AOI across the antimeridian",
       [](fs::path const& d) {
         edit_job(d, "bbox: \\[[^\\]]*\\]", "bbox: [179.9, -9.6, -179.9, -9.4]");
       },
       3, "across the antimeridian is not supported"},
      {"a self-intersecting AOI",
       [](fs::path const& d) {
         aoi_geometry(d, R"({"type": "Polygon", "coordinates": [[[-62.08, -9.50], [-62.06, -9.52],
                        [-62.06, -9.50], [-62.08, -9.52], [-62.08, -9.50]]]})");
       },
       0, "is not a valid polygon"},
      {"an empty AOI file",
       [](fs::path const& d) {
         write(d / "aois" / "concession-7.geojson",
               R"({"type": "FeatureCollection", "features": []})");
       },
       4, "concession-7.geojson"},
      {"an AOI of points only",
       [](fs::path const& d) {
         aoi_geometry(d, R"({"type": "Point", "coordinates": [-62.07, -9.51]})");
       },
       4, "concession-7.geojson"},
      {"a malformed AOI file",
       [](fs::path const& d) {
         write(d / "aois" / "concession-7.geojson", "{\"type\": \"Feature");
       },
       4, "concession-7.geojson"},
      {"a missing AOI file",
       [](fs::path const& d) { fs::remove(d / "aois" / "concession-7.geojson"); }, 3,
       "concession-7.geojson"},
      // ---- STAC catalogs
      {"STAC: malformed JSON",
       [](fs::path const& d) { stac_catalog(d, "{\"type\": \"FeatureColl"); }, 3, "items.json"},
      {"STAC: an item with no assets",
       [](fs::path const& d) { stac_catalog(d, stac_items(d, "{}")); }, 3, "features[0].assets"},
      {"STAC: an href to a closed port",
       [](fs::path const& d) {
         stac_catalog(d, stac_items(d, remote_assets("http://127.0.0.1:9")));
       },
       4, "127.0.0.1:9"},
      {"STAC: an href to a server that never answers",
       [](fs::path const& d) {
         stac_catalog(d, stac_items(d, remote_assets(stalled_archive_url)));
         // Tight limits keep the suite quick; the defaults bound it too (docs/job-spec.md).
         edit_job(d, "  stac: items.json",
                  "  stac: items.json\n  http: {timeout_s: 1, attempts: 2, backoff_s: 0.1}");
       },
       4, "no answer within the HTTP limits"},
      // ---- job files
      {"job: an unknown key",
       [](fs::path const& d) { edit_job(d, "  hdf5: true", "  hdf6: true"); }, 3, "hdf6"},
      {"job: a field of the wrong type",
       [](fs::path const& d) { edit_job(d, "outputs:", "processing: {chunk: lots}\noutputs:"); }, 3,
       "processing.chunk"},
      {"job: a date that does not exist",
       [](fs::path const& d) { edit_job(d, "baseline: \\[[0-9-]+", "baseline: [2023-02-30"); }, 3,
       "2023-02-30"},
      {"job: a baseline after the monitoring period",
       [](fs::path const& d) {
         edit_job(d, "baseline: \\[[^\\]]*\\]", "baseline: [2025-01-01, 2025-02-01]");
       },
       3, "period"},
      {"job: an unknown index",
       [](fs::path const& d) { edit_job(d, "indices: \\[ndvi, nbr\\]", "indices: [ndvi, nbrr]"); },
       3, "nbrr"},
      {"job: an unknown sensor",
       [](fs::path const& d) { edit_job(d, "sensor: sentinel2-l2a", "sensor: sentinel3"); }, 3,
       "sentinel3"},
      {"job: a negative chunk",
       [](fs::path const& d) { edit_job(d, "outputs:", "processing: {chunk: -5}\noutputs:"); }, 3,
       "processing.chunk"},
      {"job: saturated codes for a named sensor",
       [](fs::path const& d) {
         edit_job(d, "sensor: sentinel2-l2a", "sensor: {type: sentinel2-l2a, saturated: [20000]}");
       },
       3, "sensor.saturated: only a generic sensor takes"},
      {"job: a saturated code that is not a number",
       [](fs::path const& d) {
         edit_job(d, "sensor: sentinel2-l2a",
                  "sensor: {type: generic, bands: {red: B04.tif, nir: B08.tif, swir2: B12.tif}, "
                  "saturated: "
                  "[20000, high]}");
       },
       3, "sensor.saturated[1]: expected a number"},
      {"job: an infinite nodata",
       [](fs::path const& d) {
         edit_job(d, "sensor: sentinel2-l2a",
                  "sensor: {type: generic, bands: {red: B04.tif, nir: B08.tif, swir2: B12.tif}, "
                  "nodata: .inf}");
       },
       3, "sensor.nodata: expected a finite number"},
      {"job: a fractional nodata for integer bands",
       [](fs::path const& d) {
         // Per-band files named <scene>_B04.tif, as a generic sensor with suffixes finds them.
         for (auto const& e : fs::directory_iterator(d / "scenes")) {
           for (auto const& f : fs::directory_iterator(e.path()))
             fs::rename(f.path(), e.path() / (e.path().filename().string() + "_" +
                                              f.path().filename().string()));
         }
         edit_job(d, "sensor: sentinel2-l2a",
                  "sensor: {type: generic, bands: {red: _B04.tif, nir: _B08.tif, swir2: "
                  "_B12.tif}, scale: 0.0001, nodata: 0.5}");
       },
       3, "sensor.nodata: 0.5 is not an integer"},
      {"job: a CRS nobody knows",
       [](fs::path const& d) { edit_job(d, "outputs:", "grid: {crs: 'EPSG:999999'}\noutputs:"); },
       3, "EPSG:999999"},
      {"job: no AOIs",
       [](fs::path const& d) { edit_job(d, "aois:\n(  - .*\n|    .*\n)*", "aois: []\n"); }, 3,
       "aois"},
      {"job: not YAML", [](fs::path const& d) { write(d / "job.yaml", random_bytes(300)); }, 3,
       "job.yaml"},
  };
}

class BadInputs : public ::testing::TestWithParam<std::size_t> {
 protected:
  static void SetUpTestSuite() {
    GDALAllRegister();
    root_ = fs::temp_directory_path() / ("geosweep_bad_inputs_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    auto const e = tt::run_geosweep(
        {"simulate", "--out", (root_ / "pristine").string(), "--seed", "8", "--size", "160"});
    ASSERT_EQ(e.code, 0) << e.output;
    fs::create_directories(root_ / "www");
    stalled_ = std::make_unique<tt::archive_server>(root_ / "www", root_ / "stalled.log",
                                                    tt::archive_server_options::stalled());
    stalled_archive_url = stalled_->url();
  }
  static void TearDownTestSuite() {
    stalled_.reset();
    fs::remove_all(root_);
  }
  static inline fs::path root_;
  static inline std::unique_ptr<tt::archive_server> stalled_;
};

std::string case_name(::testing::TestParamInfo<std::size_t> const& info) {
  auto const cases = suite();
  std::string name;
  for (char c : cases[info.param].name)
    name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

}  // namespace

TEST_P(BadInputs, OneLineNamingTheCauseOrAWarningAndCompleteOutputs) {
  auto const cases = suite();
  auto const& c = cases[GetParam()];
  fs::path const dir = root_ / ("case-" + std::to_string(GetParam()));
  fs::remove_all(dir);
  fs::copy(root_ / "pristine", dir, fs::copy_options::recursive);
  c.breaks(dir);
  // A hang is a failure too: 60 s is ten times what this job takes.
  auto const r = tt::run_program({"/usr/bin/timeout", "60", GEOSWEEP_BINARY, "--backend", "cpu",
                                  "run", (dir / "job.yaml").string()});
  SCOPED_TRACE(c.name + ":\n" + r.output);
  // For the record: the line a user sees.
  auto const said = r.output.find(c.exit_code != 0 ? "geosweep: error:" : "warning");
  std::printf("%-40s exit %d  %s\n", c.name.c_str(), r.code,
              said == std::string::npos
                  ? "(no warning)"
                  : r.output.substr(said, r.output.find('\n', said) - said).c_str());
  ASSERT_FALSE(r.signaled);
  ASSERT_NE(r.code, 124) << "hung";
  ASSERT_LT(r.code, 128) << "crashed";
  EXPECT_EQ(r.code, c.exit_code);
  std::size_t errors = 0;
  for (auto at = r.output.find("geosweep: error:"); at != std::string::npos;
       at = r.output.find("geosweep: error:", at + 1))
    ++errors;
  if (c.exit_code != 0) {
    EXPECT_EQ(errors, 1u);
    auto const line = r.output.substr(r.output.find("geosweep: error:"));
    EXPECT_NE(line.substr(0, line.find('\n')).find(c.names), std::string::npos);
    EXPECT_EQ(r.output.find("internal error"), std::string::npos);
    // Nothing half-written: no outputs at all.
    EXPECT_FALSE(fs::exists(dir / "out" / "areas.csv"));
    EXPECT_FALSE(fs::exists(dir / "out" / "change.nc"));
  } else {
    EXPECT_EQ(errors, 0u);
    EXPECT_NE(r.output.find(c.names), std::string::npos);
    EXPECT_TRUE(fs::exists(dir / "out" / "areas.csv"));
    EXPECT_TRUE(fs::exists(dir / "out" / "change.nc"));
  }
  for (auto const& e : fs::recursive_directory_iterator(dir)) {
    auto const name = e.path().filename().string();
    EXPECT_EQ(name.find(".tmp-"), std::string::npos) << e.path();
    EXPECT_EQ(name.find(".staging-"), std::string::npos) << e.path();
  }
  fs::remove_all(dir);
}

INSTANTIATE_TEST_SUITE_P(Suite, BadInputs, ::testing::Range<std::size_t>(0, suite().size()),
                         case_name);
