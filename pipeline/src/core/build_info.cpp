#include "geosweep/pipeline/build_info.hpp"

#include <gdal.h>
#include <hdf5.h>
#include <ogr_srs_api.h>
#include <omp.h>

#include <string>

namespace geosweep::pipeline {

std::string geosweep_version() {
  return GEOSWEEP_VERSION;
}

std::vector<std::pair<std::string, std::string>> library_versions() {
  unsigned major = 0, minor = 0, release = 0;
  H5get_libversion(&major, &minor, &release);
  int pj_major = 0, pj_minor = 0, pj_patch = 0;
  OSRGetPROJVersion(&pj_major, &pj_minor, &pj_patch);
  return {
      {"GDAL", GDALVersionInfo("RELEASE_NAME")},
      {"PROJ",
       std::to_string(pj_major) + "." + std::to_string(pj_minor) + "." + std::to_string(pj_patch)},
      {"HDF5", std::to_string(major) + "." + std::to_string(minor) + "." + std::to_string(release)},
      {"OpenMP",
       std::to_string(_OPENMP) + " (" + std::to_string(omp_get_max_threads()) + " threads)"},
  };
}

}  // namespace geosweep::pipeline
