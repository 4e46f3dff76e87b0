// The hub's wake-up policy (relay core, no sockets): when a room's readers
// are woken for new events, with and without --flush-interval, and how a
// busy relay gathers (--coalesce-above, --coalesce-ms).
#include "relay/hub/hub.hpp"

#include <gtest/gtest.h>

#include "tests/unit/recording_driver.hpp"

#include <map>
#include <string>

namespace hubchat::relay {
namespace {

class HubWakeTest : public ::testing::Test {
 protected:
  void make_hub(unsigned flush_interval_ms, std::size_t max_frame_bytes = 16 * 1024) {
    options_.flush_interval_ms = flush_interval_ms;
    options_.max_frame_bytes = max_frame_bytes;
    hub_ = std::make_unique<Hub>(options_, metrics_, driver_, 0);
    hub_->join_live(alice_, "room", "alice");
    hub_->join_live(bob_, "room", "bob");
    settle();
  }
  // What the timer and the write pumps would do: flush, then let every
  // reader catch up so that the next wake-up counts again.
  void settle() {
    hub_->end_of_turn();
    hub_->flush();
    for (Session* s : {&alice_, &bob_}) {
      s->write_requested = false;
      s->cursor = s->room->log->next_seq();
    }
    driver_.wakes.clear();
    driver_.pushes.clear();
    driver_.flush_arms = 0;
    driver_.next_turn_flushes = 0;
  }
  // Every session of `crowd` joins "room" live (as c0, c1, ...), then settle().
  void join_crowd(std::vector<Session>& crowd) {
    for (std::size_t i = 0; i < crowd.size(); ++i)
      hub_->join_live(crowd[i], "room", "c" + std::to_string(i));
    settle();
  }
  // A hub (10 ms flush interval) whose "room" has more members than three
  // flushes offer, all joined and settled; the caller's sessions.
  std::vector<Session> big_room() {
    make_hub(10);
    std::vector<Session> crowd(3 * Hub::kWritesPerTurn + 10);
    join_crowd(crowd);
    return crowd;
  }
  // A message as the loop's turn carries it: posted, then the turn ends
  // (the broker's news reach the cache; rooms that want it are written).
  void post(Session& s, std::string_view body) {
    hub_->post(s, body);
    hub_->end_of_turn();
  }
  // Written at the end of the turn rather than at the timer.
  bool flushed_soon() const { return !driver_.pushes.empty() || !driver_.wakes.empty(); }
  int wakes(Session& s) { return driver_.wakes[&s]; }
  std::size_t encoded_size_of_last_event() {
    const RoomLog& log = *alice_.room->log;
    return log.at(log.next_seq() - 1)->lossless.size() + 1;
  }

