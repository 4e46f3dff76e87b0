// ModerationBook: bans and mutes by uid or address, each expiring on its
// own; the latest action for a target replaces the earlier one; a kick
// leaves nothing behind.
#include "relay/hub/moderation_book.hpp"

#include <gtest/gtest.h>

namespace hubchat::relay {
namespace {

using namespace std::chrono_literals;
using Kind = ModerationAction::Kind;

ModerationAction action(Kind kind, std::string uid, std::string address, std::uint64_t ms) {
  ModerationAction a;
  a.kind = kind;
  a.uid = std::move(uid);
  a.address = std::move(address);
  a.duration_ms = ms;
  a.by = "mod";
  return a;
}

TEST(ModerationBook, ABanByUidHoldsForThatUidUntilItExpires) {
  ModerationBook book;
  const auto t0 = ModerationBook::Clock::now();
  book.apply(action(Kind::ban, "u1", "", 2000), t0);
  EXPECT_EQ(book.banned("u1", "10.0.0.1", t0), std::chrono::milliseconds(2000));
  EXPECT_EQ(book.banned("u1", "", t0 + 1500ms), std::chrono::milliseconds(500));
  EXPECT_FALSE(book.banned("u2", "10.0.0.1", t0));
  EXPECT_FALSE(book.banned("", "u1", t0));  // a uid is not an address
  EXPECT_FALSE(book.muted("u1", "", t0));   // a ban is no mute
  EXPECT_FALSE(book.banned("u1", "", t0 + 2000ms));
}

TEST(ModerationBook, AnAddressHoldsForGuestsAndVerifiedUsersFromIt) {
  ModerationBook book;
  const auto t0 = ModerationBook::Clock::now();
  book.apply(action(Kind::mute, "", "127.0.0.7", 1000), t0);
  EXPECT_TRUE(book.muted("", "127.0.0.7", t0));
  EXPECT_TRUE(book.muted("someone", "127.0.0.7", t0));
  EXPECT_FALSE(book.muted("", "127.0.0.8", t0));
  EXPECT_FALSE(book.muted("", "127.0.0.7", t0 + 1000ms));
}

TEST(ModerationBook, TheLatestWordCountsAndExpiredEntriesAreSwept) {
  ModerationBook book;
  const auto t0 = ModerationBook::Clock::now();
  book.apply(action(Kind::ban, "u1", "", 3600 * 1000), t0);
  book.apply(action(Kind::ban, "u1", "", 1000), t0);  // lifted early
  EXPECT_EQ(book.banned("u1", "", t0), std::chrono::milliseconds(1000));
  book.apply(action(Kind::kick, "u1", "", 0), t0 + 2s);
  EXPECT_EQ(book.size(), 1u);  // a kick adds nothing (and sweeps nothing)
  book.apply(action(Kind::ban, "u2", "", 1000), t0 + 2s);
  EXPECT_EQ(book.size(), 1u);  // u1's expired ban went
}

}  // namespace
}  // namespace hubchat::relay
