#include "sfu/media/down_track.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "common/random.h"
#include "rtc/rtp/rtx.h"

namespace huddle::sfu {
namespace {

// Anything further behind the newest forwarded packet than this is stale anyway; sliding the
// straggler mark along keeps the 16-bit comparison meaningful on long streams.
constexpr std::uint16_t kStaleWindow = 0x4000;

bool seqNewer(std::uint16_t a, std::uint16_t b) noexcept {
  return static_cast<std::int16_t>(static_cast<std::uint16_t>(a - b)) > 0;
}

bool tsNewer(std::uint32_t a, std::uint32_t b) noexcept {
  return static_cast<std::int32_t>(a - b) > 0;
}

// Where a VP8 payload descriptor (RFC 7741 4.2) keeps its picture id and TL0PICIDX.
struct Vp8Fields {
  std::size_t pictureIdAt = 0;  // 0: absent (offset 0 is always the first descriptor octet)
  bool pictureId15Bit = false;
  std::size_t tl0At = 0;  // 0: absent
};

Vp8Fields locateVp8Fields(std::span<const std::uint8_t> payload) noexcept {
  Vp8Fields f;
  if (payload.size() < 2 || (payload[0] & 0x80) == 0) return f;  // X: no extension octet
  const std::uint8_t ext = payload[1];
  std::size_t at = 2;
  if ((ext & 0x80) != 0) {  // I
    if (at >= payload.size()) return {};
    f.pictureId15Bit = (payload[at] & 0x80) != 0;
    f.pictureIdAt = at;
    at += f.pictureId15Bit ? 2 : 1;
  }
  if ((ext & 0x40) != 0) {  // L
    f.tl0At = at;
    at += 1;
  }
  if (at > payload.size()) return {};
  return f;
}

std::uint16_t readPictureId(std::span<const std::uint8_t> p, const Vp8Fields& f) noexcept {
  return f.pictureId15Bit ? static_cast<std::uint16_t>(((p[f.pictureIdAt] & 0x7F) << 8) | p[f.pictureIdAt + 1])
                          : static_cast<std::uint16_t>(p[f.pictureIdAt] & 0x7F);
}

void writePictureId(std::span<std::uint8_t> p, const Vp8Fields& f, std::uint16_t id) noexcept {
  if (f.pictureId15Bit) {
    p[f.pictureIdAt] = static_cast<std::uint8_t>(0x80 | ((id >> 8) & 0x7F));
    p[f.pictureIdAt + 1] = static_cast<std::uint8_t>(id);
  } else {
    p[f.pictureIdAt] = static_cast<std::uint8_t>(id & 0x7F);
  }
}

// Serial-number comparison in the id's own width (15 or 7 bits).
bool pictureIdNewer(std::uint16_t a, std::uint16_t b, bool bits15) noexcept {
  const std::uint16_t mask = bits15 ? 0x7FFF : 0x7F;
  const auto diff = static_cast<std::uint16_t>((a - b) & mask);
  return diff != 0 && diff <= mask / 2;
}

bool anyNonZero(const std::array<std::uint8_t, 256>& table) noexcept {
  return std::any_of(table.begin(), table.end(), [](std::uint8_t v) { return v != 0; });
}

}  // namespace

DownTrack::DownTrack(std::string trackSid, std::string subscriberSid, const DownTrackConfig& config,
                     RtpSink& sink)
    : trackSid_(std::move(trackSid)),
      subscriberSid_(std::move(subscriberSid)),
      config_(config),
      sink_(sink),
      video_(isVideo(config.codec)),
      remapExtensions_(anyNonZero(config.extensions.table)) {
  // RFC 4588: the RTX sequence numbers start at a random value like any RTP stream.
  std::array<std::uint8_t, 2> seed{};
  fillRandom(seed);
  rtxSeq_ = static_cast<std::uint16_t>(seed[0] << 8 | seed[1]);
}

void DownTrack::setTargetLayer(int layer) { targetLayer_ = layer; }

void DownTrack::setPaused(bool paused) {
  if (paused == paused_) {
    return;
  }
  paused_ = paused;
  if (paused) {
    // Resuming re-bases onto the numbering where it stopped, on a keyframe for video.
    currentLayer_ = kNoLayer;
  }
}

void DownTrack::forward(const rtc::RtpPacketView& packet, int layer, bool keyframe, TimePoint now) {
  if (paused_) {
    return;
  }
  const std::size_t size = packet.size();
  if (size > kBufferSize - 16) {
    ++stats_.droppedTooLarge;
    return;
  }
  const std::uint16_t seqIn = packet.sequenceNumber();
  const std::uint32_t tsIn = packet.timestamp();
  // Audio has no decoder state to wait for: any packet may start or switch the stream.
  const bool canStartHere = keyframe || !video_;

  const bool switching = currentLayer_ == kNoLayer || currentLayer_ != targetLayer_;
  bool switchNow = false;
  if (switching && layer == targetLayer_) {
    if (!canStartHere) {
      if (layer != currentLayer_) {
        ++stats_.droppedWaitingKeyframe;
        return;
      }
    } else {
      switchNow = true;
    }
  }
  if (!switchNow) {
    if (layer != currentLayer_) {
      // While a switch is pending the current layer keeps flowing; everything else is dropped.
      ++stats_.droppedOtherLayer;
      return;
    }
    const auto sinceFirst = static_cast<std::int16_t>(static_cast<std::uint16_t>(seqIn - firstSeqIn_));
    if (sinceFirst < 0) {
      ++stats_.droppedStale;
      return;
    }
    if (sinceFirst > static_cast<std::int16_t>(kStaleWindow)) {
      firstSeqIn_ = static_cast<std::uint16_t>(seqIn - kStaleWindow);
    }
  } else {
    if (started_) {
      const std::uint16_t seqOut = static_cast<std::uint16_t>(lastSeqOut_ + 1);
      const std::uint64_t ticks = ticksIn(now - lastSentAt_);
      const std::uint32_t tsOut = lastTsOut_ + static_cast<std::uint32_t>(std::max<std::uint64_t>(1, ticks));
      seqOffset_ = static_cast<std::uint16_t>(seqOut - seqIn);
      tsOffset_ = tsOut - tsIn;
      if (currentLayer_ != kNoLayer && currentLayer_ != layer) {
        ++stats_.layerSwitches;
      }
    } else {
      seqOffset_ = 0;
      tsOffset_ = 0;
    }
    currentLayer_ = layer;
    firstSeqIn_ = seqIn;
  }

  const auto seqOut = static_cast<std::uint16_t>(seqIn + seqOffset_);
  const std::uint32_t tsOut = tsIn + tsOffset_;

  std::memcpy(buffer_.data(), packet.data().data(), size);
  auto out = rtc::RtpPacketView::parse(std::span<std::uint8_t>(buffer_.data(), size));
  if (!out) {
    // The receiver parsed these very bytes; this cannot fail, but never send a broken packet.
    ++stats_.sendFailures;
    return;
  }
  out->setSsrc(config_.ssrc);
  out->setPayloadType(config_.payloadType);
  out->setSequenceNumber(seqOut);
  out->setTimestamp(tsOut);
  if (remapExtensions_ && out->hasExtension()) {
    if (!out->remapExtensionIds(config_.extensions.table)) {
      // The subscriber's id does not fit the publisher's form (an id above 14 in a one-byte
      // block): the media still goes out, its extensions as the publisher numbered them.
      ++stats_.extensionRemapFailures;
    }
  }

  if (config_.codec == CodecKind::Vp8) {
    mungeVp8(out->payload(), switchNow);
  }

  if (!started_ || switchNow || seqNewer(seqOut, lastSeqOut_)) {
    lastSeqOut_ = seqOut;
  }
  if (!started_ || switchNow || tsNewer(tsOut, lastTsOut_)) {
    lastTsOut_ = tsOut;
    lastSentAt_ = now;
  }
  started_ = true;
  SentPacket& record = sent_[seqOut & (kSentHistory - 1)];
  record = SentPacket{TimePoint{}, tsOut, seqOut, seqIn, static_cast<std::int8_t>(layer), vp8Offsets_};

  if (sink_.sendRtp(std::span<std::uint8_t>(buffer_), size)) {
    ++stats_.packetsSent;
    stats_.bytesSent += size;
  } else {
    ++stats_.sendFailures;
  }
}

void DownTrack::retransmit(std::uint16_t seq, const PacketSource& source, TimePoint now) {
  ++stats_.nackedPackets;
  SentPacket& record = sent_[seq & (kSentHistory - 1)];
  if (record.layer < 0 || record.seqOut != seq) {
    ++stats_.retransmitMissed;
    return;
  }
  std::chrono::nanoseconds repeat = std::chrono::milliseconds(50);
  if (remoteReport_ && remoteReport_->rttSeconds) {
    repeat = std::chrono::nanoseconds(static_cast<std::int64_t>(*remoteReport_->rttSeconds * 1e9));
    repeat = std::clamp<std::chrono::nanoseconds>(repeat, std::chrono::milliseconds(10),
                                                  std::chrono::milliseconds(200));
  }
  if (record.lastResent != TimePoint{} && now - record.lastResent < repeat) {
    ++stats_.retransmitThrottled;
    return;
  }
  const std::span<const std::uint8_t> original = source.cachedPacket(record.layer, record.seqIn, now);
  if (original.empty() || original.size() > kBufferSize - 16) {
    ++stats_.retransmitMissed;
    return;
  }
  std::memcpy(buffer_.data(), original.data(), original.size());
  auto out = rtc::RtpPacketView::parse(std::span<std::uint8_t>(buffer_.data(), original.size()));
  if (!out) {
    ++stats_.retransmitMissed;
    return;
  }
  // The same rewrite as the first time, from what that send recorded.
  out->setSsrc(config_.ssrc);
  out->setPayloadType(config_.payloadType);
  out->setSequenceNumber(record.seqOut);
  out->setTimestamp(record.timestamp);
  if (remapExtensions_ && out->hasExtension()) {
    out->remapExtensionIds(config_.extensions.table);
  }
  if (config_.codec == CodecKind::Vp8) {
    applyVp8Offsets(out->payload(), record.vp8);
  }
  record.lastResent = now;
  if (config_.rtxPayloadType != 0) {
    const std::size_t n =
        rtc::buildRtxPacket(*out, config_.rtxPayloadType, config_.rtxSsrc, rtxSeq_, rtxBuffer_);
    if (n == 0 || n > kBufferSize - 16) {
      ++stats_.retransmitMissed;
      return;
    }
    ++rtxSeq_;
    if (sink_.sendRtp(std::span<std::uint8_t>(rtxBuffer_), n)) {
      ++stats_.retransmittedRtx;
    } else {
      ++stats_.sendFailures;
    }
    return;
  }
  if (sink_.sendRtp(std::span<std::uint8_t>(buffer_), original.size())) {
    ++stats_.retransmittedPlain;
    ++stats_.packetsSent;
    stats_.bytesSent += original.size();
  } else {
    ++stats_.sendFailures;
  }
}

void DownTrack::mungeVp8(std::span<std::uint8_t> payload, bool rebase) noexcept {
  const Vp8Fields f = locateVp8Fields(payload);
  if (rebase && vp8Started_) {
    // The new source's first picture follows the last one sent.
    if (f.pictureIdAt != 0) {
      const auto next = static_cast<std::uint16_t>(lastPictureIdOut_ + 1);
      vp8Offsets_.pictureId = static_cast<std::uint16_t>(next - readPictureId(payload, f));
    }
    if (f.tl0At != 0) {
      vp8Offsets_.tl0PicIdx = static_cast<std::uint8_t>(lastTl0Out_ + 1 - payload[f.tl0At]);
    }
  }
  applyVp8Offsets(payload, vp8Offsets_);
  if (f.pictureIdAt != 0) {
    const std::uint16_t id = readPictureId(payload, f);
    if (!vp8Started_ || rebase || pictureIdNewer(id, lastPictureIdOut_, f.pictureId15Bit)) lastPictureIdOut_ = id;
  }
  if (f.tl0At != 0) {
    const std::uint8_t tl0 = payload[f.tl0At];
    if (!vp8Started_ || rebase || static_cast<std::int8_t>(tl0 - lastTl0Out_) > 0) lastTl0Out_ = tl0;
  }
  vp8Started_ = vp8Started_ || f.pictureIdAt != 0 || f.tl0At != 0;
}

void DownTrack::applyVp8Offsets(std::span<std::uint8_t> payload, Vp8Offsets offsets) noexcept {
  const Vp8Fields f = locateVp8Fields(payload);
  if (f.pictureIdAt != 0 && offsets.pictureId != 0) {
    writePictureId(payload, f, static_cast<std::uint16_t>(readPictureId(payload, f) + offsets.pictureId));
  }
  if (f.tl0At != 0 && offsets.tl0PicIdx != 0) {
    payload[f.tl0At] = static_cast<std::uint8_t>(payload[f.tl0At] + offsets.tl0PicIdx);
  }
}

std::uint64_t DownTrack::ticksIn(TimePoint::duration elapsed) const noexcept {
  const auto ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::max(elapsed, TimePoint::duration::zero()))
          .count());
  // Split so long pauses cannot overflow.
  return (ns / 1'000'000'000u) * config_.clockRate +
         (ns % 1'000'000'000u) * config_.clockRate / 1'000'000'000u;
}

bool DownTrack::makeSenderReport(TimePoint now, std::uint64_t ntpTimestamp,
                                 rtc::RtcpSenderReport& out) noexcept {
  if (!started_) {
    return false;
  }
  out = rtc::RtcpSenderReport{};
  out.ssrc = config_.ssrc;
  out.ntpTimestamp = ntpTimestamp;
  // The munged timeline: where the last sent timestamp would be now (the subscriber's lip sync
  // maps this against the other track's SR).
  out.rtpTimestamp = lastTsOut_ + static_cast<std::uint32_t>(ticksIn(now - lastSentAt_));
  out.packetCount = static_cast<std::uint32_t>(stats_.packetsSent);
  out.octetCount = static_cast<std::uint32_t>(stats_.bytesSent);
  sentReports_[nextSentReport_] = SentReport{static_cast<std::uint32_t>(ntpTimestamp >> 16), now};
  nextSentReport_ = (nextSentReport_ + 1) % sentReports_.size();
  return true;
}

void DownTrack::onReceiverReport(const rtc::ReportBlock& block, TimePoint now) noexcept {
  RemoteReceiverReport report;
  report.fractionLost = block.fractionLost / 256.0;
  report.cumulativeLost = block.cumulativeLost;
  report.jitterSeconds =
      config_.clockRate == 0 ? 0.0 : static_cast<double>(block.jitter) / config_.clockRate;
  report.at = now;
  if (block.lastSr != 0) {
    for (const SentReport& sent : sentReports_) {
      if (sent.ntpMiddle == block.lastSr && sent.at != TimePoint{}) {
        const double sinceSent = std::chrono::duration<double>(now - sent.at).count();
        const double rtt = sinceSent - block.delaySinceLastSr / 65536.0;
        report.rttSeconds = std::max(0.0, rtt);
        break;
      }
    }
  }
  if (!report.rttSeconds && remoteReport_) {
    report.rttSeconds = remoteReport_->rttSeconds;  // keep the last known figure
  }
  remoteReport_ = report;
}

}  // namespace huddle::sfu
