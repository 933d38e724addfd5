#include "outputs/qgis_styles.hpp"

#include <ogrsf_frmts.h>

#include <ctime>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "outputs/cause_colours.hpp"

namespace geosweep::pipeline {
namespace {

/// One SimpleFill symbol layer (QGIS's <prop k v> form, read by every QGIS 3).
std::string fill_symbol(int name, char const* fill, char const* outline, char const* style) {
  std::string s = R"(      <symbol name=")" + std::to_string(name) +
                  R"(" type="fill" alpha="1" clip_to_extent="1" force_rhr="0">
        <layer class="SimpleFill" enabled="1" locked="0" pass="0">
          <prop k="color" v=")" +
                  fill + R"("/>
          <prop k="style" v=")" +
                  style + R"("/>
          <prop k="outline_color" v=")" +
                  outline + R"("/>
          <prop k="outline_style" v="solid"/>
          <prop k="outline_width" v="0.4"/>
          <prop k="outline_width_unit" v="MM"/>
          <prop k="joinstyle" v="bevel"/>
        </layer>
      </symbol>
)";
  return s;
}

/// Simple labels from `field`, in a white halo, over the polygon's centre.
std::string labels(char const* field, char const* size) {
  return std::string(R"(  <labeling type="simple">
    <settings calloutType="simple">
      <text-style fieldName=")") +
         field + R"(" isExpression="0" fontSize=")" + size +
         R"(" fontSizeUnit="Point" fontWeight="75" textColor="40,40,40,255" textOpacity="1"/>
      <text-buffer bufferDraw="1" bufferSize="0.8" bufferSizeUnits="MM" bufferColor="255,255,255,255" bufferOpacity="0.85"/>
      <placement placement="1" dist="0" priority="5" centroidWhole="1" centroidInside="1"/>
      <rendering obstacle="1" displayAll="0" upsidedownLabels="0"/>
    </settings>
  </labeling>
)";
}

constexpr char kHead[] = R"(<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
<qgis version="3.22.0" styleCategories="Symbology|Labeling|Temporal" labelsEnabled="1">
)";

}  // namespace

std::string alerts_qml() {
  std::string qml = kHead;
  // Each alert from the date of its first anomaly on: QGIS's temporal controller shows the
  // loss accumulate (mode 1: an instant from a field; accumulate: it stays once shown).
  qml +=
      R"(  <temporal enabled="1" mode="1" startField="first_seen" endField="" durationField="" durationUnit="d" fixedDuration="0" accumulate="1" startExpression="" endExpression="" limitMode="0">
    <fixedRange>
      <start></start>
      <end></end>
    </fixedRange>
  </temporal>
  <renderer-v2 type="categorizedSymbol" attr="confidence" symbollevels="0" enableorderby="0" forceraster="0">
    <categories>
      <category symbol="0" value="high" label="High confidence" render="true"/>
      <category symbol="1" value="low" label="Low confidence" render="true"/>
    </categories>
    <symbols>
)";
  qml += fill_symbol(0, "215,25,28,140", "165,0,38,255", "solid");
  qml += fill_symbol(1, "253,174,97,140", "230,85,13,255", "solid");
  qml += R"(    </symbols>
  </renderer-v2>
)";
  qml += labels("alert_id", "8");
  qml += "  <layerGeometryType>2</layerGeometryType>\n</qgis>\n";
  return qml;
}

std::string alerts_by_cause_qml() {
  std::string qml = kHead;
  qml +=
      R"(  <renderer-v2 type="categorizedSymbol" attr="cause" symbollevels="0" enableorderby="0" forceraster="0">
    <categories>
)";
  std::string symbols;
  int k = 0;
  for (auto const& name : enum_names<alert_cause>::values) {
    auto const cause = *from_string<alert_cause>(name);
    std::uint32_t const rgb = cause_colour(cause);
    std::string const colour =
        fmt::format("{},{},{}", (rgb >> 16) & 0xFF, (rgb >> 8) & 0xFF, rgb & 0xFF);
    qml += fmt::format(R"(      <category symbol="{}" value="{}" label="{}" render="true"/>
)",
                       k, name, name);
    symbols += fill_symbol(k, (colour + ",150").c_str(), (colour + ",255").c_str(), "solid");
    ++k;
  }
  qml += "    </categories>\n    <symbols>\n" + symbols + R"(    </symbols>
  </renderer-v2>
)";
  qml += labels("alert_id", "8");
  qml += "  <layerGeometryType>2</layerGeometryType>\n</qgis>\n";
  return qml;
}

