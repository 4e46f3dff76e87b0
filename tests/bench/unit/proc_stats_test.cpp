// Unit tests for reading server CPU and RSS from /proc text.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/bench/loadgen/proc_stats.hpp"

namespace hubchat::bench {
namespace {

TEST(ProcStats, ParsesStatWithAwkwardComm) {
  const std::string stat =
      "1234 (we ird) name) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 100 "
      "1000000 200 18446744073709551615";
  auto ticks = parse_stat_cpu_ticks(stat);
  ASSERT_TRUE(ticks);
  EXPECT_EQ(*ticks, 325u);
  EXPECT_FALSE(parse_stat_cpu_ticks("1234 (x) S 1 2"));
}

TEST(ProcStats, ParsesVmRss) {
  auto rss = parse_status_rss_bytes("Name:\trelay\nVmPeak:\t  100 kB\nVmRSS:\t    5120 kB\n");
  ASSERT_TRUE(rss);
  EXPECT_EQ(*rss, 5120 * 1024);
  EXPECT_FALSE(parse_status_rss_bytes("Name: x\n"));
}

TEST(ProcStats, ReadsThisProcess) {
  EXPECT_TRUE(process_cpu_seconds(getpid()).has_value());
  auto rss = process_rss_bytes(getpid());
  ASSERT_TRUE(rss);
  EXPECT_GT(*rss, 0);
  EXPECT_GE(self_cpu_seconds(), 0.0);
}

}  // namespace
}  // namespace hubchat::bench
