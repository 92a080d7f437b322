#include "rtc/sdp/session_description.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "sdp_test_util.h"

namespace huddle::rtc {
namespace {

constexpr const char* kSamples[] = {
    "chrome_offer_simulcast.sdp",
    "libwebrtc_offer_ssrc_simulcast.sdp",
    "firefox_offer.sdp",
    "icelite_server_answer.sdp",
};

constexpr std::string_view kRidUri = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

ParsedSdp parseSample(const char* name) {
  auto parsed = parseSdp(test::readSdpSample(name));
  EXPECT_TRUE(parsed.ok()) << name << ": " << (parsed.ok() ? "" : parsed.message());
  return parsed.ok() ? std::move(parsed).value() : ParsedSdp{};
}

std::string toCrlf(const std::string& lf) {
  std::string out;
  for (char c : lf) {
    if (c == '\n') {
      out += '\r';
    }
    out += c;
  }
  return out;
}

TEST(SessionDescription, ChromiumOfferSessionLevel) {
  const ParsedSdp p = parseSample("chrome_offer_simulcast.sdp");
  const SessionDescription& d = p.description;
  EXPECT_EQ(p.warningCount, 0u);
  EXPECT_EQ(d.origin.username, "-");
  EXPECT_EQ(d.origin.sessionId, "4611731400430051336");
  EXPECT_EQ(d.origin.sessionVersion, 2u);
  EXPECT_EQ(d.origin.address, "127.0.0.1");
  EXPECT_EQ(d.sessionName, "-");
  EXPECT_EQ(d.timing, std::vector<std::string>{"0 0"});
  EXPECT_EQ(d.bundleMids(), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_TRUE(d.extmapAllowMixed);
  EXPECT_FALSE(d.iceLite);
  ASSERT_TRUE(d.msidSemantic);
  EXPECT_EQ(d.msidSemantic->semantic, "WMS");
  EXPECT_EQ(d.msidSemantic->identifiers,
            std::vector<std::string>{"5b1f0e2a-9c43-4d71-8a6e-0f2d3c4b5a69"});
  ASSERT_EQ(d.media.size(), 3u);
  EXPECT_EQ(d.media[0].kind(), MediaKind::Audio);
  EXPECT_EQ(d.media[1].kind(), MediaKind::Video);
  EXPECT_EQ(d.media[2].kind(), MediaKind::Application);
}

TEST(SessionDescription, ChromiumOfferAudioSection) {
  const ParsedSdp p = parseSample("chrome_offer_simulcast.sdp");
  const SessionDescription& d = p.description;
  ASSERT_EQ(d.media.size(), 3u);
  const MediaDescription& a = d.media[0];
  EXPECT_EQ(a.port, 9);
  EXPECT_EQ(a.protocol, "UDP/TLS/RTP/SAVPF");
  EXPECT_TRUE(a.isRtp());
  EXPECT_EQ(a.formats.size(), 8u);
  ASSERT_TRUE(a.connection);
  EXPECT_EQ(a.connection->address, "0.0.0.0");
  EXPECT_EQ(a.mid, "0");
  EXPECT_EQ(a.direction, MediaDirection::SendOnly);
  ASSERT_EQ(a.msids.size(), 1u);
  EXPECT_EQ(a.msids[0].streamId, "5b1f0e2a-9c43-4d71-8a6e-0f2d3c4b5a69");
  EXPECT_EQ(a.msids[0].trackId, "e4c1a7d2-3b6f-4e18-9d05-7a2c8b1f6e30");
  EXPECT_TRUE(a.rtcpMux);
  EXPECT_TRUE(a.rtcpRsize);
  EXPECT_EQ(a.iceUfrag, "Kp3x");
  EXPECT_EQ(a.icePwd, "yS5m0wQeN7tQ2rT8vW1zX4cB");
  EXPECT_TRUE(d.hasTrickle(a));
  ASSERT_EQ(a.fingerprints.size(), 1u);
  EXPECT_EQ(a.fingerprints[0].algorithm, "sha-256");
  EXPECT_EQ(a.fingerprints[0].value.size(), 32u * 3 - 1);
  EXPECT_EQ(a.setup, SdpSetup::ActPass);
  ASSERT_EQ(a.candidates.size(), 2u);
  EXPECT_FALSE(a.candidates[0].isMdns());
  EXPECT_TRUE(a.candidates[1].isMdns());

  const auto opus = a.findCodec("OPUS");
  ASSERT_TRUE(opus);
  EXPECT_EQ(opus->payloadType, 111);
  EXPECT_EQ(opus->clockRate, 48000u);
  EXPECT_EQ(opus->channels, 2u);
  EXPECT_EQ(opus->parameters.at("minptime"), "10");
  EXPECT_EQ(opus->parameters.at("useinbandfec"), "1");
  ASSERT_EQ(opus->feedback.size(), 1u);
  EXPECT_EQ(opus->feedback[0].type, "transport-cc");
  EXPECT_FALSE(opus->rtxPayloadType);
  const auto red = a.findCodec("red");
  ASSERT_TRUE(red);
  EXPECT_EQ(red->parameters.count("111/111"), 1u);
  EXPECT_EQ(a.extMapId("urn:ietf:params:rtp-hdrext:ssrc-audio-level"), 1);
  EXPECT_EQ(a.extMapId("urn:ietf:params:rtp-hdrext:sdes:mid"), 4);
  EXPECT_FALSE(a.extMapId(kRidUri));
  EXPECT_EQ(a.ssrcs(), std::vector<std::uint32_t>{2804711201u});
  EXPECT_EQ(a.ssrcAttribute(2804711201u, "cname"), "qT2fZ8nLw0bY5cHd");
  // a=rtcp is not modelled: it must survive as an unknown attribute.
  EXPECT_EQ(a.otherAttributes, std::vector<std::string>{"rtcp:9 IN IP4 0.0.0.0"});
}

TEST(SessionDescription, ChromiumOfferVideoSimulcastByRid) {
  const ParsedSdp p = parseSample("chrome_offer_simulcast.sdp");
  ASSERT_EQ(p.description.media.size(), 3u);
  const MediaDescription& v = p.description.media[1];
  EXPECT_EQ(v.mid, "1");

  const auto vp8 = v.findCodec("vp8");
  ASSERT_TRUE(vp8);
  EXPECT_EQ(vp8->payloadType, 96);
  EXPECT_EQ(vp8->rtxPayloadType, 97);
  ASSERT_EQ(vp8->feedback.size(), 5u);
  EXPECT_EQ(vp8->feedback[4].type, "nack");
  EXPECT_EQ(vp8->feedback[4].parameter, "pli");
  const auto vp9 = v.findCodecs("VP9");
  ASSERT_EQ(vp9.size(), 2u);
  EXPECT_EQ(vp9[0].parameters.at("profile-id"), "0");
  EXPECT_EQ(vp9[1].parameters.at("profile-id"), "2");
  EXPECT_EQ(vp9[1].rtxPayloadType, 101);
  const auto av1 = v.findCodec("AV1");
  ASSERT_TRUE(av1);
  EXPECT_EQ(av1->payloadType, 45);
  EXPECT_EQ(av1->rtxPayloadType, 46);
  EXPECT_EQ(v.findCodec("red")->rtxPayloadType, 122);
  EXPECT_FALSE(v.findCodec("ulpfec")->rtxPayloadType);
  EXPECT_FALSE(v.findCodec("H264"));
  EXPECT_EQ(v.codecs().size(), 11u);

  EXPECT_EQ(v.extMapId(kRidUri), 10);
  EXPECT_EQ(v.extMapId("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"), 11);
  const auto rids = v.ridsFor(RidDirection::Send);
  ASSERT_EQ(rids.size(), 3u);
  EXPECT_EQ(rids[0].id, "q");
  EXPECT_EQ(rids[2].id, "f");
  EXPECT_TRUE(rids[0].payloadTypes.empty());
  EXPECT_TRUE(v.ridsFor(RidDirection::Recv).empty());
  const auto layers = v.simulcastSendLayers();
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[0], (SimulcastStream{"q", false}));
  EXPECT_EQ(layers[1], (SimulcastStream{"h", false}));
  EXPECT_EQ(layers[2], (SimulcastStream{"f", false}));
  EXPECT_TRUE(v.ssrcs().empty());
}

TEST(SessionDescription, ChromiumOfferDataChannel) {
  const ParsedSdp p = parseSample("chrome_offer_simulcast.sdp");
  ASSERT_EQ(p.description.media.size(), 3u);
  const MediaDescription& app = p.description.media[2];
  EXPECT_EQ(app.protocol, "UDP/DTLS/SCTP");
  EXPECT_FALSE(app.isRtp());
  EXPECT_EQ(app.formats, std::vector<std::string>{"webrtc-datachannel"});
  EXPECT_EQ(app.sctpPort, 5000);
  EXPECT_EQ(app.maxMessageSize, 262144u);
  EXPECT_FALSE(app.sctpMap);
  EXPECT_TRUE(app.codecs().empty());
  EXPECT_EQ(p.description.findMedia("2"), &app);
  EXPECT_EQ(p.description.findMedia("7"), nullptr);
}

TEST(SessionDescription, LibwebrtcClassicSimulcastSsrcGroups) {
  const ParsedSdp p = parseSample("libwebrtc_offer_ssrc_simulcast.sdp");
  EXPECT_EQ(p.warningCount, 0u);
  ASSERT_EQ(p.description.media.size(), 2u);
  const MediaDescription& v = p.description.media[1];
  EXPECT_EQ(v.iceOptions, (std::vector<std::string>{"trickle", "renomination"}));
  const auto fids = v.fidPairs();
  ASSERT_EQ(fids.size(), 3u);
  EXPECT_EQ(fids[0], (SsrcFid{1111111101u, 1111111201u}));
  EXPECT_EQ(fids[2], (SsrcFid{1111111103u, 1111111203u}));
  const auto sims = v.simGroups();
  ASSERT_EQ(sims.size(), 1u);
  EXPECT_EQ(sims[0], (std::vector<std::uint32_t>{1111111101u, 1111111102u, 1111111103u}));
  EXPECT_EQ(v.rtxSsrcFor(1111111102u), 1111111202u);
  EXPECT_FALSE(v.rtxSsrcFor(1111111201u));
  EXPECT_EQ(v.ssrcs().size(), 6u);
  EXPECT_EQ(v.ssrcAttribute(1111111203u, "msid"), "lk-stream TR_VCx9Qm2PzR4tK");
  EXPECT_EQ(v.msids[0].trackId, "TR_VCx9Qm2PzR4tK");
  EXPECT_TRUE(v.rids.empty());
  EXPECT_FALSE(v.simulcast);
  const auto opus = p.description.media[0].findCodec("opus");
  ASSERT_TRUE(opus);
  EXPECT_EQ(opus->parameters.at("usedtx"), "1");
}

TEST(SessionDescription, FirefoxOfferLayoutAndInheritance) {
  const ParsedSdp p = parseSample("firefox_offer.sdp");
  const SessionDescription& d = p.description;
  EXPECT_EQ(p.warningCount, 0u);
  EXPECT_EQ(d.origin.username, "mozilla...THIS_IS_SDPARTA-99.0");
  ASSERT_EQ(d.fingerprints.size(), 1u);
  EXPECT_EQ(d.iceOptions, std::vector<std::string>{"trickle"});
  ASSERT_TRUE(d.msidSemantic);
  EXPECT_EQ(d.msidSemantic->identifiers, std::vector<std::string>{"*"});
  ASSERT_EQ(d.media.size(), 3u);

  const MediaDescription& a = d.media[0];
  EXPECT_TRUE(a.fingerprints.empty());
  EXPECT_EQ(d.fingerprintsFor(a), d.fingerprints);  // inherited from the session
  EXPECT_TRUE(d.hasTrickle(a));
  EXPECT_EQ(d.setupFor(a), SdpSetup::ActPass);
  EXPECT_EQ(d.iceUfragFor(a), "d2f8a1c5");
  EXPECT_EQ(a.direction, MediaDirection::SendRecv);
  ASSERT_EQ(a.msids.size(), 1u);
  EXPECT_EQ(a.msids[0].streamId, "{3c9a2e41-7b5d-4f08-a1e6-92d4c0b8f713}");
  EXPECT_EQ(a.msids[0].trackId, "{e07b5a12-c3d9-4e6f-8a21-5f9c0d3b7e64}");
  const ExtMap* csrc = a.findExtMap("urn:ietf:params:rtp-hdrext:csrc-audio-level");
  ASSERT_NE(csrc, nullptr);
  EXPECT_EQ(csrc->id, 2);
  EXPECT_EQ(csrc->direction, MediaDirection::RecvOnly);
  EXPECT_FALSE(a.findExtMap("urn:ietf:params:rtp-hdrext:ssrc-audio-level")->direction);
  const auto g722 = a.findCodec("g722");
  ASSERT_TRUE(g722);
  EXPECT_EQ(g722->channels, 1u);
  EXPECT_EQ(a.findCodec("opus")->parameters.at("stereo"), "1");

  const MediaDescription& v = d.media[1];
  // Firefox writes fmtp lines before rtpmap lines; the model orders them by rtpmap.
  ASSERT_EQ(v.fmtps.size(), 8u);
  EXPECT_EQ(v.fmtps[0].payloadType, 120);
  EXPECT_EQ(v.findCodec("VP8")->rtxPayloadType, 124);
  EXPECT_EQ(v.findCodec("vp9")->rtxPayloadType, 125);
  const auto h264 = v.findCodecs("H264");
  ASSERT_EQ(h264.size(), 2u);
  EXPECT_EQ(h264[0].payloadType, 126);
  EXPECT_EQ(h264[0].parameters.at("packetization-mode"), "1");
  EXPECT_EQ(h264[0].rtxPayloadType, 127);
  EXPECT_EQ(h264[1].parameters.count("packetization-mode"), 0u);
  EXPECT_EQ(v.findExtMap("http://www.webrtc.org/experiments/rtp-hdrext/playout-delay")->direction,
            MediaDirection::RecvOnly);
  EXPECT_EQ(v.fidPairs(), (std::vector<SsrcFid>{{3917462051u, 1642039875u}}));
  EXPECT_EQ(d.media[2].maxMessageSize, 1073741823u);
}

TEST(SessionDescription, IceLiteServerAnswer) {
  const ParsedSdp p = parseSample("icelite_server_answer.sdp");
  const SessionDescription& d = p.description;
  EXPECT_EQ(p.warningCount, 0u);
  EXPECT_TRUE(d.iceLite);
  ASSERT_EQ(d.media.size(), 3u);
  const MediaDescription& a = d.media[0];
  EXPECT_EQ(a.setup, SdpSetup::Active);
  EXPECT_EQ(a.direction, MediaDirection::RecvOnly);
  EXPECT_TRUE(a.endOfCandidates);
  ASSERT_EQ(a.candidates.size(), 3u);
  EXPECT_EQ(a.candidates[1].addressKind(), CandidateAddressKind::Ipv6);
  EXPECT_EQ(a.candidates[2].transport, CandidateTransport::Tcp);
  EXPECT_EQ(a.candidates[2].tcpType, TcpType::Passive);
  EXPECT_EQ(a.findCodec("opus")->feedback.size(), 1u);

  const MediaDescription& v = d.media[1];
  EXPECT_EQ(v.ridsFor(RidDirection::Recv).size(), 3u);
  ASSERT_TRUE(v.simulcast);
  EXPECT_TRUE(v.simulcast->send.empty());
  ASSERT_EQ(v.simulcast->recv.size(), 3u);
  EXPECT_EQ(v.simulcast->recv[2][0], (SimulcastStream{"f", true}));
  EXPECT_TRUE(v.simulcastSendLayers().empty());
  EXPECT_EQ(d.media[2].maxMessageSize, 65535u);
}

TEST(SessionDescription, EverySampleRoundTrips) {
  for (const char* name : kSamples) {
    SCOPED_TRACE(name);
    const ParsedSdp first = parseSample(name);
    const std::string written = writeSdp(first.description);
    // CRLF everywhere, nothing else.
    for (std::size_t i = 0; i < written.size(); ++i) {
      if (written[i] == '\n') {
        ASSERT_TRUE(i > 0 && written[i - 1] == '\r') << "bare LF at " << i;
      }
    }
    auto second = parseSdp(written);
    ASSERT_TRUE(second.ok()) << second.message();
    EXPECT_EQ(second->warningCount, 0u);
    EXPECT_EQ(second->description, first.description);
    EXPECT_EQ(writeSdp(second->description), written);
  }
}

TEST(SessionDescription, ChromiumOfferKeepsEveryLine) {
  // Same lines, possibly reordered (a=rtcp is unknown to us and moves to the section's end).
  const auto sortedLines = [](const std::string& text) {
    std::vector<std::string> lines;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string::npos) {
        end = text.size();
      }
      std::string line = text.substr(pos, end - pos);
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      lines.push_back(line);
      pos = end + 1;
    }
    std::sort(lines.begin(), lines.end());
    return lines;
  };
  const std::string original = test::readSdpSample("chrome_offer_simulcast.sdp");
  const ParsedSdp p = parseSample("chrome_offer_simulcast.sdp");
  EXPECT_EQ(sortedLines(writeSdp(p.description)), sortedLines(original));
}

