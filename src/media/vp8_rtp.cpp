#include "media/vp8_rtp.h"

#include <cstring>
#include <string>

#include "rtc/rtp/codecs/vp8.h"

namespace huddle::media {
namespace {

// X=1, I=1, M=1: one byte of flags, one of extensions, two of picture id.
constexpr std::size_t kDescriptorSize = 4;

bool isNewerTimestamp(std::uint32_t a, std::uint32_t b) { return static_cast<std::int32_t>(a - b) > 0; }

}  // namespace

Vp8Packetizer::Vp8Packetizer(std::size_t maxPayloadSize, std::uint16_t firstPictureId)
    : maxPayloadSize_(maxPayloadSize), nextPictureId_(static_cast<std::uint16_t>(firstPictureId & 0x7FFF)) {
  packets_.reserve(64);
}

MediaResult<std::size_t> Vp8Packetizer::packetize(std::span<const std::uint8_t> frame) {
  packets_.clear();
  if (frame.empty()) {
    return Error{MediaError::InvalidArgument, "Vp8Packetizer: empty frame"};
  }
  if (maxPayloadSize_ <= kDescriptorSize) {
    return Error{MediaError::InvalidArgument, "Vp8Packetizer: max payload " + std::to_string(maxPayloadSize_) +
                                                  " leaves no room after the descriptor"};
  }
  const std::size_t capacity = maxPayloadSize_ - kDescriptorSize;
  const std::size_t count = (frame.size() + capacity - 1) / capacity;
  // Even sizes rather than full packets plus a runt: fewer bytes in the largest packet.
  const std::size_t base = frame.size() / count;
  const std::size_t extra = frame.size() % count;
  storage_.resize(frame.size() + count * kDescriptorSize);

  pictureId_ = nextPictureId_;
  nextPictureId_ = static_cast<std::uint16_t>((nextPictureId_ + 1) & 0x7FFF);
  rtc::Vp8Descriptor descriptor;
  descriptor.partitionId = 0;
  descriptor.pictureId = pictureId_;
  descriptor.pictureId15Bit = true;

  std::size_t in = 0;
  std::size_t out = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t chunk = base + (i < extra ? 1 : 0);
    descriptor.startOfPartition = (i == 0);
    const std::size_t written = descriptor.serialize(std::span<std::uint8_t>(storage_.data() + out, kDescriptorSize));
    if (written != kDescriptorSize) {
      packets_.clear();
      return Error{MediaError::InvalidArgument, "Vp8Packetizer: descriptor did not serialize"};
    }
    std::memcpy(storage_.data() + out + written, frame.data() + in, chunk);
    packets_.push_back({out, written + chunk});
    in += chunk;
    out += written + chunk;
  }
  return count;
}

std::span<const std::uint8_t> Vp8Packetizer::payload(std::size_t i) const noexcept {
  if (i >= packets_.size()) {
    return {};
  }
  return {storage_.data() + packets_[i].offset, packets_[i].size};
}

Vp8Depacketizer::Vp8Depacketizer()
    : slots_(kMaxPacketsPerFrame), slotBytes_(std::make_unique_for_overwrite<std::uint8_t[]>(kMaxPacketsPerFrame * kMaxPayloadSize)), order_(kMaxPacketsPerFrame) {
  frameBytes_.reserve(64 * 1024);
}

bool Vp8Depacketizer::isKeyframePacket(std::span<const std::uint8_t> payload) noexcept {
  const auto d = rtc::Vp8Descriptor::parse(payload);
  return d && d->keyframe;
}

Vp8PushResult Vp8Depacketizer::push(const Vp8RtpPacket& packet) {
  Vp8PushResult result;
  ++stats_.packets;
  const auto descriptor = rtc::Vp8Descriptor::parse(packet.payload);
  if (!descriptor || packet.payload.size() - descriptor->size > kMaxPayloadSize) {
    ++stats_.packetsRejected;
    result.rejected = true;
    return result;
  }
  if (active_ && packet.timestamp != currentTimestamp_) {
    if (!isNewerTimestamp(packet.timestamp, currentTimestamp_)) {
      ++stats_.packetsLate;
      result.rejected = true;
      return result;
    }
    dropCurrent(result);
  }
  if (!active_) {
    if (haveLast_ && !isNewerTimestamp(packet.timestamp, lastTimestamp_)) {
      ++stats_.packetsLate;
      result.rejected = true;
      return result;
    }
    active_ = true;
    currentTimestamp_ = packet.timestamp;
    slotCount_ = 0;
  }
  for (std::size_t i = 0; i < slotCount_; ++i) {
    if (slots_[i].seq == packet.sequenceNumber) {
      ++stats_.packetsDuplicate;
      return result;
    }
  }
  const auto ahead = static_cast<std::uint16_t>(packet.sequenceNumber - highestSeq_);
  if (!haveHighest_ || (ahead != 0 && ahead < 0x8000)) {
    if (haveHighest_ && ahead > 1 && ahead - 1 <= kMaxNackGap) {
      result.firstMissing = static_cast<std::uint16_t>(highestSeq_ + 1);
      result.missingCount = static_cast<std::uint16_t>(ahead - 1);
    }
    highestSeq_ = packet.sequenceNumber;
    haveHighest_ = true;
  }
  if (slotCount_ == kMaxPacketsPerFrame) {
    ++stats_.packetsRejected;
    result.rejected = true;
    dropCurrent(result);
    return result;
  }
  Slot& slot = slots_[slotCount_];
  slot.seq = packet.sequenceNumber;
  slot.marker = packet.marker;
  slot.start = descriptor->startOfPartition && descriptor->partitionId == 0;
  slot.keyframe = descriptor->keyframe;
  slot.pictureId = descriptor->pictureId;
  slot.size = packet.payload.size() - descriptor->size;
  slot.offset = slotCount_ * kMaxPayloadSize;
  std::memcpy(slotBytes_.get() + slot.offset, packet.payload.data() + descriptor->size, slot.size);
  ++slotCount_;
  tryComplete(result);
  return result;
}

