#include "rtc/srtp/srtp_session.h"

#include "common/log.h"
#include "rtc/srtp/srtp_crypto.h"
#include "rtc/srtp/srtp_replay.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <utility>

namespace huddle::rtc {
namespace {

using srtp_detail::AesContext;
using srtp_detail::HmacSha1;
using srtp_detail::ReplayWindow;

constexpr std::size_t kMinReplayWindow = 64;
constexpr std::size_t kMaxReplayWindow = 0x8000;
constexpr std::size_t kRtpHeaderLength = 12;
constexpr std::size_t kRtcpHeaderLength = 8;  // first word + sender SSRC, always in clear
constexpr std::size_t kSrtcpTrailerLength = 4;
constexpr std::size_t kGcmTag = AesContext::kGcmTagLength;
constexpr std::uint32_t kEncryptedFlag = 0x80000000u;
constexpr std::uint32_t kMaxSrtcpIndex = 0x7fffffffu;

// RFC 3711 section 4.3.1 labels.
constexpr std::uint8_t kRtpEncryptionLabel = 0;
constexpr std::uint8_t kRtcpEncryptionLabel = 3;

std::uint32_t readU32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         p[3];
}

void writeU32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v >> 24);
  p[1] = static_cast<std::uint8_t>(v >> 16);
  p[2] = static_cast<std::uint8_t>(v >> 8);
  p[3] = static_cast<std::uint8_t>(v);
}

// Octets of the RTP header including CSRCs and the extension (all sent in clear), or nullopt if
// they do not fit in `packet` or it is not RTP version 2.
std::optional<std::size_t> rtpHeaderLength(std::span<const std::uint8_t> packet) {
  if (packet.size() < kRtpHeaderLength || (packet[0] >> 6) != 2) return std::nullopt;
  std::size_t length = kRtpHeaderLength + 4 * std::size_t{packet[0] & 0x0fu};
  if ((packet[0] & 0x10u) != 0) {
    if (packet.size() < length + 4) return std::nullopt;
    const std::size_t words = (std::size_t{packet[length + 2]} << 8) | packet[length + 3];
    length += 4 + 4 * words;
  }
  if (length > packet.size()) return std::nullopt;
  return length;
}

// Logs the 1st, 2nd, 4th, 8th... failure of a kind: enough to notice, bounded under attack.
bool shouldLog(std::uint64_t count) { return (count & (count - 1)) == 0; }

// The keys of one of SRTP or SRTCP.
struct KeySet {
  std::unique_ptr<AesContext> cipher;  // AES-CTR, or AES-GCM in the session's direction
  std::optional<HmacSha1> auth;        // AES-CM profiles only
  std::array<std::uint8_t, 14> salt{};  // GCM uses the first 12

  // AES-CM counter block: salt XOR (SSRC << 64) XOR (index << 16) (RFC 3711 section 4.1.1).
  [[nodiscard]] std::array<std::uint8_t, 16> ctrIv(const std::uint8_t* ssrc,
                                                   std::uint64_t index) const {
    std::array<std::uint8_t, 16> iv{};
    std::copy(salt.begin(), salt.end(), iv.begin());
    for (std::size_t i = 0; i < 4; ++i) iv[4 + i] ^= ssrc[i];
    for (std::size_t i = 0; i < 6; ++i) {
      iv[8 + i] ^= static_cast<std::uint8_t>(index >> (40 - 8 * i));
    }
    return iv;
  }

  // GCM nonce: salt XOR (0x0000 || SSRC || high || low) (RFC 7714 sections 8.1 and 9.1): for
  // SRTP high = ROC and low = SEQ; for SRTCP high = 0 and the index fills the last 32 bits.
  [[nodiscard]] std::array<std::uint8_t, 12> gcmIv(const std::uint8_t* ssrc,
                                                   std::uint64_t low48) const {
    std::array<std::uint8_t, 12> iv{};
    for (std::size_t i = 0; i < 4; ++i) iv[2 + i] = ssrc[i];
    for (std::size_t i = 0; i < 6; ++i) {
      iv[6 + i] = static_cast<std::uint8_t>(low48 >> (40 - 8 * i));
    }
    for (std::size_t i = 0; i < 12; ++i) iv[i] ^= salt[i];
    return iv;
  }
};

