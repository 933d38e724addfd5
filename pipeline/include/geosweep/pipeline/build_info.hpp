#pragma once
/// \file
/// Versions of geosweep and the libraries it was built with, for `geosweep info` and
/// provenance attributes.

#include <string>
#include <utility>
#include <vector>

namespace geosweep::pipeline {

/// geosweep's own version, e.g. "0.1.0".
std::string geosweep_version();

/// (library, version) pairs: GDAL, PROJ, HDF5, yaml-cpp, OpenMP.
std::vector<std::pair<std::string, std::string>> library_versions();

}  // namespace geosweep::pipeline
