// One WebSocket frame sent by a server (RFC 6455: unmasked), read from the
// start of a buffer: the parser both the integration tests' client
// (ws_test_client) and the load generator (tests/bench/loadgen) use. It
// checks what a client must (no reserved bits, no mask, known opcodes, short
// final control frames, a payload limit) and copies nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace hubchat::test {

enum class WsOpcode : std::uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xA,
};

enum class ParseStatus { frame, need_more, error };

struct ParsedFrame {
  ParseStatus status = ParseStatus::need_more;
  WsOpcode opcode = WsOpcode::text;
  bool fin = true;
  std::string_view payload;  // points into the parsed buffer
  std::size_t consumed = 0;  // status frame: header + payload bytes
  std::size_t needed = 0;    // status need_more: total bytes this frame needs so far known
  const char* error = "";    // status error: why
};

// Parses the frame at the start of `data`. need_more reports in `needed` how
// many bytes (from the start) are required to make progress: the full header
// while it is incomplete, then header + payload.
ParsedFrame parse_server_frame(std::string_view data, std::size_t max_payload);

// Big-endian close code of a close frame's payload (1005 when absent).
std::uint16_t close_code_of(std::string_view close_payload);

}  // namespace hubchat::test
