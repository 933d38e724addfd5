// Assets as the archives serve them, against the local STAC API (tests/tools/stac_api_server.py)
// serving the simulator's COGs itself: Planetary Computer-style SAS signing (a token endpoint,
// tokens that expire), headers whose secrets come from the environment, and an S3-compatible
// requester-pays bucket. Each whole run is compared with the run over the local items, and the
// server's log says what every request carried.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/environment.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/sim/scene_simulator.hpp"
#include "tools/local_servers.hpp"
#include "tools/run_geosweep.hpp"
#include "tools/stac_api_fixture.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using json = nlohmann::json;

namespace {

class RemoteAccess : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new fs::path(fs::temp_directory_path() /
                        ("geosweep_remote_access_" + std::to_string(::getpid())));
    // The items twice: assets at the API's own /assets/ and in the bucket "scenes" of an
    // S3-compatible store, both the simulator's files.
    auto const items = tt::simulated_items(*dir_, [&](fs::path const& file) {
      return file.lexically_relative(*dir_ / "sim").generic_string();
    });
    for (auto const& [name, root] :
         {std::pair{"https_items.json", "http://stac-api.invalid/assets/"},
          std::pair{"s3_items.json", "s3://scenes/"}}) {
      json copy = items;
      for (auto& item : copy["features"])
        for (auto& [key, asset] : item["assets"].items())
          asset["href"] = root + asset["href"].get<std::string>();
      std::ofstream(*dir_ / name) << copy.dump();
    }
    auto const saved = tt::run_geosweep({"-q", "run", write("saved", "  stac: stac/items.json\n")});
    ASSERT_EQ(saved.code, 0) << saved.output;
  }
  static void TearDownTestSuite() {
    fs::remove_all(*dir_);
    delete dir_;
  }

  /// Writes the simulator's job with `scenes` in place of its scene folder and out-NAME as its
  /// output folder; returns its path.
  static std::string write(std::string const& name, std::string const& scenes) {
    std::string job = tt::job_with_scenes(*dir_ / "sim" / "job.yaml", scenes);
    job.replace(job.find("  dir: out\n"), 11, "  dir: out-" + name + "\n");
    std::ofstream(*dir_ / "sim" / (name + ".yaml")) << job;
    return (*dir_ / "sim" / (name + ".yaml")).string();
  }
  static fs::path out(std::string const& name) { return *dir_ / "sim" / ("out-" + name); }

  /// The API over `items` serving the simulator's folder, with `extra` options.
  static std::unique_ptr<tt::python_server> serve(std::string const& items,
                                                  std::vector<std::string> extra) {
    extra.insert(extra.begin(), {"--assets", (*dir_ / "sim").string()});
    return tt::serve_stac_api(log(), {*dir_ / items}, extra);
  }
  static std::string url(tt::python_server const& s) { return tt::url_of(s); }
  static fs::path log() { return *dir_ / "api.log"; }
  /// Forgets the requests logged so far (the server appends each to the file).
  static void clear_log() { std::ofstream(log(), std::ios::trunc); }
  /// The requests the server logged whose path starts with `prefix`.
  static std::vector<json> requests(std::string const& prefix) {
    std::vector<json> out;
    for (auto& r : tt::logged_requests(log()))
      if (r["path"].get<std::string>().rfind(prefix, 0) == 0) out.push_back(std::move(r));
    return out;
  }
  /// The run wrote the alerts and areas of the run over the local items.
  static void expect_same_as_saved(std::string const& name) {
    auto const alerts = tt::read_file(out("saved") / "alerts.csv");
    EXPECT_GT(std::count(alerts.begin(), alerts.end(), '\n'), 1);  // a header and alerts
    EXPECT_EQ(tt::read_file(out(name) / "alerts.csv"), alerts);
    EXPECT_EQ(tt::read_file(out(name) / "areas.csv"), tt::read_file(out("saved") / "areas.csv"));
  }

  static inline fs::path* dir_ = nullptr;
};

std::string const kApi = "  stac_api:\n    url: {API}\n    collections: [sentinel-2-l2a]\n";

