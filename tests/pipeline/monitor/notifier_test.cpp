// Notification channels against real receivers on loopback: a webhook server (Python's
// http.server) and an SMTP server (aiosmtpd) that fail or hang at first, and a file drop. A
// delivery arrives once, carries the same Idempotency-Key / Message-ID on every try, gives up
// with the receiver's reason, and a missing secret stops it before anything is sent. TLS
// (https, SMTP STARTTLS and smtps) runs against the same receivers with a throwaway
// self-signed certificate made by openssl at test time, trusted through delivery_options::ca_file.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/notifier.hpp"
#include "tools/local_servers.hpp"
#include "tools/temp_dir_test.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using ordered_json = nlohmann::ordered_json;

namespace {

/// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

gp::notification two_alerts() {
  gp::notification n;
  n.delivery_id = "run-12/analysts/concession-7";
  n.job = "rondonia-weekly";
  n.aoi = "concession-7";
  n.run = 12;
  n.run_started_utc = "2024-06-15T06:00:00Z";
  gp::alert_event a;
  a.kind = gp::event_kind::new_alert;
  a.alert.id = "concession-7-000123";
  a.alert.aoi = "concession-7";
  a.alert.first_seen = gp::parse_iso_date("2024-06-10").value();
  a.alert.confidence = gp::alert_confidence::low;
  a.alert.area_ha = 1.25;
  a.alert.centroid_lat = -9.58123;
  a.alert.centroid_lon = -62.91234;
  a.alert.bbox = {-62.913, -9.582, -62.911, -9.580};
  gp::alert_event b = a;
  b.kind = gp::event_kind::confirmed;
  b.alert.id = "concession-7-000097";
  b.alert.first_seen = gp::parse_iso_date("2024-05-28").value();
  b.alert.confirmed_on = gp::parse_iso_date("2024-06-12");
  b.alert.confidence = gp::alert_confidence::high;
  b.alert.area_ha = 2.25;
  b.alert.estimated_value = 4050;
  n.events = {a, b};
  return n;
}

gp::notification_spec webhook_channel(std::string const& url) {
  gp::notification_spec c;
  c.name = "ops-webhook";
  c.type = gp::channel_type::webhook;
  c.webhook.url = url;
  c.timeout_s = 5;
  c.attempts = 3;
  c.backoff_s = 1;
  return c;
}

gp::notification_spec email_channel(std::string const& url) {
  gp::notification_spec c;
  c.name = "analysts";
  c.type = gp::channel_type::email;
  c.email.smtp_url = url;
  c.email.tls = gp::smtp_tls::none;
  c.email.from = "geosweep@example.org";
  c.email.to = {"analyst@example.org", "duty@example.org"};
  c.timeout_s = 5;
  c.attempts = 3;
  c.backoff_s = 1;
  return c;
}

/// Fast retries: backoff_s of 1 s becomes 10 ms.
gp::delivery_options const kFast = [] {
  gp::delivery_options o;
  o.backoff_scale = 0.01;
  return o;
}();

std::string base64_decode(std::string const& text) {
  std::string out;
  int value = 0, bits = 0;
  for (char c : text) {
    auto const p =
        std::string_view("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            .find(c);
    if (p == std::string_view::npos) continue;
    value = (value << 6) | static_cast<int>(p);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xFF);
    }
  }
  return out;
}

/// The value of header `name` in a message, "" when absent (no folding).
std::string mail_header(std::string const& message, std::string const& name) {
  auto const at = message.find("\r\n" + name + ": ");
  if (at == std::string::npos) {
    if (message.rfind(name + ": ", 0) == 0)
      return message.substr(name.size() + 2, message.find("\r\n") - name.size() - 2);
    return "";
  }
  auto const start = at + 2 + name.size() + 2;
  return message.substr(start, message.find("\r\n", start) - start);
}

class Notifier : public tt::temp_dir_test {
 protected:
  void SetUp() override {
    tt::temp_dir_test::SetUp();
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);  // loopback receivers, never a proxy
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
  }
};

/// Where the tests find openssl to make their certificate.
fs::path const kOpenssl = "/usr/bin/openssl";

