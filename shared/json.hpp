// A minimal JSON reader/writer, just enough for the lossless codec: flat
// objects whose values are strings, non-negative integers, booleans, null or
// arrays of strings. Other values (nested objects, floats) are validated and
// skipped, so unknown fields never break decoding. Internal to shared/.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hubchat::json {

// Appends `text` as a JSON string literal (quotes included). Control
// characters are escaped, so the result never contains a raw '\n'.
void append_string(std::string& out, std::string_view text);
void append_uint(std::string& out, std::uint64_t value);
void append_int(std::string& out, std::int64_t value);

enum class Kind { string, uint, boolean, null, string_array, other };

struct Field {
  std::string key;
  Kind kind = Kind::other;
  std::string text;                // Kind::string
  std::uint64_t number = 0;        // Kind::uint
  bool flag = false;               // Kind::boolean
  std::vector<std::string> items;  // Kind::string_array
};

// Parses one JSON object (surrounding whitespace allowed, nothing after it).
// On failure returns false and sets `error`.
bool parse_object(std::string_view text, std::vector<Field>& fields, std::string& error);

}  // namespace hubchat::json
