// Two PeerSessions against an in-process huddle-server over /rtc/v1 (single peer connection):
// both join with their first offer inside the JoinRequest, A publishes VP8 (AddTrack, then a new
// offer), B receives A's RTP on the mid the server maps to A's TR_ sid, user data goes both ways
// over `_reliable`, and an ICE restart on B keeps media flowing. The signalling glue (join URL,
// offers, answers, media_sections_requirement) is written here; the room layer is not under test.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/access_token.h"
#include "client/peer/peer_session.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_pli.h"
#include "rtc/rtp/rtcp_report.h"
#include "server/server.h"
#include "signal/join_params.h"
#include "signal/ws_signal_client.h"

namespace huddle::client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

struct Received {
  std::string mid;
  std::string trackSid;
  std::uint32_t ssrc = 0;
  std::uint8_t payloadType = 0;
};

class Client final : public PeerSession::Listener {
 public:
  void onConnectionStateChanged(PeerSession&, rtc::TransportState s) override { state = s; }
  void onRemoteTrackRtp(PeerSession&, std::string_view mid, std::string_view trackSid,
                        std::span<std::uint8_t> packet) override {
    Received r{std::string(mid), std::string(trackSid), 0, static_cast<std::uint8_t>(packet[1] & 0x7F)};
    r.ssrc = (std::uint32_t{packet[8]} << 24) | (std::uint32_t{packet[9]} << 16) |
             (std::uint32_t{packet[10]} << 8) | packet[11];
    received.push_back(std::move(r));
  }
  void onSendFeedback(PeerSession&, const SendFeedback& f) override {
    if (f.type == SendFeedbackType::Pli || f.type == SendFeedbackType::Fir) {
      ++keyframeRequests;
      keyframeRequestMid = std::string(f.mid);
      keyframeRequestSsrc = f.mediaSsrc;
    }
    ++feedback;
  }
  void onReport(PeerSession&, const rtc::RtcpSenderReport*, const rtc::RtcpReceiverReport* rr) override {
    if (rr == nullptr) return;
    for (const auto& block : rr->reports.blocks()) reportedSsrcs.push_back(block.ssrc);
  }
  void onDataChannelOpen(PeerSession&, std::string_view label) override { opened.emplace_back(label); }
  void onDataMessage(PeerSession&, std::string_view label, std::span<const std::uint8_t> data) override {
    livekit::DataPacket packet;
    if (label == kReliableLabel && packet.ParseFromArray(data.data(), static_cast<int>(data.size()))) {
      dataPackets.push_back(std::move(packet));
    }
  }

  rtc::TransportState state = rtc::TransportState::New;
  std::vector<Received> received;
  std::vector<std::string> opened;
  std::vector<livekit::DataPacket> dataPackets;
  int keyframeRequests = 0;
  std::string keyframeRequestMid;
  std::uint32_t keyframeRequestSsrc = 0;
  std::vector<std::uint32_t> reportedSsrcs;  // report blocks of receiver reports about us
  int feedback = 0;

  std::unique_ptr<PeerSession> peer;  // v1: the only one; v0: the publisher connection
  std::unique_ptr<PeerSession> sub;   // v0: the subscriber connection the server offers
  std::unique_ptr<signal::WsSignalClient> ws;
  std::vector<std::unique_ptr<signal::WsSignalClient>> retired;  // closed, kept until the end
  std::vector<livekit::SignalResponse> responses;
  std::optional<bool> connected;
  std::string sid;
  std::uint32_t offerId = 0;
  std::size_t handled = 0;  // responses already acted on by pump()

  const livekit::SignalResponse* last(livekit::SignalResponse::MessageCase kind) const {
    for (auto it = responses.rbegin(); it != responses.rend(); ++it) {
      if (it->message_case() == kind) return &*it;
    }
    return nullptr;
  }
  std::size_t count(livekit::SignalResponse::MessageCase kind) const {
    std::size_t n = 0;
    for (const auto& r : responses) n += r.message_case() == kind ? 1 : 0;
    return n;
  }
};

