#include "server/media/sdp_negotiation.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

namespace huddle::server::media {

namespace {

constexpr std::string_view kUriMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
constexpr std::string_view kUriRid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
constexpr std::string_view kUriRepairedRid = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
constexpr std::string_view kUriAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
constexpr std::string_view kUriAbsSendTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";
constexpr std::string_view kUriDependencyDescriptor =
    "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension";
constexpr std::string_view kUriTransportCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";

// Extensions we read on ingest: mid and rid route packets, the audio level finds speakers,
// transport-wide sequence numbers feed the transport-cc feedback we send (server/media/bwe_glue)
// and, rewritten per subscriber, our own send-side estimate.
// The repaired rid names the simulcast layer of a publisher's RTX packets.
constexpr std::array<std::string_view, 7> kPublishExtensions = {
    kUriMid, kUriRid, kUriAudioLevel, kUriAbsSendTime, kUriDependencyDescriptor, kUriTransportCc,
    kUriRepairedRid};
// Extensions we offer on sections we send (classic mode). Never mid or rid: their values name
// the publisher's sections and would misroute packets at the subscriber.
constexpr std::array<std::string_view, 4> kForwardExtensions = {
    kUriAudioLevel, kUriAbsSendTime, kUriDependencyDescriptor, kUriTransportCc};

bool hasExtension(const rtc::MediaDescription& m, std::string_view uri) {
  return std::any_of(m.extMaps.begin(), m.extMaps.end(),
                     [&](const rtc::ExtMap& e) { return e.uri == uri; });
}

// Congestion control feedback for a codec we answer: transport-cc when the peer offered it
// with its extension (we then send or read transport-cc feedback), else goog-remb when offered
// (we then send or honour REMB). Never both: a sender with both may take the lower.
void answerCongestionFeedback(const rtc::MediaDescription& offered, int offeredPayloadType,
                              rtc::MediaDescription& answer) {
  bool transportCc = false;
  bool remb = false;
  for (const auto& c : offered.codecs()) {
    if (c.payloadType != offeredPayloadType) continue;
    for (const auto& fb : c.feedback) {
      transportCc = transportCc || fb.type == "transport-cc";
      remb = remb || fb.type == "goog-remb";
    }
  }
  if (transportCc && hasExtension(offered, kUriTransportCc)) {
    answer.rtcpFeedback.push_back(rtc::RtcpFeedback{offeredPayloadType, "transport-cc", ""});
  } else if (remb) {
    answer.rtcpFeedback.push_back(rtc::RtcpFeedback{offeredPayloadType, "goog-remb", ""});
  }
}

std::string ipText(const rtc::StunAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  const int af = address.family == rtc::StunAddressFamily::IPv4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, address.addr.data(), text, sizeof text) == nullptr) return {};
  return text;
}

std::string fmtpOf(const rtc::MediaDescription& m, int pt) {
  for (const auto& f : m.fmtps) {
    if (f.payloadType == pt) return f.parameters;
  }
  return {};
}

NegotiatedCodec fromInfo(const rtc::MediaDescription& m, const rtc::CodecInfo& c) {
  NegotiatedCodec out;
  out.kind = sfu::codecKindFromName(c.name);
  out.payloadType = c.payloadType;
  out.name = c.name;
  out.clockRate = c.clockRate;
  out.channels = c.channels;
  out.fmtp = fmtpOf(m, c.payloadType);
  // Loss recovery is for video: audio NACK/RTX is not worth its delay.
  if (sfu::isVideo(out.kind)) {
    out.rtxPayloadType = c.rtxPayloadType;
    out.nack = std::any_of(c.feedback.begin(), c.feedback.end(),
                           [](const rtc::RtcpFeedback& fb) { return fb.type == "nack" && fb.parameter.empty(); });
  }
  return out;
}

// H.264 decoders need packetization-mode 1 for anything but the smallest frames; prefer it.
std::optional<rtc::CodecInfo> bestOfName(const rtc::MediaDescription& m, std::string_view name) {
  auto all = m.findCodecs(name);
  if (all.empty()) return std::nullopt;
  for (const auto& c : all) {
    auto p = c.parameters.find("packetization-mode");
    if (p != c.parameters.end() && p->second == "1") return c;
  }
  return all.front();
}

std::vector<rtc::RtcpFeedback> videoFeedback() {
  return {rtc::RtcpFeedback{std::nullopt, "nack", ""}, rtc::RtcpFeedback{std::nullopt, "nack", "pli"},
          rtc::RtcpFeedback{std::nullopt, "ccm", "fir"}};
}

void writeCodec(rtc::MediaDescription& m, const NegotiatedCodec& codec, bool video) {
  m.addCodec(codec.payloadType, codec.name, codec.clockRate, codec.channels, codec.fmtp,
             video ? videoFeedback() : std::vector<rtc::RtcpFeedback>{});
  if (video && codec.rtxPayloadType) m.addRtx(*codec.rtxPayloadType, codec.payloadType, codec.clockRate);
}

