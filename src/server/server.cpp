#include "server/server.h"

#include <atomic>
#include <boost/beast/websocket.hpp>
#include <chrono>
#include <thread>

#include "common/log.h"
#include "common/random.h"
#include "server/demo/demo_routes.h"
#include "server/media_worker.h"
#include "server/metrics/metrics.h"
#include "server/room_backend.h"
#include "server/server_events.h"
#include "server/signal_session.h"
#include "server/twirp/twirp_service.h"
#include "server/webhook/webhook_notifier.h"
#include "signal/join_params.h"

namespace huddle::server {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

// What clients compare against LiveKit releases (livekit-client needs >= 1.8.0 for RPC).
constexpr const char* kCompatibleServerVersion = "1.9.0";
constexpr std::int32_t kServerProtocol = 16;

struct Admission {
  signal::JoinParams params;
  auth::VerifiedToken token;
};

std::string_view sv(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::pair<std::string_view, std::string_view> splitTarget(std::string_view target) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

void allowAnyOrigin(HttpResponse& response) {
  response.set(http::field::access_control_allow_origin, "*");
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServerConfig c)
      : config(std::move(c)),
        verifier(config.keyProvider, SystemClock::instance()),
        events(nullptr, registry),
        worker(SystemClock::instance(),
               sfu::RoomDefaults{
                   .emptyTimeoutSeconds =
                       static_cast<std::uint32_t>(config.room.emptyTimeout.count()),
                   .departureTimeoutSeconds =
                       static_cast<std::uint32_t>(config.room.departureTimeout.count()),
                   .maxParticipants = config.room.maxParticipants,
                   .autoCreate = config.room.autoCreate},
               events),
        backend(worker),
        twirp(config.keyProvider, backend, SystemClock::instance()),
        context{signalIo,
                worker,
                config.keyProvider,
                SystemClock::instance(),
                sessions,
                {},
                {},
                config.limit.signalMessageSizeLimit,
                std::chrono::seconds(20)} {}

  Result<Admission, unsigned> admit(const HttpRequest& request, bool v1) const;
  void handleValidate(const std::shared_ptr<HttpConnection>& c, const HttpRequest& r, bool v1);
  void handleUpgrade(const std::shared_ptr<HttpConnection>& c, HttpRequest r, bool v1);
  void handleTwirp(const std::shared_ptr<HttpConnection>& c, const HttpRequest& r);
  void beginShutdown();
  // Polls until every session has closed (or the checks run out), then stops the loop.
  void drainSessions(int checksLeft);

  ServerConfig config;
  demo::DemoRoutes demo{config};  // the page at / and /meet; /api/token in --dev
  auth::TokenVerifier verifier;
  metrics::Registry registry;
  boost::asio::io_context signalIo;
  // Declared before the worker, which borrows it; the worker reports to it from its thread.
  ServerEvents events;
  MediaWorker worker;
  std::unique_ptr<WebhookNotifier> webhooks;
  RoomBackend backend;
  TwirpService twirp;
  SessionRegistry sessions;
  ServerContext context;
  std::vector<std::unique_ptr<HttpListener>> listeners;
  boost::asio::steady_timer drainTimer{signalIo};
  std::atomic<bool> stopping{false};
  metrics::Counter* httpRequests = nullptr;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;

Result<std::unique_ptr<Server>, HttpServerError> Server::create(ServerConfig config) {
  if (!log::setLevel(config.logLevel)) log::setLevel(log::Level::Info);
  auto impl = std::make_unique<Impl>(std::move(config));
  Impl& s = *impl;
  ServerConfig& cfg = s.config;

  if (!cfg.webhook.urls.empty()) {
    WebhookNotifierOptions options;
    options.urls = cfg.webhook.urls;
    options.apiKey = cfg.webhook.apiKey;
    options.apiSecret = cfg.keys.at(cfg.webhook.apiKey);
    auto notifier = WebhookNotifier::create(std::move(options));
    if (!notifier.ok()) {
      return Error{HttpServerError::Bind, "webhook: " + notifier.message()};
    }
    s.webhooks = std::move(*notifier);
  }
  s.events.setWebhooks(s.webhooks.get());

  auto& reg = s.registry;
  s.context.metrics.joins = &reg.counter("huddle_signal_joins_total", "Participants admitted");
  s.context.metrics.resumes = &reg.counter("huddle_signal_resumes_total", "Sessions resumed");
  s.context.metrics.refusedJoins = &reg.counterFamily(
      "huddle_signal_refused_joins_total", "Join attempts refused, by HTTP status", {"status"});
  s.context.metrics.droppedBadMessages = &reg.counter(
      "huddle_signal_dropped_messages_total", "Signal messages dropped because they were malformed");
  s.context.metrics.signalErrors = &reg.counterFamily(
      "huddle_signal_errors_total", "Signal connection errors, by reason", {"reason"});
  s.context.metrics.requests = &reg.counterFamily("huddle_signal_requests_total",
                                                  "Signal requests received, by type", {"message"});
  s.context.metrics.sessions = &reg.gauge("huddle_signal_sessions", "Open signal sessions");
  s.httpRequests = &reg.counter("huddle_http_requests_total", "HTTP requests served");
  const TwirpStats& twirpStats = s.twirp.stats();
  reg.callbackGauge("huddle_twirp_requests", "RoomService requests received", [&twirpStats] {
    return static_cast<std::int64_t>(twirpStats.requests.load());
  });
  if (s.webhooks) {
    WebhookNotifier* notifier = s.webhooks.get();
    reg.callbackGauge("huddle_webhooks_delivered", "Webhook requests answered with 2xx",
                      [notifier] { return static_cast<std::int64_t>(notifier->stats().delivered); });
    reg.callbackGauge("huddle_webhooks_dropped", "Webhook events dropped (queue full)",
                      [notifier] { return static_cast<std::int64_t>(notifier->stats().dropped); });
  }

  s.context.joinSettings.serverVersion = kCompatibleServerVersion;
  s.context.joinSettings.protocol = kServerProtocol;
  s.context.joinSettings.nodeId = randomId("ND_");
  s.context.congestionControl = cfg.rtc.congestionControl;
  s.context.congestionAllowPause = cfg.rtc.congestionAllowPause;

  {
    media::MediaHubOptions media;
    media.bindAddress = cfg.bindAddresses.empty() ? std::string("0.0.0.0") : cfg.bindAddresses.front();
    if (!cfg.rtc.nodeIp.v4.empty() && (media.bindAddress == "0.0.0.0" || media.bindAddress == "::")) {
      media.bindAddress = cfg.rtc.nodeIp.v4;
    }
    if (media.bindAddress == "0.0.0.0" || media.bindAddress == "::") media.bindAddress = "127.0.0.1";
    media.udpPort = cfg.rtc.udpPort.value_or(0);
    media.advertisedUdpPort = cfg.rtc.advertisedUdpPort.value_or(0);
    auto enabled = s.worker.enableMedia(media);
    if (!enabled.ok()) return Error{HttpServerError::Bind, "media: " + enabled.message()};
    HUDDLE_LOG_INFO(server, "media udp={} advertised port={}",
                    s.worker.media()->mux().localAddress().toString(),
                    media.advertisedUdpPort != 0 ? media.advertisedUdpPort
                                                 : s.worker.media()->mux().localAddress().port);
    MediaWorker* worker = &s.worker;
    auto counter = [&reg, worker](const char* name, const char* help,
                                  std::atomic<std::uint64_t> media::MediaCounters::*field) {
      reg.callbackGauge(name, help, [worker, field] {
        return static_cast<std::int64_t>((worker->media()->counters().*field).load());
      });
    };
    using C = media::MediaCounters;
    counter("huddle_media_rtp_unparsed", "RTP packets that did not parse", &C::rtpUnparsed);
    counter("huddle_media_rtp_unknown_stream", "RTP packets of no negotiated track (SSRC, mid, rid, payload type)", &C::rtpUnknownStream);
    counter("huddle_media_rtcp_malformed", "RTCP compounds with a malformed packet", &C::rtcpMalformed);
    counter("huddle_media_sdp_rejected", "Offers and answers rejected", &C::sdpRejected);
    counter("huddle_media_data_malformed", "DataPackets dropped as malformed, too large or unsupported", &C::dataMalformed);
    counter("huddle_media_data_not_allowed", "DataPackets from participants without canPublishData", &C::dataNotAllowed);
    counter("huddle_media_data_relayed", "DataPackets delivered to a participant", &C::dataRelayed);
    counter("huddle_media_keyframe_requests", "PLIs sent to publishers", &C::keyframeRequests);
    counter("huddle_media_transports_connected", "Transports that reached connected", &C::transportsConnected);
    counter("huddle_media_transports_failed", "Transports that failed", &C::transportsFailed);
    counter("huddle_media_twcc_feedback_sent_total", "Transport-cc feedback packets sent to publishers", &C::twccFeedbackSent);
    counter("huddle_media_twcc_feedback_received_total", "Transport-cc feedback packets received from subscribers", &C::twccFeedbackReceived);
    counter("huddle_media_remb_sent_total", "REMB packets sent to publishers that negotiated goog-remb", &C::rembSent);
    counter("huddle_media_remb_received_total", "REMB packets received from subscribers", &C::rembReceived);
    counter("huddle_media_bwe_resets_total", "Subscriber bandwidth estimates restarted by an ICE restart", &C::bweResets);
    counter("huddle_media_congestion_pauses_total", "Video downtracks paused because the subscriber's estimate fell below the lowest layer", &C::congestionPauses);
    counter("huddle_media_congestion_resumes_total", "Video downtracks resumed after a congestion pause", &C::congestionResumes);
    counter("huddle_media_nacks_received_total", "Sequence numbers NACKed by subscribers", &C::nacksReceived);
    counter("huddle_media_retransmissions_sent_total", "Packets resent to subscribers for their NACKs (RTX or plain)", &C::retransmissionsSent);
    counter("huddle_media_retransmissions_rtx_total", "Of the retransmissions, those sent as RTX", &C::retransmissionsRtx);
    counter("huddle_media_retransmissions_missed_total", "NACKed packets no longer (or never) in the packet cache", &C::retransmissionsMissed);
    counter("huddle_media_nacks_sent_total", "Sequence numbers NACKed to publishers", &C::nacksSent);
    counter("huddle_media_rtx_received_total", "Publisher RTX packets unwrapped and fed to their receiver", &C::rtxReceived);
    counter("huddle_media_rtx_padding_total", "Publisher RTX packets without payload (bandwidth probes), dropped", &C::rtxPadding);
    counter("huddle_media_sender_reports_sent_total", "RTCP sender reports sent to subscribers (one per downtrack)", &C::senderReportsSent);
    counter("huddle_media_receiver_reports_sent_total", "RTCP receiver reports sent to publishers", &C::receiverReportsSent);
    counter("huddle_media_speaker_updates_total", "SpeakersChanged messages sent to participants", &C::speakerUpdates);
    counter("huddle_media_quality_updates_total", "ConnectionQualityUpdate messages sent to participants", &C::qualityUpdates);
    counter("huddle_media_audio_level_missing_total", "Audio packets without a readable ssrc-audio-level element", &C::audioLevelMissing);
  }

  std::vector<std::string> addresses = cfg.bindAddresses;
  if (addresses.empty()) addresses = {"0.0.0.0", "::"};
  std::unique_ptr<Server> server(new Server(std::move(impl)));
  for (const std::string& address : addresses) {
    auto listener = HttpListener::create(server->impl_->signalIo, address, cfg.port, *server);
    if (!listener.ok()) return listener.error();
    server->impl_->listeners.push_back(std::move(*listener));
  }
  return server;
}

std::uint16_t Server::port() const {
  return impl_->listeners.empty() ? 0 : impl_->listeners.front()->port();
}

std::string Server::url() const {
  std::string host = impl_->config.bindAddresses.empty() ? "127.0.0.1"
                                                         : impl_->config.bindAddresses.front();
  if (host == "0.0.0.0" || host == "::") host = "127.0.0.1";
  if (host.find(':') != std::string::npos) host = "[" + host + "]";
  return "ws://" + host + ":" + std::to_string(port());
}

void Server::run(bool handleSignals) {
  Impl& s = *impl_;
  s.worker.start();
  for (auto& l : s.listeners) l->start();
  std::optional<boost::asio::signal_set> signals;
  if (handleSignals) {
    signals.emplace(s.signalIo, SIGINT, SIGTERM);
    signals->async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) shutdown();
    });
  }
  HUDDLE_LOG_INFO(server, "ready url={} {}", url(), describe(s.config));
  auto work = boost::asio::make_work_guard(s.signalIo);
  s.signalIo.run();
  s.worker.stop();
  if (s.webhooks && !s.webhooks->flush(std::chrono::seconds(5))) {
    HUDDLE_LOG_WARN(server, "webhooks not all delivered at shutdown");
  }
  HUDDLE_LOG_INFO(server, "stopped");
}

