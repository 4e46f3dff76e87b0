// ChatSession over an in-memory Transport and a fake clock: join on open,
// resume with `since` after a drop (no loss, no duplicates), backoff schedule,
// legacy fallback, room switch, rename, disconnect, connect timeout, URLs.
#include "client/session/chat_session.hpp"

#include <gtest/gtest.h>

#include "fake_transport.hpp"
#include "shared/lossless_codec.hpp"

namespace hubchat::client {
namespace {

using namespace std::chrono_literals;
using testing::FakeTransport;
using testing::server_accepts;
using testing::server_closes;
using testing::server_sends;

constexpr std::string_view kV1 = "hubchat.v1";

Event decode(const std::string& line) {
  Event event;
  lossless::DecodeError error;
  EXPECT_TRUE(lossless::decode(line, event, error)) << line << ": " << error.message;
  return event;
}

std::string encode(const Event& e) {
  return lossless::encode(e);
}

std::string welcome(std::string room, Seq next, std::vector<std::string> members,
                    std::uint64_t epoch = 1000, std::string nick = "mina") {
  Event e;
  e.type = EventType::welcome;
  e.room = std::move(room);
  e.nick = std::move(nick);
  e.epoch = epoch;
  e.seq = next;
  e.first = 1;
  e.members = std::move(members);
  return encode(e);
}

std::string msg(std::string room, Seq seq, std::string from, std::string body) {
  Event e;
  e.type = EventType::msg;
  e.room = std::move(room);
  e.seq = seq;
  e.ts = 1;
  e.from = std::move(from);
  e.body = std::move(body);
  return encode(e);
}

class ChatSessionTest : public ::testing::Test {
 protected:
  ChatSessionTest() { restart_session(0.5); }

  // A session whose backoff always draws `random` (full jitter: delay =
  // random * ceiling).
  void restart_session(double random) {
    session_.reset();
    state_ = FakeTransport::State{};
    session_ = std::make_unique<ChatSession>(std::make_unique<FakeTransport>(state_),
                                             ChatSession::Options{}, [random] { return random; });
  }

  void connect(std::string room = "lobby") {
    session_->connect(ConnectParams{"ws://relay:8080/ws", "mina", std::move(room)}, now_);
  }

  // Opens the connection, answers the join with a welcome and ticks.
  void open_and_welcome(std::string frame_after_open) {
    server_accepts(state_, std::string{kV1});
    server_sends(state_, std::move(frame_after_open));
    tick();
  }

  void tick(std::chrono::milliseconds advance = 0ms) {
    now_ += advance;
    session_->tick(now_);
  }

  std::vector<Seq> seqs(std::string_view room) const {
    std::vector<Seq> out;
    for (const Line& line : session_->model().find_room(room)->lines()) out.push_back(line.seq);
    return out;
  }

