#include "rtc/ice/stun_message.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <zlib.h>

#include <algorithm>
#include <cstring>

namespace huddle::rtc {
namespace {

constexpr std::uint16_t kTypeMessageIntegrity =
    static_cast<std::uint16_t>(StunAttributeType::MessageIntegrity);
constexpr std::uint16_t kTypeMessageIntegritySha256 =
    static_cast<std::uint16_t>(StunAttributeType::MessageIntegritySha256);
constexpr std::uint16_t kTypeFingerprint =
    static_cast<std::uint16_t>(StunAttributeType::Fingerprint);
constexpr std::size_t kAttributeHeaderSize = 4;
constexpr std::size_t kFingerprintSize = 4;

std::uint16_t load16(const std::uint8_t* p) noexcept {
  return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t load32(const std::uint8_t* p) noexcept {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}
std::uint64_t load64(const std::uint8_t* p) noexcept {
  return (std::uint64_t{load32(p)} << 32) | load32(p + 4);
}
void store16(std::uint8_t* p, std::uint16_t v) noexcept {
  p[0] = static_cast<std::uint8_t>(v >> 8);
  p[1] = static_cast<std::uint8_t>(v);
}
void store32(std::uint8_t* p, std::uint32_t v) noexcept {
  store16(p, static_cast<std::uint16_t>(v >> 16));
  store16(p + 2, static_cast<std::uint16_t>(v));
}
void store64(std::uint8_t* p, std::uint64_t v) noexcept {
  store32(p, static_cast<std::uint32_t>(v >> 32));
  store32(p + 4, static_cast<std::uint32_t>(v));
}
constexpr std::size_t padded(std::size_t length) noexcept { return (length + 3) & ~std::size_t{3}; }

std::string_view asText(std::span<const std::uint8_t> value) noexcept {
  // Bytes in a std::string_view are char; this is the one place we reinterpret them.
  return {reinterpret_cast<const char*>(value.data()), value.size()};
}
std::span<const std::uint8_t> asBytes(std::string_view text) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

// One HMAC-SHA1 context per thread: fetching the algorithm and allocating a context per message
// would dominate the cost of a connectivity check, and EVP_MAC_init() re-keys it in place.
class HmacSha1 final {
 public:
  HmacSha1() noexcept {
    mac_ = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac_ == nullptr) {
      return;
    }
    ctx_ = EVP_MAC_CTX_new(mac_);
    if (ctx_ == nullptr) {
      return;
    }
    char digest[] = "SHA1";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(ctx_, params) != 1) {
      EVP_MAC_CTX_free(ctx_);
      ctx_ = nullptr;
    }
  }
  ~HmacSha1() {
    EVP_MAC_CTX_free(ctx_);
    EVP_MAC_free(mac_);
  }
  HmacSha1(const HmacSha1&) = delete;
  HmacSha1& operator=(const HmacSha1&) = delete;

  // HMAC over the concatenation of `parts`. An empty key is refused: OpenSSL reads a null key as
  // "keep the previous one", and ICE never has empty passwords anyway.
  bool compute(std::span<const std::uint8_t> key,
               std::initializer_list<std::span<const std::uint8_t>> parts,
               std::array<std::uint8_t, kStunMessageIntegritySize>& out) noexcept {
    if (ctx_ == nullptr || key.empty()) {
      return false;
    }
    if (EVP_MAC_init(ctx_, key.data(), key.size(), nullptr) != 1) {
      return false;
    }
    for (const auto& part : parts) {
      if (!part.empty() && EVP_MAC_update(ctx_, part.data(), part.size()) != 1) {
        return false;
      }
    }
    std::size_t written = 0;
    return EVP_MAC_final(ctx_, out.data(), &written, out.size()) == 1 && written == out.size();
  }

