#include "client/peer/client_sdp.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>

namespace huddle::client {

namespace {

constexpr std::string_view kCodecMime[] = {"VP8", "opus"};

std::string ipText(const rtc::StunAddress& a) {
  std::array<char, INET6_ADDRSTRLEN> text{};
  const int family = a.family == rtc::StunAddressFamily::IPv4 ? AF_INET : AF_INET6;
  if (inet_ntop(family, a.addr.data(), text.data(), text.size()) == nullptr) return {};
  return std::string(text.data());
}

rtc::IceCandidate toSdpCandidate(const rtc::IceCandidateInfo& info, std::size_t index) {
  rtc::IceCandidate c;
  c.foundation = std::to_string(index + 1);
  c.component = 1;
  c.transport = info.protocol == rtc::IceCandidateProtocol::Tcp ? rtc::CandidateTransport::Tcp
                                                                 : rtc::CandidateTransport::Udp;
  c.priority = info.priority;
  c.address = ipText(info.address);
  c.port = info.address.port;
  c.type = rtc::CandidateType::Host;
  if (c.transport == rtc::CandidateTransport::Tcp) c.tcpType = rtc::TcpType::Active;
  return c;
}

void writeTransport(rtc::MediaDescription& m, const rtc::IceCredentials& ice,
                    const rtc::DtlsFingerprint& fingerprint,
                    const std::vector<rtc::IceCandidateInfo>& candidates, rtc::SdpSetup setup) {
  m.connection = rtc::SdpConnection{};
  m.iceUfrag = ice.ufrag;
  m.icePwd = ice.pwd;
  m.iceOptions = {"trickle"};
  m.fingerprints.push_back({std::string(rtc::DtlsFingerprint::kAlgorithm), fingerprint.hex()});
  m.setup = setup;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    m.candidates.push_back(toSdpCandidate(candidates[i], i));
  }
}

void addExtensions(rtc::MediaDescription& m, bool video) {
  auto add = [&](std::uint8_t id, std::string_view uri) {
    m.extMaps.push_back(rtc::ExtMap{id, std::nullopt, std::string(uri), {}});
  };
  if (!video) add(kExtIdAudioLevel, kUriAudioLevel);
  add(kExtIdAbsSendTime, kUriAbsSendTime);
  add(kExtIdTransportCc, kUriTransportCc);
  add(kExtIdMid, kUriMid);
  if (video) {
    add(kExtIdRid, kUriRid);
    add(kExtIdRepairedRid, kUriRepairedRid);
  }
}

void addCodecs(rtc::MediaDescription& m, bool video) {
  if (video) {
    m.addCodec(kVp8PayloadType, "VP8", 90000, std::nullopt, {},
               {rtc::RtcpFeedback{kVp8PayloadType, "goog-remb", ""},
                rtc::RtcpFeedback{kVp8PayloadType, "transport-cc", ""},
                rtc::RtcpFeedback{kVp8PayloadType, "ccm", "fir"},
                rtc::RtcpFeedback{kVp8PayloadType, "nack", ""},
                rtc::RtcpFeedback{kVp8PayloadType, "nack", "pli"}});
    m.addRtx(kVp8RtxPayloadType, kVp8PayloadType);
  } else {
    m.addCodec(kOpusPayloadType, "opus", 48000, 2, "minptime=10;useinbandfec=1",
               {rtc::RtcpFeedback{kOpusPayloadType, "transport-cc", ""}});
  }
}

void addSendIdentity(rtc::MediaDescription& m, const OfferSection& s, const std::string& cname) {
  const rtc::Msid msid{s.streamId, s.trackId};
  m.msids.push_back(msid);
  const bool simulcast = s.layers.size() > 1;
  if (simulcast && s.simulcast == SimulcastSignalling::Rid) {
    rtc::Simulcast sim;
    for (const auto& layer : s.layers) {
      m.rids.push_back(rtc::Rid{layer.rid, rtc::RidDirection::Send, {}, {}});
      sim.send.push_back({rtc::SimulcastStream{layer.rid, false}});
    }
    m.simulcast = std::move(sim);
    // Chromium announces only the first layer's SSRCs with rids; the rest are learnt from the
    // rid extension.
    const SendLayer& first = s.layers.front();
    if (first.rtxSsrc != 0) m.ssrcGroups.push_back(rtc::SsrcGroup{"FID", {first.ssrc, first.rtxSsrc}});
    m.addSsrc(first.ssrc, cname, msid);
    if (first.rtxSsrc != 0) m.addSsrc(first.rtxSsrc, cname, msid);
    return;
  }
  if (simulcast) {
    rtc::SsrcGroup sim{"SIM", {}};
    for (const auto& layer : s.layers) sim.ssrcs.push_back(layer.ssrc);
    m.ssrcGroups.push_back(std::move(sim));
  }
  for (const auto& layer : s.layers) {
    if (layer.rtxSsrc != 0) m.ssrcGroups.push_back(rtc::SsrcGroup{"FID", {layer.ssrc, layer.rtxSsrc}});
  }
  for (const auto& layer : s.layers) {
    m.addSsrc(layer.ssrc, cname, msid);
    if (layer.rtxSsrc != 0) m.addSsrc(layer.rtxSsrc, cname, msid);
  }
}

bool hasFeedback(const rtc::CodecInfo& c, std::string_view type, std::string_view parameter) {
  return std::any_of(c.feedback.begin(), c.feedback.end(), [&](const rtc::RtcpFeedback& f) {
    return f.type == type && f.parameter == parameter;
  });
}

std::uint8_t extId(const rtc::MediaDescription& m, std::string_view uri) {
  const auto id = m.extMapId(uri);
  return id && *id > 0 && *id < 256 ? static_cast<std::uint8_t>(*id) : 0;
}

bool isCodecWeDecode(const rtc::CodecInfo& c) {
  return std::any_of(std::begin(kCodecMime), std::end(kCodecMime), [&](std::string_view name) {
    return c.name.size() == name.size() &&
           std::equal(c.name.begin(), c.name.end(), name.begin(), [](char a, char b) {
             return (a | 0x20) == (b | 0x20);
           });
  });
}

NegotiatedSection describe(const rtc::SessionDescription& d, const rtc::MediaDescription& m) {
  NegotiatedSection s;
  s.mid = m.mid.value_or("");
  s.kind = m.kind();
  s.accepted = m.port != 0;
  s.direction = m.effectiveDirection(d.direction);
  if (!m.isRtp()) return s;
  for (const auto& f : m.formats) {
    int pt = -1;
    const auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), pt);
    if (ec == std::errc{} && end == f.data() + f.size() && pt >= 0 && pt < 128) s.payloadTypes.push_back(pt);
  }
  // The first format we can decode is the one in use; an answer lists only what it chose first.
  for (const auto& c : m.codecs()) {
    if (!isCodecWeDecode(c)) continue;
    s.payloadType = c.payloadType;
    s.rtxPayloadType = c.rtxPayloadType;
    s.codecName = c.name;
    s.clockRate = c.clockRate;
    s.nack = hasFeedback(c, "nack", "");
    s.pli = hasFeedback(c, "nack", "pli");
    s.fir = hasFeedback(c, "ccm", "fir");
    s.remb = hasFeedback(c, "goog-remb", "");
    s.transportCc = hasFeedback(c, "transport-cc", "");
    break;
  }
  s.extensions.mid = extId(m, kUriMid);
  s.extensions.rid = extId(m, kUriRid);
  s.extensions.repairedRid = extId(m, kUriRepairedRid);
  s.extensions.audioLevel = extId(m, kUriAudioLevel);
  s.extensions.transportCc = extId(m, kUriTransportCc);
  s.extensions.absSendTime = extId(m, kUriAbsSendTime);

  const auto sims = m.simGroups();
  if (!sims.empty()) {
    s.ssrcs = sims.front();
  } else {
    // Primary SSRCs: those that are not the RTX half of a FID pair.
    const auto fids = m.fidPairs();
    for (std::uint32_t ssrc : m.ssrcs()) {
      const bool isRtx = std::any_of(fids.begin(), fids.end(),
                                     [&](const rtc::SsrcFid& f) { return f.rtx == ssrc; });
      if (!isRtx) s.ssrcs.push_back(ssrc);
    }
  }
  for (std::uint32_t ssrc : s.ssrcs) s.rtxSsrcs.push_back(m.rtxSsrcFor(ssrc).value_or(0));
  for (const auto& r : m.rids) s.rids.push_back(r.id);
  if (!m.msids.empty()) {
    s.msid = m.msids.front();
  } else if (!s.ssrcs.empty()) {
    if (auto text = m.ssrcAttribute(s.ssrcs.front(), "msid")) {
      const auto space = text->find(' ');
      s.msid.streamId = text->substr(0, space);
      if (space != std::string::npos) s.msid.trackId = text->substr(space + 1);
    }
  }
  return s;
}

