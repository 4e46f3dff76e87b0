// ChatModel: ordering by seq, duplicate suppression on resume, presence (and
// replay not changing it), unread counts, missed notices, epochs, legacy mode,
// status text.
#include "client/model/chat_model.hpp"

#include <gtest/gtest.h>

namespace hubchat::client {
namespace {

Event welcome(std::string room, Seq next_seq, std::vector<std::string> members,
              std::uint64_t epoch = 1000, std::string nick = "mina") {
  Event e;
  e.type = EventType::welcome;
  e.room = std::move(room);
  e.nick = std::move(nick);
  e.epoch = epoch;
  e.seq = next_seq;
  e.first = 1;
  e.members = std::move(members);
  return e;
}

Event msg(std::string room, Seq seq, std::string from, std::string body) {
  Event e;
  e.type = EventType::msg;
  e.room = std::move(room);
  e.seq = seq;
  e.ts = 1764000000000 + static_cast<std::int64_t>(seq);
  e.from = std::move(from);
  e.body = std::move(body);
  return e;
}

Event presence(EventType type, std::string room, Seq seq, std::string nick) {
  Event e;
  e.type = type;
  e.room = std::move(room);
  e.seq = seq;
  e.nick = std::move(nick);
  return e;
}

Event rename(std::string room, Seq seq, std::string from, std::string to) {
  Event e;
  e.type = EventType::nick;
  e.room = std::move(room);
  e.seq = seq;
  e.from = std::move(from);
  e.nick = std::move(to);
  return e;
}

Event missed(std::string room, std::string reason, Seq from, Seq to) {
  Event e;
  e.type = EventType::missed;
  e.room = std::move(room);
  e.reason = std::move(reason);
  e.missed_from = from;
  e.missed_to = to;
  return e;
}

std::vector<Seq> seqs(const Room& room) {
  std::vector<Seq> out;
  for (const Line& line : room.lines()) out.push_back(line.seq);
  return out;
}

std::vector<std::string> texts(const Room& room) {
  std::vector<std::string> out;
  for (const Line& line : room.lines()) out.push_back(describe(line));
  return out;
}

TEST(ChatModel, OrdersLinesBySeqWhateverTheArrivalOrder) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {"mina"}));
  for (Seq s : {3, 1, 5, 2, 4}) model.apply(msg("lobby", s, "jun", "m" + std::to_string(s)));
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(seqs(room), (std::vector<Seq>{1, 2, 3, 4, 5}));
  EXPECT_EQ(room.lines().front().body, "m1");
  EXPECT_EQ(room.last_seq(), 5u);
}

TEST(ChatModel, IgnoresDuplicateSeqsOnResume) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {"mina"}));
  model.apply(msg("lobby", 1, "jun", "hello"));
  model.apply(msg("lobby", 2, "jun", "world"));
  const auto version = model.find_room("lobby")->version();
  // Resume overlap: the relay replays what we already hold.
  model.apply(welcome("lobby", 3, {"jun", "mina"}));
  model.apply(msg("lobby", 1, "jun", "hello (again)"));
  model.apply(msg("lobby", 2, "jun", "world (again)"));
  model.apply(msg("lobby", 3, "jun", "new"));
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(seqs(room), (std::vector<Seq>{1, 2, 3}));
  EXPECT_EQ(room.lines()[0].body, "hello");
  EXPECT_EQ(room.lines()[2].body, "new");
  EXPECT_GT(room.version(), version);
  EXPECT_TRUE(room.has_seq(2));
  EXPECT_FALSE(room.has_seq(4));
}

TEST(ChatModel, DuplicateOfAnyKindIsIgnoredEntirely) {
  ChatModel model;
  model.set_active_room("other");
  model.apply(welcome("lobby", 1, {}));
  model.apply(presence(EventType::join, "lobby", 1, "jun"));
  model.apply(msg("lobby", 2, "jun", "hi"));
  model.apply(presence(EventType::join, "lobby", 1, "jun"));
  model.apply(msg("lobby", 2, "jun", "hi"));
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(room.lines().size(), 2u);
  EXPECT_EQ(room.unread(), 1);  // the duplicate did not count again
  EXPECT_EQ(room.members(), (std::vector<std::string>{"jun"}));
}

