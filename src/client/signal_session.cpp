#include "client/signal_session.h"

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/log.h"
#include "signal/join_params.h"
#include "signal/ws_signal_client.h"

namespace huddle::client {

namespace {

constexpr std::string_view kRoomMissingText = "requested room does not exist";
constexpr std::int32_t kProtocolVersion = 16;  // no packet trailers (> 16)
constexpr std::string_view kSdkVersion = "0.1.0";

std::int64_t unixMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

Result<ServerUrl, DisconnectReason> parseServerUrl(std::string_view url) {
  auto bad = [&](std::string why) { return Error{DisconnectReason::InvalidUrl, std::move(why)}; };
  std::string_view rest;
  std::uint16_t defaultPort = 80;
  if (url.starts_with("ws://")) {
    rest = url.substr(5);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else if (url.starts_with("wss://") || url.starts_with("https://")) {
    return bad("TLS (wss://, https://) is not supported yet: " + std::string(url));
  } else {
    return bad("expected ws://host[:port][/path]: " + std::string(url));
  }
  const auto pathStart = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, pathStart);
  std::string_view path = pathStart == std::string_view::npos ? std::string_view() : rest.substr(pathStart);
  if (const auto cut = path.find_first_of("?#"); cut != std::string_view::npos) path = path.substr(0, cut);
  ServerUrl out;
  out.port = defaultPort;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address: " + std::string(url));
    out.host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    if (!authority.empty() && authority.front() != ':') return bad("junk after the host: " + std::string(url));
  } else {
    const auto colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    authority = colon == std::string_view::npos ? std::string_view() : authority.substr(colon);
  }
  if (!authority.empty()) {  // ":port"
    std::string_view digits = authority.substr(1);
    unsigned port = 0;
    if (digits.empty() || digits.size() > 5) return bad("bad port: " + std::string(url));
    for (char c : digits) {
      if (c < '0' || c > '9') return bad("bad port: " + std::string(url));
      port = port * 10 + static_cast<unsigned>(c - '0');
    }
    if (port == 0 || port > 65535) return bad("bad port: " + std::string(url));
    out.port = static_cast<std::uint16_t>(port);
  }
  if (out.host.empty()) return bad("no host: " + std::string(url));
  out.basePath = path.empty() ? "/" : std::string(path);
  if (out.basePath.back() != '/') out.basePath += '/';
  return out;
}

struct SignalSession::Timers {
  explicit Timers(boost::asio::io_context& io) : firstMessage(io), ping(io), leave(io) {}
  boost::asio::steady_timer firstMessage;
  boost::asio::steady_timer ping;
  boost::asio::steady_timer leave;
};

SignalSession::SignalSession(boost::asio::io_context& io, Listener& listener)
    : io_(io), listener_(listener), timers_(std::make_unique<Timers>(io)), alive_(std::make_shared<int>(0)) {}

SignalSession::~SignalSession() {
  alive_.reset();
  timers_->firstMessage.cancel();
  timers_->ping.cancel();
  timers_->leave.cancel();
}

void SignalSession::connect(SignalJoinOptions options) {
  if (started_) return;
  started_ = true;
  options_ = std::move(options);
  token_ = options_.token;
  auto url = parseServerUrl(options_.url);
  if (!url.ok()) {
    // Reported from the loop, never from inside connect(): the caller may not expect it yet.
    boost::asio::post(io_, [this, weak = std::weak_ptr<int>(alive_), message = url.message()] {
      if (!weak.expired()) fail(SignalFailure{DisconnectReason::InvalidUrl, message, 0});
    });
    return;
  }
  url_ = std::move(*url);
  attempt(options_.preferV1);
}

void SignalSession::attempt(bool v1) {
  signal::JoinParams params;
  params.accessToken = token_;
  params.clientInfo.set_sdk(livekit::ClientInfo::CPP);
  params.clientInfo.set_version(std::string(kSdkVersion));
  params.clientInfo.set_protocol(kProtocolVersion);
  params.clientInfo.set_os("linux");
  params.autoSubscribe = options_.autoSubscribe;
  params.adaptiveStream = options_.adaptiveStream;
  params.reconnect = options_.reconnect;
  if (options_.reconnect) {
    params.participantSid = options_.participantSid;
    params.reconnectReason = options_.reconnectReason;
  }
  std::string target = url_.basePath + (v1 ? "rtc/v1?" : "rtc?");
  if (v1) {
    params.metadata = options_.metadata;
    // A resume keeps the peer connection; its ICE restart offer follows the reconnect.
    if (!options_.reconnect) params.publisherOffer = options_.publisherOffer;
    target += signal::buildV1Query(params, true);
  } else {
    target += signal::buildV0Query(params);
  }
  ws_ = std::make_unique<signal::WsSignalClient>(io_);
  ws_->onResponse([this](livekit::SignalResponse response) { onResponse(std::move(response)); });
  ws_->onClose([this](std::uint16_t code, const std::string& reason) { onClosed(code, reason); });
  signal::WsConnectOptions connectOptions;
  connectOptions.host = url_.host;
  connectOptions.port = url_.port;
  connectOptions.target = std::move(target);
  connectOptions.timeout = options_.connectTimeout;
  ws_->connect(std::move(connectOptions),
               [this, v1](Result<Ok, signal::WsSignalError> result, const signal::HttpRefusal& refusal) {
                 onConnected(v1, result.ok(), result.ok() ? -1 : static_cast<int>(result.code()),
                             refusal.status, refusal.body);
               });
}

void SignalSession::onConnected(bool v1, bool ok, int error, unsigned status, const std::string& body) {
  if (finished_) return;
  if (ok) {
    usedV1_ = v1;
    lastMessage_ = std::chrono::steady_clock::now();
    timers_->firstMessage.expires_after(options_.firstMessageTimeout);
    timers_->firstMessage.async_wait([this, weak = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
      if (ec || weak.expired() || joined_ || finished_) return;
      fail(SignalFailure{DisconnectReason::Timeout, "no join message from the server in time", 0});
    });
    return;
  }
  const auto code = static_cast<signal::WsSignalError>(error);
  if (code == signal::WsSignalError::UpgradeRefused) {
    if (status == 404 && v1 && body.find(kRoomMissingText) == std::string::npos) {
      // A server without /rtc/v1: join again on /rtc, as LiveKit's clients do.
      ++stats_.fallbacksToV0;
      HUDDLE_LOG_INFO(client, "signal /rtc/v1 refused with 404, falling back to /rtc host={}", url_.host);
      retireSocket();
      attempt(false);
      return;
    }
    DisconnectReason reason = DisconnectReason::ServerError;
    if (status == 401 || status == 403) reason = DisconnectReason::NotAuthorized;
    if (status == 404) reason = DisconnectReason::RoomNotFound;
    std::string message = "server refused the join (HTTP " + std::to_string(status) + ")";
    if (!body.empty()) message += ": " + body;
    fail(SignalFailure{reason, std::move(message), status});
    return;
  }
  DisconnectReason reason = DisconnectReason::ServerError;
  switch (code) {
    case signal::WsSignalError::ResolveFailed:
    case signal::WsSignalError::ConnectFailed:
      reason = DisconnectReason::ServerUnreachable;
      break;
    case signal::WsSignalError::Timeout:
      reason = DisconnectReason::Timeout;
      break;
    default:
      break;
  }
  fail(SignalFailure{reason,
                     "signal connection to " + url_.host + ":" + std::to_string(url_.port) +
                         " failed: " + std::string(signal::toString(code)),
                     0});
}

void SignalSession::onResponse(livekit::SignalResponse response) {
  if (finished_) return;
  lastMessage_ = std::chrono::steady_clock::now();
  if (!joined_) {
    if (options_.reconnect && response.has_reconnect()) {
      joined_ = true;
      timers_->firstMessage.cancel();
      startPings(static_cast<std::int32_t>(options_.pingInterval.count()),
                 static_cast<std::int32_t>(options_.pingTimeout.count()));
      listener_.onSignalResumed(*this, response.reconnect());
      return;
    }
    if (response.has_join()) {
      joined_ = true;
      timers_->firstMessage.cancel();
      startPings(response.join().ping_interval(), response.join().ping_timeout());
      listener_.onSignalJoined(*this, response.join());
      return;
    }
    if (response.has_leave()) {
      const auto& leave = response.leave();
      finished_ = true;
      timers_->firstMessage.cancel();
      retireSocket();
      listener_.onSignalConnectFailed(
          *this, SignalFailure{DisconnectReason::JoinFailure,
                               std::string("server sent leave instead of ") +
                                   (options_.reconnect ? "reconnect" : "join") + " (reason " +
                                   livekit::DisconnectReason_Name(leave.reason()) + ")",
                               0});
      return;
    }
    ++stats_.unexpectedFirstMessages;
    if (options_.reconnect) {
      // As LiveKit's clients do on a resume: anything else first is dropped; the first-message
      // timer still bounds the wait for `reconnect`.
      return;
    }
    fail(SignalFailure{DisconnectReason::ProtocolError,
                       "first message from the server was not join (message case " +
                           std::to_string(static_cast<int>(response.message_case())) + ")",
                       0});
    return;
  }
  switch (response.message_case()) {
    case livekit::SignalResponse::kPongResp: {
      ++stats_.pongsReceived;
      const std::int64_t sent = response.pong_resp().last_ping_timestamp();
      const std::int64_t now = unixMillis();
      if (sent > 0 && now >= sent) {
        rtt_ = std::chrono::milliseconds{now - sent};
        listener_.onSignalRtt(*this, *rtt_);
      }
      return;
    }
    case livekit::SignalResponse::kPong:
      return;
    case livekit::SignalResponse::kRefreshToken:
      token_ = response.refresh_token();
      listener_.onTokenRefreshed(*this);
      return;
    case livekit::SignalResponse::kLeave:
      finished_ = true;
      timers_->ping.cancel();
      retireSocket();
      listener_.onSignalLeave(*this, response.leave());
      return;
    default:
      listener_.onSignalMessage(*this, response);
      return;
  }
}

void SignalSession::onClosed(std::uint16_t code, const std::string& reason) {
  if (leaveDone_) {
    finishLeave();
    return;
  }
  if (finished_) return;
  if (!joined_) {
    fail(SignalFailure{DisconnectReason::ServerError,
                       "signal connection closed before join (code " + std::to_string(code) + ")", 0});
    return;
  }
  finished_ = true;
  timers_->ping.cancel();
  retireSocket();
  listener_.onSignalLost(*this, "signal connection closed without leave (code " + std::to_string(code) +
                                    (reason.empty() ? std::string() : ", " + reason) + ")");
}

void SignalSession::fail(SignalFailure failure) {
  if (finished_) return;
  finished_ = true;
  timers_->firstMessage.cancel();
  timers_->ping.cancel();
  retireSocket();
  listener_.onSignalConnectFailed(*this, failure);
}

void SignalSession::startPings(std::int32_t intervalSeconds, std::int32_t timeoutSeconds) {
  pingInterval_ = std::chrono::seconds{std::max(0, intervalSeconds)};
  pingTimeout_ = std::chrono::seconds{std::max(0, timeoutSeconds)};
  if (pingInterval_.count() == 0) return;  // as JS: no pings when the server asks for none
  // One ping at once so the round trip is known from the start, then one per interval.
  sendPing();
  schedulePing();
}

void SignalSession::schedulePing() {
  timers_->ping.expires_after(pingInterval_);
  timers_->ping.async_wait([this, weak = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (ec || weak.expired() || finished_) return;
    // ping_timeout counts from the last message of any kind (section 4.1).
    if (pingTimeout_.count() > 0 && std::chrono::steady_clock::now() - lastMessage_ > pingTimeout_) {
      finished_ = true;
      retireSocket();
      listener_.onSignalLost(*this, "no message from the server for " +
                                        std::to_string(pingTimeout_.count()) + " s (ping timeout)");
      return;
    }
    sendPing();
    schedulePing();
  });
}

void SignalSession::sendPing() {
  livekit::SignalRequest ping;
  ping.mutable_ping_req()->set_timestamp(unixMillis());
  if (rtt_) ping.mutable_ping_req()->set_rtt(rtt_->count());
  if (ws_ && ws_->send(ping)) ++stats_.pingsSent;
}

bool SignalSession::send(const livekit::SignalRequest& request) {
  if (!joined_ || finished_ || !ws_) return false;
  return ws_->send(request);
}

void SignalSession::leave(std::chrono::milliseconds flush, std::function<void()> done) {
  if (leaveDone_) return;
  leaveDone_ = done ? std::move(done) : [] {};
  const bool open = !finished_ && ws_ && ws_->isOpen();
  finished_ = true;
  timers_->firstMessage.cancel();
  timers_->ping.cancel();
  if (!open) {
    retireSocket();
    boost::asio::post(io_, [this, weak = std::weak_ptr<int>(alive_)] {
      if (!weak.expired()) finishLeave();
    });
    return;
  }
  livekit::SignalRequest request;
  request.mutable_leave()->set_reason(livekit::CLIENT_INITIATED);
  request.mutable_leave()->set_action(livekit::LeaveRequest::DISCONNECT);
  ws_->send(request);
  ws_->close();  // the leave goes out first; onClose runs when the server answers
  timers_->leave.expires_after(flush);
  timers_->leave.async_wait([this, weak = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
    if (ec || weak.expired()) return;
    finishLeave();
  });
}

void SignalSession::finishLeave() {
  if (!leaveDone_) return;
  timers_->leave.cancel();
  retireSocket();
  auto done = std::exchange(leaveDone_, [] {});  // stays non-empty: later closes do nothing
  done();
}

void SignalSession::retireSocket() {
  if (!ws_) return;
  boost::asio::post(io_, [old = std::shared_ptr<signal::WsSignalClient>(std::move(ws_))] {});
}

}  // namespace huddle::client
