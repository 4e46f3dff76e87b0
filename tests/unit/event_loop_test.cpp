// The event loop's turn timing (hubchat_loop_stall_max_seconds and
// hubchat_loop_turns_total in /metrics): a turn whose callback blocks for a
// known time is measured at least that long, each take starts a new window,
// and the measuring watchers do not keep the loop alive.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "relay/transport/event_loop.hpp"

namespace hubchat::relay {
namespace {

using namespace std::chrono_literals;

constexpr auto kStall = 200ms;
constexpr double kStallS = 0.2;

TEST(EventLoop, LoopWithNothingToDoReturnsAtOnce) {
  // The timing watchers are ev_unref'd: without them being so, this run()
  // would never return and the test would time out.
  EventLoop loop;
  loop.run();
  SUCCEED();
}

TEST(EventLoop, MeasuresTheLongestTurnAndResetsOnTake) {
  EventLoop loop;
  // One turn whose callback blocks (as a slow callback would) for kStall,
  // then a few quick turns, then stop.
  int quick_turns = 0;
  EventLoop::Timer quick(loop, [&] {
    if (++quick_turns == 5) loop.stop();
  });
  EventLoop::Timer slow(loop, [&] {
    std::this_thread::sleep_for(kStall);
    quick.start(0, 0.001);
  });
  slow.start(0);
  loop.run();

  // The slow turn and the quick ones; the last one called stop(), so the loop
  // left without reaching its prepare watcher: that turn is not counted.
  EXPECT_GE(loop.turns(), 5u);
  const double longest = loop.take_longest_turn_s();
  EXPECT_GE(longest, kStallS);
  EXPECT_LT(longest, 10 * kStallS) << "a turn, not the whole run";

  // Taken: a new window starts empty.
  EXPECT_EQ(loop.take_longest_turn_s(), 0.0);

  // Quick turns only: the slow one is not reported again.
  const auto turns_before = loop.turns();
  quick_turns = 0;
  quick.start(0, 0.001);
  loop.run();
  EXPECT_GT(loop.turns(), turns_before);
  const double quiet = loop.take_longest_turn_s();
  EXPECT_GT(quiet, 0.0) << "quick turns take some time too";
  EXPECT_LT(quiet, kStallS) << "the window was reset by the previous take";
}

TEST(EventLoop, TimeBlockedWaitingIsNotBusyTime) {
  // A timer 300 ms away: the loop sleeps in epoll meanwhile, which is no
  // stall; only the (short) turns before and after count.
  EventLoop loop;
  EventLoop::Timer later(loop, [&] { loop.stop(); });
  later.start(0.3);
  const auto start = std::chrono::steady_clock::now();
  loop.run();
  ASSERT_GE(std::chrono::steady_clock::now() - start, 300ms);
  EXPECT_LT(loop.take_longest_turn_s(), 0.15);
}

}  // namespace
}  // namespace hubchat::relay
