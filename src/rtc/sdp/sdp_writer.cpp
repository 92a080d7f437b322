// writeSdp: emits the model in one fixed attribute order with CRLF endings. The order follows
// what Chromium writes, since Chromium is the peer most sensitive to SDP layout.

#include <set>

#include "rtc/sdp/session_description.h"

namespace huddle::rtc {

namespace {

class Writer {
 public:
  void line(std::string_view text) {
    out_ += text;
    out_ += "\r\n";
  }

  template <typename... Parts>
  void line(std::string_view first, const Parts&... rest) {
    out_ += first;
    (append(rest), ...);
    out_ += "\r\n";
  }

  std::string take() { return std::move(out_); }

 private:
  void append(std::string_view s) { out_ += s; }
  void append(const std::string& s) { out_ += s; }
  void append(const char* s) { out_ += s; }
  void append(char c) { out_ += c; }
  template <typename T>
    requires std::is_integral_v<T>
  void append(T v) {
    out_ += std::to_string(v);
  }

  std::string out_;
};

void writeConnection(Writer& w, const SdpConnection& c) {
  w.line("c=", c.netType, ' ', c.addrType, ' ', c.address);
}

void writeBandwidths(Writer& w, const std::vector<SdpBandwidth>& bandwidths) {
  for (const auto& b : bandwidths) {
    w.line("b=", b.type, ':', b.value);
  }
}

std::string extMapLine(const ExtMap& e) {
  std::string s = "a=extmap:" + std::to_string(e.id);
  if (e.direction) {
    s += '/';
    s += toString(*e.direction);
  }
  s += ' ';
  s += e.uri;
  if (!e.attributes.empty()) {
    s += ' ';
    s += e.attributes;
  }
  return s;
}

template <typename Source>
void writeTransport(Writer& w, const Source& s) {
  if (s.iceUfrag) {
    w.line("a=ice-ufrag:", *s.iceUfrag);
  }
  if (s.icePwd) {
    w.line("a=ice-pwd:", *s.icePwd);
  }
  if (!s.iceOptions.empty()) {
    std::string joined;
    for (const auto& o : s.iceOptions) {
      if (!joined.empty()) {
        joined += ' ';
      }
      joined += o;
    }
    w.line("a=ice-options:", joined);
  }
  for (const auto& fp : s.fingerprints) {
    w.line("a=fingerprint:", fp.algorithm, ' ', fp.value);
  }
  if (s.setup) {
    w.line("a=setup:", toString(*s.setup));
  }
}

std::string rtcpFbLine(const RtcpFeedback& fb) {
  std::string s = "a=rtcp-fb:";
  s += fb.payloadType ? std::to_string(*fb.payloadType) : "*";
  s += ' ';
  s += fb.type;
  if (!fb.parameter.empty()) {
    s += ' ';
    s += fb.parameter;
  }
  return s;
}

std::string fmtpLine(const Fmtp& f) {
  std::string s = "a=fmtp:" + std::to_string(f.payloadType);
  if (!f.parameters.empty()) {
    s += ' ';
    s += f.parameters;
  }
  return s;
}

std::string simulcastList(const std::vector<SimulcastAlternatives>& layers) {
  std::string s;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    if (i > 0) {
      s += ';';
    }
    for (std::size_t j = 0; j < layers[i].size(); ++j) {
      if (j > 0) {
        s += ',';
      }
      if (layers[i][j].paused) {
        s += '~';
      }
      s += layers[i][j].rid;
    }
  }
  return s;
}

void writeMedia(Writer& w, const MediaDescription& m) {
  std::string mline = "m=" + m.media + ' ' + std::to_string(m.port);
  if (m.portCount) {
    mline += '/';
    mline += std::to_string(*m.portCount);
  }
  mline += ' ';
  mline += m.protocol;
  for (const auto& f : m.formats) {
    mline += ' ';
    mline += f;
  }
  w.line(mline);
  for (const auto& l : m.otherLines) {
    w.line(l);
  }
  if (m.connection) {
    writeConnection(w, *m.connection);
  }
  writeBandwidths(w, m.bandwidths);
  writeTransport(w, m);
  if (m.mid) {
    w.line("a=mid:", *m.mid);
  }
  if (m.extmapAllowMixed) {
    w.line("a=extmap-allow-mixed");
  }
  for (const auto& e : m.extMaps) {
    w.line(extMapLine(e));
  }
  if (m.direction) {
    w.line("a=", toString(*m.direction));
  }
  for (const auto& msid : m.msids) {
    if (msid.trackId.empty()) {
      w.line("a=msid:", msid.streamId);
    } else {
      w.line("a=msid:", msid.streamId, ' ', msid.trackId);
    }
  }
  if (m.rtcpMux) {
    w.line("a=rtcp-mux");
  }
  if (m.rtcpMuxOnly) {
    w.line("a=rtcp-mux-only");
  }
  if (m.rtcpRsize) {
    w.line("a=rtcp-rsize");
  }

  // Per payload type: rtpmap, its rtcp-fb, its fmtp. Lines for unknown types and "*" follow.
  std::set<int> emitted;
  for (const auto& map : m.rtpMaps) {
    std::string rtpmap = "a=rtpmap:" + std::to_string(map.payloadType) + ' ' + map.encodingName +
                         '/' + std::to_string(map.clockRate);
    if (map.channels) {
      rtpmap += '/';
      rtpmap += std::to_string(*map.channels);
    }
    w.line(rtpmap);
    if (!emitted.insert(map.payloadType).second) {
      continue;
    }
    for (const auto& fb : m.rtcpFeedback) {
      if (fb.payloadType == map.payloadType) {
        w.line(rtcpFbLine(fb));
      }
    }
    for (const auto& f : m.fmtps) {
      if (f.payloadType == map.payloadType) {
        w.line(fmtpLine(f));
      }
    }
  }
  for (const auto& fb : m.rtcpFeedback) {
    if (!fb.payloadType || emitted.count(*fb.payloadType) == 0) {
      w.line(rtcpFbLine(fb));
    }
  }
  for (const auto& f : m.fmtps) {
    if (emitted.count(f.payloadType) == 0) {
      w.line(fmtpLine(f));
    }
  }

  for (const auto& rid : m.rids) {
    std::string s = "a=rid:" + rid.id + (rid.direction == RidDirection::Send ? " send" : " recv");
    if (!rid.restrictions.empty()) {
      s += ' ';
      s += rid.restrictions;
    }
    w.line(s);
  }
  if (m.simulcast && (!m.simulcast->send.empty() || !m.simulcast->recv.empty())) {
    std::string s = "a=simulcast:";
    if (!m.simulcast->send.empty()) {
      s += "send " + simulcastList(m.simulcast->send);
    }
    if (!m.simulcast->recv.empty()) {
      if (!m.simulcast->send.empty()) {
        s += ' ';
      }
      s += "recv " + simulcastList(m.simulcast->recv);
    }
    w.line(s);
  }
  for (const auto& g : m.ssrcGroups) {
    std::string s = "a=ssrc-group:" + g.semantics;
    for (auto ssrc : g.ssrcs) {
      s += ' ';
      s += std::to_string(ssrc);
    }
    w.line(s);
  }
  for (const auto& a : m.ssrcAttributes) {
    if (a.value.empty()) {
      w.line("a=ssrc:", a.ssrc, ' ', a.name);
    } else {
      w.line("a=ssrc:", a.ssrc, ' ', a.name, ':', a.value);
    }
  }
  if (m.sctpPort) {
    w.line("a=sctp-port:", *m.sctpPort);
  }
  if (m.sctpMap) {
    if (m.sctpMap->streams) {
      w.line("a=sctpmap:", m.sctpMap->port, ' ', m.sctpMap->app, ' ', *m.sctpMap->streams);
    } else {
      w.line("a=sctpmap:", m.sctpMap->port, ' ', m.sctpMap->app);
    }
  }
  if (m.maxMessageSize) {
    w.line("a=max-message-size:", *m.maxMessageSize);
  }
  for (const auto& c : m.candidates) {
    w.line("a=", c.toString());
  }
  if (m.endOfCandidates) {
    w.line("a=end-of-candidates");
  }
  for (const auto& a : m.otherAttributes) {
    w.line("a=", a);
  }
}

bool beforeConnection(const std::string& line) {
  const char t = line.empty() ? '\0' : line[0];
  return t == 'i' || t == 'u' || t == 'e' || t == 'p';
}

}  // namespace

