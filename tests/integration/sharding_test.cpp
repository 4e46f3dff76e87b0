// Rooms sharded over several Redis servers (--redis given 3 times): 3
// redis-servers of the test's own, 2 real relays. Each room's keys live on
// the one server the jump hash of its name picks, and both relays pick the
// same one (their clients see each other); a stopped shard makes only its
// rooms unavailable (lossless: error `unavailable`, legacy: close 1013), and
// they work again once it is back. Every wait is a condition with a deadline.
#include <fstream>
#include <set>

#include "relay/broker/jump_hash.hpp"
#include "tests/integration/relay_test_fixture.hpp"
#include "tests/support/events.hpp"

namespace hubchat::test {
namespace {

constexpr std::uint32_t kShards = 3;

class ShardingTest : public ::testing::Test {
 protected:
  // `args`: for every redis-server (e.g. persistence, to restart one).
  // Relay 0 names the servers by flags, relay 1 by a list in its config
  // file: both ways must give the same order.
  void start_cluster(const std::vector<std::string>& args = {}) {
    std::vector<std::string> flags{"--redis-prefix", "test:", "--rate-limit", "0"};
    std::string list;
    for (std::uint32_t s = 0; s < kShards; ++s) {
      redis_.push_back(std::make_unique<RedisProcess>(args));
      ASSERT_TRUE(redis_.back()->start()) << redis_.back()->error();
      flags.insert(flags.end(), {"--redis", redis_.back()->url()});
      list += (s ? ", \"" : "\"") + redis_.back()->url() + "\"";
    }
    config_ = redis_[0]->dir() + "/relay.conf";
    std::ofstream(config_) << "redis = [" << list << "]\nredis-prefix = \"test:\"\n"
                           << "rate-limit = 0\n";
    relays_.push_back(std::make_unique<RelayProcess>(flags));
    relays_.push_back(
        std::make_unique<RelayProcess>(std::vector<std::string>{"--config", config_}));
    for (const auto& relay : relays_) ASSERT_TRUE(relay->start()) << relay->error();
  }
  void TearDown() override {
    if (HasFailure()) print_relay_logs(relays_);
  }
  std::uint16_t port(int relay) const { return relays_[relay]->port(); }

