#pragma once

#include <cstdint>
/// \file
/// Small helpers at the GDAL boundary: registration, opening with errors people can act on,
/// spatial references and coordinate transformations.

#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// Registers GDAL drivers once, routes GDAL's own messages to the debug log and gives GDAL's
/// HTTP reads their default limits (configure_http_reads with nothing set).
void ensure_gdal();

/// Sets the GDAL config options that bound the HTTP requests of remote reads (/vsicurl/,
/// /vsis3/, ...): GDAL_HTTP_CONNECTTIMEOUT, GDAL_HTTP_TIMEOUT, GDAL_HTTP_MAX_RETRY (attempts
/// - 1) and GDAL_HTTP_RETRY_DELAY. Each takes the job's value when `limits` has one, else the
/// variable's value in the environment, else http_defaults. Process-wide: readers opened
/// afterwards use them.
void configure_http_reads(http_limits const& limits);

/// Everything GDAL is told, process-wide, about reaching the remote scenes of `spec`:
/// - the HTTP limits (configure_http_reads);
/// - scenes.http.headers as GDAL_HTTP_HEADERS (header_lines: ${VAR} expanded, throws
///   geosweep::config_error naming the line and the variable when one is unset);
/// - scenes.s3 as AWS_REQUEST_PAYER=requester, AWS_NO_SIGN_REQUEST=YES, AWS_REGION and, for
///   an S3-compatible endpoint, AWS_S3_ENDPOINT with AWS_HTTPS and AWS_VIRTUAL_HOSTING=FALSE;
/// - scenes.stac_api.sign as VSICURL_PC_SAS_TOKEN_URL (see signed_read_path);
/// - scenes.cache: the byte-range cache (core/range_cache.hpp).
/// What the job leaves out is left to the environment's variables of the same names.
void configure_remote_reads(job_spec const& spec);

/// The GDAL path that reads `gdal_path` (a /vsicurl/ path) with Planetary Computer-style SAS
/// signing for `collection`: GDAL asks VSICURL_PC_SAS_TOKEN_URL + collection for a token,
/// appends it to every request and asks again when less than a minute of it is left. Other
/// paths are returned unchanged.
std::string signed_read_path(std::string const& gdal_path, std::string const& collection);

/// What GDAL's network file systems (/vsicurl/, /vsis3/, ...) fetched since the last
/// reset_network_stats(): GDAL's own counters (CPL_VSIL_NETWORK_STATS_ENABLED, which
/// ensure_gdal() turns on), for the whole process.
struct network_stats {
  std::int64_t requests = 0;    ///< HTTP requests of every method
  std::int64_t downloaded = 0;  ///< body bytes received
};
void reset_network_stats();
network_stats read_network_stats();

/// Opens a raster read-only; throws geosweep::io_error with GDAL's message and the path.
GDALDatasetUniquePtr open_raster(std::filesystem::path const& path);

/// Opens a vector file read-only; throws geosweep::io_error with GDAL's message and the path.
GDALDatasetUniquePtr open_vector(std::filesystem::path const& path);

/// The last GDAL error message, or "unknown GDAL error".
std::string last_gdal_message();

/// The failures GDAL reports on this thread while it lives (its error handlers are per
/// thread), in order, each once; warnings still go to the debug log. Where GDAL reports a
/// cause and then the failure of its clean-up (SQLite: "database or disk is full", then
/// "cannot rollback - no transaction is active"), the last message alone hides the cause.
class gdal_failures {
 public:
  gdal_failures();
  gdal_failures(gdal_failures const&) = delete;
  gdal_failures& operator=(gdal_failures const&) = delete;
  ~gdal_failures();

  /// Whether GDAL reported no failure at all.
  [[nodiscard]] bool said_nothing() const;

  /// "first; second; ..." or, when GDAL said nothing, last_gdal_message().
  [[nodiscard]] std::string text() const;

  /// The first failure, the cause where later ones are GDAL's clean-up failing in turn, or
  /// last_gdal_message() when GDAL said nothing.
  [[nodiscard]] std::string first() const;

 private:
  static void CPL_STDCALL collect(CPLErr level, CPLErrorNum number, char const* message);
  std::vector<std::string> messages_;
};

/// A spatial reference with traditional GIS axis order (x = easting/longitude).
OGRSpatialReference make_srs(std::string const& wkt);

/// EPSG:4326 with longitude first.
OGRSpatialReference wgs84();

/// Owning coordinate transformation; throws geosweep::io_error if PROJ cannot build it.
std::unique_ptr<OGRCoordinateTransformation> make_transform(OGRSpatialReference const& from,
                                                            OGRSpatialReference const& to);

}  // namespace geosweep::pipeline