TEST(ChatModel, PresenceStartsFromWelcomeAndFollowsLiveEvents) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 10, {"mina", "jun"}));
  EXPECT_EQ(model.find_room("lobby")->members(), (std::vector<std::string>{"jun", "mina"}));
  model.apply(presence(EventType::join, "lobby", 10, "ara"));
  model.apply(rename("lobby", 11, "jun", "junho"));
  model.apply(presence(EventType::leave, "lobby", 12, "ara"));
  EXPECT_EQ(model.find_room("lobby")->members(), (std::vector<std::string>{"junho", "mina"}));
  EXPECT_EQ(texts(*model.find_room("lobby")),
            (std::vector<std::string>{"ara joined", "jun is now junho", "ara left"}));
}

TEST(ChatModel, ReplayedHistoryDoesNotChangePresence) {
  ChatModel model;
  model.set_active_room("lobby");
  // Relay: seqs 1..4 happened before we joined; members now are jun + mina.
  model.apply(welcome("lobby", 5, {"jun", "mina"}));
  model.apply(presence(EventType::join, "lobby", 1, "old"));
  model.apply(presence(EventType::join, "lobby", 2, "jun"));
  model.apply(presence(EventType::leave, "lobby", 3, "jun"));  // jun left and came back...
  model.apply(presence(EventType::join, "lobby", 4, "mina"));
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(room.members(), (std::vector<std::string>{"jun", "mina"}));
  EXPECT_EQ(room.lines().size(), 4u);
  EXPECT_TRUE(room.lines()[0].replayed);
  // A live event does change it.
  model.apply(presence(EventType::leave, "lobby", 5, "jun"));
  EXPECT_EQ(room.members(), (std::vector<std::string>{"mina"}));
  EXPECT_FALSE(room.lines().back().replayed);
}

TEST(ChatModel, WelcomeGrantsNickAndOwnRenameUpdatesIt) {
  ChatModel model;
  model.set_nick("mina");
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {"mina", "mina-2"}, 1000, "mina-2"));
  EXPECT_EQ(model.nick(), "mina-2");
  EXPECT_EQ(model.joined_room(), "lobby");
  model.apply(rename("lobby", 1, "someone", "else"));
  EXPECT_EQ(model.nick(), "mina-2");
  model.apply(rename("lobby", 2, "mina-2", "minji"));
  EXPECT_EQ(model.nick(), "minji");
}

TEST(ChatModel, UnreadCountsMessagesInInactiveRoomsOnly) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {}));
  model.apply(msg("lobby", 1, "jun", "seen"));
  model.apply(msg("dev", 1, "jun", "unseen 1"));
  model.apply(presence(EventType::join, "dev", 2, "ara"));  // not a message
  model.apply(msg("dev", 3, "ara", "unseen 2"));
  EXPECT_EQ(model.find_room("lobby")->unread(), 0);
  EXPECT_EQ(model.find_room("dev")->unread(), 2);
  model.set_active_room("dev");
  EXPECT_EQ(model.find_room("dev")->unread(), 0);
  model.apply(msg("lobby", 2, "jun", "now unseen"));
  EXPECT_EQ(model.find_room("lobby")->unread(), 1);
}

TEST(ChatModel, EvictedHistoryBecomesAVisibleNoticeInPlace) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {}));
  model.apply(msg("lobby", 1, "jun", "a"));
  model.apply(msg("lobby", 2, "jun", "b"));
  // Reconnect much later: 3..9 fell out of the ring, 10.. replayed.
  model.apply(welcome("lobby", 12, {"jun"}));
  model.apply(missed("lobby", "evicted", 3, 9));
  model.apply(msg("lobby", 10, "jun", "c"));
  model.apply(msg("lobby", 11, "jun", "d"));
  EXPECT_EQ(texts(*model.find_room("lobby")),
            (std::vector<std::string>{"a", "b", "7 messages were missed", "c", "d"}));
  EXPECT_EQ(model.find_room("lobby")->lines()[2].kind, LineKind::system);
  model.apply(missed("lobby", "evicted", 3, 9));  // the same notice again adds nothing
  EXPECT_EQ(model.find_room("lobby")->lines().size(), 5u);
  model.apply(missed("lobby", "evicted", 12, 12));
  EXPECT_EQ(model.find_room("lobby")->lines().back().body, "1 message was missed");
}

