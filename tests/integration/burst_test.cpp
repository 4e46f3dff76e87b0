// Burst: 50 lossless clients in one room while a few of them send 1000+
// messages as fast as they can. Nothing is lost or reordered, the relay
// coalesces (far fewer frames than events delivered), and no coalesced frame
// exceeds --max-frame-bytes.
#include <algorithm>
#include <map>

#include "relay_test_fixture.hpp"

namespace hubchat::test {
namespace {

constexpr int kClients = 50;
constexpr int kSenders = 4;
constexpr int kPerSender = 250;  // 1000 messages + the END marker
constexpr std::size_t kMaxFrame = 4096;

std::string body_of(int sender, int i) {
  return "s" + std::to_string(sender) + "/" + std::to_string(i);
}

TEST_F(RelayTest, BurstFanOutIsCompleteOrderedAndCoalesced) {
  // --rate-limit 0: this test is about fan-out, not about throttling senders.
  ASSERT_TRUE(start_relay({"--max-frame-bytes", std::to_string(kMaxFrame), "--rate-limit", "0"}));

  std::vector<std::unique_ptr<LosslessClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    auto c = std::make_unique<LosslessClient>();
    ASSERT_TRUE(c->connect_and_join(port(), "burst", "u" + std::to_string(i)))
        << "client " << i << ": " << c->end().describe();
    clients.push_back(std::move(c));
  }
  // Measure only the burst: the join phase writes one small frame per join.
  const std::string before = relay().metrics_text();
  const double frames_before = metric(before, "hubchat_frames_out_total").value_or(-1);
  const double msgs_before = metric(before, "hubchat_messages_out_total").value_or(-1);
  ASSERT_GE(frames_before, 0) << before;
  ASSERT_GE(msgs_before, 0) << before;

  const std::string end_marker = "END";
  // Whether `c` receives END within 20 s (every message before it, then).
  const auto sees_end = [&](LosslessClient& c) {
    return c
        .wait_for([&](const Event& e) { return e.type == EventType::msg && e.body == end_marker; },
                  deadline_in(20s))
        .has_value();
  };
  // Receivers read on their own threads, as independent clients would.
  std::vector<std::thread> threads;
  std::vector<char> got_end(kClients, 0);
  for (int i = kSenders; i < kClients; ++i) {
    threads.emplace_back([&, i] { got_end[i] = sees_end(*clients[i]); });
  }
  const auto burst_start = Clock::now();
  std::vector<std::string> sent_error(kSenders);
  for (int s = 0; s < kSenders; ++s) {
    threads.emplace_back([&, s] {
      LosslessClient& c = *clients[s];
      for (int i = 0; i < kPerSender; ++i) {
        if (!c.send_msg(body_of(s, i))) {
          sent_error[s] = "send " + std::to_string(i) + " failed";
          return;
        }
        if (i % 50 == 49) c.drain();  // keep our own receive side moving
      }
      // Our last message echoed back = all of ours are in the room log. It
      // may have arrived already (read by a drain() above): look in history.
      const std::string last = body_of(s, kPerSender - 1);
      const auto has_last = [&](const std::vector<Event>& history) {
        return std::any_of(history.begin(), history.end(), [&](const Event& e) {
          return e.type == EventType::msg && e.body == last;
        });
      };
      if (!c.collect_until(has_last, deadline_in(20s)))
        sent_error[s] = "no echo of the last message; got " + std::to_string(c.msg_count()) +
                        " msgs; " + c.end().describe();
    });
  }
  for (int s = 0; s < kSenders; ++s) threads[kClients - kSenders + s].join();
  bool senders_ok = true;
  for (int s = 0; s < kSenders; ++s) {
    EXPECT_EQ(sent_error[s], "") << "sender " << s;
    senders_ok = senders_ok && sent_error[s].empty();
  }
  // Every sender's messages are logged, so END is the last message. (Sent
  // even after a sender failed, so the receiver threads can finish.)
  EXPECT_TRUE(clients[0]->send_msg(end_marker));
  for (int s = 0; s < kSenders; ++s) {
    got_end[s] = sees_end(*clients[s]);
  }
  for (int i = 0; i < kClients - kSenders; ++i) threads[i].join();
  ASSERT_TRUE(senders_ok);
  const auto burst_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - burst_start).count();

  const std::size_t expected = kSenders * kPerSender + 1;
  std::vector<Event> reference;
  for (int i = 0; i < kClients; ++i) {
    SCOPED_TRACE("client u" + std::to_string(i));
    const LosslessClient& c = *clients[i];
    ASSERT_TRUE(got_end[i]) << "END never arrived; got " << c.msg_count() << " msgs; end "
                            << c.end().describe();
    EXPECT_TRUE(c.decode_errors().empty()) << c.decode_errors().front();
    EXPECT_EQ(check_contiguous(c.history()), "");
    EXPECT_LE(c.stats().max_frame_bytes, kMaxFrame) << "a received frame exceeds the limit";
    EXPECT_LE(c.stats().max_message_bytes, kMaxFrame);

    const std::vector<Event> msgs = c.msgs();
    ASSERT_EQ(msgs.size(), expected) << "lost or duplicated messages";
    std::map<std::string, int> next_index;
    for (const Event& m : msgs) {
      if (m.body == end_marker) continue;
      const std::string sender = m.body.substr(0, m.body.find('/'));
      ASSERT_EQ(std::stoi(m.body.substr(m.body.find('/') + 1)), next_index[sender]++)
          << "out of order: " << describe(m);
    }
    if (reference.empty()) {
      reference = msgs;
    } else {
      for (std::size_t k = 0; k < expected; ++k) {
        ASSERT_EQ(msgs[k].seq, reference[k].seq) << k;
        ASSERT_EQ(msgs[k].body, reference[k].body) << k;
      }
    }
  }

  const std::string after = relay().metrics_text();
  const double frames = metric(after, "hubchat_frames_out_total").value_or(-1) - frames_before;
  const double delivered = metric(after, "hubchat_messages_out_total").value_or(-1) - msgs_before;
  const double max_frame = metric(after, "hubchat_max_frame_bytes_out").value_or(-1);
  std::cerr << "burst: " << expected << " msgs to " << kClients << " clients in " << burst_ms
            << " ms; relay wrote " << frames << " frames for " << delivered << " events\n";
  EXPECT_GE(delivered, static_cast<double>(expected * kClients));
  EXPECT_GT(frames, 0);
  EXPECT_LT(frames * 2, delivered) << "the relay barely coalesces";
  EXPECT_GT(max_frame, 0) << after;
  EXPECT_LE(max_frame, static_cast<double>(kMaxFrame));
}

}  // namespace
}  // namespace hubchat::test