/// Notifier with a throwaway self-signed certificate and key for 127.0.0.1 (subjectAltName
/// IP:127.0.0.1, valid for a day) in the test's folder; skips the test without openssl. The
/// certificate is its own CA: `trusting()` passes it as ca_file.
class NotifierTls : public Notifier {
 protected:
  void SetUp() override {
    Notifier::SetUp();
    if (!fs::exists(kOpenssl)) GTEST_SKIP() << kOpenssl << " is missing: no test certificate";
    fs::create_directories(dir_ / "tls");
    cert_ = dir_ / "tls" / "cert.pem";
    key_ = dir_ / "tls" / "key.pem";
    ASSERT_TRUE(
        tt::runs_ok({kOpenssl.string(), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days",
                     "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                     "-keyout", key_.string(), "-out", cert_.string()}))
        << "openssl could not make a self-signed certificate";
    ASSERT_TRUE(fs::exists(cert_) && fs::exists(key_));
  }

  /// kFast with the test certificate as the trusted CA.
  [[nodiscard]] gp::delivery_options trusting() const {
    auto o = kFast;
    o.ca_file = cert_.string();
    return o;
  }

  fs::path cert_;
  fs::path key_;
};

}  // namespace

TEST(NotificationJson, HasTheDocumentedKeysInOrder) {
  auto const text = gp::notification_json(two_alerts());
  auto const doc = ordered_json::parse(text);
  std::vector<std::string> keys;
  for (auto const& [key, value] : doc.items()) keys.push_back(key);
  EXPECT_EQ(keys, (std::vector<std::string>{"schema", "delivery_id", "job", "run",
                                            "run_started_utc", "aoi", "summary", "alerts"}));
  EXPECT_EQ(doc["schema"], "geosweep.notification/1");
  EXPECT_EQ(doc["delivery_id"], "run-12/analysts/concession-7");
  EXPECT_EQ(doc["run"], 12);
  EXPECT_EQ(doc["summary"]["new"], 1);
  EXPECT_EQ(doc["summary"]["confirmed"], 1);
  EXPECT_DOUBLE_EQ(doc["summary"]["area_ha"].get<double>(), 3.5);
  ASSERT_EQ(doc["alerts"].size(), 2u);
  auto const& first = doc["alerts"][0];
  std::vector<std::string> alert_keys;
  for (auto const& [key, value] : first.items()) alert_keys.push_back(key);
  EXPECT_EQ(alert_keys, (std::vector<std::string>{"alert_id", "status", "aoi", "first_seen",
                                                  "confirmed_on", "confidence", "area_ha", "lat",
                                                  "lon", "bbox", "estimated_value"}));
  EXPECT_TRUE(first["confirmed_on"].is_null());
  EXPECT_TRUE(first["estimated_value"].is_null());
  EXPECT_DOUBLE_EQ(first["lat"].get<double>(), -9.58123);
  EXPECT_DOUBLE_EQ(first["bbox"][0].get<double>(), -62.913);
  auto const& second = doc["alerts"][1];
  EXPECT_EQ(second["confirmed_on"], "2024-06-12");
  EXPECT_DOUBLE_EQ(second["estimated_value"].get<double>(), 4050);
  EXPECT_EQ(text, gp::notification_json(two_alerts()));  // stable: the same bytes each time
}

TEST(NotificationEmail, IsAnRfc5322MessageWithATableAndAGeoJsonAttachment) {
  auto const n = two_alerts();
  auto const channel = email_channel("smtp://127.0.0.1:25");
  auto const message = gp::notification_email(n, channel);

  EXPECT_EQ(message.rfind("From: geosweep@example.org\r\n", 0), 0u) << message;
  EXPECT_NE(message.find("\r\nTo: analyst@example.org,\r\n duty@example.org\r\n"),
            std::string::npos);
  EXPECT_EQ(mail_header(message, "Subject"),
            "[geosweep] concession-7: 1 new, 1 confirmed alert(s), 3.50 ha (rondonia-weekly run "
            "12)");
  EXPECT_EQ(mail_header(message, "Date"), "Sat, 15 Jun 2024 06:00:00 +0000");
  EXPECT_EQ(mail_header(message, "Message-ID"),
            "<geosweep.rondonia-weekly.run-12-analysts-concession-7@example.org>");
  EXPECT_EQ(mail_header(message, "X-Geosweep-Delivery-Id"), "run-12/analysts/concession-7");
  EXPECT_EQ(mail_header(message, "MIME-Version"), "1.0");
  // Every line ends in CRLF and none is longer than SMTP allows.
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < message.size(); ++i) {
    if (message[i] != '\n') continue;
    ASSERT_GT(i, 0u);
    EXPECT_EQ(message[i - 1], '\r') << "bare LF at byte " << i;
    EXPECT_LE(i - line_start, 998u);
    line_start = i + 1;
  }
  EXPECT_EQ(message.substr(message.size() - 2), "\r\n");

  // The text part: the table with a header, a rule and a row per alert.
  EXPECT_NE(message.find("geosweep found 1 new and 1 newly confirmed alert(s) in AOI "
                         "concession-7, 3.50 ha in all."),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("status     alert                first seen  confirmed on  confidence  "
                         "area (ha)  latitude  longitude  est. value"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("new        concession-7-000123  2024-06-10  -             low        "
                         "      1.25  -9.58123  -62.91234           -"),
            std::string::npos)
      << message;
  EXPECT_NE(message.find("confirmed  concession-7-000097  2024-05-28  2024-06-12    high       "
                         "      2.25  -9.58123  -62.91234        4050"),
            std::string::npos)
      << message;

  // The attachment: base64 GeoJSON, one point per alert with its bbox.
  auto const boundary_at = message.find("boundary=\"");
  ASSERT_NE(boundary_at, std::string::npos);
  auto const boundary =
      message.substr(boundary_at + 10, message.find('"', boundary_at + 10) - boundary_at - 10);
  EXPECT_NE(message.find("\r\n--" + boundary + "--\r\n"), std::string::npos);
  auto const attachment_at = message.find("filename=\"concession-7-run-12.geojson\"");
  ASSERT_NE(attachment_at, std::string::npos);
  auto const data_start = message.find("\r\n\r\n", attachment_at) + 4;
  auto const data_end = message.find("\r\n--" + boundary + "--", data_start);
  auto const geojson =
      nlohmann::json::parse(base64_decode(message.substr(data_start, data_end - data_start)));
  EXPECT_EQ(geojson["type"], "FeatureCollection");
  ASSERT_EQ(geojson["features"].size(), 2u);
  EXPECT_EQ(geojson["features"][1]["properties"]["alert_id"], "concession-7-000097");
  EXPECT_DOUBLE_EQ(geojson["features"][0]["geometry"]["coordinates"][0].get<double>(), -62.91234);
  EXPECT_EQ(geojson["features"][0]["bbox"].size(), 4u);

  EXPECT_EQ(message, gp::notification_email(n, channel));  // the same bytes on every retry
}

TEST(NotificationEmail, NonAsciiTextIsEncodedAndTheAttachmentIsOptional) {
  auto n = two_alerts();
  n.job = "rondônia-semanal";
  auto channel = email_channel("smtp://127.0.0.1:25");
  channel.email.attach_geojson = false;
  auto const message = gp::notification_email(n, channel);
  for (char c : message) ASSERT_LT(static_cast<unsigned char>(c), 0x80u) << message;
  EXPECT_EQ(mail_header(message, "Subject").rfind("=?UTF-8?B?", 0), 0u) << message;
  EXPECT_EQ(mail_header(message, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(mail_header(message, "Content-Transfer-Encoding"), "quoted-printable");
  EXPECT_NE(message.find("rond=C3=B4nia-semanal"), std::string::npos) << message;
  EXPECT_EQ(message.find("multipart"), std::string::npos);
}

TEST_F(Notifier, WebhookFailingTwiceIsDeliveredOnTheThirdTryWithOneIdempotencyKey) {
  tt::webhook_server hook(dir_ / "hook", tt::webhook_server_options::failing_first(2, 503));
  auto channel = webhook_channel(hook.url());
  channel.webhook.headers = {{"Authorization", "Bearer ${GEOSWEEP_TEST_HOOK_TOKEN}"},
                             {"X-Source", "geosweep-tests"}};
  ::setenv("GEOSWEEP_TEST_HOOK_TOKEN", "s3cret-value", 1);
  std::vector<std::string> retries;
  auto options = kFast;
  options.on_retry = [&](int attempt, std::string const& error) {
    retries.push_back(std::to_string(attempt) + ": " + error);
  };
  auto const n = two_alerts();
  auto const start = std::chrono::steady_clock::now();
  auto const outcome = gp::deliver(channel, n, options);
  std::cout << "webhook delivered after 2 failures in " << seconds_since(start) << " s\n";
  ::unsetenv("GEOSWEEP_TEST_HOOK_TOKEN");

  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.attempts, 3);
  EXPECT_EQ(outcome.error, "");
  ASSERT_EQ(retries.size(), 2u);
  EXPECT_NE(retries[0].find("1: HTTP 503 from " + hook.url()), std::string::npos) << retries[0];

  auto const requests = hook.requests();
  ASSERT_EQ(requests.size(), 3u);
  EXPECT_EQ(requests[0].status, 503);
  EXPECT_EQ(requests[1].status, 503);
  EXPECT_EQ(requests[2].status, 200);
  for (auto const& r : requests) {
    EXPECT_EQ(r.method, "POST");
    EXPECT_EQ(r.path, "/hook");
    EXPECT_EQ(r.header("idempotency-key"), n.delivery_id);
    EXPECT_EQ(r.header("content-type"), "application/json; charset=utf-8");
    EXPECT_EQ(r.header("authorization"), "Bearer s3cret-value");
    EXPECT_EQ(r.header("x-source"), "geosweep-tests");
    EXPECT_EQ(r.header("user-agent").rfind("geosweep/", 0), 0u);
    EXPECT_EQ(r.body, gp::notification_json(n));
  }
}

TEST_F(Notifier, WebhookThatAlwaysFailsGivesUpWithTheHttpStatus) {
  tt::webhook_server hook(dir_ / "hook", tt::webhook_server_options::failing_first(1000, 500));
  auto channel = webhook_channel(hook.url());
  auto const start = std::chrono::steady_clock::now();
  auto const outcome = gp::deliver(channel, two_alerts(), kFast);
  double const elapsed = seconds_since(start);
  std::cout << "3 failing tries (backoff 10 + 20 ms) took " << elapsed << " s\n";
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.attempts, 3);
  EXPECT_NE(outcome.error.find("3 tries failed; the last: HTTP 500 from " + hook.url() +
                               ": simulated failure of request 2"),
            std::string::npos)
      << outcome.error;
  EXPECT_EQ(hook.requests().size(), 3u);
  EXPECT_GE(elapsed, 0.03);  // waited the (scaled) backoff: 10 ms, then 20 ms
}

TEST_F(Notifier, WebhookClientErrorIsNotRetriedButTooManyRequestsIs) {
  {
    tt::webhook_server hook(dir_ / "bad", tt::webhook_server_options::failing_first(1000, 400));
    auto const outcome = gp::deliver(webhook_channel(hook.url()), two_alerts(), kFast);
    EXPECT_FALSE(outcome.delivered);
    EXPECT_EQ(outcome.attempts, 1);
    EXPECT_NE(outcome.error.find("HTTP 400"), std::string::npos) << outcome.error;
    EXPECT_EQ(hook.requests().size(), 1u);
  }
  {
    auto busy = tt::webhook_server_options::failing_first(1, 429);
    busy.retry_after_s = 1;
    tt::webhook_server hook(dir_ / "busy", busy);
    auto const start = std::chrono::steady_clock::now();
    auto const outcome = gp::deliver(webhook_channel(hook.url()), two_alerts(), kFast);
    EXPECT_TRUE(outcome.delivered) << outcome.error;
    EXPECT_EQ(outcome.attempts, 2);
    EXPECT_LT(seconds_since(start), 0.9);  // Retry-After: 1 s, scaled like the backoff
  }
  {
    tt::webhook_server hook(dir_ / "moved", tt::webhook_server_options::failing_first(1000, 307));
    auto const outcome = gp::deliver(webhook_channel(hook.url()), two_alerts(), kFast);
    EXPECT_FALSE(outcome.delivered);
    EXPECT_EQ(outcome.attempts, 1);
    EXPECT_NE(outcome.error.find("HTTP 307"), std::string::npos) << outcome.error;
    EXPECT_NE(outcome.error.find("redirects are not followed"), std::string::npos);
  }
}

TEST_F(Notifier, WebhookTimeoutBoundsEachTry) {
  tt::webhook_server hook(dir_ / "hook", tt::webhook_server_options::hanging_first(1000, 30));
  auto channel = webhook_channel(hook.url());
  channel.timeout_s = 0.5;
  channel.attempts = 2;
  channel.backoff_s = 0;
  auto const start = std::chrono::steady_clock::now();
  auto const outcome = gp::deliver(channel, two_alerts());
  double const elapsed = seconds_since(start);
  std::cout << "2 tries against a hanging receiver, timeout 0.5 s: " << elapsed << " s\n";
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.attempts, 2);
  EXPECT_NE(outcome.error.find("Timeout"), std::string::npos) << outcome.error;
  EXPECT_GE(elapsed, 0.9);
  EXPECT_LT(elapsed, 2.5);  // timeout x attempts, plus slack for a loaded machine
  EXPECT_EQ(hook.requests().size(), 2u);
}

TEST_F(Notifier, WebhookReceiverDownIsAFailureNotAnException) {
  tt::webhook_server hook(dir_ / "hook");
  auto const url = hook.url();
  hook.stop();
  auto channel = webhook_channel(url);
  channel.attempts = 2;
  gp::delivery_outcome outcome;
  EXPECT_NO_THROW(outcome = gp::deliver(channel, two_alerts(), kFast));
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.attempts, 2);
  EXPECT_NE(outcome.error.find("Couldn't connect"), std::string::npos) << outcome.error;
}

