// The Prometheus text of the loop timing metrics: names, types, values.
#include <gtest/gtest.h>

#include <string>

#include "relay/ops/metrics.hpp"

namespace hubchat::relay {
namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

TEST(Metrics, RendersLoopTurnsAndStall) {
  Metrics m;
  m.loop_turns = 1234;
  m.loop_stall_max_seconds = 0.0125;
  const std::string text = m.render(0, 0);
  EXPECT_TRUE(has_line(text, "# TYPE hubchat_loop_turns_total counter")) << text;
  EXPECT_TRUE(has_line(text, "hubchat_loop_turns_total 1234")) << text;
  EXPECT_TRUE(has_line(text, "# TYPE hubchat_loop_stall_max_seconds gauge")) << text;
  EXPECT_TRUE(has_line(text, "hubchat_loop_stall_max_seconds 0.0125")) << text;
}

TEST(Metrics, StallValueIsAPrometheusNumber) {
  Metrics m;
  for (double v : {0.0, 1.5e-05, 2.0, 123.456}) {
    m.loop_stall_max_seconds = v;
    const std::string text = m.render(0, 0);
    const std::string key = "\nhubchat_loop_stall_max_seconds ";
    const auto at = text.find(key);
    ASSERT_NE(at, std::string::npos) << text;
    const std::string value =
        text.substr(at + key.size(), text.find('\n', at + 1) - at - key.size());
    EXPECT_EQ(std::stod(value), v) << value;
  }
}

}  // namespace
}  // namespace hubchat::relay
