// The broker seam (relay core, no sockets, no Redis): a remote broker's rooms
// answer joins only once ready; messages reach the cache only as the broker's
// news, in seq order; the broker's verdict on a send reaches the sender
// (accepted or duplicate -> ack naming the room, unavailable -> error or
// close); a new epoch closes the room's lossless readers so they rejoin and
// hear `missed`; a gap in the same epoch tells the readers what they missed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "relay/broker/broker.hpp"
#include "relay/broker/redis_url.hpp"
#include "relay/hub/hub.hpp"
#include "tests/unit/recording_driver.hpp"

namespace hubchat::relay {
namespace {

// A broker that answers nothing by itself: the test plays its part, and its
// news reaches the hub at the end of the turn, as with the real ones.
struct FakeRemoteBroker final : Broker {
  std::vector<BrokerNews> pending;
  std::vector<std::string> opened, closed;
  std::vector<Publication> published;
  std::vector<std::string> joined, left;

  std::optional<StreamStart> open_room(std::string_view room, std::uint64_t, Seq) override {
    opened.emplace_back(room);
    return std::nullopt;
  }
  void close_room(std::string_view room) override { closed.emplace_back(room); }
  void forget_room(std::string_view) override {}
  void publish(Publication publication) override { published.push_back(std::move(publication)); }
  void member_joined(std::string_view, std::string_view nick) override {
    joined.emplace_back(nick);
  }
  void member_left(std::string_view, std::string_view nick) override { left.emplace_back(nick); }
  void moderate(ModerationAction) override {}
  void take_news(std::vector<BrokerNews>& news) override {
    news.clear();
    news.swap(pending);
  }

  void ready(const std::string& room, std::uint64_t epoch, Seq first,
             std::vector<Event> msgs = {}) {
    BrokerNews n;
    n.kind = BrokerNews::Kind::ready;
    n.room = room;
    n.epoch = epoch;
    n.first_seq = first;
    n.messages = std::move(msgs);
    pending.push_back(std::move(n));
  }
  void message(const std::string& room, Event m) {
    BrokerNews n;
    n.kind = BrokerNews::Kind::message;
    n.room = room;
    n.messages.push_back(std::move(m));
    pending.push_back(std::move(n));
  }
  void result(std::uint64_t ticket, const std::string& room, PublishStatus status, Seq seq) {
    BrokerNews n;
    n.kind = BrokerNews::Kind::publish_result;
    n.room = room;
    n.ticket = ticket;
    n.status = status;
    n.seq = seq;
    pending.push_back(std::move(n));
  }
  void presence(const std::string& room, const std::string& nick, bool joined_there) {
    BrokerNews n;
    n.kind = BrokerNews::Kind::presence;
    n.room = room;
    n.nick = nick;
    n.joined = joined_there;
    pending.push_back(std::move(n));
  }
};

class BrokerSeamTest : public ::testing::Test {
 protected:
  BrokerSeamTest() : hub_(options_, metrics_, driver_, 1, &broker_) {
    alice_.dialect = bob_.dialect = Dialect::lossless;
  }
  static Event join_request(const std::string& room, const std::string& nick) {
    Event e;
    e.type = EventType::join;
    e.room = room;
    e.nick = nick;
    return e;
  }
  static std::string replies(const Session& s) { return s.buffers ? s.buffers->replies : ""; }
  static Event message(Seq seq, const std::string& body) {
    Event m;
    m.type = EventType::msg;
    m.seq = seq;
    m.from = "someone";
    m.body = body;
    return m;
  }

