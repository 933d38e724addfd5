#pragma once
/// \file
/// Choices with a fixed set of values are enums, parsed from their text once (in the job spec,
/// the ledger) and written back with the same text (tables, metadata, messages). Each enum
/// declares its names by specialising enum_names:
///
///   enum class change_method { baseline, bitemporal };
///   template <> struct enum_names<change_method> {
///     static constexpr std::array<std::string_view, 2> values{"baseline", "bitemporal"};
///   };
///   to_string(change_method::bitemporal) == "bitemporal";
///   from_string<change_method>("baseline") == change_method::baseline;

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace geosweep::pipeline {

/// The text of each value of enum E, in the order of its values (0, 1, 2...).
template <class E>
struct enum_names;

/// An enum with names.
template <class E>
concept named_enum = requires {
  enum_names<E>::values;
};

/// The text of `value`.
template <named_enum E>
constexpr std::string_view to_string(E value) {
  return enum_names<E>::values[static_cast<std::size_t>(value)];
}

/// The value called `text`; nullopt when none is.
template <named_enum E>
constexpr std::optional<E> from_string(std::string_view text) {
  auto const& names = enum_names<E>::values;
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == text) return static_cast<E>(i);
  return std::nullopt;
}

/// Every name of E, in order (for messages: "expected one of: ...").
template <named_enum E>
std::vector<std::string> all_names() {
  auto const& names = enum_names<E>::values;
  return {names.begin(), names.end()};
}

}  // namespace geosweep::pipeline
