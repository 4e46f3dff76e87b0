// Token checks: what the relay accepts (HS256, RS256, ES256 with the key's
// algorithm and the required claims) and what it refuses, each for its own
// reason: alg none, an HS256 token "signed" with the RSA public key, a
// tampered payload, expiry, missing exp/sub/name, bad role or rooms, size,
// garbage. Tokens are minted with our minter or, for malformed ones, with
// libjwt directly.
#include <gtest/gtest.h>
#include <jwt.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "relay/auth/token_minter.hpp"
#include "relay/auth/token_verifier.hpp"
#include "tests/support/test_keys.hpp"

using namespace hubchat::relay;
using hubchat::test::make_key_pair;
using hubchat::test::make_secret;

namespace {

constexpr std::int64_t kNow = 1'800'000'000;

AuthKey key_for(const std::string& text, KeyUse use) {
  std::string error;
  auto key = parse_auth_key(text, use, error);
  EXPECT_TRUE(key) << error;
  return key ? *key : AuthKey{};
}

TokenClaims alice() {
  TokenClaims c;
  c.sub = "u-1";
  c.name = "alice";
  c.issued_at = kNow - 10;
  c.expires_at = kNow + 3600;
  return c;
}

std::string mint(const AuthKey& key, const TokenClaims& claims) {
  std::string error;
  auto token = mint_token(key, claims, error);
  EXPECT_TRUE(token) << error;
  return token.value_or("");
}

// A token with exactly these grants (JSON), signed by libjwt with `alg`.
std::string sign_raw(jwt_alg_t alg, const std::string& key, const std::string& grants) {
  jwt_t* raw = nullptr;
  EXPECT_EQ(jwt_new(&raw), 0);
  std::unique_ptr<jwt_t, decltype(&jwt_free)> jwt(raw, jwt_free);
  EXPECT_EQ(jwt_add_grants_json(jwt.get(), grants.c_str()), 0);
  EXPECT_EQ(jwt_set_alg(
                jwt.get(), alg,
                alg == JWT_ALG_NONE ? nullptr : reinterpret_cast<const unsigned char*>(key.data()),
                alg == JWT_ALG_NONE ? 0 : static_cast<int>(key.size())),
            0);
  char* text = jwt_encode_str(jwt.get());
  EXPECT_NE(text, nullptr);
  std::string out = text ? text : "";
  std::free(text);
  return out;
}

std::string grants(const std::string& extra) {
  return "{\"sub\":\"u-1\",\"name\":\"alice\"" + extra + "}";
}

}  // namespace

TEST(TokenVerifier, AcceptsHs256WithClaims) {
  const std::string secret = make_secret();
  TokenVerifier verifier(key_for(secret, KeyUse::verify), 32, 64);
  TokenClaims claims = alice();
  claims.role = Role::moderator;
  claims.rooms = std::vector<std::string>{"team-*", "ops"};
  const TokenCheck check = verifier.check(mint(key_for(secret, KeyUse::sign), claims), kNow);
  ASSERT_EQ(check.status, TokenStatus::ok) << check.why;
  EXPECT_EQ(check.identity.uid, "u-1");
  EXPECT_EQ(check.identity.name, "alice");
  EXPECT_EQ(check.identity.role, Role::moderator);
  EXPECT_EQ(check.identity.expires_at, kNow + 3600);
  EXPECT_TRUE(check.identity.covers("team-a"));
  EXPECT_TRUE(check.identity.covers("ops"));
  EXPECT_FALSE(check.identity.covers("ops2"));
  EXPECT_FALSE(check.identity.covers("lobby"));
}

TEST(TokenVerifier, AcceptsRs256AndEs256WithTheirPublicKeys) {
  for (bool rsa : {true, false}) {
    const auto pair = make_key_pair(rsa);
    const AuthKey public_key = key_for(pair.public_pem, KeyUse::verify);
    EXPECT_EQ(public_key.alg, rsa ? TokenAlg::rs256 : TokenAlg::es256);
    TokenVerifier verifier(public_key, 32, 64);
    const TokenCheck check =
        verifier.check(mint(key_for(pair.private_pem, KeyUse::sign), alice()), kNow);
    EXPECT_EQ(check.status, TokenStatus::ok) << check.why;
    EXPECT_EQ(check.identity.role, Role::member);
    EXPECT_FALSE(check.identity.has_rooms);
  }
}

