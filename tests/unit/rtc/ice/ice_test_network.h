#pragma once
// In-memory "network" for the ICE tests: routes datagrams by destination address, optionally
// losing some (seeded RNG, so every run loses the same ones), and a loop that steps a
// ManualClock from one component timeout to the next. Single-threaded, no sockets.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "rtc/ice/ice_agent.h"
#include "rtc/ice/ice_lite_server.h"

namespace huddle::rtc::test {

using Bytes = std::vector<std::uint8_t>;
using TimePoint = std::chrono::steady_clock::time_point;

inline StunAddress addr(std::string_view ip, std::uint16_t port) {
  return *StunAddress::fromString(ip, port);
}

class TestNetwork {
 public:
  using Receiver = std::function<void(std::span<const std::uint8_t>, const StunAddress& from,
                                      IceSocketHandle socket)>;

  explicit TestNetwork(std::uint32_t seed = 1) : rng_(seed) {}

  // Datagrams sent to `address` are handed to `receiver` as arriving on `socket`.
  void bind(const StunAddress& address, IceSocketHandle socket, Receiver receiver) {
    ports_.push_back(Port{address, socket, std::move(receiver)});
  }

  void send(std::span<const std::uint8_t> bytes, const StunAddress& from, const StunAddress& to) {
    ++sent;
    if (blackhole || dropNext > 0 || (lossRate > 0 && loss_(rng_) < lossRate)) {
      if (dropNext > 0) --dropNext;
      ++dropped;
      return;
    }
    queue_.push_back(Datagram{Bytes(bytes.begin(), bytes.end()), from, to});
  }

  // Delivers until nothing is in flight (replies sent during delivery are delivered too).
  void deliverAll() {
    for (int guard = 0; guard < 100'000 && !queue_.empty(); ++guard) {
      Datagram d = std::move(queue_.front());
      queue_.pop_front();
      const auto port = std::find_if(ports_.begin(), ports_.end(),
                                     [&](const Port& p) { return p.address == d.to; });
      if (port == ports_.end()) {
        ++unroutable;
        continue;
      }
      ++delivered;
      port->receiver(d.bytes, d.from, port->socket);
    }
  }

  // Knobs.
  bool blackhole = false;  // lose everything
  int dropNext = 0;        // lose the next N datagrams
  double lossRate = 0.0;   // lose each datagram with this probability

  std::uint64_t sent = 0;
  std::uint64_t dropped = 0;
  std::uint64_t delivered = 0;
  std::uint64_t unroutable = 0;

 private:
  struct Datagram {
    Bytes bytes;
    StunAddress from;
    StunAddress to;
  };
  struct Port {
    StunAddress address;
    IceSocketHandle socket;
    Receiver receiver;
  };

  std::vector<Port> ports_;
  std::deque<Datagram> queue_;
  std::mt19937 rng_;
  std::uniform_real_distribution<double> loss_{0.0, 1.0};
};

// An IceLiteServer wired to the network, recording what it reported.
struct LitePeer final : IceLiteServer::Listener {
  LitePeer(TestNetwork& network, const Clock& clock, IceCredentials creds)
      : net(network), server(*this, clock, std::move(creds)) {}

  void addSocket(const StunAddress& address, IceSocketHandle socket) {
    sockets[socket] = address;
    net.bind(address, socket, [this](std::span<const std::uint8_t> b, const StunAddress& from,
                                     IceSocketHandle s) { server.handlePacket(b, from, s); });
  }

  void onIceSendStun(IceLiteServer&, std::span<const std::uint8_t> bytes, const StunAddress& to,
                     IceSocketHandle socket) override {
    sent.emplace_back(bytes.begin(), bytes.end());
    net.send(bytes, sockets.at(socket), to);
  }
  void onIceStateChanged(IceLiteServer&, IceState state) override { states.push_back(state); }
  void onIceSelectedTupleChanged(IceLiteServer&, const IceTuple* tuple) override {
    selections.push_back(tuple ? std::optional<IceTuple>(*tuple) : std::nullopt);
  }

  TestNetwork& net;
  IceLiteServer server;
  std::map<IceSocketHandle, StunAddress> sockets;
  std::vector<Bytes> sent;
  std::vector<IceState> states;
  std::vector<std::optional<IceTuple>> selections;
};

// An IceAgent wired to the network, recording what it reported.
struct AgentPeer final : IceAgent::Listener {
  AgentPeer(TestNetwork& network, const Clock& clock, IceCredentials creds,
            IceRole role = IceRole::Controlling, std::optional<std::uint64_t> tieBreaker = {})
      : net(network), agent(*this, clock, std::move(creds), role, tieBreaker) {}

  void addSocket(const StunAddress& address, IceSocketHandle socket,
                 std::uint16_t localPreference = 65535) {
    sockets[socket] = address;
    agent.addLocalCandidate(address, socket, localPreference);
    net.bind(address, socket, [this](std::span<const std::uint8_t> b, const StunAddress& from,
                                     IceSocketHandle s) { agent.handlePacket(b, from, s); });
  }

  void onIceSendStun(IceAgent&, std::span<const std::uint8_t> bytes, const StunAddress& to,
                     IceSocketHandle socket) override {
    sent.emplace_back(bytes.begin(), bytes.end());
    net.send(bytes, sockets.at(socket), to);
  }
  void onIceStateChanged(IceAgent&, IceState state) override { states.push_back(state); }
  void onIceSelectedPairChanged(IceAgent&, const IceCandidatePair* pair) override {
    selections.push_back(pair ? std::optional<IceTuple>(pair->tuple()) : std::nullopt);
    if (pair) selectedLocal = sockets.at(pair->local.socket);
  }

  TestNetwork& net;
  IceAgent agent;
  std::map<IceSocketHandle, StunAddress> sockets;
  std::vector<Bytes> sent;
  std::vector<IceState> states;
  std::vector<std::optional<IceTuple>> selections;
  std::optional<StunAddress> selectedLocal;
};

// Steps the clock from timeout to timeout for `duration`, delivering datagrams in between.
// Returns false if the components never let time move on (a busy-looping timeout).
struct TimerSource {
  std::function<std::optional<TimePoint>()> next;
  std::function<void()> fire;
};

inline bool runFor(ManualClock& clock, TestNetwork& net, const std::vector<TimerSource>& sources,
                   std::chrono::milliseconds duration) {
  const TimePoint end = clock.steadyNow() + duration;
  for (int guard = 0; guard < 1'000'000; ++guard) {
    net.deliverAll();
    const TimePoint now = clock.steadyNow();
    bool fired = false;
    TimePoint next = end;
    for (const auto& s : sources) {
      const auto t = s.next();
      if (!t) continue;
      if (*t <= now) {
        s.fire();
        fired = true;
      } else {
        next = std::min(next, *t);
      }
    }
    if (fired) continue;
    if (next <= now) return true;
    clock.advance(next - now);
  }
  return false;
}

inline TimerSource timerOf(IceAgent& agent) {
  return {[&agent] { return agent.nextTimeout(); }, [&agent] { agent.onTimer(); }};
}
inline TimerSource timerOf(IceLiteServer& server) {
  return {[&server] { return server.nextTimeout(); }, [&server] { server.onTimer(); }};
}

}  // namespace huddle::rtc::test
