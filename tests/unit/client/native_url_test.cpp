// NativeTransport::parse_url: what lws gets as address, port and path.
// (No socket is opened here; the real relay is exercised by integration tests.)
#include "client/transport/native_transport.hpp"

#include <gtest/gtest.h>

namespace hubchat::client {
namespace {

TEST(NativeTransportUrl, ParsesHostPortPathAndQuery) {
  NativeTransport::Url url;
  ASSERT_TRUE(NativeTransport::parse_url("ws://127.0.0.1:8080/ws?room=lobby&nick=mina", url));
  EXPECT_FALSE(url.tls);
  EXPECT_EQ(url.host, "127.0.0.1");
  EXPECT_EQ(url.port, 8080);
  EXPECT_EQ(url.path, "/ws?room=lobby&nick=mina");
}

TEST(NativeTransportUrl, DefaultsPortAndPath) {
  NativeTransport::Url url;
  ASSERT_TRUE(NativeTransport::parse_url("ws://example.org", url));
  EXPECT_EQ(url.port, 80);
  EXPECT_EQ(url.path, "/");
  ASSERT_TRUE(NativeTransport::parse_url("WSS://example.org?x=1#frag", url));
  EXPECT_TRUE(url.tls);
  EXPECT_EQ(url.port, 443);
  EXPECT_EQ(url.path, "/?x=1");
}

TEST(NativeTransportUrl, ParsesIpv6Literals) {
  NativeTransport::Url url;
  ASSERT_TRUE(NativeTransport::parse_url("ws://[::1]:9000/ws", url));
  EXPECT_EQ(url.host, "::1");
  EXPECT_EQ(url.port, 9000);
}

TEST(NativeTransportUrl, RejectsWhatItCannotDial) {
  NativeTransport::Url url;
  EXPECT_FALSE(NativeTransport::parse_url("http://h/ws", url));
  EXPECT_FALSE(NativeTransport::parse_url("ws://", url));
  EXPECT_FALSE(NativeTransport::parse_url("ws://h:0/", url));
  EXPECT_FALSE(NativeTransport::parse_url("ws://h:99999/", url));
  EXPECT_FALSE(NativeTransport::parse_url("ws://h:12a/", url));
  EXPECT_FALSE(NativeTransport::parse_url("ws://user@h/", url));
  EXPECT_FALSE(NativeTransport::parse_url("h:8080", url));
}

TEST(NativeTransport, UnparsableUrlIsRefusedWithoutEvents) {
  NativeTransport transport;
  EXPECT_FALSE(transport.connect("nonsense", {"hubchat.v1"}));
  std::vector<TransportEvent> events;
  transport.poll(events);
  EXPECT_TRUE(events.empty());
  EXPECT_FALSE(transport.send_text("x"));
}

}  // namespace
}  // namespace hubchat::client