  std::vector<std::unique_ptr<RedisProcess>> redis_;
  std::vector<std::unique_ptr<RelayProcess>> relays_;
  std::string config_;  // in a redis-server's temp dir: removed with it
};

// `per_shard` room names for each shard, by the relay's own rule.
std::vector<std::vector<std::string>> rooms_by_shard(std::size_t per_shard) {
  std::vector<std::vector<std::string>> rooms(kShards);
  for (int i = 0;; ++i) {
    const std::string room = "room-" + std::to_string(i);
    auto& mine = rooms[relay::shard_of(room, kShards)];
    if (mine.size() < per_shard) mine.push_back(room);
    bool full = true;
    for (const auto& r : rooms) full = full && r.size() == per_shard;
    if (full) return rooms;
  }
}

// The hash tag of a room's keys (hex of the name, as docs/redis.md says).
std::string key_tag(const std::string& room) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string tag = "{";
  for (unsigned char c : room) tag += {kDigits[c >> 4], kDigits[c & 15]};
  return tag + "}";
}

// Waits until `client` has its own copy of `body` back (accepted) or an
// `unavailable` error; returns which ("accepted", "unavailable", "" on
// deadline or a closed connection).
std::string verdict(LosslessClient& client, const std::string& body, Deadline deadline) {
  auto e = client.wait_for(
      [&](const Event& ev) {
        return (ev.type == EventType::msg && ev.body == body) ||
               (ev.type == EventType::error && ev.code == "unavailable");
      },
      deadline);
  if (!e) return "";
  return e->type == EventType::msg ? "accepted" : "unavailable";
}

TEST_F(ShardingTest, RoomsLandOnEveryShardAndBothRelaysAgree) {
  ASSERT_NO_FATAL_FAILURE(start_cluster());
  const auto rooms = rooms_by_shard(2);
  for (std::uint32_t s = 0; s < kShards; ++s)
    for (const std::string& room : rooms[s]) {
      // A message posted on one relay reaches the other: both route the
      // room to the same server.
      LosslessClient a, b;
      ASSERT_TRUE(a.connect_and_join(port(0), room, "ann", deadline_in(10s))) << room;
      ASSERT_TRUE(b.connect_and_join(port(1), room, "ben", deadline_in(10s))) << room;
      ASSERT_TRUE(a.send_event(msg_event("from a in " + room, "a1")));
      ASSERT_TRUE(b.wait_for([&](const Event& e) { return e.body == "from a in " + room; },
                             deadline_in(10s)))
          << room << ": " << describe(b.history());
      ASSERT_TRUE(b.send_event(msg_event("from b in " + room, "b1")));
      ASSERT_TRUE(a.wait_for([&](const Event& e) { return e.body == "from b in " + room; },
                             deadline_in(10s)))
          << room << ": " << describe(a.history());
    }
  // Each room's keys are on its shard's server and on no other; every
  // server holds rooms.
  for (std::uint32_t server = 0; server < kShards; ++server) {
    const std::string keys = redis_[server]->command({"KEYS", "test:*"});
    std::size_t rooms_here = 0;
    for (std::uint32_t s = 0; s < kShards; ++s)
      for (const std::string& room : rooms[s]) {
        const bool here = keys.find(key_tag(room)) != std::string::npos;
        EXPECT_EQ(here, s == server) << room << " on server " << server << ":\n" << keys;
        rooms_here += here;
      }
    EXPECT_EQ(rooms_here, rooms[server].size()) << "server " << server;
  }
}

TEST_F(ShardingTest, AStoppedShardMakesOnlyItsRoomsUnavailableUntilItReturns) {
  // Persistent servers: the stopped one comes back with its rooms intact.
  ASSERT_NO_FATAL_FAILURE(start_cluster({"--appendonly", "yes", "--appendfsync", "always"}));
  const auto rooms = rooms_by_shard(1);
  constexpr std::uint32_t kDown = 1;
  std::vector<std::unique_ptr<LosslessClient>> senders, readers;
  std::vector<std::unique_ptr<LegacyClient>> legacy;
  for (std::uint32_t s = 0; s < kShards; ++s) {
    const std::string& room = rooms[s][0];
    senders.push_back(std::make_unique<LosslessClient>());
    readers.push_back(std::make_unique<LosslessClient>());
    legacy.push_back(std::make_unique<LegacyClient>());
    ASSERT_TRUE(senders[s]->connect_and_join(port(0), room, "ann", deadline_in(10s)));
    ASSERT_TRUE(readers[s]->connect_and_join(port(1), room, "ben", deadline_in(10s)));
    ASSERT_TRUE(legacy[s]->connect(port(0), room, "leo").upgraded());
    ASSERT_TRUE(senders[s]->send_event(msg_event("before", "m0")));
    ASSERT_EQ(verdict(*senders[s], "before", deadline_in(10s)), "accepted") << room;
  }

  redis_[kDown]->kill_now();
  // The stopped shard's room: the send is refused (not lost silently), the
  // connection stays up; its legacy client (no error event) is closed 1013.
  ASSERT_TRUE(senders[kDown]->send_event(msg_event("during", "m1")));
  EXPECT_EQ(verdict(*senders[kDown], "during", deadline_in(10s)), "unavailable")
      << describe(senders[kDown]->history());
  ASSERT_TRUE(legacy[kDown]->send("legacy during"));
  const Received closed = legacy[kDown]->ws().wait_closed(deadline_in(10s));
  EXPECT_EQ(closed.close_code, 1013) << closed.describe();
  // The other shards' rooms carry on, both dialects, across relays.
  for (std::uint32_t s = 0; s < kShards; ++s) {
    if (s == kDown) continue;
    ASSERT_TRUE(senders[s]->send_event(msg_event("during", "m1")));
    EXPECT_EQ(verdict(*senders[s], "during", deadline_in(10s)), "accepted") << rooms[s][0];
    ASSERT_TRUE(legacy[s]->send("legacy during"));
    EXPECT_TRUE(readers[s]->wait_for([](const Event& e) { return e.body == "legacy during"; },
                                     deadline_in(10s)))
        << describe(readers[s]->history());
    EXPECT_TRUE(legacy[s]->wait_for("legacy during", deadline_in(10s)))
        << "a live shard's legacy client stays connected: " << legacy[s]->end().describe();
  }

  // Back: the room works again once the relays have reconnected (each try
  // waits for its verdict; unavailable until then).
  ASSERT_TRUE(redis_[kDown]->start()) << redis_[kDown]->error();
  std::string outcome;
  const Deadline back_by = deadline_in(30s);
  for (int attempt = 0; outcome != "accepted" && Clock::now() < back_by; ++attempt) {
    const std::string body = "after " + std::to_string(attempt);
    ASSERT_TRUE(senders[kDown]->send_event(msg_event(body, "a" + std::to_string(attempt))));
    outcome = verdict(*senders[kDown], body, back_by);
    ASSERT_NE(outcome, "") << describe(senders[kDown]->history());
  }
  ASSERT_EQ(outcome, "accepted");
  // The reader on the other relay gets it, its stream whole (no gap).
  ASSERT_TRUE(readers[kDown]->collect_until(
      [&](const auto&) {
        const auto m = readers[kDown]->msgs();
        return !m.empty() && m.back().body.rfind("after ", 0) == 0;
      },
      deadline_in(15s)))
      << describe(readers[kDown]->history());
  EXPECT_EQ(check_contiguous(readers[kDown]->msgs()), "");
  std::set<std::string> bodies;
  for (const Event& e : readers[kDown]->msgs()) bodies.insert(e.body);
  EXPECT_EQ(bodies.count("during"), 0u) << "a refused message is not posted";
}

}  // namespace
}  // namespace hubchat::test
