#include "client/room_core.h"

#include <boost/asio/post.hpp>
#include <algorithm>

#include "client/proto_convert.h"
#include "client/track_state.h"
#include "common/log.h"
#include "livekit_models.pb.h"

namespace huddle::client {

namespace {

// LiveKit's clients refuse bigger user packets; the SCTP message limit is near this too.
constexpr std::size_t kMaxDataPayload = 15 * 1024;

}  // namespace

RoomCore::RoomCore(Executor executor, MediaEngineFactory engineFactory)
    : work_(boost::asio::make_work_guard(io_)),
      executor_(std::move(executor)),
      engineFactory_(std::move(engineFactory)) {
  if (!engineFactory_) {
    engineFactory_ = [](boost::asio::io_context&, MediaEngine::Listener&) -> std::unique_ptr<MediaEngine> {
      return std::make_unique<NullMediaEngine>();
    };
  }
}

RoomCore::~RoomCore() = default;

void RoomCore::run() { io_.run(); }

// ---- thread-safe ------------------------------------------------------------------------------

void RoomCore::setMediaEngineFactory(MediaEngineFactory factory) {
  boost::asio::post(io_, [this, factory = std::move(factory)]() mutable {
    if (factory) engineFactory_ = std::move(factory);
  });
}

void RoomCore::setDelegate(RoomDelegate* delegate) {
  std::lock_guard lock(callbackMutex_);
  delegate_ = delegate;
}

void RoomCore::connect(std::string url, std::string token, RoomOptions options,
                       std::function<void(const ConnectResult&)> done,
                       std::shared_ptr<std::promise<ConnectResult>> promise) {
  boost::asio::post(io_, [this, url = std::move(url), token = std::move(token), options = std::move(options),
                          pending = PendingConnect{std::move(done), std::move(promise)}]() mutable {
    startConnect(std::move(url), std::move(token), std::move(options), std::move(pending));
  });
}

void RoomCore::disconnect() {
  boost::asio::post(io_, [this] {
    if (pending_) {
      finishConnect(ConnectResult{false, DisconnectReason::ClientInitiated, "disconnect() during connect", 0, false});
    }
    const bool wasUp = session_ != nullptr || state() != ConnectionState::Disconnected;
    leaveSession(nullptr);
    releaseLocalTracks();
    if (wasUp) setState(ConnectionState::Disconnected, DisconnectReason::ClientInitiated, "");
  });
}

void RoomCore::shutdown() {
  {
    // Waits for a callback running on another thread; re-entrant from inside one.
    std::lock_guard lock(callbackMutex_);
    closed_ = true;
    delegate_ = nullptr;
  }
  boost::asio::post(io_, [this] {
    if (pending_ && pending_->promise) {
      pending_->promise->set_value(
          ConnectResult{false, DisconnectReason::ClientInitiated, "the Room was destroyed", 0, false});
    }
    pending_.reset();
    releaseLocalTracks();
    leaveSession([this] {
      work_.reset();
      // Sockets retired on the way out may need another turn of the loop; then it ends.
      boost::asio::post(io_, [this] { io_.stop(); });
    });
  });
}

void RoomCore::releaseLocalTracks() {
  // Moved out first: unpublishing a track still being published fails its publish, whose
  // completion erases it from localTracks_.
  const auto tracks = std::move(localTracks_);
  localTracks_.clear();
  for (const auto& track : tracks) {
    if (engine_) engine_->unpublishTrack(track);
    track->detach();
    track->release(this);
  }
}

void RoomCore::leaveSession(std::function<void()> after) {
  if (engine_) engine_->close();
  auto engine = std::shared_ptr<MediaEngine>(std::move(engine_));
  reliableOpen_ = false;
  lossyOpen_ = false;
  if (!session_) {
    boost::asio::post(io_, [engine, after = std::move(after)] {
      if (after) after();
    });
    return;
  }
  // The session stays until its leave is out or the flush time passed; a new connect() need
  // not wait for it.
  SignalSession* raw = session_.get();
  leaving_.push_back(std::move(session_));
  raw->leave(options_.timeouts.leaveFlush, [this, raw, engine, after = std::move(after)]() mutable {
    // Destroyed from the loop, not from inside the session's own callback.
    boost::asio::post(io_, [this, raw, engine, after = std::move(after)] {
      std::erase_if(leaving_, [raw](const auto& s) { return s.get() == raw; });
      if (after) after();
    });
  });
}

ConnectionState RoomCore::state() const {
  std::lock_guard lock(mutex_);
  return state_;
}
std::string RoomCore::roomName() const {
  std::lock_guard lock(mutex_);
  return model_.roomName();
}
std::string RoomCore::roomSid() const {
  std::lock_guard lock(mutex_);
  return model_.roomSid();
}
std::string RoomCore::roomMetadata() const {
  std::lock_guard lock(mutex_);
  return model_.roomMetadata();
}
std::string RoomCore::serverVersion() const {
  std::lock_guard lock(mutex_);
  return serverVersion_;
}
std::optional<std::chrono::milliseconds> RoomCore::signalRtt() const {
  std::lock_guard lock(mutex_);
  return rtt_;
}
ParticipantInfo RoomCore::localInfo() const {
  std::lock_guard lock(mutex_);
  return model_.local();
}
std::vector<RemoteParticipant> RoomCore::remotes() const {
  std::lock_guard lock(mutex_);
  return model_.remotes();
}
std::optional<RemoteParticipant> RoomCore::remoteByIdentity(const std::string& identity) const {
  std::lock_guard lock(mutex_);
  const RemoteParticipant* found = model_.findRemoteByIdentity(identity);
  return found != nullptr ? std::optional<RemoteParticipant>(*found) : std::nullopt;
}
std::vector<ActiveSpeaker> RoomCore::activeSpeakers() const {
  std::lock_guard lock(mutex_);
  return model_.activeSpeakers();
}

RequestResult RoomCore::updateMetadata(std::optional<std::string> metadata, std::optional<std::string> name,
                                       std::map<std::string, std::string> attributes) {
  if (state() != ConnectionState::Connected) {
    return RequestResult{false, RequestError::NotConnected, "the room is not connected"};
  }
  livekit::SignalRequest request;
  auto* update = request.mutable_update_metadata();
  // The message replaces both strings, so the current value goes along for the one not changed.
  const ParticipantInfo local = localInfo();
  update->set_metadata(metadata ? *metadata : local.metadata);
  update->set_name(name ? *name : local.name);
  update->mutable_attributes()->insert(attributes.begin(), attributes.end());
  boost::asio::post(io_, [this, request = std::move(request)]() mutable {
    request.mutable_update_metadata()->set_request_id(nextRequestId_++);
    if (session_) session_->send(request);
  });
  return RequestResult{};
}

RequestResult RoomCore::publishData(std::span<const std::uint8_t> data, const DataPublishOptions& options) {
  if (data.size() > kMaxDataPayload) {
    return RequestResult{false, RequestError::TooLarge,
                         "payload over " + std::to_string(kMaxDataPayload) + " bytes"};
  }
  if (state() != ConnectionState::Connected) {
    return RequestResult{false, RequestError::NotConnected, "the room is not connected"};
  }
  if (!(options.reliable ? reliableOpen_ : lossyOpen_).load()) {
    return RequestResult{false, RequestError::NotConnected, "the data channel is not open"};
  }
  livekit::DataPacket packet;
  packet.set_kind(options.reliable ? livekit::DataPacket::RELIABLE : livekit::DataPacket::LOSSY);
  for (const auto& id : options.destinationIdentities) packet.add_destination_identities(id);
  auto* user = packet.mutable_user();
  user->set_payload(data.data(), data.size());
  if (!options.topic.empty()) user->set_topic(options.topic);
  for (const auto& id : options.destinationIdentities) user->add_destination_identities(id);
  boost::asio::post(io_, [this, packet = std::move(packet), reliable = options.reliable]() mutable {
    if (!engine_) return;
    if (reliable) packet.set_sequence(++reliableSequence_);
    const std::string bytes = packet.SerializeAsString();
    engine_->sendData(reliable, {reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()});
  });
  return RequestResult{};
}

void RoomCore::publishTrack(std::shared_ptr<LocalTrackState> track, std::function<void(PublishResult)> done) {
  boost::asio::post(io_, [this, track = std::move(track), done = std::move(done)]() mutable {
    if (!engine_ || state() != ConnectionState::Connected) {
      done(PublishResult{false, "the room is not connected", {}});
      return;
    }
    if (!track->claim(this)) {
      done(PublishResult{false, "the track is already published", {}});
      return;
    }
    localTracks_.push_back(track);
    engine_->publishTrack(track, [this, track, done = std::move(done)](PublishResult result) {
      if (!result.ok) {
        // A track the server refused is not republished after a reconnection.
        std::erase(localTracks_, track);
        track->release(this);
      }
      done(std::move(result));
    });
  });
}

RequestResult RoomCore::unpublishTrack(std::shared_ptr<LocalTrackState> track) {
  if (!track) return RequestResult{false, RequestError::InvalidArgument, "no track"};
  boost::asio::post(io_, [this, track = std::move(track)] {
    const auto it = std::find(localTracks_.begin(), localTracks_.end(), track);
    if (it == localTracks_.end()) return;
    localTracks_.erase(it);
    if (engine_) engine_->unpublishTrack(track);
    track->detach();
    track->release(this);
  });
  return RequestResult{};
}

void RoomCore::post(std::function<void()> task) {
  if (closed_) return;
  executor_([weak = weak_from_this(), task = std::move(task)] {
    auto self = weak.lock();
    if (self && !self->closed_) task();
  });
}

// ---- network thread ---------------------------------------------------------------------------

void RoomCore::startConnect(std::string url, std::string token, RoomOptions options, PendingConnect pending) {
  if (closed_) return;
  if (session_ || pending_) {
    ConnectResult refused{false, DisconnectReason::ProtocolError, "already connecting or connected", 0, false};
    if (pending.promise) pending.promise->set_value(refused);
    if (pending.done) {
      executor_([weak = weak_from_this(), done = std::move(pending.done), refused] {
        auto self = weak.lock();
        if (self && !self->closed_) done(refused);
      });
    }
    return;
  }
  options_ = std::move(options);
  pending_ = std::move(pending);
  if (executorHook_) executorHook_(options_.executor);
  {
    std::lock_guard lock(mutex_);
    model_.reset();
    rtt_.reset();
  }
  reliableOpen_ = false;
  lossyOpen_ = false;
  reliableSequence_ = 0;
  setState(ConnectionState::Connecting, DisconnectReason::None, "");
  MediaEngine::Listener& mediaListener = *this;
  SignalSession::Listener& signalListener = *this;
  engine_ = engineFactory_(io_, mediaListener);
  session_ = std::make_unique<SignalSession>(io_, signalListener);
  SignalJoinOptions join;
  join.url = std::move(url);
  join.token = std::move(token);
  join.preferV1 = options_.preferV1;
  join.autoSubscribe = options_.autoSubscribe;
  join.adaptiveStream = options_.adaptiveStream;
  join.metadata = options_.metadata;
  if (join.preferV1 && engine_) join.publisherOffer = engine_->initialOffer();
  join.connectTimeout = options_.timeouts.signalConnect;
  join.firstMessageTimeout = options_.timeouts.firstMessage;
  session_->connect(std::move(join));
}

void RoomCore::finishConnect(ConnectResult result) {
  if (!pending_) return;
  PendingConnect pending = std::move(*pending_);
  pending_.reset();
  if (pending.promise) pending.promise->set_value(result);
  if (pending.done) {
    executor_([weak = weak_from_this(), done = std::move(pending.done), result = std::move(result)] {
      auto self = weak.lock();
      if (self && !self->closed_) done(result);
    });
  }
}

void RoomCore::setState(ConnectionState state, DisconnectReason reason, std::string detail) {
  {
    std::lock_guard lock(mutex_);
    if (state_ == state && state != ConnectionState::Disconnected) return;
    state_ = state;
  }
  dispatch([state, reason, detail = std::move(detail)](RoomDelegate& d) {
    d.onConnectionStateChanged(state, reason, detail);
  });
}

void RoomCore::dropSession() {
  reliableOpen_ = false;
  lossyOpen_ = false;
  if (engine_) engine_->close();
  // Shared pointers so the posted handler stays copyable; both die on this thread.
  auto session = std::shared_ptr<SignalSession>(std::move(session_));
  auto engine = std::shared_ptr<MediaEngine>(std::move(engine_));
  boost::asio::post(io_, [session, engine] {});
}

void RoomCore::emit(EventList events) {
  for (auto& call : events) dispatch(std::move(call));
}

void RoomCore::dispatch(DelegateCall call) {
  if (closed_) return;
  executor_([weak = weak_from_this(), call = std::move(call)] {
    if (auto self = weak.lock()) self->invoke(call);
  });
}

void RoomCore::invoke(const DelegateCall& call) {
  std::lock_guard lock(callbackMutex_);
  if (closed_ || delegate_ == nullptr) return;
  call(*delegate_);
}

void RoomCore::onSignalJoined(SignalSession& session, const livekit::JoinResponse& join) {
  {
    std::lock_guard lock(mutex_);
    model_.applyJoin(join);
    serverVersion_ = join.server_info().version().empty() ? join.server_version() : join.server_info().version();
  }
  if (engine_) engine_->onJoined(join, session.usedV1());
  HUDDLE_LOG_DEBUG(client, "joined room={} sid={} v1={}", join.room().name(), join.participant().sid(),
                   session.usedV1());
  setState(ConnectionState::Connected, DisconnectReason::None, "");
  finishConnect(ConnectResult{true, DisconnectReason::None, "", 0, session.usedV1()});
}

void RoomCore::onSignalConnectFailed(SignalSession& /*session*/, const SignalFailure& failure) {
  HUDDLE_LOG_INFO(client, "join failed reason={} message={}", toString(failure.reason), failure.message);
  dropSession();
  setState(ConnectionState::Disconnected, failure.reason, failure.message);
  finishConnect(ConnectResult{false, failure.reason, failure.message, failure.httpStatus, false});
}

void RoomCore::onSignalMessage(SignalSession& /*session*/, const livekit::SignalResponse& message) {
  EventList events;
  switch (message.message_case()) {
    case livekit::SignalResponse::kUpdate: {
      {
        std::lock_guard lock(mutex_);
        model_.applyParticipantUpdate(message.update(), events);
      }
      // Unsubscribe events follow the participant/publication events that caused them.
      emit(std::move(events));
      events.clear();
      if (engine_) engine_->onPublicationsChanged();
      break;
    }
    case livekit::SignalResponse::kSpeakersChanged: {
      std::lock_guard lock(mutex_);
      model_.applySpeakersChanged(message.speakers_changed(), events);
      break;
    }
    case livekit::SignalResponse::kConnectionQuality: {
      std::lock_guard lock(mutex_);
      model_.applyConnectionQuality(message.connection_quality(), events);
      break;
    }
    case livekit::SignalResponse::kRoomUpdate: {
      std::lock_guard lock(mutex_);
      model_.applyRoomUpdate(message.room_update().room(), events);
      break;
    }
    case livekit::SignalResponse::kAnswer:
      if (engine_) engine_->onAnswer(message.answer());
      break;
    case livekit::SignalResponse::kOffer:
      if (engine_) engine_->onOffer(message.offer());
      break;
    case livekit::SignalResponse::kTrickle:
      if (engine_) engine_->onTrickle(message.trickle());
      break;
    case livekit::SignalResponse::kMediaSectionsRequirement:
      if (engine_) engine_->onMediaSectionsRequirement(message.media_sections_requirement());
      break;
    default:
      // Publishing and subscription messages belong to the media layer.
      if (engine_) engine_->onSignalResponse(message);
      break;
  }
  emit(std::move(events));
}

void RoomCore::onSignalLeave(SignalSession& /*session*/, const livekit::LeaveRequest& leave) {
  const DisconnectReason serverReason = toDisconnectReason(leave.reason());
  dropSession();
  if (leave.action() == livekit::LeaveRequest::DISCONNECT) {
    setState(ConnectionState::Disconnected, serverReason,
             std::string("server closed the session: ") + livekit::DisconnectReason_Name(leave.reason()));
    return;
  }
  // RESUME or RECONNECT: the trigger for the reconnection still to come.
  setState(ConnectionState::Disconnected, DisconnectReason::ReconnectRequested,
           std::string("server asked to ") +
               (leave.action() == livekit::LeaveRequest::RESUME ? "resume" : "reconnect") + " (" +
               livekit::DisconnectReason_Name(leave.reason()) + "); reconnection is not implemented yet");
}

void RoomCore::onSignalLost(SignalSession& /*session*/, const std::string& why) {
  HUDDLE_LOG_INFO(client, "signal lost: {}", why);
  dropSession();
  setState(ConnectionState::Disconnected, DisconnectReason::SignalLost, why);
}

void RoomCore::onSignalRtt(SignalSession& /*session*/, std::chrono::milliseconds rtt) {
  std::lock_guard lock(mutex_);
  rtt_ = rtt;
}

void RoomCore::onTokenRefreshed(SignalSession& /*session*/) {
  dispatch([](RoomDelegate& d) { d.onTokenRefreshed(); });
}

void RoomCore::onMediaSignal(livekit::SignalRequest request) {
  if (session_) session_->send(request);
}

void RoomCore::onMediaData(bool reliable, std::span<const std::uint8_t> packet) {
  handleDataPacket(reliable, packet);
}

void RoomCore::onMediaDataChannel(bool reliable, bool open) { (reliable ? reliableOpen_ : lossyOpen_) = open; }

void RoomCore::onMediaFailed() {
  dropSession();
  setState(ConnectionState::Disconnected, DisconnectReason::MediaFailure, "peer connection failed");
}

void RoomCore::onMediaEvent(DelegateCall call) { dispatch(std::move(call)); }

void RoomCore::onMediaStats(const ConnectionStats& stats) {
  std::lock_guard lock(mutex_);
  mediaStats_ = stats;
}

ConnectionStats RoomCore::connectionStats() const {
  std::lock_guard lock(mutex_);
  ConnectionStats stats = mediaStats_;
  stats.signalRtt = rtt_;
  if (rtt_ && *rtt_ >= std::chrono::milliseconds(300) && stats.localQuality == ConnectionQuality::Excellent) {
    stats.localQuality = ConnectionQuality::Good;
  }
  if (state_ != ConnectionState::Connected) stats.localQuality = ConnectionQuality::Lost;
  if (auto server = model_.localQuality()) {
    stats.serverQuality = server->first;
    stats.serverScore = server->second;
  }
  return stats;
}

std::optional<std::pair<ParticipantInfo, TrackPublication>> RoomCore::findPublication(const std::string& trackSid) {
  std::lock_guard lock(mutex_);
  auto search = [&](const ParticipantInfo& p) -> std::optional<std::pair<ParticipantInfo, TrackPublication>> {
    for (const auto& pub : p.publications) {
      if (pub.sid == trackSid) return std::make_pair(p, pub);
    }
    return std::nullopt;
  };
  if (auto found = search(model_.local())) return found;
  for (const auto& remote : model_.remotes()) {
    if (auto found = search(remote)) return found;
  }
  return std::nullopt;
}

void RoomCore::handleDataPacket(bool reliable, std::span<const std::uint8_t> bytes) {
  livekit::DataPacket packet;
  if (!packet.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) || !packet.has_user()) return;
  DataReceived data;
  const auto& user = packet.user();
  data.payload.assign(user.payload().begin(), user.payload().end());
  data.senderIdentity = !packet.participant_identity().empty() ? packet.participant_identity()
                                                               : user.participant_identity();
  data.senderSid = !packet.participant_sid().empty() ? packet.participant_sid() : user.participant_sid();
  data.topic = user.topic();
  data.kind = reliable ? DataKind::Reliable : DataKind::Lossy;
  dispatch([data = std::move(data)](RoomDelegate& d) { d.onDataReceived(data); });
}

}  // namespace huddle::client
