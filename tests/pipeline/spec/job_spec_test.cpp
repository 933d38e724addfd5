// Job spec validation: every error names file, line, column and key path; every example in
// configs/ parses.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/notifier.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;

namespace {

class JobSpec : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("geosweep_job_spec_" + std::to_string(::getpid()));
    fs::create_directories(dir_ / "scenes");
    fs::create_directories(dir_ / "aois");
    std::ofstream(dir_ / "aois" / "a.geojson") << "{}";
  }
  void TearDown() override { fs::remove_all(dir_); }

  /// The config_error text for `text`, or "" when it parses.
  std::string error_of(std::string const& text) {
    try {
      gp::parse_job_spec(text, dir_ / "job.yaml");
    } catch (geosweep::config_error const& e) {
      return e.what();
    }
    return "";
  }

  std::string path(char const* name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

std::string const kValid = R"(job: test
sensor: sentinel2-l2a
scenes:
  dir: scenes
aois:
  - name: north
    bbox: [-63.0, -9.6, -62.9, -9.5]
  - name: concession
    geometry: aois/a.geojson
period:
  baseline: [2023-06-01, 2023-08-31]
  monitor: [2024-06-01, 2024-08-31]
indices: [ndvi, nbr]
change:
  method: bitemporal
  index: ndvi
  drop: 0.3
outputs:
  dir: results
)";

std::string replace(std::string text, std::string const& from, std::string const& to) {
  auto const at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return text.replace(at, from.size(), to);
}

}  // namespace

TEST_F(JobSpec, ValidSpecIsReadWithPathsResolvedAgainstTheJobFolder) {
  auto const spec = gp::parse_job_spec(kValid, dir_ / "job.yaml");
  EXPECT_EQ(spec.name, "test");
  ASSERT_EQ(spec.aois.size(), 2u);
  EXPECT_EQ(spec.aois[0].name, "north");
  ASSERT_TRUE(spec.aois[0].bbox);
  EXPECT_DOUBLE_EQ((*spec.aois[0].bbox)[0], -63.0);
  EXPECT_EQ(*spec.aois[1].geometry, dir_ / "aois" / "a.geojson");
  EXPECT_EQ(*spec.scenes.dir, dir_ / "scenes");
  EXPECT_EQ(spec.outputs.dir, dir_ / "results");
  EXPECT_EQ(gp::to_iso(spec.baseline.first), "2023-06-01");
  EXPECT_EQ(gp::to_iso(spec.monitor.last), "2024-08-31");
  EXPECT_DOUBLE_EQ(spec.change.drop, 0.3);
  EXPECT_DOUBLE_EQ(spec.change.forest_min, 0.6);  // default
  EXPECT_EQ(spec.indices, (std::vector<std::string>{"ndvi", "nbr"}));
  EXPECT_EQ(spec.text, kValid);
}

TEST_F(JobSpec, UnknownKeyGetsLineColumnAndSuggestion) {
  auto const e = error_of(replace(kValid, "  drop: 0.3", "  dorp: 0.3"));
  EXPECT_EQ(e, path("job.yaml") +
                   ":17:3: change.dorp: unknown key 'dorp'; did you mean 'drop'? "
                   "(expected one of: method, index, drop, forest_min, k_sigma, confirm, "
                   "window_days, min_area_ha, grow, edge_buffer_m, warn_flagged_share, "
                   "warn_season_days, bfast, causes)");
}

TEST_F(JobSpec, BfastSettingsAreReadWithTheirDefaults) {
  auto spec = gp::parse_job_spec(
      replace(kValid, "  method: bitemporal\n  index: ndvi\n  drop: 0.3", "  method: bfast"),
      dir_ / "job.yaml");
  EXPECT_EQ(spec.change.method, gp::change_method::bfast);
  EXPECT_EQ(spec.change.bfast.k, 3);
  EXPECT_FALSE(spec.change.bfast.trend);
  EXPECT_DOUBLE_EQ(spec.change.bfast.h, 0.25);
  EXPECT_DOUBLE_EQ(spec.change.bfast.level, 0.05);
  EXPECT_EQ(spec.change.bfast.end, 10);
  EXPECT_EQ(spec.change.bfast.min_history, 24);
  EXPECT_EQ(spec.change.bfast.params(), 7);
  spec = gp::parse_job_spec(
      replace(kValid, "  method: bitemporal\n  index: ndvi\n  drop: 0.3",
              "  method: bfast\n  confirm: 3\n  bfast: {k: 1, trend: true, h: 0.5, level: 0.01, "
              "end: 4, min_history: 40}"),
      dir_ / "job.yaml");
  EXPECT_EQ(spec.change.confirm, 3);
  EXPECT_EQ(spec.change.bfast.k, 1);
  EXPECT_TRUE(spec.change.bfast.trend);
  EXPECT_DOUBLE_EQ(spec.change.bfast.h, 0.5);
  EXPECT_DOUBLE_EQ(spec.change.bfast.level, 0.01);
  EXPECT_EQ(spec.change.bfast.end, 4);
  EXPECT_EQ(spec.change.bfast.min_history, 40);
  EXPECT_EQ(spec.change.bfast.params(), 4);
}

