// Exactly-once sends (docs/PROTOCOL.md, "Message ids"): a message sent again
// after a reconnect, with the same sender key and id, is answered with `ack`
// instead of being posted twice, as long as the room still holds it.
#include "tests/integration/relay_test_fixture.hpp"
#include "tests/support/events.hpp"

namespace hubchat::test {
namespace {

std::size_t copies(const std::vector<Event>& events, const std::string& body) {
  std::size_t n = 0;
  for (const Event& e : events) n += e.type == EventType::msg && e.body == body;
  return n;
}

TEST_F(RelayTest, AMessageResentAfterAReconnectIsPostedOnce) {
  ASSERT_TRUE(start_relay());
  LosslessClient observer;
  ASSERT_TRUE(observer.connect_and_join(port(), "once", "observer"));
  const std::string key = "k-0123456789abcdef";
  Seq since = 0;
  std::uint64_t epoch = 0;
  {
    LosslessClient sender;
    ASSERT_TRUE(sender.connect(port()).upgraded());
    ASSERT_TRUE(sender.send_event(join_event("once", "mina", key)));
    auto welcome = sender.wait_for([](const Event& e) { return e.type == EventType::welcome; },
                                   deadline_in(5s));
    ASSERT_TRUE(welcome);
    since = welcome->seq - 1;
    epoch = welcome->epoch;
    ASSERT_TRUE(sender.send_event(msg_event("only once", "m1")));
    // The connection drops before the echo (the acknowledgement) is read.
    ASSERT_TRUE(observer.wait_for(
        [](const Event& e) { return e.type == EventType::msg && e.body == "only once"; },
        deadline_in(5s)));
    sender.ws().disconnect();
  }
  LosslessClient again;
  ASSERT_TRUE(again.connect(port()).upgraded());
  ASSERT_TRUE(again.send_event(join_event("once", "mina", key, since, epoch)));
  ASSERT_TRUE(again.send_event(msg_event("only once", "m1")));  // its outbox, resent
  auto ack =
      again.wait_for([](const Event& e) { return e.type == EventType::ack; }, deadline_in(5s));
  ASSERT_TRUE(ack) << describe(again.history());
  EXPECT_EQ(ack->id, "m1");
  EXPECT_EQ(ack->room, "once");
  // Everyone saw it exactly once. The ack is a direct reply and may come before
  // the replay, so wait for a later message: the room's order puts the replay first.
  ASSERT_TRUE(again.send_msg("marker"));
  const auto saw_marker = [](const Event& e) {
    return e.type == EventType::msg && e.body == "marker";
  };
  ASSERT_TRUE(again.wait_for(saw_marker, deadline_in(5s))) << describe(again.history());
  ASSERT_TRUE(observer.wait_for(saw_marker, deadline_in(5s)));
  // The replay carried the original, with its id: the sender's acknowledgement.
  std::vector<Event> replayed;
  for (const Event& e : again.msgs())
    if (e.body == "only once") replayed.push_back(e);
  ASSERT_EQ(replayed.size(), 1u) << describe(again.history());
  EXPECT_EQ(replayed[0].id, "m1");
  EXPECT_EQ(replayed[0].seq, ack->seq);
  EXPECT_EQ(copies(observer.history(), "only once"), 1u) << describe(observer.history());
}

// The dedupe window is a time (the broker's, the same in memory and in
// Redis), not what the room's history holds: a resend is recognized before
// and after the original left the history.
TEST_F(RelayTest, ResendsAreRecognizedAfterTheOriginalLeftTheHistory) {
  ASSERT_TRUE(start_relay({"--history-events", "3", "--rate-limit", "0"}));
  LosslessClient c;
  ASSERT_TRUE(c.connect(port()).upgraded());
  ASSERT_TRUE(c.send_event(join_event("window", "c", "key-window")));
  ASSERT_TRUE(
      c.wait_for([](const Event& e) { return e.type == EventType::welcome; }, deadline_in(5s)));
  ASSERT_TRUE(c.send_event(msg_event("body a", "a")));
  auto first = c.wait_for([](const Event& e) { return e.type == EventType::ack && e.id == "a"; },
                          deadline_in(5s));
  ASSERT_TRUE(first) << "an accepted keyed message is acknowledged to its sender";
  ASSERT_TRUE(
      c.wait_for([](const Event& e) { return e.type == EventType::msg && e.body == "body a"; },
                 deadline_in(5s)));  // the ack, a direct reply, may overtake it
  // Resent at once, then again once three more messages pushed it out.
  auto resent = [&](const std::string& probe) {
    c.clear_history();
    EXPECT_TRUE(c.send_event(msg_event("body a", "a")));
    EXPECT_TRUE(c.send_msg(probe));
    EXPECT_TRUE(
        c.wait_for([&](const Event& e) { return e.type == EventType::msg && e.body == probe; },
                   deadline_in(5s)));
    // (With Redis the probe's copy, on pub/sub, may overtake the resend's ack.)
    std::optional<Event> ack;
    EXPECT_TRUE(c.collect_until(
        [&](const std::vector<Event>& history) {
          for (const Event& e : history)
            if (e.type == EventType::ack && e.id == "a") ack = e;
          return ack.has_value();
        },
        deadline_in(5s)))
        << describe(c.history());
    if (ack) {
      EXPECT_EQ(ack->seq, first->seq) << "the ack names the original's seq";
    }
    EXPECT_EQ(copies(c.history(), "body a"), 0u) << "posted again: " << describe(c.history());
  };
  resent("probe 1");
  for (const char* filler : {"filler 1", "filler 2", "filler 3"}) ASSERT_TRUE(c.send_msg(filler));
  ASSERT_TRUE(
      c.wait_for([](const Event& e) { return e.type == EventType::msg && e.body == "filler 3"; },
                 deadline_in(5s)));
  resent("probe 2");
}

TEST_F(RelayTest, WithoutAKeyIdsAreEchoedButNotDeduplicated) {
  ASSERT_TRUE(start_relay());
  LosslessClient c;
  ASSERT_TRUE(c.connect_and_join(port(), "nokey", "c"));
  ASSERT_TRUE(c.send_event(msg_event("twice", "x1")));
  ASSERT_TRUE(c.send_event(msg_event("twice", "x1")));
  ASSERT_TRUE(c.collect_until([](const std::vector<Event>& h) { return copies(h, "twice") == 2; },
                              deadline_in(5s)));
  for (const Event& e : c.msgs()) EXPECT_EQ(e.id, "x1");
}

TEST_F(RelayTest, BadIdsAndKeysAreRefused) {
  ASSERT_TRUE(start_relay());
  LosslessClient c;
  ASSERT_TRUE(c.connect(port()).upgraded());
  ASSERT_TRUE(c.send_event(join_event("bad", "c", std::string(65, 'k'))));
  auto refused =
      c.wait_for([](const Event& e) { return e.type == EventType::error; }, deadline_in(5s));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, "bad_event");
  ASSERT_TRUE(c.send_event(join_event("bad", "c", std::string(64, 'k'))));  // at the limit
  ASSERT_TRUE(
      c.wait_for([](const Event& e) { return e.type == EventType::welcome; }, deadline_in(5s)));
  for (const std::string& id :
       {std::string(65, 'i'), std::string("has space"), std::string("tab\t")}) {
    c.clear_history();
    ASSERT_TRUE(c.send_event(msg_event("x", id)));
    auto error =
        c.wait_for([](const Event& e) { return e.type == EventType::error; }, deadline_in(5s));
    ASSERT_TRUE(error) << id;
    EXPECT_EQ(error->code, "bad_event") << id;
  }
  ASSERT_TRUE(c.send_event(msg_event("fine", std::string(64, 'i'))));
  EXPECT_TRUE(
      c.wait_for([](const Event& e) { return e.type == EventType::msg && e.body == "fine"; },
                 deadline_in(5s)));
}

}  // namespace
}  // namespace hubchat::test