void Server::shutdown() {
  boost::asio::post(impl_->signalIo, [this] { impl_->beginShutdown(); });
}

void Server::Impl::beginShutdown() {
  if (stopping.exchange(true)) return;
  HUDDLE_LOG_INFO(server, "shutting down sessions={}", sessions.size());
  for (auto& l : listeners) l->stop();
  // Rooms close on the worker: each participant's sink queues a leave (SERVER_SHUTDOWN) and asks
  // its session to close once written. Then the signaling loop drains and stops.
  worker.post([this] {
    worker.rooms().closeAll(sfu::DisconnectReason::ServerShutdown);
    boost::asio::post(signalIo, [this] {
      sessions.forEach([](SignalSession& session) { session.closeSoon(); });
      drainSessions(40);  // at most 2 s for the last leaves to be written
    });
  });
}

void Server::Impl::drainSessions(int checksLeft) {
  if (sessions.size() == 0 || checksLeft == 0) {
    signalIo.stop();
    return;
  }
  drainTimer.expires_after(std::chrono::milliseconds(50));
  drainTimer.async_wait(
      [this, checksLeft](const boost::system::error_code&) { drainSessions(checksLeft - 1); });
}

Result<Admission, unsigned> Server::Impl::admit(const HttpRequest& request, bool v1) const {
  const auto [path, query] = splitTarget(sv(request.target()));
  auto params = v1 ? signal::parseV1Query(query) : signal::parseV0Query(query);
  if (!params.ok()) return Error{400u, std::string(params.message())};
  std::string token = params->accessToken;
  if (token.empty()) token = signal::bearerToken(sv(request[http::field::authorization]));
  if (token.empty()) return Error{401u, std::string() + "no access token: pass access_token or a Bearer header"};
  auto verified = verifier.verify(token);
  if (!verified.ok()) return Error{401u, std::string() + "invalid token: " + verified.message()};
  const auto& video = verified->grants.video;
  if (!video || !video->roomJoin) return Error{401u, std::string() + "permissions denied: no roomJoin grant"};
  if (video->room.empty()) return Error{400u, std::string() + "token names no room"};
  if (verified->identity().empty()) return Error{400u, std::string() + "token has no identity"};
  return Admission{std::move(*params), std::move(*verified)};
}