class PeerSessionServer : public ::testing::Test {
 protected:
  void SetUp() override {
    server::ServerConfig config;
    config.port = 0;
    config.bindAddresses = {"127.0.0.1"};
    config.development = true;
    config.logLevel = "error";
    config.keys = {{"devkey", "secret"}};
    config.rtc.udpPort = 0;
    config.rtc.tcpPort = 0;
    ASSERT_TRUE(config.keyProvider.add("devkey", "secret", auth::KeyPolicy{true}).ok());
    auto created = server::Server::create(std::move(config));
    ASSERT_TRUE(created.ok()) << created.message();
    server_ = std::move(*created);
    thread_ = std::thread([this] { server_->run(false); });
    auto cert = rtc::DtlsCertificate::generate();
    ASSERT_TRUE(cert.ok());
    cert_ = std::move(cert).value();
  }

  void TearDown() override {
    for (auto* c : {&a_, &b_}) {
      if (c->peer) c->peer->close();
      if (c->sub) c->sub->close();
    }
    runUntil([] { return false; }, 100ms);  // lets the closes go out; not a synchronisation
    for (auto* c : {&a_, &b_}) {
      if ((*c).ws) (*c).ws->close();
    }
    runUntil([] { return false; }, 20ms);
    if (server_) server_->shutdown();
    if (thread_.joinable()) thread_.join();
  }

  std::string token(const std::string& identity) {
    auth::ClaimGrants grants;
    grants.identity = identity;
    auth::VideoGrant video;
    video.roomJoin = true;
    video.room = "peer-session";
    grants.video = video;
    auth::KeyProvider keys;
    EXPECT_TRUE(keys.add("devkey", "secret", auth::KeyPolicy{true}).ok());
    auto minted = auth::mintToken(grants, auth::MintOptions{.apiKey = "devkey"}, *keys.find("devkey"));
    return minted.ok() ? *minted : std::string();
  }