struct Stream {
  Stream(std::size_t rtpWindow, std::size_t rtcpWindow) : rtp(rtpWindow), rtcp(rtcpWindow) {}
  ReplayWindow rtp;
  ReplayWindow rtcp;          // inbound only
  std::uint32_t srtcpSent = 0;  // outbound: the last SRTCP index used
};

}  // namespace

struct SrtpSession::Impl {
  bool gcm = false;
  std::size_t rtpTagLength = 0;
  std::size_t rtcpTagLength = 0;
  std::size_t window = 0;
  std::size_t maxStreams = 0;
  bool allowRepeatTx = true;
  bool inbound = false;
  KeySet rtp;
  KeySet rtcp;

  std::unordered_map<std::uint32_t, Stream> streams;
  // Media arrives in runs of one SSRC; the last stream answers most look-ups.
  std::uint32_t lastSsrc = 0;
  Stream* last = nullptr;

  Stream* find(std::uint32_t ssrc) {
    if (last != nullptr && lastSsrc == ssrc) return last;
    const auto it = streams.find(ssrc);
    if (it == streams.end()) return nullptr;
    lastSsrc = ssrc;
    last = &it->second;
    return last;
  }

  // Null at the stream limit. Node-based map: pointers to streams stay valid on rehash.
  Stream* add(std::uint32_t ssrc) {
    if (streams.size() >= maxStreams) return nullptr;
    auto [it, inserted] =
        streams.try_emplace(ssrc, window, inbound ? window : std::size_t{0});
    (void)inserted;
    lastSsrc = ssrc;
    last = &it->second;
    return last;
  }
};

namespace {

bool deriveKeySet(const SrtpMasterKey& key, std::uint8_t firstLabel, bool gcm,
                  SrtpDirection direction, KeySet& out) {
  const auto& info = srtpProfileInfo(key.profile());
  std::array<std::uint8_t, 16> encryptionKey{};
  std::array<std::uint8_t, HmacSha1::kDigestLength> authKey{};
  const auto saltLabel = static_cast<std::uint8_t>(firstLabel + 2);
  bool ok = srtp_detail::deriveSrtpKey(key.key(), key.salt(), firstLabel, encryptionKey) &&
            srtp_detail::deriveSrtpKey(key.key(), key.salt(), saltLabel,
                                       std::span(out.salt).first(info.saltLength));
  if (ok && !gcm) {
    ok = srtp_detail::deriveSrtpKey(key.key(), key.salt(),
                                    static_cast<std::uint8_t>(firstLabel + 1), authKey);
    if (ok) out.auth.emplace(authKey);
  }
  if (ok) {
    const auto mode = !gcm ? AesContext::Mode::Ctr
                      : direction == SrtpDirection::Outbound ? AesContext::Mode::GcmEncrypt
                                                             : AesContext::Mode::GcmDecrypt;
    out.cipher = AesContext::create(mode, encryptionKey);
    ok = out.cipher != nullptr;
  }
  OPENSSL_cleanse(encryptionKey.data(), encryptionKey.size());
  OPENSSL_cleanse(authKey.data(), authKey.size());
  return ok;
}

}  // namespace

