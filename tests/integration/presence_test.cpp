// Presence at scale (docs/PROTOCOL.md, "Presence"): bounded welcomes and
// member pages, itemized and summarized presence, churn that leaves chat
// history alone, and seqs that never go backwards when a room is forgotten.
// Against the real relay, over real sockets.
#include <set>

#include "tests/integration/relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

const std::vector<std::string> kManyClients = {"--max-connections-per-ip", "2000",
                                               "--max-connections", "2000"};

std::vector<std::string> with(std::vector<std::string> args, const std::vector<std::string>& more) {
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

TEST_F(RelayTest, AWelcomeIsBoundedAndPagesListTheWholeRoom) {
  ASSERT_TRUE(start_relay(kManyClients));
  constexpr std::size_t kMembers = 600;
  std::vector<LosslessClient> members(kMembers);
  for (std::size_t i = 0; i < kMembers; ++i)
    ASSERT_TRUE(members[i].connect_and_join(port(), "big", "m" + std::to_string(i)));
  LosslessClient late;
  auto welcome = late.connect_and_join(port(), "big", "late");
  ASSERT_TRUE(welcome);
  EXPECT_EQ(welcome->count, kMembers + 1);
  EXPECT_EQ(welcome->members.size(), 200u);
  EXPECT_TRUE(welcome->more);
  EXPECT_LT(late.stats().max_message_bytes, 8 * 1024u) << "the welcome grew with the room";

  std::set<std::string> nicks(welcome->members.begin(), welcome->members.end());
  std::string after = welcome->members.back();
  for (bool more = true; more;) {
    Event ask;
    ask.type = EventType::members;
    ask.after = after;
    ASSERT_TRUE(late.send_event(ask));
    auto page = late.wait_for(
        [&](const Event& e) { return e.type == EventType::members && e.after == after; },
        deadline_in(5s));
    ASSERT_TRUE(page) << late.end().describe();
    EXPECT_EQ(page->count, kMembers + 1);
    for (const std::string& nick : page->members) EXPECT_TRUE(nicks.insert(nick).second) << nick;
    more = page->more;
    if (!page->members.empty()) after = page->members.back();
  }
  EXPECT_EQ(nicks.size(), kMembers + 1);
  EXPECT_TRUE(nicks.count("late") && nicks.count("m0") && nicks.count("m599"));
}

TEST_F(RelayTest, PresenceIsItemizedThenSummarizedAndHasNoSeq) {
  ASSERT_TRUE(start_relay(with(kManyClients, {"--presence-interval", "300"})));
  LosslessClient observer;
  ASSERT_TRUE(observer.connect_and_join(port(), "p", "observer"));
  std::vector<LosslessClient> few(3);
  for (std::size_t i = 0; i < few.size(); ++i)
    ASSERT_TRUE(few[i].connect_and_join(port(), "p", "few" + std::to_string(i)));
  ASSERT_TRUE(observer.collect_until(
      [](const std::vector<Event>& h) {
        std::size_t joins = 0;
        for (const Event& e : h) joins += e.type == EventType::join && e.nick.rfind("few", 0) == 0;
        return joins == 3;
      },
      deadline_in(5s)))
      << describe(observer.history());
  for (const Event& e : observer.history()) {
    if (e.type != EventType::join) continue;
    EXPECT_EQ(e.seq, 0u) << "presence is not history: " << describe(e);
    EXPECT_EQ(e.count, 4u);
  }
  // A burst inside one interval: one summary, not 40 events.
  observer.clear_history();
  std::vector<LosslessClient> many(40);
  for (std::size_t i = 0; i < many.size(); ++i)
    ASSERT_TRUE(many[i].connect_and_join(port(), "p", "many" + std::to_string(i)));
  auto summary = observer.wait_for(
      [](const Event& e) { return e.type == EventType::presence && e.count == 44; },
      deadline_in(5s));
  ASSERT_TRUE(summary) << describe(observer.history());
  std::size_t itemized = 0;
  for (const Event& e : observer.history()) itemized += e.type == EventType::join;
  EXPECT_LE(itemized, 16u) << "the burst was not summarized";
}

// The storm of a full ring's worth of joins and leaves leaves chat alone.
TEST_F(RelayTest, JoinAndLeaveChurnDoesNotEvictChatHistory) {
  ASSERT_TRUE(start_relay(with(kManyClients, {"--history-events", "100", "--rate-limit", "0"})));
  LosslessClient sender;
  ASSERT_TRUE(sender.connect_and_join(port(), "churn", "sender"));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(sender.send_msg("chat " + std::to_string(i)));
  ASSERT_TRUE(sender.wait_for(
      [](const Event& e) { return e.type == EventType::msg && e.body == "chat 99"; },
      deadline_in(5s)));
  for (int round = 0; round < 3; ++round) {
    std::vector<LosslessClient> passers(100);
    for (std::size_t i = 0; i < passers.size(); ++i)
      ASSERT_TRUE(passers[i].connect_and_join(port(), "churn", "p" + std::to_string(i),
                                              deadline_in(5s), /*since=*/Seq{100}));
  }  // 300 joins and 300 leaves
  LosslessClient newcomer;
  ASSERT_TRUE(newcomer.connect_and_join(port(), "churn", "newcomer"));
  ASSERT_TRUE(newcomer.collect_until(
      [](const std::vector<Event>& h) { return has_msg_body(h, "chat 99"); }, deadline_in(5s)));
  const auto msgs = newcomer.msgs();
  ASSERT_EQ(msgs.size(), 100u);
  EXPECT_EQ(msgs.front().seq, 1u);
  EXPECT_EQ(check_contiguous(msgs), "");
  EXPECT_FALSE(sender.end().ended()) << sender.end().describe();
}

// Issue 9, item 5: a room forgotten under --history-total-bytes and created
// again continues above every seq it had; a reader resuming with its old
// `since` hears what it missed, then gets every new message.
TEST_F(RelayTest, AForgottenRoomResumesWithMissedThenEveryNewMessage) {
  ASSERT_TRUE(start_relay({"--history-total-bytes", "65536", "--rate-limit", "0"}));
  Seq since = 0, top = 0;
  std::uint64_t epoch = 0;
  {
    LosslessClient reader, writer;
    auto welcome = reader.connect_and_join(port(), "gone", "reader");
    ASSERT_TRUE(welcome);
    epoch = welcome->epoch;
    ASSERT_TRUE(writer.connect_and_join(port(), "gone", "writer"));
    for (int i = 0; i < 20; ++i) ASSERT_TRUE(writer.send_msg("old " + std::to_string(i)));
    ASSERT_TRUE(reader.wait_for(
        [](const Event& e) { return e.type == EventType::msg && e.body == "old 9"; },
        deadline_in(5s)));
    since = reader.msgs().at(9).seq;  // the reader leaves here, halfway
    ASSERT_TRUE(writer.wait_for(
        [](const Event& e) { return e.type == EventType::msg && e.body == "old 19"; },
        deadline_in(5s)));
    top = writer.msgs().back().seq;
  }
  // Another room grows past the bound: the idle one is forgotten. (Then it
  // goes idle itself, so that it is what the next room to grow pushes out.)
  {
    LosslessClient busy;
    ASSERT_TRUE(busy.connect_and_join(port(), "busy", "busy"));
    for (int i = 0; i < 100; ++i) ASSERT_TRUE(busy.send_msg(std::string(1000, 'b')));
    ASSERT_EQ(
        wait_metric("hubchat_rooms", [](double v) { return v == 1; }, deadline_in(5s)).value_or(-1),
        1);
  }
  // Until the relay has read to the end of what `busy` sent (it reads 128
  // bytes a turn) and dropped it, "busy" is not idle, and the room created
  // below would be trimmed instead of it: wait for that.
  ASSERT_EQ(wait_metric(
                "hubchat_connections", [](double v) { return v == 0; }, deadline_in(10s))
                .value_or(-1),
            0);

  LosslessClient back;
  auto welcome = back.connect_and_join(port(), "gone", "reader", deadline_in(5s), since, epoch);
  ASSERT_TRUE(welcome);
  EXPECT_GT(welcome->first, top) << "seqs of the forgotten room were reused";
  auto missed =
      back.wait_for([](const Event& e) { return e.type == EventType::missed; }, deadline_in(5s));
  ASSERT_TRUE(missed) << describe(back.history());
  EXPECT_EQ(missed->reason, "evicted");
  EXPECT_EQ(missed->missed_from, since + 1);
  LosslessClient writer;
  ASSERT_TRUE(writer.connect_and_join(port(), "gone", "writer"));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(writer.send_msg("new " + std::to_string(i)));
  ASSERT_TRUE(back.collect_until(
      [](const std::vector<Event>& h) { return has_msg_body(h, "new 4"); }, deadline_in(5s)));
  const auto msgs = back.msgs();
  ASSERT_EQ(msgs.size(), 5u);
  EXPECT_GT(msgs.front().seq, top);
  EXPECT_EQ(check_contiguous(msgs), "");
}

}  // namespace
}  // namespace hubchat::test
