// The interactive map of index.html (report/report_web_map.hpp): the overlays warped with
// GDAL's warper, the page's data written with nlohmann::json, drawn by Leaflet.
#include "report/report_web_map.hpp"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <gdalwarper.h>
#include <ogr_spatialref.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "core/atomic_file.hpp"
#include "core/gdal_utils.hpp"
#include "geosweep/kernels/change.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "report/report_text.hpp"

namespace geosweep::pipeline {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

/// `text` safe inside a <script> element: no "</" can close it early.
std::string script_safe(std::string text) {
  for (std::size_t at = text.find("</"); at != std::string::npos; at = text.find("</", at + 3))
    text.replace(at, 2, "<\\/");
  return text;
}

}  // namespace

fs::path leaflet_source() {
  char const* dir = std::getenv("GEOSWEEP_LEAFLET_DIR");
  return dir != nullptr && *dir != '\0' ? fs::path(dir) : fs::path("/usr/share/javascript/leaflet");
}

bool copy_leaflet(fs::path const& report) {
  fs::path const from = leaflet_source();
  std::vector<std::string> files = {"leaflet.js", "leaflet.css"};
  for (auto const& f : files)
    if (!fs::is_regular_file(from / f)) return false;
  std::error_code ec;
  for (auto const& e : fs::directory_iterator(from / "images", ec))
    if (e.path().extension() == ".png") files.push_back("images/" + e.path().filename().string());
  for (auto const& f : files) {
    fs::path const to = report / leaflet_dir / f;
    fs::create_directories(to.parent_path());
    write_whole_file(to, read_whole_file(from / f));
  }
  return true;
}

std::array<double, 4> write_overlay_png(fs::path const& path, raster_grid const& grid,
                                        std::span<std::uint32_t const> pixels,
                                        std::span<std::uint8_t const> change) {
  ensure_gdal();
  int const w = grid.width, h = grid.height;
  auto const n = static_cast<std::size_t>(w) * static_cast<std::size_t>(h);
  GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
  GDALDriver* png = GetGDALDriverManager()->GetDriverByName("PNG");
  if (mem == nullptr || png == nullptr) throw io_error(path.string() + ": GDAL lacks MEM or PNG");
  GDALDatasetUniquePtr src(mem->Create("", w, h, 4, GDT_Byte, nullptr));
  std::vector<std::uint8_t> band(n);
  for (int b = 0; b < 4; ++b) {
    for (std::size_t i = 0; i < n; ++i) {
      bool const inside = change.empty() || change[i] != kernels::change_outside_aoi;
      band[i] = b == 3 ? (inside ? 255 : 0)
                       : static_cast<std::uint8_t>((pixels[i] >> (16 - 8 * b)) & 0xFF);
    }
    if (src->GetRasterBand(b + 1)->RasterIO(GF_Write, 0, 0, w, h, band.data(), w, h, GDT_Byte, 0,
                                            0) != CE_None)
      throw io_error(path.string() + ": " + last_gdal_message());
  }
  src->GetRasterBand(4)->SetColorInterpretation(GCI_AlphaBand);
  std::array<double, 6> gt = grid.transform;
  src->SetGeoTransform(gt.data());
  src->SetProjection(grid.crs_wkt.c_str());
  OGRSpatialReference mercator;
  mercator.importFromEPSG(3857);
  char* wkt = nullptr;
  mercator.exportToWkt(&wkt);
  std::string const mercator_wkt = wkt;
  CPLFree(wkt);
  // Nearest neighbour: every pixel keeps its colour, and the alpha band stays 0 or 255.
  GDALDatasetUniquePtr warped(GDALDataset::FromHandle(GDALAutoCreateWarpedVRT(
      src.get(), nullptr, mercator_wkt.c_str(), GRA_NearestNeighbour, 0.125, nullptr)));
  if (!warped) throw io_error(path.string() + ": cannot warp to EPSG:3857: " + last_gdal_message());
  std::array<double, 6> m{};
  warped->GetGeoTransform(m.data());
  fs::create_directories(path.parent_path());
  atomic_file out(path, ".png");
  {
    // No .aux.xml beside the PNG: Leaflet is told where it lies.
    CPLConfigOptionSetter no_pam("GDAL_PAM_ENABLED", "NO", true);
    char const* const options[] = {"WORLDFILE=NO", nullptr};
    CPLErrorReset();
    GDALDatasetUniquePtr copy(png->CreateCopy(out.temp_path().c_str(), warped.get(), FALSE,
                                              const_cast<char**>(options), nullptr, nullptr));
    if (copy) copy.reset();  // closed: the PNG is written out
    if (!fs::exists(out.temp_path()) || CPLGetLastErrorType() == CE_Failure)
      throw io_error(path.string() + ": cannot write: " + last_gdal_message());
  }
  out.commit();
  double const west = m[0], north = m[3];
  double const east = m[0] + m[1] * warped->GetRasterXSize();
  double const south = m[3] + m[5] * warped->GetRasterYSize();
  auto const to_wgs84 = make_transform(mercator, wgs84());
  std::array<double, 2> x{west, east}, y{south, north};
  if (!to_wgs84->Transform(2, x.data(), y.data()))
    throw io_error(path.string() + ": cannot compute its bounds in WGS84");
  return {y[0], x[0], y[1], x[1]};
}