void Server::route(const std::shared_ptr<HttpConnection>& connection, HttpRequest request) {
  Impl& s = *impl_;
  s.httpRequests->inc();
  const auto [path, query] = splitTarget(sv(request.target()));
  if (request.method() == http::verb::options) {
    // CORS preflight for the validate endpoints and the API from browser pages.
    HttpResponse response = makeResponse(request, 204, "");
    allowAnyOrigin(response);
    response.set(http::field::access_control_allow_methods, "GET, POST, OPTIONS");
    const std::string_view asked = sv(request[http::field::access_control_request_headers]);
    response.set(http::field::access_control_allow_headers,
                 std::string(asked.empty() ? std::string_view("Authorization, Content-Type") : asked));
    return connection->respond(std::move(response));
  }
  if (auto page = s.demo.handle(request)) return connection->respond(std::move(*page));
  if (path == "/metrics" && request.method() == http::verb::get) {
    return connection->respond(
        makeResponse(request, 200, s.registry.render(), "text/plain; version=0.0.4"));
  }
  if (!s.config.rtc.singlePeerConnection && path.starts_with("/rtc/v1")) {
    // What a server without /rtc/v1 says; the clients then fall back to /rtc. A page from
    // another origin must be able to read this 404 (livekit-client fetches /rtc/v1/validate to
    // decide on the fallback), so it carries the CORS header like the validate answers.
    HttpResponse response = makeResponse(request, 404, "not found");
    allowAnyOrigin(response);
    return connection->respond(std::move(response));
  }
  if (path == "/rtc/validate" || path == "/rtc/v1/validate") {
    return s.handleValidate(connection, request, path == "/rtc/v1/validate");
  }
  if (path == "/rtc" || path == "/rtc/" || path == "/rtc/v1" || path == "/rtc/v1/") {
    if (!beast::websocket::is_upgrade(request)) {
      return connection->respond(makeResponse(request, 404, "not found: /rtc expects a WebSocket"));
    }
    return s.handleUpgrade(connection, std::move(request), path.starts_with("/rtc/v1"));
  }
  if (path.starts_with("/twirp/")) return s.handleTwirp(connection, request);
  connection->respond(makeResponse(request, 404, "not found"));
}

