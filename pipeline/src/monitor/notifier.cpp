#include "geosweep/pipeline/notifier.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "core/atomic_file.hpp"
#include "core/unique_fd.hpp"
#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
using ordered_json = nlohmann::ordered_json;

/// The longest wait between two tries, before backoff_scale.
constexpr double kMaxBackoffSeconds = 600;

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

/// The value of an environment variable, or nullopt when unset or empty.
std::optional<std::string> environment(std::string const& name) {
  char const* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

/// Throws config_error naming the first secret variable `channel` needs that is not set.
void require_secrets(notification_spec const& channel) {
  for (auto const& secret : channel.secrets) {
    auto const value = environment(secret.variable);
    if (!value) {
      throw config_error("notification channel '" + channel.name + "': environment variable '" +
                         secret.variable + "' is not set or empty (" + secret.key_path +
                         " on line " + std::to_string(secret.where.line) +
                         " of the job file needs it)");
    }
    if (value->find_first_of("\r\n") != std::string::npos) {  // would smuggle in headers
      throw config_error("notification channel '" + channel.name + "': environment variable '" +
                         secret.variable + "' holds a line break");
    }
  }
}

/// `text` with each ${NAME} replaced by the variable's value (validated by the job spec).
std::string expand(std::string text) {
  for (std::size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at)) {
    auto const close = text.find('}', at + 2);
    if (close == std::string::npos) break;
    auto const value = environment(text.substr(at + 2, close - at - 2)).value_or("");
    text.replace(at, close - at + 1, value);
    at += value.size();
  }
  return text;
}

ordered_json json_or_null(std::optional<double> v) {
  return v ? ordered_json(*v) : ordered_json();
}
ordered_json json_or_null(std::string const& v) {
  return v.empty() ? ordered_json() : ordered_json(v);
}

std::string dump(ordered_json const& document) {
  return document.dump(2, ' ', false, ordered_json::error_handler_t::replace) + "\n";
}

/// Letters, digits, '-', '_' and '.' kept, anything else '_'.
std::string file_safe(std::string const& text) {
  std::string out = text;
  for (auto& c : out) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) c = '_';
  }
  return out;
}

int count_status(notification const& n, std::string const& status) {
  return static_cast<int>(std::count_if(n.events.begin(), n.events.end(),
                                        [&](alert_event const& e) { return e.status == status; }));
}

double total_area(notification const& n) {
  double sum = 0;
  for (auto const& e : n.events) sum += e.area_ha;
  return sum;
}

// ---- e-mail text ---------------------------------------------------------------------------

bool is_ascii(std::string const& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string base64(std::string const& data, std::size_t line_length = 76) {
  static char const* const alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t line = 0;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    std::uint32_t chunk = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) chunk |= static_cast<unsigned char>(data[i + 1]) << 8;
    if (i + 2 < data.size()) chunk |= static_cast<unsigned char>(data[i + 2]);
    char quad[4] = {alphabet[(chunk >> 18) & 63], alphabet[(chunk >> 12) & 63],
                    i + 1 < data.size() ? alphabet[(chunk >> 6) & 63] : '=',
                    i + 2 < data.size() ? alphabet[chunk & 63] : '='};
    out.append(quad, 4);
    line += 4;
    if (line_length > 0 && line >= line_length && i + 3 < data.size()) {
      out += "\r\n";
      line = 0;
    }
  }
  return out;
}

/// Quoted-printable (RFC 2045) of LF-separated text, with CRLF line ends.
std::string quoted_printable(std::string const& text) {
  std::string out;
  std::size_t column = 0;
  auto const emit = [&](std::string const& piece) {
    if (column + piece.size() > 75) {
      out += "=\r\n";
      column = 0;
    }
    out += piece;
    column += piece.size();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto const c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\r\n";
      column = 0;
      continue;
    }
    bool const line_end = i + 1 == text.size() || text[i + 1] == '\n';
    bool const literal =
        (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !line_end);
    emit(literal ? std::string(1, static_cast<char>(c)) : fmt::format("={:02X}", c));
  }
  return out;
}

