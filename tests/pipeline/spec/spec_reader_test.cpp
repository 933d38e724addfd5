// The job-file reader's machinery on its own: edit distance and did-you-mean, problems
// collected with their place in the file, typed choices, ranges and paths. Expected values are
// worked out by hand (Levenshtein distances, 1-based YAML positions).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <string>

#include "geosweep/pipeline/enum_names.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "spec/spec_reader.hpp"

namespace gp = geosweep::pipeline;
namespace fs = std::filesystem;

namespace {

gp::spec_reader reader() {
  return gp::spec_reader("job.yaml", "/jobs", false);
}

}  // namespace

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
  EXPECT_EQ(gp::edit_distance("kitten", "sitting"), 3u);  // k->s, e->i, +g
  EXPECT_EQ(gp::edit_distance("", "abc"), 3u);
  EXPECT_EQ(gp::edit_distance("abc", ""), 3u);
  EXPECT_EQ(gp::edit_distance("ndvi", "ndvi"), 0u);
  EXPECT_EQ(gp::edit_distance("ndvl", "ndvi"), 1u);
  EXPECT_EQ(gp::edit_distance("flaw", "lawn"), 2u);  // -f, +n
}

TEST(DidYouMean, SuggestsOnlyCloseCandidates) {
  std::vector<std::string> const indices{"ndvi", "nbr", "ndmi"};
  EXPECT_EQ(gp::did_you_mean("ndvl", indices), "; did you mean 'ndvi'?");
  // A 4-letter word may be 2 edits away (max(2, 4/3) = 2), not 3.
  EXPECT_EQ(gp::did_you_mean("nxyi", {"ndvi"}), "; did you mean 'ndvi'?");  // 2 edits
  EXPECT_EQ(gp::did_you_mean("xxyi", {"ndvi"}), "");                        // 3 edits
  // A 9-letter word may be 3 edits away (9/3), not 4.
  EXPECT_EQ(gp::edit_distance("bitemxxal", "bitemporal"), 3u);
  EXPECT_EQ(gp::did_you_mean("bitemxxal", {"bitemporal"}), "; did you mean 'bitemporal'?");
  EXPECT_EQ(gp::edit_distance("bitemxxxl", "bitemporal"), 4u);
  EXPECT_EQ(gp::did_you_mean("bitemxxxl", {"bitemporal"}), "");
  // The closest of several.
  EXPECT_EQ(gp::did_you_mean("ndmj", indices), "; did you mean 'ndmi'?");
  EXPECT_EQ(gp::did_you_mean("anything", {}), "");
}

TEST(PlainNames, AreLettersDigitsDashUnderscoreAndDot) {
  EXPECT_TRUE(gp::is_plain_name("reserve-north_2.v1"));
  EXPECT_FALSE(gp::is_plain_name(""));
  EXPECT_FALSE(gp::is_plain_name("a b"));
  EXPECT_FALSE(gp::is_plain_name("a/b"));
}

TEST(SpecReader, CollectsEveryProblemWithItsPlace) {
  auto r = reader();
  auto const root = YAML::Load("a: 1\nb:\n  c: x\n");
  EXPECT_FALSE(r.failed());
  r.error(root["a"], "a", "first");
  r.error(root["b"]["c"], "b.c", "second");
  r.error(YAML::Mark::null_mark(), "", "nowhere");
  EXPECT_TRUE(r.failed());
  EXPECT_EQ(r.report(), "job.yaml:1:4: a: first\njob.yaml:3:6: b.c: second\njob.yaml:0:0: nowhere");
}

TEST(SpecReader, FlagsUnknownKeysWithASuggestion) {
  auto r = reader();
  r.check_keys(YAML::Load("method: x\ndrpo: 1\n"), "change", {"method", "drop"});
  EXPECT_EQ(r.report(),
            "job.yaml:2:1: change.drpo: unknown key 'drpo'; did you mean 'drop'? (expected one "
            "of: method, drop)");
}

