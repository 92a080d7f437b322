#pragma once
// The packets a send stream sent lately, kept to answer NACKs: a ring indexed by sequence
// number holding each packet's header fields and payload. Memory is taken once at construction.
// Not thread-safe: owned by one RtpSendStream.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <vector>

namespace huddle::client {

struct SentPacket {
  std::uint16_t sequenceNumber = 0;
  std::uint32_t timestamp = 0;
  bool marker = false;
  std::optional<std::uint8_t> audioLevelByte;
  std::int64_t sentUs = 0;
  std::int64_t lastResendUs = 0;
  bool resent = false;
  std::span<const std::uint8_t> payload;  // into the history's memory
};

class SendHistory final {
 public:
  // capacity is rounded up to a power of two; payloads up to maxPayloadSize are kept.
  SendHistory(std::size_t capacity, std::size_t maxPayloadSize);

  // Stores a packet, overwriting the one capacity() sequence numbers before it. Payloads larger
  // than maxPayloadSize are not kept (the caller refused them already).
  void store(const SentPacket& header, std::span<const std::uint8_t> payload) noexcept;
  // The packet sent with `seq` if it is still held and not older than maxAgeUs at nowUs.
  [[nodiscard]] SentPacket* find(std::uint16_t seq, std::int64_t nowUs, std::int64_t maxAgeUs) noexcept;
  [[nodiscard]] std::size_t capacity() const noexcept { return slots_.size(); }

 private:
  struct Slot {
    bool used = false;
    SentPacket packet;
  };
  std::vector<Slot> slots_;
  std::size_t mask_;
  std::size_t maxPayloadSize_;
  std::unique_ptr<std::uint8_t[]> bytes_;  // capacity * maxPayloadSize, never zeroed
};

}  // namespace huddle::client
