// Client side of the WebSocket wire: upgrade request/response, masked frames.
#include "tests/bench/loadgen/ws_client_frame.hpp"

#include <cstring>

namespace hubchat::bench {

std::string upgrade_request(std::string_view host, std::string_view path,
                            std::string_view subprotocol) {
  std::string r;
  r.reserve(256);
  r.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(host);
  r.append(
      "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
      "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n");
  if (!subprotocol.empty()) r.append("Sec-WebSocket-Protocol: ").append(subprotocol).append("\r\n");
  r.append("\r\n");
  return r;
}

UpgradeResponse parse_upgrade_response(std::string_view data) {
  UpgradeResponse r;
  const std::size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) return r;
  r.header_bytes = end + 4;
  // "HTTP/1.1 101 Switching Protocols"
  const std::size_t sp = data.find(' ');
  r.status = (sp != std::string_view::npos && sp < end && data.substr(sp + 1, 3) == "101")
                 ? UpgradeStatus::accepted
                 : UpgradeStatus::refused;
  return r;
}

void apply_mask(char* data, std::size_t size, std::uint32_t mask_key) {
  unsigned char key[4];
  std::memcpy(key, &mask_key, 4);
  std::uint64_t key8;
  for (int i = 0; i < 8; ++i) reinterpret_cast<unsigned char*>(&key8)[i] = key[i % 4];
  std::size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data + i, 8);
    word ^= key8;
    std::memcpy(data + i, &word, 8);
  }
  for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ key[i % 4]);
}

void append_client_frame(std::string& out, WsOpcode opcode, std::string_view payload,
                         std::uint32_t mask_key) {
  unsigned char header[14];
  std::size_t n = 0;
  header[n++] = static_cast<unsigned char>(0x80 | static_cast<unsigned>(opcode));
  const std::size_t len = payload.size();
  if (len < 126) {
    header[n++] = static_cast<unsigned char>(0x80 | len);
  } else if (len <= 0xFFFF) {
    header[n++] = 0x80 | 126;
    header[n++] = static_cast<unsigned char>(len >> 8);
    header[n++] = static_cast<unsigned char>(len);
  } else {
    header[n++] = 0x80 | 127;
    for (int shift = 56; shift >= 0; shift -= 8)
      header[n++] = static_cast<unsigned char>(static_cast<std::uint64_t>(len) >> shift);
  }
  std::memcpy(header + n, &mask_key, 4);
  n += 4;
  out.append(reinterpret_cast<const char*>(header), n);
  const std::size_t at = out.size();
  out.append(payload.data(), payload.size());
  apply_mask(out.data() + at, payload.size(), mask_key);
}

}  // namespace hubchat::bench
