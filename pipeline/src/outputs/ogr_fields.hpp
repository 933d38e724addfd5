#pragma once
// Internal to pipeline/src: alert rows (geosweep/pipeline/alert.hpp) as OGR attributes. Field
// types come from the field table: text as strings, dates as OFTDate, reals as OFTReal,
// integers as OFTInteger64; a cell without a value stays null.

#include <ogrsf_frmts.h>

#include <string>

#include "geosweep/pipeline/alert.hpp"

namespace geosweep::pipeline {

/// The OGR type a field of `type` is written as.
OGRFieldType ogr_field_type(field_type type);

/// Adds a field to `layer` for each cell of `row` (its name and type), in order. Throws
/// geosweep::io_error naming `what` (the file) when OGR refuses one.
/// With `dates_as_text`, dates are OFTString fields holding YYYY-MM-DD (for formats whose
/// readers take no date type, such as KML's ExtendedData).
void create_fields(OGRLayer& layer, field_row const& row, std::string const& what,
                   bool dates_as_text = false);

/// Sets the cells of `row` on `feature`. With `as_in_tables`, reals are rounded to the
/// decimals the tables write them with (the events layer repeats its CSV). A date goes into a
/// text field as YYYY-MM-DD.
void set_fields(OGRFeature& feature, field_row const& row, bool as_in_tables = false);

}  // namespace geosweep::pipeline
