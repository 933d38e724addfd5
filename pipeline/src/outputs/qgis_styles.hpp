#pragma once
/// \file
/// Default QGIS styles of alerts.gpkg's layers, stored in the GeoPackage's `layer_styles`
/// table, where QGIS looks for a layer's default style when it loads the layer (the table and
/// columns QGIS itself writes with "Save as Default"): the alerts coloured by confidence and
/// labelled with their id, placed on QGIS's time slider by `first_seen`; the AOIs as outlines
/// labelled with their name.

#include <gdal_priv.h>

#include <string>

namespace geosweep::pipeline {

/// The QML (QGIS's style XML) of the alerts layer: a categorized renderer on `confidence`
/// ("high" red, "low" orange), labels from `alert_id`, and a temporal setting that shows each
/// alert from its `first_seen` date on.
std::string alerts_qml();

/// The QML of the alerts layer's second style, "alerts by cause": a categorized renderer on
/// `cause` in the reports' colours (outputs/cause_colours.hpp), labels from `alert_id`.
std::string alerts_by_cause_qml();

/// The QML of the aois layer: an outline without fill, labelled with `aoi`.
std::string aois_qml();

/// Adds the `layer_styles` table to `ds` (a GeoPackage open for writing) with one default
/// style per layer: alerts (alerts_qml) and, when `with_aois`, aois (aois_qml); `with_causes`
/// adds "alerts by cause" (alerts_by_cause_qml), which QGIS offers in the layer's style menu.
/// Throws geosweep::io_error naming `what` when OGR refuses.
void write_layer_styles(GDALDataset& ds, bool with_aois, bool with_causes, std::string const& what);

}  // namespace geosweep::pipeline