TEST_F(Notifier, EmailReachesEveryRecipient) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "aiosmtpd is not installed";
  tt::smtp_server smtp(dir_ / "smtp");
  auto const channel = email_channel(smtp.url());
  auto const n = two_alerts();
  auto const outcome = gp::deliver(channel, n, kFast);
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.attempts, 1);
  auto const messages = smtp.accepted();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].mail_from, "geosweep@example.org");
  EXPECT_EQ(messages[0].rcpt_tos, channel.email.to);
  EXPECT_EQ(mail_header(messages[0].data, "Subject"),
            "[geosweep] concession-7: 1 new, 1 confirmed alert(s), 3.50 ha (rondonia-weekly run "
            "12)");
  EXPECT_EQ(messages[0].data, gp::notification_email(n, channel));  // unchanged on the way
}

TEST_F(Notifier, EmailIsDeliveredOnceAfterARefusedConnectionAndARefusedMessage) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "aiosmtpd is not installed";
  tt::smtp_server smtp(dir_ / "smtp", tt::smtp_server_options::failing_first(1, 1));
  auto const channel = email_channel(smtp.url());
  auto const start = std::chrono::steady_clock::now();
  auto const outcome = gp::deliver(channel, two_alerts(), kFast);
  std::cout << "e-mail delivered after 2 temporary failures in " << seconds_since(start) << " s\n";
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.attempts, 3);
  EXPECT_EQ(smtp.refused_connections(), 1);
  auto const messages = smtp.messages();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_FALSE(messages[0].accepted);
  EXPECT_TRUE(messages[1].accepted);
  EXPECT_EQ(messages[0].data, messages[1].data);  // same Message-ID: a receiver can drop repeats
  EXPECT_EQ(smtp.accepted().size(), 1u);
}

