// Signed identities against the real relay (issue 16, acceptance 1-3): tokens
// checked at join (HS256, RS256; each kind of bad token refused with its
// documented code), expiry enforced while connected, --anonymous read/deny,
// reserved verified names, and --private-room. Keys are made fresh per test;
// tokens are minted in-process (relay/auth's minter, or libjwt directly for
// malformed ones) and once with `relay token`.
#include <jwt.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "relay/auth/token_minter.hpp"
#include "relay_test_fixture.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_keys.hpp"
#include "tests/support/test_tokens.hpp"

namespace hubchat::test {
namespace {

using relay::AuthKey;
using relay::KeyUse;
using relay::Role;
using relay::TokenClaims;

class TrustTest : public RelayTest {
 protected:
  // Starts a relay checking tokens with an HS256 secret; returns the key.
  AuthKey start_with_secret(std::vector<std::string> args = {}) {
    const std::string secret = make_secret();
    args.insert(args.begin(), {"--auth-key", dir_.write("secret", secret)});
    EXPECT_TRUE(start_relay(args));
    return signing_key(secret);
  }

  TempDir dir_{"trust"};
};

bool send_join_with(LosslessClient& client, const std::string& room, const std::string& nick,
                    const std::string& token) {
  Event join;
  join.type = EventType::join;
  join.room = room;
  join.nick = nick;
  join.token = token;
  return client.send_event(join);
}

std::optional<Event> join_with(LosslessClient& client, std::uint16_t port, const std::string& room,
                               const std::string& nick, const std::string& token) {
  if (!client.connect(port).upgraded()) return std::nullopt;
  if (!send_join_with(client, room, nick, token)) return std::nullopt;
  return client.wait_for(
      [](const Event& e) { return e.type == EventType::welcome || e.type == EventType::error; },
      deadline_in(5s));
}

std::optional<Event> next_error(LosslessClient& client) {
  return client.wait_for([](const Event& e) { return e.type == EventType::error; },
                         deadline_in(5s));
}

std::optional<Event> msg_from(LosslessClient& client, const std::string& body) {
  return client.wait_for([&](const Event& e) { return e.type == EventType::msg && e.body == body; },
                         deadline_in(5s));
}

// The code of the next error `client` gets ("" when none comes in time).
std::string next_error_code(LosslessClient& client) {
  auto error = next_error(client);
  return error ? error->code : "";
}

// Posts `body` and waits for `client`'s own copy of it (nullopt: not posted).
std::optional<Event> post_own(LosslessClient& client, const std::string& body) {
  if (!client.send_msg(body)) return std::nullopt;
  return msg_from(client, body);
}

// A legacy client with ?room=&nick=&token=; the handshake result.
bool legacy_connect(LegacyClient& client, std::uint16_t port, const std::string& room,
                    const std::string& nick, const std::string& token) {
  ConnectOptions options;
  options.path = "/ws?room=" + url_encode(room) + "&nick=" + url_encode(nick) +
                 (token.empty() ? "" : "&token=" + url_encode(token));
  return client.ws().connect(port, options).upgraded();
}

int close_code_of(LegacyClient& client) {
  client.next(deadline_in(5s));  // reads until the close
  return client.end().close_code;
}

TEST_F(TrustTest, Hs256TokenVerifiesTheUserAndItsMessagesCarryTheUid) {
  const AuthKey key = start_with_secret();
  LosslessClient alice, guest;
  auto welcome = join_with(alice, port(), "lobby", "not-alice", mint_test_token(key, "alice"));
  ASSERT_TRUE(welcome && welcome->type == EventType::welcome)
      << (welcome ? describe(*welcome) : "");
  EXPECT_EQ(welcome->nick, "alice");  // the token's name, whatever the join asked for
  ASSERT_TRUE(guest.connect_and_join(port(), "lobby", "bob"));
  ASSERT_TRUE(alice.send_msg("hi from alice"));
  ASSERT_TRUE(guest.send_msg("hi from bob"));
  auto verified = msg_from(guest, "hi from alice");
  ASSERT_TRUE(verified) << guest.end().describe();
  EXPECT_EQ(verified->uid, "id-alice");
  auto unverified = msg_from(alice, "hi from bob");
  ASSERT_TRUE(unverified);
  EXPECT_EQ(unverified->uid, "");
}

TEST_F(TrustTest, Rs256TokenAcceptedAndEveryBadTokenRefusedWithItsCode) {
  const PemPair pair = make_key_pair(true);
  ASSERT_TRUE(start_relay(
      {"--auth-key", dir_.write("public.pem", pair.public_pem), "--max-message-bytes", "131072"}));
  const AuthKey key = signing_key(pair.private_pem);
  LosslessClient client;
  auto welcome = join_with(client, port(), "lobby", "", mint_test_token(key, "rosa"));
  ASSERT_TRUE(welcome && welcome->type == EventType::welcome);
  EXPECT_EQ(welcome->nick, "rosa");

  const std::string good = mint_test_token(key, "eve");
  const auto raw = [](jwt_alg_t alg, const std::string& secret, const std::string& grants) {
    jwt_t* jwt = nullptr;
    jwt_new(&jwt);
    jwt_add_grants_json(jwt, grants.c_str());
    jwt_set_alg(jwt, alg, alg == JWT_ALG_NONE ? nullptr : (const unsigned char*)secret.data(),
                alg == JWT_ALG_NONE ? 0 : static_cast<int>(secret.size()));
    char* text = jwt_encode_str(jwt);
    std::string out = text ? text : "";
    std::free(text);
    jwt_free(jwt);
    return out;
  };
  const std::string exp = std::to_string(unix_now() + 3600);
  const std::string claims = "{\"sub\":\"id-eve\",\"name\":\"eve\",\"exp\":" + exp + "}";
  std::string tampered = good;
  const std::size_t payload = tampered.find('.') + 5;
  tampered[payload] = tampered[payload] == 'A' ? 'B' : 'A';
  const std::vector<std::pair<std::string, std::string>> cases{
      {"alg none", raw(JWT_ALG_NONE, "", claims)},
      {"HS256 signed with the public key", raw(JWT_ALG_HS256, pair.public_pem, claims)},
      {"tampered payload", tampered},
      {"no exp", raw(JWT_ALG_RS256, pair.private_pem, "{\"sub\":\"id-eve\",\"name\":\"eve\"}")},
      {"64 KiB", good + std::string(64 * 1024, 'A')},
      {"garbage", "not.a.token"},
  };
  for (const auto& [what, bad] : cases) {
    ASSERT_TRUE(send_join_with(client, "elsewhere", "eve", bad)) << what;
    auto error = next_error(client);
    ASSERT_TRUE(error) << what << ": " << client.end().describe();
    EXPECT_EQ(error->code, "bad_token") << what << ": " << error->message;
  }
  ASSERT_TRUE(send_join_with(client, "elsewhere", "eve", mint_test_token(key, "eve", -10)));
  ASSERT_EQ(next_error_code(client), "token_expired");
  // None of them moved the session: it is still rosa, in lobby.
  auto own = post_own(client, "still here");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->room, "lobby");
  EXPECT_EQ(own->from, "rosa");
  EXPECT_EQ(own->uid, "id-rosa");

