// The client's offer is shaped like Chromium's (what the servers expect), and answers/offers from
// a server or a browser are read into per-section facts; malformed answers are refused.

#include "client/peer/client_sdp.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace huddle::client {
namespace {

rtc::DtlsFingerprint someFingerprint() {
  rtc::DtlsFingerprint fp;
  for (std::size_t i = 0; i < fp.digest.size(); ++i) fp.digest[i] = static_cast<std::uint8_t>(i * 7);
  return fp;
}

OfferParameters baseOffer() {
  OfferParameters p;
  p.sessionId = "4711";
  p.sessionVersion = 3;
  p.ice = rtc::IceCredentials{"uFrAg123", "passwordpasswordpassword"};
  p.fingerprint = someFingerprint();
  p.candidates.push_back({*rtc::StunAddress::fromString("127.0.0.1", 40000), 2130706431,
                          rtc::IceCandidateProtocol::Udp});
  p.cname = "cname-x";
  p.sections.push_back(OfferSection{"0", rtc::MediaKind::Application, rtc::MediaDirection::SendRecv,
                                    {}, {}, {}, SimulcastSignalling::Rid});
  return p;
}

TEST(ClientSdp, OfferCarriesTransportBundleAndDataSection) {
  OfferParameters p = baseOffer();
  p.sections.push_back(OfferSection{"1", rtc::MediaKind::Audio, rtc::MediaDirection::RecvOnly});
  p.sections.push_back(OfferSection{"2", rtc::MediaKind::Video, rtc::MediaDirection::RecvOnly});
  auto parsed = rtc::parseSdp(writeOffer(p));
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->warningCount, 0u);
  const auto& d = parsed->description;
  EXPECT_EQ(d.origin.sessionId, "4711");
  EXPECT_EQ(d.origin.sessionVersion, 3u);
  EXPECT_EQ(d.bundleMids(), (std::vector<std::string>{"0", "1", "2"}));
  ASSERT_EQ(d.media.size(), 3u);
  for (const auto& m : d.media) {
    EXPECT_EQ(d.iceUfragFor(m), "uFrAg123");
    EXPECT_EQ(d.icePwdFor(m), "passwordpasswordpassword");
    ASSERT_EQ(d.fingerprintsFor(m).size(), 1u);
    EXPECT_EQ(d.fingerprintsFor(m)[0].algorithm, "sha-256");
    EXPECT_EQ(d.fingerprintsFor(m)[0].value, someFingerprint().hex());
    EXPECT_EQ(d.setupFor(m), rtc::SdpSetup::ActPass);
    ASSERT_EQ(m.candidates.size(), 1u);
    EXPECT_EQ(m.candidates[0].address, "127.0.0.1");
    EXPECT_EQ(m.candidates[0].port, 40000);
  }
  const auto& data = d.media[0];
  EXPECT_EQ(data.protocol, "UDP/DTLS/SCTP");
  EXPECT_EQ(data.formats, (std::vector<std::string>{"webrtc-datachannel"}));
  EXPECT_EQ(data.sctpPort, 5000);
  EXPECT_EQ(data.maxMessageSize, kMaxMessageSize);

  const auto& audio = d.media[1];
  EXPECT_EQ(audio.direction, rtc::MediaDirection::RecvOnly);
  EXPECT_TRUE(audio.rtcpMux);
  EXPECT_TRUE(audio.rtcpRsize);
  auto opus = audio.codec(111);
  ASSERT_TRUE(opus);
  EXPECT_EQ(opus->name, "opus");
  EXPECT_EQ(opus->clockRate, 48000u);
  EXPECT_EQ(opus->channels, 2u);
  EXPECT_EQ(opus->parameters.at("minptime"), "10");
  EXPECT_EQ(opus->parameters.at("useinbandfec"), "1");
  EXPECT_EQ(audio.extMapId(kUriAudioLevel), 1);
  EXPECT_EQ(audio.extMapId(kUriAbsSendTime), 2);
  EXPECT_EQ(audio.extMapId(kUriTransportCc), 3);
  EXPECT_EQ(audio.extMapId(kUriMid), 4);
  EXPECT_TRUE(audio.ssrcs().empty()) << "recvonly sections announce no SSRC";

