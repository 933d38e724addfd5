// The network budget of a delivery, against real receivers on loopback: a receiver that answers
// slowly but within the channel's timeout gets the message once; one slower than the timeout
// is timed out and tried again, with the same Idempotency-Key; the job spec's defaults let a
// receiver that takes 10 s through; a server that never completes the TCP handshake costs the
// connect timeout, not the whole timeout; a slow SMTP server is sent its message once.
#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/notifier.hpp"
#include "pipeline/monitor/notifier_fixtures.hpp"
#include "tools/local_servers.hpp"

namespace fs = std::filesystem;
namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using Notifier = tt::notifier_fixture;
using tt::email_channel;
using tt::two_alerts;
using tt::webhook_channel;

namespace {

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

/// A TCP port on 127.0.0.1 that accepts no connection: its listen queue is full and never
/// drained, so the kernel drops further SYNs and a client's connect() waits (like a host
/// behind a firewall that drops packets). Sockets close with the object.
class unanswered_port {
 public:
  unanswered_port() {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        ::listen(listener_, 0) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    // Fill the accept queue (backlog 0 holds one connection) and the SYN queue.
    for (int i = 0; i < 4; ++i) {
      int const fd = ::socket(AF_INET, SOCK_STREAM, 0);
      ::fcntl(fd, F_SETFL, O_NONBLOCK);
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
      fillers_.push_back(fd);
    }
    ::usleep(100 * 1000);
  }
  unanswered_port(unanswered_port const&) = delete;
  unanswered_port& operator=(unanswered_port const&) = delete;
  ~unanswered_port() {
    for (int fd : fillers_) ::close(fd);
    ::close(listener_);
  }
  [[nodiscard]] int port() const { return port_; }

 private:
  int listener_ = -1;
  int port_ = 0;
  std::vector<int> fillers_;
};

/// The channels of a job file that gives no timeout_s, connect_timeout_s, attempts or
/// backoff_s: the job spec's defaults.
gp::notification_spec default_webhook(std::string const& url, fs::path const& dir) {
  std::string const text =
      "job: t\n"
      "scenes: {dir: .}\n"
      "aois: [{name: a, bbox: [-51.1, -9.2, -50.9, -8.9]}]\n"
      "period: {baseline: [2019-01-01, 2019-12-31], monitor: [2020-01-01, 2022-12-31]}\n"
      "notifications:\n"
      "  - {name: hook, type: webhook, url: \"" +
      url + "\"}\n";
  return gp::parse_job_spec(text, dir / "job.yaml").notifications.at(0);
}

}  // namespace

TEST_F(Notifier, ReceiverAnsweringJustWithinTheTimeoutGetsTheMessageOnce) {
  tt::webhook_server hook(dir_ / "hook", tt::webhook_server_options::answering_after(1.0));
  auto channel = webhook_channel(hook.url());
  channel.timeout_s = 2.0;  // the receiver takes half of it
  channel.backoff_s = 0;
  auto const n = two_alerts();
  auto const start = std::chrono::steady_clock::now();
  auto const outcome = gp::deliver(channel, n);
  double const elapsed = seconds_since(start);
  std::cout << "a receiver answering after 1 s, timeout 2 s: " << hook.requests().size()
            << " request(s), " << elapsed << " s\n";
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.attempts, 1);
  ASSERT_EQ(hook.requests().size(), 1u);
  EXPECT_EQ(hook.requests()[0].header("idempotency-key"), n.delivery_id);
  EXPECT_GE(elapsed, 1.0);
}

