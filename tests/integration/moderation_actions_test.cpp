// Kick, mute and ban against the real relay (issue 16, in memory; the same
// tests run on Redis in redis_broker_suite): who may ask, what the target
// sees (close 4404 / 4405, `muted`, `banned`), the limits of `seconds`,
// expiry, legacy clients, and the operator API's /api/kick|mute|ban.
// Targets that are banned or muted by address connect from 127.0.0.7/.8, so
// the moderator on 127.0.0.1 is not one of them.
#include <chrono>
#include <thread>

#include "moderation_actions_support.hpp"
#include "relay_test_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_keys.hpp"

namespace hubchat::test {
namespace {

using relay::Role;
constexpr const char* kApiKey = "moderation-actions-api-key-0123456789";
constexpr std::uint64_t kYear = 31536000;

class ModerationActionsTest : public RelayTest {
 protected:
  void start() {
    peers_.secret = make_secret();
    ASSERT_TRUE(start_relay({"--auth-key", files_.write("secret", peers_.secret), "--api-key-file",
                             files_.write("api-key", std::string(kApiKey) + "\n")}));
  }
  // `first` as `name` (`role`), then bob (a member) and the guest gary from
  // 127.0.0.7, all in the lobby.
  bool join_with_bob_and_gary(LosslessClient& first, const std::string& name, Role role,
                              LosslessClient& bob, LosslessClient& gary) {
    return join(first, name, role) && join(bob, "bob", Role::member) &&
           join(gary, "gary", std::nullopt, "127.0.0.7");
  }
  // The relay logged a line holding `text`.
  void expect_logged(const std::string& text) {
    const std::string log = relay().stderr_text();
    EXPECT_NE(log.find(text), std::string::npos) << "not logged: " << text << "\n" << log;
  }
  bool join(LosslessClient& client, const std::string& name, std::optional<Role> role,
            const std::string& source = {}) {
    return peers_.join(client, port(), "lobby", name, role, source);
  }
  HttpResponse api(const std::string& path, const std::string& body, bool with_key = true) {
    HttpRequest request;
    request.method = "POST";
    request.path = path;
    if (with_key) request.headers.emplace_back("Authorization", std::string("Bearer ") + kApiKey);
    return http_send(port(), request, body);
  }
  static std::optional<Event> msg(LosslessClient& client, const std::string& body) {
    return client.wait_for(
        [&](const Event& e) { return e.type == EventType::msg && e.body == body; },
        deadline_in(5s));
  }

