#include "rtc/dtls/openssl_library.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <mutex>

namespace huddle::rtc {

void OpenSslLibrary::init() {
  static std::once_flag once;
  std::call_once(once, [] {
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
  });
}

std::string OpenSslLibrary::drainErrors() {
  std::string out;
  while (const unsigned long code = ERR_get_error()) {
    std::array<char, 256> text{};
    ERR_error_string_n(code, text.data(), text.size());
    if (!out.empty()) out += "; ";
    out += text.data();
  }
  return out;
}

namespace detail {

void SslFree::operator()(ssl_st* p) const noexcept {
  SSL_free(p);
}
void SslCtxFree::operator()(ssl_ctx_st* p) const noexcept {
  SSL_CTX_free(p);
}
void BioFree::operator()(bio_st* p) const noexcept {
  BIO_free(p);
}
void X509Free::operator()(x509_st* p) const noexcept {
  X509_free(p);
}
void EvpPkeyFree::operator()(evp_pkey_st* p) const noexcept {
  EVP_PKEY_free(p);
}

}  // namespace detail
}  // namespace huddle::rtc
