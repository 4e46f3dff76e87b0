// Kick, mute and ban across relays sharing Redis (issue 16, acceptance 4):
// a ban issued on relay A closes the user's session on relay B and refuses
// its next join there; a relay started after the ban refuses it too (it
// reads the bans in force from Redis); a mute issued on A refuses posts on
// B; a kick issued on A closes the member connected to B.
#include <algorithm>

#include "moderation_actions_support.hpp"
#include "redis_relays_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_keys.hpp"

namespace hubchat::test {
namespace {

using relay::Role;

class ModerationActionsRedisTest : public RedisRelaysTest {
 protected:
  ModerationActionsRedisTest() : peers_{make_secret()} {}

  RelayProcess* start_moderated_relay() {
    return start_relay({"--auth-key", files_.write("secret", peers_.secret)});
  }
  // A and B on the test's Redis, with a moderator on A.
  void start_two() {
    ASSERT_TRUE(start_redis());
    a_ = start_moderated_relay();
    b_ = start_moderated_relay();
    ASSERT_TRUE(a_ && b_);
    ASSERT_TRUE(peers_.join(mod_, a_->port(), "lobby", "mod", Role::moderator));
  }
  // Waits until `client` sees `nick` among the room's members (joined on another relay).
  static bool sees(LosslessClient& client, const std::string& nick) {
    for (const Event& e : client.history()) {
      if (e.type == EventType::welcome &&
          std::find(e.members.begin(), e.members.end(), nick) != e.members.end())
        return true;
      if (e.type == EventType::join && e.nick == nick) return true;
    }
    return client
        .wait_for([&](const Event& e) { return e.type == EventType::join && e.nick == nick; },
                  deadline_in(std::chrono::seconds(10)))
        .has_value();
  }

  TempDir files_{"modactions"};
  ModerationPeers peers_;
  RelayProcess* a_ = nullptr;
  RelayProcess* b_ = nullptr;
  LosslessClient mod_;
};

TEST_F(ModerationActionsRedisTest, ABanOnRelayAHoldsOnRelayBAndOnARelayStartedLater) {
  start_two();
  LosslessClient alice;
  ASSERT_TRUE(peers_.join(alice, b_->port(), "lobby", "alice", Role::member));
  ASSERT_TRUE(send_action(mod_, EventType::ban, "", 600, "id-alice"));
  EXPECT_EQ(closed_with(alice), 4405) << alice.end().describe();
  EXPECT_EQ(alice.end().close_reason, "banned by mod");
  // Stored under the prefix, hex of the uid, with the ban's time to live.
  const std::string key = "test:mod:ban:uid:" + std::string("69642d616c696365");  // "id-alice"
  EXPECT_EQ(redis_->command({"GET", key}), "mod");
  const long long ttl_ms = std::stoll("0" + redis_->command({"PTTL", key}));
  EXPECT_GT(ttl_ms, 590000);
  EXPECT_LE(ttl_ms, 600000);

  LosslessClient again;
  ASSERT_TRUE(peers_.send_join(again, b_->port(), "other", "alice", Role::member));
  EXPECT_TRUE(error_coded(again, "banned")) << describe(again.history());

  // A relay that starts now reads the bans in force from Redis before any
  // room: the join is refused, or (when it came in before that read was
  // back) closed 4405 before its welcome.
  RelayProcess* later = start_moderated_relay();
  ASSERT_TRUE(later);
  LosslessClient on_later;
  ASSERT_TRUE(peers_.send_join(on_later, later->port(), "lobby", "alice", Role::member));
  auto refused = error_coded(on_later, "banned");
  if (refused)
    EXPECT_NE(refused->message.find("more seconds"), std::string::npos) << refused->message;
  else
    EXPECT_EQ(on_later.end().close_code, 4405) << on_later.end().describe();
  for (const Event& e : on_later.history()) EXPECT_NE(e.type, EventType::welcome);
  // ... and only that user.
  LosslessClient bob;
  EXPECT_TRUE(peers_.join(bob, later->port(), "lobby", "bob", Role::member));
}

TEST_F(ModerationActionsRedisTest, AMuteOnRelayARefusesPostsOnRelayB) {
  start_two();
  LosslessClient bob, carol;
  ASSERT_TRUE(peers_.join(bob, b_->port(), "lobby", "bob", Role::member));
  ASSERT_TRUE(peers_.join(carol, b_->port(), "lobby", "carol", Role::member));
  ASSERT_TRUE(send_action(mod_, EventType::mute, "", 600, "id-bob"));
  ASSERT_TRUE(error_coded(bob, "muted")) << describe(bob.history());
  ASSERT_TRUE(bob.send_msg("from a muted user"));
  EXPECT_TRUE(error_coded(bob, "muted")) << describe(bob.history());
  // Carol's post is delivered on both relays (and bob still reads); bob's never.
  ASSERT_TRUE(carol.send_msg("carol speaks"));
  for (LosslessClient* reader : {&mod_, &bob})
    EXPECT_TRUE(reader->wait_for(
        [](const Event& e) { return e.type == EventType::msg && e.body == "carol speaks"; },
        deadline_in(std::chrono::seconds(10))))
        << describe(reader->history());
  for (const Event& e : mod_.history()) EXPECT_NE(e.body, "from a muted user");
}

TEST_F(ModerationActionsRedisTest, AKickOnRelayAClosesTheMemberOnRelayB) {
  start_two();
  LosslessClient dave;
  ASSERT_TRUE(peers_.join(dave, b_->port(), "lobby", "dave", Role::member));
  ASSERT_TRUE(sees(mod_, "dave")) << describe(mod_.history());
  ASSERT_TRUE(send_action(mod_, EventType::kick, "dave"));
  EXPECT_EQ(closed_with(dave), 4404) << dave.end().describe();
  EXPECT_EQ(dave.end().close_reason, "kicked by mod");
  // Banning a nick connected to another relay needs its uid or address.
  LosslessClient erin;
  ASSERT_TRUE(peers_.join(erin, b_->port(), "lobby", "erin", Role::member));
  ASSERT_TRUE(sees(mod_, "erin"));
  ASSERT_TRUE(send_action(mod_, EventType::ban, "erin", 60));
  EXPECT_TRUE(error_coded(mod_, "not_found")) << describe(mod_.history());
}

}  // namespace
}  // namespace hubchat::test
