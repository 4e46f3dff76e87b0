// Small helpers the Redis broker's files share: reading hiredis replies as
// text and numbers, and the hex that keeps names safe inside keys and
// announcements.
#pragma once

#include <hiredis/hiredis.h>

#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace hubchat::relay::redis_text {

inline std::string_view text_of(const redisReply& reply) {
  return std::string_view(reply.str, reply.len);
}

inline bool to_u64(std::string_view text, std::uint64_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

inline bool is_string(const redisReply* reply) {
  return reply && (reply->type == REDIS_REPLY_STRING || reply->type == REDIS_REPLY_STATUS);
}

inline std::string hex(std::string_view text) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() * 2);
  for (unsigned char c : text) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// The text `hex` made; false if `digits` is not hex of whole bytes.
inline bool unhex(std::string_view digits, std::string& out) {
  if (digits.size() % 2) return false;
  out.clear();
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    unsigned value = 0;
    const auto [end, error] = std::from_chars(digits.data() + i, digits.data() + i + 2, value, 16);
    if (error != std::errc() || end != digits.data() + i + 2) return false;
    out.push_back(static_cast<char>(value));
  }
  return true;
}

}  // namespace hubchat::relay::redis_text
