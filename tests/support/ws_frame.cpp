// Server-frame decoding (see ws_frame.hpp).
#include "tests/support/ws_frame.hpp"

namespace hubchat::test {

ParsedFrame parse_server_frame(std::string_view data, std::size_t max_payload) {
  ParsedFrame f;
  if (data.size() < 2) {
    f.needed = 2;
    return f;
  }
  const auto b0 = static_cast<unsigned char>(data[0]);
  const auto b1 = static_cast<unsigned char>(data[1]);
  if (b0 & 0x70) {
    f.status = ParseStatus::error;
    f.error = "reserved bits set (no extension was negotiated)";
    return f;
  }
  if (b1 & 0x80) {
    f.status = ParseStatus::error;
    f.error = "masked frame from the server";
    return f;
  }
  f.fin = (b0 & 0x80) != 0;
  const unsigned op = b0 & 0x0F;
  if (op != 0x0 && op != 0x1 && op != 0x2 && op != 0x8 && op != 0x9 && op != 0xA) {
    f.status = ParseStatus::error;
    f.error = "unknown opcode";
    return f;
  }
  f.opcode = static_cast<WsOpcode>(op);
  std::size_t header = 2;
  std::uint64_t length = b1 & 0x7F;
  if (length == 126) {
    header = 4;
  } else if (length == 127) {
    header = 10;
  }
  if (data.size() < header) {
    f.needed = header;
    return f;
  }
  if (header > 2) {
    length = 0;
    for (std::size_t i = 2; i < header; ++i)
      length = (length << 8) | static_cast<unsigned char>(data[i]);
  }
  if (op >= 0x8 && (length > 125 || !f.fin)) {
    f.status = ParseStatus::error;
    f.error = "bad control frame";
    return f;
  }
  if (length > max_payload) {
    f.status = ParseStatus::error;
    f.error = "frame larger than the payload limit";
    return f;
  }
  const std::size_t total = header + static_cast<std::size_t>(length);
  if (data.size() < total) {
    f.needed = total;
    return f;
  }
  f.status = ParseStatus::frame;
  f.payload = data.substr(header, static_cast<std::size_t>(length));
  f.consumed = total;
  return f;
}

std::uint16_t close_code_of(std::string_view payload) {
  if (payload.size() < 2) return 1005;
  return static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) |
                                    static_cast<unsigned char>(payload[1]));
}

}  // namespace hubchat::test
