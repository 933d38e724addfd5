// scenes.stac_api against a local STAC API (tests/tools/stac_api_server.py, written from the
// Item Search specification): the simulator's items, their asset hrefs rewritten to the local
// COGs, served page by page. A job searching the API finds the same scenes as the job over the
// saved items; POST paging (merged bodies) and GET paging (tokens in the href) both reach every
// page; items repeated on a later page count once; max_items stops early; a CQL2 filter and the
// query extension on eo:cloud_cover keep the items at and under (or just under) the limit, as
// counted here from items.json; HTTP 503 with Retry-After is waited out, and a server that stays
// busy fails naming the URL; a search that finds nothing says what it searched; a run over the
// API writes the alerts and areas of the run over the saved items. RealData*: the
// real items of $GEOSWEEP_SHARED_DATA/stac-and-metadata searched by place and date.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "catalog/scene_catalog.hpp"
#include "catalog/stac_search.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/scene_search.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "tools/local_servers.hpp"
#include "tools/run_geosweep.hpp"
#include "tools/shared_data.hpp"
#include "tools/stac_api_fixture.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using json = nlohmann::json;

namespace {

/// The simulated scenes and their items with absolute hrefs: made once for all tests.
class StacApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("geosweep_stac_api_" + std::to_string(::getpid())));
    json items = tt::simulated_items(*dir_, [](fs::path const& file) { return file.string(); });
    std::ofstream(*dir_ / "api_items.json") << items.dump();
    items_ = new json(std::move(items));
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
    delete items_;
  }

  /// The simulator's job with `scenes` in place of its scene folder.
  static std::string job_with(std::string const& scenes) {
    return tt::job_with_scenes(*dir_ / "sim" / "job.yaml", scenes);
  }
  static gp::job_spec spec_with(std::string const& scenes) {
    return gp::parse_job_spec(job_with(scenes), *dir_ / "sim" / "job.yaml");
  }

  /// The API serving the items, with `extra` options of stac_api_server.py.
  static std::unique_ptr<tt::python_server> serve(std::vector<std::string> extra = {},
                                                  std::vector<fs::path> files = {}) {
    if (files.empty()) files.push_back(*dir_ / "api_items.json");
    return tt::serve_stac_api(log(), files, extra);
  }
  static std::string url(tt::python_server const& s) { return tt::url_of(s); }
  static fs::path log() { return *dir_ / "api.log"; }
  /// The requests the API logged, in order.
  static std::vector<json> requests() { return tt::logged_requests(log()); }
  /// Ids of the simulator's items whose eo:cloud_cover passes `keep`, in item order.
  template <class Keep>
  static std::vector<std::string> ids_where(Keep keep) {
    std::vector<std::string> ids;
    for (auto const& item : (*items_)["features"])
      if (keep(item["properties"]["eo:cloud_cover"].get<double>()))
        ids.push_back(item["id"].get<std::string>());
    std::sort(ids.begin(), ids.end());
    return ids;
  }
  static std::vector<std::string> ids_of(gp::stac_search_result const& r) {
    std::vector<std::string> ids;
    for (auto const& item : r.items) ids.push_back(item.id);
    std::sort(ids.begin(), ids.end());
    return ids;
  }

  static inline fs::path* dir_ = nullptr;
  static inline json* items_ = nullptr;
};

}  // namespace

