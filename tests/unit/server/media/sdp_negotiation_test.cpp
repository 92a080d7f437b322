// sdp_negotiation against an offer shaped like the ones Chromium's livekit-client sends: what we
// answer must be something Chromium accepts and our media path can route.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "rtc/sdp/session_description.h"
#include "server/media/sdp_negotiation.h"

namespace huddle::server::media {
namespace {

constexpr const char* kFingerprint =
    "4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF:3E:5D:49:6B:19:E5:7C:AB:4A:AD:B9:B1:3F:82:18:3B:54:02:12:DF";

// BUNDLE of a data channel, a simulcast VP8 publication, an opus publication and two receive
// slots, with the extension ids Chromium assigns (transport-cc 3, mid 4, rid 10/11).
std::string chromiumOffer() {
  std::string s =
      "v=0\r\n"
      "o=- 4611731400430051336 2 IN IP4 127.0.0.1\r\n"
      "s=-\r\n"
      "t=0 0\r\n"
      "a=group:BUNDLE 0 1 2 3 4\r\n"
      "a=extmap-allow-mixed\r\n"
      "a=msid-semantic: WMS\r\n"
      "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:EsAw\r\n"
      "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
      "a=ice-options:trickle\r\n"
      "a=fingerprint:sha-256 ";
  s += kFingerprint;
  s +=
      "\r\n"
      "a=setup:actpass\r\n"
      "a=mid:0\r\n"
      "a=sctp-port:5000\r\n"
      "a=max-message-size:262144\r\n"
      // Simulcast VP8, sendonly.
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "a=rtcp:9 IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:EsAw\r\n"
      "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
      "a=ice-options:trickle\r\n"
      "a=fingerprint:sha-256 ";
  s += kFingerprint;
  s +=
      "\r\n"
      "a=setup:actpass\r\n"
      "a=mid:1\r\n"
      "a=extmap:1 urn:ietf:params:rtp-hdrext:toffset\r\n"
      "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
      "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
      "a=extmap:11 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id\r\n"
      "a=sendonly\r\n"
      "a=msid:PA_stream TR_cid_video\r\n"
      "a=rtcp-mux\r\n"
      "a=rtcp-rsize\r\n"
      "a=rtpmap:96 VP8/90000\r\n"
      "a=rtcp-fb:96 goog-remb\r\n"
      "a=rtcp-fb:96 transport-cc\r\n"
      "a=rtcp-fb:96 ccm fir\r\n"
      "a=rtcp-fb:96 nack\r\n"
      "a=rtcp-fb:96 nack pli\r\n"
      "a=rtpmap:97 rtx/90000\r\n"
      "a=fmtp:97 apt=96\r\n"
      "a=rtpmap:98 H264/90000\r\n"
      "a=fmtp:98 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
      "a=rtpmap:99 rtx/90000\r\n"
      "a=fmtp:99 apt=98\r\n"
      "a=rid:q send\r\n"
      "a=rid:h send\r\n"
      "a=rid:f send\r\n"
      "a=simulcast:send q;h;f\r\n"
      // Opus, sendonly, with a=ssrc.
      "m=audio 9 UDP/TLS/RTP/SAVPF 111 63 0\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:EsAw\r\n"
      "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
      "a=fingerprint:sha-256 ";
  s += kFingerprint;
  s +=
      "\r\n"
      "a=setup:actpass\r\n"
      "a=mid:2\r\n"
      "a=extmap:14 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
      "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
      "a=sendonly\r\n"
      "a=msid:PA_stream TR_cid_audio\r\n"
      "a=rtcp-mux\r\n"
      "a=rtpmap:111 opus/48000/2\r\n"
      "a=rtcp-fb:111 transport-cc\r\n"
      "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
      "a=rtpmap:63 red/48000/2\r\n"
      "a=fmtp:63 111/111\r\n"
      "a=rtpmap:0 PCMU/8000\r\n"
      "a=ssrc:1111 cname:xJr8zNrSKyq8E1lQ\r\n"
      "a=ssrc:1111 msid:PA_stream TR_cid_audio\r\n"
      // Receive slots.
      "m=audio 9 UDP/TLS/RTP/SAVPF 111 0\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:EsAw\r\n"
      "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
      "a=fingerprint:sha-256 ";
  s += kFingerprint;
  s +=
      "\r\n"
      "a=setup:actpass\r\n"
      "a=mid:3\r\n"
      "a=extmap:14 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
      "a=recvonly\r\n"
      "a=rtcp-mux\r\n"
      "a=rtpmap:111 opus/48000/2\r\n"
      "a=fmtp:111 minptime=10;useinbandfec=1\r\n"
      "a=rtpmap:0 PCMU/8000\r\n"
      "m=video 9 UDP/TLS/RTP/SAVPF 96 97 98 99\r\n"
      "c=IN IP4 0.0.0.0\r\n"
      "a=ice-ufrag:EsAw\r\n"
      "a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1\r\n"
      "a=fingerprint:sha-256 ";
  s += kFingerprint;
  s +=
      "\r\n"
      "a=setup:actpass\r\n"
      "a=mid:4\r\n"
      "a=extmap:2 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time\r\n"
      "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
      "a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid\r\n"
      "a=extmap:10 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id\r\n"
      "a=recvonly\r\n"
      "a=rtcp-mux\r\n"
      "a=rtcp-rsize\r\n"
      "a=rtpmap:96 VP8/90000\r\n"
      "a=rtcp-fb:96 transport-cc\r\n"
      "a=rtcp-fb:96 nack pli\r\n"
      "a=rtpmap:97 rtx/90000\r\n"
      "a=fmtp:97 apt=96\r\n"
      "a=rtpmap:98 H264/90000\r\n"
      "a=fmtp:98 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f\r\n"
      "a=rtpmap:99 rtx/90000\r\n"
      "a=fmtp:99 apt=98\r\n";
  return s;
}

rtc::SessionDescription parsedOffer() {
  auto parsed = rtc::parseSdp(chromiumOffer());
  EXPECT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->warningCount, 0u) << (parsed->warnings.empty() ? "" : parsed->warnings[0]);
  return parsed->description;
}

bool hasUri(const std::vector<rtc::ExtMap>& maps, std::string_view uri) {
  return std::any_of(maps.begin(), maps.end(), [&](const auto& e) { return e.uri == uri; });
}

constexpr std::string_view kTcc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr std::string_view kMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr std::string_view kRid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";

// Written and parsed again, as the client will see it.
rtc::MediaDescription roundTrip(const rtc::MediaDescription& m) {
  rtc::SessionDescription d = newDescription(1, 1, true);
  d.media.push_back(m);
  auto parsed = rtc::parseSdp(rtc::writeSdp(d));
  EXPECT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->warningCount, 0u);
  return parsed.ok() ? parsed->description.media.at(0) : rtc::MediaDescription{};
}

