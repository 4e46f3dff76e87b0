// The two dialects against one room log: lossless bodies (Hangul, newlines)
// survive intact, legacy clients get gorilla's rewriting, and both kinds of
// client see each other. Plus the lossless dialect's basic request rules.
#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

// Makes sure a legacy client is registered in its room: it posts a marker and
// waits for the relay to echo it (gorilla broadcasts to the sender too).
::testing::AssertionResult legacy_ready(LegacyClient& g, const std::string& marker) {
  if (!g.send(marker)) return ::testing::AssertionFailure() << "send failed";
  if (!g.wait_for(marker, deadline_in(5s)))
    return ::testing::AssertionFailure() << "no echo of " << marker << "; " << g.end().describe();
  return ::testing::AssertionSuccess();
}

TEST_F(RelayTest, HangulTwoLineBodyIntactForLosslessAndSpacedForLegacy) {
  ASSERT_TRUE(start_relay());
  LosslessClient sender, reader;
  ASSERT_TRUE(sender.connect_and_join(port(), "kr", "mina"));
  ASSERT_TRUE(reader.connect_and_join(port(), "kr", "jun"));
  LegacyClient gopher;
  ASSERT_TRUE(gopher.connect(port(), "kr", "gopher").upgraded());
  ASSERT_TRUE(legacy_ready(gopher, "ready"));

  const std::string body = "안녕하세요\n두 번째 줄";
  ASSERT_TRUE(sender.send_msg(body));

  auto got = reader.wait_for(
      [](const Event& e) { return e.type == EventType::msg && e.from == "mina"; }, deadline_in(5s));
  ASSERT_TRUE(got) << reader.end().describe();
  EXPECT_EQ(got->body, body);
  EXPECT_EQ(got->room, "kr");

  auto own = sender.wait_for(
      [](const Event& e) { return e.type == EventType::msg && e.from == "mina"; }, deadline_in(5s));
  ASSERT_TRUE(own);
  EXPECT_EQ(own->body, body);

  // Legacy: the newline became a space; nothing else changed.
  ASSERT_TRUE(gopher.wait_for("안녕하세요 두 번째 줄", deadline_in(5s)))
      << "legacy client got: " << ::testing::PrintToString(gopher.history());
  // Only chat bodies reach a legacy client: the join events of the lossless
  // clients and its own marker echo are all it may have seen before.
  EXPECT_EQ(gopher.history(), (std::vector<std::string>{"ready", "안녕하세요 두 번째 줄"}));
}

TEST_F(RelayTest, LegacyAndLosslessClientsSeeEachOther) {
  ASSERT_TRUE(start_relay());
  LosslessClient mina;
  ASSERT_TRUE(mina.connect_and_join(port(), "mixed", "mina"));
  LegacyClient gopher;
  ASSERT_TRUE(gopher.connect(port(), "mixed", "gopher").upgraded());
  ASSERT_TRUE(legacy_ready(gopher, "ready"));

  // gorilla's TrimSpace(Replace(msg, "\n", " ")).
  ASSERT_TRUE(gopher.send("  hi\nthere  "));
  auto got =
      mina.wait_for([](const Event& e) { return e.type == EventType::msg && e.body != "ready"; },
                    deadline_in(5s));
  ASSERT_TRUE(got) << mina.end().describe();
  EXPECT_EQ(got->body, "hi there");
  EXPECT_EQ(got->from, "gopher") << "legacy senders appear under their ?nick=";
  ASSERT_TRUE(gopher.wait_for("hi there", deadline_in(5s)));

  // Whitespace-only legacy input is ignored: mina sees the next one directly.
  ASSERT_TRUE(gopher.send(" \n \t "));
  ASSERT_TRUE(gopher.send("after blank"));
  auto after =
      mina.wait_for([](const Event& e) { return e.type == EventType::msg; }, deadline_in(5s));
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "after blank");

  ASSERT_TRUE(mina.send_msg("from lossless\nsecond line"));
  ASSERT_TRUE(gopher.wait_for("from lossless second line", deadline_in(5s)))
      << ::testing::PrintToString(gopher.history());
}

TEST_F(RelayTest, LegacyClientWithoutRoomJoinsDefaultRoom) {
  ASSERT_TRUE(start_relay({"--default-room", "hall"}));
  LosslessClient mina;
  ASSERT_TRUE(mina.connect_and_join(port(), "hall", "mina"));
  LegacyClient gopher;
  ASSERT_TRUE(gopher.connect(port()).upgraded());  // plain /ws, gorilla's own URL
  ASSERT_TRUE(legacy_ready(gopher, "in the hall"));
  auto got =
      mina.wait_for([](const Event& e) { return e.type == EventType::msg; }, deadline_in(5s));
  ASSERT_TRUE(got) << mina.end().describe();
  EXPECT_EQ(got->body, "in the hall");
  EXPECT_EQ(got->room, "hall");
  EXPECT_EQ(got->from.rfind("guest-", 0), 0u)
      << "default legacy nick is guest-N, got " << got->from;
}

