// The load generator's chat message: a body stamped with run tag, sender id,
// per-sender sequence and send time (steady clock ns), padded to a size; and
// the hot-path scan that finds bodies in a received frame of either dialect
// without decoding JSON (lossless: the "body":"..." field of `msg` lines).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

namespace hubchat::bench {

enum class Dialect : std::uint8_t { legacy, lossless };

struct BodyStamp {
  std::uint32_t sender = 0;
  std::uint32_t seq = 0;  // 1, 2, 3, ... per sender
  std::uint64_t sent_ns = 0;
};

// Appends "TAG.SENDER.SEQ.NS." padded with 'x' to `size` bytes (never cut).
void append_body(std::string& out, std::string_view tag, const BodyStamp& stamp, std::size_t size);

// Parses a body made by append_body with the same tag. False for anything else.
bool parse_body(std::string_view body, std::string_view tag, BodyStamp& stamp);

// Appends what a client sends for one chat message: the body itself (legacy)
// or {"type":"msg","body":"..."} (lossless; the body must need no escaping).
void append_message_payload(std::string& out, Dialect dialect, std::string_view tag,
                            const BodyStamp& stamp, std::size_t size);

// Calls fn(body) for every chat message in a received text frame and returns
// how many other lines (join/leave/welcome/... events) it skipped.
template <class Fn>
std::size_t for_each_body(Dialect dialect, std::string_view frame, Fn&& fn) {
  constexpr std::string_view kMsg = "{\"type\":\"msg\"";
  constexpr std::string_view kBody = "\"body\":\"";
  std::size_t other = 0;
  const char* p = frame.data();
  const char* const end = p + frame.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    const char* line_end = nl ? static_cast<const char*>(nl) : end;
    const std::string_view line(p, static_cast<std::size_t>(line_end - p));
    p = line_end + 1;
    if (dialect == Dialect::legacy) {
      fn(line);
      continue;
    }
    if (line.size() < kMsg.size() || std::memcmp(line.data(), kMsg.data(), kMsg.size()) != 0) {
      if (!line.empty()) ++other;
      continue;
    }
    const void* at =
        memmem(line.data() + kMsg.size(), line.size() - kMsg.size(), kBody.data(), kBody.size());
    if (!at) {
      ++other;
      continue;
    }
    const char* body = static_cast<const char*>(at) + kBody.size();
    const void* quote = std::memchr(body, '"', static_cast<std::size_t>(line_end - body));
    const char* body_end = quote ? static_cast<const char*>(quote) : line_end;
    fn(std::string_view(body, static_cast<std::size_t>(body_end - body)));
  }
  return other;
}

}  // namespace hubchat::bench
