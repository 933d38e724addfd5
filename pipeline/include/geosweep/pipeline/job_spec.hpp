#pragma once
/// \file
/// The job spec: what to read, where to look, how to detect change and what to write.
/// docs/job-spec.md documents every key. The whole file is validated before any I/O.

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/civil_date.hpp"
#include "geosweep/pipeline/enum_names.hpp"

namespace geosweep::pipeline {

/// Where a value came from in the job file (1-based line and column).
struct source_location {
  int line = 0;
  int column = 0;
};

/// One band of a generic sensor: a band number in a multi-band file, or the suffix of a
/// per-band file name in a scene folder.
struct band_source {
  int band_number = 0;      ///< > 0 for a multi-band file
  std::string file_suffix;  ///< non-empty for per-band files, e.g. "_B4.TIF"
};

/// The quality (cloud) mask of a generic sensor: a band whose values or bits say which
/// pixels are clear.
struct mask_spec {
  band_source band;               ///< band number or file suffix, like the other bands
  std::vector<int> clear_values;  ///< classes that are clear (each 0..31), or
  std::vector<int> reject_bits;   ///< bits (0..15) any of which marks a pixel not clear
};

/// A named sensor profile, or a generic band map.
enum class sensor_type { sentinel2_l2a, landsat_c2_l2, generic };
template <>
struct enum_names<sensor_type> {
  static constexpr std::array<std::string_view, 3> values{"sentinel2-l2a", "landsat-c2-l2",
                                                          "generic"};
};

/// The sensor: a named profile (sentinel2-l2a, landsat-c2-l2) or a generic band map.
struct sensor_spec {
  sensor_type type = sensor_type::sentinel2_l2a;
  std::map<std::string, band_source> bands;  ///< generic only: blue, green, red, nir, swir1, swir2
  double scale = 1.0;                        ///< generic only: reflectance = DN * scale + offset
  double offset = 0.0;
  std::optional<double> nodata;   ///< generic only: DN that marks no data (any finite value)
  std::vector<double> saturated;  ///< generic only: DN codes of saturated pixels (at most 8)
  std::optional<mask_spec> mask;  ///< generic only: quality mask band
};

/// A scene given explicitly: a folder of per-band files or a multi-band file.
struct scene_entry {
  std::filesystem::path path;
  std::optional<civil_date> date;  ///< taken from the name when absent
  source_location where;
};

/// Limits of the HTTP requests GDAL makes for remote scenes (/vsicurl/, /vsis3/, ...), as GDAL's
/// GDAL_HTTP_CONNECTTIMEOUT, GDAL_HTTP_TIMEOUT, GDAL_HTTP_MAX_RETRY (attempts - 1) and
/// GDAL_HTTP_RETRY_DELAY. A value left out comes from that variable in the environment, else
/// from http_defaults (docs/job-spec.md).
/// An HTTP header sent with every remote read and STAC API request (scenes.http.headers). Its
/// value may name environment variables as ${VAR}, read when the job runs: secrets stay out of
/// the job file, and out of every output and message.
struct http_header {
  std::string name;   ///< e.g. "Authorization"
  std::string value;  ///< e.g. "Bearer ${EARTHDATA_TOKEN}"
  source_location where;
};

struct http_limits {
  std::optional<double> connect_timeout_s;  ///< TCP (and TLS) connection of one request
  std::optional<double> timeout_s;          ///< one request, connection included
  std::optional<int> attempts;              ///< tries of one request (server errors, timeouts)
  std::optional<double> backoff_s;          ///< wait before the 2nd try; GDAL doubles it
  std::vector<http_header> headers;         ///< sent with every request (GDAL_HTTP_HEADERS)
};

/// How s3:// assets are read (scenes.s3), as GDAL's /vsis3/ options. Credentials come from
/// where GDAL and the AWS tools find them (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,
/// AWS_PROFILE, ~/.aws), never from the job file.
struct s3_access {
  bool requester_pays = false;  ///< AWS_REQUEST_PAYER=requester: the reader pays the transfer
  bool anonymous = false;       ///< AWS_NO_SIGN_REQUEST=YES: a public bucket, no credentials
  std::string region;           ///< AWS_REGION; "" for GDAL's (us-east-1)
  std::string endpoint;         ///< an S3-compatible store's http(s)://host[:port]; "" for AWS
};

/// What http_limits default to: a slow but healthy archive passes, a stalled one fails fast.
struct http_defaults {
  static constexpr double connect_timeout_s = 10;
  static constexpr double timeout_s = 30;
  static constexpr int attempts = 3;
  static constexpr double backoff_s = 1;
};

/// A STAC API to search for the scenes (scenes.stac_api, docs/job-spec.md): its /search is
/// asked for the items of `collections` over the AOIs' bounding box and the job's periods.
struct stac_api_spec {
  std::string url;  ///< the API root; the search is url + "/search"
  std::vector<std::string> collections;
  std::string query;             ///< the STAC query extension's object, as JSON text; "" for none
  std::string filter;            ///< a CQL2 JSON filter, as JSON text; "" for none
  std::optional<int> max_items;  ///< stop after this many items
  int limit = 100;               ///< items per page asked for
  bool post = true;              ///< POST the search (false: GET with query parameters)
  /// Planetary Computer-style signing of the items' https assets (sign: URL, or
  /// planetary-computer): GDAL asks this token endpoint, with the item's collection appended,
  /// for a SAS token, appends it to each request and asks again before it expires. "" for none.
  std::string sign;
};

/// The Planetary Computer's SAS token endpoint (sign: planetary-computer).
inline constexpr char const* planetary_computer_token_url =
    "https://planetarycomputer.microsoft.com/api/sas/v1/token/";

/// Where the scenes are: every entry of a folder, an explicit list, STAC items or a STAC API
/// search; and which are clear enough to use.
struct scenes_spec {
  std::optional<std::filesystem::path> dir;
  std::vector<scene_entry> list;
  std::optional<std::filesystem::path> stac;  ///< an item, ItemCollection, catalog or folder
  std::optional<stac_api_spec> stac_api;      ///< a STAC API search
  std::optional<double> max_cloud_cover;      ///< percent (0-100); scenes above it are dropped
  http_limits http;                           ///< budgets of remote reads (scenes.http)
  s3_access s3;                               ///< how s3:// assets are read (scenes.s3)
  /// A folder keeping the byte ranges of remote files read, so that later runs fetch only
  /// what changed (scenes.cache); unset: no cache beyond the run.
  std::optional<std::filesystem::path> cache;
  source_location where;
};

/// An area of interest: a lon/lat bounding box or a vector file (GeoJSON, GeoPackage, ...).
struct aoi_spec {
  std::string name;
  std::optional<std::array<double, 4>> bbox;  ///< lon_min, lat_min, lon_max, lat_max (WGS84)
  std::optional<std::filesystem::path> geometry;
  std::optional<double> value_per_ha;  ///< e.g. timber value or carbon per hectare, for estimates
  /// The company, group or case that holds it (networks.csv, `--network`); empty: none.
  std::string network;
  source_location where;
};

/// An inclusive date range.
struct date_range {
  civil_date first;
  civil_date last;
  [[nodiscard]] bool contains(civil_date d) const { return first <= d && d <= last; }
};

/// How change is detected (docs/detector.md).
enum class change_method { baseline, bitemporal, bfast };
template <>
struct enum_names<change_method> {
  static constexpr std::array<std::string_view, 3> values{"baseline", "bitemporal", "bfast"};
};

/// The `bfast` method's model and monitoring process (docs/detector.md, kernels/bfast.hpp): the
/// settings of R's bfastmonitor (order, formula terms, h, level, end).
struct bfast_spec {
  int k = 3;              ///< harmonic pairs of a yearly frequency, 0-3 (bfastmonitor's order)
  bool trend = false;     ///< a linear trend term
  double h = 0.25;        ///< MOSUM window, a share of the clear history looks: 0.25, 0.5 or 1
  double level = 0.05;    ///< significance of the monitoring test, 0.001-0.05
  int end = 10;           ///< monitoring horizon in multiples of the history: 2, 4, 6, 8, 10
  int min_history = 24;   ///< fewer clear history looks: the pixel has no model (change_no_model)
  double min_fall = 0.1;  ///< a fall beyond the boundary must also lie this far below the model
  /// Regressors of the model: intercept, trend, then cos and sin of each harmonic.
  [[nodiscard]] int params() const { return 1 + (trend ? 1 : 0) + 2 * k; }
};

/// Change detection parameters (docs/job-spec.md, kernels/include/geosweep/kernels/detector.hpp).
struct change_spec {
  change_method method = change_method::baseline;
  std::string index = "ndvi";
  double drop = 0.25;        ///< minimum index drop that counts as loss
  double forest_min = 0.6;   ///< baseline index at or above which a pixel is forest
  double k_sigma = 3.0;      ///< baseline only: the drop must also exceed k baseline std devs
  int confirm = 2;           ///< baseline, bfast: anomalous clear looks that confirm a candidate
  int window_days = 90;      ///< baseline, bfast: confirmation must come within this many days
  double min_area_ha = 0.5;  ///< minimum mapping unit: smaller (grown) patches are dropped
  bfast_spec bfast;          ///< bfast only
  /// Seeded patches: a patch grows from its seeds (pixels that pass the method's test) into
  /// 8-connected forest pixels whose index fell by at least grow * drop (and, for `baseline`,
  /// grow * k_sigma standard deviations); 0 turns growing off (docs/detector.md).
  double grow = 0.5;
  /// An inner buffer of each AOI, in metres, where no seed may start (growth may enter);
  /// unset: one pixel of the analysis grid; 0: none.
  std::optional<double> edge_buffer_m;
  /// Sanity warning: an AOI whose flagged share of its forest area is above this (in (0, 1]);
  /// none: off.
  std::optional<double> warn_flagged_share = 0.20;
  /// Sanity warning: an AOI whose latest clear baseline and monitoring looks are more than this
  /// many days apart in the year (1-182); none: off.
  std::optional<int> warn_season_days = 60;
  /// A cause for every alert (clearing, burn, mining, flooding, other) from the spectral
  /// evidence before and after (docs/detector.md, "Causes"): reads the sensor's green, blue and
  /// SWIR bands too. false: no cause, only the index's bands are read.
  bool causes = true;
};

/// The analysis grid. Unset fields take defaults: the scenes' own CRS when they all share
/// one, else the UTM zone of the AOIs; the first scene's pixel size.
struct grid_spec {
  std::string crs;                   ///< anything GDAL understands: EPSG:32720, WKT, PROJ
  std::optional<double> resolution;  ///< pixel size in CRS units
  source_location where;
};

/// How the work is cut and streamed.
struct processing_spec {
  int chunk = 512;  ///< chunk side in pixels
  int readers = 2;  ///< reader threads (one GDAL dataset per file per thread)
  int slots = 3;    ///< chunk-dates in flight (read or computed): memory ~ slots x bands x chunk²
};

/// The reader threads a job file gets when it does not say: one per core, 2 to 8. Its default
/// slots are one more than its readers.
int default_readers();

/// A vector format the alert polygons are written in: GeoPackage, GeoJSON, or KMZ for Google
/// Earth.
enum class polygon_format { gpkg, geojson, kmz };
template <>
struct enum_names<polygon_format> {
  static constexpr std::array<std::string_view, 3> values{"gpkg", "geojson", "kmz"};
};

/// The layers of change.nc a job may leave out (the change classes and the patch numbers are
/// always written): each index's latest look before and after, the first and confirmation
/// dates, the magnitude, the baseline mean (`baseline` method) and the clear count.
enum class optional_layer { indices, dates, magnitude, baseline, clear_count };
template <>
struct enum_names<optional_layer> {
  static constexpr std::array<std::string_view, 5> values{"indices", "dates", "magnitude",
                                                          "baseline", "clear_count"};
};

/// The language of a report's fixed text, dates and numbers (outputs.report_language).
enum class report_language { en, es, pt, fr };
template <>
struct enum_names<report_language> {
  static constexpr std::array<std::string_view, 4> values{"en", "es", "pt", "fr"};
};

/// What to write and where.
struct outputs_spec {
  std::filesystem::path dir;
  bool hdf5 = true;
  bool csv = true;
  /// Alerts as polygons (EPSG:4326).
  /// kmz is left out by default: GDAL's LIBKML takes about 1 ms an alert (0.44 s for 386).
  std::vector<polygon_format> alert_polygons{polygon_format::gpkg, polygon_format::geojson};
  bool cog = true;  ///< per-AOI COGs: true colour and the change index, before and after
  /// `cog: true`: COGs for every AOI. `cog: auto` (the default): only for AOIs of at most
  /// cog_auto_pixels pixels, so that a large-region sweep is not spent on previews.
  bool cog_every_aoi = false;
  bool series = false;  ///< change.nc also holds the change index of every date (time, y, x)
  /// The optional layers of change.nc written (outputs.layers; all by default).
  std::vector<optional_layer> layers{optional_layer::indices, optional_layer::dates,
                                     optional_layer::magnitude, optional_layer::baseline,
                                     optional_layer::clear_count};
  bool layers_given = false;  ///< the job lists outputs.layers (else the size rule applies)
  [[nodiscard]] bool has_layer(optional_layer layer) const {
    return std::find(layers.begin(), layers.end(), layer) != layers.end();
  }
  bool stac = true;     ///< stac/: a STAC Collection of the run, one Item per AOI
  bool report = false;  ///< `geosweep run` also renders the reports (report/, see report.hpp)
  report_language language = report_language::en;  ///< outputs.report_language
};

/// The alert pages a report draws unless the job says otherwise (report.alert_pages): a page
/// per alert up to this many, the largest by area, so that a sweep with thousands of alerts
/// still gives a PDF one can open.
inline constexpr int default_alert_pages = 100;

/// What the reports show (report:).
struct report_spec {
  /// A page per alert for the `alert_pages` largest by area (0: none).
  int alert_pages = default_alert_pages;
};

/// The largest AOI (in pixels of the analysis grid) that gets COGs under `cog: auto`: 25 Mpx,
/// 5000 × 5000 px or 2500 km² at 10 m.
inline constexpr std::int64_t cog_auto_pixels = 25'000'000;

/// Whether an AOI of `pixels` pixels gets COGs under `outputs`.
inline bool writes_cogs(outputs_spec const& outputs, std::int64_t pixels) {
  return outputs.cog && (outputs.cog_every_aoi || pixels <= cog_auto_pixels);
}

/// Whether change.nc holds the index looks (before, after) of an AOI of `pixels` pixels. Like
/// the COGs they are pictures of the imagery, not of the change: by default only AOIs up to
/// cog_auto_pixels get them (and every AOI when the run draws reports); a job that lists
/// outputs.layers gets what it lists.
inline bool writes_index_looks(outputs_spec const& outputs, std::int64_t pixels) {
  if (!outputs.has_layer(optional_layer::indices)) return false;
  return outputs.layers_given || outputs.report || pixels <= cog_auto_pixels;
}

/// A place in a notification channel where the job names an environment variable that holds
/// a secret (`${VAR}` in a header value or URL, or `username_env`/`password_env`). The job is
/// valid without it; delivery on the channel fails until it is set.
struct secret_reference {
  std::string variable;  ///< e.g. "GEOSWEEP_HOOK_TOKEN"
  std::string key_path;  ///< e.g. "notifications[0].headers.Authorization"
  source_location where;
};

/// A webhook: a JSON POST per AOI and run (docs/notifications.md).
struct webhook_channel {
  std::string url;  ///< http(s) URL; may hold ${VAR}, expanded at delivery
  /// Extra request headers in file order; values may hold ${VAR}, expanded at delivery.
  std::vector<std::pair<std::string, std::string>> headers;
};

/// How an e-mail channel secures SMTP: STARTTLS required, TLS from the start (smtps), or none
/// (a server on this machine only).
enum class smtp_tls { starttls, ssl, none };
template <>
struct enum_names<smtp_tls> {
  static constexpr std::array<std::string_view, 3> values{"starttls", "ssl", "none"};
};

/// Email over SMTP: one message per AOI and run.
struct email_channel {
  std::string smtp_url;  ///< smtp://host[:port] or smtps://host[:port]
  smtp_tls tls = smtp_tls::starttls;
  std::string from;
  std::vector<std::string> to;
  std::string username_env;  ///< names of environment variables, never the secrets themselves
  std::string password_env;
  bool attach_geojson = true;  ///< attach the alerts as GeoJSON points
};

/// A file drop: `<dir>/<delivery id>.json` written atomically.
struct file_channel {
  std::filesystem::path dir;
};

/// How a notification channel delivers.
enum class channel_type { webhook, email, file };
template <>
struct enum_names<channel_type> {
  static constexpr std::array<std::string_view, 3> values{"webhook", "email", "file"};
};

/// One notification channel of `notifications:`. The fields of `type` are set; the others
/// keep their defaults.
struct notification_spec {
  std::string name;  ///< unique; the channel id in the delivery ledger
  channel_type type = channel_type::webhook;
  std::vector<std::string> aois;    ///< AOIs it reports on; empty = every AOI
  std::vector<alert_cause> causes;  ///< causes it reports on (change.causes); empty = all
  double timeout_s = 30;            ///< webhook and email: limit of one try, connection included
  double connect_timeout_s = 10;    ///< webhook and email: limit of a try's connection (TCP, TLS)
  int attempts = 3;                 ///< webhook and email: tries within one delivery
  double backoff_s = 1;             ///< delay before the 2nd try; doubles for each further try
  webhook_channel webhook;
  email_channel email;
  file_channel file;
  std::vector<secret_reference> secrets;  ///< environment variables it needs at delivery
  source_location where;

