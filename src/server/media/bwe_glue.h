#pragma once
// Single-threaded: owned by a ParticipantMedia, on the worker that owns its room; no locks.
//
// Bandwidth estimation for one participant, in both of its roles:
// - as a publisher: transport-cc feedback about the transport-wide sequence numbers it stamps
//   (about every 50 ms), or REMB once a second when it negotiated goog-remb instead (a plain
//   1.5x-the-received-rate bound: we have no receive-side estimator); and per-layer receive
//   rates of its tracks, which subscribers' congestion caps are priced with;
// - as a subscriber: our own transport-wide sequence number stamped into each packet we send
//   it (when it negotiated the extension; the element must be in the forwarded packet, which
//   is the case when the publisher negotiated it too), a send-side estimate from its
//   transport-cc feedback and REMB, and the congestion cap of its video downtracks.
// No allocation per packet: the recorder and the estimator are fixed-size, created once.

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/sdp/session_description.h"
#include "sfu/bwe/layer_allocator.h"
#include "sfu/bwe/rate_meter.h"
#include "sfu/bwe/send_side_bwe.h"
#include "sfu/bwe/twcc_recorder.h"
#include "sfu/media/extension_map.h"
#include "sfu/media/layer_selector.h"
#include "sfu/media/track_receiver.h"

namespace huddle::rtc {
class WebRtcTransport;
}

namespace huddle::server::media {

struct MediaCounters;

// One video downtrack of a subscriber, as the congestion cap sees it.
struct CapInput {
  std::array<std::uint64_t, 3> layerBps{};  // measured at the publisher, 0 when unknown
  int layers = 1;
  int preferredMax = sfu::kHighestLayer;  // the subscriber's own wish (-1: wants none)
  sfu::LayerCap previous;                 // the cap now in force, for hysteresis
};

class BweGlue {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::size_t kMaxCapTracks = 32;
  static constexpr std::size_t kMaxPublications = 16;

  BweGlue(MediaCounters& counters, std::uint32_t rtcpSsrc) : counters_(counters), rtcpSsrc_(rtcpSsrc) {}

  // ---- publisher side -------------------------------------------------------------------
  // From an answered publication: which feedback it asked for. Idempotent.
  void onPublicationAnswered(const sfu::ExtensionIds& extensions, const rtc::MediaDescription& answer);
  // Each packet on the publisher's transport, routed or not (transport-cc numbers every one,
  // probes included); sends feedback or REMB through `transport` when due.
  void onPublisherRtp(rtc::WebRtcTransport& transport, const rtc::RtpPacketView& packet,
                      std::size_t bytes, TimePoint now);
  // A packet routed to one of our tracks, on `layer`: the layer's receive rate.
  void onRoutedRtp(const sfu::TrackReceiver& receiver, int layer, std::size_t bytes, TimePoint now);
  // What one layer of one of our published tracks arrives at; 0 when unknown.
  [[nodiscard]] std::uint64_t layerBitrate(const sfu::TrackReceiver& receiver, int layer, TimePoint now);
  void forgetReceiver(const sfu::TrackReceiver& receiver);

  // ---- subscriber side ------------------------------------------------------------------
  // The subscriber's id for the transport-wide sequence number (0: not negotiated).
  void onSubscriberExtensions(const sfu::ExtensionIds& extensions);
  // Just before a packet goes to the subscriber: stamps our transport-wide number into it
  // (false when there is none to stamp); after the transport took it, sent() records it.
  bool stamp(std::span<std::uint8_t> buffer, std::size_t length) noexcept;
  void sent(std::size_t length) noexcept;
  // RTCP from the subscriber about what we send it; true when it was ours (transport-cc, REMB).
  bool onSubscriberRtcp(const rtc::RtcpPacket& packet, TimePoint now);
  // The subscriber restarted ICE (a resume after a dropped connection): what the estimate
  // learnt before, losses of the blackout included, says nothing of the new path, so start
  // again from the initial estimate instead of climbing back from the floor at 8 %/s.
  void resetSubscriberEstimate() noexcept;
  // The estimate is worth acting on (fed by feedback or a fresh REMB), and the caps are due.
  [[nodiscard]] bool capsDue(TimePoint now) const noexcept;
  // The congestion cap of each video downtrack, given `reservedBps` for audio. Without
  // `allowPause` a track that does not fit keeps its lowest layer (see allocateLayers).
  void computeCaps(std::span<const CapInput> videos, std::uint64_t reservedBps,
                   std::span<sfu::LayerCap> out, TimePoint now, bool allowPause);
  [[nodiscard]] std::uint64_t estimateBps(TimePoint now) const noexcept;

 private:
  static std::int64_t micros(TimePoint t) noexcept {
    return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  }
  void maybeSendRemb(rtc::WebRtcTransport& transport, std::int64_t nowUs);

  MediaCounters& counters_;
  std::uint32_t rtcpSsrc_;

  // Publisher side.
  std::uint8_t publisherTwccId_ = 0;
  bool publisherRemb_ = false;
  std::unique_ptr<sfu::bwe::TwccRecorder> recorder_;
  std::uint32_t feedbackMediaSsrc_ = 0;
  sfu::bwe::RateMeter received_;
  std::int64_t lastRembUs_ = -1;
  std::array<std::uint32_t, 8> rembSsrcs_{};
  std::size_t rembSsrcCount_ = 0;
  struct LayerRates {
    const sfu::TrackReceiver* receiver = nullptr;
    std::array<sfu::bwe::RateMeter, 3> layers;
  };
  std::array<LayerRates, kMaxPublications> rates_{};

  // Subscriber side.
  std::uint8_t subscriberTwccId_ = 0;
  std::unique_ptr<sfu::bwe::SendSideBwe> estimator_;
  std::uint16_t nextSeq_ = 0;
  bool stamped_ = false;  // stamp() wrote nextSeq_ into the packet now in flight
  bool rembSeen_ = false;
  std::int64_t lastCapsUs_ = -1;
  std::uint64_t capRounds_ = 0;
  std::array<sfu::bwe::VideoDemand, kMaxCapTracks> demands_{};
  std::array<int, kMaxCapTracks> decisions_{};
};

}  // namespace huddle::server::media