TEST_F(JobSpec, BfastSettingsOutsideTheTableAreRefusedByName) {
  auto const bfast = [&](std::string const& settings) {
    return error_of(replace(kValid, "  method: bitemporal\n  index: ndvi\n  drop: 0.3",
                            "  method: bfast\n  bfast: {" + settings + "}"));
  };
  EXPECT_NE(bfast("h: 0.3").find("change.bfast.h: expected 0.25, 0.5 or 1"), std::string::npos);
  EXPECT_EQ(bfast("h: 1"), "");
  // level: the table's 1 - level runs from 0.95 to 0.999.
  EXPECT_EQ(bfast("level: 0.05"), "");
  EXPECT_EQ(bfast("level: 0.001"), "");
  EXPECT_NE(bfast("level: 0.0501").find("change.bfast.level"), std::string::npos);
  EXPECT_NE(bfast("level: 0.0009").find("change.bfast.level"), std::string::npos);
  EXPECT_EQ(bfast("k: 3"), "");
  EXPECT_NE(bfast("k: 4").find("change.bfast.k"), std::string::npos);
  EXPECT_EQ(bfast("k: 0"), "");
  EXPECT_NE(bfast("end: 5").find("change.bfast.end: expected 2, 4, 6, 8 or 10"), std::string::npos);
  EXPECT_NE(bfast("end: 12").find("change.bfast.end"), std::string::npos);
  EXPECT_NE(bfast("min_history: 0").find("change.bfast.min_history"), std::string::npos);
  EXPECT_NE(bfast("order: 3").find("change.bfast.order: unknown key"), std::string::npos);
  // Settings of other methods, and bfast settings under another method.
  EXPECT_NE(error_of(replace(kValid, "  method: bitemporal\n  index: ndvi\n  drop: 0.3",
                             "  method: bfast\n  drop: 0.3"))
                .find("change.drop: 'drop' does not apply to the bfast method"),
            std::string::npos);
  EXPECT_NE(error_of(replace(kValid, "  drop: 0.3", "  drop: 0.3\n  bfast: {k: 2}"))
                .find("change.bfast: 'bfast' settings need 'method: bfast'"),
            std::string::npos);
}

TEST_F(JobSpec, UnknownIndexSuggestsTheNearestName) {
  auto const e = error_of(replace(kValid, "  index: ndvi", "  index: ndvl"));
  EXPECT_NE(
      e.find(path("job.yaml") + ":16:10: change.index: unknown index 'ndvl'; did you mean 'ndvi'?"),
      std::string::npos)
      << e;
}

TEST_F(JobSpec, WrongTypeIsReported) {
  auto const e = error_of(replace(kValid, "drop: 0.3", "drop: lots"));
  EXPECT_NE(e.find(":17:9: change.drop: expected a number, found 'lots'"), std::string::npos) << e;
}

TEST_F(JobSpec, BadDateAndInvertedRange) {
  auto e = error_of(replace(kValid, "2023-06-01, 2023-08-31", "2023-06-31, 2023-08-31"));
  EXPECT_NE(e.find(":11:14: period.baseline[0]: '2023-06-31' is not a valid date"),
            std::string::npos)
      << e;
  e = error_of(replace(kValid, "2024-06-01, 2024-08-31", "2024-08-31, 2024-06-01"));
  EXPECT_NE(e.find(":12:12: period.monitor: range ends (2024-06-01) before it starts (2024-08-31)"),
            std::string::npos)
      << e;
}

TEST_F(JobSpec, MonitorMustFollowBaseline) {
  auto const e = error_of(replace(kValid, "2024-06-01, 2024-08-31", "2023-07-01, 2024-08-31"));
  EXPECT_NE(e.find("period.monitor: the monitoring period must start after the baseline ends"),
            std::string::npos)
      << e;
}

TEST_F(JobSpec, MissingFilesAreNamed) {
  auto const e =
      error_of(replace(kValid, "geometry: aois/a.geojson", "geometry: aois/missing.geojson"));
  EXPECT_NE(e.find(":9:15: aois[1].geometry: geometry file '" + path("aois/missing.geojson") +
                   "' does not exist"),
            std::string::npos)
      << e;
  auto const no_check =
      gp::parse_job_spec(replace(kValid, "aois/a.geojson", "aois/missing.geojson"),
                         dir_ / "job.yaml", /*check_paths=*/false);
  EXPECT_EQ(*no_check.aois[1].geometry, dir_ / "aois" / "missing.geojson");
}

TEST_F(JobSpec, BboxOutOfRangeAndWrongLength) {
  auto e = error_of(replace(kValid, "[-63.0, -9.6, -62.9, -9.5]", "[-63.0, -9.6, -62.9]"));
  EXPECT_NE(
      e.find(":7:11: aois[0].bbox: expected [lon_min, lat_min, lon_max, lat_max], found 3 values"),
      std::string::npos)
      << e;
  e = error_of(replace(kValid, "[-63.0, -9.6, -62.9, -9.5]", "[-62.9, -9.6, -63.0, -9.5]"));
  EXPECT_NE(e.find("aois[0].bbox: expected lon_min < lon_max"), std::string::npos) << e;
}

