// Queries and builders over the SDP model; the parser and writer live in their own files.

#include "rtc/sdp/session_description.h"

#include <algorithm>

#include "rtc/sdp/sdp_text.h"

namespace huddle::rtc {

namespace {

using sdp_text::equalsIgnoreCase;

bool hasSsrc(const std::vector<std::uint32_t>& list, std::uint32_t ssrc) {
  return std::find(list.begin(), list.end(), ssrc) != list.end();
}

}  // namespace

MediaKind MediaDescription::kind() const {
  if (media == "audio") return MediaKind::Audio;
  if (media == "video") return MediaKind::Video;
  if (media == "application") return MediaKind::Application;
  return MediaKind::Other;
}

bool MediaDescription::isRtp() const {
  // "UDP/TLS/RTP/SAVPF", "RTP/AVP", "RTP/SAVPF"... all name RTP as a '/'-separated part.
  std::string_view p = protocol;
  for (auto part : sdp_text::split(p, '/')) {
    if (part == "RTP") {
      return true;
    }
  }
  return false;
}

MediaDirection MediaDescription::effectiveDirection(
    std::optional<MediaDirection> sessionDirection) const {
  if (direction) {
    return *direction;
  }
  return sessionDirection.value_or(MediaDirection::SendRecv);
}

std::optional<CodecInfo> MediaDescription::codec(int payloadType) const {
  const auto map = std::find_if(rtpMaps.begin(), rtpMaps.end(),
                                [&](const RtpMap& r) { return r.payloadType == payloadType; });
  if (map == rtpMaps.end()) {
    return std::nullopt;
  }
  CodecInfo info;
  info.payloadType = payloadType;
  info.name = map->encodingName;
  info.clockRate = map->clockRate;
  info.channels = map->channels;
  for (const auto& f : fmtps) {
    if (f.payloadType == payloadType) {
      for (auto& [k, v] : parseFmtpParameters(f.parameters)) {
        info.parameters.emplace(k, v);
      }
    }
  }
  for (const auto& fb : rtcpFeedback) {
    if (!fb.payloadType || *fb.payloadType == payloadType) {
      info.feedback.push_back(fb);
    }
  }
  // The rtx format that repairs this one says so with apt=<this pt>.
  for (const auto& r : rtpMaps) {
    if (!equalsIgnoreCase(r.encodingName, "rtx")) {
      continue;
    }
    for (const auto& f : fmtps) {
      if (f.payloadType != r.payloadType) {
        continue;
      }
      const auto params = parseFmtpParameters(f.parameters);
      const auto apt = params.find("apt");
      if (apt != params.end() && apt->second == std::to_string(payloadType)) {
        info.rtxPayloadType = r.payloadType;
      }
    }
    if (info.rtxPayloadType) {
      break;
    }
  }
  return info;
}

std::vector<CodecInfo> MediaDescription::codecs() const {
  std::vector<CodecInfo> out;
  for (const auto& f : formats) {
    const auto pt = sdp_text::parsePayloadType(f);
    if (!pt) {
      continue;
    }
    if (auto c = codec(*pt)) {
      out.push_back(std::move(*c));
    }
  }
  return out;
}

std::optional<CodecInfo> MediaDescription::findCodec(std::string_view name) const {
  auto all = findCodecs(name);
  if (all.empty()) {
    return std::nullopt;
  }
  return std::move(all.front());
}

std::vector<CodecInfo> MediaDescription::findCodecs(std::string_view name) const {
  std::vector<CodecInfo> out;
  for (auto& c : codecs()) {
    if (equalsIgnoreCase(c.name, name)) {
      out.push_back(std::move(c));
    }
  }
  return out;
}

const ExtMap* MediaDescription::findExtMap(std::string_view uri) const {
  for (const auto& e : extMaps) {
    if (e.uri == uri) {
      return &e;
    }
  }
  return nullptr;
}

std::optional<int> MediaDescription::extMapId(std::string_view uri) const {
  const ExtMap* e = findExtMap(uri);
  if (e == nullptr) {
    return std::nullopt;
  }
  return e->id;
}

std::vector<std::uint32_t> MediaDescription::ssrcs() const {
  std::vector<std::uint32_t> out;
  for (const auto& g : ssrcGroups) {
    for (auto s : g.ssrcs) {
      if (!hasSsrc(out, s)) {
        out.push_back(s);
      }
    }
  }
  for (const auto& a : ssrcAttributes) {
    if (!hasSsrc(out, a.ssrc)) {
      out.push_back(a.ssrc);
    }
  }
  return out;
}

std::vector<SsrcFid> MediaDescription::fidPairs() const {
  std::vector<SsrcFid> out;
  for (const auto& g : ssrcGroups) {
    if (g.semantics == "FID" && g.ssrcs.size() == 2) {
      out.push_back({g.ssrcs[0], g.ssrcs[1]});
    }
  }
  return out;
}

std::vector<std::vector<std::uint32_t>> MediaDescription::simGroups() const {
  std::vector<std::vector<std::uint32_t>> out;
  for (const auto& g : ssrcGroups) {
    if (g.semantics == "SIM") {
      out.push_back(g.ssrcs);
    }
  }
  return out;
}

std::optional<std::uint32_t> MediaDescription::rtxSsrcFor(std::uint32_t primary) const {
  for (const auto& fid : fidPairs()) {
    if (fid.primary == primary) {
      return fid.rtx;
    }
  }
  return std::nullopt;
}

std::optional<std::string> MediaDescription::ssrcAttribute(std::uint32_t ssrc,
                                                           std::string_view name) const {
  for (const auto& a : ssrcAttributes) {
    if (a.ssrc == ssrc && a.name == name) {
      return a.value;
    }
  }
  return std::nullopt;
}

std::vector<Rid> MediaDescription::ridsFor(RidDirection dir) const {
  std::vector<Rid> out;
  for (const auto& r : rids) {
    if (r.direction == dir) {
      out.push_back(r);
    }
  }
  return out;
}

std::vector<SimulcastStream> MediaDescription::simulcastSendLayers() const {
  std::vector<SimulcastStream> out;
  if (!simulcast) {
    return out;
  }
  for (const auto& layer : simulcast->send) {
    if (!layer.empty()) {
      out.push_back(layer.front());
    }
  }
  return out;
}

void MediaDescription::addCodec(int payloadType, std::string name, std::uint32_t clockRate,
                                std::optional<std::uint32_t> channels, std::string fmtpParameters,
                                std::vector<RtcpFeedback> feedback) {
  formats.push_back(std::to_string(payloadType));
  rtpMaps.push_back({payloadType, std::move(name), clockRate, channels});
  for (auto& fb : feedback) {
    fb.payloadType = payloadType;
    rtcpFeedback.push_back(std::move(fb));
  }
  if (!fmtpParameters.empty()) {
    fmtps.push_back({payloadType, std::move(fmtpParameters)});
  }
}

void MediaDescription::addRtx(int rtxPayloadType, int associatedPayloadType,
                              std::uint32_t clockRate) {
  addCodec(rtxPayloadType, "rtx", clockRate, std::nullopt,
           "apt=" + std::to_string(associatedPayloadType));
}

void MediaDescription::addSsrc(std::uint32_t ssrc, std::string cname, std::optional<Msid> msid) {
  ssrcAttributes.push_back({ssrc, "cname", std::move(cname)});
  if (msid) {
    std::string value = msid->streamId;
    if (!msid->trackId.empty()) {
      value += ' ';
      value += msid->trackId;
    }
    ssrcAttributes.push_back({ssrc, "msid", std::move(value)});
  }
}

const SdpGroup* SessionDescription::findGroup(std::string_view semantics) const {
  for (const auto& g : groups) {
    if (g.semantics == semantics) {
      return &g;
    }
  }
  return nullptr;
}

std::vector<std::string> SessionDescription::bundleMids() const {
  const SdpGroup* g = findGroup("BUNDLE");
  return g == nullptr ? std::vector<std::string>{} : g->mids;
}

const MediaDescription* SessionDescription::findMedia(std::string_view mid) const {
  for (const auto& m : media) {
    if (m.mid && *m.mid == mid) {
      return &m;
    }
  }
  return nullptr;
}

std::optional<std::string> SessionDescription::iceUfragFor(const MediaDescription& m) const {
  return m.iceUfrag ? m.iceUfrag : iceUfrag;
}

std::optional<std::string> SessionDescription::icePwdFor(const MediaDescription& m) const {
  return m.icePwd ? m.icePwd : icePwd;
}

std::vector<std::string> SessionDescription::iceOptionsFor(const MediaDescription& m) const {
  return m.iceOptions.empty() ? iceOptions : m.iceOptions;
}

std::vector<SdpFingerprint> SessionDescription::fingerprintsFor(const MediaDescription& m) const {
  return m.fingerprints.empty() ? fingerprints : m.fingerprints;
}

std::optional<SdpSetup> SessionDescription::setupFor(const MediaDescription& m) const {
  return m.setup ? m.setup : setup;
}

bool SessionDescription::hasTrickle(const MediaDescription& m) const {
  const auto options = iceOptionsFor(m);
  return std::find(options.begin(), options.end(), "trickle") != options.end();
}

}  // namespace huddle::rtc
