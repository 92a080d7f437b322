#pragma once
// SessionDescription: the SDP model an SFU offers and answers with, plus parseSdp/writeSdp.
// Pure, any thread.
//
// Known attributes are typed fields; anything else is kept verbatim, in order, in
// otherAttributes/otherLines so a description we re-serialize still says what the peer said.
// writeSdp emits known attributes in a fixed order (rtpmap, rtcp-fb and fmtp grouped per
// payload type, as Chromium writes them), so parse -> write -> parse yields an equal model.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "rtc/sdp/ice_candidate.h"

namespace huddle::rtc {

enum class MediaDirection : std::uint8_t { SendRecv, SendOnly, RecvOnly, Inactive };
enum class SdpSetup : std::uint8_t { ActPass, Active, Passive, HoldConn };
enum class MediaKind : std::uint8_t { Audio, Video, Application, Other };
enum class RidDirection : std::uint8_t { Send, Recv };

struct SdpOrigin {
  std::string username = "-";
  std::string sessionId = "0";  // digits; kept as text because peers exceed 64 bits
  std::uint64_t sessionVersion = 0;
  std::string netType = "IN";
  std::string addrType = "IP4";
  std::string address = "127.0.0.1";
  bool operator==(const SdpOrigin&) const = default;
};

// c= line.
struct SdpConnection {
  std::string netType = "IN";
  std::string addrType = "IP4";
  std::string address = "0.0.0.0";
  bool operator==(const SdpConnection&) const = default;
};

// b=<type>:<value>, e.g. AS:2500 or TIAS:2500000.
struct SdpBandwidth {
  std::string type;
  std::uint64_t value = 0;
  bool operator==(const SdpBandwidth&) const = default;
};

// a=group:<semantics> <mid>...
struct SdpGroup {
  std::string semantics;
  std::vector<std::string> mids;
  bool operator==(const SdpGroup&) const = default;
};

// a=msid-semantic: WMS [<id>...]
struct MsidSemantic {
  std::string semantic = "WMS";
  std::vector<std::string> identifiers;
  bool operator==(const MsidSemantic&) const = default;
};

// a=fingerprint:<hash-func> <hex pairs joined by ':'>
struct SdpFingerprint {
  std::string algorithm;  // lower case, e.g. "sha-256"
  std::string value;      // upper-case hex with colons
  bool operator==(const SdpFingerprint&) const = default;
};

// a=msid:<stream id> [<track id>]
struct Msid {
  std::string streamId;
  std::string trackId;  // empty when the peer sent none
  bool operator==(const Msid&) const = default;
};

// a=rtpmap:<pt> <name>/<clock>[/<channels>]
struct RtpMap {
  int payloadType = 0;
  std::string encodingName;
  std::uint32_t clockRate = 0;
  std::optional<std::uint32_t> channels;
  bool operator==(const RtpMap&) const = default;
};

// a=fmtp:<pt> <parameters>; parameters stay text, see parseFmtpParameters().
struct Fmtp {
  int payloadType = 0;
  std::string parameters;
  bool operator==(const Fmtp&) const = default;
};

// a=rtcp-fb:<pt>|* <type> [<parameter>]
struct RtcpFeedback {
  std::optional<int> payloadType;  // nullopt means "*": applies to every format
  std::string type;                // "nack", "ccm", "transport-cc", "goog-remb"...
  std::string parameter;           // "pli", "fir" or empty
  bool operator==(const RtcpFeedback&) const = default;
};

// a=extmap:<id>[/<direction>] <uri> [<attributes>]
struct ExtMap {
  int id = 0;
  std::optional<MediaDirection> direction;
  std::string uri;
  std::string attributes;
  bool operator==(const ExtMap&) const = default;
};

// a=ssrc:<ssrc> <attribute>[:<value>]
struct SsrcAttribute {
  std::uint32_t ssrc = 0;
  std::string name;   // "cname", "msid", "mslabel", "label"...
  std::string value;  // everything after the first ':'; may contain spaces (msid)
  bool operator==(const SsrcAttribute&) const = default;
};

// a=ssrc-group:<semantics> <ssrc>...
struct SsrcGroup {
  std::string semantics;  // "FID" (primary, rtx) or "SIM" (low to high layer)
  std::vector<std::uint32_t> ssrcs;
  bool operator==(const SsrcGroup&) const = default;
};

// a=rid:<id> send|recv [<restrictions>]
struct Rid {
  std::string id;
  RidDirection direction = RidDirection::Send;
  std::vector<int> payloadTypes;  // from "pt=", empty if absent
  std::string restrictions;       // the whole restriction text as written, "pt=" included
  bool operator==(const Rid&) const = default;
};

struct SimulcastStream {
  std::string rid;
  bool paused = false;  // written with a leading '~'
  bool operator==(const SimulcastStream&) const = default;
};

// One simulcast layer; its alternatives are the comma-separated rids.
using SimulcastAlternatives = std::vector<SimulcastStream>;

// a=simulcast:[send <list>] [recv <list>]
struct Simulcast {
  std::vector<SimulcastAlternatives> send;
  std::vector<SimulcastAlternatives> recv;
  bool operator==(const Simulcast&) const = default;
};

// a=sctpmap:<port> <app> [<streams>] (pre-RFC 8841 form, still sent by old peers).
struct SctpMap {
  std::uint16_t port = 0;
  std::string app;
  std::optional<std::uint32_t> streams;
  bool operator==(const SctpMap&) const = default;
};

// What an SFU needs to know about one payload type, gathered from rtpmap/fmtp/rtcp-fb.
struct CodecInfo {
  int payloadType = 0;
  std::string name;
  std::uint32_t clockRate = 0;
  std::optional<std::uint32_t> channels;
  std::optional<int> rtxPayloadType;  // the rtx format whose apt= names this one
  std::map<std::string, std::string> parameters;
  std::vector<RtcpFeedback> feedback;  // its own lines and the "*" ones
};

// SSRC bookkeeping of a legacy (ssrc-group) media section.
struct SsrcFid {
  std::uint32_t primary = 0;
  std::uint32_t rtx = 0;
  bool operator==(const SsrcFid&) const = default;
};

struct MediaDescription {
  std::string media = "audio";  // as written: audio, video, application...
  std::uint16_t port = 9;
  std::optional<std::uint16_t> portCount;
  std::string protocol = "UDP/TLS/RTP/SAVPF";
  std::vector<std::string> formats;  // payload types, or "webrtc-datachannel"
  std::optional<SdpConnection> connection;
  std::vector<SdpBandwidth> bandwidths;