std::string aois_qml() {
  std::string qml = kHead;
  qml += R"(  <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">
    <symbols>
)";
  qml += fill_symbol(0, "0,0,0,0", "35,100,170,255", "no");
  qml += R"(    </symbols>
  </renderer-v2>
)";
  qml += labels("aoi", "10");
  qml += "  <layerGeometryType>2</layerGeometryType>\n</qgis>\n";
  return qml;
}

void write_layer_styles(GDALDataset& ds, bool with_aois, bool with_causes,
                        std::string const& what) {
  // The table as QGIS creates it (QgsOgrProviderUtils, "Save as Default" into a GeoPackage).
  OGRLayer* table = ds.CreateLayer("layer_styles", nullptr, wkbNone, nullptr);
  if (table == nullptr)
    throw io_error(what + ": cannot create the layer_styles table: " + last_gdal_message());
  auto const text = [&](char const* name, int width) {
    OGRFieldDefn f(name, OFTString);
    f.SetWidth(width);
    if (table->CreateField(&f) != OGRERR_NONE)
      throw io_error(what + ": cannot create layer_styles." + name + ": " + last_gdal_message());
  };
  text("f_table_catalog", 256);
  text("f_table_schema", 256);
  text("f_table_name", 256);
  text("f_geometry_column", 256);
  text("styleName", 30);
  text("styleQML", 0);
  text("styleSLD", 0);
  OGRFieldDefn use_as_default("useAsDefault", OFTInteger);
  use_as_default.SetSubType(OFSTBoolean);
  OGRFieldDefn updated("update_time", OFTDateTime);
  if (table->CreateField(&use_as_default) != OGRERR_NONE)
    throw io_error(what + ": cannot create layer_styles.useAsDefault: " + last_gdal_message());
  text("description", 0);
  text("owner", 30);
  text("ui", 30);
  if (table->CreateField(&updated) != OGRERR_NONE)
    throw io_error(what + ": cannot create layer_styles.update_time: " + last_gdal_message());

  // (layer, style name, QML, whether QGIS opens the layer with it)
  struct style {
    char const* layer;
    char const* name;
    std::string qml;
    bool as_default;
  };
  std::vector<style> styles{{"alerts", "alerts", alerts_qml(), true}};
  if (with_causes) styles.push_back({"alerts", "alerts by cause", alerts_by_cause_qml(), false});
  if (with_aois) styles.push_back({"aois", "aois", aois_qml(), true});
  std::time_t const now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  for (auto const& [layer_name, style_name, qml, as_default] : styles) {
    OGRLayer* layer = ds.GetLayerByName(layer_name);
    if (layer == nullptr) throw io_error(what + ": no layer " + layer_name + " to style");
    OGRFeature row(table->GetLayerDefn());
    row.SetField("f_table_catalog", "");
    row.SetField("f_table_schema", "");
    row.SetField("f_table_name", layer_name);
    row.SetField("f_geometry_column", layer->GetGeometryColumn());
    row.SetField("styleName", style_name);
    row.SetField("styleQML", qml.c_str());
    row.SetField("styleSLD", "");
    row.SetField("useAsDefault", as_default ? 1 : 0);
    row.SetField("description",
                 as_default ? "geosweep's default style" : "geosweep's style by alert cause");
    row.SetField("owner", "");
    row.SetField("ui", "");
    row.SetField("update_time", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday, utc.tm_hour,
                 utc.tm_min, static_cast<float>(utc.tm_sec), 100);
    if (table->CreateFeature(&row) != OGRERR_NONE)
      throw io_error(what + ": cannot write the style of " + layer_name + ": " +
                     last_gdal_message());
  }
}

}  // namespace geosweep::pipeline