template <std::size_t N>
sfu::ExtensionIds copyExtensions(const rtc::MediaDescription& offered, rtc::MediaDescription& out,
                                 const std::array<std::string_view, N>& allowed) {
  sfu::ExtensionIds ids;
  for (const auto& e : offered.extMaps) {
    if (std::find(allowed.begin(), allowed.end(), e.uri) == allowed.end()) continue;
    if (e.id <= 0 || e.id > 255) continue;
    out.extMaps.push_back(rtc::ExtMap{e.id, std::nullopt, e.uri, {}});
    ids.emplace_back(static_cast<std::uint8_t>(e.id), e.uri);
  }
  return ids;
}

std::string cnameFor(const OutgoingTrack& track) { return track.participantSid; }

void writeSendIdentity(rtc::MediaDescription& m, const OutgoingTrack& track, bool rtx) {
  const std::string stream = track.participantSid + "|" + track.trackSid;
  m.msids.push_back(rtc::Msid{stream, track.trackSid});
  m.addSsrc(track.ssrc, cnameFor(track), rtc::Msid{stream, track.trackSid});
  if (rtx && track.rtxSsrc != 0) {
    // The receiver demultiplexes our retransmissions by this pairing.
    m.ssrcGroups.push_back(rtc::SsrcGroup{"FID", {track.ssrc, track.rtxSsrc}});
    m.addSsrc(track.rtxSsrc, cnameFor(track), rtc::Msid{stream, track.trackSid});
  }
}

// LiveKit's default numbering for sections we offer (docs/livekit-protocol.md 8.2).
NegotiatedCodec defaultCodec(sfu::CodecKind kind) {
  switch (kind) {
    case sfu::CodecKind::Opus:
    case sfu::CodecKind::Red:
      return {sfu::CodecKind::Opus, 111, "opus", 48000, 2, "minptime=10;useinbandfec=1", std::nullopt, false};
    case sfu::CodecKind::H264:
      return {kind, 125, "H264", 90000, std::nullopt,
              "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f", 107, true};
    case sfu::CodecKind::Vp9:
      return {kind, 98, "VP9", 90000, std::nullopt, "profile-id=0", 99, true};
    case sfu::CodecKind::Av1:
      return {kind, 35, "AV1", 90000, std::nullopt, {}, 36, true};
    case sfu::CodecKind::H265:
      return {kind, 116, "H265", 90000, std::nullopt, {}, 117, true};
    case sfu::CodecKind::Vp8:
    case sfu::CodecKind::Other:
      break;
  }
  return {sfu::CodecKind::Vp8, 96, "VP8", 90000, std::nullopt, {}, 97, true};
}

}  // namespace

rtc::SessionDescription newDescription(std::uint64_t sessionId, std::uint64_t version,
                                       bool iceLite) {
  rtc::SessionDescription d;
  d.origin.sessionId = std::to_string(sessionId);
  d.origin.sessionVersion = version;
  d.iceLite = iceLite;
  d.msidSemantic = rtc::MsidSemantic{"WMS", {"*"}};
  return d;
}

void writeTransport(rtc::MediaDescription& m, const rtc::TransportParameters& local,
                    rtc::SdpSetup setup) {
  const rtc::StunAddress& first = local.candidates.front().address;
  m.port = first.port;
  m.connection = rtc::SdpConnection{
      "IN", first.family == rtc::StunAddressFamily::IPv4 ? "IP4" : "IP6", ipText(first)};
  m.iceUfrag = local.ice.ufrag;
  m.icePwd = local.ice.pwd;
  m.fingerprints.push_back(
      {std::string(rtc::DtlsFingerprint::kAlgorithm), local.fingerprint.hex()});
  m.setup = setup;
  m.rtcpMux = m.kind() != rtc::MediaKind::Application;
  for (std::size_t i = 0; i < local.candidates.size(); ++i) {
    const auto& info = local.candidates[i];
    rtc::IceCandidate c;
    c.foundation = std::to_string(i + 1);
    c.component = 1;
    c.transport = rtc::CandidateTransport::Udp;
    if (info.protocol == rtc::IceCandidateProtocol::Tcp) {
      c.transport = rtc::CandidateTransport::Tcp;
      c.tcpType = rtc::TcpType::Passive;
    }
    c.priority = info.priority;
    c.address = ipText(info.address);
    c.port = info.address.port;
    c.type = rtc::CandidateType::Host;
    m.candidates.push_back(std::move(c));
  }
  m.endOfCandidates = true;
}

