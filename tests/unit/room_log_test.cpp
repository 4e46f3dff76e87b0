// The room log: seq = position, wrap-around, bounds in events and bytes,
// resume inside / at / outside the window.
#include <gtest/gtest.h>

#include <string>

#include "shared/room_log.hpp"

using namespace hubchat;

namespace {

StoredEvent event(std::string text) {
  StoredEvent e;
  e.lossless = std::move(text);
  return e;
}

}  // namespace

TEST(RoomLog, SequenceNumbersArePositions) {
  RingRoomLog log(8, 1 << 20);
  EXPECT_EQ(log.first_seq(), 1u);
  EXPECT_EQ(log.next_seq(), 1u);
  EXPECT_EQ(log.at(1), nullptr);
  EXPECT_EQ(log.append(event("a")), 1u);
  EXPECT_EQ(log.append(event("b")), 2u);
  EXPECT_EQ(log.at(1)->lossless, "a");
  EXPECT_EQ(log.at(2)->lossless, "b");
  EXPECT_EQ(log.at(3), nullptr);
}

TEST(RoomLog, WrapsAroundAtTheEventBound) {
  RingRoomLog log(4, 1 << 20);
  for (int i = 1; i <= 10; ++i) log.append(event(std::to_string(i)));
  EXPECT_EQ(log.size(), 4u);
  EXPECT_EQ(log.first_seq(), 7u);
  EXPECT_EQ(log.next_seq(), 11u);
  EXPECT_EQ(log.at(6), nullptr);
  EXPECT_EQ(log.at(7)->lossless, "7");
  EXPECT_EQ(log.at(10)->lossless, "10");
}

TEST(RoomLog, EvictsAtTheByteBound) {
  const std::size_t cost = RingRoomLog::cost(event(std::string(100, 'x')));
  RingRoomLog at_bound(1000, 3 * cost);
  for (int i = 0; i < 3; ++i) at_bound.append(event(std::string(100, 'x')));
  EXPECT_EQ(at_bound.size(), 3u);  // exactly at the bound: all kept
  at_bound.append(event(std::string(100, 'x')));
  EXPECT_EQ(at_bound.size(), 3u);  // one over: the oldest goes
  EXPECT_EQ(at_bound.first_seq(), 2u);
  EXPECT_LE(at_bound.bytes(), 3 * cost);

  RingRoomLog under(1000, 3 * cost - 1);
  for (int i = 0; i < 3; ++i) under.append(event(std::string(100, 'x')));
  EXPECT_EQ(under.size(), 2u);
}

TEST(RoomLog, AnEventLargerThanTheByteBoundIsStillHeld) {
  RingRoomLog log(10, 1024);
  log.append(event("small"));
  log.append(event(std::string(5000, 'x')));
  EXPECT_EQ(log.size(), 1u);
  EXPECT_EQ(log.at(2)->lossless.size(), 5000u);
}

TEST(RoomLog, ResumeInsideAtAndOutsideTheWindow) {
  RingRoomLog log(4, 1 << 20);
  for (int i = 1; i <= 10; ++i) log.append(event(std::to_string(i)));  // holds 7..10

  ResumePoint inside = log.resume_after(8);
  EXPECT_FALSE(inside.missed());
  EXPECT_EQ(inside.next, 9u);

  ResumePoint at_edge = log.resume_after(6);  // wants 7: the oldest held
  EXPECT_FALSE(at_edge.missed());
  EXPECT_EQ(at_edge.next, 7u);

  ResumePoint outside = log.resume_after(5);  // wants 6: gone
  EXPECT_TRUE(outside.missed());
  EXPECT_EQ(outside.missed_from, 6u);
  EXPECT_EQ(outside.missed_to, 6u);
  EXPECT_EQ(outside.next, 7u);

  ResumePoint from_zero = log.resume_after(0);
  EXPECT_EQ(from_zero.missed_from, 1u);
  EXPECT_EQ(from_zero.missed_to, 6u);

  ResumePoint up_to_date = log.resume_after(10);
  EXPECT_FALSE(up_to_date.missed());
  EXPECT_EQ(up_to_date.next, 11u);

  ResumePoint future = log.resume_after(50);  // not from this log: live end
  EXPECT_FALSE(future.missed());
  EXPECT_EQ(future.next, 11u);
}

TEST(RoomLog, EmptyLogResume) {
  RingRoomLog log(4, 1024);
  EXPECT_FALSE(log.resume_after(0).missed());
  EXPECT_EQ(log.resume_after(0).next, 1u);
}
