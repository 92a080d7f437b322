#pragma once
// single-threaded: a session is used by the thread that owns it (a media worker, or the SDK's
// network thread); distinct sessions may run on distinct threads. No locks, no per-packet heap.

#include "common/result.h"
#include "rtc/srtp/srtp_keys.h"
#include "rtc/srtp/srtp_library.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

struct srtp_ctx_t_;  // libsrtp's session; only srtp_session.cpp sees its definition

namespace huddle::rtc {

enum class SrtpDirection { Inbound, Outbound };

struct SrtpSessionOptions {
  // Replay window in packets (libsrtp accepts 64..32768). 1024 covers the reordering a
  // retransmitting sender produces at video bitrates without rejecting late NACK answers.
  std::size_t replayWindow = 1024;
  // Lets an outbound session protect the same sequence number again: an SFU answering a NACK
  // from its cache re-sends a packet it already protected, with identical payload.
  bool allowRepeatTx = true;
};

// One direction of SRTP+SRTCP for every SSRC on a transport: libsrtp makes a stream from the
// wildcard policy on the first packet of each new SSRC (a per-SSRC allocation, then none).
// After DTLS-SRTP completes:
//   auto keys = splitSrtpKeyingMaterial(profile, role, exported);
//   auto send = SrtpSession::create(SrtpDirection::Outbound, keys->local);
//   auto recv = SrtpSession::create(SrtpDirection::Inbound, keys->remote);
class SrtpSession final {
 public:
  // Drops by reason; the owner reads them for stats and logs.
  struct Counters {
    std::uint64_t authFailures = 0;    // tag mismatch: tampered, wrong key or garbage
    std::uint64_t replayFailures = 0;  // duplicate or older than the replay window
    std::uint64_t otherFailures = 0;   // malformed packet, buffer too small, libsrtp errors
  };

  [[nodiscard]] static Result<SrtpSession, SrtpErrorCode> create(
      SrtpDirection direction, const SrtpMasterKey& key, const SrtpSessionOptions& options = {});

  ~SrtpSession();
  SrtpSession(SrtpSession&&) noexcept;
  SrtpSession& operator=(SrtpSession&&) noexcept;
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // In place. `buffer` is the whole writable area, the packet occupies its first `length` octets;
  // protect needs srtpRtpOverhead()/srtpRtcpOverhead() spare octets after it. On success `length`
  // is updated; on false the packet must be dropped (the failure is counted, contents undefined).
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

  SrtpSession(SrtpLibrary::Handle library, SrtpDirection direction, SrtpProfile profile,
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
