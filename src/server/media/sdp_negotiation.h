#pragma once
// Pure, any thread.
//
// The SDP an SFU writes: answers to a client's offer (its publications and its receive slots)
// and, for the classic two-connection mode, the subscriber offer. The rules come from what the
// LiveKit clients accept (docs/livekit-protocol.md section 8): BUNDLE of every accepted section,
// rtcp-mux, our ICE-lite credentials and host candidates inline (no trickle needed), one codec
// per section, and for what we send an msid "<participant sid>|<track sid> <track sid>" and an
// a=ssrc line so the receiver demultiplexes by SSRC.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rtc/sdp/session_description.h"
#include "rtc/transport/webrtc_transport.h"
#include "sfu/media/extension_map.h"
#include "sfu/media/media_codec.h"

namespace huddle::server::media {

// The codec a section settled on, in the numbering of the SDP it was chosen from.
struct NegotiatedCodec {
  sfu::CodecKind kind = sfu::CodecKind::Other;
  int payloadType = 0;
  std::string name;
  std::uint32_t clockRate = 0;
  std::optional<std::uint32_t> channels;
  std::string fmtp;
  // RTX (RFC 4588) paired with this codec in the same SDP, when negotiated.
  std::optional<int> rtxPayloadType;
  bool nack = false;  // rtcp-fb nack negotiated (video)
};

// A client-sent section we accepted: what its packets will look like.
struct AcceptedPublication {
  std::string mid;
  rtc::MediaKind kind = rtc::MediaKind::Audio;
  std::string msidTrackId;        // equals the AddTrack cid for the LiveKit clients
  NegotiatedCodec codec;
  sfu::ExtensionIds extensions;   // as answered
  std::vector<std::string> rids;  // simulcast send rids, lowest layer first as written
  std::vector<std::uint32_t> ssrcs;  // primary SSRCs from a=ssrc / SIM group, when signalled
  std::vector<std::uint32_t> rtxSsrcs;  // the FID partner of each of ssrcs, 0 when none
};

// What we send on one section.
struct OutgoingTrack {
  std::string participantSid;
  std::string trackSid;
  std::uint32_t ssrc = 0;
  sfu::CodecKind codec = sfu::CodecKind::Other;
  std::uint32_t rtxSsrc = 0;  // our RTX SSRC for video (a=ssrc-group:FID), 0: none
};

// The negotiated parameters of a section we send on.
struct AcceptedSubscription {
  NegotiatedCodec codec;
  sfu::ExtensionIds extensions;
};

// Session-level skeleton: origin, ice-lite, msid-semantic; sections are added by the caller.
[[nodiscard]] rtc::SessionDescription newDescription(std::uint64_t sessionId,
                                                     std::uint64_t version, bool iceLite);

// ICE, DTLS and candidates of `local` written into a section.
void writeTransport(rtc::MediaDescription& m, const rtc::TransportParameters& local,
                    rtc::SdpSetup setup);

// The peer's ICE credentials and DTLS fingerprint from a description (first section that has
// them); empty when incomplete.
[[nodiscard]] std::optional<rtc::TransportParameters> remoteTransport(
    const rtc::SessionDescription& description);

// A data channel section answering (or offering) SCTP.
void writeApplication(rtc::MediaDescription& m);

// The best codec we can forward among those offered for a publication, preferring `preferred`
// (a mime type such as "video/H264", may be empty); nullopt when none.
[[nodiscard]] std::optional<NegotiatedCodec> choosePublishCodec(const rtc::MediaDescription& offered,
                                                                std::string_view preferred);
// Fills `answer` (recvonly) for a client-sent section; nullopt rejects it.
[[nodiscard]] std::optional<AcceptedPublication> answerPublication(
    const rtc::MediaDescription& offered, std::string_view preferredMime,
    rtc::MediaDescription& answer);

// Fills `answer` (sendonly) for a client receive slot we now send `track` on, choosing the
// client's payload type for the track's codec; nullopt when the client cannot decode it.
[[nodiscard]] std::optional<AcceptedSubscription> answerSubscription(
    const rtc::MediaDescription& offered, const OutgoingTrack& track, rtc::MediaDescription& answer);

// An idle receive slot: accepted (bundled) but inactive.
void answerInactive(const rtc::MediaDescription& offered, rtc::MediaDescription& answer);

// A section the server offers to send `track` on (classic subscriber connection), in our own
// payload type numbering (LiveKit's defaults).
void offerSubscription(const OutgoingTrack& track, rtc::MediaDescription& offer);
// The same slot after its track went away: kept (sections never disappear) but inactive.
void offerInactive(rtc::MediaKind kind, const std::string& mid, rtc::MediaDescription& offer);

// From the peer's answer to our offer: the codec and extensions it accepted on `mid`.
[[nodiscard]] std::optional<AcceptedSubscription> acceptedInAnswer(
    const rtc::SessionDescription& answer, const std::string& mid, sfu::CodecKind codec);

// A subscriber's extension list for ExtensionMap::build: the publisher's mid and rid values must
// not reach a subscriber (they would name the wrong section), so those URIs never match.
[[nodiscard]] sfu::ExtensionIds forwardableExtensions(const sfu::ExtensionIds& subscriber);

}  // namespace huddle::server::media
