#include "patches/cause_tally.hpp"

namespace geosweep::pipeline {

namespace k = geosweep::kernels;

decided_cause decide_cause(cause_tally const& tally) {
  auto const& n = tally.pixels;
  std::int64_t const burns = n[k::evidence_burn_moderate_low] + n[k::evidence_burn_moderate_high] +
                             n[k::evidence_burn_high];
  std::int64_t const water = n[k::evidence_water], bare = n[k::evidence_bare];
  std::int64_t const lost = bare + n[k::evidence_slash] + burns + water;
  std::int64_t const known = lost + n[k::evidence_other];
  decided_cause out;
  // Shares as integer comparisons: water >= 10 % of known is 10 * water >= known.
  if (known == 0 || known < n[k::evidence_unknown]) return out;  // under half have evidence
  if (10 * water >= known && 10 * bare >= known) {
    out.cause = alert_cause::mining;
  } else if (2 * water >= known) {
    out.cause = alert_cause::flooding;
  } else if (2 * burns >= known) {
    out.cause = alert_cause::burn;
    // The class of the median char pixel (the ((burns + 1) / 2)-th, from the least severe).
    std::int64_t const median = (burns + 1) / 2;
    if (n[k::evidence_burn_moderate_low] >= median)
      out.severity = burn_severity::moderate_low;
    else if (n[k::evidence_burn_moderate_low] + n[k::evidence_burn_moderate_high] >= median)
      out.severity = burn_severity::moderate_high;
    else
      out.severity = burn_severity::high;
  } else if (2 * lost >= known) {
    out.cause = alert_cause::clearing;
  } else {
    out.cause = alert_cause::other;
  }
  return out;
}

}  // namespace geosweep::pipeline
