// rtc_browser_echo: the C++ end of the Chromium interop test (test binary, not product code).
//
// It answers one browser offer with a server-role WebRtcTransport behind a UdpMux on
// 127.0.0.1, then echoes: every decrypted RTP packet goes back on its own m-line with the
// SSRC we announced, picture-loss feedback for our echoed video is turned into feedback for the
// browser's own sender, and every data channel message returns on its channel.
//
// Signaling is one JSON object per line on stdin/stdout (logs go to stderr):
//   in  {"type":"offer","sdp":"..."}  -> out {"type":"answer","sdp":"..."} or {"type":"error"}
//   in  {"type":"stats"}              -> out {"type":"stats", counters...}
//   in  {"type":"quit"} or EOF        -> orderly close, exit 0
// A lifetime bound (--lifetime-ms) makes the process exit by itself if the driver vanishes;
// --log-level debug shows the transport's ICE and DTLS steps.

#include <arpa/inet.h>
#include <unistd.h>

#include <utility>

#include <boost/asio.hpp>
#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <string>
#include <string_view>
#include <vector>

#include "common/log.h"
#include "common/random.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/rtp/packet_class.h"
#include "rtc/rtp/rtcp_feedback.h"
#include "rtc/rtp/rtcp_fir.h"
#include "rtc/rtp/rtcp_nack.h"
#include "rtc/rtp/rtcp_packet.h"
#include "rtc/rtp/rtcp_pli.h"
#include "rtc/rtp/rtp_packet.h"
#include "rtc/sdp/session_description.h"
#include "rtc/transport/udp_mux.h"
#include "rtc/transport/webrtc_transport.h"

namespace huddle::rtc::interop {
namespace {

namespace asio = boost::asio;
using json = nlohmann::json;

constexpr std::string_view kStreamId = "huddle-echo";
constexpr std::string_view kCname = "huddle-echo";
// Room for the largest UDP payload plus the SRTP tag the transport appends in place.
constexpr std::size_t kPacketBuffer = 1500 + 64;

std::string ipText(const StunAddress& address) {
  char text[INET6_ADDRSTRLEN] = {};
  const int af = address.family == StunAddressFamily::IPv4 ? AF_INET : AF_INET6;
  if (inet_ntop(af, address.addr.data(), text, sizeof text) == nullptr) return {};
  return text;
}

std::uint32_t randomSsrc() {
  std::uint32_t value = 0;
  while (value == 0) {
    std::array<std::uint8_t, 4> bytes{};
    fillRandom(bytes);
    value = (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) |
            (std::uint32_t{bytes[2]} << 8) | bytes[3];
  }
  return value;
}

// One answered RTP m-line and what crossed it.
struct EchoSection {
  MediaKind kind = MediaKind::Audio;
  std::string mid;
  std::uint32_t localSsrc = 0;                  // announced in the answer, used for the echo
  std::optional<std::uint32_t> remoteSsrc;      // the browser's sender, learnt from its RTP
  std::map<std::uint8_t, std::uint8_t> ptMap;   // offered payload type -> answered one
  std::uint64_t rtpReceived = 0;
  std::uint64_t rtpEchoed = 0;
  std::uint64_t rtpEchoFailed = 0;
  std::uint64_t unknownPayloadType = 0;
};

class EchoEndpoint final : public WebRtcTransport::Listener {
 public:
  EchoEndpoint(asio::io_context& io, UdpMux& mux, std::shared_ptr<const DtlsCertificate> cert)
      : io_(io), mux_(mux), certificate_(std::move(cert)) {}