TEST_F(StacApi, AJobSearchingTheApiFindsTheScenesOfTheSavedItems) {
  auto const api = serve();
  auto const saved = spec_with("  stac: stac/items.json\n");
  auto const searched = spec_with("  stac_api:\n    url: " + url(*api) +
                                  "/\n    collections: [sentinel-2-l2a]\n    limit: 2\n");
  ASSERT_TRUE(searched.scenes.stac_api);
  EXPECT_EQ(searched.scenes.stac_api->url, url(*api));  // the trailing '/' dropped
  std::vector<std::string> const bands{"red", "nir", "swir2"};
  auto const a = gp::find_scenes(saved, bands, {});
  auto const b = gp::find_scenes(searched, bands, {});
  ASSERT_EQ(a.size(), 7u);
  ASSERT_EQ(b.size(), a.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(b[i].id, a[i].id);
    EXPECT_EQ(b[i].date, a[i].date);
    EXPECT_EQ(b[i].cloud_cover, a[i].cloud_cover);
    ASSERT_EQ(b[i].bands.size(), a[i].bands.size());
    for (auto const& [name, file] : a[i].bands)
      EXPECT_EQ(fs::path(b[i].bands.at(name).path).lexically_normal(),
                fs::path(file.path).lexically_normal())
          << name;
  }
  // 7 items 2 a page: 4 POSTs, the later ones the first body with the next link's token.
  auto const log = requests();
  ASSERT_EQ(log.size(), 4u);
  auto const& first = log[0]["body"];
  EXPECT_EQ(log[0]["method"], "POST");
  EXPECT_EQ(first["collections"], json::array({"sentinel-2-l2a"}));
  EXPECT_EQ(first["limit"], 2);
  EXPECT_EQ(first["bbox"].size(), 4u);
  // The first baseline day and the last monitoring day of the simulated job, UTC.
  EXPECT_EQ(first["datetime"], "2023-06-05T00:00:00Z/2024-07-19T23:59:59Z");
  EXPECT_FALSE(first.contains("token"));
  for (std::size_t i = 1; i < log.size(); ++i) {
    EXPECT_EQ(log[i]["body"]["token"], "p" + std::to_string(2 * i));
    EXPECT_EQ(log[i]["body"]["datetime"], first["datetime"]);
  }
  EXPECT_EQ(log[3]["returned"], 1);
}

TEST_F(StacApi, ARunOverTheApiWritesTheAlertsOfTheRunOverTheSavedItems) {
  auto const api = serve();
  auto const write = [](std::string const& name, std::string const& scenes) {
    std::string job = job_with(scenes);
    job.replace(job.find("  dir: out\n"), 11, "  dir: out-" + name + "\n");
    std::ofstream(*dir_ / "sim" / (name + ".yaml")) << job;
    return (*dir_ / "sim" / (name + ".yaml")).string();
  };
  auto const saved = tt::run_geosweep({"-q", "run", write("saved", "  stac: stac/items.json\n")});
  ASSERT_EQ(saved.code, 0) << saved.output;
  auto const searched =
      tt::run_geosweep({"-q", "run", write("searched", "  stac_api: " + url(*api) + "\n")});
  ASSERT_EQ(searched.code, 0) << searched.output;
  auto const alerts = tt::read_file(*dir_ / "sim" / "out-saved" / "alerts.csv");
  EXPECT_GT(std::count(alerts.begin(), alerts.end(), '\n'), 1);  // a header and alerts
  EXPECT_EQ(tt::read_file(*dir_ / "sim" / "out-searched" / "alerts.csv"), alerts);
  EXPECT_EQ(tt::read_file(*dir_ / "sim" / "out-searched" / "areas.csv"),
            tt::read_file(*dir_ / "sim" / "out-saved" / "areas.csv"));
}

TEST_F(StacApi, SearchListsWhatARunReadsAndSavesTheItemsForLater) {
  auto const api = serve();
  auto const job = (*dir_ / "sim" / "search.yaml").string();
  std::ofstream(job) << job_with("  stac_api: " + url(*api) + "\n  max_cloud_cover: 40\n");
  auto const saved_dir = *dir_ / "saved";
  auto const r = tt::run_geosweep({"--json", "search", job, "--save", saved_dir.string()});
  ASSERT_EQ(r.code, 0) << r.output;
  auto const j = json::parse(r.output);
  auto const kept = ids_where([](double c) { return c <= 40; });
  EXPECT_EQ(j["found"], 7);
  EXPECT_EQ(j["dropped"]["cloud"], 7 - kept.size());
  ASSERT_EQ(j["scenes"].size(), kept.size());
  std::string last_date;
  for (auto const& s : j["scenes"]) {
    EXPECT_TRUE(std::binary_search(kept.begin(), kept.end(), s["id"].get<std::string>()));
    EXPECT_GE(s["date"].get<std::string>(), last_date);  // by date
    last_date = s["date"];
    // The simulated AOIs lie inside every scene's footprint.
    EXPECT_DOUBLE_EQ(s["aoi_cover"]["reserve-north"].get<double>(), 1.0);
    EXPECT_DOUBLE_EQ(s["aoi_cover"]["concession-7"].get<double>(), 1.0);
    EXPECT_GT(s["decoded_bytes"].get<double>(), 0.0);
  }
  // The saved items, as the API gave them, read by scenes.stac: every item of the search.
  ASSERT_TRUE(fs::exists(saved_dir / "items.json"));
  auto const offline = spec_with("  stac: " + (saved_dir / "items.json").string() + "\n");
  auto const scenes = gp::find_scenes(offline, {"red", "nir"}, {});
  EXPECT_EQ(scenes.size(), 7u);
  EXPECT_EQ(requests().size(), 1u);  // one search, not one for the list and one for --save
  // The table names each AOI and a line per scene.
  auto const table = tt::run_geosweep({"search", job});
  ASSERT_EQ(table.code, 0) << table.output;
  EXPECT_NE(table.output.find("7 scene(s) found, " + std::to_string(kept.size()) + " to read"),
            std::string::npos)
      << table.output;
  EXPECT_NE(table.output.find("reserve-north"), std::string::npos);
  // --save without a STAC API: a job error.
  auto const folder = tt::run_geosweep(
      {"search", (*dir_ / "sim" / "job.yaml").string(), "--save", saved_dir.string()});
  EXPECT_EQ(folder.code, 3) << folder.output;
  EXPECT_NE(folder.output.find("this job has no scenes.stac_api"), std::string::npos);
}

