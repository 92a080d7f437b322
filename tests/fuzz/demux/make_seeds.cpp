// Writes fuzz_demux's seed corpus from real packets: a client-role and a server-role transport
// talk over 127.0.0.1 through a recording relay, and the first STUN Binding request, the DTLS
// ClientHello, an SRTP packet and an SRTCP packet from the client are saved in the harness's
// input format (demux_harness.h). Run by hand: make_seeds <corpus dir>.

#include <boost/asio.hpp>
#include <cstdio>
#include <fstream>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "demux_harness.h"
#include "rtc/dtls/dtls_certificate.h"
#include "rtc/transport/udp_mux.h"
#include "rtc/transport/udp_socket.h"
#include "rtc/transport/webrtc_transport.h"

namespace {

using namespace huddle::rtc;
using Bytes = std::vector<std::uint8_t>;

struct Quiet final : WebRtcTransport::Listener {
  void onTransportStateChanged(WebRtcTransport& /*t*/, TransportState /*s*/) override {}
  void onRtpPacket(WebRtcTransport& /*t*/, std::span<std::uint8_t> /*p*/) override {}
  void onRtcpPacket(WebRtcTransport& /*t*/, std::span<std::uint8_t> /*p*/) override {}
};

// Forwards client <-> server and keeps the first client datagram of each kind.
class Relay final : private UdpSocket::Listener {
 public:
  Relay(boost::asio::io_context& io, StunAddress server) : server_(server) {
    front_ = UdpSocket::create(io, "127.0.0.1", 0, *this).value();
    back_ = UdpSocket::create(io, "127.0.0.1", 0, *this).value();
  }
  [[nodiscard]] StunAddress address() const { return front_->localAddress(); }
  std::optional<Bytes> stunRequest, clientHello, srtp, srtcp;

 private:
  void onUdpPacket(UdpSocket& socket, std::span<std::uint8_t> data,
                   const StunAddress& from) override {
    if (&socket == back_.get()) {
      if (client_) front_->send(data, *client_);
      return;
    }
    client_ = from;
    const Bytes copy(data.begin(), data.end());
    switch (classifyDatagram(data)) {
      case DatagramClass::Stun:
        // Binding request: type 0x0001.
        if (!stunRequest && data.size() > 2 && data[0] == 0x00 && data[1] == 0x01) {
          stunRequest = copy;
        }
        break;
      case DatagramClass::Dtls:
        if (!clientHello && data[0] == 22) clientHello = copy;  // handshake record
        break;
      case DatagramClass::RtpOrRtcp:
        if (data.size() > 1 && data[1] >= 192 && data[1] <= 223) {
          if (!srtcp) srtcp = copy;
        } else if (!srtp) {
          srtp = copy;
        }
        break;
      case DatagramClass::Unknown:
        break;
    }
    back_->send(data, server_);
  }

  StunAddress server_;
  std::optional<StunAddress> client_;
  std::unique_ptr<UdpSocket> front_;
  std::unique_ptr<UdpSocket> back_;
};

bool write(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

Bytes datagrams(std::uint8_t mode, std::initializer_list<const Bytes*> list) {
  Bytes out = {mode};
  for (const Bytes* d : list) fuzz::appendDatagram(out, *d);
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: make_seeds <corpus dir>\n");
    return 2;
  }
  const std::string dir = argv[1];
  boost::asio::io_context io;
  auto mux = UdpMux::create(io, "127.0.0.1").value();
  Quiet serverEvents, clientEvents;
  WebRtcTransport::Options so;
  so.role = WebRtcTransportRole::Server;
  so.certificate = DtlsCertificate::generate().value();
  so.mux = mux.get();
  so.enableDataChannels = false;
  auto server = WebRtcTransport::create(io, so, serverEvents).value();
  WebRtcTransport::Options co;
  co.role = WebRtcTransportRole::Client;
  co.certificate = DtlsCertificate::generate().value();
  co.enableDataChannels = false;
  auto client = WebRtcTransport::create(io, co, clientEvents).value();
  Relay relay(io, mux->localAddress());

  TransportParameters serverParams = server->localParameters();
  serverParams.candidates.resize(1);
  serverParams.candidates[0].address = relay.address();
  server->connect(client->localParameters());
  client->connect(serverParams);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool sent = false;
  while (std::chrono::steady_clock::now() < deadline && !(relay.srtp && relay.srtcp)) {
    io.run_for(std::chrono::milliseconds(5));
    if (!sent && client->state() == TransportState::Connected) {
      Bytes rtp = {0x80, 0x60, 0x00, 0x01, 0x00, 0x00, 0x0B, 0xB8, 0x11, 0x22, 0x33, 0x44,
                   0xDE, 0xAD, 0xBE, 0xEF};
      rtp.resize(rtp.size() + 64);
      Bytes rr = {0x80, 201, 0x00, 0x01, 0x11, 0x22, 0x33, 0x44};
      rr.resize(rr.size() + 64);
      sent = client->sendRtp(rtp, 16) && client->sendRtcp(rr, 8);
    }
  }
  if (!relay.stunRequest || !relay.clientHello || !relay.srtp || !relay.srtcp) {
    std::fprintf(stderr, "did not capture every packet kind\n");
    return 1;
  }
  // Framed for ICE-TCP: the request and the ClientHello on one stream, read 7 octets at a time.
  Bytes stream = {fuzz::kModeStream, 7};
  for (const Bytes* d : {&*relay.stunRequest, &*relay.clientHello}) fuzz::appendDatagram(stream, *d);
  const bool ok =
      write(dir + "/stun_binding_request.bin",
            datagrams(fuzz::kModeDatagrams, {&*relay.stunRequest})) &&
      write(dir + "/dtls_client_hello.bin",
            datagrams(fuzz::kModeBoundDatagrams, {&*relay.clientHello})) &&
      write(dir + "/srtp_packet.bin", datagrams(fuzz::kModeBoundDatagrams, {&*relay.srtp})) &&
      write(dir + "/srtcp_packet.bin", datagrams(fuzz::kModeBoundDatagrams, {&*relay.srtcp})) &&
      write(dir + "/all_kinds_unbound.bin",
            datagrams(fuzz::kModeDatagrams, {&*relay.stunRequest, &*relay.clientHello,
                                             &*relay.srtp, &*relay.srtcp})) &&
      write(dir + "/ice_tcp_stream.bin", stream);
  return ok ? 0 : 1;
}
