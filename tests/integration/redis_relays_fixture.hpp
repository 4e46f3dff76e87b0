// Shared fixture for the tests of several relays on one Redis (--redis): a
// redis-server of the test's own on a free port, relays started against it
// with prefix "test:", their stderr printed when a test fails. Plus
// post_paced(), which both scale_out_test and redis_faults_test use.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "tests/integration/relay_test_fixture.hpp"

namespace hubchat::test {

class RedisRelaysTest : public ::testing::Test {
 protected:
  ::testing::AssertionResult start_redis(std::vector<std::string> args = {}) {
    redis_ = std::make_unique<RedisProcess>(std::move(args));
    if (!redis_->start()) return ::testing::AssertionFailure() << redis_->error();
    return ::testing::AssertionSuccess();
  }
  std::vector<std::string> relay_args(std::vector<std::string> extra = {}) const {
    std::vector<std::string> args{"--redis", redis_->url(),  "--redis-prefix",
                                  "test:",   "--rate-limit", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
  // A relay sharing rooms through the test's Redis; `port` 0: a free one.
  RelayProcess* start_relay(std::vector<std::string> extra = {}, std::uint16_t port = 0) {
    relays_.push_back(std::make_unique<RelayProcess>(relay_args(std::move(extra))));
    RelayProcess& relay = *relays_.back();
    const bool ok = port ? relay.start_on(port) : relay.start();
    if (!ok) ADD_FAILURE() << relay.error();
    return ok ? &relay : nullptr;
  }
  void TearDown() override {
    if (HasFailure()) print_relay_logs(relays_);
  }

  std::unique_ptr<RedisProcess> redis_;
  std::vector<std::unique_ptr<RelayProcess>> relays_;
};

// Posts `n` messages "prefix<i>", each after the previous one's echo.
inline ::testing::AssertionResult post_paced(LosslessClient& talker, const std::string& prefix,
                                             int n) {
  for (int i = 0; i < n; ++i) {
    const std::string body = prefix + std::to_string(i);
    if (!talker.send_msg(body)) return ::testing::AssertionFailure() << "send failed";
    if (!talker.wait_for([&](const Event& e) { return e.type == EventType::msg && e.body == body; },
                         deadline_in(std::chrono::seconds(10))))
      return ::testing::AssertionFailure() << "no echo of " << body;
  }
  return ::testing::AssertionSuccess();
}

}  // namespace hubchat::test
