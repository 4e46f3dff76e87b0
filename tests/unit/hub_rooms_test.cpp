// The hub's rooms (relay core, no sockets): seqs across forgetting, bounded
// welcomes and member pages, presence that neither evicts chat nor closes a
// reader, nick uniqueness, and memory accounting that matches the heap.
#include <malloc.h>

#include <gtest/gtest.h>

#include <array>
#include <set>
#include <string>

#include "relay/hub/delivery.hpp"
#include "relay/hub/hub.hpp"
#include "shared/lossless_codec.hpp"
#include "tests/unit/recording_driver.hpp"

namespace hubchat::relay {
namespace {

class HubRoomsTest : public ::testing::Test {
 protected:
  // A message as the loop's turn carries it: posted, then the turn ends (the
  // broker's news reach the cache).
  void post(Session& session, std::string_view body) {
    hub_->post(session, body);
    hub_->end_of_turn();
  }
  void make_hub() { hub_ = std::make_unique<Hub>(options_, metrics_, driver_, 7); }
  Event join_request(const std::string& room, const std::string& nick) {
    Event join;
    join.type = EventType::join;
    join.room = room;
    join.nick = nick;
    return join;
  }
  // The lossless replies queued for `session`, decoded (and then dropped).
  std::vector<Event> take_replies(Session& session) {
    std::vector<Event> events;
    if (!session.buffers) return events;
    for (std::string_view line : lossless::split_batch(session.buffers->replies)) {
      Event event;
      lossless::DecodeError error;
      EXPECT_TRUE(lossless::decode(line, event, error)) << line;
      events.push_back(event);
    }
    session.buffers.reset();
    return events;
  }
  // Everything next_frame() would send `session` now, decoded.
  std::vector<Event> drain(Session& session) {
    FrameBatcher batcher(options_.max_frame_bytes);
    std::vector<Event> events;
    for (int frames = 0; frames < 10000; ++frames) {
      Outbound out = hub_->delivery().next_frame(batcher, session);
      if (out == Outbound::close) {
        ADD_FAILURE() << "closed " << session.close_code << " " << session.close_reason;
        break;
      }
      if (out == Outbound::nothing) break;
      for (std::string_view line : lossless::split_batch(batcher.frame())) {
        Event event;
        lossless::DecodeError error;
        EXPECT_TRUE(lossless::decode(line, event, error)) << line;
        events.push_back(event);
      }
      if (!Delivery::has_more(session)) break;
    }
    session.write_requested = false;
    return events;
  }

