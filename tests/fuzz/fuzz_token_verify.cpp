// Fuzzes the token path: arbitrary bytes as a token, checked by verifiers
// with an HS256 secret and with an EC public key (libjwt's parsing, our
// algorithm and claim checks). Checks: nothing crashes or leaks, and no
// input is accepted without a valid signature (the fuzzer cannot sign).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "relay/auth/token_verifier.hpp"

using namespace hubchat::relay;

namespace {

constexpr const char* kEcPublicKey =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAECJUNEl+ROqFw+a+7vpCww8rJ9mO5\n"
    "QbdN7yg8I1QudHrWghsV10CIIPDV/+wWlchcnVB+/AQJ8xQTTXs2nsUUCQ==\n"
    "-----END PUBLIC KEY-----\n";

TokenVerifier make(const char* key_text) {
  std::string error;
  auto key = parse_auth_key(key_text, KeyUse::verify, error);
  if (!key) std::abort();
  return TokenVerifier(std::move(*key), 32, 64);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const TokenVerifier hs = make("fuzz-secret-fuzz-secret-fuzz-secret-0123");
  static const TokenVerifier es = make(kEcPublicKey);
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  if (hs.check(token, 1'800'000'000).status == TokenStatus::ok) std::abort();
  if (es.check(token, 1'800'000'000).status == TokenStatus::ok) std::abort();
  return 0;
}
