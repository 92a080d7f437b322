#include "sfu/media/track_receiver.h"

#include <algorithm>

namespace huddle::sfu {

TrackReceiver::TrackReceiver(const TrackReceiverConfig& config, KeyframeRequester& requester)
    : config_(config), requester_(requester) {
  for (RtpReceiveStats& stats : receiveStats_) {
    stats.setClockRate(config_.clockRate);
  }
  // Created up front: the packet path never allocates.
  for (int layer = 0; layer < kMaxLayers; ++layer) {
    const auto index = static_cast<std::size_t>(layer);
    if (config_.cachePackets) caches_[index] = std::make_unique<PacketCache>();
    if (config_.nackUpstream) nacks_[index] = std::make_unique<NackGenerator>(config_.nack);
  }
}

void TrackReceiver::setRtt(std::chrono::milliseconds rtt) noexcept {
  for (auto& nack : nacks_) {
    if (nack) nack->setRtt(rtt);
  }
}

std::span<const std::uint8_t> TrackReceiver::cachedPacket(int layer, std::uint16_t seq,
                                                          TimePoint now) const noexcept {
  if (layer < 0 || layer >= kMaxLayers) return {};
  const auto& cache = caches_[static_cast<std::size_t>(layer)];
  return cache ? cache->find(seq, now) : std::span<const std::uint8_t>{};
}

void TrackReceiver::pollNacks(TimePoint now) {
  if (nackRequester_ == nullptr) return;
  std::array<std::uint16_t, 64> seqs{};
  for (int layer = 0; layer < kMaxLayers; ++layer) {
    const auto index = static_cast<std::size_t>(layer);
    NackGenerator* nack = nacks_[index].get();
    if (nack == nullptr || !nack->pending() || !layerSsrcs_[index]) continue;
    const std::size_t n = nack->collect(now, seqs);
    if (n == 0) continue;
    stats_.nacksSent += n;
    nackRequester_->requestRetransmission(*layerSsrcs_[index], std::span<const std::uint16_t>(seqs.data(), n));
  }
}

void TrackReceiver::setLayerSsrc(int layer, std::uint32_t ssrc) {
  if (layer < 0 || layer >= kMaxLayers) {
    return;
  }
  // Which layer each downtrack follows is the subscriber's business (layer_selector.h).
  layerSsrcs_[static_cast<std::size_t>(layer)] = ssrc;
}

std::optional<int> TrackReceiver::layerOf(std::uint32_t ssrc) const noexcept {
  for (int layer = 0; layer < kMaxLayers; ++layer) {
    if (layerSsrcs_[static_cast<std::size_t>(layer)] == ssrc) {
      return layer;
    }
  }
  return std::nullopt;
}

std::optional<std::uint32_t> TrackReceiver::ssrcOf(int layer) const noexcept {
  if (layer < 0 || layer >= kMaxLayers) {
    return std::nullopt;
  }
  return layerSsrcs_[static_cast<std::size_t>(layer)];
}

LayerAvailability TrackReceiver::layersArriving(TimePoint now,
                                               std::chrono::milliseconds window) const noexcept {
  LayerAvailability out{};
  for (int layer = 0; layer < kMaxLayers; ++layer) {
    const auto index = static_cast<std::size_t>(layer);
    out[index] = stats_.packets[index] > 0 && now - lastPacketAt_[index] <= window;
  }
  return out;
}

int TrackReceiver::highestLayer() const noexcept {
  for (int layer = kMaxLayers - 1; layer > 0; --layer) {
    if (layerSsrcs_[static_cast<std::size_t>(layer)]) {
      return layer;
    }
  }
  return 0;
}

void TrackReceiver::onRtp(const rtc::RtpPacketView& packet, int layer, TimePoint now,
                          bool retransmission) {
  if (layer < 0 || layer >= kMaxLayers) {
    ++stats_.droppedUnknownLayer;
    return;
  }
  const auto index = static_cast<std::size_t>(layer);
  NackGenerator* nack = nacks_[index].get();
  const bool wasMissing = nack != nullptr && nack->onPacket(packet.sequenceNumber(), now);
  if (retransmission) {
    if (nack != nullptr && !wasMissing) {
      ++stats_.duplicateRetransmissions;
      return;
    }
    ++stats_.retransmissionsReceived;
  }
  if (PacketCache* cache = caches_[index].get()) {
    cache->insert(packet.sequenceNumber(), packet.data(), now);
  }
  const bool keyframe = isKeyframe(config_.codec, packet.payload());
  ++stats_.packets[index];
  lastPacketAt_[index] = now;
  receiveStats_[index].onPacket(packet.sequenceNumber(), packet.timestamp(), packet.size(), now,
                                retransmission);
  if (keyframe && isVideo(config_.codec)) {
    ++stats_.keyframes[index];
  }
  // One pass: forward to the downtracks that follow this layer (the others would only count a
  // drop, and a simulcast track's downtracks mostly follow other layers), and note which layers
  // someone waits on a keyframe of. By index: a sink may not detach downtracks from inside
  // sendRtp, but a stale iterator would be worse than a skipped packet if it ever did.
  std::array<bool, kMaxLayers> wanted{};
  bool any = false;
  for (std::size_t i = 0; i < downTracks_.size(); ++i) {
    DownTrack& downTrack = *downTracks_[i];
    if (downTrack.follows(layer)) {
      downTrack.forward(packet, layer, keyframe, now);
    }
    if (downTrack.needsKeyframe()) {
      const int target = downTrack.targetLayer();
      if (target >= 0 && target < kMaxLayers) {
        wanted[static_cast<std::size_t>(target)] = true;
        any = true;
      }
    }
  }
  if (any) {
    for (int l = 0; l < kMaxLayers; ++l) {
      if (wanted[static_cast<std::size_t>(l)]) {
        requestKeyframe(l, now);
      }
    }
  }
  if (nack != nullptr && nack->pending()) {
    pollNacks(now);
  }
}

void TrackReceiver::addDownTrack(DownTrack& downTrack, TimePoint now) {
  if (std::find(downTracks_.begin(), downTracks_.end(), &downTrack) != downTracks_.end()) {
    return;
  }
  downTracks_.push_back(&downTrack);
  const int target = highestLayer();
  downTrack.setTargetLayer(target);
  if (isVideo(config_.codec)) {
    requestKeyframe(target, now);
  }
}

void TrackReceiver::removeDownTrack(DownTrack& downTrack) {
  std::erase(downTracks_, &downTrack);
}

void TrackReceiver::requestKeyframe(int layer, TimePoint now) {
  if (layer < 0 || layer >= kMaxLayers) {
    return;
  }
  const auto index = static_cast<std::size_t>(layer);
  const auto ssrc = layerSsrcs_[index];
  if (!ssrc) {
    return;
  }
  if (keyframeRequested_[index] && now - lastKeyframeRequest_[index] < config_.keyframeRequestInterval) {
    return;
  }
  keyframeRequested_[index] = true;
  lastKeyframeRequest_[index] = now;
  ++stats_.keyframeRequests;
  requester_.requestKeyframe(*ssrc);
}

}  // namespace huddle::sfu
