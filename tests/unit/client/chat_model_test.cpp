// ChatModel: ordering by seq, duplicate suppression on resume, presence lines
// (no seq: at the end of the log, never deduplicated), the member list from
// welcome + pages + presence and the relay's count, unread counts, missed
// notices, epochs, legacy mode, status text.
#include "client/model/chat_model.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "tests/unit/client/relay_events.hpp"

namespace hubchat::client {
namespace {

using namespace testing;  // the relay_events.hpp builders

// The user opens `welcome`'s room and the relay welcomes it there.
void enter(ChatModel& model, const Event& welcome) {
  model.set_active_room(welcome.room);
  model.apply(welcome);
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
  enter(model, welcome("lobby", 1, {"mina"}));
  for (Seq s : {3, 1, 5, 2, 4}) model.apply(msg("lobby", s, "jun", "m" + std::to_string(s)));
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(seqs(room), (std::vector<Seq>{1, 2, 3, 4, 5}));
  EXPECT_EQ(room.lines().front().body, "m1");
  EXPECT_EQ(room.last_seq(), 5u);
}

TEST(ChatModel, IgnoresDuplicateSeqsOnResume) {
  ChatModel model;
  enter(model, welcome("lobby", 1, {"mina"}));
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

TEST(ChatModel, DuplicateMessageIsIgnoredEntirely) {
  ChatModel model;
  model.set_active_room("other");
  model.apply(welcome("lobby", 1, {}));
  model.apply(presence(EventType::join, "lobby", "jun", 1));
  model.apply(msg("lobby", 1, "jun", "hi"));
  model.apply(msg("lobby", 1, "jun", "hi"));
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(texts(room), (std::vector<std::string>{"jun joined", "hi"}));
  EXPECT_EQ(room.unread(), 1);  // the duplicate did not count again
  EXPECT_EQ(room.members(), (std::vector<std::string>{"jun"}));
}

TEST(ChatModel, PresenceLinesGoAtTheEndAndNeverDedupeAgainstMessages) {
  ChatModel model;
  enter(model, welcome("lobby", 1, {"mina"}));
  model.apply(msg("lobby", 1, "jun", "a"));
  model.apply(msg("lobby", 2, "jun", "b"));
  model.apply(presence(EventType::join, "lobby", "ara", 2));
  model.apply(presence(EventType::leave, "lobby", "ara", 1));
  model.apply(presence(EventType::join, "lobby", "ara", 2));  // the same event again is news
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(texts(room),
            (std::vector<std::string>{"a", "b", "ara joined", "ara left", "ara joined"}));
  // A presence line holds no seq: neither the next message nor a late copy of
  // one already held is taken for it.
  EXPECT_FALSE(room.has_seq(3));
  model.apply(msg("lobby", 2, "jun", "b (again)"));  // resume overlap
  model.apply(msg("lobby", 4, "jun", "d"));
  model.apply(msg("lobby", 3, "jun", "c"));  // late, but still before d
  model.apply(rename("lobby", "jun", "junho"));
  EXPECT_EQ(texts(room), (std::vector<std::string>{"a", "b", "ara joined", "ara left", "ara joined",
                                                   "c", "d", "jun is now junho"}));
  EXPECT_EQ(room.last_seq(), 4u);
  for (const Line& line : room.lines()) EXPECT_FALSE(line.replayed) << describe(line);
}

TEST(ChatModel, PresenceStartsFromWelcomeAndFollowsLiveEvents) {
  ChatModel model;
  enter(model, welcome("lobby", 10, {"mina", "jun"}));
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(room.members(), (std::vector<std::string>{"jun", "mina"}));
  EXPECT_EQ(room.member_count(), 2u);
  EXPECT_TRUE(room.members_complete());
  model.apply(presence(EventType::join, "lobby", "ara", 3));
  EXPECT_EQ(room.member_count(), 3u);
  model.apply(rename("lobby", "jun", "junho"));
  model.apply(presence(EventType::leave, "lobby", "ara", 2));
  EXPECT_EQ(room.members(), (std::vector<std::string>{"junho", "mina"}));
  EXPECT_EQ(room.member_count(), 2u);
  EXPECT_EQ(texts(room), (std::vector<std::string>{"ara joined", "jun is now junho", "ara left"}));
}

TEST(ChatModel, ReplayedHistoryDoesNotChangePresence) {
  ChatModel model;
  model.set_active_room("lobby");
  // Relay: seqs 1..4 were said before we joined, by people of whom only jun
  // is still here; members now are jun + mina.
  model.apply(welcome("lobby", 5, {"jun", "mina"}));
  model.apply(msg("lobby", 1, "old", "hello"));
  model.apply(msg("lobby", 2, "jun", "hi old"));
  model.apply(msg("lobby", 3, "old", "bye"));
  model.apply(msg("lobby", 4, "jun", "bye old"));
  const Room& room = *model.find_room("lobby");
  EXPECT_EQ(room.members(), (std::vector<std::string>{"jun", "mina"}));
  EXPECT_EQ(room.lines().size(), 4u);
  EXPECT_TRUE(room.lines()[0].replayed);
  EXPECT_TRUE(room.lines()[3].replayed);
  // Live events do change it, and are not history.
  model.apply(presence(EventType::leave, "lobby", "jun", 1));
  model.apply(msg("lobby", 5, "mina", "alone"));
  EXPECT_EQ(room.members(), (std::vector<std::string>{"mina"}));
  EXPECT_EQ(texts(room).at(4), "jun left");
  EXPECT_FALSE(room.lines()[4].replayed);
  EXPECT_FALSE(room.lines().back().replayed);
}

TEST(ChatModel, TenThousandMembersArriveAsWelcomeAndPages) {
  const std::vector<std::string> all = numbered_nicks(10000);
  ChatModel model;
  enter(model, welcome_page("big", slice(all, 0, 200), 10000, true));
  const Room& room = *model.find_room("big");
  EXPECT_EQ(room.members().size(), 200u);
  EXPECT_EQ(room.member_count(), 10000u);  // the relay's figure, not what is held
  EXPECT_FALSE(room.members_complete());
  std::size_t from = 200;
  while (from < all.size()) {
    const std::size_t to = std::min(from + 500, all.size());
    EXPECT_FALSE(room.members_complete()) << from;
    model.apply(page("big", all[from - 1], slice(all, from, to), 10000, to < all.size()));
    EXPECT_EQ(room.members().size(), to);
    from = to;
  }
  EXPECT_EQ(room.members(), all);
  EXPECT_EQ(room.member_count(), 10000u);
  EXPECT_TRUE(room.members_complete());
}

TEST(ChatModel, PresenceAfterAPageEditsTheListAndRacesResolveInArrivalOrder) {
  // Members a..j; pages of 3 after a welcome of 3.
  const std::vector<std::string> all{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
  ChatModel model;
  enter(model, welcome_page("r", {"a", "b", "c"}, 10, true));
  const Room& room = *model.find_room("r");

  // The relay sent "d left" before the page (d..f), so the page lacks d and
  // the leave, which came first, found nothing to remove.
  model.apply(presence(EventType::leave, "r", "d", 9));
  // "ee joined" before the page: the page includes it; it is not doubled.
  model.apply(presence(EventType::join, "r", "ee", 10));
  model.apply(page("r", "c", {"e", "ee", "f"}, 10, true));
  EXPECT_EQ(room.members(), (std::vector<std::string>{"a", "b", "c", "e", "ee", "f"}));

  // After the page: a leave of a nick inside it, a rename inside it, a join
  // inside the listed part and one beyond it (in the next page's range).
  model.apply(presence(EventType::leave, "r", "e", 9));
  model.apply(rename("r", "f", "ff"));
  model.apply(presence(EventType::join, "r", "bb", 10));
  model.apply(presence(EventType::join, "r", "hh", 11));
  EXPECT_EQ(room.members(), (std::vector<std::string>{"a", "b", "bb", "c", "ee", "ff", "hh"}));
  EXPECT_EQ(room.member_count(), 11u);

  // The next pages were produced after all that (the relay's list is a b bb
  // c ee ff g h hh i j): "ff" sorts after "f", so it is in the next page; and
  // "g left" races that page, arriving after the page that still had g.
  model.apply(page("r", "f", {"ff", "g", "h"}, 11, true));
  model.apply(presence(EventType::leave, "r", "g", 10));
  model.apply(page("r", "h", {"hh", "i", "j"}, 10, false));
  EXPECT_EQ(room.members(),
            (std::vector<std::string>{"a", "b", "bb", "c", "ee", "ff", "h", "hh", "i", "j"}));
  EXPECT_EQ(room.member_count(), 10u);
  EXPECT_TRUE(room.members_complete());
}

TEST(ChatModel, PresenceSummaryWantsARefetchWhichReplacesTheStaleList) {
  ChatModel model;
  enter(model, welcome("r", 1, {"a", "b", "c", "d"}));
  const Room& room = *model.find_room("r");
  ASSERT_TRUE(room.members_complete());
  const auto lines = room.lines().size();

  // More than 16 changes in one interval: only the count is told.
  model.apply(summary("r", 5));
  EXPECT_EQ(room.member_count(), 5u);
  EXPECT_FALSE(room.members_complete());
  EXPECT_EQ(room.members(), (std::vector<std::string>{"a", "b", "c", "d"}));  // stale, kept
  EXPECT_EQ(room.lines().size(), lines);                                      // not a log line

  // The refetch: its first page is the truth up to its last nick (b and c
  // left); beyond that the stale d stays until a page covers it.
  model.apply(page("r", "", {"a", "a1", "a2", "cc"}, 5, true));
  EXPECT_EQ(room.members(), (std::vector<std::string>{"a", "a1", "a2", "cc", "d"}));
  EXPECT_FALSE(room.members_complete());
  model.apply(page("r", "cc", {"x"}, 5, false));
  EXPECT_EQ(room.members(), (std::vector<std::string>{"a", "a1", "a2", "cc", "x"}));
  EXPECT_TRUE(room.members_complete());
  EXPECT_EQ(room.member_count(), 5u);

  // A summary during a refetch: the exact part is gone again, even when the
  // pages that follow continue it.
  model.apply(page("r", "", {"a"}, 5, true));
  model.apply(summary("r", 6));
  model.apply(page("r", "a", {"b"}, 6, false));
  EXPECT_FALSE(room.members_complete());
}

TEST(ChatModel, WelcomeReplacesTheListOfAnEarlierJoin) {
  ChatModel model;
  enter(model, welcome("r", 1, {"a", "b", "zed"}));
  // Back after a drop: no presence reached us meanwhile, so zed (beyond the
  // new first page) is not kept on trust.
  model.apply(welcome_page("r", {"a", "c"}, 5, true));
  const Room& room = *model.find_room("r");
  EXPECT_EQ(room.members(), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(room.member_count(), 5u);
  EXPECT_FALSE(room.members_complete());
}

TEST(ChatModel, WithoutTheRelaysCountAWholeListCountsItself) {
  ChatModel model;
  model.set_active_room("r");
  Event old_welcome = welcome("r", 1, {"a", "b", "c"});
  old_welcome.count = 0;  // a relay that does not send it
  model.apply(old_welcome);
  EXPECT_EQ(model.find_room("r")->member_count(), 3u);
  model.apply(presence(EventType::join, "r", "d"));
  EXPECT_EQ(model.find_room("r")->member_count(), 4u);
}

TEST(ChatModel, WelcomeGrantsNickAndOwnRenameUpdatesIt) {
  ChatModel model;
  model.set_nick("mina");
  enter(model, welcome("lobby", 1, {"mina", "mina-2"}, 1000, "mina-2"));
  EXPECT_EQ(model.nick(), "mina-2");
  EXPECT_EQ(model.joined_room(), "lobby");
  model.apply(rename("lobby", "someone", "else"));
  EXPECT_EQ(model.nick(), "mina-2");
  model.apply(rename("lobby", "mina-2", "minji"));
  EXPECT_EQ(model.nick(), "minji");
}

TEST(ChatModel, UnreadCountsMessagesInInactiveRoomsOnly) {
  ChatModel model;
  enter(model, welcome("lobby", 1, {}));
  model.apply(msg("lobby", 1, "jun", "seen"));
  model.apply(msg("dev", 1, "jun", "unseen 1"));
  model.apply(presence(EventType::join, "dev", "ara", 2));  // not a message
  model.apply(msg("dev", 2, "ara", "unseen 2"));
  EXPECT_EQ(model.find_room("lobby")->unread(), 0);
  EXPECT_EQ(model.find_room("dev")->unread(), 2);
  model.set_active_room("dev");
  EXPECT_EQ(model.find_room("dev")->unread(), 0);
  model.apply(msg("lobby", 2, "jun", "now unseen"));
  EXPECT_EQ(model.find_room("lobby")->unread(), 1);
}

TEST(ChatModel, EvictedHistoryBecomesAVisibleNoticeInPlace) {
  ChatModel model;
  enter(model, welcome("lobby", 1, {}));
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
  enter(model, welcome("lobby", 1, {}, /*epoch=*/1000));
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
  enter(model, welcome("lobby", 1, {}));
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
  // Messages count locally; the note follows the message before it.
  EXPECT_EQ(seqs(room), (std::vector<Seq>{1, 2, 2, 3}));
  EXPECT_EQ(room.lines()[0].from, "");
  EXPECT_EQ(room.last_seq(), 0u);  // nothing to resume from
  EXPECT_TRUE(room.members().empty());
}

TEST(ChatModel, LegacyLinesFollowEarlierLosslessHistory) {
  ChatModel model;
  enter(model, welcome("lobby", 1, {}));
  model.apply(msg("lobby", 1, "jun", "a"));
  model.apply(msg("lobby", 2, "jun", "b"));
  model.apply_legacy_message("legacy 1");  // counter 1 must not sort before seq 2
  EXPECT_EQ(texts(*model.find_room("lobby")), (std::vector<std::string>{"a", "b", "legacy 1"}));
}

TEST(ChatModel, TrimsOldestLinesBeyondTheCap) {
  ChatModel model{ChatModel::Options{3}};
  enter(model, welcome("lobby", 1, {}));
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
