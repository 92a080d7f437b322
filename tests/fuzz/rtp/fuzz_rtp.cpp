// Fuzzes the RTP view, header extensions, RTX and the codec payload descriptors: every accessor
// is walked, every in-place rewrite applied, and builders are checked against their parsers.

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "rtc/rtp/codecs/h264.h"
#include "rtc/rtp/codecs/opus.h"
#include "rtc/rtp/codecs/vp8.h"
#include "rtc/rtp/codecs/vp9.h"
#include "rtc/rtp/packet_class.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/rtp/rtx.h"

namespace {

using namespace huddle::rtc;

void check(bool ok) {
  if (!ok) {
    __builtin_trap();
  }
}

void walkDescriptors(std::span<const std::uint8_t> payload) {
  (void)OpusPayload::isKeyframe(payload);
  if (const auto h264 = H264PayloadInfo::parse(payload)) {
    check(!h264->keyframe || h264->startOfNal);
  }
  if (const auto vp9 = Vp9Descriptor::parse(payload)) {
    check(vp9->size < payload.size() && vp9->referenceCount <= Vp9Descriptor::kMaxReferences &&
          vp9->ssSpatialLayers <= Vp9Descriptor::kMaxSpatialLayers);
  }
  if (const auto vp8 = Vp8Descriptor::parse(payload)) {
    check(vp8->size < payload.size());
    std::vector<std::uint8_t> again(16);
    const std::size_t n = vp8->serialize(again);
    check(n == vp8->serializedSize());
    again.resize(n);
    again.insert(again.end(), payload.begin() + static_cast<std::ptrdiff_t>(vp8->size), payload.end());
    const auto reparsed = Vp8Descriptor::parse(again);
    check(reparsed.has_value());
    check(reparsed->pictureId == vp8->pictureId && reparsed->tl0PicIdx == vp8->tl0PicIdx &&
          reparsed->temporalId == vp8->temporalId && reparsed->keyIdx == vp8->keyIdx &&
          reparsed->keyframe == vp8->keyframe && reparsed->startOfPartition == vp8->startOfPartition &&
          reparsed->partitionId == vp8->partitionId);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  (void)isRtpOrRtcp(bytes);
  (void)isRtcp(bytes);
  (void)isRtp(bytes);
  walkDescriptors(bytes);

  auto packet = RtpPacketView::parse(bytes);
  if (!packet) {
    return 0;
  }
  check(packet->headerSize() + packet->paddingSize() <= packet->size());
  (void)packet->marker();
  (void)packet->payloadType();
  (void)packet->sequenceNumber();
  (void)packet->timestamp();
  (void)packet->ssrc();
  for (std::size_t i = 0; i < packet->csrcCount(); ++i) {
    (void)packet->csrc(i);
  }
  (void)packet->extensionProfile();
  for (unsigned id = 0; id < 256; ++id) {
    const auto ext = packet->findExtension(static_cast<std::uint8_t>(id));
    if (!ext) {
      continue;
    }
    check(ext->data() >= bytes.data() && ext->data() + ext->size() <= bytes.data() + bytes.size());
    (void)readSdesString(*ext);
    (void)readAbsSendTime(*ext);
    (void)readTransportWideSeq(*ext);
    (void)readAudioLevel(*ext);
    (void)readDependencyDescriptor(*ext);
    if (readTransportWideSeq(*ext)) {
      check(setTransportWideSeq(*packet, static_cast<std::uint8_t>(id), 0xABCD));
      check(readTransportWideSeq(*packet->findExtension(static_cast<std::uint8_t>(id))) == 0xABCD);
    }
    if (readAbsSendTime(*ext)) {
      check(setAbsSendTime(*packet, static_cast<std::uint8_t>(id), 0x123456));
    }
  }
  walkDescriptors(packet->payload());

  // Rewrites in place must keep the packet parseable with the same layout.
  const std::size_t headerSize = packet->headerSize();
  packet->setSsrc(packet->ssrc() ^ 0x5A5A5A5A);
  packet->setSequenceNumber(static_cast<std::uint16_t>(packet->sequenceNumber() + 1));
  packet->setTimestamp(packet->timestamp() + 90000);
  packet->setPayloadType(static_cast<std::uint8_t>(packet->payloadType() ^ 0x01));
  packet->setMarker(!packet->marker());
  (void)packet->rewriteExtensionId(1, 2);
  std::array<std::uint8_t, 256> map{};
  for (std::size_t i = 1; i < 15; ++i) {
    map[i] = static_cast<std::uint8_t>(15 - i);
  }
  (void)packet->remapExtensionIds(map);
  const auto reparsed = RtpPacketView::parse(bytes);
  check(reparsed && reparsed->headerSize() == headerSize);

  std::vector<std::uint8_t> rtx(bytes.size() + 2);
  const std::size_t rtxSize = buildRtxPacket(*packet, 97, 0x01020304, 7, rtx);
  check(rtxSize == packet->headerSize() + 2 + packet->payload().size());
  const auto rtxView = RtpPacketView::parse(std::span<std::uint8_t>(rtx.data(), rtxSize));
  check(rtxView && readRtxOriginalSeq(*rtxView) == packet->sequenceNumber());
  std::vector<std::uint8_t> restored(rtxSize);
  const std::size_t restoredSize = buildOriginalFromRtx(*rtxView, packet->payloadType(), packet->ssrc(), restored);
  check(restoredSize == rtxSize - 2);
  const auto restoredView = RtpPacketView::parse(std::span<std::uint8_t>(restored.data(), restoredSize));
  check(restoredView && restoredView->sequenceNumber() == packet->sequenceNumber() &&
        restoredView->ssrc() == packet->ssrc() && restoredView->payload().size() == packet->payload().size());
  return 0;
}
