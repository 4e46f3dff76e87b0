// Which address a connection counts as (relay core): the peer's own, unless
// the peer is a trusted proxy, whose forwarding headers then name the client.
#include "relay/transport/client_address.hpp"

#include <gtest/gtest.h>

namespace hubchat::relay {
namespace {

const std::vector<std::string> kProxies = {"127.0.0.1", "10.9.9.9"};

TEST(ClientAddress, AnUntrustedPeerIsItselfWhateverItsHeadersSay) {
  EXPECT_EQ(client_address("198.51.100.7", kProxies, "192.0.2.1", "192.0.2.2"), "198.51.100.7");
  EXPECT_EQ(client_address("198.51.100.7", {}, "192.0.2.1", ""), "198.51.100.7");
}

TEST(ClientAddress, ATrustedProxyNamesTheClient) {
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "192.0.2.1", ""), "192.0.2.1");
  EXPECT_EQ(client_address("::ffff:127.0.0.1", kProxies, "192.0.2.1", ""), "192.0.2.1");
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "", "192.0.2.2"), "192.0.2.2");
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "2001:db8::1", ""), "2001:db8::1");
}

// Each proxy appends what it saw: the right-most untrusted entry is the
// client; anything left of it may be the client's own invention.
TEST(ClientAddress, TheRightMostUntrustedHopIsTheClient) {
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "203.0.113.9, 192.0.2.1", ""), "192.0.2.1");
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "192.0.2.1, 10.9.9.9", ""), "192.0.2.1");
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "192.0.2.1,10.9.9.9,127.0.0.1", ""), "192.0.2.1");
  // Only proxies in the chain: X-Real-IP, else the peer.
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "10.9.9.9", "192.0.2.5"), "192.0.2.5");
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "10.9.9.9", ""), "127.0.0.1");
}

TEST(ClientAddress, WhatIsNotAnAddressIsNotBelieved) {
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "unknown", ""), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "192.0.2.1, evil host", ""), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", kProxies, "", "not-an-ip"), "127.0.0.1");
  EXPECT_EQ(client_address("127.0.0.1", kProxies, std::string(46, '1'), ""), "127.0.0.1");
  EXPECT_TRUE(looks_like_address(std::string(45, '1')));
  EXPECT_FALSE(looks_like_address(""));
}

}  // namespace
}  // namespace hubchat::relay
