#pragma once
/// \file
/// Notification channels: a webhook (JSON POST), e-mail over SMTP and a file drop, each fed
/// one notification per AOI and run. docs/notifications.md documents the payloads, the retry
/// rules and what the delivery ledger adds to make a delivery never lost and never repeated.
///
///   auto outcome = deliver(spec.notifications[0], n);  // retries with backoff inside
///   if (!outcome.delivered) ledger.keep_pending(n.delivery_id, outcome.error);

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/job_spec.hpp"

namespace geosweep::pipeline {

/// One alert that is new or newly confirmed in a run, as measured in that run.
struct alert_event {
  event_kind kind = event_kind::new_alert;
  pipeline::alert alert;
};

/// What one channel gets for one AOI in one run.
struct notification {
  std::string delivery_id;  ///< unique and the same on every retry; the Idempotency-Key
  std::string job;
  std::string aoi;
  std::int64_t run = 0;
  std::string run_started_utc;  ///< "YYYY-MM-DDTHH:MM:SSZ"; also the e-mail's Date
  std::vector<alert_event> events;
};

/// How a delivery ended.
struct delivery_outcome {
  bool delivered = false;
  int attempts = 0;      ///< tries made in this call (0 when a file drop found its file)
  std::string error;     ///< why the last try failed; empty when delivered
  bool already = false;  ///< file drop: the file of this delivery id was already there
};

/// Knobs for callers and tests; the channel's own settings come from the job file.
struct delivery_options {
  double backoff_scale = 1.0;  ///< multiplies every backoff delay (tests: 0 or 0.01)
  /// Called after each failed try that will be tried again: (try number, its error).
  std::function<void(int, std::string const&)> on_retry;
  std::string ca_file;  ///< PEM bundle of extra trusted CAs (private CAs, tests); "" = system's
};

/// The JSON document a webhook receives and a file drop holds: schema
/// "geosweep.notification/1", keys in a fixed order (docs/notifications.md).
std::string notification_json(notification const& n);

/// The RFC 5322 message an e-mail channel sends: From, To, Subject (AOI, counts, area), Date
/// (the run's start), a Message-ID derived from the delivery id, a plain-text table of the
/// alerts and, when the channel attaches it, the alerts as GeoJSON points. CRLF line ends.
std::string notification_email(notification const& n, notification_spec const& channel);

/// The file a file drop writes: the delivery id with every character other than letters,
/// digits, '-', '_' and '.' replaced by '_', then ".json" ("run-12/inbox/a" ->
/// "run-12_inbox_a.json").
std::string notification_file_name(notification const& n);

/// Delivers `n` on `channel`, trying up to channel.attempts times with exponential backoff
/// (backoff_s, 2 x backoff_s, ...). A webhook succeeds on a 2xx answer; redirects and 4xx other
/// than 408 and 429 are not retried. E-mail succeeds when the server accepts the message;
/// SMTP 5xx answers are not retried. A file drop writes its file atomically, once: a file of
/// the same delivery id already there counts as delivered. Network and server failures come
/// back as delivered = false with the reason; never throws for them. The reason never holds a
/// secret (mask_secrets). Each try is bounded by channel.connect_timeout_s for the connection
/// and channel.timeout_s in all.
/// Throws geosweep::config_error naming the variable when an environment variable the channel
/// needs is unset or empty, and geosweep::logic_error for an empty delivery id.
delivery_outcome deliver(notification_spec const& channel, notification const& n,
                         delivery_options const& options = {});

/// The environment variables that `text` names as `${NAME}` (NAME: letters, digits and '_', not
/// starting with a digit), in order; nullopt when a `${` is not closed or holds another name.
std::optional<std::vector<std::string>> environment_references(std::string const& text);

/// `text` with every secret of `channel` replaced by "***": the values of the environment
/// variables it reads (${VAR} references, username_env, password_env) as they are set now, in
/// their percent-encoded form too, and the path of a value that is a URL. deliver() applies it
/// to every error it reports (including what a receiver answered, which may echo a header);
/// use it on any other text that may hold what a channel sent.
std::string mask_secrets(notification_spec const& channel, std::string text);

/// The environment variables `channel` needs that are unset or empty now.
std::vector<std::string> unset_secret_variables(notification_spec const& channel);

/// One warning per secret reference of the job's channels whose variable is unset or empty, as
/// `FILE:LINE:COL: key.path: ...`, for `geosweep validate` (the job is valid without them).
std::vector<std::string> unset_secret_warnings(job_spec const& spec);

}  // namespace geosweep::pipeline
