// Keepalive: with --ping-interval 1 --pong-timeout 2, a peer that stops
// answering pings is dropped after the pong timeout, and one that keeps
// answering stays connected well past it.
#include <future>

#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

TEST_F(RelayTest, PeerThatStopsAnsweringPingsIsDroppedAndAnsweringPeerStays) {
  ASSERT_TRUE(start_relay({"--ping-interval", "1", "--pong-timeout", "2"}));

  LosslessClient mute, alive;
  ASSERT_TRUE(alive.connect_and_join(port(), "keepalive", "alive"));
  ASSERT_TRUE(mute.connect_and_join(port(), "keepalive", "mute"));
  // From here on `mute` sends nothing at all: no pongs, no data.
  mute.ws().set_auto_pong(false);
  const auto mute_last_traffic = Clock::now();

  // The answering peer is served on its own thread while we watch the mute
  // one: it must see no close for twice the pong timeout (+ margin).
  const auto alive_until = Clock::now() + 5s;
  auto alive_result = std::async(std::launch::async, [&] {
    return alive.ws().wait_closed(alive_until);  // kind timeout = still connected
  });

  Received dropped = mute.ws().wait_closed(deadline_in(8s));
  const auto drop_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - mute_last_traffic)
          .count();
  EXPECT_TRUE(dropped.ended()) << "mute peer not dropped within 8 s: " << dropped.describe();
  EXPECT_GE(mute.ws().pings_received(), 1) << "the relay never pinged the mute peer";
  // Not before the pong timeout (2 s; a little slack for timer granularity),
  // and not much later than timeout + one ping interval.
  EXPECT_GE(drop_ms, 1500) << "dropped before the pong timeout: " << dropped.describe();
  EXPECT_LE(drop_ms, 5000) << dropped.describe();

  Received alive_end = alive_result.get();
  EXPECT_EQ(alive_end.kind, Received::Kind::timeout)
      << "answering peer was disconnected: " << alive_end.describe();
  EXPECT_GE(alive.ws().pings_received(), 2) << "pings should keep coming every second";
  // And it is still a working connection.
  ASSERT_TRUE(alive.send_msg("still here"));
  auto echo = alive.wait_for(
      [](const Event& e) { return e.type == EventType::msg && e.body == "still here"; },
      deadline_in(5s));
  EXPECT_TRUE(echo) << alive.end().describe();
}

}  // namespace
}  // namespace hubchat::test
