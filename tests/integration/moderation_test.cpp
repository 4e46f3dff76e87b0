// Moderation against the real relay (issue 16, acceptance 4, in memory):
// `delete` by its verified author and by a moderator, refused for another
// member and for a guest; every member gets `deleted`; a late joiner's
// replay and a resume carry the tombstone, never the body; the operator
// API's /api/delete does the same; each action is logged.
#include <chrono>
#include <filesystem>
#include <fstream>

#include "relay/auth/token_minter.hpp"
#include "relay_test_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_keys.hpp"
#include "tests/support/test_tokens.hpp"

namespace hubchat::test {
namespace {

constexpr const char* kApiKey = "moderation-api-key-0123456789";

class ModerationTest : public RelayTest {
 protected:
  void start() {
    secret_ = make_secret();
    ASSERT_TRUE(start_relay({"--auth-key", dir_.write("secret", secret_), "--api-key-file",
                             dir_.write("api-key", std::string(kApiKey) + "\n")}));
  }

  std::string token(const std::string& name, relay::Role role) {
    return mint_test_token(signing_key(secret_), name, 3600, std::nullopt, role);
  }

  // Connects, joins `room` with a token for `name` (none: a guest), waits for the welcome.
  bool join(LosslessClient& client, const std::string& room, const std::string& name,
            std::optional<relay::Role> role, std::optional<Seq> since = std::nullopt) {
    if (!client.connect(port()).upgraded()) return false;
    Event join;
    join.type = EventType::join;
    join.room = room;
    join.nick = name;
    if (role) join.token = token(name, *role);
    if (since) join.has_since = true, join.since = *since;
    return client.send_event(join) &&
           client.wait_for([](const Event& e) { return e.type == EventType::welcome; },
                           deadline_in(5s));
  }

  // Posts `body` and returns its seq, as `client` sees its own copy.
  Seq post(LosslessClient& client, const std::string& body) {
    EXPECT_TRUE(client.send_msg(body));
    auto own =
        client.wait_for([&](const Event& e) { return e.type == EventType::msg && e.body == body; },
                        deadline_in(5s));
    EXPECT_TRUE(own) << describe(client.history());
    return own ? own->seq : 0;
  }

  static bool send_delete(LosslessClient& client, Seq seq) {
    Event request;
    request.type = EventType::delete_msg;
    request.seq = seq;
    return client.send_event(request);
  }

  static std::optional<Event> deleted_event(LosslessClient& client, Seq seq) {
    return client.wait_for(
        [&](const Event& e) { return e.type == EventType::deleted && e.seq == seq; },
        deadline_in(5s));
  }

  static std::optional<Event> error_event(LosslessClient& client) {
    return client.wait_for([](const Event& e) { return e.type == EventType::error; },
                           deadline_in(5s));
  }

