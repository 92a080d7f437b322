#pragma once
// Pure, single-owner: an Rfc4571Framer belongs to one TCP connection and is used from that
// connection's thread only; no locks, no I/O.
//
// RFC 4571 framing as ICE-TCP (RFC 6544) uses it: every STUN, DTLS, RTP or RTCP packet travels
// on the stream behind a 2-octet big-endian length. The framer cuts a received byte stream into
// those packets whatever the reads looked like: a frame split over several reads, several frames
// in one read, a length prefix split in two. Frames that lie whole inside one read are handed
// out in place (no copy); only a frame crossing a read boundary is assembled in a buffer of the
// framer, which never grows beyond the configured maximum frame size.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace huddle::rtc {

class Rfc4571Framer final {
 public:
  static constexpr std::size_t kHeaderSize = 2;
  // What one frame may carry at most: RFC 4571 allows 65535, but nothing WebRTC sends over
  // ICE-TCP comes near it (DTLS records are sized for a 1200-octet path), so a large length is
  // far more likely garbage or an attack than a packet.
  static constexpr std::size_t kDefaultMaxFrameSize = 8 * 1024;

  enum class Status : std::uint8_t {
    Ok,        // every complete frame was delivered; a partial one may be buffered
    Stopped,   // the callback asked to stop; the rest of the input was not looked at
    Oversize,  // a length prefix exceeded the maximum; the stream is unusable from here on
  };

  explicit Rfc4571Framer(std::size_t maxFrameSize = kDefaultMaxFrameSize);

  // Cuts `bytes` into frames and calls `onFrame(std::span<std::uint8_t>)` for each complete one,
  // in order. The span is writable (SRTP unprotects in place) and valid only during the call;
  // it points into `bytes` or into the framer's own buffer. `onFrame` returns false to stop
  // (e.g. it closed the connection). After Oversize every later feed() returns Oversize.
  template <typename OnFrame>
  Status feed(std::span<std::uint8_t> bytes, OnFrame&& onFrame);

  // Octets of an incomplete frame (header included) held back for the next feed().
  [[nodiscard]] std::size_t pendingBytes() const noexcept { return pending_.size(); }
  [[nodiscard]] std::size_t maxFrameSize() const noexcept { return maxFrameSize_; }
  [[nodiscard]] bool broken() const noexcept { return broken_; }

  // Writes the 2-octet prefix for a payload of `size` octets. False when size > 65535.
  [[nodiscard]] static bool writeHeader(std::size_t size, std::span<std::uint8_t, 2> out) noexcept;

 private:
  [[nodiscard]] static std::size_t lengthAt(const std::uint8_t* p) noexcept {
    return (std::size_t{p[0]} << 8) | std::size_t{p[1]};
  }

  std::size_t maxFrameSize_;
  // Header and body of the frame being assembled across reads; capacity reserved once.
  std::vector<std::uint8_t> pending_;
  bool broken_ = false;
};

template <typename OnFrame>
Rfc4571Framer::Status Rfc4571Framer::feed(std::span<std::uint8_t> bytes, OnFrame&& onFrame) {
  if (broken_) return Status::Oversize;
  std::size_t pos = 0;
  // First finish a frame that an earlier read began.
  if (!pending_.empty()) {
    if (pending_.size() < kHeaderSize) {
      const std::size_t take = std::min(kHeaderSize - pending_.size(), bytes.size());
      pending_.insert(pending_.end(), bytes.begin(), bytes.begin() + static_cast<long>(take));
      pos += take;
      if (pending_.size() < kHeaderSize) return Status::Ok;
    }
    const std::size_t length = lengthAt(pending_.data());
    if (length > maxFrameSize_) {
      broken_ = true;
      pending_.clear();
      return Status::Oversize;
    }
    const std::size_t want = kHeaderSize + length - pending_.size();
    const std::size_t take = std::min(want, bytes.size() - pos);
    pending_.insert(pending_.end(), bytes.begin() + static_cast<long>(pos),
                    bytes.begin() + static_cast<long>(pos + take));
    pos += take;
    if (take < want) return Status::Ok;
    const bool go = onFrame(std::span<std::uint8_t>(pending_).subspan(kHeaderSize));
    pending_.clear();
    if (!go) return Status::Stopped;
  }
  // Then whole frames straight from the input, in place.
  while (bytes.size() - pos >= kHeaderSize) {
    const std::size_t length = lengthAt(bytes.data() + pos);
    if (length > maxFrameSize_) {
      broken_ = true;
      return Status::Oversize;
    }
    if (bytes.size() - pos - kHeaderSize < length) break;
    if (!onFrame(bytes.subspan(pos + kHeaderSize, length))) return Status::Stopped;
    pos += kHeaderSize + length;
  }
  // Keep the tail (a partial header or frame) for the next read.
  pending_.insert(pending_.end(), bytes.begin() + static_cast<long>(pos), bytes.end());
  return Status::Ok;
}

}  // namespace huddle::rtc
