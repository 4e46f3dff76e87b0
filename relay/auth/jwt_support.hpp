// What the token units share about libjwt (internal to relay/auth): owners
// for its allocations, and our algorithm names in its terms.
#pragma once

#include <jwt.h>

#include <cstdlib>

#include "relay/auth/auth_key.hpp"

namespace hubchat::relay::jwt_support {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
struct StrFree {
  void operator()(char* text) const { std::free(text); }
};

inline jwt_alg_t jwt_alg(TokenAlg alg) {
  switch (alg) {
    case TokenAlg::hs256:
      return JWT_ALG_HS256;
    case TokenAlg::rs256:
      return JWT_ALG_RS256;
    case TokenAlg::es256:
      return JWT_ALG_ES256;
    case TokenAlg::es384:
      return JWT_ALG_ES384;
    case TokenAlg::es512:
      return JWT_ALG_ES512;
  }
  return JWT_ALG_INVAL;
}

}  // namespace hubchat::relay::jwt_support