TEST(SessionDescription, CrlfAndLfInputGiveTheSameModel) {
  for (const char* name : kSamples) {
    SCOPED_TRACE(name);
    const std::string lf = test::readSdpSample(name);
    auto fromLf = parseSdp(lf);
    auto fromCrlf = parseSdp(toCrlf(lf));
    ASSERT_TRUE(fromLf.ok());
    ASSERT_TRUE(fromCrlf.ok());
    EXPECT_EQ(fromLf->description, fromCrlf->description);
  }
}

TEST(SessionDescription, UnknownLinesArePreservedInOrder) {
  const std::string text =
      "v=0\r\n"
      "o=- 1 1 IN IP4 0.0.0.0\r\n"
      "s=-\r\n"
      "i=a session title\r\n"
      "t=0 0\r\n"
      "a=x-room-flag\r\n"
      "a=group:BUNDLE a\r\n"
      "a=x-custom:first value\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
      "i=media title\r\n"
      "a=mid:a\r\n"
      "a=x-google-flag:conference\r\n"
      "a=rtpmap:111 opus/48000/2\r\n"
      "a=label:1\r\n"
      "a=rtcp-fb:111 nack\r\n"
      "a=x-trailing\r\n";
  auto p = parseSdp(text);
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->warningCount, 0u);
  const SessionDescription& d = p->description;
  EXPECT_EQ(d.otherLines, std::vector<std::string>{"i=a session title"});
  EXPECT_EQ(d.otherAttributes, (std::vector<std::string>{"x-room-flag", "x-custom:first value"}));
  ASSERT_EQ(d.media.size(), 1u);
  EXPECT_EQ(d.media[0].otherLines, std::vector<std::string>{"i=media title"});
  EXPECT_EQ(d.media[0].otherAttributes,
            (std::vector<std::string>{"x-google-flag:conference", "label:1", "x-trailing"}));

  const std::string written = writeSdp(d);
  const auto at = [&](std::string_view line) { return written.find(line); };
  ASSERT_NE(at("i=a session title\r\n"), std::string::npos);
  EXPECT_LT(at("i=a session title\r\n"), at("t=0 0\r\n"));
  EXPECT_LT(at("a=x-room-flag\r\n"), at("a=x-custom:first value\r\n"));
  EXPECT_LT(at("a=x-custom:first value\r\n"), at("m=audio"));
  EXPECT_LT(at("m=audio"), at("i=media title\r\n"));
  EXPECT_LT(at("a=x-google-flag:conference\r\n"), at("a=label:1\r\n"));
  EXPECT_LT(at("a=label:1\r\n"), at("a=x-trailing\r\n"));
  auto again = parseSdp(written);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->description, d);
}