  Options options_;
  Metrics metrics_;
  RecordingDriver driver_;
  FakeRemoteBroker broker_;
  Hub hub_;
  Session alice_, bob_;
};

TEST_F(BrokerSeamTest, AJoinWaitsForTheRoomToBeReady) {
  hub_.join(alice_, join_request("r", "alice"));
  EXPECT_EQ(broker_.opened, std::vector<std::string>{"r"});
  EXPECT_EQ(broker_.joined, std::vector<std::string>{"alice"});
  EXPECT_TRUE(alice_.join_waiting());
  EXPECT_EQ(replies(alice_).find("welcome"), std::string::npos) << replies(alice_);

  broker_.ready("r", 777, 41, {message(41, "old"), message(42, "newer")});
  hub_.end_of_turn();
  EXPECT_FALSE(alice_.join_waiting());
  EXPECT_NE(replies(alice_).find("\"type\":\"welcome\""), std::string::npos);
  EXPECT_NE(replies(alice_).find("\"epoch\":777"), std::string::npos) << replies(alice_);
  EXPECT_EQ(alice_.room->log->first_seq(), 41u);
  EXPECT_EQ(alice_.room->log->next_seq(), 43u);
  EXPECT_EQ(alice_.cursor, 41u) << "no since: the whole cache is replayed";
}

TEST_F(BrokerSeamTest, MessagesEnterTheRingOnlyInSeqOrder) {
  hub_.join(alice_, join_request("r", "alice"));
  broker_.ready("r", 1, 1);
  hub_.end_of_turn();

  hub_.post(alice_, "hello", "m1");
  ASSERT_EQ(broker_.published.size(), 1u);
  EXPECT_EQ(broker_.published[0].room, "r");
  EXPECT_EQ(alice_.room->log->next_seq(), 1u) << "not in the ring before the broker gives it back";
  Event back = broker_.published[0].message;
  back.seq = 1;
  broker_.message("r", back);
  hub_.end_of_turn();
  EXPECT_EQ(alice_.room->log->next_seq(), 2u);
  EXPECT_NE(alice_.room->log->at(1)->lossless.find("\"body\":\"hello\""), std::string::npos);
}

TEST_F(BrokerSeamTest, TheBrokersVerdictReachesTheSender) {
  Session legacy;
  hub_.join(alice_, join_request("r", "alice"));
  hub_.join_live(legacy, "r", "lee");
  broker_.ready("r", 1, 1);
  hub_.end_of_turn();

  hub_.post(alice_, "again", "m7");
  broker_.result(broker_.published.back().ticket, "r", PublishStatus::duplicate, 5);
  hub_.end_of_turn();
  EXPECT_NE(replies(alice_).find("\"type\":\"ack\""), std::string::npos) << replies(alice_);
  EXPECT_NE(replies(alice_).find("\"id\":\"m7\""), std::string::npos);

  // An accepted message is acknowledged to its sender alone, naming the room
  // it went to even after the sender moved on.
  hub_.post(alice_, "first", "m6");
  const std::uint64_t accepted = broker_.published.back().ticket;
  hub_.join(bob_, join_request("r", "bob"));
  hub_.join(alice_, join_request("elsewhere", "alice"));
  broker_.result(accepted, "r", PublishStatus::accepted, 6);
  hub_.end_of_turn();
  EXPECT_NE(replies(alice_).find(R"({"type":"ack","room":"r","id":"m6","seq":6})"),
            std::string::npos)
      << replies(alice_);
  EXPECT_EQ(replies(bob_).find("\"type\":\"ack\""), std::string::npos) << replies(bob_);
  hub_.join(alice_, join_request("r", "alice"));
  hub_.end_of_turn();

  hub_.post(alice_, "lost", "m8");
  broker_.result(broker_.published.back().ticket, "r", PublishStatus::unavailable, 0);
  hub_.end_of_turn();
  EXPECT_NE(replies(alice_).find("\"code\":\"unavailable\""), std::string::npos);
  EXPECT_EQ(alice_.close_code, 0) << "a lossless client stays connected";

  hub_.post(legacy, "lost too");
  broker_.result(broker_.published.back().ticket, "r", PublishStatus::unavailable, 0);
  hub_.end_of_turn();
  EXPECT_EQ(legacy.close_code, Hub::kUnavailableCloseCode);

  // A sender that is gone is not looked for.
  hub_.post(alice_, "orphan", "m9");
  const std::uint64_t ticket = broker_.published.back().ticket;
  hub_.closed(alice_);
  broker_.result(ticket, "r", PublishStatus::unavailable, 0);
  hub_.end_of_turn();
  hub_.closed(legacy);
}

TEST_F(BrokerSeamTest, ANewEpochClosesLosslessReaders) {
  hub_.join(alice_, join_request("r", "alice"));
  broker_.ready("r", 1, 1);
  hub_.end_of_turn();
  broker_.ready("r", 2, 1);  // Redis lost the room, or rolled it back
  hub_.end_of_turn();
  EXPECT_EQ(alice_.close_code, Hub::kHistoryResetCloseCode);
}

// A gap the broker no longer holds, in the same epoch: the reader is told
// exactly what it missed and goes on from what is held.
TEST_F(BrokerSeamTest, AGapInTheSameEpochIsReportedAsMissed) {
  hub_.join(alice_, join_request("r", "alice"));
  broker_.ready("r", 5, 1, {message(1, "one"), message(2, "two")});
  hub_.end_of_turn();
  alice_.cursor = 3;  // it has read both
  alice_.replay_unstarted = false;
  alice_.buffers->replies.clear();
  alice_.buffers->replies_sent = 0;
  broker_.ready("r", 5, 8, {message(8, "eight")});
  hub_.end_of_turn();
  EXPECT_EQ(alice_.close_code, 0);
  EXPECT_NE(replies(alice_).find(R"("type":"missed")"), std::string::npos) << replies(alice_);
  EXPECT_NE(replies(alice_).find(R"("from":3,"to":7)"), std::string::npos) << replies(alice_);
  EXPECT_EQ(alice_.cursor, 8u);
  EXPECT_EQ(alice_.room->log->first_seq(), 8u);
}

TEST_F(BrokerSeamTest, PresenceOfOtherRelaysIsListed) {
  hub_.join(alice_, join_request("r", "alice"));
  broker_.ready("r", 1, 1);
  broker_.presence("r", "zed", true);
  hub_.end_of_turn();
  Room& room = *alice_.room;
  EXPECT_TRUE(room.presence.contains("zed"));
  // A local join cannot take a nick listed on another relay.
  hub_.join(bob_, join_request("r", "zed"));
  EXPECT_NE(bob_.nick, "zed");
  broker_.presence("r", "zed", false);
  hub_.end_of_turn();
  EXPECT_FALSE(room.presence.contains("zed"));
  hub_.leave(alice_);
  hub_.leave(bob_);
  EXPECT_EQ(broker_.closed, std::vector<std::string>{"r"});
  EXPECT_EQ(broker_.left.size(), 2u);
}

TEST(RedisUrl, Parses) {
  RedisAddress a;
  EXPECT_TRUE(parse_redis_url("redis://10.0.0.5:6380/2", a));
  EXPECT_EQ(a.host, "10.0.0.5");
  EXPECT_EQ(a.port, 6380);
  EXPECT_EQ(a.db, 2);
  EXPECT_TRUE(parse_redis_url("redis://localhost", a));
  EXPECT_EQ(a.port, 6379);
  EXPECT_EQ(a.db, 0);
  EXPECT_FALSE(parse_redis_url("http://x:1", a));
  EXPECT_FALSE(parse_redis_url("redis://x:0", a));
  EXPECT_FALSE(parse_redis_url("redis://x:1/-1", a));
  EXPECT_FALSE(parse_redis_url("redis://:1", a));
}

}  // namespace
}  // namespace hubchat::relay
