#include "client/stream/rtp_send_stream.h"

#include <algorithm>
#include <cstring>

#include "rtc/rtp/byte_io.h"
#include "rtc/rtp/rtcp_fir.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_pli.h"

namespace huddle::client {
namespace {

constexpr std::size_t kOsnSize = 2;

bool idOk(std::uint8_t id) { return id <= kMaxOneByteExtensionId; }

}  // namespace

StreamResult<std::unique_ptr<RtpSendStream>> RtpSendStream::create(const RtpSendStreamConfig& config,
                                                                   Listener& listener) {
  const auto& e = config.extensions;
  if (!idOk(e.mid) || !idOk(e.rid) || !idOk(e.repairedRid) || !idOk(e.transportCc) || !idOk(e.absSendTime) ||
      !idOk(e.audioLevel)) {
    return Error{StreamError::InvalidConfig, "RtpSendStream: extension ids must be 0..14 (one-byte form)"};
  }
  if (config.mid.size() > kMaxOneByteExtensionSize || config.rid.size() > kMaxOneByteExtensionSize) {
    return Error{StreamError::InvalidConfig, "RtpSendStream: mid and rid must fit 16 bytes"};
  }
  if (config.payloadType > 127 || config.rtxPayloadType > 127 || config.clockRate == 0) {
    return Error{StreamError::InvalidConfig, "RtpSendStream: payload types are 7 bits and the clock non-zero"};
  }
  if (config.maxPayloadSize < 16 || config.maxPayloadSize + kMaxRtpHeaderSize + kOsnSize > kMaxPacketSize) {
    return Error{StreamError::InvalidConfig, "RtpSendStream: maxPayloadSize out of range"};
  }
  if (config.rtxSsrc && *config.rtxSsrc == config.ssrc) {
    return Error{StreamError::InvalidConfig, "RtpSendStream: the RTX SSRC must differ from the media SSRC"};
  }
  return std::unique_ptr<RtpSendStream>(new RtpSendStream(config, listener));
}

RtpSendStream::RtpSendStream(const RtpSendStreamConfig& config, Listener& listener)
    : config_(config),
      listener_(listener),
      packetizer_(config.maxPayloadSize),
      history_(config.historyPackets, config.maxPayloadSize),
      nextSeq_(config.firstSequence),
      nextRtxSeq_(config.firstRtxSequence) {}

StreamResult<Ok> RtpSendStream::sendVideoFrame(std::span<const std::uint8_t> vp8Frame, bool keyframe,
                                               std::uint32_t rtpTimestamp, StreamTime now) {
  (void)keyframe;  // the VP8 payload header says it; kept in the signature for other codecs
  if (config_.kind != MediaKind::Video) {
    return Error{StreamError::InvalidArgument, "RtpSendStream: sendVideoFrame on an audio stream"};
  }
  const auto count = packetizer_.packetize(vp8Frame);
  if (!count) {
    return Error{StreamError::InvalidArgument, "RtpSendStream: " + count.message()};
  }
  for (std::size_t i = 0; i < *count; ++i) {
    sendOne(packetizer_.payload(i), packetizer_.isLast(i), rtpTimestamp, std::nullopt, now);
  }
  ++stats_.frames;
  lastRtpTimestamp_ = rtpTimestamp;
  lastFrameUs_ = toMicros(now);
  sentAny_ = true;
  return Ok{};
}

StreamResult<Ok> RtpSendStream::sendAudioFrame(std::span<const std::uint8_t> opusPayload, std::uint32_t rtpTimestamp,
                                               std::uint8_t audioLevelDbov, bool voiceActivity, StreamTime now) {
  if (config_.kind != MediaKind::Audio) {
    return Error{StreamError::InvalidArgument, "RtpSendStream: sendAudioFrame on a video stream"};
  }
  if (opusPayload.empty() || opusPayload.size() > config_.maxPayloadSize) {
    return Error{StreamError::InvalidArgument, "RtpSendStream: audio payload empty or above maxPayloadSize"};
  }
  const auto level = static_cast<std::uint8_t>((voiceActivity ? 0x80 : 0) | std::min<std::uint8_t>(audioLevelDbov, 127));
  // The marker opens a talkspurt (RFC 3551 4.1): here only the very first packet.
  sendOne(opusPayload, !sentAny_, rtpTimestamp, level, now);
  ++stats_.frames;
  lastRtpTimestamp_ = rtpTimestamp;
  lastFrameUs_ = toMicros(now);
  sentAny_ = true;
  return Ok{};
}

RtpExtensionValues RtpSendStream::extensionValues(bool rtx, std::optional<std::uint8_t> audioLevelByte,
                                                  std::int64_t nowUs) noexcept {
  const auto& ids = config_.extensions;
  RtpExtensionValues ext;
  ext.midId = ids.mid;
  ext.mid = config_.mid;
  // An RTX packet names its layer with repaired-rtp-stream-id, never rtp-stream-id (RFC 8852 3.2).
  ext.ridId = rtx ? ids.repairedRid : ids.rid;
  ext.rid = config_.rid;
  if (ids.transportCc != 0) {
    ext.transportCcId = ids.transportCc;
    ext.transportSeq = config_.transportSequencer ? config_.transportSequencer->next() : ownTransportSeq_++;
  }
  ext.absSendTimeId = ids.absSendTime;
  ext.absSendTime24 = absSendTime24(nowUs);
  ext.audioLevelId = ids.audioLevel;
  ext.audioLevelByte = audioLevelByte;
  return ext;
}

void RtpSendStream::sendOne(std::span<const std::uint8_t> payload, bool marker, std::uint32_t rtpTimestamp,
                            std::optional<std::uint8_t> audioLevelByte, StreamTime now) {
  const std::int64_t nowUs = toMicros(now);
  const RtpHeaderFields fields{config_.payloadType, marker, nextSeq_, rtpTimestamp, config_.ssrc};
  const std::size_t header = writeRtpHeader(fields, extensionValues(false, audioLevelByte, nowUs), scratch_);
  std::memcpy(scratch_.data() + header, payload.data(), payload.size());

  SentPacket sent;
  sent.sequenceNumber = nextSeq_;
  sent.timestamp = rtpTimestamp;
  sent.marker = marker;
  sent.audioLevelByte = audioLevelByte;
  sent.sentUs = nowUs;
  history_.store(sent, payload);
  ++nextSeq_;
  ++stats_.packets;
  stats_.payloadOctets += payload.size();

  RtpOutgoingPacket out{std::span<std::uint8_t>(scratch_.data(), header + payload.size()),
                        scratch_.size() - header - payload.size(), false};
  listener_.onRtpSendStreamPacket(*this, out);
}

void RtpSendStream::onNack(std::span<const std::uint16_t> seqs, StreamTime now) {
  const std::int64_t nowUs = toMicros(now);
  const std::int64_t maxAgeUs = std::chrono::duration_cast<std::chrono::microseconds>(config_.historyAge).count();
  // A packet resent less than ~an RTT ago is still on its way: resending it again only adds load.
  const std::int64_t minGapUs = std::max<std::int64_t>(rttUs_ * 4 / 5, 5000);
  for (const std::uint16_t seq : seqs) {
    ++stats_.nackedPackets;
    SentPacket* packet = history_.find(seq, nowUs, maxAgeUs);
    if (packet == nullptr) {
      ++stats_.nackNotInHistory;
      continue;
    }
    if (packet->resent && nowUs - packet->lastResendUs < minGapUs) {
      ++stats_.nackRateLimited;
      continue;
    }
    packet->resent = true;
    packet->lastResendUs = nowUs;
    resend(*packet, now);
  }
}

void RtpSendStream::resend(SentPacket& packet, StreamTime now) {
  const std::int64_t nowUs = toMicros(now);
  const bool rtx = config_.rtxSsrc.has_value();
  RtpHeaderFields fields{config_.payloadType, packet.marker, packet.sequenceNumber, packet.timestamp, config_.ssrc};
  if (rtx) {
    fields.payloadType = config_.rtxPayloadType;
    fields.sequenceNumber = nextRtxSeq_++;
    fields.ssrc = *config_.rtxSsrc;
  }
  std::size_t pos = writeRtpHeader(fields, extensionValues(rtx, packet.audioLevelByte, nowUs), scratch_);
  if (rtx) {
    rtc::byte_io::write16(scratch_.data() + pos, packet.sequenceNumber);
    pos += kOsnSize;
  }
  std::memcpy(scratch_.data() + pos, packet.payload.data(), packet.payload.size());
  pos += packet.payload.size();
  ++stats_.retransmittedPackets;
  stats_.retransmittedOctets += packet.payload.size();
  RtpOutgoingPacket out{std::span<std::uint8_t>(scratch_.data(), pos), scratch_.size() - pos, true};
  listener_.onRtpSendStreamPacket(*this, out);
}

void RtpSendStream::onPli() {
  ++stats_.keyframeRequests;
  keyframeWanted_ = true;
  listener_.onRtpSendStreamKeyframeRequest(*this);
}

void RtpSendStream::onFir() { onPli(); }

bool RtpSendStream::takeKeyframeRequest() noexcept {
  const bool wanted = keyframeWanted_;
  keyframeWanted_ = false;
  return wanted;
}

void RtpSendStream::setRtt(std::chrono::microseconds rtt) noexcept {
  rttUs_ = std::clamp<std::int64_t>(rtt.count(), 1000, 2000000);
}

void RtpSendStream::onReportBlock(const rtc::ReportBlock& block, StreamTime now) noexcept {
  lastReport_ = block;
  if (block.lastSr == 0) {
    return;  // the receiver has not seen a sender report yet
  }
  // All three in 1/65536 s on the middle 32 bits of NTP time; the subtraction wraps correctly.
  const std::uint32_t nowMiddle = ntpMiddle32(config_.ntpAnchor.toNtp(now));
  const std::uint32_t units = nowMiddle - block.lastSr - block.delaySinceLastSr;
  if (units >= 0x80000000u) {
    return;  // negative: clocks or a forged report
  }
  const std::int64_t us = static_cast<std::int64_t>(units) * 1000000 / 65536;
  measuredRtt_ = std::chrono::microseconds(us);
  setRtt(*measuredRtt_);
}

bool RtpSendStream::handleRtcp(const rtc::RtcpPacket& packet, StreamTime now) {
  const auto type = static_cast<rtc::RtcpType>(packet.type);
  if (type == rtc::RtcpType::RtpFeedback) {
    const auto nack = rtc::RtcpNack::parse(packet);
    if (!nack || nack->mediaSsrc() != config_.ssrc) {
      return false;
    }
    const std::size_t n = nack->expand(nackScratch_);
    onNack(std::span<const std::uint16_t>(nackScratch_.data(), n), now);
    return true;
  }
  if (type == rtc::RtcpType::PayloadFeedback) {
    if (const auto pli = rtc::RtcpPli::parse(packet)) {
      if (pli->mediaSsrc != config_.ssrc) {
        return false;
      }
      onPli();
      return true;
    }
    if (const auto fir = rtc::RtcpFir::parse(packet)) {
      for (std::size_t i = 0; i < fir->entryCount(); ++i) {
        if (fir->entry(i).ssrc == config_.ssrc) {
          onFir();
          return true;
        }
      }
    }
    return false;
  }
  const rtc::ReportBlockList* blocks = nullptr;
  std::optional<rtc::RtcpSenderReport> sr;
  std::optional<rtc::RtcpReceiverReport> rr;
  if (type == rtc::RtcpType::SenderReport && (sr = rtc::RtcpSenderReport::parse(packet))) {
    blocks = &sr->reports;
  } else if (type == rtc::RtcpType::ReceiverReport && (rr = rtc::RtcpReceiverReport::parse(packet))) {
    blocks = &rr->reports;
  }
  if (blocks == nullptr) {
    return false;
  }
  for (const rtc::ReportBlock& block : blocks->blocks()) {
    if (block.ssrc == config_.ssrc) {
      onReportBlock(block, now);
      return true;
    }
  }
  return false;
}

rtc::RtcpSenderReport RtpSendStream::makeSenderReport(StreamTime now) const noexcept {
  rtc::RtcpSenderReport sr;
  sr.ssrc = config_.ssrc;
  sr.ntpTimestamp = config_.ntpAnchor.toNtp(now);
  // Extrapolate the RTP clock from the last frame's timestamp and the time it was sent.
  const std::int64_t elapsedUs = sentAny_ ? toMicros(now) - lastFrameUs_ : 0;
  const std::int64_t ticks = elapsedUs * static_cast<std::int64_t>(config_.clockRate) / 1000000;
  sr.rtpTimestamp = lastRtpTimestamp_ + static_cast<std::uint32_t>(ticks);
  // Resends without RTX went out on this SSRC too, and RFC 3550 counts every packet sent.
  const bool onThisSsrc = !config_.rtxSsrc.has_value();
  sr.packetCount = static_cast<std::uint32_t>(stats_.packets + (onThisSsrc ? stats_.retransmittedPackets : 0));
  sr.octetCount =
      static_cast<std::uint32_t>(stats_.payloadOctets + (onThisSsrc ? stats_.retransmittedOctets : 0));
  return sr;
}

}  // namespace huddle::client
