#include "server/media/loss_recovery.h"

#include <algorithm>

#include "rtc/rtp/rtcp_feedback.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_report.h"
#include "rtc/rtp/rtcp_sdes.h"
#include "rtc/rtp/rtx.h"
#include "rtc/transport/webrtc_transport.h"
#include "server/media/media_hub.h"

namespace huddle::server::media {
namespace {

// NTP (RFC 5905) from the system clock: seconds since 1900 in the high word, fraction below.
std::uint64_t ntpNow() noexcept {
  constexpr std::uint64_t kUnixToNtp = 2208988800ull;
  const auto since = std::chrono::system_clock::now().time_since_epoch();
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(since).count();
  const auto seconds = static_cast<std::uint64_t>(us / 1'000'000);
  const auto micros = static_cast<std::uint64_t>(us % 1'000'000);
  return ((seconds + kUnixToNtp) << 32) | ((micros << 32) / 1'000'000);
}

}  // namespace

void LossRecovery::addDownTrack(sfu::DownTrack& downTrack, sfu::TrackReceiver& receiver,
                                std::string cname) {
  removeDownTrack(downTrack);
  downTracks_.push_back(DownEntry{&downTrack, &receiver, std::move(cname)});
}

void LossRecovery::removeDownTrack(const sfu::DownTrack& downTrack) {
  std::erase_if(downTracks_, [&](const DownEntry& e) { return e.downTrack == &downTrack; });
}

void LossRecovery::addReceiver(sfu::TrackReceiver& receiver) {
  if (std::find(receivers_.begin(), receivers_.end(), &receiver) != receivers_.end()) return;
  receivers_.push_back(&receiver);
  receiver.setNackRequester(this);
}

void LossRecovery::removeReceiver(const sfu::TrackReceiver& receiver) {
  std::erase(receivers_, &receiver);
}

LossRecovery::DownEntry* LossRecovery::downTrackBySsrc(std::uint32_t ssrc) noexcept {
  for (DownEntry& e : downTracks_) {
    if (e.downTrack->ssrc() == ssrc) return &e;
  }
  return nullptr;
}

void LossRecovery::onPublisherRtx(sfu::TrackReceiver& receiver, int layer, const rtc::RtpPacketView& rtx,
                                  std::uint8_t originalPayloadType, TimePoint now) {
  const auto ssrc = receiver.ssrcOf(layer);
  if (!ssrc) {
    ++counters_.rtpUnknownStream;  // RTX of a layer whose primary SSRC we have not seen yet
    return;
  }
  const std::size_t n = rtc::buildOriginalFromRtx(rtx, originalPayloadType, *ssrc, rtxBuffer_);
  if (n == 0) {
    ++counters_.rtxPadding;  // no OSN: padding only, a bandwidth probe
    return;
  }
  auto original = rtc::RtpPacketView::parse(std::span<std::uint8_t>(rtxBuffer_.data(), n));
  if (!original) {
    ++counters_.rtpUnparsed;
    return;
  }
  ++counters_.rtxReceived;
  receiver.onRtp(*original, layer, now, true);
}

bool LossRecovery::onRtcp(const rtc::RtcpPacket& packet, TimePoint now) {
  switch (static_cast<rtc::RtcpType>(packet.type)) {
    case rtc::RtcpType::SenderReport: {
      const auto sr = rtc::RtcpSenderReport::parse(packet);
      if (!sr) return false;
      for (sfu::TrackReceiver* receiver : receivers_) {
        if (const auto layer = receiver->layerOf(sr->ssrc)) {
          receiver->receiveStats(*layer).onSenderReport(sr->ntpTimestamp, now);
        }
      }
      onReportBlocks(sr->reports.blocks(), now);
      return false;
    }
    case rtc::RtcpType::ReceiverReport: {
      const auto rr = rtc::RtcpReceiverReport::parse(packet);
      if (rr) onReportBlocks(rr->reports.blocks(), now);
      return false;
    }
    case rtc::RtcpType::RtpFeedback:
      if (packet.count != rtc::kFmtNack) return false;
      onNack(packet, now);
      return true;
    default:
      return false;
  }
}

void LossRecovery::onReportBlocks(std::span<const rtc::ReportBlock> blocks, TimePoint now) {
  for (const rtc::ReportBlock& block : blocks) {
    if (DownEntry* e = downTrackBySsrc(block.ssrc)) e->downTrack->onReceiverReport(block, now);
  }
}

void LossRecovery::onNack(const rtc::RtcpPacket& packet, TimePoint now) {
  const auto nack = rtc::RtcpNack::parse(packet);
  if (!nack) {
    ++counters_.rtcpMalformed;
    return;
  }
  DownEntry* e = downTrackBySsrc(nack->mediaSsrc());
  if (e == nullptr) return;  // a downtrack that just went away
  const std::size_t n = nack->expand(nackSeqs_);
  const sfu::DownTrackStats before = e->downTrack->stats();
  for (std::size_t i = 0; i < n; ++i) e->downTrack->retransmit(nackSeqs_[i], *e->receiver, now);
  const sfu::DownTrackStats& after = e->downTrack->stats();
  counters_.nacksReceived += n;
  counters_.retransmissionsSent += (after.retransmittedRtx - before.retransmittedRtx) +
                                   (after.retransmittedPlain - before.retransmittedPlain);
  counters_.retransmissionsRtx += after.retransmittedRtx - before.retransmittedRtx;
  counters_.retransmissionsMissed += after.retransmitMissed - before.retransmitMissed;
}

void LossRecovery::requestRetransmission(std::uint32_t publisherSsrc, std::span<const std::uint16_t> seqs) {
  if (upstream_ == nullptr || seqs.empty()) return;
  std::array<std::uint8_t, 512> out{};
  // At most 62 PID+BLP pairs fit the buffer; more than that is never due at once.
  const std::size_t n = rtc::RtcpNack::buildFromSeqs(rtcpSsrc_, publisherSsrc, seqs, out);
  if (n > 0 && upstream_->sendRtcp(out, n)) counters_.nacksSent += seqs.size();
}

void LossRecovery::maybeReport(rtc::WebRtcTransport* downstream, TimePoint now) {
  if (now < nextReport_) return;
  // Spread a little (RFC 3550 6.3.5 randomises to avoid synchronised reports); a fixed small
  // offset per participant would do the same, the clock's low bits are cheaper than a RNG.
  const auto jitter = std::chrono::milliseconds(
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count() % 100);
  nextReport_ = now + kReportInterval - std::chrono::milliseconds(50) + jitter;
  if (downstream != nullptr) sendSenderReports(*downstream, now);
  sendReceiverReport(now);
}

void LossRecovery::sendSenderReports(rtc::WebRtcTransport& downstream, TimePoint now) {
  const std::uint64_t ntp = ntpNow();
  std::size_t used = 0;
  auto flush = [&] {
    if (used > 0) downstream.sendRtcp(rtcpBuffer_, used);
    used = 0;
  };
  for (DownEntry& e : downTracks_) {
    rtc::RtcpSenderReport sr;
    if (!e.downTrack->makeSenderReport(now, ntp, sr)) continue;
    rtc::RtcpSdes sdes;
    sdes.push(rtc::SdesChunk{sr.ssrc, e.cname});
    const std::size_t need = sr.size() + sdes.size();
    // Room for the SRTCP trailer (index and tag) after the compound.
    if (used + need + 32 > rtcpBuffer_.size()) flush();
    if (need + 32 > rtcpBuffer_.size()) continue;
    const std::span<std::uint8_t> rest(rtcpBuffer_.data() + used, rtcpBuffer_.size() - used);
    const std::size_t a = sr.build(rest);
    if (a == 0) continue;
    const std::size_t b = sdes.build(rest.subspan(a));
    used += a + b;
    ++counters_.senderReportsSent;
  }
  flush();
}

void LossRecovery::sendReceiverReport(TimePoint now) {
  if (upstream_ == nullptr || receivers_.empty()) return;
  rtc::RtcpReceiverReport rr;
  rr.ssrc = rtcpSsrc_;
  for (sfu::TrackReceiver* receiver : receivers_) {
    for (int layer = 0; layer < sfu::TrackReceiver::kMaxLayers; ++layer) {
      const auto ssrc = receiver->ssrcOf(layer);
      sfu::RtpReceiveStats& stats = receiver->receiveStats(layer);
      if (!ssrc || !stats.started()) continue;
      if (!rr.reports.push(stats.makeReportBlock(*ssrc, now))) break;
    }
  }
  if (rr.reports.count == 0) return;
  const std::size_t n = rr.build(rtcpBuffer_);
  if (n > 0 && upstream_->sendRtcp(rtcpBuffer_, n)) ++counters_.receiverReportsSent;
}

}  // namespace huddle::server::media
