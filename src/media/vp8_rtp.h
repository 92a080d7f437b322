#pragma once
// VP8 RTP payloads (RFC 7741): a packetizer that splits an encoded frame into payloads with a
// payload descriptor carrying a 15-bit picture id, and a depacketizer that puts frames back
// together and says when one was lost. The RTP header itself is the caller's. Not thread-safe:
// one per stream, on the thread that sends or receives it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "media/media_error.h"

namespace huddle::media {

// Keeps a payload plus RTP and SRTP headers (12 + extensions + 10 auth tag) under a 1280-byte
// IPv6 minimum MTU path with room for TURN.
inline constexpr std::size_t kDefaultMaxRtpPayload = 1100;

class Vp8Packetizer final {
 public:
  explicit Vp8Packetizer(std::size_t maxPayloadSize = kDefaultMaxRtpPayload, std::uint16_t firstPictureId = 0);

  // Splits one frame into payloads of at most maxPayloadSize bytes, as evenly as possible.
  // Returns how many; payload(i) and isLast(i) (the RTP marker bit) are valid until the next
  // call. The picture id advances by one per frame (15 bits, wrapping).
  [[nodiscard]] MediaResult<std::size_t> packetize(std::span<const std::uint8_t> frame);
  [[nodiscard]] std::size_t packetCount() const noexcept { return packets_.size(); }
  [[nodiscard]] std::span<const std::uint8_t> payload(std::size_t i) const noexcept;
  [[nodiscard]] bool isLast(std::size_t i) const noexcept { return i + 1 == packets_.size(); }
  // The picture id of the last packetized frame.
  [[nodiscard]] std::uint16_t pictureId() const noexcept { return pictureId_; }

 private:
  struct Range {
    std::size_t offset;
    std::size_t size;
  };
  std::size_t maxPayloadSize_;
  std::uint16_t nextPictureId_;
  std::uint16_t pictureId_ = 0;
  std::vector<std::uint8_t> storage_;  // grows to the largest frame seen, then is reused
  std::vector<Range> packets_;
};

// What the depacketizer needs from one RTP packet.
struct Vp8RtpPacket {
  std::uint16_t sequenceNumber = 0;
  std::uint32_t timestamp = 0;
  bool marker = false;
  std::span<const std::uint8_t> payload;  // after the RTP header and any padding
};

// A reassembled frame; data is valid until the next push().
struct Vp8AssembledFrame {
  std::span<const std::uint8_t> data;
  bool keyframe = false;
  std::uint32_t timestamp = 0;
  std::optional<std::uint16_t> pictureId;
  std::uint16_t firstSequence = 0;
  std::uint16_t lastSequence = 0;
};

struct Vp8PushResult {
  bool frameReady = false;      // frame() holds a complete, decodable frame
  int framesDropped = 0;        // incomplete frames (or frames lacking a reference) given up
  bool keyframeNeeded = false;  // the stream is broken until a keyframe: send a PLI
  bool rejected = false;        // the payload was malformed or late and was ignored
  // Sequence numbers skipped just before this packet: [firstMissing, firstMissing + missingCount).
  // A hint for NACK: a reordered packet may still arrive. Jumps over kMaxNackGap are not listed.
  std::uint16_t firstMissing = 0;
  std::uint16_t missingCount = 0;
};

struct Vp8DepacketizerStats {
  std::uint64_t packets = 0;
  std::uint64_t packetsRejected = 0;  // malformed descriptor, too big, or too many in a frame
  std::uint64_t packetsLate = 0;      // belonged to a frame already given up or delivered
  std::uint64_t packetsDuplicate = 0;
  std::uint64_t framesAssembled = 0;
  std::uint64_t framesDropped = 0;
};

class Vp8Depacketizer final {
 public:
  static constexpr std::size_t kMaxPacketsPerFrame = 512;
  static constexpr std::size_t kMaxPayloadSize = 1500;
  // A bigger jump is a sender restart or a long outage: a keyframe, not retransmission, repairs it.
  static constexpr std::uint16_t kMaxNackGap = 256;

  Vp8Depacketizer();

  // Packets may arrive out of order within a frame. A packet of a newer frame while the current
  // one is incomplete gives the current one up (its packets were lost or are too late), and so
  // does a gap in sequence numbers between two frames: from then on delta frames are dropped
  // and keyframeNeeded is set until a keyframe arrives.
  [[nodiscard]] Vp8PushResult push(const Vp8RtpPacket& packet);
  [[nodiscard]] const Vp8AssembledFrame& frame() const noexcept { return frame_; }
  [[nodiscard]] const Vp8DepacketizerStats& stats() const noexcept { return stats_; }
  [[nodiscard]] bool waitingForKeyframe() const noexcept { return waitingForKeyframe_; }

  // The first packet of a keyframe (RFC 7741 4.3: S=1, PID=0, P=0).
  [[nodiscard]] static bool isKeyframePacket(std::span<const std::uint8_t> payload) noexcept;

 private:
  struct Slot {
    std::uint16_t seq = 0;
    bool marker = false;
    bool start = false;  // S=1 and PID=0: the frame's first packet
    bool keyframe = false;
    std::optional<std::uint16_t> pictureId;
    std::size_t size = 0;
    std::size_t offset = 0;  // into slotBytes_
  };

  void dropCurrent(Vp8PushResult& result);
  bool tryComplete(Vp8PushResult& result);

  bool active_ = false;
  std::uint32_t currentTimestamp_ = 0;
  std::size_t slotCount_ = 0;
  std::vector<Slot> slots_;
  // kMaxPacketsPerFrame * kMaxPayloadSize, allocated once and never zeroed: only bytes a packet
  // wrote are read back.
  std::unique_ptr<std::uint8_t[]> slotBytes_;
  std::vector<std::uint16_t> order_;
  std::vector<std::uint8_t> frameBytes_;

  bool haveHighest_ = false;
  std::uint16_t highestSeq_ = 0;  // newest sequence number accepted, for gap hints
  bool haveLast_ = false;
  std::uint16_t lastSeq_ = 0;  // last sequence number of the last finished (or dropped) frame
  std::uint32_t lastTimestamp_ = 0;
  bool waitingForKeyframe_ = true;
  Vp8AssembledFrame frame_;
  Vp8DepacketizerStats stats_;
};

}  // namespace huddle::media
