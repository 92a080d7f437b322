// What the parser does with SDP it cannot fully read: unusable input is an error with a
// message, a broken known line is a counted warning and the rest of the description stands.

#include <gtest/gtest.h>

#include <string>

#include "rtc/sdp/session_description.h"
#include "sdp_test_util.h"

namespace huddle::rtc {
namespace {

const std::string kHead =
    "v=0\r\n"
    "o=- 1 1 IN IP4 0.0.0.0\r\n"
    "s=-\r\n"
    "t=0 0\r\n";

TEST(SdpMalformed, EmptyInputIsAnError) {
  for (const char* text : {"", "\r\n", "\n\n  \n", "\r\n\r\n"}) {
    auto p = parseSdp(text);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.code(), SdpErrorCode::Empty);
    EXPECT_FALSE(p.message().empty());
  }
}

TEST(SdpMalformed, MissingVersionIsAnError) {
  auto p = parseSdp("o=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.code(), SdpErrorCode::MissingVersion);
  EXPECT_NE(p.message().find("v=0"), std::string::npos);
  auto v1 = parseSdp("v=1\r\nm=audio 9 RTP/AVP 0\r\n");
  ASSERT_FALSE(v1.ok());
  EXPECT_EQ(v1.code(), SdpErrorCode::MissingVersion);
}

TEST(SdpMalformed, BadMediaLineIsAnError) {
  for (const char* mline : {"m=video notaport UDP/TLS/RTP/SAVPF 96", "m=audio",
                            "m=audio 9", "m=audio 9 RTP/AVP opus", "m=video 9/x RTP/AVP 96",
                            "m=video 70000 RTP/AVP 96", "m=video 9 RTP/AVP 128"}) {
    SCOPED_TRACE(mline);
    auto p = parseSdp(kHead + mline + "\r\na=mid:0\r\n");
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.code(), SdpErrorCode::BadMediaLine);
    EXPECT_NE(p.message().find("line 5"), std::string::npos) << p.message();
  }
}

TEST(SdpMalformed, NoMediaIsAnErrorUnlessAllowed) {
  auto p = parseSdp(kHead + "a=ice-lite\r\n");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.code(), SdpErrorCode::MissingMedia);
  auto allowed = parseSdp(kHead + "a=ice-lite\r\n", SdpParseOptions{.requireMedia = false});
  ASSERT_TRUE(allowed.ok());
  EXPECT_TRUE(allowed->description.iceLite);
}

TEST(SdpMalformed, BadRtpmapLinesAreSkippedAndCounted) {
  auto p = parseSdp(kHead +
                    "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n"
                    "a=rtpmap:abc opus/48000/2\r\n"  // pt not a number
                    "a=rtpmap:111 opus\r\n"          // no clock rate
                    "a=rtpmap:200 opus/48000\r\n"    // pt out of range
                    "a=rtpmap:111 opus/fast/2\r\n"   // clock rate not a number
                    "a=rtpmap:0 PCMU/8000\r\n"
                    "a=mid:0\r\n");
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->warningCount, 4u);
  ASSERT_EQ(p->warnings.size(), 4u);
  EXPECT_NE(p->warnings[0].find("rtpmap"), std::string::npos);
  const auto& m = p->description.media[0];
  EXPECT_FALSE(m.findCodec("opus"));
  ASSERT_TRUE(m.findCodec("pcmu"));
  EXPECT_EQ(m.mid, "0");
  // Skipped lines are gone, not kept as unknown attributes.
  EXPECT_TRUE(m.otherAttributes.empty());
}

TEST(SdpMalformed, BadCandidateIsSkippedOthersKept) {
  auto p = parseSdp(kHead +
                    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
                    "a=candidate:1 1 udp notanumber 10.0.0.1 5000 typ host\r\n"
                    "a=candidate:2 1 udp 2130706431 10.0.0.1 5000 typ host\r\n"
                    "a=candidate:3 1 udp 2130706431 10.0.0.1 5000 typ\r\n");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->warningCount, 2u);
  ASSERT_EQ(p->description.media[0].candidates.size(), 1u);
  EXPECT_EQ(p->description.media[0].candidates[0].foundation, "2");
}