  const auto& video = d.media[2];
  auto vp8 = video.codec(96);
  ASSERT_TRUE(vp8);
  EXPECT_EQ(vp8->rtxPayloadType, 97);
  auto has = [&](std::string_view type, std::string_view param) {
    for (const auto& f : vp8->feedback) {
      if (f.type == type && f.parameter == param) return true;
    }
    return false;
  };
  EXPECT_TRUE(has("nack", ""));
  EXPECT_TRUE(has("nack", "pli"));
  EXPECT_TRUE(has("ccm", "fir"));
  EXPECT_TRUE(has("goog-remb", ""));
  EXPECT_TRUE(has("transport-cc", ""));
  EXPECT_EQ(video.codec(97)->parameters.at("apt"), "96");
  EXPECT_EQ(video.extMapId(kUriRid), 10);
  EXPECT_EQ(video.extMapId(kUriRepairedRid), 11);
  EXPECT_EQ(video.extMapId(kUriAudioLevel), std::nullopt);
}

TEST(ClientSdp, SimulcastWithRidsAnnouncesLayersAndFirstSsrcs) {
  OfferParameters p = baseOffer();
  OfferSection s{"1", rtc::MediaKind::Video, rtc::MediaDirection::SendOnly, "stream-a", "cid-cam",
                 {{"q", 100, 101}, {"h", 200, 201}, {"f", 300, 301}}, SimulcastSignalling::Rid};
  p.sections.push_back(s);
  auto parsed = rtc::parseSdp(writeOffer(p));
  ASSERT_TRUE(parsed.ok());
  const auto& m = parsed->description.media[1];
  EXPECT_EQ(m.direction, rtc::MediaDirection::SendOnly);
  ASSERT_EQ(m.msids.size(), 1u);
  EXPECT_EQ(m.msids[0], (rtc::Msid{"stream-a", "cid-cam"}));
  ASSERT_EQ(m.rids.size(), 3u);
  EXPECT_EQ(m.rids[0].id, "q");
  EXPECT_EQ(m.rids[2].direction, rtc::RidDirection::Send);
  const auto layers = m.simulcastSendLayers();
  ASSERT_EQ(layers.size(), 3u);
  EXPECT_EQ(layers[1].rid, "h");
  EXPECT_EQ(m.rtxSsrcFor(100), 101u);
  EXPECT_EQ(m.ssrcAttribute(100, "cname"), "cname-x");
  EXPECT_EQ(m.ssrcAttribute(100, "msid"), "stream-a cid-cam");
  EXPECT_TRUE(m.simGroups().empty());
}

TEST(ClientSdp, SimulcastWithSsrcsWritesSimAndFidGroups) {
  OfferParameters p = baseOffer();
  p.sections.push_back(OfferSection{"1", rtc::MediaKind::Video, rtc::MediaDirection::SendOnly, "s",
                                    "cid", {{"q", 1, 2}, {"h", 3, 4}, {"f", 5, 6}},
                                    SimulcastSignalling::Ssrc});
  auto parsed = rtc::parseSdp(writeOffer(p));
  ASSERT_TRUE(parsed.ok());
  const auto& m = parsed->description.media[1];
  EXPECT_TRUE(m.rids.empty());
  EXPECT_FALSE(m.simulcast.has_value());
  ASSERT_EQ(m.simGroups().size(), 1u);
  EXPECT_EQ(m.simGroups()[0], (std::vector<std::uint32_t>{1, 3, 5}));
  EXPECT_EQ(m.fidPairs().size(), 3u);
  EXPECT_EQ(m.rtxSsrcFor(5), 6u);
}

TEST(ClientSdp, AudioSendSectionHasSsrcWithoutRtx) {
  OfferParameters p = baseOffer();
  p.sections.push_back(OfferSection{"1", rtc::MediaKind::Audio, rtc::MediaDirection::SendOnly, "s",
                                    "mic", {{"", 77, 0}}, SimulcastSignalling::Rid});
  auto parsed = rtc::parseSdp(writeOffer(p));
  ASSERT_TRUE(parsed.ok());
  const auto& m = parsed->description.media[1];
  EXPECT_EQ(m.ssrcs(), (std::vector<std::uint32_t>{77}));
  EXPECT_TRUE(m.ssrcGroups.empty());
  EXPECT_TRUE(m.rids.empty());
}

