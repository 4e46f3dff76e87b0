// Tokens for the integration tests of signed identities (trust, moderation,
// the operator API), minted in-process with relay/auth's own minter so every
// test names a user the same way: sub "id-<name>", name <name>. A key or a
// token libjwt refuses fails the test that asked for it. Header-only; the
// including test links hubchat_relay_auth.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "relay/auth/auth_key.hpp"
#include "relay/auth/token_minter.hpp"

namespace hubchat::test {

inline std::int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// `text` (an HS256 secret or a PEM private key) as a key to sign with.
inline relay::AuthKey signing_key(const std::string& text) {
  std::string error;
  auto key = relay::parse_auth_key(text, relay::KeyUse::sign, error);
  EXPECT_TRUE(key) << error;
  return key.value_or(relay::AuthKey{});
}

// A token for `name` valid for `ttl` seconds from now (negative: expired);
// `rooms` and `role` left out mean no private room and a member.
inline std::string mint_test_token(const relay::AuthKey& key, const std::string& name,
                                   std::int64_t ttl = 3600,
                                   std::optional<std::vector<std::string>> rooms = std::nullopt,
                                   std::optional<relay::Role> role = std::nullopt) {
  relay::TokenClaims claims;
  claims.sub = "id-" + name;
  claims.name = name;
  claims.role = role;
  claims.issued_at = unix_now();
  claims.expires_at = claims.issued_at + ttl;
  claims.rooms = std::move(rooms);
  std::string error;
  auto minted = relay::mint_token(key, claims, error);
  EXPECT_TRUE(minted) << error;
  return minted.value_or("");
}

}  // namespace hubchat::test
