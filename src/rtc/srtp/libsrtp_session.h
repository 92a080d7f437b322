#pragma once
// Single-threaded: a session is used by the thread that owns it; distinct sessions may run on
// distinct threads. The libsrtp2 reference for SrtpSession, for tests and benchmarks only.

#include "common/result.h"
#include "rtc/srtp/srtp_keys.h"
#include "rtc/srtp/srtp_library.h"
#include "rtc/srtp/srtp_session.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

struct srtp_ctx_t_;  // libsrtp's session; only libsrtp_session.cpp sees its definition

namespace huddle::rtc {

// The libsrtp2 implementation of the SrtpSession interface, kept as the reference our own
// OpenSSL transform is cross-checked against (tests, bench_srtp). Not used on the media path:
// Debian's libsrtp2 is built on NSS and costs 4-5x the raw crypto (docs/decisions.md).
// libsrtp makes a stream from the wildcard policy on the first packet of each new SSRC.
class LibsrtpSession final {
 public:
  using Counters = SrtpCounters;

  [[nodiscard]] static Result<LibsrtpSession, SrtpErrorCode> create(
      SrtpDirection direction, const SrtpMasterKey& key, const SrtpSessionOptions& options = {});

  ~LibsrtpSession();
  LibsrtpSession(LibsrtpSession&&) noexcept;
  LibsrtpSession& operator=(LibsrtpSession&&) noexcept;
  LibsrtpSession(const LibsrtpSession&) = delete;
  LibsrtpSession& operator=(const LibsrtpSession&) = delete;

  // As SrtpSession's.
  [[nodiscard]] bool protectRtp(std::span<std::uint8_t> buffer, std::size_t& length);
  [[nodiscard]] bool unprotectRtp(std::span<std::uint8_t> buffer, std::size_t& length);
  [[nodiscard]] bool protectRtcp(std::span<std::uint8_t> buffer, std::size_t& length);
  [[nodiscard]] bool unprotectRtcp(std::span<std::uint8_t> buffer, std::size_t& length);

  [[nodiscard]] SrtpDirection direction() const noexcept { return direction_; }
  [[nodiscard]] SrtpProfile profile() const noexcept { return profile_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }

 private:
  struct SrtpFree {
    void operator()(srtp_ctx_t_* session) const noexcept;
  };
  enum class Op { ProtectRtp, UnprotectRtp, ProtectRtcp, UnprotectRtcp };

  LibsrtpSession(SrtpLibrary::Handle library, SrtpDirection direction, SrtpProfile profile,
              srtp_ctx_t_* session);
  bool run(Op op, std::span<std::uint8_t> buffer, std::size_t& length);
  void countFailure(Op op, int status);

  // Declared first so libsrtp stays initialised until session_ has been freed.
  SrtpLibrary::Handle library_;
  std::unique_ptr<srtp_ctx_t_, SrtpFree> session_;
  SrtpDirection direction_;
  SrtpProfile profile_;
  Counters counters_;
};

}  // namespace huddle::rtc
