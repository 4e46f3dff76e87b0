// What a WebSocket client writes: the HTTP upgrade request, and masked frames
// (RFC 6455 §5.3) appended to a caller-owned buffer (no allocation once the
// buffer has grown). Also checks the server's "101" upgrade response.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "tests/bench/loadgen/ws_frame_parser.hpp"

namespace hubchat::bench {

// GET `path` upgrade request; `subprotocol` empty for none.
std::string upgrade_request(std::string_view host, std::string_view path,
                            std::string_view subprotocol);

enum class UpgradeStatus { incomplete, accepted, refused };

struct UpgradeResponse {
  UpgradeStatus status = UpgradeStatus::incomplete;
  std::size_t header_bytes = 0;  // accepted/refused: bytes up to and including "\r\n\r\n"
};

// Looks for a complete HTTP response head in `data`; accepted means status 101.
UpgradeResponse parse_upgrade_response(std::string_view data);

// Appends one masked frame carrying `payload` to `out`. Any 4-byte key is valid.
void append_client_frame(std::string& out, WsOpcode opcode, std::string_view payload,
                         std::uint32_t mask_key);

// Applies the (self-inverse) WebSocket mask to `data` in place, starting at key offset 0.
void apply_mask(char* data, std::size_t size, std::uint32_t mask_key);

}  // namespace hubchat::bench
