#include "rtc/srtp/srtp_session.h"

#include "srtp_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <numeric>
#include <vector>

namespace huddle::rtc {
namespace {

using test::PacketBuffer;
using test::writeRtcpReceiverReport;
using test::writeRtp;

constexpr std::uint32_t kSsrc = 0x11223344;

SrtpMasterKey makeKey(SrtpProfile profile, std::uint8_t seed) {
  const auto& info = srtpProfileInfo(profile);
  std::vector<std::uint8_t> key(info.keyLength);
  std::vector<std::uint8_t> salt(info.saltLength);
  std::iota(key.begin(), key.end(), seed);
  std::iota(salt.begin(), salt.end(), static_cast<std::uint8_t>(seed + 0x40));
  return *SrtpMasterKey::fromParts(profile, key, salt);
}

// A sender/receiver pair sharing one master key.
struct Pair {
  SrtpSession out;
  SrtpSession in;
};

Pair makePair(SrtpProfile profile, SrtpSessionOptions options = {}) {
  const auto key = makeKey(profile, 0x10);
  auto out = SrtpSession::create(SrtpDirection::Outbound, key, options);
  auto in = SrtpSession::create(SrtpDirection::Inbound, key, options);
  EXPECT_TRUE(out.ok());
  EXPECT_TRUE(in.ok());
  return Pair{std::move(out).value(), std::move(in).value()};
}

class SrtpSessionProfiles : public ::testing::TestWithParam<SrtpProfile> {};

INSTANTIATE_TEST_SUITE_P(All, SrtpSessionProfiles,
                         ::testing::Values(SrtpProfile::Aes128CmHmacSha1_80,
                                           SrtpProfile::Aes128CmHmacSha1_32,
                                           SrtpProfile::AeadAes128Gcm),
                         [](const auto& param) {
                           return std::string(srtpProfileInfo(param.param).name);
                         });

TEST_P(SrtpSessionProfiles, RtpRoundTrip) {
  auto [out, in] = makePair(GetParam());
  for (std::uint16_t seq = 1000; seq < 1010; ++seq) {
    PacketBuffer buffer{};
    const std::size_t plainLength = writeRtp(buffer, kSsrc, seq, 1200);
    const PacketBuffer plain = buffer;

    std::size_t length = plainLength;
    ASSERT_TRUE(out.protectRtp(buffer, length));
    EXPECT_EQ(length, plainLength + srtpRtpOverhead(GetParam()));
    // Header stays in clear; payload is encrypted.
    EXPECT_TRUE(std::equal(buffer.begin(), buffer.begin() + 12, plain.begin()));
    EXPECT_FALSE(std::equal(buffer.begin() + 12, buffer.begin() + 40, plain.begin() + 12));

    ASSERT_TRUE(in.unprotectRtp(buffer, length));
    ASSERT_EQ(length, plainLength);
    EXPECT_TRUE(std::equal(buffer.begin(), buffer.begin() + static_cast<long>(length),
                           plain.begin()));
  }
  EXPECT_EQ(in.counters().authFailures, 0u);
  EXPECT_EQ(in.counters().replayFailures, 0u);
  EXPECT_EQ(in.counters().otherFailures, 0u);
}

TEST_P(SrtpSessionProfiles, RtcpRoundTrip) {
  auto [out, in] = makePair(GetParam());
  for (std::uint32_t i = 0; i < 5; ++i) {
    PacketBuffer buffer{};
    const std::size_t plainLength = writeRtcpReceiverReport(buffer, kSsrc, 0xabcdef01, 500 + i);
    const PacketBuffer plain = buffer;

    std::size_t length = plainLength;
    ASSERT_TRUE(out.protectRtcp(buffer, length));
    EXPECT_EQ(length, plainLength + srtpRtcpOverhead(GetParam()));
    // The first 8 octets (header + sender SSRC) stay in clear; the report block is encrypted.
    EXPECT_TRUE(std::equal(buffer.begin(), buffer.begin() + 8, plain.begin()));
    EXPECT_FALSE(std::equal(buffer.begin() + 8, buffer.begin() + 32, plain.begin() + 8));

    ASSERT_TRUE(in.unprotectRtcp(buffer, length));
    ASSERT_EQ(length, plainLength);
    EXPECT_TRUE(std::equal(buffer.begin(), buffer.begin() + 32, plain.begin()));
  }
}

TEST_P(SrtpSessionProfiles, TamperedByteFailsAuthentication) {
  auto [out, in] = makePair(GetParam());
  PacketBuffer buffer{};
  std::size_t length = writeRtp(buffer, kSsrc, 7, 200);
  ASSERT_TRUE(out.protectRtp(buffer, length));

  for (const std::size_t offset : {std::size_t{3}, std::size_t{12 + 50}, length - 1}) {
    PacketBuffer copy = buffer;
    copy[offset] ^= 0x01;
    std::size_t copyLength = length;
    EXPECT_FALSE(in.unprotectRtp(copy, copyLength)) << "offset " << offset;
  }
  EXPECT_EQ(in.counters().authFailures, 3u);
  EXPECT_EQ(in.counters().replayFailures, 0u);

  // The untouched packet still passes: failures did not poison the replay window.
  ASSERT_TRUE(in.unprotectRtp(buffer, length));
}

TEST_P(SrtpSessionProfiles, TamperedRtcpFailsAuthentication) {
  auto [out, in] = makePair(GetParam());
  PacketBuffer buffer{};
  std::size_t length = writeRtcpReceiverReport(buffer, kSsrc, 1, 2);
  ASSERT_TRUE(out.protectRtcp(buffer, length));
  buffer[20] ^= 0x80;
  EXPECT_FALSE(in.unprotectRtcp(buffer, length));
  EXPECT_EQ(in.counters().authFailures, 1u);
}

TEST_P(SrtpSessionProfiles, ReplayedPacketIsRejectedAndCounted) {
  auto [out, in] = makePair(GetParam());
  PacketBuffer buffer{};
  std::size_t length = writeRtp(buffer, kSsrc, 42, 100);
  ASSERT_TRUE(out.protectRtp(buffer, length));
  const PacketBuffer wire = buffer;
  const std::size_t wireLength = length;

  ASSERT_TRUE(in.unprotectRtp(buffer, length));
  buffer = wire;
  length = wireLength;
  EXPECT_FALSE(in.unprotectRtp(buffer, length));
  EXPECT_EQ(in.counters().replayFailures, 1u);
  EXPECT_EQ(in.counters().authFailures, 0u);
}

TEST_P(SrtpSessionProfiles, ReplayedRtcpIsRejectedAndCounted) {
  auto [out, in] = makePair(GetParam());
  PacketBuffer buffer{};
  std::size_t length = writeRtcpReceiverReport(buffer, kSsrc, 1, 2);
  ASSERT_TRUE(out.protectRtcp(buffer, length));
  const PacketBuffer wire = buffer;
  const std::size_t wireLength = length;
  ASSERT_TRUE(in.unprotectRtcp(buffer, length));
  buffer = wire;
  length = wireLength;
  EXPECT_FALSE(in.unprotectRtcp(buffer, length));
  EXPECT_EQ(in.counters().replayFailures, 1u);
}

TEST_P(SrtpSessionProfiles, PacketOlderThanTheWindowIsReplayFailure) {
  SrtpSessionOptions options;
  options.replayWindow = 64;
  auto [out, in] = makePair(GetParam(), options);
  PacketBuffer old{};
  std::size_t oldLength = writeRtp(old, kSsrc, 1, 20);
  ASSERT_TRUE(out.protectRtp(old, oldLength));
  for (std::uint16_t seq = 2; seq < 200; ++seq) {
    PacketBuffer buffer{};
    std::size_t length = writeRtp(buffer, kSsrc, seq, 20);
    ASSERT_TRUE(out.protectRtp(buffer, length));
    ASSERT_TRUE(in.unprotectRtp(buffer, length));
  }
  EXPECT_FALSE(in.unprotectRtp(old, oldLength));
  EXPECT_EQ(in.counters().replayFailures, 1u);
}

TEST_P(SrtpSessionProfiles, OutOfOrderWithinTheWindowIsAccepted) {
  auto [out, in] = makePair(GetParam());
  std::vector<PacketBuffer> wire(5);
  std::vector<std::size_t> lengths(5);
  for (std::uint16_t i = 0; i < 5; ++i) {
    lengths[i] = writeRtp(wire[i], kSsrc, static_cast<std::uint16_t>(100 + i), 64);
    ASSERT_TRUE(out.protectRtp(wire[i], lengths[i]));
  }
  for (const int i : {4, 0, 2, 1, 3}) {
    auto idx = static_cast<std::size_t>(i);
    EXPECT_TRUE(in.unprotectRtp(wire[idx], lengths[idx])) << "packet " << i;
  }
}

TEST_P(SrtpSessionProfiles, NewSsrcMidStreamGetsItsOwnStream) {
  auto [out, in] = makePair(GetParam());
  constexpr std::uint32_t kOther = 0x55667788;
  for (std::uint16_t seq = 10; seq < 20; ++seq) {
    // Interleave two SSRCs that reuse the same sequence numbers: each needs its own replay state.
    for (const std::uint32_t ssrc : {kSsrc, kOther}) {
      if (ssrc == kOther && seq < 15) continue;  // the second source joins half way
      PacketBuffer buffer{};
      std::size_t length = writeRtp(buffer, ssrc, seq, 300);
      const PacketBuffer plain = buffer;
      ASSERT_TRUE(out.protectRtp(buffer, length)) << ssrc << "/" << seq;
      ASSERT_TRUE(in.unprotectRtp(buffer, length)) << ssrc << "/" << seq;
      EXPECT_TRUE(std::equal(buffer.begin(), buffer.begin() + static_cast<long>(length),
                             plain.begin()));
    }
  }
  EXPECT_EQ(in.counters().replayFailures, 0u);
}

TEST_P(SrtpSessionProfiles, WrongKeyFailsAuthentication) {
  const auto profile = GetParam();
  auto out = SrtpSession::create(SrtpDirection::Outbound, makeKey(profile, 0x10));
  auto in = SrtpSession::create(SrtpDirection::Inbound, makeKey(profile, 0x11));
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE(in.ok());
  PacketBuffer buffer{};
  std::size_t length = writeRtp(buffer, kSsrc, 1, 160);
  ASSERT_TRUE(out->protectRtp(buffer, length));
  EXPECT_FALSE(in->unprotectRtp(buffer, length));
  EXPECT_EQ(in->counters().authFailures, 1u);

  length = writeRtcpReceiverReport(buffer, kSsrc, 1, 2);
  ASSERT_TRUE(out->protectRtcp(buffer, length));
  EXPECT_FALSE(in->unprotectRtcp(buffer, length));
  EXPECT_EQ(in->counters().authFailures, 2u);
}

TEST_P(SrtpSessionProfiles, RetransmissionOfTheSameSequenceIsProtectedAgain) {
  auto [out, in] = makePair(GetParam());
  PacketBuffer first{};
  std::size_t firstLength = writeRtp(first, kSsrc, 5, 100);
  PacketBuffer again = first;
  std::size_t againLength = firstLength;
  ASSERT_TRUE(out.protectRtp(first, firstLength));
  ASSERT_TRUE(out.protectRtp(again, againLength));  // allowRepeatTx
  EXPECT_EQ(first, again);
}

TEST(SrtpSession, RepeatTxRefusedWhenDisabled) {
  SrtpSessionOptions options;
  options.allowRepeatTx = false;
  auto [out, in] = makePair(SrtpProfile::Aes128CmHmacSha1_80, options);
  PacketBuffer buffer{};
  std::size_t length = writeRtp(buffer, kSsrc, 5, 100);
  PacketBuffer again = buffer;
  std::size_t againLength = length;
  ASSERT_TRUE(out.protectRtp(buffer, length));
  EXPECT_FALSE(out.protectRtp(again, againLength));
  EXPECT_EQ(out.counters().replayFailures, 1u);
}

TEST(SrtpSession, ProtectNeedsRoomForTheTag) {
  auto [out, in] = makePair(SrtpProfile::Aes128CmHmacSha1_80);
  PacketBuffer buffer{};
  const std::size_t plainLength = writeRtp(buffer, kSsrc, 1, 100);
  std::size_t length = plainLength;
  // One octet short of the 10-octet tag.
  EXPECT_FALSE(out.protectRtp(std::span(buffer).first(plainLength + 9), length));
  EXPECT_EQ(length, plainLength);
  EXPECT_EQ(out.counters().otherFailures, 1u);
  EXPECT_TRUE(out.protectRtp(std::span(buffer).first(plainLength + 10), length));

  std::size_t tooLong = 2000;
  EXPECT_FALSE(in.unprotectRtp(buffer, tooLong));
  EXPECT_EQ(in.counters().otherFailures, 1u);
}

TEST(SrtpSession, MalformedInputIsDroppedNotCrashed) {
  auto [out, in] = makePair(SrtpProfile::AeadAes128Gcm);
  PacketBuffer buffer{};
  for (std::size_t length : {std::size_t{0}, std::size_t{1}, std::size_t{11}, std::size_t{12}}) {
    std::fill(buffer.begin(), buffer.end(), std::uint8_t{0x80});
    std::size_t l = length;
    EXPECT_FALSE(in.unprotectRtp(buffer, l));
    l = length;
    EXPECT_FALSE(in.unprotectRtcp(buffer, l));
  }
  EXPECT_EQ(in.counters().authFailures + in.counters().otherFailures, 8u);
}

TEST(SrtpSession, DirectionIsEnforced) {
  auto [out, in] = makePair(SrtpProfile::Aes128CmHmacSha1_80);
  PacketBuffer buffer{};
  std::size_t length = writeRtp(buffer, kSsrc, 1, 100);
  EXPECT_FALSE(in.protectRtp(buffer, length));
  EXPECT_FALSE(out.unprotectRtp(buffer, length));
  EXPECT_EQ(in.counters().otherFailures, 1u);
  EXPECT_EQ(out.counters().otherFailures, 1u);
}

TEST(SrtpSession, RejectsReplayWindowOutsideRange) {
  SrtpSessionOptions options;
  options.replayWindow = 16;
  const auto session =
      SrtpSession::create(SrtpDirection::Inbound, makeKey(SrtpProfile::AeadAes128Gcm, 1), options);
  ASSERT_FALSE(session.ok());
  EXPECT_EQ(session.code(), SrtpErrorCode::SessionCreate);
}

TEST(SrtpSession, StreamLimitBoundsPerSsrcState) {
  SrtpSessionOptions limited;
  limited.maxStreams = 2;
  const auto key = makeKey(SrtpProfile::Aes128CmHmacSha1_80, 0x21);
  auto out = SrtpSession::create(SrtpDirection::Outbound, key);  // default limit
  auto limitedOut = SrtpSession::create(SrtpDirection::Outbound, key, limited);
  auto in = SrtpSession::create(SrtpDirection::Inbound, key, limited);
  ASSERT_TRUE(out.ok() && limitedOut.ok() && in.ok());
  for (const std::uint32_t ssrc : {1u, 2u, 3u}) {
    PacketBuffer buffer{};
    std::size_t length = writeRtp(buffer, ssrc, 1, 50);
    PacketBuffer copy = buffer;
    std::size_t copyLength = length;
    EXPECT_EQ(limitedOut->protectRtp(copy, copyLength), ssrc != 3u) << ssrc;
    ASSERT_TRUE(out->protectRtp(buffer, length));
    EXPECT_EQ(in->unprotectRtp(buffer, length), ssrc != 3u) << ssrc;
  }
  EXPECT_EQ(in->streamCount(), 2u);
  EXPECT_EQ(in->counters().otherFailures, 1u);
  EXPECT_EQ(limitedOut->counters().otherFailures, 1u);
  SrtpSessionOptions none;
  none.maxStreams = 0;
  EXPECT_FALSE(SrtpSession::create(SrtpDirection::Inbound, key, none).ok());
}

TEST(SrtpSession, ForgedPacketsOfUnknownSsrcsMakeNoState) {
  auto [out, in] = makePair(SrtpProfile::AeadAes128Gcm);
  for (std::uint32_t ssrc = 100; ssrc < 200; ++ssrc) {
    PacketBuffer buffer{};
    std::size_t length = writeRtp(buffer, ssrc, 1, 64) + 16;  // garbage where the tag would be
    EXPECT_FALSE(in.unprotectRtp(buffer, length));
  }
  EXPECT_EQ(in.counters().authFailures, 100u);
  EXPECT_EQ(in.streamCount(), 0u);
}

TEST(SrtpSession, SequenceWrapKeepsWorkingAndLateOldRocPacketsAreAccepted) {
  auto [out, in] = makePair(SrtpProfile::Aes128CmHmacSha1_80);
  std::vector<PacketBuffer> wire(6);
  std::vector<std::size_t> lengths(6);
  const std::array<std::uint16_t, 6> seqs{65533, 65534, 65535, 0, 1, 2};
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    lengths[i] = writeRtp(wire[i], kSsrc, seqs[i], 80);
    ASSERT_TRUE(out.protectRtp(wire[i], lengths[i]));
  }
  // 0 and 1 (ROC 1) arrive before 65535 (ROC 0).
  for (const std::size_t i : {0u, 1u, 3u, 4u, 2u, 5u}) {
    EXPECT_TRUE(in.unprotectRtp(wire[i], lengths[i])) << seqs[i];
  }
  EXPECT_EQ(in.counters().authFailures, 0u);
}

TEST(SrtpSession, MovedSessionKeepsWorking) {
  auto [out, in] = makePair(SrtpProfile::Aes128CmHmacSha1_80);
  SrtpSession moved = std::move(out);
  PacketBuffer buffer{};
  std::size_t length = writeRtp(buffer, kSsrc, 1, 100);
  ASSERT_TRUE(moved.protectRtp(buffer, length));
  SrtpSession movedIn(std::move(in));
  ASSERT_TRUE(movedIn.unprotectRtp(buffer, length));
  EXPECT_EQ(movedIn.streamCount(), 1u);
}

}  // namespace
}  // namespace huddle::rtc