std::string with_api(std::string text, std::string const& api) {
  for (auto at = text.find("{API}"); at != std::string::npos; at = text.find("{API}"))
    text.replace(at, 5, api);
  return text;
}

}  // namespace

TEST_F(RemoteAccess, SignedAssetsAreReadWithOneTokenWhileItLasts) {
  auto const api = serve("https_items.json", {"--token-seconds", "3600", "--require-token"});
  auto const run = tt::run_geosweep(
      {"-q", "run", write("signed", with_api(kApi + "    sign: {API}/token\n", url(*api)))});
  ASSERT_EQ(run.code, 0) << run.output;
  expect_same_as_saved("signed");
  // One collection, one token that lasts the run: asked for once, carried by every read.
  EXPECT_EQ(requests("/token/sentinel-2-l2a").size(), 1u);
  auto const reads = requests("/assets/");
  ASSERT_FALSE(reads.empty());
  for (auto const& r : reads) {
    EXPECT_TRUE(r["token"].get<bool>()) << r.dump();
    EXPECT_LT(r["status"].get<int>(), 300) << r.dump();
  }
}

TEST_F(RemoteAccess, ATokenAboutToExpireIsRenewedBeforeTheNextRead) {
  // Tokens of 30 s: less than the minute GDAL keeps in hand, so each read asks for a new one,
  // and the server refuses any read whose token has expired.
  auto const api = serve("https_items.json", {"--token-seconds", "30", "--require-token"});
  auto const run = tt::run_geosweep(
      {"-q", "run", write("renewed", with_api(kApi + "    sign: {API}/token/\n", url(*api)))});
  ASSERT_EQ(run.code, 0) << run.output;
  expect_same_as_saved("renewed");
  EXPECT_GT(requests("/token/").size(), 1u);
  for (auto const& r : requests("/assets/")) EXPECT_LT(r["status"].get<int>(), 300) << r.dump();
}