/// A header value: as is when ASCII, else RFC 2047 encoded words of whole UTF-8 characters.
std::string header_text(std::string const& text) {
  if (is_ascii(text)) return text;
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = std::min(text.size(), start + 45);
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    out += (out.empty() ? "" : "\r\n ") + std::string("=?UTF-8?B?") +
           base64(text.substr(start, end - start), 0) + "?=";
    start = end;
  }
  return out;
}

/// RFC 5322 date of "YYYY-MM-DDTHH:MM:SS..." (UTC); the current time when it does not parse.
std::string mail_date(std::string const& utc) {
  using namespace std::chrono;
  sys_seconds when = time_point_cast<seconds>(system_clock::now());
  if (utc.size() >= 19 && utc[10] == 'T') {
    auto const day = parse_iso_date(utc.substr(0, 10));
    int h = 0, m = 0, s = 0;
    if (day && std::sscanf(utc.c_str() + 11, "%2d:%2d:%2d", &h, &m, &s) == 3) {
      when = sys_days(*day) + hours(h) + minutes(m) + seconds(s);
    }
  }
  static char const* const weekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static char const* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  auto const day = floor<days>(when);
  year_month_day const ymd(day);
  hh_mm_ss const time(when - day);
  return fmt::format("{}, {:02d} {} {} {:02d}:{:02d}:{:02d} +0000",
                     weekdays[weekday(day).c_encoding()], static_cast<unsigned>(ymd.day()),
                     months[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                     time.hours().count(), time.minutes().count(), time.seconds().count());
}

std::string message_id(notification const& n, notification_spec const& channel) {
  auto const atom = [](std::string text) {
    for (auto& c : text)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_')) c = '-';
    return text;
  };
  auto const at = channel.email.from.find('@');
  std::string const domain =
      at == std::string::npos ? "geosweep.invalid" : channel.email.from.substr(at + 1);
  return "<geosweep." + atom(n.job) + "." + atom(n.delivery_id) + "@" + domain + ">";
}

/// The plain-text body: a sentence, then a fixed-width table of the alerts.
std::string email_body(notification const& n, notification_spec const& channel) {
  int const new_count = count_status(n, "new");
  int const confirmed_count = count_status(n, "confirmed");
  std::string body = fmt::format(
      "geosweep found {} new and {} newly confirmed alert(s) in AOI {}, {:.2f} ha in all.\n\n"
      "Job {}, run {}, started {}.\n\n",
      new_count, confirmed_count, n.aoi, total_area(n), n.job, n.run, n.run_started_utc);
  if (n.events.empty()) {
    body += "No alert is new or newly confirmed.\n";
  } else {
    bool const with_value = std::any_of(n.events.begin(), n.events.end(),
                                        [](alert_event const& e) { return e.estimated_value; });
    std::vector<std::string> header{"status",     "alert",     "first seen", "confirmed on",
                                    "confidence", "area (ha)", "latitude",   "longitude"};
    if (with_value) header.emplace_back("est. value");
    std::vector<std::vector<std::string>> rows{header};
    for (auto const& e : n.events) {
      std::vector<std::string> row{e.status,
                                   e.alert_id,
                                   e.first_seen,
                                   e.confirmed_on.empty() ? "-" : e.confirmed_on,
                                   e.confidence,
                                   fmt::format("{:.2f}", e.area_ha),
                                   fmt::format("{:.5f}", e.centroid_lat),
                                   fmt::format("{:.5f}", e.centroid_lon)};
      if (with_value)
        row.push_back(e.estimated_value ? fmt::format("{:.0f}", *e.estimated_value) : "-");
      rows.push_back(std::move(row));
    }
    std::vector<std::size_t> width(header.size(), 0);
    for (auto const& row : rows)
      for (std::size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], row[k].size());
    auto const numeric = [](std::size_t k) { return k >= 5; };  // right-aligned columns
    for (std::size_t r = 0; r < rows.size(); ++r) {
      std::string line;
      for (std::size_t k = 0; k < rows[r].size(); ++k) {
        std::string const& cell = rows[r][k];
        std::string const pad(width[k] - cell.size(), ' ');
        line += (k ? "  " : "") + (numeric(k) ? pad + cell : cell + pad);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      body += line + "\n";
      if (r == 0) {
        std::string rule;
        for (std::size_t k = 0; k < width.size(); ++k)
          rule += (k ? "  " : "") + std::string(width[k], '-');
        body += rule + "\n";
      }
    }
    body += "\nLatitude and longitude: the alert's centroid (WGS84).\n";
    if (channel.email.attach_geojson) {
      body += "The attached GeoJSON holds each alert as a point with its bounding box.\n";
    }
  }
  body += "\nDelivery " + n.delivery_id + " (the same on every retry).\n";
  return body;
}

std::string alerts_geojson(notification const& n) {
  ordered_json features = ordered_json::array();
  for (auto const& e : n.events) {
    ordered_json feature;
    feature["type"] = "Feature";
    feature["id"] = e.alert_id;
    feature["bbox"] = {e.bbox[0], e.bbox[1], e.bbox[2], e.bbox[3]};
    feature["geometry"] = {{"type", "Point"}, {"coordinates", {e.centroid_lon, e.centroid_lat}}};
    feature["properties"] = {{"alert_id", e.alert_id},
                             {"aoi", e.aoi},
                             {"status", e.status},
                             {"first_seen", e.first_seen},
                             {"confirmed_on", json_or_null(e.confirmed_on)},
                             {"confidence", e.confidence},
                             {"area_ha", e.area_ha},
                             {"estimated_value", json_or_null(e.estimated_value)}};
    features.push_back(std::move(feature));
  }
  ordered_json collection;
  collection["type"] = "FeatureCollection";
  collection["features"] = std::move(features);
  return dump(collection);
}

// ---- delivery --------------------------------------------------------------------------------

/// One try's result.
struct attempt_result {
  bool ok = false;
  bool retry = true;         ///< worth another try within this call
  std::string error;         ///< why it failed
  double retry_after_s = 0;  ///< the server asked to wait this long (Retry-After)
};

delivery_outcome with_retries(notification_spec const& channel, delivery_options const& options,
                              std::function<attempt_result()> const& attempt) {
  delivery_outcome outcome;
  int const tries = std::max(1, channel.attempts);
  for (int k = 1; k <= tries; ++k) {
    auto const result = attempt();
    outcome.attempts = k;
    if (result.ok) {
      outcome.delivered = true;
      outcome.error.clear();
      return outcome;
    }
    outcome.error = result.error;
    if (!result.retry || k == tries) break;
    if (options.on_retry) options.on_retry(k, result.error);
    double delay = std::min(kMaxBackoffSeconds, channel.backoff_s * std::ldexp(1.0, k - 1));
    delay = std::max(delay, std::min(kMaxBackoffSeconds, result.retry_after_s));
    delay *= std::max(0.0, options.backoff_scale);
    if (delay > 0) std::this_thread::sleep_for(std::chrono::duration<double>(delay));
  }
  if (outcome.attempts > 1) {
    outcome.error = fmt::format("{} tries failed; the last: {}", outcome.attempts, outcome.error);
  }
  return outcome;
}

struct curl_deleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct slist_deleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using curl_handle = std::unique_ptr<CURL, curl_deleter>;
using curl_list = std::unique_ptr<curl_slist, slist_deleter>;

curl_handle new_handle(notification_spec const& channel, delivery_options const& options,
                       char const* protocols, char* error_buffer) {
  init_curl();
  curl_handle curl(curl_easy_init());
  if (!curl) throw io_error("libcurl: curl_easy_init failed (out of memory?)");
  auto const timeout_ms = static_cast<long>(std::ceil(channel.timeout_s * 1000));
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);  // threads may deliver concurrently
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_PROTOCOLS_STR, protocols);
  if (!options.ca_file.empty())
    curl_easy_setopt(curl.get(), CURLOPT_CAINFO, options.ca_file.c_str());
  return curl;
}