  // Runs the client io and acts on signal messages (answers, renegotiation requests) between
  // slices, until `done` or the bound.
  bool runUntil(const std::function<bool()>& done, std::chrono::milliseconds bound = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      io_.restart();
      io_.run_for(5ms);
      pump(a_);
      pump(b_);
    }
    return true;
  }

  void sendOffer(Client& c) {
    auto offer = c.peer->createOffer();
    ASSERT_TRUE(offer.ok()) << offer.message();
    livekit::SignalRequest r;
    r.mutable_offer()->set_type("offer");
    r.mutable_offer()->set_sdp(*offer);
    r.mutable_offer()->set_id(++c.offerId);
    ASSERT_TRUE(c.ws->send(r));
  }

  void pump(Client& c) {
    while (c.handled < c.responses.size()) {
      const livekit::SignalResponse& r = c.responses[c.handled++];
      if (r.has_answer()) {
        if (r.answer().id() != c.offerId) continue;  // an answer to an offer we replaced
        std::map<std::string, std::string> midToTrack(r.answer().mid_to_track_id().begin(),
                                                      r.answer().mid_to_track_id().end());
        auto applied = c.peer->applyAnswer(r.answer().sdp(), midToTrack);
        EXPECT_TRUE(applied.ok()) << applied.message() << "\n" << r.answer().sdp();
      } else if (r.has_offer() && c.sub) {
        auto answer = c.sub->applyRemoteOffer(r.offer().sdp());
        EXPECT_TRUE(answer.ok()) << answer.message() << "\n" << r.offer().sdp();
        if (!answer.ok()) continue;
        livekit::SignalRequest reply;
        reply.mutable_answer()->set_type("answer");
        reply.mutable_answer()->set_sdp(*answer);
        reply.mutable_answer()->set_id(r.offer().id());
        EXPECT_TRUE(c.ws->send(reply));
      } else if (r.has_media_sections_requirement()) {
        c.peer->addRecvTransceivers(r.media_sections_requirement().num_audios(),
                                    r.media_sections_requirement().num_videos());
        sendOffer(c);
      }
    }
  }

  // /rtc/v1 with the first offer (data section and 3+3 receive slots) inside the JoinRequest.
  void join(Client& c, const std::string& identity) {
    PeerSession::Options options;
    options.certificate = cert_;
    auto peer = PeerSession::create(io_, options, c);
    ASSERT_TRUE(peer.ok()) << peer.message();
    c.peer = std::move(peer).value();
    c.peer->addRecvTransceivers(3, 3);
    auto offer = c.peer->createOffer();
    ASSERT_TRUE(offer.ok());
    signal::JoinParams params;
    params.accessToken = token(identity);
    params.clientInfo.set_sdk(livekit::ClientInfo::CPP);
    params.clientInfo.set_protocol(16);
    livekit::SessionDescription first;
    first.set_type("offer");
    first.set_sdp(*offer);
    first.set_id(++c.offerId);
    params.publisherOffer = first;
    c.ws = std::make_unique<signal::WsSignalClient>(io_);
    Client* raw = &c;
    c.ws->onResponse([raw](livekit::SignalResponse r) { raw->responses.push_back(std::move(r)); });
    signal::WsConnectOptions ws{.host = "127.0.0.1",
                                .port = server_->port(),
                                .target = "/rtc/v1?" + signal::buildV1Query(params, true)};
    c.ws->connect(ws, [raw](Result<Ok, signal::WsSignalError> r, const signal::HttpRefusal&) {
      raw->connected = r.ok();
    });
    ASSERT_TRUE(runUntil([raw] { return raw->connected.has_value(); }));
    ASSERT_TRUE(c.connected.value_or(false));
    ASSERT_TRUE(runUntil([raw] { return raw->last(livekit::SignalResponse::kJoin) != nullptr; }));
    c.sid = c.last(livekit::SignalResponse::kJoin)->join().participant().sid();
    ASSERT_TRUE(runUntil([raw] { return raw->peer->state() == rtc::TransportState::Connected; }))
        << identity << " never connected, state " << rtc::toString(c.peer->state());
    ASSERT_TRUE(runUntil([raw] {
      return raw->peer->dataChannelOpen(kReliableLabel) && raw->peer->dataChannelOpen(kLossyLabel);
    })) << identity << ": data channels not open";
  }

  // /rtc (classic): the server offers the subscriber connection at once; the publisher
  // connection starts with its data section only, as livekit-client does with fast_publish.
  // With `resumeSid`: a resume of that participant on the existing connections.
  void joinV0(Client& c, const std::string& identity, const std::string& resumeSid = {}) {
    if (!c.peer) {
      PeerSession::Options options;
      options.certificate = cert_;
      auto peer = PeerSession::create(io_, options, c);
      ASSERT_TRUE(peer.ok()) << peer.message();
      c.peer = std::move(peer).value();
      options.role = PeerSession::Role::Subscriber;
      auto sub = PeerSession::create(io_, options, c);
      ASSERT_TRUE(sub.ok()) << sub.message();
      c.sub = std::move(sub).value();
    }
    if (c.ws) c.retired.push_back(std::move(c.ws));
    c.ws = std::make_unique<signal::WsSignalClient>(io_);
    c.responses.clear();
    c.handled = 0;
    c.connected.reset();
    Client* raw = &c;
    c.ws->onResponse([raw](livekit::SignalResponse r) { raw->responses.push_back(std::move(r)); });
    std::string target = "/rtc?access_token=" + token(identity) + "&protocol=16&sdk=cpp&auto_subscribe=1";
    if (!resumeSid.empty()) target += "&reconnect=1&sid=" + resumeSid + "&reconnect_reason=1";
    c.ws->connect(signal::WsConnectOptions{.host = "127.0.0.1", .port = server_->port(), .target = target},
                  [raw](Result<Ok, signal::WsSignalError> r, const signal::HttpRefusal&) {
                    raw->connected = r.ok();
                  });
    ASSERT_TRUE(runUntil([raw] { return raw->connected.has_value(); }));
    ASSERT_TRUE(c.connected.value_or(false));
    const auto first = resumeSid.empty() ? livekit::SignalResponse::kJoin : livekit::SignalResponse::kReconnect;
    ASSERT_TRUE(runUntil([raw] { return !raw->responses.empty(); }));
    ASSERT_EQ(c.responses.front().message_case(), first) << c.responses.front().DebugString();
    if (!resumeSid.empty()) return;
    c.sid = c.responses.front().join().participant().sid();
    ASSERT_TRUE(runUntil([raw] { return raw->sub->state() == rtc::TransportState::Connected; }))
        << identity << ": subscriber connection state " << rtc::toString(c.sub->state());
    ASSERT_TRUE(runUntil([raw] { return raw->sub->dataChannelOpen(kReliableLabel); }))
        << identity << ": the server's _reliable channel was not adopted";
    sendOffer(c);
    ASSERT_TRUE(runUntil([raw] {
      return raw->peer->state() == rtc::TransportState::Connected && raw->peer->dataChannelOpen(kReliableLabel);
    })) << identity << ": publisher connection state " << rtc::toString(c.peer->state());
  }

  // AddTrack, track_published, then the send section and a new offer.
  std::string publishVideo(Client& c, std::string& trackSid, std::vector<std::string> rids = {}) {
    livekit::SignalRequest add;
    add.mutable_add_track()->set_cid("cid-cam");
    add.mutable_add_track()->set_name("camera");
    add.mutable_add_track()->set_type(livekit::VIDEO);
    add.mutable_add_track()->set_width(320);
    add.mutable_add_track()->set_height(240);
    add.mutable_add_track()->set_source(livekit::TrackSource::CAMERA);
    for (std::size_t i = 0; i < rids.size(); ++i) {
      auto* layer = add.mutable_add_track()->add_layers();
      layer->set_quality(static_cast<livekit::VideoQuality>(i));
      layer->set_width(static_cast<std::uint32_t>(80 << i));
      layer->set_height(static_cast<std::uint32_t>(60 << i));
    }
    EXPECT_TRUE(c.ws->send(add));
    EXPECT_TRUE(runUntil([&] { return c.last(livekit::SignalResponse::kTrackPublished) != nullptr; }));
    const auto* published = c.last(livekit::SignalResponse::kTrackPublished);
    if (published == nullptr) return {};
    trackSid = published->track_published().track().sid();
    auto mid = c.peer->addSendTrack(SendTrackSpec{SectionKind::Video, "cid-cam", "stream-a", rids, {}});
    EXPECT_TRUE(mid.ok());
      sendOffer(c);
    EXPECT_TRUE(runUntil([&] {
      const SendStreamParams* p = c.peer->sendParams(*mid);
      return p != nullptr && p->negotiated;
    })) << "send section not negotiated";
    return mid.ok() ? *mid : std::string();
  }

  // A VP8 packet through writeRtpHeader: descriptor, frame tag (keyframe with start code and
  // 320x240) and filler. The session stamps SSRC and payload type.
  bool sendVideo(Client& c, const std::string& mid, bool keyframe, std::size_t layer = 0) {
    const SendStreamParams* p = c.peer->sendParams(mid, layer);
    if (p == nullptr) return false;
    std::array<std::uint8_t, 1500> b{};
    std::size_t n = writeRtpHeader(*p, SectionRtpHeader{seqs_[layer]++, ts_, true}, b);
    if (layer == 0) ts_ += 3000;
    if (n == 0) return false;
    b[n++] = 0x10;  // VP8 descriptor: start of partition 0
    const std::uint32_t tag = (keyframe ? 0u : 1u) | (10u << 5) | (1u << 4);
    b[n++] = static_cast<std::uint8_t>(tag);
    b[n++] = static_cast<std::uint8_t>(tag >> 8);
    b[n++] = static_cast<std::uint8_t>(tag >> 16);
    if (keyframe) {
      for (std::uint8_t v : {0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}) b[n++] = v;
    }
    for (int i = 0; i < 40; ++i) b[n++] = 0x5a;
    return c.peer->sendRtp(mid, layer, b, n);
  }

  // Sends frames (a keyframe first and whenever asked) until B has `more` new packets from A.
  bool mediaReaches(Client& from, const std::string& mid, Client& to, std::size_t more,
                    std::size_t layers = 1, std::size_t firstLayer = 0) {
    const std::size_t target = to.received.size() + more;
    int requests = from.keyframeRequests;
    bool first = true;
    return runUntil([&] {
      const bool key = first || from.keyframeRequests != requests;
      first = false;
      requests = from.keyframeRequests;
      for (std::size_t l = firstLayer; l < layers; ++l) EXPECT_TRUE(sendVideo(from, mid, key, l));
      return to.received.size() >= target;
    });
  }

  bool sendUserData(Client& c, const std::string& text) {
    livekit::DataPacket packet;
    packet.set_kind(livekit::DataPacket::RELIABLE);
    packet.mutable_user()->set_payload(text);
    const std::string bytes = packet.SerializeAsString();
    return c.peer->sendData(DataChannelKind::Reliable, std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
  }

  asio::io_context io_;
  std::unique_ptr<server::Server> server_;
  std::thread thread_;
  std::shared_ptr<const rtc::DtlsCertificate> cert_;
  Client a_;
  Client b_;
  std::array<std::uint16_t, 3> seqs_{1000, 2000, 3000};
  std::uint32_t ts_ = 90000;
};

