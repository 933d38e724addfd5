// STAC out: a run of the geosweep command writes stac/collection.json and one Item per AOI of
// its job. Checked from outside: the documents pass tests/tools/stac_validate.py (a JSON schema
// written from the STAC 1.0.0 and extension texts, with Debian's python3-jsonschema, and the
// rules a schema cannot say), the checksums are sha256sum's, the rasters' fields are gdalinfo's,
// the periods and AOIs are the job file's; and the validator itself rejects broken documents.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "tools/json_file.hpp"
#include "tools/local_servers.hpp"
#include "tools/shell_command.hpp"

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

using geosweep::test_tools::command_result;
using geosweep::test_tools::kSystemPython;
using geosweep::test_tools::read_json;
using geosweep::test_tools::sha256sum;
using geosweep::test_tools::shell;
using geosweep::test_tools::tools_dir;
using geosweep::test_tools::write_json;

command_result geosweep(std::string const& args) {
  return geosweep::test_tools::geosweep_command(args);
}

std::string read_text(fs::path const& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

/// stac_validate.py on `files`: its exit code and what it printed.
command_result validate(std::vector<fs::path> const& files) {
  std::string command = kSystemPython.string() + " '" +
                        (tools_dir() / "stac_validate.py").string() + "' '" +
                        (tools_dir() / "stac_schema.json").string() + "'";
  for (auto const& f : files) command += " '" + f.string() + "'";
  return shell(command);
}

/// The simulated job (two AOIs: reserve-north, concession-7) run once.
class StacOutput : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ =
        new fs::path(fs::temp_directory_path() / ("geosweep_stac_" + std::to_string(::getpid())));
    fs::remove_all(*dir_);
    auto const sim = geosweep("simulate --out " + dir_->string() + " --seed 7 --size 240");
    ASSERT_EQ(sim.exit_code, 0) << sim.out;
    auto const run = geosweep("--backend cpu run " + (*dir_ / "job.yaml").string());
    ASSERT_EQ(run.exit_code, 0) << run.out;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }
  void SetUp() override {
    if (shell(kSystemPython.string() + " -c 'import jsonschema'").exit_code != 0)
      GTEST_SKIP() << "python3-jsonschema not installed";
  }
  static fs::path out() { return *dir_ / "out"; }
  static fs::path stac() { return out() / "stac"; }
  static fs::path item_file(std::string const& aoi) { return stac() / aoi / (aoi + ".json"); }
  static std::vector<fs::path> documents() {
    return {stac() / "collection.json", item_file("reserve-north"), item_file("concession-7")};
  }
  /// The job file's `key: [first, last]` line (period.baseline, period.monitor).
  static std::pair<std::string, std::string> job_period(std::string const& key) {
    std::smatch m;
    std::string const text = read_text(*dir_ / "job.yaml");
    std::regex const re(key + R"(: \[(\d{4}-\d\d-\d\d), (\d{4}-\d\d-\d\d)\])");
    EXPECT_TRUE(std::regex_search(text, m, re)) << key;
    return {m[1], m[2]};
  }
  static fs::path* dir_;
};

fs::path* StacOutput::dir_ = nullptr;

TEST_F(StacOutput, EveryDocumentValidates) {
  auto const r = validate(documents());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_EQ(r.out, "");
}

TEST_F(StacOutput, TheCollectionLinksOneItemPerAoiAndSpansTheJobsPeriods) {
  auto const c = read_json(stac() / "collection.json");
  EXPECT_EQ(c.at("type"), "Collection");
  EXPECT_EQ(c.at("id"), "simulated-seed-7");
  std::set<std::string> items;
  for (auto const& l : c.at("links"))
    if (l.at("rel") == "item") items.insert(l.at("href").get<std::string>());
  EXPECT_EQ(items, (std::set<std::string>{"./reserve-north/reserve-north.json",
                                          "./concession-7/concession-7.json"}));
  auto const [b0, b1] = job_period("baseline");
  auto const [m0, m1] = job_period("monitor");
  json const interval = json::array({b0 + "T00:00:00Z", m1 + "T23:59:59Z"});
  EXPECT_EQ(c.at("extent").at("temporal").at("interval").at(0), interval);
  for (char const* aoi : {"reserve-north", "concession-7"}) {
    auto const item = read_json(item_file(aoi));
    EXPECT_EQ(item.at("id"), aoi);
    EXPECT_EQ(item.at("collection"), "simulated-seed-7");
    EXPECT_TRUE(item.at("properties").at("datetime").is_null());
    EXPECT_EQ(item.at("properties").at("start_datetime"), interval[0]);
    EXPECT_EQ(item.at("properties").at("end_datetime"), interval[1]);
    // The collection's extent holds every item's box.
    auto const& all = c.at("extent").at("spatial").at("bbox").at(0);
    auto const& box = item.at("bbox");
    EXPECT_LE(all[0].get<double>(), box[0].get<double>());
    EXPECT_LE(all[1].get<double>(), box[1].get<double>());
    EXPECT_GE(all[2].get<double>(), box[2].get<double>());
    EXPECT_GE(all[3].get<double>(), box[3].get<double>());
  }
}

