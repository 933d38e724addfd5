#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "core/environment.hpp"
#include "core/text.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "monitor/notify/delivery.hpp"

namespace geosweep::pipeline {

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

std::vector<std::string> secret_forms(notification_spec const& channel) {
  std::vector<std::string> names;
  for (auto const& secret : channel.secrets) names.push_back(secret.variable);
  for (auto const* name : {&channel.email.username_env, &channel.email.password_env})
    if (!name->empty()) names.push_back(*name);
  std::vector<std::string> forms;
  for (auto const& name : names) {
    auto const value = environment_value(name);
    if (!value) continue;
    forms.push_back(*value);
    forms.push_back(url_component(*value));
    // A URL that is a secret (a Slack-style webhook) is one in its path: a receiver's answer
    // may echo the path alone ("no route for POST /services/T0/B0/XXXX").
    if (auto const scheme = value->find("://"); scheme != std::string::npos) {
      auto const path = value->find('/', scheme + 3);
      if (path != std::string::npos && value->size() - path > 1)
        forms.push_back(value->substr(path));
    }
  }
  // Longest first, so a secret holding another is masked whole.
  std::sort(forms.begin(), forms.end(), [](std::string const& a, std::string const& b) {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  });
  forms.erase(std::unique(forms.begin(), forms.end()), forms.end());
  return forms;
}

std::string mask_secrets(notification_spec const& channel, std::string text) {
  for (auto const& form : secret_forms(channel)) {
    for (auto at = text.find(form); at != std::string::npos; at = text.find(form, at + 3))
      text.replace(at, form.size(), "***");
  }
  return text;
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
