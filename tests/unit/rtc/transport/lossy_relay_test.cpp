// The loopback pair again, but every datagram passes a user-space relay that drops 10% and
// reorders some, with a seeded RNG: ICE, DTLS and SCTP have to retransmit their way through.

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "rtc/dtls/dtls_certificate.h"
#include "rtc/transport/udp_mux.h"
#include "rtc/transport/udp_socket.h"
#include "rtc/transport/webrtc_transport.h"
#include "transport_test_util.h"

namespace huddle::rtc {
namespace {

using test::RecordingListener;

// Two sockets: the client talks to `front_`, the server (its mux) sees `back_`. Each direction
// drops a datagram with probability `loss` and holds one back with probability `reorder`, to be
// sent after the next datagram (or by a 15 ms flush when nothing follows).
class LossyRelay final : private UdpSocket::Listener {
 public:
  LossyRelay(boost::asio::io_context& io, StunAddress server, double loss, double reorder,
             std::uint32_t seed)
      : server_(server), loss_(loss), reorder_(reorder), rng_(seed), flush_(io) {
    auto front = UdpSocket::create(io, "127.0.0.1", 0, *this);
    auto back = UdpSocket::create(io, "127.0.0.1", 0, *this);
    if (front && back) {
      front_ = std::move(front).value();
      back_ = std::move(back).value();
    }
  }
  [[nodiscard]] bool ok() const { return front_ && back_; }
  [[nodiscard]] StunAddress address() const { return front_->localAddress(); }
  std::uint64_t dropped = 0;
  std::uint64_t reordered = 0;
  std::uint64_t forwarded = 0;

 private:
  struct Held {
    std::vector<std::uint8_t> data;
    UdpSocket* out;
    StunAddress to;
  };

  void onUdpPacket(UdpSocket& socket, std::span<std::uint8_t> data,
                   const StunAddress& from) override {
    UdpSocket* out = nullptr;
    StunAddress to;
    if (&socket == front_.get()) {
      client_ = from;
      out = back_.get();
      to = server_;
    } else {
      if (!client_) return;
      out = front_.get();
      to = *client_;
    }
    std::uniform_real_distribution<double> coin(0.0, 1.0);
    if (coin(rng_) < loss_) {
      ++dropped;
      return;
    }
    if (!held_ && coin(rng_) < reorder_) {
      ++reordered;
      held_ = Held{{data.begin(), data.end()}, out, to};
      flush_.expires_after(std::chrono::milliseconds(15));
      flush_.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) release();
      });
      return;
    }
    ++forwarded;
    out->send(data, to);
    release();
  }

  void release() {
    if (!held_) return;
    ++forwarded;
    held_->out->send(held_->data, held_->to);
    held_.reset();
  }

  StunAddress server_;
  double loss_;
  double reorder_;
  std::mt19937 rng_;
  boost::asio::steady_timer flush_;
  std::unique_ptr<UdpSocket> front_;
  std::unique_ptr<UdpSocket> back_;
  std::optional<StunAddress> client_;
  std::optional<Held> held_;
};

std::vector<std::uint8_t> pattern(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> v(size);
  for (std::size_t i = 0; i < size; ++i) v[i] = static_cast<std::uint8_t>(seed * 17 + i * 7);
  return v;
}

TEST(LossyRelayTest, DtlsCompletesAndReliableDataArrivesExactAndInOrder) {
  boost::asio::io_context io;
  auto mux = UdpMux::create(io, "127.0.0.1");
  ASSERT_TRUE(mux);
  LossyRelay relay(io, (*mux)->localAddress(), 0.10, 0.10, 20261125);
  ASSERT_TRUE(relay.ok());

  auto serverCert = DtlsCertificate::generate();
  auto clientCert = DtlsCertificate::generate();
  ASSERT_TRUE(serverCert && clientCert);
  RecordingListener serverEvents;
  RecordingListener clientEvents;
  WebRtcTransport::Options so;
  so.role = WebRtcTransportRole::Server;
  so.certificate = serverCert.value();
  so.mux = mux->get();
  auto server = WebRtcTransport::create(io, so, serverEvents);
  WebRtcTransport::Options co;
  co.role = WebRtcTransportRole::Client;
  co.certificate = clientCert.value();
  auto client = WebRtcTransport::create(io, co, clientEvents);
  ASSERT_TRUE(server && client);

  TransportParameters serverParams = (*server)->localParameters();
  serverParams.candidates[0].address = relay.address();  // the client only knows the relay
  (*server)->connect((*client)->localParameters());
  (*client)->connect(serverParams);
  ASSERT_TRUE(test::runUntil(io,
                             [&] {
                               return (*server)->state() == TransportState::Connected &&
                                      (*client)->state() == TransportState::Connected;
                             }))
      << "client=" << toString((*client)->state()) << " server=" << toString((*server)->state());

  const auto channel = (*client)->createDataChannel("reliable", true);
  ASSERT_TRUE(channel);
  ASSERT_TRUE(test::runUntil(io, [&] {
    return clientEvents.opened.contains(*channel) && serverEvents.opened.contains(*channel);
  }));
  std::vector<std::vector<std::uint8_t>> messages;
  for (std::uint8_t i = 0; i < 4; ++i) {
    messages.push_back(pattern(1, i));
    messages.push_back(pattern(16 * 1024, i));
    messages.push_back(pattern(64 * 1024, i));
  }
  for (const auto& m : messages) {
    ASSERT_TRUE((*client)->sendData(*channel, m, true));
    ASSERT_TRUE((*server)->sendData(*channel, m, true));
  }
  ASSERT_TRUE(test::runUntil(io,
                             [&] {
                               return serverEvents.messages.size() == messages.size() &&
                                      clientEvents.messages.size() == messages.size();
                             }))
      << "server got " << serverEvents.messages.size() << " client got "
      << clientEvents.messages.size();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    EXPECT_EQ(serverEvents.messages[i].data, messages[i]) << "to server, message " << i;
    EXPECT_EQ(clientEvents.messages[i].data, messages[i]) << "to client, message " << i;
  }
  EXPECT_GT(relay.dropped, 0u);
  EXPECT_GT(relay.reordered, 0u);

  // Either side may lose the other's close_notify here, so both close.
  (*client)->close();
  (*server)->close();
  ASSERT_TRUE(test::runUntil(io, [&] {
    return (*server)->state() == TransportState::Closed &&
           (*client)->state() == TransportState::Closed;
  }));
  EXPECT_FALSE(clientEvents.reached(TransportState::Failed));
  EXPECT_FALSE(serverEvents.reached(TransportState::Failed));
}

}  // namespace
}  // namespace huddle::rtc
