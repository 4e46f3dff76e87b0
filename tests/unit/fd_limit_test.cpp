// The relay's open-file limit (relay/transport/fd_limit.hpp): raised to what
// --max-connections needs, never past the hard limit, never lowered. Each
// test runs in its own process (gtest_discover_tests), so changing this
// process's limit touches nothing else.
#include "relay/transport/fd_limit.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace hubchat::relay {
namespace {

rlimit current() {
  rlimit limit{};
  EXPECT_EQ(getrlimit(RLIMIT_NOFILE, &limit), 0);
  return limit;
}

// Lowers the soft limit to `soft` so the test has room below the hard one.
bool lower_soft_to(rlim_t soft) {
  rlimit limit = current();
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max <= soft) return false;
  limit.rlim_cur = soft;
  return setrlimit(RLIMIT_NOFILE, &limit) == 0;
}

TEST(FdLimit, RaisesTheSoftLimitToWhatIsWanted) {
  if (!lower_soft_to(256)) GTEST_SKIP() << "hard open-file limit too low to test";
  const rlim_t hard = current().rlim_max;
  const std::size_t wanted = hard == RLIM_INFINITY ? 1000 : std::min<rlim_t>(hard, 1000);
  EXPECT_EQ(raise_open_file_limit(wanted), wanted);
  EXPECT_EQ(current().rlim_cur, wanted);
}

TEST(FdLimit, StopsAtTheHardLimit) {
  if (!lower_soft_to(256)) GTEST_SKIP() << "hard open-file limit too low to test";
  const rlim_t hard = current().rlim_max;
  if (hard == RLIM_INFINITY) GTEST_SKIP() << "no hard limit";
  EXPECT_EQ(raise_open_file_limit(static_cast<std::size_t>(hard) + 1000), hard);
  EXPECT_EQ(current().rlim_cur, hard);
}

TEST(FdLimit, NeverLowersIt) {
  if (!lower_soft_to(512)) GTEST_SKIP() << "hard open-file limit too low to test";
  EXPECT_EQ(raise_open_file_limit(100), 512u);
  EXPECT_EQ(current().rlim_cur, 512u);
}

}  // namespace
}  // namespace hubchat::relay
