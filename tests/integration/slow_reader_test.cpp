// Slow consumers: a client that stops reading while its room keeps talking
// falls off the ring (--history-events 32) and, when it reads again, finds a
// close 4001 after the data that did reach it; clients that read normally get
// everything and stay connected.
#include <atomic>
#include <future>

#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

constexpr int kMessages = 2000;
constexpr std::size_t kBodyBytes = 1024;
// The sender waits for its own echo this often, so neither it nor the normal
// reader can lag the room by more than a fraction of the 32-event ring: only
// the client that stops reading may fall off.
constexpr int kEchoEvery = 8;

std::string body_of(int i) {
  std::string n = std::to_string(i);
  return n + ":" + std::string(kBodyBytes - n.size() - 1, 'k');
}

int index_of(const std::string& body) {
  return std::stoi(body.substr(0, body.find(':')));
}

TEST_F(RelayTest, SlowReaderIsClosed4001AndOthersGetEverything) {
  // --rate-limit 0: the sender must be able to outpace the slow reader.
  ASSERT_TRUE(start_relay({"--history-events", "32", "--rate-limit", "0"}));

  LosslessClient slow, reader, sender;
  {
    // Small receive window and MSS: the relay's kernel then buffers ~50 KB for
    // this client instead of megabytes, so it notices the stall quickly.
    ConnectOptions o;
    o.rcvbuf = 4096;
    o.max_segment = 536;
    ASSERT_TRUE(slow.connect(port(), o).upgraded());
    ASSERT_TRUE(slow.send_join("slow", "sloth"));
    ASSERT_TRUE(slow.wait_for([](const Event& e) { return e.type == EventType::welcome; },
                              deadline_in(5s)));
  }
  ASSERT_TRUE(reader.connect_and_join(port(), "slow", "reader"));
  ASSERT_TRUE(sender.connect_and_join(port(), "slow", "sender"));
  // `slow` reads nothing from here until the end.

  std::atomic<int> reader_count{0};
  auto reader_done = std::async(std::launch::async, [&] {
    const std::string last = body_of(kMessages - 1);
    return reader
        .wait_for(
            [&](const Event& e) {
              if (e.type == EventType::msg) ++reader_count;
              return e.type == EventType::msg && e.body == last;
            },
            deadline_in(30s))
        .has_value();
  });

  for (int i = 0; i < kMessages; ++i) {
    ASSERT_TRUE(sender.send_msg(body_of(i))) << i;
    if (i % kEchoEvery == kEchoEvery - 1 || i == kMessages - 1) {
      const std::string mine = body_of(i);
      ASSERT_TRUE(sender.wait_for(
          [&](const Event& e) { return e.type == EventType::msg && e.body == mine; },
          deadline_in(10s)))
          << "sender lost its echo at " << i << ": " << sender.end().describe();
    }
  }
  ASSERT_TRUE(reader_done.get()) << "normal reader got only " << reader_count << " messages; "
                                 << reader.end().describe();

  // The normal reader: everything, in order, and still connected.
  {
    const auto msgs = reader.msgs();
    ASSERT_EQ(msgs.size(), static_cast<std::size_t>(kMessages));
    for (int i = 0; i < kMessages; ++i) ASSERT_EQ(index_of(msgs[i].body), i);
    EXPECT_EQ(check_contiguous(reader.history()), "");
    EXPECT_FALSE(reader.end().ended()) << reader.end().describe();
    ASSERT_TRUE(reader.send_msg("reader still here"));
    EXPECT_TRUE(reader.wait_for([](const Event& e) { return e.body == "reader still here"; },
                                deadline_in(5s)))
        << reader.end().describe();
    EXPECT_FALSE(sender.end().ended()) << sender.end().describe();
  }

  // The slow one reads again: a consistent prefix of the room, then 4001.
  while (slow.next(deadline_in(10s))) {
  }
  const Received& end = slow.end();
  EXPECT_EQ(end.kind, Received::Kind::close) << end.describe();
  EXPECT_EQ(end.close_code, 4001) << end.describe();
  EXPECT_EQ(end.close_reason, "slow consumer: fell behind the room history");
  EXPECT_EQ(check_contiguous(slow.history()), "") << "what did arrive must have no gaps";
  EXPECT_LT(slow.msg_count(), static_cast<std::size_t>(kMessages));

  // The close is also counted, under a reason that names it (the label value
  // is the relay's choice; PROTOCOL.md only fixes the metric name). The relay
  // counts it when the connection is gone, a moment after our close reply.
  auto slow_closes = [](const std::string& text) {
    double n = 0;
    for (const std::string& line : metric_lines(text, "hubchat_closes_total"))
      if (line.find("slow") != std::string::npos)
        n += metric(text, line.substr(0, line.rfind(' '))).value_or(0);
    return n;
  };
  std::string m;
  const Deadline deadline = deadline_in(5s);
  do {
    m = relay().metrics_text();
  } while (slow_closes(m) < 1 && Clock::now() < deadline &&
           (std::this_thread::sleep_for(20ms), true));
  EXPECT_EQ(slow_closes(m), 1) << ::testing::PrintToString(metric_lines(m, "hubchat_closes_total"));
}

}  // namespace
}  // namespace hubchat::test
