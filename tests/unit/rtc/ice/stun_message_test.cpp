#include "rtc/ice/stun_message.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "stun_vectors.h"

namespace huddle::rtc {
namespace {

using Bytes = std::vector<std::uint8_t>;
using test::kRfc5769Ipv4Response;
using test::kRfc5769Ipv6Response;
using test::kRfc5769LongTermRequest;
using test::kRfc5769Password;
using test::kRfc5769Request;

constexpr StunTransactionId kRfcTransactionId = {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34,
                                                 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
constexpr StunTransactionId kOtherTransactionId = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

template <std::size_t N>
Bytes toBytes(const std::array<std::uint8_t, N>& a) {
  return Bytes(a.begin(), a.end());
}

Bytes bytesOf(std::span<const std::uint8_t> s) { return Bytes(s.begin(), s.end()); }

std::span<const std::uint8_t> keyOf(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// ------------------------------------------------------------------------------------------
// RFC 5769 vectors: parse, check every field, rebuild, byte-compare.

TEST(StunMessageView, ParsesRfc5769SampleRequest) {
  const auto msg = StunMessageView::parse(kRfc5769Request);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->messageType(), 0x0001);
  EXPECT_EQ(msg->messageClass(), StunClass::Request);
  EXPECT_EQ(msg->method(), StunMethod::Binding);
  EXPECT_TRUE(msg->isBindingRequest());
  EXPECT_EQ(msg->transactionId(), kRfcTransactionId);
  EXPECT_EQ(msg->attributeCount(), 6u);
  EXPECT_EQ(msg->software(), "STUN test client");
  EXPECT_EQ(msg->priority(), 0x6e0001ffu);
  EXPECT_EQ(msg->iceControlled(), 0x932ff9b151263b36ull);
  EXPECT_FALSE(msg->iceControlling());
  EXPECT_EQ(msg->username(), "evtj:h6vY");
  EXPECT_FALSE(msg->useCandidate());
  EXPECT_FALSE(msg->xorMappedAddress());
  EXPECT_FALSE(msg->errorCode());
  ASSERT_TRUE(msg->hasMessageIntegrity());
  ASSERT_TRUE(msg->hasFingerprint());
  EXPECT_TRUE(msg->verifyMessageIntegrity(kRfc5769Password));
  EXPECT_FALSE(msg->verifyMessageIntegrity(std::string_view("VOkJxbRl1RmTxUk/WvJxBT")));
  EXPECT_FALSE(msg->verifyMessageIntegrity(std::string_view()));
  EXPECT_TRUE(msg->verifyFingerprint());

  const auto parts = splitUsername(*msg->username());
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->receiverUfrag, "evtj");
  EXPECT_EQ(parts->senderUfrag, "h6vY");
}

TEST(StunMessageBuilder, ReproducesRfc5769SampleRequest) {
  std::array<std::uint8_t, 256> buffer{};
  StunMessageBuilder builder(buffer, StunClass::Request, StunMethod::Binding, kRfcTransactionId);
  builder.setPaddingByte(0x20);  // the RFC pads USERNAME with spaces
  EXPECT_TRUE(builder.addSoftware("STUN test client"));
  EXPECT_TRUE(builder.addPriority(0x6e0001ff));
  EXPECT_TRUE(builder.addIceControlled(0x932ff9b151263b36ull));
  EXPECT_TRUE(builder.addUsername("evtj:h6vY"));
  EXPECT_TRUE(builder.addMessageIntegrity(kRfc5769Password));
  EXPECT_TRUE(builder.addFingerprint());
  ASSERT_TRUE(builder.ok());
  EXPECT_EQ(bytesOf(builder.bytes()), toBytes(kRfc5769Request));
}

TEST(StunMessageView, ParsesRfc5769Ipv4Response) {
  const auto msg = StunMessageView::parse(kRfc5769Ipv4Response);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->messageClass(), StunClass::SuccessResponse);
  EXPECT_EQ(msg->method(), StunMethod::Binding);
  EXPECT_FALSE(msg->isBindingRequest());
  EXPECT_EQ(msg->transactionId(), kRfcTransactionId);
  EXPECT_EQ(msg->software(), "test vector");
  const auto mapped = msg->xorMappedAddress();
  ASSERT_TRUE(mapped);
  EXPECT_EQ(*mapped, StunAddress::ipv4({192, 0, 2, 1}, 32853));
  EXPECT_EQ(mapped->toString(), "192.0.2.1:32853");
  EXPECT_FALSE(msg->mappedAddress());
  EXPECT_TRUE(msg->verifyMessageIntegrity(kRfc5769Password));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(StunMessageBuilder, ReproducesRfc5769Ipv4Response) {
  std::array<std::uint8_t, 256> buffer{};
  StunMessageBuilder builder(buffer, StunClass::SuccessResponse, StunMethod::Binding,
                             kRfcTransactionId);
  builder.setPaddingByte(0x20);
  builder.addSoftware("test vector");
  builder.addXorMappedAddress(StunAddress::ipv4({192, 0, 2, 1}, 32853));
  builder.addMessageIntegrity(kRfc5769Password);
  builder.addFingerprint();
  ASSERT_TRUE(builder.ok());
  EXPECT_EQ(bytesOf(builder.bytes()), toBytes(kRfc5769Ipv4Response));
}

TEST(StunMessageView, ParsesRfc5769Ipv6Response) {
  const auto msg = StunMessageView::parse(kRfc5769Ipv6Response);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->messageClass(), StunClass::SuccessResponse);
  const auto mapped = msg->xorMappedAddress();
  ASSERT_TRUE(mapped);
  const auto expected = StunAddress::fromString("2001:db8:1234:5678:11:2233:4455:6677", 32853);
  ASSERT_TRUE(expected);
  EXPECT_EQ(*mapped, *expected);
  EXPECT_EQ(mapped->family, StunAddressFamily::IPv6);
  EXPECT_EQ(mapped->toString(), "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
  EXPECT_TRUE(msg->verifyMessageIntegrity(kRfc5769Password));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(StunMessageBuilder, ReproducesRfc5769Ipv6Response) {
  std::array<std::uint8_t, 256> buffer{};
  StunMessageBuilder builder(buffer, StunClass::SuccessResponse, StunMethod::Binding,
                             kRfcTransactionId);
  builder.setPaddingByte(0x20);
  builder.addSoftware("test vector");
  builder.addXorMappedAddress(
      *StunAddress::fromString("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  builder.addMessageIntegrity(kRfc5769Password);
  builder.addFingerprint();
  ASSERT_TRUE(builder.ok());
  EXPECT_EQ(bytesOf(builder.bytes()), toBytes(kRfc5769Ipv6Response));
}

// 2.4: the password "The<U+00AD>M<U+00AA>tr<U+2168>" is "TheMatrIX" after SASLprep.
constexpr std::string_view kLongTermUsername =
    "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9";
constexpr std::string_view kLongTermNonce = "f//499k954d6OL34oL9FSTvy64sA";

TEST(StunMessageView, ParsesRfc5769LongTermRequest) {
  const auto msg = StunMessageView::parse(kRfc5769LongTermRequest);
  ASSERT_TRUE(msg);
  EXPECT_TRUE(msg->isBindingRequest());
  EXPECT_EQ(msg->username(), kLongTermUsername);
  EXPECT_EQ(msg->nonce(), kLongTermNonce);
  EXPECT_EQ(msg->realm(), "example.org");
  EXPECT_FALSE(msg->hasFingerprint());
  EXPECT_FALSE(msg->verifyFingerprint());
  const auto key = stunLongTermKey(kLongTermUsername, "example.org", "TheMatrIX");
  EXPECT_TRUE(msg->verifyMessageIntegrity(key));
  EXPECT_FALSE(msg->verifyMessageIntegrity(kRfc5769Password));
}

TEST(StunMessageBuilder, ReproducesRfc5769LongTermRequest) {
  std::array<std::uint8_t, 256> buffer{};
  constexpr StunTransactionId id = {0x78, 0xad, 0x34, 0x33, 0xc6, 0xad,
                                    0x72, 0xc0, 0x29, 0xda, 0x41, 0x2e};
  StunMessageBuilder builder(buffer, StunClass::Request, StunMethod::Binding, id);
  builder.addUsername(kLongTermUsername);
  builder.addAttribute(static_cast<std::uint16_t>(StunAttributeType::Nonce), keyOf(kLongTermNonce));
  builder.addAttribute(static_cast<std::uint16_t>(StunAttributeType::Realm), keyOf("example.org"));
  builder.addMessageIntegrity(stunLongTermKey(kLongTermUsername, "example.org", "TheMatrIX"));
  ASSERT_TRUE(builder.ok());
  EXPECT_EQ(bytesOf(builder.bytes()), toBytes(kRfc5769LongTermRequest));
}

// ------------------------------------------------------------------------------------------
// Malformed input: every case must come back empty (or verify false), never crash.

TEST(StunMessageView, RejectsEmptyInput) {
  EXPECT_FALSE(StunMessageView::parse({}));
}

TEST(StunMessageView, RejectsEveryTruncation) {
  for (std::size_t n = 0; n < kRfc5769Request.size(); ++n) {
    EXPECT_FALSE(StunMessageView::parse(std::span(kRfc5769Request.data(), n))) << "size " << n;
  }
}

TEST(StunMessageView, AcceptsHeaderOnlyMessage) {
  const std::array<std::uint8_t, 20> header = {
      0x00, 0x01, 0x00, 0x00,  // Binding request, length 0
      0x21, 0x12, 0xa4, 0x42,  // magic cookie
      1,    2,    3,    4,    5, 6, 7, 8, 9, 10, 11, 12,
  };
  const auto msg = StunMessageView::parse(header);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->attributeCount(), 0u);
  EXPECT_FALSE(msg->username());
  EXPECT_FALSE(msg->hasMessageIntegrity());
  EXPECT_FALSE(msg->verifyMessageIntegrity(kRfc5769Password));
  EXPECT_FALSE(msg->verifyFingerprint());
}

TEST(StunMessageView, RejectsBadCookie) {
  auto bytes = toBytes(kRfc5769Request);
  bytes[7] ^= 0x01;
  EXPECT_FALSE(StunMessageView::parse(bytes));
  EXPECT_FALSE(isStunPacket(bytes));
}

TEST(StunMessageView, RejectsLeadingBitsSet) {
  auto bytes = toBytes(kRfc5769Request);
  bytes[0] |= 0x40;
  EXPECT_FALSE(StunMessageView::parse(bytes));
  bytes[0] = 0x80;
  EXPECT_FALSE(StunMessageView::parse(bytes));
}

TEST(StunMessageView, RejectsLengthNotMultipleOfFour) {
  auto bytes = toBytes(kRfc5769Request);
  bytes.push_back(0);
  bytes[3] = 0x59;  // 89: matches the buffer but is not 4-aligned
  EXPECT_FALSE(StunMessageView::parse(bytes));
}

TEST(StunMessageView, RejectsLengthMismatch) {
  auto longer = toBytes(kRfc5769Request);
  longer.insert(longer.end(), {0, 0, 0, 0});  // buffer longer than the header says
  EXPECT_FALSE(StunMessageView::parse(longer));

  auto shorter = toBytes(kRfc5769Request);
  shorter[3] = 0x54;  // header says 84, buffer holds 88
  EXPECT_FALSE(StunMessageView::parse(shorter));
}

TEST(StunMessageView, RejectsAttributeRunningPastTheEnd) {
  auto bytes = toBytes(kRfc5769Ipv4Response);
  bytes[22] = 0x01;  // SOFTWARE length 0x010b: far beyond the message
  EXPECT_FALSE(StunMessageView::parse(bytes));

  auto fingerprintCut = toBytes(kRfc5769Ipv4Response);
  fingerprintCut.resize(fingerprintCut.size() - 4);  // FINGERPRINT header without its value
  fingerprintCut[3] = 0x38;
  EXPECT_FALSE(StunMessageView::parse(fingerprintCut));
}

TEST(StunMessageView, RejectsPaddingRunningPastTheEnd) {
  // SOFTWARE of 1 byte, but the message ends before its 3 padding bytes.
  const std::array<std::uint8_t, 28> bytes = {
      0x00, 0x11, 0x00, 0x08,  // Binding indication, length 8
      0x21, 0x12, 0xa4, 0x42,  // magic cookie
      1,    2,    3,    4,    5, 6, 7, 8, 9, 10, 11, 12,
      0x80, 0x22, 0x00, 0x05,  // SOFTWARE, 5 bytes (padded to 8)
      0x61, 0x62, 0x63, 0x64,  // only 4 value bytes left
  };
  EXPECT_FALSE(StunMessageView::parse(bytes));
}

TEST(StunMessageView, AcceptsMessageOfMaximumSize) {
  std::array<std::uint8_t, kStunMaxMessageSize> buffer{};
  StunMessageBuilder builder(buffer, StunClass::Indication, StunMethod::Binding,
                             kOtherTransactionId);
  const std::string filler(kStunMaxMessageSize - kStunHeaderSize - 4, 'x');
  ASSERT_TRUE(builder.addSoftware(filler));
  ASSERT_EQ(builder.size(), kStunMaxMessageSize);
  const auto msg = StunMessageView::parse(builder.bytes());
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->software(), filler);
}

TEST(StunMessageView, RejectsOversizedMessage) {
  std::array<std::uint8_t, kStunMaxMessageSize + 4> buffer{};
  StunMessageBuilder builder(buffer, StunClass::Indication, StunMethod::Binding,
                             kOtherTransactionId);
  const std::string filler(kStunMaxMessageSize - kStunHeaderSize, 'x');  // +4 header: too big
  ASSERT_TRUE(builder.addSoftware(filler));
  ASSERT_EQ(builder.size(), kStunMaxMessageSize + 4);
  EXPECT_FALSE(StunMessageView::parse(builder.bytes()));
}

TEST(StunMessageView, BoundsAttributeCount) {
  auto build = [](std::size_t count, std::span<std::uint8_t> buffer) {
    StunMessageBuilder builder(buffer, StunClass::Request, StunMethod::Binding,
                               kOtherTransactionId);
    for (std::size_t i = 0; i < count; ++i) {
      builder.addUseCandidate();
    }
    return builder.bytes();
  };
  std::array<std::uint8_t, 512> buffer{};
  EXPECT_TRUE(StunMessageView::parse(build(kStunMaxAttributes, buffer)));
  EXPECT_FALSE(StunMessageView::parse(build(kStunMaxAttributes + 1, buffer)));
}

TEST(StunMessageView, RejectsIntegrityOfWrongSize) {
  auto bytes = toBytes(kRfc5769LongTermRequest);
  // Shrink MESSAGE-INTEGRITY to 16 bytes and the message with it.
  bytes[95] = 0x10;
  bytes.resize(bytes.size() - 4);
  bytes[3] = 0x5c;
  EXPECT_FALSE(StunMessageView::parse(bytes));
}

TEST(StunMessageView, RejectsFingerprintThatIsNotLast) {
  std::array<std::uint8_t, 128> buffer{};
  StunMessageBuilder builder(buffer, StunClass::Request, StunMethod::Binding, kOtherTransactionId);
  builder.addFingerprint();
  ASSERT_TRUE(builder.ok());
  Bytes bytes = bytesOf(builder.bytes());
  bytes.insert(bytes.end(), {0x00, 0x25, 0x00, 0x00});  // USE-CANDIDATE after FINGERPRINT
  bytes[3] = static_cast<std::uint8_t>(bytes.size() - kStunHeaderSize);
  EXPECT_FALSE(StunMessageView::parse(bytes));
}

TEST(StunMessageView, IntegrityFailsWhenAnyProtectedByteChanges) {
  for (std::size_t i = 0; i < 96; ++i) {  // header, attributes and the HMAC itself
    if (i == 2 || i == 3) {
      continue;  // length changes make the parse itself fail
    }
    auto bytes = toBytes(kRfc5769Request);
    bytes[i] ^= 0x01;
    const auto msg = StunMessageView::parse(bytes);
    if (!msg) {
      continue;  // e.g. an attribute length now runs past the end
    }
    EXPECT_FALSE(msg->verifyMessageIntegrity(kRfc5769Password)) << "byte " << i;
    EXPECT_FALSE(msg->verifyFingerprint()) << "byte " << i;
  }
}

TEST(StunMessageView, FingerprintFailsAloneWhenOnlyItChanges) {
  auto bytes = toBytes(kRfc5769Request);
  bytes.back() ^= 0xff;
  const auto msg = StunMessageView::parse(bytes);
  ASSERT_TRUE(msg);
  EXPECT_TRUE(msg->verifyMessageIntegrity(kRfc5769Password));
  EXPECT_FALSE(msg->verifyFingerprint());
}

TEST(StunMessageView, IgnoresAttributesAfterIntegrity) {
  std::array<std::uint8_t, 128> buffer{};
  StunMessageBuilder builder(buffer, StunClass::Request, StunMethod::Binding, kOtherTransactionId);
  builder.addUsername("a:b");
  builder.addMessageIntegrity(std::string_view("pw"));
  ASSERT_TRUE(builder.ok());
  Bytes bytes = bytesOf(builder.bytes());
  bytes.insert(bytes.end(), {0x00, 0x24, 0x00, 0x04, 0, 0, 0, 7});  // PRIORITY after MI
  bytes[3] = static_cast<std::uint8_t>(bytes.size() - kStunHeaderSize);
  const auto msg = StunMessageView::parse(bytes);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->attributeCount(), 3u);
  EXPECT_EQ(msg->username(), "a:b");
  EXPECT_FALSE(msg->priority());
  EXPECT_TRUE(msg->verifyMessageIntegrity(std::string_view("pw")));
}

TEST(StunMessageView, RejectsMalformedAttributeValues) {
  std::array<std::uint8_t, 256> buffer{};
  StunMessageBuilder builder(buffer, StunClass::Request, StunMethod::Binding, kOtherTransactionId);
  const std::array<std::uint8_t, 3> three = {1, 2, 3};
  const std::array<std::uint8_t, 8> badFamily = {0, 3, 0, 1, 1, 2, 3, 4};
  const std::array<std::uint8_t, 4> badClass = {0, 0, 7, 1};
  builder.addAttribute(static_cast<std::uint16_t>(StunAttributeType::Priority), three);
  builder.addAttribute(static_cast<std::uint16_t>(StunAttributeType::IceControlling), three);
  builder.addAttribute(static_cast<std::uint16_t>(StunAttributeType::XorMappedAddress), badFamily);
  builder.addAttribute(static_cast<std::uint16_t>(StunAttributeType::MappedAddress), three);
  builder.addAttribute(static_cast<std::uint16_t>(StunAttributeType::ErrorCode), badClass);
  builder.addAttribute(static_cast<std::uint16_t>(StunAttributeType::UnknownAttributes), three);
  builder.addAttribute(static_cast<std::uint16_t>(StunAttributeType::UseCandidate), three);
  ASSERT_TRUE(builder.ok());
  const auto msg = StunMessageView::parse(builder.bytes());
  ASSERT_TRUE(msg);  // the message is well-formed; its values are not
  EXPECT_FALSE(msg->priority());
  EXPECT_FALSE(msg->iceControlling());
  EXPECT_FALSE(msg->xorMappedAddress());
  EXPECT_FALSE(msg->mappedAddress());
  EXPECT_FALSE(msg->errorCode());
  EXPECT_FALSE(msg->unknownAttributes());
  EXPECT_FALSE(msg->useCandidate());
}

// ------------------------------------------------------------------------------------------
// ICE messages built and parsed back.

TEST(StunMessageBuilder, BuildsIceBindingRequest) {
  std::array<std::uint8_t, 256> buffer{};
  StunMessageBuilder builder(buffer, StunClass::Request, StunMethod::Binding, kOtherTransactionId);
  builder.addUsername("remoteUfrag:localUfrag");
  builder.addPriority(0x7e7f00ff);
  builder.addIceControlling(0x0102030405060708ull);
  builder.addUseCandidate();
  builder.addNomination(3);
  builder.addMessageIntegrity(std::string_view("remotePassword"));
  builder.addFingerprint();
  ASSERT_TRUE(builder.ok());
  EXPECT_EQ(builder.size() % 4, 0u);

  const auto msg = StunMessageView::parse(builder.bytes());
  ASSERT_TRUE(msg);
  EXPECT_TRUE(msg->isBindingRequest());
  EXPECT_EQ(msg->transactionId(), kOtherTransactionId);
  EXPECT_EQ(msg->username(), "remoteUfrag:localUfrag");
  EXPECT_EQ(msg->priority(), 0x7e7f00ffu);
  EXPECT_EQ(msg->iceControlling(), 0x0102030405060708ull);
  EXPECT_FALSE(msg->iceControlled());
  EXPECT_TRUE(msg->useCandidate());
  EXPECT_EQ(msg->nomination(), 3u);
  EXPECT_TRUE(msg->verifyMessageIntegrity(std::string_view("remotePassword")));
  EXPECT_FALSE(msg->verifyMessageIntegrity(std::string_view("localPassword")));
  EXPECT_TRUE(msg->verifyFingerprint());
  std::array<std::uint16_t, 4> unknown{};
  EXPECT_EQ(msg->unknownComprehensionRequired(unknown), 0u);
}

TEST(StunMessageBuilder, RoundTripsMappedAddresses) {
  std::array<std::uint8_t, 256> buffer{};
  const auto v6 = *StunAddress::fromString("::1", 9);
  const auto v4 = StunAddress::ipv4({127, 0, 0, 1}, 65535);
  StunMessageBuilder builder(buffer, StunClass::SuccessResponse, StunMethod::Binding,
                             kOtherTransactionId);
  builder.addMappedAddress(v6);
  builder.addXorMappedAddress(v4);
  ASSERT_TRUE(builder.ok());
  const auto msg = StunMessageView::parse(builder.bytes());
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->mappedAddress(), v6);
  EXPECT_EQ(msg->xorMappedAddress(), v4);
}

TEST(StunMessageBuilder, BuildsRoleConflictResponse) {
  const auto request = StunMessageView::parse(kRfc5769Request);
  ASSERT_TRUE(request);
  std::array<std::uint8_t, 128> buffer{};
  const auto bytes = buildStunErrorResponse(buffer, *request, kStunErrorRoleConflict,
                                            keyOf(kRfc5769Password));
  ASSERT_FALSE(bytes.empty());
  const Bytes expectedStart = {
      0x01, 0x11, 0x00, 0x38,  // Binding error response, length 56
      0x21, 0x12, 0xa4, 0x42,  // magic cookie
      0xb7, 0xe7, 0xa7, 0x01,  // the request's transaction id
      0xbc, 0x34, 0xd6, 0x86,  //
      0xfa, 0x87, 0xdf, 0xae,  //
      0x00, 0x09, 0x00, 0x11,  // ERROR-CODE, 17 bytes
      0x00, 0x00, 0x04, 0x57,  // class 4, number 87
      0x52, 0x6f, 0x6c, 0x65,  // "Role"
      0x20, 0x43, 0x6f, 0x6e,  // " Con"
      0x66, 0x6c, 0x69, 0x63,  // "flic"
      0x74, 0x00, 0x00, 0x00,  // "t" + 3 padding bytes
      0x00, 0x08, 0x00, 0x14,  // MESSAGE-INTEGRITY follows
  };
  ASSERT_EQ(bytes.size(), 76u);
  EXPECT_EQ(Bytes(bytes.begin(), bytes.begin() + 48), expectedStart);

  const auto msg = StunMessageView::parse(bytes);
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->messageClass(), StunClass::ErrorResponse);
  EXPECT_EQ(msg->method(), StunMethod::Binding);
  EXPECT_EQ(msg->transactionId(), kRfcTransactionId);
  const auto error = msg->errorCode();
  ASSERT_TRUE(error);
  EXPECT_EQ(error->code, kStunErrorRoleConflict);
  EXPECT_EQ(error->reason, "Role Conflict");
  EXPECT_TRUE(msg->verifyMessageIntegrity(kRfc5769Password));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(StunMessageBuilder, BuildsUnauthorizedAndBadRequestWithoutIntegrity) {
  const auto request = StunMessageView::parse(kRfc5769Request);
  ASSERT_TRUE(request);
  for (const std::uint16_t code : {kStunErrorBadRequest, kStunErrorUnauthorized}) {
    std::array<std::uint8_t, 128> buffer{};
    const auto msg = StunMessageView::parse(buildStunErrorResponse(buffer, *request, code));
    ASSERT_TRUE(msg);
    EXPECT_EQ(msg->errorCode()->code, code);
    EXPECT_EQ(msg->errorCode()->reason, stunErrorReason(code));
    EXPECT_FALSE(msg->hasMessageIntegrity());
    EXPECT_TRUE(msg->verifyFingerprint());
  }
}

TEST(StunMessageBuilder, BuildsUnknownAttributeResponse) {
  // A request carrying two comprehension-required attributes we do not know.
  std::array<std::uint8_t, 128> requestBuffer{};
  StunMessageBuilder req(requestBuffer, StunClass::Request, StunMethod::Binding,
                         kOtherTransactionId);
  req.addAttribute(0x0003, {});  // CHANGE-REQUEST (RFC 5780), unknown to us
  req.addAttribute(0x8055, {});  // comprehension-optional: not reported
  req.addAttribute(0x7fff, {});
  ASSERT_TRUE(req.ok());
  const auto request = StunMessageView::parse(req.bytes());
  ASSERT_TRUE(request);
  std::array<std::uint16_t, 1> small{};
  EXPECT_EQ(request->unknownComprehensionRequired(small), 2u);
  EXPECT_EQ(small[0], 0x0003);
  std::array<std::uint16_t, 4> unknown{};
  const std::size_t n = request->unknownComprehensionRequired(unknown);
  ASSERT_EQ(n, 2u);

  std::array<std::uint8_t, 128> buffer{};
  const auto msg = StunMessageView::parse(buildStunErrorResponse(
      buffer, *request, kStunErrorUnknownAttribute, {}, std::span(unknown.data(), n)));
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->errorCode()->code, 420);
  const auto list = msg->unknownAttributes();
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0], 0x0003);
  EXPECT_EQ((*list)[1], 0x7fff);
}