TEST(SdpMalformed, OtherBadKnownLinesAreWarnings) {
  auto p = parseSdp(
      "v=0\r\n"
      "o=- notanumber x IN IP4\r\n"
      "s=-\r\n"
      "c=IN IP4\r\n"
      "b=AS:lots\r\n"
      "t=0 0\r\n"
      "a=fingerprint:sha-256 ZZ:11\r\n"
      "a=setup:sometimes\r\n"
      "a=group:\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\r\n"
      "a=extmap:0 urn:x\r\n"
      "a=extmap:1/sideways urn:x\r\n"
      "a=ssrc:-1 cname:x\r\n"
      "a=ssrc-group:FID 1 x\r\n"
      "a=rid:q sideways\r\n"
      "a=rid:q send pt=abc\r\n"
      "a=simulcast:send\r\n"
      "a=simulcast:sideways q\r\n"
      "a=sctp-port:99999\r\n"
      "a=msid:a b c\r\n"
      "a=rtcp-mux:yes\r\n"
      "a=ice-ufrag:\r\n"
      "a=rtcp-fb:96\r\n"
      "a=fmtp:x apt=1\r\n"
      "a=mid:\r\n"
      "a=\r\n"
      "not an sdp line\r\n"
      "v=0\r\n"
      "a=mid:ok\r\n");
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->warningCount, 24u);  // 6 session-level, 18 in the media section
  EXPECT_EQ(p->warnings.size(), kMaxSdpWarningsKept);
  const auto& d = p->description;
  EXPECT_EQ(d.origin, SdpOrigin{});  // left at defaults
  EXPECT_FALSE(d.connection);
  EXPECT_TRUE(d.groups.empty());
  ASSERT_EQ(d.media.size(), 1u);
  EXPECT_EQ(d.media[0].mid, "ok");
  EXPECT_TRUE(d.media[0].extMaps.empty());
  EXPECT_TRUE(d.media[0].rids.empty());
  EXPECT_FALSE(d.media[0].simulcast);
  EXPECT_FALSE(d.media[0].rtcpMux);
}

TEST(SdpMalformed, BinaryGarbageIsAnError) {
  std::string garbage;
  for (int i = 0; i < 512; ++i) {
    garbage += static_cast<char>((i * 131 + 7) & 0xff);
  }
  auto p = parseSdp(garbage);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.code(), SdpErrorCode::MissingVersion);

  // After a valid v= line, garbage costs warnings; without an m= line it is still unusable.
  auto tail = parseSdp("v=0\r\n" + garbage);
  ASSERT_FALSE(tail.ok());
  EXPECT_EQ(tail.code(), SdpErrorCode::MissingMedia);

  std::string withNul = kHead + std::string("\0\x01\xff\r\n", 5) +
                        "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n";
  auto mixed = parseSdp(withNul);
  ASSERT_TRUE(mixed.ok()) << mixed.message();
  EXPECT_EQ(mixed->warningCount, 1u);
  EXPECT_EQ(mixed->description.media[0].mid, "0");
}

TEST(SdpMalformed, OversizedInputIsAnError) {
  std::string big = kHead + "m=audio 9 RTP/AVP 0\r\n";
  while (big.size() <= kMaxSdpSize) {
    big += "a=x-filler:0123456789012345678901234567890123456789\r\n";
  }
  auto p = parseSdp(big);
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.code(), SdpErrorCode::TooLarge);
}

TEST(SdpMalformed, TruncatedSampleStillParses) {
  // A description cut mid-line (as a bad signalling relay might) keeps what came before.
  const std::string full = test::readSdpSample("chrome_offer_simulcast.sdp");
  const std::size_t cut = full.find("a=rtpmap:98 VP9/90000") + 12;
  auto p = parseSdp(full.substr(0, cut));
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->warningCount, 1u);  // "a=rtpmap:98 " has no encoding
  ASSERT_EQ(p->description.media.size(), 2u);
  EXPECT_TRUE(p->description.media[1].findCodec("VP8"));
}

}  // namespace
}  // namespace huddle::rtc
