// Bad input at the media layer (garbage RTP/RTCP, unknown SSRC, wrong mid, wrong payload type,
// oversized packets) is dropped and counted, and the room carries on. huddle-server runs in this
// process; the publisher is our own client-role WebRtcTransport negotiated over the signal
// connection exactly as a LiveKit client would (AddTrack, offer, answer), so every packet goes
// through the server's real UDP mux, ICE, DTLS-SRTP and media routing.

// Boost 1.74's asio uses std::exchange without including <utility>.
#include <utility>

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
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
namespace beast = boost::beast;
namespace http = beast::http;
using namespace std::chrono_literals;

constexpr std::uint32_t kVideoSsrc = 0x11223344;
constexpr std::uint8_t kVp8Pt = 96;
constexpr std::uint8_t kMidExtId = 1;

class ClientEvents final : public rtc::WebRtcTransport::Listener {
 public:
  void onTransportStateChanged(rtc::WebRtcTransport&, rtc::TransportState s) override { state = s; }
  void onRtpPacket(rtc::WebRtcTransport&, std::span<std::uint8_t> packet) override {
    ++rtpReceived;
    if (packet.size() >= 12) {
      lastSsrc = (std::uint32_t{packet[8]} << 24) | (std::uint32_t{packet[9]} << 16) |
                 (std::uint32_t{packet[10]} << 8) | packet[11];
    }
  }
  void onRtcpPacket(rtc::WebRtcTransport&, std::span<std::uint8_t>) override { ++rtcpReceived; }
  rtc::TransportState state = rtc::TransportState::New;
  int rtpReceived = 0;
  int rtcpReceived = 0;
  std::uint32_t lastSsrc = 0;
};

struct Peer {
  std::unique_ptr<signal::WsSignalClient> ws;
  std::vector<livekit::SignalResponse> responses;
  std::optional<bool> connected;
  ClientEvents events;
  std::unique_ptr<rtc::WebRtcTransport> transport;
  std::string sid;

  const livekit::SignalResponse* find(livekit::SignalResponse::MessageCase kind) const {
    for (const auto& r : responses) {
      if (r.message_case() == kind) return &r;
    }
    return nullptr;
  }
};

// Our client's offer: one sendonly VP8 section (msid track id = the AddTrack cid, mid extension,
// a=ssrc) and a data channel, in one BUNDLE.
std::string publisherOffer(const rtc::TransportParameters& local, const std::string& cid) {
  rtc::SessionDescription d;
  d.origin.sessionId = "1234";
  d.origin.sessionVersion = 1;
  d.msidSemantic = rtc::MsidSemantic{"WMS", {"*"}};
  d.groups.push_back(rtc::SdpGroup{"BUNDLE", {"0", "1"}});
  auto transport = [&](rtc::MediaDescription& m) {
    m.iceUfrag = local.ice.ufrag;
    m.icePwd = local.ice.pwd;
    m.fingerprints.push_back({std::string(rtc::DtlsFingerprint::kAlgorithm), local.fingerprint.hex()});
    m.setup = rtc::SdpSetup::Active;
    m.connection = rtc::SdpConnection{};
  };
  rtc::MediaDescription video;
  video.media = "video";
  video.mid = "0";
  transport(video);
  video.rtcpMux = true;
  video.direction = rtc::MediaDirection::SendOnly;
  video.addCodec(kVp8Pt, "VP8", 90000, std::nullopt, {},
                 {rtc::RtcpFeedback{std::nullopt, "nack", "pli"}});
  video.extMaps.push_back(rtc::ExtMap{kMidExtId, std::nullopt, "urn:ietf:params:rtp-hdrext:sdes:mid", {}});
  video.msids.push_back(rtc::Msid{"stream", cid});
  video.addSsrc(kVideoSsrc, "pubcname", rtc::Msid{"stream", cid});
  d.media.push_back(std::move(video));
  rtc::MediaDescription data;
  data.media = "application";
  data.protocol = "UDP/DTLS/SCTP";
  data.formats = {"webrtc-datachannel"};
  data.mid = "1";
  data.sctpPort = 5000;
  transport(data);
  d.media.push_back(std::move(data));
  return rtc::writeSdp(d);
}

// The client side of a server's SDP: its ICE credentials, fingerprint and host candidate.
std::optional<rtc::TransportParameters> serverParameters(const std::string& sdp) {
  auto parsed = rtc::parseSdp(sdp);
  if (!parsed.ok()) return std::nullopt;
  for (const auto& m : parsed->description.media) {
    if (m.port == 0 || m.candidates.empty()) continue;
    const auto& d = parsed->description;
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
    p.setup = rtc::DtlsSetup::Passive;
    return p;
  }
  return std::nullopt;
}