TEST_F(JobSpec, EveryErrorIsReportedOnItsOwnLine) {
  std::string text = replace(kValid, "  dir: scenes", "  dir: nowhere");
  text = replace(text, "sentinel2-l2a", "sentinel-2");
  text = replace(text, "  - name: concession", "  - name: north");
  auto const e = error_of(text);
  EXPECT_NE(e.find(":2:9: sensor: unknown sensor 'sentinel-2'; did you mean 'sentinel2-l2a'?"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find(":4:8: scenes.dir: scene folder '" + path("nowhere") + "' does not exist"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find(":8:11: aois[1].name: duplicate AOI name 'north'"), std::string::npos) << e;
  EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 2) << e;
}

TEST_F(JobSpec, MissingRequiredKeys) {
  auto const e = error_of("job: x\n");
  EXPECT_NE(e.find("scenes: missing required key"), std::string::npos) << e;
  EXPECT_NE(e.find("aois: missing required key"), std::string::npos) << e;
  EXPECT_NE(e.find("period: missing required key"), std::string::npos) << e;
}

TEST_F(JobSpec, YamlSyntaxErrorHasALocation) {
  auto const e = error_of("job: x\naois: [\n  - name: a\n");
  EXPECT_EQ(e.rfind(path("job.yaml") + ":", 0), 0u) << e;
  EXPECT_NE(e.find("YAML syntax error"), std::string::npos) << e;
}

TEST_F(JobSpec, GenericSensorNeedsTheBandsOfItsIndices) {
  auto const text = replace(kValid, "sensor: sentinel2-l2a",
                            "sensor:\n  type: generic\n  bands: {red: 1, nir: 4}");
  auto const e = error_of(text);
  EXPECT_NE(e.find("sensor.bands: index 'nbr' needs band 'swir2'"), std::string::npos) << e;
  auto const ok = replace(text, "{red: 1, nir: 4}",
                          "{red: 1, nir: 4, swir2: 6}\n  scale: 0.0001\n  nodata: 9999");
  auto const spec = gp::parse_job_spec(ok, dir_ / "job.yaml");
  EXPECT_EQ(spec.sensor.bands.at("swir2").band_number, 6);
  EXPECT_EQ(spec.sensor.nodata, 9999);
  EXPECT_DOUBLE_EQ(spec.sensor.scale, 0.0001);
}

TEST_F(JobSpec, GenericNodataAndSaturatedCodes) {
  auto const generic = replace(kValid, "sensor: sentinel2-l2a",
                               "sensor:\n  type: generic\n  bands: {red: 1, nir: 4, swir2: 6}\n"
                               "  nodata: -9999.5\n  saturated: [20000, -1, 0.25]");
  auto const spec = gp::parse_job_spec(generic, dir_ / "job.yaml");
  EXPECT_EQ(spec.sensor.nodata, -9999.5);  // negative, not an integer: a float band's
  EXPECT_EQ(spec.sensor.saturated, (std::vector<double>{20000, -1, 0.25}));
  // Each error located: the key, the list entry.
  auto e = error_of(replace(generic, "[20000, -1, 0.25]", "[20000, lots]"));
  EXPECT_NE(e.find(":6:22: sensor.saturated[1]: expected a number, found 'lots'"),
            std::string::npos)
      << e;
  e = error_of(replace(generic, "[20000, -1, 0.25]", "[1, 2, 3, 4, 5, 6, 7, 8, 9]"));
  EXPECT_NE(e.find("sensor.saturated: at most 8 codes"), std::string::npos) << e;
  e = error_of(replace(generic, "[20000, -1, 0.25]", "[]"));
  EXPECT_NE(e.find("sensor.saturated: the list is empty"), std::string::npos) << e;
  e = error_of(replace(generic, "[20000, -1, 0.25]", "20000"));
  EXPECT_NE(e.find("sensor.saturated: expected a list"), std::string::npos) << e;
  e = error_of(replace(generic, "-9999.5", "-.inf"));
  EXPECT_NE(e.find("sensor.nodata: expected a finite number"), std::string::npos) << e;
  e = error_of(replace(kValid, "sensor: sentinel2-l2a",
                       "sensor: {type: landsat-c2-l2, saturated: [20000]}"));
  EXPECT_NE(e.find("sensor.saturated: only a generic sensor takes 'saturated'"), std::string::npos)
      << e;
}

TEST_F(JobSpec, GridAndProcessing) {
  auto const spec = gp::parse_job_spec(
      kValid + "grid: {crs: EPSG:32720, resolution: 20}\nprocessing: {chunk: 256, readers: 3}\n",
      dir_ / "job.yaml");
  EXPECT_EQ(spec.grid.crs, "EPSG:32720");
  EXPECT_EQ(spec.grid.resolution, 20.0);
  EXPECT_EQ(spec.processing.chunk, 256);
  EXPECT_EQ(spec.processing.readers, 3);
  EXPECT_EQ(spec.processing.slots, 4);  // by default one more than the readers
  // Without a processing block: a reader per core, 2 to 8, and one slot more.
  auto const defaults = gp::parse_job_spec(kValid, dir_ / "job.yaml");
  EXPECT_GE(defaults.processing.readers, 2);
  EXPECT_LE(defaults.processing.readers, 8);
  EXPECT_EQ(defaults.processing.slots, defaults.processing.readers + 1);
  EXPECT_EQ(
      gp::parse_job_spec(kValid + "processing: {slots: 5}\n", dir_ / "job.yaml").processing.slots,
      5);
  auto const e =
      error_of(kValid + "grid: {crs: EPSG:99999999, resolution: -5}\nprocessing: {chunk: 4}\n");
  EXPECT_NE(e.find(":20:13: grid.crs: 'EPSG:99999999' is not a CRS GDAL knows"), std::string::npos)
      << e;
  EXPECT_NE(e.find(":20:40: grid.resolution: must be positive"), std::string::npos) << e;
  EXPECT_NE(e.find(":21:21: processing.chunk: expected 16 to 8192"), std::string::npos) << e;
}

TEST_F(JobSpec, AlertPolygonFormats) {
  auto spec = gp::parse_job_spec(kValid, dir_ / "job.yaml");
  EXPECT_EQ(spec.outputs.alert_polygons,
            (std::vector{gp::polygon_format::gpkg, gp::polygon_format::geojson}));
  spec = gp::parse_job_spec(
      replace(kValid, "  dir: results\n", "  dir: results\n  alert_polygons: [kmz]\n"),
      dir_ / "job.yaml");
  EXPECT_EQ(spec.outputs.alert_polygons, std::vector{gp::polygon_format::kmz});
  spec = gp::parse_job_spec(
      replace(kValid, "  dir: results\n", "  dir: results\n  alert_polygons: [geojson]\n"),
      dir_ / "job.yaml");
  EXPECT_EQ(spec.outputs.alert_polygons, std::vector{gp::polygon_format::geojson});
  auto e =
      error_of(replace(kValid, "  dir: results\n", "  dir: results\n  alert_polygons: [gpgk]\n"));
  EXPECT_NE(e.find("outputs.alert_polygons[0]: unknown format 'gpgk'; did you mean 'gpkg'?"),
            std::string::npos)
      << e;
  e = error_of(replace(kValid, "  dir: results\n", "  dir: results\n  hdf5: false\n"));
  EXPECT_NE(e.find("outputs.hdf5: alert polygons are traced from change.nc"), std::string::npos)
      << e;
  EXPECT_EQ(error_of(replace(kValid, "  dir: results\n",
                             "  dir: results\n  hdf5: false\n  alert_polygons: []\n")),
            "");
}

TEST_F(JobSpec, CogsSeriesAndLayers) {
  auto const with = [&](std::string const& lines) {
    return gp::parse_job_spec(replace(kValid, "  dir: results\n", "  dir: results\n" + lines),
                              dir_ / "job.yaml");
  };
  auto spec = gp::parse_job_spec(kValid, dir_ / "job.yaml");
  // Defaults: COGs by AOI size, no series in change.nc, every optional layer.
  EXPECT_TRUE(spec.outputs.cog);
  EXPECT_FALSE(spec.outputs.cog_every_aoi);
  EXPECT_FALSE(spec.outputs.series);
  EXPECT_EQ(spec.outputs.layers.size(), 5u);
  // cog: auto's limit, on, just under and just over 25 Mpx.
  EXPECT_TRUE(gp::writes_cogs(spec.outputs, 25'000'000));
  EXPECT_TRUE(gp::writes_cogs(spec.outputs, 24'999'999));
  EXPECT_FALSE(gp::writes_cogs(spec.outputs, 25'000'001));
  // The index looks in change.nc follow the same size rule unless the job lists its layers.
  EXPECT_TRUE(gp::writes_index_looks(spec.outputs, 25'000'000));
  EXPECT_FALSE(gp::writes_index_looks(spec.outputs, 25'000'001));
  EXPECT_TRUE(gp::writes_index_looks(with("  layers: [indices]\n").outputs, 400'000'000));
  EXPECT_FALSE(gp::writes_index_looks(with("  layers: [dates]\n").outputs, 1));
  EXPECT_TRUE(gp::writes_index_looks(with("  report: true\n").outputs, 400'000'000));
  spec = with("  cog: true\n");
  EXPECT_TRUE(gp::writes_cogs(spec.outputs, 400'000'000));
  spec = with("  cog: false\n");
  EXPECT_FALSE(gp::writes_cogs(spec.outputs, 1));
  spec = with("  cog: auto\n  series: true\n  layers: [dates, indices]\n");
  EXPECT_FALSE(gp::writes_cogs(spec.outputs, 25'000'001));
  EXPECT_TRUE(spec.outputs.series);
  EXPECT_TRUE(spec.outputs.has_layer(gp::optional_layer::dates));
  EXPECT_TRUE(spec.outputs.has_layer(gp::optional_layer::indices));
  EXPECT_FALSE(spec.outputs.has_layer(gp::optional_layer::magnitude));
  EXPECT_TRUE(with("  layers: []\n").outputs.layers.empty());
  auto e = error_of(replace(kValid, "  dir: results\n", "  dir: results\n  cog: maybe\n"));
  EXPECT_NE(e.find("outputs.cog: expected true, false or auto"), std::string::npos) << e;
  e = error_of(replace(kValid, "  dir: results\n", "  dir: results\n  layers: [magnitudes]\n"));
  EXPECT_NE(e.find("outputs.layers[0]: unknown layer 'magnitudes'; did you mean 'magnitude'?"),
            std::string::npos)
      << e;
  e = error_of(
      replace(kValid, "  dir: results\n", "  dir: results\n  report: true\n  layers: [dates]\n"));
  EXPECT_NE(e.find("outputs.layers: reports show the index before and after"), std::string::npos)
      << e;
}

TEST_F(JobSpec, MissingJobFile) {
  EXPECT_THROW(gp::load_job_spec(dir_ / "absent.yaml"), geosweep::config_error);
}

namespace {

/// Appended to kValid (which ends on line 19): one channel of each type.
std::string const kNotifications = R"(notifications:
  - name: ops-webhook
    type: webhook
    url: https://hooks.example.org/geosweep
    aois: [concession]
    headers: {Authorization: "Bearer ${GEOSWEEP_HOOK_TOKEN}", X-Source: geosweep}
    timeout_s: 5
  - name: analysts
    type: email
    smtp_url: smtp://mail.example.org:587
    from: geosweep@example.org
    to: [analyst@example.org, duty@example.org]
    username_env: GEOSWEEP_SMTP_USER
    password_env: GEOSWEEP_SMTP_PASSWORD
  - name: inbox
    type: file
    dir: inbox
)";

}  // namespace

