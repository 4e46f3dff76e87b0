// One flat JSON object built field by field: the one-line reports of
// hubchat_loadgen and hubchat_storm (values are numbers, strings, null, or
// already-rendered JSON).
#pragma once

#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <string>

namespace hubchat::bench {

class JsonLine {
 public:
  JsonLine& num(const char* key, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.6g", value);
    return raw(key, buf);
  }
  JsonLine& integer(const char* key, std::uint64_t value) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%" PRIu64, value);
    return raw(key, buf);
  }
  JsonLine& boolean(const char* key, bool value) { return raw(key, value ? "true" : "false"); }
  JsonLine& str(const char* key, const std::string& value) {
    std::string quoted = "\"";
    for (char ch : value) {
      if (ch == '"' || ch == '\\') quoted.push_back('\\');
      if (static_cast<unsigned char>(ch) >= 0x20) quoted.push_back(ch);
    }
    quoted.push_back('"');
    return raw(key, quoted);
  }
  JsonLine& null(const char* key) { return raw(key, "null"); }
  JsonLine& raw(const char* key, const std::string& value) {
    if (text_.size() > 1) text_.push_back(',');
    text_.append("\"").append(key).append("\":").append(value);
    return *this;
  }
  std::string done() const { return text_ + "}"; }

 private:
  std::string text_ = "{";
};

}  // namespace hubchat::bench
