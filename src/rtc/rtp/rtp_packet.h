#pragma once
// RTP packet view (RFC 3550) with RFC 8285 header extensions. Pure, any thread.
// The view borrows the bytes: it never copies or allocates, and it is valid only while the
// caller's buffer is. Rewrites (SSRC, sequence, timestamp, extension ids) happen in place.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

namespace huddle::rtc {

enum class RtpExtensionForm : std::uint8_t { None, OneByte, TwoByte, Other };

inline constexpr std::uint16_t kOneByteExtensionProfile = 0xBEDE;
// Two-byte profile 0x100 followed by 4 "appbits" that we ignore (RFC 8285 section 4.3).
inline constexpr std::uint16_t kTwoByteExtensionProfile = 0x1000;

class RtpPacketView {
 public:
  // Accepts version 2 only; checks that CSRCs, the extension block and the padding count fit.
  [[nodiscard]] static std::optional<RtpPacketView> parse(std::span<std::uint8_t> data) noexcept;

  [[nodiscard]] std::span<std::uint8_t> data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return data_.size(); }

  [[nodiscard]] bool hasPadding() const noexcept { return (data_[0] & 0x20) != 0; }
  [[nodiscard]] bool hasExtension() const noexcept { return (data_[0] & 0x10) != 0; }
  [[nodiscard]] std::uint8_t csrcCount() const noexcept { return data_[0] & 0x0F; }
  [[nodiscard]] bool marker() const noexcept { return (data_[1] & 0x80) != 0; }
  [[nodiscard]] std::uint8_t payloadType() const noexcept { return data_[1] & 0x7F; }
  [[nodiscard]] std::uint16_t sequenceNumber() const noexcept;
  [[nodiscard]] std::uint32_t timestamp() const noexcept;
  [[nodiscard]] std::uint32_t ssrc() const noexcept;
  // index < csrcCount()
  [[nodiscard]] std::uint32_t csrc(std::size_t index) const noexcept;

  void setMarker(bool marker) noexcept;
  void setPayloadType(std::uint8_t payloadType) noexcept;
  void setSequenceNumber(std::uint16_t seq) noexcept;
  void setTimestamp(std::uint32_t timestamp) noexcept;
  void setSsrc(std::uint32_t ssrc) noexcept;

  // Fixed header + CSRCs + extension block: where the payload starts.
  [[nodiscard]] std::size_t headerSize() const noexcept { return headerSize_; }
  [[nodiscard]] std::size_t paddingSize() const noexcept { return paddingSize_; }
  [[nodiscard]] std::span<std::uint8_t> payload() const noexcept {
    return data_.subspan(headerSize_, data_.size() - headerSize_ - paddingSize_);
  }

  [[nodiscard]] RtpExtensionForm extensionForm() const noexcept { return extensionForm_; }
  [[nodiscard]] std::uint16_t extensionProfile() const noexcept { return extensionProfile_; }
  // Extension elements without the 4-byte profile/length word.
  [[nodiscard]] std::span<std::uint8_t> extensionBlock() const noexcept {
    return data_.subspan(extensionOffset_, extensionSize_);
  }

  // The data of extension element `id` (RFC 8285), or nullopt when absent. A two-byte form
  // element may legitimately be empty. Parsing of the block stops at the first malformed
  // element, so a broken trailer hides later elements instead of dropping the packet.
  [[nodiscard]] std::optional<std::span<std::uint8_t>> findExtension(std::uint8_t id) const noexcept;

  // Rewrites the id of every element numbered `from` to `to` in place (publisher and
  // subscriber may negotiate different ids for the same URI). Fails when `to` cannot be
  // expressed in this form (one-byte ids are 1..14) or `from` is absent.
  bool rewriteExtensionId(std::uint8_t from, std::uint8_t to) noexcept;

  // One pass over the block applying map[id] to every element whose map entry is non-zero, so
  // swaps (1<->2) work. Returns false, leaving the packet untouched, when a mapped id does not
  // fit this form.
  bool remapExtensionIds(std::span<const std::uint8_t, 256> map) noexcept;

  // Visits (id, data) for each element in order; the visitor returns false to stop.
  template <typename Visitor>
  void forEachExtension(Visitor&& visit) const noexcept;

 private:
  explicit RtpPacketView(std::span<std::uint8_t> data) noexcept : data_(data) {}

  std::span<std::uint8_t> data_;
  std::size_t headerSize_ = 0;
  std::size_t paddingSize_ = 0;
  std::size_t extensionOffset_ = 0;
  std::size_t extensionSize_ = 0;
  std::uint16_t extensionProfile_ = 0;
  RtpExtensionForm extensionForm_ = RtpExtensionForm::None;
};

template <typename Visitor>
void RtpPacketView::forEachExtension(Visitor&& visit) const noexcept {
  const std::span<std::uint8_t> block = extensionBlock();
  std::size_t pos = 0;
  if (extensionForm_ == RtpExtensionForm::OneByte) {
    while (pos < block.size()) {
      const std::uint8_t id = block[pos] >> 4;
      if (id == 0) {  // padding byte between elements
        ++pos;
        continue;
      }
      if (id == 15) {  // reserved: stop processing the block
        return;
      }
      const std::size_t len = std::size_t{block[pos] & 0x0Fu} + 1;
      if (pos + 1 + len > block.size()) {
        return;
      }
      if (!visit(id, block.subspan(pos + 1, len))) {
        return;
      }
      pos += 1 + len;
    }
  } else if (extensionForm_ == RtpExtensionForm::TwoByte) {
    while (pos < block.size()) {
      const std::uint8_t id = block[pos];
      if (id == 0) {
        ++pos;
        continue;
      }
      if (pos + 2 > block.size()) {
        return;
      }
      const std::size_t len = block[pos + 1];
      if (pos + 2 + len > block.size()) {
        return;
      }
      if (!visit(id, block.subspan(pos + 2, len))) {
        return;
      }
      pos += 2 + len;
    }
  }
}

}  // namespace huddle::rtc
