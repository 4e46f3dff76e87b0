// Who gets in: the Origin allowlist (refused at the handshake), the
// connection cap (close 1013 right after the handshake), and subprotocol
// negotiation choosing the dialect.
#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

TEST_F(RelayTest, OriginAllowlistRefusesOthersAtHandshake) {
  ASSERT_TRUE(
      start_relay({"--origin", "http://good.example", "--origin", "https://also.example:8443"}));

  EXPECT_TRUE(handshake(port(), "http://good.example").upgraded());
  EXPECT_TRUE(handshake(port(), "https://also.example:8443").upgraded());
  // Non-browser clients (the desktop client, gorilla-style tools) send no
  // Origin; the allowlist is a defence against foreign web pages only.
  EXPECT_TRUE(handshake(port(), std::nullopt).upgraded());

  for (const char* bad : {"http://evil.example", "http://good.example.evil.example",
                          "https://good.example", "http://good.example:8080", "null"}) {
    SCOPED_TRACE(bad);
    HandshakeResult r = handshake(port(), std::string(bad));
    EXPECT_NE(r.status, 101) << r.response_head;
    EXPECT_FALSE(r.upgraded());
  }
  // The legacy dialect is held to the same rule.
  EXPECT_FALSE(handshake(port(), "http://evil.example", std::nullopt).upgraded());
  EXPECT_TRUE(handshake(port(), "http://good.example", std::nullopt).upgraded());

  // A refused handshake leaves the relay healthy.
  EXPECT_EQ(relay().get("/healthz").status, 200);
}

TEST_F(RelayTest, WithoutAllowlistAnyOriginIsAccepted) {
  ASSERT_TRUE(start_relay());
  EXPECT_TRUE(handshake(port(), "http://anything.example").upgraded());
  EXPECT_TRUE(handshake(port(), std::nullopt).upgraded());
}

TEST_F(RelayTest, SubprotocolSelectsDialect) {
  ASSERT_TRUE(start_relay());
  HandshakeResult lossless = handshake(port(), std::nullopt);
  ASSERT_TRUE(lossless.upgraded()) << lossless.response_head;
  EXPECT_EQ(lossless.subprotocol, "hubchat.v1");
  HandshakeResult legacy = handshake(port(), std::nullopt, std::nullopt);
  ASSERT_TRUE(legacy.upgraded()) << legacy.response_head;
  EXPECT_EQ(legacy.subprotocol, "") << "legacy: no Sec-WebSocket-Protocol in the reply";
}

TEST_F(RelayTest, MaxConnectionsClosesTheOneTooMany1013) {
  ASSERT_TRUE(start_relay({"--max-connections", "3"}));
  LosslessClient a, b;
  ASSERT_TRUE(a.connect_and_join(port(), "cap", "a"));
  ASSERT_TRUE(b.connect_and_join(port(), "cap", "b"));
  LegacyClient c;  // legacy connections count too
  ASSERT_TRUE(c.connect(port(), "cap", "c").upgraded());
  ASSERT_TRUE(c.send("c is here"));
  ASSERT_TRUE(c.wait_for("c is here", deadline_in(5s))) << "3rd connection must work";

  for (bool lossless : {true, false}) {
    SCOPED_TRACE(lossless ? "4th lossless" : "4th legacy");
    WsClient fourth;
    ConnectOptions o;
    if (lossless) o.subprotocol = "hubchat.v1";
    HandshakeResult r = fourth.connect(port(), o);
    ASSERT_TRUE(r.upgraded()) << "1013 comes right after the handshake: " << r.response_head;
    Received closed = fourth.wait_closed(deadline_in(5s));
    EXPECT_EQ(closed.kind, Received::Kind::close) << closed.describe();
    EXPECT_EQ(closed.close_code, 1013) << closed.describe();
    EXPECT_EQ(closed.close_reason, "server full");
  }

  // The existing three are unaffected.
  ASSERT_TRUE(a.send_msg("a still works"));
  EXPECT_TRUE(b.wait_for([](const Event& e) { return e.body == "a still works"; }, deadline_in(5s)))
      << b.end().describe();
  EXPECT_TRUE(c.wait_for("a still works", deadline_in(5s)));

  // A freed slot can be used again. The relay learns of the close
  // asynchronously, so retry until a newcomer is welcomed (or time runs out).
  ASSERT_TRUE(a.ws().send_close(1000));
  ASSERT_TRUE(a.ws().wait_closed(deadline_in(5s)).ended());
  const Deadline deadline = deadline_in(5s);
  bool welcomed = false;
  while (!welcomed && Clock::now() < deadline) {
    LosslessClient d;
    welcomed = d.connect_and_join(port(), "cap", "d", deadline).has_value();
  }
  EXPECT_TRUE(welcomed) << "a slot freed by a close was not reusable";
}

TEST_F(RelayTest, MaxConnectionsPerIpClosesTheOneTooMany1008) {
  ASSERT_TRUE(start_relay({"--max-connections-per-ip", "2"}));
  LosslessClient a, b;
  ASSERT_TRUE(a.connect_and_join(port(), "ip", "a"));
  ASSERT_TRUE(b.connect_and_join(port(), "ip", "b"));
  WsClient third;
  ConnectOptions o;
  o.subprotocol = "hubchat.v1";
  HandshakeResult r = third.connect(port(), o);
  ASSERT_TRUE(r.upgraded()) << r.response_head;
  Received closed = third.wait_closed(deadline_in(5s));
  EXPECT_EQ(closed.kind, Received::Kind::close) << closed.describe();
  EXPECT_EQ(closed.close_code, 1008) << closed.describe();
  EXPECT_EQ(closed.close_reason, "too many connections from your address");
  // The two admitted ones still work.
  ASSERT_TRUE(a.send_msg("ping b"));
  EXPECT_TRUE(b.wait_for([](const Event& e) { return e.body == "ping b"; }, deadline_in(5s)));
}

}  // namespace
}  // namespace hubchat::test
