// Abuse controls at, under and over their limits: handshake timeout
// (slowloris), nick and room names, and the total history bound across rooms.
// (Rate limit, per-IP cap and message limits are in limits_test/admission_test.)
#include <poll.h>
#include <sys/socket.h>

#include <string>

#include "tests/integration/relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

// Waits until the relay closes `fd` (EOF or reset); returns how long it took,
// or nullopt if the deadline passed first.
std::optional<std::chrono::milliseconds> time_until_dropped(int fd, Clock::time_point since,
                                                            Deadline deadline) {
  char buffer[256];
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    if (::recv(fd, buffer, sizeof buffer, 0) <= 0)
      return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since);
  }
  return std::nullopt;
}

TEST_F(RelayTest, HandshakeTimeoutDropsStallersButNotPromptClients) {
  ASSERT_TRUE(start_relay({"--handshake-timeout", "2"}));
  const auto start = Clock::now();
  UniqueFd silent = connect_tcp(port());
  UniqueFd trickling = connect_tcp(port());
  ASSERT_TRUE(silent.valid() && trickling.valid());
  const std::string partial = "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  ASSERT_EQ(::send(trickling.get(), partial.data(), partial.size(), MSG_NOSIGNAL),
            static_cast<ssize_t>(partial.size()));

  // Under the limit: a client that completes its handshake at once is served
  // and stays connected past the timeout.
  LosslessClient prompt;
  ASSERT_TRUE(prompt.connect_and_join(port(), "slow", "prompt"));

  auto silent_dropped = time_until_dropped(silent.get(), start, deadline_in(8s));
  auto trickling_dropped = time_until_dropped(trickling.get(), start, deadline_in(8s));
  ASSERT_TRUE(silent_dropped) << "a connection that sent nothing was never dropped";
  ASSERT_TRUE(trickling_dropped) << "a connection stuck in its headers was never dropped";
  // Over the limit: dropped at about 2 s, not at once and not at lws's default 10 s.
  EXPECT_GE(silent_dropped->count(), 1500);
  EXPECT_LE(silent_dropped->count(), 5000);
  EXPECT_GE(trickling_dropped->count(), 1500);
  EXPECT_LE(trickling_dropped->count(), 5000);

  ASSERT_TRUE(prompt.send_msg("still here"));
  EXPECT_TRUE(
      prompt.wait_for([](const Event& e) { return e.type == EventType::msg; }, deadline_in(5s)))
      << prompt.end().describe();
}

std::optional<Event> join_and_wait_reply(LosslessClient& c, const std::string& room,
                                         const std::string& nick) {
  if (!c.send_join(room, nick)) return std::nullopt;
  return c.wait_for(
      [](const Event& e) { return e.type == EventType::welcome || e.type == EventType::error; },
      deadline_in(5s));
}

TEST_F(RelayTest, NickLengthAtUnderAndOverTheLimit) {
  ASSERT_TRUE(start_relay());
  LosslessClient c;
  ASSERT_TRUE(c.connect(port()).upgraded());
  auto over = join_and_wait_reply(c, "names", std::string(33, 'n'));
  ASSERT_TRUE(over);
  EXPECT_EQ(over->type, EventType::error);
  EXPECT_EQ(over->code, "bad_name");
  auto at = join_and_wait_reply(c, "names", std::string(32, 'n'));
  ASSERT_TRUE(at);
  EXPECT_EQ(at->type, EventType::welcome);
  EXPECT_EQ(at->nick, std::string(32, 'n'));
  auto under = join_and_wait_reply(c, "names", std::string(31, 'u'));
  ASSERT_TRUE(under);
  EXPECT_EQ(under->type, EventType::welcome);
  // A taken nick at the limit gets a suffix and still fits the limit.
  LosslessClient d;
  auto twin = d.connect_and_join(port(), "names", std::string(31, 'u'));
  ASSERT_TRUE(twin);
  EXPECT_EQ(twin->nick, std::string(30, 'u') + "-2");  // cut to 32 bytes
}

TEST_F(RelayTest, RoomLengthAtUnderAndOverTheLimit) {
  ASSERT_TRUE(start_relay());
  LosslessClient c;
  ASSERT_TRUE(c.connect(port()).upgraded());
  auto over = join_and_wait_reply(c, std::string(65, 'r'), "a");
  ASSERT_TRUE(over);
  EXPECT_EQ(over->code, "bad_name");
  auto at = join_and_wait_reply(c, std::string(64, 'r'), "a");
  ASSERT_TRUE(at);
  EXPECT_EQ(at->type, EventType::welcome);
  auto under = join_and_wait_reply(c, std::string(63, 'r'), "a");
  ASSERT_TRUE(under);
  EXPECT_EQ(under->type, EventType::welcome);
}

