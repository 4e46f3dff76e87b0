// ChatSession over an in-memory Transport and a fake clock: join on open,
// resume with `since` after a drop (no loss, no duplicates), backoff schedule,
// legacy fallback, room switch, rename, disconnect, connect timeout, URLs, and
// fetching the member list (pages one at a time, refetch after a presence
// summary at most every 5 s, cancelled by a room switch or reconnect).
#include "client/session/chat_session.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>

#include "shared/lossless_codec.hpp"
#include "tests/support/events.hpp"
#include "tests/unit/client/relay_events.hpp"
#include "tests/unit/client/session_fixture.hpp"

namespace hubchat::client {
namespace {

using namespace std::chrono_literals;
using testing::numbered_nicks;
using testing::server_accepts;
using testing::server_closes;
using testing::server_sends;
using testing::SessionFixture;
using testing::slice;

constexpr std::string_view kV1 = "hubchat.v1";

using hubchat::test::decode;

std::string encode(const Event& e) {
  return lossless::encode(e);
}

std::string welcome(std::string room, Seq next, std::vector<std::string> members,
                    std::uint64_t epoch = 1000, std::string nick = "mina") {
  return encode(
      testing::welcome(std::move(room), next, std::move(members), epoch, std::move(nick)));
}

// A welcome with the first page of a larger list (`more`: pages follow).
std::string welcome_page(std::string room, std::vector<std::string> page, std::uint64_t count,
                         bool more) {
  return encode(testing::welcome_page(std::move(room), std::move(page), count, more));
}

// The relay's reply to {"type":"members","after":after}.
std::string members_page(std::string room, std::string after, std::vector<std::string> page,
                         std::uint64_t count, bool more) {
  return encode(testing::page(std::move(room), std::move(after), std::move(page), count, more));
}

std::string presence(EventType type, std::string room, std::string nick, std::uint64_t count) {
  return encode(testing::presence(type, std::move(room), std::move(nick), count));
}

std::string summary(std::string room, std::uint64_t count) {
  return encode(testing::summary(std::move(room), count));
}

std::string refusal(std::string code) {
  Event e;
  e.type = EventType::error;
  e.code = std::move(code);
  e.message = "slow down";
  return encode(e);
}

std::string msg(std::string room, Seq seq, std::string from, std::string body) {
  return encode(testing::msg(std::move(room), seq, std::move(from), std::move(body)));
}

class ChatSessionTest : public SessionFixture {
 protected:
  ChatSessionTest() { restart_session(0.5); }