TEST(ChatModel, RelayRestartStartsANewGenerationBelowTheOldHistory) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {}, /*epoch=*/1000));
  model.apply(msg("lobby", 1, "jun", "old 1"));
  model.apply(msg("lobby", 2, "jun", "old 2"));
  EXPECT_EQ(model.find_room("lobby")->epoch(), 1000u);
  // New relay run: seqs restart at 1 and mean something else.
  model.apply(welcome("lobby", 2, {"jun"}, /*epoch=*/2000));
  model.apply(missed("lobby", "restart", 0, 0));
  model.apply(msg("lobby", 1, "jun", "new 1"));
  model.apply(msg("lobby", 2, "jun", "new 2"));
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(texts(room),
            (std::vector<std::string>{"old 1", "old 2", "the relay restarted, history was lost",
                                      "new 1", "new 2"}));
  EXPECT_EQ(room.epoch(), 2000u);
  EXPECT_EQ(room.last_seq(), 2u);
  EXPECT_EQ(model.epoch(), 2000u);
}

TEST(ChatModel, ErrorEventsBecomeSystemLinesAndLastError) {
  ChatModel model;
  model.set_active_room("lobby");
  Event error;
  error.type = EventType::error;
  error.code = "bad_name";
  error.message = "nick too long";
  model.apply(error);
  EXPECT_EQ(model.last_error(), "bad_name: nick too long");
  ASSERT_EQ(model.find_room("lobby")->lines().size(), 1u);
  EXPECT_EQ(model.find_room("lobby")->lines()[0].body, "relay error (bad_name): nick too long");
}

TEST(ChatModel, SystemLinesGoAfterEverythingHeld) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {}));
  model.apply(msg("lobby", 1, "jun", "a"));
  model.add_system_line("lobby", "note");
  model.apply(msg("lobby", 2, "jun", "b"));
  EXPECT_EQ(texts(*model.find_room("lobby")), (std::vector<std::string>{"a", "note", "b"}));
}

TEST(ChatModel, LegacyModeAppendsInArrivalOrder) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply_legacy_message("first");
  model.apply_legacy_message("second");
  model.add_system_line("lobby", "note");
  model.apply_legacy_message("third");
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(texts(room), (std::vector<std::string>{"first", "second", "note", "third"}));
  EXPECT_EQ(seqs(room), (std::vector<Seq>{1, 2, 3, 4}));
  EXPECT_EQ(room.lines()[0].from, "");
  EXPECT_EQ(room.last_seq(), 0u);  // nothing to resume from
  EXPECT_TRUE(room.members().empty());
}

TEST(ChatModel, LegacyLinesFollowEarlierLosslessHistory) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {}));
  model.apply(msg("lobby", 1, "jun", "a"));
  model.apply(msg("lobby", 2, "jun", "b"));
  model.apply_legacy_message("legacy 1");  // counter 1 must not sort before seq 2
  EXPECT_EQ(texts(*model.find_room("lobby")), (std::vector<std::string>{"a", "b", "legacy 1"}));
}

TEST(ChatModel, TrimsOldestLinesBeyondTheCap) {
  ChatModel model{ChatModel::Options{3}};
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {}));
  for (Seq s = 1; s <= 5; ++s) model.apply(msg("lobby", s, "jun", std::to_string(s)));
  EXPECT_EQ(seqs(*model.find_room("lobby")), (std::vector<Seq>{3, 4, 5}));
  EXPECT_EQ(model.find_room("lobby")->last_seq(), 5u);
}

TEST(ChatModel, StatusText) {
  ChatModel model;
  const TimePoint now{std::chrono::seconds{100}};
  EXPECT_EQ(model.status_text(now), "Disconnected");
  ConnectionStatus status;
  status.url = "ws://h:8080/ws";
  status.state = ConnectionState::connecting;
  model.set_connection(status);
  EXPECT_EQ(model.status_text(now), "Connecting to ws://h:8080/ws...");
  status.state = ConnectionState::reconnecting;
  status.attempt = 3;
  status.next_retry = now + std::chrono::milliseconds{3250};
  status.last_error = "closed (1001 relay shutting down)";
  model.set_connection(status);
  EXPECT_EQ(model.status_text(now),
            "Reconnecting in 3.2 s (attempt 3): closed (1001 relay shutting down)");
  status.state = ConnectionState::connected;
  status.joined = true;
  model.set_nick("mina");
  model.set_connection(status);
  EXPECT_EQ(model.status_text(now), "Connected to ws://h:8080/ws as mina");
  status.legacy = true;
  model.set_connection(status);
  EXPECT_EQ(model.status_text(now),
            "Connected to ws://h:8080/ws (legacy server: no history, no member list)");
}

}  // namespace
}  // namespace hubchat::client