Result<SrtpSession, SrtpErrorCode> SrtpSession::create(SrtpDirection direction,
                                                       const SrtpMasterKey& key,
                                                       const SrtpSessionOptions& options) {
  const auto& info = srtpProfileInfo(key.profile());
  if (key.bytes().size() != info.keyLength + info.saltLength || info.keyLength != 16) {
    return Error{SrtpErrorCode::InvalidKey, "master key length does not match the profile"};
  }
  if (options.replayWindow < kMinReplayWindow || options.replayWindow >= kMaxReplayWindow) {
    return Error{SrtpErrorCode::SessionCreate, "replay window must be in [64, 32768)"};
  }
  if (options.maxStreams == 0) {
    return Error{SrtpErrorCode::SessionCreate, "maxStreams must be at least 1"};
  }
  auto impl = std::make_unique<Impl>();
  impl->gcm = key.profile() == SrtpProfile::AeadAes128Gcm;
  impl->rtpTagLength = info.rtpTagLength;
  impl->rtcpTagLength = info.rtcpTagLength;
  impl->window = options.replayWindow;
  impl->maxStreams = options.maxStreams;
  impl->allowRepeatTx = options.allowRepeatTx;
  impl->inbound = direction == SrtpDirection::Inbound;
  if (!deriveKeySet(key, kRtpEncryptionLabel, impl->gcm, direction, impl->rtp) ||
      !deriveKeySet(key, kRtcpEncryptionLabel, impl->gcm, direction, impl->rtcp)) {
    return Error{SrtpErrorCode::SessionCreate, "OpenSSL refused the SRTP session keys"};
  }
  return SrtpSession(std::move(impl), direction, key.profile());
}

SrtpSession::SrtpSession(std::unique_ptr<Impl> impl, SrtpDirection direction,
                         SrtpProfile profile)
    : impl_(std::move(impl)), direction_(direction), profile_(profile) {}

SrtpSession::~SrtpSession() = default;
SrtpSession::SrtpSession(SrtpSession&&) noexcept = default;
SrtpSession& SrtpSession::operator=(SrtpSession&&) noexcept = default;

std::size_t SrtpSession::streamCount() const noexcept {
  return impl_ ? impl_->streams.size() : 0;
}

bool SrtpSession::fail(Failure failure, const char* op) {
  std::uint64_t count = 0;
  switch (failure) {
    case Failure::Auth: count = ++counters_.authFailures; break;
    case Failure::Replay: count = ++counters_.replayFailures; break;
    case Failure::Other: count = ++counters_.otherFailures; break;
  }
  if (shouldLog(count)) {
    HUDDLE_LOG_DEBUG(srtp, "drop op={} reason={} count={}", op,
                     failure == Failure::Auth     ? "auth"
                     : failure == Failure::Replay ? "replay"
                                                  : "other",
                     count);
  }
  return false;
}

bool SrtpSession::protectRtp(std::span<std::uint8_t> buffer, std::size_t& length) {
  constexpr const char* kOp = "protect_rtp";
  if (!impl_ || direction_ != SrtpDirection::Outbound) return fail(Failure::Other, kOp);
  Impl& s = *impl_;
  if (length > buffer.size() || buffer.size() - length < s.rtpTagLength) {
    return fail(Failure::Other, kOp);
  }
  const auto headerLength = rtpHeaderLength(buffer.first(length));
  if (!headerLength) return fail(Failure::Other, kOp);
  std::uint8_t* p = buffer.data();
  const std::uint32_t ssrc = readU32(p + 8);
  const auto seq = static_cast<std::uint16_t>((p[2] << 8) | p[3]);

  Stream* stream = s.find(ssrc);
  if (stream == nullptr && (stream = s.add(ssrc)) == nullptr) return fail(Failure::Other, kOp);
  const auto index = srtp_detail::estimateSrtpIndex(stream->rtp.highest(), seq);
  if (!index) return fail(Failure::Other, kOp);
  switch (stream->rtp.check(*index)) {
    case ReplayWindow::Check::Fresh: break;
    case ReplayWindow::Check::Duplicate:
      if (!s.allowRepeatTx) return fail(Failure::Replay, kOp);
      break;
    case ReplayWindow::Check::TooOld: return fail(Failure::Replay, kOp);
  }

  const auto payload = buffer.subspan(*headerLength, length - *headerLength);
  const auto roc = static_cast<std::uint32_t>(*index >> 16);
  if (s.gcm) {
    if (!s.rtp.cipher->seal(s.rtp.gcmIv(p + 8, *index), buffer.first(*headerLength), {}, payload,
                            buffer.subspan(length).first<kGcmTag>())) {
      return fail(Failure::Other, kOp);
    }
  } else {
    if (!s.rtp.cipher->ctr(s.rtp.ctrIv(p + 8, *index), payload)) return fail(Failure::Other, kOp);
    std::array<std::uint8_t, 4> rocBytes{};
    writeU32(rocBytes.data(), roc);
    const auto tag = s.rtp.auth->sign(buffer.first(length), rocBytes);
    std::copy_n(tag.begin(), s.rtpTagLength, p + length);
  }
  stream->rtp.add(*index);
  length += s.rtpTagLength;
  return true;
}

