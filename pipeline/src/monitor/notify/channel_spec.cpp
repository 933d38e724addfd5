#include "monitor/notify/channel_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <string_view>

#include "core/text.hpp"
#include "monitor/notify/delivery.hpp"

namespace geosweep::pipeline {
namespace {

/// Whether a key, header or query parameter name means a secret value: one of its words (split
/// at '-', '_' and '.') is a credential word, or holds password, token or secret.
bool names_a_secret(std::string const& name) {
  std::string word;
  std::string const folded = lower(name);
  std::size_t start = 0;
  while (start <= folded.size()) {
    auto const end = folded.find_first_of("-_.", start);
    word = folded.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (char const* exact :
         {"pass", "pwd", "key", "apikey", "auth", "authorization", "credential", "credentials",
          "cookie", "signature", "sig", "bearer", "privatekey"}) {
      if (word == exact) return true;
    }
    for (char const* part : {"password", "passwd", "token", "secret"}) {
      if (word.find(part) != std::string::npos) return true;
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return false;
}

/// A plain e-mail address (local@domain, no spaces, no display name).
bool is_mail_address(std::string const& text) {
  auto const at = text.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == text.size()) return false;
  if (text.find('@', at + 1) != std::string::npos) return false;
  return std::none_of(text.begin(), text.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) ||
           std::iscntrl(static_cast<unsigned char>(c)) || c == '<' || c == '>' || c == ',' ||
           c == ';' || c == '"';
  });
}

/// The parts of scheme://authority/rest.
struct url_parts {
  std::string scheme, userinfo, host, port, rest;
  bool has_userinfo = false;
};

std::optional<url_parts> split_url(std::string const& url) {
  auto const colon = url.find("://");
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  url_parts parts;
  parts.scheme = lower(url.substr(0, colon));
  auto const start = colon + 3;
  auto const end = url.find_first_of("/?#", start);
  std::string authority =
      url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  parts.rest = end == std::string::npos ? "" : url.substr(end);
  if (auto const at = authority.rfind('@'); at != std::string::npos) {
    parts.has_userinfo = true;
    parts.userinfo = authority.substr(0, at);
    authority = authority.substr(at + 1);
  }
  if (!authority.empty() && authority.front() == '[') {  // [IPv6]:port
    auto const close = authority.find(']');
    if (close == std::string::npos) return std::nullopt;
    parts.host = authority.substr(0, close + 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      parts.port = authority.substr(close + 2);
    }
  } else if (auto const c = authority.rfind(':'); c != std::string::npos) {
    parts.host = authority.substr(0, c);
    parts.port = authority.substr(c + 1);
  } else {
    parts.host = authority;
  }
  if (parts.host.empty()) return std::nullopt;
  if (!parts.port.empty() &&
      (!std::all_of(parts.port.begin(), parts.port.end(),
                    [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }) ||
       parts.port.size() > 5 || std::stoi(parts.port) < 1 || std::stoi(parts.port) > 65535)) {
    return std::nullopt;
  }
  return parts;
}

bool is_loopback_host(std::string host) {
  host = lower(host);
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

std::string const kSecretAdvice =
    "secrets never go in the job file: put the value in an environment variable and name it ";

/// Reads a text that may name environment variables as ${VAR}; records them as secrets.
std::optional<std::string> read_with_references(spec_reader& r, YAML::Node const& node,
                                                std::string const& key_path,
                                                notification_spec& channel) {
  auto text = r.string(node, key_path);
  if (!text) return std::nullopt;
  auto const names = environment_references(*text);
  if (!names) {
    r.error(node, key_path,
            "malformed environment reference in '" + *text +
                "': write ${NAME} with NAME of letters, digits and '_'");
    return std::nullopt;
  }
  for (auto const& name : *names) channel.secrets.push_back({name, key_path, location_of(node)});
  return text;
}

/// webhook.url: http(s), with no literal secret in its user part or query.
void read_webhook_url(spec_reader& r, YAML::Node const& node, std::string const& key_path,
                      notification_spec& channel) {
  if (!node["url"]) {
    r.error(node, key_path, "missing key 'url' (the http:// or https:// address to POST to)");
  } else if (auto url = read_with_references(r, node["url"], key_path + ".url", channel)) {
    channel.webhook.url = *url;
    auto const url_path = key_path + ".url";
    bool const templated = url->rfind("${", 0) == 0;  // the whole address from a variable
    auto const parts = split_url(*url);
    if (!templated && (!parts || (parts->scheme != "http" && parts->scheme != "https"))) {
      r.error(node["url"], url_path, "'" + *url + "' is not an http:// or https:// URL");
    } else if (parts && parts->has_userinfo && parts->userinfo.find("${") == std::string::npos) {
      r.error(node["url"], url_path,
              kSecretAdvice +
                  "in the URL as ${VAR}, or send it in a header: headers: "
                  "{Authorization: \"Bearer ${VAR}\"}");
    } else if (parts) {
      // A query parameter such as ?token=abc holds a literal secret.
      auto const query_at = parts->rest.find('?');
      if (query_at != std::string::npos) {
        std::stringstream query(
            parts->rest.substr(query_at + 1, parts->rest.find('#') - query_at - 1));
        for (std::string pair; std::getline(query, pair, '&');) {
          auto const eq = pair.find('=');
          auto const name = pair.substr(0, eq);
          auto const value = eq == std::string::npos ? "" : pair.substr(eq + 1);
          if (names_a_secret(name) && !value.empty() && value.find("${") == std::string::npos) {
            r.error(node["url"], url_path,
                    "query parameter '" + name + "': " + kSecretAdvice + "in the URL as " + name +
                        "=${VAR}");
          }
        }
      }
    }
  }
}

/// webhook.headers: valid names, none geosweep sets itself, secrets only as ${VAR}.
void read_webhook_headers(spec_reader& r, YAML::Node const& node, std::string const& key_path,
                          notification_spec& channel) {
  if (node["headers"] && r.expect_map(node["headers"], key_path + ".headers")) {
    std::vector<std::string> seen;
    for (auto it = node["headers"].begin(); it != node["headers"].end(); ++it) {
      auto const name = it->first.as<std::string>("");
      auto const header_path = key_path + ".headers." + name;
      bool const token = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) ||
               std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
      });
      if (!token) {
        r.error(it->first, header_path, "'" + name + "' is not a valid HTTP header name");
        continue;
      }
      auto const folded = lower(name);
      if (folded == "content-type" || folded == "content-length" || folded == "host" ||
          folded == "idempotency-key" || folded == "transfer-encoding" || folded == "expect") {
        r.error(it->first, header_path, "geosweep sets the '" + name + "' header itself");
        continue;
      }
      if (std::find(seen.begin(), seen.end(), folded) != seen.end()) {
        r.error(it->first, header_path, "header '" + name + "' is given twice");
        continue;
      }
      seen.push_back(folded);
      auto value = read_with_references(r, it->second, header_path, channel);
      if (!value) continue;
      if (value->find_first_of("\r\n") != std::string::npos) {
        r.error(it->second, header_path, "a header value must be one line");
        continue;
      }
      auto const lower_value = lower(*value);
      bool const credential_scheme = lower_value.rfind("bearer ", 0) == 0 ||
                                     lower_value.rfind("basic ", 0) == 0 ||
                                     lower_value.rfind("token ", 0) == 0;
      if ((names_a_secret(name) || credential_scheme) && value->find("${") == std::string::npos) {
        r.error(it->second, header_path,
                kSecretAdvice + "here as ${VAR} (for example \"Bearer ${GEOSWEEP_HOOK_TOKEN}\")");
        continue;
      }
      channel.webhook.headers.emplace_back(name, *value);
    }
  }
}

