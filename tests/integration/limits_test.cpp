// Hostile or oversized input, each at, just under and just over its limit:
// message size (whole and fragmented) → 1009, invalid UTF-8 → 1007, binary
// frames → 1003; the valid neighbour of each case must be accepted.
#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

constexpr std::size_t kLimit = 1024;

class LimitsTest : public RelayTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(start_relay({"--max-message-bytes", std::to_string(kLimit)}));
  }

  // A joined lossless client (its own room per test keeps echoes apart).
  std::unique_ptr<LosslessClient> joined(const std::string& nick) {
    auto c = std::make_unique<LosslessClient>();
    if (!c->connect_and_join(port(), "limits", nick)) return nullptr;
    return c;
  }

  // The relay accepted the message: its msg comes back with this body, and the
  // connection is still open.
  ::testing::AssertionResult echoed(LosslessClient& c, const std::string& body) {
    auto e =
        c.wait_for([&](const Event& ev) { return ev.type == EventType::msg; }, deadline_in(5s));
    if (!e) return ::testing::AssertionFailure() << "no echo; " << c.end().describe();
    if (e->body != body)
      return ::testing::AssertionFailure()
             << "echo body differs (" << e->body.size() << " vs " << body.size() << " bytes)";
    return ::testing::AssertionSuccess();
  }

  // The relay closed with `code` (close frame, not just a dropped socket).
  static ::testing::AssertionResult closed_with(WsClient& ws, int code, const std::string& reason) {
    Received r = ws.wait_closed(deadline_in(5s));
    if (r.kind != Received::Kind::close)
      return ::testing::AssertionFailure() << "expected close " << code << ", got " << r.describe();
    if (r.close_code != code)
      return ::testing::AssertionFailure() << "expected close " << code << ", got " << r.describe();
    if (r.close_reason != reason)
      return ::testing::AssertionFailure() << "close " << code << " reason \"" << r.close_reason
                                           << "\", PROTOCOL.md says \"" << reason << "\"";
    return ::testing::AssertionSuccess();
  }

  static Event decode_one(const std::string& frame) {
    Event e;
    lossless::DecodeError err;
    lossless::decode(frame, e, err);
    return e;
  }
};

TEST_F(LimitsTest, MessageOfExactlyMaxBytesIsAccepted) {
  auto c = joined("exact");
  ASSERT_TRUE(c);
  const std::string frame = msg_frame_of_size(kLimit);
  ASSERT_EQ(frame.size(), kLimit);
  ASSERT_TRUE(c->ws().send_text(frame));
  EXPECT_TRUE(echoed(*c, decode_one(frame).body));
}

TEST_F(LimitsTest, MessageOneUnderMaxBytesIsAccepted) {
  auto c = joined("under");
  ASSERT_TRUE(c);
  const std::string frame = msg_frame_of_size(kLimit - 1);
  ASSERT_TRUE(c->ws().send_text(frame));
  EXPECT_TRUE(echoed(*c, decode_one(frame).body));
}

TEST_F(LimitsTest, MessageOneOverMaxBytesIsClosed1009) {
  auto c = joined("over");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->ws().send_text(msg_frame_of_size(kLimit + 1)));
  EXPECT_TRUE(closed_with(c->ws(), 1009, "message too big"));
}

TEST_F(LimitsTest, LegacyMessageLimitAppliesToo) {
  LegacyClient ok, big;
  ASSERT_TRUE(ok.connect(port(), "limits").upgraded());
  ASSERT_TRUE(big.connect(port(), "limits").upgraded());
  const std::string exact(kLimit, 'y');
  ASSERT_TRUE(ok.send(exact));
  EXPECT_TRUE(ok.wait_for(exact, deadline_in(5s))) << ok.end().describe();
  ASSERT_TRUE(big.send(std::string(kLimit + 1, 'z')));
  EXPECT_TRUE(closed_with(big.ws(), 1009, "message too big"));
}

TEST_F(LimitsTest, FragmentedMessageWithinLimitIsDeliveredWhole) {
  auto c = joined("frag");
  ASSERT_TRUE(c);
  // Hangul body (3 bytes per syllable) cut so that fragment boundaries fall
  // inside characters: UTF-8 must be checked on the whole message, not per
  // fragment.
  Event e;
  e.type = EventType::msg;
  for (int i = 0; i < 100; ++i) e.body += "한";
  const std::string frame = lossless::encode(e);
  ASSERT_LT(frame.size(), kLimit);
  std::vector<std::string> parts;
  for (std::size_t off = 0; off < frame.size(); off += 101) parts.push_back(frame.substr(off, 101));
  ASSERT_GT(parts.size(), 2u);
  ASSERT_TRUE(c->ws().send_fragmented_text(parts));
  EXPECT_TRUE(echoed(*c, e.body));
}

TEST_F(LimitsTest, FragmentedMessageOfExactlyMaxBytesIsAccepted) {
  auto c = joined("fragexact");
  ASSERT_TRUE(c);
  const std::string frame = msg_frame_of_size(kLimit);
  ASSERT_TRUE(c->ws().send_fragmented_text(
      {frame.substr(0, 300), frame.substr(300, 300), frame.substr(600, 300), frame.substr(900)}));
  EXPECT_TRUE(echoed(*c, decode_one(frame).body));
}

TEST_F(LimitsTest, FragmentedMessageOverLimitIsClosed1009) {
  auto c = joined("fragover");
  ASSERT_TRUE(c);
  // Every fragment is small; only their sum is over the limit.
  const std::string frame = msg_frame_of_size(kLimit + 1);
  ASSERT_TRUE(c->ws().send_fragmented_text(
      {frame.substr(0, 300), frame.substr(300, 300), frame.substr(600, 300), frame.substr(900)}));
  EXPECT_TRUE(closed_with(c->ws(), 1009, "message too big"));
}

