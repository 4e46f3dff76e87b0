// Minting the load generator's tokens. See client_tokens.hpp.
#include "tests/bench/loadgen/client_tokens.hpp"

#include <chrono>

#include "relay/auth/auth_key.hpp"
#include "relay/auth/token_minter.hpp"

namespace hubchat::bench {

namespace {
// Long enough for any run (the longest, a million connections, takes minutes).
constexpr std::int64_t kTokenLifetimeS = 3600;
}  // namespace

std::string client_nick(std::size_t id) {
  return "lg" + std::to_string(id);
}

std::optional<std::vector<std::string>> mint_client_tokens(const std::string& key_file,
                                                           std::size_t clients,
                                                           std::string& error) {
  const auto key = relay::load_auth_key(key_file, relay::KeyUse::sign, error);
  if (!key) return std::nullopt;
  using namespace std::chrono;
  relay::TokenClaims claims;
  claims.issued_at = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  claims.expires_at = claims.issued_at + kTokenLifetimeS;
  std::vector<std::string> tokens;
  tokens.reserve(clients);
  for (std::size_t i = 0; i < clients; ++i) {
    claims.sub = std::to_string(i);
    claims.name = client_nick(i);
    auto token = relay::mint_token(*key, claims, error);
    if (!token) return std::nullopt;
    tokens.push_back(std::move(*token));
  }
  return tokens;
}

}  // namespace hubchat::bench