TEST(StunMessageBuilder, RefusesWhatDoesNotFit) {
  std::array<std::uint8_t, 19> tiny{};
  StunMessageBuilder none(tiny, StunClass::Request, StunMethod::Binding, kOtherTransactionId);
  EXPECT_FALSE(none.ok());
  EXPECT_TRUE(none.bytes().empty());

  std::array<std::uint8_t, 40> small{};
  StunMessageBuilder builder(small, StunClass::Request, StunMethod::Binding, kOtherTransactionId);
  EXPECT_TRUE(builder.addPriority(1));                                   // 28 bytes
  EXPECT_FALSE(builder.addMessageIntegrity(std::string_view("pw")));  // would be 52
  EXPECT_FALSE(builder.ok());
  EXPECT_FALSE(builder.addPriority(2));  // stays poisoned
  EXPECT_EQ(builder.size(), 0u);
}

TEST(StunMessageBuilder, EnforcesAttributeOrder) {
  std::array<std::uint8_t, 128> buffer{};
  StunMessageBuilder afterIntegrity(buffer, StunClass::Request, StunMethod::Binding,
                                    kOtherTransactionId);
  EXPECT_TRUE(afterIntegrity.addMessageIntegrity(std::string_view("pw")));
  EXPECT_FALSE(afterIntegrity.addPriority(1));
  EXPECT_FALSE(afterIntegrity.ok());

  StunMessageBuilder afterFingerprint(buffer, StunClass::Request, StunMethod::Binding,
                                      kOtherTransactionId);
  EXPECT_TRUE(afterFingerprint.addFingerprint());
  EXPECT_FALSE(afterFingerprint.addMessageIntegrity(std::string_view("pw")));

  StunMessageBuilder emptyKey(buffer, StunClass::Request, StunMethod::Binding,
                              kOtherTransactionId);
  EXPECT_FALSE(emptyKey.addMessageIntegrity(std::string_view()));

  StunMessageBuilder badCode(buffer, StunClass::ErrorResponse, StunMethod::Binding,
                             kOtherTransactionId);
  EXPECT_FALSE(badCode.addErrorCode(700));
}