  // Answer text, or an error message.
  std::pair<std::optional<std::string>, std::string> answer(std::string_view offerText) {
    if (transport_) return {std::nullopt, "offer already answered"};
    auto parsed = parseSdp(offerText);
    if (!parsed) return {std::nullopt, "offer does not parse: " + parsed.message()};
    const SessionDescription& offer = parsed.value().description;
    for (const auto& w : parsed.value().warnings) HUDDLE_LOG_WARN(interop, "offer sdp: {}", w);
    sdpWarnings_ = parsed.value().warningCount;

    WebRtcTransport::Options options;
    options.role = WebRtcTransportRole::Server;
    options.certificate = certificate_;
    options.mux = &mux_;
    auto transport = WebRtcTransport::create(io_, options, *this);
    if (!transport) return {std::nullopt, "transport: " + transport.message()};
    transport_ = std::move(transport).value();

    if (offer.media.empty()) return {std::nullopt, "offer has no m-line"};
    const MediaDescription& first = offer.media.front();
    const auto ufrag = offer.iceUfragFor(first);
    const auto pwd = offer.icePwdFor(first);
    std::optional<DtlsFingerprint> fingerprint;
    for (const auto& fp : offer.fingerprintsFor(first)) {
      if (!fingerprint) fingerprint = DtlsFingerprint::parse(fp.algorithm + ' ' + fp.value);
    }
    if (!ufrag || !pwd || !fingerprint) {
      return {std::nullopt, "offer lacks ice-ufrag, ice-pwd or a sha-256 fingerprint"};
    }

    const TransportParameters local = transport_->localParameters();
    SessionDescription out;
    out.origin.sessionId = std::to_string(randomSsrc());
    out.origin.sessionVersion = 2;
    out.iceLite = local.iceLite;
    out.msidSemantic = MsidSemantic{"WMS", {std::string(kStreamId)}};
    SdpGroup bundle{"BUNDLE", {}};

    for (const MediaDescription& o : offer.media) {
      MediaDescription m;
      m.media = o.media;
      m.protocol = o.protocol;
      m.mid = o.mid;
      const bool accepted = o.mid.has_value() && o.port != 0 && fillSection(o, m);
      if (!accepted) {
        // Rejected section (RFC 8843 7.3): port 0, the offered formats, nothing else.
        m.port = 0;
        m.formats = o.formats;
        m.direction = MediaDirection::Inactive;
        out.media.push_back(std::move(m));
        continue;
      }
      bundle.mids.push_back(*o.mid);
      m.port = local.candidates.front().address.port;
      m.connection = SdpConnection{"IN", "IP4", ipText(local.candidates.front().address)};
      m.iceUfrag = local.ice.ufrag;
      m.icePwd = local.ice.pwd;
      m.fingerprints.push_back({std::string(DtlsFingerprint::kAlgorithm), local.fingerprint.hex()});
      m.setup = local.setup == DtlsSetup::Active ? SdpSetup::Active : SdpSetup::Passive;
      for (std::size_t i = 0; i < local.candidates.size(); ++i) {
        IceCandidate c;
        c.foundation = std::to_string(i + 1);
        c.component = 1;
        c.transport = CandidateTransport::Udp;
        if (local.candidates[i].protocol == IceCandidateProtocol::Tcp) {
          c.transport = CandidateTransport::Tcp;
          c.tcpType = TcpType::Passive;
        }
        c.priority = local.candidates[i].priority;
        c.address = ipText(local.candidates[i].address);
        c.port = local.candidates[i].address.port;
        c.type = CandidateType::Host;
        m.candidates.push_back(std::move(c));
      }
      m.endOfCandidates = true;
      out.media.push_back(std::move(m));
    }
    out.groups.push_back(std::move(bundle));

    TransportParameters remote;
    remote.ice = IceCredentials{*ufrag, *pwd};
    remote.fingerprint = *fingerprint;
    remote.setup = local.setup == DtlsSetup::Active ? DtlsSetup::Passive : DtlsSetup::Active;
    transport_->connect(remote);
    return {writeSdp(out), {}};
  }