TEST_F(Notifier, EmailPermanentRefusalIsNotRetried) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "aiosmtpd is not installed";
  tt::smtp_server smtp(dir_ / "smtp", tt::smtp_server_options::failing_first(0, 100, 554));
  auto const outcome = gp::deliver(email_channel(smtp.url()), two_alerts(), kFast);
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.attempts, 1);
  EXPECT_NE(outcome.error.find("SMTP 554"), std::string::npos) << outcome.error;
  EXPECT_EQ(smtp.messages().size(), 1u);
}

TEST_F(Notifier, EmailLogsInWithCredentialsFromTheEnvironment) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "aiosmtpd is not installed";
  tt::smtp_server smtp(dir_ / "smtp", tt::smtp_server_options::with_login("mailer", "pa55"));
  auto channel = email_channel(smtp.url());
  channel.email.username_env = "GEOSWEEP_TEST_SMTP_USER";
  channel.email.password_env = "GEOSWEEP_TEST_SMTP_PASSWORD";
  channel.secrets = {{"GEOSWEEP_TEST_SMTP_USER", "notifications[0].username_env", {3, 5}},
                     {"GEOSWEEP_TEST_SMTP_PASSWORD", "notifications[0].password_env", {4, 5}}};
  ::setenv("GEOSWEEP_TEST_SMTP_USER", "mailer", 1);
  ::setenv("GEOSWEEP_TEST_SMTP_PASSWORD", "wrong", 1);
  auto const refused = gp::deliver(channel, two_alerts(), kFast);
  EXPECT_FALSE(refused.delivered);
  EXPECT_EQ(refused.attempts, 1);  // bad credentials: another try cannot help
  EXPECT_NE(refused.error.find("535"), std::string::npos) << refused.error;
  ::setenv("GEOSWEEP_TEST_SMTP_PASSWORD", "pa55", 1);
  auto const outcome = gp::deliver(channel, two_alerts(), kFast);
  ::unsetenv("GEOSWEEP_TEST_SMTP_USER");
  ::unsetenv("GEOSWEEP_TEST_SMTP_PASSWORD");
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  auto const messages = smtp.accepted();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].auth_login, "mailer");
}