// Written the way Chromium answers a server's offer (a v0 subscriber connection): setup active,
// one host candidate, recvonly sections. The server fields are what we read back.
const char* kChromiumAnswer =
    "v=0\r\n"
    "o=- 6215497612038848474 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1 2\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=candidate:3027146386 1 udp 2113937151 127.0.0.1 50612 typ host generation 0 network-cost 999\r\n"
    "a=ice-ufrag:Zq5/\r\n"
    "a=ice-pwd:V0cNDgqkzGpwfF1GFEw0gr9v\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 9A:11:4D:3E:8B:52:57:0F:C4:A1:62:89:27:7C:64:02:3F:1A:5E:9B:0C:D8:44:63:71:22:90:E5:AB:CD:EF:01\r\n"
    "a=setup:active\r\n"
    "a=mid:0\r\n"
    "a=sctp-port:5000\r\n"
    "a=max-message-size:262144\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Zq5/\r\n"
    "a=ice-pwd:V0cNDgqkzGpwfF1GFEw0gr9v\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 9A:11:4D:3E:8B:52:57:0F:C4:A1:62:89:27:7C:64:02:3F:1A:5E:9B:0C:D8:44:63:71:22:90:E5:AB:CD:EF:01\r\n"
    "a=setup:active\r\n"
    "a=mid:1\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=rtcp:9 IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:Zq5/\r\n"
    "a=ice-pwd:V0cNDgqkzGpwfF1GFEw0gr9v\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 9A:11:4D:3E:8B:52:57:0F:C4:A1:62:89:27:7C:64:02:3F:1A:5E:9B:0C:D8:44:63:71:22:90:E5:AB:CD:EF:01\r\n"
    "a=setup:active\r\n"
    "a=mid:2\r\n"
    "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
    "a=recvonly\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 goog-remb\r\n"
    "a=rtcp-fb:96 ccm fir\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n";

TEST(ClientSdp, ReadsAChromiumAnswer) {
  auto info = parseAnswer(kChromiumAnswer, {"0", "1", "2"});
  ASSERT_TRUE(info.ok()) << info.message();
  EXPECT_EQ(info->setup, rtc::SdpSetup::Active);
  EXPECT_EQ(info->transport.setup, rtc::DtlsSetup::Active);
  EXPECT_EQ(info->transport.ice.ufrag, "Zq5/");
  EXPECT_EQ(info->transport.ice.pwd, "V0cNDgqkzGpwfF1GFEw0gr9v");
  EXPECT_FALSE(info->transport.iceLite);
  ASSERT_EQ(info->transport.candidates.size(), 1u);
  EXPECT_EQ(info->transport.candidates[0].address.toString(), "127.0.0.1:50612");
  EXPECT_EQ(info->transport.candidates[0].priority, 2113937151u);
  EXPECT_EQ(info->transport.fingerprint.digest[0], 0x9A);
  ASSERT_EQ(info->sections.size(), 3u);
  EXPECT_EQ(info->sections[0].kind, rtc::MediaKind::Application);
  const auto* audio = info->find("1");
  ASSERT_NE(audio, nullptr);
  EXPECT_TRUE(audio->accepted);
  EXPECT_EQ(audio->direction, rtc::MediaDirection::RecvOnly);
  EXPECT_EQ(audio->payloadType, 111);
  EXPECT_EQ(audio->extensions.audioLevel, 1);
  EXPECT_EQ(audio->extensions.transportCc, 3);
  EXPECT_EQ(audio->extensions.mid, 0) << "not in this answer";
  EXPECT_TRUE(audio->transportCc);
  const auto* video = info->find("2");
  ASSERT_NE(video, nullptr);
  EXPECT_EQ(video->payloadType, 96);
  EXPECT_EQ(video->rtxPayloadType, 97);
  EXPECT_EQ(video->codecName, "VP8");
  EXPECT_TRUE(video->nack);
  EXPECT_TRUE(video->pli);
  EXPECT_TRUE(video->fir);
  EXPECT_TRUE(video->remb);
  EXPECT_FALSE(video->transportCc);
  EXPECT_EQ(video->extensions.absSendTime, 2);
  EXPECT_EQ(video->payloadTypes, (std::vector<int>{96, 97}));
}

