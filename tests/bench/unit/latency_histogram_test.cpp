// Unit tests for the log-linear latency histogram: bucket arithmetic,
// precision bound, and percentiles of known distributions.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>

#include "tests/bench/loadgen/latency_histogram.hpp"

namespace hubchat::bench {
namespace {

using H = LatencyHistogram;

TEST(LatencyHistogram, BucketsAreContiguousAndOrdered) {
  for (std::size_t i = 0; i + 1 < H::kBuckets; ++i) {
    ASSERT_EQ(H::highest_of(i) + 1, H::lowest_of(i + 1)) << i;
    ASSERT_EQ(H::index_of(H::lowest_of(i)), i);
    ASSERT_EQ(H::index_of(H::highest_of(i)), i);
  }
  EXPECT_EQ(H::index_of(UINT64_MAX), H::kBuckets - 1);
}

TEST(LatencyHistogram, RelativeErrorBelowOnePercent) {
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t v = rng() >> (rng() % 60);
    const std::size_t idx = H::index_of(v);
    ASSERT_LE(H::lowest_of(idx), v);
    ASSERT_GE(H::highest_of(idx), v);
    const double width = static_cast<double>(H::highest_of(idx) - H::lowest_of(idx));
    ASSERT_LE(width, static_cast<double>(v) / 128.0 + 1);
  }
}

TEST(LatencyHistogram, EmptyIsZero) {
  H h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(0.99), 0u);
  EXPECT_EQ(h.max(), 0u);
}

TEST(LatencyHistogram, ExactBelowLinearRange) {
  H h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.percentile(0.50), 50u);
  EXPECT_EQ(h.percentile(0.90), 90u);
  EXPECT_EQ(h.percentile(0.99), 99u);
  EXPECT_EQ(h.percentile(1.0), 100u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
}

// Uniform 1..1,000,000 ns: percentile p is p*1e6 within the bucket precision.
TEST(LatencyHistogram, UniformDistribution) {
  H h;
  for (std::uint64_t v = 1; v <= 1'000'000; ++v) h.record(v);
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double want = q * 1e6;
    EXPECT_NEAR(static_cast<double>(h.percentile(q)), want, want / 128.0 + 1) << q;
  }
  EXPECT_EQ(h.max(), 1'000'000u);
}

// Exponential with mean 1 ms: percentile p is -ln(1-p) ms.
TEST(LatencyHistogram, ExponentialDistribution) {
  H h;
  std::mt19937_64 rng(42);
  std::exponential_distribution<double> exp_ms(1.0);
  for (int i = 0; i < 1'000'000; ++i) h.record(static_cast<std::uint64_t>(exp_ms(rng) * 1e6));
  for (double q : {0.5, 0.9, 0.99, 0.999}) {
    const double want = -std::log(1 - q) * 1e6;
    EXPECT_NEAR(static_cast<double>(h.percentile(q)), want, want * 0.03) << q;
  }
}

TEST(LatencyHistogram, BimodalTailAndMerge) {
  H a, b;
  for (int i = 0; i < 990; ++i) a.record(1000);       // 1 us
  for (int i = 0; i < 10; ++i) b.record(50'000'000);  // 50 ms
  a.merge(b);
  EXPECT_EQ(a.count(), 1000u);
  EXPECT_NEAR(static_cast<double>(a.percentile(0.99)), 1000, 8);
  EXPECT_NEAR(static_cast<double>(a.percentile(0.995)), 50e6, 50e6 / 128);
  EXPECT_EQ(a.max(), 50'000'000u);
  EXPECT_EQ(a.min(), 1000u);
}

}  // namespace
}  // namespace hubchat::bench