TEST(SdpNegotiation, SimulcastVideoPublicationIsAnsweredRecvonlyWithItsRids) {
  const auto offer = parsedOffer();
  ASSERT_EQ(offer.media.size(), 5u);
  rtc::MediaDescription answer;
  answer.media = "video";
  answer.mid = "1";
  auto pub = answerPublication(offer.media[1], "", answer);
  ASSERT_TRUE(pub.has_value());
  const auto m = roundTrip(answer);

  EXPECT_EQ(pub->mid, "1");
  EXPECT_EQ(pub->kind, rtc::MediaKind::Video);
  EXPECT_EQ(pub->msidTrackId, "TR_cid_video");
  EXPECT_EQ(pub->codec.kind, sfu::CodecKind::Vp8);
  EXPECT_EQ(pub->codec.payloadType, 96);
  EXPECT_EQ(pub->rids, (std::vector<std::string>{"q", "h", "f"}));

  EXPECT_EQ(m.effectiveDirection(), rtc::MediaDirection::RecvOnly);
  // One codec and its RTX (our NACKs are answered by RTX), no second codec: the receiver
  // forwards exactly one payload type.
  EXPECT_EQ(m.formats, (std::vector<std::string>{"96", "97"}));
  ASSERT_EQ(m.codecs().size(), 2u);
  EXPECT_EQ(m.codecs()[0].name, "VP8");
  EXPECT_EQ(m.codecs()[0].rtxPayloadType, 97);
  EXPECT_EQ(pub->codec.rtxPayloadType, 97);
  EXPECT_TRUE(pub->codec.nack);
  // RTX of a simulcast layer names it by the repaired rid, so that is accepted too.
  EXPECT_EQ(m.extMapId("urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"), 11);
  // The rids come back as recv, in the same simulcast order.
  const auto recv = m.ridsFor(rtc::RidDirection::Recv);
  ASSERT_EQ(recv.size(), 3u);
  EXPECT_EQ(recv[0].id, "q");
  EXPECT_EQ(recv[1].id, "h");
  EXPECT_EQ(recv[2].id, "f");
  EXPECT_TRUE(m.ridsFor(rtc::RidDirection::Send).empty());
  ASSERT_TRUE(m.simulcast.has_value());
  EXPECT_TRUE(m.simulcast->send.empty());
  ASSERT_EQ(m.simulcast->recv.size(), 3u);
  EXPECT_EQ(m.simulcast->recv[0].at(0).rid, "q");
  EXPECT_EQ(m.simulcast->recv[2].at(0).rid, "f");
  // mid and rid route packets, so they are accepted with the offered ids; so is transport-cc,
  // whose feedback we send, and its rtcp-fb replaces goog-remb (never both).
  EXPECT_EQ(m.extMapId(kMid), 4);
  EXPECT_EQ(m.extMapId(kRid), 10);
  EXPECT_EQ(m.extMapId(kTcc), 3);
  const auto answeredCodecs = m.codecs();  // by value: a reference into the temporary dangled
  const auto& fbs = answeredCodecs[0].feedback;
  EXPECT_TRUE(std::any_of(fbs.begin(), fbs.end(), [](const auto& f) { return f.type == "transport-cc"; }));
  EXPECT_FALSE(std::any_of(fbs.begin(), fbs.end(), [](const auto& f) { return f.type == "goog-remb"; }));
  EXPECT_FALSE(hasUri(m.extMaps, "urn:ietf:params:rtp-hdrext:toffset"));
  EXPECT_TRUE(m.rtcpRsize);
  // Nothing we do not send is claimed: no msid or ssrc on a receive-only answer.
  EXPECT_TRUE(m.msids.empty());
  EXPECT_TRUE(m.ssrcs().empty());
  const sfu::ExtensionIds& ids = pub->extensions;
  EXPECT_TRUE(std::find(ids.begin(), ids.end(), std::make_pair(std::uint8_t{4}, std::string(kMid))) !=
              ids.end());
}