// A server answer to our recvonly slots: renumbered payload type, ice-lite, passive setup, a
// rejected section and an SSRC it sends on with the LiveKit msid.
std::string serverAnswer(std::string_view videoLines = "", std::string_view setup = "passive") {
  std::string s =
      "v=0\r\n"
      "o=- 99 5 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "a=group:BUNDLE 0 2\r\n"
      "a=ice-lite\r\n"
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:srvufrag\r\n"
      "a=ice-pwd:serverpasswordserverpassword\r\n"
      "a=fingerprint:sha-256 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14:15:16:17:18:19:1A:1B:1C:1D:1E:1F:20\r\n"
      "a=setup:" + std::string(setup) + "\r\n"
      "a=mid:0\r\n"
      "a=sctp-port:5000\r\n"
      "a=candidate:1 1 udp 2130706431 127.0.0.1 7882 typ host\r\n"
      "a=candidate:2 1 tcp 1671430143 127.0.0.1 7881 typ host tcptype passive\r\n"
      "m=audio 0 UDP/TLS/RTP/SAVPF 111\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "a=mid:1\r\n"
      "a=inactive\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 100 101\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "a=mid:2\r\n"
      "a=extmap:7 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
      "a=sendonly\r\n"
      "a=msid:PA_abc|TR_xyz TR_xyz\r\n"
      "a=rtcp-mux\r\n"
      "a=rtpmap:100 VP8/90000\r\n"
      "a=rtcp-fb:100 nack pli\r\n"
      "a=rtcp-fb:100 transport-cc\r\n"
      "a=rtpmap:101 rtx/90000\r\n"
      "a=fmtp:101 apt=100\r\n"
      "a=ssrc-group:FID 5555 6666\r\n"
      "a=ssrc:5555 cname:PA_abc\r\n"
      "a=ssrc:6666 cname:PA_abc\r\n";
  s += videoLines;
  return s;
}

TEST(ClientSdp, ReadsAServerAnswerToReceiveSlots) {
  auto info = parseAnswer(serverAnswer(), {"0", "1", "2"});
  ASSERT_TRUE(info.ok()) << info.message();
  EXPECT_TRUE(info->transport.iceLite);
  EXPECT_EQ(info->transport.setup, rtc::DtlsSetup::Passive);
  ASSERT_EQ(info->transport.candidates.size(), 2u);
  EXPECT_EQ(info->transport.candidates[1].protocol, rtc::IceCandidateProtocol::Tcp);
  EXPECT_FALSE(info->find("1")->accepted);
  const auto* v = info->find("2");
  ASSERT_NE(v, nullptr);
  EXPECT_TRUE(v->accepted);
  EXPECT_EQ(v->direction, rtc::MediaDirection::SendOnly);
  EXPECT_EQ(v->payloadType, 100) << "the answer's numbering rules";
  EXPECT_EQ(v->rtxPayloadType, 101);
  EXPECT_EQ(v->extensions.mid, 7);
  EXPECT_EQ(v->ssrcs, (std::vector<std::uint32_t>{5555}));
  EXPECT_EQ(v->rtxSsrcs, (std::vector<std::uint32_t>{6666}));
  EXPECT_EQ(trackSidFromMsid(v->msid), "TR_xyz");
}

