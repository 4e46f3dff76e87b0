// Resume: a client that reconnects with join since=s and its welcome's epoch
// gets exactly the events after s; if the ring no longer holds them it is told
// precisely what it missed ("evicted" from..to); if the epoch is another
// relay run's, it gets a "restart" missed.
#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

bool is_type(const Event& e, EventType t) {
  return e.type == t;
}

// The msg events of `events` whose body starts with `prefix`.
std::vector<Event> msgs_with_prefix(const std::vector<Event>& events, const std::string& prefix) {
  std::vector<Event> out;
  for (const Event& e : events)
    if (e.type == EventType::msg && e.body.rfind(prefix, 0) == 0) out.push_back(e);
  return out;
}

// `talker` posts `n` messages "prefix<i>" and waits until all are logged.
// With `paced`, it waits for each echo before the next send: with a tiny ring
// a burst appended in one go would push every reader's cursor (the talker's
// own included) off the ring, and this test is about resume, not slow readers.
::testing::AssertionResult post(LosslessClient& talker, const std::string& prefix, int n,
                                bool paced = false) {
  for (int i = 0; i < n; ++i) {
    const std::string body = prefix + std::to_string(i);
    if (!talker.send_msg(body)) return ::testing::AssertionFailure() << "send failed";
    if (!paced && i + 1 < n) continue;
    if (!talker.wait_for([&](const Event& e) { return e.type == EventType::msg && e.body == body; },
                         deadline_in(5s)))
      return ::testing::AssertionFailure()
             << "no echo of " << body << "; " << talker.end().describe();
  }
  return ::testing::AssertionSuccess();
}

// Disconnects cleanly and waits until the relay has dropped the connection.
void leave(LosslessClient& c) {
  c.ws().send_close(1000);
  c.ws().wait_closed(deadline_in(5s));
}

// What mina had when she left a room: her welcome and the last seq she saw.
struct LeftAt {
  Event welcome;
  Seq seq = 0;
};

// jun (`talker`) and mina join `room`; jun posts `n` messages "prefix<i>";
// mina reads up to the last one and leaves, as a client about to resume.
::testing::AssertionResult mina_reads_and_leaves(std::uint16_t port, const std::string& room,
                                                 LosslessClient& talker, const std::string& prefix,
                                                 int n, LeftAt& left) {
  LosslessClient mina;
  if (!talker.connect_and_join(port, room, "jun")) return ::testing::AssertionFailure() << "jun";
  auto welcome = mina.connect_and_join(port, room, "mina");
  if (!welcome) return ::testing::AssertionFailure() << "mina got no welcome";
  if (auto posted = post(talker, prefix, n); !posted) return posted;
  const std::string last = prefix + std::to_string(n - 1);
  if (!mina.wait_for([&](const Event& e) { return e.body == last; }, deadline_in(5s)))
    return ::testing::AssertionFailure() << "mina did not see " << last;
  left = {*welcome, mina.history().back().seq};
  leave(mina);
  return ::testing::AssertionSuccess();
}

TEST_F(RelayTest, ResumeReplaysExactlyWhatWasMissed) {
  ASSERT_TRUE(start_relay());
  LosslessClient talker;
  LeftAt left;
  ASSERT_TRUE(mina_reads_and_leaves(port(), "resume", talker, "before-", 3, left));
  const Event& welcome = left.welcome;
  const Seq s = left.seq;
  ASSERT_GT(s, 0u);

  ASSERT_TRUE(post(talker, "missed-", 5));

  LosslessClient again;
  auto w2 = again.connect_and_join(port(), "resume", "mina", deadline_in(5s), s, welcome.epoch);
  ASSERT_TRUE(w2) << again.end().describe();
  EXPECT_EQ(w2->epoch, welcome.epoch);
  // A marker posted after the welcome bounds the replay: everything up to it
  // has arrived once we see it.
  ASSERT_TRUE(talker.send_msg("after"));
  ASSERT_TRUE(
      again.collect_until([](const auto& h) { return has_msg_body(h, "after"); }, deadline_in(5s)))
      << describe(again.history());

  const auto& h = again.history();
  for (const Event& e : h) {
    EXPECT_NE(e.type, EventType::missed) << "nothing was evicted: " << describe(e);
    if (e.seq != 0 && e.type != EventType::welcome) {
      EXPECT_GT(e.seq, s) << "replayed an event the client already had: " << describe(e);
    }
  }
  // The first replayed event is s+1 and nothing is skipped or repeated.
  ASSERT_GE(h.size(), 2u);
  EXPECT_EQ(h[1].seq, s + 1) << describe(h);
  EXPECT_EQ(check_contiguous(h), "") << describe(h, 40);
  const auto missed = msgs_with_prefix(h, "missed-");
  ASSERT_EQ(missed.size(), 5u) << describe(h, 40);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(missed[i].body, "missed-" + std::to_string(i));
  EXPECT_TRUE(msgs_with_prefix(h, "before-").empty()) << describe(h, 40);
}

