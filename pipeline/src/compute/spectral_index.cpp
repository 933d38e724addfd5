#include "compute/spectral_index.hpp"

#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {

std::vector<spectral_index> const& spectral_indices() {
  using kernels::index_kind;
  static std::vector<spectral_index> const all{
      {"ndvi", index_kind::ndvi, {"nir", "red"}, "normalized difference vegetation index"},
      {"nbr", index_kind::nbr, {"nir", "swir2"}, "normalized burn ratio"},
      {"nbr2", index_kind::nbr2, {"swir1", "swir2"}, "normalized burn ratio 2"},
      {"ndmi", index_kind::ndmi, {"nir", "swir1"}, "normalized difference moisture index"},
      {"ndwi", index_kind::ndwi, {"green", "nir"}, "normalized difference water index (McFeeters)"},
      {"mndwi",
       index_kind::mndwi,
       {"green", "swir1"},
       "modified normalized difference water index"},
      {"evi", index_kind::evi, {"nir", "red", "blue"}, "enhanced vegetation index"},
      {"savi", index_kind::savi, {"nir", "red"}, "soil-adjusted vegetation index (L = 0.5)"},
      {"msavi", index_kind::msavi, {"nir", "red"}, "modified soil-adjusted vegetation index"},
      {"bsi", index_kind::bsi, {"swir1", "red", "nir", "blue"}, "bare soil index"},
  };
  return all;
}

spectral_index const& find_spectral_index(std::string const& name) {
  for (auto const& index : spectral_indices())
    if (index.name == name) return index;
  throw logic_error("unknown spectral index '" + name + "'");
}

}  // namespace geosweep::pipeline
