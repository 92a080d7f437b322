#include "auth/hmac_key.h"

// The SHA256_* interface is deprecated in OpenSSL 3 in favour of EVP, but EVP cannot copy a
// keyed HMAC state without allocating; copying a SHA256_CTX is a plain struct copy, which is
// what makes a verify cost one hash instead of a key setup.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <cstring>

namespace huddle::auth {

// HMAC (RFC 2104) with the two key-dependent hash states computed once:
// HMAC(K, m) = H((K ^ opad) || H((K ^ ipad) || m)).
struct HmacSha256Key::State {
  SHA256_CTX inner;
  SHA256_CTX outer;
};

HmacSha256Key::HmacSha256Key(std::string_view secret)
    : state_(std::make_unique<State>()), secretSize_(secret.size()) {
  std::uint8_t block[SHA256_CBLOCK] = {};
  if (secret.size() > SHA256_CBLOCK) {
    SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), block);
  } else if (!secret.empty()) {
    std::memcpy(block, secret.data(), secret.size());
  }
  std::uint8_t pad[SHA256_CBLOCK];
  for (std::size_t i = 0; i < SHA256_CBLOCK; ++i) pad[i] = block[i] ^ 0x36;
  SHA256_Init(&state_->inner);
  SHA256_Update(&state_->inner, pad, sizeof pad);
  for (std::size_t i = 0; i < SHA256_CBLOCK; ++i) pad[i] = block[i] ^ 0x5c;
  SHA256_Init(&state_->outer);
  SHA256_Update(&state_->outer, pad, sizeof pad);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

HmacSha256Key::~HmacSha256Key() {
  if (state_) OPENSSL_cleanse(state_.get(), sizeof(State));
}
HmacSha256Key::HmacSha256Key(HmacSha256Key&&) noexcept = default;
HmacSha256Key& HmacSha256Key::operator=(HmacSha256Key&&) noexcept = default;

HmacSha256Key::Digest HmacSha256Key::sign(std::string_view data) const {
  Digest innerDigest{};
  SHA256_CTX ctx = state_->inner;
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(innerDigest.data(), &ctx);
  Digest out{};
  ctx = state_->outer;
  SHA256_Update(&ctx, innerDigest.data(), innerDigest.size());
  SHA256_Final(out.data(), &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out;
}

bool HmacSha256Key::verify(std::string_view data, const Digest& expected) const {
  const Digest actual = sign(data);
  return CRYPTO_memcmp(actual.data(), expected.data(), actual.size()) == 0;
}

}  // namespace huddle::auth