TEST_F(Notifier, EmailServerDownIsRetriedThenReported) {
  tt::webhook_server placeholder(dir_ / "unused");  // a port that is free once it stops
  auto const port = placeholder.port();
  placeholder.stop();
  auto channel = email_channel("smtp://127.0.0.1:" + std::to_string(port));
  auto const outcome = gp::deliver(channel, two_alerts(), kFast);
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.attempts, 3);
  EXPECT_NE(outcome.error.find("Couldn't connect"), std::string::npos) << outcome.error;
}

TEST_F(NotifierTls, WebhookOverHttpsIsDeliveredWhenCaFileTrustsTheCertificate) {
  tt::webhook_server_options o;
  o.tls_cert = cert_;
  o.tls_key = key_;
  tt::webhook_server hook(dir_ / "hook", o);
  ASSERT_EQ(hook.url().rfind("https://127.0.0.1:", 0), 0u) << hook.url();
  auto const n = two_alerts();
  auto const outcome = gp::deliver(webhook_channel(hook.url()), n, trusting());
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.attempts, 1);
  auto const requests = hook.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].status, 200);
  EXPECT_EQ(requests[0].header("idempotency-key"), n.delivery_id);
  EXPECT_EQ(requests[0].body, gp::notification_json(n));
}

TEST_F(NotifierTls, WebhookOverHttpsWithAnUntrustedCertificateIsRefusedAndNotRetried) {
  tt::webhook_server_options o;
  o.tls_cert = cert_;
  o.tls_key = key_;
  tt::webhook_server hook(dir_ / "hook", o);
  auto const outcome = gp::deliver(webhook_channel(hook.url()), two_alerts(), kFast);  // no ca_file
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.attempts, 1);  // another try cannot make the certificate trusted
  EXPECT_NE(outcome.error.find("certificate"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find(hook.url()), std::string::npos) << outcome.error;
  EXPECT_TRUE(hook.requests().empty());  // the request never left the TLS handshake
}