Result<RemoteDescriptionInfo, ClientSdpError> describeRemote(std::string_view sdp, bool isAnswer,
                                                             const std::vector<std::string>* offered) {
  auto parsed = rtc::parseSdp(sdp);
  if (!parsed.ok()) {
    return Error{ClientSdpError::Unparseable, "SDP not parseable: " + parsed.message()};
  }
  const rtc::SessionDescription& d = parsed->description;
  RemoteDescriptionInfo info;
  info.sessionVersion = d.origin.sessionVersion;
  if (offered != nullptr) {
    if (d.media.size() != offered->size()) {
      return Error{ClientSdpError::MidMismatch, "answer has " + std::to_string(d.media.size()) +
                                                    " sections, the offer " +
                                                    std::to_string(offered->size())};
    }
  }
  const std::vector<std::string> bundle = d.bundleMids();
  bool haveTransport = false;
  for (std::size_t i = 0; i < d.media.size(); ++i) {
    const rtc::MediaDescription& m = d.media[i];
    if (offered != nullptr && m.mid.value_or((*offered)[i]) != (*offered)[i]) {
      return Error{ClientSdpError::MidMismatch,
                   "section " + std::to_string(i) + " answers mid " + m.mid.value_or("") +
                       ", the offer had " + (*offered)[i]};
    }
    if (m.port == 0) {
      NegotiatedSection s = describe(d, m);
      if (s.mid.empty() && offered != nullptr) s.mid = (*offered)[i];
      info.sections.push_back(std::move(s));
      continue;
    }
    if (!m.mid) return Error{ClientSdpError::MissingMid, "accepted section " + std::to_string(i) + " has no mid"};
    if (std::find(bundle.begin(), bundle.end(), *m.mid) == bundle.end()) {
      return Error{ClientSdpError::NotBundled, "section " + *m.mid + " is not in the BUNDLE group"};
    }
    if (!haveTransport) {
      auto ufrag = d.iceUfragFor(m);
      auto pwd = d.icePwdFor(m);
      std::optional<rtc::DtlsFingerprint> fingerprint;
      for (const auto& fp : d.fingerprintsFor(m)) {
        fingerprint = rtc::DtlsFingerprint::parse(fp.algorithm + " " + fp.value);
        if (fingerprint) break;
      }
      if (ufrag && pwd && fingerprint) {
        haveTransport = true;
        info.transport.ice = rtc::IceCredentials{*ufrag, *pwd};
        info.transport.fingerprint = *fingerprint;
        info.transport.iceLite = d.iceLite;
        info.setup = d.setupFor(m).value_or(rtc::SdpSetup::ActPass);
        for (const auto& c : m.candidates) {
          if (c.component != 1 || c.addressKind() == rtc::CandidateAddressKind::Hostname) continue;
          auto address = rtc::StunAddress::fromString(c.address, c.port);
          if (!address) continue;
          const bool tcp = c.transport == rtc::CandidateTransport::Tcp;
          // We connect actively; an active-only peer candidate is useless to us.
          if (tcp && c.tcpType != rtc::TcpType::Passive) continue;
          info.transport.candidates.push_back(rtc::IceCandidateInfo{
              *address, c.priority, tcp ? rtc::IceCandidateProtocol::Tcp : rtc::IceCandidateProtocol::Udp});
        }
      }
    }
    info.sections.push_back(describe(d, m));
  }
  if (!haveTransport) {
    return Error{ClientSdpError::NoTransport,
                 "no accepted section has ICE credentials and a sha-256 fingerprint"};
  }
  if (isAnswer) {
    if (info.setup != rtc::SdpSetup::Active && info.setup != rtc::SdpSetup::Passive) {
      return Error{ClientSdpError::BadSetup,
                   "answer setup is " + std::string(rtc::toString(info.setup)) +
                       ", must be active or passive"};
    }
  }
  info.transport.setup =
      info.setup == rtc::SdpSetup::Active ? rtc::DtlsSetup::Active : rtc::DtlsSetup::Passive;
  return info;
}

}  // namespace

