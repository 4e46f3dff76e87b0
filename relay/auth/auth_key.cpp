#include "relay/auth/auth_key.hpp"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <fstream>
#include <iterator>
#include <memory>

#include "shared/enum_names.hpp"

namespace hubchat::relay {
namespace {

struct BioFree {
  void operator()(BIO* bio) const { BIO_free(bio); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};

// The algorithm an asymmetric key signs with, by its type (and curve).
std::optional<TokenAlg> alg_of(EVP_PKEY* key) {
  switch (EVP_PKEY_get_base_id(key)) {
    case EVP_PKEY_RSA:
      return TokenAlg::rs256;
    case EVP_PKEY_EC: {
      char group[64] = {};
      std::size_t length = 0;
      if (!EVP_PKEY_get_group_name(key, group, sizeof group, &length)) return std::nullopt;
      const std::string_view name(group, length);
      if (name == "prime256v1" || name == "P-256") return TokenAlg::es256;
      if (name == "secp384r1" || name == "P-384") return TokenAlg::es384;
      if (name == "secp521r1" || name == "P-521") return TokenAlg::es512;
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

constexpr EnumName<TokenAlg> kAlgNames[] = {{TokenAlg::hs256, "HS256"},
                                            {TokenAlg::rs256, "RS256"},
                                            {TokenAlg::es256, "ES256"},
                                            {TokenAlg::es384, "ES384"},
                                            {TokenAlg::es512, "ES512"}};
static_assert(std::size(kAlgNames) == static_cast<std::size_t>(TokenAlg::es512) + 1);

const char* to_string(TokenAlg alg) {
  return name_in(kAlgNames, alg, "?");
}

std::optional<AuthKey> parse_auth_key(std::string text, KeyUse use, std::string& error) {
  if (text.find("-----BEGIN") == std::string::npos) {
    // A shared secret: the file's bytes, without the line end an editor adds.
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (text.size() < kMinSecretBytes) {
      error = "an HS256 secret needs at least " + std::to_string(kMinSecretBytes) + " bytes";
      return std::nullopt;
    }
    return AuthKey{TokenAlg::hs256, std::move(text)};
  }
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) {
    error = "out of memory";
    return std::nullopt;
  }
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      use == KeyUse::verify ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr)
                            : PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) {
    error = use == KeyUse::verify
                ? "not a PEM public key (the relay checks tokens with the public key: "
                  "openssl pkey -in private.pem -pubout)"
                : "not a PEM private key";
    return std::nullopt;
  }
  const std::optional<TokenAlg> alg = alg_of(key.get());
  if (!alg) {
    error = "only RSA and EC (P-256, P-384, P-521) keys are supported";
    return std::nullopt;
  }
  return AuthKey{*alg, std::move(text)};
}

std::optional<AuthKey> load_auth_key(const std::string& path, KeyUse use, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return std::nullopt;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parse_auth_key(std::move(text), use, error);
}

}  // namespace hubchat::relay