TEST_F(StacOutput, TheBboxAoisBoxIsItsJobsBbox) {
  std::smatch m;
  std::string const text = read_text(*dir_ / "job.yaml");
  ASSERT_TRUE(std::regex_search(
      text, m, std::regex(R"(bbox: \[([-\d.]+), ([-\d.]+), ([-\d.]+), ([-\d.]+)\])")));
  auto const box = read_json(item_file("reserve-north")).at("bbox");
  // The outline goes to the UTM grid and back: equal to well under a metre (1e-6 degrees).
  for (int i = 0; i < 4; ++i) EXPECT_NEAR(box[i].get<double>(), std::stod(m[i + 1]), 1e-6) << i;
}

TEST_F(StacOutput, AssetsAreTheRunsFilesWithSha256sumsChecksums) {
  for (std::string const aoi : {"reserve-north", "concession-7"}) {
    auto const item = read_json(item_file(aoi));
    std::set<std::string> listed;
    for (auto const& [key, a] : item.at("assets").items()) {
      std::string const href = a.at("href");
      ASSERT_EQ(href.rfind("../../", 0), 0u) << href;
      std::string const path = href.substr(6);
      listed.insert(path);
      if (key == "manifest") {
        EXPECT_FALSE(a.contains("file:checksum"));  // it lists the items: it cannot be in them
        continue;
      }
      EXPECT_EQ(a.at("file:size").get<std::uintmax_t>(), fs::file_size(out() / path)) << path;
      EXPECT_EQ(a.at("file:checksum").get<std::string>(), "1220" + sha256sum(out() / path)) << path;
    }
    // Every file of the run at the top of the folder, and this AOI's COGs (none of the other's).
    std::set<std::string> expected;
    for (auto const& e : fs::directory_iterator(out()))
      if (e.is_regular_file()) expected.insert(e.path().filename().string());
    for (auto const& e : fs::directory_iterator(out() / "cog" / aoi))
      if (e.path().extension() == ".tif")
        expected.insert("cog/" + aoi + "/" + e.path().filename().string());
    EXPECT_EQ(listed, expected) << aoi;
    EXPECT_GE(listed.count("cog/" + aoi + "/change.tif"), 1u);
    EXPECT_GE(listed.count("change.nc"), 1u);
  }
}

// gdalinfo -json is the independent source: its "stac" block (GDAL >= 3.6) for the EPSG code
// and band types, its own fields for the rest, since that block has known faults in Debian's
// GDAL 3.6 (shape as [x, y], OSGeo/gdal#9337; proj:transform in GDAL's geotransform order,
// OSGeo/gdal#13358; nodata and scale written as null). The transform is checked against the
// projection extension's order: [a, b, c, d, e, f] of x = a*col + b*row + c,
// y = d*col + e*row + f.
TEST_F(StacOutput, RasterAndProjectionFieldsAreWhatGdalinfoReads) {
  int cogs = 0;
  for (std::string const aoi : {"reserve-north", "concession-7"}) {
    auto const item = read_json(item_file(aoi));
    for (auto const& [key, a] : item.at("assets").items()) {
      if (!a.contains("raster:bands")) continue;
      ++cogs;
      fs::path const file = out() / std::string(a.at("href")).substr(6);
      auto const info = shell("gdalinfo -json '" + file.string() + "'");
      ASSERT_EQ(info.exit_code, 0) << info.out;
      auto const g = json::parse(info.out);
      ASSERT_TRUE(g.contains("stac")) << "gdalinfo too old to describe STAC fields";
      auto const& gs = g.at("stac");
      // [rows, columns], as the projection extension says; gdalinfo's "size" is [columns, rows]
      // (its STAC block had them in that order too before GDAL 3.8.5, OSGeo/gdal#9337).
      EXPECT_EQ(a.at("proj:shape"), json::array({g.at("size")[1], g.at("size")[0]})) << key;
      EXPECT_EQ(a.at("proj:epsg"), gs.at("proj:epsg")) << key;
      EXPECT_EQ(item.at("properties").at("proj:epsg"), gs.at("proj:epsg")) << key;
      auto const& gt = g.at("geoTransform");
      auto const& t = a.at("proj:transform");
      std::vector<double> const want = {gt[1], gt[2], gt[0], gt[4], gt[5], gt[3]};
      ASSERT_EQ(t.size(), 6u);
      for (std::size_t i = 0; i < want.size(); ++i)
        EXPECT_DOUBLE_EQ(t[i].get<double>(), want[i]) << key << " " << i;
      auto const& bands = a.at("raster:bands");
      ASSERT_EQ(bands.size(), gs.at("raster:bands").size()) << key;
      for (std::size_t b = 0; b < bands.size(); ++b) {
        auto const& ours = bands[b];
        auto const& gdal = gs.at("raster:bands")[b];
        EXPECT_EQ(ours.at("data_type"), gdal.at("data_type")) << key;
        // Nodata, scale and offset from gdalinfo's band block: GDAL 3.6 writes them as null
        // in its STAC block.
        auto const& band = g.at("bands")[b];
        if (band.contains("noDataValue") && !band.at("noDataValue").is_null()) {
          if (band.at("noDataValue").is_string())  // "NaN"
            EXPECT_EQ(ours.at("nodata"), "nan") << key;
          else
            EXPECT_EQ(ours.at("nodata").get<double>(), band.at("noDataValue").get<double>()) << key;
        } else {
          EXPECT_FALSE(ours.contains("nodata")) << key;
        }
        // Absent means 1 and 0 (the raster extension's defaults), on either side.
        auto const number = [](json const& j, char const* f, double absent) {
          return j.contains(f) && !j.at(f).is_null() ? j.at(f).get<double>() : absent;
        };
        EXPECT_DOUBLE_EQ(number(ours, "scale", 1.0), number(band, "scale", 1.0)) << key;
        EXPECT_DOUBLE_EQ(number(ours, "offset", 0.0), number(band, "offset", 0.0)) << key;
      }
      EXPECT_DOUBLE_EQ(bands[0].at("spatial_resolution").get<double>(), std::abs(want[0]));
      if (key == "change") {
        EXPECT_EQ(bands[0].at("data_type"), "uint8");
        EXPECT_EQ(bands[0].at("nodata"), 254);
        EXPECT_EQ(a.at("roles"), json::array({"data"}));
      }
      if (key.size() > 5 && key.compare(key.size() - 5, 5, "_date") == 0) {
        EXPECT_EQ(a.at("roles"), json::array({"date"})) << key;
        EXPECT_EQ(bands[0].at("unit"), "days since 1970-01-01") << key;
      }
    }
  }
  EXPECT_GE(cogs, 6);  // each AOI: change.tif and at least the two periods' index COGs
}