TEST_F(PeerSessionServer, V1PublishSubscribeDataAndIceRestart) {
  ASSERT_NO_FATAL_FAILURE(join(a_, "alice"));
  ASSERT_NO_FATAL_FAILURE(join(b_, "bob"));

  std::string trackSid;
  const std::string mid = publishVideo(a_, trackSid);
  ASSERT_FALSE(mid.empty());
  ASSERT_TRUE(trackSid.starts_with("TR_")) << trackSid;
  const SendStreamParams* p = a_.peer->sendParams(mid);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->payloadType, kVp8PayloadType);
  EXPECT_EQ(p->midExtensionId, kExtIdMid) << "the server keeps our extension ids";

  // B gets A's packets on the section the server mapped to A's track, with B's numbering.
  ASSERT_TRUE(mediaReaches(a_, mid, b_, 5)) << "no media at B; A stats sendRefused="
                                            << a_.peer->stats().sendRefused
                                            << " B unknown=" << b_.peer->stats().rtpUnknownStream;
  const Received got = b_.received.back();  // a copy: received grows below
  EXPECT_EQ(got.trackSid, trackSid);
  EXPECT_EQ(b_.peer->trackSidOf(got.mid), trackSid);
  EXPECT_EQ(got.payloadType, kVp8PayloadType);
  EXPECT_NE(got.ssrc, p->ssrc) << "the server sends on its own SSRC";
  for (const auto& r : b_.received) EXPECT_EQ(r.mid, got.mid);
  // The server may forward before its answer has crossed the WebSocket: those first packets are
  // dropped as unknown. Once B knows the section, nothing more is.
  const auto unknownAfterAnswer = b_.peer->stats().rtpUnknownStream;
  ASSERT_TRUE(mediaReaches(a_, mid, b_, 5));
  EXPECT_EQ(b_.peer->stats().rtpUnknownStream, unknownAfterAnswer);

  // B asks for a keyframe on the SSRC it receives; the server asks A, and A's session names the
  // section and SSRC the request is about.
  const int requestsBefore = a_.keyframeRequests;
  ASSERT_TRUE(runUntil([&] {
    std::array<std::uint8_t, 64> pli{};
    const std::size_t n = rtc::RtcpPli{0x5eed, got.ssrc}.build(pli);
    EXPECT_GT(n, 0u);
    b_.peer->sendRtcp(pli, n);
    sendVideo(a_, mid, false);
    return a_.keyframeRequests > requestsBefore;
  })) << "no PLI reached A";
  EXPECT_EQ(a_.keyframeRequestMid, mid);
  EXPECT_EQ(a_.keyframeRequestSsrc, p->ssrc);
  // The server reports on what it receives from A, about A's SSRC (about once a second).
  ASSERT_TRUE(runUntil([&] {
    sendVideo(a_, mid, false);
    return !a_.reportedSsrcs.empty();
  })) << "no receiver report reached A";
  EXPECT_EQ(a_.reportedSsrcs.front(), p->ssrc);
  EXPECT_EQ(a_.peer->stats().rtcpMalformed, 0u);

  // User data both ways through the server's relay.
  ASSERT_TRUE(sendUserData(a_, "hello from alice"));
  ASSERT_TRUE(runUntil([&] { return !b_.dataPackets.empty(); })) << "B got no data";
  EXPECT_EQ(b_.dataPackets.back().user().payload(), "hello from alice");
  EXPECT_EQ(b_.dataPackets.back().participant_identity(), "alice");
  ASSERT_TRUE(sendUserData(b_, "hi alice"));
  ASSERT_TRUE(runUntil([&] { return !a_.dataPackets.empty(); })) << "A got no data";
  EXPECT_EQ(a_.dataPackets.back().user().payload(), "hi alice");
  EXPECT_EQ(a_.dataPackets.back().participant_identity(), "bob");

  // ICE restart on B: new credentials in the next offer, new server credentials in the answer,
  // media keeps arriving on the same section.
  const auto restartsBefore = b_.peer->transport()->stats().iceRestartsCompleted;
  b_.peer->restartIce();
  const std::size_t answers = b_.count(livekit::SignalResponse::kAnswer);
  sendOffer(b_);
  ASSERT_TRUE(runUntil([&] { return b_.count(livekit::SignalResponse::kAnswer) > answers; }));
  ASSERT_TRUE(runUntil([&] {
    sendVideo(a_, mid, false);
    return b_.peer->transport()->stats().iceRestartsCompleted > restartsBefore;
  })) << "B's ICE restart did not complete";
  EXPECT_EQ(b_.peer->state(), rtc::TransportState::Connected);
  ASSERT_TRUE(mediaReaches(a_, mid, b_, 5)) << "no media after B's ICE restart";
  EXPECT_EQ(b_.received.back().trackSid, trackSid);
  EXPECT_EQ(b_.peer->stats().descriptionsRejected, 0u);
}

