// The alert's field table (geosweep/pipeline/alert.hpp): names, types, table decimals, and how
// each field is read from and written to an alert.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <initializer_list>

#include "geosweep/pipeline/alert.hpp"
#include "geosweep/pipeline/errors.hpp"

namespace geosweep::pipeline {
namespace {

// Access to one member, by type, for the table below.
template <class T>
T const* as(field_value const& v) {
  return std::get_if<T>(&v);
}

field_value optional_date(std::optional<civil_date> const& d) {
  return d ? field_value(*d) : field_value();
}

field_value optional_real(std::optional<double> const& v) {
  return v ? field_value(*v) : field_value();
}

template <class E>
field_value optional_name(std::optional<E> const& v) {
  return v ? field_value(std::string(to_string(*v))) : field_value();
}

/// An enum's value from its field text (nothing for ""); throws geosweep::io_error naming the
/// field and the values it may take.
template <class E>
std::optional<E> enum_field(char const* field, field_value const& v) {
  auto const* t = as<std::string>(v);
  if (t == nullptr || t->empty()) return std::nullopt;
  if (auto const e = from_string<E>(*t)) return e;
  throw io_error(
      fmt::format("{} '{}' is none of {}", field, *t, fmt::join(enum_names<E>::values, ", ")));
}

#define GEOSWEEP_TEXT_FIELD(name, member)                                            \
  alert_field {                                                                      \
    name, field_type::text, 0, [](alert const& a) { return field_value(a.member); }, \
        [](alert& a, field_value const& v) {                                         \
          if (auto const* t = as<std::string>(v)) a.member = *t;                     \
        }                                                                            \
  }
#define GEOSWEEP_REAL_FIELD(name, member, decimals)                                         \
  alert_field {                                                                             \
    name, field_type::real, decimals, [](alert const& a) { return field_value(a.member); }, \
        [](alert& a, field_value const& v) {                                                \
          if (auto const* d = as<double>(v)) a.member = *d;                                 \
        }                                                                                   \
  }

alert_field const kFields[] = {
    GEOSWEEP_TEXT_FIELD("alert_id", id),
    GEOSWEEP_TEXT_FIELD("aoi", aoi),
    {"first_seen", field_type::date, 0, [](alert const& a) { return field_value(a.first_seen); },
     [](alert& a, field_value const& v) {
       if (auto const* d = as<civil_date>(v)) a.first_seen = *d;
     }},
    {"confirmed_on", field_type::date, 0,
     [](alert const& a) { return optional_date(a.confirmed_on); },
     [](alert& a, field_value const& v) {
       auto const* d = as<civil_date>(v);
       a.confirmed_on = d ? std::optional(*d) : std::nullopt;
     }},
    {"confidence", field_type::text, 0,
     [](alert const& a) { return field_value(std::string(to_string(a.confidence))); },
     [](alert& a, field_value const& v) {
       auto const* t = as<std::string>(v);
       if (!t) return;
       auto const c = from_string<alert_confidence>(*t);
       if (!c) throw io_error("confidence '" + *t + "' is neither low nor high");
       a.confidence = *c;
     }},
    {"cause", field_type::text, 0, [](alert const& a) { return optional_name(a.cause); },
     [](alert& a, field_value const& v) { a.cause = enum_field<alert_cause>("cause", v); }},
    {"burn_severity", field_type::text, 0,
     [](alert const& a) { return optional_name(a.burn_severity); },
     [](alert& a, field_value const& v) {
       a.burn_severity = enum_field<burn_severity>("burn_severity", v);
     }},
    GEOSWEEP_REAL_FIELD("area_ha", area_ha, 4),
    GEOSWEEP_REAL_FIELD("centroid_lat", centroid_lat, 6),
    GEOSWEEP_REAL_FIELD("centroid_lon", centroid_lon, 6),
    GEOSWEEP_REAL_FIELD("bbox_west", bbox.west, 6),
    GEOSWEEP_REAL_FIELD("bbox_south", bbox.south, 6),
    GEOSWEEP_REAL_FIELD("bbox_east", bbox.east, 6),
    GEOSWEEP_REAL_FIELD("bbox_north", bbox.north, 6),
    GEOSWEEP_REAL_FIELD("mean_magnitude", mean_magnitude, 4),
    {"pixels", field_type::integer, 0, [](alert const& a) { return field_value(a.pixels); },
     [](alert& a, field_value const& v) {
       if (auto const* n = as<std::int64_t>(v)) a.pixels = *n;
     }},
    {"estimated_value", field_type::real, 2,
     [](alert const& a) { return optional_real(a.estimated_value); },
     [](alert& a, field_value const& v) {
       auto const* d = as<double>(v);
       a.estimated_value = d ? std::optional(*d) : std::nullopt;
     }},
};

#undef GEOSWEEP_TEXT_FIELD
#undef GEOSWEEP_REAL_FIELD

field_cell cell_of(alert_field const& f, alert const& a) {
  return {f.name, f.type, f.decimals, f.get(a)};
}

}  // namespace

std::span<alert_field const> alert_fields() {
  return kFields;
}

alert_field const* find_alert_field(std::string_view name) {
  auto const it = std::find_if(std::begin(kFields), std::end(kFields),
                               [&](alert_field const& f) { return f.name == name; });
  return it == std::end(kFields) ? nullptr : &*it;
}

field_row alert_row(alert const& a) {
  field_row row;
  for (auto const& f : kFields) row.push_back(cell_of(f, a));
  return row;
}

field_row alert_row(alert const& a, std::span<std::string_view const> names,
                    field_row const& extra) {
  field_row row;
  row.reserve(names.size());
  for (auto const name : names) {
    if (auto const* f = find_alert_field(name)) {
      row.push_back(cell_of(*f, a));
      continue;
    }
    auto const it = std::find_if(extra.begin(), extra.end(),
                                 [&](field_cell const& c) { return c.name == name; });
    if (it == extra.end())
      throw logic_error("alert_row: '" + std::string(name) + "' is neither a field nor given");
    row.push_back(*it);
  }
  return row;
}

field_row alert_row(alert const& a, std::initializer_list<std::string_view> names,
                    field_row const& extra) {
  return alert_row(a, std::span<std::string_view const>(names.begin(), names.size()), extra);
}

void set_alert_fields(alert& a, field_row const& row) {
  for (auto const& cell : row)
    if (auto const* f = find_alert_field(cell.name)) f->set(a, cell.value);
}

std::string field_text(field_cell const& cell) {
  return std::visit(
      [&](auto const& v) -> std::string {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return {};
        } else if constexpr (std::is_same_v<T, std::string>) {
          return v;
        } else if constexpr (std::is_same_v<T, double>) {
          return fmt::format("{:.{}f}", v, cell.decimals);
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          return std::to_string(v);
        } else {
          return to_iso(v);
        }
      },
      cell.value);
}

std::vector<std::string> field_texts(field_row const& row) {
  std::vector<std::string> out;
  out.reserve(row.size());
  for (auto const& cell : row) out.push_back(field_text(cell));
  return out;
}

std::vector<std::string> field_names(field_row const& row) {
  std::vector<std::string> out;
  out.reserve(row.size());
  for (auto const& cell : row) out.emplace_back(cell.name);
  return out;
}

field_value parse_field(std::string_view name, field_type type, std::string const& text) {
  if (text.empty()) return {};
  auto const fail = [&]() -> field_value {
    throw io_error(fmt::format("{}: '{}' is not a valid value", name, text));
  };
  switch (type) {
    case field_type::text:
      return text;
    case field_type::date: {
      auto const d = parse_iso_date(text);
      return d ? field_value(*d) : fail();
    }
    case field_type::real: {
      double v = 0;
      auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      return ec == std::errc() && end == text.data() + text.size() ? field_value(v) : fail();
    }
    case field_type::integer: {
      std::int64_t v = 0;
      auto const [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
      return ec == std::errc() && end == text.data() + text.size() ? field_value(v) : fail();
    }
  }
  return fail();
}

}  // namespace geosweep::pipeline
