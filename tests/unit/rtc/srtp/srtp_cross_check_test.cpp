// Our SrtpSession against libsrtp2 (LibsrtpSession), packet by packet: the same plaintext
// protected by both must give the same octets (both are deterministic for a given key, SSRC and
// index), and each side must unprotect what the other protected. Thousands of random packets per
// profile: three SSRCs, CSRC lists and header extensions of random sizes, payloads of 0..1200
// octets, a sequence-number wrap (the ROC goes 0 -> 1) and local reordering across it.

#include "rtc/srtp/libsrtp_session.h"
#include "rtc/srtp/srtp_session.h"

#include "srtp_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace huddle::rtc {
namespace {

using test::putU16;
using test::putU32;
using Bytes = std::vector<std::uint8_t>;

constexpr std::size_t kPackets = 3000;
constexpr std::array<std::uint32_t, 3> kSsrcs{0x0badcafe, 0x00000001, 0xfedcba98};
// Starts close enough to 65535 that every SSRC wraps during the run.
constexpr std::uint16_t kFirstSeq = 0xffff - 700;

SrtpMasterKey randomKey(SrtpProfile profile, std::mt19937& rng) {
  const auto& info = srtpProfileInfo(profile);
  Bytes key(info.keyLength);
  Bytes salt(info.saltLength);
  for (auto& b : key) b = static_cast<std::uint8_t>(rng());
  for (auto& b : salt) b = static_cast<std::uint8_t>(rng());
  return *SrtpMasterKey::fromParts(profile, key, salt);
}

// An RTP packet with 0-3 CSRCs, an optional header extension (one-byte form, 0-4 words of
// random content) and a random payload.
Bytes randomRtp(std::mt19937& rng, std::uint32_t ssrc, std::uint16_t seq) {
  const std::size_t csrcs = rng() % 4;
  const bool extension = rng() % 2 == 0;
  const std::size_t extensionWords = rng() % 5;
  const std::size_t payload = rng() % 1201;
  Bytes p(12 + 4 * csrcs);
  p[0] = static_cast<std::uint8_t>(0x80 | (extension ? 0x10 : 0) | csrcs);
  p[1] = static_cast<std::uint8_t>((rng() % 2 == 0 ? 0x80 : 0) | 96);
  putU16(&p[2], seq);
  putU32(&p[4], static_cast<std::uint32_t>(rng()));
  putU32(&p[8], ssrc);
  for (std::size_t i = 0; i < csrcs; ++i) putU32(&p[12 + 4 * i], static_cast<std::uint32_t>(rng()));
  if (extension) {
    const std::size_t at = p.size();
    p.resize(at + 4 + 4 * extensionWords);
    putU16(&p[at], 0xbede);
    putU16(&p[at + 2], static_cast<std::uint16_t>(extensionWords));
    for (std::size_t i = at + 4; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(rng());
  }
  for (std::size_t i = 0; i < payload; ++i) p.push_back(static_cast<std::uint8_t>(rng()));
  return p;
}

// A Receiver Report with 0-4 report blocks of random content.
Bytes randomRtcp(std::mt19937& rng, std::uint32_t senderSsrc) {
  const std::size_t blocks = rng() % 5;
  Bytes p(8 + 24 * blocks);
  p[0] = static_cast<std::uint8_t>(0x80 | blocks);
  p[1] = 201;
  putU16(&p[2], static_cast<std::uint16_t>(1 + 6 * blocks));
  putU32(&p[4], senderSsrc);
  for (std::size_t i = 8; i < p.size(); ++i) p[i] = static_cast<std::uint8_t>(rng());
  return p;
}

enum class Kind { Rtp, Rtcp };

template <typename Session>
bool protect(Session& s, Kind kind, Bytes& packet) {
  std::size_t length = packet.size();
  packet.resize(length + 64);
  const bool ok = kind == Kind::Rtp ? s.protectRtp(packet, length) : s.protectRtcp(packet, length);
  packet.resize(ok ? length : 0);
  return ok;
}

template <typename Session>
bool unprotect(Session& s, Kind kind, Bytes& packet) {
  std::size_t length = packet.size();
  const bool ok =
      kind == Kind::Rtp ? s.unprotectRtp(packet, length) : s.unprotectRtcp(packet, length);
  if (ok) packet.resize(length);
  return ok;
}

struct Sent {
  Kind kind;
  Bytes plain;
  Bytes wire;
};

class SrtpCrossCheck : public ::testing::TestWithParam<SrtpProfile> {};

INSTANTIATE_TEST_SUITE_P(All, SrtpCrossCheck,
                         ::testing::Values(SrtpProfile::Aes128CmHmacSha1_80,
                                           SrtpProfile::Aes128CmHmacSha1_32,
                                           SrtpProfile::AeadAes128Gcm),
                         [](const auto& param) {
                           return std::string(srtpProfileInfo(param.param).name);
                         });

TEST_P(SrtpCrossCheck, RandomTrafficMatchesLibsrtpBothWays) {
  std::mt19937 rng(static_cast<std::uint32_t>(GetParam()) * 7919u);
  const auto key = randomKey(GetParam(), rng);
  auto oursOut = SrtpSession::create(SrtpDirection::Outbound, key);
  auto oursIn = SrtpSession::create(SrtpDirection::Inbound, key);
  auto libOut = LibsrtpSession::create(SrtpDirection::Outbound, key);
  auto libIn = LibsrtpSession::create(SrtpDirection::Inbound, key);
  ASSERT_TRUE(oursOut.ok() && oursIn.ok() && libOut.ok() && libIn.ok());

  // Send side: both implementations protect the same plaintext; the octets must agree.
  std::vector<Sent> sent;
  std::array<std::uint16_t, kSsrcs.size()> seqs{};
  seqs.fill(kFirstSeq);
  std::size_t wraps = 0;
  for (std::size_t n = 0; n < kPackets; ++n) {
    const std::size_t which = rng() % kSsrcs.size();
    const Kind kind = rng() % 8 == 0 ? Kind::Rtcp : Kind::Rtp;
    Bytes plain = kind == Kind::Rtp ? randomRtp(rng, kSsrcs[which], seqs[which]++)
                                    : randomRtcp(rng, kSsrcs[which]);
    if (kind == Kind::Rtp && seqs[which] == 0) ++wraps;
    Bytes ours = plain;
    Bytes lib = plain;
    ASSERT_TRUE(protect(*oursOut, kind, ours)) << n;
    ASSERT_TRUE(protect(*libOut, kind, lib)) << n;
    ASSERT_EQ(test::toHex(ours.data(), ours.size()), test::toHex(lib.data(), lib.size()))
        << "packet " << n << (kind == Kind::Rtp ? " rtp" : " rtcp");
    sent.push_back(Sent{kind, std::move(plain), std::move(ours)});
  }
  ASSERT_EQ(wraps, kSsrcs.size());

  // Receive side: a delivery order with neighbours swapped at random, so late packets from
  // before a wrap arrive after it.
  std::vector<std::size_t> order(sent.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = 0; i + 1 < order.size(); i += 1 + rng() % 3) {
    std::swap(order[i], order[i + 1]);
  }
  for (const std::size_t i : order) {
    Bytes forLib = sent[i].wire;
    Bytes forOurs = sent[i].wire;
    ASSERT_TRUE(unprotect(*libIn, sent[i].kind, forLib)) << "libsrtp rejected ours, packet " << i;
    ASSERT_TRUE(unprotect(*oursIn, sent[i].kind, forOurs)) << "ours rejected libsrtp's, " << i;
    ASSERT_EQ(forLib, sent[i].plain) << i;
    ASSERT_EQ(forOurs, sent[i].plain) << i;
  }
  EXPECT_EQ(oursIn->streamCount(), kSsrcs.size());

  // Everything again: each packet is now a replay (within the window or older than it) for both.
  std::size_t replays = 0;
  for (std::size_t i = 0; i < sent.size(); i += 7) {
    Bytes forLib = sent[i].wire;
    Bytes forOurs = sent[i].wire;
    EXPECT_FALSE(unprotect(*libIn, sent[i].kind, forLib)) << i;
    EXPECT_FALSE(unprotect(*oursIn, sent[i].kind, forOurs)) << i;
    ++replays;
  }
  EXPECT_EQ(oursIn->counters().replayFailures, replays);
  EXPECT_EQ(libIn->counters().replayFailures, replays);
  EXPECT_EQ(oursIn->counters().authFailures, 0u);
}

TEST_P(SrtpCrossCheck, TamperedPacketsAreRejectedByBoth) {
  std::mt19937 rng(static_cast<std::uint32_t>(GetParam()) + 17u);
  const auto key = randomKey(GetParam(), rng);
  auto oursOut = SrtpSession::create(SrtpDirection::Outbound, key);
  auto libOut = LibsrtpSession::create(SrtpDirection::Outbound, key);
  auto oursIn = SrtpSession::create(SrtpDirection::Inbound, key);
  auto libIn = LibsrtpSession::create(SrtpDirection::Inbound, key);
  ASSERT_TRUE(oursOut.ok() && oursIn.ok() && libOut.ok() && libIn.ok());
  std::uint64_t tampered = 0;
  for (std::uint16_t seq = 1; seq <= 300; ++seq) {
    const Kind kind = seq % 3 == 0 ? Kind::Rtcp : Kind::Rtp;
    Bytes plain = kind == Kind::Rtp ? randomRtp(rng, kSsrcs[0], seq) : randomRtcp(rng, kSsrcs[0]);
    Bytes fromOurs = plain;
    Bytes fromLib = plain;
    ASSERT_TRUE(protect(*oursOut, kind, fromOurs));
    ASSERT_TRUE(protect(*libOut, kind, fromLib));
    // One flipped bit anywhere but the SSRC (another SSRC is another stream, also a failure, but
    // not necessarily an authentication one for libsrtp).
    std::size_t at = rng() % fromOurs.size();
    while ((kind == Kind::Rtp && at >= 8 && at < 12) || (kind == Kind::Rtcp && at >= 4 && at < 8)) {
      at = rng() % fromOurs.size();
    }
    const auto bit = static_cast<std::uint8_t>(1u << (rng() % 8));
    fromOurs[at] ^= bit;
    fromLib[at] ^= bit;
    EXPECT_FALSE(unprotect(*libIn, kind, fromOurs)) << seq << " at " << at;
    EXPECT_FALSE(unprotect(*oursIn, kind, fromLib)) << seq << " at " << at;
    ++tampered;
  }
  const auto& c = oursIn->counters();
  EXPECT_EQ(c.authFailures + c.replayFailures + c.otherFailures, tampered);
  // Flips in the header, payload or tag are authentication failures; only a flip that makes the
  // header unreadable (version, CSRC count, extension length) is counted as malformed.
  EXPECT_GT(c.authFailures, tampered * 3 / 4);
  EXPECT_EQ(oursIn->streamCount(), 0u);  // nothing authenticated, so no state was made
}

}  // namespace
}  // namespace huddle::rtc