TEST_F(PeerSessionServer, V0SubscriberConnectionReceivesAdoptsChannelsAndRestartsIceOnResume) {
  ASSERT_NO_FATAL_FAILURE(joinV0(a_, "alice"));
  ASSERT_NO_FATAL_FAILURE(joinV0(b_, "bob"));

  std::string trackSid;
  const std::string mid = publishVideo(a_, trackSid);
  ASSERT_FALSE(mid.empty());
  // The server offers B a section for A's track; its msid names the TR_ sid.
  ASSERT_TRUE(mediaReaches(a_, mid, b_, 5)) << "no media at B; B unknown=" << b_.sub->stats().rtpUnknownStream;
  EXPECT_EQ(b_.received.back().trackSid, trackSid);
  const auto unknownAfterAnswer = b_.sub->stats().rtpUnknownStream;  // see the v1 test
  ASSERT_TRUE(mediaReaches(a_, mid, b_, 5));
  EXPECT_EQ(b_.sub->stats().rtpUnknownStream, unknownAfterAnswer);
  EXPECT_EQ(b_.peer->stats().rtpDelivered, 0u) << "v0 media arrives on the subscriber connection";

  // A sends on its publisher channel; B reads it on the channel the server opened.
  ASSERT_TRUE(sendUserData(a_, "classic"));
  ASSERT_TRUE(runUntil([&] { return !b_.dataPackets.empty(); }));
  EXPECT_EQ(b_.dataPackets.back().user().payload(), "classic");

  // B's signal connection drops and resumes: the server restarts ICE with a new offer; our
  // answer carries new credentials and media keeps arriving on the same transport.
  const auto restartsBefore = b_.sub->transport()->stats().iceRestartsCompleted;
  b_.ws->close();
  ASSERT_NO_FATAL_FAILURE(joinV0(b_, "bob", b_.sid));
  ASSERT_TRUE(runUntil([&] {
    sendVideo(a_, mid, false);
    return b_.sub->transport()->stats().iceRestartsCompleted > restartsBefore;
  })) << "the server's ICE restart did not complete";
  ASSERT_TRUE(mediaReaches(a_, mid, b_, 5)) << "no media after the resume";
  EXPECT_EQ(b_.received.back().trackSid, trackSid);
  EXPECT_EQ(b_.sub->stats().descriptionsRejected, 0u);
}

