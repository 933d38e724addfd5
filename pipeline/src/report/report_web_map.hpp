#pragma once
/// \file
/// The interactive map of report/index.html: Leaflet (Debian's libjs-leaflet, copied beside
/// the page so that it works offline and from a case file), the AOIs' outlines and the alerts
/// as GeoJSON in the page, a popup per alert with its row of alerts.csv, the before and after
/// colour images of each AOI (warped to Web Mercator, so that they sit exactly on Leaflet's
/// map) to switch between, a layer switch, a scale bar and a north arrow. Opening the page as
/// index.html#<alert id> opens that alert's popup.

#include <array>
#include <cstdint>
#include <filesystem>
#include <ostream>
#include <span>
#include <string>
#include <vector>

#include "geosweep/pipeline/job_spec.hpp"
#include "geosweep/pipeline/raster_grid.hpp"
#include "report/report_cover_page.hpp"

namespace geosweep::pipeline {

/// A colour image of one AOI and period for the map: a PNG in report/map/ and where it lies.
struct web_overlay {
  std::string aoi;
  std::string kind;    ///< true_colour or false_colour
  std::string period;  ///< before or after
  std::string file;    ///< relative to report/, e.g. map/reserve-north_true_colour_before.png
  std::array<double, 4> bounds{};  ///< south, west, north, east (WGS84 degrees)
};

/// What the map shows.
struct web_map {
  std::vector<locator_aoi> aois;  ///< outlines in WGS84
  std::string alerts_geojson;     ///< alerts.geojson of the run ("" when it was not written)
  std::vector<web_overlay> overlays;
};

/// Folder of report/ that holds Leaflet, and the one with the overlays.
inline constexpr char const* leaflet_dir = "leaflet";
inline constexpr char const* web_overlay_dir = "map";

/// Where libjs-leaflet's files are: $GEOSWEEP_LEAFLET_DIR, else /usr/share/javascript/leaflet.
std::filesystem::path leaflet_source();

/// Copies leaflet.js, leaflet.css and its images from leaflet_source() into `report`/leaflet/
/// (each file under a temporary name until complete); false, copying nothing, when Leaflet is
/// not installed.
bool copy_leaflet(std::filesystem::path const& report);

/// Writes `pixels` (0xRRGGBB on `grid`; transparent where `change` says outside the AOI)
/// warped to EPSG:3857 by nearest neighbour as the RGBA PNG `path`, and returns its bounds
/// (south, west, north, east in WGS84).
std::array<double, 4> write_overlay_png(std::filesystem::path const& path, raster_grid const& grid,
                                        std::span<std::uint32_t const> pixels,
                                        std::span<std::uint8_t const> change);

/// The <head> lines that load Leaflet.
void write_web_map_head(std::ostream& html);

/// The map's <div> and its script, labels in `language`.
void write_web_map(std::ostream& html, web_map const& map, report_language language);

}  // namespace geosweep::pipeline