  FakeTransport::State state_;
  std::unique_ptr<ChatSession> session_;
  TimePoint now_{std::chrono::seconds{1000}};
};

TEST_F(ChatSessionTest, OffersTheSubprotocolAndJoinsOnOpen) {
  connect();
  EXPECT_EQ(session_->state(), ConnectionState::connecting);
  ASSERT_EQ(state_.urls.size(), 1u);
  EXPECT_EQ(state_.urls[0], "ws://relay:8080/ws?room=lobby&nick=mina");
  EXPECT_EQ(state_.offered[0], (std::vector<std::string>{"hubchat.v1"}));
  EXPECT_TRUE(state_.sent.empty());

  server_accepts(state_, std::string{kV1});
  tick();
  EXPECT_EQ(session_->state(), ConnectionState::connected);
  EXPECT_FALSE(session_->model().connection().joined);
  ASSERT_EQ(state_.sent.size(), 1u);
  const Event join = decode(state_.sent[0]);
  EXPECT_EQ(join.type, EventType::join);
  EXPECT_EQ(join.room, "lobby");
  EXPECT_EQ(join.nick, "mina");
  EXPECT_FALSE(join.has_since);  // first visit: the whole history

  server_sends(state_, welcome("lobby", 2, {"jun", "mina"}) + "\n" + msg("lobby", 1, "jun", "hi"));
  tick();
  EXPECT_TRUE(session_->model().connection().joined);
  EXPECT_EQ(session_->model().joined_room(), "lobby");
  EXPECT_EQ(session_->model().find_room("lobby")->members(),
            (std::vector<std::string>{"jun", "mina"}));
  EXPECT_EQ(seqs("lobby"), (std::vector<Seq>{1}));
}

TEST_F(ChatSessionTest, ResumesFromTheLastSeqAfterADropWithoutLossOrDuplicates) {
  connect();
  open_and_welcome(welcome("lobby", 1, {"mina"}));
  server_sends(state_, msg("lobby", 1, "jun", "a") + "\n" + msg("lobby", 2, "jun", "b") + "\n" +
                           msg("lobby", 3, "jun", "c"));
  tick();

  server_closes(state_, 1001, "relay shutting down");
  tick();
  EXPECT_EQ(session_->state(), ConnectionState::reconnecting);
  EXPECT_EQ(session_->model().connection().attempt, 1);
  EXPECT_EQ(session_->model().connection().last_error, "closed (1001 relay shutting down)");
  EXPECT_EQ(session_->model().connection().next_retry, now_ + 250ms);  // 0.5 * 500 ms

  tick(249ms);
  EXPECT_EQ(session_->state(), ConnectionState::reconnecting);
  EXPECT_EQ(state_.urls.size(), 1u);
  tick(1ms);
  EXPECT_EQ(session_->state(), ConnectionState::connecting);
  ASSERT_EQ(state_.urls.size(), 2u);

  state_.sent.clear();
  server_accepts(state_, std::string{kV1});
  tick();
  ASSERT_EQ(state_.sent.size(), 1u);
  const Event join = decode(state_.sent[0]);
  EXPECT_TRUE(join.has_since);
  EXPECT_EQ(join.since, 3u);
  EXPECT_EQ(join.epoch, 1000u);

  // The relay replays from since+1; suppose it also overlaps by one.
  server_sends(state_, welcome("lobby", 6, {"jun", "mina"}) + "\n" + msg("lobby", 3, "jun", "c") +
                           "\n" + msg("lobby", 4, "jun", "d") + "\n" + msg("lobby", 5, "ara", "e"));
  tick();
  EXPECT_EQ(seqs("lobby"), (std::vector<Seq>{1, 2, 3, 4, 5}));
  EXPECT_EQ(session_->model().connection().attempt, 0);
}

TEST_F(ChatSessionTest, BackoffGrowsAcrossFailuresAndResetsOnWelcome) {
  connect();
  std::vector<std::chrono::milliseconds> delays;
  for (int i = 0; i < 7; ++i) {
    // A first failure before open is retried at once without the
    // subprotocol (to a browser, "down" and "rejected hubchat.v1" look the
    // same: see dialect_fallback_test.cpp); only the second backs off.
    testing::connection_fails(state_, "connection refused");
    tick();
    ASSERT_EQ(session_->state(), ConnectionState::connecting);
    ASSERT_TRUE(state_.offered.back().empty());
    testing::connection_fails(state_, "connection refused");
    tick();
    ASSERT_EQ(session_->state(), ConnectionState::reconnecting);
    const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(
        session_->model().connection().next_retry - now_);
    delays.push_back(delay);
    tick(delay);
    ASSERT_EQ(session_->state(), ConnectionState::connecting);
    ASSERT_EQ(state_.offered.back(), (std::vector<std::string>{"hubchat.v1"}));
  }
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{250ms, 500ms, 1000ms, 2000ms, 4000ms,
                                                            7500ms, 7500ms}));
  EXPECT_EQ(session_->model().connection().last_error, "connection refused");
  EXPECT_EQ(session_->model().connection().attempt, 7);

  // An open that is closed before welcome ("server full") is not a success.
  server_accepts(state_, std::string{kV1});
  server_closes(state_, 1013, "server full");
  tick();
  EXPECT_EQ(session_->model().connection().next_retry - now_, 7500ms);
  tick(7500ms);
  open_and_welcome(welcome("lobby", 1, {"mina"}));
  server_closes(state_, 1006, "");
  tick();
  EXPECT_EQ(session_->model().connection().next_retry - now_, 250ms);
}

