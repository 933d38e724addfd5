#include "outputs/landcover_table.hpp"

#include <algorithm>
#include <map>

#include "core/text.hpp"
#include "geosweep/kernels/error.hpp"
#include "grid/landcover_raster.hpp"
#include "outputs/csv_writer.hpp"
#include "outputs/product_layout.hpp"

namespace geosweep::pipeline {

std::span<std::string_view const> landcover_table_columns() {
  static constexpr std::string_view columns[] = {"aoi",   "alert_id",      "class",  "changed_ha",
                                                 "value", "class_area_ha", "network"};
  return columns;
}

void add_class_areas(landcover_aoi const& aoi, pixel_window const& window,
                     std::span<std::uint8_t const> mask, std::map<std::int32_t, double>& by_code) {
  GEOSWEEP_EXPECTS(mask.size() == window.pixel_count(), "one mask value per window pixel");
  for (int r = 0; r < window.height; ++r) {
    auto const row = static_cast<std::size_t>(window.y_offset + r);
    double const area = aoi.row_areas[row];
    for (int c = 0; c < window.width; ++c) {
      if (mask[static_cast<std::size_t>(r) * window.width + c] == 0) continue;
      by_code[aoi.codes[row * aoi.width + window.x_offset + c]] += area;
    }
  }
}

class_areas by_class_name(landcover_spec const& spec,
                          std::map<std::int32_t, double> const& by_code) {
  class_areas out;
  double no_data = 0.0;
  bool any_no_data = false;
  for (auto const& [code, m2] : by_code) {  // ascending codes: each name at its lowest
    if (code == landcover_no_data) {
      no_data += m2;
      any_no_data = true;
      continue;
    }
    auto const name = landcover_class_name(spec, code);
    auto it = std::find_if(out.begin(), out.end(), [&](auto const& e) { return e.first == name; });
    if (it == out.end())
      out.emplace_back(name, m2);
    else
      it->second += m2;
  }
  if (any_no_data) out.emplace_back("no data", no_data);
  return out;
}

namespace {

/// The value of `ha` of class `name`: its own value per hectare, else the AOI's, else none.
std::optional<double> value_of(landcover_spec const& spec, landcover_aoi const& aoi,
                               std::string const& name, double ha) {
  if (auto it = spec.value_per_ha.find(name); it != spec.value_per_ha.end()) return ha * it->second;
  if (aoi.value_per_ha) return ha * *aoi.value_per_ha;
  return std::nullopt;
}

std::string value_text(std::optional<double> value) {
  return value ? fixed(*value, 2) : std::string();
}

/// The whole-area rows of an AOI or a network: every class inside it with its area there and
/// the change of that class, then (for safety: patches grow only inside the AOI) any changed
/// class not inside. `value(name, ha)` is the change's value.
template <typename Value>
void whole_rows(class_areas const& inside, class_areas const& changed, std::string const& aoi,
                std::string const& network, Value const& value,
                std::vector<std::vector<std::string>>& rows) {
  auto const changed_of = [&](std::string const& name) {
    for (auto const& [n, m2] : changed)
      if (n == name) return m2;
    return 0.0;
  };
  for (auto const& [name, m2] : inside) {
    double const ha = m2_to_ha(changed_of(name));
    rows.push_back({aoi, "", name, fixed(ha, 4), value_text(value(name, ha)),
                    fixed(m2_to_ha(m2), 4), network});
  }
  for (auto const& [name, m2] : changed) {
    auto const n = name;
    if (std::none_of(inside.begin(), inside.end(), [&](auto const& e) { return e.first == n; })) {
      double const ha = m2_to_ha(m2);
      rows.push_back({aoi, "", name, fixed(ha, 4), value_text(value(name, ha)), "", network});
    }
  }
}

}  // namespace

landcover_split landcover_rows(landcover_spec const& spec, landcover_aoi const& aoi,
                               std::vector<change_patch> const& patches,
                               patch_pixels const& pixels) {
  GEOSWEEP_EXPECTS(
      aoi.width > 0 && aoi.codes.size() == aoi.inside.size() &&
          aoi.codes.size() == aoi.row_areas.size() * static_cast<std::size_t>(aoi.width),
      "codes and inside mask over the AOI window, an area per window row");
  pixel_window const whole{0, 0, aoi.width, static_cast<int>(aoi.row_areas.size())};
  landcover_split out;
  add_class_areas(aoi, whole, aoi.inside, out.inside_by_code);
  std::vector<class_areas> by_alert;
  for (auto const& p : patches) {
    std::map<std::int32_t, double> codes;
    add_class_areas(aoi, p.window, pixels.mask(p.window, p.label), codes);
    for (auto const& [code, m2] : codes) out.changed_by_code[code] += m2;
    by_alert.push_back(by_class_name(spec, codes));
  }
  auto const value = [&](std::string const& name, double ha) {
    auto const v = value_of(spec, aoi, name, ha);
    if (v) out.value_by_class[name] = *v;
    return v;
  };
  whole_rows(by_class_name(spec, out.inside_by_code), by_class_name(spec, out.changed_by_code),
             aoi.name, aoi.network, value, out.rows);
  for (std::size_t k = 0; k < patches.size(); ++k) {
    std::optional<double> total;
    for (auto const& [name, m2] : by_alert[k]) {
      double const ha = m2_to_ha(m2);
      auto const v = value_of(spec, aoi, name, ha);
      if (v) total = total.value_or(0.0) + *v;
      out.rows.push_back(
          {aoi.name, patches[k].alert.id, name, fixed(ha, 4), value_text(v), "", aoi.network});
    }
    out.alert_values.push_back(total);
  }
  return out;
}

std::vector<std::vector<std::string>> network_landcover_rows(
    landcover_spec const& spec, std::vector<std::string> const& networks,
    std::vector<std::pair<std::string, landcover_split const*>> const& aois) {
  std::vector<std::vector<std::string>> rows;
  for (auto const& network : networks) {
    std::map<std::int32_t, double> inside, changed;
    std::map<std::string, double> values;
    for (auto const& [name, split] : aois) {
      if (name != network) continue;
      for (auto const& [code, m2] : split->inside_by_code) inside[code] += m2;
      for (auto const& [code, m2] : split->changed_by_code) changed[code] += m2;
      for (auto const& [c, v] : split->value_by_class) values[c] += v;
    }
    auto const value = [&](std::string const& name, double) -> std::optional<double> {
      auto const it = values.find(name);
      return it == values.end() ? std::nullopt : std::optional<double>(it->second);
    };
    whole_rows(by_class_name(spec, inside), by_class_name(spec, changed), "", network, value, rows);
  }
  return rows;
}

std::filesystem::path write_landcover_table(std::filesystem::path const& dir,
                                            std::vector<std::vector<std::string>> const& rows) {
  auto const path = dir / product::landcover_table_file;
  auto const columns = landcover_table_columns();
  write_csv(path, {columns.begin(), columns.end()}, rows);
  return path;
}

}  // namespace geosweep::pipeline
