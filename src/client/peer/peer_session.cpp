#include "client/peer/peer_session.h"

#include <algorithm>
#include <array>

#include "client/peer/peer_session_section.h"
#include "common/random.h"

namespace huddle::client {

namespace {

constexpr std::size_t kMaxLayers = 3;

}  // namespace

std::string_view toString(PeerError error) {
  switch (error) {
    case PeerError::InvalidOptions: return "invalid options";
    case PeerError::InvalidTrack: return "invalid track";
    case PeerError::UnknownMid: return "unknown mid";
    case PeerError::WrongState: return "wrong state";
    case PeerError::BadDescription: return "bad description";
    case PeerError::Unsupported: return "unsupported";
  }
  return "unknown";
}

// ---- lifetime ---------------------------------------------------------------------------------

PeerSession::PeerSession(Options options, Listener& listener)
    : options_(std::move(options)), listener_(listener) {}

PeerSession::~PeerSession() = default;

Result<std::unique_ptr<PeerSession>, PeerError> PeerSession::create(boost::asio::io_context& io,
                                                                    Options options,
                                                                    Listener& listener) {
  if (!options.certificate) return Error{PeerError::InvalidOptions, "no DTLS certificate"};
  if (options.cname.empty()) options.cname = randomAlphanumeric(16);
  std::unique_ptr<PeerSession> session(new PeerSession(std::move(options), listener));
  rtc::WebRtcTransport::Options t;
  t.role = rtc::WebRtcTransportRole::Client;
  t.certificate = session->options_.certificate;
  t.bindAddress = session->options_.bindAddress;
  t.connectTimeout = session->options_.connectTimeout;
  // Setup left to the transport: our offers say actpass, so the answer's setup picks our DTLS
  // role at connect() (an active answerer, as pion is, makes us the server); as the answerer we
  // take the client role (our answers say active), which a passive or actpass offer leaves us.
  auto transport = rtc::WebRtcTransport::create(io, t, *session);
  if (!transport.ok()) return Error{PeerError::InvalidOptions, "transport: " + transport.message()};
  session->transport_ = std::move(transport).value();
  session->localIce_ = session->transport_->localParameters().ice;
  std::array<std::uint8_t, 8> id{};
  fillRandom(id);
  // Digits only, positive in 63 bits, as browsers write it.
  std::uint64_t value = 0;
  for (auto byte : id) value = (value << 8) | byte;
  session->sessionId_ = std::to_string(value >> 1);
  if (session->options_.role == Role::Offerer) {
    // The data section first, as livekit-client creates its channels before any transceiver.
    auto data = std::make_unique<Section>();
    data->mid = session->nextMid();
    data->kind = rtc::MediaKind::Application;
    data->localDirection = rtc::MediaDirection::SendRecv;
    session->sections_.push_back(std::move(data));
  }
  return session;
}

void PeerSession::close() {
  if (transport_) transport_->close();
}

rtc::TransportState PeerSession::state() const noexcept { return transport_->state(); }

std::string PeerSession::nextMid() { return std::to_string(midCounter_++); }

std::uint32_t PeerSession::newSsrc() {
  for (;;) {
    std::array<std::uint8_t, 4> b{};
    fillRandom(b);
    const std::uint32_t ssrc = (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) |
                               (std::uint32_t{b[2]} << 8) | b[3];
    if (ssrc != 0 && !sendSsrcs_.contains(ssrc) && !recvSsrcs_.contains(ssrc)) return ssrc;
  }
}

std::vector<std::string> PeerSession::mids() const {
  std::vector<std::string> out;
  for (const auto& s : sections_) out.push_back(s->mid);
  return out;
}

std::string PeerSession::trackSidOf(std::string_view mid) const {
  for (const auto& s : sections_) {
    if (s->mid == mid) return s->receives() ? s->trackSid : std::string();
  }
  return {};
}

const NegotiatedSection* PeerSession::remoteSection(std::string_view mid) const {
  for (const auto& s : sections_) {
    if (s->mid == mid) return s->described ? &s->remote : nullptr;
  }
  return nullptr;
}

// ---- negotiation ------------------------------------------------------------------------------

Result<std::string, PeerError> PeerSession::addSendTrack(const SendTrackSpec& spec) {
  if (options_.role != Role::Offerer) return Error{PeerError::WrongState, "the subscriber role does not send"};
  if (spec.cid.empty()) return Error{PeerError::InvalidTrack, "a send track needs its AddTrack cid"};
  if (spec.rids.size() > kMaxLayers) return Error{PeerError::InvalidTrack, "at most 3 simulcast layers"};
  if (spec.kind == SectionKind::Audio && !spec.rids.empty()) {
    return Error{PeerError::InvalidTrack, "audio has no simulcast layers"};
  }
  for (std::size_t i = 0; i < spec.rids.size(); ++i) {
    const std::string& rid = spec.rids[i];
    if (rid.empty() || rid.size() > 16 || std::count(spec.rids.begin(), spec.rids.end(), rid) > 1) {
      return Error{PeerError::InvalidTrack, "rids must be distinct, 1 to 16 characters"};
    }
  }
  auto s = std::make_unique<Section>();
  s->mid = nextMid();
  s->kind = spec.kind == SectionKind::Video ? rtc::MediaKind::Video : rtc::MediaKind::Audio;
  s->localDirection = rtc::MediaDirection::SendOnly;
  s->streamId = spec.streamId.empty() ? options_.cname : spec.streamId;
  s->trackId = spec.cid;
  s->signalling = spec.signalling;
  const std::size_t layers = std::max<std::size_t>(1, spec.rids.size());
  for (std::size_t i = 0; i < layers; ++i) {
    SendLayer layer;
    layer.rid = spec.rids.empty() ? std::string() : spec.rids[i];
    layer.ssrc = newSsrc();
    sendSsrcs_[layer.ssrc] = SsrcRoute{static_cast<std::uint32_t>(sections_.size()), static_cast<std::uint16_t>(i), false};
    if (spec.kind == SectionKind::Video) {
      layer.rtxSsrc = newSsrc();
      sendSsrcs_[layer.rtxSsrc] = SsrcRoute{static_cast<std::uint32_t>(sections_.size()), static_cast<std::uint16_t>(i), true};
    }
    s->layers.push_back(std::move(layer));
  }
  s->params.resize(layers);
  for (std::size_t i = 0; i < layers; ++i) {
    s->params[i].ssrc = s->layers[i].ssrc;
    s->params[i].rtxSsrc = s->layers[i].rtxSsrc;
    s->params[i].mid = s->mid;
    s->params[i].rid = s->layers[i].rid;
  }
  std::string mid = s->mid;
  sections_.push_back(std::move(s));
  return mid;
}

Result<Ok, PeerError> PeerSession::removeSendTrack(std::string_view mid) {
  for (auto& s : sections_) {
    if (s->mid != mid || !s->sends()) continue;
    s->localDirection = rtc::MediaDirection::Inactive;
    for (auto& p : s->params) p.negotiated = false;
    for (const auto& layer : s->layers) {
      sendSsrcs_.erase(layer.ssrc);
      if (layer.rtxSsrc != 0) sendSsrcs_.erase(layer.rtxSsrc);
    }
    return Ok{};
  }
  return Error{PeerError::UnknownMid, "no send section " + std::string(mid)};
}

void PeerSession::addRecvTransceivers(unsigned audio, unsigned video) {
  if (options_.role != Role::Offerer) return;
  auto add = [&](rtc::MediaKind kind) {
    auto s = std::make_unique<Section>();
    s->mid = nextMid();
    s->kind = kind;
    s->localDirection = rtc::MediaDirection::RecvOnly;
    sections_.push_back(std::move(s));
  };
  for (unsigned i = 0; i < audio; ++i) add(rtc::MediaKind::Audio);
  for (unsigned i = 0; i < video; ++i) add(rtc::MediaKind::Video);
}

Result<std::string, PeerError> PeerSession::createOffer() {
  if (options_.role != Role::Offerer) return Error{PeerError::WrongState, "the subscriber role answers"};
  OfferParameters p;
  p.sessionId = sessionId_;
  p.sessionVersion = ++sessionVersion_;
  p.ice = localIce_;
  const rtc::TransportParameters local = transport_->localParameters();
  p.fingerprint = local.fingerprint;
  p.candidates = local.candidates;
  p.cname = options_.cname;
  for (const auto& s : sections_) {
    OfferSection o;
    o.mid = s->mid;
    o.kind = s->kind;
    o.direction = s->localDirection;
    if (s->sends()) {
      o.streamId = s->streamId;
      o.trackId = s->trackId;
      o.layers = s->layers;
      o.simulcast = s->signalling;
    }
    p.sections.push_back(std::move(o));
  }
  offerPending_ = true;
  return writeOffer(p);
}

Result<Ok, PeerError> PeerSession::applyAnswer(std::string_view sdp,
                                               const std::map<std::string, std::string>& midToTrackId) {
  if (options_.role != Role::Offerer || !offerPending_) {
    return Error{PeerError::WrongState, "no offer is waiting for an answer"};
  }
  auto info = parseAnswer(sdp, mids());
  if (!info.ok()) {
    ++stats_.descriptionsRejected;
    return Error{PeerError::BadDescription, "answer refused: " + info.message()};
  }
  if (!connectStarted_ && info->transport.candidates.empty()) {
    ++stats_.descriptionsRejected;
    return Error{PeerError::Unsupported, "answer has no usable candidate (trickle is not supported)"};
  }
  offerPending_ = false;
  for (const auto& ns : info->sections) {
    for (auto& s : sections_) {
      if (s->mid != ns.mid) continue;
      s->remote = ns;
      s->described = true;
      auto it = midToTrackId.find(ns.mid);
      s->trackSid = it != midToTrackId.end() ? it->second : trackSidFromMsid(ns.msid);
      const bool negotiated = s->sends() && remoteReceives(ns);
      for (std::size_t i = 0; i < s->params.size(); ++i) {
        SendStreamParams& p = s->params[i];
        p.negotiated = negotiated;
        if (!negotiated) continue;
        p.payloadType = static_cast<std::uint8_t>(ns.payloadType);
        p.rtxPayloadType = ns.rtxPayloadType ? static_cast<std::uint8_t>(*ns.rtxPayloadType) : 0;
        p.clockRate = ns.clockRate;
        p.midExtensionId = ns.extensions.mid;
        const bool ridLayers = s->layers.size() > 1 && s->signalling == SimulcastSignalling::Rid;
        p.ridExtensionId = ridLayers ? ns.extensions.rid : 0;
        p.repairedRidExtensionId = ridLayers ? ns.extensions.repairedRid : 0;
      }
    }
  }
  rebuildSsrcRoutes();
  if (!connectStarted_) {
    startTransport(*info);
  } else if (!remoteIce_ || *remoteIce_ != info->transport.ice) {
    transport_->setRemoteIceCredentials(info->transport.ice);
    remoteIce_ = info->transport.ice;
  }
  return Ok{};
}

void PeerSession::startTransport(const RemoteDescriptionInfo& info) {
  connectStarted_ = true;
  remoteIce_ = info.transport.ice;
  rtc::TransportParameters remote = info.transport;
  transport_->connect(remote);
}

void PeerSession::restartIce() {
  // Before the first answer there is nothing to restart: the next offer carries the same
  // credentials the transport will check with.
  if (!connectStarted_) return;
  localIce_ = transport_->restartIce();
}

Result<std::string, PeerError> PeerSession::applyRemoteOffer(std::string_view sdp) {
  if (options_.role != Role::Subscriber) {
    return Error{PeerError::WrongState, "the offerer role does not take offers"};
  }
  auto info = parseRemoteOffer(sdp);
  if (!info.ok()) {
    ++stats_.descriptionsRejected;
    return Error{PeerError::BadDescription, "offer refused: " + info.message()};
  }
  if (info->setup == rtc::SdpSetup::Active) {
    ++stats_.descriptionsRejected;
    return Error{PeerError::Unsupported, "offer wants to be the DTLS client (setup:active)"};
  }
  if (!connectStarted_ && info->transport.candidates.empty()) {
    ++stats_.descriptionsRejected;
    return Error{PeerError::Unsupported, "offer has no usable candidate (trickle is not supported)"};
  }
  auto parsed = rtc::parseSdp(sdp);  // parseRemoteOffer succeeded, so this does too
  if (!parsed.ok()) return Error{PeerError::BadDescription, parsed.message()};
  for (const auto& ns : info->sections) {
    Section* section = nullptr;
    for (auto& s : sections_) {
      if (s->mid == ns.mid) section = s.get();
    }
    if (section == nullptr) {
      sections_.push_back(std::make_unique<Section>());
      section = sections_.back().get();
      section->mid = ns.mid;
      section->kind = ns.kind;
    }
    section->remote = ns;
    section->described = true;
    section->localDirection = remoteSends(ns) ? rtc::MediaDirection::RecvOnly : rtc::MediaDirection::Inactive;
    section->trackSid = trackSidFromMsid(ns.msid);
  }
  rebuildSsrcRoutes();
  const bool restart = connectStarted_ && remoteIce_ && *remoteIce_ != info->transport.ice;
  // The server restarted ICE (resume): both sides take new credentials.
  if (restart) localIce_ = transport_->restartIce();
  AnswerParameters a;
  a.sessionId = sessionId_;
  a.sessionVersion = ++sessionVersion_;
  a.ice = localIce_;
  const rtc::TransportParameters local = transport_->localParameters();
  a.fingerprint = local.fingerprint;
  a.candidates = local.candidates;
  a.setup = rtc::SdpSetup::Active;
  std::string answer = writeAnswer(parsed->description, a);
  if (!connectStarted_) {
    startTransport(*info);
  } else if (restart) {
    transport_->setRemoteIceCredentials(info->transport.ice);
    remoteIce_ = info->transport.ice;
  }
  return answer;
}

void PeerSession::rebuildSsrcRoutes() {
  // Learnt SSRCs go too: a renegotiation may hand a section to another track.
  recvSsrcs_.clear();
  learnedSsrcs_ = 0;
  for (std::size_t i = 0; i < sections_.size(); ++i) {
    const Section& s = *sections_[i];
    if (!s.receives()) continue;
    for (std::size_t l = 0; l < s.remote.ssrcs.size(); ++l) {
      recvSsrcs_[s.remote.ssrcs[l]] = SsrcRoute{static_cast<std::uint32_t>(i), static_cast<std::uint16_t>(l), false};
      const std::uint32_t rtx = l < s.remote.rtxSsrcs.size() ? s.remote.rtxSsrcs[l] : 0;
      if (rtx != 0) recvSsrcs_[rtx] = SsrcRoute{static_cast<std::uint32_t>(i), static_cast<std::uint16_t>(l), true};
    }
  }
}

}  // namespace huddle::client
