#include "core/gdal_utils.hpp"

#include <nlohmann/json.hpp>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <vector>

#include "core/environment.hpp"
#include "core/http_client.hpp"
#include "core/range_cache.hpp"
#include "core/text.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

void CPL_STDCALL log_gdal_message(CPLErr level, CPLErrorNum number, char const* message) {
  // Failures are turned into exceptions where they happen; here they only go to the log.
  if (level >= CE_Warning)
    spdlog::debug("GDAL ({}): {}", static_cast<int>(number), masked(message ? message : ""));
}

/// One GDAL config option: the job's value, else the environment's, else the default.
void set_http_option(char const* name, std::optional<double> job_value, double default_value) {
  std::string value;
  if (job_value) {
    value = fmt::format("{:g}", *job_value);
  } else if (char const* env = std::getenv(name); env != nullptr && *env != '\0') {
    value = env;
  } else {
    value = fmt::format("{:g}", default_value);
  }
  CPLSetConfigOption(name, value.c_str());
}

}  // namespace

void configure_http_reads(http_limits const& limits) {
  set_http_option("GDAL_HTTP_CONNECTTIMEOUT", limits.connect_timeout_s,
                  http_defaults::connect_timeout_s);
  set_http_option("GDAL_HTTP_TIMEOUT", limits.timeout_s, http_defaults::timeout_s);
  set_http_option("GDAL_HTTP_MAX_RETRY",
                  limits.attempts ? std::optional<double>(*limits.attempts - 1) : std::nullopt,
                  http_defaults::attempts - 1);
  set_http_option("GDAL_HTTP_RETRY_DELAY", limits.backoff_s, http_defaults::backoff_s);
  spdlog::debug(
      "remote reads: GDAL_HTTP_CONNECTTIMEOUT={} GDAL_HTTP_TIMEOUT={} GDAL_HTTP_MAX_RETRY={} "
      "GDAL_HTTP_RETRY_DELAY={}",
      CPLGetConfigOption("GDAL_HTTP_CONNECTTIMEOUT", ""),
      CPLGetConfigOption("GDAL_HTTP_TIMEOUT", ""), CPLGetConfigOption("GDAL_HTTP_MAX_RETRY", ""),
      CPLGetConfigOption("GDAL_HTTP_RETRY_DELAY", ""));
}

namespace {

/// A config option the job sets, or else leaves to the environment.
void set_or_clear(char const* name, std::string const& value) {
  CPLSetConfigOption(name, value.empty() ? nullptr : value.c_str());
}

/// GDAL_HTTP_HEADERS holds "Name: value" pairs separated by commas; a pair holding a comma or
/// a double quote is double-quoted, with '\\' and '"' escaped.
std::string gdal_header_list(std::vector<std::string> const& lines) {
  std::string out;
  for (auto const& line : lines) {
    if (!out.empty()) out += ',';
    std::string quoted = "\"";
    for (char c : line) {
      if (c == '\\' || c == '"') quoted += '\\';
      quoted += c;
    }
    out += quoted + '"';
  }
  return out;
}

}  // namespace

void configure_remote_reads(job_spec const& spec) {
  auto const& scenes = spec.scenes;
  configure_http_reads(scenes.http);
  auto const headers = header_lines(scenes.http, spec.file);
  set_or_clear("GDAL_HTTP_HEADERS", gdal_header_list(headers));
  set_or_clear("AWS_REQUEST_PAYER", scenes.s3.requester_pays ? "requester" : "");
  set_or_clear("AWS_NO_SIGN_REQUEST", scenes.s3.anonymous ? "YES" : "");
  set_or_clear("AWS_REGION", scenes.s3.region);
  std::string endpoint = scenes.s3.endpoint;
  bool const plain = endpoint.starts_with("http://");
  if (auto const scheme = endpoint.find("://"); scheme != std::string::npos)
    endpoint = endpoint.substr(scheme + 3);
  set_or_clear("AWS_S3_ENDPOINT", endpoint);
  set_or_clear("AWS_HTTPS", endpoint.empty() ? "" : (plain ? "NO" : "YES"));
  // Buckets of S3-compatible stores are addressed by path (host/bucket/key).
  set_or_clear("AWS_VIRTUAL_HOSTING", endpoint.empty() ? "" : "FALSE");
  set_or_clear("VSICURL_PC_SAS_TOKEN_URL", scenes.stac_api ? scenes.stac_api->sign : std::string());
  // Scenes of STAC items are single files: looking for sidecars (.aux.xml, .msk, .ovr) and
  // listing their folder would cost a request each, per file, on a remote store.
  if (scenes.stac || scenes.stac_api) {
    if (std::getenv("GDAL_DISABLE_READDIR_ON_OPEN") == nullptr)
      CPLSetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR");
  } else {
    CPLSetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", nullptr);
  }
  if (scenes.cache) {
    enable_range_cache(*scenes.cache);
  } else {
    disable_range_cache();
  }
  std::vector<std::string> names;
  for (auto const& h : scenes.http.headers) names.push_back(h.name);
  spdlog::debug(
      "remote reads: headers [{}], s3 requester pays {}, anonymous {}, region '{}', "
      "endpoint '{}', signing '{}', cache '{}'",
      fmt::join(names, ", "), scenes.s3.requester_pays, scenes.s3.anonymous, scenes.s3.region,
      scenes.s3.endpoint, scenes.stac_api ? scenes.stac_api->sign : "",
      scenes.cache ? scenes.cache->string() : "");
}

