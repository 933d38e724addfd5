#include "core/http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "core/environment.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

struct curl_deleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

std::size_t collect(char* data, std::size_t size, std::size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

/// One try: the answer, or the transport's reason in `failure`.
struct attempt {
  http_answer answer;
  std::string failure;
  double retry_after_s = -1;  ///< the answer's Retry-After; -1 without one
};

attempt send_once(http_request const& r, http_limits const& limits) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  std::unique_ptr<CURL, curl_deleter> curl(curl_easy_init());
  if (!curl) throw io_error("libcurl: curl_easy_init failed (out of memory?)");
  char error_buffer[CURL_ERROR_SIZE] = {};
  auto const ms = [](std::optional<double> s, double fallback) {
    return static_cast<long>(1000.0 * s.value_or(fallback));
  };
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms(limits.timeout_s, http_defaults::timeout_s));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   ms(limits.connect_timeout_s, http_defaults::connect_timeout_s));
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // gzip and deflate when offered
  std::string const agent = "geosweep/" + geosweep_version();
  curl_easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
  std::unique_ptr<curl_slist, curl_deleter> headers;
  auto const add_header = [&](std::string const& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  add_header("Accept: application/geo+json, application/json");
  for (auto const& h : r.headers) add_header(h);
  if (r.method == "POST") {
    add_header("Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  }
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  attempt a;
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.answer.body);
  CURLcode const code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    a.failure = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    return a;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.answer.status);
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK && retry_after > 0)
    a.retry_after_s = static_cast<double>(retry_after);
  return a;
}

bool worth_retrying(long status) {
  return status == 408 || status == 429 || status == 502 || status == 503 || status == 504;
}

}  // namespace

http_answer http_send(http_request const& r, http_limits const& limits) {
  int const tries = std::max(1, limits.attempts.value_or(http_defaults::attempts));
  double backoff = limits.backoff_s.value_or(http_defaults::backoff_s);
  std::string reason;
  for (int n = 1;; ++n) {
    auto a = send_once(r, limits);
    a.answer.attempts = n;
    if (a.failure.empty() && !worth_retrying(a.answer.status)) return std::move(a.answer);
    reason = a.failure.empty() ? fmt::format("HTTP {}", a.answer.status) : a.failure;
    if (n >= tries) break;
    double const wait = a.retry_after_s >= 0 ? std::min(a.retry_after_s, 60.0) : backoff;
    spdlog::info("{} {}: {}; trying again in {:.1f} s (try {} of {})", r.method, masked(r.url),
                 masked(reason), wait, n + 1, tries);
    std::this_thread::sleep_for(std::chrono::duration<double>(wait));
    backoff *= 2;
  }
  throw io_error(masked(fmt::format("{} {}: {} after {} tr{}", r.method, r.url, reason, tries,
                                    tries == 1 ? "y" : "ies")));
}

std::vector<std::string> header_lines(http_limits const& limits,
                                      std::filesystem::path const& job_file) {
  std::vector<std::string> lines;
  for (auto const& h : limits.headers) {
    for (auto const& name : environment_references(h.value).value_or(std::vector<std::string>{})) {
      auto const value = environment_value(name);
      std::string const where = fmt::format("{}:{}:{}: scenes.http.headers.{}", job_file.string(),
                                            h.where.line, h.where.column, h.name);
      if (!value)
        throw config_error(where + ": environment variable '" + name + "' is not set or empty");
      if (value->find_first_of("\r\n") != std::string::npos)
        throw config_error(where + ": environment variable '" + name + "' holds a line break");
      add_secret(*value);
    }
    lines.push_back(h.name + ": " + expand_environment(h.value));
  }
  return lines;
}

}  // namespace geosweep::pipeline