// A VP8 RTP packet: header, optional one-byte mid extension, payload descriptor and a frame
// (a keyframe carries the start code and dimensions). Leaves room for the SRTP tag.
std::size_t buildRtp(std::array<std::uint8_t, 1500>& b, std::uint8_t pt, std::uint16_t seq,
                     std::uint32_t ts, std::uint32_t ssrc, std::optional<std::string> mid,
                     bool keyframe, std::size_t payloadBytes = 40) {
  std::size_t n = 0;
  b[n++] = mid ? 0x90 : 0x80;
  b[n++] = static_cast<std::uint8_t>(0x80 | pt);  // marker: one packet per frame
  b[n++] = static_cast<std::uint8_t>(seq >> 8);
  b[n++] = static_cast<std::uint8_t>(seq);
  for (int i = 3; i >= 0; --i) b[n++] = static_cast<std::uint8_t>(ts >> (8 * i));
  for (int i = 3; i >= 0; --i) b[n++] = static_cast<std::uint8_t>(ssrc >> (8 * i));
  if (mid) {
    const std::size_t words = (1 + mid->size() + 3) / 4;
    b[n++] = 0xBE;
    b[n++] = 0xDE;
    b[n++] = 0;
    b[n++] = static_cast<std::uint8_t>(words);
    const std::size_t start = n;
    b[n++] = static_cast<std::uint8_t>((kMidExtId << 4) | (mid->size() - 1));
    for (char c : *mid) b[n++] = static_cast<std::uint8_t>(c);
    while (n < start + words * 4) b[n++] = 0;
  }
  b[n++] = 0x10;  // VP8 descriptor: start of partition 0
  if (keyframe) {
    // Frame tag: keyframe, version 0, show_frame, first partition size 10.
    const std::uint32_t tag = (10u << 5) | (1u << 4);
    b[n++] = static_cast<std::uint8_t>(tag);
    b[n++] = static_cast<std::uint8_t>(tag >> 8);
    b[n++] = static_cast<std::uint8_t>(tag >> 16);
    for (std::uint8_t c : {0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00}) b[n++] = c;  // 320x240
  } else {
    const std::uint32_t tag = 1u | (10u << 5) | (1u << 4);
    b[n++] = static_cast<std::uint8_t>(tag);
    b[n++] = static_cast<std::uint8_t>(tag >> 8);
    b[n++] = static_cast<std::uint8_t>(tag >> 16);
  }
  while (n < payloadBytes + 12 && n + 16 < b.size()) b[n++] = 0x5a;
  return n;
}

class MediaBadInput : public ::testing::Test {
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
    video.room = "bad-input";
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

  std::unique_ptr<Peer> join(const std::string& identity) {
    auto p = std::make_unique<Peer>();
    p->ws = std::make_unique<signal::WsSignalClient>(io_);
    Peer* raw = p.get();
    p->ws->onResponse([raw](livekit::SignalResponse r) { raw->responses.push_back(std::move(r)); });
    signal::WsConnectOptions options{.host = "127.0.0.1",
                                     .port = server_->port(),
                                     .target = "/rtc?access_token=" + token(identity) + "&protocol=16&sdk=cpp"};
    p->ws->connect(options, [raw](Result<Ok, signal::WsSignalError> r, const signal::HttpRefusal&) {
      raw->connected = r.ok();
    });
    EXPECT_TRUE(runUntil([raw] { return raw->connected.has_value(); }));
    EXPECT_TRUE(raw->connected.value_or(false));
    EXPECT_TRUE(runUntil([raw] { return raw->find(livekit::SignalResponse::kJoin) != nullptr; }));
    if (const auto* j = raw->find(livekit::SignalResponse::kJoin)) p->sid = j->join().participant().sid();
    return p;
  }

  std::unique_ptr<rtc::WebRtcTransport> newTransport(ClientEvents& events) {
    rtc::WebRtcTransport::Options options;
    options.role = rtc::WebRtcTransportRole::Client;
    options.certificate = cert_;
    auto t = rtc::WebRtcTransport::create(io_, options, events);
    EXPECT_TRUE(t.ok()) << t.message();
    return t.ok() ? std::move(t).value() : nullptr;
  }