  TempDir files_{"modactions"};
  ModerationPeers peers_;
};

TEST_F(ModerationActionsTest, KickClosesTheMemberWith4404AndTheRoomSeesItLeave) {
  start();
  LosslessClient mod, alice, bob, guest;
  ASSERT_TRUE(join(mod, "mod", Role::moderator));
  ASSERT_TRUE(join(alice, "alice", Role::member));
  ASSERT_TRUE(join(bob, "bob", Role::member));
  ASSERT_TRUE(join(guest, "gus", std::nullopt));

  // Only a moderator or an admin may; an unknown nick is not_found.
  ASSERT_TRUE(send_action(bob, EventType::kick, "alice"));
  EXPECT_TRUE(error_coded(bob, "forbidden")) << describe(bob.history());
  ASSERT_TRUE(send_action(guest, EventType::kick, "alice"));
  EXPECT_TRUE(error_coded(guest, "forbidden")) << describe(guest.history());
  ASSERT_TRUE(send_action(mod, EventType::kick, "nobody"));
  EXPECT_TRUE(error_coded(mod, "not_found")) << describe(mod.history());

  ASSERT_TRUE(send_action(mod, EventType::kick, "alice"));
  EXPECT_EQ(closed_with(alice), 4404) << alice.end().describe();
  EXPECT_EQ(alice.end().close_reason, "kicked by mod");
  EXPECT_TRUE(
      bob.wait_for([](const Event& e) { return e.type == EventType::leave && e.nick == "alice"; },
                   deadline_in(5s)))
      << describe(bob.history());
  // Bob's attempt kicked nobody: he is still here and can post.
  ASSERT_TRUE(bob.send_msg("still here"));
  EXPECT_TRUE(msg(mod, "still here"));

  // A kick is not a ban: alice comes back.
  LosslessClient again;
  ASSERT_TRUE(join(again, "alice", Role::member)) << describe(again.history());
  expect_logged("moderation: kick by 'mod' in 'lobby': nick 'alice'");
}

TEST_F(ModerationActionsTest, AMutedGuestReadsButItsPostsAreRefusedUntilTheMuteExpires) {
  start();
  LosslessClient mod, bob, gary;
  ASSERT_TRUE(join_with_bob_and_gary(mod, "mod", Role::admin, bob, gary));

  ASSERT_TRUE(send_action(mod, EventType::mute, "gary", 2));
  // Told at once, so its UI can show it.
  auto told = error_coded(gary, "muted");
  ASSERT_TRUE(told) << describe(gary.history());
  const auto muted_at = Clock::now();
  EXPECT_NE(told->message.find("muted by mod"), std::string::npos) << told->message;

  ASSERT_TRUE(gary.send_msg("let me speak"));
  auto refused = error_coded(gary, "muted");
  ASSERT_TRUE(refused) << describe(gary.history());
  EXPECT_NE(refused->message.find("more second"), std::string::npos) << refused->message;
  // Others still post, and gary still reads.
  ASSERT_TRUE(bob.send_msg("bob speaks"));
  EXPECT_TRUE(msg(gary, "bob speaks")) << describe(gary.history());
  EXPECT_TRUE(msg(mod, "bob speaks"));
  for (const Event& e : mod.history()) EXPECT_NE(e.body, "let me speak");

  // Once the 2 s are over, gary's posts go through again.
  std::this_thread::sleep_until(muted_at + 2s);
  const Deadline deadline = deadline_in(5s);
  bool posted = false;
  for (int attempt = 0; !posted && Clock::now() < deadline; ++attempt) {
    const std::string body = "back " + std::to_string(attempt);
    ASSERT_TRUE(gary.send_msg(body));
    auto answer = gary.wait_for(
        [&](const Event& e) {
          return (e.type == EventType::msg && e.body == body) ||
                 (e.type == EventType::error && e.code == "muted");
        },
        deadline);
    ASSERT_TRUE(answer) << describe(gary.history());
    posted = answer->type == EventType::msg;
    // Still muted (the relay's clock may start the 2 s a little later than
    // ours): try again shortly, within the request budget.
    if (!posted) std::this_thread::sleep_for(200ms);
  }
  EXPECT_TRUE(posted) << describe(gary.history());
}

TEST_F(ModerationActionsTest, AMutedLegacyClientsLinesAreDroppedAndLogged) {
  start();
  LosslessClient mod, neighbour;
  ASSERT_TRUE(join(mod, "mod", Role::moderator));
  // A lossless guest from the same address is told when the mute is in force.
  ASSERT_TRUE(join(neighbour, "nina", std::nullopt, "127.0.0.8"));
  LegacyClient old;
  ASSERT_TRUE(legacy_connect_from(old, port(), "lobby", "oldie", "", "127.0.0.8"));
  ASSERT_TRUE(
      mod.wait_for([](const Event& e) { return e.type == EventType::join && e.nick == "oldie"; },
                   deadline_in(5s)));
  ASSERT_TRUE(send_action(mod, EventType::mute, "", 60, "", "127.0.0.8"));
  ASSERT_TRUE(error_coded(neighbour, "muted")) << describe(neighbour.history());
  ASSERT_TRUE(old.send("dropped line"));
  // The marker comes after the dropped line: once it is here, the line would be too.
  ASSERT_TRUE(mod.send_msg("marker"));
  ASSERT_TRUE(old.wait_for("marker", deadline_in(5s)));
  for (const std::string& body : old.history()) EXPECT_NE(body, "dropped line");
  for (const Event& e : mod.history()) EXPECT_NE(e.body, "dropped line");
  expect_logged("moderation: muted line dropped by 'oldie'");
}

TEST_F(ModerationActionsTest, ABanByUidClosesTheUserAndRefusesItsJoins) {
  start();
  LosslessClient mod, alice, bystander;
  ASSERT_TRUE(join(mod, "mod", Role::moderator));
  ASSERT_TRUE(join(alice, "alice", Role::member));
  ASSERT_TRUE(join(bystander, "bob", Role::member));
  ASSERT_TRUE(send_action(mod, EventType::ban, "", 60, "id-alice"));
  EXPECT_EQ(closed_with(alice), 4405) << alice.end().describe();
  EXPECT_EQ(alice.end().close_reason, "banned by mod");

  // Her next lossless join is refused, and carried out for nobody else.
  LosslessClient back;
  ASSERT_TRUE(peers_.send_join(back, port(), "lobby", "alice", Role::member));
  auto refused = error_coded(back, "banned");
  ASSERT_TRUE(refused) << describe(back.history());
  for (const Event& e : back.history()) EXPECT_NE(e.type, EventType::welcome);
  // Legacy, with her token: closed 4405.
  LegacyClient legacy;
  ASSERT_TRUE(legacy_connect_from(legacy, port(), "lobby", "alice",
                                  peers_.token("alice", Role::member), ""));
  EXPECT_EQ(closed_with(legacy), 4405) << legacy.end().describe();
  // Others are not touched.
  ASSERT_TRUE(bystander.send_msg("unbanned"));
  EXPECT_TRUE(msg(mod, "unbanned"));
}

TEST_F(ModerationActionsTest, ABanByAddressClosesItsSessionsAndRefusesItsJoinsInEveryRoom) {
  start();
  LosslessClient mod, guest, other_room;
  ASSERT_TRUE(join(mod, "mod", Role::moderator));
  ASSERT_TRUE(join(guest, "gary", std::nullopt, "127.0.0.7"));
  ASSERT_TRUE(peers_.join(other_room, port(), "elsewhere", "gina", std::nullopt, "127.0.0.7"));
  // By nick: a guest is its address.
  ASSERT_TRUE(send_action(mod, EventType::ban, "gary", 60));
  EXPECT_EQ(closed_with(guest), 4405) << guest.end().describe();
  EXPECT_EQ(closed_with(other_room), 4405) << other_room.end().describe();

  LosslessClient back;
  ASSERT_TRUE(peers_.send_join(back, port(), "third", "gary2", std::nullopt, "127.0.0.7"));
  EXPECT_TRUE(error_coded(back, "banned")) << describe(back.history());
  LegacyClient legacy;
  ASSERT_TRUE(legacy_connect_from(legacy, port(), "lobby", "old", "", "127.0.0.7"));
  EXPECT_EQ(closed_with(legacy), 4405) << legacy.end().describe();
  // Another address is not banned.
  LosslessClient fine;
  EXPECT_TRUE(join(fine, "fine", std::nullopt, "127.0.0.9")) << describe(fine.history());
  expect_logged(
      "moderation: ban by 'mod' in 'lobby': nick 'gary' address "
      "127.0.0.7 for 60 s");
}

TEST_F(ModerationActionsTest, SecondsAreOneToAYear) {
  start();
  LosslessClient mod, gary;
  ASSERT_TRUE(join(mod, "mod", Role::moderator));
  ASSERT_TRUE(join(gary, "gary", std::nullopt, "127.0.0.7"));
  for (EventType type : {EventType::mute, EventType::ban}) {
    for (std::uint64_t seconds : {std::uint64_t{0}, kYear + 1}) {
      ASSERT_TRUE(send_action(mod, type, "", seconds, "id-x"));
      auto refused = error_coded(mod, "bad_event");
      ASSERT_TRUE(refused) << seconds << " " << describe(mod.history());
      mod.clear_history();
    }
  }
  // Two targets: bad_event too.
  ASSERT_TRUE(send_action(mod, EventType::ban, "", 60, "id-x", "127.0.0.50"));
  EXPECT_TRUE(error_coded(mod, "bad_event"));
  mod.clear_history();
  // 1 and a year are taken: the target is told (a mute), the log says so (a ban).
  ASSERT_TRUE(send_action(mod, EventType::mute, "gary", 1));
  auto one = error_coded(gary, "muted");
  ASSERT_TRUE(one) << describe(gary.history());
  EXPECT_NE(one->message.find("for 1 more second"), std::string::npos) << one->message;
  ASSERT_TRUE(send_action(mod, EventType::mute, "gary", kYear));
  auto year = error_coded(gary, "muted");
  ASSERT_TRUE(year) << describe(gary.history());
  EXPECT_NE(year->message.find("for 31536000 more seconds"), std::string::npos) << year->message;
  ASSERT_TRUE(send_action(mod, EventType::ban, "", 1, "id-one"));
  ASSERT_TRUE(send_action(mod, EventType::ban, "", kYear, "id-year"));
  // Answered in order: the member list reply comes after both bans were taken.
  Event members;
  members.type = EventType::members;
  ASSERT_TRUE(mod.send_event(members));
  ASSERT_TRUE(
      mod.wait_for([](const Event& e) { return e.type == EventType::members; }, deadline_in(5s)));
  for (const Event& e : mod.history()) EXPECT_NE(e.type, EventType::error) << describe(e);
  expect_logged("moderation: ban by 'mod' in 'lobby': uid 'id-one' for 1 s");
  expect_logged("moderation: ban by 'mod' in 'lobby': uid 'id-year' for 31536000 s");
}

TEST_F(ModerationActionsTest, TheOperatorApiKicksMutesAndBans) {
  start();
  LosslessClient alice, bob, gary;
  ASSERT_TRUE(join_with_bob_and_gary(alice, "alice", Role::member, bob, gary));

  EXPECT_EQ(api("/api/kick", R"({"room":"lobby","nick":"alice"})", false).status, 401);
  EXPECT_EQ(api("/api/mute", R"({"uid":"id-bob","seconds":60})", false).status, 401);
  EXPECT_EQ(api("/api/ban", R"({"address":"127.0.0.7","seconds":60})", false).status, 401);
  EXPECT_EQ(api("/api/kick", R"({"room":"lobby","nick":"nobody"})").status, 404);
  EXPECT_EQ(api("/api/ban", R"({"address":"127.0.0.7","seconds":0})").status, 400);
  EXPECT_EQ(api("/api/mute", R"({"nick":"bob","seconds":60})").status, 400);  // no room

  HttpResponse r = api("/api/kick", R"({"room":"lobby","nick":"alice"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("\"ok\":true"), std::string::npos) << r.body;
  EXPECT_EQ(closed_with(alice), 4404);
  EXPECT_EQ(alice.end().close_reason, "kicked by operator");

  r = api("/api/mute", R"({"uid":"id-bob","seconds":60,"by":"ops"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(error_coded(bob, "muted")) << describe(bob.history());
  ASSERT_TRUE(bob.send_msg("muted?"));
  EXPECT_TRUE(error_coded(bob, "muted")) << describe(bob.history());

  r = api("/api/ban", R"({"room":"lobby","nick":"gary","seconds":60,"by":"ops"})");
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(closed_with(gary), 4405);
  EXPECT_EQ(gary.end().close_reason, "banned by ops");
  expect_logged(
      "moderation: ban by 'ops' in 'lobby': nick 'gary' address "
      "127.0.0.7");
}

}  // namespace
}  // namespace hubchat::test