void Vp8Depacketizer::dropCurrent(Vp8PushResult& result) {
  if (!active_) {
    return;
  }
  // Remember where the dropped frame ended so its stragglers count as late, not as a new frame.
  std::uint16_t highest = slots_[0].seq;
  for (std::size_t i = 1; i < slotCount_; ++i) {
    if (static_cast<std::int16_t>(slots_[i].seq - highest) > 0) {
      highest = slots_[i].seq;
    }
  }
  if (slotCount_ > 0) {
    lastSeq_ = highest;
  }
  lastTimestamp_ = currentTimestamp_;
  haveLast_ = true;
  active_ = false;
  slotCount_ = 0;
  waitingForKeyframe_ = true;
  ++stats_.framesDropped;
  ++result.framesDropped;
  result.keyframeNeeded = true;
}

bool Vp8Depacketizer::tryComplete(Vp8PushResult& result) {
  const Slot* start = nullptr;
  const Slot* last = nullptr;
  for (std::size_t i = 0; i < slotCount_; ++i) {
    if (slots_[i].start) {
      start = &slots_[i];
    }
    if (slots_[i].marker) {
      last = &slots_[i];
    }
  }
  if (start == nullptr || last == nullptr) {
    return false;
  }
  const std::uint16_t spanLen = static_cast<std::uint16_t>(last->seq - start->seq);
  if (static_cast<std::size_t>(spanLen) + 1 != slotCount_) {
    return false;
  }
  // Distinct sequence numbers, as many as the range holds: complete if every one is inside it.
  std::size_t total = 0;
  for (std::size_t i = 0; i < slotCount_; ++i) {
    const std::uint16_t rel = static_cast<std::uint16_t>(slots_[i].seq - start->seq);
    if (rel > spanLen) {
      return false;
    }
    order_[rel] = static_cast<std::uint16_t>(i);
    total += slots_[i].size;
  }

  const bool keyframe = start->keyframe;
  const std::uint16_t firstSeq = start->seq;
  const std::uint16_t lastSeq = last->seq;
  const std::optional<std::uint16_t> pictureId = start->pictureId;
  // Packets missing between the previous frame and this one: a whole frame was lost.
  if (haveLast_ && static_cast<std::uint16_t>(firstSeq - lastSeq_) != 1 && !keyframe) {
    waitingForKeyframe_ = true;
  }
  haveLast_ = true;
  lastSeq_ = lastSeq;
  lastTimestamp_ = currentTimestamp_;
  active_ = false;
  const std::size_t count = slotCount_;
  slotCount_ = 0;

  if (waitingForKeyframe_ && !keyframe) {
    ++stats_.framesDropped;
    ++result.framesDropped;
    result.keyframeNeeded = true;
    return false;
  }
  waitingForKeyframe_ = false;
  if (frameBytes_.size() < total) {
    frameBytes_.resize(total);
  }
  std::size_t pos = 0;
  for (std::size_t rel = 0; rel < count; ++rel) {
    const Slot& slot = slots_[order_[rel]];
    std::memcpy(frameBytes_.data() + pos, slotBytes_.get() + slot.offset, slot.size);
    pos += slot.size;
  }
  frame_.data = std::span<const std::uint8_t>(frameBytes_.data(), total);
  frame_.keyframe = keyframe;
  frame_.timestamp = lastTimestamp_;
  frame_.pictureId = pictureId;
  frame_.firstSequence = firstSeq;
  frame_.lastSequence = lastSeq;
  ++stats_.framesAssembled;
  result.frameReady = true;
  return true;
}

}  // namespace huddle::media