 private:
  EVP_MAC* mac_ = nullptr;
  EVP_MAC_CTX* ctx_ = nullptr;
};

bool hmacSha1(std::span<const std::uint8_t> key,
              std::initializer_list<std::span<const std::uint8_t>> parts,
              std::array<std::uint8_t, kStunMessageIntegritySize>& out) noexcept {
  thread_local HmacSha1 hmac;
  return hmac.compute(key, parts, out);
}

std::uint32_t stunCrc32(std::span<const std::uint8_t> data) noexcept {
  const auto crc = crc32(0L, data.data(), static_cast<uInt>(data.size()));
  return static_cast<std::uint32_t>(crc) ^ kStunFingerprintXor;
}

bool isKnownComprehensionRequired(std::uint16_t type) noexcept {
  switch (static_cast<StunAttributeType>(type)) {
    case StunAttributeType::MappedAddress:
    case StunAttributeType::Username:
    case StunAttributeType::MessageIntegrity:
    case StunAttributeType::ErrorCode:
    case StunAttributeType::UnknownAttributes:
    case StunAttributeType::Realm:
    case StunAttributeType::Nonce:
    case StunAttributeType::MessageIntegritySha256:
    case StunAttributeType::XorMappedAddress:
    case StunAttributeType::Priority:
    case StunAttributeType::UseCandidate:
      return true;
    default:
      return false;
  }
}

}  // namespace

std::string_view stunErrorReason(std::uint16_t code) noexcept {
  switch (code) {
    case kStunErrorTryAlternate:
      return "Try Alternate";
    case kStunErrorBadRequest:
      return "Bad Request";
    case kStunErrorUnauthorized:
      return "Unauthorized";
    case kStunErrorUnknownAttribute:
      return "Unknown Attribute";
    case kStunErrorStaleNonce:
      return "Stale Nonce";
    case kStunErrorRoleConflict:
      return "Role Conflict";
    case kStunErrorServerError:
      return "Server Error";
    default:
      return {};
  }
}

bool isStunPacket(std::span<const std::uint8_t> data) noexcept {
  return data.size() >= kStunHeaderSize && data[0] <= 3 &&
         load32(data.data() + 4) == kStunMagicCookie;
}

std::optional<StunUsernameParts> splitUsername(std::string_view username) noexcept {
  const auto colon = username.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == username.size()) {
    return std::nullopt;
  }
  StunUsernameParts parts{username.substr(0, colon), username.substr(colon + 1)};
  if (parts.senderUfrag.find(':') != std::string_view::npos) {
    return std::nullopt;
  }
  return parts;
}

