#pragma once
// libsrtp2 initialisation, shared by every LibsrtpSession. Thread-safe: handles may be taken and
// dropped on any thread; the library is initialised by the first handle and shut down after
// the last one goes away.

#include "common/result.h"
#include "rtc/srtp/srtp_keys.h"

#include <string>
#include <string_view>

namespace huddle::rtc {

class SrtpLibrary final {
 public:
  // Keeps libsrtp initialised while it lives. Move-only; a moved-from handle holds nothing.
  class Handle final {
   public:
    Handle() = default;
    ~Handle();
    Handle(Handle&& other) noexcept : held_(other.held_) { other.held_ = false; }
    Handle& operator=(Handle&& other) noexcept;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;

    [[nodiscard]] bool held() const noexcept { return held_; }

   private:
    friend class SrtpLibrary;
    explicit Handle(bool held) : held_(held) {}
    bool held_ = false;
  };

  // Initialises libsrtp if no handle is alive yet. Fails only if srtp_init() fails.
  [[nodiscard]] static Result<Handle, SrtpErrorCode> acquire();

  // Number of live handles; for tests and diagnostics.
  [[nodiscard]] static int users();

  // e.g. "libsrtp2 2.5.0". Valid whether or not the library is initialised.
  [[nodiscard]] static std::string_view version();

  // The crypto libsrtp was built against: "openssl", "nss", "mbedtls", "builtin" (libsrtp's own
  // portable C), or "unknown". Chosen when libsrtp is compiled, and it decides per-packet cost:
  // Debian 12's libsrtp2 uses NSS. Initialises the library for the duration of the call.
  [[nodiscard]] static std::string_view cryptoBackend();

  // Name of an srtp_err_status_t value (passed as int so this header stays free of libsrtp),
  // e.g. "auth_fail"; "unknown" for values libsrtp does not define.
  [[nodiscard]] static std::string_view statusName(int status);
};

}  // namespace huddle::rtc