TEST(SessionDescription, OldFormsAreTolerated) {
  const std::string text =
      "v=0\n"
      "o=- 1 1 IN IP4 0.0.0.0\n"
      "s=-\n"
      "t=0 0\n"
      "m=application 9 DTLS/SCTP 5000\n"
      "a=sctpmap:5000 webrtc-datachannel 1024\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96\n"
      "a=rid:lo send pt=96;max-width=320;max-height=180\n"
      "a=rid:hi send\n"
      "a=simulcast: send rid=lo;~hi,hi2\n";
  auto p = parseSdp(text);
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->warningCount, 0u);
  const auto& app = p->description.media[0];
  ASSERT_TRUE(app.sctpMap);
  EXPECT_EQ(app.sctpMap->port, 5000);
  EXPECT_EQ(app.sctpMap->app, "webrtc-datachannel");
  EXPECT_EQ(app.sctpMap->streams, 1024u);
  const auto& v = p->description.media[1];
  ASSERT_EQ(v.rids.size(), 2u);
  EXPECT_EQ(v.rids[0].payloadTypes, std::vector<int>{96});
  EXPECT_EQ(v.rids[0].restrictions, "pt=96;max-width=320;max-height=180");
  ASSERT_TRUE(v.simulcast);
  ASSERT_EQ(v.simulcast->send.size(), 2u);
  EXPECT_EQ(v.simulcast->send[1],
            (SimulcastAlternatives{{"hi", true}, {"hi2", false}}));
  const std::string written = writeSdp(p->description);
  EXPECT_NE(written.find("a=simulcast:send lo;~hi,hi2\r\n"), std::string::npos);
  EXPECT_NE(written.find("a=rid:lo send pt=96;max-width=320;max-height=180\r\n"),
            std::string::npos);
  auto again = parseSdp(written);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->description, p->description);
}

