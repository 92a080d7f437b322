#include "rtc/transport/srtp_bridge.h"

#include <optional>
#include <utility>

#include "rtc/srtp/srtp_session.h"

namespace huddle::rtc {

struct SrtpBridge::Sessions {
  SrtpSession outbound;
  SrtpSession inbound;
  SrtpProfile profile;
};

SrtpBridge::SrtpBridge(std::unique_ptr<Sessions> sessions) : sessions_(std::move(sessions)) {}
SrtpBridge::~SrtpBridge() = default;

std::unique_ptr<SrtpBridge> SrtpBridge::create(SrtpProfile profile,
                                               std::span<const std::uint8_t> localKey,
                                               std::span<const std::uint8_t> localSalt,
                                               std::span<const std::uint8_t> remoteKey,
                                               std::span<const std::uint8_t> remoteSalt) {
  const auto local = SrtpMasterKey::fromParts(profile, localKey, localSalt);
  const auto remote = SrtpMasterKey::fromParts(profile, remoteKey, remoteSalt);
  if (!local || !remote) return nullptr;
  auto out = SrtpSession::create(SrtpDirection::Outbound, *local);
  auto in = SrtpSession::create(SrtpDirection::Inbound, *remote);
  if (!out || !in) return nullptr;
  auto sessions = std::unique_ptr<Sessions>(
      new Sessions{std::move(out).value(), std::move(in).value(), profile});
  return std::unique_ptr<SrtpBridge>(new SrtpBridge(std::move(sessions)));
}

bool SrtpBridge::protectRtp(std::span<std::uint8_t> buffer, std::size_t& length) {
  if (sessions_->outbound.protectRtp(buffer, length)) return true;
  ++counters_.protectFailures;
  return false;
}
bool SrtpBridge::protectRtcp(std::span<std::uint8_t> buffer, std::size_t& length) {
  if (sessions_->outbound.protectRtcp(buffer, length)) return true;
  ++counters_.protectFailures;
  return false;
}
bool SrtpBridge::unprotectRtp(std::span<std::uint8_t> buffer, std::size_t& length) {
  if (sessions_->inbound.unprotectRtp(buffer, length)) return true;
  ++counters_.unprotectFailures;
  return false;
}
bool SrtpBridge::unprotectRtcp(std::span<std::uint8_t> buffer, std::size_t& length) {
  if (sessions_->inbound.unprotectRtcp(buffer, length)) return true;
  ++counters_.unprotectFailures;
  return false;
}

std::size_t SrtpBridge::rtpOverhead() const noexcept { return srtpRtpOverhead(sessions_->profile); }
std::size_t SrtpBridge::rtcpOverhead() const noexcept {
  return srtpRtcpOverhead(sessions_->profile);
}

}  // namespace huddle::rtc
