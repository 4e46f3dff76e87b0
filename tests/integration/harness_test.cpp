// Self-checks of the test harness itself (no relay needed), so a harness bug
// is not mistaken for a relay bug.
#include <gtest/gtest.h>

#include "tests/support/lossless_client.hpp"
#include "tests/support/relay_process.hpp"
#include "tests/support/ws_test_client.hpp"

namespace hubchat::test {
namespace {

TEST(Harness, WebSocketAcceptMatchesRfc6455Sample) {
  // RFC 6455 section 1.3.
  EXPECT_EQ(websocket_accept("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(Harness, MetricParser) {
  const std::string text =
      "# HELP hubchat_rooms Rooms.\n"
      "# TYPE hubchat_rooms gauge\n"
      "hubchat_rooms 3\n"
      "hubchat_rooms_extra 9\n"
      "hubchat_closes_total{reason=\"peer\"} 2\n"
      "hubchat_closes_total{reason=\"a b\"} 5 1700000000000\n";
  EXPECT_EQ(metric(text, "hubchat_rooms"), 3);
  EXPECT_EQ(metric(text, "hubchat_closes_total{reason=\"peer\"}"), 2);
  EXPECT_EQ(metric(text, "hubchat_closes_total{reason=\"a b\"}"), 5);
  EXPECT_FALSE(metric(text, "hubchat_closes_total").has_value());
  EXPECT_EQ(metric_sum(text, "hubchat_closes_total"), 7);
  EXPECT_EQ(metric_sum(text, "hubchat_rooms"), 3) << "a longer name is another metric";
  EXPECT_EQ(metric_lines(text, "hubchat_closes_total").size(), 2u);
}

TEST(Harness, UrlEncode) {
  EXPECT_EQ(url_encode("a b&c=d"), "a%20b%26c%3Dd");
  EXPECT_EQ(url_encode("한"), "%ED%95%9C");
}

}  // namespace
}  // namespace hubchat::test