rtc::SessionDescription buildOffer(const OfferParameters& p) {
  rtc::SessionDescription d;
  d.origin.sessionId = p.sessionId;
  d.origin.sessionVersion = p.sessionVersion;
  d.extmapAllowMixed = true;
  d.msidSemantic = rtc::MsidSemantic{"WMS", {}};
  rtc::SdpGroup bundle{"BUNDLE", {}};
  for (const OfferSection& s : p.sections) {
    rtc::MediaDescription m;
    m.mid = s.mid;
    writeTransport(m, p.ice, p.fingerprint, p.candidates, rtc::SdpSetup::ActPass);
    bundle.mids.push_back(s.mid);
    if (s.kind == rtc::MediaKind::Application) {
      m.media = "application";
      m.protocol = "UDP/DTLS/SCTP";
      m.formats = {"webrtc-datachannel"};
      m.sctpPort = kSctpPort;
      m.maxMessageSize = kMaxMessageSize;
      d.media.push_back(std::move(m));
      continue;
    }
    const bool video = s.kind == rtc::MediaKind::Video;
    m.media = video ? "video" : "audio";
    m.protocol = "UDP/TLS/RTP/SAVPF";
    addExtensions(m, video);
    m.direction = s.direction;
    m.rtcpMux = true;
    m.rtcpRsize = true;
    addCodecs(m, video);
    if (s.direction == rtc::MediaDirection::SendOnly || s.direction == rtc::MediaDirection::SendRecv) {
      addSendIdentity(m, s, p.cname);
    }
    d.media.push_back(std::move(m));
  }
  d.groups.push_back(std::move(bundle));
  return d;
}

