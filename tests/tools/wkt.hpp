#pragma once
/// \file
/// The WKT of an EPSG code, for tests that build grids.

#include <cpl_conv.h>
#include <ogr_spatialref.h>

#include <stdexcept>
#include <string>

namespace geosweep::test_tools {

inline std::string wkt_of(int epsg) {
  OGRSpatialReference srs;
  if (srs.importFromEPSG(epsg) != OGRERR_NONE)
    throw std::runtime_error("unknown EPSG code " + std::to_string(epsg));
  char* text = nullptr;
  srs.exportToWkt(&text);
  std::string wkt = text;
  CPLFree(text);
  return wkt;
}

}  // namespace geosweep::test_tools
