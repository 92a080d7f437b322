#pragma once
// Single-threaded: called on the worker thread that owns the room.
//
// Where a downtrack's rewritten packets go: the subscriber's transport in the server, a
// recording double in tests.

#include <cstddef>
#include <cstdint>
#include <span>

namespace huddle::sfu {

class RtpSink {
 public:
  virtual ~RtpSink() = default;
  // `buffer` is writable; the packet is its first `length` octets and at least 16 octets of
  // room follow it for the SRTP tag. False: not sent (not connected yet, socket refused).
  virtual bool sendRtp(std::span<std::uint8_t> buffer, std::size_t length) = 0;
};

// Asks a publisher for a keyframe on one of its SSRCs (PLI). Rate limiting is the caller's.
class KeyframeRequester {
 public:
  virtual ~KeyframeRequester() = default;
  virtual void requestKeyframe(std::uint32_t publisherSsrc) = 0;
};

// Asks a publisher to resend packets of one of its SSRCs (generic NACK); `seqs` in RTP order.
class NackRequester {
 public:
  virtual ~NackRequester() = default;
  virtual void requestRetransmission(std::uint32_t publisherSsrc, std::span<const std::uint16_t> seqs) = 0;
};

}  // namespace huddle::sfu