TEST(ClientSdp, RefusesMalformedAnswers) {
  EXPECT_EQ(parseAnswer("", {"0"}).code(), ClientSdpError::Unparseable);
  EXPECT_EQ(parseAnswer("hello\r\nworld\r\n", {"0"}).code(), ClientSdpError::Unparseable);
  // Section count or order differs from the offer.
  EXPECT_EQ(parseAnswer(serverAnswer(), {"0", "1"}).code(), ClientSdpError::MidMismatch);
  EXPECT_EQ(parseAnswer(serverAnswer(), {"0", "2", "1"}).code(), ClientSdpError::MidMismatch);
  // actpass is for offers.
  EXPECT_EQ(parseAnswer(serverAnswer("", "actpass"), {"0", "1", "2"}).code(),
            ClientSdpError::BadSetup);
  // No credentials anywhere.
  std::string noIce = serverAnswer();
  noIce.erase(noIce.find("a=ice-pwd:"), std::string("a=ice-pwd:serverpasswordserverpassword\r\n").size());
  EXPECT_EQ(parseAnswer(noIce, {"0", "1", "2"}).code(), ClientSdpError::NoTransport);
  // A fingerprint that is not a sha-256 digest.
  std::string badFp = serverAnswer();
  badFp.replace(badFp.find("sha-256 01:02"), 13, "sha-1 01:02");
  EXPECT_EQ(parseAnswer(badFp, {"0", "1", "2"}).code(), ClientSdpError::NoTransport);
  // An accepted section outside BUNDLE.
  std::string unbundled = serverAnswer();
  unbundled.replace(unbundled.find("BUNDLE 0 2"), 10, "BUNDLE 0");
  EXPECT_EQ(parseAnswer(unbundled, {"0", "1", "2"}).code(), ClientSdpError::NotBundled);
  // Garbage lines inside a section are skipped, not fatal.
  auto tolerant = parseAnswer(serverAnswer("a=rtpmap:banana\r\na=ssrc:notanumber cname:x\r\n"),
                              {"0", "1", "2"});
  ASSERT_TRUE(tolerant.ok()) << tolerant.message();
  EXPECT_EQ(tolerant->find("2")->ssrcs, (std::vector<std::uint32_t>{5555}));
  // A non-numeric RTP format breaks the m= line (the SDP parser refuses it).
  std::string textFormat = serverAnswer();
  textFormat.replace(textFormat.find("SAVPF 100 101"), 13, "SAVPF 100 101 x7");
  EXPECT_EQ(parseAnswer(textFormat, {"0", "1", "2"}).code(), ClientSdpError::Unparseable);
  // So does a number outside the payload type range.
  std::string bigFormat = serverAnswer();
  bigFormat.replace(bigFormat.find("SAVPF 100 101"), 13, "SAVPF 100 101 300");
  EXPECT_EQ(parseAnswer(bigFormat, {"0", "1", "2"}).code(), ClientSdpError::Unparseable);
}

// A livekit-client publisher offer as Chromium writes it: rid simulcast on video, Opus with
// RED first, a data section. We read it as a remote offer (what a server-side test harness or
// a loopback would do) and answer it.
const char* kChromiumOffer =
    "v=0\r\n"
    "o=- 3849274638127465 2 IN IP4 127.0.0.1\r\n"
    "s=-\r\n"
    "t=0 0\r\n"
    "a=group:BUNDLE 0 1 2\r\n"
    "a=extmap-allow-mixed\r\n"
    "a=msid-semantic: WMS 6f0b1c2d\r\n"
    "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=candidate:1467250027 1 udp 2122260223 127.0.0.1 55001 typ host generation 0\r\n"
    "a=ice-ufrag:k9Pa\r\n"
    "a=ice-pwd:F2mRkq1HcW8tZyLbV0nXdE3s\r\n"
    "a=ice-options:trickle\r\n"
    "a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\r\n"
    "a=setup:actpass\r\n"
    "a=mid:0\r\n"
    "a=sctp-port:5000\r\n"
    "a=max-message-size:262144\r\n"
    "m=audio 9 UDP/TLS/RTP/SAVPF 63 111\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:k9Pa\r\n"
    "a=ice-pwd:F2mRkq1HcW8tZyLbV0nXdE3s\r\n"
    "a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\r\n"
    "a=setup:actpass\r\n"
    "a=mid:1\r\n"
    "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=sendonly\r\n"
    "a=msid:6f0b1c2d 0a1b2c3d-mic\r\n"
    "a=rtcp-mux\r\n"
    "a=rtpmap:63 red/48000/2\r\n"
    "a=fmtp:63 111/111\r\n"
    "a=rtpmap:111 opus/48000/2\r\n"
    "a=rtcp-fb:111 transport-cc\r\n"
    "a=rtcp-fb:111 nack\r\n"
    "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
    "a=ssrc:1001 cname:abcdEFGH\r\n"
    "a=ssrc:1001 msid:6f0b1c2d 0a1b2c3d-mic\r\n"
    "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n"
    "c=IN IP4 0.0.0.0\r\n"
    "a=ice-ufrag:k9Pa\r\n"
    "a=ice-pwd:F2mRkq1HcW8tZyLbV0nXdE3s\r\n"
    "a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99\r\n"
    "a=setup:actpass\r\n"
    "a=mid:2\r\n"
    "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
    "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
    "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"
    "a=sendonly\r\n"
    "a=msid:6f0b1c2d 0a1b2c3d-cam\r\n"
    "a=rtcp-mux\r\n"
    "a=rtcp-rsize\r\n"
    "a=rtpmap:96 VP8/90000\r\n"
    "a=rtcp-fb:96 nack\r\n"
    "a=rtcp-fb:96 nack pli\r\n"
    "a=rtpmap:97 rtx/90000\r\n"
    "a=fmtp:97 apt=96\r\n"
    "a=rid:q send\r\n"
    "a=rid:h send\r\n"
    "a=rid:f send\r\n"
    "a=simulcast:send q;h;f\r\n";