TEST(SdpNegotiation, PreferredMimePicksThatCodec) {
  const auto offer = parsedOffer();
  rtc::MediaDescription answer;
  answer.media = "video";
  auto pub = answerPublication(offer.media[1], "video/H264", answer);
  ASSERT_TRUE(pub.has_value());
  EXPECT_EQ(pub->codec.kind, sfu::CodecKind::H264);
  EXPECT_EQ(pub->codec.payloadType, 98);
  EXPECT_EQ(answer.formats, (std::vector<std::string>{"98", "99"}));
}

TEST(SdpNegotiation, OpusPublicationKeepsItsSsrcAndAudioLevel) {
  const auto offer = parsedOffer();
  rtc::MediaDescription answer;
  answer.media = "audio";
  answer.mid = "2";
  auto pub = answerPublication(offer.media[2], "audio/red", answer);
  ASSERT_TRUE(pub.has_value());
  const auto m = roundTrip(answer);
  EXPECT_EQ(pub->codec.kind, sfu::CodecKind::Opus);
  EXPECT_EQ(pub->codec.payloadType, 111);
  EXPECT_EQ(pub->msidTrackId, "TR_cid_audio");
  EXPECT_EQ(pub->ssrcs, (std::vector<std::uint32_t>{1111}));
  EXPECT_TRUE(pub->rids.empty());
  EXPECT_EQ(m.formats, (std::vector<std::string>{"111"}));
  EXPECT_EQ(m.extMapId("urn:ietf:params:rtp-hdrext:ssrc-audio-level"), 14);
  EXPECT_EQ(m.extMapId(kMid), 4);
  EXPECT_EQ(m.extMapId(kTcc), 3);  // audio counts toward the transport's feedback too
  EXPECT_FALSE(m.simulcast.has_value());
  EXPECT_EQ(m.effectiveDirection(), rtc::MediaDirection::RecvOnly);
}

