// The legacy fallback's decision logic (DialectChooser, carried out by
// ChatSession) over an in-memory Transport, an in-memory DialectMemory and
// a fake clock. Servers are scripted as the two clients meet them:
//  - browser vs a gorilla-style server: every hubchat.v1 handshake fails
//    before open, one without a subprotocol opens;
//  - lws vs the same server: the hubchat.v1 handshake opens with no
//    subprotocol accepted;
//  - the relay: hubchat.v1 opens as hubchat.v1 (and a plain one opens too:
//    the relay speaks legacy to it, which must never be chosen by mistake);
//  - a server that is down: everything fails before open.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client/session/chat_session.hpp"
#include "client/session/dialect_chooser.hpp"
#include "shared/lossless_codec.hpp"
#include "tests/unit/client/relay_events.hpp"
#include "tests/unit/client/session_fixture.hpp"

namespace hubchat::client {
namespace {

using namespace std::chrono_literals;
using testing::connection_fails;
using testing::server_accepts;
using testing::server_closes;
using testing::server_sends;
using testing::SessionFixture;

const std::vector<std::string> kOfferV1{"hubchat.v1"};
const std::vector<std::string> kOfferNone{};
constexpr const char* kServer = "ws://chat.example:8080/ws";  // as stored (no room/nick)

// localStorage stand-in: the map is the test's, so it outlives sessions.
class MapMemory final : public DialectMemory {
 public:
  explicit MapMemory(std::map<std::string, std::string>& map) : map_(map) {}
  std::string load(std::string_view server) override {
    const auto it = map_.find(std::string{server});
    return it == map_.end() ? std::string{} : it->second;
  }
  void save(std::string_view server, std::string_view value) override {
    if (value.empty()) {
      map_.erase(std::string{server});
    } else {
      map_[std::string{server}] = std::string{value};
    }
  }

 private:
  std::map<std::string, std::string>& map_;
};

std::string welcome() {
  return lossless::encode(testing::welcome("lobby", 1, {"mina"}));
}

class DialectFallbackTest : public SessionFixture {
 protected:
  DialectFallbackTest() { new_session(); }

  // A fresh session (a page load) over the same stored memory.
  void new_session() {
    start_session([] { return 0.5; }, std::make_unique<MapMemory>(stored_));
  }

  void connect(std::string url = kServer) {
    session_->connect(ConnectParams{std::move(url), "mina", "lobby", ""}, now_);
  }

  // Waits out the backoff of a session that is reconnecting.
  void wait_for_retry() {
    ASSERT_EQ(session_->state(), ConnectionState::reconnecting);
    tick(std::chrono::duration_cast<std::chrono::milliseconds>(
        session_->model().connection().next_retry - now_));
    ASSERT_EQ(session_->state(), ConnectionState::connecting);
  }

  // The attempt in flight fails before open (or opens with `protocol`), and
  // the session takes one turn to act on it.
  void fails(const char* why) {
    connection_fails(state_, why);
    tick();
  }
  void opens(const char* protocol) {
    server_accepts(state_, protocol);
    tick();
  }

  const std::vector<std::string>& last_offer() const { return state_.offered.back(); }

  // Chromium against a gorilla-style server, from the first attempt to the
  // legacy connection in use: v1 fails, plain opens (probe, closed unused),
  // v1 fails again, plain opens and is used.
  void browser_falls_back_to_legacy() {
    connect();
    ASSERT_EQ(last_offer(), kOfferV1);
    fails("cannot connect (the browser gives no details)");
    ASSERT_EQ(state_.offered.size(), 2u);
    ASSERT_EQ(last_offer(), kOfferNone);
    opens("");
    ASSERT_EQ(state_.offered.size(), 3u);
    ASSERT_EQ(last_offer(), kOfferV1);
    fails("cannot connect (the browser gives no details)");
    ASSERT_EQ(state_.offered.size(), 4u);
    ASSERT_EQ(last_offer(), kOfferNone);
    opens("");
  }

