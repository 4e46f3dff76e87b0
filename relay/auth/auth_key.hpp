// The key tokens are checked (or minted) with, read from --auth-key. The key
// decides the algorithm, never the token: a file holding a PEM public key is
// RS256 (RSA) or ES256/ES384/ES512 (EC P-256/P-384/P-521); anything else is
// an HS256 shared secret. Minting with an asymmetric algorithm takes the PEM
// private key instead (the relay itself only ever needs the public one).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace hubchat::relay {

enum class TokenAlg { hs256, rs256, es256, es384, es512 };

const char* to_string(TokenAlg alg);

struct AuthKey {
  TokenAlg alg = TokenAlg::hs256;
  std::string bytes;  // the secret, or the PEM text, as libjwt takes it
};

// A shared secret shorter than this is refused: HS256 is only as strong as
// its secret (RFC 7518 asks for at least the hash size).
inline constexpr std::size_t kMinSecretBytes = 32;

enum class KeyUse { verify, sign };

// Parses key material (a file's contents). For `verify`, a PEM must be a
// public key; for `sign`, a private key. On failure returns nullopt and says
// why in `error`.
std::optional<AuthKey> parse_auth_key(std::string text, KeyUse use, std::string& error);
// Reads and parses a key file.
std::optional<AuthKey> load_auth_key(const std::string& path, KeyUse use, std::string& error);

}  // namespace hubchat::relay