  // A session whose backoff always draws `random` (full jitter: delay =
  // random * ceiling).
  void restart_session(double random) {
    start_session([random] { return random; });
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

  // Renames to `nick`; the one event that sent (nullopt, failing the test,
  // when it sent none or more than one).
  std::optional<Event> sent_by_rename(const std::string& nick) {
    state_.sent.clear();
    session_->rename(nick);
    if (state_.sent.size() != 1u) {
      ADD_FAILURE() << "rename sent " << state_.sent.size() << " events, not one";
      return std::nullopt;
    }
    return decode(state_.sent[0]);
  }

  // The `members` requests sent since the last clear of state_.sent.
  std::vector<Event> members_requests() const {
    std::vector<Event> out;
    for (const std::string& text : state_.sent) {
      Event event = decode(text);
      if (event.type == EventType::members) out.push_back(std::move(event));
    }
    return out;
  }

  const Room& room(std::string_view name) const { return *session_->model().find_room(name); }

  std::vector<Seq> seqs(std::string_view room) const {
    std::vector<Seq> out;
    for (const Line& line : session_->model().find_room(room)->lines()) out.push_back(line.seq);
    return out;
  }
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
  EXPECT_EQ(session_->model().find_room("lobby")->member_count(), 2u);
  EXPECT_EQ(seqs("lobby"), (std::vector<Seq>{1}));
  EXPECT_EQ(state_.sent.size(), 1u);  // the whole list came with the welcome: nothing to fetch
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
  const auto nick = sent_by_rename("minji");
  ASSERT_TRUE(nick);
  EXPECT_EQ(nick->type, EventType::nick);
  EXPECT_EQ(nick->nick, "minji");
  server_sends(state_, encode(testing::rename("lobby", "mina", "minji")));
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
  const auto join = sent_by_rename("minji");
  ASSERT_TRUE(join);
  EXPECT_EQ(join->type, EventType::join);
  EXPECT_EQ(join->room, "lobby");
  EXPECT_EQ(join->nick, "minji");
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

TEST_F(ChatSessionTest, FetchesTheRestOfATenThousandMemberRoomOnePageAtATime) {
  const std::vector<std::string> all = numbered_nicks(10000);
  connect("big");
  open_and_welcome(welcome_page("big", slice(all, 0, 200), 10000, true));
  EXPECT_EQ(room("big").member_count(), 10000u);

  std::size_t from = 200;
  int pages = 0;
  while (from < all.size()) {
    // Exactly one request in flight, asking for what follows the last page.
    const std::vector<Event> asked = members_requests();
    ASSERT_EQ(asked.size(), 1u) << "page " << pages;
    EXPECT_EQ(asked[0].after, all[from - 1]);
    state_.sent.clear();
    tick(100ms);  // no reply yet: nothing more is asked
    ASSERT_TRUE(members_requests().empty());

    const std::size_t to = std::min(from + 500, all.size());
    server_sends(state_,
                 members_page("big", all[from - 1], slice(all, from, to), 10000, to < all.size()));
    tick();
    ++pages;
    from = to;
  }
  EXPECT_EQ(pages, 20);                     // 9,800 nicks in pages of 500
  EXPECT_TRUE(members_requests().empty());  // the last page said no more
  tick(10s);
  EXPECT_TRUE(state_.sent.empty());
  EXPECT_EQ(room("big").members(), all);
  EXPECT_EQ(room("big").member_count(), 10000u);
  EXPECT_TRUE(room("big").members_complete());
}

TEST_F(ChatSessionTest, PresenceAroundPagesGivesTheRelaysList) {
  connect("r");
  open_and_welcome(welcome_page("r", {"a", "b"}, 6, true));
  ASSERT_EQ(members_requests().size(), 1u);
  EXPECT_EQ(members_requests()[0].after, "b");
  state_.sent.clear();
  // In one frame: "c left" (before the relay made the page, so the page
  // lacks c), the page, then "d left" and "x joined", made after it.
  server_sends(state_, presence(EventType::leave, "r", "c", 5) + "\n" +
                           members_page("r", "b", {"d", "e"}, 5, true) + "\n" +
                           presence(EventType::leave, "r", "d", 4) + "\n" +
                           presence(EventType::join, "r", "x", 5));
  tick();
  EXPECT_EQ(room("r").members(), (std::vector<std::string>{"a", "b", "e", "x"}));
  ASSERT_EQ(members_requests().size(), 1u);
  EXPECT_EQ(members_requests()[0].after, "e");
  server_sends(state_, members_page("r", "e", {"f", "x"}, 5, false));
  tick();
  EXPECT_EQ(room("r").members(), (std::vector<std::string>{"a", "b", "e", "f", "x"}));
  EXPECT_EQ(room("r").member_count(), 5u);
  EXPECT_TRUE(room("r").members_complete());
  // Presence lines are in the log, after the welcome's (empty) history.
  std::vector<std::string> lines;
  for (const Line& line : room("r").lines()) lines.push_back(describe(line));
  EXPECT_EQ(lines, (std::vector<std::string>{"c left", "d left", "x joined"}));
}

TEST_F(ChatSessionTest, PresenceSummaryRefetchesTheListAtMostOnceInFiveSeconds) {
  connect("r");
  open_and_welcome(welcome("r", 1, {"a", "b", "mina"}));
  state_.sent.clear();

  server_sends(state_, summary("r", 40));
  tick();
  EXPECT_EQ(room("r").member_count(), 40u);
  EXPECT_FALSE(room("r").members_complete());
  std::vector<Event> asked = members_requests();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].after, "");  // the whole list, from the start
  EXPECT_EQ(state_.sent[0], R"({"type":"members"})");

  // More summaries while that fetch is out: still one request in flight.
  state_.sent.clear();
  server_sends(state_, summary("r", 41) + "\n" + summary("r", 42));
  tick(1s);
  EXPECT_TRUE(members_requests().empty());

  // Its reply arrives 2 s after it was asked. The list changed again since
  // (those summaries), but a second full refetch waits for the 5 s mark.
  tick(1s);
  server_sends(state_, members_page("r", "", {"a", "mina", "z"}, 42, false));
  tick();
  EXPECT_EQ(room("r").members(), (std::vector<std::string>{"a", "mina", "z"}));
  tick(2999ms);
  EXPECT_TRUE(members_requests().empty());
  tick(1ms);  // 5 s after the first refetch was asked
  asked = members_requests();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].after, "");

