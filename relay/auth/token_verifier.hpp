// Checks a token (JWT) against the relay's --auth-key and turns its claims
// into an Identity. libjwt verifies the signature; this unit adds what libjwt
// 1.10 leaves to its caller: the algorithm must be the key's (a token cannot
// pick HS256 with an RSA public key as its "secret", nor "none"), the size is
// capped before anything is parsed, and the claims are checked: sub, name and
// exp required, exp in the future, role and rooms well-formed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "relay/auth/auth_key.hpp"
#include "relay/auth/identity.hpp"

namespace hubchat::relay {

enum class TokenStatus {
  ok,
  invalid,  // garbage, bad signature, wrong algorithm, missing or malformed claims, too long
  expired,  // well signed, but exp has passed
};

struct TokenCheck {
  TokenStatus status = TokenStatus::invalid;
  std::string why;    // for the error event and the log (never echoes the token)
  Identity identity;  // when ok
};

class TokenVerifier {
 public:
  // Longer tokens are refused unread (a token with a 4096-bit RSA signature
  // and a few dozen rooms fits easily).
  static constexpr std::size_t kMaxTokenBytes = 4096;
  static constexpr std::size_t kMaxUidBytes = 128;
  static constexpr std::size_t kMaxRooms = 64;

  // `max_nick_bytes`, `max_room_bytes`: the relay's name bounds (a token's
  // name must be a nick the relay would accept).
  TokenVerifier(AuthKey key, std::size_t max_nick_bytes, std::size_t max_room_bytes);

  TokenAlg alg() const { return key_.alg; }
  // `now`: seconds since the Unix epoch.
  TokenCheck check(std::string_view token, std::int64_t now) const;

 private:
  AuthKey key_;
  std::size_t max_nick_bytes_;
  std::size_t max_room_bytes_;
};

}  // namespace hubchat::relay
