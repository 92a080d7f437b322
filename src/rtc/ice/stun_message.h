#pragma once
// STUN codec (RFC 8489, with the ICE attributes of RFC 8445): pure, any thread.
// Parsing never throws and never allocates; building writes into a caller-provided buffer.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "rtc/ice/stun_address.h"

namespace huddle::rtc {

inline constexpr std::uint32_t kStunMagicCookie = 0x2112A442;
inline constexpr std::size_t kStunHeaderSize = 20;
inline constexpr std::size_t kStunTransactionIdSize = 12;
// ICE connectivity checks are a few hundred bytes; anything larger than a typical MTU is either
// another protocol or an attack on our HMAC budget, so the parser refuses it outright.
inline constexpr std::size_t kStunMaxMessageSize = 1500;
// Bounds the work done per datagram: a Binding request carries about eight attributes.
inline constexpr std::size_t kStunMaxAttributes = 32;
inline constexpr std::size_t kStunMessageIntegritySize = 20;  // HMAC-SHA1
inline constexpr std::uint32_t kStunFingerprintXor = 0x5354554E;

using StunTransactionId = std::array<std::uint8_t, kStunTransactionIdSize>;

enum class StunClass : std::uint8_t {
  Request = 0b00,
  Indication = 0b01,
  SuccessResponse = 0b10,
  ErrorResponse = 0b11,
};

// Methods are 12-bit numbers; only Binding matters to ICE, other values pass through unchanged.
enum class StunMethod : std::uint16_t { Binding = 0x001 };

enum class StunAttributeType : std::uint16_t {
  MappedAddress = 0x0001,
  Username = 0x0006,
  MessageIntegrity = 0x0008,
  ErrorCode = 0x0009,
  UnknownAttributes = 0x000A,
  Realm = 0x0014,
  Nonce = 0x0015,
  MessageIntegritySha256 = 0x001C,
  XorMappedAddress = 0x0020,
  Priority = 0x0024,
  UseCandidate = 0x0025,
  Software = 0x8022,
  Fingerprint = 0x8028,
  IceControlled = 0x8029,
  IceControlling = 0x802A,
  Nomination = 0xC001,  // ICE renomination (draft-thatcher-ice-renomination)
};

inline constexpr std::uint16_t kStunErrorTryAlternate = 300;
inline constexpr std::uint16_t kStunErrorBadRequest = 400;
inline constexpr std::uint16_t kStunErrorUnauthorized = 401;
inline constexpr std::uint16_t kStunErrorUnknownAttribute = 420;
inline constexpr std::uint16_t kStunErrorStaleNonce = 438;
inline constexpr std::uint16_t kStunErrorRoleConflict = 487;
inline constexpr std::uint16_t kStunErrorServerError = 500;

// The RFC's reason phrase for the codes above; "" for others.
[[nodiscard]] std::string_view stunErrorReason(std::uint16_t code) noexcept;

// The 14-bit message type interleaves class bits C1 C0 into the method (RFC 8489 figure 3).
[[nodiscard]] constexpr std::uint16_t stunMessageType(StunClass cls, StunMethod method) noexcept {
  const auto m = static_cast<std::uint16_t>(method);
  const auto c = static_cast<std::uint16_t>(cls);
  return static_cast<std::uint16_t>((m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) |
                                    ((c & 0x1) << 4) | ((c & 0x2) << 7));
}

// RFC 7983 demux: STUN's first byte is 0..3; the cookie rules out most look-alikes.
[[nodiscard]] bool isStunPacket(std::span<const std::uint8_t> data) noexcept;

// USERNAME in an ICE check is "<ufrag of the agent receiving the check>:<ufrag of the sender>".
// So a check we send carries "remote:local", and a check we receive carries "local:remote".
struct StunUsernameParts {
  std::string_view receiverUfrag;
  std::string_view senderUfrag;
};
// Empty unless there is exactly one ':' with a non-empty fragment on each side.
[[nodiscard]] std::optional<StunUsernameParts> splitUsername(std::string_view username) noexcept;

// The long-term credential key MD5(username ":" realm ":" password) (RFC 8489 section 9.2.2);
// the caller applies SASLprep/OpaqueString to the password first.
[[nodiscard]] std::array<std::uint8_t, 16> stunLongTermKey(std::string_view username,
                                                           std::string_view realm,
                                                           std::string_view password);

struct StunErrorCode {
  std::uint16_t code = 0;  // 300..699
  std::string_view reason;
};

// UNKNOWN-ATTRIBUTES: a list of 16-bit types, read in place.
class StunUnknownAttributes final {
 public:
  explicit StunUnknownAttributes(std::span<const std::uint8_t> value) noexcept : value_(value) {}
  [[nodiscard]] std::size_t size() const noexcept { return value_.size() / 2; }
  [[nodiscard]] std::uint16_t operator[](std::size_t i) const noexcept {
    return static_cast<std::uint16_t>((value_[2 * i] << 8) | value_[2 * i + 1]);
  }

