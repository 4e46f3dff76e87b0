// Mints a token (JWT) for `relay token` and for tests: the claims the relay
// reads (sub, name, exp, role, rooms) plus iat, signed with an AuthKey loaded
// for signing (the HS256 secret, or the RSA/EC private key).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "relay/auth/auth_key.hpp"
#include "relay/auth/identity.hpp"

namespace hubchat::relay {

struct TokenClaims {
  std::string sub;
  std::string name;
  std::optional<Role> role;                       // left out: member
  std::optional<std::vector<std::string>> rooms;  // left out: no private room
  std::int64_t issued_at = 0;                     // seconds since the Unix epoch
  std::int64_t expires_at = 0;
};

// The signed token, or nullopt (and `error`) when libjwt refuses the key.
std::optional<std::string> mint_token(const AuthKey& key, const TokenClaims& claims,
                                      std::string& error);

}  // namespace hubchat::relay
