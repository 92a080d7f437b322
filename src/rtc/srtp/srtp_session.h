#pragma once
// Single-threaded: a session is used by the thread that owns it (a media worker, or the SDK's
// network thread); distinct sessions may run on distinct threads. No locks, no per-packet heap.

#include "common/result.h"
#include "rtc/srtp/srtp_keys.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace huddle::rtc {

enum class SrtpDirection { Inbound, Outbound };

struct SrtpSessionOptions {
  // Replay window in packets, [64, 32768), rounded up to a multiple of 64. 1024 covers the
  // reordering a retransmitting sender produces at video bitrates without rejecting late NACK
  // answers. SRTCP gets a window of the same size.
  std::size_t replayWindow = 1024;
  // Lets an outbound session protect the same sequence number again: an SFU answering a NACK
  // from its cache re-sends a packet it already protected, with identical payload.
  bool allowRepeatTx = true;
  // SSRCs a session keeps state for. A packet of a further SSRC is dropped (otherFailures):
  // per-SSRC state is the only memory a peer can make us allocate, so it is bounded.
  std::size_t maxStreams = 1024;
};

// Drops by reason; the owner reads them for stats and logs.
struct SrtpCounters {
  std::uint64_t authFailures = 0;    // tag mismatch: tampered, wrong key or garbage
  std::uint64_t replayFailures = 0;  // duplicate or older than the replay window
  std::uint64_t otherFailures = 0;   // malformed packet, buffer too small, stream limit
};

// One direction of SRTP+SRTCP (RFC 3711; AEAD_AES_128_GCM per RFC 7714) for every SSRC on a
// transport, on OpenSSL contexts keyed once at create(). Per-SSRC state (ROC, replay windows,
// SRTCP index) is made on the first packet of an SSRC, for inbound only once that packet has
// authenticated; after that a packet costs no allocation. libsrtp2 stays in the tree as the
// reference (LibsrtpSession) that the tests cross-check this against.
// After DTLS-SRTP completes:
//   auto keys = splitSrtpKeyingMaterial(profile, role, exported);
//   auto send = SrtpSession::create(SrtpDirection::Outbound, keys->local);
//   auto recv = SrtpSession::create(SrtpDirection::Inbound, keys->remote);
class SrtpSession final {
 public:
  using Counters = SrtpCounters;

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
  // Never throws: the input is the network's.
  [[nodiscard]] bool protectRtp(std::span<std::uint8_t> buffer, std::size_t& length);
  [[nodiscard]] bool unprotectRtp(std::span<std::uint8_t> buffer, std::size_t& length);
  [[nodiscard]] bool protectRtcp(std::span<std::uint8_t> buffer, std::size_t& length);
  [[nodiscard]] bool unprotectRtcp(std::span<std::uint8_t> buffer, std::size_t& length);

  [[nodiscard]] SrtpDirection direction() const noexcept { return direction_; }
  [[nodiscard]] SrtpProfile profile() const noexcept { return profile_; }
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }
  // SSRCs with state in this session.
  [[nodiscard]] std::size_t streamCount() const noexcept;

 private:
  struct Impl;
  enum class Failure { Auth, Replay, Other };

  SrtpSession(std::unique_ptr<Impl> impl, SrtpDirection direction, SrtpProfile profile);
  bool fail(Failure failure, const char* op);

  std::unique_ptr<Impl> impl_;
  SrtpDirection direction_;
  SrtpProfile profile_;
  Counters counters_;
};

}  // namespace huddle::rtc
