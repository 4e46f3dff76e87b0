// JsonObject: writes one JSON object field by field, so callers never put
// quotes, commas and braces together by hand. Values are escaped with
// json::append_string; a nested object or array is added as an already
// written value (raw). Used by the client's status documents and probe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hubchat::json {

class JsonObject {
 public:
  JsonObject& string(std::string_view key, std::string_view value);
  JsonObject& boolean(std::string_view key, bool value);
  JsonObject& uint(std::string_view key, std::uint64_t value);
  JsonObject& integer(std::string_view key, std::int64_t value);
  // A number with one decimal ("12.5"): sizes and positions in pixels.
  JsonObject& decimal(std::string_view key, double value);
  JsonObject& strings(std::string_view key, const std::vector<std::string>& values);
  // `json` must already be one JSON value (an object, an array, a number).
  JsonObject& raw(std::string_view key, std::string_view json);

  // The object so far, closed ("{}" when nothing was added).
  std::string str() const;

 private:
  std::string& next(std::string_view key);
  std::string body_;  // "key":value pairs, comma-separated
};

// A JSON array of the given, already written values.
std::string array_of(const std::vector<std::string>& values);
// One decimal, as JsonObject::decimal writes it.
std::string decimal_text(double value);

}  // namespace hubchat::json