bool SrtpSession::unprotectRtp(std::span<std::uint8_t> buffer, std::size_t& length) {
  constexpr const char* kOp = "unprotect_rtp";
  if (!impl_ || direction_ != SrtpDirection::Inbound) return fail(Failure::Other, kOp);
  Impl& s = *impl_;
  if (length > buffer.size() || length < kRtpHeaderLength + s.rtpTagLength) {
    return fail(Failure::Other, kOp);
  }
  const std::size_t body = length - s.rtpTagLength;
  const auto headerLength = rtpHeaderLength(buffer.first(body));
  if (!headerLength) return fail(Failure::Other, kOp);
  std::uint8_t* p = buffer.data();
  const std::uint32_t ssrc = readU32(p + 8);
  const auto seq = static_cast<std::uint16_t>((p[2] << 8) | p[3]);

  // A new SSRC gets state only once its packet authenticated, so forged packets allocate nothing.
  Stream* stream = s.find(ssrc);
  if (stream == nullptr && s.streams.size() >= s.maxStreams) return fail(Failure::Other, kOp);
  const auto index = srtp_detail::estimateSrtpIndex(
      stream != nullptr ? stream->rtp.highest() : std::nullopt, seq);
  if (!index) return fail(Failure::Other, kOp);
  if (stream != nullptr && stream->rtp.check(*index) != ReplayWindow::Check::Fresh) {
    return fail(Failure::Replay, kOp);
  }

  const auto payload = buffer.subspan(*headerLength, body - *headerLength);
  if (s.gcm) {
    if (!s.rtp.cipher->open(s.rtp.gcmIv(p + 8, *index), buffer.first(*headerLength), {}, payload,
                            buffer.subspan(body).first<kGcmTag>())) {
      return fail(Failure::Auth, kOp);
    }
  } else {
    std::array<std::uint8_t, 4> rocBytes{};
    writeU32(rocBytes.data(), static_cast<std::uint32_t>(*index >> 16));
    const auto tag = s.rtp.auth->sign(buffer.first(body), rocBytes);
    if (CRYPTO_memcmp(tag.data(), p + body, s.rtpTagLength) != 0) {
      return fail(Failure::Auth, kOp);
    }
    if (!s.rtp.cipher->ctr(s.rtp.ctrIv(p + 8, *index), payload)) {
      return fail(Failure::Other, kOp);
    }
  }
  if (stream == nullptr) stream = s.add(ssrc);  // room was checked above
  stream->rtp.add(*index);
  length = body;
  return true;
}

