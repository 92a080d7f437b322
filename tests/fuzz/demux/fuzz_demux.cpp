// libFuzzer target for everything that classifies and routes packets before any crypto checks
// them: RFC 7983 classification, UdpMux routing (ufrag, then 5-tuple) into a server-role
// WebRtcTransport's receive path (ICE-lite, DTLS, SRTP/SRTCP), and the RFC 4571 framer that cuts
// ICE-TCP streams. Nothing may crash or leak, and every datagram the mux receives must be either
// routed or counted as dropped. The input format is in demux_harness.h.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "demux_harness.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/ice/stun_message.h"
#include "rtc/transport/tcp_framer.h"
#include "rtc/transport/udp_mux.h"
#include "rtc/transport/udp_socket.h"
#include "rtc/transport/webrtc_transport.h"

namespace {

using namespace huddle::rtc;

struct NullTransportListener final : WebRtcTransport::Listener {
  void onTransportStateChanged(WebRtcTransport& /*t*/, TransportState /*s*/) override {}
  void onRtpPacket(WebRtcTransport& /*t*/, std::span<std::uint8_t> /*p*/) override {}
  void onRtcpPacket(WebRtcTransport& /*t*/, std::span<std::uint8_t> /*p*/) override {}
};

// The peer's socket: it has to read what the transport answers, or its buffer would fill.
struct NullSocketListener final : UdpSocket::Listener {
  void onUdpPacket(UdpSocket& /*s*/, std::span<std::uint8_t> /*d*/,
                   const StunAddress& /*from*/) override {}
};

struct World {
  boost::asio::io_context io;
  std::unique_ptr<UdpMux> mux;
  std::unique_ptr<UdpSocket> peer;
  std::shared_ptr<const DtlsCertificate> certificate;
  NullSocketListener peerListener;
  NullTransportListener transportListener;

  World() {
    auto m = UdpMux::create(io, "127.0.0.1");
    auto cert = DtlsCertificate::generate();
    if (!m || !cert) std::abort();
    mux = std::move(m).value();
    certificate = cert.value();
    auto p = UdpSocket::create(io, "127.0.0.1", 0, peerListener);
    if (!p) std::abort();
    peer = std::move(p).value();
  }

  // Delivers one datagram to the mux and runs what it triggers. Loopback UDP queues the datagram
  // on the receiving socket inside sendto(), so polling until the counter moves is deterministic;
  // the bound only guards against a kernel that dropped it after all.
  void deliver(std::span<const std::uint8_t> datagram) {
    const auto before = mux->socketCounters().packetsReceived;
    if (!peer->send(datagram, mux->localAddress())) return;
    for (int i = 0; i < 1000 && mux->socketCounters().packetsReceived == before; ++i) {
      if (io.stopped()) io.restart();
      io.poll();
    }
    if (io.stopped()) io.restart();
    io.poll();
  }
};

World& world() {
  static World* w = new World();  // never destroyed: libFuzzer exits without unwinding
  return *w;
}

void fuzzStream(std::span<const std::uint8_t> body) {
  if (body.empty()) return;
  const std::size_t chunk = body[0] == 0 ? body.size() : body[0];
  std::vector<std::uint8_t> stream(body.begin() + 1, body.end());
  constexpr std::size_t kMax = 1500;
  Rfc4571Framer framer(kMax);
  std::size_t delivered = 0;
  for (std::size_t pos = 0; pos < stream.size(); pos += chunk) {
    const std::size_t n = std::min(chunk, stream.size() - pos);
    const auto status =
        framer.feed(std::span<std::uint8_t>(stream).subspan(pos, n), [&](std::span<std::uint8_t> f) {
          if (f.size() > kMax) std::abort();
          delivered += Rfc4571Framer::kHeaderSize + f.size();
          (void)classifyDatagram(f);
          return true;
        });
    if (status == Rfc4571Framer::Status::Oversize) {
      if (!framer.broken()) std::abort();
      return;
    }
    if (framer.pendingBytes() > Rfc4571Framer::kHeaderSize + kMax) std::abort();
  }
  // Every octet is either in a delivered frame or held back as the incomplete tail.
  if (delivered + framer.pendingBytes() != stream.size()) std::abort();
}

std::vector<std::uint8_t> signedBindingRequest(const TransportParameters& local,
                                               const std::string& remoteUfrag) {
  std::array<std::uint8_t, 256> buffer{};
  const StunTransactionId id = {0xF0, 0x0D, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  StunMessageBuilder b(buffer, StunClass::Request, StunMethod::Binding, id);
  b.addUsername(local.ice.ufrag + ":" + remoteUfrag);
  b.addPriority(0x6E7F1EFF);
  b.addIceControlling(0x0123456789ABCDEFull);
  b.addUseCandidate();
  b.addMessageIntegrity(local.ice.pwd);
  b.addFingerprint();
  return {b.bytes().begin(), b.bytes().end()};
}

void fuzzDatagrams(std::span<const std::uint8_t> body, bool bind) {
  World& w = world();
  WebRtcTransport::Options options;
  options.role = WebRtcTransportRole::Server;
  options.certificate = w.certificate;
  options.mux = w.mux.get();
  auto created = WebRtcTransport::create(w.io, options, w.transportListener);
  if (!created) std::abort();
  const auto transport = std::move(created).value();

  TransportParameters remote;
  remote.ice.ufrag = "fuzzpeer";
  remote.ice.pwd = "fuzzpeerpasswordfuzzpeer";
  remote.fingerprint = w.certificate->fingerprint();
  remote.setup = DtlsSetup::Active;
  transport->connect(remote);

  const UdpMux::Stats before = w.mux->stats();
  const auto receivedBefore = w.mux->socketCounters().packetsReceived;
  if (bind) {
    w.deliver(signedBindingRequest(transport->localParameters(), remote.ice.ufrag));
    // The harness's own request must be accepted, or mode 2 would test nothing.
    if (!transport->selectedRemote() || w.mux->tupleCount() != 1) std::abort();
  }
  std::size_t pos = 0;
  while (pos < body.size()) {
    std::size_t length = std::size_t{body[pos]} << 8;
    if (pos + 1 < body.size()) length |= body[pos + 1];
    pos = std::min(pos + 2, body.size());
    length = std::min(length, body.size() - pos);
    w.deliver(body.subspan(pos, length));
    (void)classifyDatagram(body.subspan(pos, length));
    pos += length;
  }
  const UdpMux::Stats& after = w.mux->stats();
  const auto received = w.mux->socketCounters().packetsReceived - receivedBefore;
  const auto accounted = (after.routed - before.routed) +
                         (after.droppedUnknownSource - before.droppedUnknownSource) +
                         (after.droppedGarbage - before.droppedGarbage);
  if (accounted != received) std::abort();
  transport->close();
  // Destroying the transport unregisters it: the next input starts from an empty mux.
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> body(data + 1, size - 1);
  switch (data[0] % 3) {
    case huddle::rtc::fuzz::kModeStream:
      fuzzStream(body);
      break;
    case huddle::rtc::fuzz::kModeDatagrams:
      fuzzDatagrams(body, false);
      break;
    default:
      fuzzDatagrams(body, true);
      break;
  }
  World& w = world();
  if (w.mux->tupleCount() != 0 || w.mux->ufragCount() != 0) std::abort();
  return 0;
}
