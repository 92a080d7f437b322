#include "client/room_core.h"

#include <boost/asio/post.hpp>
#include <algorithm>
#include <set>

#include "client/proto_convert.h"
#include "client/track_state.h"
#include "common/log.h"
#include "livekit_models.pb.h"

namespace huddle::client {

namespace {

// LiveKit's clients refuse bigger user packets; the SCTP message limit is near this too.
constexpr std::size_t kMaxDataPayload = 15 * 1024;

// Resumes that fail for want of an answer (unreachable, timed out, dropped) before the
// reconnection gives up on the old session and rejoins; a refused resume rejoins at once.
constexpr unsigned kResumeAttemptsBeforeRejoin = 2;

// The delegate calls that bring a model from before a rejoin to the rejoin's JoinResponse: who
// left, who came, and changes of those who stayed. Worked out on a copy through the model's own
// update path, so an identity back with a new sid is one replacement, as in a live update.
EventList rejoinEvents(const RoomModel& before, const livekit::JoinResponse& join) {
  std::set<std::string> present;
  livekit::ParticipantUpdate update;
  for (const auto& p : join.other_participants()) {
    if (p.state() == livekit::ParticipantInfo::DISCONNECTED) continue;
    present.insert(p.identity());
  }
  for (const auto& remote : before.remotes()) {
    if (present.contains(remote.identity)) continue;
    auto* gone = update.add_participants();
    gone->set_sid(remote.sid);
    gone->set_identity(remote.identity);
    gone->set_state(livekit::ParticipantInfo::DISCONNECTED);
  }
  for (const auto& p : join.other_participants()) {
    if (p.state() != livekit::ParticipantInfo::DISCONNECTED) *update.add_participants() = p;
  }
  RoomModel scratch = before;
  EventList out;
  scratch.applyParticipantUpdate(update, out);
  return out;
}

bool refusesResume(DisconnectReason reason) {
  // A leave instead of `reconnect`, or the upgrade refused with 401/403/404: the session is gone.
  return reason == DisconnectReason::JoinFailure || reason == DisconnectReason::NotAuthorized ||
         reason == DisconnectReason::RoomNotFound;
}

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
    cancelReconnect();
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
    cancelReconnect();
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
  closeEngine();
  auto engine = std::shared_ptr<MediaEngine>(std::move(engine_));
  reliableOpen_ = false;
  lossyOpen_ = false;
  if (!session_) {
    boost::asio::post(io_, [engine, after = std::move(after)] {
      if (after) after();
    });
    return;
  }
  leaveSignal([engine, after = std::move(after)] {
    if (after) after();
  });
}

void RoomCore::leaveSignal(std::function<void()> after) {
  // The session stays until its leave is out or the flush time passed; a new connect() need
  // not wait for it.
  SignalSession* raw = session_.get();
  leaving_.push_back(std::move(session_));
  raw->leave(options_.timeouts.leaveFlush, [this, raw, after = std::move(after)]() mutable {
    // Destroyed from the loop, not from inside the session's own callback.
    boost::asio::post(io_, [this, raw, after = std::move(after)] {
      std::erase_if(leaving_, [raw](const auto& s) { return s.get() == raw; });
      if (after) after();
    });
  });
}

void RoomCore::closeEngine() {
  if (!engine_) return;
  // A failure the engine reports while closing is not a reason to reconnect.
  closingEngine_ = true;
  engine_->close();
  closingEngine_ = false;
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
  if (session_ || pending_ || reconnect_.active) {
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
  url_ = std::move(url);
  token_ = std::move(token);
  resumedSinceJoin_ = false;
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
  openJoinSession();
}

void RoomCore::openJoinSession() {
  MediaEngine::Listener& mediaListener = *this;
  SignalSession::Listener& signalListener = *this;
  engine_ = engineFactory_(io_, mediaListener);
  session_ = std::make_unique<SignalSession>(io_, signalListener);
  SignalJoinOptions join;
  join.url = url_;
  join.token = token_;
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
  dropSignal();
  dropEngine();
}

void RoomCore::dropSignal() {
  if (!session_) return;
  // A shared pointer so the posted handler stays copyable; it dies on this thread, after the
  // callback that may be on the stack.
  auto session = std::shared_ptr<SignalSession>(std::move(session_));
  boost::asio::post(io_, [session] {});
}

void RoomCore::dropEngine() {
  reliableOpen_ = false;
  lossyOpen_ = false;
  if (!engine_) return;
  closeEngine();
  auto engine = std::shared_ptr<MediaEngine>(std::move(engine_));
  boost::asio::post(io_, [engine] {});
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
  if (&session != session_.get()) return;
  usedV1_ = session.usedV1();
  pingInterval_ = session.pingInterval();
  pingTimeout_ = session.pingTimeout();
  if (reconnect_.active && !reconnect_.rejoin) {
    // A server that answers a resume with a join: the same sid is an accepted resume; another
    // sid is a new participant of its own, so it leaves again and the old one is gone.
    if (join.participant().sid() == localInfo().sid) {
      livekit::ReconnectResponse accepted;
      *accepted.mutable_ice_servers() = join.ice_servers();
      if (join.has_client_configuration()) *accepted.mutable_client_configuration() = join.client_configuration();
      finishResume(accepted);
      return;
    }
    leaveSignal(nullptr);
    attemptFailed(DisconnectReason::StateMismatch,
                  "the server answered the resume with a new participant " + join.participant().sid(), true);
    return;
  }
  if (reconnect_.active) {
    finishRejoin(join);
    return;
  }
  resumedSinceJoin_ = false;
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

void RoomCore::onSignalResumed(SignalSession& session, const livekit::ReconnectResponse& reconnect) {
  if (&session != session_.get() || !reconnect_.active || reconnect_.rejoin) return;
  usedV1_ = session.usedV1();
  finishResume(reconnect);
}

void RoomCore::onSignalConnectFailed(SignalSession& session, const SignalFailure& failure) {
  if (&session != session_.get()) return;
  if (reconnect_.active) {
    attemptFailed(failure.reason, failure.message, refusesResume(failure.reason));
    return;
  }
  HUDDLE_LOG_INFO(client, "join failed reason={} message={}", toString(failure.reason), failure.message);
  dropSession();
  setState(ConnectionState::Disconnected, failure.reason, failure.message);
  finishConnect(ConnectResult{false, failure.reason, failure.message, failure.httpStatus, false});
}

void RoomCore::onSignalMessage(SignalSession& session, const livekit::SignalResponse& message) {
  if (&session != session_.get()) return;
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

void RoomCore::onSignalLeave(SignalSession& session, const livekit::LeaveRequest& leave) {
  if (&session != session_.get()) return;
  const DisconnectReason serverReason = toDisconnectReason(leave.reason());
  if (leave.action() == livekit::LeaveRequest::DISCONNECT || state() != ConnectionState::Connected) {
    dropSession();
    setState(ConnectionState::Disconnected, serverReason,
             std::string("server closed the session: ") + livekit::DisconnectReason_Name(leave.reason()));
    return;
  }
  const bool rejoin = leave.action() == livekit::LeaveRequest::RECONNECT;
  startReconnect(rejoin, DisconnectReason::ReconnectRequested,
                 std::string("server asked to ") + (rejoin ? "reconnect" : "resume") + " (" +
                     livekit::DisconnectReason_Name(leave.reason()) + ")",
                 livekit::RR_UNKNOWN);
}

void RoomCore::onSignalLost(SignalSession& session, const std::string& why) {
  if (&session != session_.get()) return;
  HUDDLE_LOG_INFO(client, "signal lost: {}", why);
  if (state() == ConnectionState::Connected) {
    startReconnect(false, DisconnectReason::SignalLost, why, livekit::RR_SIGNAL_DISCONNECTED);
    return;
  }
  dropSession();
  setState(ConnectionState::Disconnected, DisconnectReason::SignalLost, why);
}

void RoomCore::onSignalRtt(SignalSession& /*session*/, std::chrono::milliseconds rtt) {
  std::lock_guard lock(mutex_);
  rtt_ = rtt;
}

void RoomCore::onTokenRefreshed(SignalSession& session) {
  if (&session != session_.get()) return;
  token_ = session.token();
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
  if (closingEngine_ || closed_) return;
  // During a resume the engine restarts ICE once the signal is back; a rejoin replaces it.
  if (reconnect_.active) return;
  if (state() == ConnectionState::Connected) {
    // A resume that did not bring the media back is not tried twice in a row: rejoin instead.
    startReconnect(resumedSinceJoin_, DisconnectReason::MediaFailure, "peer connection failed",
                   livekit::RR_PUBLISHER_FAILED);
    return;
  }
  dropSession();
  setState(ConnectionState::Disconnected, DisconnectReason::MediaFailure, "peer connection failed");
  finishConnect(ConnectResult{false, DisconnectReason::MediaFailure, "peer connection failed", 0, false});
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

// ---- reconnection (network thread) -------------------------------------------------------------

void RoomCore::startReconnect(bool rejoin, DisconnectReason reason, std::string detail,
                              livekit::ReconnectReason why) {
  if (closed_) return;
  HUDDLE_LOG_INFO(client, "reconnecting mode={} reason={} detail={}", rejoin ? "rejoin" : "resume",
                  toString(reason), detail);
  // No leave: the server keeps the participant for a resume only when the signal just drops.
  dropSignal();
  cancelReconnect();
  reconnect_.active = true;
  reconnect_.rejoin = rejoin;
  reconnect_.why = why;
  reconnect_.lastReason = reason;
  reconnect_.lastError = detail;
  reconnect_.policy.emplace(options_.reconnectPolicy);
  if (options_.reconnectPolicy.maxAttempts == 0) {
    giveUp();  // reconnection turned off: the trigger is the end
    return;
  }
  setState(rejoin ? ConnectionState::Reconnecting : ConnectionState::Resuming, reason, std::move(detail));
  scheduleAttempt();
}

void RoomCore::scheduleAttempt() {
  const auto delay = reconnect_.policy->nextDelay(reconnect_.attempts);
  if (!delay) {
    giveUp();
    return;
  }
  reconnectTimer_.expires_after(*delay);
  reconnectTimer_.async_wait([this, generation = reconnectGeneration_](boost::system::error_code ec) {
    if (ec || closed_ || generation != reconnectGeneration_ || !reconnect_.active) return;
    runAttempt();
  });
}

void RoomCore::runAttempt() {
  ++reconnect_.attempts;
  HUDDLE_LOG_DEBUG(client, "reconnect attempt {} mode={}", reconnect_.attempts,
                   reconnect_.rejoin ? "rejoin" : "resume");
  if (reconnect_.rejoin) {
    // The old engine goes (its remote tracks end as unsubscribed); the new one offers afresh.
    dropEngine();
    reliableSequence_ = 0;
    openJoinSession();
    return;
  }
  SignalSession::Listener& signalListener = *this;
  session_ = std::make_unique<SignalSession>(io_, signalListener);
  SignalJoinOptions resume;
  resume.url = url_;
  resume.token = token_;
  resume.preferV1 = usedV1_;  // a resume stays on the path that worked
  resume.autoSubscribe = options_.autoSubscribe;
  resume.adaptiveStream = options_.adaptiveStream;
  resume.metadata = options_.metadata;
  resume.connectTimeout = options_.timeouts.signalConnect;
  resume.firstMessageTimeout = options_.timeouts.firstMessage;
  resume.reconnect = true;
  resume.participantSid = localInfo().sid;
  resume.reconnectReason = reconnect_.why;
  resume.pingInterval = pingInterval_;
  resume.pingTimeout = pingTimeout_;
  session_->connect(std::move(resume));
}

void RoomCore::attemptFailed(DisconnectReason reason, std::string error, bool refused) {
  HUDDLE_LOG_INFO(client, "reconnect attempt {} ({}) failed reason={} error={}", reconnect_.attempts,
                  reconnect_.rejoin ? "rejoin" : "resume", toString(reason), error);
  dropSignal();
  if (reconnect_.rejoin) dropEngine();  // each rejoin makes its own
  reconnect_.lastReason = reason;
  reconnect_.lastError = std::move(error);
  if (!reconnect_.rejoin) {
    ++reconnect_.failedResumes;
    if (refused || reconnect_.failedResumes >= kResumeAttemptsBeforeRejoin) {
      reconnect_.rejoin = true;
      setState(ConnectionState::Reconnecting, reason, reconnect_.lastError);
    }
  } else if (reason == DisconnectReason::NotAuthorized || reason == DisconnectReason::RoomNotFound) {
    // Asking again with the same token cannot go better.
    giveUp();
    return;
  }
  scheduleAttempt();
}

void RoomCore::finishResume(const livekit::ReconnectResponse& reconnect) {
  HUDDLE_LOG_INFO(client, "resumed after {} attempt(s)", reconnect_.attempts);
  cancelReconnect();
  resumedSinceJoin_ = true;
  if (!reconnect.server_info().version().empty()) {
    std::lock_guard lock(mutex_);
    serverVersion_ = reconnect.server_info().version();
  }
  // Connected first: a failure the engine reports from inside onResumed starts a new round.
  setState(ConnectionState::Connected, DisconnectReason::None, "");
  if (engine_) engine_->onResumed(reconnect);
}

void RoomCore::finishRejoin(const livekit::JoinResponse& join) {
  HUDDLE_LOG_INFO(client, "rejoined after {} attempt(s) sid={}", reconnect_.attempts, join.participant().sid());
  cancelReconnect();
  resumedSinceJoin_ = false;
  EventList events;
  {
    std::lock_guard lock(mutex_);
    events = rejoinEvents(model_, join);
    model_.applyJoin(join);
    serverVersion_ = join.server_info().version().empty() ? join.server_version() : join.server_info().version();
  }
  if (engine_) engine_->onJoined(join, usedV1_);
  setState(ConnectionState::Connected, DisconnectReason::None, "");
  emit(std::move(events));
  // The application's tracks go out again on the new engine, under new track sids.
  for (const auto& track : localTracks_) {
    if (!engine_) break;
    track->detach();
    engine_->publishTrack(track, [](PublishResult result) {
      if (!result.ok) HUDDLE_LOG_WARN(client, "republishing a track after a rejoin failed: {}", result.message);
    });
  }
}

void RoomCore::giveUp() {
  const DisconnectReason reason = reconnect_.lastReason;
  const unsigned attempts = reconnect_.attempts;
  const std::string detail = attempts == 0 ? reconnect_.lastError
                                           : "gave up after " + std::to_string(attempts) + " attempt" +
                                                 (attempts == 1 ? "" : "s") + ": " + reconnect_.lastError;
  HUDDLE_LOG_INFO(client, "reconnection {}", detail);
  cancelReconnect();
  dropSignal();
  releaseLocalTracks();  // while the engine is there to unpublish them
  dropEngine();
  setState(ConnectionState::Disconnected, reason, detail);
}

void RoomCore::cancelReconnect() {
  ++reconnectGeneration_;
  reconnectTimer_.cancel();
  reconnect_ = Reconnection{};
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