const NegotiatedSection* RemoteDescriptionInfo::find(std::string_view mid) const {
  for (const auto& s : sections) {
    if (s.mid == mid) return &s;
  }
  return nullptr;
}

std::string_view toString(ClientSdpError error) {
  switch (error) {
    case ClientSdpError::Unparseable: return "unparseable";
    case ClientSdpError::NoTransport: return "no transport";
    case ClientSdpError::BadSetup: return "bad setup";
    case ClientSdpError::MidMismatch: return "mid mismatch";
    case ClientSdpError::MissingMid: return "missing mid";
    case ClientSdpError::NotBundled: return "not bundled";
  }
  return "unknown";
}

Result<RemoteDescriptionInfo, ClientSdpError> parseAnswer(std::string_view sdp,
                                                          const std::vector<std::string>& offered) {
  return describeRemote(sdp, true, &offered);
}

Result<RemoteDescriptionInfo, ClientSdpError> parseRemoteOffer(std::string_view sdp) {
  return describeRemote(sdp, false, nullptr);
}

std::string writeAnswer(const rtc::SessionDescription& offer, const AnswerParameters& p) {
  rtc::SessionDescription d;
  d.origin.sessionId = p.sessionId;
  d.origin.sessionVersion = p.sessionVersion;
  d.extmapAllowMixed = offer.extmapAllowMixed;
  d.msidSemantic = rtc::MsidSemantic{"WMS", {}};
  rtc::SdpGroup bundle{"BUNDLE", {}};
  for (const rtc::MediaDescription& o : offer.media) {
    rtc::MediaDescription m;
    m.media = o.media;
    m.protocol = o.protocol;
    m.mid = o.mid;
    bool accepted = false;
    if (o.port != 0 && o.mid) {
      if (o.kind() == rtc::MediaKind::Application && o.protocol.find("SCTP") != std::string::npos) {
        m.formats = o.formats;
        m.sctpPort = kSctpPort;
        m.maxMessageSize = kMaxMessageSize;
        accepted = true;
      } else if (o.isRtp()) {
        for (const auto& c : o.codecs()) {
          if (!isCodecWeDecode(c)) continue;
          std::string fmtp;
          for (const auto& f : o.fmtps) {
            if (f.payloadType == c.payloadType) fmtp = f.parameters;
          }
          std::vector<rtc::RtcpFeedback> feedback;
          for (const auto& fb : c.feedback) feedback.push_back(rtc::RtcpFeedback{c.payloadType, fb.type, fb.parameter});
          m.addCodec(c.payloadType, c.name, c.clockRate, c.channels, fmtp, std::move(feedback));
          if (c.rtxPayloadType) m.addRtx(*c.rtxPayloadType, c.payloadType, c.clockRate);
          accepted = true;
          break;
        }
        if (accepted) {
          for (const auto& e : o.extMaps) {
            if (e.uri == kUriMid || e.uri == kUriAudioLevel || e.uri == kUriTransportCc ||
                e.uri == kUriAbsSendTime) {
              m.extMaps.push_back(rtc::ExtMap{e.id, std::nullopt, e.uri, {}});
            }
          }
          const auto dir = o.effectiveDirection(offer.direction);
          m.direction = dir == rtc::MediaDirection::SendOnly || dir == rtc::MediaDirection::SendRecv
                            ? rtc::MediaDirection::RecvOnly
                            : rtc::MediaDirection::Inactive;
          m.rtcpMux = true;
          m.rtcpRsize = o.rtcpRsize;
        }
      }
    }
    if (!accepted) {
      m = rtc::MediaDescription{};
      m.media = o.media;
      m.protocol = o.protocol;
      m.mid = o.mid;
      m.port = 0;
      m.formats = o.formats;
      m.direction = rtc::MediaDirection::Inactive;
      d.media.push_back(std::move(m));
      continue;
    }
    writeTransport(m, p.ice, p.fingerprint, p.candidates, p.setup);
    bundle.mids.push_back(*o.mid);
    d.media.push_back(std::move(m));
  }
  d.groups.push_back(std::move(bundle));
  return rtc::writeSdp(d);
}

std::string trackSidFromMsid(const rtc::Msid& msid) {
  const auto bar = msid.streamId.find('|');
  if (bar != std::string::npos) {
    std::string part = msid.streamId.substr(bar + 1);
    if (part.starts_with("TR")) return part;
  }
  if (msid.trackId.starts_with("TR")) return msid.trackId;
  return {};
}

}  // namespace huddle::client
