#pragma once
// Internal to pipeline/src: alert rows (geosweep/pipeline/alert.hpp) as JSON objects, for the
// notification payloads and the ledger's `alerts list/show`. Text and dates become strings,
// numbers numbers, a cell without a value null; a key may gather several cells into an array
// (the bounding box).

#include <nlohmann/json.hpp>

#include <initializer_list>
#include <string_view>
#include <vector>

#include "geosweep/pipeline/alert.hpp"

namespace geosweep::pipeline {

/// One key of an object: its name and the cells it holds, by name (one: the value; several: an
/// array). A plain name is a key holding the cell of the same name.
struct json_key {
  json_key(char const* name) : key(name), cells{name} {}  // NOLINT: a plain name converts
  json_key(std::string_view name, std::initializer_list<std::string_view> of)
      : key(name), cells(of) {}
  std::string_view key;
  std::vector<std::string_view> cells;
};

/// The bounding box as one key, [west, south, east, north].
json_key const& bbox_key();

/// A cell as a JSON value.
nlohmann::ordered_json json_value(field_cell const& cell);

/// The object with `keys` of `row`, in that order. Throws geosweep::logic_error for a cell
/// the row does not have.
nlohmann::ordered_json json_object(field_row const& row, std::vector<json_key> const& keys);

}  // namespace geosweep::pipeline