  /// Whether the channel reports on `aoi`.
  [[nodiscard]] bool covers(std::string const& aoi) const {
    if (aois.empty()) return true;
    for (auto const& a : aois)
      if (a == aoi) return true;
    return false;
  }
};

/// An optional land-cover or forest-type raster (any GDAL raster, any CRS), reprojected onto the
/// analysis grid with nearest neighbour: the changed area of every alert and AOI split by class
/// (landcover.csv, docs/outputs.md).
struct landcover_spec {
  std::filesystem::path raster;  ///< resolved against the job file's folder
  int band = 1;
  std::string table;                   ///< the built-in class table named, or empty for a map
  std::map<int, std::string> classes;  ///< code -> class name (a built-in table copied in)
  std::map<std::string, double> value_per_ha;  ///< by class name
  source_location where;
};

/// The built-in class tables (`classes: cgls-lc100` or `esa-worldcover`): code -> name as the
/// products document them; null for another name.
std::map<int, std::string> const* landcover_class_table(std::string const& name);

/// A class's name in `spec`'s tables: its name, or "class <code>" for a code it does not name.
std::string landcover_class_name(landcover_spec const& spec, int code);

/// A validated job.
struct job_spec {
  std::filesystem::path file;  ///< the job file as given
  std::string text;            ///< its full text, kept for provenance
  std::string name;
  sensor_spec sensor;
  scenes_spec scenes;
  std::vector<aoi_spec> aois;
  date_range baseline;
  date_range monitor;
  std::vector<std::string> indices;
  change_spec change;
  grid_spec grid;
  processing_spec processing;
  outputs_spec outputs;
  report_spec report;
  std::vector<notification_spec> notifications;  ///< where alerts are sent (monitor)
  std::optional<landcover_spec> landcover;
};

/// The networks of `spec` (aois[].network), in the order its AOIs first name them.
std::vector<std::string> job_networks(job_spec const& spec);

/// The names of the AOIs of network `network`, in job order. Throws geosweep::config_error
/// naming the job file and the job's networks when no AOI belongs to it.
std::vector<std::string> network_aois(job_spec const& spec, std::string const& network);

/// Indices geosweep can compute.
std::vector<std::string> const& known_indices();

/// Reads and validates a job file. Relative paths are resolved against the file's folder;
/// with `check_paths` the scene folder, scene list entries and geometry files must exist.
/// Throws geosweep::config_error listing every problem, one per line, each as
/// `FILE:LINE:COL: key.path: message`.
job_spec load_job_spec(std::filesystem::path const& file, bool check_paths = true);

/// Validates job text as if read from `file` (used by load_job_spec and tests).
job_spec parse_job_spec(std::string const& text, std::filesystem::path const& file,
                        bool check_paths = true);

}  // namespace geosweep::pipeline
