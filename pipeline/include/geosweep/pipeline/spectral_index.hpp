#pragma once
/// \file
/// The spectral indices a job can ask for, as normalized differences of two common bands.

#include <string>
#include <vector>

namespace geosweep::pipeline {

/// index = (band_a - band_b) / (band_a + band_b), see docs/indices.md.
struct spectral_index {
  std::string name;       ///< "ndvi"
  std::string band_a;     ///< "nir"
  std::string band_b;     ///< "red"
  std::string long_name;  ///< CF long_name of its rasters
};

/// Every index geosweep computes.
std::vector<spectral_index> const& spectral_indices();

/// The index called `name`; throws geosweep::logic_error when there is none.
spectral_index const& find_spectral_index(std::string const& name);

}  // namespace geosweep::pipeline
