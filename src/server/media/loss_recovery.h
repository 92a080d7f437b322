#pragma once
// Single-threaded: owned by a ParticipantMedia, on the worker that owns its room; no locks.
//
// Loss recovery and RTCP reports for one participant, in both of its roles:
// - as a subscriber: its NACKs are answered from the publisher's packet cache (DownTrack::
//   retransmit, RTX when negotiated), its receiver report blocks become each downtrack's
//   RemoteReceiverReport, and each downtrack gets a sender report about once a second;
// - as a publisher: its RTX packets are unwrapped and fed to the receiver as recoveries, its
//   sender reports are noted for LSR/DLSR, the receivers' NACK generators send through us,
//   and a receiver report about each of its streams goes back about once a second.
// Reports are due-checked on packet arrival, not on a timer: they only matter while media
// flows. No allocation per packet (registration happens at negotiation).

#include <array>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtp_packet.h"
#include "sfu/media/down_track.h"
#include "sfu/media/rtp_sink.h"
#include "sfu/media/track_receiver.h"

namespace huddle::rtc {
class WebRtcTransport;
}

namespace huddle::server::media {

struct MediaCounters;

class LossRecovery final : public sfu::NackRequester {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  static constexpr std::chrono::milliseconds kReportInterval{1000};

  LossRecovery(MediaCounters& counters, std::uint32_t rtcpSsrc) : counters_(counters), rtcpSsrc_(rtcpSsrc) {}

  // Where NACKs and receiver reports to the publisher go (the client-offered transport).
  void setUpstream(rtc::WebRtcTransport* transport) noexcept { upstream_ = transport; }

  // Registration, at negotiation time.
  void addDownTrack(sfu::DownTrack& downTrack, sfu::TrackReceiver& receiver, std::string cname);
  void removeDownTrack(const sfu::DownTrack& downTrack);
  void addReceiver(sfu::TrackReceiver& receiver);
  void removeReceiver(const sfu::TrackReceiver& receiver);

  // A publisher packet carrying RTX (its payload type is the publication's rtx one): unwrapped
  // into the original and fed to `receiver` on `layer` as a recovery. Padding-only RTX (bandwidth
  // probes) is dropped.
  void onPublisherRtx(sfu::TrackReceiver& receiver, int layer, const rtc::RtpPacketView& rtx,
                      std::uint8_t originalPayloadType, TimePoint now);

  // One packet of an RTCP compound from this participant. True when it was ours to handle
  // (NACK about a downtrack; SR/RR report blocks and sender info are read and also left to
  // others, so those return false).
  bool onRtcp(const rtc::RtcpPacket& packet, TimePoint now);

  // Sends the reports that are due: SRs for every started downtrack through `downstream`, one
  // RR about the publisher's streams through the upstream transport. Cheap when not due.
  void maybeReport(rtc::WebRtcTransport* downstream, TimePoint now);

  // sfu::NackRequester: generic NACK to the publisher.
  void requestRetransmission(std::uint32_t publisherSsrc, std::span<const std::uint16_t> seqs) override;

 private:
  struct DownEntry {
    sfu::DownTrack* downTrack = nullptr;
    sfu::TrackReceiver* receiver = nullptr;
    std::string cname;
  };
  DownEntry* downTrackBySsrc(std::uint32_t ssrc) noexcept;
  void onReportBlocks(std::span<const rtc::ReportBlock> blocks, TimePoint now);
  void onNack(const rtc::RtcpPacket& packet, TimePoint now);
  void sendSenderReports(rtc::WebRtcTransport& downstream, TimePoint now);
  void sendReceiverReport(TimePoint now);

  MediaCounters& counters_;
  std::uint32_t rtcpSsrc_;
  rtc::WebRtcTransport* upstream_ = nullptr;
  std::vector<DownEntry> downTracks_;
  std::vector<sfu::TrackReceiver*> receivers_;
  TimePoint nextReport_{};
  std::array<std::uint16_t, 256> nackSeqs_{};
  std::array<std::uint8_t, 1500> rtxBuffer_{};
  std::array<std::uint8_t, 1200> rtcpBuffer_{};
};

}  // namespace huddle::server::media