/// email.smtp_url and email.tls: the server, and TLS that fits its scheme.
void read_smtp_server(spec_reader& r, YAML::Node const& node, std::string const& key_path,
                      email_channel& email) {
  std::optional<url_parts> server;
  if (!node["smtp_url"]) {
    r.error(node, key_path, "missing key 'smtp_url' (smtp://host:587 or smtps://host:465)");
  } else if (auto url = r.string(node["smtp_url"], key_path + ".smtp_url")) {
    server = split_url(*url);
    if (!server || (server->scheme != "smtp" && server->scheme != "smtps") ||
        !(server->rest.empty() || server->rest == "/")) {
      r.error(node["smtp_url"], key_path + ".smtp_url",
              "'" + *url + "' is not smtp://host[:port] or smtps://host[:port]");
      server.reset();
    } else if (server->has_userinfo) {
      r.error(node["smtp_url"], key_path + ".smtp_url",
              kSecretAdvice + "with username_env and password_env");
      server.reset();
    } else {
      email.smtp_url = *url;
      email.tls = server->scheme == "smtps" ? smtp_tls::ssl : smtp_tls::starttls;
    }
  }
  if (!node["tls"]) return;
  auto const tls_path = key_path + ".tls";
  auto const tls = r.choice<smtp_tls>(node["tls"], tls_path, "mode");
  if (!tls) return;
  if (server && server->scheme == "smtps" && *tls != smtp_tls::ssl) {
    r.error(node["tls"], tls_path,
            "an smtps:// server speaks TLS from the start: use tls: ssl, or smtp:// for '" +
                std::string(to_string(*tls)) + "'");
  } else if (server && server->scheme == "smtp" && *tls == smtp_tls::ssl) {
    r.error(node["tls"], tls_path, "tls: ssl needs an smtps:// URL");
  } else if (server && *tls == smtp_tls::none && !is_loopback_host(server->host)) {
    r.error(node["tls"], tls_path,
            "tls: none sends alerts and credentials in clear text; it is allowed only for "
            "a server on this machine (localhost, 127.0.0.1, [::1])");
  } else {
    email.tls = *tls;
  }
}

