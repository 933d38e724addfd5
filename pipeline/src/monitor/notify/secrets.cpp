#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "geosweep/pipeline/errors.hpp"
#include "monitor/notify/delivery.hpp"

namespace geosweep::pipeline {

std::optional<std::string> environment_value(std::string const& name) {
  char const* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string(value);
}

void require_secrets(notification_spec const& channel) {
  for (auto const& secret : channel.secrets) {
    auto const value = environment_value(secret.variable);
    if (!value) {
      throw config_error("notification channel '" + channel.name + "': environment variable '" +
                         secret.variable + "' is not set or empty (" + secret.key_path +
                         " on line " + std::to_string(secret.where.line) +
                         " of the job file needs it)");
    }
    if (value->find_first_of("\r\n") != std::string::npos) {  // would smuggle in headers
      throw config_error("notification channel '" + channel.name + "': environment variable '" +
                         secret.variable + "' holds a line break");
    }
  }
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

std::vector<std::string> unset_secret_variables(notification_spec const& channel) {
  std::vector<std::string> names;
  for (auto const& secret : channel.secrets) {
    if (!environment_value(secret.variable) &&
        std::find(names.begin(), names.end(), secret.variable) == names.end()) {
      names.push_back(secret.variable);
    }
  }
  return names;
}

std::vector<std::string> unset_secret_warnings(job_spec const& spec) {
  std::vector<std::string> warnings;
  for (auto const& channel : spec.notifications) {
    for (auto const& secret : channel.secrets) {
      if (environment_value(secret.variable)) continue;
      warnings.push_back(fmt::format(
          "{}:{}:{}: {}: environment variable '{}' is not set; channel '{}' cannot deliver "
          "until it is",
          spec.file.string(), secret.where.line, secret.where.column, secret.key_path,
          secret.variable, channel.name));
    }
  }
  return warnings;
}

}  // namespace geosweep::pipeline
