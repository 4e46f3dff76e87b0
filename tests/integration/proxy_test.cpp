// --trusted-proxy: behind a trusted proxy every client gets its own
// per-address allowance (from X-Forwarded-For); from any other peer the header
// changes nothing. At, under and over the cap.
#include "tests/integration/relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

// A lossless connection claiming to come from `client` (documentation
// addresses: nothing is sent to them, they are only header text).
bool kept_open(std::uint16_t port, LosslessClient& c, const std::string& client) {
  ConnectOptions o;
  o.extra_headers = {"X-Forwarded-For: " + client};
  if (!c.connect(port, o).upgraded()) return false;
  if (!c.send_join("proxied", "p")) return false;
  return c.wait_for([](const Event& e) { return e.type == EventType::welcome; }, deadline_in(5s))
      .has_value();
}

TEST_F(RelayTest, BehindATrustedProxyEachForwardedClientHasItsOwnAllowance) {
  ASSERT_TRUE(start_relay({"--trusted-proxy", "127.0.0.1", "--max-connections-per-ip", "2"}));
  std::vector<LosslessClient> a(3), b(2);
  EXPECT_TRUE(kept_open(port(), a[0], "192.0.2.1"));  // under the cap
  EXPECT_TRUE(kept_open(port(), a[1], "192.0.2.1"));  // at it
  EXPECT_FALSE(kept_open(port(), a[2], "192.0.2.1")) << "over the cap";
  EXPECT_EQ(a[2].end().close_code, 1008) << a[2].end().describe();
  // Another client through the same proxy: its own allowance.
  EXPECT_TRUE(kept_open(port(), b[0], "192.0.2.2"));
  EXPECT_TRUE(kept_open(port(), b[1], "198.51.100.3, 192.0.2.2"));  // the right-most hop counts
  // The log names the client, not the proxy.
  b[0].ws().send_close(1000);
  b[0].ws().wait_closed(deadline_in(5s));
  ASSERT_EQ(wait_metric(
                "hubchat_connections", [](double v) { return v == 3; }, deadline_in(5s))
                .value_or(-1),
            3);
  const Deadline deadline = deadline_in(5s);
  while (relay().stderr_text().find("address=192.0.2.2 ") == std::string::npos &&
         Clock::now() < deadline)
    std::this_thread::sleep_for(10ms);  // the log has no push channel: poll it
  EXPECT_NE(relay().stderr_text().find("address=192.0.2.2 "), std::string::npos);
}

TEST_F(RelayTest, FromAnUntrustedPeerTheForwardedHeaderChangesNothing) {
  // The proxy is another address: 127.0.0.1 is an ordinary client here.
  ASSERT_TRUE(start_relay({"--trusted-proxy", "127.0.0.2", "--max-connections-per-ip", "2"}));
  std::vector<LosslessClient> c(3);
  EXPECT_TRUE(kept_open(port(), c[0], "192.0.2.1"));
  EXPECT_TRUE(kept_open(port(), c[1], "192.0.2.2"));
  EXPECT_FALSE(kept_open(port(), c[2], "192.0.2.3")) << "a forged header bought an allowance";
  EXPECT_EQ(c[2].end().close_code, 1008) << c[2].end().describe();
}

TEST_F(RelayTest, WithoutTrustedProxiesForwardedHeadersAreIgnored) {
  ASSERT_TRUE(start_relay({"--max-connections-per-ip", "1"}));
  std::vector<LosslessClient> c(2);
  EXPECT_TRUE(kept_open(port(), c[0], "192.0.2.1"));
  EXPECT_FALSE(kept_open(port(), c[1], "192.0.2.2"));
}

}  // namespace
}  // namespace hubchat::test