TEST_F(ChatSessionTest, FallsBackToTheLegacyDialectWhenNoSubprotocolIsAccepted) {
  connect();
  server_accepts(state_, "");  // gorilla-style server
  tick();
  EXPECT_TRUE(session_->legacy());
  EXPECT_TRUE(session_->model().connection().legacy);
  EXPECT_TRUE(state_.sent.empty());  // no join: room and nick are in the URL

  EXPECT_TRUE(session_->send_message("hello\nthere"));
  ASSERT_EQ(state_.sent.size(), 1u);
  EXPECT_EQ(state_.sent[0], "hello\nthere");  // raw text frame, as gorilla expects

  server_sends(state_, "hello there\nsecond");
  tick();
  const auto& lines = session_->model().find_room("lobby")->lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].body, "hello there");
  EXPECT_EQ(lines[1].body, "second");

  // The room lives in a legacy server's URL: switching reconnects.
  session_->switch_room("dev");
  ASSERT_EQ(state_.urls.size(), 2u);
  EXPECT_EQ(state_.urls[1], "ws://relay:8080/ws?room=dev&nick=mina");
  EXPECT_EQ(session_->state(), ConnectionState::connecting);
  EXPECT_EQ(session_->model().active_room(), "dev");
}

TEST_F(ChatSessionTest, SendsMessagesAsLosslessEventsWithNewlinesIntact) {
  EXPECT_FALSE(session_->send_message("too early"));
  connect();
  open_and_welcome(welcome("lobby", 1, {"mina"}));
  state_.sent.clear();
  EXPECT_FALSE(session_->send_message(" \n\t"));
  EXPECT_FALSE(session_->send_message(std::string{"bad \xff utf8"}));
  EXPECT_TRUE(session_->send_message("line one\nline two 안녕"));
  ASSERT_EQ(state_.sent.size(), 1u);
  const Event sent = decode(state_.sent[0]);
  EXPECT_EQ(sent.type, EventType::msg);
  EXPECT_EQ(sent.body, "line one\nline two 안녕");
}

TEST_F(ChatSessionTest, SwitchingRoomsJoinsWithThatRoomsSince) {
  connect();
  open_and_welcome(welcome("lobby", 1, {"mina"}));
  server_sends(state_, msg("lobby", 1, "jun", "a") + "\n" + msg("lobby", 2, "jun", "b"));
  tick();

  state_.sent.clear();
  session_->switch_room("dev");
  EXPECT_EQ(session_->model().active_room(), "dev");
  ASSERT_EQ(state_.sent.size(), 1u);
  Event join = decode(state_.sent[0]);
  EXPECT_EQ(join.room, "dev");
  EXPECT_FALSE(join.has_since);
  EXPECT_TRUE(join.nick.empty());  // keeps the granted nick
  server_sends(state_, welcome("dev", 1, {"mina"}));
  server_sends(state_, msg("lobby", 3, "jun", "late, for the old room"));
  tick();
  EXPECT_EQ(session_->model().find_room("lobby")->unread(), 1);

  state_.sent.clear();
  session_->switch_room("lobby");
  EXPECT_EQ(session_->model().find_room("lobby")->unread(), 0);
  join = decode(state_.sent.at(0));
  EXPECT_EQ(join.room, "lobby");
  EXPECT_TRUE(join.has_since);
  EXPECT_EQ(join.since, 3u);
}

TEST_F(ChatSessionTest, RenameSendsANickEventAndAdoptsTheGrantedNick) {
  connect();
  open_and_welcome(welcome("lobby", 1, {"mina"}));
  state_.sent.clear();
  session_->rename("minji");
  ASSERT_EQ(state_.sent.size(), 1u);
  const Event nick = decode(state_.sent[0]);
  EXPECT_EQ(nick.type, EventType::nick);
  EXPECT_EQ(nick.nick, "minji");
  Event granted;
  granted.type = EventType::nick;
  granted.room = "lobby";
  granted.seq = 1;
  granted.from = "mina";
  granted.nick = "minji";
  server_sends(state_, encode(granted));
  tick();
  EXPECT_EQ(session_->model().nick(), "minji");
  EXPECT_EQ(session_->model().find_room("lobby")->members(), (std::vector<std::string>{"minji"}));

  // The next connection asks for the new nick.
  server_closes(state_, 1006, "");
  tick();
  tick(10s);
  EXPECT_EQ(state_.urls.back(), "ws://relay:8080/ws?room=lobby&nick=minji");
}

TEST_F(ChatSessionTest, RenameAfterARefusedJoinJoinsAgainWithTheNewNick) {
  connect();
  Event refused;
  refused.type = EventType::error;
  refused.code = "bad_name";
  refused.message = "nick contains control characters";
  open_and_welcome(encode(refused));
  EXPECT_FALSE(session_->model().connection().joined);
  EXPECT_EQ(session_->model().last_error(), "bad_name: nick contains control characters");
  state_.sent.clear();
  session_->rename("minji");
  ASSERT_EQ(state_.sent.size(), 1u);
  const Event join = decode(state_.sent[0]);
  EXPECT_EQ(join.type, EventType::join);
  EXPECT_EQ(join.room, "lobby");
  EXPECT_EQ(join.nick, "minji");
}

