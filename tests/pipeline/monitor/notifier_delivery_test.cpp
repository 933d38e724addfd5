// Deliveries against real receivers on loopback: a webhook server (Python's http.server) and an
// SMTP server (aiosmtpd) that fail or hang at first, and a file drop. A delivery arrives once,
// carries the same Idempotency-Key / Message-ID on every try, retries what another try can fix
// (with backoff, Retry-After and a timeout per try), gives up with the receiver's reason, and a
// file drop never shows a half-written file. TLS and secrets are checked in
// notifier_security_test.cpp.
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

#include "geosweep/pipeline/notifier.hpp"
#include "pipeline/monitor/notifier_fixtures.hpp"
#include "tools/local_servers.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using Notifier = tt::notifier_fixture;
using tt::email_channel;
using tt::kFast;
using tt::mail_header;
using tt::two_alerts;
using tt::webhook_channel;

namespace {

/// Seconds since `start`.
double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

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