/// email.from and email.to: plain addresses, none twice.
void read_mail_addresses(spec_reader& r, YAML::Node const& node, std::string const& key_path,
                         email_channel& email) {
  if (!node["from"]) {
    r.error(node, key_path, "missing key 'from' (the sender address)");
  } else if (auto from = r.string(node["from"], key_path + ".from")) {
    if (!is_mail_address(*from))
      r.error(node["from"], key_path + ".from", "'" + *from + "' is not an e-mail address");
    email.from = *from;
  }
  if (!node["to"]) {
    r.error(node, key_path, "missing key 'to' (a list of recipient addresses)");
    return;
  }
  if (!r.expect_sequence(node["to"], key_path + ".to")) return;
  auto const& list = node["to"];
  if (list.size() == 0) r.error(list, key_path + ".to", "the list is empty");
  for (std::size_t i = 0; i < list.size(); ++i) {
    auto const item_path = key_path + ".to[" + std::to_string(i) + "]";
    auto to = r.string(list[i], item_path);
    if (!to) continue;
    if (!is_mail_address(*to)) {
      r.error(list[i], item_path, "'" + *to + "' is not an e-mail address");
    } else if (std::find(email.to.begin(), email.to.end(), *to) != email.to.end()) {
      r.error(list[i], item_path, "'" + *to + "' is listed twice");
    } else {
      email.to.push_back(*to);
    }
  }
}

/// email.username_env and email.password_env: names of variables, never the secrets.
void read_mail_credentials(spec_reader& r, YAML::Node const& node, std::string const& key_path,
                           notification_spec& channel) {
  auto& email = channel.email;
  for (auto [key, target] : {std::pair{"username_env", &email.username_env},
                             std::pair{"password_env", &email.password_env}}) {
    if (!node[key]) continue;
    auto const env_path = key_path + "." + key;
    if (auto name = r.string(node[key], env_path)) {
      if (!is_environment_variable_name(*name)) {
        r.error(node[key], env_path,
                "expected the name of an environment variable (letters, digits, '_'), not the "
                "secret itself");
      } else {
        *target = *name;
        channel.secrets.push_back({*name, env_path, location_of(node[key])});
      }
    }
  }
  if (node["username_env"].IsDefined() != node["password_env"].IsDefined()) {
    r.error(node, key_path, "give both 'username_env' and 'password_env', or neither");
  }
}

void read_email(spec_reader& r, YAML::Node const& node, std::string const& key_path,
                notification_spec& channel) {
  read_smtp_server(r, node, key_path, channel.email);
  read_mail_addresses(r, node, key_path, channel.email);
  read_mail_credentials(r, node, key_path, channel);
  if (node["attach_geojson"]) {
    if (auto v = r.boolean(node["attach_geojson"], key_path + ".attach_geojson"))
      channel.email.attach_geojson = *v;
  }
}

/// Keys every channel takes, keys of network channels, and each type's own keys.
std::vector<std::string> const kCommonKeys{"name", "type", "aois", "causes"};
std::vector<std::string> const kNetworkKeys{"timeout_s", "connect_timeout_s", "attempts",
                                            "backoff_s"};

std::vector<std::string> const& own_keys(channel_type type) {
  static std::vector<std::string> const webhook{"url", "headers"};
  static std::vector<std::string> const email{"smtp_url",     "tls",          "from",          "to",
                                              "username_env", "password_env", "attach_geojson"};
  static std::vector<std::string> const file{"dir"};
  switch (type) {
    case channel_type::webhook:
      return webhook;
    case channel_type::email:
      return email;
    case channel_type::file:
      break;
  }
  return file;
}

