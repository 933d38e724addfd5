#include "core/environment.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <mutex>
#include <set>
#include <string_view>

#include "core/text.hpp"

namespace geosweep::pipeline {

std::optional<std::string> environment_value(std::string const& name) {
  char const* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

bool is_environment_variable_name(std::string_view text) {
  if (text.empty() || std::isdigit(static_cast<unsigned char>(text.front()))) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::optional<std::vector<std::string>> environment_references(std::string const& text) {
  std::vector<std::string> names;
  for (std::size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at)) {
    auto const close = text.find('}', at + 2);
    if (close == std::string::npos) return std::nullopt;
    auto const name = text.substr(at + 2, close - at - 2);
    if (!is_environment_variable_name(name)) return std::nullopt;
    names.push_back(name);
    at = close + 1;
  }
  return names;
}

std::string expand_environment(std::string text) {
  for (std::size_t at = text.find("${"); at != std::string::npos; at = text.find("${", at)) {
    auto const close = text.find('}', at + 2);
    if (close == std::string::npos) break;
    auto const value = environment_value(text.substr(at + 2, close - at - 2)).value_or("");
    text.replace(at, close - at + 1, value);
    at += value.size();
  }
  return text;
}

namespace {

std::mutex secrets_mutex;

std::set<std::string>& secrets() {
  static std::set<std::string> values;
  return values;
}

/// Whether `name` (a query parameter) carries a request's signature or credentials.
bool is_signing_parameter(std::string const& name) {
  auto const n = lower(name);
  return n == "sig" || n == "signature" || n == "token" || n == "x-amz-signature" ||
         n == "x-amz-credential" || n == "x-amz-security-token";
}

}  // namespace

void add_secret(std::string const& value) {
  if (value.size() < 4) return;  // masking "a" would garble every message
  std::lock_guard lock(secrets_mutex);
  secrets().insert(value);
  secrets().insert(url_component(value));
}

std::string masked(std::string text) {
  {
    std::lock_guard lock(secrets_mutex);
    // Longest first, so a secret holding another is masked whole.
    std::vector<std::string> forms(secrets().begin(), secrets().end());
    std::sort(forms.begin(), forms.end(),
              [](auto const& a, auto const& b) { return a.size() > b.size(); });
    for (auto const& form : forms)
      for (auto at = text.find(form); at != std::string::npos; at = text.find(form, at + 3))
        text.replace(at, form.size(), "***");
  }
  // name=value after '?' or '&': the value is what a URL's query may hold unescaped
  // (letters, digits, -._~, %XX, and + / = of base64), up to the first other character.
  auto const in_value = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-._~%+/=").find(c) != std::string_view::npos;
  };
  for (std::size_t at = text.find_first_of("?&"); at != std::string::npos;
       at = text.find_first_of("?&", at + 1)) {
    auto const eq = text.find('=', at + 1);
    if (eq == std::string::npos) break;
    auto const name = text.substr(at + 1, eq - at - 1);
    if (!std::all_of(name.begin(), name.end(), in_value) || !is_signing_parameter(name)) continue;
    auto stop = eq + 1;
    while (stop < text.size() && in_value(text[stop])) ++stop;
    if (stop > eq + 1) text.replace(eq + 1, stop - eq - 1, "***");
  }
  return text;
}

}  // namespace geosweep::pipeline