TEST_F(RemoteAccess, UnsignedReadsOfSignedAssetsFailNamingTheAsset) {
  auto const api = serve("https_items.json", {"--token-seconds", "3600", "--require-token"});
  auto const run = tt::run_geosweep({"-q", "run", write("unsigned", with_api(kApi, url(*api)))});
  EXPECT_NE(run.code, 0);
  EXPECT_NE(run.output.find("/assets/scenes/"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("403"), std::string::npos) << run.output;
  EXPECT_FALSE(fs::exists(out("unsigned") / "alerts.csv"));
}

TEST_F(RemoteAccess, HeadersTakeTheirSecretsFromTheEnvironmentAndNeverShowThem) {
  std::string const secret = "s3cr3t-7f9c2a41";
  auto const api =
      serve("https_items.json", {"--require-header", "Authorization: Bearer " + secret});
  // Two items a page: the later pages' requests carry the headers too.
  std::string const scenes = with_api(kApi + "    limit: 2\n", url(*api)) +
                             "  http:\n    headers:\n"
                             "      Authorization: Bearer ${GEOSWEEP_TEST_BEARER}\n"
                             "      X-Client: geosweep-tests\n";
  auto const job = write("headers", scenes);
  auto const run = tt::run_geosweep({"run", job}, {{"GEOSWEEP_TEST_BEARER", secret}});
  ASSERT_EQ(run.code, 0) << run.output;
  expect_same_as_saved("headers");
  // The search and every read carried it (the server answers 401 otherwise).
  ASSERT_FALSE(requests("/").empty());
  for (auto const& r : requests("/")) EXPECT_NE(r["status"].get<int>(), 401) << r.dump();
  EXPECT_FALSE(requests("/search").empty());
  EXPECT_FALSE(requests("/assets/").empty());
  // The secret is in no output and no message.
  EXPECT_EQ(run.output.find(secret), std::string::npos);
  for (auto const& e : fs::recursive_directory_iterator(out("headers"))) {
    if (!e.is_regular_file()) continue;
    EXPECT_EQ(tt::read_file(e.path()).find(secret), std::string::npos) << e.path();
  }
  // A wrong value is refused: the server is the judge, and the message does not quote it.
  auto const wrong = tt::run_geosweep({"-q", "run", job}, {{"GEOSWEEP_TEST_BEARER", "wrong-9c1d"}});
  EXPECT_NE(wrong.code, 0);
  EXPECT_NE(wrong.output.find("401"), std::string::npos) << wrong.output;
  EXPECT_EQ(wrong.output.find("wrong-9c1d"), std::string::npos) << wrong.output;
  // Unset, the run stops before any request, naming the line and the variable.
  clear_log();
  auto const unset = tt::run_geosweep({"-q", "run", job}, {{"GEOSWEEP_TEST_BEARER", ""}});
  EXPECT_EQ(unset.code, 3) << unset.output;
  // Where the value is in the job file, counted here: its line, and its column after the key.
  auto const text = tt::read_file(job);
  auto const key = text.find("      Authorization: ");
  auto const line = std::count(text.begin(), text.begin() + static_cast<long>(key), '\n') + 1;
  EXPECT_NE(unset.output.find("headers.yaml:" + std::to_string(line) +
                              ":22: scenes.http.headers.Authorization: environment variable "
                              "'GEOSWEEP_TEST_BEARER' is not set or empty"),
            std::string::npos)
      << unset.output;
  EXPECT_TRUE(requests("/").empty());
}

TEST_F(RemoteAccess, ARequesterPaysBucketIsReadWithTheRequesterPaysHeader) {
  auto const api = serve("s3_items.json", {"--s3-bucket", "scenes", "--requester-pays"});
  std::string const s3 = "  s3:\n    endpoint: {API}\n    region: eu-central-1\n";
  std::map<std::string, std::string> const keys{{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                                                {"AWS_SECRET_ACCESS_KEY", "example-secret"}};
  auto const pays = tt::run_geosweep(
      {"-q", "run", write("pays", with_api(kApi + s3 + "    requester_pays: true\n", url(*api)))},
      keys);
  ASSERT_EQ(pays.code, 0) << pays.output;
  expect_same_as_saved("pays");
  auto const reads = requests("/scenes/");
  ASSERT_FALSE(reads.empty());
  for (auto const& r : reads) {
    EXPECT_EQ(r["payer"], "requester") << r.dump();
    EXPECT_EQ(r["auth"], "AWS4-HMAC-SHA256") << r.dump();  // signed with the keys
  }
  // Without it the bucket refuses, and the run says which asset.
  clear_log();
  auto const refused =
      tt::run_geosweep({"-q", "run", write("refused", with_api(kApi + s3, url(*api)))}, keys);
  EXPECT_NE(refused.code, 0);
  EXPECT_NE(refused.output.find("/vsis3/scenes/"), std::string::npos) << refused.output;
  // Anonymous reads send no signature at all.
  clear_log();
  auto const anonymous = tt::run_geosweep(
      {"-q", "run",
       write("anonymous",
             with_api(kApi + s3 + "    requester_pays: true\n    anonymous: true\n", url(*api)))});
  ASSERT_EQ(anonymous.code, 0) << anonymous.output;
  expect_same_as_saved("anonymous");
  for (auto const& r : requests("/scenes/")) EXPECT_TRUE(r["auth"].is_null()) << r.dump();
}

TEST(RemoteAccessSpec, TheKeysAreReadAndCheckedWhereTheyAre) {
  auto const parse = [](std::string const& block) {
    return gp::parse_job_spec("job: t\nscenes:\n  stac_api: http://api.test\n" + block +
                                  "aois: [{name: a, bbox: [10, 10, 11, 11]}]\n"
                                  "period: {baseline: [2023-01-01, 2023-02-01], monitor: "
                                  "[2023-03-01, 2023-04-01]}\n",
                              "/tmp/job.yaml", false);
  };
  auto const error_of = [&](std::string const& block) {
    try {
      parse(block);
    } catch (geosweep::config_error const& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  auto const spec = parse(
      "  http:\n    headers: {Authorization: 'Bearer ${TOKEN_1}', X-Id: geosweep}\n"
      "  s3: {requester_pays: true, region: us-west-2, endpoint: 'http://127.0.0.1:9000/'}\n"
      "  cache: cache-folder\n");
  ASSERT_EQ(spec.scenes.http.headers.size(), 2u);
  EXPECT_EQ(spec.scenes.http.headers[0].name, "Authorization");
  EXPECT_EQ(spec.scenes.http.headers[0].value, "Bearer ${TOKEN_1}");  // read when the job runs
  EXPECT_EQ(spec.scenes.http.headers[0].where.line, 5);
  EXPECT_EQ(spec.scenes.http.headers[1].value, "geosweep");
  EXPECT_TRUE(spec.scenes.s3.requester_pays);
  EXPECT_FALSE(spec.scenes.s3.anonymous);
  EXPECT_EQ(spec.scenes.s3.region, "us-west-2");
  EXPECT_EQ(spec.scenes.s3.endpoint, "http://127.0.0.1:9000");  // the trailing '/' dropped
  ASSERT_TRUE(spec.scenes.cache);
  EXPECT_EQ(*spec.scenes.cache, fs::path("/tmp/cache-folder"));  // beside the job file

  auto const signing = [&](std::string const& value) {
    return gp::parse_job_spec("job: t\nscenes:\n  stac_api: {url: http://api.test, sign: " + value +
                                  "}\naois: [{name: a, bbox: [10, 10, 11, 11]}]\n"
                                  "period: {baseline: [2023-01-01, 2023-02-01], monitor: "
                                  "[2023-03-01, 2023-04-01]}\n",
                              "/tmp/job.yaml", false)
        .scenes.stac_api->sign;
  };
  EXPECT_EQ(signing("planetary-computer"),
            "https://planetarycomputer.microsoft.com/api/sas/v1/token/");
  EXPECT_EQ(signing("'http://127.0.0.1:8080/token'"), "http://127.0.0.1:8080/token/");
  EXPECT_THROW(signing("planetary"), geosweep::config_error);

  EXPECT_NE(error_of("  http: {headers: {'Bad Name': x}}\n").find("/tmp/job.yaml:4:"),
            std::string::npos);
  EXPECT_NE(error_of("  http: {headers: {'Bad Name': x}}\n").find("letters, digits"),
            std::string::npos);
  EXPECT_NE(error_of("  http: {headers: {Authorization: 'Bearer ${TOKEN'}}\n")
                .find("malformed environment reference"),
            std::string::npos);
  EXPECT_NE(error_of("  http: {headers: [a]}\n").find("scenes.http.headers"), std::string::npos);
  EXPECT_NE(error_of("  s3: {endpoint: minio.local:9000}\n").find("expected http(s)://host"),
            std::string::npos);
  EXPECT_NE(error_of("  s3: {requester_pay: true}\n").find("did you mean 'requester_pays'"),
            std::string::npos);
  EXPECT_NE(error_of("  s3: {anonymous: perhaps}\n").find("scenes.s3.anonymous"),
            std::string::npos);
}

TEST(RemoteAccessMasking, SignedUrlsAndSecretsAreMaskedInMessages) {
  EXPECT_EQ(gp::masked("GET https://a.blob/x/B04.tif?st=2026&se=2027&sp=rl&sig=AbC%2Bd: 403"),
            "GET https://a.blob/x/B04.tif?st=2026&se=2027&sp=rl&sig=***: 403");
  EXPECT_EQ(gp::masked("https://b.s3/k?X-Amz-Credential=AKID%2F2026&X-Amz-Signature=9f3e ok"),
            "https://b.s3/k?X-Amz-Credential=***&X-Amz-Signature=*** ok");
  EXPECT_EQ(gp::masked("https://api/search?limit=2&token=p4"),
            "https://api/search?limit=2&token=***");
  EXPECT_EQ(gp::masked("https://api/search?limit=2&bbox=1,2,3,4"),
            "https://api/search?limit=2&bbox=1,2,3,4");  // nothing that signs
  gp::add_secret("tok/en+7731");
  EXPECT_EQ(gp::masked("server said: bad token tok/en+7731 (tok%2Fen%2B7731)"),
            "server said: bad token *** (***)");
  gp::add_secret("abc");  // too short to mask without garbling messages
  EXPECT_EQ(gp::masked("abc"), "abc");
}
