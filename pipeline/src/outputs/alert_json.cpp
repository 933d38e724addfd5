#include "outputs/alert_json.hpp"

#include <algorithm>

#include "geosweep/kernels/error.hpp"

namespace geosweep::pipeline {

json_key const& bbox_key() {
  static json_key const key{"bbox", {"bbox_west", "bbox_south", "bbox_east", "bbox_north"}};
  return key;
}

nlohmann::ordered_json json_value(field_cell const& cell) {
  return std::visit(
      [](auto const& v) -> nlohmann::ordered_json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else if constexpr (std::is_same_v<T, civil_date>) {
          return to_iso(v);
        } else {
          return v;
        }
      },
      cell.value);
}

nlohmann::ordered_json json_object(field_row const& row, std::vector<json_key> const& keys) {
  auto const cell = [&](std::string_view name) -> field_cell const& {
    auto const it =
        std::find_if(row.begin(), row.end(), [&](field_cell const& c) { return c.name == name; });
    if (it == row.end())
      throw logic_error("json_object: the row has no '" + std::string(name) + "'");
    return *it;
  };
  nlohmann::ordered_json object = nlohmann::ordered_json::object();
  for (auto const& k : keys) {
    auto& value = object[std::string(k.key)];
    if (k.cells.size() == 1) {
      value = json_value(cell(k.cells.front()));
      continue;
    }
    value = nlohmann::ordered_json::array();
    for (auto const name : k.cells) value.push_back(json_value(cell(name)));
  }
  return object;
}

}  // namespace geosweep::pipeline
