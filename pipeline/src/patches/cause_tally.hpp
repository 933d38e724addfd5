#pragma once
// Internal to pipeline/src: an alert's cause from the evidence classes of its pixels
// (kernels/include/geosweep/kernels/cause.hpp; docs/detector.md, "Causes"). Shares are of the
// pixels with evidence (not unknown); a patch where fewer than half have it is unknown. In
// order, the first rule that holds decides:
//   mining    new water >= 10 % and bare soil or spoil >= 10 % (pits and tailings)
//   flooding  new water >= 50 % (water without the bare ground of a pit)
//   burn      char >= 50 %; its severity the dNBR class of its median char pixel
//   clearing  vegetation lost (bare, slash, char or water) >= 50 %
//   other     the rest: the index fell, the burn ratio did not

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "geosweep/kernels/cause.hpp"
#include "geosweep/pipeline/alert.hpp"

namespace geosweep::pipeline {

/// The pixels of a patch by evidence class.
struct cause_tally {
  std::array<std::int64_t, kernels::evidence_classes> pixels{};

  void add(std::uint8_t evidence) {
    if (evidence < pixels.size()) ++pixels[evidence];
  }
  void add(cause_tally const& other) {
    for (std::size_t i = 0; i < pixels.size(); ++i) pixels[i] += other.pixels[i];
  }
};

/// What a tally says.
struct decided_cause {
  alert_cause cause = alert_cause::unknown;
  std::optional<burn_severity> severity;  ///< burns only
};

/// The cause of a patch with `tally`.
decided_cause decide_cause(cause_tally const& tally);

}  // namespace geosweep::pipeline
