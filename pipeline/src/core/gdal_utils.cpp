#include "core/gdal_utils.hpp"

#include <cerrno>
#include <cstring>

#include <cpl_error.h>
#include <spdlog/spdlog.h>

#include <mutex>

#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

void CPL_STDCALL log_gdal_message(CPLErr level, CPLErrorNum number, char const* message) {
  // Failures are turned into exceptions where they happen; here they only go to the log.
  if (level >= CE_Warning) spdlog::debug("GDAL ({}): {}", static_cast<int>(number), message);
}

}  // namespace

void ensure_gdal() {
  static std::once_flag once;
  std::call_once(once, [] {
    // GDAL's block cache defaults to 5 % of RAM; chunks read each source block about once, so
    // a modest cache keeps memory flat with the region size. GDAL_CACHEMAX still wins if set.
    if (CPLGetConfigOption("GDAL_CACHEMAX", nullptr) == nullptr)
      CPLSetConfigOption("GDAL_CACHEMAX", "64");
    GDALAllRegister();
    CPLSetErrorHandler(log_gdal_message);
  });
}

std::string last_gdal_message() {
  char const* msg = CPLGetLastErrorMsg();
  if (msg == nullptr || *msg == '\0') return "unknown GDAL error";
  std::string text = msg;
  // SQLite errors carry the whole statement ("sqlite3_exec(CREATE TABLE ... ) failed: database
  // or disk is full"): the reason is what follows it.
  if (text.rfind("sqlite3_", 0) == 0) {
    auto const failed = text.rfind(" failed: ");
    if (failed != std::string::npos) text = "SQLite: " + text.substr(failed + 9);
  }
  // I/O errors under GDAL's own words ("TIFFWriteDirectoryTagData:IO error writing tag
  // data") say what the system said when it was a full disk or a read-only one.
  int const code = errno;
  bool const io = text.find("IO error") != std::string::npos ||
                  text.find("I/O error") != std::string::npos ||
                  text.find("rite") != std::string::npos;  // "Write", "write"
  if (io && (code == ENOSPC || code == EROFS || code == EIO || code == EDQUOT) &&
      text.find(std::strerror(code)) == std::string::npos)
    text += " (" + std::string(std::strerror(code)) + ")";
  return text;
}

GDALDatasetUniquePtr open_raster(std::filesystem::path const& path) {
  ensure_gdal();
  CPLErrorReset();
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
  if (!ds) {
    char const* msg = CPLGetLastErrorMsg();
    throw io_error(path.string() + ": cannot open raster: " +
                   (msg != nullptr && *msg != '\0'
                        ? last_gdal_message()
                        : "not in a raster format GDAL reads (damaged or truncated?)"));
  }
  return ds;
}

GDALDatasetUniquePtr open_vector(std::filesystem::path const& path) {
  ensure_gdal();
  CPLErrorReset();
  GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
  if (!ds) {
    // GDAL says nothing when no driver recognises the file (a truncated GeoJSON, say).
    char const* msg = CPLGetLastErrorMsg();
    throw io_error(path.string() + ": cannot open vector file: " +
                   (msg != nullptr && *msg != '\0'
                        ? last_gdal_message()
                        : "not in a vector format GDAL reads (damaged or truncated?)"));
  }
  return ds;
}

OGRSpatialReference make_srs(std::string const& wkt) {
  OGRSpatialReference srs;
  if (srs.importFromWkt(wkt.c_str()) != OGRERR_NONE) throw io_error("cannot parse CRS: " + wkt);
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

OGRSpatialReference wgs84() {
  OGRSpatialReference srs;
  srs.importFromEPSG(4326);
  srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
  return srs;
}

std::unique_ptr<OGRCoordinateTransformation> make_transform(OGRSpatialReference const& from,
                                                            OGRSpatialReference const& to) {
  std::unique_ptr<OGRCoordinateTransformation> t(OGRCreateCoordinateTransformation(&from, &to));
  if (!t) throw io_error("cannot transform coordinates between CRSs: " + last_gdal_message());
  return t;
}

}  // namespace geosweep::pipeline
