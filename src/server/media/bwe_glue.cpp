#include "server/media/bwe_glue.h"

#include <algorithm>

#include "common/log.h"
#include "rtc/rtp/rtcp_feedback.h"
#include "rtc/rtp/rtcp_remb.h"
#include "rtc/rtp/rtcp_transport_cc.h"
#include "rtc/rtp/rtp_header_extensions.h"
#include "rtc/transport/webrtc_transport.h"
#include "server/media/media_hub.h"

namespace huddle::server::media {

namespace {

constexpr std::string_view kUriTransportCc =
    "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
constexpr std::int64_t kRembIntervalUs = 1'000'000;
// REMB without a receive-side estimator: let the sender grow by half again what arrives,
// never below what a camera needs to start well.
constexpr double kRembGrowth = 1.5;
constexpr std::uint64_t kRembFloorBps = 300'000;
constexpr std::int64_t kCapIntervalUs = 500'000;
constexpr std::int64_t kStaleFeedbackUs = 2'000'000;
constexpr std::uint64_t kLogEveryRounds = 10;  // one estimate line per subscriber per ~5 s
// Prices of layers we have not measured (not arriving yet, or paused by dynacast): roughly
// what LiveKit's default simulcast presets send at q/h/f.
constexpr std::array<std::uint64_t, 3> kDefaultLayerBps = {150'000, 500'000, 1'500'000};

std::uint8_t idOf(const sfu::ExtensionIds& ids, std::string_view uri) {
  for (const auto& [id, u] : ids) {
    if (u == uri) return id;
  }
  return 0;
}

}  // namespace

// ---- publisher side ---------------------------------------------------------------------------

void BweGlue::onPublicationAnswered(const sfu::ExtensionIds& extensions,
                                    const rtc::MediaDescription& answer) {
  const std::uint8_t id = idOf(extensions, kUriTransportCc);
  bool transportCc = false;
  bool remb = false;
  for (const auto& fb : answer.rtcpFeedback) {
    transportCc = transportCc || fb.type == "transport-cc";
    remb = remb || fb.type == "goog-remb";
  }
  if (id != 0 && transportCc) {
    publisherTwccId_ = id;  // BUNDLE: one id per URI on the transport
    if (!recorder_) recorder_ = std::make_unique<sfu::bwe::TwccRecorder>();
  }
  publisherRemb_ = publisherRemb_ || remb;
}

void BweGlue::onRoutedRtp(const sfu::TrackReceiver& receiver, int layer, std::size_t bytes,
                          TimePoint now) {
  if (layer < 0 || layer >= 3) return;
  const std::int64_t nowUs = micros(now);
  LayerRates* free = nullptr;
  for (auto& r : rates_) {
    if (r.receiver == &receiver) {
      r.layers[static_cast<std::size_t>(layer)].add(nowUs, bytes);
      return;
    }
    if (r.receiver == nullptr && free == nullptr) free = &r;
  }
  if (free != nullptr) {
    free->receiver = &receiver;
    for (auto& meter : free->layers) meter = sfu::bwe::RateMeter();
    free->layers[static_cast<std::size_t>(layer)].add(nowUs, bytes);
  }
}

void BweGlue::onPublisherRtp(rtc::WebRtcTransport& transport, const rtc::RtpPacketView& packet,
                             std::size_t bytes, TimePoint now) {
  const std::int64_t nowUs = micros(now);
  received_.add(nowUs, bytes);
  if (recorder_ && publisherTwccId_ != 0) {
    if (const auto data = packet.findExtension(publisherTwccId_)) {
      if (const auto seq = rtc::readTransportWideSeq(*data)) {
        if (feedbackMediaSsrc_ == 0) feedbackMediaSsrc_ = packet.ssrc();
        recorder_->onPacket(*seq, nowUs);
      }
    }
    std::array<std::uint8_t, sfu::bwe::TwccRecorder::kMaxFeedbackBytes + 16> out{};
    for (int i = 0; i < 4 && recorder_->due(nowUs); ++i) {
      const std::size_t n = recorder_->buildFeedback(rtcpSsrc_, feedbackMediaSsrc_, nowUs,
                                                     std::span<std::uint8_t>(out.data(), sfu::bwe::TwccRecorder::kMaxFeedbackBytes));
      if (n == 0) break;
      if (transport.sendRtcp(out, n)) ++counters_.twccFeedbackSent;
    }
    return;
  }
  if (publisherRemb_) {
    const std::uint32_t ssrc = packet.ssrc();
    const bool known = std::find(rembSsrcs_.begin(), rembSsrcs_.begin() + static_cast<std::ptrdiff_t>(rembSsrcCount_), ssrc) !=
                       rembSsrcs_.begin() + static_cast<std::ptrdiff_t>(rembSsrcCount_);
    if (!known && rembSsrcCount_ < rembSsrcs_.size()) rembSsrcs_[rembSsrcCount_++] = ssrc;
    maybeSendRemb(transport, nowUs);
  }
}

void BweGlue::maybeSendRemb(rtc::WebRtcTransport& transport, std::int64_t nowUs) {
  if (lastRembUs_ >= 0 && nowUs - lastRembUs_ < kRembIntervalUs) return;
  lastRembUs_ = nowUs;
  const auto rate = static_cast<double>(received_.bitrateBps(nowUs));
  const auto bitrate = std::max<std::uint64_t>(kRembFloorBps, static_cast<std::uint64_t>(rate * kRembGrowth));
  std::array<std::uint8_t, 128> out{};
  const std::size_t n = rtc::RtcpRemb::build(
      rtcpSsrc_, bitrate, std::span<const std::uint32_t>(rembSsrcs_.data(), rembSsrcCount_), out);
  if (n > 0 && transport.sendRtcp(out, n)) ++counters_.rembSent;
}

std::uint64_t BweGlue::layerBitrate(const sfu::TrackReceiver& receiver, int layer, TimePoint now) {
  if (layer < 0 || layer >= 3) return 0;
  for (auto& r : rates_) {
    if (r.receiver == &receiver) return r.layers[static_cast<std::size_t>(layer)].bitrateBps(micros(now));
  }
  return 0;
}

void BweGlue::forgetReceiver(const sfu::TrackReceiver& receiver) {
  for (auto& r : rates_) {
    if (r.receiver == &receiver) r.receiver = nullptr;
  }
}

// ---- subscriber side --------------------------------------------------------------------------

void BweGlue::onSubscriberExtensions(const sfu::ExtensionIds& extensions) {
  const std::uint8_t id = idOf(extensions, kUriTransportCc);
  if (id == 0) return;
  subscriberTwccId_ = id;
  if (!estimator_) estimator_ = std::make_unique<sfu::bwe::SendSideBwe>();
}

bool BweGlue::stamp(std::span<std::uint8_t> buffer, std::size_t length) noexcept {
  stamped_ = false;
  if (subscriberTwccId_ == 0 || !estimator_) return false;
  auto view = rtc::RtpPacketView::parse(buffer.first(length));
  if (!view) return false;
  stamped_ = rtc::setTransportWideSeq(*view, subscriberTwccId_, nextSeq_);
  return stamped_;
}

void BweGlue::sent(std::size_t length) noexcept {
  if (!stamped_) return;
  stamped_ = false;
  estimator_->onPacketSent(nextSeq_, length, micros(std::chrono::steady_clock::now()));
  ++nextSeq_;
}

bool BweGlue::onSubscriberRtcp(const rtc::RtcpPacket& packet, TimePoint now) {
  if (packet.type == static_cast<std::uint8_t>(rtc::RtcpType::RtpFeedback) &&
      packet.count == rtc::kFmtTransportCc) {
    const auto fb = rtc::RtcpTransportCc::parse(packet);
    if (!fb) {
      ++counters_.rtcpMalformed;
      return true;
    }
    ++counters_.twccFeedbackReceived;
    if (estimator_) estimator_->onTransportFeedback(*fb, micros(now));
    return true;
  }
  if (packet.type == static_cast<std::uint8_t>(rtc::RtcpType::PayloadFeedback) &&
      packet.count == rtc::kFmtAfb) {
    const auto remb = rtc::RtcpRemb::parse(packet);
    if (!remb) return false;  // another application-layer message
    ++counters_.rembReceived;
    if (!estimator_) estimator_ = std::make_unique<sfu::bwe::SendSideBwe>();
    estimator_->onRemb(remb->bitrateBps(), micros(now));
    rembSeen_ = true;
    return true;
  }
  return false;
}

void BweGlue::resetSubscriberEstimate() noexcept {
  if (!estimator_) return;
  // Sequence numbers carry on: feedback about packets sent before the reset is "unknown" to
  // the new estimator and ignored.
  estimator_ = std::make_unique<sfu::bwe::SendSideBwe>();
  stamped_ = false;
  rembSeen_ = false;
  lastCapsUs_ = -1;
  ++counters_.bweResets;
}

bool BweGlue::capsDue(TimePoint now) const noexcept {
  if (!estimator_ || (!estimator_->hasFeedback() && !rembSeen_)) return false;
  return lastCapsUs_ < 0 || micros(now) - lastCapsUs_ >= kCapIntervalUs;
}

std::uint64_t BweGlue::estimateBps(TimePoint now) const noexcept {
  return estimator_ ? estimator_->estimateBps(micros(now)) : 0;
}

void BweGlue::computeCaps(std::span<const CapInput> videos, std::uint64_t reservedBps,
                          std::span<sfu::LayerCap> out, TimePoint now, bool allowPause) {
  lastCapsUs_ = micros(now);
  const std::size_t n = std::min({videos.size(), out.size(), kMaxCapTracks});
  for (std::size_t i = 0; i < n; ++i) {
    const CapInput& in = videos[i];
    sfu::bwe::VideoDemand& d = demands_[i];
    d.layers = std::clamp(in.layers, 1, 3);
    for (std::size_t l = 0; l < 3; ++l) {
      // A single-layer track costs what arrives; unknown simulcast layers get a default price.
      std::uint64_t bps = in.layerBps[l];
      if (bps == 0) bps = d.layers == 1 ? kDefaultLayerBps[1] : kDefaultLayerBps[l];
      d.layerBps[l] = bps;
    }
    // Layers must not look cheaper than the ones below them (a layer just starting up).
    for (std::size_t l = 1; l < 3; ++l) d.layerBps[l] = std::max(d.layerBps[l], d.layerBps[l - 1]);
    d.preferredMax = in.preferredMax;
    d.previous = in.previous.pauseVideo ? sfu::bwe::kPaused : in.previous.maxLayer;
  }
  // Feedback stopped (everything the subscriber gets is paused, or it went quiet): the
  // estimate is stale, so let paused video come back at its lowest layer and find out.
  const std::int64_t lastFeedback = estimator_ ? estimator_->lastFeedbackUs() : -1;
  if (!rembSeen_ && (lastFeedback < 0 || lastCapsUs_ - lastFeedback > kStaleFeedbackUs)) {
    for (std::size_t i = 0; i < n; ++i) {
      out[i] = videos[i].previous.pauseVideo ? sfu::LayerCap{0, false} : videos[i].previous;
    }
    for (std::size_t i = n; i < out.size(); ++i) out[i] = sfu::LayerCap{};
    return;
  }
  const std::uint64_t estimate = estimateBps(now);
  if (++capRounds_ % kLogEveryRounds == 1) {
    const auto& st = estimator_->stats();
    HUDDLE_LOG_INFO(media, "bwe estimate={} bps acked={} bps loss={:.2f} overuses={} loss_decreases={} feedbacks={} audio_reserved={} bps video_tracks={}",
                    estimate, estimator_->ackedBps(lastCapsUs_), estimator_->lastLossFraction(),
                    st.overuses, st.lossDecreases, st.feedbacks, reservedBps, n);
  }
  const std::uint64_t available = estimate > reservedBps ? estimate - reservedBps : 0;
  sfu::bwe::allocateLayers(available, std::span<const sfu::bwe::VideoDemand>(demands_.data(), n),
                           std::span<int>(decisions_.data(), n), allowPause);
  for (std::size_t i = 0; i < n; ++i) {
    const int decision = decisions_[i];
    if (decision == sfu::bwe::kPaused && videos[i].preferredMax >= 0) {
      out[i] = sfu::LayerCap{0, true};
    } else if (decision == sfu::bwe::kPaused) {
      out[i] = sfu::LayerCap{};  // wants nothing anyway: no cap of ours
    } else {
      out[i] = sfu::LayerCap{decision, false};
    }
  }
  // Tracks beyond what we price are not capped.
  for (std::size_t i = n; i < out.size(); ++i) out[i] = sfu::LayerCap{};
}

}  // namespace huddle::server::media