  // AddTrack, offer, answer, connect: the publisher transport up with one VP8 publication.
  void publish(Peer& p) {
    livekit::SignalRequest add;
    add.mutable_add_track()->set_cid("cid-video");
    add.mutable_add_track()->set_name("camera");
    add.mutable_add_track()->set_type(livekit::VIDEO);
    add.mutable_add_track()->set_width(320);
    add.mutable_add_track()->set_height(240);
    add.mutable_add_track()->set_source(livekit::TrackSource::CAMERA);
    ASSERT_TRUE(p.ws->send(add));
    ASSERT_TRUE(runUntil([&] { return p.find(livekit::SignalResponse::kTrackPublished) != nullptr; }));
    p.transport = newTransport(p.events);
    ASSERT_TRUE(p.transport);
    livekit::SignalRequest offer;
    offer.mutable_offer()->set_type("offer");
    offer.mutable_offer()->set_sdp(publisherOffer(p.transport->localParameters(), "cid-video"));
    offer.mutable_offer()->set_id(1);
    ASSERT_TRUE(p.ws->send(offer));
    ASSERT_TRUE(runUntil([&] { return p.find(livekit::SignalResponse::kAnswer) != nullptr; }));
    const std::string answerSdp = p.find(livekit::SignalResponse::kAnswer)->answer().sdp();
    auto parsed = rtc::parseSdp(answerSdp);
    ASSERT_TRUE(parsed.ok());
    const auto* video = parsed->description.findMedia("0");
    ASSERT_NE(video, nullptr);
    ASSERT_NE(video->port, 0) << answerSdp;
    ASSERT_EQ(video->formats, (std::vector<std::string>{"96"})) << answerSdp;
    auto remote = serverParameters(answerSdp);
    ASSERT_TRUE(remote.has_value()) << answerSdp;
    p.transport->connect(*remote);
    ASSERT_TRUE(runUntil([&] { return p.events.state == rtc::TransportState::Connected; }))
        << "publisher transport state " << static_cast<int>(p.events.state);
  }

  // GET /metrics on the server, on its own connection (the server runs on its own thread).
  std::map<std::string, double> metrics() {
    std::map<std::string, double> out;
    asio::io_context io;
    beast::tcp_stream stream(io);
    stream.expires_after(5s);
    boost::system::error_code ec;
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->port()), ec);
    if (ec) return out;
    http::request<http::string_body> req{http::verb::get, "/metrics", 11};
    req.set(http::field::host, "127.0.0.1");
    http::write(stream, req, ec);
    if (ec) return out;
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res, ec);
    if (ec) return out;
    std::istringstream lines(res.body());
    std::string line;
    while (std::getline(lines, line)) {
      if (line.empty() || line[0] == '#') continue;
      const auto space = line.rfind(' ');
      if (space == std::string::npos) continue;
      try {
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
      } catch (...) {
      }
    }
    return out;
  }

  double metric(const std::string& name) {
    auto m = metrics();
    auto it = m.find(name);
    return it == m.end() ? -1 : it->second;
  }

  // Polls /metrics while the client io runs, until `name` exceeds `above`.
  bool metricRises(const std::string& name, double above, std::chrono::milliseconds bound = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + bound;
    while (std::chrono::steady_clock::now() < deadline) {
      if (metric(name) > above) return true;
      runUntil([] { return false; }, 20ms);
    }
    return false;
  }

  bool sendRtp(Peer& p, std::uint8_t pt, std::uint32_t ssrc, std::optional<std::string> mid,
               bool keyframe = false, std::size_t payload = 40) {
    std::array<std::uint8_t, 1500> b{};
    const std::size_t n = buildRtp(b, pt, seq_, ts_, ssrc, std::move(mid), keyframe, payload);
    ++seq_;
    ts_ += 3000;
    return p.transport->sendRtp(b, n);
  }

  asio::io_context io_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::shared_ptr<const rtc::DtlsCertificate> cert_;
  std::unique_ptr<Peer> publisher_;
  std::unique_ptr<Peer> subscriber_;
  std::uint16_t seq_ = 100;
  std::uint32_t ts_ = 90000;
};

