#include "outputs/ogr_fields.hpp"

#include <variant>

#include "core/gdal_utils.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {

OGRFieldType ogr_field_type(field_type type) {
  switch (type) {
    case field_type::real:
      return OFTReal;
    case field_type::integer:
      return OFTInteger64;
    case field_type::date:
      return OFTDate;  // GeoPackage DATE, GeoJSON "YYYY-MM-DD": QGIS reads them as dates
    case field_type::text:
      break;
  }
  return OFTString;
}

void create_fields(OGRLayer& layer, field_row const& row, std::string const& what,
                   bool dates_as_text) {
  for (auto const& cell : row) {
    bool const text = dates_as_text && cell.type == field_type::date;
    OGRFieldDefn definition(std::string(cell.name).c_str(),
                            text ? OFTString : ogr_field_type(cell.type));
    if (layer.CreateField(&definition) != OGRERR_NONE)
      throw io_error(what + ": cannot create field " + std::string(cell.name) + ": " +
                     last_gdal_message());
  }
}

void set_fields(OGRFeature& feature, field_row const& row, bool as_in_tables) {
  for (auto const& cell : row) {
    std::string const name(cell.name);
    std::visit(
        [&](auto const& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) {
            feature.SetField(name.c_str(), v.c_str());
          } else if constexpr (std::is_same_v<T, double>) {
            feature.SetField(name.c_str(), as_in_tables ? std::stod(field_text(cell)) : v);
          } else if constexpr (std::is_same_v<T, std::int64_t>) {
            feature.SetField(name.c_str(), static_cast<GIntBig>(v));
          } else if constexpr (std::is_same_v<T, civil_date>) {
            int const i = feature.GetFieldIndex(name.c_str());
            if (i >= 0 && feature.GetFieldDefnRef(i)->GetType() == OFTString) {
              feature.SetField(i, to_iso(v).c_str());
              return;
            }
            feature.SetField(name.c_str(), static_cast<int>(v.year()),
                             static_cast<int>(static_cast<unsigned>(v.month())),
                             static_cast<int>(static_cast<unsigned>(v.day())));
          }
        },
        cell.value);
  }
}

}  // namespace geosweep::pipeline
