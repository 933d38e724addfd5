// What keeps a delivery safe, against real receivers on loopback. TLS (https, SMTP STARTTLS
// and smtps) runs with a throwaway self-signed certificate made by openssl at test time,
// trusted through delivery_options::ca_file: an untrusted certificate is refused and not
// retried, and a server without the STARTTLS that the channel requires gets nothing in clear
// text. A secret (${VAR} in a header) that is unset, empty or would smuggle a header stops the
// delivery before anything is sent, naming the variable; the job spec's channels warn about
// unset secrets. Plain deliveries are checked in notifier_delivery_test.cpp.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "geosweep/pipeline/errors.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/notifier.hpp"
#include "pipeline/monitor/notifier_fixtures.hpp"
#include "tools/local_servers.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using Notifier = tt::notifier_fixture;
using tt::email_channel;
using tt::kFast;
using tt::two_alerts;
using tt::webhook_channel;

namespace {

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

namespace {

/// A webhook channel to `url` whose Authorization header is `header_value` (holding
/// ${GEOSWEEP_TEST_ECHO_TOKEN}), tried twice without waiting.
gp::notification_spec echo_channel(std::string const& url, std::string const& header_value) {
  auto channel = webhook_channel(url);
  channel.webhook.headers = {{"Authorization", header_value}};
  channel.secrets = {
      {"GEOSWEEP_TEST_ECHO_TOKEN", "notifications[0].headers.Authorization", {9, 22}}};
  channel.attempts = 2;
  channel.backoff_s = 0;
  return channel;
}

}  // namespace

TEST_F(Notifier, AReceiverEchoingTheTokenHasItMaskedInEveryErrorAndRetryMessage) {
  std::string const token = "tok-8f3a91c2d7e64b05a1";
  ::setenv("GEOSWEEP_TEST_ECHO_TOKEN", token.c_str(), 1);
  // A gateway's error page that repeats the request's Authorization header and all headers.
  tt::webhook_server hook(
      dir_ / "hook",
      tt::webhook_server_options::echoing(
          503,
          "gateway: upstream down for {path}; you sent Authorization: {authorization}; "
          "headers: {headers}"));
  auto const channel = echo_channel(hook.url(), "Bearer ${GEOSWEEP_TEST_ECHO_TOKEN}");
  std::vector<std::string> retries;
  auto options = kFast;
  options.on_retry = [&](int, std::string const& error) { retries.push_back(error); };
  auto const outcome = gp::deliver(channel, two_alerts(), options);
  ::unsetenv("GEOSWEEP_TEST_ECHO_TOKEN");
  EXPECT_FALSE(outcome.delivered);
  ASSERT_EQ(hook.requests().size(), 2u);
  EXPECT_EQ(hook.requests()[0].header("authorization"), "Bearer " + token);  // it was sent
  ASSERT_EQ(retries.size(), 1u);
  for (auto const& text : {outcome.error, retries[0]}) {
    // The echo is there, with the token masked.
    EXPECT_NE(text.find("you sent Authorization: Bearer ***;"), std::string::npos) << text;
    EXPECT_EQ(text.find(token), std::string::npos) << text;
    EXPECT_EQ(text.find("tok-8f3"), std::string::npos) << text;  // nor a part of it
  }
}

TEST_F(Notifier, ATokenCutByTheMessageLengthLimitsLeavesNoPartBehind) {
  // 200 characters of an answer go into a message; the echoed token straddles that limit.
  std::string const token = "tok-8f3a91c2d7e64b05a1";
  ::setenv("GEOSWEEP_TEST_ECHO_TOKEN", token.c_str(), 1);
  {
    tt::webhook_server hook(dir_ / "at-200", tt::webhook_server_options::echoing(
                                                 503, std::string(190, '.') + "{authorization}"));
    auto const outcome = gp::deliver(echo_channel(hook.url(), "Bearer ${GEOSWEEP_TEST_ECHO_TOKEN}"),
                                     two_alerts(), kFast);
    EXPECT_NE(outcome.error.find(std::string(190, '.') + "Bearer ***"), std::string::npos)
        << outcome.error;
    EXPECT_EQ(outcome.error.find("tok-"), std::string::npos) << outcome.error;
  }
  {
    // The answer is kept up to 2048 bytes: 30 echoes of a bare 100-character token, cut 48
    // characters into the 21st. Masked, the 20 whole ones take 60 characters, so the cut one
    // would fit in the message.
    std::string long_token = "tok-";
    while (long_token.size() < 100) long_token += "0123456789abcdef"[long_token.size() % 16];
    ::setenv("GEOSWEEP_TEST_ECHO_TOKEN", long_token.c_str(), 1);
    tt::webhook_server hook(dir_ / "at-2048", [] {
      std::string body;
      for (int i = 0; i < 30; ++i) body += "{authorization}";
      return tt::webhook_server_options::echoing(503, body);
    }());
    auto const outcome =
        gp::deliver(echo_channel(hook.url(), "${GEOSWEEP_TEST_ECHO_TOKEN}"), two_alerts(), kFast);
    EXPECT_NE(outcome.error.find(": ******"), std::string::npos) << outcome.error;
    EXPECT_EQ(outcome.error.find("tok-"), std::string::npos) << outcome.error;
  }
  ::unsetenv("GEOSWEEP_TEST_ECHO_TOKEN");
}

TEST_F(Notifier, AWebhookUrlThatIsASecretIsMaskedWhenTheReceiverEchoesItsPathOrRedirects) {
  std::string const secret_path = "/services/T024BE7LD/B05F9QZ3X/9aK3s5ecretPathPart";
  {
    tt::webhook_server hook(dir_ / "hook",
                            tt::webhook_server_options::echoing(404, "no route for POST {path}"));
    ::setenv("GEOSWEEP_TEST_SECRET_URL", hook.url(secret_path).c_str(), 1);
    auto channel = webhook_channel("${GEOSWEEP_TEST_SECRET_URL}");
    channel.secrets = {{"GEOSWEEP_TEST_SECRET_URL", "notifications[0].url", {8, 10}}};
    auto const outcome = gp::deliver(channel, two_alerts(), kFast);
    EXPECT_FALSE(outcome.delivered);
    ASSERT_EQ(hook.requests().size(), 1u);
    EXPECT_EQ(hook.requests()[0].path, secret_path);
    EXPECT_NE(
        outcome.error.find("HTTP 404 from ${GEOSWEEP_TEST_SECRET_URL}: no route for POST ***"),
        std::string::npos)
        << outcome.error;
    EXPECT_EQ(outcome.error.find("9aK3s5ecret"), std::string::npos) << outcome.error;
  }
  {
    auto moved = tt::webhook_server_options::failing_first(1000, 307);
    moved.location = "?moved=1";  // resolved against the secret URL by libcurl
    tt::webhook_server hook(dir_ / "moved", moved);
    ::setenv("GEOSWEEP_TEST_SECRET_URL", hook.url(secret_path).c_str(), 1);
    auto channel = webhook_channel("${GEOSWEEP_TEST_SECRET_URL}");
    channel.secrets = {{"GEOSWEEP_TEST_SECRET_URL", "notifications[0].url", {8, 10}}};
    auto const outcome = gp::deliver(channel, two_alerts(), kFast);
    EXPECT_NE(outcome.error.find("redirects are not followed: write the new address"),
              std::string::npos)
        << outcome.error;
    EXPECT_NE(outcome.error.find("***"), std::string::npos) << outcome.error;
    EXPECT_EQ(outcome.error.find("9aK3s5ecret"), std::string::npos) << outcome.error;
  }
  ::unsetenv("GEOSWEEP_TEST_SECRET_URL");
}

TEST_F(Notifier, AnSmtpServerEchoingTheLoginHasItMasked) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "aiosmtpd is not installed";
  auto o = tt::smtp_server_options::with_login("mailer", "right-pa55word");
  o.echo_auth = true;
  tt::smtp_server smtp(dir_ / "smtp", o);
  auto channel = email_channel(smtp.url());
  channel.email.username_env = "GEOSWEEP_TEST_SMTP_USER";
  channel.email.password_env = "GEOSWEEP_TEST_SMTP_PASSWORD";
  channel.secrets = {{"GEOSWEEP_TEST_SMTP_USER", "notifications[0].username_env", {3, 5}},
                     {"GEOSWEEP_TEST_SMTP_PASSWORD", "notifications[0].password_env", {4, 5}}};
  ::setenv("GEOSWEEP_TEST_SMTP_USER", "mailer-account", 1);
  ::setenv("GEOSWEEP_TEST_SMTP_PASSWORD", "wrong-pa55word", 1);
  auto const outcome = gp::deliver(channel, two_alerts(), kFast);
  EXPECT_FALSE(outcome.delivered);
  EXPECT_NE(outcome.error.find("535"), std::string::npos) << outcome.error;
  EXPECT_EQ(outcome.error.find("wrong-pa55word"), std::string::npos) << outcome.error;
  EXPECT_EQ(outcome.error.find("mailer-account"), std::string::npos) << outcome.error;
  // The same masking, on any text: both values, and their percent-encoded forms.
  EXPECT_EQ(gp::mask_secrets(channel,
                             "login mailer-account:wrong-pa55word, url-encoded "
                             "mailer-account%3Awrong-pa55word"),
            "login ***:***, url-encoded ***%3A***");
  ::setenv("GEOSWEEP_TEST_SMTP_PASSWORD", "p@ss word/+=", 1);
  EXPECT_EQ(gp::mask_secrets(channel, "p@ss word/+= p%40ss%20word%2F%2B%3D"), "*** ***");
  ::unsetenv("GEOSWEEP_TEST_SMTP_USER");
  ::unsetenv("GEOSWEEP_TEST_SMTP_PASSWORD");
  EXPECT_EQ(gp::mask_secrets(channel, "mailer-account"), "mailer-account");  // nothing set
}
