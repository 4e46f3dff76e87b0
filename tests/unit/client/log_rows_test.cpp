// Log rows (client/model/log_rows): runs of join/leave lines collapse into
// one row with a summary, through the real ChatModel; messages, notices and
// nick changes end a run; the member count stays the relay's; and the
// model's count of live messages from others (the hidden tab's title).
#include "client/model/log_rows.hpp"

#include <gtest/gtest.h>

#include <cstdio>

#include "client/model/chat_model.hpp"
#include "tests/unit/client/relay_events.hpp"

namespace hubchat::client {
namespace {

using namespace testing;  // the relay_events.hpp builders

std::string guest(int i) {
  char name[16];
  std::snprintf(name, sizeof name, "guest%02d", i);
  return name;
}

// What the view shows for each row: a line's text, or a run's summary.
std::vector<std::string> shown(const Room& room) {
  std::vector<std::string> out;
  for (const LogRow& row : group_log(room.lines())) {
    out.push_back(row.presence_run
                      ? "[" + summarize_presence(room.lines(), row.first, row.count) + "]"
                      : describe(room.lines()[row.first]));
  }
  return out;
}

TEST(LogRows, TwentyJoinsInARowAreOneCollapsedRowAndTheCountIsTheRelays) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {"mina"}));
  model.apply(msg("lobby", 1, "mina", "hi"));
  for (int i = 1; i <= 20; ++i) {
    model.apply(presence(EventType::join, "lobby", guest(i), 1 + static_cast<std::uint64_t>(i)));
  }
  const Room& room = *model.find_room("lobby");
  ASSERT_EQ(room.lines().size(), 21u);  // the model keeps every line
  const auto rows = group_log(room.lines());
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].presence_run);
  EXPECT_TRUE(rows[1].presence_run);
  EXPECT_EQ(rows[1].first, 1u);
  EXPECT_EQ(rows[1].count, 20u);
  EXPECT_EQ(summarize_presence(room.lines(), rows[1].first, rows[1].count),
            "guest01, guest02 and 18 others joined");
  EXPECT_EQ(room.member_count(), 21u);
  EXPECT_EQ(room.members().size(), 21u);
}

TEST(LogRows, MessagesNoticesAndRenamesEndARunAndShortRunsStayLines) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {"mina"}));
  model.apply(presence(EventType::join, "lobby", "jun", 2));
  model.apply(presence(EventType::join, "lobby", "ara", 3));  // two: not collapsed
  model.apply(msg("lobby", 1, "jun", "hello"));
  model.apply(presence(EventType::join, "lobby", "sam", 4));
  model.apply(presence(EventType::leave, "lobby", "jun", 3));
  model.apply(presence(EventType::leave, "lobby", "ara", 2));
  Event rename;
  rename.type = EventType::nick;
  rename.room = "lobby";
  rename.from = "sam";
  rename.nick = "samuel";
  model.apply(rename);
  model.apply(presence(EventType::join, "lobby", "a1", 3));
  model.apply(presence(EventType::join, "lobby", "a2", 4));
  model.apply(presence(EventType::join, "lobby", "a3", 5));
  model.add_system_line("lobby", "notice");
  model.apply(presence(EventType::leave, "lobby", "a1", 4));
  EXPECT_EQ(shown(*model.find_room("lobby")),
            (std::vector<std::string>{"jun joined", "ara joined", "hello",
                                      "[sam joined, jun and ara left]", "sam is now samuel",
                                      "[a1, a2 and a3 joined]", "notice", "a1 left"}));
}

TEST(LogRows, ANickThatComesAndGoesCountsWhereTheRunLeavesIt) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {"mina"}));
  model.apply(presence(EventType::join, "lobby", "jun", 2));
  model.apply(presence(EventType::leave, "lobby", "jun", 1));
  model.apply(presence(EventType::join, "lobby", "jun", 2));
  model.apply(presence(EventType::leave, "lobby", "x1", 1));
  model.apply(presence(EventType::leave, "lobby", "x2", 1));
  model.apply(presence(EventType::leave, "lobby", "x3", 1));
  model.apply(presence(EventType::leave, "lobby", "x4", 1));
  EXPECT_EQ(shown(*model.find_room("lobby")), (std::vector<std::string>{"[jun joined, 4 left]"}));
  const auto rows = group_log(model.find_room("lobby")->lines());
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].count, 7u);
  EXPECT_EQ(summarize_presence(model.find_room("lobby")->lines(), 3, 3), "x1, x2 and x3 left");
}

TEST(LogRows, ARunKeepsItsIdentityWhileTheLogGrowsAfterIt) {
  ChatModel model;
  model.set_active_room("lobby");
  model.apply(welcome("lobby", 1, {"mina"}));
  for (int i = 1; i <= 4; ++i) model.apply(presence(EventType::join, "lobby", guest(i), 1));
  const auto before = group_log(model.find_room("lobby")->lines());
  model.apply(msg("lobby", 1, "jun", "after"));
  for (int i = 5; i <= 9; ++i) model.apply(presence(EventType::join, "lobby", guest(i), 1));
  const auto after = group_log(model.find_room("lobby")->lines());
  ASSERT_EQ(before.size(), 1u);
  ASSERT_EQ(after.size(), 3u);
  EXPECT_EQ(after[0].order, before[0].order);
  EXPECT_EQ(after[0].count, 4u);
  EXPECT_NE(after[2].order, after[0].order);  // the next run is another one
  EXPECT_EQ(after[2].count, 5u);
}

TEST(LogRows, AnEmptyLogHasNoRows) {
  EXPECT_TRUE(group_log({}).empty());
}

TEST(ChatModelReceivedLive, CountsLiveMessagesFromOthersOnly) {
  ChatModel model;
  model.set_active_room("lobby");
  Event w = welcome("lobby", 1, {"mina"});
  w.seq = 3;  // seqs 1 and 2 are history
  model.apply(w);
  model.apply(msg("lobby", 1, "jun", "old"));
  model.apply(msg("lobby", 2, "jun", "old too"));
  EXPECT_EQ(model.received_live(), 0u);
  model.apply(msg("lobby", 3, "jun", "new"));
  model.apply(msg("lobby", 4, "mina", "mine"));
  model.apply(msg("lobby", 3, "jun", "new"));  // a duplicate is not news
  model.apply(msg("other", 1, "ara", "elsewhere"));
  EXPECT_EQ(model.received_live(), 2u);
}

}  // namespace
}  // namespace hubchat::client