  Options options_;
  Metrics metrics_;
  RecordingDriver driver_;
  std::unique_ptr<Hub> hub_;
};

// The bug this guards against: the next room's first seq came from whichever
// room appended last, so a room forgotten and created again reused seqs and
// a client resuming there silently dropped new messages as duplicates.
TEST_F(HubRoomsTest, SeqsStrictlyIncreaseAcrossForgettingARoom) {
  options_.flush_interval_ms = 0;
  options_.rate_limit = 0;
  options_.history_total_bytes = 64 * 1024;
  make_hub();
  Session a, b;
  a.dialect = b.dialect = Dialect::lossless;
  hub_->join_live(a, "a", "a");
  for (int i = 0; i < 20; ++i) post(a, "a" + std::to_string(i));  // a: 1..20
  hub_->join_live(b, "b", "b");
  for (int i = 0; i < 80; ++i) post(b, "b" + std::to_string(i));  // b: 21..100
  const Seq b_last = b.room->log->next_seq() - 1;
  ASSERT_EQ(b_last, 100u);
  post(a, "a-late");  // a: 21, appended last
  hub_->leave(b);
  // Push the idle room out: post enough into `a` to pass the total bound.
  for (int i = 0; hub_->room_count() == 2 && i < 10000; ++i) post(a, std::string(500, 'x'));
  ASSERT_EQ(hub_->room_count(), 1u) << "b was not forgotten";

  // A reader that left at seq 50 missed 51..100, which went with the room.
  Session stale;
  stale.dialect = Dialect::lossless;
  Event resume = join_request("b", "stale");
  resume.has_since = true;
  resume.since = 50;
  resume.epoch = 7;
  hub_->join(stale, resume);
  const auto replies = take_replies(stale);
  ASSERT_EQ(replies.size(), 2u) << lossless::encode(replies.at(0));
  EXPECT_EQ(replies[0].type, EventType::welcome);
  EXPECT_GT(replies[0].first, b_last) << "the new room reused seqs of the forgotten one";
  ASSERT_EQ(replies[1].type, EventType::missed) << "a stale since must yield missed";
  EXPECT_EQ(replies[1].reason, "evicted");
  EXPECT_EQ(replies[1].missed_from, 51u);
  EXPECT_EQ(replies[1].missed_to, replies[0].first - 1);

  // One that had everything missed nothing; new messages are new to both.
  Session current;
  current.dialect = Dialect::lossless;
  resume.nick = "current";
  resume.since = b_last;
  hub_->join(current, resume);
  EXPECT_EQ(take_replies(current).size(), 1u) << "only the welcome";
  post(stale, "new");
  for (Session* reader : {&stale, &current}) {
    const auto events = drain(*reader);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.back().type, EventType::msg);
    EXPECT_GT(events.back().seq, b_last);
    hub_->leave(*reader);
  }
  hub_->leave(a);
}

TEST_F(HubRoomsTest, TheWelcomeIsBoundedAndPagesListEveryMember) {
  options_.rate_limit = 0;
  make_hub();
  constexpr int kMembers = 1200;
  std::vector<Session> members(kMembers);
  for (int i = 0; i < kMembers; ++i) {
    members[i].dialect = Dialect::lossless;
    hub_->join(members[i], join_request("big", "m" + std::to_string(i)));
    members[i].buffers.reset();
  }
  Session late;
  late.dialect = Dialect::lossless;
  hub_->join(late, join_request("big", "late"));
  ASSERT_TRUE(late.buffers);
  EXPECT_LT(late.buffers->replies.size(), 8 * 1024u) << "the welcome grew with the room";
  const auto welcome = take_replies(late).at(0);
  EXPECT_EQ(welcome.count, kMembers + 1u);
  EXPECT_EQ(welcome.members.size(), Hub::kWelcomeMembers);
  EXPECT_TRUE(welcome.more);

  std::set<std::string> seen(welcome.members.begin(), welcome.members.end());
  std::string after = welcome.members.back();
  for (bool more = welcome.more; more;) {
    hub_->members_page(late, after);
    const auto page = take_replies(late).at(0);
    ASSERT_EQ(page.type, EventType::members);
    ASSERT_LE(page.members.size(), Hub::kMembersPage);
    EXPECT_EQ(page.after, after);
    EXPECT_EQ(page.count, kMembers + 1u);
    for (const auto& nick : page.members) EXPECT_TRUE(seen.insert(nick).second) << nick;
    more = page.more;
    if (!page.members.empty()) after = page.members.back();
  }
  EXPECT_EQ(seen.size(), kMembers + 1u);
  for (auto& m : members) hub_->leave(m);
  hub_->leave(late);
}

TEST_F(HubRoomsTest, PresenceChurnNeitherEvictsChatNorClosesAReader) {
  options_.flush_interval_ms = 0;
  options_.presence_interval_ms = 0;  // one presence event per change
  options_.history_events = 10;
  make_hub();
  Session reader;
  reader.dialect = Dialect::lossless;
  hub_->join(reader, join_request("r", "reader"));
  for (int i = 0; i < 10; ++i) post(reader, "chat " + std::to_string(i));
  drain(reader);
  // Churn of many times the presence ring while the reader does not read.
  for (std::size_t i = 0; i < 3 * RoomPresence::kRingEvents; ++i) {
    Session passer;
    hub_->join_live(passer, "r", "p" + std::to_string(i));
    hub_->leave(passer);
  }
  EXPECT_EQ(reader.room->log->first_seq(), 1u) << "presence evicted chat";
  const auto events = drain(reader);
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.front().type, EventType::presence) << "the reader fell behind: a summary";
  EXPECT_EQ(events.front().count, 1u);
  EXPECT_EQ(reader.close_code, 0);
  // The summary stands for everything it missed; what follows is itemized.
  EXPECT_EQ(events.size(), 1u);
  Session last;
  hub_->join_live(last, "r", "last");
  const auto after = drain(reader);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].type, EventType::join);
  EXPECT_EQ(after[0].nick, "last");
  EXPECT_EQ(after[0].count, 2u);
  hub_->leave(last);

  Session newcomer;
  newcomer.dialect = Dialect::lossless;
  hub_->join(newcomer, join_request("r", "new"));
  newcomer.buffers.reset();
  std::size_t chat = 0;
  for (const Event& e : drain(newcomer)) chat += e.type == EventType::msg;
  EXPECT_EQ(chat, 10u) << "a newcomer is replayed all chat";
  hub_->leave(reader);
  hub_->leave(newcomer);
}

TEST_F(HubRoomsTest, NicksStayUniqueAcrossJoinsAndRenames) {
  make_hub();
  std::array<Session, 4> s;
  hub_->join_live(s[0], "r", "mina");
  hub_->join_live(s[1], "r", "mina");
  EXPECT_EQ(s[1].nick, "mina-2");
  hub_->join_live(s[2], "r", "jun");
  hub_->rename(s[2], "mina");
  EXPECT_EQ(s[2].nick, "mina-3");
  hub_->rename(s[0], "mina");  // its own nick: no change
  EXPECT_EQ(s[0].nick, "mina");
  hub_->leave(s[0]);
  hub_->join_live(s[3], "r", "mina");
  EXPECT_EQ(s[3].nick, "mina") << "a nick is free again once its holder left";
  hub_->rename(s[1], "jun");
  EXPECT_EQ(s[1].nick, "jun") << "jun was renamed away, so it is free";
  for (int i = 1; i < 4; ++i) hub_->leave(s[i]);
}

// --history-total-bytes must bound what the heap really holds: the figure the
// hub counts for rooms and messages is checked against glibc's own count.
TEST_F(HubRoomsTest, HistoryBytesMatchWhatTheHeapHolds) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's allocator is not glibc's: mallinfo2 does not see it";
#endif
  options_.flush_interval_ms = 0;
  options_.presence_interval_ms = 0;
  make_hub();
  constexpr int kRooms = 20000;
  Session s;
  const std::size_t heap_before = mallinfo2().uordblks;
  const std::size_t counted_before = hub_->history_bytes();
  for (int i = 0; i < kRooms; ++i) {
    hub_->join_live(s, "room-number-" + std::to_string(i), "someone");
    post(s, std::string(100 + i % 200, 'x'));
    hub_->leave(s);
  }
  ASSERT_EQ(hub_->room_count(), static_cast<std::size_t>(kRooms));
  const double heap = static_cast<double>(mallinfo2().uordblks - heap_before);
  const double counted = static_cast<double>(hub_->history_bytes() - counted_before);
  EXPECT_GT(counted, 0.9 * heap) << "heap " << heap << ", counted " << counted;
  EXPECT_LT(counted, 1.1 * heap) << "heap " << heap << ", counted " << counted;
}

}  // namespace
}  // namespace hubchat::relay