  json stats() const {
    json j;
    j["type"] = "stats";
    j["state"] = transport_ ? std::string(toString(transport_->state())) : "none";
    j["sdpWarnings"] = sdpWarnings_;
    for (const auto& s : sections_) {
      const char* key = s.kind == MediaKind::Audio ? "audio" : "video";
      j[key] = {{"mid", s.mid},
                {"rtpReceived", s.rtpReceived},
                {"rtpEchoed", s.rtpEchoed},
                {"rtpEchoFailed", s.rtpEchoFailed},
                {"unknownPayloadType", s.unknownPayloadType},
                {"remoteSsrc", s.remoteSsrc.value_or(0)},
                {"localSsrc", s.localSsrc}};
    }
    j["rtcp"] = {{"received", rtcpReceived_},          {"malformed", rtcpMalformed_},
                 {"pliFromBrowser", pliFromBrowser_},   {"firFromBrowser", firFromBrowser_},
                 {"nackFromBrowser", nackFromBrowser_}, {"pliSentOwn", pliSentOwn_},
                 {"feedbackForwarded", feedbackForwarded_}};
    j["rtpUnparsed"] = rtpUnparsed_;
    j["rtpUnknownSsrc"] = rtpUnknownSsrc_;
    j["data"] = {{"opened", channelsOpened_},
                 {"messages", dataMessages_},
                 {"bytes", dataBytes_},
                 {"echoFailed", dataEchoFailed_}};
    if (transport_) {
      const auto& t = transport_->stats();
      j["transport"] = {{"stunReceived", t.stunReceived},   {"dtlsReceived", t.dtlsReceived},
                        {"rtpReceived", t.rtpReceived},     {"rtcpReceived", t.rtcpReceived},
                        {"rtpSent", t.rtpSent},             {"rtcpSent", t.rtcpSent},
                        {"droppedNoPath", t.droppedNoPath}, {"droppedNotReady", t.droppedNotReady},
                        {"droppedSrtp", t.droppedSrtp},     {"droppedGarbage", t.droppedGarbage},
                        {"sendFailures", t.sendFailures}};
    }
    return j;
  }

  void close() {
    if (transport_) transport_->close();
  }
  [[nodiscard]] bool closedOrUnused() const {
    return !transport_ || transport_->state() == TransportState::Closed ||
           transport_->state() == TransportState::Failed;
  }

  // ---- WebRtcTransport::Listener --------------------------------------------------------------

  void onTransportStateChanged(WebRtcTransport& /*t*/, TransportState state) override {
    HUDDLE_LOG_INFO(interop, "transport state={}", toString(state));
  }

  void onRtpPacket(WebRtcTransport& transport, std::span<std::uint8_t> packet) override {
    auto view = RtpPacketView::parse(packet);
    if (!view) {
      ++rtpUnparsed_;
      return;
    }
    EchoSection* section = sectionFor(*view);
    if (section == nullptr) {
      ++rtpUnknownSsrc_;
      return;
    }
    ++section->rtpReceived;
    const auto pt = section->ptMap.find(view->payloadType());
    if (pt == section->ptMap.end()) {
      ++section->unknownPayloadType;
      return;
    }
    const bool firstVideo = section->kind == MediaKind::Video && !section->remoteSsrc;
    if (!section->remoteSsrc) section->remoteSsrc = view->ssrc();

    std::array<std::uint8_t, kPacketBuffer> buffer{};
    if (packet.size() + 64 > buffer.size()) {
      ++section->rtpEchoFailed;
      return;
    }
    std::copy(packet.begin(), packet.end(), buffer.begin());
    auto echo = RtpPacketView::parse(std::span<std::uint8_t>(buffer.data(), packet.size()));
    echo->setSsrc(section->localSsrc);
    echo->setPayloadType(pt->second);
    if (transport.sendRtp(buffer, packet.size())) {
      ++section->rtpEchoed;
    } else {
      ++section->rtpEchoFailed;
    }
    // The browser's encoder starts with a keyframe, but the receiving side of our echo may have
    // joined after it was dropped (before the decoder knew our SSRC); asking once is cheap.
    if (firstVideo) sendPli(transport, *section);
  }