TEST_F(NotifierTls, EmailWithStarttlsIsSentOverTls) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "aiosmtpd is not installed";
  tt::smtp_server smtp(dir_ / "smtp",
                       tt::smtp_server_options::with_tls(tt::smtp_tls::starttls, cert_, key_));
  ASSERT_EQ(smtp.url().rfind("smtp://127.0.0.1:", 0), 0u) << smtp.url();
  auto channel = email_channel(smtp.url());
  channel.email.tls =
      gp::smtp_tls::starttls;  // the job spec's default for smtp://: STARTTLS required
  auto const n = two_alerts();
  auto const outcome = gp::deliver(channel, n, trusting());
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.attempts, 1);
  auto const messages = smtp.accepted();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0].tls);
  EXPECT_EQ(messages[0].rcpt_tos, channel.email.to);
  EXPECT_EQ(messages[0].data, gp::notification_email(n, channel));
}

TEST_F(NotifierTls, EmailOverSmtpsIsSentOverTls) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "aiosmtpd is not installed";
  tt::smtp_server smtp(dir_ / "smtp",
                       tt::smtp_server_options::with_tls(tt::smtp_tls::implicit, cert_, key_));
  ASSERT_EQ(smtp.url().rfind("smtps://127.0.0.1:", 0), 0u) << smtp.url();
  auto channel = email_channel(smtp.url());
  channel.email.tls = gp::smtp_tls::ssl;  // what the job spec sets for smtps://
  auto const n = two_alerts();
  auto const untrusted = gp::deliver(channel, n, kFast);  // no ca_file: the system's CAs only
  EXPECT_FALSE(untrusted.delivered);
  EXPECT_EQ(untrusted.attempts, 1);
  EXPECT_NE(untrusted.error.find("certificate"), std::string::npos) << untrusted.error;
  EXPECT_TRUE(smtp.messages().empty());
  auto const outcome = gp::deliver(channel, n, trusting());
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.attempts, 1);
  auto const messages = smtp.accepted();
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_TRUE(messages[0].tls);
  EXPECT_EQ(messages[0].data, gp::notification_email(n, channel));
}