std::string signed_read_path(std::string const& gdal_path, std::string const& collection) {
  if (!gdal_path.starts_with("/vsicurl/")) return gdal_path;
  // GDAL 3.6 opens the URL as it is written (an encoded one is found but not opened); only an
  // '&' of its own query would end the option early.
  std::string url;
  for (char c : gdal_path.substr(9)) url += c == '&' ? std::string("%26") : std::string(1, c);
  return "/vsicurl?pc_url_signing=yes&pc_collection=" + url_component(collection) + "&url=" + url;
}

void reset_network_stats() {
  VSINetworkStatsReset();
}

network_stats read_network_stats() {
  network_stats out;
  char* text = VSINetworkStatsGetAsSerializedJSON(nullptr);
  if (text == nullptr) return out;
  std::string const json_text = text;
  CPLFree(text);
  // {"methods": {"GET": {"count": 12, "downloaded_bytes": 345}, "HEAD": {...}}, "handlers":
  // ...}: the totals by method.
  auto const j = nlohmann::json::parse(json_text, nullptr, false);
  if (!j.is_object() || !j.contains("methods") || !j["methods"].is_object()) return out;
  for (auto const& [method, m] : j["methods"].items()) {
    if (!m.is_object()) continue;
    out.requests += m.value("count", std::int64_t{0});
    out.downloaded += m.value("downloaded_bytes", std::int64_t{0});
  }
  return out;
}

void ensure_gdal() {
  static std::once_flag once;
  std::call_once(once, [] {
    // GDAL's block cache defaults to 5 % of RAM; chunks read each source block about once, so
    // a modest cache keeps memory flat with the region size. GDAL_CACHEMAX still wins if set.
    if (CPLGetConfigOption("GDAL_CACHEMAX", nullptr) == nullptr)
      CPLSetConfigOption("GDAL_CACHEMAX", "64");
    // Counted for the run summary (read_network_stats); read when the first network file
    // system is made, so before any remote read.
    CPLSetConfigOption("CPL_VSIL_NETWORK_STATS_ENABLED", "YES");
    GDALAllRegister();
    CPLSetErrorHandler(log_gdal_message);
    configure_http_reads({});  // without limits, a server that never answers hangs the run
  });
}

namespace {

/// GDAL's text of one failure as a user reads it: SQLite's statement dropped, the system's
/// reason added to a bare I/O error.
std::string tidy(std::string text) {
  int const code = errno;          // the system's reason, before anything else can change it
  text = masked(std::move(text));  // a signed URL's token, a header's secret
  // SQLite errors carry the whole statement ("sqlite3_exec(CREATE TABLE ... ) failed: database
  // or disk is full"): the reason is what follows it.
  if (text.rfind("sqlite3_", 0) == 0) {
    auto const failed = text.rfind(" failed: ");
    if (failed != std::string::npos) text = "SQLite: " + text.substr(failed + 9);
  }
  // I/O errors under GDAL's own words ("TIFFWriteDirectoryTagData:IO error writing tag
  // data") say what the system said when it was a full disk or a read-only one.
  bool const io = text.find("IO error") != std::string::npos ||
                  text.find("I/O error") != std::string::npos ||
                  text.find("rite") != std::string::npos;  // "Write", "write"
  if (io && (code == ENOSPC || code == EROFS || code == EIO || code == EDQUOT) &&
      text.find(std::strerror(code)) == std::string::npos)
    text += " (" + std::string(std::strerror(code)) + ")";
  return text;
}

}  // namespace