  std::map<std::string, std::string> stored_;
};

TEST_F(DialectFallbackTest, BrowserFallsBackToLegacyWithoutBackoffAndNeverSendsJson) {
  browser_falls_back_to_legacy();
  EXPECT_EQ(session_->state(), ConnectionState::connected);
  EXPECT_TRUE(session_->legacy());
  EXPECT_TRUE(session_->model().connection().legacy);
  EXPECT_TRUE(session_->model().connection().joined);
  // Nothing at all went out: not on the probe, not on the legacy connection.
  EXPECT_TRUE(state_.sent.empty());
  // The probe connection was closed unused; the room and nick are in every URL.
  EXPECT_EQ(state_.closes, 1);
  for (const auto& url : state_.urls)
    EXPECT_EQ(url, std::string{kServer} + "?room=lobby&nick=mina");
  // No backoff waited anywhere, and the user sees the legacy mode.
  EXPECT_EQ(session_->model().connection().attempt, 0);
  EXPECT_NE(session_->model().status_text(now_).find("legacy server"), std::string::npos);
  // Remembered for this server.
  EXPECT_EQ(stored_, (std::map<std::string, std::string>{{kServer, "legacy 1"}}));

  EXPECT_TRUE(session_->send_message("hello\ngorilla"));
  EXPECT_EQ(state_.sent, (std::vector<std::string>{"hello\ngorilla"}));  // raw, not JSON
  server_sends(state_, "hello gorilla\nfrom someone else");
  tick();
  const auto& lines = session_->model().find_room("lobby")->lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[1].body, "from someone else");
}

TEST_F(DialectFallbackTest, EventsOfAProbeConnectionAreDropped) {
  connect();
  fails("failed");
  // The probe opens and the server says something in the same batch.
  server_accepts(state_, "");
  server_sends(state_, "not for us");
  tick();
  EXPECT_EQ(last_offer(), kOfferV1);
  EXPECT_EQ(session_->state(), ConnectionState::connecting);
  EXPECT_TRUE(session_->model().find_room("lobby")->lines().empty());
}

TEST_F(DialectFallbackTest, ATransientFailureAgainstTheRelayStillEndsInHubchatV1) {
  // v1 fails (the relay was restarting), the plain probe opens (the relay
  // accepts legacy clients): that alone must not choose legacy.
  connect();
  fails("connection refused");
  opens("");
  EXPECT_TRUE(state_.sent.empty());
  ASSERT_EQ(last_offer(), kOfferV1);
  server_accepts(state_, "hubchat.v1");
  server_sends(state_, welcome());
  tick();
  EXPECT_FALSE(session_->legacy());
  EXPECT_TRUE(session_->model().connection().joined);
  ASSERT_EQ(state_.sent.size(), 1u);  // the join, on the hubchat.v1 connection only
  EXPECT_NE(state_.sent[0].find("\"type\":\"join\""), std::string::npos);
  EXPECT_TRUE(stored_.empty());
}

TEST_F(DialectFallbackTest, AServerThatIsDownIsRetriedWithBackoffAlternatingAndNeverFlips) {
  connect();
  std::vector<std::vector<std::string>> expected{kOfferV1};
  for (int round = 0; round < 5; ++round) {
    fails("connection refused");
    EXPECT_EQ(session_->state(), ConnectionState::connecting);  // the other offer, at once
    expected.push_back(kOfferNone);
    fails("connection refused");
    EXPECT_EQ(session_->model().connection().attempt, round + 1);
    wait_for_retry();
    expected.push_back(kOfferV1);
  }
  EXPECT_EQ(state_.offered, expected);
  EXPECT_FALSE(session_->dialect().remembered_legacy());
  EXPECT_TRUE(stored_.empty());
  // The relay is back: hubchat.v1.
  opens("hubchat.v1");
  EXPECT_FALSE(session_->legacy());
}

TEST_F(DialectFallbackTest, LwsSeesNoSubprotocolAcceptedAndGoesLegacyAtOnce) {
  connect();
  server_accepts(state_, "");  // the handshake completed without Sec-WebSocket-Protocol
  tick();
  EXPECT_TRUE(session_->legacy());
  EXPECT_TRUE(state_.sent.empty());
  EXPECT_EQ(state_.offered.size(), 1u);
  // The server said so itself, each time: nothing to remember, so the next
  // connection asks for hubchat.v1 again.
  EXPECT_TRUE(stored_.empty());
  server_closes(state_, 1006, "");
  tick();
  wait_for_retry();
  EXPECT_EQ(last_offer(), kOfferV1);
}

TEST_F(DialectFallbackTest, ARememberedLegacyServerIsConnectedWithoutAFailedHandshake) {
  browser_falls_back_to_legacy();
  new_session();  // a fresh page load
  connect();
  ASSERT_EQ(state_.offered, (std::vector<std::vector<std::string>>{kOfferNone}));
  opens("");
  EXPECT_TRUE(session_->legacy());
  EXPECT_EQ(stored_.at(kServer), "legacy 2");
  // Another server is not affected.
  new_session();
  connect("ws://relay.example/ws");
  EXPECT_EQ(last_offer(), kOfferV1);
}

TEST_F(DialectFallbackTest, ARememberedChoiceIsReprobedAfterNLegacyConnections) {
  stored_[kServer] = "legacy " + std::to_string(DialectChooser::kReprobeAfter - 1);
  connect();
  EXPECT_EQ(last_offer(), kOfferNone);
  opens("");
  EXPECT_EQ(stored_.at(kServer), "legacy " + std::to_string(DialectChooser::kReprobeAfter));
  // Due: the next attempt, even on a fresh page load, offers hubchat.v1.
  new_session();
  connect();
  EXPECT_EQ(last_offer(), kOfferV1);
  // Still a gorilla-style server (the browser's handshake fails): checked
  // as on first contact (fail, probe, fail), then legacy, counted anew.
  fails("failed");
  EXPECT_EQ(last_offer(), kOfferNone);
  opens("");
  EXPECT_FALSE(session_->legacy());
  EXPECT_EQ(last_offer(), kOfferV1);
  fails("failed");
  EXPECT_EQ(last_offer(), kOfferNone);
  opens("");
  EXPECT_TRUE(session_->legacy());
  EXPECT_EQ(state_.offered.size(), 4u);
  EXPECT_TRUE(state_.sent.empty());
  EXPECT_EQ(stored_.at(kServer), "legacy 1");
}

TEST_F(DialectFallbackTest, ADueRecheckWhileTheServerIsDownKeepsItDue) {
  stored_[kServer] = "legacy " + std::to_string(DialectChooser::kReprobeAfter);
  connect();
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(last_offer(), kOfferV1);
    fails("connection refused");
    ASSERT_EQ(last_offer(), kOfferNone);
    fails("connection refused");
    wait_for_retry();
  }
  EXPECT_EQ(stored_.at(kServer), "legacy " + std::to_string(DialectChooser::kReprobeAfter));
  // The relay comes up in its place just as a plain attempt goes out: that
  // open is only a probe, and hubchat.v1 follows.
  fails("connection refused");
  opens("");
  EXPECT_FALSE(session_->legacy());
  ASSERT_EQ(last_offer(), kOfferV1);
  opens("hubchat.v1");
  EXPECT_FALSE(session_->legacy());
  EXPECT_TRUE(stored_.empty());
}