TEST_F(Notifier, ReceiverSlowerThanTheTimeoutIsTimedOutAndTriedAgainWithTheSameKey) {
  tt::webhook_server hook(dir_ / "hook", tt::webhook_server_options::answering_after(2.0));
  auto channel = webhook_channel(hook.url());
  channel.timeout_s = 1.0;  // half of what the receiver needs
  channel.attempts = 2;
  channel.backoff_s = 0;
  auto const n = two_alerts();
  auto const start = std::chrono::steady_clock::now();
  auto const outcome = gp::deliver(channel, n);
  double const elapsed = seconds_since(start);
  std::cout << "a receiver answering after 2 s, timeout 1 s, 2 attempts: " << hook.requests().size()
            << " request(s), " << elapsed << " s\n";
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.attempts, 2);
  EXPECT_NE(outcome.error.find("Timeout"), std::string::npos) << outcome.error;
  // It did receive both: the header is what lets it keep one.
  auto const requests = hook.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].header("idempotency-key"), n.delivery_id);
  EXPECT_EQ(requests[1].header("idempotency-key"), n.delivery_id);
  EXPECT_GE(elapsed, 1.9);
  EXPECT_LT(elapsed, 3.5);  // 2 x timeout, plus slack for a loaded machine
}

TEST_F(Notifier, DefaultsSendAReceiverThatTakesTenSecondsTheMessageOnce) {
  tt::webhook_server hook(dir_ / "hook", tt::webhook_server_options::answering_after(10.0));
  auto const channel = default_webhook(hook.url(), dir_);
  EXPECT_GE(channel.timeout_s, 20.0);  // twice what the slow receiver needs
  auto const n = two_alerts();
  auto const start = std::chrono::steady_clock::now();
  auto const outcome = gp::deliver(channel, n);
  double const elapsed = seconds_since(start);
  std::cout << "a receiver answering after 10 s, the job spec's defaults: "
            << hook.requests().size() << " request(s), " << elapsed << " s\n";
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.attempts, 1);
  EXPECT_EQ(hook.requests().size(), 1u);
}

TEST_F(Notifier, ConnectTimeoutBoundsAHandshakeThatNeverCompletes) {
  unanswered_port silent;
  auto channel = webhook_channel("http://127.0.0.1:" + std::to_string(silent.port()) + "/hook");
  channel.timeout_s = 10;
  channel.connect_timeout_s = 0.5;
  channel.attempts = 2;
  channel.backoff_s = 0;
  auto const start = std::chrono::steady_clock::now();
  auto const outcome = gp::deliver(channel, two_alerts());
  double const elapsed = seconds_since(start);
  std::cout << "2 tries at a port that never accepts, connect timeout 0.5 s: " << elapsed << " s\n";
  EXPECT_FALSE(outcome.delivered);
  EXPECT_EQ(outcome.attempts, 2);  // worth another try
  EXPECT_NE(outcome.error.find("Timeout"), std::string::npos) << outcome.error;
  EXPECT_NE(outcome.error.find(channel.webhook.url), std::string::npos) << outcome.error;
  EXPECT_GE(elapsed, 0.9);
  EXPECT_LT(elapsed, 3.0);  // 2 x 0.5 s, far from 2 x 10 s
}

TEST_F(Notifier, EmailServerAnsweringJustWithinTheTimeoutGetsTheMessageOnce) {
  if (!tt::smtp_server::available()) GTEST_SKIP() << "aiosmtpd is not installed";
  tt::smtp_server_options slow;
  slow.delay_seconds = 1.0;  // before its answer to DATA
  tt::smtp_server smtp(dir_ / "smtp", slow);
  auto channel = email_channel(smtp.url());
  channel.timeout_s = 2.5;
  channel.backoff_s = 0;
  auto const outcome = gp::deliver(channel, two_alerts());
  EXPECT_TRUE(outcome.delivered) << outcome.error;
  EXPECT_EQ(outcome.attempts, 1);
  EXPECT_EQ(smtp.accepted().size(), 1u);

  tt::smtp_server slower(dir_ / "smtp-slower", [] {
    tt::smtp_server_options o;
    o.delay_seconds = 2.0;
    return o;
  }());
  channel = email_channel(slower.url());
  channel.timeout_s = 1.0;
  channel.attempts = 1;
  auto const late = gp::deliver(channel, two_alerts());
  EXPECT_FALSE(late.delivered);
  EXPECT_NE(late.error.find("Timeout"), std::string::npos) << late.error;
}
