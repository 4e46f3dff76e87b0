// Sharding rooms over several brokers: the jump hash spreads room names
// evenly, and growing from N to N+1 shards moves only the rooms that land on
// the new shard (about 1/(N+1) of them); ShardedBroker sends every call about
// a room to that room's shard alone and merges the shards' news, keeping each
// shard's order.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <string>
#include <vector>

#include "relay/broker/jump_hash.hpp"
#include "relay/broker/sharded_broker.hpp"

namespace hubchat::relay {
namespace {

std::vector<std::string> room_names(std::size_t count) {
  std::vector<std::string> rooms;
  rooms.reserve(count);
  for (std::size_t i = 0; i < count; ++i) rooms.push_back("room-" + std::to_string(i));
  return rooms;
}

TEST(JumpHash, Fnv1aMatchesThePublishedVectors) {
  // From the FNV reference test suite (64-bit FNV-1a).
  EXPECT_EQ(fnv1a64(""), 0xcbf29ce484222325ULL);
  EXPECT_EQ(fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(fnv1a64("foobar"), 0x85944171f73967e8ULL);
}

TEST(JumpHash, OneBucketTakesEverything) {
  for (const std::string& room : room_names(1000)) EXPECT_EQ(shard_of(room, 1), 0u);
}

TEST(JumpHash, SpreadsRoomsEvenly) {
  const auto rooms = room_names(100000);
  for (std::uint32_t shards : {2u, 3u, 4u, 7u, 10u}) {
    std::vector<std::size_t> per_shard(shards, 0);
    for (const std::string& room : rooms) {
      const std::uint32_t s = shard_of(room, shards);
      ASSERT_LT(s, shards);
      ++per_shard[s];
    }
    // 100,000 rooms: a fair shard is within a few hundred of the mean
    // (binomial sd < 160); 5 % is a wide margin that a skewed hash misses.
    const double mean = static_cast<double>(rooms.size()) / shards;
    for (std::uint32_t s = 0; s < shards; ++s)
      EXPECT_NEAR(static_cast<double>(per_shard[s]), mean, 0.05 * mean)
          << shards << " shards, shard " << s;
  }
}

TEST(JumpHash, GrowingByOneShardMovesAboutOneInNPlusOne) {
  const auto rooms = room_names(100000);
  for (std::uint32_t n = 1; n <= 8; ++n) {
    std::size_t moved = 0;
    for (const std::string& room : rooms) {
      const std::uint32_t before = shard_of(room, n);
      const std::uint32_t after = shard_of(room, n + 1);
      if (before == after) continue;
      ++moved;
      // A room that moves goes to the new shard: nothing moves between the old ones.
      EXPECT_EQ(after, n) << room << " moved from " << before << " to " << after;
    }
    const double fraction = static_cast<double>(moved) / rooms.size();
    EXPECT_NEAR(fraction, 1.0 / (n + 1), 0.01) << n << " -> " << n + 1 << " shards";
  }
}

TEST(JumpHash, SameAnswerEveryTime) {
  // Every relay must compute the same shard for a room: no state, no seed.
  for (const std::string& room : room_names(1000))
    EXPECT_EQ(shard_of(room, 5), jump_hash(fnv1a64(room), 5));
  EXPECT_EQ(shard_of("lobby", 3), shard_of(std::string("lob") + "by", 3));
}

// A broker that records what it is asked and reports what the test queues.
struct RecordingBroker final : Broker {
  std::vector<std::string> calls;  // "open room", "publish room", ...
  std::vector<BrokerNews> pending;

  std::optional<StreamStart> open_room(std::string_view room, std::uint64_t, Seq) override {
    calls.push_back("open " + std::string(room));
    return StreamStart{7, 1};
  }
  void close_room(std::string_view room) override { calls.push_back("close " + std::string(room)); }
  void forget_room(std::string_view room) override {
    calls.push_back("forget " + std::string(room));
  }
  void publish(Publication p) override { calls.push_back("publish " + p.room); }
  void moderate(ModerationAction a) override { calls.push_back("moderate " + a.by); }
  void member_joined(std::string_view room, std::string_view nick) override {
    calls.push_back("joined " + std::string(room) + " " + std::string(nick));
  }
  void member_left(std::string_view room, std::string_view nick) override {
    calls.push_back("left " + std::string(room) + " " + std::string(nick));
  }
  void take_news(std::vector<BrokerNews>& news) override {
    news.clear();
    news.swap(pending);
  }
  void queue(const std::string& room, std::uint64_t ticket) {
    BrokerNews n;
    n.kind = BrokerNews::Kind::publish_result;
    n.room = room;
    n.ticket = ticket;
    pending.push_back(std::move(n));
  }
};

struct Shards {
  std::vector<RecordingBroker*> brokers;
  std::unique_ptr<ShardedBroker> sharded;
  explicit Shards(std::size_t count) {
    std::vector<std::unique_ptr<Broker>> owned;
    for (std::size_t i = 0; i < count; ++i) {
      auto broker = std::make_unique<RecordingBroker>();
      brokers.push_back(broker.get());
      owned.push_back(std::move(broker));
    }
    sharded = std::make_unique<ShardedBroker>(std::move(owned));
  }
};

TEST(ShardedBroker, EveryCallAboutARoomGoesToItsShardOnly) {
  Shards shards(3);
  const auto rooms = room_names(30);
  for (const std::string& room : rooms) {
    auto start = shards.sharded->open_room(room, 0, 0);
    ASSERT_TRUE(start);
    EXPECT_EQ(start->epoch, 7u);  // the shard's own answer, passed through
    shards.sharded->member_joined(room, "ann");
    Publication p;
    p.room = room;
    shards.sharded->publish(std::move(p));
    shards.sharded->member_left(room, "ann");
    shards.sharded->close_room(room);
    shards.sharded->forget_room(room);
  }
  std::vector<std::size_t> rooms_per_shard(3, 0);
  for (std::size_t s = 0; s < 3; ++s) {
    std::vector<std::string> expected;
    for (const std::string& room : rooms) {
      if (shard_of(room, 3) != s) continue;
      ++rooms_per_shard[s];
      for (std::string call : {"open " + room, "joined " + room + " ann", "publish " + room,
                               "left " + room + " ann", "close " + room, "forget " + room})
        expected.push_back(std::move(call));
    }
    EXPECT_EQ(shards.brokers[s]->calls, expected) << "shard " << s;
  }
  for (std::size_t s = 0; s < 3; ++s) EXPECT_GT(rooms_per_shard[s], 0u) << "shard " << s;
}

TEST(ShardedBroker, TakeNewsMergesEveryShardKeepingEachOrder) {
  Shards shards(3);
  shards.brokers[0]->queue("a", 1);
  shards.brokers[0]->queue("a", 2);
  shards.brokers[2]->queue("c", 3);
  shards.brokers[1]->queue("b", 4);
  shards.brokers[2]->queue("c", 5);
  std::vector<BrokerNews> news;
  news.emplace_back();  // stale content: take_news replaces it
  shards.sharded->take_news(news);
  std::vector<std::uint64_t> tickets;
  for (const BrokerNews& n : news) tickets.push_back(n.ticket);
  EXPECT_EQ(tickets, (std::vector<std::uint64_t>{1, 2, 4, 3, 5}));
  shards.sharded->take_news(news);
  EXPECT_TRUE(news.empty()) << "news is taken once";
  shards.brokers[1]->queue("b", 6);
  shards.sharded->take_news(news);
  ASSERT_EQ(news.size(), 1u);
  EXPECT_EQ(news[0].ticket, 6u);
}

}  // namespace
}  // namespace hubchat::relay
