#include "geosweep/pipeline/spectral_index.hpp"

#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {

std::vector<spectral_index> const& spectral_indices() {
  static std::vector<spectral_index> const all{
      {"ndvi", "nir", "red", "normalized difference vegetation index"},
      {"nbr", "nir", "swir2", "normalized burn ratio"},
  };
  return all;
}

spectral_index const& find_spectral_index(std::string const& name) {
  for (auto const& index : spectral_indices())
    if (index.name == name) return index;
  throw logic_error("unknown spectral index '" + name + "'");
}

}  // namespace geosweep::pipeline