TEST(SpecReader, IntegersInARangeIncludeBothEnds) {
  auto r = reader();
  auto const node = YAML::Load("[0, 1, 20, 21, x]");
  EXPECT_FALSE(r.integer_in(node[0], "n", 1, 20));
  EXPECT_EQ(r.integer_in(node[1], "n", 1, 20), 1);
  EXPECT_EQ(r.integer_in(node[2], "n", 1, 20), 20);
  EXPECT_FALSE(r.integer_in(node[3], "n", 1, 20));
  EXPECT_FALSE(r.integer_in(node[4], "n", 1, 20));
  EXPECT_EQ(r.report(),
            "job.yaml:1:2: n: expected 1 to 20\njob.yaml:1:12: n: expected 1 to 20\n"
            "job.yaml:1:16: n: expected an integer, found 'x'");
}

TEST(SpecReader, ChoicesAreTypedAndUnknownOnesSuggested) {
  auto r = reader();
  auto const node = YAML::Load("[bitemporal, bitemporl, [a]]");
  EXPECT_EQ(r.choice<gp::change_method>(node[0], "m", "method"), gp::change_method::bitemporal);
  EXPECT_FALSE(r.choice<gp::change_method>(node[1], "m", "method"));
  EXPECT_FALSE(r.choice<gp::change_method>(node[2], "m", "method"));
  EXPECT_EQ(r.report(),
            "job.yaml:1:14: m: unknown method 'bitemporl'; did you mean 'bitemporal'? (expected "
            "one of: baseline, bitemporal, bfast)\njob.yaml:1:25: m: expected a text value, found "
            "a list");
}

TEST(SpecReader, RangesMayBeOneDayButNotBackwards) {
  auto r = reader();
  auto const node = YAML::Load(
      "[[2024-01-05, 2024-01-05], [2024-01-05, 2024-01-04], [2024-02-30, "
      "2024-03-01], [2024-01-01]]");
  auto const one_day = r.range(node[0], "p");
  ASSERT_TRUE(one_day);
  EXPECT_EQ(gp::to_iso(one_day->first), "2024-01-05");
  EXPECT_TRUE(one_day->contains(one_day->last));
  EXPECT_FALSE(r.range(node[1], "p"));
  EXPECT_FALSE(r.range(node[2], "p"));
  EXPECT_FALSE(r.range(node[3], "p"));
  auto const report = r.report();
  EXPECT_NE(report.find("p: range ends (2024-01-04) before it starts (2024-01-05)"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("p[0]: '2024-02-30' is not a valid date"), std::string::npos) << report;
  EXPECT_NE(report.find("p: expected [first, last], found 1 values"), std::string::npos) << report;
}

TEST(SpecReader, PathsAreRelativeToTheJobFolderAndCheckedWhenAsked) {
  auto const node = YAML::Load("[scenes/../aois/a.geojson, /abs/x.tif, '']");
  auto r = reader();  // paths not checked
  EXPECT_EQ(r.path(node[0], "g", true, "geometry file"), fs::path("/jobs/aois/a.geojson"));
  EXPECT_EQ(r.path(node[1], "g", true, "geometry file"), fs::path("/abs/x.tif"));
  EXPECT_FALSE(r.path(node[2], "g", true, "geometry file"));
  EXPECT_EQ(r.report(), "job.yaml:1:40: g: empty path");

  gp::spec_reader checked("job.yaml", "/jobs", true);
  EXPECT_FALSE(checked.path(node[0], "g", true, "geometry file"));
  EXPECT_TRUE(checked.path(node[0], "g", false, "output folder"));  // need not exist
  EXPECT_EQ(checked.report(),
            "job.yaml:1:2: g: geometry file '/jobs/aois/a.geojson' does not exist");
}

TEST(EnumNames, RoundTripEveryValue) {
  for (auto m : {gp::change_method::baseline, gp::change_method::bitemporal})
    EXPECT_EQ(gp::from_string<gp::change_method>(gp::to_string(m)), m);
  EXPECT_EQ(gp::to_string(gp::sensor_type::landsat_c2_l2), "landsat-c2-l2");
  EXPECT_EQ(gp::to_string(gp::channel_type::file), "file");
  EXPECT_EQ(gp::to_string(gp::smtp_tls::ssl), "ssl");
  EXPECT_EQ(gp::to_string(gp::polygon_format::geojson), "geojson");
  EXPECT_FALSE(gp::from_string<gp::sensor_type>("sentinel2"));
  EXPECT_EQ(gp::all_names<gp::smtp_tls>(), (std::vector<std::string>{"starttls", "ssl", "none"}));
}