TEST(SdpNegotiation, SubscriptionAnswerSaysWhatWeSend) {
  const auto offer = parsedOffer();
  const OutgoingTrack track{"PA_pub", "TR_video", 0x1234abcd, sfu::CodecKind::Vp8, 0x0badf00d};
  rtc::MediaDescription answer;
  answer.media = "video";
  answer.mid = "4";
  auto sub = answerSubscription(offer.media[4], track, answer);
  ASSERT_TRUE(sub.has_value());
  const auto m = roundTrip(answer);
  EXPECT_EQ(sub->codec.payloadType, 96);
  EXPECT_EQ(m.effectiveDirection(), rtc::MediaDirection::SendOnly);
  // The slot offered RTX for VP8: we retransmit with it, from our RTX SSRC paired by FID.
  EXPECT_EQ(m.formats, (std::vector<std::string>{"96", "97"}));
  EXPECT_EQ(sub->codec.rtxPayloadType, 97);
  EXPECT_EQ(m.fidPairs(), (std::vector<rtc::SsrcFid>{{0x1234abcd, 0x0badf00d}}));
  ASSERT_EQ(m.msids.size(), 1u);
  EXPECT_EQ(m.msids[0].streamId, "PA_pub|TR_video");
  EXPECT_EQ(m.msids[0].trackId, "TR_video");
  EXPECT_EQ(m.ssrcs(), (std::vector<std::uint32_t>{0x1234abcd, 0x0badf00d}));
  EXPECT_EQ(m.ssrcAttribute(0x1234abcd, "msid"), std::optional<std::string>("PA_pub|TR_video TR_video"));
  EXPECT_TRUE(m.ssrcAttribute(0x1234abcd, "cname").has_value());
  // We stamp our own transport-wide numbers and read the subscriber's transport-cc feedback.
  EXPECT_EQ(m.extMapId(kTcc), 3);
  ASSERT_FALSE(m.codecs().empty());
  const auto answeredCodecs = m.codecs();  // by value: a reference into the temporary dangled
  const auto& fbs = answeredCodecs[0].feedback;
  EXPECT_TRUE(std::any_of(fbs.begin(), fbs.end(), [](const auto& f) { return f.type == "transport-cc"; }));
  // Chromium keeps only what was accepted for later offers: mid/rid must stay negotiated...
  EXPECT_EQ(m.extMapId(kMid), 4);
  EXPECT_EQ(m.extMapId(kRid), 10);
  // ...but their values never reach the subscriber: the forwarding table cannot match them.
  const auto forwardable = forwardableExtensions(sub->extensions);
  ASSERT_EQ(forwardable.size(), sub->extensions.size());
  for (std::size_t i = 0; i < forwardable.size(); ++i) {
    EXPECT_EQ(forwardable[i].first, sub->extensions[i].first);  // ids stay reserved
    EXPECT_NE(forwardable[i].second, kMid);
    EXPECT_NE(forwardable[i].second, kRid);
  }
  const sfu::ExtensionIds publisher = {{4, std::string(kMid)},
                                       {10, std::string(kRid)},
                                       {2, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"}};
  const auto map = sfu::ExtensionMap::build(publisher, forwardable);
  EXPECT_EQ(map.table[2], 2);  // abs-send-time forwarded under the subscriber's id
  EXPECT_NE(map.table[4], 4);  // mid is not carried under the subscriber's mid id
  EXPECT_NE(map.table[10], 10);
}

TEST(SdpNegotiation, SubscriptionWithoutTheCodecIsRefused) {
  const auto offer = parsedOffer();
  rtc::MediaDescription answer;
  answer.media = "video";
  const OutgoingTrack av1{"PA_pub", "TR_av1", 5, sfu::CodecKind::Av1};
  EXPECT_FALSE(answerSubscription(offer.media[4], av1, answer).has_value());
}

TEST(SdpNegotiation, IdleSlotIsBundledInactiveWithOneCodec) {
  const auto offer = parsedOffer();
  rtc::MediaDescription answer;
  answer.media = "audio";
  answer.mid = "3";
  answerInactive(offer.media[3], answer);
  const auto m = roundTrip(answer);
  EXPECT_EQ(m.effectiveDirection(), rtc::MediaDirection::Inactive);
  EXPECT_EQ(m.formats, (std::vector<std::string>{"111"}));
  EXPECT_NE(m.port, 0);
  EXPECT_TRUE(m.msids.empty());
  EXPECT_TRUE(m.ssrcs().empty());
}

TEST(SdpNegotiation, OfferedSubscriptionsShareOneIdPerUri) {
  rtc::SessionDescription d = newDescription(7, 1, true);
  const std::vector<OutgoingTrack> tracks = {
      {"PA_a", "TR_1", 11, sfu::CodecKind::Opus}, {"PA_a", "TR_2", 12, sfu::CodecKind::Vp8},
      {"PA_b", "TR_3", 13, sfu::CodecKind::H264}, {"PA_b", "TR_4", 14, sfu::CodecKind::Opus}};
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    rtc::MediaDescription m;
    m.mid = std::to_string(i);
    offerSubscription(tracks[i], m);
    d.media.push_back(std::move(m));
  }
  auto parsed = rtc::parseSdp(rtc::writeSdp(d));
  ASSERT_TRUE(parsed.ok());
  std::map<std::string, int> idOfUri;
  std::map<int, std::string> uriOfId;
  for (const auto& m : parsed->description.media) {
    EXPECT_EQ(m.effectiveDirection(), rtc::MediaDirection::SendOnly);
    EXPECT_FALSE(hasUri(m.extMaps, kMid));
    EXPECT_FALSE(hasUri(m.extMaps, kRid));
    ASSERT_EQ(m.ssrcs().size(), 1u);
    for (const auto& e : m.extMaps) {
      auto [it, fresh] = idOfUri.emplace(e.uri, e.id);
      EXPECT_EQ(it->second, e.id) << e.uri;
      auto [jt, fresh2] = uriOfId.emplace(e.id, e.uri);
      EXPECT_EQ(jt->second, e.uri) << e.id;
    }
  }
  EXPECT_GE(idOfUri.size(), 2u);  // audio level and at least one video extension were offered
  EXPECT_EQ(parsed->description.media[1].formats, (std::vector<std::string>{"96", "97"}));
  EXPECT_EQ(parsed->description.media[0].formats, (std::vector<std::string>{"111"}));
}

TEST(SdpNegotiation, OfferedVideoCarriesRtxNackAndItsFidGroup) {
  rtc::MediaDescription offer;
  offer.mid = "1";
  offerSubscription(OutgoingTrack{"PA_a", "TR_v", 21, sfu::CodecKind::Vp8, 22}, offer);
  const auto m = roundTrip(offer);
  ASSERT_EQ(m.codecs().size(), 2u);
  const auto vp8 = m.findCodec("VP8");
  ASSERT_TRUE(vp8.has_value());
  EXPECT_EQ(vp8->rtxPayloadType, 97);
  auto has = [&](std::string_view type, std::string_view parameter) {
    return std::any_of(vp8->feedback.begin(), vp8->feedback.end(),
                       [&](const auto& f) { return f.type == type && f.parameter == parameter; });
  };
  EXPECT_TRUE(has("nack", ""));
  EXPECT_TRUE(has("nack", "pli"));
  EXPECT_TRUE(has("ccm", "fir"));
  EXPECT_EQ(m.fidPairs(), (std::vector<rtc::SsrcFid>{{21, 22}}));

  // The client's answer keeps RTX: the downtrack retransmits with its payload type.
  rtc::SessionDescription answer = newDescription(1, 1, false);
  rtc::MediaDescription a = m;
  a.direction = rtc::MediaDirection::RecvOnly;
  a.ssrcAttributes.clear();
  a.ssrcGroups.clear();
  answer.media.push_back(a);
  const auto accepted = acceptedInAnswer(answer, "1", sfu::CodecKind::Vp8);
  ASSERT_TRUE(accepted.has_value());
  EXPECT_EQ(accepted->codec.rtxPayloadType, 97);
  EXPECT_TRUE(accepted->codec.nack);

  // Audio: no RTX and no NACK.
  rtc::MediaDescription audio;
  audio.mid = "2";
  offerSubscription(OutgoingTrack{"PA_a", "TR_a", 23, sfu::CodecKind::Opus, 0}, audio);
  EXPECT_EQ(roundTrip(audio).codecs().size(), 1u);
}

TEST(SdpNegotiation, PublicationWithFidGroupsKnowsItsRtxSsrcs) {
  auto offer = parsedOffer().media[1];
  // A classic (non-rid) publication: one SSRC with its RTX partner.
  offer.rids.clear();
  offer.simulcast.reset();
  offer.ssrcGroups.push_back(rtc::SsrcGroup{"FID", {5000, 5001}});
  offer.ssrcAttributes.push_back(rtc::SsrcAttribute{5000, "cname", "x"});
  offer.ssrcAttributes.push_back(rtc::SsrcAttribute{5001, "cname", "x"});
  rtc::MediaDescription answer;
  answer.media = "video";
  auto pub = answerPublication(offer, "", answer);
  ASSERT_TRUE(pub.has_value());
  EXPECT_EQ(pub->ssrcs, (std::vector<std::uint32_t>{5000}));
  EXPECT_EQ(pub->rtxSsrcs, (std::vector<std::uint32_t>{5001}));
}

TEST(SdpNegotiation, WriteTransportThenRemoteTransportRoundTrips) {
  rtc::TransportParameters local;
  local.ice = rtc::IceCredentials{"srvUfrag", "serverPasswordIsLongEnough22"};
  local.fingerprint = *rtc::DtlsFingerprint::parse(std::string("sha-256 ") + kFingerprint);
  local.candidates.push_back({*rtc::StunAddress::fromString("127.0.0.1", 40000), 2130706431,
                              rtc::IceCandidateProtocol::Udp});
  local.iceLite = true;
  rtc::SessionDescription d = newDescription(3, 1, true);
  rtc::MediaDescription m;
  m.media = "video";
  m.mid = "0";
  m.addCodec(96, "VP8", 90000);
  writeTransport(m, local, rtc::SdpSetup::Passive);
  d.media.push_back(m);
  auto parsed = rtc::parseSdp(rtc::writeSdp(d));
  ASSERT_TRUE(parsed.ok());
  const auto& pm = parsed->description.media.at(0);
  EXPECT_EQ(pm.port, 40000);
  EXPECT_TRUE(pm.rtcpMux);
  ASSERT_EQ(pm.candidates.size(), 1u);
  EXPECT_EQ(pm.candidates[0].address, "127.0.0.1");
  EXPECT_EQ(pm.candidates[0].port, 40000);
  EXPECT_TRUE(pm.endOfCandidates);

  auto remote = remoteTransport(parsed->description);
  ASSERT_TRUE(remote.has_value());
  EXPECT_EQ(remote->ice, local.ice);
  EXPECT_EQ(remote->fingerprint.digest, local.fingerprint.digest);
  EXPECT_EQ(remote->setup, rtc::DtlsSetup::Passive);
}

TEST(SdpNegotiation, RemoteTransportOfTheChromiumOffer) {
  const auto offer = parsedOffer();
  auto remote = remoteTransport(offer);
  ASSERT_TRUE(remote.has_value());
  EXPECT_EQ(remote->ice.ufrag, "EsAw");
  EXPECT_EQ(remote->ice.pwd, "P2uYro0UCOQ4zxjKXaWCBui1");
  EXPECT_EQ(remote->fingerprint.hex(), kFingerprint);
  // actpass: the offerer lets us choose, and we answer passive, so it is the DTLS client.
  EXPECT_EQ(remote->setup, rtc::DtlsSetup::Active);
}

TEST(SdpNegotiation, MalformedOfferIsRejected) {
  // Not SDP at all.
  EXPECT_FALSE(rtc::parseSdp("hello\r\n").ok());
  // Valid SDP but no usable transport: no fingerprint anywhere.
  std::string noFingerprint = chromiumOffer();
  for (auto pos = noFingerprint.find("a=fingerprint:"); pos != std::string::npos;
       pos = noFingerprint.find("a=fingerprint:")) {
    noFingerprint.erase(pos, noFingerprint.find("\r\n", pos) + 2 - pos);
  }
  auto parsed = rtc::parseSdp(noFingerprint);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(remoteTransport(parsed->description).has_value());
  // A garbled fingerprint is as good as none.
  std::string badFingerprint = chromiumOffer();
  for (auto pos = badFingerprint.find("4A:AD"); pos != std::string::npos;
       pos = badFingerprint.find("4A:AD")) {
    badFingerprint.replace(pos, 5, "ZZ:QQ");
  }
  parsed = rtc::parseSdp(badFingerprint);
  ASSERT_TRUE(parsed.ok());
  EXPECT_FALSE(remoteTransport(parsed->description).has_value());
  // A publication without a mid or without any codec we forward is not accepted.
  auto offer = parsedOffer();
  rtc::MediaDescription noMid = offer.media[1];
  noMid.mid.reset();
  rtc::MediaDescription answer;
  EXPECT_FALSE(answerPublication(noMid, "", answer).has_value());
  rtc::MediaDescription pcmuOnly = offer.media[2];
  pcmuOnly.rtpMaps.erase(std::remove_if(pcmuOnly.rtpMaps.begin(), pcmuOnly.rtpMaps.end(),
                                        [](const auto& r) { return r.encodingName != "PCMU"; }),
                         pcmuOnly.rtpMaps.end());
  pcmuOnly.formats = {"0"};
  rtc::MediaDescription answer2;
  EXPECT_FALSE(answerPublication(pcmuOnly, "", answer2).has_value());
}

}  // namespace
}  // namespace huddle::server::media
