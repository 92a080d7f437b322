#include "server/signal_session.h"

#include "common/log.h"
#include "server/media_worker.h"
#include "server/proto_convert.h"
#include "signal/signal_codec.h"

namespace huddle::server {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

namespace {

int httpStatusFor(sfu::RoomError error) {
  switch (error) {
    case sfu::RoomError::RoomNotFound:
      return 404;
    case sfu::RoomError::NotAllowed:
      return 403;
    case sfu::RoomError::RoomFull:
    case sfu::RoomError::RoomClosed:
      return 503;
    case sfu::RoomError::InvalidArgument:
    case sfu::RoomError::ParticipantNotFound:
    case sfu::RoomError::TrackNotFound:
      return 400;
  }
  return 500;
}

std::int64_t nowMillis(const Clock& clock) { return clock.unixMillis(); }

}  // namespace

SignalSession::SignalSession(ServerContext& context, beast::tcp_stream stream, Request upgrade,
                             signal::JoinParams params, auth::VerifiedToken token)
    : context_(context),
      ws_(std::move(stream)),
      upgrade_(std::move(upgrade)),
      params_(std::move(params)),
      token_(std::move(token)) {
  roomName_ = token_.grants.video ? token_.grants.video->room : std::string();
  if (context_.metrics.sessions != nullptr) context_.metrics.sessions->inc();
}

SignalSession::~SignalSession() {
  if (context_.metrics.sessions != nullptr) context_.metrics.sessions->dec();
}

void SignalSession::start() {
  context_.sessions.add(shared_from_this());
  beast::get_lowest_layer(ws_).expires_never();

  JoinResponseSettings settings = context_.joinSettings;
  settings.singlePeerConnection = params_.singlePeerConnection;
  const auth::VideoGrant grant = token_.grants.video.value_or(auth::VideoGrant{});
  settings.canSubscribe = grant.effectiveCanSubscribe();
  settings.canPublish = grant.effectiveCanPublish();
  auto sink = std::make_shared<SessionSink>(context_.signalIo, weak_from_this(), settings);
  sink_ = sink;

  const bool resume = params_.reconnect && !params_.participantSid.empty();
  sfu::JoinOptions options;
  options.identity = token_.identity();
  options.name = token_.grants.name;
  options.metadata = !params_.metadata.empty() ? params_.metadata : token_.grants.metadata;
  options.attributes = token_.grants.attributes;
  for (const auto& [k, v] : params_.attributes) options.attributes[k] = v;
  options.permission = permissionFromGrant(grant, grant.effectiveCanUpdateOwnMetadata());
  options.kind = participantKindFromClaim(token_.grants.kind);
  options.autoSubscribe = params_.autoSubscribe;
  options.clientProtocol = params_.clientInfo.client_protocol();
  options.sink = sink;

  MediaWorker& worker = context_.worker;
  boost::asio::io_context& signalIo = context_.signalIo;
  media::ParticipantMediaSettings mediaSettings;
  mediaSettings.identity = options.identity;
  mediaSettings.singlePeerConnection = params_.singlePeerConnection;
  mediaSettings.canSubscribe = settings.canSubscribe;
  mediaSettings.canPublishData = options.permission.canPublishData;
  mediaSettings.congestionControl = context_.congestionControl;
  mediaSettings.congestionAllowPause =
      params_.subscriberAllowPause.value_or(context_.congestionAllowPause);
  std::optional<livekit::SessionDescription> firstOffer = params_.publisherOffer;
  std::vector<sfu::AddTrackOptions> firstTracks;
  for (const auto& t : params_.addTrackRequests) firstTracks.push_back(fromProto(t));
  // The join holds the session: nothing else owns it until the WebSocket's own operations do.
  worker.post([&worker, &signalIo, self = shared_from_this(), room = roomName_, resume,
               sid = params_.participantSid, options = std::move(options), sink,
               mediaSettings = std::move(mediaSettings), firstOffer = std::move(firstOffer),
               firstTracks = std::move(firstTracks)]() mutable {
    auto reply = [&signalIo, self](auto fn) {
      boost::asio::post(signalIo, [self, fn = std::move(fn)]() mutable { fn(*self); });
    };
    if (resume) {
      sfu::Room* existing = worker.rooms().find(room);
      if (existing != nullptr && existing->resume(sid, options.identity, sink).ok()) {
        if (media::MediaHub* hub = worker.media()) {
          if (media::ParticipantMedia* pm = hub->find(room, sid)) {
            pm->setSink(sink);
            sink->attachMedia(hub, room, sid);
            pm->restartSubscriberIce();
          }
        }
        reply([sid](SignalSession& s) { s.accepted(sid); });
        return;
      }
      // Nothing to resume: the client must start over, told by a leave as its first message.
      std::string bytes = signal::encodeSignalResponse(
          SessionSink::leaveResponse(sfu::DisconnectReason::StateMismatch,
                                     sfu::LeaveAction::Reconnect),
          false);
      reply([bytes = std::move(bytes)](SignalSession& s) mutable {
        s.deliver(std::move(bytes), true);
        s.accepted("");
      });
      return;
    }
    auto target = worker.rooms().roomForJoin(room);
    if (!target.ok()) {
      reply([code = target.code(), msg = target.message()](SignalSession& s) {
        s.refused(httpStatusFor(code), msg);
      });
      return;
    }
    auto joined = (*target)->join(std::move(options));
    if (!joined.ok()) {
      reply([code = joined.code(), msg = joined.message()](SignalSession& s) {
        s.refused(httpStatusFor(code), msg);
      });
      return;
    }
    // The participant counts as active once its JoinResponse is on the way, not when its
    // transport connects (see docs/decisions.md).
    (*target)->setActive(joined->sid);
    if (media::MediaHub* hub = worker.media()) {
      mediaSettings.sid = joined->sid;
      sink->attachMedia(hub, room, joined->sid);
      media::ParticipantMedia& pm = hub->addParticipant(**target, mediaSettings, sink);
      // v1 joins may carry their first tracks and offer (fast publish).
      for (const auto& t : firstTracks) (*target)->addTrack(joined->sid, t);
      if (firstOffer) hub->handleOffer(room, joined->sid, firstOffer->sdp(), firstOffer->id());
      if (!mediaSettings.singlePeerConnection && mediaSettings.canSubscribe) {
        pm.startSubscriberConnection();
      }
    }
    reply([sid = joined->sid](SignalSession& s) { s.accepted(sid); });
  });
}

void SignalSession::refused(int status, std::string text) {
  if (state_ != State::Joining) return;
  state_ = State::Closed;
  if (context_.metrics.refusedJoins != nullptr) {
    context_.metrics.refusedJoins->labels({std::to_string(status)}).inc();
  }
  auto response = std::make_shared<http::response<http::string_body>>(
      static_cast<http::status>(status), upgrade_.version());
  response->set(http::field::content_type, "text/plain; charset=utf-8");
  response->set(http::field::access_control_allow_origin, "*");
  response->body() = std::move(text);
  response->prepare_payload();
  response->keep_alive(false);
  http::async_write(beast::get_lowest_layer(ws_), *response,
                    [self = shared_from_this(), response](const boost::system::error_code&,
                                                         std::size_t) {
                      beast::error_code ignored;
                      beast::get_lowest_layer(self->ws_).socket().shutdown(
                          boost::asio::ip::tcp::socket::shutdown_send, ignored);
                      self->context_.sessions.remove(self.get());
                    });
}

void SignalSession::accepted(std::string participantSid) {
  if (state_ != State::Joining) return;
  participantSid_ = std::move(participantSid);
  state_ = State::Accepting;
  if (!participantSid_.empty()) {
    if (params_.reconnect) {
      if (context_.metrics.resumes != nullptr) context_.metrics.resumes->inc();
    } else if (context_.metrics.joins != nullptr) {
      context_.metrics.joins->inc();
    }
  }
  ws_.set_option(websocket::stream_base::timeout::suggested(beast::role_type::server));
  ws_.read_message_max(context_.maxSignalMessageBytes);
  ws_.binary(true);
  ws_.async_accept(upgrade_, [self = shared_from_this()](const boost::system::error_code& ec) {
    self->onAccept(ec);
  });
}

void SignalSession::onAccept(const boost::system::error_code& ec) {
  if (ec) {
    HUDDLE_LOG_DEBUG(signal, "signal accept failed room={} error={}", roomName_, ec.message());
    ended(false);
    return;
  }
  state_ = State::Open;
  if (!participantSid_.empty() && !params_.reconnect) sendRefreshToken();
  writeNext();
  readNext();
}

void SignalSession::sendRefreshToken() {
  const auth::HmacSha256Key* key = context_.keys.find(token_.apiKey);
  if (key == nullptr) return;
  auth::MintOptions options;
  options.apiKey = token_.apiKey;
  auto refreshed = auth::mintToken(token_.grants, options, *key, context_.clock);
  if (!refreshed.ok()) return;
  livekit::SignalResponse response;
  response.set_refresh_token(*refreshed);
  sendNow(response);
}

void SignalSession::deliver(std::string bytes, bool thenClose) {
  if (state_ == State::Closed) return;
  outbox_.push_back(std::move(bytes));
  if (thenClose) closeAfterWrites_ = true;
  if (state_ == State::Open) writeNext();
}

void SignalSession::sendNow(const livekit::SignalResponse& response) {
  deliver(signal::encodeSignalResponse(response, false), false);
}

void SignalSession::writeNext() {
  if (writing_ || state_ != State::Open) return;
  if (outbox_.empty()) {
    if (closeAfterWrites_) closeWebSocket();
    return;
  }
  writing_ = true;
  ws_.async_write(boost::asio::buffer(outbox_.front()),
                  [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                    self->writing_ = false;
                    if (ec) {
                      self->ended(false);
                      return;
                    }
                    self->outbox_.pop_front();
                    self->writeNext();
                  });
}

void SignalSession::readNext() {
  ws_.async_read(readBuffer_, [self = shared_from_this()](const boost::system::error_code& ec,
                                                           std::size_t bytes) {
    self->onRead(ec, bytes);
  });
}

void SignalSession::onRead(const boost::system::error_code& ec, std::size_t /*bytes*/) {
  if (ec) {
    if (ec == websocket::error::message_too_big && context_.metrics.signalErrors != nullptr) {
      context_.metrics.signalErrors->labels({"message_too_big"}).inc();
    }
    ended(false);
    return;
  }
  const auto data = readBuffer_.cdata();
  auto decoded = signal::decodeSignalRequest(
      std::span(static_cast<const std::uint8_t*>(data.data()), data.size()), ws_.got_text());
  readBuffer_.consume(readBuffer_.size());
  if (!decoded.ok()) {
    // A bad message costs only itself: count it, say why at debug level, keep reading.
    if (context_.metrics.droppedBadMessages != nullptr) context_.metrics.droppedBadMessages->inc();
    HUDDLE_LOG_DEBUG(signal, "dropped a bad message room={} participant={} reason={}", roomName_,
                     participantSid_, decoded.message());
  } else {
    if (context_.metrics.requests != nullptr) {
      context_.metrics.requests->labels({std::string(signal::signalRequestName(*decoded))}).inc();
    }
    handle(*decoded);
  }
  if (state_ == State::Open) readNext();
}

void SignalSession::toRoom(std::function<void(sfu::Room&, const std::string&)> call) {
  if (participantSid_.empty()) return;
  MediaWorker& worker = context_.worker;
  worker.post([&worker, room = roomName_, sid = participantSid_, call = std::move(call)] {
    if (sfu::Room* r = worker.rooms().find(room)) call(*r, sid);
  });
}

void SignalSession::handle(const livekit::SignalRequest& request) {
  using R = livekit::SignalRequest;
  switch (request.message_case()) {
    case R::kPing: {
      livekit::SignalResponse pong;
      pong.set_pong(nowMillis(context_.clock));
      sendNow(pong);
      return;
    }
    case R::kPingReq: {
      livekit::SignalResponse pong;
      pong.mutable_pong_resp()->set_last_ping_timestamp(request.ping_req().timestamp());
      pong.mutable_pong_resp()->set_timestamp(nowMillis(context_.clock));
      sendNow(pong);
      return;
    }
    case R::kLeave:
      leaveReceived_ = true;
      toRoom([](sfu::Room& room, const std::string& sid) {
        room.leave(sid, sfu::DisconnectReason::ClientInitiated, false);
      });
      closeAfterWrites_ = true;
      writeNext();
      return;
    case R::kAddTrack:
      toRoom([options = fromProto(request.add_track())](sfu::Room& room, const std::string& sid) {
        room.addTrack(sid, options);
      });
      return;
    case R::kMute:
      toRoom([track = request.mute().sid(), muted = request.mute().muted()](
                 sfu::Room& room, const std::string& sid) { room.setTrackMuted(sid, track, muted); });
      return;
    case R::kSubscription: {
      std::vector<std::string> tracks(request.subscription().track_sids().begin(),
                                      request.subscription().track_sids().end());
      for (const auto& pt : request.subscription().participant_tracks()) {
        tracks.insert(tracks.end(), pt.track_sids().begin(), pt.track_sids().end());
      }
      toRoom([tracks = std::move(tracks), subscribe = request.subscription().subscribe()](
                 sfu::Room& room, const std::string& sid) {
        room.updateSubscription(sid, tracks, subscribe);
      });
      return;
    }
    case R::kUpdateMetadata: {
      const auto& m = request.update_metadata();
      sfu::MetadataUpdate update;
      // Empty means "unchanged", as the reference server reads it.
      if (!m.metadata().empty()) update.metadata = m.metadata();
      if (!m.name().empty()) update.name = m.name();
      for (const auto& [k, v] : m.attributes()) update.attributes[k] = v;
      toRoom([update = std::move(update), id = m.request_id()](sfu::Room& room,
                                                               const std::string& sid) {
        room.updateOwnMetadata(sid, update, id);
      });
      return;
    }
    case R::kSimulate: {
      const auto& sim = request.simulate();
      if (sim.has_server_leave() || sim.has_leave_request_full_reconnect()) {
        const auto action = sim.has_server_leave() ? sfu::LeaveAction::Disconnect
                                                   : sfu::LeaveAction::Reconnect;
        // The session says the leave itself (with the action asked for); the room only forgets.
        toRoom([](sfu::Room& room, const std::string& sid) {
          room.leave(sid, sfu::DisconnectReason::ServerShutdown, false);
        });
        sendNow(SessionSink::leaveResponse(sfu::DisconnectReason::ServerShutdown, action));
        closeAfterWrites_ = true;
        writeNext();
      } else if (sim.has_node_failure() || sim.has_migration() ||
                 sim.has_disconnect_signal_on_resume()) {
        // Lose the signal connection without a leave: the client is expected to resume.
        beast::error_code ignored;
        beast::get_lowest_layer(ws_).socket().close(ignored);
      }
      return;
    }
    case R::kOffer:
    case R::kAnswer: {
      const bool offer = request.message_case() == R::kOffer;
      const auto& d = offer ? request.offer() : request.answer();
      if (participantSid_.empty()) return;
      MediaWorker& worker = context_.worker;
      worker.post([&worker, offer, room = roomName_, sid = participantSid_, sdp = d.sdp(),
                   id = d.id()] {
        media::MediaHub* hub = worker.media();
        if (hub == nullptr) return;
        if (offer) {
          hub->handleOffer(room, sid, sdp, id);
        } else {
          hub->handleAnswer(room, sid, sdp, id);
        }
      });
      return;
    }
    case R::kTrickle:
      // Our candidates are in the SDP and we are ICE-lite: the client's candidates are learnt
      // from its connectivity checks, so trickles need no action.
    case R::kTrackSetting: {
      const auto& ts = request.track_setting();
      if (participantSid_.empty()) return;
      media::TrackSettingsRequest settings;
      settings.disabled = ts.disabled();
      settings.quality = static_cast<int>(ts.quality());
      settings.width = ts.width();
      settings.height = ts.height();
      MediaWorker& worker = context_.worker;
      worker.post([&worker, room = roomName_, sid = participantSid_, settings,
                   tracks = std::vector<std::string>(ts.track_sids().begin(), ts.track_sids().end())] {
        if (media::MediaHub* hub = worker.media()) hub->updateTrackSettings(room, sid, tracks, settings);
      });
      return;
    }
    case R::kSubscriptionPermission: {
      const auto& sp = request.subscription_permission();
      sfu::SubscriptionPermissions permissions;
      permissions.allParticipants = sp.all_participants();
      for (const auto& tp : sp.track_permissions()) {
        permissions.rules.push_back(sfu::TrackPermissionRule{
            tp.participant_sid(), tp.participant_identity(), tp.all_tracks(),
            std::vector<std::string>(tp.track_sids().begin(), tp.track_sids().end())});
      }
      toRoom([permissions = std::move(permissions)](sfu::Room& room, const std::string& sid) mutable {
        room.setSubscriptionPermissions(sid, std::move(permissions));
      });
      return;
    }
    case R::kUpdateLayers:
    case R::kSyncState:
    case R::kUpdateAudioTrack:
    case R::kUpdateVideoTrack:
      // Media negotiation and media settings belong to the media path (issue 6); accepted and
      // ignored here so clients carry on.
      return;
    default:
      if (context_.metrics.signalErrors != nullptr) {
        context_.metrics.signalErrors->labels({"unsupported_request"}).inc();
      }
      return;
  }
}

void SignalSession::closeSoon() {
  closeAfterWrites_ = true;
  if (state_ == State::Open) {
    writeNext();
  } else if (state_ == State::Joining) {
    refused(503, "server is shutting down");
  }
}

void SignalSession::closeWebSocket() {
  if (state_ != State::Open) return;
  state_ = State::Closing;
  ws_.async_close(websocket::close_code::normal,
                  [self = shared_from_this()](const boost::system::error_code&) {
                    self->ended(true);
                  });
}

void SignalSession::ended(bool /*leaveSent*/) {
  if (state_ == State::Closed) return;
  state_ = State::Closed;
  context_.sessions.remove(this);
  if (participantSid_.empty() || leaveReceived_ || closeAfterWrites_) return;
  // The connection dropped without a leave: keep the participant for a resume.
  toRoom([grace = context_.resumeGrace, sink = sink_](sfu::Room& room, const std::string& sid) {
    room.detachSignal(sid, grace, sink.get());
  });
}

}  // namespace huddle::server