TEST_F(JobSpec, NotificationChannelsAreRead) {
  auto const spec = gp::parse_job_spec(kValid + kNotifications, dir_ / "job.yaml");
  ASSERT_EQ(spec.notifications.size(), 3u);
  auto const& hook = spec.notifications[0];
  EXPECT_EQ(hook.name, "ops-webhook");
  EXPECT_EQ(hook.type, gp::channel_type::webhook);
  EXPECT_EQ(hook.webhook.url, "https://hooks.example.org/geosweep");
  EXPECT_EQ(hook.aois, (std::vector<std::string>{"concession"}));
  EXPECT_TRUE(hook.covers("concession"));
  EXPECT_FALSE(hook.covers("north"));
  ASSERT_EQ(hook.webhook.headers.size(), 2u);
  EXPECT_EQ(hook.webhook.headers[0].first, "Authorization");
  EXPECT_EQ(hook.webhook.headers[0].second, "Bearer ${GEOSWEEP_HOOK_TOKEN}");  // expanded later
  EXPECT_EQ(hook.webhook.headers[1].first, "X-Source");
  EXPECT_DOUBLE_EQ(hook.timeout_s, 5);
  EXPECT_DOUBLE_EQ(hook.connect_timeout_s, 10);  // defaults
  EXPECT_EQ(hook.attempts, 3);
  EXPECT_DOUBLE_EQ(hook.backoff_s, 1);
  ASSERT_EQ(hook.secrets.size(), 1u);
  EXPECT_EQ(hook.secrets[0].variable, "GEOSWEEP_HOOK_TOKEN");
  EXPECT_EQ(hook.secrets[0].key_path, "notifications[0].headers.Authorization");
  EXPECT_EQ(hook.secrets[0].where.line, 25);
  EXPECT_EQ(hook.secrets[0].where.column, 30);

  auto const& mail = spec.notifications[1];
  EXPECT_EQ(mail.type, gp::channel_type::email);
  EXPECT_DOUBLE_EQ(mail.timeout_s, 30);  // the default: a receiver taking 10 s passes
  EXPECT_DOUBLE_EQ(mail.connect_timeout_s, 10);
  EXPECT_EQ(mail.email.smtp_url, "smtp://mail.example.org:587");
  EXPECT_EQ(mail.email.tls, gp::smtp_tls::starttls);  // the default for smtp://
  EXPECT_EQ(mail.email.from, "geosweep@example.org");
  EXPECT_EQ(mail.email.to, (std::vector<std::string>{"analyst@example.org", "duty@example.org"}));
  EXPECT_EQ(mail.email.username_env, "GEOSWEEP_SMTP_USER");
  EXPECT_EQ(mail.email.password_env, "GEOSWEEP_SMTP_PASSWORD");
  EXPECT_TRUE(mail.email.attach_geojson);
  EXPECT_TRUE(mail.covers("north"));  // no aois: every AOI
  ASSERT_EQ(mail.secrets.size(), 2u);
  EXPECT_EQ(mail.secrets[1].variable, "GEOSWEEP_SMTP_PASSWORD");

  auto const& drop = spec.notifications[2];
  EXPECT_EQ(drop.type, gp::channel_type::file);
  EXPECT_EQ(drop.file.dir, dir_ / "inbox");  // relative to the job file

  auto const smtps = gp::parse_job_spec(
      kValid + replace(kNotifications, "smtp://mail.example.org:587", "smtps://mail.example.org"),
      dir_ / "job.yaml");
  EXPECT_EQ(smtps.notifications[1].email.tls, gp::smtp_tls::ssl);
  auto const local =
      gp::parse_job_spec(kValid + replace(kNotifications, "smtp://mail.example.org:587\n",
                                          "smtp://127.0.0.1:2525\n    tls: none\n"),
                         dir_ / "job.yaml");
  EXPECT_EQ(local.notifications[1].email.tls, gp::smtp_tls::none);
  auto const templated =
      gp::parse_job_spec(kValid + replace(kNotifications, "https://hooks.example.org/geosweep",
                                          "\"${GEOSWEEP_WEBHOOK_URL}\""),
                         dir_ / "job.yaml");
  EXPECT_EQ(templated.notifications[0].secrets[0].variable, "GEOSWEEP_WEBHOOK_URL");
  EXPECT_EQ(gp::environment_references("a ${X} b ${Y_2}"), (std::vector<std::string>{"X", "Y_2"}));
  EXPECT_FALSE(gp::environment_references("${X"));
  EXPECT_FALSE(gp::environment_references("${2X}"));
}

