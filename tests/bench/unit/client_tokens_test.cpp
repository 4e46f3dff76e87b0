// The load generator's tokens (--token-key): one per client, each accepted by
// the relay's own verifier as that client (sub = its index, name = its nick,
// valid about an hour); a key that cannot be used is an error, not guests.
#include "tests/bench/loadgen/client_tokens.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "relay/auth/auth_key.hpp"
#include "relay/auth/token_verifier.hpp"
#include "tests/support/temp_dir.hpp"

namespace hubchat::bench {
namespace {

std::int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

TEST(ClientTokens, EachClientGetsItsOwnTokenTheRelayAccepts) {
  test::TempDir dir("loadgen");
  ASSERT_TRUE(dir.valid());
  const std::string secret(64, 'k');  // the relay takes 32 bytes or more
  const std::string key_file = dir.write("secret", secret);
  std::string error;
  const auto tokens = mint_client_tokens(key_file, 3, error);
  ASSERT_TRUE(tokens) << error;
  ASSERT_EQ(tokens->size(), 3u);

  auto key = relay::parse_auth_key(secret, relay::KeyUse::verify, error);
  ASSERT_TRUE(key) << error;
  const relay::TokenVerifier verifier(*key, 64, 64);
  const std::int64_t now = unix_now();
  for (std::size_t i = 0; i < tokens->size(); ++i) {
    const relay::TokenCheck check = verifier.check((*tokens)[i], now);
    ASSERT_EQ(check.status, relay::TokenStatus::ok) << i << ": " << check.why;
    EXPECT_EQ(check.identity.uid, std::to_string(i));
    EXPECT_EQ(check.identity.name, client_nick(i));
    EXPECT_NEAR(static_cast<double>(check.identity.expires_at), static_cast<double>(now + 3600),
                60.0);
  }
  EXPECT_NE((*tokens)[0], (*tokens)[1]);
}

TEST(ClientTokens, AKeyThatCannotBeUsedIsAnError) {
  test::TempDir dir("loadgen");
  ASSERT_TRUE(dir.valid());
  std::string error;
  EXPECT_FALSE(mint_client_tokens(dir.path() + "/missing", 1, error));
  EXPECT_FALSE(error.empty());
  error.clear();
  EXPECT_FALSE(mint_client_tokens(dir.write("short", "too short"), 1, error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace hubchat::bench
