// The relay's log (docs/operating.md, "Logs"): exactly one end line per
// connection, with the right close code, for every documented way a
// connection ends; read from the real relay's stderr.
#include <netinet/in.h>
#include <sys/socket.h>

#include <sstream>

#include "tests/integration/relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

// The local port of a connected test client: how its end line is found.
std::uint16_t local_port(WsClient& ws) {
  sockaddr_in address{};
  socklen_t size = sizeof address;
  ::getsockname(ws.fd(), reinterpret_cast<sockaddr*>(&address), &size);
  return ntohs(address.sin_port);
}

class LogTest : public RelayTest {
 protected:
  // The relay's end lines for the connection from `port`.
  std::vector<std::string> end_lines(std::uint16_t port) const {
    std::vector<std::string> lines;
    std::istringstream text(relay_->stderr_text());
    const std::string needle = " port=" + std::to_string(port) + " ";
    for (std::string line; std::getline(text, line);)
      if (line.rfind("relay: connection end: ", 0) == 0 && line.find(needle) != std::string::npos)
        lines.push_back(line);
    return lines;
  }
  // Waits for the connection's end line; it must be the only one, with `code`.
  void expect_one_end_line(std::uint16_t port, int code, const std::string& reason) {
    std::vector<std::string> lines;
    const Deadline deadline = deadline_in(5s);
    while ((lines = end_lines(port)).empty() && Clock::now() < deadline)
      std::this_thread::sleep_for(10ms);  // the log has no push channel: poll it
    ASSERT_EQ(lines.size(), 1u) << relay_->stderr_text();
    EXPECT_NE(lines[0].find(" close=" + std::to_string(code) + " "), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("reason=\"" + reason + "\""), std::string::npos) << lines[0];
  }
};

TEST_F(LogTest, EachWayAConnectionEndsLogsOneLineWithItsCode) {
  ASSERT_TRUE(start_relay({"--max-message-bytes", "64", "--rate-limit", "1", "--rate-burst", "3"}));
  struct Case {
    std::string name;
    std::function<void(LosslessClient&)> act;
    int code;
    std::string reason;
  };
  const std::vector<Case> cases = {
      {"client close", [](LosslessClient& c) { c.ws().send_close(1000); }, 1000,
       "closed by the client"},
      {"dropped", [](LosslessClient& c) { c.ws().disconnect(); }, 1006,
       "connection lost (no close frame)"},
      {"binary", [](LosslessClient& c) { c.ws().send_binary("x"); }, 1003,
       "binary frames are not accepted"},
      {"bad utf-8", [](LosslessClient& c) { c.ws().send_raw_text("\xC3\x28"); }, 1007,
       "invalid UTF-8"},
      {"too big", [](LosslessClient& c) { c.ws().send_text(std::string(65, 'x')); }, 1009,
       "message too big"},
      {"too many requests",
       [](LosslessClient& c) {
         // Four requests, one over the burst (short, to stay under 64 bytes).
         c.ws().send_text(R"({"type":"x"})"
                          "\n"
                          R"({"type":"x"})"
                          "\n"
                          R"({"type":"x"})"
                          "\n"
                          R"({"type":"x"})");
       },
       1008, "too many requests in one frame"},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.name);
    LosslessClient c;
    ASSERT_TRUE(c.connect_and_join(port(), "log", "n" + std::to_string(&test - &cases[0])));
    const std::uint16_t from = local_port(c.ws());
    test.act(c);
    if (c.ws().connected()) c.ws().wait_closed(deadline_in(5s));
    expect_one_end_line(from, test.code, test.reason);
  }
  {
    SCOPED_TRACE("legacy over the rate limit");
    LegacyClient g;
    ASSERT_TRUE(g.connect(port(), "log", "legacy").upgraded());
    const std::uint16_t from = local_port(g.ws());
    for (int i = 0; i < 5; ++i) g.send("m" + std::to_string(i));
    g.ws().wait_closed(deadline_in(5s));
    expect_one_end_line(from, 1008, "rate limit exceeded");
    EXPECT_NE(end_lines(from)[0].find("room=log nick=legacy dialect=legacy"), std::string::npos)
        << end_lines(from)[0];
  }
  // Still connected at shutdown: 1001, logged before the stop line.
  LosslessClient last;
  ASSERT_TRUE(last.connect_and_join(port(), "log", "last"));
  const std::uint16_t from = local_port(last.ws());
  const ExitStatus stopped = relay_->stop();
  EXPECT_TRUE(stopped.exited);
  expect_one_end_line(from, 1001, "relay shutting down");
  const std::string text = relay_->stderr_text();
  EXPECT_NE(text.find("relay: settings: port="), std::string::npos);
  EXPECT_LT(text.find("port=" + std::to_string(from) + " "), text.find("relay: stopped after"));
}