TEST_F(StacApi, ANightlyMonitorFindsTheNightsNewItemsByItself) {
  // The API knows the first 5 items one night and all 7 the next.
  json first = *items_;
  auto& features = first["features"];
  std::sort(features.begin(), features.end(), [](json const& a, json const& b) {
    return a["properties"]["datetime"] < b["properties"]["datetime"];
  });
  features.erase(features.begin() + 5, features.end());
  std::ofstream(*dir_ / "api_items_5.json") << first.dump();
  auto const job = (*dir_ / "sim" / "nightly.yaml").string();
  auto const night = [&](fs::path const& items) {
    auto const api = serve({}, {items});
    std::string text = job_with("  stac_api: " + url(*api) + "\n");
    text.replace(text.find("  dir: out\n"), 11, "  dir: out-nightly\n");
    std::ofstream(job) << text;
    return tt::run_geosweep({"--backend", "cpu", "monitor", job});
  };
  auto const one = night(*dir_ / "api_items_5.json");
  ASSERT_EQ(one.code, 0) << one.output;
  EXPECT_NE(one.output.find("run 1: 5 new scene(s)"), std::string::npos) << one.output;
  auto const two = night(*dir_ / "api_items.json");
  ASSERT_EQ(two.code, 0) << two.output;
  EXPECT_NE(two.output.find("run 2: 2 new scene(s)"), std::string::npos) << two.output;
  auto const three = night(*dir_ / "api_items.json");
  ASSERT_EQ(three.code, 0) << three.output;
  EXPECT_NE(three.output.find("no new scene"), std::string::npos) << three.output;
}

TEST(SceneSearch, BoxCoverIsTheShareOfGroundArea) {
  using b = gp::geo_bbox;
  // Half the longitudes: half the area.
  EXPECT_DOUBLE_EQ(gp::box_cover(b{0, 0, 2, 2}, b{1, 0, 3, 2}), 0.5);
  // The southern half of latitudes 0-1 degrees: sin(0.5 deg) / sin(1 deg) (numpy).
  EXPECT_NEAR(gp::box_cover(b{0, 0, 1, 1}, b{0, 0, 1, 0.5}), 0.5000190391928685, 1e-12);
  // Across the antimeridian: 179-181 E covered from 179.5 to 180.
  EXPECT_DOUBLE_EQ(gp::box_cover(b{179, 0, -179, 1}, b{179.5, 0, 180, 1}), 0.25);
  EXPECT_DOUBLE_EQ(gp::box_cover(b{179, 0, -179, 1}, b{170, -5, -170, 5}), 1.0);
  EXPECT_DOUBLE_EQ(gp::box_cover(b{0, 0, 1, 1}, b{1, 0, 2, 1}), 0.0);  // touching only
}

TEST_F(StacApi, GetPagingWithOverlappingPagesCountsEachItemOnce) {
  auto const api = serve({"--paging", "get", "--repeat-last"});
  auto const spec = spec_with("  stac_api: {url: " + url(*api) + ", method: GET, limit: 3}\n");
  auto const found = gp::search_stac_api(spec);
  EXPECT_EQ(found.items.size(), 7u);
  EXPECT_EQ(found.pages, 3);       // 3 + 3 + 1 new items
  EXPECT_EQ(found.duplicates, 2);  // the 2nd and 3rd pages start with the page before's last
  auto const log = requests();
  ASSERT_EQ(log.size(), 3u);
  for (auto const& r : log) EXPECT_EQ(r["method"], "GET");
  EXPECT_NE(log[0]["query"].get<std::string>().find("limit=3"), std::string::npos);
  EXPECT_NE(log[2]["query"].get<std::string>().find("token=p6"), std::string::npos);
  EXPECT_EQ(ids_of(found), ids_where([](double) { return true; }));
}