TEST(TokenVerifier, RefusesAlgNone) {
  const std::string secret = make_secret();
  TokenVerifier verifier(key_for(secret, KeyUse::verify), 32, 64);
  const std::string token = sign_raw(JWT_ALG_NONE, "", grants(",\"exp\":1900000000"));
  EXPECT_EQ(verifier.check(token, kNow).status, TokenStatus::invalid);
  // Also with the signature part of a real token glued on.
  const std::string real = mint(key_for(secret, KeyUse::sign), alice());
  const std::string glued = token + real.substr(real.rfind('.') + 1);
  EXPECT_EQ(verifier.check(glued, kNow).status, TokenStatus::invalid);
}

TEST(TokenVerifier, RefusesHs256SignedWithTheRsaPublicKey) {
  const auto pair = make_key_pair(true);
  TokenVerifier verifier(key_for(pair.public_pem, KeyUse::verify), 32, 64);
  const std::string forged =
      sign_raw(JWT_ALG_HS256, pair.public_pem, grants(",\"exp\":1900000000,\"role\":\"admin\""));
  const TokenCheck check = verifier.check(forged, kNow);
  EXPECT_EQ(check.status, TokenStatus::invalid);
  EXPECT_NE(check.why.find("RS256"), std::string::npos) << check.why;
}

TEST(TokenVerifier, RefusesATamperedPayload) {
  const std::string secret = make_secret();
  const AuthKey key = key_for(secret, KeyUse::sign);
  TokenVerifier verifier(key_for(secret, KeyUse::verify), 32, 64);
  const std::string good = mint(key, alice());
  TokenClaims admin = alice();
  admin.role = Role::admin;
  const std::string other = mint(key_for(make_secret(), KeyUse::sign), admin);
  // good's header and signature around other's payload.
  const auto payload = [](const std::string& t) {
    const auto a = t.find('.'), b = t.rfind('.');
    return std::make_pair(a, b);
  };
  const auto [ga, gb] = payload(good);
  const auto [oa, ob] = payload(other);
  const std::string tampered =
      good.substr(0, ga + 1) + other.substr(oa + 1, ob - oa - 1) + good.substr(gb);
  ASSERT_EQ(verifier.check(good, kNow).status, TokenStatus::ok);
  EXPECT_EQ(verifier.check(tampered, kNow).status, TokenStatus::invalid);
  std::string flipped = good;
  flipped[ga + 3] = flipped[ga + 3] == 'A' ? 'B' : 'A';
  EXPECT_EQ(verifier.check(flipped, kNow).status, TokenStatus::invalid);
}

TEST(TokenVerifier, ExpiryIsItsOwnStatus) {
  const std::string secret = make_secret();
  TokenVerifier verifier(key_for(secret, KeyUse::verify), 32, 64);
  TokenClaims claims = alice();
  claims.expires_at = kNow;
  EXPECT_EQ(verifier.check(mint(key_for(secret, KeyUse::sign), claims), kNow).status,
            TokenStatus::expired);
  EXPECT_EQ(verifier.check(mint(key_for(secret, KeyUse::sign), claims), kNow - 1).status,
            TokenStatus::ok);
}

