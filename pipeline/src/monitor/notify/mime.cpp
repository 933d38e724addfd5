#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "monitor/notify/delivery.hpp"

namespace geosweep::pipeline {
namespace {

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
  int const new_count = count_kind(n, event_kind::new_alert);
  int const confirmed_count = count_kind(n, event_kind::confirmed);
  std::string body = fmt::format(
      "geosweep found {} new and {} newly confirmed alert(s) in AOI {}, {:.2f} ha in all.\n\n"
      "Job {}, run {}, started {}.\n\n",
      new_count, confirmed_count, n.aoi, total_area(n), n.job, n.run, n.run_started_utc);
  if (n.events.empty()) {
    body += "No alert is new or newly confirmed.\n";
  } else {
    bool const with_value = std::any_of(n.events.begin(), n.events.end(), [](alert_event const& e) {
      return e.alert.estimated_value;
    });
    std::vector<std::string> header{"status",     "alert",     "first seen", "confirmed on",
                                    "confidence", "area (ha)", "latitude",   "longitude"};
    if (with_value) header.emplace_back("est. value");
    std::vector<std::vector<std::string>> rows{header};
    for (auto const& e : n.events) {
      auto const& a = e.alert;
      std::vector<std::string> row{std::string(to_string(e.kind)),
                                   a.id,
                                   to_iso(a.first_seen),
                                   a.confirmed_on ? to_iso(*a.confirmed_on) : "-",
                                   std::string(to_string(a.confidence)),
                                   fmt::format("{:.2f}", a.area_ha),
                                   fmt::format("{:.5f}", a.centroid_lat),
                                   fmt::format("{:.5f}", a.centroid_lon)};
      if (with_value)
        row.push_back(a.estimated_value ? fmt::format("{:.0f}", *a.estimated_value) : "-");
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

}  // namespace

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
  std::string const subject =
      fmt::format("[geosweep] {}: {} new, {} confirmed alert(s), {:.2f} ha ({} run {})", n.aoi,
                  count_kind(n, event_kind::new_alert), count_kind(n, event_kind::confirmed),
                  total_area(n), n.job, n.run);
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

}  // namespace geosweep::pipeline
