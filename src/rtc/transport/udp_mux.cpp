#include "rtc/transport/udp_mux.h"

#include <algorithm>
#include <cstring>
#include <string_view>

#include "rtc/ice/ice_lite_server.h"

namespace huddle::rtc {

DatagramClass classifyDatagram(std::span<const std::uint8_t> data) noexcept {
  if (data.empty()) return DatagramClass::Unknown;
  const std::uint8_t b = data[0];
  if (b <= 3) return DatagramClass::Stun;
  if (b >= 20 && b <= 63) return DatagramClass::Dtls;
  if (b >= 128 && b <= 191) return DatagramClass::RtpOrRtcp;
  return DatagramClass::Unknown;
}

std::size_t StunAddressHash::operator()(const StunAddress& a) const noexcept {
  // FNV-1a over the bytes that == compares.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::uint8_t v) {
    h ^= v;
    h *= 1099511628211ull;
  };
  mix(static_cast<std::uint8_t>(a.family));
  mix(static_cast<std::uint8_t>(a.port >> 8));
  mix(static_cast<std::uint8_t>(a.port & 0xFF));
  for (const auto v : a.addr) mix(v);
  return static_cast<std::size_t>(h);
}

Result<std::unique_ptr<UdpMux>, UdpSocketError> UdpMux::create(boost::asio::io_context& io,
                                                               std::string_view ip,
                                                               std::uint16_t port) {
  std::unique_ptr<UdpMux> mux(new UdpMux());
  auto socket = UdpSocket::create(io, ip, port, *mux);
  if (!socket) return socket.error();
  mux->socket_ = std::move(socket).value();
  return mux;
}

UdpMux::~UdpMux() = default;

bool UdpMux::registerUfrag(const std::string& ufrag, Endpoint& endpoint) {
  const auto [it, inserted] = ufrags_.emplace(ufrag, &endpoint);
  return inserted || it->second == &endpoint;
}

void UdpMux::unregisterUfrag(const std::string& ufrag) { ufrags_.erase(ufrag); }

void UdpMux::unregisterEndpoint(Endpoint& endpoint) {
  std::erase_if(ufrags_, [&](const auto& kv) { return kv.second == &endpoint; });
  std::erase_if(tuples_, [&](const auto& kv) { return kv.second == &endpoint; });
}

void UdpMux::bindTuple(const StunAddress& from, Endpoint& endpoint) {
  const auto it = tuples_.find(from);
  if (it != tuples_.end()) {
    it->second = &endpoint;
    return;
  }
  const auto owned = static_cast<std::size_t>(std::count_if(
      tuples_.begin(), tuples_.end(), [&](const auto& kv) { return kv.second == &endpoint; }));
  if (owned >= kMaxTuplesPerEndpoint) return;  // still routed by ufrag, just not remembered
  tuples_.emplace(from, &endpoint);
  ++stats_.tuplesBound;
}

bool UdpMux::send(std::span<const std::uint8_t> data, const StunAddress& to) {
  if (!dispatching_) return socket_->send(data, to);
  if (data.size() > kBatchSlotSize) {
    flush();
    return socket_->send(data, to);
  }
  if (batch_->count == kBatchCapacity) flush();
  const std::size_t i = batch_->count++;
  std::memcpy(batch_->slots[i].data(), data.data(), data.size());
  batch_->datagrams[i] = UdpSocket::Datagram{std::span<const std::uint8_t>(batch_->slots[i].data(), data.size()), to};
  ++stats_.sendsBatched;
  return true;
}

void UdpMux::flush() {
  if (batch_->count == 0) return;
  const std::size_t count = batch_->count;
  // Cleared first: nothing re-enters from sendBatch, but a stale count must never resend.
  batch_->count = 0;
  ++stats_.batchesFlushed;
  socket_->sendBatch(std::span<const UdpSocket::Datagram>(batch_->datagrams.data(), count));
}

// Sends made while a receive batch is dispatched are queued and leave in one sendmmsg at the
// batch's end (or earlier when the queue fills).
void UdpMux::onUdpPacket(UdpSocket& /*socket*/, std::span<std::uint8_t> data,
                         const StunAddress& from) {
  dispatching_ = true;
  route(data, from);
}

void UdpMux::onUdpBatchEnd(UdpSocket& /*socket*/) {
  dispatching_ = false;
  flush();
}

void UdpMux::route(std::span<std::uint8_t> data, const StunAddress& from) {
  const DatagramClass cls = classifyDatagram(data);
  if (cls == DatagramClass::Unknown) {
    ++stats_.droppedGarbage;
    return;
  }
  if (cls == DatagramClass::Stun) {
    // A request naming a registered ufrag wins over the tuple table: after an ICE restart the
    // same 5-tuple may have to move to the credentials of another transport.
    if (const auto ufrag = localUfragFromStunPacket(data)) {
      const auto it = ufrags_.find(std::string(*ufrag));
      if (it != ufrags_.end()) {
        ++stats_.routed;
        it->second->onMuxPacket(data, from);
        return;
      }
    }
  }
  const auto it = tuples_.find(from);
  if (it == tuples_.end()) {
    ++stats_.droppedUnknownSource;
    return;
  }
  ++stats_.routed;
  it->second->onMuxPacket(data, from);
}

}  // namespace huddle::rtc