void write_web_map_head(std::ostream& html) {
  html << "<link rel=\"stylesheet\" href=\"" << leaflet_dir << "/leaflet.css\">\n<script src=\""
       << leaflet_dir << "/leaflet.js\"></script>\n";
}

void write_web_map(std::ostream& html, web_map const& map, report_language language) {
  json data;
  json aois = json::array();
  for (auto const& a : map.aois) {
    json rings = json::array();
    for (auto const& ring : a.rings) {
      json r = json::array();
      for (auto const& p : ring) r.push_back({p[0], p[1]});
      rings.push_back(std::move(r));
    }
    aois.push_back({{"type", "Feature"},
                    {"properties", {{"aoi", a.name}}},
                    {"geometry", {{"type", "Polygon"}, {"coordinates", std::move(rings)}}}});
  }
  data["aois"] = {{"type", "FeatureCollection"}, {"features", std::move(aois)}};
  data["alerts"] = map.alerts_geojson.empty()
                       ? json{{"type", "FeatureCollection"}, {"features", json::array()}}
                       : json::parse(map.alerts_geojson);
  // One base layer per kind and period, holding that image of every AOI: switching layers
  // toggles every AOI between before and after at once.
  json overlays = json::array();
  for (auto const& o : map.overlays) {
    std::string const label = std::string(tr(language, "map." + o.kind)) + ", " +
                              std::string(tr(language, "map." + o.period));
    overlays.push_back({{"aoi", o.aoi},
                        {"kind", o.kind},
                        {"period", o.period},
                        {"label", label},
                        {"file", o.file},
                        {"bounds", {{o.bounds[0], o.bounds[1]}, {o.bounds[2], o.bounds[3]}}}});
  }
  data["overlays"] = std::move(overlays);
  data["labels"] = {{"alerts", tr(language, "index.map_alerts")},
                    {"aois", tr(language, "index.map_aois")},
                    {"none", tr(language, "index.map_no_image")}};
  html << "<div id=\"map\" style=\"height:32em;border:1px solid #ccc;margin:1em 0\"></div>\n"
       << "<script>\nvar geosweepMap = " << script_safe(data.dump()) << ";\n"
       << R"JS((function (d) {
  if (typeof L === "undefined") {
    document.getElementById("map").textContent = "Leaflet (leaflet/leaflet.js) is missing.";
    return;
  }
  var map = L.map("map", {zoomSnap: 0.25});
  // No tiles: the page works offline. The images are the base layers, one at a time.
  var bases = {};
  var first = null;
  d.overlays.forEach(function (o) {
    if (!bases[o.label]) bases[o.label] = L.layerGroup();
    L.imageOverlay(o.file, o.bounds, {alt: o.aoi + ": " + o.label}).addTo(bases[o.label]);
    if (first === null && o.kind === "true_colour" && o.period === "before") first = o.label;
  });
  bases[d.labels.none] = L.layerGroup();
  bases[first || Object.keys(bases)[0]].addTo(map);
  var colour = {high: "#d7191c", low: "#fdae61"};
  var aois = L.geoJSON(d.aois, {
    style: {color: "#1f78b4", weight: 2, fill: false},
    onEachFeature: function (f, layer) { layer.bindTooltip(f.properties.aoi); }
  }).addTo(map);
  var byId = {};
  var alerts = L.geoJSON(d.alerts, {
    style: function (f) {
      return {color: colour[f.properties.confidence] || "#ffff00", weight: 2, fillOpacity: 0.25};
    },
    onEachFeature: function (f, layer) {
      var rows = Object.keys(f.properties).map(function (k) {
        var v = f.properties[k];
        return "<tr><th>" + k + "</th><td>" + (v === null ? "" : String(v)
          .replace(/&/g, "&amp;").replace(/</g, "&lt;")) + "</td></tr>";
      });
      layer.bindPopup("<table class=\"alert-row\">" + rows.join("") + "</table>");
      byId[f.properties.alert_id] = layer;
    }
  }).addTo(map);
  var overlays = {};
  overlays[d.labels.aois] = aois;
  overlays[d.labels.alerts] = alerts;
  L.control.layers(bases, overlays, {collapsed: false}).addTo(map);
  L.control.scale({imperial: false}).addTo(map);
  var north = L.control({position: "topright"});
  north.onAdd = function () {
    var div = L.DomUtil.create("div", "north-arrow");
    div.innerHTML = "&#9650;<br>N";
    div.style.cssText = "background:#fff;padding:2px 6px;text-align:center;font-weight:bold;" +
      "border:2px solid rgba(0,0,0,0.2);border-radius:4px;line-height:1.1";
    return div;
  };
  north.addTo(map);
  var box = aois.getBounds();
  if (alerts.getLayers().length > 0) box.extend(alerts.getBounds());
  if (box.isValid()) map.fitBounds(box); else map.setView([0, 0], 2);
  function openFromHash() {
    var layer = byId[decodeURIComponent(location.hash.slice(1))];
    if (layer) { map.fitBounds(layer.getBounds(), {maxZoom: 16}); layer.openPopup(); }
  }
  window.addEventListener("hashchange", openFromHash);
  openFromHash();
})(geosweepMap);
</script>
)JS";
}

}  // namespace geosweep::pipeline