TEST(TokenVerifier, RequiresExpSubAndName) {
  const std::string secret = make_secret();
  TokenVerifier verifier(key_for(secret, KeyUse::verify), 32, 64);
  const auto status = [&](const std::string& g) {
    return verifier.check(sign_raw(JWT_ALG_HS256, secret, g), kNow).status;
  };
  EXPECT_EQ(status(grants(",\"exp\":1900000000")), TokenStatus::ok);
  EXPECT_EQ(status(grants("")), TokenStatus::invalid);                         // no exp
  EXPECT_EQ(status(grants(",\"exp\":\"1900000000\"")), TokenStatus::invalid);  // exp a string
  EXPECT_EQ(status("{\"name\":\"alice\",\"exp\":1900000000}"), TokenStatus::invalid);  // no sub
  EXPECT_EQ(status("{\"sub\":\"u-1\",\"exp\":1900000000}"), TokenStatus::invalid);     // no name
  EXPECT_EQ(status("{\"sub\":\"u-1\",\"name\":\"\",\"exp\":1900000000}"), TokenStatus::invalid);
  EXPECT_EQ(
      status("{\"sub\":\"u-1\",\"name\":\"" + std::string(33, 'a') + "\",\"exp\":1900000000}"),
      TokenStatus::invalid);  // longer than a nick may be
  EXPECT_EQ(status(grants(",\"exp\":1900000000,\"role\":\"owner\"")), TokenStatus::invalid);
  EXPECT_EQ(status(grants(",\"exp\":1900000000,\"role\":3")), TokenStatus::invalid);
  EXPECT_EQ(status(grants(",\"exp\":1900000000,\"rooms\":\"team-*\"")), TokenStatus::invalid);
  EXPECT_EQ(status(grants(",\"exp\":1900000000,\"rooms\":[\"a\",5]")), TokenStatus::invalid);
  EXPECT_EQ(status(grants(",\"exp\":1900000000,\"rooms\":[\"\"]")), TokenStatus::invalid);
  EXPECT_EQ(status(grants(",\"exp\":1900000000,\"rooms\":[]")), TokenStatus::ok);
}

TEST(TokenVerifier, RefusesOversizeAndGarbage) {
  const std::string secret = make_secret();
  TokenVerifier verifier(key_for(secret, KeyUse::verify), 32, 64);
  TokenClaims claims = alice();
  claims.rooms = std::vector<std::string>(200, std::string(60, 'r'));
  const std::string big = mint(key_for(secret, KeyUse::sign), claims);
  EXPECT_GT(big.size(), TokenVerifier::kMaxTokenBytes);
  EXPECT_EQ(verifier.check(big, kNow).status, TokenStatus::invalid);
  EXPECT_EQ(verifier.check(std::string(64 * 1024, 'a'), kNow).status, TokenStatus::invalid);
  for (const char* garbage : {"", "x", "a.b.c", "..", "eyJ.eyJ.", "\xff\xfe.\x01.z"})
    EXPECT_EQ(verifier.check(garbage, kNow).status, TokenStatus::invalid) << garbage;
}

TEST(AuthKey, SecretLineEndIsTrimmedAndPemKindsAreTold) {
  std::string error;
  EXPECT_FALSE(parse_auth_key("short\n", KeyUse::verify, error));
  EXPECT_NE(error.find("32"), std::string::npos);
  const auto secret = parse_auth_key(std::string(32, 's') + "\n", KeyUse::verify, error);
  ASSERT_TRUE(secret);
  EXPECT_EQ(secret->bytes, std::string(32, 's'));  // the line end is not part of it
  const auto pair = make_key_pair(true);
  EXPECT_FALSE(parse_auth_key(pair.private_pem, KeyUse::verify, error));  // wants the public key
  EXPECT_NE(error.find("-pubout"), std::string::npos);
  EXPECT_FALSE(parse_auth_key(pair.public_pem, KeyUse::sign, error));
  EXPECT_FALSE(parse_auth_key("-----BEGIN PUBLIC KEY-----\nxx\n", KeyUse::verify, error));
}

TEST(RoomPatterns, NamesAndPrefixes) {
  EXPECT_TRUE(room_pattern_matches("team-*", "team-a"));
  EXPECT_TRUE(room_pattern_matches("team-*", "team-"));
  EXPECT_FALSE(room_pattern_matches("team-*", "team"));
  EXPECT_TRUE(room_pattern_matches("ops", "ops"));
  EXPECT_FALSE(room_pattern_matches("ops", "ops-2"));
  EXPECT_TRUE(room_pattern_matches("*", "anything"));
  EXPECT_FALSE(any_pattern_matches({}, "lobby"));
}
