// RoomPresence (relay core): the member set and its pages, how changes are
// itemized or summarized at a flush, and the bounded ring readers follow.
#include "relay/hub/presence.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "shared/lossless_codec.hpp"
#include "tests/support/events.hpp"

namespace hubchat::relay {
namespace {

using hubchat::test::decode;

std::string nick_of(int i) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "n%05d", i);
  return buffer;
}

// The i-th member joins: in the member list and announced.
void arrive(RoomPresence& presence, std::size_t i) {
  presence.add(nick_of(static_cast<int>(i)));
  presence.joined(nick_of(static_cast<int>(i)));
}

TEST(RoomPresence, PagesCoverEveryNickOnceInOrder) {
  RoomPresence presence;
  for (int i = 0; i < 1234; ++i) presence.add(nick_of(i));
  std::vector<std::string> all;
  std::string after;
  bool more = true;
  while (more) {
    auto page = presence.page(after, 500, more);
    ASSERT_FALSE(page.empty());
    ASSERT_LE(page.size(), 500u);
    all.insert(all.end(), page.begin(), page.end());
    after = page.back();
  }
  ASSERT_EQ(all.size(), 1234u);
  for (int i = 0; i < 1234; ++i) EXPECT_EQ(all[i], nick_of(i));
}

TEST(RoomPresence, APageAtUnderAndOverTheLimit) {
  RoomPresence presence;
  for (int i = 0; i < 3; ++i) presence.add(nick_of(i));
  bool more = true;
  EXPECT_EQ(presence.page("", 3, more).size(), 3u);
  EXPECT_FALSE(more);
  EXPECT_EQ(presence.page("", 2, more).size(), 2u);
  EXPECT_TRUE(more);
  EXPECT_EQ(presence.page("", 4, more).size(), 3u);
  EXPECT_FALSE(more);
  // `after` need not be a member: the page starts at the next nick.
  auto tail = presence.page("n00000x", 10, more);
  ASSERT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail[0], nick_of(1));
}

TEST(RoomPresence, UpToTheLimitChangesAreItemizedWithTheCount) {
  RoomPresence presence;
  for (std::size_t i = 0; i < RoomPresence::kItemizedPerFlush; ++i) {
    arrive(presence, i);
  }
  ASSERT_TRUE(presence.flush("r", 42));
  ASSERT_EQ(presence.next_version() - presence.first_version(), RoomPresence::kItemizedPerFlush);
  const Event first = decode(presence.at(presence.first_version()));
  EXPECT_EQ(first.type, EventType::join);
  EXPECT_EQ(first.nick, nick_of(0));
  EXPECT_EQ(first.room, "r");
  EXPECT_EQ(first.count, RoomPresence::kItemizedPerFlush);
  EXPECT_EQ(first.seq, 0u) << "presence is not history";
  EXPECT_FALSE(presence.flush("r", 43)) << "nothing pending any more";
}

TEST(RoomPresence, OverTheLimitOneSummaryStandsForTheBurst) {
  RoomPresence presence;
  const std::size_t burst = RoomPresence::kItemizedPerFlush + 1;
  for (std::size_t i = 0; i < burst; ++i) {
    arrive(presence, i);
  }
  presence.remove(nick_of(0));
  presence.left(nick_of(0));
  ASSERT_TRUE(presence.flush("r", 42));
  ASSERT_EQ(presence.next_version() - presence.first_version(), 1u);
  const Event summary = decode(presence.at(presence.first_version()));
  EXPECT_EQ(summary.type, EventType::presence);
  EXPECT_EQ(summary.count, burst - 1);
  EXPECT_EQ(presence.summary(), presence.at(presence.first_version()));
}

TEST(RoomPresence, TheRingKeepsTheNewestEventsOnly) {
  RoomPresence presence;
  const std::size_t flushes = RoomPresence::kRingEvents + 10;
  for (std::size_t i = 0; i < flushes; ++i) {
    arrive(presence, i);
    presence.flush("r", static_cast<std::int64_t>(i + 1));
  }
  EXPECT_EQ(presence.next_version(), flushes);
  EXPECT_EQ(presence.first_version(), flushes - RoomPresence::kRingEvents);
  EXPECT_EQ(decode(presence.at(presence.first_version())).nick,
            nick_of(static_cast<int>(flushes - RoomPresence::kRingEvents)));
  EXPECT_EQ(decode(presence.at(flushes - 1)).nick, nick_of(static_cast<int>(flushes - 1)));
}

TEST(RoomPresence, AClearedRingStartsAfterTheVersionsItHadGiven) {
  RoomPresence presence;
  presence.add("a");
  presence.joined("a");
  presence.flush("r", 1);
  presence.clear_ring();
  EXPECT_EQ(presence.first_version(), presence.next_version());
  presence.joined("b");
  presence.flush("r", 2);
  EXPECT_EQ(presence.next_version(), 2u);
  EXPECT_EQ(decode(presence.at(1)).nick, "b");
}

}  // namespace
}  // namespace hubchat::relay