TEST_F(LogTest, CapsAndPendingRepliesLogTheirCodes) {
  ASSERT_TRUE(start_relay({"--max-connections", "2", "--max-connections-per-ip", "1",
                           "--rate-burst", "5000", "--rate-limit", "5000"}));
  LosslessClient first;
  ASSERT_TRUE(first.connect_and_join(port(), "caps", "first"));
  {
    LosslessClient second;  // same address as the first
    ASSERT_TRUE(second.connect(port()).upgraded());
    const std::uint16_t from = local_port(second.ws());
    second.ws().wait_closed(deadline_in(5s));
    expect_one_end_line(from, 1008, "too many connections from your address");
  }
  // Replies it never reads pile up past the bound.
  const std::uint16_t from = local_port(first.ws());
  ASSERT_TRUE(first.ws().send_text([] {
    std::string frame;
    for (int i = 0; i < 1500; ++i)
      frame += R"({"type":"nick","nick":"\t"})"
               "\n";
    return frame;
  }()));
  first.ws().wait_closed(deadline_in(5s));
  expect_one_end_line(from, 1008, "too many pending replies");
}

TEST_F(LogTest, AFullServerLogs1013) {
  ASSERT_TRUE(start_relay({"--max-connections", "1"}));
  LosslessClient first, second;
  ASSERT_TRUE(first.connect_and_join(port(), "full", "first"));
  ASSERT_TRUE(second.connect(port()).upgraded());
  const std::uint16_t from = local_port(second.ws());
  second.ws().wait_closed(deadline_in(5s));
  expect_one_end_line(from, 1013, "server full");
}

TEST_F(LogTest, ASlowConsumerLogs4001) {
  ASSERT_TRUE(start_relay({"--history-events", "32", "--rate-limit", "0"}));
  LosslessClient slow, sender;
  ConnectOptions o;
  o.rcvbuf = 4096;
  o.max_segment = 536;
  ASSERT_TRUE(slow.connect(port(), o).upgraded());
  const std::uint16_t from = local_port(slow.ws());
  ASSERT_TRUE(slow.send_join("slow", "sloth"));
  ASSERT_TRUE(
      slow.wait_for([](const Event& e) { return e.type == EventType::welcome; }, deadline_in(5s)));
  ASSERT_TRUE(sender.connect_and_join(port(), "slow", "sender"));
  const std::string body(1000, 'k');
  // `slow` reads nothing while the room runs far past its ring.
  for (int i = 0; i < 2000 && end_lines(from).empty(); ++i) {
    ASSERT_TRUE(sender.send_msg(body));
    if (i % 50 != 49) continue;
    ASSERT_TRUE(
        sender.wait_for([&](const Event& e) { return e.type == EventType::msg; }, deadline_in(5s)));
  }
  while (slow.next(deadline_in(5s))) {
  }
  expect_one_end_line(from, 4001, "slow consumer: fell behind the room history");
}

}  // namespace
}  // namespace hubchat::test
