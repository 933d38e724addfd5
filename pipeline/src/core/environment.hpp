#pragma once
/// \file
/// Values from the environment: the ${VAR} references with which job files name secrets
/// (notification channels, scenes.http.headers) and their expansion when the job runs.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geosweep::pipeline {

/// The value of an environment variable, or nullopt when unset or empty.
std::optional<std::string> environment_value(std::string const& name);

/// Letters, digits and '_', not starting with a digit.
bool is_environment_variable_name(std::string_view text);

/// The environment variables that `text` names as `${NAME}`, in order; nullopt when a `${` is
/// not closed or holds another name (also declared in geosweep/pipeline/notifier.hpp).
std::optional<std::vector<std::string>> environment_references(std::string const& text);

/// `text` with each ${NAME} replaced by the variable's value ("" when unset).
std::string expand_environment(std::string text);

/// Marks `value` (an expanded secret: a header's token) as never to be shown: masked() hides it
/// from then on, for the whole process.
void add_secret(std::string const& value);

/// `text` with each secret given to add_secret (as it is and percent-encoded) and the value of
/// each URL query parameter that signs a request (sig, signature, token, X-Amz-Signature,
/// X-Amz-Credential, X-Amz-Security-Token) replaced by "***": for any message that may quote
/// a URL or what a server answered.
std::string masked(std::string text);

}  // namespace geosweep::pipeline