  // Legacy pages: ?token= refused with close codes.
  LegacyClient bad_legacy, expired_legacy, good_legacy;
  ASSERT_TRUE(legacy_connect(bad_legacy, port(), "lobby", "x", tampered));
  EXPECT_EQ(close_code_of(bad_legacy), 4400);
  ASSERT_TRUE(
      legacy_connect(expired_legacy, port(), "lobby", "x", mint_test_token(key, "old", -10)));
  EXPECT_EQ(close_code_of(expired_legacy), 4402);
  ASSERT_TRUE(legacy_connect(good_legacy, port(), "lobby", "x", mint_test_token(key, "gus")));
  ASSERT_TRUE(good_legacy.send("legacy verified"));
  auto from_legacy = msg_from(client, "legacy verified");
  ASSERT_TRUE(from_legacy) << client.end().describe();
  EXPECT_EQ(from_legacy->from, "gus");
  EXPECT_EQ(from_legacy->uid, "id-gus");
}

TEST_F(TrustTest, ExpiryWhileConnectedClosesWithItsCode) {
  const AuthKey key = start_with_secret();
  LosslessClient lossless;
  LegacyClient legacy;
  auto welcome = join_with(lossless, port(), "lobby", "", mint_test_token(key, "brief", 2));
  ASSERT_TRUE(welcome && welcome->type == EventType::welcome);
  ASSERT_TRUE(legacy_connect(legacy, port(), "lobby", "", mint_test_token(key, "brief2", 2)));
  const auto started = Clock::now();
  const Received end = lossless.ws().wait_closed(deadline_in(8s));
  EXPECT_EQ(end.close_code, 4402) << end.describe();
  EXPECT_EQ(end.close_reason, "token expired");
  EXPECT_GE(Clock::now() - started, 500ms);  // not at once: when exp passed
  EXPECT_EQ(close_code_of(legacy), 4402);
}

TEST_F(TrustTest, AnonymousReadRefusesGuestPostsOnly) {
  const AuthKey key = start_with_secret({"--anonymous", "read"});
  LosslessClient guest, member;
  ASSERT_TRUE(guest.connect_and_join(port(), "lobby", "lurker"));
  auto welcome = join_with(member, port(), "lobby", "", mint_test_token(key, "vera"));
  ASSERT_TRUE(welcome && welcome->type == EventType::welcome);
  ASSERT_TRUE(guest.send_msg("guest post"));
  ASSERT_EQ(next_error_code(guest), "forbidden");
  ASSERT_TRUE(member.send_msg("member post"));
  ASSERT_TRUE(msg_from(guest, "member post")) << "a guest still reads";
  EXPECT_FALSE(has_msg_body(member.history(), "guest post"));
  EXPECT_FALSE(has_msg_body(guest.history(), "guest post"));
  LegacyClient legacy;
  ASSERT_TRUE(legacy_connect(legacy, port(), "lobby", "old", ""));
  ASSERT_TRUE(legacy.send("legacy guest post"));
  EXPECT_EQ(close_code_of(legacy), 4403);
}

TEST_F(TrustTest, AnonymousDenyClosesGuestsAtJoin) {
  const AuthKey key = start_with_secret({"--anonymous", "deny"});
  LosslessClient guest, member;
  ASSERT_TRUE(guest.connect(port()).upgraded());
  ASSERT_TRUE(guest.send_join("lobby", "g"));
  const Received end = guest.ws().wait_closed(deadline_in(5s));
  EXPECT_EQ(end.close_code, 4401) << end.describe();
  LegacyClient legacy;
  ASSERT_TRUE(legacy_connect(legacy, port(), "lobby", "old", ""));
  EXPECT_EQ(close_code_of(legacy), 4401);
  auto welcome = join_with(member, port(), "lobby", "", mint_test_token(key, "vera"));
  ASSERT_TRUE(welcome && welcome->type == EventType::welcome);
  ASSERT_TRUE(member.send_msg("members only"));
  ASSERT_TRUE(msg_from(member, "members only"));
}

TEST_F(TrustTest, AGuestCannotTakeAVerifiedName) {
  const AuthKey key = start_with_secret();
  LosslessClient alice, impostor;
  auto welcome = join_with(alice, port(), "lobby", "", mint_test_token(key, "alice"));
  ASSERT_TRUE(welcome && welcome->type == EventType::welcome);
  auto other = impostor.connect_and_join(port(), "other-room", "alice");
  ASSERT_TRUE(other);
  EXPECT_NE(other->nick, "alice");
  EXPECT_EQ(other->nick.rfind("guest-", 0), 0u) << other->nick;
  Event rename;
  rename.type = EventType::nick;
  rename.nick = "alice";
  ASSERT_TRUE(impostor.send_event(rename));
  auto own = post_own(impostor, "who am i");
  ASSERT_TRUE(own);
  EXPECT_NE(own->from, "alice");
  // A verified user cannot rename itself away from its token's name.
  rename.nick = "mallory";
  ASSERT_TRUE(alice.send_event(rename));
  ASSERT_EQ(next_error_code(alice), "forbidden");
}

TEST_F(TrustTest, PrivateRoomsNeedATokenCoveringThem) {
  const AuthKey key = start_with_secret({"--private-room", "team-*", "--private-room", "ops"});
  LosslessClient teammate, guest;
  auto welcome =
      join_with(teammate, port(), "team-a", "", mint_test_token(key, "tia", 3600, {{"team-*"}}));
  ASSERT_TRUE(welcome && welcome->type == EventType::welcome)
      << (welcome ? describe(*welcome) : "");
  ASSERT_TRUE(send_join_with(teammate, "ops", "", ""));
  ASSERT_EQ(next_error_code(teammate), "forbidden");
  auto own = post_own(teammate, "still in team-a");
  ASSERT_TRUE(own);
  EXPECT_EQ(own->room, "team-a");

  auto guest_join = join_with(guest, port(), "team-a", "g", "");
  ASSERT_TRUE(guest_join);
  EXPECT_EQ(guest_join->type, EventType::error);
  EXPECT_EQ(guest_join->code, "forbidden");
  ASSERT_TRUE(guest.connect_and_join(port(), "lobby", "g")) << "open rooms stay open";
  LegacyClient legacy;
  ASSERT_TRUE(legacy_connect(legacy, port(), "team-a", "g2", ""));
  EXPECT_EQ(close_code_of(legacy), 4403);
}

TEST_F(TrustTest, RelayTokenMintsWhatTheRelayAccepts) {
  const PemPair pair = make_key_pair(false);  // ES256
  const std::string private_path = dir_.write("private.pem", pair.private_pem);
  ASSERT_TRUE(start_relay({"--auth-key", dir_.write("public.pem", pair.public_pem)}));
  const CommandResult minted =
      run_relay_command({"token", "--auth-key", private_path, "--sub", "u-42", "--name", "nadia",
                         "--role", "moderator", "--rooms", "team-*,ops", "--ttl", "10m"});
  ASSERT_TRUE(minted.status.exited && minted.status.code == 0) << minted.output;
  std::string text = minted.output;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  LosslessClient client;
  auto welcome = join_with(client, port(), "lobby", "", text);
  ASSERT_TRUE(welcome && welcome->type == EventType::welcome)
      << (welcome ? describe(*welcome) : "");
  EXPECT_EQ(welcome->nick, "nadia");
  const CommandResult bad = run_relay_command(
      {"token", "--auth-key", private_path, "--sub", "x", "--name", "y", "--ttl", "forever"});
  EXPECT_NE(bad.status.code, 0);
}

}  // namespace
}  // namespace hubchat::test