TEST_F(MediaBadInput, GarbageIsCountedAndDroppedWhileValidMediaFlows) {
  publisher_ = join("publisher");
  ASSERT_NO_FATAL_FAILURE(publish(*publisher_));

  const std::string kUnparsed = "huddle_media_rtp_unparsed";
  const std::string kUnknown = "huddle_media_rtp_unknown_stream";
  const std::string kRtcpBad = "huddle_media_rtcp_malformed";
  ASSERT_EQ(metric(kUnparsed), 0);
  ASSERT_EQ(metric(kUnknown), 0);
  ASSERT_EQ(metric(kRtcpBad), 0);

  // Valid media first: a keyframe then delta frames on the signalled SSRC, nothing counted.
  ASSERT_TRUE(sendRtp(*publisher_, kVp8Pt, kVideoSsrc, "0", true));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(sendRtp(*publisher_, kVp8Pt, kVideoSsrc, "0"));

  // Decrypts, but the padding bit claims a zero-length padding: not RTP.
  {
    std::array<std::uint8_t, 1500> b{};
    std::size_t n = buildRtp(b, kVp8Pt, seq_++, ts_, kVideoSsrc, std::nullopt, false);
    b[0] |= 0x20;
    b[n - 1] = 0;
    ASSERT_TRUE(publisher_->transport->sendRtp(b, n));
  }
  ASSERT_TRUE(metricRises(kUnparsed, 0)) << "garbage RTP not counted";
  // The valid packets before it were routed, not counted as unknown.
  EXPECT_EQ(metric(kUnknown), 0);

  // Unknown SSRC without a mid: nowhere to route it.
  ASSERT_TRUE(sendRtp(*publisher_, kVp8Pt, 0x0badf00d, std::nullopt));
  ASSERT_TRUE(metricRises(kUnknown, 0));
  // Unknown SSRC with a mid no section has.
  ASSERT_TRUE(sendRtp(*publisher_, kVp8Pt, 0x0badf00e, "7"));
  ASSERT_TRUE(metricRises(kUnknown, 1));
  // The known SSRC with a payload type that was not negotiated.
  ASSERT_TRUE(sendRtp(*publisher_, 100, kVideoSsrc, "0"));
  ASSERT_TRUE(metricRises(kUnknown, 2));
  // A maximum-size datagram for a stream we do not know: dropped like any unknown one.
  ASSERT_TRUE(sendRtp(*publisher_, kVp8Pt, 0x0badf00f, std::nullopt, false, 1500 - 12 - 16 - 1));
  ASSERT_TRUE(metricRises(kUnknown, 3));

  // RTCP whose length field runs past the end of the compound.
  {
    std::array<std::uint8_t, 64> b{};
    const std::uint8_t rr[] = {0x81, 201, 0x00, 0x40,  // RR, length 64 words: far too long
                               0x11, 0x22, 0x33, 0x44, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0,
                               0,    0,    0,    0,    0,    0,    0,    0,    0, 0, 0, 0,
                               0,    0,    0,    0};
    std::copy(std::begin(rr), std::end(rr), b.begin());
    if (publisher_->transport->sendRtcp(b, sizeof rr)) {
      // RTCP on the publisher's own transport is read too: the broken compound is counted.
      EXPECT_TRUE(metricRises(kRtcpBad, 0, 5s)) << "malformed RTCP was not counted";
    } else {
      ADD_FAILURE() << "our transport refused to protect the malformed RTCP";
    }
  }

  // Nothing above was counted twice or in the wrong place.
  EXPECT_EQ(metric(kUnparsed), 1);
  EXPECT_EQ(metric(kUnknown), 4);

  // Valid media still goes through: sent, then a marker garbage packet, and no new unknowns.
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(sendRtp(*publisher_, kVp8Pt, kVideoSsrc, "0"));
  {
    std::array<std::uint8_t, 1500> b{};
    std::size_t n = buildRtp(b, kVp8Pt, seq_++, ts_, kVideoSsrc, std::nullopt, false);
    b[0] |= 0x20;
    b[n - 1] = 0;
    ASSERT_TRUE(publisher_->transport->sendRtp(b, n));
  }
  ASSERT_TRUE(metricRises(kUnparsed, 1));
  EXPECT_EQ(metric(kUnknown), 4);
  EXPECT_EQ(publisher_->events.state, rtc::TransportState::Connected);

  // The server still takes a new participant, who sees the publisher and its track.
  auto late = join("late");
  ASSERT_TRUE(late->find(livekit::SignalResponse::kJoin) != nullptr);
  const auto& others = late->find(livekit::SignalResponse::kJoin)->join().other_participants();
  ASSERT_EQ(others.size(), 1);
  EXPECT_EQ(others[0].identity(), "publisher");
  EXPECT_EQ(others[0].tracks_size(), 1);
}

}  // namespace
}  // namespace huddle::server