TEST_F(PeerSessionServer, V1RidSimulcastPublishReachesTheSubscriber) {
  ASSERT_NO_FATAL_FAILURE(join(a_, "alice"));
  ASSERT_NO_FATAL_FAILURE(join(b_, "bob"));
  std::string trackSid;
  const std::string mid = publishVideo(a_, trackSid, {"q", "h", "f"});
  ASSERT_FALSE(mid.empty());
  for (std::size_t layer = 0; layer < 3; ++layer) {
    const SendStreamParams* p = a_.peer->sendParams(mid, layer);
    ASSERT_NE(p, nullptr);
    ASSERT_TRUE(p->negotiated);
    EXPECT_EQ(p->ridExtensionId, kExtIdRid) << "the server keeps the rid extension for simulcast";
    EXPECT_EQ(p->midExtensionId, kExtIdMid);
  }
  EXPECT_EQ(a_.peer->sendParams(mid, 2)->rid, "f");
  // Only h and f are sent: with rids only the first layer's SSRC is in the offer, so the
  // server can place these packets by their rid extension alone.
  ASSERT_TRUE(mediaReaches(a_, mid, b_, 5, 3, 1)) << "no simulcast media at B";
  EXPECT_EQ(b_.received.back().trackSid, trackSid);
  const std::uint32_t ssrc = b_.received.back().ssrc;
  for (std::size_t layer = 0; layer < 3; ++layer) EXPECT_NE(ssrc, a_.peer->sendParams(mid, layer)->ssrc);
}

}  // namespace
}  // namespace huddle::client
