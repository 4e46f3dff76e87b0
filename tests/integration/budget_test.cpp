// The request budget (docs/PROTOCOL.md, "Request budget"): every request
// spends from one bucket, a frame holding more than a burst is refused whole,
// and a frame stops at the first request that closes the connection. Against
// the real relay, over real sockets.
#include "tests/integration/relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

// `count` copies of `line`, as one lossless frame.
std::string batch_of(const std::string& line, std::size_t count) {
  std::string frame;
  for (std::size_t i = 0; i < count; ++i) {
    if (i) frame += '\n';
    frame += line;
  }
  return frame;
}

std::string numbered_batch(const std::string& before, const std::string& after, std::size_t count) {
  std::string frame;
  for (std::size_t i = 0; i < count; ++i) {
    if (i) frame += '\n';
    frame += before + std::to_string(i) + after;
  }
  return frame;
}

class BudgetTest : public RelayTest {
 protected:
  // A regular sender's message still reaches the observer.
  void expect_room_still_chatting(LosslessClient& observer, LosslessClient& sender,
                                  const std::string& body) {
    ASSERT_TRUE(sender.send_msg(body));
    EXPECT_TRUE(observer.wait_for(
        [&](const Event& e) { return e.type == EventType::msg && e.body == body; },
        deadline_in(5s)))
        << observer.end().describe();
  }
};

TEST_F(BudgetTest, AFrameOf2000NicksIsClosedAndNoneReachesTheRoom) {
  ASSERT_TRUE(start_relay({"--presence-interval", "20"}));
  LosslessClient observer, sender, attacker;
  ASSERT_TRUE(observer.connect_and_join(port(), "r", "observer"));
  ASSERT_TRUE(sender.connect_and_join(port(), "r", "sender"));
  ASSERT_TRUE(attacker.connect_and_join(port(), "r", "attacker"));
  ASSERT_TRUE(
      attacker.ws().send_text(numbered_batch(R"({"type":"nick","nick":"x)", R"("})", 2000)));
  Received end = attacker.ws().wait_closed(deadline_in(5s));
  EXPECT_EQ(end.kind, Received::Kind::close) << end.describe();
  EXPECT_EQ(end.close_code, 1008);
  EXPECT_EQ(end.close_reason, "too many requests in one frame");
  expect_room_still_chatting(observer, sender, "still here");
  // Its leave is the only presence change of the attacker the room hears of.
  ASSERT_TRUE(observer.wait_for(
      [](const Event& e) { return e.type == EventType::leave && e.nick == "attacker"; },
      deadline_in(5s)));
  std::size_t renames = 0;
  for (const Event& e : observer.history()) renames += e.type == EventType::nick;
  EXPECT_EQ(renames, 0u);
}

TEST_F(BudgetTest, AFrameOf2000JoinsIsClosedAndCreatesNoRoom) {
  ASSERT_TRUE(start_relay());
  LosslessClient observer, attacker;
  ASSERT_TRUE(observer.connect_and_join(port(), "r", "observer"));
  ASSERT_TRUE(attacker.connect(port()).upgraded());
  ASSERT_TRUE(
      attacker.ws().send_text(numbered_batch(R"({"type":"join","room":"f)", R"("})", 2000)));
  Received end = attacker.ws().wait_closed(deadline_in(5s));
  EXPECT_EQ(end.close_code, 1008) << end.describe();
  EXPECT_EQ(end.close_reason, "too many requests in one frame");
  EXPECT_EQ(*metric(relay().metrics_text(), "hubchat_rooms"), 1);
  EXPECT_EQ(wait_metric(
                "hubchat_closes_total{reason=\"too_many_requests\"}",
                [](double v) { return v == 1; }, deadline_in(5s))
                .value_or(-1),
            1);
}

