#pragma once
// One-time OpenSSL initialisation and the RAII handle types of the dtls module.
// init() is thread-safe and idempotent; the handle types are private to src/rtc/dtls.
//
// No OpenSSL header is included here: the handle types are declared over OpenSSL's struct tags
// so that headers of this module stay free of <openssl/*>.

#include <memory>
#include <string>

struct ssl_st;
struct ssl_ctx_st;
struct bio_st;
struct x509_st;
struct evp_pkey_st;

namespace huddle::rtc {

class OpenSslLibrary final {
 public:
  // Loads error strings and the default provider once per process. Called from main, from the
  // test fixtures, and defensively by every factory of this module (it costs one atomic load).
  // OpenSSL 3 frees its globals from its own atexit handler, so there is no shutdown call.
  static void init();

  // Drains this thread's OpenSSL error queue into one line (empty if the queue was empty).
  [[nodiscard]] static std::string drainErrors();
};

namespace detail {

struct SslFree {
  void operator()(ssl_st* p) const noexcept;
};
struct SslCtxFree {
  void operator()(ssl_ctx_st* p) const noexcept;
};
struct BioFree {
  void operator()(bio_st* p) const noexcept;
};
struct X509Free {
  void operator()(x509_st* p) const noexcept;
};
struct EvpPkeyFree {
  void operator()(evp_pkey_st* p) const noexcept;
};

using SslPtr = std::unique_ptr<ssl_st, SslFree>;
using SslCtxPtr = std::unique_ptr<ssl_ctx_st, SslCtxFree>;
using BioPtr = std::unique_ptr<bio_st, BioFree>;
using X509Ptr = std::unique_ptr<x509_st, X509Free>;
using EvpPkeyPtr = std::unique_ptr<evp_pkey_st, EvpPkeyFree>;

}  // namespace detail
}  // namespace huddle::rtc
