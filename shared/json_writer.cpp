// JsonObject implementation (see json_writer.hpp).
#include "shared/json_writer.hpp"

#include <cstdio>

#include "shared/json.hpp"

namespace hubchat::json {

std::string& JsonObject::next(std::string_view key) {
  if (!body_.empty()) body_ += ',';
  append_string(body_, key);
  body_ += ':';
  return body_;
}

JsonObject& JsonObject::string(std::string_view key, std::string_view value) {
  append_string(next(key), value);
  return *this;
}

JsonObject& JsonObject::boolean(std::string_view key, bool value) {
  next(key) += value ? "true" : "false";
  return *this;
}

JsonObject& JsonObject::uint(std::string_view key, std::uint64_t value) {
  append_uint(next(key), value);
  return *this;
}

JsonObject& JsonObject::integer(std::string_view key, std::int64_t value) {
  append_int(next(key), value);
  return *this;
}

JsonObject& JsonObject::decimal(std::string_view key, double value) {
  next(key) += decimal_text(value);
  return *this;
}

JsonObject& JsonObject::strings(std::string_view key, const std::vector<std::string>& values) {
  std::string& out = next(key);
  out += '[';
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    append_string(out, values[i]);
  }
  out += ']';
  return *this;
}

JsonObject& JsonObject::raw(std::string_view key, std::string_view json) {
  next(key) += json;
  return *this;
}

std::string JsonObject::str() const {
  return "{" + body_ + "}";
}

std::string array_of(const std::vector<std::string>& values) {
  std::string out = "[";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    out += values[i];
  }
  return out + "]";
}

std::string decimal_text(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", value);
  return buf;
}

}  // namespace hubchat::json