TEST_F(StacApi, MaxItemsStopsTheSearchEarly) {
  auto const api = serve();
  auto const found = gp::search_stac_api(
      spec_with("  stac_api: {url: " + url(*api) + ", limit: 2, max_items: 3}\n"));
  EXPECT_EQ(found.items.size(), 3u);
  EXPECT_EQ(requests().size(), 2u);  // the third item is on the second page
}

TEST_F(StacApi, CloudCoverFilterKeepsItemsAtTheLimitAndQueryJustUnder) {
  // The limit: the 4th lowest cloud cover of the items, so that items lie on both sides.
  std::vector<double> covers;
  for (auto const& item : (*items_)["features"])
    covers.push_back(item["properties"]["eo:cloud_cover"].get<double>());
  std::sort(covers.begin(), covers.end());
  double const limit = covers[3];
  ASSERT_LT(covers[2], limit);
  auto const api = serve();
  std::string const base = "  stac_api:\n    url: " + url(*api) + "\n";
  char number[32];
  std::snprintf(number, sizeof number, "%.17g", limit);
  auto const at = gp::search_stac_api(spec_with(
      base + "    filter: {op: '<=', args: [{property: 'eo:cloud_cover'}, " + number + "]}\n"));
  EXPECT_EQ(ids_of(at), ids_where([&](double c) { return c <= limit; }));
  EXPECT_EQ(at.items.size(), 4u);
  auto const under = gp::search_stac_api(
      spec_with(base + "    query: {'eo:cloud_cover': {lt: " + std::string(number) + "}}\n"));
  EXPECT_EQ(ids_of(under), ids_where([&](double c) { return c < limit; }));
  EXPECT_EQ(under.items.size(), 3u);
  auto const log = requests();
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["body"]["filter-lang"], "cql2-json");
  EXPECT_EQ(log[0]["body"]["filter"]["args"][1].get<double>(), limit);  // a number, not text
  EXPECT_EQ(log[1]["body"]["query"]["eo:cloud_cover"]["lt"].get<double>(), limit);
}

TEST_F(StacApi, ABusyApiIsWaitedOutAndOneThatStaysBusyFailsByName) {
  {
    auto const api = serve({"--fail-first", "1", "--retry-after", "1"});
    auto const started = std::chrono::steady_clock::now();
    auto const found = gp::search_stac_api(spec_with("  stac_api: " + url(*api) + "\n"));
    double const waited =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    EXPECT_EQ(found.items.size(), 7u);
    auto const log = requests();
    ASSERT_EQ(log.size(), 2u);
    EXPECT_EQ(log[0]["status"], 503);
    EXPECT_EQ(log[1]["status"], 200);
    EXPECT_GE(waited, 1.0);  // Retry-After: 1
  }
  auto const api = serve({"--fail-first", "9", "--retry-after", "0"});
  auto const spec =
      spec_with("  stac_api: " + url(*api) + "\n  http: {attempts: 2, backoff_s: 0.1}\n");
  try {
    (void)gp::search_stac_api(spec);
    ADD_FAILURE() << "no error";
  } catch (geosweep::io_error const& e) {
    EXPECT_EQ(std::string(e.what()), "POST " + url(*api) + "/search: HTTP 503 after 2 tries");
  }
  EXPECT_EQ(requests().size(), 2u);
}

TEST_F(StacApi, ASearchThatFindsNothingSaysWhatItSearched) {
  auto const api = serve();
  auto const spec =
      spec_with("  stac_api: {url: " + url(*api) + ", collections: [landsat-c2-l2]}\n");
  try {
    (void)gp::find_scenes(spec, {"red", "nir"}, {});
    ADD_FAILURE() << "no error";
  } catch (geosweep::config_error const& e) {
    std::string const text = e.what();
    EXPECT_NE(text.find(url(*api) + "/search: no items of landsat-c2-l2 over the AOIs ("),
              std::string::npos)
        << text;
    EXPECT_NE(text.find(") from 2023-06-05 to 2024-07-19"), std::string::npos) << text;
  }
}