void Server::Impl::handleValidate(const std::shared_ptr<HttpConnection>& connection,
                                  const HttpRequest& request, bool v1) {
  auto admitted = admit(request, v1);
  HttpResponse response =
      admitted.ok() ? makeResponse(request, 200, "success")
                    : makeResponse(request, admitted.code(), admitted.message());
  allowAnyOrigin(response);
  connection->respond(std::move(response));
}

void Server::Impl::handleUpgrade(const std::shared_ptr<HttpConnection>& connection,
                                 HttpRequest request, bool v1) {
  if (stopping) {
    return connection->respond(makeResponse(request, 503, "server is shutting down"));
  }
  auto admitted = admit(request, v1);
  if (!admitted.ok()) {
    context.metrics.refusedJoins->labels({std::to_string(admitted.code())}).inc();
    HttpResponse response = makeResponse(request, admitted.code(), admitted.message());
    allowAnyOrigin(response);
    return connection->respond(std::move(response));
  }
  auto session = std::make_shared<SignalSession>(context, connection->takeStream(),
                                                 std::move(request), std::move(admitted->params),
                                                 std::move(admitted->token));
  session->start();
}

void Server::Impl::handleTwirp(const std::shared_ptr<HttpConnection>& connection,
                               const HttpRequest& request) {
  TwirpHttpRequest twirpRequest;
  twirpRequest.method = std::string(request.method_string());
  twirpRequest.path = std::string(request.target());
  twirpRequest.contentType = std::string(request[http::field::content_type]);
  twirpRequest.authorization = std::string(request[http::field::authorization]);
  twirpRequest.body = request.body();
  const unsigned version = request.version();
  const bool keepAlive = request.keep_alive();
  // Replies may come from the worker: hop back to the signaling thread to write.
  twirp.handle(twirpRequest, [this, connection, version, keepAlive](TwirpHttpResponse reply) {
    boost::asio::post(signalIo, [connection, version, keepAlive, reply = std::move(reply)] {
      HttpResponse response(static_cast<http::status>(reply.status), version);
      response.set(http::field::server, "huddle-server");
      response.set(http::field::content_type, reply.contentType);
      for (const auto& [name, value] : reply.headers) response.set(name, value);
      response.keep_alive(keepAlive);
      response.body() = reply.body;
      response.prepare_payload();
      connection->respond(std::move(response));
    });
  });
}

}  // namespace huddle::server
