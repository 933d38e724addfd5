#pragma once
/// \file
/// What the notifier's tests share: a notification of two alerts (one new, one confirmed),
/// webhook and e-mail channels to a URL, fast retries (kFast), a reader of one mail header, and
/// a fixture with a scratch folder that keeps loopback receivers away from any proxy. The tests
/// use it as `using Notifier = geosweep::test_tools::notifier_fixture;`.

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/notifier.hpp"
#include "tools/temp_dir_test.hpp"

namespace geosweep::test_tools {

/// A notification of run 12 of job rondonia-weekly for AOI concession-7: a new low-confidence
/// alert of 1.25 ha and a confirmed high-confidence one of 2.25 ha with an estimated value.
inline pipeline::notification two_alerts() {
  pipeline::notification n;
  n.delivery_id = "run-12/analysts/concession-7";
  n.job = "rondonia-weekly";
  n.aoi = "concession-7";
  n.run = 12;
  n.run_started_utc = "2024-06-15T06:00:00Z";
  pipeline::alert_event a;
  a.kind = pipeline::event_kind::new_alert;
  a.alert.id = "concession-7-000123";
  a.alert.aoi = "concession-7";
  a.alert.first_seen = pipeline::parse_iso_date("2024-06-10").value();
  a.alert.confidence = pipeline::alert_confidence::low;
  a.alert.area_ha = 1.25;
  a.alert.centroid_lat = -9.58123;
  a.alert.centroid_lon = -62.91234;
  a.alert.bbox = {-62.913, -9.582, -62.911, -9.580};
  pipeline::alert_event b = a;
  b.kind = pipeline::event_kind::confirmed;
  b.alert.id = "concession-7-000097";
  b.alert.first_seen = pipeline::parse_iso_date("2024-05-28").value();
  b.alert.confirmed_on = pipeline::parse_iso_date("2024-06-12");
  b.alert.confidence = pipeline::alert_confidence::high;
  b.alert.area_ha = 2.25;
  b.alert.estimated_value = 4050;
  n.events = {a, b};
  return n;
}

/// Webhook "ops-webhook" to `url`: 5 s timeout, 3 attempts, 1 s backoff.
inline pipeline::notification_spec webhook_channel(std::string const& url) {
  pipeline::notification_spec c;
  c.name = "ops-webhook";
  c.type = pipeline::channel_type::webhook;
  c.webhook.url = url;
  c.timeout_s = 5;
  c.attempts = 3;
  c.backoff_s = 1;
  return c;
}

/// E-mail "analysts" through `url` without TLS, to two recipients: 5 s timeout, 3 attempts, 1 s
/// backoff.
inline pipeline::notification_spec email_channel(std::string const& url) {
  pipeline::notification_spec c;
  c.name = "analysts";
  c.type = pipeline::channel_type::email;
  c.email.smtp_url = url;
  c.email.tls = pipeline::smtp_tls::none;
  c.email.from = "geosweep@example.org";
  c.email.to = {"analyst@example.org", "duty@example.org"};
  c.timeout_s = 5;
  c.attempts = 3;
  c.backoff_s = 1;
  return c;
}

/// Fast retries: backoff_s of 1 s becomes 10 ms.
inline pipeline::delivery_options const kFast = [] {
  pipeline::delivery_options o;
  o.backoff_scale = 0.01;
  return o;
}();

/// The value of header `name` in a message, "" when absent (no folding).
inline std::string mail_header(std::string const& message, std::string const& name) {
  auto const at = message.find("\r\n" + name + ": ");
  if (at == std::string::npos) {
    if (message.rfind(name + ": ", 0) == 0)
      return message.substr(name.size() + 2, message.find("\r\n") - name.size() - 2);
    return "";
  }
  auto const start = at + 2 + name.size() + 2;
  return message.substr(start, message.find("\r\n", start) - start);
}

/// A scratch folder per test, and loopback receivers reached without a proxy.
class notifier_fixture : public temp_dir_test {
 protected:
  void SetUp() override {
    temp_dir_test::SetUp();
    ::setenv("NO_PROXY", "127.0.0.1,localhost", 1);  // loopback receivers, never a proxy
    ::setenv("no_proxy", "127.0.0.1,localhost", 1);
  }
};

}  // namespace geosweep::test_tools
