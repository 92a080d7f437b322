// Resume with ICE restart on the classic signal path (/rtc, two peer connections), against an
// in-process huddle-server with our own client-role transports as the clients' peer
// connections, as livekit-client does it: the subscriber's WebSocket drops, it reconnects with
// reconnect=1&sid=..., gets ReconnectResponse and then a server offer with new ICE credentials
// for its subscriber connection; it answers with new credentials of its own and the connection
// comes back on the restarted ICE session with DTLS, SRTP and the downtrack kept (media from
// the publisher keeps arriving). The publisher resumes too, restarting ICE with its own offer:
// the answer carries new server credentials on the same transport.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/access_token.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/sdp/session_description.h"
#include "rtc/transport/webrtc_transport.h"
#include "server/server.h"
#include "signal/ws_signal_client.h"

namespace huddle::server {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::uint32_t kVideoSsrc = 0x51525354;
constexpr std::uint8_t kVp8Pt = 96;
constexpr std::uint8_t kMidExtId = 1;

class Events final : public rtc::WebRtcTransport::Listener {
 public:
  void onTransportStateChanged(rtc::WebRtcTransport&, rtc::TransportState s) override { state = s; }
  void onRtpPacket(rtc::WebRtcTransport&, std::span<std::uint8_t>) override { ++rtpReceived; }
  void onRtcpPacket(rtc::WebRtcTransport&, std::span<std::uint8_t>) override {}
  rtc::TransportState state = rtc::TransportState::New;
  int rtpReceived = 0;
};

struct Peer {
  std::unique_ptr<signal::WsSignalClient> ws;
  std::vector<livekit::SignalResponse> responses;
  std::optional<bool> connected;
  Events events;
  std::unique_ptr<rtc::WebRtcTransport> transport;
  std::string sid;
  std::size_t offersAnswered = 0;  // subscriber side: server offers handled so far