TEST_F(Notifier, EmailRequiringStarttlsFromAServerWithoutItSendsNothing) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "aiosmtpd is not installed";
  tt::smtp_server smtp(dir_ / "smtp");  // plain SMTP: no STARTTLS in its EHLO answer
  auto channel = email_channel(smtp.url());
  channel.email.tls = gp::smtp_tls::starttls;
  auto const outcome = gp::deliver(channel, two_alerts(), kFast);
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.attempts, 1);  // the server will not start offering it on another try
  EXPECT_NE(outcome.error.find("SSL"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find(smtp.url()), std::string::npos) << outcome.error;
  EXPECT_TRUE(smtp.messages().empty());  // nothing went out in clear text
}

TEST_F(Notifier, FileDropIsWrittenOnceUnderItsDeliveryId) {
  gp::notification_spec channel;
  channel.name = "inbox";
  channel.type = gp::channel_type::file;
  channel.file.dir = dir_ / "inbox";  // created on the first delivery
  auto n = two_alerts();
  n.delivery_id = "run-12/inbox/concession-7";
  EXPECT_EQ(gp::notification_file_name(n), "run-12_inbox_concession-7.json");

  auto const first = gp::deliver(channel, n);
  EXPECT_TRUE(first.delivered) << first.error;
  EXPECT_EQ(first.attempts, 1);
  EXPECT_FALSE(first.already);
  auto const file = dir_ / "inbox" / "run-12_inbox_concession-7.json";
  std::ifstream in(file);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), gp::notification_json(n));
  std::vector<fs::path> entries(fs::directory_iterator(dir_ / "inbox"), {});
  EXPECT_EQ(entries.size(), 1u);  // no temporary file left behind

  auto const mtime = fs::last_write_time(file);
  auto changed = n;
  changed.events.pop_back();  // a rebuilt notification of the same delivery is not re-sent
  auto const again = gp::deliver(channel, changed);
  EXPECT_TRUE(again.delivered);
  EXPECT_TRUE(again.already);
  EXPECT_EQ(again.attempts, 0);
  EXPECT_EQ(fs::last_write_time(file), mtime);

  auto other = n;
  other.delivery_id = "run-12/inbox:concession-7";  // maps to the same file name
  auto const clash = gp::deliver(channel, other);
  EXPECT_FALSE(clash.delivered);
  EXPECT_NE(clash.error.find("holds another delivery"), std::string::npos) << clash.error;
}

TEST_F(Notifier, FileDropNeverShowsAHalfWrittenFile) {
  gp::notification_spec channel;
  channel.name = "inbox";
  channel.type = gp::channel_type::file;
  channel.file.dir = dir_ / "inbox";
  fs::create_directories(channel.file.dir);
  auto big = two_alerts();
  big.events.resize(3000, big.events[0]);  // about 1 MB of JSON per file
  std::atomic<bool> done{false};
  std::atomic<int> files_seen{0}, incomplete{0};
  std::thread watcher([&] {  // a receiver that picks up every *.json as soon as it appears
    while (!done) {
      for (auto const& entry : fs::directory_iterator(channel.file.dir)) {
        if (entry.path().extension() != ".json") continue;
        std::ifstream in(entry.path());
        auto const doc = nlohmann::json::parse(in, nullptr, false);
        ++files_seen;
        if (doc.is_discarded() || doc["alerts"].size() != 3000) ++incomplete;
      }
    }
  });
  for (int i = 0; i < 20; ++i) {
    big.delivery_id = "run-" + std::to_string(i) + "/inbox/concession-7";
    EXPECT_TRUE(gp::deliver(channel, big).delivered);
  }
  done = true;
  watcher.join();
  EXPECT_GT(files_seen, 0);
  EXPECT_EQ(incomplete, 0);
}