TEST_F(StacApi, ASearchAcrossTheAntimeridianFindsTheItemsOnBothSides) {
  // An AOI on Taveuni (Fiji), across 180°, and items about it: one each side of the line, one
  // across it, one west of the AOI and one south of it.
  json items = json::object({{"type", "FeatureCollection"}, {"features", json::array()}});
  std::vector<std::pair<std::string, std::vector<double>>> const boxes{
      {"west-of-180", {179.7, -16.9, 179.95, -16.7}},
      {"east-of-180", {-179.95, -16.9, -179.7, -16.7}},
      {"across-180", {179.9, -16.9, -179.9, -16.7}},
      {"far-west", {178.0, -16.9, 178.5, -16.7}},
      {"south", {-179.9, -18.0, -179.8, -17.5}}};
  for (auto const& [id, box] : boxes) {
    json item = (*items_)["features"][0];
    item["id"] = id;
    item["bbox"] = box;
    item.erase("geometry");
    item["geometry"] = nullptr;
    items["features"].push_back(item);
  }
  std::ofstream(*dir_ / "fiji_items.json") << items.dump();
  auto const api = serve({}, {*dir_ / "fiji_items.json"});
  // The AOI split at 180°, as the job spec asks.
  auto const spec = gp::parse_job_spec(
      "job: taveuni\nscenes:\n  stac_api: {url: " + url(*api) +
          ", collections: [sentinel-2-l2a]}\n"
          "aois: [{name: taveuni-w, bbox: [179.8, -17.0, 180, -16.6]},\n"
          "       {name: taveuni-e, bbox: [-180, -17.0, -179.8, -16.6]}]\n"
          "period: {baseline: [2023-01-01, 2023-12-31], monitor: [2024-01-01, 2024-12-31]}\n",
      *dir_ / "fiji.yaml", false);
  auto const found = gp::search_stac_api(spec);
  EXPECT_EQ(ids_of(found), (std::vector<std::string>{"across-180", "east-of-180", "west-of-180"}));
  auto const log = requests();
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["body"]["bbox"], json::parse("[179.8, -17.0, -179.8, -16.6]"));  // west > east
}