TEST_F(RelayTest, LegacyClientGetsNoHistory) {
  ASSERT_TRUE(start_relay());
  LosslessClient mina;
  ASSERT_TRUE(mina.connect_and_join(port(), "hist", "mina"));
  ASSERT_TRUE(mina.send_msg("old news"));
  ASSERT_TRUE(
      mina.wait_for([](const Event& e) { return e.type == EventType::msg; }, deadline_in(5s)));
  LegacyClient gopher;
  ASSERT_TRUE(gopher.connect(port(), "hist").upgraded());
  ASSERT_TRUE(legacy_ready(gopher, "fresh"));
  EXPECT_EQ(gopher.history(), std::vector<std::string>{"fresh"});
}

TEST_F(RelayTest, LosslessWelcomeReplaysHistoryAndGrantsUniqueNick) {
  ASSERT_TRUE(start_relay());
  LosslessClient first;
  auto w1 = first.connect_and_join(port(), "lobby", "mina");
  ASSERT_TRUE(w1);
  EXPECT_EQ(w1->nick, "mina");
  EXPECT_GT(w1->epoch, 0u);
  ASSERT_TRUE(first.send_msg("안녕"));
  ASSERT_TRUE(
      first.wait_for([](const Event& e) { return e.type == EventType::msg; }, deadline_in(5s)));

  LosslessClient second;
  auto w2 = second.connect_and_join(port(), "lobby", "mina");
  ASSERT_TRUE(w2);
  EXPECT_EQ(w2->nick, "mina-2") << "a taken nick gets a -2 suffix";
  EXPECT_EQ(w2->epoch, w1->epoch);
  EXPECT_EQ(w2->members, (std::vector<std::string>{"mina", "mina-2"}));
  // Without `since`, the whole held history is replayed after the welcome.
  ASSERT_TRUE(second.collect_until(
      [&](const std::vector<Event>& h) {
        return !h.empty() && h.back().seq + 1 >= w2->seq && h.back().type != EventType::welcome;
      },
      deadline_in(5s)))
      << describe(second.history());
  EXPECT_EQ(check_contiguous(second.history()), "");
  auto msgs = second.msgs();
  ASSERT_EQ(msgs.size(), 1u) << describe(second.history());
  EXPECT_EQ(msgs[0].body, "안녕");
  ASSERT_GE(second.history().size(), 2u);
  EXPECT_EQ(second.history().front().type, EventType::welcome) << "welcome comes first";
  EXPECT_EQ(second.history()[1].seq, w2->first) << "the replay starts at `first`";
}

TEST_F(RelayTest, LosslessRequestErrorsKeepConnectionOpen) {
  ASSERT_TRUE(start_relay());
  LosslessClient c;
  ASSERT_TRUE(c.connect(port()).upgraded());
  auto is_error = [](const Event& e) { return e.type == EventType::error; };

  ASSERT_TRUE(c.send_msg("too early"));
  auto e1 = c.wait_for(is_error, deadline_in(5s));
  ASSERT_TRUE(e1) << c.end().describe();
  EXPECT_EQ(e1->code, "not_joined");

  ASSERT_TRUE(c.ws().send_text("this is not json"));
  auto e2 = c.wait_for(is_error, deadline_in(5s));
  ASSERT_TRUE(e2) << c.end().describe();
  EXPECT_EQ(e2->code, "bad_json");

  ASSERT_TRUE(c.ws().send_text(R"({"type":"teleport"})"));
  auto e3 = c.wait_for(is_error, deadline_in(5s));
  ASSERT_TRUE(e3) << c.end().describe();
  EXPECT_EQ(e3->code, "bad_event");

  // Still usable: a batch of two events in one frame (join, then msg), with
  // a trailing newline the relay must ignore.
  ASSERT_TRUE(c.ws().send_text(
      "{\"type\":\"join\",\"room\":\"r\",\"nick\":\"n\"}\n{\"type\":\"msg\",\"body\":\"b\"}\n"));
  auto m = c.wait_for([](const Event& e) { return e.type == EventType::msg; }, deadline_in(5s));
  ASSERT_TRUE(m) << c.end().describe();
  EXPECT_EQ(m->body, "b");
  EXPECT_EQ(m->from, "n");

  ASSERT_TRUE(c.send_msg(""));
  auto e4 = c.wait_for(is_error, deadline_in(5s));
  ASSERT_TRUE(e4) << c.end().describe();
  EXPECT_EQ(e4->code, "empty_body");
}

}  // namespace
}  // namespace hubchat::test
