// PointerQueue (client/ui/pointer_queue): a tap that arrives within one frame
// reaches ImGui as hover, press, release and leave on four frames; moves
// merge; a press elsewhere gets its move first; nothing is dropped.
#include "client/ui/pointer_queue.hpp"

#include <gtest/gtest.h>

namespace hubchat::ui {
namespace {

using Kind = PointerQueue::Kind;
using State = PointerQueue::State;

State at(float x, float y, bool left = false) {
  State s;
  s.x = x, s.y = y, s.present = true;
  s.down[0] = left;
  return s;
}

TEST(PointerQueue, ATapWithinOneFrameBecomesHoverPressReleaseLeave) {
  PointerQueue q;
  // All of it between two frames, as a touchscreen tap delivers it.
  q.push(Kind::down, 40, 50);
  q.push(Kind::up, 40, 50);
  q.push(Kind::leave, 40, 50);
  EXPECT_EQ(q.step(), at(40, 50));        // frame 1: hover only
  EXPECT_EQ(q.step(), at(40, 50, true));  // frame 2: pressed over it
  EXPECT_EQ(q.step(), at(40, 50));        // frame 3: released over it: a click
  EXPECT_EQ(q.step(), State{});           // frame 4: gone, nothing hovered
  EXPECT_EQ(q.pending(), 0u);
  EXPECT_EQ(q.step(), State{});  // and stays so
}

TEST(PointerQueue, MovesMergeIntoTheLatestPosition) {
  PointerQueue q;
  q.push(Kind::move, 1, 1);
  q.push(Kind::move, 2, 2);
  q.push(Kind::move, 3, 4);
  EXPECT_EQ(q.pending(), 1u);
  EXPECT_EQ(q.step(), at(3, 4));
  q.push(Kind::move, 3, 4);  // where it already is: nothing to do
  EXPECT_EQ(q.pending(), 0u);
}

TEST(PointerQueue, ADragKeepsTheButtonDownWhileMoving) {
  PointerQueue q;
  q.push(Kind::down, 10, 100);
  q.push(Kind::move, 10, 80);
  q.push(Kind::move, 10, 60);
  q.push(Kind::up, 10, 60);
  EXPECT_EQ(q.step(), at(10, 100));
  EXPECT_EQ(q.step(), at(10, 100, true));
  EXPECT_EQ(q.step(), at(10, 60, true));  // the two moves as one
  EXPECT_EQ(q.step(), at(10, 60));
  EXPECT_EQ(q.pending(), 0u);
}

TEST(PointerQueue, AReleaseElsewhereMovesThereFirst) {
  PointerQueue q;
  q.push(Kind::down, 10, 10);
  q.push(Kind::up, 30, 10);
  EXPECT_EQ(q.step(), at(10, 10));
  EXPECT_EQ(q.step(), at(10, 10, true));
  EXPECT_EQ(q.step(), at(30, 10, true));
  EXPECT_EQ(q.step(), at(30, 10));
}

TEST(PointerQueue, AMouseAlreadyThereNeedsNoExtraHoverFrame) {
  PointerQueue q;
  q.push(Kind::move, 5, 5);
  EXPECT_EQ(q.step(), at(5, 5));
  q.push(Kind::down, 5, 5);
  q.push(Kind::up, 5, 5);
  EXPECT_EQ(q.pending(), 2u);
  EXPECT_EQ(q.step(), at(5, 5, true));
  EXPECT_EQ(q.step(), at(5, 5));
}

TEST(PointerQueue, OtherButtonsAreTrackedAndUnknownOnesIgnored) {
  PointerQueue q;
  q.push(Kind::down, 1, 1, 1);
  q.push(Kind::down, 1, 1, 7);
  q.step();
  State s = q.step();
  EXPECT_TRUE(s.down[1]);
  EXPECT_FALSE(s.down[0]);
  EXPECT_EQ(q.pending(), 0u);
}

TEST(PointerQueue, TwoTapsInOneFrameAreBothDelivered) {
  PointerQueue q;
  q.push(Kind::down, 1, 1);
  q.push(Kind::up, 1, 1);
  q.push(Kind::leave, 1, 1);
  q.push(Kind::down, 9, 9);
  q.push(Kind::up, 9, 9);
  int presses = 0;
  bool was_down = false;
  for (int frame = 0; frame < 10; ++frame) {
    const bool down = q.step().down[0];
    if (down && !was_down) ++presses;
    was_down = down;
  }
  EXPECT_EQ(presses, 2);
  EXPECT_EQ(q.state(), at(9, 9));
}

}  // namespace
}  // namespace hubchat::ui
