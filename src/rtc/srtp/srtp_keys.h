#pragma once
// SRTP protection profiles and the DTLS-SRTP keying material split (RFC 5764 section 4.2).
// Pure, any thread.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace huddle::rtc {

// Why an SRTP session could not be made (shared by our SrtpSession and the libsrtp reference).
enum class SrtpErrorCode { LibraryInit, InvalidKey, SessionCreate };

// Values are the DTLS-SRTP protection profile ids (RFC 5764 section 4.1.2, RFC 7714 section 14.2),
// so a profile negotiated in the use_srtp extension converts without a table.
enum class SrtpProfile : std::uint16_t {
  Aes128CmHmacSha1_80 = 0x0001,
  Aes128CmHmacSha1_32 = 0x0002,
  AeadAes128Gcm = 0x0007,
};

struct SrtpProfileInfo {
  std::string_view name;       // as OpenSSL names it in SSL_CTX_set_tlsext_use_srtp
  std::size_t keyLength;       // master key octets
  std::size_t saltLength;      // master salt octets
  std::size_t rtpTagLength;    // octets srtp_protect() appends to an RTP packet
  std::size_t rtcpTagLength;   // octets of the SRTCP tag (the 4-octet E|index word comes on top)
};

[[nodiscard]] const SrtpProfileInfo& srtpProfileInfo(SrtpProfile profile);
[[nodiscard]] std::optional<SrtpProfile> srtpProfileFromId(std::uint16_t id);

// Octets an in-place protect may append; the buffer handed to protectRtp()/protectRtcp() needs
// this much room after the packet.
[[nodiscard]] std::size_t srtpRtpOverhead(SrtpProfile profile);
[[nodiscard]] std::size_t srtpRtcpOverhead(SrtpProfile profile);

// Length of the block to export with label "EXTRACTOR-dtls_srtp": 2 * (key + salt).
[[nodiscard]] std::size_t srtpKeyingMaterialLength(SrtpProfile profile);

// A master key followed by its master salt, the layout libsrtp takes.
class SrtpMasterKey final {
 public:
  // 256-bit key + 14-octet salt: the largest any SRTP profile uses, so no profile needs the heap.
  static constexpr std::size_t kMaxLength = 32 + 14;

  SrtpMasterKey() = default;
  // Returns std::nullopt if key/salt lengths do not match the profile.
  [[nodiscard]] static std::optional<SrtpMasterKey> fromParts(SrtpProfile profile,
                                                              std::span<const std::uint8_t> key,
                                                              std::span<const std::uint8_t> salt);
  ~SrtpMasterKey();
  SrtpMasterKey(const SrtpMasterKey&) = default;
  SrtpMasterKey& operator=(const SrtpMasterKey&) = default;

  [[nodiscard]] SrtpProfile profile() const noexcept { return profile_; }
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept {
    return {bytes_.data(), length_};
  }
  [[nodiscard]] std::span<const std::uint8_t> key() const noexcept;
  [[nodiscard]] std::span<const std::uint8_t> salt() const noexcept;

  friend bool operator==(const SrtpMasterKey& a, const SrtpMasterKey& b) noexcept;

 private:
  SrtpProfile profile_ = SrtpProfile::Aes128CmHmacSha1_80;
  std::array<std::uint8_t, kMaxLength> bytes_{};
  std::size_t length_ = 0;
};

// Which half of the exported block is ours: the DTLS handshake role, named here so srtp/ does
// not depend on dtls/.
enum class SrtpKeyRole { Client, Server };

// local protects what we send (outbound session), remote unprotects what we receive (inbound).
struct SrtpKeyPair {
  SrtpMasterKey local;
  SrtpMasterKey remote;
};

// Splits the exported block client_key | server_key | client_salt | server_salt. The DTLS client
// sends with the client key and salt; the server sends with the server's. Returns std::nullopt if
// the block's length does not fit the profile.
[[nodiscard]] std::optional<SrtpKeyPair> splitSrtpKeyingMaterial(
    SrtpProfile profile, SrtpKeyRole role, std::span<const std::uint8_t> material);

}  // namespace huddle::rtc