  std::optional<std::string> mid;
  std::vector<Msid> msids;
  std::optional<MediaDirection> direction;
  bool rtcpMux = false;
  bool rtcpMuxOnly = false;
  bool rtcpRsize = false;
  bool extmapAllowMixed = false;

  std::optional<std::string> iceUfrag;
  std::optional<std::string> icePwd;
  std::vector<std::string> iceOptions;
  std::vector<SdpFingerprint> fingerprints;
  std::optional<SdpSetup> setup;
  std::vector<IceCandidate> candidates;
  bool endOfCandidates = false;

  std::vector<RtpMap> rtpMaps;
  std::vector<Fmtp> fmtps;
  std::vector<RtcpFeedback> rtcpFeedback;
  std::vector<ExtMap> extMaps;
  std::vector<SsrcAttribute> ssrcAttributes;
  std::vector<SsrcGroup> ssrcGroups;
  std::vector<Rid> rids;
  std::optional<Simulcast> simulcast;

  std::optional<std::uint16_t> sctpPort;
  std::optional<std::uint64_t> maxMessageSize;
  std::optional<SctpMap> sctpMap;

  std::vector<std::string> otherAttributes;  // text after "a=", in arrival order
  std::vector<std::string> otherLines;       // whole non-"a=" lines we do not model (i=, k=...)

  [[nodiscard]] MediaKind kind() const;
  [[nodiscard]] bool isRtp() const;
  // Direction with the RFC default (sendrecv) applied; the session level is the caller's job.
  [[nodiscard]] MediaDirection effectiveDirection(
      std::optional<MediaDirection> sessionDirection = std::nullopt) const;

  // Codecs in m= line order, rtx entries included (name "rtx").
  [[nodiscard]] std::vector<CodecInfo> codecs() const;
  [[nodiscard]] std::optional<CodecInfo> codec(int payloadType) const;
  // First codec whose name matches, case-insensitively ("vp8" finds "VP8").
  [[nodiscard]] std::optional<CodecInfo> findCodec(std::string_view name) const;
  // All formats of that name: H264 and VP9 usually come in several profiles.
  [[nodiscard]] std::vector<CodecInfo> findCodecs(std::string_view name) const;

  [[nodiscard]] const ExtMap* findExtMap(std::string_view uri) const;
  [[nodiscard]] std::optional<int> extMapId(std::string_view uri) const;

  // Distinct SSRCs in order of first mention (a=ssrc or a=ssrc-group).
  [[nodiscard]] std::vector<std::uint32_t> ssrcs() const;
  [[nodiscard]] std::vector<SsrcFid> fidPairs() const;
  [[nodiscard]] std::vector<std::vector<std::uint32_t>> simGroups() const;
  [[nodiscard]] std::optional<std::uint32_t> rtxSsrcFor(std::uint32_t primary) const;
  [[nodiscard]] std::optional<std::string> ssrcAttribute(std::uint32_t ssrc,
                                                         std::string_view name) const;

