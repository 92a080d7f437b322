#include "rtc/transport/webrtc_transport.h"

#include <algorithm>
#include <map>
#include <utility>

#include "common/clock.h"
#include "common/log.h"
#include "rtc/dtls/dtls_transport.h"
#include "rtc/ice/ice_agent.h"
#include "rtc/ice/ice_lite_server.h"
#include "rtc/rtp/packet_class.h"
#include "rtc/sctp/sctp_association.h"
#include "rtc/transport/srtp_bridge.h"
#include "rtc/transport/tcp_connection.h"
#include "rtc/transport/tcp_mux.h"
#include "rtc/transport/udp_mux.h"
#include "rtc/transport/udp_socket.h"

namespace huddle::rtc {

namespace asio = boost::asio;
using SteadyTime = std::chrono::steady_clock::time_point;

std::string_view toString(TransportState state) noexcept {
  switch (state) {
    case TransportState::New:
      return "new";
    case TransportState::Connecting:
      return "connecting";
    case TransportState::Connected:
      return "connected";
    case TransportState::Failed:
      return "failed";
    case TransportState::Closed:
      return "closed";
  }
  return "unknown";
}

namespace {

// Each transport has exactly one local socket (its own, or its slot on the mux).
constexpr IceSocketHandle kSocketHandle = 1;
// ICE-TCP: the server's slot on the TcpMux, or the client's one active connection.
constexpr IceSocketHandle kTcpSocketHandle = 2;
// RFC 6544 section 4.2: local preference (2^13) * direction-pref + other-pref, with active above
// passive; either stays below UDP's 65535 so that UDP wins where both work.
constexpr std::uint16_t kTcpPassiveLocalPreference = (1u << 13) * 4 + 8191;
constexpr std::uint16_t kTcpActiveLocalPreference = (1u << 13) * 6 + 8191;
// Largest UDP payload DTLS may emit: the common WebRTC choice, safe on IPv6 paths with
// tunnels. SCTP packets are sized from what a record at this MTU carries (see onDtlsConnected).
constexpr std::uint16_t kDtlsMtu = 1200;
// usrsctp's timer wheel wants ticks; 10 ms is its own default granularity.
constexpr std::chrono::milliseconds kSctpTick{10};
// A tick longer than this (the process was idle, or no association existed for a while) is
// cut short: slower-than-real ticks only delay SCTP timers, faster ones break them.
constexpr std::uint32_t kMaxSctpTickMs = 100;

// usrsctp's wheel is process-wide, so every transport advances it from one shared notion of
// "last tick": two transports ticking would otherwise run SCTP time twice as fast.
void driveSctpTimers(SteadyTime now) {
  static std::optional<SteadyTime> last;
  if (!last) {
    last = now;
    return;
  }
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(now - *last);
  if (elapsed.count() <= 0) return;
  const auto ms = static_cast<std::uint32_t>(
      std::min<std::int64_t>(elapsed.count(), static_cast<std::int64_t>(kMaxSctpTickMs)));
  *last = now;
  SctpAssociation::handleTimers(ms);
}

// dtls/ and srtp/ do not know each other; this is the one place their profiles meet.
SrtpProfile toSrtpProfile(DtlsSrtpProfile profile) {
  switch (profile) {
    case DtlsSrtpProfile::AeadAes128Gcm:
      return SrtpProfile::AeadAes128Gcm;
    case DtlsSrtpProfile::Aes128CmSha1_80:
      return SrtpProfile::Aes128CmHmacSha1_80;
  }
  return SrtpProfile::Aes128CmHmacSha1_80;
}

}  // namespace

struct WebRtcTransport::Impl final : public IceLiteServer::Listener,
                                     public IceAgent::Listener,
                                     public DtlsTransport::Listener,
                                     public SctpAssociation::Listener,
                                     public UdpSocket::Listener,
                                     public UdpMux::Endpoint,
                                     public TcpMux::Endpoint,
                                     public TcpConnection::Listener {
  enum class ClosePhase : std::uint8_t { None, SctpShutdown, Done };

  Impl(asio::io_context& io, const Options& options, WebRtcTransport::Listener& listener)
      : io_(io),
        options_(options),
        listener_(listener),
        setup_(options.setup.value_or(
            options.role == WebRtcTransportRole::Client ? DtlsSetup::Active : DtlsSetup::Passive)),
        timer_(io),
        alive_(std::make_shared<bool>(true)) {}

  ~Impl() override {
    *alive_ = false;
    timer_.cancel();
    if (mux_ != nullptr) mux_->unregisterEndpoint(*this);
    if (tcpMux_ != nullptr) tcpMux_->unregisterEndpoint(*this);
    if (tcp_) tcp_->close();
  }

  // ---- setup -------------------------------------------------------------------------------

  std::optional<std::string> setUp() {
    if (!options_.certificate) return "no certificate";
    if (options_.role == WebRtcTransportRole::Server) {
      mux_ = options_.mux;
      if (mux_ == nullptr) return "server role needs a UdpMux";
      tcpMux_ = options_.tcpMux;
      IceCredentials creds = IceCredentials::generate();
      while (!registerUfrag(creds.ufrag)) creds = IceCredentials::generate();
      lite_ = std::make_unique<IceLiteServer>(*this, clock_, std::move(creds));
    } else {
      auto socket = UdpSocket::create(io_, options_.bindAddress, options_.bindPort, *this);
      if (!socket) return socket.message();
      socket_ = std::move(socket).value();
      agent_ = std::make_unique<IceAgent>(*this, clock_, IceCredentials::generate(),
                                          IceRole::Controlling);
    }
    return std::nullopt;
  }

  // Server role: the ufrag on the UDP mux and, when there is one, the TCP mux.
  bool registerUfrag(const std::string& ufrag) {
    if (!mux_->registerUfrag(ufrag, *this)) return false;
    if (tcpMux_ != nullptr && !tcpMux_->registerUfrag(ufrag, *this)) {
      mux_->unregisterUfrag(ufrag);
      return false;
    }
    return true;
  }

  [[nodiscard]] const IceCredentials& localIce() const {
    return lite_ ? lite_->localCredentials() : agent_->localCredentials();
  }

  [[nodiscard]] StunAddress localAddress() const {
    return mux_ != nullptr ? mux_->localAddress() : socket_->localAddress();
  }

  TransportParameters localParameters() const {
    TransportParameters p;
    p.ice = localIce();
    p.fingerprint = options_.certificate->fingerprint();
    p.candidates.push_back(
        IceCandidateInfo{localAddress(), iceCandidatePriority(kIceTypePreferenceHost, 65535)});
    if (tcpMux_ != nullptr) {
      p.candidates.push_back(IceCandidateInfo{
          tcpMux_->localAddress(),
          iceCandidatePriority(kIceTypePreferenceHost, kTcpPassiveLocalPreference),
          IceCandidateProtocol::Tcp});
    }
    p.iceLite = lite_ != nullptr;
    p.setup = setup_;
    return p;
  }

  void connect(const TransportParameters& remote) {
    if (state_ != TransportState::New) return;
    // We offered actpass (RFC 5763 section 5), so the answer decides: a peer that takes the
    // DTLS client role makes us the server. Decided here because the handshake only starts
    // once ICE selected a path, after this.
    if (options_.role == WebRtcTransportRole::Client && !options_.setup) {
      setup_ = remote.setup == DtlsSetup::Active ? DtlsSetup::Passive : DtlsSetup::Active;
    }
    DtlsTransport::Config config;
    config.role = setup_ == DtlsSetup::Active ? DtlsRole::Client : DtlsRole::Server;
    config.remoteFingerprint = remote.fingerprint;
    config.mtu = kDtlsMtu;
    auto dtls = DtlsTransport::create(options_.certificate, config, *this);
    if (!dtls) {
      fail("DTLS setup: " + dtls.message());
      return;
    }
    dtls_ = std::move(dtls).value();
    if (lite_) {
      lite_->setRemoteCredentials(remote.ice.ufrag, remote.ice.pwd);
    } else {
      agent_->setRemoteCredentials(remote.ice.ufrag, remote.ice.pwd);
      connectTcpOrAddCandidates(remote.candidates);
    }
    connectDeadline_ = clock_.steadyNow() + options_.connectTimeout;
    setState(TransportState::Connecting);
    maybeStartDtls();
    rearm();
  }

  // Client role. UDP candidates are checked from our socket. Only when the peer offers no UDP
  // candidate (ICE-TCP as the fallback) do we open one active connection to its first passive
  // TCP candidate; the agent pairs by address family alone, so mixing both kinds would pair our
  // UDP socket with TCP addresses.
  void connectTcpOrAddCandidates(const std::vector<IceCandidateInfo>& candidates) {
    const auto tcp = std::find_if(candidates.begin(), candidates.end(), [](const auto& c) {
      return c.protocol == IceCandidateProtocol::Tcp;
    });
    const bool anyUdp = std::any_of(candidates.begin(), candidates.end(), [](const auto& c) {
      return c.protocol == IceCandidateProtocol::Udp;
    });
    if (anyUdp || tcp == candidates.end()) {
      agent_->addLocalCandidate(socket_->localAddress(), kSocketHandle);
      for (const auto& c : candidates) {
        if (c.protocol == IceCandidateProtocol::Udp) {
          agent_->addRemoteCandidate(c.address, c.priority);
        }
      }
      // No candidate yet: the peer trickles them (addRemoteCandidate). Signalling the end now
      // would fail ICE at once with no pairs; the connect timeout bounds the wait instead.
      if (!candidates.empty()) agent_->setRemoteEndOfCandidates();
      return;
    }
    tcpRemote_ = *tcp;
    tcp_ = TcpConnection::connect(io_, tcp->address, options_.bindAddress, *this);
    if (!tcp_) failLater("ICE-TCP: bad bind address");
  }

  bool addRemoteCandidate(const IceCandidateInfo& candidate) {
    // ICE-lite learns the peer's addresses from its checks; a client on ICE-TCP has its one
    // connection and its agent pairs by address family only, so a UDP address would mis-pair.
    if (!agent_ || tcp_ || state_ == TransportState::New || finished() ||
        candidate.protocol != IceCandidateProtocol::Udp) {
      return false;
    }
    const bool added = agent_->addRemoteCandidate(candidate.address, candidate.priority);
    rearm();  // the new pairs want checks now, not at the next unrelated wake-up
    return added;
  }

  void onTcpConnected(TcpConnection& connection) override {
    if (finished()) return;
    agent_->addLocalCandidate(connection.localAddress(), kTcpSocketHandle,
                              kTcpActiveLocalPreference);
    agent_->addRemoteCandidate(tcpRemote_.address, tcpRemote_.priority);
    agent_->setRemoteEndOfCandidates();
    rearm();
  }
  void onTcpFrame(TcpConnection& connection, std::span<std::uint8_t> frame) override {
    handleDatagram(frame, connection.remoteAddress(), kTcpSocketHandle);
  }
  void onTcpClosed(TcpConnection& /*connection*/, TcpCloseReason reason) override {
    // The only path is gone; DTLS close_notify, if it came, has already been handled.
    if (reason == TcpCloseReason::PeerClosed && closePhase_ == ClosePhase::Done) return;
    if (closePhase_ != ClosePhase::None) {
      post([this] { finishClose(); });
      return;
    }
    failLater(reason == TcpCloseReason::ConnectFailed ? "ICE-TCP connect failed"
                                                      : "ICE-TCP connection closed");
  }

  // ---- datagrams ---------------------------------------------------------------------------

  void onUdpPacket(UdpSocket& /*socket*/, std::span<std::uint8_t> data,
                   const StunAddress& from) override {
    handleDatagram(data, from, kSocketHandle);
  }
  void onMuxPacket(std::span<std::uint8_t> data, const StunAddress& from) override {
    handleDatagram(data, from, kSocketHandle);
  }
  void onTcpMuxPacket(std::span<std::uint8_t> data, const StunAddress& from) override {
    handleDatagram(data, from, kTcpSocketHandle);
  }

  [[nodiscard]] bool onSelectedPath(const StunAddress& from, IceSocketHandle socket) const {
    return selected_ && *selected_ == from && selectedSocket_ == socket;
  }

  void handleDatagram(std::span<std::uint8_t> data, const StunAddress& from,
                      IceSocketHandle socket) {
    if (finished()) return;
    switch (classifyDatagram(data)) {
      case DatagramClass::Stun:
        ++stats_.stunReceived;
        if (lite_) {
          const auto before = lite_->stats().successResponses;
          lite_->handlePacket(data, from, socket);
          // Only a check ICE authenticated binds the 5-tuple on the shared socket.
          if (lite_->stats().successResponses > before) {
            if (socket == kTcpSocketHandle) {
              if (tcpMux_ != nullptr) tcpMux_->bindConnection(from, *this);
            } else if (mux_ != nullptr) {
              mux_->bindTuple(from, *this);
            }
          }
        } else {
          agent_->handlePacket(data, from, socket);
        }
        checkRestartDone();
        break;
      case DatagramClass::Dtls:
        ++stats_.dtlsReceived;
        if (!dtls_ || !onSelectedPath(from, socket)) {
          ++stats_.droppedNoPath;
          break;
        }
        dtls_->onIncomingData(data);
        break;
      case DatagramClass::RtpOrRtcp:
        handleMedia(data, from, socket);
        break;
      case DatagramClass::Unknown:
        ++stats_.droppedGarbage;
        break;
    }
    rearm();
  }

  void handleMedia(std::span<std::uint8_t> data, const StunAddress& from,
                   IceSocketHandle socket) {
    if (!onSelectedPath(from, socket)) {
      ++stats_.droppedNoPath;
      return;
    }
    if (!srtp_) {
      ++stats_.droppedNotReady;
      return;
    }
    std::size_t length = data.size();
    if (isRtcp(data)) {
      if (!srtp_->unprotectRtcp(data, length)) {
        ++stats_.droppedSrtp;
        return;
      }
      ++stats_.rtcpReceived;
      listener_.onRtcpPacket(*owner_, data.first(length));
    } else if (isRtp(data)) {
      if (!srtp_->unprotectRtp(data, length)) {
        ++stats_.droppedSrtp;
        return;
      }
      ++stats_.rtpReceived;
      listener_.onRtpPacket(*owner_, data.first(length));
    } else {
      ++stats_.droppedGarbage;
    }
  }

  bool sendRaw(std::span<const std::uint8_t> data, const StunAddress& to,
               IceSocketHandle socket) {
    bool ok = false;
    if (socket == kTcpSocketHandle) {
      ok = tcpMux_ != nullptr ? tcpMux_->send(data, to) : (tcp_ && tcp_->send(data));
    } else {
      ok = mux_ != nullptr ? mux_->send(data, to) : socket_->send(data, to);
    }
    if (!ok) ++stats_.sendFailures;
    return ok;
  }

  bool sendMedia(std::span<std::uint8_t> buffer, std::size_t length, bool rtcp) {
    // Media may flow once DTLS has produced the SRTP keys, before SCTP is up (state still
    // Connecting): browsers send media right away and their SCTP INIT comes later, so waiting
    // for Connected would drop the first packets of every stream, the first keyframe included.
    const bool keyed = state_ == TransportState::Connected || state_ == TransportState::Connecting;
    if (!keyed || !srtp_ || !selected_ || length > buffer.size()) {
      ++stats_.droppedNotReady;
      return false;
    }
    const bool ok = rtcp ? srtp_->protectRtcp(buffer, length) : srtp_->protectRtp(buffer, length);
    if (!ok) {
      ++stats_.sendFailures;
      return false;
    }
    if (!sendRaw(buffer.first(length), *selected_, selectedSocket_)) return false;
    ++(rtcp ? stats_.rtcpSent : stats_.rtpSent);
    return true;
  }

  // ---- ICE ---------------------------------------------------------------------------------

  void onIceSendStun(IceLiteServer& /*server*/, std::span<const std::uint8_t> bytes,
                     const StunAddress& to, IceSocketHandle socket) override {
    sendRaw(bytes, to, socket);
  }
  void onIceSendStun(IceAgent& /*agent*/, std::span<const std::uint8_t> bytes,
                     const StunAddress& to, IceSocketHandle socket) override {
    sendRaw(bytes, to, socket);
  }
  void onIceStateChanged(IceLiteServer& /*server*/, IceState state) override {
    HUDDLE_LOG_DEBUG(transport, "ice-lite state={}", toString(state));
  }
  void onIceStateChanged(IceAgent& /*agent*/, IceState state) override {
    HUDDLE_LOG_DEBUG(transport, "ice state={}", toString(state));
    if (state == IceState::Failed) fail("ICE failed");
  }
  void onIceSelectedTupleChanged(IceLiteServer& /*server*/, const IceTuple* tuple) override {
    if (tuple == nullptr) {
      selected_.reset();
      return;
    }
    pathSelected(tuple->remote, tuple->local);
  }
  void onIceSelectedPairChanged(IceAgent& /*agent*/, const IceCandidatePair* pair) override {
    if (pair == nullptr) {
      selected_.reset();
      return;
    }
    pathSelected(pair->remote.address, pair->local.socket);
  }

  void pathSelected(const StunAddress& remote, IceSocketHandle socket) {
    selected_ = remote;
    selectedSocket_ = socket;
    ++stats_.selectedPathChanges;
    listener_.onIceSelectedPathChanged(*owner_, remote);
    maybeStartDtls();
  }

  void maybeStartDtls() {
    if (dtls_ && selected_ && dtls_->state() == DtlsState::New) dtls_->start();
  }

  // ---- DTLS --------------------------------------------------------------------------------

  void onDtlsSendData(DtlsTransport& /*transport*/,
                      std::span<const std::uint8_t> datagram) override {
    if (!selected_) {
      ++stats_.droppedNotReady;
      return;
    }
    sendRaw(datagram, *selected_, selectedSocket_);
  }

  void onDtlsConnected(DtlsTransport& transport, DtlsRole role, DtlsSrtpProfile profile,
                       const SrtpKeyingMaterial& keys) override {
    srtp_ = SrtpBridge::create(toSrtpProfile(profile), keys.localKey, keys.localSalt,
                               keys.remoteKey, keys.remoteSalt);
    if (!srtp_) {
      transport.close();
      failLater("SRTP sessions could not be created from the DTLS keys");
      return;
    }
    if (!options_.enableDataChannels) {
      setState(TransportState::Connected);
      return;
    }
    SctpAssociation::Config config;
    config.role = role == DtlsRole::Client ? SctpRole::Client : SctpRole::Server;
    config.localPort = options_.sctpPort;
    config.remotePort = options_.sctpPort;
    config.maxMessageSize = options_.maxMessageSize;
    // Each SCTP packet travels as one DTLS record, so its limit is the MTU minus the negotiated
    // suite's record overhead (13-octet header, then nonce or IV, tag or MAC and CBC padding:
    // 1163 octets for AES-GCM at 1200), which OpenSSL computes for us.
    config.pathMtu = static_cast<std::uint16_t>(
        std::min<std::size_t>(transport.maxApplicationDataSize(), kDtlsMtu));
    auto sctp = SctpAssociation::create(config, *this);
    if (!sctp) {
      failLater("SCTP setup: " + sctp.message());
      return;
    }
    sctp_ = std::move(sctp).value();
    sctp_->connect();
  }

  void onDtlsApplicationData(DtlsTransport& /*transport*/,
                             std::span<const std::uint8_t> data) override {
    if (sctp_) sctp_->onIncomingPacket(data);
  }
  void onDtlsFailed(DtlsTransport& /*transport*/, std::string_view reason) override {
    failLater("DTLS: " + std::string(reason));
  }
  void onDtlsClosed(DtlsTransport& /*transport*/) override {
    // The peer closed; tear down outside the DTLS callback.
    post([this] { finishClose(); });
  }

  // ---- SCTP --------------------------------------------------------------------------------

  void onSctpSendPacket(std::span<const std::uint8_t> packet) override {
    if (!dtls_ || !dtls_->sendApplicationData(packet)) {
      ++stats_.sctpPacketsDropped;
    }
  }
  void onSctpConnected() override {
    if (state_ == TransportState::Connecting) setState(TransportState::Connected);
  }
  void onSctpClosed() override {
    if (closePhase_ == ClosePhase::SctpShutdown) post([this] { finishClose(); });
  }
  void onDataChannelOpened(std::uint16_t id, std::string_view label, std::string_view /*protocol*/,
                           const DataChannelReliability& /*reliability*/) override {
    if (finished()) return;
    labels_[id] = std::string(label);
    listener_.onDataChannelOpen(*owner_, id, label);
  }
  void onDataChannelAcked(std::uint16_t id) override {
    if (finished()) return;
    const auto it = labels_.find(id);
    listener_.onDataChannelOpen(*owner_, id, it != labels_.end() ? it->second : std::string());
  }
  void onDataChannelMessage(std::uint16_t id, std::span<const std::uint8_t> data,
                            bool binary) override {
    if (finished()) return;
    listener_.onDataChannelMessage(*owner_, id, data, binary);
  }
  void onDataChannelClosed(std::uint16_t id) override {
    labels_.erase(id);
    if (finished()) return;
    listener_.onDataChannelClose(*owner_, id);
  }

  std::optional<std::uint16_t> createDataChannel(std::string_view label, bool ordered,
                                                 std::optional<std::uint16_t> maxRetransmits) {
    if (state_ != TransportState::Connected || !sctp_ || sctp_->state() != SctpState::Connected) {
      return std::nullopt;
    }
    const auto id = sctp_->openChannel(label, "", ordered, maxRetransmits);
    if (id) labels_[*id] = std::string(label);
    rearm();
    return id;
  }

  bool sendData(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) {
    if (state_ != TransportState::Connected || !sctp_) return false;
    const bool ok = sctp_->send(id, data, binary);
    rearm();
    return ok;
  }

  bool closeDataChannel(std::uint16_t id) {
    if (!sctp_ || finished()) return false;
    const bool ok = sctp_->closeChannel(id);
    rearm();
    return ok;
  }

  // ---- ICE restart -------------------------------------------------------------------------

  IceCredentials restartIce() {
    if (finished()) return localIce();
    if (lite_) {
      const std::string old = lite_->localCredentials().ufrag;
      IceCredentials creds = IceCredentials::generate();
      while (!registerUfrag(creds.ufrag)) creds = IceCredentials::generate();
      nominationsAtRestart_ = lite_->stats().nominations;
      lite_->restartIce(creds);
      // Checks still made with the old ufrag arrive on a bound tuple and need no ufrag route.
      mux_->unregisterUfrag(old);
      if (tcpMux_ != nullptr) tcpMux_->unregisterUfrag(old);
    } else {
      agent_->restartIce();
    }
    restartPending_ = true;
    rearm();
    return localIce();
  }

  void setRemoteIceCredentials(const IceCredentials& remote) {
    if (finished()) return;
    if (lite_) {
      lite_->setRemoteCredentials(remote.ufrag, remote.pwd);
    } else {
      agent_->setRemoteCredentials(remote.ufrag, remote.pwd);
    }
    rearm();
  }

  // Neither ICE module reports a restart that ends on the same path (the selection does not
  // change), so completion is read from their state: a pair nominated again (agent) or a new
  // nomination (lite).
  void checkRestartDone() {
    if (!restartPending_) return;
    bool done = false;
    if (lite_) {
      done = lite_->stats().nominations > nominationsAtRestart_;
    } else if (const IceCandidatePair* pair = agent_->selectedPair()) {
      done = pair->nominated && pair->state == IceCandidatePairState::Succeeded;
    }
    if (!done) return;
    restartPending_ = false;
    ++stats_.iceRestartsCompleted;
    if (selected_) listener_.onIceSelectedPathChanged(*owner_, *selected_);
  }

  // ---- close -------------------------------------------------------------------------------

  void close() {
    if (state_ == TransportState::Closed || closePhase_ != ClosePhase::None) return;
    if (sctp_ &&
        (sctp_->state() == SctpState::Connected || sctp_->state() == SctpState::Connecting)) {
      closePhase_ = ClosePhase::SctpShutdown;
      closeDeadline_ = clock_.steadyNow() + options_.sctpShutdownTimeout;
      sctp_->shutdown();
      rearm();
      return;
    }
    finishClose();
  }

  void finishClose() {
    if (state_ == TransportState::Closed) return;
    closePhase_ = ClosePhase::Done;
    // close_notify goes out on the selected path before the socket or mux slot goes away. A
    // still-open SCTP association is left to the destructor (a local abort): nothing it sends
    // from now on can pass the closed DTLS.
    if (dtls_) dtls_->close();
    tearDown();
    setState(TransportState::Closed);
  }

  void tearDown() {
    if (lite_) lite_->close();
    if (agent_) agent_->close();
    if (mux_ != nullptr) mux_->unregisterEndpoint(*this);
    if (tcpMux_ != nullptr) tcpMux_->unregisterEndpoint(*this);
    if (socket_) socket_->close();
    // Flushes what is queued (the close_notify) before the connection goes.
    if (tcp_) tcp_->close();
    timer_.cancel();
    armed_.reset();
  }

  void fail(const std::string& reason) {
    if (finished()) return;
    HUDDLE_LOG_WARN(transport, "transport failed: {}", reason);
    failureReason_ = reason;
    tearDown();
    setState(TransportState::Failed);
  }

  void failLater(std::string reason) {
    post([this, reason = std::move(reason)] { fail(reason); });
  }

  // ---- timers ------------------------------------------------------------------------------

  void rearm() {
    if (finished()) return;
    const SteadyTime now = clock_.steadyNow();
    std::optional<SteadyTime> next;
    const auto consider = [&next](std::optional<SteadyTime> t) {
      if (t && (!next || *t < *next)) next = t;
    };
    if (lite_) consider(lite_->nextTimeout());
    if (agent_) consider(agent_->nextTimeout());
    if (dtls_) {
      if (const auto d = dtls_->nextTimeout()) consider(now + *d);
    }
    if (sctp_ && sctp_->state() != SctpState::Closed) consider(now + kSctpTick);
    if (state_ == TransportState::Connecting) consider(connectDeadline_);
    if (closePhase_ == ClosePhase::SctpShutdown) consider(closeDeadline_);
    if (!next) return;
    if (armed_ && *armed_ <= *next) return;  // an earlier wake-up re-evaluates everything
    armed_ = next;
    timer_.expires_at(*next);
    timer_.async_wait([this, alive = alive_](const boost::system::error_code& ec) {
      if (!*alive || ec) return;
      armed_.reset();
      onTimer();
    });
  }

  void onTimer() {
    if (finished()) return;
    const SteadyTime now = clock_.steadyNow();
    if (lite_) lite_->onTimer();
    if (agent_) agent_->onTimer();
    if (finished()) return;
    checkRestartDone();
    if (dtls_ && dtls_->nextTimeout()) dtls_->handleTimeout();
    if (sctp_) driveSctpTimers(now);
    if (state_ == TransportState::Connecting && now >= connectDeadline_) {
      fail("not connected within the connect timeout");
      return;
    }
    if (closePhase_ == ClosePhase::SctpShutdown && now >= closeDeadline_) {
      finishClose();
      return;
    }
    rearm();
  }

  template <typename F>
  void post(F&& f) {
    asio::post(io_, [alive = alive_, f = std::forward<F>(f)]() mutable {
      if (*alive) f();
    });
  }

  void setState(TransportState state) {
    if (state_ == state) return;
    state_ = state;
    HUDDLE_LOG_DEBUG(transport, "transport state={}", toString(state));
    listener_.onTransportStateChanged(*owner_, state);
  }

  [[nodiscard]] bool finished() const noexcept {
    return state_ == TransportState::Closed || state_ == TransportState::Failed;
  }

  asio::io_context& io_;
  Options options_;
  // borrowed: outlives this
  WebRtcTransport::Listener& listener_;
  WebRtcTransport* owner_ = nullptr;
  DtlsSetup setup_;
  SystemClock clock_;
  UdpMux* mux_ = nullptr;  // borrowed (server role)
  TcpMux* tcpMux_ = nullptr;  // borrowed (server role, optional)

  // Declared in dependency order so that SCTP goes first on destruction, then SRTP, DTLS, ICE
  // and the socket.
  std::unique_ptr<UdpSocket> socket_;  // client role
  std::shared_ptr<TcpConnection> tcp_;  // client role, ICE-TCP only
  IceCandidateInfo tcpRemote_;
  std::unique_ptr<IceLiteServer> lite_;
  std::unique_ptr<IceAgent> agent_;
  std::unique_ptr<DtlsTransport> dtls_;
  std::unique_ptr<SrtpBridge> srtp_;
  std::unique_ptr<SctpAssociation> sctp_;

  std::optional<StunAddress> selected_;
  IceSocketHandle selectedSocket_ = kSocketHandle;
  bool restartPending_ = false;
  std::uint64_t nominationsAtRestart_ = 0;
  std::map<std::uint16_t, std::string> labels_;

  asio::steady_timer timer_;
  std::optional<SteadyTime> armed_;
  SteadyTime connectDeadline_{};
  SteadyTime closeDeadline_{};
  ClosePhase closePhase_ = ClosePhase::None;
  TransportState state_ = TransportState::New;
  std::string failureReason_;
  Stats stats_;
  // Cleared by the destructor; posted work and timer handlers check it.
  std::shared_ptr<bool> alive_;
};

// ---- WebRtcTransport -------------------------------------------------------------------------

Result<std::unique_ptr<WebRtcTransport>, WebRtcTransportError> WebRtcTransport::create(
    asio::io_context& io, const Options& options, Listener& listener) {
  auto impl = std::make_unique<Impl>(io, options, listener);
  if (!options.certificate || (options.role == WebRtcTransportRole::Server && !options.mux)) {
    return Error{
        WebRtcTransportError::InvalidOptions,
        std::string(options.certificate ? "server role needs a UdpMux" : "no certificate")};
  }
  if (auto error = impl->setUp()) return Error{WebRtcTransportError::Socket, *error};
  Impl* raw = impl.get();
  std::unique_ptr<WebRtcTransport> transport(new WebRtcTransport(std::move(impl)));
  raw->owner_ = transport.get();
  return transport;
}

WebRtcTransport::WebRtcTransport(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
WebRtcTransport::~WebRtcTransport() = default;

TransportParameters WebRtcTransport::localParameters() const { return impl_->localParameters(); }
void WebRtcTransport::connect(const TransportParameters& remote) { impl_->connect(remote); }
bool WebRtcTransport::addRemoteCandidate(const IceCandidateInfo& candidate) {
  return impl_->addRemoteCandidate(candidate);
}
bool WebRtcTransport::sendRtp(std::span<std::uint8_t> buffer, std::size_t length) {
  return impl_->sendMedia(buffer, length, false);
}
bool WebRtcTransport::sendRtcp(std::span<std::uint8_t> buffer, std::size_t length) {
  return impl_->sendMedia(buffer, length, true);
}
std::optional<std::uint16_t> WebRtcTransport::createDataChannel(
    std::string_view label, bool ordered, std::optional<std::uint16_t> maxRetransmits) {
  return impl_->createDataChannel(label, ordered, maxRetransmits);
}
bool WebRtcTransport::sendData(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) {
  return impl_->sendData(id, data, binary);
}
bool WebRtcTransport::closeDataChannel(std::uint16_t id) { return impl_->closeDataChannel(id); }
std::size_t WebRtcTransport::bufferedAmount() const {
  return impl_->sctp_ ? impl_->sctp_->bufferedAmount() : 0;
}
IceCredentials WebRtcTransport::restartIce() { return impl_->restartIce(); }
void WebRtcTransport::setRemoteIceCredentials(const IceCredentials& remote) {
  impl_->setRemoteIceCredentials(remote);
}
void WebRtcTransport::close() { impl_->close(); }
TransportState WebRtcTransport::state() const noexcept { return impl_->state_; }
WebRtcTransportRole WebRtcTransport::role() const noexcept { return impl_->options_.role; }
const WebRtcTransport::Stats& WebRtcTransport::stats() const noexcept { return impl_->stats_; }
bool WebRtcTransport::dataChannelsConnected() const noexcept {
  return impl_->sctp_ && impl_->sctp_->state() == SctpState::Connected;
}
std::optional<StunAddress> WebRtcTransport::selectedRemote() const { return impl_->selected_; }

}  // namespace huddle::rtc
