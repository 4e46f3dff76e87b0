// The broker seam (relay core, no sockets, no Redis): a remote broker's rooms
// answer joins only once ready; messages reach the ring only through
// on_message, in seq order; the broker's verdict on a send reaches the sender
// (duplicate -> ack, unavailable -> error or close); a new epoch closes the
// room's lossless readers so they rejoin and hear `missed`.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "relay/broker/broker.hpp"
#include "relay/hub/hub.hpp"
#include "relay/broker/redis_url.hpp"
#include "tests/unit/recording_driver.hpp"

namespace hubchat::relay {
namespace {

// A broker that answers nothing by itself: the test plays its part.
struct FakeRemoteBroker final : Broker {
  BrokerSink* sink = nullptr;
  std::vector<std::string> opened, closed;
  std::vector<Publication> published;
  std::vector<std::string> joined, left;

  void attach(BrokerSink& s) override { sink = &s; }
  void open_room(Room& room) override { opened.push_back(room.name); }
  void close_room(Room& room) override { closed.push_back(room.name); }
  void forget_room(Room&) override {}
  void publish(Room&, Publication publication) override {
    published.push_back(std::move(publication));
  }
  void member_joined(Room&, std::string_view nick) override { joined.emplace_back(nick); }
  void member_left(Room&, std::string_view nick) override { left.emplace_back(nick); }
  bool is_remote() const override { return true; }
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

  BrokerHistory history;
  history.epoch = 777;
  history.first_seq = 41;
  history.messages = {message(41, "old"), message(42, "newer")};
  broker_.sink->on_room_ready("r", history);
  EXPECT_FALSE(alice_.join_waiting());
  EXPECT_NE(replies(alice_).find("\"type\":\"welcome\""), std::string::npos);
  EXPECT_NE(replies(alice_).find("\"epoch\":777"), std::string::npos) << replies(alice_);
  EXPECT_EQ(alice_.room->log->first_seq(), 41u);
  EXPECT_EQ(alice_.room->log->next_seq(), 43u);
  EXPECT_EQ(alice_.cursor, 41u) << "no since: the whole cache is replayed";
}

TEST_F(BrokerSeamTest, MessagesEnterTheRingOnlyInSeqOrder) {
  hub_.join(alice_, join_request("r", "alice"));
  BrokerHistory history;
  history.epoch = 1;
  history.first_seq = 1;
  broker_.sink->on_room_ready("r", history);

  hub_.post(alice_, "hello", "m1");
  ASSERT_EQ(broker_.published.size(), 1u);
  EXPECT_EQ(alice_.room->log->next_seq(), 1u) << "not in the ring before the broker gives it back";
  Event back = broker_.published[0].message;
  back.seq = 1;
  broker_.sink->on_message("r", back, {});
  broker_.sink->on_message("r", back, {});               // a duplicate: ignored
  broker_.sink->on_message("r", message(3, "gap"), {});  // ahead of the ring: ignored
  EXPECT_EQ(alice_.room->log->next_seq(), 2u);
  EXPECT_NE(alice_.room->log->at(1)->lossless.find("\"body\":\"hello\""), std::string::npos);
}

TEST_F(BrokerSeamTest, TheBrokersVerdictReachesTheSender) {
  Session legacy;
  hub_.join(alice_, join_request("r", "alice"));
  hub_.join_live(legacy, "r", "lee");
  BrokerHistory history;
  history.epoch = 1;
  broker_.sink->on_room_ready("r", history);

  hub_.post(alice_, "again", "m7");
  broker_.sink->on_publish_result(broker_.published.back().ticket, PublishStatus::duplicate, 5);
  EXPECT_NE(replies(alice_).find("\"type\":\"ack\""), std::string::npos) << replies(alice_);
  EXPECT_NE(replies(alice_).find("\"id\":\"m7\""), std::string::npos);

  hub_.post(alice_, "lost", "m8");
  broker_.sink->on_publish_result(broker_.published.back().ticket, PublishStatus::unavailable, 0);
  EXPECT_NE(replies(alice_).find("\"code\":\"unavailable\""), std::string::npos);
  EXPECT_EQ(alice_.close_code, 0) << "a lossless client stays connected";

  hub_.post(legacy, "lost too");
  broker_.sink->on_publish_result(broker_.published.back().ticket, PublishStatus::unavailable, 0);
  EXPECT_EQ(legacy.close_code, Hub::kUnavailableCloseCode);

  // A sender that is gone is not looked for.
  hub_.post(alice_, "orphan", "m9");
  const std::uint64_t ticket = broker_.published.back().ticket;
  hub_.closed(alice_);
  broker_.sink->on_publish_result(ticket, PublishStatus::unavailable, 0);
  hub_.closed(legacy);
}

TEST_F(BrokerSeamTest, ANewEpochClosesLosslessReaders) {
  hub_.join(alice_, join_request("r", "alice"));
  BrokerHistory history;
  history.epoch = 1;
  broker_.sink->on_room_ready("r", history);
  history.epoch = 2;  // Redis lost the room
  broker_.sink->on_room_ready("r", history);
  EXPECT_EQ(alice_.close_code, Hub::kHistoryResetCloseCode);
}

TEST_F(BrokerSeamTest, PresenceOfOtherRelaysIsListed) {
  hub_.join(alice_, join_request("r", "alice"));
  BrokerHistory history;
  history.epoch = 1;
  broker_.sink->on_room_ready("r", history);
  broker_.sink->on_presence("r", "zed", true);
  Room& room = *alice_.room;
  EXPECT_TRUE(room.presence.contains("zed"));
  // A local join cannot take a nick listed on another relay.
  hub_.join(bob_, join_request("r", "zed"));
  EXPECT_NE(bob_.nick, "zed");
  broker_.sink->on_presence("r", "zed", false);
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