  std::vector<const livekit::SignalResponse*> all(livekit::SignalResponse::MessageCase kind) const {
    std::vector<const livekit::SignalResponse*> out;
    for (const auto& r : responses) {
      if (r.message_case() == kind) out.push_back(&r);
    }
    return out;
  }
};

void writeTransport(rtc::MediaDescription& m, const rtc::TransportParameters& local) {
  m.iceUfrag = local.ice.ufrag;
  m.icePwd = local.ice.pwd;
  m.fingerprints = {{std::string(rtc::DtlsFingerprint::kAlgorithm), local.fingerprint.hex()}};
  m.setup = rtc::SdpSetup::Active;
  m.connection = rtc::SdpConnection{};
  m.candidates.clear();
  m.endOfCandidates = false;
}

// One sendonly VP8 section (msid track id = the AddTrack cid) and a data channel in a BUNDLE.
std::string publisherOffer(const rtc::TransportParameters& local, std::uint64_t version) {
  rtc::SessionDescription d;
  d.origin.sessionId = "4321";
  d.origin.sessionVersion = version;
  d.msidSemantic = rtc::MsidSemantic{"WMS", {"*"}};
  d.groups.push_back(rtc::SdpGroup{"BUNDLE", {"0", "1"}});
  rtc::MediaDescription video;
  video.media = "video";
  video.mid = "0";
  writeTransport(video, local);
  video.rtcpMux = true;
  video.direction = rtc::MediaDirection::SendOnly;
  video.addCodec(kVp8Pt, "VP8", 90000, std::nullopt, {}, {rtc::RtcpFeedback{std::nullopt, "nack", "pli"}});
  video.extMaps.push_back(rtc::ExtMap{kMidExtId, std::nullopt, "urn:ietf:params:rtp-hdrext:sdes:mid", {}});
  video.msids.push_back(rtc::Msid{"stream", "cid-video"});
  video.addSsrc(kVideoSsrc, "pubcname", rtc::Msid{"stream", "cid-video"});
  d.media.push_back(std::move(video));
  rtc::MediaDescription data;
  data.media = "application";
  data.protocol = "UDP/DTLS/SCTP";
  data.formats = {"webrtc-datachannel"};
  data.mid = "1";
  data.sctpPort = 5000;
  writeTransport(data, local);
  d.media.push_back(std::move(data));
  return rtc::writeSdp(d);
}

// A subscriber's answer to a server offer: every section accepted as offered (codecs and
// extensions kept), receive-only, with our transport's credentials.
std::string subscriberAnswer(const rtc::SessionDescription& offer, const rtc::TransportParameters& local) {
  rtc::SessionDescription d;
  d.origin.sessionId = "8765";
  d.origin.sessionVersion = offer.origin.sessionVersion;
  d.groups = offer.groups;
  for (const auto& o : offer.media) {
    rtc::MediaDescription m = o;
    writeTransport(m, local);
    m.msids.clear();
    m.ssrcAttributes.clear();
    m.ssrcGroups.clear();
    if (m.isRtp()) {
      const bool offered = o.effectiveDirection() == rtc::MediaDirection::SendOnly ||
                           o.effectiveDirection() == rtc::MediaDirection::SendRecv;
      m.direction = offered ? rtc::MediaDirection::RecvOnly : rtc::MediaDirection::Inactive;
    }
    d.media.push_back(std::move(m));
  }
  return rtc::writeSdp(d);
}

// The client side of a server SDP: credentials, fingerprint and host candidate.
std::optional<rtc::TransportParameters> serverParameters(const std::string& sdp) {
  auto parsed = rtc::parseSdp(sdp);
  if (!parsed.ok()) return std::nullopt;
  const auto& d = parsed->description;
  for (const auto& m : d.media) {
    if (m.port == 0 || m.candidates.empty()) continue;
    auto ufrag = d.iceUfragFor(m);
    auto pwd = d.icePwdFor(m);
    auto fps = d.fingerprintsFor(m);
    if (!ufrag || !pwd || fps.empty()) continue;
    auto fp = rtc::DtlsFingerprint::parse(fps.front().algorithm + " " + fps.front().value);
    auto address = rtc::StunAddress::fromString(m.candidates.front().address, m.candidates.front().port);
    if (!fp || !address) continue;
    rtc::TransportParameters p;
    p.ice = rtc::IceCredentials{*ufrag, *pwd};
    p.fingerprint = *fp;
    p.candidates.push_back({*address, m.candidates.front().priority, rtc::IceCandidateProtocol::Udp});
    p.iceLite = d.iceLite;
    return p;
  }
  return std::nullopt;
}

class ResumeIceRestart : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.port = 0;
    config.bindAddresses = {"127.0.0.1"};
    config.development = true;
    config.logLevel = "error";
    config.keys = {{"devkey", "secret"}};
    config.rtc.udpPort = 0;
    config.rtc.tcpPort = 0;
    config.rtc.singlePeerConnection = false;
    ASSERT_TRUE(config.keyProvider.add("devkey", "secret", auth::KeyPolicy{true}).ok());
    auto created = Server::create(std::move(config));
    ASSERT_TRUE(created.ok()) << created.message();
    server_ = std::move(*created);
    thread_ = std::thread([this] { server_->run(false); });
    auto cert = rtc::DtlsCertificate::generate();
    ASSERT_TRUE(cert.ok());
    cert_ = std::move(cert).value();
  }

  void TearDown() override {
    for (auto* p : {&publisher_, &subscriber_}) {
      if (*p && (*p)->transport) (*p)->transport->close();
    }
    runUntil([] { return false; }, 100ms);  // lets the closes go out; not a synchronisation
    if (server_) server_->shutdown();
    if (thread_.joinable()) thread_.join();
  }

  std::string token(const std::string& identity) {
    auth::ClaimGrants grants;
    grants.identity = identity;
    auth::VideoGrant video;
    video.roomJoin = true;
    video.room = "resume";
    grants.video = video;
    auth::KeyProvider keys;
    EXPECT_TRUE(keys.add("devkey", "secret", auth::KeyPolicy{true}).ok());
    auto minted = auth::mintToken(grants, auth::MintOptions{.apiKey = "devkey"}, *keys.find("devkey"));
    return minted.ok() ? *minted : std::string();
  }

  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds bound = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_for(5ms);
    }
    return true;
  }

  // Opens the signal connection: a join, or with `resumeSid` a resume of that participant.
  void connectSignal(Peer& p, const std::string& identity, const std::string& resumeSid = {}) {
    if (p.ws) retired_.push_back(std::move(p.ws));  // a closed client stays alive until the end
    p.ws = std::make_unique<signal::WsSignalClient>(io_);
    p.responses.clear();
    p.connected.reset();
    Peer* raw = &p;
    p.ws->onResponse([raw](livekit::SignalResponse r) { raw->responses.push_back(std::move(r)); });
    std::string target = "/rtc?access_token=" + token(identity) + "&protocol=16&sdk=js&auto_subscribe=1";
    if (!resumeSid.empty()) target += "&reconnect=1&sid=" + resumeSid + "&reconnect_reason=1";
    p.ws->connect(signal::WsConnectOptions{.host = "127.0.0.1", .port = server_->port(), .target = target},
                  [raw](Result<Ok, signal::WsSignalError> r, const signal::HttpRefusal&) { raw->connected = r.ok(); });
    ASSERT_TRUE(runUntil([raw] { return raw->connected.has_value(); }));
    ASSERT_TRUE(raw->connected.value_or(false));
    const auto first = resumeSid.empty() ? livekit::SignalResponse::kJoin : livekit::SignalResponse::kReconnect;
    ASSERT_TRUE(runUntil([&] { return !p.responses.empty(); }));
    ASSERT_EQ(p.responses.front().message_case(), first) << p.responses.front().DebugString();
    if (resumeSid.empty()) p.sid = p.responses.front().join().participant().sid();
  }

  std::unique_ptr<rtc::WebRtcTransport> newTransport(Events& events) {
    rtc::WebRtcTransport::Options options;
    options.role = rtc::WebRtcTransportRole::Client;
    options.certificate = cert_;
    auto t = rtc::WebRtcTransport::create(io_, options, events);
    EXPECT_TRUE(t.ok()) << t.message();
    return t.ok() ? std::move(t).value() : nullptr;
  }

  // Publisher: sends an offer on its transport and applies the answer. Returns the answer SDP.
  std::string negotiatePublisher(Peer& p, std::uint32_t id) {
    livekit::SignalRequest offer;
    offer.mutable_offer()->set_type("offer");
    offer.mutable_offer()->set_sdp(publisherOffer(p.transport->localParameters(), id));
    offer.mutable_offer()->set_id(id);
    EXPECT_TRUE(p.ws->send(offer));
    const livekit::SignalResponse* answer = nullptr;
    EXPECT_TRUE(runUntil([&] {
      for (const auto* r : p.all(livekit::SignalResponse::kAnswer)) {
        if (r->answer().id() == id) answer = r;
      }
      return answer != nullptr;
    }));
    return answer != nullptr ? answer->answer().sdp() : std::string();
  }

  // Subscriber: answers every server offer not yet answered; the first one connects the
  // transport, one with new ICE credentials restarts ICE on it (what a browser does when it
  // applies an ICE-restart offer). Returns the ufrags of the offers handled.
  std::vector<std::string> answerServerOffers(Peer& p) {
    std::vector<std::string> ufrags;
    const auto offers = p.all(livekit::SignalResponse::kOffer);
    for (std::size_t i = p.offersAnswered; i < offers.size(); ++i) {
      const auto& o = offers[i]->offer();
      auto parsed = rtc::parseSdp(o.sdp());
      EXPECT_TRUE(parsed.ok());
      if (!parsed.ok()) continue;
      auto remote = serverParameters(o.sdp());
      EXPECT_TRUE(remote.has_value()) << o.sdp();
      if (!remote) continue;
      ufrags.push_back(remote->ice.ufrag);
      if (!p.transport) {
        p.transport = newTransport(p.events);
        p.transport->connect(*remote);
        lastServerUfrag_ = remote->ice.ufrag;
      } else if (remote->ice.ufrag != lastServerUfrag_) {
        p.transport->restartIce();
        p.transport->setRemoteIceCredentials(remote->ice);
        lastServerUfrag_ = remote->ice.ufrag;
      }
      livekit::SignalRequest answer;
      answer.mutable_answer()->set_type("answer");
      answer.mutable_answer()->set_sdp(subscriberAnswer(parsed->description, p.transport->localParameters()));
      answer.mutable_answer()->set_id(o.id());
      EXPECT_TRUE(p.ws->send(answer));
    }
    p.offersAnswered = offers.size();
    return ufrags;
  }

  bool sendRtp(bool keyframe) {
    std::array<std::uint8_t, 1500> b{};
    std::size_t n = 0;
    b[n++] = 0x90;
    b[n++] = static_cast<std::uint8_t>(0x80 | kVp8Pt);
    b[n++] = static_cast<std::uint8_t>(seq_ >> 8);
    b[n++] = static_cast<std::uint8_t>(seq_);
    for (int i = 3; i >= 0; --i) b[n++] = static_cast<std::uint8_t>(ts_ >> (8 * i));
    for (int i = 3; i >= 0; --i) b[n++] = static_cast<std::uint8_t>(kVideoSsrc >> (8 * i));
    for (std::uint8_t c : {0xBE, 0xDE, 0x00, 0x01}) b[n++] = c;  // one word of extensions
    b[n++] = static_cast<std::uint8_t>(kMidExtId << 4);        // mid "0", one byte
    b[n++] = '0';
    b[n++] = 0;
    b[n++] = 0;
    b[n++] = 0x10;  // VP8 descriptor: start of partition 0
    const std::uint32_t tag = (keyframe ? 0u : 1u) | (10u << 5) | (1u << 4);
    for (int i = 0; i < 3; ++i) b[n++] = static_cast<std::uint8_t>(tag >> (8 * i));
    if (keyframe) {
      for (std::uint8_t c : {0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}) b[n++] = c;  // 320x240
    }
    while (n < 80) b[n++] = 0x5a;
    ++seq_;
    ts_ += 3000;
    return publisher_->transport->sendRtp(b, n);
  }

  // Sends frames from the publisher until the subscriber got `more` RTP packets than now.
  bool mediaReachesSubscriber(int more, bool keyframeFirst) {
    const int target = subscriber_->events.rtpReceived + more;
    int sent = 0;
    return runUntil([&] {
      answerServerOffers(*subscriber_);
      // Keyframes now and then: the downtrack starts on one, whenever it gets attached.
      sendRtp(keyframeFirst && sent++ % 10 == 0);
      runUntil([] { return false; }, 10ms);
      return subscriber_->events.rtpReceived >= target;
    }, 10s);
  }

  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::shared_ptr<const rtc::DtlsCertificate> cert_;
  std::unique_ptr<Peer> publisher_;
  std::unique_ptr<Peer> subscriber_;
  std::string lastServerUfrag_;
  std::vector<std::unique_ptr<signal::WsSignalClient>> retired_;
  std::uint16_t seq_ = 1000;
  std::uint32_t ts_ = 90000;
};

