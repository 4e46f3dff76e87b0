// Shared fixture for relay integration tests: each test starts its own relay
// process (so tests are independent and can run in parallel under ctest) and
// gets its stderr printed when it fails. Plus small checks used by several
// test files.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "shared/event.hpp"
#include "shared/lossless_codec.hpp"
#include "tests/support/lossless_client.hpp"
#include "tests/support/relay_process.hpp"
#include "tests/support/ws_test_client.hpp"

namespace hubchat::test {

using namespace std::chrono_literals;

// Which broker the relay under test uses: the in-memory one, or with
// HUBCHAT_TEST_BROKER=redis a redis-server of the test's own (ctest runs the
// delivery, resume and ordering tests both ways: tests/integration/CMakeLists.txt).
inline bool testing_redis_broker() {
  const char* broker = std::getenv("HUBCHAT_TEST_BROKER");
  return broker && std::string_view(broker) == "redis";
}

// With HUBCHAT_TEST_REDIS_SHARDS=N (and the Redis broker), N redis-servers,
// the relay's rooms sharded over them (the suite's second ctest entry).
inline std::size_t testing_redis_shards() {
  const char* shards = std::getenv("HUBCHAT_TEST_REDIS_SHARDS");
  const long n = shards ? std::strtol(shards, nullptr, 10) : 1;
  return n > 1 ? static_cast<std::size_t>(n) : 1;
}

// Prints the end of each relay's stderr: what a failed multi-relay test shows.
inline void print_relay_logs(const std::vector<std::unique_ptr<RelayProcess>>& relays,
                             std::size_t max_bytes = 6000) {
  for (const auto& relay : relays) {
    std::string log = relay->stderr_text();
    if (log.size() > max_bytes) log = "...\n" + log.substr(log.size() - max_bytes);
    std::cerr << "---- relay stderr (pid " << relay->pid() << ") ----\n" << log << "\n";
  }
}

class RelayTest : public ::testing::Test {
 protected:
  // Use as ASSERT_TRUE(start_relay({...})).
  ::testing::AssertionResult start_relay(std::vector<std::string> args = {}) {
    if (testing_redis_broker()) {
      while (redis_.size() < testing_redis_shards()) {
        redis_.push_back(std::make_unique<RedisProcess>());
        if (!redis_.back()->start()) return ::testing::AssertionFailure() << redis_.back()->error();
      }
      for (const auto& redis : redis_) args.insert(args.end(), {"--redis", redis->url()});
    }
    relay_ = std::make_unique<RelayProcess>(std::move(args));
    if (!relay_->start()) return ::testing::AssertionFailure() << relay_->error();
    return ::testing::AssertionSuccess();
  }

  void TearDown() override {
    if (HasFailure() && relay_) {
      std::string log = relay_->stderr_text();
      if (log.size() > 8000) log = "...\n" + log.substr(log.size() - 8000);
      std::cerr << "---- relay stderr (port " << relay_->port() << ") ----\n"
                << log << "\n---- end relay stderr ----\n";
      if (relay_->running()) {
        std::string metrics;
        for (const char* name :
             {"hubchat_connections", "hubchat_messages_in_total", "hubchat_messages_out_total",
              "hubchat_frames_out_total", "hubchat_closes_total"})
          for (const std::string& line : metric_lines(relay_->metrics_text(), name))
            metrics += line + "\n";
        std::cerr << "---- relay metrics at the failure ----\n" << metrics;
      }
    }
  }

  std::uint16_t port() const { return relay_->port(); }
  RelayProcess& relay() { return *relay_; }

  // Reads /metrics until `pred(value of series)` holds or the deadline passes;
  // returns the last value seen. For gauges that settle after a close.
  std::optional<double> wait_metric(const std::string& series,
                                    const std::function<bool(double)>& pred, Deadline deadline) {
    std::optional<double> v;
    for (;;) {
      v = metric(relay_->metrics_text(), series);
      if ((v && pred(*v)) || Clock::now() >= deadline) return v;
      std::this_thread::sleep_for(20ms);  // metrics have no push channel: poll
    }
  }

  // HUBCHAT_TEST_BROKER=redis only: one, or HUBCHAT_TEST_REDIS_SHARDS of them.
  std::vector<std::unique_ptr<RedisProcess>> redis_;
  std::unique_ptr<RelayProcess> relay_;
};

// A lossless `msg` frame (one event, no trailing newline) of exactly `size`
// bytes, its body padded with `fill`. The envelope is measured with the shared
// encoder, so the size is the exact WebSocket message payload.
inline std::string msg_frame_of_size(std::size_t size, char fill = 'x') {
  Event e;
  e.type = EventType::msg;
  const std::size_t envelope = lossless::encode(e).size();
  e.body.assign(size - envelope, fill);
  std::string frame = lossless::encode(e);
  return frame;
}

// Logged events (those with a seq) must come with seq increasing by exactly
// 1: no gap, no duplicate, no reordering. Returns a description of the first
// violation, or "" if none.
inline std::string check_contiguous(const std::vector<Event>& events) {
  Seq last = 0;
  for (const Event& e : events) {
    if (e.seq == 0 || e.type == EventType::welcome) continue;
    if (last != 0 && e.seq != last + 1)
      return "seq " + std::to_string(e.seq) + " after " + std::to_string(last) + " (" +
             describe(e) + ")";
    last = e.seq;
  }
  return "";
}

inline bool has_msg_body(const std::vector<Event>& events, const std::string& body) {
  for (const Event& e : events)
    if (e.type == EventType::msg && e.body == body) return true;
  return false;
}

}  // namespace hubchat::test
