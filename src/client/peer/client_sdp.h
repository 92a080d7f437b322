#pragma once
// The client's side of offer/answer: the offer a LiveKit client writes (shaped like Chromium's,
// which is what the servers are tested against) and what a server's answer or offer says about
// each section. Pure, any thread.
//
// Extension ids are Chromium's: servers that answer by copying the offer's ids keep them, and a
// fixed numbering lets the send path stamp mid/rid without asking the SDP each time.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/ice/ice_credentials.h"
#include "rtc/sdp/session_description.h"
#include "rtc/transport/webrtc_transport.h"

namespace huddle::client {

inline constexpr std::string_view kUriMid = "urn:ietf:params:rtp-hdrext:sdes:mid";
inline constexpr std::string_view kUriRid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id";
inline constexpr std::string_view kUriRepairedRid =
    "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id";
inline constexpr std::string_view kUriAudioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level";
inline constexpr std::string_view kUriTransportCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
inline constexpr std::string_view kUriAbsSendTime =
    "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time";

// Chromium's numbering.
inline constexpr std::uint8_t kExtIdAudioLevel = 1;
inline constexpr std::uint8_t kExtIdAbsSendTime = 2;
inline constexpr std::uint8_t kExtIdTransportCc = 3;
inline constexpr std::uint8_t kExtIdMid = 4;
inline constexpr std::uint8_t kExtIdRid = 10;
inline constexpr std::uint8_t kExtIdRepairedRid = 11;

inline constexpr int kOpusPayloadType = 111;
inline constexpr int kVp8PayloadType = 96;
inline constexpr int kVp8RtxPayloadType = 97;

inline constexpr std::uint16_t kSctpPort = 5000;
inline constexpr std::uint64_t kMaxMessageSize = 262144;  // what Chromium offers

enum class SectionKind : std::uint8_t { Audio, Video };

// How a simulcast section tells the layers apart: rids in every packet (what browsers do) or
// SSRCs announced up front (a=ssrc-group:SIM, what older native clients do).
enum class SimulcastSignalling : std::uint8_t { Rid, Ssrc };

struct SendLayer {
  std::string rid;  // empty for a single-layer section
  std::uint32_t ssrc = 0;
  std::uint32_t rtxSsrc = 0;  // 0: no RTX (audio)
};

// One m= section of our offer, in m-line order. Sections never disappear: a removed send
// track's section stays, inactive, so mids keep their positions (RFC 8843).
struct OfferSection {
  std::string mid;
  rtc::MediaKind kind = rtc::MediaKind::Audio;  // Audio, Video or Application
  rtc::MediaDirection direction = rtc::MediaDirection::RecvOnly;
  // Send sections only.
  std::string streamId;
  std::string trackId;  // the AddTrack cid
  std::vector<SendLayer> layers;
  SimulcastSignalling simulcast = SimulcastSignalling::Rid;
};

struct OfferParameters {
  std::string sessionId = "1";  // digits
  std::uint64_t sessionVersion = 1;
  rtc::IceCredentials ice;
  rtc::DtlsFingerprint fingerprint;
  std::vector<rtc::IceCandidateInfo> candidates;
  std::string cname;
  std::vector<OfferSection> sections;
};

[[nodiscard]] rtc::SessionDescription buildOffer(const OfferParameters& parameters);
[[nodiscard]] inline std::string writeOffer(const OfferParameters& parameters) {
  return rtc::writeSdp(buildOffer(parameters));
}

// What a remote description settled for one section.
struct NegotiatedExtensions {
  std::uint8_t mid = 0;  // 0: not negotiated
  std::uint8_t rid = 0;
  std::uint8_t repairedRid = 0;
  std::uint8_t audioLevel = 0;
  std::uint8_t transportCc = 0;
  std::uint8_t absSendTime = 0;
  bool operator==(const NegotiatedExtensions&) const = default;
};

struct NegotiatedSection {
  std::string mid;
  rtc::MediaKind kind = rtc::MediaKind::Other;
  bool accepted = false;  // port != 0
  // As the remote side wrote it: in an answer to our recvonly section "sendonly" means the
  // server sends on it.
  rtc::MediaDirection direction = rtc::MediaDirection::Inactive;
  // The remote description's numbering rules: an answer may renumber.
  int payloadType = -1;  // -1: none usable
  std::optional<int> rtxPayloadType;
  std::string codecName;
  std::uint32_t clockRate = 0;
  std::vector<int> payloadTypes;  // every format listed, rtx included
  bool nack = false;
  bool pli = false;
  bool fir = false;
  bool remb = false;
  bool transportCc = false;
  NegotiatedExtensions extensions;
  std::vector<std::uint32_t> ssrcs;     // primary SSRCs announced (a=ssrc / SIM), in order
  std::vector<std::uint32_t> rtxSsrcs;  // FID partner of ssrcs[i], 0 when none
  std::vector<std::string> rids;        // simulcast rids the remote side listed
  rtc::Msid msid;                       // first a=msid, or the a=ssrc msid
};

struct RemoteDescriptionInfo {
  rtc::TransportParameters transport;  // credentials, fingerprint, usable candidates, setup
  rtc::SdpSetup setup = rtc::SdpSetup::ActPass;
  std::vector<NegotiatedSection> sections;  // in m-line order
  std::uint64_t sessionVersion = 0;

  [[nodiscard]] const NegotiatedSection* find(std::string_view mid) const;
};

enum class ClientSdpError : std::uint8_t {
  Unparseable,        // parseSdp refused it
  NoTransport,        // no accepted section carries ICE credentials and a sha-256 fingerprint
  BadSetup,           // an answer must say active or passive
  MidMismatch,        // the answer's sections are not the offer's, in order
  MissingMid,         // an accepted section without a=mid
  NotBundled,         // an accepted section outside the BUNDLE group
};

[[nodiscard]] std::string_view toString(ClientSdpError error);

// A server's answer to `offered` (the mids of our offer, in order).
[[nodiscard]] Result<RemoteDescriptionInfo, ClientSdpError> parseAnswer(
    std::string_view sdp, const std::vector<std::string>& offered);
// A server's offer (v0 subscriber connection): no mid list to match, setup may be actpass.
[[nodiscard]] Result<RemoteDescriptionInfo, ClientSdpError> parseRemoteOffer(std::string_view sdp);

// Our answer to a server's offer (v0 subscriber): the media sections we can decode (VP8, Opus,
// with the offer's numbering) recvonly, the data section accepted, everything else rejected.
struct AnswerParameters {
  std::string sessionId = "1";
  std::uint64_t sessionVersion = 1;
  rtc::IceCredentials ice;
  rtc::DtlsFingerprint fingerprint;
  std::vector<rtc::IceCandidateInfo> candidates;
  rtc::SdpSetup setup = rtc::SdpSetup::Active;
};
[[nodiscard]] std::string writeAnswer(const rtc::SessionDescription& offer,
                                      const AnswerParameters& parameters);

// The LiveKit track sid of a server-sent section: the part after '|' of the msid stream id when
// it starts with "TR", else the msid track id when it does; empty otherwise.
[[nodiscard]] std::string trackSidFromMsid(const rtc::Msid& msid);

}  // namespace huddle::client
