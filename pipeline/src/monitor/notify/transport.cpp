#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "geosweep/pipeline/build_info.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "monitor/notify/delivery.hpp"

namespace geosweep::pipeline {
namespace {

/// The longest wait between two tries, before backoff_scale.
constexpr double kMaxBackoffSeconds = 600;

void init_curl() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

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
    auto result = attempt();
    result.error = mask_secrets(channel, std::move(result.error));
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
  // libcurl bounds each try: the whole of it, and its connection (TCP, TLS) within that.
  auto const timeout_ms = static_cast<long>(std::ceil(channel.timeout_s * 1000));
  auto const connect_timeout_ms =
      std::min(timeout_ms, static_cast<long>(std::ceil(channel.connect_timeout_s * 1000)));
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);  // threads may deliver concurrently
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT_MS, timeout_ms);
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT_MS, connect_timeout_ms);
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

/// How much of a receiver's answer is kept for the error message.
constexpr std::size_t kAnswerKept = 2048;

std::size_t collect(char* data, std::size_t size, std::size_t count, void* target) {
  auto& text = *static_cast<std::string*>(target);
  std::size_t const n = size * count;
  if (text.size() < kAnswerKept) text.append(data, std::min(n, kAnswerKept - text.size()));
  return n;
}

std::string one_line(std::string text, std::size_t limit = 200) {
  for (auto& c : text)
    if (c == '\r' || c == '\n' || c == '\t') c = ' ';
  while (!text.empty() && text.back() == ' ') text.pop_back();
  if (text.size() > limit) text = text.substr(0, limit) + "...";
  return text;
}

/// A receiver's answer for a message: its secrets masked (a gateway may echo the request's
/// Authorization header), then on one line. An answer cut at kAnswerKept may end in the first
/// characters of a secret, which match no whole secret: that end goes too.
std::string answer_text(notification_spec const& channel, std::string answer) {
  bool const cut = answer.size() >= kAnswerKept;
  answer = mask_secrets(channel, std::move(answer));
  if (cut) {
    auto const forms = secret_forms(channel);
    std::size_t const longest = forms.empty() ? 0 : forms.front().size();
    if (longest > 0) answer.resize(answer.size() - std::min(answer.size(), longest - 1));
  }
  return one_line(std::move(answer));
}

attempt_result post_webhook(notification_spec const& channel, notification const& n,
                            std::string const& body, delivery_options const& options) {
  char error_buffer[CURL_ERROR_SIZE] = {};
  auto curl = new_handle(channel, options, "http,https", error_buffer);
  std::string const url = expand_environment(channel.webhook.url);
  curl_list headers;
  auto const add = [&](std::string const& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  add("Content-Type: application/json; charset=utf-8");
  add("Idempotency-Key: " + n.delivery_id);
  add("Expect:");  // no 100-continue round trip
  for (auto const& [name, value] : channel.webhook.headers)
    add(name + ": " + expand_environment(value));
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
  if (auto const answer = answer_text(channel, response); !answer.empty())
    result.error += ": " + answer;
  if (status >= 300 && status < 400) {
    // libcurl resolves the Location against the URL sent, which may be a secret.
    char* location = nullptr;
    curl_easy_getinfo(curl.get(), CURLINFO_REDIRECT_URL, &location);
    std::string const new_address = location ? mask_secrets(channel, location) : std::string();
    result.error +=
        fmt::format(" (redirects are not followed: write the new address{}{} in the job file)",
                    new_address.empty() ? "" : " ", new_address);
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
  curl_easy_setopt(curl.get(), CURLOPT_USE_SSL,
                   email.tls == smtp_tls::none ? static_cast<long>(CURLUSESSL_NONE)
                                               : static_cast<long>(CURLUSESSL_ALL));
  std::string username, password;
  if (!email.username_env.empty()) {
    username = environment_value(email.username_env).value_or("");
    password = environment_value(email.password_env).value_or("");
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

}  // namespace

delivery_outcome deliver_webhook(notification_spec const& channel, notification const& n,
                                 delivery_options const& options) {
  std::string const body = notification_json(n);
  return with_retries(channel, options, [&] { return post_webhook(channel, n, body, options); });
}

delivery_outcome deliver_email(notification_spec const& channel, notification const& n,
                               delivery_options const& options) {
  std::string const message = notification_email(n, channel);
  return with_retries(channel, options, [&] { return send_email(channel, message, options); });
}

}  // namespace geosweep::pipeline
