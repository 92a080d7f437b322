#include "rtc/srtp/srtp_crypto.h"

// The SHA1_* interface is deprecated in OpenSSL 3 in favour of EVP, but EVP cannot copy a keyed
// HMAC state without allocating; a SHA_CTX copy is a plain struct copy (see auth/hmac_key.cpp).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <climits>

namespace huddle::rtc::srtp_detail {
namespace {

bool fitsInt(std::size_t n) { return n <= static_cast<std::size_t>(INT_MAX); }

}  // namespace

bool deriveSrtpKey(std::span<const std::uint8_t> masterKey,
                   std::span<const std::uint8_t> masterSalt, std::uint8_t label,
                   std::span<std::uint8_t> out) {
  if (masterKey.size() != 16 || masterSalt.size() > 14 || !fitsInt(out.size())) return false;
  std::array<std::uint8_t, 16> iv{};
  std::copy(masterSalt.begin(), masterSalt.end(), iv.begin());
  iv[7] ^= label;
  auto ctx = AesContext::create(AesContext::Mode::Ctr, masterKey);
  if (!ctx) return false;
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  return ctx->ctr(iv, out);
}

struct HmacSha1::State {
  SHA_CTX inner;
  SHA_CTX outer;
};

HmacSha1::HmacSha1(std::span<const std::uint8_t> key) : state_(std::make_unique<State>()) {
  std::uint8_t block[SHA_CBLOCK] = {};
  if (key.size() > SHA_CBLOCK) {
    SHA1(key.data(), key.size(), block);
  } else if (!key.empty()) {
    std::copy(key.begin(), key.end(), block);
  }
  std::uint8_t pad[SHA_CBLOCK];
  for (std::size_t i = 0; i < SHA_CBLOCK; ++i) pad[i] = block[i] ^ 0x36;
  SHA1_Init(&state_->inner);
  SHA1_Update(&state_->inner, pad, sizeof pad);
  for (std::size_t i = 0; i < SHA_CBLOCK; ++i) pad[i] = block[i] ^ 0x5c;
  SHA1_Init(&state_->outer);
  SHA1_Update(&state_->outer, pad, sizeof pad);
  OPENSSL_cleanse(block, sizeof block);
  OPENSSL_cleanse(pad, sizeof pad);
}

HmacSha1::~HmacSha1() {
  if (state_) OPENSSL_cleanse(state_.get(), sizeof(State));
}
HmacSha1::HmacSha1(HmacSha1&&) noexcept = default;
HmacSha1& HmacSha1::operator=(HmacSha1&&) noexcept = default;

HmacSha1::Digest HmacSha1::sign(std::span<const std::uint8_t> first,
                                std::span<const std::uint8_t> second) const {
  Digest innerDigest{};
  SHA_CTX ctx = state_->inner;
  SHA1_Update(&ctx, first.data(), first.size());
  if (!second.empty()) SHA1_Update(&ctx, second.data(), second.size());
  SHA1_Final(innerDigest.data(), &ctx);
  Digest out{};
  ctx = state_->outer;
  SHA1_Update(&ctx, innerDigest.data(), innerDigest.size());
  SHA1_Final(out.data(), &ctx);
  OPENSSL_cleanse(&ctx, sizeof ctx);
  return out;
}

std::unique_ptr<AesContext> AesContext::create(Mode mode, std::span<const std::uint8_t> key) {
  if (key.size() != 16) return nullptr;
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  if (ctx == nullptr) return nullptr;
  int ok = 0;
  switch (mode) {
    case Mode::Ctr:
      ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), nullptr, key.data(), nullptr);
      break;
    case Mode::GcmEncrypt:
      ok = EVP_EncryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key.data(), nullptr);
      break;
    case Mode::GcmDecrypt:
      ok = EVP_DecryptInit_ex(ctx, EVP_aes_128_gcm(), nullptr, key.data(), nullptr);
      break;
  }
  if (ok != 1) {
    EVP_CIPHER_CTX_free(ctx);
    return nullptr;
  }
  return std::unique_ptr<AesContext>(new AesContext(mode, ctx));
}

AesContext::~AesContext() { EVP_CIPHER_CTX_free(ctx_); }

bool AesContext::ctr(const std::array<std::uint8_t, 16>& iv, std::span<std::uint8_t> data) {
  if (mode_ != Mode::Ctr || !fitsInt(data.size())) return false;
  // Key and cipher stay; only the counter block (and the partial-block offset) is reset.
  if (EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv.data()) != 1) return false;
  if (data.empty()) return true;
  int n = 0;
  return EVP_EncryptUpdate(ctx_, data.data(), &n, data.data(), static_cast<int>(data.size())) ==
             1 &&
         static_cast<std::size_t>(n) == data.size();
}

bool AesContext::seal(const std::array<std::uint8_t, 12>& iv, std::span<const std::uint8_t> aad1,
                      std::span<const std::uint8_t> aad2, std::span<std::uint8_t> data,
                      std::span<std::uint8_t, kGcmTagLength> tag) {
  if (mode_ != Mode::GcmEncrypt || !fitsInt(data.size()) || !fitsInt(aad1.size())) return false;
  if (EVP_EncryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv.data()) != 1) return false;
  int n = 0;
  for (const auto aad : {aad1, aad2}) {
    if (!aad.empty() &&
        EVP_EncryptUpdate(ctx_, nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1) {
      return false;
    }
  }
  if (!data.empty() && EVP_EncryptUpdate(ctx_, data.data(), &n, data.data(),
                                         static_cast<int>(data.size())) != 1) {
    return false;
  }
  std::uint8_t none[16];
  if (EVP_EncryptFinal_ex(ctx_, none, &n) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagLength),
                             tag.data()) == 1;
}

bool AesContext::open(const std::array<std::uint8_t, 12>& iv, std::span<const std::uint8_t> aad1,
                      std::span<const std::uint8_t> aad2, std::span<std::uint8_t> data,
                      std::span<const std::uint8_t, kGcmTagLength> tag) {
  if (mode_ != Mode::GcmDecrypt || !fitsInt(data.size()) || !fitsInt(aad1.size())) return false;
  if (EVP_DecryptInit_ex(ctx_, nullptr, nullptr, nullptr, iv.data()) != 1) return false;
  int n = 0;
  for (const auto aad : {aad1, aad2}) {
    if (!aad.empty() &&
        EVP_DecryptUpdate(ctx_, nullptr, &n, aad.data(), static_cast<int>(aad.size())) != 1) {
      return false;
    }
  }
  if (!data.empty() && EVP_DecryptUpdate(ctx_, data.data(), &n, data.data(),
                                         static_cast<int>(data.size())) != 1) {
    return false;
  }
  // OpenSSL wants a writable pointer for the expected tag; it only reads it.
  std::array<std::uint8_t, kGcmTagLength> expected{};
  std::copy(tag.begin(), tag.end(), expected.begin());
  if (EVP_CIPHER_CTX_ctrl(ctx_, EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagLength),
                          expected.data()) != 1) {
    return false;
  }
  std::uint8_t none[16];
  return EVP_DecryptFinal_ex(ctx_, none, &n) == 1;
}

}  // namespace huddle::rtc::srtp_detail
