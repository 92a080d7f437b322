// parseSdp: line-by-line reader. A malformed known line costs a warning, never the session:
// browsers and libwebrtc each extend SDP a little and we must still answer them.

#include <algorithm>
#include <climits>
#include <unordered_map>

#include "rtc/sdp/sdp_text.h"
#include "rtc/sdp/session_description.h"

namespace huddle::rtc {

namespace {

using namespace sdp_text;

struct Attribute {
  std::string_view name;
  std::optional<std::string_view> value;  // nullopt for flags such as "a=rtcp-mux"
};

Attribute splitAttribute(std::string_view text) {
  const std::size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return {text, std::nullopt};
  }
  return {text.substr(0, colon), text.substr(colon + 1)};
}

// Splits "head rest" at the first blank; rest is trimmed.
std::pair<std::string_view, std::string_view> splitFirst(std::string_view text) {
  text = trim(text);
  std::size_t i = 0;
  while (i < text.size() && text[i] != ' ' && text[i] != '\t') {
    ++i;
  }
  return {text.substr(0, i), trim(text.substr(i))};
}

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

std::optional<SdpFingerprint> parseFingerprint(std::string_view value) {
  const auto parts = splitWhitespace(value);
  if (parts.size() != 2 || !isToken(parts[0])) {
    return std::nullopt;
  }
  const auto bytes = split(parts[1], ':');
  for (auto b : bytes) {
    if (b.size() != 2 || !isHex(b[0]) || !isHex(b[1])) {
      return std::nullopt;
    }
  }
  SdpFingerprint fp;
  fp.algorithm = toLower(parts[0]);
  fp.value = std::string(parts[1]);
  for (char& c : fp.value) {
    if (c >= 'a' && c <= 'f') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return fp;
}

std::optional<SdpConnection> parseConnection(std::string_view value) {
  const auto parts = splitWhitespace(value);
  if (parts.size() != 3) {
    return std::nullopt;
  }
  return SdpConnection{std::string(parts[0]), std::string(parts[1]), std::string(parts[2])};
}

std::optional<SdpBandwidth> parseBandwidth(std::string_view value) {
  const std::size_t colon = value.find(':');
  if (colon == std::string_view::npos || !isToken(value.substr(0, colon))) {
    return std::nullopt;
  }
  const auto number = parseUnsigned<std::uint64_t>(value.substr(colon + 1));
  if (!number) {
    return std::nullopt;
  }
  return SdpBandwidth{std::string(value.substr(0, colon)), *number};
}

std::optional<SdpOrigin> parseOrigin(std::string_view value) {
  const auto parts = splitWhitespace(value);
  if (parts.size() != 6) {
    return std::nullopt;
  }
  if (!parseUnsigned<std::uint64_t>(parts[1]) && parts[1].find_first_not_of("0123456789") !=
                                                     std::string_view::npos) {
    return std::nullopt;
  }
  const auto version = parseUnsigned<std::uint64_t>(parts[2]);
  if (!version) {
    return std::nullopt;
  }
  SdpOrigin o;
  o.username = std::string(parts[0]);
  o.sessionId = std::string(parts[1]);
  o.sessionVersion = *version;
  o.netType = std::string(parts[3]);
  o.addrType = std::string(parts[4]);
  o.address = std::string(parts[5]);
  return o;
}

std::optional<MediaDescription> parseMediaLine(std::string_view value) {
  const auto parts = splitWhitespace(value);
  if (parts.size() < 3 || !isToken(parts[0])) {
    return std::nullopt;
  }
  MediaDescription m;
  m.media = std::string(parts[0]);
  std::string_view port = parts[1];
  const std::size_t slash = port.find('/');
  if (slash != std::string_view::npos) {
    const auto count = parseUnsigned<std::uint16_t>(port.substr(slash + 1));
    if (!count) {
      return std::nullopt;
    }
    m.portCount = *count;
    port = port.substr(0, slash);
  }
  const auto portNumber = parseUnsigned<std::uint16_t>(port);
  if (!portNumber) {
    return std::nullopt;
  }
  m.port = *portNumber;
  m.protocol = std::string(parts[2]);
  for (std::size_t i = 3; i < parts.size(); ++i) {
    m.formats.emplace_back(parts[i]);
  }
  // RTP profiles carry payload type numbers; anything else there means we misread the line.
  if (m.isRtp()) {
    for (const auto& f : m.formats) {
      if (!parsePayloadType(f)) {
        return std::nullopt;
      }
    }
  }
  return m;
}

std::optional<RtpMap> parseRtpMap(std::string_view value) {
  const auto [ptText, rest] = splitFirst(value);
  const auto pt = parsePayloadType(ptText);
  if (!pt || rest.empty() || rest.find_first_of(" \t") != std::string_view::npos) {
    return std::nullopt;
  }
  const auto pieces = split(rest, '/');
  if (pieces.size() < 2 || pieces.size() > 3 || !isToken(pieces[0])) {
    return std::nullopt;
  }
  const auto clock = parseUnsigned<std::uint32_t>(pieces[1]);
  if (!clock) {
    return std::nullopt;
  }
  RtpMap map;
  map.payloadType = *pt;
  map.encodingName = std::string(pieces[0]);
  map.clockRate = *clock;
  if (pieces.size() == 3) {
    const auto channels = parseUnsigned<std::uint32_t>(pieces[2]);
    if (!channels) {
      return std::nullopt;
    }
    map.channels = *channels;
  }
  return map;
}

std::optional<Fmtp> parseFmtp(std::string_view value) {
  const auto [ptText, rest] = splitFirst(value);
  const auto pt = parsePayloadType(ptText);
  if (!pt) {
    return std::nullopt;
  }
  return Fmtp{*pt, std::string(rest)};
}

std::optional<RtcpFeedback> parseRtcpFb(std::string_view value) {
  const auto [ptText, rest] = splitFirst(value);
  RtcpFeedback fb;
  if (ptText != "*") {
    const auto pt = parsePayloadType(ptText);
    if (!pt) {
      return std::nullopt;
    }
    fb.payloadType = *pt;
  }
  const auto [type, parameter] = splitFirst(rest);
  if (!isToken(type)) {
    return std::nullopt;
  }
  fb.type = std::string(type);
  fb.parameter = std::string(parameter);
  return fb;
}

std::optional<ExtMap> parseExtMap(std::string_view value) {
  const auto [head, rest] = splitFirst(value);
  ExtMap ext;
  std::string_view idText = head;
  const std::size_t slash = head.find('/');
  if (slash != std::string_view::npos) {
    idText = head.substr(0, slash);
    ext.direction = parseMediaDirection(head.substr(slash + 1));
    if (!ext.direction) {
      return std::nullopt;
    }
  }
  const auto id = parseUnsigned<std::uint32_t>(idText);
  // 1-14 one-byte, up to 255 two-byte (RFC 8285); 4096+ are for negotiation only.
  if (!id || *id < 1 || *id > 4095) {
    return std::nullopt;
  }
  ext.id = static_cast<int>(*id);
  const auto [uri, attributes] = splitFirst(rest);
  if (!isVisibleNoSpace(uri)) {
    return std::nullopt;
  }
  ext.uri = std::string(uri);
  ext.attributes = std::string(attributes);
  return ext;
}

std::optional<SsrcAttribute> parseSsrc(std::string_view value) {
  const auto [ssrcText, rest] = splitFirst(value);
  const auto ssrc = parseUnsigned<std::uint32_t>(ssrcText);
  if (!ssrc || rest.empty()) {
    return std::nullopt;
  }
  SsrcAttribute a;
  a.ssrc = *ssrc;
  const std::size_t colon = rest.find(':');
  const std::string_view name = colon == std::string_view::npos ? rest : rest.substr(0, colon);
  if (!isToken(name)) {
    return std::nullopt;
  }
  a.name = std::string(name);
  if (colon != std::string_view::npos) {
    a.value = std::string(rest.substr(colon + 1));
  }
  return a;
}

std::optional<SsrcGroup> parseSsrcGroup(std::string_view value) {
  const auto parts = splitWhitespace(value);
  if (parts.size() < 2 || !isToken(parts[0])) {
    return std::nullopt;
  }
  SsrcGroup g;
  g.semantics = std::string(parts[0]);
  for (std::size_t i = 1; i < parts.size(); ++i) {
    const auto ssrc = parseUnsigned<std::uint32_t>(parts[i]);
    if (!ssrc) {
      return std::nullopt;
    }
    g.ssrcs.push_back(*ssrc);
  }
  return g;
}

// RFC 8851 rid-id: alphanumerics, '-' and '_'.
bool isRidId(std::string_view text) {
  if (text.empty() || text.size() > 255) {
    return false;
  }
  for (char c : text) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                    (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

std::optional<Rid> parseRid(std::string_view value) {
  const auto [id, rest] = splitFirst(value);
  const auto [dir, restrictions] = splitFirst(rest);
  if (!isRidId(id)) {
    return std::nullopt;
  }
  Rid rid;
  rid.id = std::string(id);
  if (dir == "send") {
    rid.direction = RidDirection::Send;
  } else if (dir == "recv") {
    rid.direction = RidDirection::Recv;
  } else {
    return std::nullopt;
  }
  rid.restrictions = std::string(restrictions);
  for (auto item : split(restrictions, ';')) {
    item = trim(item);
    if (item.starts_with("pt=")) {
      for (auto ptText : split(item.substr(3), ',')) {
        const auto pt = parsePayloadType(trim(ptText));
        if (!pt) {
          return std::nullopt;
        }
        rid.payloadTypes.push_back(*pt);
      }
    }
  }
  return rid;
}

std::optional<std::vector<SimulcastAlternatives>> parseSimulcastList(std::string_view text) {
  // Drafts before RFC 8853 prefixed the list with "rid="; Firefox sent that for a while.
  if (text.starts_with("rid=")) {
    text.remove_prefix(4);
  }
  std::vector<SimulcastAlternatives> layers;
  for (auto layerText : split(text, ';')) {
    SimulcastAlternatives alternatives;
    for (auto streamText : split(layerText, ',')) {
      SimulcastStream stream;
      if (streamText.starts_with('~')) {
        stream.paused = true;
        streamText.remove_prefix(1);
      }
      if (!isRidId(streamText)) {
        return std::nullopt;
      }
      stream.rid = std::string(streamText);
      alternatives.push_back(std::move(stream));
    }
    layers.push_back(std::move(alternatives));
  }
  return layers;
}

std::optional<Simulcast> parseSimulcast(std::string_view value) {
  const auto parts = splitWhitespace(value);
  if (parts.empty() || parts.size() % 2 != 0 || parts.size() > 4) {
    return std::nullopt;
  }
  Simulcast sc;
  bool sawSend = false;
  bool sawRecv = false;
  for (std::size_t i = 0; i < parts.size(); i += 2) {
    auto list = parseSimulcastList(parts[i + 1]);
    if (!list) {
      return std::nullopt;
    }
    if (parts[i] == "send" && !sawSend) {
      sawSend = true;
      sc.send = std::move(*list);
    } else if (parts[i] == "recv" && !sawRecv) {
      sawRecv = true;
      sc.recv = std::move(*list);
    } else {
      return std::nullopt;
    }
  }
  return sc;
}

std::optional<SctpMap> parseSctpMap(std::string_view value) {
  const auto parts = splitWhitespace(value);
  if (parts.size() < 2 || parts.size() > 3 || !isToken(parts[1])) {
    return std::nullopt;
  }
  const auto port = parseUnsigned<std::uint16_t>(parts[0]);
  if (!port) {
    return std::nullopt;
  }
  SctpMap map{*port, std::string(parts[1]), std::nullopt};
  if (parts.size() == 3) {
    const auto streams = parseUnsigned<std::uint32_t>(parts[2]);
    if (!streams) {
      return std::nullopt;
    }
    map.streams = *streams;
  }
  return map;
}

std::optional<std::vector<std::string>> parseIceOptions(std::string_view value) {
  const auto parts = splitWhitespace(value);
  if (parts.empty()) {
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (auto p : parts) {
    if (!isToken(p)) {
      return std::nullopt;
    }
    out.emplace_back(p);
  }
  return out;
}

std::optional<std::string> parseIceCredential(std::string_view value) {
  if (!isVisibleNoSpace(value) || value.size() > 256) {
    return std::nullopt;
  }
  return std::string(value);
}

// RFC 4566 wants i/u/e/p before c= and the rest after t=; writeSdp relies on this rank.
int sessionLineRank(const std::string& line) {
  const char t = line.empty() ? '\0' : line[0];
  return (t == 'i' || t == 'u' || t == 'e' || t == 'p') ? 0 : 1;
}

class Parser {
 public:
  explicit Parser(ParsedSdp& out) : out_(out), session_(out.description) {}

  void warn(std::size_t lineNo, std::string_view what) {
    ++out_.warningCount;
    if (out_.warnings.size() < kMaxSdpWarningsKept) {
      out_.warnings.push_back("line " + std::to_string(lineNo) + ": " + std::string(what));
    }
  }

  void sessionLine(std::size_t lineNo, char type, std::string_view value, std::string_view line) {
    switch (type) {
      case 'v':
        warn(lineNo, "repeated v= line");
        return;
      case 'o':
        if (auto o = parseOrigin(value)) {
          session_.origin = std::move(*o);
        } else {
          warn(lineNo, "bad o= line");
        }
        return;
      case 's':
        session_.sessionName = std::string(value);
        return;
      case 't':
        if (!sawTiming_) {
          session_.timing.clear();
          sawTiming_ = true;
        }
        session_.timing.emplace_back(value);
        return;
      case 'c':
        if (auto c = parseConnection(value)) {
          session_.connection = std::move(*c);
        } else {
          warn(lineNo, "bad c= line");
        }
        return;
      case 'b':
        if (auto b = parseBandwidth(value)) {
          session_.bandwidths.push_back(std::move(*b));
        } else {
          warn(lineNo, "bad b= line");
        }
        return;
      case 'a':
        sessionAttribute(lineNo, value);
        return;
      default:
        session_.otherLines.emplace_back(line);
        return;
    }
  }

  void mediaLine(MediaDescription& m, std::size_t lineNo, char type, std::string_view value,
                 std::string_view line) {
    switch (type) {
      case 'v':
      case 'o':
      case 's':
      case 't':
        warn(lineNo, "session-level line inside a media section");
        return;
      case 'c':
        if (auto c = parseConnection(value)) {
          m.connection = std::move(*c);
        } else {
          warn(lineNo, "bad c= line");
        }
        return;
      case 'b':
        if (auto b = parseBandwidth(value)) {
          m.bandwidths.push_back(std::move(*b));
        } else {
          warn(lineNo, "bad b= line");
        }
        return;
      case 'a':
        mediaAttribute(m, lineNo, value);
        return;
      default:
        m.otherLines.emplace_back(line);
        return;
    }
  }

 private:
  // Attributes allowed at both levels. Returns false when the name is not one of them.
  template <typename Target>
  bool transportAttribute(Target& t, std::size_t lineNo, const Attribute& a) {
    const std::string_view v = a.value.value_or(std::string_view{});
    if (a.name == "ice-ufrag") {
      if (auto u = parseIceCredential(v)) {
        t.iceUfrag = std::move(*u);
      } else {
        warn(lineNo, "bad a=ice-ufrag");
      }
    } else if (a.name == "ice-pwd") {
      if (auto p = parseIceCredential(v)) {
        t.icePwd = std::move(*p);
      } else {
        warn(lineNo, "bad a=ice-pwd");
      }
    } else if (a.name == "ice-options") {
      if (auto o = parseIceOptions(v)) {
        t.iceOptions.insert(t.iceOptions.end(), o->begin(), o->end());
      } else {
        warn(lineNo, "bad a=ice-options");
      }
    } else if (a.name == "fingerprint") {
      if (auto fp = parseFingerprint(v)) {
        t.fingerprints.push_back(std::move(*fp));
      } else {
        warn(lineNo, "bad a=fingerprint");
      }
    } else if (a.name == "setup") {
      if (auto s = parseDtlsSetup(v)) {
        t.setup = *s;
      } else {
        warn(lineNo, "bad a=setup");
      }
    } else if (a.name == "extmap") {
      if (auto e = parseExtMap(v)) {
        t.extMaps.push_back(std::move(*e));
      } else {
        warn(lineNo, "bad a=extmap");
      }
    } else if (a.name == "extmap-allow-mixed") {
      t.extmapAllowMixed = true;
    } else if (auto dir = parseMediaDirection(a.name); dir && !a.value) {
      t.direction = *dir;
    } else {
      return false;
    }
    return true;
  }

  void sessionAttribute(std::size_t lineNo, std::string_view text) {
    const Attribute a = splitAttribute(text);
    if (a.name.empty()) {
      warn(lineNo, "empty attribute");
      return;
    }
    if (transportAttribute(session_, lineNo, a)) {
      return;
    }
    const std::string_view v = a.value.value_or(std::string_view{});
    if (a.name == "group") {
      const auto parts = splitWhitespace(v);
      if (parts.empty() || !isToken(parts[0])) {
        warn(lineNo, "bad a=group");
        return;
      }
      SdpGroup g;
      g.semantics = std::string(parts[0]);
      for (std::size_t i = 1; i < parts.size(); ++i) {
        g.mids.emplace_back(parts[i]);
      }
      session_.groups.push_back(std::move(g));
    } else if (a.name == "msid-semantic") {
      const auto parts = splitWhitespace(v);
      if (parts.empty()) {
        warn(lineNo, "bad a=msid-semantic");
        return;
      }
      MsidSemantic ms;
      ms.semantic = std::string(parts[0]);
      for (std::size_t i = 1; i < parts.size(); ++i) {
        ms.identifiers.emplace_back(parts[i]);
      }
      session_.msidSemantic = std::move(ms);
    } else if (a.name == "ice-lite" && !a.value) {
      session_.iceLite = true;
    } else {
      session_.otherAttributes.emplace_back(text);
    }
  }

  void mediaAttribute(MediaDescription& m, std::size_t lineNo, std::string_view text) {
    const Attribute a = splitAttribute(text);
    if (a.name.empty()) {
      warn(lineNo, "empty attribute");
      return;
    }
    if (transportAttribute(m, lineNo, a)) {
      return;
    }
    const std::string_view v = a.value.value_or(std::string_view{});
    const auto flag = [&](bool& field) {
      if (a.value) {
        warn(lineNo, "flag attribute with a value");
      } else {
        field = true;
      }
    };
    // Parses with fn; on success appends/assigns through store, else warns "bad a=<name>".
    const auto take = [&](auto parsed, auto store) {
      if (parsed) {
        store(std::move(*parsed));
      } else {
        warn(lineNo, "bad a=" + std::string(a.name));
      }
    };

    if (a.name == "mid") {
      take(isVisibleNoSpace(v) ? std::optional<std::string>(v) : std::nullopt,
           [&](std::string x) { m.mid = std::move(x); });
    } else if (a.name == "msid") {
      const auto parts = splitWhitespace(v);
      take(parts.size() == 1 || parts.size() == 2
               ? std::optional<Msid>(Msid{std::string(parts[0]),
                                          parts.size() == 2 ? std::string(parts[1]) : ""})
               : std::nullopt,
           [&](Msid x) { m.msids.push_back(std::move(x)); });
    } else if (a.name == "rtcp-mux") {
      flag(m.rtcpMux);
    } else if (a.name == "rtcp-mux-only") {
      flag(m.rtcpMuxOnly);
    } else if (a.name == "rtcp-rsize") {
      flag(m.rtcpRsize);
    } else if (a.name == "end-of-candidates") {
      flag(m.endOfCandidates);
    } else if (a.name == "candidate") {
      take(IceCandidate::parse(v), [&](IceCandidate x) { m.candidates.push_back(std::move(x)); });
    } else if (a.name == "rtpmap") {
      take(parseRtpMap(v), [&](RtpMap x) { m.rtpMaps.push_back(std::move(x)); });
    } else if (a.name == "fmtp") {
      take(parseFmtp(v), [&](Fmtp x) { m.fmtps.push_back(std::move(x)); });
    } else if (a.name == "rtcp-fb") {
      take(parseRtcpFb(v), [&](RtcpFeedback x) { m.rtcpFeedback.push_back(std::move(x)); });
    } else if (a.name == "ssrc") {
      take(parseSsrc(v), [&](SsrcAttribute x) { m.ssrcAttributes.push_back(std::move(x)); });
    } else if (a.name == "ssrc-group") {
      take(parseSsrcGroup(v), [&](SsrcGroup x) { m.ssrcGroups.push_back(std::move(x)); });
    } else if (a.name == "rid") {
      take(parseRid(v), [&](Rid x) { m.rids.push_back(std::move(x)); });
    } else if (a.name == "simulcast") {
      take(parseSimulcast(v), [&](Simulcast x) { m.simulcast = std::move(x); });
    } else if (a.name == "sctp-port") {
      take(parseUnsigned<std::uint16_t>(v), [&](std::uint16_t x) { m.sctpPort = x; });
    } else if (a.name == "max-message-size") {
      take(parseUnsigned<std::uint64_t>(v), [&](std::uint64_t x) { m.maxMessageSize = x; });
    } else if (a.name == "sctpmap") {
      take(parseSctpMap(v), [&](SctpMap x) { m.sctpMap = std::move(x); });
    } else {
      m.otherAttributes.emplace_back(text);
    }
  }

  ParsedSdp& out_;
  SessionDescription& session_;
  bool sawTiming_ = false;
};

// Puts fmtp and rtcp-fb lines in rtpmap order (the order writeSdp emits them in), so a model
// parsed from Firefox's alphabetical layout equals the one parsed back from our output.
void normalize(MediaDescription& m) {
  std::unordered_map<int, std::size_t> rank;
  for (std::size_t i = 0; i < m.rtpMaps.size(); ++i) {
    rank.emplace(m.rtpMaps[i].payloadType, i);
  }
  const auto rankOf = [&](std::optional<int> pt) -> std::size_t {
    if (!pt) {
      return SIZE_MAX;
    }
    const auto it = rank.find(*pt);
    return it == rank.end() ? SIZE_MAX : it->second;
  };
  std::stable_sort(m.fmtps.begin(), m.fmtps.end(), [&](const Fmtp& a, const Fmtp& b) {
    return rankOf(a.payloadType) < rankOf(b.payloadType);
  });
  std::stable_sort(m.rtcpFeedback.begin(), m.rtcpFeedback.end(),
                   [&](const RtcpFeedback& a, const RtcpFeedback& b) {
                     return rankOf(a.payloadType) < rankOf(b.payloadType);
                   });
}

bool isBlank(std::string_view line) {
  return trim(line).empty();
}

}  // namespace

Result<ParsedSdp, SdpErrorCode> parseSdp(std::string_view text, SdpParseOptions options) {
  if (text.size() > kMaxSdpSize) {
    return Error{SdpErrorCode::TooLarge, "SDP is " + std::to_string(text.size()) +
                                             " bytes, over the limit of " +
                                             std::to_string(kMaxSdpSize)};
  }
  ParsedSdp out;
  Parser parser(out);
  MediaDescription* current = nullptr;
  bool sawVersion = false;
  std::size_t lineNo = 0;

  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++lineNo;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (isBlank(line)) {
      continue;
    }
    if (!sawVersion) {
      if (line != "v=0") {
        return Error{SdpErrorCode::MissingVersion,
                     "SDP must start with a v=0 line (line " + std::to_string(lineNo) + ")"};
      }
      sawVersion = true;
      continue;
    }
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      parser.warn(lineNo, "not a <type>=<value> line");
      continue;
    }
    const char type = line[0];
    const std::string_view value = line.substr(2);
    if (type == 'm') {
      auto m = parseMediaLine(value);
      if (!m) {
        return Error{SdpErrorCode::BadMediaLine,
                     "malformed m= line at line " + std::to_string(lineNo) +
                         " (want: m=<media> <port> <proto> <fmt>...)"};
      }
      out.description.media.push_back(std::move(*m));
      current = &out.description.media.back();
      continue;
    }
    if (current != nullptr) {
      parser.mediaLine(*current, lineNo, type, value, line);
    } else {
      parser.sessionLine(lineNo, type, value, line);
    }
  }

  if (!sawVersion) {
    return Error{SdpErrorCode::Empty, std::string("SDP is empty")};
  }
  if (options.requireMedia && out.description.media.empty()) {
    return Error{SdpErrorCode::MissingMedia, std::string("SDP has no m= line")};
  }
  std::stable_sort(out.description.otherLines.begin(), out.description.otherLines.end(),
                   [](const std::string& a, const std::string& b) {
                     return sessionLineRank(a) < sessionLineRank(b);
                   });
  for (auto& m : out.description.media) {
    normalize(m);
  }
  return out;
}

std::optional<MediaDirection> parseMediaDirection(std::string_view text) {
  if (text == "sendrecv") return MediaDirection::SendRecv;
  if (text == "sendonly") return MediaDirection::SendOnly;
  if (text == "recvonly") return MediaDirection::RecvOnly;
  if (text == "inactive") return MediaDirection::Inactive;
  return std::nullopt;
}

std::optional<SdpSetup> parseDtlsSetup(std::string_view text) {
  if (text == "actpass") return SdpSetup::ActPass;
  if (text == "active") return SdpSetup::Active;
  if (text == "passive") return SdpSetup::Passive;
  if (text == "holdconn") return SdpSetup::HoldConn;
  return std::nullopt;
}

std::map<std::string, std::string> parseFmtpParameters(std::string_view text) {
  std::map<std::string, std::string> out;
  for (auto item : split(text, ';')) {
    item = trim(item);
    if (item.empty()) {
      continue;
    }
    const std::size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      out.emplace(std::string(item), std::string());
    } else {
      out.emplace(std::string(trim(item.substr(0, eq))), std::string(trim(item.substr(eq + 1))));
    }
  }
  return out;
}

}  // namespace huddle::rtc