TEST_F(DialectFallbackTest, ARememberedChoiceIsForgottenWhenTheServerAcceptsHubchatV1) {
  stored_[kServer] = "legacy " + std::to_string(DialectChooser::kReprobeAfter);
  connect();
  ASSERT_EQ(last_offer(), kOfferV1);
  server_accepts(state_, "hubchat.v1");  // a hubchat relay took the gorilla server's place
  server_sends(state_, welcome());
  tick();
  EXPECT_FALSE(session_->legacy());
  EXPECT_TRUE(session_->model().connection().joined);
  EXPECT_TRUE(stored_.empty());
}

TEST_F(DialectFallbackTest, ARememberedLegacyServerThatFailsIsAskedForHubchatV1Too) {
  // A server that now refuses plain WebSockets but speaks hubchat.v1 (a
  // relay without legacy support) must not be locked out by the memory.
  stored_[kServer] = "legacy 1";
  connect();
  ASSERT_EQ(last_offer(), kOfferNone);
  fails("failed");
  ASSERT_EQ(last_offer(), kOfferV1);
  opens("hubchat.v1");
  EXPECT_FALSE(session_->legacy());
  EXPECT_TRUE(stored_.empty());
}

TEST_F(DialectFallbackTest, ARememberedLegacyServerThatIsDownBacksOffAndStaysRemembered) {
  stored_[kServer] = "legacy 3";
  connect();
  fails("connection refused");
  fails("connection refused");
  wait_for_retry();
  EXPECT_EQ(state_.offered,
            (std::vector<std::vector<std::string>>{kOfferNone, kOfferV1, kOfferNone}));
  EXPECT_TRUE(session_->dialect().remembered_legacy());
  opens("");
  EXPECT_TRUE(session_->legacy());
}

TEST_F(DialectFallbackTest, ATimedOutAttemptSaysNothingAboutTheDialect) {
  connect();
  tick(10s);  // connect_timeout
  EXPECT_EQ(session_->state(), ConnectionState::reconnecting);
  wait_for_retry();
  EXPECT_EQ(state_.offered, (std::vector<std::vector<std::string>>{kOfferV1, kOfferV1}));
}

TEST_F(DialectFallbackTest, TheRelayIsSpokenToInHubchatV1FromTheFirstAttempt) {
  connect();
  server_accepts(state_, "hubchat.v1");
  server_sends(state_, welcome());
  tick();
  EXPECT_FALSE(session_->legacy());
  EXPECT_EQ(state_.offered.size(), 1u);
  EXPECT_NE(session_->model().status_text(now_).find("as mina"), std::string::npos);
  EXPECT_TRUE(stored_.empty());
}

}  // namespace
}  // namespace hubchat::client
