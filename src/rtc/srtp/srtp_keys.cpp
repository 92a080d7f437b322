#include "rtc/srtp/srtp_keys.h"

#include <algorithm>

namespace huddle::rtc {
namespace {

constexpr SrtpProfileInfo kAes128CmSha1_80{"SRTP_AES128_CM_SHA1_80", 16, 14, 10, 10};
// The _32 profile shortens only the SRTP tag; SRTCP keeps 80 bits (RFC 5764 section 4.1.2).
constexpr SrtpProfileInfo kAes128CmSha1_32{"SRTP_AES128_CM_SHA1_32", 16, 14, 4, 10};
constexpr SrtpProfileInfo kAeadAes128Gcm{"SRTP_AEAD_AES_128_GCM", 16, 12, 16, 16};

// The SRTCP trailer always carries the E flag and 31-bit index ahead of the tag.
constexpr std::size_t kSrtcpIndexLength = 4;

}  // namespace

const SrtpProfileInfo& srtpProfileInfo(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::Aes128CmHmacSha1_80: return kAes128CmSha1_80;
    case SrtpProfile::Aes128CmHmacSha1_32: return kAes128CmSha1_32;
    case SrtpProfile::AeadAes128Gcm: return kAeadAes128Gcm;
  }
  return kAes128CmSha1_80;  // unreachable for valid enum values
}

std::optional<SrtpProfile> srtpProfileFromId(std::uint16_t id) {
  switch (static_cast<SrtpProfile>(id)) {
    case SrtpProfile::Aes128CmHmacSha1_80:
    case SrtpProfile::Aes128CmHmacSha1_32:
    case SrtpProfile::AeadAes128Gcm:
      return static_cast<SrtpProfile>(id);
  }
  return std::nullopt;
}

std::size_t srtpRtpOverhead(SrtpProfile profile) { return srtpProfileInfo(profile).rtpTagLength; }

std::size_t srtpRtcpOverhead(SrtpProfile profile) {
  return kSrtcpIndexLength + srtpProfileInfo(profile).rtcpTagLength;
}

std::size_t srtpKeyingMaterialLength(SrtpProfile profile) {
  const auto& info = srtpProfileInfo(profile);
  return 2 * (info.keyLength + info.saltLength);
}

std::optional<SrtpMasterKey> SrtpMasterKey::fromParts(SrtpProfile profile,
                                                      std::span<const std::uint8_t> key,
                                                      std::span<const std::uint8_t> salt) {
  const auto& info = srtpProfileInfo(profile);
  if (key.size() != info.keyLength || salt.size() != info.saltLength) return std::nullopt;
  SrtpMasterKey out;
  out.profile_ = profile;
  std::copy(key.begin(), key.end(), out.bytes_.begin());
  std::copy(salt.begin(), salt.end(), out.bytes_.begin() + static_cast<std::ptrdiff_t>(key.size()));
  out.length_ = key.size() + salt.size();
  return out;
}

SrtpMasterKey::~SrtpMasterKey() {
  // Key material should not linger in freed memory; volatile keeps the stores from being elided.
  volatile std::uint8_t* p = bytes_.data();
  for (std::size_t i = 0; i < bytes_.size(); ++i) p[i] = 0;
}

std::span<const std::uint8_t> SrtpMasterKey::key() const noexcept {
  return bytes().first(srtpProfileInfo(profile_).keyLength);
}

std::span<const std::uint8_t> SrtpMasterKey::salt() const noexcept {
  return bytes().subspan(srtpProfileInfo(profile_).keyLength);
}

bool operator==(const SrtpMasterKey& a, const SrtpMasterKey& b) noexcept {
  const auto x = a.bytes();
  const auto y = b.bytes();
  return a.profile_ == b.profile_ && std::equal(x.begin(), x.end(), y.begin(), y.end());
}

std::optional<SrtpKeyPair> splitSrtpKeyingMaterial(SrtpProfile profile, SrtpKeyRole role,
                                                   std::span<const std::uint8_t> material) {
  const auto& info = srtpProfileInfo(profile);
  if (material.size() != srtpKeyingMaterialLength(profile)) return std::nullopt;
  const auto clientKey = material.subspan(0, info.keyLength);
  const auto serverKey = material.subspan(info.keyLength, info.keyLength);
  const auto clientSalt = material.subspan(2 * info.keyLength, info.saltLength);
  const auto serverSalt = material.subspan(2 * info.keyLength + info.saltLength, info.saltLength);

  auto client = SrtpMasterKey::fromParts(profile, clientKey, clientSalt);
  auto server = SrtpMasterKey::fromParts(profile, serverKey, serverSalt);
  if (!client || !server) return std::nullopt;
  if (role == SrtpKeyRole::Client) return SrtpKeyPair{*client, *server};
  return SrtpKeyPair{*server, *client};
}

}  // namespace huddle::rtc

