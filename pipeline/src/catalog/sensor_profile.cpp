#include "catalog/sensor_profile.hpp"

#include <cstdlib>

#include "catalog/scene_catalog.hpp"
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
                      "SCL"};
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
                        "QA_PIXEL"};
    }
    if (mission == "LT04" || mission == "LT05" || mission == "LE07") {
      return band_codes{{{"blue", "SR_B1"},
                         {"green", "SR_B2"},
                         {"red", "SR_B3"},
                         {"nir", "SR_B4"},
                         {"swir1", "SR_B5"},
                         {"swir2", "SR_B7"}},
                        "QA_PIXEL"};
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

kernels::reflectance_op profile_reflectance(sensor_spec const& sensor, scene const& s,
                                            band_reader const& band) {
  kernels::reflectance_op op;
  if (band.file().scale || band.file().offset) {
    // The product's own metadata (e.g. STAC raster:bands) wins over the profile.
    op.scale = static_cast<float>(band.file().scale.value_or(1.0));
    op.offset = static_cast<float>(band.file().offset.value_or(0.0));
    bool const generic = sensor.type == sensor_type::generic;
    op.nodata = static_cast<std::uint16_t>(generic ? sensor.nodata.value_or(0) : 0);
    op.has_nodata = !generic || sensor.nodata.has_value();
    return op;
  }
  if (sensor.type == sensor_type::generic) {
    op.scale = static_cast<float>(sensor.scale);
    op.offset = static_cast<float>(sensor.offset);
    op.has_nodata = sensor.nodata.has_value();
    op.nodata = static_cast<std::uint16_t>(sensor.nodata.value_or(0));
    return op;
  }
  op.nodata = 0;
  op.has_nodata = true;
  if (sensor.type == sensor_type::landsat_c2_l2) {
    // Collection 2 Level-2 surface reflectance: DN * 0.0000275 - 0.2, DN 0 is fill.
    op.scale = 0.0000275f;
    op.offset = -0.2f;
    return op;
  }
  // Sentinel-2 L2A: (DN + BOA_ADD_OFFSET) / QUANTIFICATION_VALUE. The offset is -1000 from
  // processing baseline 04.00 (25 January 2022); the band's own metadata wins when present.
  op.quantification = 10000.0f;
  civil_date const baseline_04{std::chrono::year{2022}, std::chrono::January, std::chrono::day{25}};
  op.add_offset = s.date >= baseline_04 ? -1000.0f : 0.0f;
  if (auto v = band.metadata_item("BOA_ADD_OFFSET"))
    op.add_offset = static_cast<float>(std::atof(v->c_str()));
  if (auto v = band.metadata_item("QUANTIFICATION_VALUE")) {
    double const q = std::atof(v->c_str());
    if (q > 0) op.quantification = static_cast<float>(q);
  }
  return op;
}

}  // namespace

kernels::reflectance_op band_reflectance(sensor_spec const& sensor, scene const& s,
                                         band_reader const& band) {
  auto op = profile_reflectance(sensor, s, band);
  // A nodata DN from the product's metadata (e.g. STAC raster:bands) wins too.
  if (auto const nodata = band.file().nodata;
      nodata && *nodata >= 0 && *nodata <= 65535 &&
      *nodata == static_cast<double>(static_cast<int>(*nodata))) {
    op.nodata = static_cast<std::uint16_t>(*nodata);
    op.has_nodata = true;
  }
  return op;
}

}  // namespace geosweep::pipeline
