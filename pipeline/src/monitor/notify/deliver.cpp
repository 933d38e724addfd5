#include "geosweep/kernels/error.hpp"
#include "monitor/notify/delivery.hpp"

namespace geosweep::pipeline {

delivery_outcome deliver(notification_spec const& channel, notification const& n,
                         delivery_options const& options) {
  GEOSWEEP_EXPECTS(!n.delivery_id.empty(), "deliver: a delivery id");
  require_secrets(channel);
  auto const masked = [&](delivery_outcome outcome) {
    outcome.error = mask_secrets(channel, std::move(outcome.error));
    return outcome;
  };
  switch (channel.type) {
    case channel_type::file:
      return masked(drop_file(channel, n));
    case channel_type::webhook:
      return masked(deliver_webhook(channel, n, options));
    case channel_type::email:
      return masked(deliver_email(channel, n, options));
  }
  throw logic_error("notification channel '" + channel.name + "': no delivery for its type");
}

}  // namespace geosweep::pipeline