/// libcurl's reason for `code`, with its detail when there is one.
std::string curl_reason(CURLcode code, char const* error_buffer) {
  std::string reason = curl_easy_strerror(code);
  if (error_buffer[0] != '\0' && reason != error_buffer) reason += std::string(": ") + error_buffer;
  return reason;
}

/// Failures that another try cannot fix.
bool permanent(CURLcode code) {
  return code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_URL_MALFORMAT ||
         code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_LOGIN_DENIED || code == CURLE_USE_SSL_FAILED;
}

std::size_t collect(char* data, std::size_t size, std::size_t count, void* target) {
  auto& text = *static_cast<std::string*>(target);
  std::size_t const n = size * count;
  if (text.size() < 2048) text.append(data, std::min(n, 2048 - text.size()));
  return n;
}

std::string one_line(std::string text, std::size_t limit = 200) {
  for (auto& c : text)
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

attempt_result post_webhook(notification_spec const& channel, notification const& n,
                            std::string const& body, delivery_options const& options) {
  char error_buffer[CURL_ERROR_SIZE] = {};
  auto curl = new_handle(channel, options, "http,https", error_buffer);
  std::string const url = expand(channel.webhook.url);
  curl_list headers;
  auto const add = [&](std::string const& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  add("Content-Type: application/json; charset=utf-8");
  add("Idempotency-Key: " + n.delivery_id);
  add("Expect:");  // no 100-continue round trip
  for (auto const& [name, value] : channel.webhook.headers) add(name + ": " + expand(value));
  std::string response;
  std::string const agent = "geosweep/" + geosweep_version();
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_USERAGENT, agent.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response);

  // Messages name the URL as the job file writes it: an expanded one may hold a secret.
  std::string const where = channel.webhook.url;
  CURLcode const code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    return {false, !permanent(code), curl_reason(code, error_buffer) + " (" + where + ")"};
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return {true, false, {}};
  attempt_result result;
  result.error = fmt::format("HTTP {} from {}", status, where);
  if (!one_line(response).empty()) result.error += ": " + one_line(response);
  if (status >= 300 && status < 400) {
    char* location = nullptr;
    curl_easy_getinfo(curl.get(), CURLINFO_REDIRECT_URL, &location);
    result.error +=
        fmt::format(" (redirects are not followed: write the new address{} in the job file)",
                    location ? std::string(" ") + location : std::string());
    result.retry = false;
    return result;
  }
  result.retry = status == 408 || status == 429 || status >= 500 || status < 200;
  curl_off_t retry_after = 0;
  if (curl_easy_getinfo(curl.get(), CURLINFO_RETRY_AFTER, &retry_after) == CURLE_OK)
    result.retry_after_s = static_cast<double>(retry_after);
  return result;
}

/// Feeds a message to libcurl's SMTP upload.
struct upload_source {
  std::string const* text;
  std::size_t offset = 0;
};

std::size_t feed(char* buffer, std::size_t size, std::size_t count, void* source) {
  auto& s = *static_cast<upload_source*>(source);
  std::size_t const n = std::min(size * count, s.text->size() - s.offset);
  std::copy_n(s.text->data() + s.offset, n, buffer);
  s.offset += n;
  return n;
}

attempt_result send_email(notification_spec const& channel, std::string const& message,
                          delivery_options const& options) {
  char error_buffer[CURL_ERROR_SIZE] = {};
  auto curl = new_handle(channel, options, "smtp,smtps", error_buffer);
  auto const& email = channel.email;
  curl_list recipients;
  for (auto const& to : email.to)
    recipients.reset(curl_slist_append(recipients.release(), ("<" + to + ">").c_str()));
  std::string const from = "<" + email.from + ">";
  upload_source source{&message};
  curl_easy_setopt(curl.get(), CURLOPT_URL, email.smtp_url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, feed);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &source);
  curl_easy_setopt(
      curl.get(), CURLOPT_USE_SSL,
      email.tls == "none" ? static_cast<long>(CURLUSESSL_NONE) : static_cast<long>(CURLUSESSL_ALL));
  std::string username, password;
  if (!email.username_env.empty()) {
    username = environment(email.username_env).value_or("");
    password = environment(email.password_env).value_or("");
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, username.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, password.c_str());
  }
  CURLcode const code = curl_easy_perform(curl.get());
  if (code == CURLE_OK) return {true, false, {}};
  long reply = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &reply);
  attempt_result result;
  // The last reply is only the cause when it is an error (a failed STARTTLS follows EHLO's 250).
  result.error = (reply >= 400 ? fmt::format("SMTP {} from {}: ", reply, email.smtp_url)
                               : email.smtp_url + ": ") +
                 curl_reason(code, error_buffer);
  // 5xx replies are permanent (unknown mailbox, refused sender, bad credentials); 4xx and
  // network failures are worth another try.
  result.retry = !permanent(code) && !(reply >= 500 && reply < 600);
  return result;
}

