#pragma once
// Single-threaded: owned and used by one WebRtcTransport on its io_context thread.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "rtc/srtp/srtp_keys.h"

namespace huddle::rtc {

// The inbound and outbound SRTP sessions of one transport (our OpenSSL SrtpSession; libsrtp2 is
// only the tests' reference).
class SrtpBridge final {
 public:
  struct Counters {
    std::uint64_t protectFailures = 0;
    std::uint64_t unprotectFailures = 0;
  };

  // Null when the key or salt lengths do not fit the profile or the session refuses them.
  [[nodiscard]] static std::unique_ptr<SrtpBridge> create(SrtpProfile profile,
                                                          std::span<const std::uint8_t> localKey,
                                                          std::span<const std::uint8_t> localSalt,
                                                          std::span<const std::uint8_t> remoteKey,
                                                          std::span<const std::uint8_t> remoteSalt);
  ~SrtpBridge();
  SrtpBridge(const SrtpBridge&) = delete;
  SrtpBridge& operator=(const SrtpBridge&) = delete;

  // In place; see SrtpSession. False: drop the packet.
  [[nodiscard]] bool protectRtp(std::span<std::uint8_t> buffer, std::size_t& length);
  [[nodiscard]] bool protectRtcp(std::span<std::uint8_t> buffer, std::size_t& length);
  [[nodiscard]] bool unprotectRtp(std::span<std::uint8_t> buffer, std::size_t& length);
  [[nodiscard]] bool unprotectRtcp(std::span<std::uint8_t> buffer, std::size_t& length);

  // Spare octets protectRtp()/protectRtcp() need after the packet.
  [[nodiscard]] std::size_t rtpOverhead() const noexcept;
  [[nodiscard]] std::size_t rtcpOverhead() const noexcept;
  [[nodiscard]] const Counters& counters() const noexcept { return counters_; }

 private:
  struct Sessions;
  explicit SrtpBridge(std::unique_ptr<Sessions> sessions);
  std::unique_ptr<Sessions> sessions_;
  Counters counters_;
};

}  // namespace huddle::rtc
