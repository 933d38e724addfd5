#pragma once
// Internal to pipeline/src: validating the `notifications:` section of a job file, beside the
// channels it configures. Secrets are never accepted in the file: header values, URLs and
// SMTP credentials name environment variables instead (docs/notifications.md).

#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "spec/spec_reader.hpp"

namespace geosweep::pipeline {

/// Reads the channels of `notifications:` into `channels`; `aois` are the job's AOIs (a channel
/// may name some of them). Problems go to `r`.
void read_notifications(spec_reader& r, YAML::Node const& node, std::vector<aoi_spec> const& aois,
                        std::vector<notification_spec>& channels);

}  // namespace geosweep::pipeline