 private:
  std::span<const std::uint8_t> value_;
};

// A validated STUN message over bytes owned by the caller; valid only while they are.
// Accessors return empty when the attribute is absent or its value is malformed. Attributes after
// MESSAGE-INTEGRITY are ignored as RFC 8489 section 14.5 requires (except FINGERPRINT).
class StunMessageView final {
 public:
  [[nodiscard]] static std::optional<StunMessageView> parse(
      std::span<const std::uint8_t> data) noexcept;

  [[nodiscard]] std::uint16_t messageType() const noexcept;
  [[nodiscard]] StunClass messageClass() const noexcept;
  [[nodiscard]] StunMethod method() const noexcept;
  [[nodiscard]] bool isBindingRequest() const noexcept;
  [[nodiscard]] StunTransactionId transactionId() const noexcept;
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept { return data_; }
  // All attributes present, including those ignored after MESSAGE-INTEGRITY.
  [[nodiscard]] std::size_t attributeCount() const noexcept { return attributeCount_; }

  // The value of the first attribute of this type (before MESSAGE-INTEGRITY), unpadded.
  [[nodiscard]] std::optional<std::span<const std::uint8_t>> attribute(
      std::uint16_t type) const noexcept;
  [[nodiscard]] std::optional<std::span<const std::uint8_t>> attribute(
      StunAttributeType type) const noexcept {
    return attribute(static_cast<std::uint16_t>(type));
  }
  [[nodiscard]] bool has(StunAttributeType type) const noexcept {
    return attribute(type).has_value();
  }

  [[nodiscard]] std::optional<std::string_view> username() const noexcept;
  [[nodiscard]] std::optional<std::string_view> software() const noexcept;
  [[nodiscard]] std::optional<std::string_view> realm() const noexcept;
  [[nodiscard]] std::optional<std::string_view> nonce() const noexcept;
  [[nodiscard]] std::optional<StunAddress> xorMappedAddress() const noexcept;
  [[nodiscard]] std::optional<StunAddress> mappedAddress() const noexcept;
  [[nodiscard]] std::optional<std::uint32_t> priority() const noexcept;
  [[nodiscard]] bool useCandidate() const noexcept;
  [[nodiscard]] std::optional<std::uint64_t> iceControlling() const noexcept;
  [[nodiscard]] std::optional<std::uint64_t> iceControlled() const noexcept;
  [[nodiscard]] std::optional<std::uint32_t> nomination() const noexcept;
  [[nodiscard]] std::optional<StunErrorCode> errorCode() const noexcept;
  [[nodiscard]] std::optional<StunUnknownAttributes> unknownAttributes() const noexcept;

  // Writes the comprehension-required types (0x0000-0x7FFF) this codec does not understand into
  // `out` (for a 420 response) and returns how many were found, which may exceed out.size().
  [[nodiscard]] std::size_t unknownComprehensionRequired(
      std::span<std::uint16_t> out) const noexcept;

  [[nodiscard]] bool hasMessageIntegrity() const noexcept { return integrityOffset_ != 0; }
  [[nodiscard]] bool hasFingerprint() const noexcept { return fingerprintOffset_ != 0; }
  // False when the attribute is absent, the key is empty or the HMAC-SHA1 does not match.
  [[nodiscard]] bool verifyMessageIntegrity(std::span<const std::uint8_t> key) const noexcept;
  [[nodiscard]] bool verifyMessageIntegrity(std::string_view key) const noexcept;
  // False when the attribute is absent or the CRC-32 does not match.
  [[nodiscard]] bool verifyFingerprint() const noexcept;

