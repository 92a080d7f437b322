#include "rtc/srtp/libsrtp_session.h"

#include "common/log.h"

#include <srtp2/srtp.h>

#include <algorithm>
#include <array>
#include <climits>
#include <string>
#include <utility>

namespace huddle::rtc {
namespace {

constexpr std::size_t kMinReplayWindow = 64;
constexpr std::size_t kMaxReplayWindow = 0x8000;

void setCryptoPolicies(SrtpProfile profile, srtp_policy_t& policy) {
  switch (profile) {
    case SrtpProfile::Aes128CmHmacSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
      return;
    case SrtpProfile::Aes128CmHmacSha1_32:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_32(&policy.rtp);
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&policy.rtcp);
      return;
    case SrtpProfile::AeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp);
      srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp);
      return;
  }
}

std::string_view opName(int op) {
  constexpr std::array<std::string_view, 4> kNames{"protect_rtp", "unprotect_rtp", "protect_rtcp",
                                                   "unprotect_rtcp"};
  return kNames[static_cast<std::size_t>(op)];
}

// Logs the 1st, 2nd, 4th, 8th... failure of a kind: enough to notice, bounded under attack.
bool shouldLog(std::uint64_t count) { return (count & (count - 1)) == 0; }

}  // namespace

void LibsrtpSession::SrtpFree::operator()(srtp_ctx_t_* session) const noexcept {
  if (session != nullptr) srtp_dealloc(session);
}

Result<LibsrtpSession, SrtpErrorCode> LibsrtpSession::create(SrtpDirection direction,
                                                       const SrtpMasterKey& key,
                                                       const SrtpSessionOptions& options) {
  const auto& info = srtpProfileInfo(key.profile());
  if (key.bytes().size() != info.keyLength + info.saltLength) {
    return Error{SrtpErrorCode::InvalidKey, "master key length does not match the profile"};
  }
  if (options.replayWindow < kMinReplayWindow || options.replayWindow >= kMaxReplayWindow) {
    return Error{SrtpErrorCode::SessionCreate, "replay window must be in [64, 32768)"};
  }
  auto library = SrtpLibrary::acquire();
  if (!library) return library.error();

  srtp_policy_t policy{};
  setCryptoPolicies(key.profile(), policy);
  policy.ssrc.type = direction == SrtpDirection::Inbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.ssrc.value = 0;
  // libsrtp derives the session keys inside srtp_create() and keeps no pointer to this copy.
  std::array<std::uint8_t, SrtpMasterKey::kMaxLength> keyCopy{};
  std::copy(key.bytes().begin(), key.bytes().end(), keyCopy.begin());
  policy.key = keyCopy.data();
  policy.window_size = static_cast<unsigned long>(options.replayWindow);
  policy.allow_repeat_tx = options.allowRepeatTx ? 1 : 0;
  policy.next = nullptr;

  srtp_t raw = nullptr;
  const srtp_err_status_t status = srtp_create(&raw, &policy);
  volatile std::uint8_t* wipe = keyCopy.data();
  for (std::size_t i = 0; i < keyCopy.size(); ++i) wipe[i] = 0;
  if (status != srtp_err_status_ok) {
    if (raw != nullptr) srtp_dealloc(raw);
    return Error{SrtpErrorCode::SessionCreate,
                 "srtp_create failed: " +
                     std::string(SrtpLibrary::statusName(static_cast<int>(status)))};
  }
  return LibsrtpSession(std::move(library).value(), direction, key.profile(), raw);
}

LibsrtpSession::LibsrtpSession(SrtpLibrary::Handle library, SrtpDirection direction,
                         SrtpProfile profile, srtp_ctx_t_* session)
    : library_(std::move(library)), session_(session), direction_(direction), profile_(profile) {}

LibsrtpSession::~LibsrtpSession() = default;
LibsrtpSession::LibsrtpSession(LibsrtpSession&&) noexcept = default;

LibsrtpSession& LibsrtpSession::operator=(LibsrtpSession&& other) noexcept {
  if (this != &other) {
    // Free our libsrtp session before the library handle that keeps libsrtp initialised.
    session_ = std::move(other.session_);
    library_ = std::move(other.library_);
    direction_ = other.direction_;
    profile_ = other.profile_;
    counters_ = other.counters_;
  }
  return *this;
}

bool LibsrtpSession::protectRtp(std::span<std::uint8_t> buffer, std::size_t& length) {
  return run(Op::ProtectRtp, buffer, length);
}

bool LibsrtpSession::unprotectRtp(std::span<std::uint8_t> buffer, std::size_t& length) {
  return run(Op::UnprotectRtp, buffer, length);
}

bool LibsrtpSession::protectRtcp(std::span<std::uint8_t> buffer, std::size_t& length) {
  return run(Op::ProtectRtcp, buffer, length);
}

bool LibsrtpSession::unprotectRtcp(std::span<std::uint8_t> buffer, std::size_t& length) {
  return run(Op::UnprotectRtcp, buffer, length);
}

bool LibsrtpSession::run(Op op, std::span<std::uint8_t> buffer, std::size_t& length) {
  const bool protect = op == Op::ProtectRtp || op == Op::ProtectRtcp;
  // libsrtp writes the trailer without knowing the buffer's size, so check the room here.
  const std::size_t room = op == Op::ProtectRtp    ? srtpRtpOverhead(profile_)
                           : op == Op::ProtectRtcp ? srtpRtcpOverhead(profile_)
                                                   : 0;
  if (!session_ || length > buffer.size() || buffer.size() - length < room ||
      length > static_cast<std::size_t>(INT_MAX) - room) {
    countFailure(op, static_cast<int>(srtp_err_status_bad_param));
    return false;
  }
  // A protect on an inbound session (or the reverse) would create a stream libsrtp rejects; say
  // so plainly rather than surfacing libsrtp's no_ctx.
  if (protect != (direction_ == SrtpDirection::Outbound)) {
    countFailure(op, static_cast<int>(srtp_err_status_no_ctx));
    return false;
  }

  int len = static_cast<int>(length);
  void* data = buffer.data();
  srtp_err_status_t status = srtp_err_status_fail;
  switch (op) {
    case Op::ProtectRtp: status = srtp_protect(session_.get(), data, &len); break;
    case Op::UnprotectRtp: status = srtp_unprotect(session_.get(), data, &len); break;
    case Op::ProtectRtcp: status = srtp_protect_rtcp(session_.get(), data, &len); break;
    case Op::UnprotectRtcp: status = srtp_unprotect_rtcp(session_.get(), data, &len); break;
  }
  if (status != srtp_err_status_ok) {
    countFailure(op, static_cast<int>(status));
    return false;
  }
  length = static_cast<std::size_t>(len);
  return true;
}

void LibsrtpSession::countFailure(Op op, int status) {
  std::uint64_t count = 0;
  switch (static_cast<srtp_err_status_t>(status)) {
    case srtp_err_status_auth_fail: count = ++counters_.authFailures; break;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old: count = ++counters_.replayFailures; break;
    default: count = ++counters_.otherFailures; break;
  }
  if (shouldLog(count)) {
    HUDDLE_LOG_DEBUG(srtp, "drop op={} status={} count={}", opName(static_cast<int>(op)),
                     SrtpLibrary::statusName(status), count);
  }
}

}  // namespace huddle::rtc