  [[nodiscard]] std::vector<Rid> ridsFor(RidDirection direction) const;
  // The send layers of a=simulcast, first alternative of each, in the order written.
  [[nodiscard]] std::vector<SimulcastStream> simulcastSendLayers() const;

  // Builders for SFU-made sections: they keep formats, rtpmap, fmtp and rtcp-fb consistent.
  void addCodec(int payloadType, std::string name, std::uint32_t clockRate,
                std::optional<std::uint32_t> channels = std::nullopt,
                std::string fmtpParameters = {}, std::vector<RtcpFeedback> feedback = {});
  void addRtx(int rtxPayloadType, int associatedPayloadType, std::uint32_t clockRate = 90000);
  void addSsrc(std::uint32_t ssrc, std::string cname, std::optional<Msid> msid = std::nullopt);

  bool operator==(const MediaDescription&) const = default;
};

struct SessionDescription {
  int version = 0;
  SdpOrigin origin;
  std::string sessionName = "-";
  std::vector<std::string> timing = {"0 0"};  // t= values
  std::optional<SdpConnection> connection;
  std::vector<SdpBandwidth> bandwidths;

  std::vector<SdpGroup> groups;
  std::optional<MsidSemantic> msidSemantic;
  bool iceLite = false;
  bool extmapAllowMixed = false;
  std::optional<MediaDirection> direction;

  // Session-level transport attributes; media sections inherit them (see the *For helpers).
  std::optional<std::string> iceUfrag;
  std::optional<std::string> icePwd;
  std::vector<std::string> iceOptions;
  std::vector<SdpFingerprint> fingerprints;
  std::optional<SdpSetup> setup;
  std::vector<ExtMap> extMaps;

  std::vector<std::string> otherAttributes;
  std::vector<std::string> otherLines;

  std::vector<MediaDescription> media;

  [[nodiscard]] const SdpGroup* findGroup(std::string_view semantics) const;
  [[nodiscard]] std::vector<std::string> bundleMids() const;
  [[nodiscard]] const MediaDescription* findMedia(std::string_view mid) const;

  // Media-level value if present, else session-level.
  [[nodiscard]] std::optional<std::string> iceUfragFor(const MediaDescription& m) const;
  [[nodiscard]] std::optional<std::string> icePwdFor(const MediaDescription& m) const;
  [[nodiscard]] std::vector<std::string> iceOptionsFor(const MediaDescription& m) const;
  [[nodiscard]] std::vector<SdpFingerprint> fingerprintsFor(const MediaDescription& m) const;
  [[nodiscard]] std::optional<SdpSetup> setupFor(const MediaDescription& m) const;
  [[nodiscard]] bool hasTrickle(const MediaDescription& m) const;

  bool operator==(const SessionDescription&) const = default;
};

enum class SdpErrorCode : std::uint8_t {
  Empty,           // nothing but blanks
  TooLarge,        // over kMaxSdpSize
  MissingVersion,  // first line is not v=0
  BadMediaLine,    // an m= line we cannot read: later sections would shift index
  MissingMedia,    // no m= line although the options require one
};

struct SdpParseOptions {
  bool requireMedia = true;
};

struct ParsedSdp {
  SessionDescription description;
  // Known lines that did not follow their grammar and were skipped. The caller counts them.
  std::size_t warningCount = 0;
  std::vector<std::string> warnings;  // the first few, for logs
};

inline constexpr std::size_t kMaxSdpSize = 256 * 1024;
inline constexpr std::size_t kMaxSdpWarningsKept = 16;

[[nodiscard]] Result<ParsedSdp, SdpErrorCode> parseSdp(std::string_view text,
                                                       SdpParseOptions options = {});
// CRLF line endings, ready for setRemoteDescription.
[[nodiscard]] std::string writeSdp(const SessionDescription& description);

// "a=b;c=d; e" -> {a:b, c:d, e:""}. Keys keep their case; blanks around items are dropped.
[[nodiscard]] std::map<std::string, std::string> parseFmtpParameters(std::string_view text);

[[nodiscard]] std::string_view toString(MediaDirection direction);
[[nodiscard]] std::string_view toString(SdpSetup setup);
[[nodiscard]] std::optional<MediaDirection> parseMediaDirection(std::string_view text);
[[nodiscard]] std::optional<SdpSetup> parseDtlsSetup(std::string_view text);

}  // namespace huddle::rtc