  // Done, and no summary since: nothing more is asked, however long we wait.
  state_.sent.clear();
  server_sends(state_, members_page("r", "", {"a", "mina"}, 2, false));
  tick();
  tick(60s);
  EXPECT_TRUE(state_.sent.empty());
  EXPECT_TRUE(room("r").members_complete());
  EXPECT_EQ(room("r").members(), (std::vector<std::string>{"a", "mina"}));
}

TEST_F(ChatSessionTest, ASummaryDuringAPassLetsItFinishThenRefetches) {
  connect("r");
  open_and_welcome(welcome_page("r", {"a"}, 3, true));
  state_.sent.clear();
  server_sends(state_, summary("r", 30) + "\n" + members_page("r", "a", {"b"}, 30, true));
  tick();
  // The pass continues (its pages are still the truth for their ranges).
  ASSERT_EQ(members_requests().size(), 1u);
  EXPECT_EQ(members_requests()[0].after, "b");
  state_.sent.clear();
  server_sends(state_, members_page("r", "b", {"c"}, 30, false));
  tick();
  // Then, there having been no full refetch yet, one starts at once.
  ASSERT_EQ(members_requests().size(), 1u);
  EXPECT_EQ(members_requests()[0].after, "");
  EXPECT_FALSE(room("r").members_complete());
}

TEST_F(ChatSessionTest, RoomSwitchAndReconnectCancelAFetchInProgress) {
  connect("big");
  open_and_welcome(welcome_page("big", {"a", "b"}, 900, true));
  ASSERT_EQ(members_requests().size(), 1u);

  // Switch rooms with that page still out: its reply (which the relay sends
  // before the new welcome) asks for nothing more.
  state_.sent.clear();
  session_->switch_room("dev");
  server_sends(state_, members_page("big", "b", {"c", "d"}, 900, true));
  tick();
  EXPECT_TRUE(members_requests().empty());
  server_sends(state_, welcome("dev", 1, {"mina"}));
  tick(10s);
  EXPECT_TRUE(members_requests().empty());
  EXPECT_TRUE(room("dev").members_complete());

  // Back in the big room, then the connection drops mid-fetch.
  session_->switch_room("big");
  server_sends(state_, welcome_page("big", {"a", "b"}, 900, true));
  tick();
  ASSERT_EQ(members_requests().size(), 1u);
  server_closes(state_, 1006, "");
  tick();
  tick(10s);
  ASSERT_EQ(session_->state(), ConnectionState::connecting);
  // The new connection asks for nothing until its own welcome says so.
  state_.sent.clear();
  server_accepts(state_, std::string{kV1});
  tick();
  EXPECT_TRUE(members_requests().empty());
  server_sends(state_, welcome_page("big", {"a", "c"}, 900, true));
  tick();
  ASSERT_EQ(members_requests().size(), 1u);
  EXPECT_EQ(members_requests()[0].after, "c");
}

TEST_F(ChatSessionTest, AWelcomeForARoomAlreadyLeftFetchesNothing) {
  connect("big");
  server_accepts(state_, std::string{kV1});
  tick();
  session_->switch_room("dev");  // before big's welcome came
  state_.sent.clear();
  server_sends(state_, welcome_page("big", {"a", "b"}, 900, true));
  tick();
  // A members request now would be answered for dev, after big's nick "b".
  EXPECT_TRUE(members_requests().empty());
  server_sends(state_, welcome_page("dev", {"c"}, 2, true));
  tick();
  ASSERT_EQ(members_requests().size(), 1u);
  EXPECT_EQ(members_requests()[0].after, "c");
}

TEST_F(ChatSessionTest, ARateLimitedFetchIsAskedAgainASecondLater) {
  connect("r");
  open_and_welcome(welcome_page("r", {"a"}, 3, true));
  ASSERT_EQ(members_requests().size(), 1u);
  state_.sent.clear();
  server_sends(state_, refusal("rate_limited"));
  tick();
  EXPECT_TRUE(members_requests().empty());
  tick(999ms);
  EXPECT_TRUE(members_requests().empty());
  tick(1ms);
  ASSERT_EQ(members_requests().size(), 1u);
  EXPECT_EQ(members_requests()[0].after, "a");
  server_sends(state_, members_page("r", "a", {"b", "mina"}, 3, false));
  tick();
  EXPECT_TRUE(room("r").members_complete());
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