TEST_F(JobSpec, NotificationErrorsAreLocated) {
  struct bad_case {
    std::string from, to, expected;
  };
  std::vector<bad_case> const cases{
      {"    type: webhook", "    type: webhok",
       ":22:11: notifications[0].type: unknown channel type 'webhok'; did you mean 'webhook'?"},
      {"    timeout_s: 5", "    timout_s: 5",
       ":26:5: notifications[0].timout_s: unknown key 'timout_s'; did you mean 'timeout_s'?"},
      {"    timeout_s: 5", "    timeout_s: 0",
       ":26:16: notifications[0].timeout_s: expected a value in (0, 600]"},
      {"    timeout_s: 5", "    timeout_s: 600.5",
       ":26:16: notifications[0].timeout_s: expected a value in (0, 600]"},
      {"    timeout_s: 5", "    connect_timeout_s: 0",
       ":26:24: notifications[0].connect_timeout_s: expected a value in (0, 600]"},
      {"    timeout_s: 5", "    connect_timeout_s: soon",
       ":26:24: notifications[0].connect_timeout_s: expected a number"},
      {"    timeout_s: 5", "    conect_timeout_s: 5",
       ":26:5: notifications[0].conect_timeout_s: unknown key 'conect_timeout_s'; did you mean "
       "'connect_timeout_s'?"},
      {"    dir: inbox\n", "    dir: inbox\n    connect_timeout_s: 2\n",
       ":37:5: notifications[2].connect_timeout_s: a file drop is written once; it takes no "
       "'connect_timeout_s'"},
      {"    timeout_s: 5", "    attempts: 0",
       ":26:15: notifications[0].attempts: expected 1 to 20"},
      {"    timeout_s: 5", "    token: abc123",
       ":26:5: notifications[0].token: secrets never go in the job file: put the value in an "
       "environment variable and name it in a header value: headers: {Authorization: \"Bearer "
       "${GEOSWEEP_HOOK_TOKEN}\"}"},
      {"Bearer ${GEOSWEEP_HOOK_TOKEN}", "Bearer abc123",
       ":25:30: notifications[0].headers.Authorization: secrets never go in the job file"},
      {"X-Source: geosweep", "X-Api-Key: abc123",
       ":25:74: notifications[0].headers.X-Api-Key: secrets never go in the job file"},
      {"X-Source: geosweep", "Idempotency-Key: x",
       ":25:63: notifications[0].headers.Idempotency-Key: geosweep sets the 'Idempotency-Key' "
       "header itself"},
      {"${GEOSWEEP_HOOK_TOKEN}", "${GEOSWEEP HOOK}",
       ":25:30: notifications[0].headers.Authorization: malformed environment reference"},
      {"https://hooks.example.org/geosweep", "https://bot:pw@hooks.example.org/geosweep",
       ":23:10: notifications[0].url: secrets never go in the job file"},
      {"https://hooks.example.org/geosweep", "https://hooks.example.org/geosweep?token=abc",
       ":23:10: notifications[0].url: query parameter 'token': secrets never go in the job file"},
      {"https://hooks.example.org/geosweep", "ftp://hooks.example.org/geosweep",
       ":23:10: notifications[0].url: 'ftp://hooks.example.org/geosweep' is not an http:// or "
       "https:// URL"},
      {"aois: [concession]", "aois: [concesion]",
       ":24:12: notifications[0].aois[0]: unknown AOI 'concesion'; did you mean 'concession'? "
       "(the job's AOIs: north, concession)"},
      {"    from: geosweep@example.org\n",
       "    from: geosweep@example.org\n    password: hunter2\n",
       ":31:5: notifications[1].password: secrets never go in the job file: put the value in an "
       "environment variable and name it with username_env and password_env"},
      {"    from: geosweep@example.org\n", "    from: geosweep@example.org\n    url: x\n",
       ":31:5: notifications[1].url: only a webhook channel takes 'url'; this one is email"},
      {"    from: geosweep@example.org\n", "    from: geosweep@example.org\n    tls: none\n",
       ":31:10: notifications[1].tls: tls: none sends alerts and credentials in clear text"},
      {"smtp://mail.example.org:587\n", "smtps://mail.example.org\n    tls: starttls\n",
       ":30:10: notifications[1].tls: an smtps:// server speaks TLS from the start"},
      {"smtp://mail.example.org:587", "smtp://mail.example.org:99999",
       ":29:15: notifications[1].smtp_url: 'smtp://mail.example.org:99999' is not "
       "smtp://host[:port] or smtps://host[:port]"},
      {"from: geosweep@example.org", "from: geosweep",
       ":30:11: notifications[1].from: 'geosweep' is not an e-mail address"},
      {"    to: [analyst@example.org, duty@example.org]\n", "",
       ":27:5: notifications[1]: missing key 'to' (a list of recipient addresses)"},
      {"to: [analyst@example.org, duty@example.org]",
       "to: [analyst@example.org, analyst@example.org]",
       ":31:31: notifications[1].to[1]: 'analyst@example.org' is listed twice"},
      {"username_env: GEOSWEEP_SMTP_USER", "username_env: hunter2!",
       ":32:19: notifications[1].username_env: expected the name of an environment variable"},
      {"    password_env: GEOSWEEP_SMTP_PASSWORD\n", "",
       ":27:5: notifications[1]: give both 'username_env' and 'password_env', or neither"},
      {"    dir: inbox\n", "    dir: inbox\n    attempts: 2\n",
       ":37:5: notifications[2].attempts: a file drop is written once; it takes no 'attempts'"},
      {"    dir: inbox\n", "", ":34:5: notifications[2]: missing key 'dir'"},
      {"  - name: inbox", "  - name: analysts",
       ":34:11: notifications[2].name: duplicate channel name 'analysts'"},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.to);
    auto const e = error_of(kValid + replace(kNotifications, c.from, c.to));
    EXPECT_NE(e.find(path("job.yaml") + c.expected), std::string::npos) << e;
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 0) << e;  // that problem alone
  }
  auto const not_a_list = error_of(kValid + "notifications: {name: x}\n");
  EXPECT_NE(not_a_list.find(":20:16: notifications: expected a list, found a mapping"),
            std::string::npos)
      << not_a_list;
}

