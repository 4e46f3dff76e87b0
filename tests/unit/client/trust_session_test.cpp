// The session's side of trust and moderation (docs/client.md, "Signing in"
// and "Moderation"), over a FakeTransport: the token goes in every lossless
// join (in the URL only for a legacy attempt), a refused join leaves the
// session in its previous room and is told as a refusal, a refused post is a
// refusal and leaves the outbox, closes 4400-4405 stop the retries, a new
// token after an expiry connects again, and the moderation requests are
// the documented ones.
#include <gtest/gtest.h>

#include "client/session/chat_session.hpp"
#include "shared/lossless_codec.hpp"
#include "tests/unit/client/fake_transport.hpp"
#include "tests/unit/client/relay_events.hpp"
#include "tests/unit/client/session_fixture.hpp"

namespace hubchat::client {
namespace {

using namespace std::chrono_literals;
using testing::server_accepts;
using testing::server_closes;
using testing::server_sends;

std::string error_event(const std::string& code, const std::string& message) {
  return lossless::encode(testing::error(code, message));
}

class TrustSessionTest : public testing::SessionFixture {
 protected:
  TrustSessionTest() {
    start_session([] { return 0.5; });
  }
  void connect(std::string token) {
    ConnectParams params{"ws://relay:8080/ws", "mina", "lobby", std::move(token)};
    session_->connect(params, now_);
  }
  void open_and_welcome(const std::string& room = "lobby") {
    server_accepts(state_, "hubchat.v1");
    tick();
    server_sends(state_, lossless::encode(testing::welcome(room, 1, {"mina"})));
    tick();
  }
};

TEST_F(TrustSessionTest, TokenGoesInTheJoinNotInTheUrl) {
  connect("header.payload.sig");
  open_and_welcome();
  ASSERT_EQ(sent(EventType::join).size(), 1u);
  EXPECT_EQ(sent(EventType::join)[0].token, "header.payload.sig");
  ASSERT_FALSE(state_.urls.empty());
  EXPECT_EQ(state_.urls.back().find("token"), std::string::npos);

  session_->switch_room("team-a");  // every join carries it: each is checked
  EXPECT_EQ(sent(EventType::join).back().token, "header.payload.sig");
}

TEST(TrustUrlTest, LegacyUrlCarriesTheTokenPercentEncoded) {
  EXPECT_EQ(build_connect_url("ws://h:1/ws?token=old&x=1", "lobby", "mina", "a.b+c"),
            "ws://h:1/ws?x=1&room=lobby&nick=mina&token=a.b%2Bc");
  EXPECT_EQ(build_connect_url("ws://h:1/ws", "lobby", "", ""), "ws://h:1/ws?room=lobby");
}

TEST_F(TrustSessionTest, RefusedJoinStaysInThePreviousRoom) {
  connect("");
  open_and_welcome();
  session_->switch_room("ops");
  EXPECT_EQ(session_->model().active_room(), "ops");
  server_sends(state_, error_event("forbidden", "room is private"));
  tick();

  EXPECT_EQ(session_->model().active_room(), "lobby");
  EXPECT_EQ(session_->params().room, "lobby");
  EXPECT_EQ(session_->model().joined_room(), "lobby");
  EXPECT_EQ(session_->state(), ConnectionState::connected);
  EXPECT_EQ(session_->model().refusal().kind, RefusalKind::join);
  EXPECT_EQ(session_->model().refusal().text, "you may not join #ops");
  ASSERT_FALSE(session_->model().find_room("lobby")->lines().empty());
  EXPECT_EQ(session_->model().find_room("lobby")->lines().back().body, "you may not join #ops");
  EXPECT_EQ(session_->model().last_error(), "");  // not a relay error
}

TEST_F(TrustSessionTest, BannedJoinIsABanRefusal) {
  connect("");
  open_and_welcome();
  session_->switch_room("ops");
  server_sends(state_, error_event("banned", "banned for 1 day"));
  tick();
  EXPECT_EQ(session_->model().refusal().kind, RefusalKind::banned);
  EXPECT_EQ(session_->model().active_room(), "lobby");
}

TEST_F(TrustSessionTest, MutedPostIsARefusalAndLeavesTheOutbox) {
  connect("");
  open_and_welcome();
  ASSERT_TRUE(session_->send_message("hello?"));
  server_sends(state_, error_event("muted", "you are muted for 600 s"));
  tick();
  EXPECT_EQ(session_->model().refusal().kind, RefusalKind::muted);
  EXPECT_EQ(session_->model().refusal().text, "you are muted");
  EXPECT_TRUE(session_->model().find_room("lobby")->outbox().empty());
}

TEST_F(TrustSessionTest, AnErrorWithNothingPendingIsAnOrdinaryError) {
  connect("");
  open_and_welcome();
  server_sends(state_, error_event("forbidden", "not yours"));  // e.g. a refused delete
  tick();
  EXPECT_EQ(session_->model().refusal().kind, RefusalKind::none);
  EXPECT_EQ(session_->model().last_error(), "forbidden: not yours");
}

TEST_F(TrustSessionTest, KickedIsNotReconnected) {
  connect("");
  open_and_welcome();
  server_closes(state_, 4404, "kicked by mod");
  tick();
  tick(60s);
  EXPECT_EQ(session_->state(), ConnectionState::disconnected);
  EXPECT_EQ(state_.urls.size(), 1u);  // no second attempt
  EXPECT_EQ(session_->model().refusal().kind, RefusalKind::kicked);
  EXPECT_EQ(session_->model().refusal().text, "kicked by mod");
  EXPECT_EQ(session_->model().status_text(now_), "Disconnected: kicked by mod");
}

TEST_F(TrustSessionTest, EachTrustCloseCodeIsExplained) {
  const std::pair<int, RefusalKind> cases[] = {{4400, RefusalKind::bad_token},
                                               {4401, RefusalKind::sign_in},
                                               {4402, RefusalKind::token_expired},
                                               {4403, RefusalKind::forbidden},
                                               {4405, RefusalKind::banned}};
  for (const auto& [code, kind] : cases) {
    connect("t");
    open_and_welcome();
    server_closes(state_, code, "why");
    tick();
    EXPECT_EQ(session_->state(), ConnectionState::disconnected) << code;
    EXPECT_EQ(session_->model().refusal().kind, kind) << code;
    EXPECT_FALSE(session_->model().refusal().text.empty()) << code;
  }
  // An ordinary drop still reconnects.
  connect("t");
  open_and_welcome();
  server_closes(state_, 1006, "gone");
  tick();
  EXPECT_EQ(session_->state(), ConnectionState::reconnecting);
  EXPECT_EQ(session_->model().refusal().kind, RefusalKind::none);
}

TEST_F(TrustSessionTest, NewTokenAfterExpiryConnectsAndResumes) {
  connect("old");
  open_and_welcome();
  server_sends(state_, lossless::encode(testing::msg("lobby", 1, "jun", "hi")));
  tick();
  server_closes(state_, 4402, "token expired");
  tick();
  ASSERT_EQ(session_->model().refusal().kind, RefusalKind::token_expired);
  state_.sent.clear();

  session_->set_token("new");
  EXPECT_EQ(session_->state(), ConnectionState::connecting);
  EXPECT_EQ(session_->model().refusal().kind, RefusalKind::none);
  server_accepts(state_, "hubchat.v1");
  tick();
  const auto joins = sent(EventType::join);
  ASSERT_EQ(joins.size(), 1u);
  EXPECT_EQ(joins[0].token, "new");
  EXPECT_TRUE(joins[0].has_since);
  EXPECT_EQ(joins[0].since, 1u);
}

TEST_F(TrustSessionTest, NewTokenWhileJoinedJoinsAgain) {
  connect("");
  open_and_welcome();
  state_.sent.clear();
  session_->set_token("fresh");
  const auto joins = sent(EventType::join);
  ASSERT_EQ(joins.size(), 1u);
  EXPECT_EQ(joins[0].room, "lobby");
  EXPECT_EQ(joins[0].token, "fresh");
}

TEST_F(TrustSessionTest, ModerationRequestsAreTheDocumentedOnes) {
  connect("t");
  EXPECT_FALSE(session_->delete_message(3));  // not joined yet
  open_and_welcome();
  state_.sent.clear();
  EXPECT_TRUE(session_->delete_message(3));
  EXPECT_TRUE(session_->kick("jun"));
  EXPECT_TRUE(session_->mute("jun", kMuteSeconds));
  EXPECT_TRUE(session_->ban("jun", kBanSeconds));
  ASSERT_EQ(state_.sent.size(), 4u);
  EXPECT_EQ(state_.sent[0], R"({"type":"delete","seq":3})");
  EXPECT_EQ(state_.sent[1], R"({"type":"kick","nick":"jun"})");
  EXPECT_EQ(state_.sent[2], R"({"type":"mute","nick":"jun","seconds":600})");
  EXPECT_EQ(state_.sent[3], R"({"type":"ban","nick":"jun","seconds":86400})");
}

}  // namespace
}  // namespace hubchat::client