  Options options_;
  Metrics metrics_;
  RecordingDriver driver_;
  std::unique_ptr<Hub> hub_;
  Session alice_, bob_;
};

TEST_F(HubWakeTest, WithoutAFlushIntervalEveryEventWakesTheReaders) {
  make_hub(0);
  post(alice_, "hi");
  EXPECT_EQ(wakes(alice_), 1);
  EXPECT_EQ(wakes(bob_), 1);
  EXPECT_EQ(driver_.flush_arms, 0);
}

// A message into a quiet room goes out in the loop turn it arrived in: at
// the end of that one turn each reader is offered its frame, and no timer
// was asked for (counted in turns and timer requests, not in time).
TEST_F(HubWakeTest, AQuietRoomIsWrittenInTheTurnTheMessageArrived) {
  make_hub(0);
  driver_.accepts_push = [](Session&) { return true; };
  hub_->post(alice_, "hello");  // read in this turn
  EXPECT_TRUE(driver_.pushes.empty()) << "nothing is written before the turn ends";
  hub_->end_of_turn();  // the same turn, about to wait for sockets
  EXPECT_EQ(driver_.pushes[&alice_], 1);
  EXPECT_EQ(driver_.pushes[&bob_], 1);
  EXPECT_EQ(driver_.flush_arms, 0) << "no flush timer";
  EXPECT_EQ(driver_.next_turn_flushes, 0) << "nothing left for another turn";
  EXPECT_EQ(bob_.room->log->next_seq() - 1, 1u);
}

// Frugal when busy: above --coalesce-above deliveries/s, a room written less
// than --coalesce-ms ago gathers its next events for the rest of that window.
// (Two members here, so "busy" is a threshold of 1 delivery/s.)
TEST_F(HubWakeTest, ABusyRoomGathersForTheRestOfTheCoalesceWindow) {
  options_.coalesce_above = 1;
  options_.coalesce_ms = 10;
  make_hub(0);
  driver_.clock += 1.0;  // the room was last written a second ago
  post(alice_, "one");
  EXPECT_TRUE(flushed_soon()) << "the first event after a pause goes out in its turn";
  EXPECT_EQ(driver_.flush_arms, 0);
  settle();  // the pass ends now: the room was just written
  driver_.clock += 0.004;
  post(bob_, "two");
  EXPECT_FALSE(flushed_soon()) << "written 4 ms ago in a busy relay: it gathers";
  EXPECT_EQ(driver_.flush_arms, 1);
  EXPECT_EQ(driver_.last_flush_delay_ms, 6u) << "until 10 ms after the last write";
  post(alice_, "three");
  EXPECT_EQ(driver_.flush_arms, 1) << "one timer for what gathers";
  hub_->flush();
  EXPECT_EQ(wakes(alice_), 1) << "both events, one offer each";
  EXPECT_EQ(wakes(bob_), 1);
}

TEST_F(HubWakeTest, ARoomQuietForTheCoalesceWindowIsWrittenAtOnceEvenWhenBusy) {
  options_.coalesce_above = 1;
  options_.coalesce_ms = 10;
  make_hub(0);
  driver_.clock += 1.0;
  post(alice_, "one");
  settle();
  driver_.clock += 0.0101;  // just past the window: not gathered
  post(bob_, "two");
  EXPECT_TRUE(flushed_soon());
  EXPECT_EQ(driver_.flush_arms, 0);
}

TEST_F(HubWakeTest, BelowTheCoalesceRateEveryEventIsWrittenAtOnce) {
  options_.coalesce_above = 1000;  // two members and a few events: far below
  options_.coalesce_ms = 10;
  make_hub(0);
  for (int i = 0; i < 5; ++i) {
    driver_.clock += 0.001;
    post(alice_, "again");
    EXPECT_TRUE(flushed_soon()) << "event " << i;
    EXPECT_EQ(driver_.flush_arms, 0);
    settle();
  }
}

TEST_F(HubWakeTest, CoalesceMsZeroNeverGathers) {
  options_.coalesce_above = 1;
  options_.coalesce_ms = 0;
  make_hub(0);
  post(alice_, "one");
  settle();
  driver_.clock += 0.001;
  post(bob_, "two");
  EXPECT_TRUE(flushed_soon());
  EXPECT_EQ(driver_.flush_arms, 0);
}

TEST_F(HubWakeTest, SmallEventsWaitForTheTimer) {
  make_hub(10);
  post(alice_, "one");
  post(bob_, "two");
  EXPECT_EQ(driver_.flush_arms, 1);  // armed once, by the first event
  EXPECT_EQ(wakes(alice_), 0);
  EXPECT_EQ(wakes(bob_), 0);
  hub_->flush();
  EXPECT_EQ(wakes(alice_), 1);
  EXPECT_EQ(wakes(bob_), 1);
}

TEST_F(HubWakeTest, HalfAFramePendingWakesTheReadersBeforeTheTimer) {
  make_hub(10, 4096);
  const std::string body(100, 'x');
  std::size_t pending = 0;
  int posts = 0;
  while (!flushed_soon() && posts < 100) {
    post(alice_, body);
    pending += encoded_size_of_last_event();
    ++posts;
    if (pending < 2048) {
      EXPECT_FALSE(flushed_soon()) << "woken early with " << pending << " bytes";
    }
  }
  EXPECT_GE(pending, 2048u);
  EXPECT_GT(posts, 1);
  EXPECT_EQ(driver_.flush_arms, 1);
  hub_->flush();  // the next turn
  EXPECT_EQ(wakes(alice_), 1);
  EXPECT_EQ(wakes(bob_), 1);
}

// One message of exactly half a frame, under it and over it.
TEST_F(HubWakeTest, HalfAFrameThresholdAtUnderAndOver) {
  const std::string body(300, 'y');
  make_hub(10);
  post(alice_, body);
  const std::size_t size = encoded_size_of_last_event();

  for (auto [max_frame, woken_at_once] :
       {std::pair{2 * size, true}, std::pair{2 * size + 2, false}, std::pair{2 * size - 2, true}}) {
    alice_ = Session();
    bob_ = Session();
    make_hub(10, max_frame);
    post(alice_, body);
    ASSERT_EQ(encoded_size_of_last_event(), size);
    EXPECT_EQ(flushed_soon(), woken_at_once) << "max frame " << max_frame;
  }
}

TEST_F(HubWakeTest, AFullTimerIntervalStillWakesAfterAnEarlyWake) {
  make_hub(10, 1024);
  post(alice_, std::string(600, 'z'));  // over half a frame: woken at once
  EXPECT_TRUE(flushed_soon());
  hub_->flush();  // the next turn
  EXPECT_EQ(wakes(bob_), 1);
  bob_.write_requested = false;  // its write pump ran
  bob_.cursor = bob_.room->log->next_seq();
  post(alice_, "small");  // after the early wake: waits for the timer
  EXPECT_EQ(wakes(bob_), 1);
  hub_->flush();
  EXPECT_EQ(wakes(bob_), 2);
}

// flush() first offers each reader to the transport's push (a direct write);
// only the readers it declines get a writable callback.
TEST_F(HubWakeTest, FlushPushesAndWakesOnlyTheReadersPushDeclines) {
  driver_.accepts_push = [&](Session& s) { return &s == &alice_; };  // bob's socket is full
  make_hub(10);
  post(alice_, "hello");
  EXPECT_TRUE(driver_.pushes.empty());  // nothing before the timer
  hub_->flush();
  EXPECT_EQ(driver_.pushes[&alice_], 1);
  EXPECT_EQ(driver_.pushes[&bob_], 1);
  EXPECT_EQ(wakes(alice_), 0);
  EXPECT_EQ(wakes(bob_), 1);
}

// A message to a big room is written over several loop turns, at most
// kWritesPerTurn members per flush(), and nobody is left out, including when
// members leave and a new message arrives while the flush is under way.
TEST_F(HubWakeTest, AFlushOffersABoundedNumberOfMembersPerTurnAndReachesEveryone) {
  std::vector<Session> crowd = big_room();
  post(alice_, "to everyone");
  hub_->flush();
  EXPECT_EQ(driver_.pushes.size(), Hub::kWritesPerTurn);
  EXPECT_EQ(driver_.next_turn_flushes, 1) << "the rest must follow at the next turn";
  // Members leave mid-flush: swap-removal must not hide anyone still to offer.
  for (std::size_t i = 0; i < 20; ++i) hub_->leave(crowd[i * 7]);
  hub_->flush();
  post(bob_, "another");  // everyone must be offered this one too
  std::map<Session*, int> before = driver_.pushes;
  const int arms_before = driver_.flush_arms;
  auto finish_pass = [&] {
    for (int turn = 0; turn < 10 && driver_.next_turn_flushes > 0; ++turn) {
      driver_.next_turn_flushes = 0;
      hub_->flush();
    }
    EXPECT_EQ(driver_.next_turn_flushes, 0);
  };
  finish_pass();
  // The pass under way went on (it was not started over); the members it had
  // passed get "another" in a second pass, after the interval like any flush.
  EXPECT_EQ(driver_.flush_arms, arms_before + 1) << "the second pass waits for the timer";
  hub_->flush();  // the timer
  finish_pass();
  for (Session* member : alice_.room->members)
    EXPECT_GT(driver_.pushes[member], before[member])
        << member->nick << " missed the second message";
  for (std::size_t i = 0; i < crowd.size(); ++i) {
    if (!crowd[i].room) continue;
    EXPECT_GE(driver_.pushes[&crowd[i]], 1) << crowd[i].nick;
  }
  for (auto& member : crowd) hub_->leave(member);
}

// Messages that keep arriving during a flush must not start it over: it
// would offer the same members again and again and never reach the others.
TEST_F(HubWakeTest, MessagesDuringAFlushDoNotStarveTheMembersItHasNotReached) {
  std::vector<Session> crowd = big_room();
  post(alice_, "first");
  hub_->flush();  // the timer: the first turn of the pass
  for (int turn = 0; turn < 3; ++turn) {
    post(bob_, "during " + std::to_string(turn));
    driver_.next_turn_flushes = 0;
    hub_->flush();  // the next turns
  }
  for (auto& member : crowd) EXPECT_GE(driver_.pushes[&member], 1) << member.nick;
  for (auto& member : crowd) hub_->leave(member);
}

}  // namespace
}  // namespace hubchat::relay