TEST_F(JobSpec, EveryNotificationErrorIsListed) {
  std::string text = replace(kNotifications, "    type: webhook", "    type: webhok");
  text = replace(text, "from: geosweep@example.org", "from: geosweep");
  text = replace(text, "    dir: inbox\n", "");
  auto const e = error_of(kValid + text);
  EXPECT_NE(e.find(":22:11: notifications[0].type: unknown channel type"), std::string::npos) << e;
  EXPECT_NE(e.find(":30:11: notifications[1].from: 'geosweep' is not an e-mail address"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find(":34:5: notifications[2]: missing key 'dir'"), std::string::npos) << e;
}

TEST(Configs, EveryExampleParses) {
  fs::path const configs = fs::path(GEOSWEEP_SOURCE_DIR) / "configs";
  int parsed = 0;
  for (auto const& entry : fs::directory_iterator(configs)) {
    if (entry.path().extension() != ".yaml") continue;
    SCOPED_TRACE(entry.path().string());
    // Example paths point at data a user supplies; everything else is checked.
    EXPECT_NO_THROW(gp::load_job_spec(entry.path(), /*check_paths=*/false));
    ++parsed;
  }
  EXPECT_GE(parsed, 2);
}

TEST_F(JobSpec, HttpLimitsOfRemoteScenesAreReadAndCheckedAtTheirBounds) {
  auto const none = gp::parse_job_spec(kValid, dir_ / "job.yaml");
  EXPECT_FALSE(none.scenes.http.timeout_s);  // left to the environment, then the defaults
  EXPECT_FALSE(none.scenes.http.attempts);
  auto const all = gp::parse_job_spec(
      replace(kValid, "  dir: scenes\n",
              "  dir: scenes\n  http: {connect_timeout_s: 600, timeout_s: 3600, attempts: 20, "
              "backoff_s: 0}\n"),
      dir_ / "job.yaml");
  EXPECT_EQ(all.scenes.http.connect_timeout_s, 600.0);  // every upper bound is allowed
  EXPECT_EQ(all.scenes.http.timeout_s, 3600.0);
  EXPECT_EQ(all.scenes.http.attempts, 20);
  EXPECT_EQ(all.scenes.http.backoff_s, 0.0);
  auto const low =
      gp::parse_job_spec(replace(kValid, "  dir: scenes\n",
                                 "  dir: scenes\n  http:\n    timeout_s: 0.01\n    attempts: 1\n"),
                         dir_ / "job.yaml");
  EXPECT_EQ(low.scenes.http.timeout_s, 0.01);
  EXPECT_EQ(low.scenes.http.attempts, 1);
  EXPECT_FALSE(low.scenes.http.backoff_s);

  struct bad_case {
    std::string http, expected;
  };
  std::vector<bad_case> const cases{
      {"{timeout_s: 0}", ":5:21: scenes.http.timeout_s: expected a value in (0, 3600]"},
      {"{timeout_s: 3600.5}", ":5:21: scenes.http.timeout_s: expected a value in (0, 3600]"},
      {"{timeout_s: -1}", ":5:21: scenes.http.timeout_s: expected a value in (0, 3600]"},
      {"{connect_timeout_s: 600.5}",
       ":5:29: scenes.http.connect_timeout_s: expected a value in (0, 600]"},
      {"{attempts: 0}", ":5:20: scenes.http.attempts: expected 1 to 20"},
      {"{attempts: 21}", ":5:20: scenes.http.attempts: expected 1 to 20"},
      {"{backoff_s: -0.5}", ":5:21: scenes.http.backoff_s: expected a value in [0, 600]"},
      {"{backoff_s: 601}", ":5:21: scenes.http.backoff_s: expected a value in [0, 600]"},
      {"{timeout: 5}",
       ":5:10: scenes.http.timeout: unknown key 'timeout'; did you mean 'timeout_s'?"},
      {"30", ":5:9: scenes.http: expected a mapping"},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.http);
    auto const e =
        error_of(replace(kValid, "  dir: scenes\n", "  dir: scenes\n  http: " + c.http + "\n"));
    EXPECT_NE(e.find(path("job.yaml") + c.expected), std::string::npos) << e;
    EXPECT_EQ(std::count(e.begin(), e.end(), '\n'), 0) << e;  // that problem alone
  }
}

