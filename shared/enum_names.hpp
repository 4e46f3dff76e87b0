// Names for an enum's values, written once as a table. to_string and parsing
// read the same table, so a name cannot differ between the two, and each
// enum states its names as data instead of another switch.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace hubchat {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

// The name `table` gives `value`, or `fallback` when it gives none.
template <typename E, std::size_t N>
constexpr const char* name_in(const EnumName<E> (&table)[N], E value, const char* fallback) {
  for (const EnumName<E>& entry : table)
    if (entry.value == value) return entry.name;
  return fallback;
}

// The value `table` names `name`, or nullopt for a name it does not hold.
template <typename E, std::size_t N>
constexpr std::optional<E> value_in(const EnumName<E> (&table)[N], std::string_view name) {
  for (const EnumName<E>& entry : table)
    if (name == entry.name) return entry.value;
  return std::nullopt;
}

}  // namespace hubchat
