#pragma once
// Single-threaded: owned and used by one WebRtcTransport on its io_context thread.
//
// Both dtls/ and srtp/ declare their own huddle::rtc::SrtpProfile and DtlsRole (siblings never
// include each other), so no translation unit can see both. This header names neither: the
// transport maps the DTLS profile to TransportSrtpProfile, and srtp_bridge.cpp, which sees only
// srtp/, maps that to libsrtp's.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace huddle::rtc {

enum class TransportSrtpProfile : std::uint8_t { AeadAes128Gcm, Aes128CmSha1_80 };

// The inbound and outbound SRTP sessions of one transport.
class SrtpBridge final {
 public:
  struct Counters {
    std::uint64_t protectFailures = 0;
    std::uint64_t unprotectFailures = 0;
  };

  // Null when the key or salt lengths do not fit the profile or libsrtp refuses them.
  [[nodiscard]] static std::unique_ptr<SrtpBridge> create(TransportSrtpProfile profile,
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
