#pragma once
// Private to PeerMediaEngine: what it keeps per published and per subscribed track.

#include <memory>
#include <string>

#include "client/peer_media_engine.h"
#include "client/pipeline/audio_receive_pipeline.h"
#include "client/pipeline/audio_send_pipeline.h"
#include "client/pipeline/video_receive_pipeline.h"
#include "client/pipeline/video_send_pipeline.h"
#include "client/remote_track.h"
#include "client/track_state.h"

namespace huddle::client {

struct PeerMediaEngine::Publication {
  std::uint32_t id = 0;
  std::shared_ptr<LocalTrackState> track;
  std::string cid;
  std::string sid;  // from track_published
  std::string mid;  // once the send section exists
  livekit::TrackInfo info;
  PublishDone done;  // set until the result is reported
  StreamTime deadline{};
  int layers = 1;
  std::unique_ptr<VideoSendPipeline> video;
  std::unique_ptr<AudioSendPipeline> audio;
};

struct PeerMediaEngine::Subscription {
  std::string trackSid;
  std::string mid;
  PeerSession* session = nullptr;
  bool video = false;
  std::uint32_t ssrc = 0;
  std::shared_ptr<RemoteTrackState> state;
  std::shared_ptr<RemoteTrack> track;
  std::unique_ptr<VideoReceivePipeline> videoPipeline;
  std::unique_ptr<AudioReceivePipeline> audioPipeline;
  media::AudioFrame pulled;  // audio: the 10 ms handed to the sink
  StreamTime nextPull{};
  std::uint64_t bytesAtLastReport = 0;
  StreamTime lastReport{};
  // From the last receiver report block we built: the interval's loss and the jitter.
  double lossFraction = 0;
  double jitterMs = 0;
  RemoteTrackStats lastStats;
};

}  // namespace huddle::client