TEST_F(RelayTest, ResumeBeyondTheRingReportsEvicted) {
  ASSERT_TRUE(start_relay({"--history-events", "8"}));
  LosslessClient talker;
  LeftAt left;
  ASSERT_TRUE(mina_reads_and_leaves(port(), "ring", talker, "early-", 2, left));
  const Event& welcome = left.welcome;
  const Seq s = left.seq;
  ASSERT_TRUE(post(talker, "flood-", 20, true));  // far more than the 8-event ring

  LosslessClient again;
  ASSERT_TRUE(again.connect(port()).upgraded());
  ASSERT_TRUE(again.send_join("ring", "mina", s, welcome.epoch));
  auto w2 = again.wait_for([](const Event& e) { return is_type(e, EventType::welcome); },
                           deadline_in(5s));
  ASSERT_TRUE(w2) << again.end().describe();
  EXPECT_GT(w2->first, s + 1) << "the ring should have evicted s+1";
  EXPECT_LE(w2->seq - w2->first, 8u) << "ring holds at most --history-events";

  auto missed = again.next(deadline_in(5s));
  ASSERT_TRUE(missed) << again.end().describe();
  ASSERT_EQ(missed->type, EventType::missed)
      << "missed comes right after welcome, got " << describe(*missed);
  EXPECT_EQ(missed->reason, "evicted");
  EXPECT_EQ(missed->room, "ring");
  EXPECT_EQ(missed->missed_from, s + 1);
  EXPECT_EQ(missed->missed_to, w2->first - 1);
  // Then the replay continues right where the gap ends.
  auto next = again.next(deadline_in(5s));
  ASSERT_TRUE(next) << again.end().describe();
  EXPECT_EQ(next->seq, w2->first) << describe(*next);
}

// Not a resume, but the same boundary: a plain join (no `since`) into a room
// whose ring is full must replay what is held, not fall off the ring because
// its own join event evicted the oldest one.
TEST_F(RelayTest, JoinIntoAFullRingGetsWelcomeAndWholeHeldHistory) {
  ASSERT_TRUE(start_relay({"--history-events", "8"}));
  LosslessClient talker;
  ASSERT_TRUE(talker.connect_and_join(port(), "full", "jun"));
  ASSERT_TRUE(post(talker, "old-", 12, true));

  LosslessClient late;
  auto w = late.connect_and_join(port(), "full", "late");
  ASSERT_TRUE(w) << late.end().describe();
  EXPECT_LE(w->seq - w->first, 8u);
  ASSERT_TRUE(late.collect_until(
      [&](const auto& h) {
        return h.back().type != EventType::welcome && h.back().seq + 1 == w->seq;
      },
      deadline_in(5s)))
      << describe(late.history()) << late.end().describe();
  EXPECT_EQ(late.history()[1].seq, w->first);
  EXPECT_EQ(check_contiguous(late.history()), "");
  ASSERT_TRUE(talker.send_msg("live"));
  EXPECT_TRUE(late.wait_for([](const Event& e) { return e.body == "live"; }, deadline_in(5s)))
      << late.end().describe();
}

TEST_F(RelayTest, ResumeWithAnotherEpochReportsRestart) {
  ASSERT_TRUE(start_relay());
  LosslessClient talker;
  auto welcome = talker.connect_and_join(port(), "epoch", "jun");
  ASSERT_TRUE(welcome);
  ASSERT_TRUE(post(talker, "m-", 3));

  LosslessClient again;
  ASSERT_TRUE(again.connect(port()).upgraded());
  ASSERT_TRUE(again.send_join("epoch", "mina", 2, welcome->epoch + 1));
  auto w2 = again.wait_for([](const Event& e) { return is_type(e, EventType::welcome); },
                           deadline_in(5s));
  ASSERT_TRUE(w2) << again.end().describe();
  EXPECT_EQ(w2->epoch, welcome->epoch);
  auto missed = again.next(deadline_in(5s));
  ASSERT_TRUE(missed) << again.end().describe();
  ASSERT_EQ(missed->type, EventType::missed) << describe(*missed);
  EXPECT_EQ(missed->reason, "restart");
  EXPECT_EQ(missed->missed_from, 0u);
  EXPECT_EQ(missed->missed_to, 0u);
}

}  // namespace
}  // namespace hubchat::test