TEST(StacApiSpec, TheKeysAreCheckedWhereTheyAre) {
  auto const error_of = [](std::string const& block) {
    std::string const job = "job: t\nscenes:\n" + block +
                            "aois: [{name: a, bbox: [10, 10, 11, 11]}]\n"
                            "period: {baseline: [2023-01-01, 2023-02-01], monitor: [2023-03-01, "
                            "2023-04-01]}\n";
    try {
      gp::parse_job_spec(job, "/tmp/job.yaml", false);
    } catch (geosweep::config_error const& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(error_of("  stac_api: {url: https://earth-search.aws.element84.com/v1}\n"), "");
  EXPECT_NE(error_of("  stac_api: {url: ftp://x}\n").find("/tmp/job.yaml:3:"), std::string::npos);
  EXPECT_NE(error_of("  stac_api: {url: ftp://x}\n").find("expected an http:// or https:// URL"),
            std::string::npos);
  EXPECT_NE(error_of("  stac_api: {url: http://x, limit: 0}\n").find("expected 1 to 10000"),
            std::string::npos);
  EXPECT_EQ(error_of("  stac_api: {url: http://x, limit: 10000}\n"), "");
  EXPECT_NE(error_of("  stac_api: {url: http://x, limit: 10001}\n").find("expected 1 to 10000"),
            std::string::npos);
  EXPECT_NE(error_of("  stac_api: {url: http://x, method: PUT}\n").find("expected POST or GET"),
            std::string::npos);
  EXPECT_NE(error_of("  stac_api: {url: http://x, filter: lots}\n").find("a CQL2 JSON expression"),
            std::string::npos);
  EXPECT_NE(error_of("  stac_api: {collections: [a]}\n").find("missing key 'url'"),
            std::string::npos);
  EXPECT_NE(error_of("  stac_api: http://x\n  dir: /tmp\n").find("not several"), std::string::npos);
}

TEST(StacApiSpec, SearchBoxesAroundTheAoisAndAcrossTheAntimeridian) {
  using b = gp::geo_bbox;
  EXPECT_EQ(gp::search_bbox({b{179.5, -17, -179.5, -16}}), (b{179.5, -17, -179.5, -16}));
  EXPECT_EQ(gp::search_bbox({b{10, 1, 11, 2}, b{-3, -4, -2, 0}}), (b{-3, -4, 11, 2}));
  // Across 180° from 10° E to 179.5° W is 190.5° of longitude, the other way 349.5°.
  EXPECT_EQ(gp::search_bbox({b{179.5, -17, -179.5, -16}, b{10, 1, 11, 2}}),
            (b{10, -17, -179.5, 2}));
  // AOIs split at 180° (as the job spec asks) search across it, not every longitude.
  EXPECT_EQ(gp::search_bbox({b{179.8, -17, 180, -16.6}, b{-180, -17, -179.8, -16.6}}),
            (b{179.8, -17, -179.8, -16.6}));
  // On the boundary, the gap between the AOIs (from 169° W to 10° E, 179°) as wide as the one
  // across 180° (from 11° E to 170° W, 179°): the ordinary box. Just inside and outside it.
  EXPECT_EQ(gp::search_bbox({b{-170, 0, -169, 1}, b{10, 0, 11, 1}}), (b{-170, 0, 11, 1}));
  EXPECT_EQ(gp::search_bbox({b{-170, 0, -169, 1}, b{9.8, 0, 11, 1}}), (b{-170, 0, 11, 1}));
  EXPECT_EQ(gp::search_bbox({b{-170, 0, -169, 1}, b{10.2, 0, 11, 1}}), (b{10.2, 0, -169, 1}));
}

TEST(RealDataStacApi, TheRealItemsAreFoundByPlaceAndDate) {
  fs::path const real = tt::shared_data() / "stac-and-metadata";
  fs::path const log =
      fs::temp_directory_path() / ("geosweep_stac_api_real_" + std::to_string(::getpid()) + ".log");
  std::vector<std::string> args{"--log", log.string(), "--items"};
  for (auto const* name : {"landsat/LC08_L2SP_047027_20201204_02_T1.json",
                           "landsat/LE07_L2SP_021030_20100109_02_T1.json",
                           "landsat/LT04_L2SP_002026_19830110_02_T1.json",
                           "landsat/LT05_L2SP_010067_19860424_02_T2.json",
                           "sentinel2/S2A_T07HFE_20190212T192646_L2A.json"})
    args.push_back((real / name).string());
  tt::python_server api(tt::tools_dir() / "stac_api_server.py", args);
  auto const search = [&](std::string const& bbox, std::string const& periods,
                          std::string const& collections) {
    std::string const job =
        "job: t\nscenes:\n  stac_api: {url: 'http://127.0.0.1:" + std::to_string(api.port()) + "'" +
        collections + "}\naois: [{name: a, bbox: " + bbox + "}]\nperiod: " + periods + "\n";
    std::vector<std::string> ids;
    for (auto const& item :
         gp::search_stac_api(gp::parse_job_spec(job, "/tmp/job.yaml", false)).items)
      ids.push_back(item.id);
    return ids;
  };
  // Inside LE07's box (Michigan), January 2010: that item alone.
  EXPECT_EQ(search("[-85.0, 43.0, -84.5, 43.5]",
                   "{baseline: [2009-06-01, 2009-12-31], monitor: [2010-01-01, 2010-12-31]}", ""),
            (std::vector<std::string>{"LE07_L2SP_021030_20100109_02_T1"}));
  // The S2 tile T07HFE (South Pacific) in 2019, and the same place for Landsat only: nothing.
  std::string const t07hfe = "[-139.9, -31.75, -139.6, -31.65]";
  std::string const y2019 =
      "{baseline: [2019-01-01, 2019-01-31], monitor: [2019-02-01, 2019-02-28]}";
  EXPECT_EQ(search(t07hfe, y2019, ""),
            (std::vector<std::string>{"S2A_T07HFE_20190212T192646_L2A"}));
  EXPECT_TRUE(search(t07hfe, y2019, ", collections: [landsat-c2-l2]").empty());
  // Everywhere from 1980 to 1990, Landsat only: the two TM scenes, oldest first.
  EXPECT_EQ(search("[-179, -60, 179, 80]",
                   "{baseline: [1980-01-01, 1984-12-31], monitor: [1985-01-01, 1990-12-31]}",
                   ", collections: [landsat-c2-l2]"),
            (std::vector<std::string>{"LT04_L2SP_002026_19830110_02_T1",
                                      "LT05_L2SP_010067_19860424_02_T2"}));
  fs::remove(log);
}

int main(int argc, char** argv) {
  return tt::run_tests_with_shared_data(argc, argv);
}