 private:
  explicit StunMessageView(std::span<const std::uint8_t> data) noexcept : data_(data) {}

  std::span<const std::uint8_t> data_;
  std::uint16_t attributesEnd_ = 0;      // end of the attributes that count
  std::uint16_t integrityOffset_ = 0;    // 0 when absent (an attribute never starts at 0)
  std::uint16_t fingerprintOffset_ = 0;  // 0 when absent
  std::uint16_t attributeCount_ = 0;
};

// Writes one message into a caller-provided buffer. Each add returns false, and poisons the
// builder, when the attribute does not fit or comes after MESSAGE-INTEGRITY/FINGERPRINT, so a
// caller may chain the adds and check ok() once. The header length is kept current after each
// add, so bytes() is always a complete message.
class StunMessageBuilder final {
 public:
  StunMessageBuilder(std::span<std::uint8_t> buffer, StunClass cls, StunMethod method,
                     const StunTransactionId& transactionId) noexcept;

  // RFC 8489 leaves padding content open; RFC 5769's vectors pad with spaces.
  void setPaddingByte(std::uint8_t value) noexcept { paddingByte_ = value; }

  bool addAttribute(std::uint16_t type, std::span<const std::uint8_t> value) noexcept;
  bool addUsername(std::string_view username) noexcept;
  bool addSoftware(std::string_view software) noexcept;
  bool addXorMappedAddress(const StunAddress& address) noexcept;
  bool addMappedAddress(const StunAddress& address) noexcept;
  bool addPriority(std::uint32_t priority) noexcept;
  bool addUseCandidate() noexcept;
  bool addIceControlling(std::uint64_t tieBreaker) noexcept;
  bool addIceControlled(std::uint64_t tieBreaker) noexcept;
  bool addNomination(std::uint32_t value) noexcept;
  // An empty reason uses stunErrorReason(code). Codes outside 300..699 are refused.
  bool addErrorCode(std::uint16_t code, std::string_view reason = {}) noexcept;
  bool addUnknownAttributes(std::span<const std::uint16_t> types) noexcept;
  // Must follow every other attribute except FINGERPRINT. An empty key is refused.
  bool addMessageIntegrity(std::span<const std::uint8_t> key) noexcept;
  bool addMessageIntegrity(std::string_view key) noexcept;
  // Must be last.
  bool addFingerprint() noexcept;

  [[nodiscard]] bool ok() const noexcept { return ok_; }
  [[nodiscard]] std::size_t size() const noexcept { return ok_ ? size_ : 0; }
  // The message so far; empty when the builder is poisoned.
  [[nodiscard]] std::span<const std::uint8_t> bytes() const noexcept {
    return ok_ ? std::span<const std::uint8_t>(buffer_.data(), size_)
               : std::span<const std::uint8_t>();
  }

 private:
  bool fail() noexcept {
    ok_ = false;
    return false;
  }
  // Reserves an attribute of `length` value bytes, writes its header and padding, updates the
  // message length and returns the value area (empty span and poisoned on failure).
  std::span<std::uint8_t> append(std::uint16_t type, std::size_t length) noexcept;
  bool addAddress(std::uint16_t type, const StunAddress& address, bool xored) noexcept;
  bool addUint32(StunAttributeType type, std::uint32_t value) noexcept;
  bool addUint64(StunAttributeType type, std::uint64_t value) noexcept;

  std::span<std::uint8_t> buffer_;
  std::size_t size_ = 0;
  std::uint8_t paddingByte_ = 0;
  bool ok_ = true;
  bool hasIntegrity_ = false;
  bool hasFingerprint_ = false;
};

// An error response to `request`: same method and transaction id, ERROR-CODE (plus
// UNKNOWN-ATTRIBUTES when given), MESSAGE-INTEGRITY when `key` is non-empty, then FINGERPRINT.
// A 400/401 goes without integrity (the request's credentials are the problem); a 487 carries it.
// Returns the message inside `buffer`, or empty when it does not fit.
[[nodiscard]] std::span<const std::uint8_t> buildStunErrorResponse(
    std::span<std::uint8_t> buffer, const StunMessageView& request, std::uint16_t code,
    std::span<const std::uint8_t> key = {},
    std::span<const std::uint16_t> unknownAttributes = {}) noexcept;

}  // namespace huddle::rtc