  TempDir dir_{"moderation"};
  std::string secret_;
};

TEST_F(ModerationTest, AuthorDeletesOwnAndEveryoneGetsDeletedAndReplayHasTheTombstone) {
  start();
  LosslessClient alice, bob;
  ASSERT_TRUE(join(alice, "lobby", "alice", relay::Role::member));
  ASSERT_TRUE(join(bob, "lobby", "bob", relay::Role::member));
  const Seq secret = post(alice, "my password is hunter2");
  const Seq kept = post(alice, "oops, ignore that");
  ASSERT_NE(secret, 0u);

  ASSERT_TRUE(send_delete(alice, secret));
  for (LosslessClient* member : {&alice, &bob}) {
    auto deleted = deleted_event(*member, secret);
    ASSERT_TRUE(deleted) << describe(member->history());
    EXPECT_EQ(deleted->room, "lobby");
    EXPECT_EQ(deleted->by, "alice");
  }

  // A late joiner's replay: the tombstone in the message's place, the rest kept.
  LosslessClient late;
  ASSERT_TRUE(join(late, "lobby", "carol", std::nullopt));
  ASSERT_TRUE(late.collect_until([&](const std::vector<Event>&) { return late.msg_count() >= 2; },
                                 deadline_in(5s)));
  const std::vector<Event> replay = late.msgs("lobby");
  ASSERT_EQ(replay.size(), 2u) << describe(late.history());
  EXPECT_EQ(replay[0].seq, secret);
  EXPECT_TRUE(replay[0].deleted);
  EXPECT_EQ(replay[0].body, "");
  EXPECT_EQ(replay[0].by, "alice");
  EXPECT_EQ(replay[0].from, "alice");
  EXPECT_EQ(replay[1].seq, kept);
  EXPECT_FALSE(replay[1].deleted);
  for (const Event& e : late.history()) EXPECT_EQ(e.body.find("hunter2"), std::string::npos);

  // A resume from before it gets the tombstone; from after it, a `deleted`.
  LosslessClient before, after;
  ASSERT_TRUE(join(before, "lobby", "dave", std::nullopt, secret - 1));
  auto resumed = before.wait_for(
      [&](const Event& e) { return e.type == EventType::msg && e.seq == secret; }, deadline_in(5s));
  ASSERT_TRUE(resumed) << describe(before.history());
  EXPECT_TRUE(resumed->deleted);
  EXPECT_EQ(resumed->body, "");
  ASSERT_TRUE(join(after, "lobby", "erin", std::nullopt, kept));
  EXPECT_TRUE(deleted_event(after, secret)) << describe(after.history());

  EXPECT_NE(relay().stderr_text().find("moderation: delete by 'alice' in 'lobby'"),
            std::string::npos);
}

TEST_F(ModerationTest, ModeratorDeletesAnothersMemberAndGuestAreRefused) {
  start();
  LosslessClient alice, bob, mod, guest;
  ASSERT_TRUE(join(alice, "lobby", "alice", relay::Role::member));
  ASSERT_TRUE(join(bob, "lobby", "bob", relay::Role::member));
  ASSERT_TRUE(join(mod, "lobby", "mod", relay::Role::moderator));
  ASSERT_TRUE(join(guest, "lobby", "guest", std::nullopt));
  const Seq first = post(alice, "spam one");
  const Seq second = post(alice, "spam two");

  ASSERT_TRUE(send_delete(bob, first));
  auto refused = error_event(bob);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, "forbidden");
  ASSERT_TRUE(send_delete(guest, first));
  refused = error_event(guest);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, "forbidden");
  ASSERT_TRUE(send_delete(mod, 999));
  refused = error_event(mod);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, "not_found");

  ASSERT_TRUE(send_delete(mod, second));
  auto deleted = deleted_event(alice, second);
  ASSERT_TRUE(deleted) << describe(alice.history());
  EXPECT_EQ(deleted->by, "mod");
  // The refused attempts deleted nothing: the first message is no tombstone.
  for (const Event& e : alice.history())
    EXPECT_FALSE(e.type == EventType::deleted && e.seq == first);
  LosslessClient late;
  ASSERT_TRUE(join(late, "lobby", "late", std::nullopt));
  ASSERT_TRUE(late.collect_until([&](const std::vector<Event>&) { return late.msg_count() >= 2; },
                                 deadline_in(5s)));
  EXPECT_FALSE(late.msgs()[0].deleted);
  EXPECT_EQ(late.msgs()[0].body, "spam one");
  EXPECT_TRUE(late.msgs()[1].deleted);
}

TEST_F(ModerationTest, ApiDeleteLeavesATombstone) {
  start();
  LosslessClient alice;
  ASSERT_TRUE(join(alice, "lobby", "alice", std::nullopt));
  const Seq seq = post(alice, "delete me");
  HttpRequest request;
  request.method = "POST";
  request.path = "/api/delete";
  request.headers.emplace_back("Authorization", std::string("Bearer ") + kApiKey);
  const HttpResponse r =
      http_send(port(), request, "{\"room\":\"lobby\",\"seq\":" + std::to_string(seq) + "}");
  ASSERT_EQ(r.status, 200) << r.body;
  auto deleted = deleted_event(alice, seq);
  ASSERT_TRUE(deleted);
  EXPECT_EQ(deleted->by, "operator");
  // Twice: nothing left to delete.
  EXPECT_EQ(
      http_send(port(), request, "{\"room\":\"lobby\",\"seq\":" + std::to_string(seq) + "}").status,
      404);
}

}  // namespace
}  // namespace hubchat::test