constexpr channel_type kChannelTypes[] = {channel_type::webhook, channel_type::email,
                                          channel_type::file};

/// Flags keys the channel does not take: secrets first (with where they belong), then keys of
/// another channel type, then unknown keys. `type` is unknown when the type was not readable.
void check_channel_keys(spec_reader& r, YAML::Node const& item, std::string const& key_path,
                        std::optional<channel_type> type) {
  std::vector<std::string> allowed = kCommonKeys;
  if (type) {
    auto const& own = own_keys(*type);
    allowed.insert(allowed.end(), own.begin(), own.end());
    if (*type != channel_type::file)
      allowed.insert(allowed.end(), kNetworkKeys.begin(), kNetworkKeys.end());
  } else {
    allowed.insert(allowed.end(), kNetworkKeys.begin(), kNetworkKeys.end());
    for (auto t : kChannelTypes)
      allowed.insert(allowed.end(), own_keys(t).begin(), own_keys(t).end());
  }
  std::string const type_name = type ? std::string(to_string(*type)) : std::string();
  for (auto it = item.begin(); it != item.end(); ++it) {
    auto const key = it->first.as<std::string>("");
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    auto const where = r.join_path(key_path, key);
    if (names_a_secret(key) || lower(key) == "username" || lower(key) == "user") {
      r.error(it->first, where,
              kSecretAdvice + (type == channel_type::webhook
                                   ? std::string("in a header value: headers: {Authorization: "
                                                 "\"Bearer ${GEOSWEEP_HOOK_TOKEN}\"}")
                                   : std::string("with username_env and password_env")));
      continue;
    }
    std::string owner;
    for (auto t : kChannelTypes) {
      auto const& own = own_keys(t);
      if (std::find(own.begin(), own.end(), key) != own.end()) owner = to_string(t);
    }
    if (owner.empty() && type == channel_type::file &&
        std::find(kNetworkKeys.begin(), kNetworkKeys.end(), key) != kNetworkKeys.end()) {
      r.error(it->first, where, "a file drop is written once; it takes no '" + key + "'");
    } else if (!owner.empty()) {
      r.error(it->first, where,
              "only a " + owner + " channel takes '" + key + "'; this one is " + type_name);
    } else {
      r.error(it->first, where,
              fmt::format("unknown key '{}'{} (expected one of: {})", key,
                          did_you_mean(key, allowed), fmt::join(allowed, ", ")));
    }
  }
}

/// name: unique among the channels, a plain name (it names deliveries).
void read_channel_name(spec_reader& r, YAML::Node const& item, std::string const& key_path,
                       std::vector<notification_spec> const& earlier, notification_spec& channel) {
  if (!item["name"]) {
    r.error(item, key_path, "missing key 'name' (the channel's unique name)");
    return;
  }
  auto name = r.string(item["name"], key_path + ".name");
  if (!name) return;
  channel.name = *name;
  if (!is_plain_name(*name)) {
    r.error(item["name"], key_path + ".name",
            "'" + *name + "': use letters, digits, '-', '_' and '.' only (it names deliveries)");
  }
  for (auto const& other : earlier) {
    if (other.name == *name)
      r.error(item["name"], key_path + ".name", "duplicate channel name '" + *name + "'");
  }
}

/// aois: AOIs of the job, none twice; absent for every AOI.
void read_channel_aois(spec_reader& r, YAML::Node const& item, std::string const& key_path,
                       std::vector<std::string> const& aoi_names, notification_spec& channel) {
  if (!item["aois"] || !r.expect_sequence(item["aois"], key_path + ".aois")) return;
  auto const& list = item["aois"];
  if (list.size() == 0)
    r.error(list, key_path + ".aois", "the list is empty (leave 'aois' out for every AOI)");
  for (std::size_t k = 0; k < list.size(); ++k) {
    auto const item_path = key_path + ".aois[" + std::to_string(k) + "]";
    auto name = r.string(list[k], item_path);
    if (!name) continue;
    if (std::find(aoi_names.begin(), aoi_names.end(), *name) == aoi_names.end()) {
      r.error(list[k], item_path,
              fmt::format("unknown AOI '{}'{} (the job's AOIs: {})", *name,
                          did_you_mean(*name, aoi_names), fmt::join(aoi_names, ", ")));
    } else if (std::find(channel.aois.begin(), channel.aois.end(), *name) != channel.aois.end()) {
      r.error(list[k], item_path, "AOI '" + *name + "' is listed twice");
    } else {
      channel.aois.push_back(*name);
    }
  }
}

