#include "client/stream/video_receive_stream.h"

#include <algorithm>

#include "rtc/rtp/codecs/vp8.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_pli.h"

namespace huddle::client {
namespace {

std::int64_t micros(std::chrono::microseconds d) { return d.count(); }

}  // namespace

VideoReceiveStream::VideoReceiveStream(const VideoReceiveStreamConfig& config, Listener& listener)
    : config_(config),
      listener_(listener),
      incoming_{config.ssrc, config.rtxSsrc, config.payloadType, config.rtxPayloadType},
      buffer_(std::min<std::size_t>(config.bufferPackets, kMaxBufferPackets)),
      statistics_(90000) {
  timing_.reorderWaitUs = micros(config.reorderWait);
  timing_.maxRetries = config.nack ? config.maxNackRetries : 0;
  timing_.maxWaitUs = micros(config.maxWait);
  setRtt(config.rtt);
}

void VideoReceiveStream::setRtt(std::chrono::microseconds rtt) noexcept {
  // A retry sooner than an RTT asks again for a packet that is still on its way.
  timing_.retryUs = std::clamp<std::int64_t>(rtt.count(), 10000, 1000000);
}

void VideoReceiveStream::onSenderReport(const rtc::RtcpSenderReport& report, StreamTime now) noexcept {
  if (report.ssrc == config_.ssrc) {
    statistics_.onSenderReport(report.ntpTimestamp, now);
  }
}

void VideoReceiveStream::onRtp(std::span<std::uint8_t> packet, StreamTime now) {
  const std::int64_t nowUs = toMicros(now);
  const IncomingRtp in = parseIncomingRtp(packet, incoming_);
  if (in.status == IncomingRtpStatus::Malformed) {
    ++stats_.malformed;
    return;
  }
  if (in.status != IncomingRtpStatus::Media) {
    ++stats_.ignored;
    return;
  }
  // A descriptor the depacketizer would refuse is refused here, before it takes a slot.
  if (in.payload.size() > ReorderBuffer::kMaxPayloadSize || !rtc::Vp8Descriptor::parse(in.payload)) {
    ++stats_.malformed;
    return;
  }
  ++stats_.packets;
  stats_.bytes += packet.size();
  stats_.rtxPackets += in.retransmission ? 1 : 0;
  if (firstPacketUs_ < 0) {
    firstPacketUs_ = nowUs;
    holdUntilUs_ = nowUs + timing_.reorderWaitUs;
  }

  auto result = buffer_.insert(in.seq, in.timestamp, in.marker, in.payload, in.retransmission, nowUs);
  if (result == ReorderBuffer::InsertResult::TooFar) {
    // Make room: release what is held and give up the gaps in front of the new packet. Bounded
    // by the window: once it is empty, or the jump is larger than two windows, start over.
    const std::size_t capacity = buffer_.capacity();
    const auto distance = [&] { return static_cast<std::uint16_t>(in.seq - buffer_.head()); };
    if (distance() < 2 * capacity) {
      for (std::size_t i = 0; i < capacity && distance() >= capacity && buffer_.span() > 0; ++i) {
        if (const BufferedPacket* p = buffer_.front()) {
          push(*p, nowUs);
          buffer_.popFront();
        } else {
          buffer_.popFront();
          ++stats_.lost;
          keyframeWanted_ = true;
        }
      }
    }
    if (distance() >= capacity) {
      // A sender restart or a long outage: nothing held is worth waiting for.
      buffer_.reset();
      keyframeWanted_ = true;
    }
    result = buffer_.insert(in.seq, in.timestamp, in.marker, in.payload, in.retransmission, nowUs);
  }
  switch (result) {
    case ReorderBuffer::InsertResult::Duplicate:
      ++stats_.duplicates;
      return;
    case ReorderBuffer::InsertResult::Late:
    case ReorderBuffer::InsertResult::TooFar:
      ++stats_.late;
      return;
    case ReorderBuffer::InsertResult::Stored:
      break;
  }
  lastPacketUs_ = nowUs;
  statistics_.onPacket(in.seq, in.timestamp, now, in.retransmission);
  if (media::Vp8Depacketizer::isKeyframePacket(in.payload) &&
      (!pendingKeyframeSeq_ ||
       static_cast<std::int16_t>(static_cast<std::uint16_t>(in.seq - *pendingKeyframeSeq_)) > 0)) {
    pendingKeyframeSeq_ = in.seq;
  }
  release(nowUs);
}

void VideoReceiveStream::release(std::int64_t nowUs) {
  if (nowUs < holdUntilUs_) {
    return;
  }
  // Bounded: every round pops one sequence number, and there are at most capacity of them.
  for (std::size_t round = 0; round <= buffer_.capacity(); ++round) {
    if (pendingKeyframeSeq_) {
      const auto ahead =
          static_cast<std::int16_t>(static_cast<std::uint16_t>(*pendingKeyframeSeq_ - buffer_.head()));
      if (ahead < 0) {
        pendingKeyframeSeq_.reset();
      } else if (ahead > 0 && depacketizer_.waitingForKeyframe()) {
        // Nothing before a keyframe can be decoded while we wait for one: jump to it.
        skipTo(*pendingKeyframeSeq_);
      }
    }
    if (const BufferedPacket* p = buffer_.front()) {
      push(*p, nowUs);
      buffer_.popFront();
      continue;
    }
    if (buffer_.headExpired(timing_, nowUs)) {
      buffer_.popFront();
      ++stats_.lost;
      // Without temporal layers every later frame references the lost one.
      keyframeWanted_ = true;
      continue;
    }
    break;
  }
}

void VideoReceiveStream::skipTo(std::uint16_t seq) noexcept {
  for (std::size_t i = 0; i < buffer_.capacity() && buffer_.head() != seq; ++i) {
    if (buffer_.popFront()) {
      ++stats_.lost;
    }
  }
}

void VideoReceiveStream::push(const BufferedPacket& packet, std::int64_t nowUs) {
  stats_.recovered += packet.recovered ? 1 : 0;
  const media::Vp8PushResult r =
      depacketizer_.push({packet.seq, packet.timestamp, packet.marker, packet.payload});
  stats_.framesDropped += static_cast<std::uint64_t>(r.framesDropped);
  if (r.keyframeNeeded) {
    keyframeWanted_ = true;
  }
  if (!r.frameReady) {
    return;
  }
  const media::Vp8AssembledFrame& frame = depacketizer_.frame();
  ++stats_.framesAssembled;
  if (frame.keyframe) {
    keyframeWanted_ = false;
    keyframePending_ = false;
  }
  lastFrameUs_ = nowUs;
  freezes_.onFrameRendered(nowUs);
  stats_.freezes = freezes_.freezes();
  stats_.totalFreezeUs = freezes_.totalFreezeUs();
  listener_.onVideoReceiveStreamFrame(*this, frame);
}

void VideoReceiveStream::tick(StreamTime now) {
  const std::int64_t nowUs = toMicros(now);
  if (firstPacketUs_ < 0) {
    return;
  }
  release(nowUs);
  if (config_.nack) {
    sendNacks(nowUs);
  }
  // Stuck: new packets kept coming for stuckTimeout after the last frame, and none made one.
  // (A sender that merely stopped, or stragglers after its last frame, are not stuck.)
  const std::int64_t since = lastFrameUs_ >= 0 ? lastFrameUs_ : firstPacketUs_;
  if (lastPacketUs_ - since >= micros(config_.stuckTimeout)) {
    keyframeWanted_ = true;
  }
  maybeSendPli(nowUs);
}

void VideoReceiveStream::sendNacks(std::int64_t nowUs) {
  std::size_t firstTime = 0;
  const std::size_t n = buffer_.collectNacks(timing_, nowUs, nackSeqs_, firstTime);
  if (n == 0) {
    return;
  }
  stats_.nackRequests += n;
  stats_.nackedPackets += firstTime;
  const std::size_t size = rtc::RtcpNack::buildFromSeqs(config_.localSsrc, config_.ssrc,
                                                        std::span<const std::uint16_t>(nackSeqs_.data(), n), rtcp_);
  if (size > 0) {
    listener_.onVideoReceiveStreamRtcp(*this, std::span<const std::uint8_t>(rtcp_.data(), size));
  }
}

void VideoReceiveStream::maybeSendPli(std::int64_t nowUs) {
  if (!keyframeWanted_ && !keyframePending_) {
    return;
  }
  // A repeat for a keyframe that has not come yet waits a little longer than a fresh request.
  std::int64_t interval = micros(config_.pliInterval);
  if (!keyframeWanted_) {
    interval = std::max(interval, 2 * timing_.retryUs);
  }
  if (lastPliUs_ >= 0 && nowUs - lastPliUs_ < interval) {
    return;
  }
  const rtc::RtcpPli pli{config_.localSsrc, config_.ssrc};
  const std::size_t size = pli.build(rtcp_);
  if (size == 0) {
    return;
  }
  ++stats_.keyframesRequested;
  lastPliUs_ = nowUs;
  keyframeWanted_ = false;
  keyframePending_ = true;
  listener_.onVideoReceiveStreamRtcp(*this, std::span<const std::uint8_t>(rtcp_.data(), size));
}

}  // namespace huddle::client
