#pragma once
/// \file
/// The spectral indices a job can ask for: name, the common bands each needs (in the order
/// spectral_index_op takes them) and a description. docs/indices.md has the formulas.

#include <string>
#include <vector>

#include "geosweep/kernels/indices.hpp"

namespace geosweep::pipeline {

/// One index of the table.
struct spectral_index {
  std::string name;  ///< "ndvi"
  kernels::index_kind kind;
  std::vector<std::string> bands;  ///< common band names, in spectral_index_op argument order
  std::string long_name;           ///< CF long_name of its rasters
};

/// Every index geosweep computes.
std::vector<spectral_index> const& spectral_indices();

/// The index called `name`; throws geosweep::logic_error when there is none.
spectral_index const& find_spectral_index(std::string const& name);

}  // namespace geosweep::pipeline