TEST_F(RelayTest, NamesWithControlOrBidiCharactersAreRefused) {
  ASSERT_TRUE(start_relay());
  LosslessClient c;
  ASSERT_TRUE(c.connect(port()).upgraded());
  for (const std::string& nick : {std::string("evil\xE2\x80\xAEnmi"), std::string("tab\tbed"),
                                  std::string("iso\xE2\x81\xA6x"), std::string(" lead")}) {
    auto reply = join_and_wait_reply(c, "names", nick);
    ASSERT_TRUE(reply) << nick;
    EXPECT_EQ(reply->type, EventType::error) << nick;
    EXPECT_EQ(reply->code, "bad_name") << nick;
  }
  auto hangul = join_and_wait_reply(c, "방", "민아");
  ASSERT_TRUE(hangul);
  EXPECT_EQ(hangul->type, EventType::welcome);
  EXPECT_EQ(hangul->nick, "민아");
  // Renaming follows the same rules and keeps the connection.
  Event rename;
  rename.type = EventType::nick;
  rename.nick = "bad\nname";
  ASSERT_TRUE(c.send_event(rename));
  auto refused =
      c.wait_for([](const Event& e) { return e.type == EventType::error; }, deadline_in(5s));
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->code, "bad_name");
}

// Posts `count` messages of `size` body bytes to `room` and waits for their echo.
void post_and_wait(LosslessClient& c, int count, std::size_t size) {
  for (int i = 0; i < count; ++i) {
    std::string body = std::to_string(i) + ":" + std::string(size, 'h');
    ASSERT_TRUE(c.send_msg(body));
    ASSERT_TRUE(
        c.wait_for([&](const Event& e) { return e.type == EventType::msg && e.body == body; },
                   deadline_in(5s)))
        << c.end().describe();
  }
}

TEST_F(RelayTest, TotalHistoryBoundForgetsIdleRoomsFirst) {
  constexpr std::size_t kBound = 64 * 1024;
  ASSERT_TRUE(start_relay({"--history-total-bytes", std::to_string(kBound), "--rate-limit", "0"}));
  auto history_bytes = [&] { return *metric(relay().metrics_text(), "hubchat_history_bytes"); };
  auto rooms = [&] { return *metric(relay().metrics_text(), "hubchat_rooms"); };

  // Under the bound: an idle room keeps its history.
  {
    LosslessClient old_room;
    ASSERT_TRUE(old_room.connect_and_join(port(), "old", "a"));
    post_and_wait(old_room, 10, 1000);  // ~20 KB with both encodings
  }
  LosslessClient busy;
  ASSERT_TRUE(busy.connect_and_join(port(), "busy", "b"));
  post_and_wait(busy, 5, 1000);
  ASSERT_EQ(wait_metric(
                "hubchat_rooms", [](double v) { return v == 2; }, deadline_in(5s))
                .value_or(-1),
            2);
  EXPECT_LE(history_bytes(), kBound);
  {
    LosslessClient peek;
    auto welcome = peek.connect_and_join(port(), "old", "peek");
    ASSERT_TRUE(welcome);
    ASSERT_TRUE(peek.collect_until(
        [](const std::vector<Event>& h) {
          std::size_t msgs = 0;
          for (const Event& e : h) msgs += e.type == EventType::msg;
          return msgs == 10;
        },
        deadline_in(5s)))
        << "the idle room lost history while under the bound";
  }

  // Over the bound: the idle room is forgotten, and the busy room's own history
  // is trimmed so the total stays within the bound.
  post_and_wait(busy, 60, 1000);  // ~120 KB more
  EXPECT_LE(history_bytes(), kBound);
  EXPECT_EQ(rooms(), 1);
  LosslessClient back;
  auto fresh = back.connect_and_join(port(), "old", "back");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->seq, fresh->first) << "a forgotten room comes back with no history";
  // Seqs of the new room never repeat those of the forgotten one.
  EXPECT_GT(fresh->first, 11u);
  EXPECT_FALSE(busy.end().ended()) << busy.end().describe();
}

}  // namespace
}  // namespace hubchat::test