std::string last_gdal_message() {
  char const* msg = CPLGetLastErrorMsg();
  if (msg == nullptr || *msg == '\0') return "unknown GDAL error";
  return tidy(msg);
}

gdal_failures::gdal_failures() {
  CPLPushErrorHandlerEx(collect, this);
}

gdal_failures::~gdal_failures() {
  CPLPopErrorHandler();
}

bool gdal_failures::said_nothing() const {
  char const* last = CPLGetLastErrorMsg();
  return messages_.empty() && (last == nullptr || *last == '\0');
}

std::string gdal_failures::text() const {
  if (messages_.empty()) return last_gdal_message();
  std::vector<std::string> tidied;
  for (auto const& m : messages_) tidied.push_back(tidy(m));
  return fmt::format("{}", fmt::join(tidied, "; "));
}

std::string gdal_failures::first() const {
  return messages_.empty() ? last_gdal_message() : tidy(messages_.front());
}

void CPL_STDCALL gdal_failures::collect(CPLErr level, CPLErrorNum number, char const* message) {
  auto* self = static_cast<gdal_failures*>(CPLGetErrorHandlerUserData());
  log_gdal_message(level, number, message);
  if (level < CE_Failure || message == nullptr || *message == '\0') return;
  if (std::find(self->messages_.begin(), self->messages_.end(), message) == self->messages_.end())
    self->messages_.emplace_back(message);
}

namespace {

bool is_remote(std::string const& path) {
  return path.starts_with("/vsicurl") || path.starts_with("/vsis3") || path.starts_with("/vsigs") ||
         path.starts_with("/vsiaz") || path.starts_with("/vsiadls") ||
         path.starts_with("/vsioss") || path.starts_with("/vsiswift") ||
         path.starts_with("/vsiwebhdfs");
}

}  // namespace

GDALDatasetUniquePtr open_raster(std::filesystem::path const& path) {
  ensure_gdal();
  CPLErrorReset();
  gdal_failures failures;
  // Remote files are read through the byte-range cache when the job has one.
  GDALDatasetUniquePtr ds(
      GDALDataset::Open(cached_path(path.string()).c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (ds) return ds;
  // GDAL says nothing when no driver recognises the file (random bytes, a zero-byte file).
  std::string const reason = failures.said_nothing()
                                 ? "not in a raster format GDAL reads (damaged or truncated?)"
                                 : failures.text();
  std::string message = path.string() + ": cannot open raster: " + reason;
  if (is_remote(path.string())) {
    // What bounded the wait, and where to change it. GDAL gives status 0 for no answer at all.
    message += fmt::format(
        " ({}within the HTTP limits of {} s to connect, {} s per request and {} attempt(s); "
        "change them with scenes.http in the job file, or GDAL_HTTP_CONNECTTIMEOUT, "
        "GDAL_HTTP_TIMEOUT, GDAL_HTTP_MAX_RETRY)",
        reason.ends_with(": 0") ? "no answer " : "",
        CPLGetConfigOption("GDAL_HTTP_CONNECTTIMEOUT", "?"),
        CPLGetConfigOption("GDAL_HTTP_TIMEOUT", "?"),
        std::atoi(CPLGetConfigOption("GDAL_HTTP_MAX_RETRY", "0")) + 1);
  }
  throw io_error(masked(message));
}

GDALDatasetUniquePtr open_vector(std::filesystem::path const& path) {
  ensure_gdal();
  CPLErrorReset();
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  if (!ds) {
    // GDAL says nothing when no driver recognises the file (a truncated GeoJSON, say).
    char const* msg = CPLGetLastErrorMsg();
    throw io_error(path.string() + ": cannot open vector file: " +
                   (msg != nullptr && *msg != '\0'
                        ? last_gdal_message()
                        : "not in a vector format GDAL reads (damaged or truncated?)"));
  }
  return ds;
}

OGRSpatialReference make_srs(std::string const& wkt) {
  OGRSpatialReference srs;
  if (srs.importFromWkt(wkt.c_str()) != OGRERR_NONE) throw io_error("cannot parse CRS: " + wkt);
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

OGRSpatialReference wgs84() {
  OGRSpatialReference srs;
  srs.importFromEPSG(4326);
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

std::unique_ptr<OGRCoordinateTransformation> make_transform(OGRSpatialReference const& from,
                                                            OGRSpatialReference const& to) {
  std::unique_ptr<OGRCoordinateTransformation> t(OGRCreateCoordinateTransformation(&from, &to));
  if (!t) throw io_error("cannot transform coordinates between CRSs: " + last_gdal_message());
  return t;
}

}  // namespace geosweep::pipeline