TEST_F(JobSpec, NetworksAreReadAndListTheirAoisInJobOrder) {
  // Three AOIs: two of one company (its name with spaces), one of none.
  auto const text = replace(replace(kValid, "  - name: north\n",
                                    "  - name: west\n    bbox: [-63.2, -9.6, -63.1, -9.5]\n"
                                    "    network: Acme Timber Ltd\n  - name: north\n"),
                            "    geometry: aois/a.geojson\n",
                            "    geometry: aois/a.geojson\n    network: Acme Timber Ltd\n");
  auto const spec = gp::parse_job_spec(text, dir_ / "job.yaml");
  ASSERT_EQ(spec.aois.size(), 3u);
  EXPECT_EQ(spec.aois[0].network, "Acme Timber Ltd");
  EXPECT_EQ(spec.aois[1].network, "");
  EXPECT_EQ(spec.aois[2].network, "Acme Timber Ltd");
  EXPECT_EQ(gp::network_aois(spec, "Acme Timber Ltd"),
            (std::vector<std::string>{"west", "concession"}));
  // A name no AOI carries (case matters) is refused with the job's networks.
  try {
    (void)gp::network_aois(spec, "acme timber ltd");
    ADD_FAILURE() << "no error";
  } catch (geosweep::config_error const& e) {
    EXPECT_EQ(std::string(e.what()), path("job.yaml") +
                                         ": no AOI of network 'acme timber ltd' (the job's "
                                         "networks: Acme Timber Ltd)");
  }
  // The empty name is no network, even though AOIs without one have it.
  EXPECT_THROW((void)gp::network_aois(spec, ""), geosweep::config_error);
}

