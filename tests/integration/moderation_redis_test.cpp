// Moderation across relays sharing Redis (issue 16, acceptance 4): a message
// posted on relay A and deleted by a moderator on relay B is a tombstone
// everywhere: A's members are told, the Stream no longer holds its body (the
// tomb hash keeps who wrote and who deleted it), and a relay started later
// replays the tombstone from Redis in the message's place.
#include <chrono>
#include <filesystem>
#include <fstream>

#include "relay/auth/token_minter.hpp"
#include "relay_test_fixture.hpp"
#include "tests/support/test_keys.hpp"

namespace hubchat::test {
namespace {

class ModerationRedisTest : public ::testing::Test {
 protected:
  ModerationRedisTest() {
    char pattern[] = "/tmp/hubchat-modredis-XXXXXX";
    dir_ = mkdtemp(pattern) ? pattern : "";
    secret_ = make_secret();
    std::ofstream(dir_ + "/secret") << secret_;
  }
  ~ModerationRedisTest() override { std::filesystem::remove_all(dir_); }

  RelayProcess* start_relay() {
    relays_.push_back(std::make_unique<RelayProcess>(std::vector<std::string>{
        "--redis", redis_.url(), "--redis-prefix", "test:", "--auth-key", dir_ + "/secret"}));
    if (!relays_.back()->start()) {
      ADD_FAILURE() << relays_.back()->error();
      return nullptr;
    }
    return relays_.back().get();
  }
  void TearDown() override {
    if (!HasFailure()) return;
    for (const auto& relay : relays_) std::cerr << "---- relay ----\n" << relay->stderr_text();
  }

  bool join(LosslessClient& client, std::uint16_t port, const std::string& name,
            std::optional<relay::Role> role) {
    if (!client.connect(port).upgraded()) return false;
    Event join;
    join.type = EventType::join;
    join.room = "lobby";
    join.nick = name;
    if (role) {
      std::string error;
      auto key = relay::parse_auth_key(secret_, relay::KeyUse::sign, error);
      relay::TokenClaims claims;
      claims.sub = "id-" + name;
      claims.name = name;
      claims.role = *role;
      using namespace std::chrono;
      claims.issued_at = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
      claims.expires_at = claims.issued_at + 3600;
      auto token = key ? relay::mint_token(*key, claims, error) : std::nullopt;
      if (!token) return false;
      join.token = *token;
    }
    return client.send_event(join) &&
           client.wait_for([](const Event& e) { return e.type == EventType::welcome; },
                           deadline_in(5s));
  }

  std::string dir_;
  std::string secret_;
  RedisProcess redis_;
  std::vector<std::unique_ptr<RelayProcess>> relays_;
};

TEST_F(ModerationRedisTest, ADeletedMessageIsATombstoneOnEveryRelayAndInTheStream) {
  ASSERT_TRUE(redis_.start()) << redis_.error();
  RelayProcess* a = start_relay();
  RelayProcess* b = start_relay();
  ASSERT_TRUE(a && b);
  LosslessClient alice, mod;
  ASSERT_TRUE(join(alice, a->port(), "alice", relay::Role::member));
  ASSERT_TRUE(join(mod, b->port(), "mod", relay::Role::moderator));
  ASSERT_TRUE(alice.send_msg("leaked secret"));
  ASSERT_TRUE(alice.send_msg("kept"));
  auto seen = mod.wait_for(
      [](const Event& e) { return e.type == EventType::msg && e.body == "leaked secret"; },
      deadline_in(5s));
  ASSERT_TRUE(seen) << describe(mod.history());
  EXPECT_EQ(seen->uid, "id-alice");  // the uid came through Redis
  ASSERT_TRUE(
      mod.wait_for([](const Event& e) { return e.type == EventType::msg && e.body == "kept"; },
                   deadline_in(5s)));

  Event request;
  request.type = EventType::delete_msg;
  request.seq = seen->seq;
  ASSERT_TRUE(mod.send_event(request));
  auto told = alice.wait_for(
      [&](const Event& e) { return e.type == EventType::deleted && e.seq == seen->seq; },
      deadline_in(5s));
  ASSERT_TRUE(told) << describe(alice.history());
  EXPECT_EQ(told->by, "mod");

  // The Stream holds no body of it any more; the tomb hash says who deleted it.
  const std::string hex_lobby = "6c6f626279";
  const std::string stream = redis_.command({"XRANGE", "test:{" + hex_lobby + "}:log", "-", "+"});
  EXPECT_EQ(stream.find("leaked secret"), std::string::npos) << stream;
  EXPECT_NE(stream.find("kept"), std::string::npos) << stream;
  const std::string tomb = redis_.command({"HGETALL", "test:{" + hex_lobby + "}:tomb"});
  EXPECT_NE(tomb.find("mod"), std::string::npos) << tomb;

  // A relay that never saw the room reads it from Redis: the tombstone in its place.
  RelayProcess* c = start_relay();
  ASSERT_TRUE(c);
  LosslessClient late;
  ASSERT_TRUE(join(late, c->port(), "late", std::nullopt));
  ASSERT_TRUE(late.collect_until([&](const std::vector<Event>&) { return late.msg_count() >= 2; },
                                 deadline_in(5s)))
      << describe(late.history());
  const std::vector<Event> replay = late.msgs("lobby");
  ASSERT_EQ(replay.size(), 2u) << describe(late.history());
  EXPECT_EQ(replay[0].seq, seen->seq);
  EXPECT_TRUE(replay[0].deleted);
  EXPECT_EQ(replay[0].body, "");
  EXPECT_EQ(replay[0].by, "mod");
  EXPECT_EQ(replay[0].uid, "id-alice");
  EXPECT_EQ(replay[1].body, "kept");
  EXPECT_EQ(check_contiguous(late.history()), "");
}

}  // namespace
}  // namespace hubchat::test