std::optional<rtc::TransportParameters> remoteTransport(const rtc::SessionDescription& d) {
  for (const auto& m : d.media) {
    if (m.port == 0) continue;
    const auto ufrag = d.iceUfragFor(m);
    const auto pwd = d.icePwdFor(m);
    std::optional<rtc::DtlsFingerprint> fingerprint;
    for (const auto& fp : d.fingerprintsFor(m)) {
      if (!fingerprint) fingerprint = rtc::DtlsFingerprint::parse(fp.algorithm + ' ' + fp.value);
    }
    if (!ufrag || !pwd || !fingerprint) continue;
    rtc::TransportParameters p;
    p.ice = rtc::IceCredentials{*ufrag, *pwd};
    p.fingerprint = *fingerprint;
    const auto setup = d.setupFor(m);
    // The peer's role decides ours: it is active (DTLS client) unless it says passive.
    p.setup = setup == rtc::SdpSetup::Passive ? rtc::DtlsSetup::Passive : rtc::DtlsSetup::Active;
    return p;
  }
  return std::nullopt;
}

void writeApplication(rtc::MediaDescription& m) {
  m.media = "application";
  m.protocol = "UDP/DTLS/SCTP";
  m.formats = {"webrtc-datachannel"};
  m.sctpPort = 5000;
  m.maxMessageSize = 65536;
}

std::optional<NegotiatedCodec> choosePublishCodec(const rtc::MediaDescription& offered,
                                                  std::string_view preferred) {
  if (offered.kind() == rtc::MediaKind::Audio) {
    auto opus = offered.findCodec("opus");
    if (!opus) return std::nullopt;
    return fromInfo(offered, *opus);
  }
  if (offered.kind() != rtc::MediaKind::Video) return std::nullopt;
  if (auto slash = preferred.find('/'); slash != std::string_view::npos) {
    if (auto c = bestOfName(offered, preferred.substr(slash + 1))) return fromInfo(offered, *c);
  }
  for (std::string_view name : {"VP8", "H264", "VP9", "AV1"}) {
    if (auto c = bestOfName(offered, name)) return fromInfo(offered, *c);
  }
  return std::nullopt;
}

std::optional<AcceptedPublication> answerPublication(const rtc::MediaDescription& offered,
                                                     std::string_view preferredMime,
                                                     rtc::MediaDescription& answer) {
  auto codec = choosePublishCodec(offered, preferredMime);
  if (!codec || !offered.mid) return std::nullopt;
  AcceptedPublication pub;
  pub.mid = *offered.mid;
  pub.kind = offered.kind();
  pub.codec = *codec;
  const bool video = pub.kind == rtc::MediaKind::Video;
  writeCodec(answer, *codec, video);
  answerCongestionFeedback(offered, codec->payloadType, answer);
  pub.extensions = copyExtensions(offered, answer, kPublishExtensions);
  answer.direction = rtc::MediaDirection::RecvOnly;
  answer.rtcpRsize = offered.rtcpRsize;
  if (!offered.msids.empty()) pub.msidTrackId = offered.msids.front().trackId;
  for (const auto ssrc : offered.ssrcs()) {
    if (pub.msidTrackId.empty()) {
      if (auto msid = offered.ssrcAttribute(ssrc, "msid")) {
        const auto space = msid->find(' ');
        if (space != std::string::npos) pub.msidTrackId = msid->substr(space + 1);
      }
    }
  }
  const auto sims = offered.simGroups();
  if (!sims.empty()) {
    pub.ssrcs = sims.front();
  } else if (const auto fids = offered.fidPairs(); !fids.empty()) {
    pub.ssrcs.push_back(fids.front().primary);
  } else if (const auto all = offered.ssrcs(); !all.empty()) {
    pub.ssrcs.push_back(all.front());
  }
  for (const auto primary : pub.ssrcs) {
    pub.rtxSsrcs.push_back(pub.codec.rtxPayloadType ? offered.rtxSsrcFor(primary).value_or(0) : 0);
  }
  for (const auto& layer : offered.simulcastSendLayers()) pub.rids.push_back(layer.rid);
  if (!pub.rids.empty()) {
    rtc::Simulcast sim;
    for (const auto& rid : offered.ridsFor(rtc::RidDirection::Send)) {
      answer.rids.push_back(rtc::Rid{rid.id, rtc::RidDirection::Recv, {}, {}});
    }
    for (const auto& alternatives : offered.simulcast->send) {
      sim.recv.push_back(alternatives);
    }
    answer.simulcast = std::move(sim);
  }
  return pub;
}