TEST_F(JobSpec, AJobWithoutNetworksSaysSoWhenOneIsAskedFor) {
  auto const spec = gp::parse_job_spec(kValid, dir_ / "job.yaml");
  EXPECT_EQ(spec.aois[0].network, "");
  try {
    (void)gp::network_aois(spec, "Acme");
    ADD_FAILURE() << "no error";
  } catch (geosweep::config_error const& e) {
    EXPECT_NE(std::string(e.what()).find("the job's AOIs name no network"), std::string::npos)
        << e.what();
  }
}

TEST_F(JobSpec, ABlankOrNonTextNetworkIsRefusedWhereItIs) {
  // Line 8, column 14: the value after "    network: ".
  auto e = error_of(replace(kValid, "    bbox: [-63.0, -9.6, -62.9, -9.5]\n",
                            "    bbox: [-63.0, -9.6, -62.9, -9.5]\n    network: \"  \"\n"));
  EXPECT_EQ(e, path("job.yaml") + ":8:14: aois[0].network: must not be empty") << e;
  e = error_of(replace(kValid, "    bbox: [-63.0, -9.6, -62.9, -9.5]\n",
                       "    bbox: [-63.0, -9.6, -62.9, -9.5]\n    network: [a, b]\n"));
  EXPECT_NE(e.find(":8:14: aois[0].network:"), std::string::npos) << e;
  // A typo of the key is caught like every other.
  e = error_of(replace(kValid, "    bbox: [-63.0, -9.6, -62.9, -9.5]\n",
                       "    bbox: [-63.0, -9.6, -62.9, -9.5]\n    netwrk: Acme\n"));
  EXPECT_NE(e.find("did you mean 'network'?"), std::string::npos) << e;
}

TEST_F(JobSpec, ANotificationChannelMayChooseCauses) {
  auto const with = replace(kNotifications, "    aois: [concession]\n",
                            "    aois: [concession]\n    causes: [burn, mining]\n");
  auto const spec = gp::parse_job_spec(kValid + with, dir_ / "job.yaml");
  EXPECT_EQ(spec.notifications[0].causes,
            (std::vector<gp::alert_cause>{gp::alert_cause::burn, gp::alert_cause::mining}));
  EXPECT_TRUE(spec.notifications[1].causes.empty());  // every cause
  struct bad_case {
    std::string causes, expected;
  };
  std::vector<bad_case> const cases{
      {"[burn, minig]",
       ":25:20: notifications[0].causes[1]: unknown cause 'minig'; did you mean "
       "'mining'?"},
      {"[burn, burn]", ":25:20: notifications[0].causes[1]: cause 'burn' is listed twice"},
      {"[]",
       ":25:13: notifications[0].causes: the list is empty (leave 'causes' out for every "
       "cause)"},
      {"burn", ":25:13: notifications[0].causes: expected a list"},
  };
  for (auto const& c : cases) {
    SCOPED_TRACE(c.causes);
    auto const e =
        error_of(kValid + replace(kNotifications, "    aois: [concession]\n",
                                  "    aois: [concession]\n    causes: " + c.causes + "\n"));
    EXPECT_NE(e.find(path("job.yaml") + c.expected), std::string::npos) << e;
  }
  // Choosing causes needs them.
  auto const off =
      error_of(replace(kValid, "  drop: 0.3\n", "  drop: 0.3\n  causes: false\n") + with);
  EXPECT_NE(off.find(":26:13: notifications[0].causes: the job has 'change.causes: false', so no "
                     "alert has a cause to choose by"),
            std::string::npos)
      << off;
}
