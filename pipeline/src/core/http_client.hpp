#pragma once
/// \file
/// HTTP requests for geosweep's own API calls (a STAC API search), through libcurl: one
/// request with retries within a job's http_limits. Pixels are not read here: GDAL's
/// /vsicurl/ reads them (core/gdal_utils.hpp configures it with the same limits).

#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// One request.
struct http_request {
  std::string method = "GET";  ///< GET or POST
  std::string url;
  std::string body;                  ///< POST: sent as application/json
  std::vector<std::string> headers;  ///< extra "Name: value" lines
};

/// Its answer.
struct http_answer {
  long status = 0;
  std::string body;
  int attempts = 0;  ///< tries it took
};

/// Sends `r`, trying again after transport failures and HTTP 408, 429, 502, 503 and 504, up
/// to `limits.attempts` tries in all (http_defaults when unset): before each new try it waits
/// the answer's Retry-After (capped at 60 s) or else the backoff, doubled after each try.
/// Any other answer is returned as it is. Throws geosweep::io_error naming the method, the URL
/// and the last reason when no try got an answer to return.
http_answer http_send(http_request const& r, http_limits const& limits);

/// The "Name: value" lines of `limits.headers` (scenes.http.headers), each ${VAR} expanded from
/// the environment; the expanded values are given to add_secret (core/environment.hpp), so that
/// no message shows them. Throws geosweep::config_error naming `job_file`, the header's line
/// and the variable when one is unset or empty or holds a line break.
std::vector<std::string> header_lines(http_limits const& limits,
                                      std::filesystem::path const& job_file);

}  // namespace geosweep::pipeline