  void onRtcpPacket(WebRtcTransport& transport, std::span<std::uint8_t> packet) override {
    ++rtcpReceived_;
    RtcpCompoundReader reader(packet);
    while (auto p = reader.next()) {
      if (p->type == static_cast<std::uint8_t>(RtcpType::PayloadFeedback) && p->count == kFmtPli) {
        const auto pli = RtcpPli::parse(*p);
        if (!pli) continue;
        ++pliFromBrowser_;
        if (EchoSection* s = sectionByLocalSsrc(pli->mediaSsrc); s != nullptr && s->remoteSsrc) {
          sendPli(transport, *s);
          ++feedbackForwarded_;
        }
      } else if (p->type == static_cast<std::uint8_t>(RtcpType::PayloadFeedback) &&
                 p->count == kFmtFir) {
        const auto fir = RtcpFir::parse(*p);
        if (!fir) continue;
        ++firFromBrowser_;
        for (std::size_t i = 0; i < fir->entryCount(); ++i) {
          EchoSection* s = sectionByLocalSsrc(fir->entry(i).ssrc);
          if (s == nullptr || !s->remoteSsrc) continue;
          const FirEntry entry{*s->remoteSsrc, firSeq_++};
          std::array<std::uint8_t, 64> out{};
          const std::size_t n = RtcpFir::build(s->localSsrc, {&entry, 1}, out);
          if (n > 0 && transport.sendRtcp(out, n)) ++feedbackForwarded_;
        }
      } else if (p->type == static_cast<std::uint8_t>(RtcpType::RtpFeedback) &&
                 p->count == kFmtNack) {
        const auto ssrcs = readFeedbackSsrcs(*p, RtcpType::RtpFeedback, kFmtNack);
        if (!ssrcs) continue;
        ++nackFromBrowser_;
        // Sequence numbers are echoed unchanged, so the browser's NACK list applies as is to
        // its own sender once the media SSRC is rewritten.
        EchoSection* s = sectionByLocalSsrc(ssrcs->media);
        if (s == nullptr || !s->remoteSsrc || p->bytes.size() + 64 > kPacketBuffer) continue;
        std::array<std::uint8_t, kPacketBuffer> out{};
        std::copy(p->bytes.begin(), p->bytes.end(), out.begin());
        writeFeedbackHeader(out.data(), RtcpType::RtpFeedback, kFmtNack, p->bytes.size(),
                            s->localSsrc, *s->remoteSsrc);
        if (transport.sendRtcp(out, p->bytes.size())) ++feedbackForwarded_;
      }
    }
    if (reader.malformed()) ++rtcpMalformed_;
  }

  void onDataChannelOpen(WebRtcTransport& /*t*/, std::uint16_t id,
                         std::string_view label) override {
    ++channelsOpened_;
    HUDDLE_LOG_INFO(interop, "data channel open id={} label={}", id, label);
  }

  void onDataChannelMessage(WebRtcTransport& transport, std::uint16_t id,
                            std::span<const std::uint8_t> data, bool binary) override {
    ++dataMessages_;
    dataBytes_ += data.size();
    if (!transport.sendData(id, data, binary)) ++dataEchoFailed_;
  }