std::optional<AcceptedSubscription> answerSubscription(const rtc::MediaDescription& offered,
                                                       const OutgoingTrack& track,
                                                       rtc::MediaDescription& answer) {
  const NegotiatedCodec wanted = defaultCodec(track.codec);
  std::optional<rtc::CodecInfo> found = bestOfName(offered, wanted.name);
  if (!found && track.codec == sfu::CodecKind::Red) found = offered.findCodec("opus");
  if (!found) return std::nullopt;
  AcceptedSubscription sub;
  sub.codec = fromInfo(offered, *found);
  const bool video = offered.kind() == rtc::MediaKind::Video;
  writeCodec(answer, sub.codec, video);
  answerCongestionFeedback(offered, sub.codec.payloadType, answer);
  // Every answer accepts the same extensions: Chromium remembers what a session negotiated and
  // leaves the rest out of later offers (a simulcast section without rid fails). Forwarding
  // keeps mid/rid values away from subscribers (see forwardableExtensions).
  sub.extensions = copyExtensions(offered, answer, kPublishExtensions);
  answer.direction = rtc::MediaDirection::SendOnly;
  answer.rtcpRsize = offered.rtcpRsize;
  writeSendIdentity(answer, track, sub.codec.rtxPayloadType.has_value());
  return sub;
}

void answerInactive(const rtc::MediaDescription& offered, rtc::MediaDescription& answer) {
  // One codec keeps the section well-formed; nothing flows on it.
  const auto codecs = offered.codecs();
  for (const auto& c : codecs) {
    if (c.name == "rtx" || c.name == "red" || c.name == "ulpfec") continue;
    answer.addCodec(c.payloadType, c.name, c.clockRate, c.channels, fmtpOf(offered, c.payloadType));
    break;
  }
  if (answer.formats.empty()) answer.formats = offered.formats;
  copyExtensions(offered, answer, kPublishExtensions);
  answer.direction = rtc::MediaDirection::Inactive;
  answer.rtcpRsize = offered.rtcpRsize;
}

void offerSubscription(const OutgoingTrack& track, rtc::MediaDescription& offer) {
  const NegotiatedCodec codec = defaultCodec(track.codec);
  const bool video = sfu::isVideo(codec.kind);
  offer.media = video ? "video" : "audio";
  offer.protocol = "UDP/TLS/RTP/SAVPF";
  writeCodec(offer, codec, video);
  offer.rtcpFeedback.push_back(rtc::RtcpFeedback{codec.payloadType, "transport-cc", ""});
  // One id per URI across the whole offer: BUNDLE requires it.
  for (std::size_t i = 0; i < kForwardExtensions.size(); ++i) {
    const std::string_view uri = kForwardExtensions[i];
    if (uri == kUriAudioLevel && video) continue;
    if (!video && uri != kUriAudioLevel && uri != kUriTransportCc) continue;
    offer.extMaps.push_back(rtc::ExtMap{static_cast<int>(i) + 1, std::nullopt, std::string(uri), {}});
  }
  offer.direction = rtc::MediaDirection::SendOnly;
  offer.rtcpRsize = true;
  writeSendIdentity(offer, track, codec.rtxPayloadType.has_value());
}

void offerInactive(rtc::MediaKind kind, const std::string& mid, rtc::MediaDescription& offer) {
  const bool video = kind == rtc::MediaKind::Video;
  offer.media = video ? "video" : "audio";
  offer.protocol = "UDP/TLS/RTP/SAVPF";
  offer.mid = mid;
  writeCodec(offer, defaultCodec(video ? sfu::CodecKind::Vp8 : sfu::CodecKind::Opus), video);
  offer.direction = rtc::MediaDirection::Inactive;
}

std::optional<AcceptedSubscription> acceptedInAnswer(const rtc::SessionDescription& answer,
                                                     const std::string& mid, sfu::CodecKind codec) {
  const rtc::MediaDescription* m = answer.findMedia(mid);
  if (m == nullptr || m->port == 0) return std::nullopt;
  const NegotiatedCodec wanted = defaultCodec(codec);
  auto found = bestOfName(*m, wanted.name);
  if (!found) return std::nullopt;
  AcceptedSubscription sub;
  sub.codec = fromInfo(*m, *found);
  for (const auto& e : m->extMaps) {
    if (e.id > 0 && e.id <= 255) sub.extensions.emplace_back(static_cast<std::uint8_t>(e.id), e.uri);
  }
  return sub;
}

sfu::ExtensionIds forwardableExtensions(const sfu::ExtensionIds& subscriber) {
  sfu::ExtensionIds out = subscriber;
  for (auto& [id, uri] : out) {
    // Keeps the id taken, so nothing else is renumbered onto it, but matches no publisher URI.
    // The dependency descriptor numbers frames per simulcast stream: forwarded across a layer
    // switch its frame numbers jump (often backwards) and Chromium drops every frame as older
    // than the last decoded one. Without it the subscriber follows the VP8 descriptor.
    if (uri == kUriMid || uri == kUriRid || uri == kUriRepairedRid ||
        uri == kUriDependencyDescriptor) {
      uri = "x-huddle-not-forwarded:" + uri;
    }
  }
  return out;
}

}  // namespace huddle::server::media
