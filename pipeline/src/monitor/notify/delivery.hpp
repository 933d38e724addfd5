#pragma once
// Internal to pipeline/src/monitor/notify: what the channels share. The notifier's public face
// is geosweep/pipeline/notifier.hpp; here are the secrets it reads from the environment, the
// pieces of the payloads, and one delivery function per channel type.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/environment.hpp"
#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/notifier.hpp"

namespace geosweep::pipeline {

// ---- secrets (secrets.cpp)

/// Throws config_error naming the first secret variable `channel` needs that is not set.
void require_secrets(notification_spec const& channel);

/// The texts mask_secrets hides, longest first: the value of each secret variable of `channel`
/// (its ${VAR} references and SMTP login variables) that is set, percent-encoded too, and the
/// path of a value that is a URL.
std::vector<std::string> secret_forms(notification_spec const& channel);

// ---- payloads (payload.cpp)

/// The events as GeoJSON points with their bounding boxes (the e-mail attachment).
std::string alerts_geojson(notification const& n);

/// How many events of `n` are of `kind`.
int count_kind(notification const& n, event_kind kind);

/// The events' total area in hectares.
double total_area(notification const& n);

/// Letters, digits, '-', '_' and '.' kept, anything else '_'.
std::string file_safe(std::string const& text);

// ---- one delivery per channel type (webhook and e-mail: transport.cpp; file: file_drop.cpp)

delivery_outcome deliver_webhook(notification_spec const& channel, notification const& n,
                                 delivery_options const& options);
delivery_outcome deliver_email(notification_spec const& channel, notification const& n,
                               delivery_options const& options);
delivery_outcome drop_file(notification_spec const& channel, notification const& n);

}  // namespace geosweep::pipeline