TEST_F(StacOutput, TheManifestListsTheCatalogueWithItsHashes) {
  auto const m = read_json(out() / "manifest.json");
  std::map<std::string, std::string> hashes;
  for (auto const& o : m.at("outputs")) hashes[o.at("path")] = o.at("sha256");
  for (auto const& doc : documents()) {
    std::string const path = doc.lexically_relative(out()).generic_string();
    ASSERT_EQ(hashes.count(path), 1u) << path;
    EXPECT_EQ(hashes.at(path), sha256sum(doc)) << path;
  }
}

TEST_F(StacOutput, StacFalseWritesNone) {
  fs::path const job = *dir_ / "job-nostac.yaml";
  std::string text = read_text(*dir_ / "job.yaml");
  text.replace(text.find("  dir: out\n"), 10, "  dir: out-nostac\n  stac: false\n");
  std::ofstream(job) << text;
  auto const run = geosweep("--backend cpu run " + job.string());
  ASSERT_EQ(run.exit_code, 0) << run.out;
  EXPECT_TRUE(fs::exists(*dir_ / "out-nostac" / "manifest.json"));
  EXPECT_FALSE(fs::exists(*dir_ / "out-nostac" / "stac"));
  auto const m = read_json(*dir_ / "out-nostac" / "manifest.json");
  for (auto const& o : m.at("outputs"))
    EXPECT_NE(o.at("path").get<std::string>().rfind("stac/", 0), 0u) << o.at("path");
}

// The validator is sharp: each broken copy of a good item fails, naming what is wrong.
TEST_F(StacOutput, TheValidatorRejectsBrokenDocuments) {
  auto const good = read_json(item_file("reserve-north"));
  fs::path const broken = stac() / "reserve-north" / "broken.json";
  struct breakage {
    char const* what;
    void (*apply)(json&);
    char const* named;  // in the validator's message
  };
  breakage const cases[] = {
      {"no datetime", [](json& j) { j["properties"].erase("datetime"); }, "datetime"},
      {"a date without time zone",
       [](json& j) { j["properties"]["start_datetime"] = "2023-01-01T00:00:00"; },
       "start_datetime"},
      {"an unknown raster data type",
       [](json& j) { j["assets"]["change"]["raster:bands"][0]["data_type"] = "uint7"; },
       "data_type"},
      {"the file extension not declared", [](json& j) { j["stac_extensions"].erase(2); }, "file:"},
      {"an asset that is not there",
       [](json& j) { j["assets"]["netcdf"]["href"] = "../../nothing.nc"; }, "nothing.nc"},
      {"a bbox not the geometry's", [](json& j) { j["bbox"][0] = -179.0; }, "bbox"},
      {"the wrong STAC version", [](json& j) { j["stac_version"] = "0.9.0"; }, "stac_version"},
      {"a checksum that is not hex",
       [](json& j) { j["assets"]["netcdf"]["file:checksum"] = "sha256:ab"; }, "checksum"},
  };
  for (auto const& c : cases) {
    json j = good;
    c.apply(j);
    write_json(broken, j);
    auto const r = validate({broken});
    EXPECT_EQ(r.exit_code, 1) << c.what << "\n" << r.out;
    EXPECT_NE(r.out.find(c.named), std::string::npos) << c.what << "\n" << r.out;
  }
  fs::remove(broken);
  write_json(broken, good);  // the same document unbroken, from the same place, passes
  EXPECT_EQ(validate({broken}).exit_code, 0);
  fs::remove(broken);
}

}  // namespace