void write_all(int fd, std::string const& text, fs::path const& file) {
  std::size_t done = 0;
  while (done < text.size()) {
    auto const n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw io_error(file.string() + ": cannot write: " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
}

delivery_outcome drop_file(notification_spec const& channel, notification const& n) {
  delivery_outcome outcome;
  fs::path const final_path = channel.file.dir / notification_file_name(n);
  try {
    std::error_code ec;
    fs::create_directories(channel.file.dir, ec);
    if (ec) {
      throw io_error(channel.file.dir.string() +
                     ": cannot create the drop folder: " + ec.message());
    }
    if (fs::exists(final_path, ec)) {
      // Written by an earlier try whose success was not recorded: the same delivery, unless
      // another id maps to the same file name.
      std::ifstream in(final_path);
      auto const existing = ordered_json::parse(in, nullptr, false);
      if (existing.is_object() && existing.value("delivery_id", "") == n.delivery_id) {
        outcome.delivered = true;
        outcome.already = true;
        return outcome;
      }
      throw io_error(final_path.string() + " exists and holds another delivery than '" +
                     n.delivery_id + "'");
    }
    outcome.attempts = 1;
    atomic_file file(final_path);
    {
      unique_fd const fd(
          ::open(file.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
      if (!fd)
        throw io_error(file.temp_path().string() + ": cannot create: " + std::strerror(errno));
      write_all(fd.get(), notification_json(n), file.temp_path());
      if (::fsync(fd.get()) != 0)
        throw io_error(file.temp_path().string() + ": cannot sync: " + std::strerror(errno));
    }
    file.commit();
    // The rename is durable only once the folder is synced.
    if (unique_fd const dir(::open(channel.file.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        dir)
      ::fsync(dir.get());
    outcome.delivered = true;
  } catch (io_error const& e) {
    outcome.attempts = std::max(outcome.attempts, 1);
    outcome.error = e.what();
  }
  return outcome;
}

}  // namespace

std::string notification_json(notification const& n) {
  ordered_json alerts = ordered_json::array();
  for (auto const& e : n.events) {
    ordered_json alert;
    alert["alert_id"] = e.alert_id;
    alert["status"] = e.status;
    alert["aoi"] = e.aoi;
    alert["first_seen"] = e.first_seen;
    alert["confirmed_on"] = json_or_null(e.confirmed_on);
    alert["confidence"] = e.confidence;
    alert["area_ha"] = e.area_ha;
    alert["lat"] = e.centroid_lat;
    alert["lon"] = e.centroid_lon;
    alert["bbox"] = {e.bbox[0], e.bbox[1], e.bbox[2], e.bbox[3]};
    alert["estimated_value"] = json_or_null(e.estimated_value);
    alerts.push_back(std::move(alert));
  }
  ordered_json document;
  document["schema"] = "geosweep.notification/1";
  document["delivery_id"] = n.delivery_id;
  document["job"] = n.job;
  document["run"] = n.run;
  document["run_started_utc"] = n.run_started_utc;
  document["aoi"] = n.aoi;
  document["summary"] = {{"new", count_status(n, "new")},
                         {"confirmed", count_status(n, "confirmed")},
                         {"area_ha", total_area(n)}};
  document["alerts"] = std::move(alerts);
  return dump(document);
}

std::string notification_file_name(notification const& n) {
  return file_safe(n.delivery_id) + ".json";
}

std::string notification_email(notification const& n, notification_spec const& channel) {
  auto const& email = channel.email;
  std::string const body = email_body(n, channel);
  bool const plain = is_ascii(body);
  std::string const text_part = plain ? [&] {
    std::string crlf;
    for (char c : body) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    return crlf;
  }()
                                      : quoted_printable(body);
  std::string const text_headers =
      std::string("Content-Type: text/plain; charset=utf-8\r\n") +
      "Content-Transfer-Encoding: " + (plain ? "7bit" : "quoted-printable") + "\r\n";

  std::string to;
  for (auto const& address : email.to) to += (to.empty() ? "" : ",\r\n ") + address;
  std::string const subject = fmt::format(
      "[geosweep] {}: {} new, {} confirmed alert(s), {:.2f} ha ({} run {})", n.aoi,
      count_status(n, "new"), count_status(n, "confirmed"), total_area(n), n.job, n.run);
  std::string const id_header = is_ascii(n.delivery_id) ? n.delivery_id : file_safe(n.delivery_id);

  std::string message = "From: " + email.from + "\r\n" + "To: " + to + "\r\n" +
                        "Subject: " + header_text(subject) + "\r\n" +
                        "Date: " + mail_date(n.run_started_utc) + "\r\n" +
                        "Message-ID: " + message_id(n, channel) + "\r\n" +
                        "X-Geosweep-Delivery-Id: " + id_header + "\r\n" + "MIME-Version: 1.0\r\n";
  if (!email.attach_geojson || n.events.empty()) {
    return message + text_headers + "\r\n" + text_part;
  }
  // "=_" never occurs in quoted-printable or base64; the loop covers 7bit text.
  std::string boundary = "=_geosweep_" + file_safe(n.aoi);
  while (text_part.find(boundary) != std::string::npos) boundary += "_";
  std::string const attachment = file_safe(n.aoi) + "-run-" + std::to_string(n.run) + ".geojson";
  message += "Content-Type: multipart/mixed; boundary=\"" + boundary + "\"\r\n\r\n";
  message += "This is a MIME message: the alerts are in the text part and the attachment.\r\n";
  message += "--" + boundary + "\r\n" + text_headers + "\r\n" + text_part;
  if (message.size() < 2 || message.substr(message.size() - 2) != "\r\n") message += "\r\n";
  message += "--" + boundary + "\r\n";
  message += "Content-Type: application/geo+json; name=\"" + attachment + "\"\r\n";
  message += "Content-Disposition: attachment; filename=\"" + attachment + "\"\r\n";
  message += "Content-Transfer-Encoding: base64\r\n\r\n";
  message += base64(alerts_geojson(n)) + "\r\n";
  message += "--" + boundary + "--\r\n";
  return message;
}

std::vector<std::string> unset_secret_variables(notification_spec const& channel) {
  std::vector<std::string> names;
  for (auto const& secret : channel.secrets) {
    if (!environment(secret.variable) &&
        std::find(names.begin(), names.end(), secret.variable) == names.end()) {
      names.push_back(secret.variable);
    }
  }
  return names;
}

std::vector<std::string> unset_secret_warnings(job_spec const& spec) {
  std::vector<std::string> warnings;
  for (auto const& channel : spec.notifications) {
    for (auto const& secret : channel.secrets) {
      if (environment(secret.variable)) continue;
      warnings.push_back(fmt::format(
          "{}:{}:{}: {}: environment variable '{}' is not set; channel '{}' cannot deliver "
          "until it is",
          spec.file.string(), secret.where.line, secret.where.column, secret.key_path,
          secret.variable, channel.name));
    }
  }
  return warnings;
}

delivery_outcome deliver(notification_spec const& channel, notification const& n,
                         delivery_options const& options) {
  GEOSWEEP_EXPECTS(!n.delivery_id.empty(), "deliver: a delivery id");
  require_secrets(channel);
  if (channel.type == "file") return drop_file(channel, n);
  if (channel.type == "webhook") {
    std::string const body = notification_json(n);
    return with_retries(channel, options, [&] { return post_webhook(channel, n, body, options); });
  }
  if (channel.type == "email") {
    std::string const message = notification_email(n, channel);
    return with_retries(channel, options, [&] { return send_email(channel, message, options); });
  }
  throw config_error("notification channel '" + channel.name + "': unknown type '" + channel.type +
                     "'");
}

}  // namespace geosweep::pipeline