bool SrtpSession::protectRtcp(std::span<std::uint8_t> buffer, std::size_t& length) {
  constexpr const char* kOp = "protect_rtcp";
  if (!impl_ || direction_ != SrtpDirection::Outbound) return fail(Failure::Other, kOp);
  Impl& s = *impl_;
  const std::size_t overhead = kSrtcpTrailerLength + s.rtcpTagLength;
  if (length > buffer.size() || buffer.size() - length < overhead ||
      length < kRtcpHeaderLength) {
    return fail(Failure::Other, kOp);
  }
  std::uint8_t* p = buffer.data();
  const std::uint32_t ssrc = readU32(p + 4);
  Stream* stream = s.find(ssrc);
  if (stream == nullptr && (stream = s.add(ssrc)) == nullptr) return fail(Failure::Other, kOp);
  // The index counts from 1, as libsrtp (and so every browser) does; receivers take any start.
  if (stream->srtcpSent >= kMaxSrtcpIndex) return fail(Failure::Other, kOp);
  const std::uint32_t index = ++stream->srtcpSent;
  std::array<std::uint8_t, kSrtcpTrailerLength> trailer{};
  writeU32(trailer.data(), kEncryptedFlag | index);

  const auto encrypted = buffer.subspan(kRtcpHeaderLength, length - kRtcpHeaderLength);
  if (s.gcm) {
    // Header, ciphertext, tag, then E|index, which is authenticated as AAD (RFC 7714 9.1).
    if (!s.rtcp.cipher->seal(s.rtcp.gcmIv(p + 4, index), buffer.first(kRtcpHeaderLength),
                             trailer, encrypted, buffer.subspan(length).first<kGcmTag>())) {
      return fail(Failure::Other, kOp);
    }
    std::copy(trailer.begin(), trailer.end(), p + length + kGcmTag);
  } else {
    // Header, ciphertext, E|index, then the tag over all of them (RFC 3711 3.4).
    if (!s.rtcp.cipher->ctr(s.rtcp.ctrIv(p + 4, index), encrypted)) {
      return fail(Failure::Other, kOp);
    }
    std::copy(trailer.begin(), trailer.end(), p + length);
    const auto tag = s.rtcp.auth->sign(buffer.first(length + kSrtcpTrailerLength));
    std::copy_n(tag.begin(), s.rtcpTagLength, p + length + kSrtcpTrailerLength);
  }
  length += overhead;
  return true;
}

bool SrtpSession::unprotectRtcp(std::span<std::uint8_t> buffer, std::size_t& length) {
  constexpr const char* kOp = "unprotect_rtcp";
  if (!impl_ || direction_ != SrtpDirection::Inbound) return fail(Failure::Other, kOp);
  Impl& s = *impl_;
  const std::size_t overhead = kSrtcpTrailerLength + s.rtcpTagLength;
  if (length > buffer.size() || length < kRtcpHeaderLength + overhead) {
    return fail(Failure::Other, kOp);
  }
  std::uint8_t* p = buffer.data();
  const std::size_t body = length - overhead;  // plain RTCP length after success
  const std::size_t trailerAt = s.gcm ? length - kSrtcpTrailerLength : body;
  const std::size_t tagAt = s.gcm ? body : length - s.rtcpTagLength;
  std::array<std::uint8_t, kSrtcpTrailerLength> trailer{};
  std::copy_n(p + trailerAt, kSrtcpTrailerLength, trailer.begin());
  const std::uint32_t word = readU32(trailer.data());
  const std::uint32_t index = word & kMaxSrtcpIndex;
  // Every profile we negotiate encrypts SRTCP; a packet with E = 0 claims otherwise and is
  // refused unchecked, as libsrtp refuses it.
  if ((word & kEncryptedFlag) == 0) return fail(Failure::Other, kOp);
  const std::uint32_t ssrc = readU32(p + 4);

  Stream* stream = s.find(ssrc);
  if (stream == nullptr && s.streams.size() >= s.maxStreams) return fail(Failure::Other, kOp);
  if (stream != nullptr && stream->rtcp.check(index) != ReplayWindow::Check::Fresh) {
    return fail(Failure::Replay, kOp);
  }

  if (s.gcm) {
    const auto tag = buffer.subspan(tagAt).first<kGcmTag>();
    if (!s.rtcp.cipher->open(s.rtcp.gcmIv(p + 4, index), buffer.first(kRtcpHeaderLength),
                             trailer, buffer.subspan(kRtcpHeaderLength, body - kRtcpHeaderLength),
                             tag)) {
      return fail(Failure::Auth, kOp);
    }
  } else {
    const auto tag = s.rtcp.auth->sign(buffer.first(tagAt));
    if (CRYPTO_memcmp(tag.data(), p + tagAt, s.rtcpTagLength) != 0) {
      return fail(Failure::Auth, kOp);
    }
    if (!s.rtcp.cipher->ctr(s.rtcp.ctrIv(p + 4, index),
                            buffer.subspan(kRtcpHeaderLength, body - kRtcpHeaderLength))) {
      return fail(Failure::Other, kOp);
    }
  }
  if (stream == nullptr) stream = s.add(ssrc);  // room was checked above
  stream->rtcp.add(index);
  length = body;
  return true;
}

}  // namespace huddle::rtc
