// /metrics reports the event loop's turns and its longest turn since the
// previous scrape (hubchat_loop_turns_total, hubchat_loop_stall_max_seconds).
// That the stall value is measured right and reset by each read is asserted
// with a controlled stall in tests/unit/event_loop_test.cpp; here, that the
// real relay exposes both as Prometheus numbers and that they move.
#include <cmath>

#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

TEST_F(RelayTest, MetricsReportLoopTurnsAndLongestTurn) {
  ASSERT_TRUE(start_relay());
  const std::string first = relay().metrics_text();
  EXPECT_NE(first.find("\n# TYPE hubchat_loop_turns_total counter\n"), std::string::npos) << first;
  EXPECT_NE(first.find("\n# TYPE hubchat_loop_stall_max_seconds gauge\n"), std::string::npos)
      << first;
  const std::optional<double> turns1 = metric(first, "hubchat_loop_turns_total");
  const std::optional<double> stall1 = metric(first, "hubchat_loop_stall_max_seconds");
  ASSERT_TRUE(turns1 && stall1) << first;
  EXPECT_GT(*turns1, 0) << "the relay has served /healthz already";
  EXPECT_TRUE(std::isfinite(*stall1) && *stall1 > 0 && *stall1 < 10) << *stall1;

  // Some traffic, then scrape again: more turns; the stall is the longest of
  // this window only, a number again.
  LosslessClient a;
  ASSERT_TRUE(a.connect_and_join(port(), "loop", "a"));
  ASSERT_TRUE(a.send_msg("hello"));
  ASSERT_TRUE(a.wait_for([](const Event& e) { return e.body == "hello"; }, deadline_in(5s)));
  const std::string second = relay().metrics_text();
  const std::optional<double> turns2 = metric(second, "hubchat_loop_turns_total");
  const std::optional<double> stall2 = metric(second, "hubchat_loop_stall_max_seconds");
  ASSERT_TRUE(turns2 && stall2) << second;
  EXPECT_GT(*turns2, *turns1);
  EXPECT_TRUE(std::isfinite(*stall2) && *stall2 > 0 && *stall2 < 10) << *stall2;
}

}  // namespace
}  // namespace hubchat::test