std::array<std::uint8_t, 16> stunLongTermKey(std::string_view username, std::string_view realm,
                                             std::string_view password) {
  std::array<std::uint8_t, 16> key{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned int written = 0;
  const bool ok = ctx != nullptr && EVP_DigestInit_ex(ctx, EVP_md5(), nullptr) == 1 &&
                  EVP_DigestUpdate(ctx, username.data(), username.size()) == 1 &&
                  EVP_DigestUpdate(ctx, ":", 1) == 1 &&
                  EVP_DigestUpdate(ctx, realm.data(), realm.size()) == 1 &&
                  EVP_DigestUpdate(ctx, ":", 1) == 1 &&
                  EVP_DigestUpdate(ctx, password.data(), password.size()) == 1 &&
                  EVP_DigestFinal_ex(ctx, key.data(), &written) == 1 && written == key.size();
  EVP_MD_CTX_free(ctx);
  if (!ok) {
    key.fill(0);
  }
  return key;
}

// ---------------------------------------------------------------------------------------------
// StunMessageView

std::optional<StunMessageView> StunMessageView::parse(
    std::span<const std::uint8_t> data) noexcept {
  if (data.size() < kStunHeaderSize || data.size() > kStunMaxMessageSize) {
    return std::nullopt;
  }
  if ((data[0] & 0xC0) != 0 || load32(data.data() + 4) != kStunMagicCookie) {
    return std::nullopt;
  }
  const std::size_t length = load16(data.data() + 2);
  if (length % 4 != 0 || kStunHeaderSize + length != data.size()) {
    return std::nullopt;
  }

  StunMessageView view(data);
  bool ended = false;  // past the first integrity or fingerprint attribute
  std::size_t count = 0;
  std::size_t offset = kStunHeaderSize;
  while (offset < data.size()) {
    // FINGERPRINT is always the last attribute (RFC 8489 section 14.7).
    if (view.fingerprintOffset_ != 0 || ++count > kStunMaxAttributes ||
        data.size() - offset < kAttributeHeaderSize) {
      return std::nullopt;
    }
    const std::uint16_t type = load16(data.data() + offset);
    const std::size_t valueLength = load16(data.data() + offset + 2);
    if (padded(valueLength) > data.size() - offset - kAttributeHeaderSize) {
      return std::nullopt;
    }
    if (type == kTypeMessageIntegrity) {
      if (valueLength != kStunMessageIntegritySize) {
        return std::nullopt;
      }
      if (!ended) {
        view.integrityOffset_ = static_cast<std::uint16_t>(offset);
      }
      ended = true;
    } else if (type == kTypeFingerprint) {
      if (valueLength != kFingerprintSize) {
        return std::nullopt;
      }
      view.fingerprintOffset_ = static_cast<std::uint16_t>(offset);
      ended = true;
    } else if (type == kTypeMessageIntegritySha256) {
      // Not verified here, but it closes the protected part just like MESSAGE-INTEGRITY does.
      ended = true;
    }
    if (!ended) {
      view.attributesEnd_ = static_cast<std::uint16_t>(offset + kAttributeHeaderSize +
                                                       padded(valueLength));
    }
    offset += kAttributeHeaderSize + padded(valueLength);
  }
  if (view.attributesEnd_ == 0) {
    view.attributesEnd_ = static_cast<std::uint16_t>(kStunHeaderSize);
  }
  view.attributeCount_ = static_cast<std::uint16_t>(count);
  return view;
}

std::uint16_t StunMessageView::messageType() const noexcept { return load16(data_.data()); }

StunClass StunMessageView::messageClass() const noexcept {
  const std::uint16_t t = messageType();
  return static_cast<StunClass>(((t >> 4) & 0x1) | ((t >> 7) & 0x2));
}

StunMethod StunMessageView::method() const noexcept {
  const std::uint16_t t = messageType();
  return static_cast<StunMethod>((t & 0x000F) | ((t & 0x00E0) >> 1) | ((t & 0x3E00) >> 2));
}

bool StunMessageView::isBindingRequest() const noexcept {
  return messageType() == stunMessageType(StunClass::Request, StunMethod::Binding);
}

StunTransactionId StunMessageView::transactionId() const noexcept {
  StunTransactionId id{};
  std::memcpy(id.data(), data_.data() + 8, id.size());
  return id;
}

std::optional<std::span<const std::uint8_t>> StunMessageView::attribute(
    std::uint16_t type) const noexcept {
  std::size_t offset = kStunHeaderSize;
  while (offset < attributesEnd_) {
    const std::size_t valueLength = load16(data_.data() + offset + 2);
    if (load16(data_.data() + offset) == type) {
      return data_.subspan(offset + kAttributeHeaderSize, valueLength);
    }
    offset += kAttributeHeaderSize + padded(valueLength);
  }
  return std::nullopt;
}

std::optional<std::string_view> StunMessageView::username() const noexcept {
  const auto value = attribute(StunAttributeType::Username);
  return value ? std::optional(asText(*value)) : std::nullopt;
}

std::optional<std::string_view> StunMessageView::software() const noexcept {
  const auto value = attribute(StunAttributeType::Software);
  return value ? std::optional(asText(*value)) : std::nullopt;
}

std::optional<std::string_view> StunMessageView::realm() const noexcept {
  const auto value = attribute(StunAttributeType::Realm);
  return value ? std::optional(asText(*value)) : std::nullopt;
}

std::optional<std::string_view> StunMessageView::nonce() const noexcept {
  const auto value = attribute(StunAttributeType::Nonce);
  return value ? std::optional(asText(*value)) : std::nullopt;
}

namespace {

// MAPPED-ADDRESS and XOR-MAPPED-ADDRESS share a layout: reserved, family, port, address.
// The XOR key is the magic cookie followed by the transaction id, i.e. header bytes 4..19.
std::optional<StunAddress> decodeAddress(std::span<const std::uint8_t> value,
                                         std::span<const std::uint8_t> header,
                                         bool xored) noexcept {
  if (value.size() < 4) {
    return std::nullopt;
  }
  StunAddress address;
  std::size_t size = 0;
  if (value[1] == static_cast<std::uint8_t>(StunAddressFamily::IPv4)) {
    address.family = StunAddressFamily::IPv4;
    size = 4;
  } else if (value[1] == static_cast<std::uint8_t>(StunAddressFamily::IPv6)) {
    address.family = StunAddressFamily::IPv6;
    size = 16;
  } else {
    return std::nullopt;
  }
  if (value.size() != 4 + size) {
    return std::nullopt;
  }
  address.port = load16(value.data() + 2);
  for (std::size_t i = 0; i < size; ++i) {
    address.addr[i] = value[4 + i];
  }
  if (xored) {
    address.port ^= static_cast<std::uint16_t>(kStunMagicCookie >> 16);
    for (std::size_t i = 0; i < size; ++i) {
      address.addr[i] ^= header[4 + i];
    }
  }
  return address;
}

}  // namespace

std::optional<StunAddress> StunMessageView::xorMappedAddress() const noexcept {
  const auto value = attribute(StunAttributeType::XorMappedAddress);
  return value ? decodeAddress(*value, data_, true) : std::nullopt;
}

std::optional<StunAddress> StunMessageView::mappedAddress() const noexcept {
  const auto value = attribute(StunAttributeType::MappedAddress);
  return value ? decodeAddress(*value, data_, false) : std::nullopt;
}

std::optional<std::uint32_t> StunMessageView::priority() const noexcept {
  const auto value = attribute(StunAttributeType::Priority);
  if (!value || value->size() != 4) {
    return std::nullopt;
  }
  return load32(value->data());
}

bool StunMessageView::useCandidate() const noexcept {
  const auto value = attribute(StunAttributeType::UseCandidate);
  return value && value->empty();
}

std::optional<std::uint64_t> StunMessageView::iceControlling() const noexcept {
  const auto value = attribute(StunAttributeType::IceControlling);
  if (!value || value->size() != 8) {
    return std::nullopt;
  }
  return load64(value->data());
}

std::optional<std::uint64_t> StunMessageView::iceControlled() const noexcept {
  const auto value = attribute(StunAttributeType::IceControlled);
  if (!value || value->size() != 8) {
    return std::nullopt;
  }
  return load64(value->data());
}

std::optional<std::uint32_t> StunMessageView::nomination() const noexcept {
  const auto value = attribute(StunAttributeType::Nomination);
  if (!value || value->size() != 4) {
    return std::nullopt;
  }
  return load32(value->data());
}

std::optional<StunErrorCode> StunMessageView::errorCode() const noexcept {
  const auto value = attribute(StunAttributeType::ErrorCode);
  if (!value || value->size() < 4) {
    return std::nullopt;
  }
  const unsigned errorClass = (*value)[2] & 0x07u;
  const unsigned number = (*value)[3];
  if (errorClass < 3 || errorClass > 6 || number > 99) {
    return std::nullopt;
  }
  return StunErrorCode{static_cast<std::uint16_t>(errorClass * 100 + number),
                       asText(value->subspan(4))};
}

std::optional<StunUnknownAttributes> StunMessageView::unknownAttributes() const noexcept {
  const auto value = attribute(StunAttributeType::UnknownAttributes);
  if (!value || value->size() % 2 != 0) {
    return std::nullopt;
  }
  return StunUnknownAttributes(*value);
}

std::size_t StunMessageView::unknownComprehensionRequired(
    std::span<std::uint16_t> out) const noexcept {
  std::size_t found = 0;
  std::size_t offset = kStunHeaderSize;
  while (offset < attributesEnd_) {
    const std::uint16_t type = load16(data_.data() + offset);
    if (type < 0x8000 && !isKnownComprehensionRequired(type)) {
      if (found < out.size()) {
        out[found] = type;
      }
      ++found;
    }
    offset += kAttributeHeaderSize + padded(load16(data_.data() + offset + 2));
  }
  return found;
}

bool StunMessageView::verifyMessageIntegrity(std::span<const std::uint8_t> key) const noexcept {
  if (integrityOffset_ == 0) {
    return false;
  }
  // The HMAC covers the message up to the attribute, with the header length rewritten to end
  // right after MESSAGE-INTEGRITY, as if nothing (FINGERPRINT) followed it.
  const std::size_t adjusted =
      integrityOffset_ + kAttributeHeaderSize + kStunMessageIntegritySize - kStunHeaderSize;
  std::array<std::uint8_t, 2> length{};
  store16(length.data(), static_cast<std::uint16_t>(adjusted));
  std::array<std::uint8_t, kStunMessageIntegritySize> mac{};
  if (!hmacSha1(key, {data_.first(2), length, data_.subspan(4, integrityOffset_ - 4)}, mac)) {
    return false;
  }
  return CRYPTO_memcmp(mac.data(), data_.data() + integrityOffset_ + kAttributeHeaderSize,
                       mac.size()) == 0;
}

bool StunMessageView::verifyMessageIntegrity(std::string_view key) const noexcept {
  return verifyMessageIntegrity(asBytes(key));
}

bool StunMessageView::verifyFingerprint() const noexcept {
  if (fingerprintOffset_ == 0) {
    return false;
  }
  // FINGERPRINT is last, so the header length already covers it and needs no adjustment.
  const std::uint32_t expected = stunCrc32(data_.first(fingerprintOffset_));
  return load32(data_.data() + fingerprintOffset_ + kAttributeHeaderSize) == expected;
}

// ---------------------------------------------------------------------------------------------
// StunMessageBuilder

StunMessageBuilder::StunMessageBuilder(std::span<std::uint8_t> buffer, StunClass cls,
                                       StunMethod method,
                                       const StunTransactionId& transactionId) noexcept
    : buffer_(buffer) {
  if (buffer_.size() < kStunHeaderSize || static_cast<std::uint16_t>(method) > 0x0FFF) {
    ok_ = false;
    return;
  }
  store16(buffer_.data(), stunMessageType(cls, method));
  store16(buffer_.data() + 2, 0);
  store32(buffer_.data() + 4, kStunMagicCookie);
  std::memcpy(buffer_.data() + 8, transactionId.data(), transactionId.size());
  size_ = kStunHeaderSize;
}

std::span<std::uint8_t> StunMessageBuilder::append(std::uint16_t type,
                                                   std::size_t length) noexcept {
  const std::size_t total = kAttributeHeaderSize + padded(length);
  if (!ok_ || length > 0xFFFF || buffer_.size() - size_ < total ||
      size_ + total - kStunHeaderSize > 0xFFFF) {
    fail();
    return {};
  }
  std::uint8_t* attr = buffer_.data() + size_;
  store16(attr, type);
  store16(attr + 2, static_cast<std::uint16_t>(length));
  std::fill(attr + kAttributeHeaderSize + length, attr + total, paddingByte_);
  size_ += total;
  store16(buffer_.data() + 2, static_cast<std::uint16_t>(size_ - kStunHeaderSize));
  return {attr + kAttributeHeaderSize, length};
}

bool StunMessageBuilder::addAttribute(std::uint16_t type,
                                      std::span<const std::uint8_t> value) noexcept {
  if (hasIntegrity_ || hasFingerprint_) {
    return fail();
  }
  const auto area = append(type, value.size());
  if (!ok_) {
    return false;
  }
  std::copy(value.begin(), value.end(), area.begin());
  return true;
}

bool StunMessageBuilder::addUsername(std::string_view username) noexcept {
  return addAttribute(static_cast<std::uint16_t>(StunAttributeType::Username), asBytes(username));
}

bool StunMessageBuilder::addSoftware(std::string_view software) noexcept {
  return addAttribute(static_cast<std::uint16_t>(StunAttributeType::Software), asBytes(software));
}

bool StunMessageBuilder::addAddress(std::uint16_t type, const StunAddress& address,
                                    bool xored) noexcept {
  const std::size_t size = address.addressSize();
  std::array<std::uint8_t, 20> value{};
  value[1] = static_cast<std::uint8_t>(address.family);
  std::uint16_t port = address.port;
  std::copy_n(address.addr.begin(), size, value.begin() + 4);
  if (xored) {
    // The XOR key is the header's cookie and transaction id, already written at bytes 4..19.
    port ^= static_cast<std::uint16_t>(kStunMagicCookie >> 16);
    for (std::size_t i = 0; i < size; ++i) {
      value[4 + i] ^= buffer_[4 + i];
    }
  }
  store16(value.data() + 2, port);
  return addAttribute(type, std::span<const std::uint8_t>(value.data(), 4 + size));
}

bool StunMessageBuilder::addXorMappedAddress(const StunAddress& address) noexcept {
  return ok_ &&
         addAddress(static_cast<std::uint16_t>(StunAttributeType::XorMappedAddress), address, true);
}

bool StunMessageBuilder::addMappedAddress(const StunAddress& address) noexcept {
  return ok_ &&
         addAddress(static_cast<std::uint16_t>(StunAttributeType::MappedAddress), address, false);
}

bool StunMessageBuilder::addUint32(StunAttributeType type, std::uint32_t value) noexcept {
  std::array<std::uint8_t, 4> bytes{};
  store32(bytes.data(), value);
  return addAttribute(static_cast<std::uint16_t>(type), bytes);
}

bool StunMessageBuilder::addUint64(StunAttributeType type, std::uint64_t value) noexcept {
  std::array<std::uint8_t, 8> bytes{};
  store64(bytes.data(), value);
  return addAttribute(static_cast<std::uint16_t>(type), bytes);
}

bool StunMessageBuilder::addPriority(std::uint32_t priority) noexcept {
  return addUint32(StunAttributeType::Priority, priority);
}

bool StunMessageBuilder::addUseCandidate() noexcept {
  return addAttribute(static_cast<std::uint16_t>(StunAttributeType::UseCandidate), {});
}

bool StunMessageBuilder::addIceControlling(std::uint64_t tieBreaker) noexcept {
  return addUint64(StunAttributeType::IceControlling, tieBreaker);
}

bool StunMessageBuilder::addIceControlled(std::uint64_t tieBreaker) noexcept {
  return addUint64(StunAttributeType::IceControlled, tieBreaker);
}

bool StunMessageBuilder::addNomination(std::uint32_t value) noexcept {
  return addUint32(StunAttributeType::Nomination, value);
}

bool StunMessageBuilder::addErrorCode(std::uint16_t code, std::string_view reason) noexcept {
  if (code < 300 || code > 699) {
    return fail();
  }
  if (reason.empty()) {
    reason = stunErrorReason(code);
  }
  // RFC 8489 caps the reason at 763 bytes; longer would only bloat an error response.
  if (reason.size() > 763 || hasIntegrity_ || hasFingerprint_) {
    return fail();
  }
  const auto area =
      append(static_cast<std::uint16_t>(StunAttributeType::ErrorCode), 4 + reason.size());
  if (!ok_) {
    return false;
  }
  area[0] = 0;
  area[1] = 0;
  area[2] = static_cast<std::uint8_t>(code / 100);
  area[3] = static_cast<std::uint8_t>(code % 100);
  std::memcpy(area.data() + 4, reason.data(), reason.size());
  return true;
}

bool StunMessageBuilder::addUnknownAttributes(std::span<const std::uint16_t> types) noexcept {
  if (hasIntegrity_ || hasFingerprint_) {
    return fail();
  }
  const auto area = append(static_cast<std::uint16_t>(StunAttributeType::UnknownAttributes),
                           2 * types.size());
  if (!ok_) {
    return false;
  }
  for (std::size_t i = 0; i < types.size(); ++i) {
    store16(area.data() + 2 * i, types[i]);
  }
  return true;
}

bool StunMessageBuilder::addMessageIntegrity(std::span<const std::uint8_t> key) noexcept {
  if (key.empty() || hasIntegrity_ || hasFingerprint_) {
    return fail();
  }
  const std::size_t offset = size_;
  // append() sets the header length to end right after this attribute, which is exactly the
  // length the HMAC input must carry.
  const auto area = append(kTypeMessageIntegrity, kStunMessageIntegritySize);
  if (!ok_) {
    return false;
  }
  std::array<std::uint8_t, kStunMessageIntegritySize> mac{};
  if (!hmacSha1(key, {std::span<const std::uint8_t>(buffer_.data(), offset)}, mac)) {
    return fail();
  }
  std::copy(mac.begin(), mac.end(), area.begin());
  hasIntegrity_ = true;
  return true;
}

bool StunMessageBuilder::addMessageIntegrity(std::string_view key) noexcept {
  return addMessageIntegrity(asBytes(key));
}

bool StunMessageBuilder::addFingerprint() noexcept {
  if (hasFingerprint_) {
    return fail();
  }
  const std::size_t offset = size_;
  const auto area = append(kTypeFingerprint, kFingerprintSize);
  if (!ok_) {
    return false;
  }
  store32(area.data(), stunCrc32(std::span<const std::uint8_t>(buffer_.data(), offset)));
  hasFingerprint_ = true;
  return true;
}

std::span<const std::uint8_t> buildStunErrorResponse(
    std::span<std::uint8_t> buffer, const StunMessageView& request, std::uint16_t code,
    std::span<const std::uint8_t> key, std::span<const std::uint16_t> unknownAttributes) noexcept {
  StunMessageBuilder builder(buffer, StunClass::ErrorResponse, request.method(),
                             request.transactionId());
  builder.addErrorCode(code);
  if (!unknownAttributes.empty()) {
    builder.addUnknownAttributes(unknownAttributes);
  }
  if (!key.empty()) {
    builder.addMessageIntegrity(key);
  }
  builder.addFingerprint();
  return builder.bytes();
}

}  // namespace huddle::rtc
