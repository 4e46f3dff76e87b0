// Reconnect delays: bounded by the capped exponential, spread by the jitter.
#include "tests/bench/storm/backoff.hpp"

#include <gtest/gtest.h>

namespace hubchat::bench {
namespace {

TEST(Backoff, DoublesUpToTheCap) {
  const BackoffPolicy p{0.1, 2.0, 12};
  const double almost_one = 0.999999;
  EXPECT_NEAR(backoff_delay_ns(p, 0, almost_one) / 1e9, 0.1, 1e-3);
  EXPECT_NEAR(backoff_delay_ns(p, 1, almost_one) / 1e9, 0.2, 1e-3);
  EXPECT_NEAR(backoff_delay_ns(p, 4, almost_one) / 1e9, 1.6, 1e-3);
  EXPECT_NEAR(backoff_delay_ns(p, 5, almost_one) / 1e9, 2.0, 1e-3);
  EXPECT_NEAR(backoff_delay_ns(p, 1000, almost_one) / 1e9, 2.0, 1e-3);
}

TEST(Backoff, FullJitterSpansZeroToTheBound) {
  const BackoffPolicy p{0.1, 2.0, 12};
  EXPECT_EQ(backoff_delay_ns(p, 3, 0.0), 0);
  EXPECT_NEAR(backoff_delay_ns(p, 3, 0.5) / 1e9, 0.4, 1e-6);
  EXPECT_LE(backoff_delay_ns(p, 3, 7.0), 800'000'000);  // out-of-range randoms are clamped
}

}  // namespace
}  // namespace hubchat::bench
