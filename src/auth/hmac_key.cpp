#include "auth/hmac_key.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <stdexcept>

namespace huddle::auth {
namespace {

struct MacFree {
  void operator()(EVP_MAC* mac) const { EVP_MAC_free(mac); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* ctx) const { EVP_MAC_CTX_free(ctx); }
};
using MacPtr = std::unique_ptr<EVP_MAC, MacFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

// Fetching an algorithm walks OpenSSL's provider tables; do it once per process.
EVP_MAC* hmacAlgorithm() {
  static const MacPtr mac{EVP_MAC_fetch(nullptr, "HMAC", nullptr)};
  if (!mac) throw std::runtime_error("OpenSSL has no HMAC implementation");
  return mac.get();
}

}  // namespace

struct HmacSha256Key::State {
  MacCtxPtr keyed;  // initialised with the key; each signature starts from a copy of it
};

HmacSha256Key::HmacSha256Key(std::string_view secret)
    : state_(std::make_unique<State>()), secretSize_(secret.size()) {
  state_->keyed.reset(EVP_MAC_CTX_new(hmacAlgorithm()));
  char digestName[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digestName, 0), OSSL_PARAM_construct_end()};
  // HMAC accepts an empty key, but OpenSSL refuses a null pointer for it.
  static const unsigned char kEmpty = 0;
  const auto* key = secret.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(secret.data());
  if (!state_->keyed || EVP_MAC_init(state_->keyed.get(), key, secret.size(), params) != 1) {
    throw std::runtime_error("OpenSSL could not initialise HMAC-SHA256");
  }
}

HmacSha256Key::~HmacSha256Key() = default;
HmacSha256Key::HmacSha256Key(HmacSha256Key&&) noexcept = default;
HmacSha256Key& HmacSha256Key::operator=(HmacSha256Key&&) noexcept = default;

HmacSha256Key::Digest HmacSha256Key::sign(std::string_view data) const {
  MacCtxPtr ctx{EVP_MAC_CTX_dup(state_->keyed.get())};
  Digest out{};
  std::size_t written = 0;
  if (!ctx || EVP_MAC_update(ctx.get(), reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
      EVP_MAC_final(ctx.get(), out.data(), &written, out.size()) != 1 || written != out.size()) {
    throw std::runtime_error("OpenSSL HMAC-SHA256 failed");
  }
  return out;
}

bool HmacSha256Key::verify(std::string_view data, const Digest& expected) const {
  const Digest actual = sign(data);
  return CRYPTO_memcmp(actual.data(), expected.data(), actual.size()) == 0;
}

}  // namespace huddle::auth