 private:
  // Fills an accepted section; false rejects it (no codec we echo, unknown kind).
  bool fillSection(const MediaDescription& o, MediaDescription& m) {
    if (o.kind() == MediaKind::Application) {
      if (o.protocol.find("SCTP") == std::string::npos) return false;
      m.formats = {"webrtc-datachannel"};
      m.sctpPort = 5000;
      m.maxMessageSize = 65536;
      return true;
    }
    if (o.kind() != MediaKind::Audio && o.kind() != MediaKind::Video) return false;
    const bool audio = o.kind() == MediaKind::Audio;
    const auto codec = o.findCodec(audio ? "opus" : "VP8");
    if (!codec) return false;
    for (const auto& s : sections_) {
      if (s.kind == o.kind()) return false;  // one echo per kind is all this test needs
    }
    EchoSection section;
    section.kind = o.kind();
    section.mid = *o.mid;
    section.localSsrc = randomSsrc();
    // We answer with the offered number, so the map is the identity; it is kept explicit so a
    // forwarder that answers with other numbers has one place to change.
    section.ptMap[static_cast<std::uint8_t>(codec->payloadType)] =
        static_cast<std::uint8_t>(codec->payloadType);
    if (audio) {
      m.addCodec(codec->payloadType, codec->name, codec->clockRate, codec->channels,
                 "minptime=10;useinbandfec=1");
    } else {
      m.addCodec(codec->payloadType, codec->name, codec->clockRate, std::nullopt, {},
                 {RtcpFeedback{std::nullopt, "nack", ""}, RtcpFeedback{std::nullopt, "nack", "pli"},
                  RtcpFeedback{std::nullopt, "ccm", "fir"}});
    }
    m.direction = MediaDirection::SendRecv;
    m.rtcpMux = true;
    m.rtcpRsize = o.rtcpRsize;
    const std::string trackId = std::string(kStreamId) + (audio ? "-audio" : "-video");
    m.msids.push_back(Msid{std::string(kStreamId), trackId});
    m.addSsrc(section.localSsrc, std::string(kCname), Msid{std::string(kStreamId), trackId});
    sections_.push_back(std::move(section));
    return true;
  }

  EchoSection* sectionFor(const RtpPacketView& packet) {
    for (auto& s : sections_) {
      if (s.remoteSsrc == packet.ssrc()) return &s;
    }
    // Not seen yet: the payload type tells the m-line (BUNDLE demux without the MID
    // extension, which we do not negotiate).
    for (auto& s : sections_) {
      if (!s.remoteSsrc && s.ptMap.count(packet.payloadType()) != 0) return &s;
    }
    return nullptr;
  }

  EchoSection* sectionByLocalSsrc(std::uint32_t ssrc) {
    for (auto& s : sections_) {
      if (s.localSsrc == ssrc) return &s;
    }
    return nullptr;
  }

  void sendPli(WebRtcTransport& transport, const EchoSection& section) {
    if (!section.remoteSsrc) return;
    std::array<std::uint8_t, 64> out{};
    const std::size_t n = RtcpPli{section.localSsrc, *section.remoteSsrc}.build(out);
    if (n > 0 && transport.sendRtcp(out, n)) ++pliSentOwn_;
  }

  asio::io_context& io_;
  UdpMux& mux_;
  std::shared_ptr<const DtlsCertificate> certificate_;
  std::unique_ptr<WebRtcTransport> transport_;
  std::vector<EchoSection> sections_;
  std::size_t sdpWarnings_ = 0;
  std::uint64_t rtpUnparsed_ = 0;
  std::uint64_t rtpUnknownSsrc_ = 0;
  std::uint64_t rtcpReceived_ = 0;
  std::uint64_t rtcpMalformed_ = 0;
  std::uint64_t pliFromBrowser_ = 0;
  std::uint64_t firFromBrowser_ = 0;
  std::uint64_t nackFromBrowser_ = 0;
  std::uint64_t pliSentOwn_ = 0;
  std::uint64_t feedbackForwarded_ = 0;
  std::uint8_t firSeq_ = 0;
  std::uint64_t channelsOpened_ = 0;
  std::uint64_t dataMessages_ = 0;
  std::uint64_t dataBytes_ = 0;
  std::uint64_t dataEchoFailed_ = 0;
};

void writeLine(const json& j) {
  std::cout << j.dump() << '\n' << std::flush;
}

// Reads stdin lines without blocking the io_context, so the transport keeps running while the
// driver is quiet.
class StdinReader {
 public:
  StdinReader(asio::io_context& io, EchoEndpoint& endpoint, std::function<void()> onQuit)
      : input_(io, ::dup(STDIN_FILENO)), endpoint_(endpoint), onQuit_(std::move(onQuit)) {}

