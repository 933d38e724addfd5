#include "catalog/sensor_profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "catalog/scene_catalog.hpp"
#include "geosweep/pipeline/errors.hpp"
#include "load/scene_reader.hpp"

namespace geosweep::pipeline {

std::optional<band_codes> named_band_codes(sensor_type sensor, std::string const& product_name) {
  if (sensor == sensor_type::sentinel2_l2a) {
    return band_codes{{{"blue", "B02"},
                       {"green", "B03"},
                       {"red", "B04"},
                       {"nir", "B08"},
                       {"swir1", "B11"},
                       {"swir2", "B12"}},
                      "SCL",
                      ""};  // SCL class 1 marks saturated or defective pixels
  }
  if (sensor == sensor_type::landsat_c2_l2) {
    auto const mission = product_name.substr(0, 4);
    if (mission == "LC08" || mission == "LC09") {
      return band_codes{{{"blue", "SR_B2"},
                         {"green", "SR_B3"},
                         {"red", "SR_B4"},
                         {"nir", "SR_B5"},
                         {"swir1", "SR_B6"},
                         {"swir2", "SR_B7"}},
                        "QA_PIXEL",
                        "QA_RADSAT"};
    }
    if (mission == "LT04" || mission == "LT05" || mission == "LE07") {
      return band_codes{{{"blue", "SR_B1"},
                         {"green", "SR_B2"},
                         {"red", "SR_B3"},
                         {"nir", "SR_B4"},
                         {"swir1", "SR_B5"},
                         {"swir2", "SR_B7"}},
                        "QA_PIXEL",
                        "QA_RADSAT"};
    }
  }
  return std::nullopt;
}

quality_rule quality_rule_for(sensor_spec const& sensor) {
  quality_rule rule;
  if (sensor.type == sensor_type::sentinel2_l2a) {
    // SCL: 4 vegetation, 5 not vegetated, 6 water, 7 unclassified.
    rule.type = quality_rule::kind::classes;
    rule.classes.clear_classes = (1u << 4) | (1u << 5) | (1u << 6) | (1u << 7);
  } else if (sensor.type == sensor_type::landsat_c2_l2) {
    // QA_PIXEL: 0 fill, 1 dilated cloud, 2 cirrus, 3 cloud, 4 cloud shadow, 5 snow.
    rule.type = quality_rule::kind::bits;
    rule.bits.reject_bits = 0x3F;
  } else if (sensor.mask) {
    if (!sensor.mask->clear_values.empty()) {
      rule.type = quality_rule::kind::classes;
      for (int v : sensor.mask->clear_values) rule.classes.clear_classes |= 1u << v;
    } else {
      rule.type = quality_rule::kind::bits;
      for (int b : sensor.mask->reject_bits)
        rule.bits.reject_bits = static_cast<std::uint16_t>(rule.bits.reject_bits | (1u << b));
    }
  }
  return rule;
}

namespace {

/// A job's DN value (nodata, a saturated code) as a value of `band`'s type; throws when an
/// integer band cannot hold a value that is not an integer.
double dn_value_for(band_reader const& band, double v, char const* key) {
  GDALDataType const type = band.data_type();
  if (type != GDT_Float32 && type != GDT_Float64 && v != std::floor(v)) {
    throw config_error(fmt::format(
        "sensor.{}: {} is not an integer, and {} band {} holds {} "
        "integers",
        key, v, band.file().path.string(), band.file().band, GDALGetDataTypeName(type)));
  }
  return in_band_type(v, type);
}

/// True when a band of `type` can hold the value `v`.
bool can_hold(GDALDataType type, double v) {
  if (!std::isfinite(v)) return false;
  if (type == GDT_Float32 || type == GDT_Float64) return true;
  if (v != std::floor(v)) return false;
  switch (type) {
    case GDT_Byte:
      return v >= 0 && v <= 255;
    case GDT_UInt16:
      return v >= 0 && v <= 65535;
    case GDT_Int16:
      return v >= -32768 && v <= 32767;
    case GDT_UInt32:
      return v >= 0 && v <= 4294967295.0;
    case GDT_Int32:
      return v >= -2147483648.0 && v <= 2147483647.0;
    default:
      return false;
  }
}

/// The radiometry of the profile (or the product's metadata), before nodata and saturation.
band_radiometry profile_radiometry(sensor_spec const& sensor, scene const& s,
                                   band_reader const& band) {
  band_radiometry r;
  kernels::reflectance_op& op = r.dn16;
  bool const generic = sensor.type == sensor_type::generic;
  if (generic) {
    if (sensor.nodata) r.invalid.nodata = dn_value_for(band, *sensor.nodata, "nodata");
    for (double v : sensor.saturated)
      r.invalid.saturated.push_back(dn_value_for(band, v, "saturated"));
  } else {
    r.invalid.nodata = 0.0;  // DN 0 is no data (Sentinel-2) or fill (Landsat)
  }
  if (band.file().scale || band.file().offset) {
    // The product's own metadata (e.g. STAC raster:bands) wins over the profile.
    op.scale = static_cast<float>(band.file().scale.value_or(1.0));
    op.offset = static_cast<float>(band.file().offset.value_or(0.0));
  } else if (generic) {
    op.scale = static_cast<float>(sensor.scale);
    op.offset = static_cast<float>(sensor.offset);
  } else if (sensor.type == sensor_type::landsat_c2_l2) {
    // Collection 2 Level-2 surface reflectance: DN * 0.0000275 - 0.2, DN 0 is fill.
    op.scale = 0.0000275f;
    op.offset = -0.2f;
  } else {
    // Sentinel-2 L2A: (DN + BOA_ADD_OFFSET) / QUANTIFICATION_VALUE. The offset is -1000 from
    // processing baseline 04.00 (25 January 2022); the band's own metadata wins when present.
    op.quantification = 10000.0f;
    civil_date const baseline_04{std::chrono::year{2022}, std::chrono::January,
                                 std::chrono::day{25}};
    op.add_offset = s.date >= baseline_04 ? -1000.0f : 0.0f;
    if (auto v = band.metadata_item("BOA_ADD_OFFSET"))
      op.add_offset = static_cast<float>(std::atof(v->c_str()));
    if (auto v = band.metadata_item("QUANTIFICATION_VALUE")) {
      double const q = std::atof(v->c_str());
      if (q > 0) op.quantification = static_cast<float>(q);
    }
  }
  return r;
}

}  // namespace

band_radiometry radiometry_of(sensor_spec const& sensor, scene const& s, std::string const& name,
                              band_reader const& band) {
  GDALDataType const type = band.data_type();
  bool const floating = type == GDT_Float32 || type == GDT_Float64;
  if (floating && sensor.type != sensor_type::generic) {
    throw io_error(
        fmt::format("{} band {}: is {}; {} bands hold integer DNs (describe a band "
                    "of reflectance with a generic sensor and its scale)",
                    band.file().path.string(), band.file().band, GDALGetDataTypeName(type),
                    to_string(sensor.type)));
  }
  auto r = profile_radiometry(sensor, s, band);
  // A nodata DN from the product's metadata (e.g. STAC raster:bands) wins too, when the band's
  // type can hold it (NaN: float bands' NaN pixels are no data anyway).
  if (auto const nodata = band.file().nodata; nodata && can_hold(type, *nodata)) {
    r.invalid.nodata = in_band_type(*nodata, type);
  }
  kernels::reflectance_op& op = r.dn16;
  op.has_nodata = r.invalid.nodata && *r.invalid.nodata >= 0.0 && *r.invalid.nodata <= 65535.0;
  op.nodata = op.has_nodata ? static_cast<std::uint16_t>(*r.invalid.nodata) : 0;
  // A warp of a 16-bit band leaves out one value; with the file's own nodata besides the
  // job's, the band goes the way of every other type.
  auto const file_nodata = band.file_nodata();
  bool const two_nodata = file_nodata && r.invalid.nodata && *file_nodata != *r.invalid.nodata;
  r.dn16_path = is_dn16_type(type) && r.invalid.saturated.empty() && !two_nodata;
  // 65535 of a UInt16 band is saturated on either path (reflectance_op's `saturation`).
  if (!r.dn16_path && type == GDT_UInt16 &&
      std::find(r.invalid.saturated.begin(), r.invalid.saturated.end(), 65535.0) ==
          r.invalid.saturated.end()) {
    r.invalid.saturated.push_back(65535.0);
  }
  r.real.add_offset = op.add_offset;
  r.real.quantification = op.quantification;
  r.real.scale = op.scale;
  r.real.offset = op.offset;
  r.real.has_nodata = r.invalid.nodata.has_value();
  r.real.nodata = r.invalid.nodata.value_or(0.0);
  r.real.saturated_count = static_cast<int>(r.invalid.saturated.size());
  for (std::size_t k = 0; k < r.invalid.saturated.size(); ++k)
    r.real.saturated[k] = r.invalid.saturated[k];
  if (s.saturation && sensor.type == sensor_type::landsat_c2_l2) {
    if (auto const codes = named_band_codes(sensor.type, s.id); codes && codes->bands.count(name))
      r.saturation_bit = landsat_saturation_bit(codes->bands.at(name)).value_or(-1);
  }
  return r;
}

kernels::reflectance_op band_reflectance(sensor_spec const& sensor, scene const& s,
                                         band_reader const& band) {
  return radiometry_of(sensor, s, "", band).dn16;
}

std::optional<int> landsat_saturation_bit(std::string const& code) {
  if (code.size() == 5 && code.starts_with("SR_B") && code[4] >= '1' && code[4] <= '9')
    return code[4] - '1';
  return std::nullopt;
}

}  // namespace geosweep::pipeline