TEST_F(ResumeIceRestart, ClassicSubscriberAndPublisherResumeOnTheirTransportsWithNewCredentials) {
  publisher_ = std::make_unique<Peer>();
  subscriber_ = std::make_unique<Peer>();
  ASSERT_NO_FATAL_FAILURE(connectSignal(*subscriber_, "sub"));
  ASSERT_NO_FATAL_FAILURE(connectSignal(*publisher_, "pub"));

  // The publisher publishes a VP8 track on its own transport.
  livekit::SignalRequest add;
  add.mutable_add_track()->set_cid("cid-video");
  add.mutable_add_track()->set_name("camera");
  add.mutable_add_track()->set_type(livekit::VIDEO);
  add.mutable_add_track()->set_source(livekit::TrackSource::CAMERA);
  ASSERT_TRUE(publisher_->ws->send(add));
  ASSERT_TRUE(runUntil([&] { return !publisher_->all(livekit::SignalResponse::kTrackPublished).empty(); }));
  publisher_->transport = newTransport(publisher_->events);
  const std::string firstAnswer = negotiatePublisher(*publisher_, 1);
  auto serverSide = serverParameters(firstAnswer);
  ASSERT_TRUE(serverSide.has_value()) << firstAnswer;
  publisher_->transport->connect(*serverSide);
  ASSERT_TRUE(runUntil([&] { return publisher_->events.state == rtc::TransportState::Connected; }));

  // The subscriber answers the server's offers and receives the video.
  ASSERT_TRUE(mediaReachesSubscriber(5, true)) << "no media before the resume; subscriber state "
                                               << toString(subscriber_->events.state);
  ASSERT_EQ(subscriber_->events.state, rtc::TransportState::Connected);
  const std::string subscriberUfragBefore = lastServerUfrag_;
  const std::size_t offersBefore = subscriber_->all(livekit::SignalResponse::kOffer).size();

  // The subscriber's WebSocket drops; it resumes. ReconnectResponse comes first (checked in
  // connectSignal), then an offer restarting ICE on the subscriber connection.
  subscriber_->ws->close();
  subscriber_->offersAnswered = 0;
  ASSERT_NO_FATAL_FAILURE(connectSignal(*subscriber_, "sub", subscriber_->sid));
  ASSERT_TRUE(runUntil([&] { return !subscriber_->all(livekit::SignalResponse::kOffer).empty(); }))
      << "no subscriber offer after the resume";
  const auto ufrags = answerServerOffers(*subscriber_);
  ASSERT_EQ(ufrags.size(), 1U);
  EXPECT_NE(ufrags.front(), subscriberUfragBefore) << "the resume offer kept the old ICE credentials";
  EXPECT_GE(offersBefore, 1U);
  ASSERT_TRUE(runUntil([&] { return subscriber_->transport->stats().iceRestartsCompleted == 1; }))
      << "the subscriber's ICE restart did not complete";
  EXPECT_EQ(subscriber_->events.state, rtc::TransportState::Connected);
  // Same transport, same DTLS session and downtrack: media continues without a keyframe.
  ASSERT_TRUE(mediaReachesSubscriber(5, false)) << "no media after the subscriber's resume";

  // The publisher resumes and restarts ICE with its own offer on the same transport.
  publisher_->ws->close();
  ASSERT_NO_FATAL_FAILURE(connectSignal(*publisher_, "pub", publisher_->sid));
  publisher_->transport->restartIce();
  const std::string secondAnswer = negotiatePublisher(*publisher_, 2);
  ASSERT_FALSE(secondAnswer.empty());
  auto restarted = serverParameters(secondAnswer);
  ASSERT_TRUE(restarted.has_value()) << secondAnswer;
  EXPECT_NE(restarted->ice.ufrag, serverSide->ice.ufrag) << "answer to an ICE-restart offer kept our credentials";
  EXPECT_EQ(restarted->fingerprint.hex(), serverSide->fingerprint.hex()) << "DTLS must be kept";
  publisher_->transport->setRemoteIceCredentials(restarted->ice);
  ASSERT_TRUE(runUntil([&] { return publisher_->transport->stats().iceRestartsCompleted == 1; }))
      << "the publisher's ICE restart did not complete";
  EXPECT_EQ(publisher_->events.state, rtc::TransportState::Connected);
  ASSERT_TRUE(mediaReachesSubscriber(5, false)) << "no media after the publisher's resume";

  // Nobody left: the subscriber still lists the publisher under the same sid.
  for (const auto* r : subscriber_->all(livekit::SignalResponse::kUpdate)) {
    for (const auto& p : r->update().participants()) {
      if (p.sid() == publisher_->sid) {
        EXPECT_NE(p.state(), livekit::ParticipantInfo::DISCONNECTED);
      }
    }
  }
}

}  // namespace
}  // namespace huddle::server