TEST_F(Notifier, UnsetSecretStopsTheDeliveryAndNamesTheVariable) {
  tt::webhook_server hook(dir_ / "hook");
  auto channel = webhook_channel(hook.url());
  channel.webhook.headers = {{"Authorization", "Bearer ${GEOSWEEP_TEST_UNSET_TOKEN}"}};
  channel.secrets = {
      {"GEOSWEEP_TEST_UNSET_TOKEN", "notifications[0].headers.Authorization", {9, 22}}};
  ::unsetenv("GEOSWEEP_TEST_UNSET_TOKEN");
  try {
    gp::deliver(channel, two_alerts(), kFast);
    ADD_FAILURE() << "expected a config_error";
  } catch (geosweep::config_error const& e) {
    EXPECT_NE(std::string(e.what()).find("environment variable 'GEOSWEEP_TEST_UNSET_TOKEN' is not "
                                         "set"),
              std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("ops-webhook"), std::string::npos) << e.what();
  }
  ::setenv("GEOSWEEP_TEST_UNSET_TOKEN", "", 1);  // empty counts as unset
  EXPECT_THROW(gp::deliver(channel, two_alerts(), kFast), geosweep::config_error);
  ::setenv("GEOSWEEP_TEST_UNSET_TOKEN", "x\r\nX-Injected: 1", 1);  // no header smuggling
  EXPECT_THROW(gp::deliver(channel, two_alerts(), kFast), geosweep::config_error);
  ::unsetenv("GEOSWEEP_TEST_UNSET_TOKEN");
  EXPECT_TRUE(hook.requests().empty());  // nothing was sent
  EXPECT_EQ(gp::unset_secret_variables(channel),
            (std::vector<std::string>{"GEOSWEEP_TEST_UNSET_TOKEN"}));
}

TEST_F(Notifier, ParsedChannelsDeliverAndWarnAboutUnsetSecrets) {
  tt::webhook_server hook(dir_ / "hook");
  std::string const text =
      "job: t\n"
      "scenes: {dir: .}\n"
      "aois: [{name: a, bbox: [-51.1, -9.2, -50.9, -8.9]}]\n"
      "period: {baseline: [2019-01-01, 2019-12-31], monitor: [2020-01-01, "
      "2022-12-31]}\n"
      "notifications:\n"
      "  - name: hook\n"
      "    type: webhook\n"
      "    url: " +
      hook.url() +
      "\n"
      "    headers: {X-Api-Key: \"${GEOSWEEP_TEST_API_KEY}\"}\n"
      "    backoff_s: 0\n"
      "  - name: drop\n"
      "    type: file\n"
      "    dir: inbox\n";
  auto const spec = gp::parse_job_spec(text, dir_ / "job.yaml");
  ASSERT_EQ(spec.notifications.size(), 2u);
  ::unsetenv("GEOSWEEP_TEST_API_KEY");
  auto const warnings = gp::unset_secret_warnings(spec);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], (dir_ / "job.yaml").string() +
                             ":9:26: notifications[0].headers.X-Api-Key: environment variable "
                             "'GEOSWEEP_TEST_API_KEY' is not set; channel 'hook' cannot deliver "
                             "until it is");
  ::setenv("GEOSWEEP_TEST_API_KEY", "k-123", 1);
  EXPECT_TRUE(gp::unset_secret_warnings(spec).empty());
  auto n = two_alerts();
  n.aoi = "a";
  EXPECT_TRUE(gp::deliver(spec.notifications[0], n).delivered);
  ::unsetenv("GEOSWEEP_TEST_API_KEY");
  ASSERT_EQ(hook.requests().size(), 1u);
  EXPECT_EQ(hook.requests()[0].header("x-api-key"), "k-123");
  EXPECT_TRUE(gp::deliver(spec.notifications[1], n).delivered);
  EXPECT_TRUE(fs::exists(dir_ / "inbox" / gp::notification_file_name(n)));
}
