// Reading one sample out of the relay's Prometheus text.
#include "tests/bench/storm/metrics_scrape.hpp"

#include <gtest/gtest.h>

namespace hubchat::bench {
namespace {

constexpr const char* kText =
    "# HELP hubchat_bytes_out_total Payload bytes of frames written.\n"
    "# TYPE hubchat_bytes_out_total counter\n"
    "hubchat_bytes_out_total 123456789012\n"
    "hubchat_bytes_out_total_extra 5\n"
    "hubchat_closes_total{reason=\"peer\"} 3\n"
    "hubchat_loop_stall_max_seconds 0.0125";

TEST(MetricValue, FindsTheExactName) {
  EXPECT_EQ(metric_value(kText, "hubchat_bytes_out_total"), 123456789012.0);
  EXPECT_EQ(metric_value(kText, "hubchat_bytes_out_total_extra"), 5.0);
  EXPECT_DOUBLE_EQ(*metric_value(kText, "hubchat_loop_stall_max_seconds"), 0.0125);
}

TEST(MetricValue, AbsentOrLabelledIsNullopt) {
  EXPECT_FALSE(metric_value(kText, "hubchat_bytes_out").has_value());
  EXPECT_FALSE(metric_value(kText, "hubchat_closes_total").has_value());
  EXPECT_FALSE(metric_value("", "x").has_value());
}

}  // namespace
}  // namespace hubchat::bench