// Each invalid sequence replaces two valid bytes ("é" = C3 A9) in a body, so
// the valid twin has exactly the same length.
struct Utf8Case {
  const char* name;
  std::string bytes;
};

TEST_F(LimitsTest, InvalidUtf8IsClosed1007AndValidTwinAccepted) {
  const std::vector<Utf8Case> cases = {
      {"bad continuation", "\xC3\x28"}, {"lone continuation", "\x80\x80"},
      {"overlong slash", "\xC0\xAF"},   {"truncated 3-byte", "\xE2\x82"},
      {"byte FF", "\xFF\xFE"},
  };
  for (const Utf8Case& k : cases) {
    SCOPED_TRACE(k.name);
    const std::string prefix = R"({"type":"msg","body":"abc)";
    const std::string suffix = R"(def"})";
    auto bad = joined("bad");
    ASSERT_TRUE(bad);
    ASSERT_TRUE(bad->ws().send_raw_text(prefix + k.bytes + suffix));
    EXPECT_TRUE(closed_with(bad->ws(), 1007, "invalid UTF-8"));
  }
  // A surrogate half (CESU-8) is 3 bytes: compare with a 3-byte character.
  {
    SCOPED_TRACE("surrogate");
    auto bad = joined("bad");
    ASSERT_TRUE(bad);
    ASSERT_TRUE(bad->ws().send_raw_text("{\"type\":\"msg\",\"body\":\"\xED\xA0\x80\"}"));
    EXPECT_TRUE(closed_with(bad->ws(), 1007, "invalid UTF-8"));
  }
  auto good = joined("good");
  ASSERT_TRUE(good);
  ASSERT_TRUE(good->ws().send_raw_text(R"({"type":"msg","body":"abc)"
                                       "\xC3\xA9"
                                       R"(def"})"));
  EXPECT_TRUE(echoed(*good,
                     "abc\xC3\xA9"
                     "def"));
  ASSERT_TRUE(good->ws().send_raw_text("{\"type\":\"msg\",\"body\":\"\xED\x9F\xBF\"}"));
  EXPECT_TRUE(echoed(*good, "\xED\x9F\xBF"));  // U+D7FF, just below the surrogates
}

TEST_F(LimitsTest, LegacyInvalidUtf8IsClosed1007) {
  LegacyClient g;
  ASSERT_TRUE(g.connect(port(), "limits").upgraded());
  ASSERT_TRUE(g.ws().send_raw_text("hello \xC3\x28 world"));
  EXPECT_TRUE(closed_with(g.ws(), 1007, "invalid UTF-8"));
}

TEST_F(LimitsTest, BinaryFrameIsClosed1003) {
  auto c = joined("bin");
  ASSERT_TRUE(c);
  ASSERT_TRUE(c->ws().send_binary(R"({"type":"msg","body":"hi"})"));
  EXPECT_TRUE(closed_with(c->ws(), 1003, "binary frames are not accepted"));

  LegacyClient g;
  ASSERT_TRUE(g.connect(port(), "limits").upgraded());
  ASSERT_TRUE(g.ws().send_binary("hi"));
  EXPECT_TRUE(closed_with(g.ws(), 1003, "binary frames are not accepted"));
}

}  // namespace
}  // namespace hubchat::test

namespace hubchat::test {
namespace {

TEST_F(RelayTest, LosslessOverRateLimitGetsErrorsAndStaysConnected) {
  ASSERT_TRUE(start_relay({"--rate-limit", "1", "--rate-burst", "3"}));
  LosslessClient c;
  ASSERT_TRUE(c.connect_and_join(port(), "rate", "chatty"));
  // Five at once against a bucket of three that refills at 1/s, of which the
  // join already spent one: every request spends from the same budget.
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.send_msg("m" + std::to_string(i)));
  int errors = 0;
  ASSERT_TRUE(c.collect_until(
      [&](const std::vector<Event>& h) {
        errors = 0;
        std::size_t msgs = 0;
        for (const Event& e : h) {
          if (e.type == EventType::error && e.code == "rate_limited") ++errors;
          if (e.type == EventType::msg) ++msgs;
        }
        return msgs + errors >= 5;
      },
      deadline_in(5s)))
      << describe(c.history()) << c.end().describe();
  const auto msgs = c.msgs();
  ASSERT_EQ(msgs.size(), 2u) << describe(c.history());
  for (int i = 0; i < 2; ++i) EXPECT_EQ(msgs[i].body, "m" + std::to_string(i));
  EXPECT_EQ(errors, 3);
  EXPECT_FALSE(c.end().ended()) << c.end().describe();
}

TEST_F(RelayTest, LegacyOverRateLimitIsClosed1008) {
  ASSERT_TRUE(start_relay({"--rate-limit", "1", "--rate-burst", "3"}));
  LegacyClient g;
  ASSERT_TRUE(g.connect(port(), "rate").upgraded());
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(g.send("m" + std::to_string(i)));
  std::size_t delivered = 0;
  Received r = g.ws().wait_closed(deadline_in(5s), &delivered);
  EXPECT_EQ(r.kind, Received::Kind::close) << r.describe();
  EXPECT_EQ(r.close_code, 1008) << r.describe();
  EXPECT_EQ(r.close_reason, "rate limit exceeded");
}

}  // namespace
}  // namespace hubchat::test