TEST(SessionDescription, BuildsAnSfuAnswer) {
  SessionDescription d;
  d.origin.sessionId = "1732537200123456789";
  d.origin.sessionVersion = 1;
  d.iceLite = true;
  d.groups.push_back({"BUNDLE", {"0"}});
  d.msidSemantic = MsidSemantic{};
  MediaDescription& v = d.media.emplace_back();
  v.media = "video";
  v.connection = SdpConnection{};
  v.mid = "0";
  v.direction = MediaDirection::SendOnly;
  v.iceUfrag = "srvufrag";
  v.icePwd = "srvpwd0123456789abcdefgh";
  v.fingerprints.push_back({"sha-256", "AB:CD"});
  v.setup = SdpSetup::ActPass;
  v.rtcpMux = true;
  v.msids.push_back({"PA_abc|TR_xyz", "TR_xyz"});
  v.addCodec(96, "VP8", 90000, std::nullopt, {},
             {{std::nullopt, "nack", ""}, {std::nullopt, "nack", "pli"}, {std::nullopt, "ccm", "fir"}});
  v.addRtx(97, 96);
  v.extMaps.push_back({4, std::nullopt, "urn:ietf:params:rtp-hdrext:sdes:mid", ""});
  v.addSsrc(1234, "huddle", Msid{"PA_abc|TR_xyz", "TR_xyz"});
  v.ssrcGroups.push_back({"FID", {1234, 5678}});
  v.addSsrc(5678, "huddle");

  const std::string text = writeSdp(d);
  EXPECT_EQ(text.rfind("v=0\r\no=- 1732537200123456789 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n", 0),
            0u);
  for (const char* line : {"a=ice-lite\r\n", "a=group:BUNDLE 0\r\n", "a=msid-semantic: WMS\r\n",
                           "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n", "c=IN IP4 0.0.0.0\r\n",
                           "a=rtpmap:96 VP8/90000\r\n", "a=rtcp-fb:96 nack pli\r\n",
                           "a=rtpmap:97 rtx/90000\r\n", "a=fmtp:97 apt=96\r\n",
                           "a=msid:PA_abc|TR_xyz TR_xyz\r\n", "a=ssrc-group:FID 1234 5678\r\n",
                           "a=ssrc:1234 msid:PA_abc|TR_xyz TR_xyz\r\n", "a=sendonly\r\n",
                           "a=setup:actpass\r\n", "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  auto parsed = parseSdp(text);
  ASSERT_TRUE(parsed.ok()) << parsed.message();
  EXPECT_EQ(parsed->warningCount, 0u);
  EXPECT_EQ(parsed->description, d);
  const auto vp8 = parsed->description.media[0].findCodec("vp8");
  ASSERT_TRUE(vp8);
  EXPECT_EQ(vp8->rtxPayloadType, 97);
  EXPECT_EQ(vp8->feedback.size(), 3u);
  EXPECT_EQ(parsed->description.media[0].rtxSsrcFor(1234), 5678u);
}

TEST(SessionDescription, SessionLevelTransportIsInheritedUnlessOverridden) {
  const std::string text =
      "v=0\r\n"
      "o=- 1 1 IN IP4 0.0.0.0\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "a=ice-ufrag:sessUfrag\r\n"
      "a=ice-pwd:sessPwd0123456789abcdef\r\n"
      "a=ice-options:trickle\r\n"
      "a=fingerprint:sha-256 aa:bb:cc\r\n"
      "a=setup:passive\r\n"
      "a=sendonly\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"
      "a=mid:0\r\n"
      "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\n"
      "a=mid:1\r\n"
      "a=ice-ufrag:mediaUfrag\r\n"
      "a=ice-pwd:mediaPwd0123456789abcdef\r\n"
      "a=ice-options:ice2\r\n"
      "a=fingerprint:sha-1 01:02\r\n"
      "a=setup:active\r\n"
      "a=inactive\r\n";
  auto p = parseSdp(text);
  ASSERT_TRUE(p.ok()) << p.message();
  EXPECT_EQ(p->warningCount, 0u);
  const SessionDescription& d = p->description;
  ASSERT_EQ(d.media.size(), 2u);
  const MediaDescription& inherits = d.media[0];
  const MediaDescription& overrides = d.media[1];
  EXPECT_EQ(d.iceUfragFor(inherits), "sessUfrag");
  EXPECT_EQ(d.icePwdFor(inherits), "sessPwd0123456789abcdef");
  EXPECT_TRUE(d.hasTrickle(inherits));
  ASSERT_EQ(d.fingerprintsFor(inherits).size(), 1u);
  EXPECT_EQ(d.fingerprintsFor(inherits)[0].value, "AA:BB:CC");  // normalised to upper case
  EXPECT_EQ(d.setupFor(inherits), SdpSetup::Passive);
  EXPECT_EQ(inherits.effectiveDirection(d.direction), MediaDirection::SendOnly);
  EXPECT_EQ(d.iceUfragFor(overrides), "mediaUfrag");
  EXPECT_EQ(d.icePwdFor(overrides), "mediaPwd0123456789abcdef");
  EXPECT_FALSE(d.hasTrickle(overrides));
  EXPECT_EQ(d.fingerprintsFor(overrides)[0].algorithm, "sha-1");
  EXPECT_EQ(d.setupFor(overrides), SdpSetup::Active);
  EXPECT_EQ(overrides.effectiveDirection(d.direction), MediaDirection::Inactive);
  // Written back at the level they came from.
  const std::string written = writeSdp(d);
  EXPECT_LT(written.find("a=ice-ufrag:sessUfrag\r\n"), written.find("m=audio"));
  EXPECT_LT(written.find("a=sendonly\r\n"), written.find("m=audio"));
  EXPECT_GT(written.find("a=ice-ufrag:mediaUfrag\r\n"), written.find("a=mid:0\r\n"));
}

TEST(SdpHelpers, ParsesFmtpParameters) {
  const auto params = parseFmtpParameters(
      "level-asymmetry-allowed=1; packetization-mode=1;profile-level-id=42e01f;;flag");
  ASSERT_EQ(params.size(), 4u);
  EXPECT_EQ(params.at("level-asymmetry-allowed"), "1");
  EXPECT_EQ(params.at("packetization-mode"), "1");
  EXPECT_EQ(params.at("profile-level-id"), "42e01f");
  EXPECT_EQ(params.at("flag"), "");
  EXPECT_TRUE(parseFmtpParameters("").empty());
}

TEST(SdpHelpers, DirectionAndSetupTextRoundTrip) {
  for (auto dir : {MediaDirection::SendRecv, MediaDirection::SendOnly, MediaDirection::RecvOnly,
                   MediaDirection::Inactive}) {
    EXPECT_EQ(parseMediaDirection(toString(dir)), dir);
  }
  for (auto setup : {SdpSetup::ActPass, SdpSetup::Active, SdpSetup::Passive,
                     SdpSetup::HoldConn}) {
    EXPECT_EQ(parseDtlsSetup(toString(setup)), setup);
  }
  EXPECT_FALSE(parseMediaDirection("both"));
  EXPECT_FALSE(parseDtlsSetup("Active"));
  MediaDescription m;
  EXPECT_EQ(m.effectiveDirection(), MediaDirection::SendRecv);
  EXPECT_EQ(m.effectiveDirection(MediaDirection::Inactive), MediaDirection::Inactive);
}

}  // namespace
}  // namespace huddle::rtc