  void start() {
    asio::async_read_until(input_, buffer_, '\n',
                           [this](const boost::system::error_code& ec, std::size_t n) {
                             if (ec) {
                               onQuit_();
                               return;
                             }
                             std::string line(asio::buffers_begin(buffer_.data()),
                                              asio::buffers_begin(buffer_.data()) +
                                                  static_cast<std::ptrdiff_t>(n));
                             buffer_.consume(n);
                             if (!handle(line)) return;
                             start();
                           });
  }

 private:
  // False: stop reading (quit).
  bool handle(const std::string& line) {
    const json request = json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object() || !request.contains("type")) {
      writeLine({{"type", "error"}, {"message", "bad request line"}});
      return true;
    }
    const std::string type = request.value("type", "");
    if (type == "offer") {
      auto [answer, error] = endpoint_.answer(request.value("sdp", ""));
      if (answer) {
        writeLine({{"type", "answer"}, {"sdp", *answer}});
      } else {
        writeLine({{"type", "error"}, {"message", error}});
      }
    } else if (type == "stats") {
      writeLine(endpoint_.stats());
    } else if (type == "quit") {
      onQuit_();
      return false;
    } else {
      writeLine({{"type", "error"}, {"message", "unknown request " + type}});
    }
    return true;
  }

  asio::posix::stream_descriptor input_;
  asio::streambuf buffer_;
  EchoEndpoint& endpoint_;
  std::function<void()> onQuit_;
};

int run(int argc, char** argv) {
  std::chrono::milliseconds lifetime{110'000};
  std::string_view logLevel = "info";
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--lifetime-ms") {
      lifetime = std::chrono::milliseconds(std::strtoll(argv[i + 1], nullptr, 10));
    } else if (std::string_view(argv[i]) == "--log-level") {
      logLevel = argv[i + 1];
    }
  }
  // stdout is the signaling channel; every log line goes to stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("stderr"));
  if (!log::setLevel(logLevel)) log::setLevel(log::Level::Info);

  asio::io_context io;
  auto mux = UdpMux::create(io, "127.0.0.1", 0);
  if (!mux) {
    std::cerr << "rtc_browser_echo: mux: " << mux.message() << '\n';
    return 2;
  }
  auto cert = DtlsCertificate::generate();
  if (!cert) {
    std::cerr << "rtc_browser_echo: certificate: " << cert.message() << '\n';
    return 2;
  }
  EchoEndpoint endpoint(io, *mux.value(), cert.value());

  asio::steady_timer lifetimeTimer(io);
  asio::steady_timer closeTimer(io);
  bool quitting = false;
  const auto quit = [&] {
    if (quitting) return;
    quitting = true;
    lifetimeTimer.cancel();
    endpoint.close();
    // Give close_notify and the SCTP shutdown a bounded moment, then leave.
    closeTimer.expires_after(std::chrono::milliseconds(500));
    closeTimer.async_wait([&io](const boost::system::error_code&) { io.stop(); });
  };
  StdinReader reader(io, endpoint, quit);
  reader.start();
  lifetimeTimer.expires_after(lifetime);
  lifetimeTimer.async_wait([&](const boost::system::error_code& ec) {
    if (ec) return;
    std::cerr << "rtc_browser_echo: lifetime reached, exiting\n";
    quit();
  });
  writeLine({{"type", "ready"}});
  io.run();
  std::cerr << "rtc_browser_echo: final " << endpoint.stats().dump() << '\n';
  return 0;
}

}  // namespace
}  // namespace huddle::rtc::interop

int main(int argc, char** argv) { return huddle::rtc::interop::run(argc, argv); }
