// The notification payloads, built without sending anything: the webhook's JSON document (its
// keys in the documented order, the summary, one entry per alert, the same bytes every time)
// and the e-mail message (RFC 5322 headers and CRLF lines, the text table, the base64 GeoJSON
// attachment, and encoded non-ASCII text). Deliveries are checked in notifier_delivery_test.cpp
// and notifier_security_test.cpp.
#include <gtest/gtest.h>

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "geosweep/pipeline/notifier.hpp"
#include "pipeline/monitor/notifier_fixtures.hpp"

namespace gp = geosweep::pipeline;
namespace tt = geosweep::test_tools;
using ordered_json = nlohmann::ordered_json;
using tt::email_channel;
using tt::mail_header;
using tt::two_alerts;

namespace {

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
  EXPECT_EQ(alert_keys,
            (std::vector<std::string>{"alert_id", "status", "aoi", "first_seen", "confirmed_on",
                                      "confidence", "cause", "burn_severity", "area_ha", "lat",
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