// At, under and over the per-frame limit (burst 5; the join spent 1 token).
TEST_F(BudgetTest, AFrameAtTheBurstIsServedOneOverIsRefusedWhole) {
  ASSERT_TRUE(start_relay({"--rate-burst", "5", "--rate-limit", "0.001"}));
  LosslessClient observer;
  ASSERT_TRUE(observer.connect_and_join(port(), "r", "observer"));
  for (std::size_t size : {4u, 5u, 6u}) {
    SCOPED_TRACE("frame of " + std::to_string(size));
    LosslessClient c;
    ASSERT_TRUE(c.connect_and_join(port(), "r", "c" + std::to_string(size)));
    const std::string tag = "s" + std::to_string(size) + "-";
    ASSERT_TRUE(c.ws().send_text(numbered_batch(R"({"type":"msg","body":")" + tag, R"("})", size)));
    if (size == 6) {
      Received end = c.ws().wait_closed(deadline_in(5s));
      EXPECT_EQ(end.close_code, 1008) << end.describe();
      continue;
    }
    // 4 tokens left after the join: 4 are sent, a fifth is refused with an error.
    ASSERT_TRUE(c.collect_until(
        [&](const std::vector<Event>& h) {
          std::size_t seen = 0;
          for (const Event& e : h)
            seen += (e.type == EventType::msg && e.body.rfind(tag, 0) == 0) ||
                    e.type == EventType::error;
          return seen >= size;
        },
        deadline_in(5s)))
        << describe(c.history());
    std::size_t sent = 0, refused = 0;
    for (const Event& e : c.history()) {
      sent += e.type == EventType::msg && e.body.rfind(tag, 0) == 0;
      refused += e.type == EventType::error && e.code == "rate_limited";
    }
    EXPECT_EQ(sent, 4u);
    EXPECT_EQ(refused, size - 4);
    EXPECT_FALSE(c.end().ended());
  }
  // Nothing of the refused frame reached the room.
  LosslessClient probe;
  ASSERT_TRUE(probe.connect_and_join(port(), "r", "probe"));
  ASSERT_TRUE(probe.collect_until(
      [](const std::vector<Event>& h) {
        std::size_t msgs = 0;
        for (const Event& e : h) msgs += e.type == EventType::msg;
        return msgs >= 8;  // the frames of 4 and 5 posted 4 each
      },
      deadline_in(5s)));
  for (const Event& e : probe.history()) EXPECT_NE(e.body.rfind("s6-", 0), 0u) << describe(e);
}

// Every request type spends the same tokens: joins and member pages too.
TEST_F(BudgetTest, JoinsNicksAndPagesSpendTheSameBudget) {
  ASSERT_TRUE(start_relay({"--rate-burst", "4", "--rate-limit", "0.001"}));
  LosslessClient c;
  ASSERT_TRUE(c.connect_and_join(port(), "a", "c"));  // 1
  ASSERT_TRUE(c.ws().send_text(R"({"type":"nick","nick":"d"})"
                               "\n"
                               R"({"type":"members"})"
                               "\n"
                               R"({"type":"join","room":"b"})"
                               "\n"
                               R"({"type":"msg","body":"x"})"));
  auto refused =
      c.wait_for([](const Event& e) { return e.type == EventType::error; }, deadline_in(5s));
  ASSERT_TRUE(refused) << describe(c.history());
  EXPECT_EQ(refused->code, "rate_limited");
  std::size_t welcomes = 0, pages = 0, msgs = 0;
  for (const Event& e : c.history()) {
    welcomes += e.type == EventType::welcome;
    pages += e.type == EventType::members;
    msgs += e.type == EventType::msg;
  }
  EXPECT_EQ(welcomes, 2u);  // a, then b: the fourth request (msg) had no token
  EXPECT_EQ(pages, 1u);
  EXPECT_EQ(msgs, 0u);
}

// A frame stops at the request that closes the connection: here the errors
// its bad requests earn overflow the pending-reply bound, and the message at
// its end must not be posted.
TEST_F(BudgetTest, AFrameStopsAtTheRequestThatClosesTheConnection) {
  ASSERT_TRUE(start_relay({"--rate-burst", "5000", "--rate-limit", "5000"}));
  LosslessClient observer, c;
  ASSERT_TRUE(observer.connect_and_join(port(), "r", "observer"));
  ASSERT_TRUE(c.connect_and_join(port(), "r", "c"));
  std::string frame = batch_of(R"({"type":"nick","nick":"\t"})", 1500);
  frame +=
      "\n"
      R"({"type":"msg","body":"after the close"})";
  ASSERT_TRUE(c.ws().send_text(frame));
  Received end = c.ws().wait_closed(deadline_in(5s));
  EXPECT_EQ(end.close_code, 1008) << end.describe();
  EXPECT_EQ(end.close_reason, "too many pending replies");
  LosslessClient sender;
  ASSERT_TRUE(sender.connect_and_join(port(), "r", "sender"));
  expect_room_still_chatting(observer, sender, "marker");
  EXPECT_FALSE(has_msg_body(observer.history(), "after the close"));
}

}  // namespace
}  // namespace hubchat::test