/// causes: alert causes, none twice; absent for every cause.
void read_channel_causes(spec_reader& r, YAML::Node const& item, std::string const& key_path,
                         notification_spec& channel) {
  if (!item["causes"] || !r.expect_sequence(item["causes"], key_path + ".causes")) return;
  auto const& list = item["causes"];
  if (list.size() == 0)
    r.error(list, key_path + ".causes", "the list is empty (leave 'causes' out for every cause)");
  for (std::size_t k = 0; k < list.size(); ++k) {
    auto const item_path = key_path + ".causes[" + std::to_string(k) + "]";
    auto const cause = r.choice<alert_cause>(list[k], item_path, "cause");
    if (!cause) continue;
    if (std::find(channel.causes.begin(), channel.causes.end(), *cause) != channel.causes.end())
      r.error(list[k], item_path, "cause '" + std::string(to_string(*cause)) + "' is listed twice");
    else
      channel.causes.push_back(*cause);
  }
}

/// timeout_s, connect_timeout_s, attempts and backoff_s of a webhook or e-mail channel.
void read_delivery_limits(spec_reader& r, YAML::Node const& item, std::string const& key_path,
                          notification_spec& channel) {
  for (auto [key, value] : {std::pair{"timeout_s", &channel.timeout_s},
                            std::pair{"connect_timeout_s", &channel.connect_timeout_s}}) {
    if (!item[key]) continue;
    if (auto v = r.number(item[key], key_path + "." + key)) {
      if (*v <= 0 || *v > 600)
        r.error(item[key], key_path + "." + key, "expected a value in (0, 600]");
      *value = *v;
    }
  }
  if (item["attempts"]) {
    if (auto v = r.integer_in(item["attempts"], key_path + ".attempts", 1, 20))
      channel.attempts = *v;
  }
  if (item["backoff_s"]) {
    if (auto v = r.number(item["backoff_s"], key_path + ".backoff_s")) {
      if (*v < 0 || *v > 3600)
        r.error(item["backoff_s"], key_path + ".backoff_s", "expected a value in [0, 3600]");
      channel.backoff_s = *v;
    }
  }
}

/// One entry of `notifications:`.
notification_spec read_channel(spec_reader& r, YAML::Node const& item, std::string const& key_path,
                               std::vector<std::string> const& aoi_names,
                               std::vector<notification_spec> const& earlier) {
  notification_spec channel;
  channel.where = location_of(item);
  std::optional<channel_type> type;
  if (!item["type"]) {
    r.error(
        item, key_path,
        fmt::format("missing key 'type' (one of: {})", fmt::join(all_names<channel_type>(), ", ")));
  } else {
    type = r.choice<channel_type>(item["type"], key_path + ".type", "channel type");
  }
  if (type) channel.type = *type;
  check_channel_keys(r, item, key_path, type);
  read_channel_name(r, item, key_path, earlier, channel);
  read_channel_aois(r, item, key_path, aoi_names, channel);
  read_channel_causes(r, item, key_path, channel);
  if (type != channel_type::file) read_delivery_limits(r, item, key_path, channel);
  if (type == channel_type::webhook) {
    read_webhook_url(r, item, key_path, channel);
    read_webhook_headers(r, item, key_path, channel);
  } else if (type == channel_type::email) {
    read_email(r, item, key_path, channel);
  } else if (type == channel_type::file) {
    if (!item["dir"]) {
      r.error(item, key_path, "missing key 'dir' (the folder notifications are dropped in)");
    } else if (auto p = r.path(item["dir"], key_path + ".dir", false, "drop folder")) {
      channel.file.dir = *p;
    }
  }
  return channel;
}

}  // namespace

void read_notifications(spec_reader& r, YAML::Node const& node, std::vector<aoi_spec> const& aois,
                        std::vector<notification_spec>& channels) {
  if (!r.expect_sequence(node, "notifications")) return;
  std::vector<std::string> aoi_names;
  for (auto const& aoi : aois) aoi_names.push_back(aoi.name);
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto const key_path = "notifications[" + std::to_string(i) + "]";
    if (!r.expect_map(node[i], key_path)) continue;
    channels.push_back(read_channel(r, node[i], key_path, aoi_names, channels));
  }
}

}  // namespace geosweep::pipeline
