// `relay token`'s --ttl parsing: units, bounds, and what is not a duration.
#include <gtest/gtest.h>

#include "relay/auth/token_command.hpp"

using hubchat::relay::parse_ttl;
using std::chrono::seconds;

TEST(TokenCommand, TtlUnits) {
  EXPECT_EQ(parse_ttl("90"), seconds(90));
  EXPECT_EQ(parse_ttl("90s"), seconds(90));
  EXPECT_EQ(parse_ttl("30m"), seconds(1800));
  EXPECT_EQ(parse_ttl("1h"), seconds(3600));
  EXPECT_EQ(parse_ttl("7d"), seconds(7 * 86400));
}

TEST(TokenCommand, TtlRefusals) {
  for (const char* bad : {"", "h", "0", "-1h", "1.5h", "1w", "1hh", "367d", " 1h"})
    EXPECT_FALSE(parse_ttl(bad)) << bad;
}
