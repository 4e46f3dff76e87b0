#include "relay/auth/token_minter.hpp"

#include <cstdlib>
#include <memory>

#include "relay/auth/jwt_support.hpp"
#include "shared/json.hpp"

namespace hubchat::relay {
namespace {

using jwt_support::jwt_alg;
using jwt_support::JwtFree;
using jwt_support::StrFree;

}  // namespace

std::optional<std::string> mint_token(const AuthKey& key, const TokenClaims& claims,
                                      std::string& error) {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0 || !raw) {
    error = "out of memory";
    return std::nullopt;
  }
  std::unique_ptr<jwt_t, JwtFree> jwt(raw);
  // Claims as one JSON object: libjwt takes arrays only this way.
  std::string grants = "{\"sub\":";
  json::append_string(grants, claims.sub);
  grants += ",\"name\":";
  json::append_string(grants, claims.name);
  grants += ",\"iat\":";
  json::append_int(grants, claims.issued_at);
  grants += ",\"exp\":";
  json::append_int(grants, claims.expires_at);
  if (claims.role) {
    grants += ",\"role\":";
    json::append_string(grants, to_string(*claims.role));
  }
  if (claims.rooms) {
    grants += ",\"rooms\":[";
    for (std::size_t i = 0; i < claims.rooms->size(); ++i) {
      if (i) grants += ',';
      json::append_string(grants, (*claims.rooms)[i]);
    }
    grants += ']';
  }
  grants += '}';
  if (jwt_add_grants_json(jwt.get(), grants.c_str()) != 0) {
    error = "claims refused by libjwt";
    return std::nullopt;
  }
  if (jwt_set_alg(jwt.get(), jwt_alg(key.alg),
                  reinterpret_cast<const unsigned char*>(key.bytes.data()),
                  static_cast<int>(key.bytes.size())) != 0) {
    error = "key refused by libjwt";
    return std::nullopt;
  }
  std::unique_ptr<char, StrFree> token(jwt_encode_str(jwt.get()));
  if (!token) {
    error = "signing failed (is the key a private key?)";
    return std::nullopt;
  }
  return std::string(token.get());
}

}  // namespace hubchat::relay