TEST(ClientSdp, ReadsAChromiumOfferAndAnswersIt) {
  auto info = parseRemoteOffer(kChromiumOffer);
  ASSERT_TRUE(info.ok()) << info.message();
  EXPECT_EQ(info->setup, rtc::SdpSetup::ActPass);
  EXPECT_EQ(info->transport.ice.ufrag, "k9Pa");
  ASSERT_EQ(info->transport.candidates.size(), 1u);
  const auto* audio = info->find("1");
  ASSERT_NE(audio, nullptr);
  EXPECT_EQ(audio->payloadType, 111) << "RED is listed first but we decode Opus";
  EXPECT_EQ(audio->ssrcs, (std::vector<std::uint32_t>{1001}));
  EXPECT_EQ(audio->msid.trackId, "0a1b2c3d-mic");
  EXPECT_TRUE(audio->nack);
  const auto* video = info->find("2");
  ASSERT_NE(video, nullptr);
  EXPECT_EQ(video->rids, (std::vector<std::string>{"q", "h", "f"}));
  EXPECT_EQ(video->extensions.rid, 10);
  EXPECT_EQ(video->extensions.repairedRid, 11);
  EXPECT_TRUE(video->ssrcs.empty());
  EXPECT_EQ(trackSidFromMsid(video->msid), "") << "no TR_ in a browser's msid";

  auto offer = rtc::parseSdp(kChromiumOffer);
  ASSERT_TRUE(offer.ok());
  AnswerParameters ap;
  ap.ice = rtc::IceCredentials{"ansufrag", "answerpasswordanswerpassword"};
  ap.fingerprint = someFingerprint();
  auto answer = parseAnswer(writeAnswer(offer->description, ap), {"0", "1", "2"});
  ASSERT_TRUE(answer.ok()) << answer.message();
  EXPECT_EQ(answer->transport.setup, rtc::DtlsSetup::Active);
  EXPECT_EQ(answer->find("1")->payloadTypes, (std::vector<int>{111}));
  EXPECT_EQ(answer->find("1")->direction, rtc::MediaDirection::RecvOnly);
  EXPECT_EQ(answer->find("2")->payloadTypes, (std::vector<int>{96, 97}));
  EXPECT_EQ(answer->find("2")->extensions.mid, 4);
  EXPECT_EQ(answer->find("2")->extensions.rid, 0) << "we receive one stream per section";
}

TEST(ClientSdp, AnswerRejectsCodecsWeCannotDecode) {
  std::string offer = kChromiumOffer;
  // Turn the video section into H264 only.
  offer.replace(offer.find("a=rtpmap:96 VP8/90000"), 21, "a=rtpmap:96 H264/90000");
  auto parsed = rtc::parseSdp(offer);
  ASSERT_TRUE(parsed.ok());
  AnswerParameters ap;
  ap.ice = rtc::IceCredentials{"ansufrag", "answerpasswordanswerpassword"};
  ap.fingerprint = someFingerprint();
  auto answer = parseAnswer(writeAnswer(parsed->description, ap), {"0", "1", "2"});
  ASSERT_TRUE(answer.ok()) << answer.message();
  EXPECT_FALSE(answer->find("2")->accepted);
  EXPECT_TRUE(answer->find("1")->accepted);
}

TEST(ClientSdp, TrackSidFromLiveKitMsids) {
  EXPECT_EQ(trackSidFromMsid({"PA_1|TR_2", "TR_2"}), "TR_2");
  EXPECT_EQ(trackSidFromMsid({"PA_1|TR_2", "other"}), "TR_2");
  EXPECT_EQ(trackSidFromMsid({"PA_1", "TR_3"}), "TR_3");
  EXPECT_EQ(trackSidFromMsid({"PA_1|x", "y"}), "");
}

}  // namespace
}  // namespace huddle::client
