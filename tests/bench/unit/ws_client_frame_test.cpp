// Unit tests for what the generator writes: masked client frames (decoded
// back by unmasking) and the upgrade request/response handling.
#include <gtest/gtest.h>

#include <string>

#include "tests/bench/loadgen/ws_client_frame.hpp"

namespace hubchat::bench {
namespace {

// Decodes one client frame: returns payload (unmasked) and checks the header.
std::string unmask_frame(const std::string& f, WsOpcode expected) {
  EXPECT_EQ(static_cast<unsigned char>(f[0]), 0x80 | static_cast<unsigned>(expected));
  EXPECT_TRUE(static_cast<unsigned char>(f[1]) & 0x80);
  std::size_t len = static_cast<unsigned char>(f[1]) & 0x7F;
  std::size_t at = 2;
  if (len == 126) {
    len = (static_cast<unsigned char>(f[2]) << 8) | static_cast<unsigned char>(f[3]);
    at = 4;
  } else if (len == 127) {
    len = 0;
    for (int i = 2; i < 10; ++i) len = (len << 8) | static_cast<unsigned char>(f[i]);
    at = 10;
  }
  const std::string key = f.substr(at, 4);
  std::string payload = f.substr(at + 4);
  EXPECT_EQ(payload.size(), len);
  for (std::size_t i = 0; i < payload.size(); ++i)
    payload[i] = static_cast<char>(payload[i] ^ key[i % 4]);
  return payload;
}

TEST(ClientFrame, MaskedRoundTripAllLengthForms) {
  for (std::size_t size : {0u, 1u, 7u, 8u, 9u, 125u, 126u, 1000u, 65535u, 65536u, 70001u}) {
    std::string payload(size, '\0');
    for (std::size_t i = 0; i < size; ++i) payload[i] = static_cast<char>('a' + i % 26);
    std::string out = "prefix";
    append_client_frame(out, WsOpcode::text, payload, 0xA1B2C3D4u);
    EXPECT_EQ(out.substr(0, 6), "prefix");
    EXPECT_EQ(unmask_frame(out.substr(6), WsOpcode::text), payload) << size;
  }
}

TEST(ClientFrame, Pong) {
  std::string out;
  append_client_frame(out, WsOpcode::pong, "ping-data", 0x01020304u);
  EXPECT_EQ(unmask_frame(out, WsOpcode::pong), "ping-data");
}

TEST(Upgrade, RequestCarriesSubprotocolOnlyWhenGiven) {
  const std::string with = upgrade_request("127.0.0.1:1", "/ws", "hubchat.v1");
  EXPECT_NE(with.find("GET /ws HTTP/1.1\r\n"), std::string::npos);
  EXPECT_NE(with.find("Sec-WebSocket-Protocol: hubchat.v1\r\n"), std::string::npos);
  EXPECT_EQ(with.substr(with.size() - 4), "\r\n\r\n");
  EXPECT_EQ(upgrade_request("h", "/ws?room=x", "").find("Sec-WebSocket-Protocol"),
            std::string::npos);
}

TEST(Upgrade, ParsesResponse) {
  EXPECT_EQ(parse_upgrade_response("HTTP/1.1 101 Switching").status, UpgradeStatus::incomplete);
  const std::string ok = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x01x";
  const UpgradeResponse r = parse_upgrade_response(ok);
  EXPECT_EQ(r.status, UpgradeStatus::accepted);
  EXPECT_EQ(ok.substr(r.header_bytes), "\x81\x01x");
  EXPECT_EQ(parse_upgrade_response("HTTP/1.1 403 Forbidden\r\n\r\n").status,
            UpgradeStatus::refused);
}

}  // namespace
}  // namespace hubchat::bench