std::string writeSdp(const SessionDescription& d) {
  Writer w;
  w.line("v=", d.version);
  w.line("o=", d.origin.username, ' ', d.origin.sessionId, ' ', d.origin.sessionVersion, ' ',
         d.origin.netType, ' ', d.origin.addrType, ' ', d.origin.address);
  w.line("s=", d.sessionName);
  for (const auto& l : d.otherLines) {
    if (beforeConnection(l)) {
      w.line(l);
    }
  }
  if (d.connection) {
    writeConnection(w, *d.connection);
  }
  writeBandwidths(w, d.bandwidths);
  for (const auto& t : d.timing) {
    w.line("t=", t);
  }
  for (const auto& l : d.otherLines) {
    if (!beforeConnection(l)) {
      w.line(l);
    }
  }
  if (d.iceLite) {
    w.line("a=ice-lite");
  }
  writeTransport(w, d);
  for (const auto& g : d.groups) {
    std::string s = "a=group:" + g.semantics;
    for (const auto& mid : g.mids) {
      s += ' ';
      s += mid;
    }
    w.line(s);
  }
  if (d.extmapAllowMixed) {
    w.line("a=extmap-allow-mixed");
  }
  if (d.msidSemantic) {
    std::string s = "a=msid-semantic: " + d.msidSemantic->semantic;
    for (const auto& id : d.msidSemantic->identifiers) {
      s += ' ';
      s += id;
    }
    w.line(s);
  }
  if (d.direction) {
    w.line("a=", toString(*d.direction));
  }
  for (const auto& e : d.extMaps) {
    w.line(extMapLine(e));
  }
  for (const auto& a : d.otherAttributes) {
    w.line("a=", a);
  }
  for (const auto& m : d.media) {
    writeMedia(w, m);
  }
  return w.take();
}

std::string_view toString(MediaDirection direction) {
  switch (direction) {
    case MediaDirection::SendRecv: return "sendrecv";
    case MediaDirection::SendOnly: return "sendonly";
    case MediaDirection::RecvOnly: return "recvonly";
    case MediaDirection::Inactive: return "inactive";
  }
  return "sendrecv";
}

std::string_view toString(SdpSetup setup) {
  switch (setup) {
    case SdpSetup::ActPass: return "actpass";
    case SdpSetup::Active: return "active";
    case SdpSetup::Passive: return "passive";
    case SdpSetup::HoldConn: return "holdconn";
  }
  return "actpass";
}

}  // namespace huddle::rtc