TEST_F(ChatSessionTest, DisconnectStopsRetrying) {
  connect();
  open_and_welcome(welcome("lobby", 1, {"mina"}));
  session_->disconnect();
  EXPECT_EQ(session_->state(), ConnectionState::disconnected);
  EXPECT_EQ(state_.closes, 1);
  EXPECT_EQ(session_->model().joined_room(), "");
  tick(60s);
  EXPECT_EQ(session_->state(), ConnectionState::disconnected);
  EXPECT_EQ(state_.urls.size(), 1u);
  EXPECT_FALSE(session_->send_message("nobody hears"));
}

TEST_F(ChatSessionTest, AbandonsAConnectionAttemptThatHangs) {
  connect();
  tick(9s);
  EXPECT_EQ(session_->state(), ConnectionState::connecting);
  tick(1s);
  EXPECT_EQ(session_->state(), ConnectionState::reconnecting);
  EXPECT_EQ(state_.closes, 1);
  EXPECT_EQ(session_->model().connection().last_error, "connection attempt timed out");
}

TEST_F(ChatSessionTest, InvalidUrlIsReportedNotRetried) {
  session_->connect(ConnectParams{"ftp://nope", "mina", "lobby"}, now_);
  EXPECT_EQ(session_->state(), ConnectionState::disconnected);
  EXPECT_NE(session_->model().connection().last_error.find("invalid server URL"),
            std::string::npos);
  tick(60s);
  EXPECT_TRUE(state_.urls.empty());
}

TEST_F(ChatSessionTest, RelayRestartIsShownAndSeqsStartOver) {
  connect();
  open_and_welcome(welcome("lobby", 1, {"mina"}, /*epoch=*/1000));
  server_sends(state_, msg("lobby", 1, "jun", "old"));
  tick();
  server_closes(state_, 1001, "relay shutting down");
  tick();
  tick(1s);
  state_.sent.clear();
  Event missed;
  missed.type = EventType::missed;
  missed.room = "lobby";
  missed.reason = "restart";
  open_and_welcome(welcome("lobby", 2, {"jun", "mina"}, /*epoch=*/2000) + "\n" + encode(missed) +
                   "\n" + msg("lobby", 1, "jun", "new"));
  const Event join = decode(state_.sent.at(0));
  EXPECT_EQ(join.epoch, 1000u);
  std::vector<std::string> bodies;
  for (const Line& line : session_->model().find_room("lobby")->lines())
    bodies.push_back(line.body);
  EXPECT_EQ(bodies,
            (std::vector<std::string>{"old", "the relay restarted, history was lost", "new"}));
}

TEST_F(ChatSessionTest, IgnoresUndecodableLines) {
  connect();
  open_and_welcome(welcome("lobby", 1, {"mina"}) + "\n{\"type\":\"future_thing\"}\nnot json\n" +
                   msg("lobby", 1, "jun", "still here"));
  EXPECT_EQ(seqs("lobby"), (std::vector<Seq>{1}));
}

TEST(BuildConnectUrl, AddsRoomAndNickQuery) {
  EXPECT_EQ(build_connect_url("ws://h:8080/ws", "lobby", "mina"),
            "ws://h:8080/ws?room=lobby&nick=mina");
  EXPECT_EQ(build_connect_url("ws://h:8080", "lobby", ""), "ws://h:8080/ws?room=lobby");
  EXPECT_EQ(build_connect_url("h:8080/chat", "a b", "민아"),
            "ws://h:8080/chat?room=a%20b&nick=%EB%AF%BC%EC%95%84");
  EXPECT_EQ(build_connect_url("http://h/ws?token=x&room=old#frag", "new", "n"),
            "ws://h/ws?token=x&room=new&nick=n");
  EXPECT_EQ(build_connect_url("HTTPS://h/ws", "r", ""), "wss://h/ws?room=r");
  EXPECT_EQ(build_connect_url("ws://[::1]:8080/ws", "r", ""), "ws://[::1]:8080/ws?room=r");
}

}  // namespace
}  // namespace hubchat::client