// ------------------------------------------------------------------------------------------
// Message type, demux and USERNAME helpers.

TEST(StunMessageType, InterleavesClassAndMethod) {
  EXPECT_EQ(stunMessageType(StunClass::Request, StunMethod::Binding), 0x0001);
  EXPECT_EQ(stunMessageType(StunClass::Indication, StunMethod::Binding), 0x0011);
  EXPECT_EQ(stunMessageType(StunClass::SuccessResponse, StunMethod::Binding), 0x0101);
  EXPECT_EQ(stunMessageType(StunClass::ErrorResponse, StunMethod::Binding), 0x0111);
  // All method bits survive a build/parse round trip.
  const auto method = static_cast<StunMethod>(0x0ABC);
  std::array<std::uint8_t, 20> buffer{};
  StunMessageBuilder builder(buffer, StunClass::ErrorResponse, method, kOtherTransactionId);
  const auto msg = StunMessageView::parse(builder.bytes());
  ASSERT_TRUE(msg);
  EXPECT_EQ(msg->method(), method);
  EXPECT_EQ(msg->messageClass(), StunClass::ErrorResponse);
}

TEST(IsStunPacket, ChecksFirstByteAndCookie) {
  EXPECT_TRUE(isStunPacket(kRfc5769Request));
  EXPECT_TRUE(isStunPacket(kRfc5769Ipv4Response));
  auto bytes = toBytes(kRfc5769Request);
  bytes[0] = 0x16;  // DTLS handshake (20..63)
  EXPECT_FALSE(isStunPacket(bytes));
  bytes[0] = 0x80;  // RTP/RTCP (128..191)
  EXPECT_FALSE(isStunPacket(bytes));
  bytes[0] = 0x03;
  EXPECT_TRUE(isStunPacket(bytes));
  EXPECT_FALSE(isStunPacket(std::span(kRfc5769Request.data(), 19)));
  EXPECT_FALSE(isStunPacket({}));
}

TEST(SplitUsername, SplitsOnTheOnlyColon) {
  const auto parts = splitUsername("local:remote");
  ASSERT_TRUE(parts);
  EXPECT_EQ(parts->receiverUfrag, "local");
  EXPECT_EQ(parts->senderUfrag, "remote");
  EXPECT_FALSE(splitUsername(""));
  EXPECT_FALSE(splitUsername("nocolon"));
  EXPECT_FALSE(splitUsername(":remote"));
  EXPECT_FALSE(splitUsername("local:"));
  EXPECT_FALSE(splitUsername("a:b:c"));
}

TEST(StunErrorReason, NamesTheIceCodes) {
  EXPECT_EQ(stunErrorReason(400), "Bad Request");
  EXPECT_EQ(stunErrorReason(401), "Unauthorized");
  EXPECT_EQ(stunErrorReason(487), "Role Conflict");
  EXPECT_EQ(stunErrorReason(499), "");
}

}  // namespace
}  // namespace huddle::rtc
