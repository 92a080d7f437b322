// Two SctpAssociations back to back in memory. The test loop carries packets between them;
// when nothing is in flight it advances usrsctp's timers (simulated time, no sleeps).
#include "rtc/sctp/sctp_association.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "rtc/sctp/usrsctp_library.h"
#include "simulated_wall_clock.h"

namespace huddle::rtc {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct Message {
  std::uint16_t id;
  Bytes data;
  bool binary;
};

struct Opened {
  std::uint16_t id;
  std::string label;
  std::string protocol;
  DataChannelReliability reliability;
};

class Endpoint final : public SctpAssociation::Listener {
 public:
  explicit Endpoint(std::deque<Bytes>& wire) : wire_(wire) {}

  void onSctpSendPacket(std::span<const std::uint8_t> packet) override {
    largestPacket = std::max(largestPacket, packet.size());
    wire_.emplace_back(packet.begin(), packet.end());
  }
  void onSctpConnected() override { ++connected; }
  void onSctpClosed() override { ++closed; }
  void onDataChannelOpened(std::uint16_t id, std::string_view label, std::string_view protocol,
                           const DataChannelReliability& reliability) override {
    opened.push_back({id, std::string(label), std::string(protocol), reliability});
  }
  void onDataChannelAcked(std::uint16_t id) override { acked.push_back(id); }
  void onDataChannelMessage(std::uint16_t id, std::span<const std::uint8_t> data, bool binary) override {
    messages.push_back({id, Bytes(data.begin(), data.end()), binary});
  }
  void onDataChannelClosed(std::uint16_t id) override { closedChannels.push_back(id); }

  int connected = 0;
  int closed = 0;
  std::size_t largestPacket = 0;
  std::vector<Opened> opened;
  std::vector<std::uint16_t> acked;
  std::vector<Message> messages;
  std::vector<std::uint16_t> closedChannels;

 private:
  std::deque<Bytes>& wire_;
};

Bytes pattern(std::size_t size, std::uint32_t seed) {
  Bytes out(size);
  std::mt19937 rng(seed);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
  return out;
}

class Link {
  // Declared before the endpoints, which keep references to them.
  std::deque<Bytes> toServer_;
  std::deque<Bytes> toClient_;

 public:
  explicit Link(SctpAssociation::Config clientConfig = {}, SctpAssociation::Config serverConfig = {})
      : client(toServer_), server(toClient_) {
    clientConfig.role = SctpRole::Client;
    serverConfig.role = SctpRole::Server;
    auto c = SctpAssociation::create(clientConfig, client);
    auto s = SctpAssociation::create(serverConfig, server);
    EXPECT_TRUE(c.ok());
    EXPECT_TRUE(s.ok());
    if (c.ok()) a = std::move(c).value();
    if (s.ok()) b = std::move(s).value();
  }

  // Loss and reordering with a seeded RNG, applied to every packet in both directions.
  void impair(double lossRate, double reorderRate, std::uint32_t seed) {
    lossRate_ = lossRate;
    reorderRate_ = reorderRate;
    rng_.seed(seed);
  }

  // Delivers one batch of queued packets each way. Returns false when nothing was in flight.
  bool pump() {
    if (toServer_.empty() && toClient_.empty()) return false;
    deliver(toServer_, *b);
    deliver(toClient_, *a);
    return true;
  }

  // Pumps until the predicate holds; advances simulated time by 10 ms when the wire is idle.
  bool runUntil(const std::function<bool()>& done, int maxIdleSteps = 20000) {
    for (int idle = 0; idle < maxIdleSteps;) {
      if (done()) return true;
      if (!pump()) {
        // usrsctp needs its wall clock to move with its timers (see simulated_wall_clock.h).
        test::advanceWallClock(std::chrono::milliseconds(10));
        SctpAssociation::handleTimers(10);
        ++idle;
        simulatedMs += 10;
      }
    }
    return done();
  }

  bool connect() {
    a->connect();
    b->connect();
    return runUntil([&] { return client.connected == 1 && server.connected == 1; });
  }

  Endpoint client;
  Endpoint server;
  std::unique_ptr<SctpAssociation> a;  // DTLS client: even stream ids
  std::unique_ptr<SctpAssociation> b;  // DTLS server: odd stream ids
  std::uint64_t dropped = 0;
  std::uint64_t simulatedMs = 0;

 private:
  void deliver(std::deque<Bytes>& queue, SctpAssociation& to) {
    std::vector<Bytes> batch(std::make_move_iterator(queue.begin()), std::make_move_iterator(queue.end()));
    queue.clear();
    if (reorderRate_ > 0) {
      for (std::size_t i = 1; i < batch.size(); ++i) {
        if (chance(reorderRate_)) std::swap(batch[i - 1], batch[i]);
      }
    }
    for (const Bytes& packet : batch) {
      if (lossRate_ > 0 && chance(lossRate_)) {
        ++dropped;
        continue;
      }
      to.onIncomingPacket(packet);
    }
  }

  bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p; }

  double lossRate_ = 0;
  double reorderRate_ = 0;
  std::mt19937 rng_{1};
};

TEST(SctpAssociation, ConnectsWithSimultaneousOpen) {
  Link link;
  EXPECT_EQ(link.a->state(), SctpState::New);
  ASSERT_TRUE(link.connect());
  EXPECT_EQ(link.a->state(), SctpState::Connected);
  EXPECT_EQ(link.b->state(), SctpState::Connected);
  EXPECT_GT(link.a->counters().packetsOut, 0u);
  EXPECT_GT(link.b->counters().packetsIn, 0u);
  EXPECT_EQ(link.a->maxMessageSize(), 65536u);
}

TEST(SctpAssociation, DcepOpenAndAckBothDirections) {
  Link link;
  ASSERT_TRUE(link.connect());

  const auto fromClient = link.a->openChannel("chat", "json");
  ASSERT_TRUE(fromClient.has_value());
  EXPECT_EQ(*fromClient % 2, 0) << "DTLS client opens even stream ids";
  const auto fromServer = link.b->openChannel("files", "", false, std::uint16_t{0});
  ASSERT_TRUE(fromServer.has_value());
  EXPECT_EQ(*fromServer % 2, 1) << "DTLS server opens odd stream ids";

  ASSERT_TRUE(link.runUntil([&] { return link.client.acked.size() == 1 && link.server.acked.size() == 1; }));
  ASSERT_EQ(link.server.opened.size(), 1u);
  EXPECT_EQ(link.server.opened[0].id, *fromClient);
  EXPECT_EQ(link.server.opened[0].label, "chat");
  EXPECT_EQ(link.server.opened[0].protocol, "json");
  EXPECT_EQ(link.server.opened[0].reliability, (DataChannelReliability{DataChannelKind::Reliable, true, 0}));
  ASSERT_EQ(link.client.opened.size(), 1u);
  EXPECT_EQ(link.client.opened[0].id, *fromServer);
  EXPECT_EQ(link.client.opened[0].label, "files");
  EXPECT_EQ(link.client.opened[0].reliability,
            (DataChannelReliability{DataChannelKind::PartialReliableRexmit, false, 0}));
  EXPECT_EQ(link.client.acked[0], *fromClient);
  EXPECT_EQ(link.server.acked[0], *fromServer);
  EXPECT_TRUE(link.a->hasChannel(*fromServer));
  EXPECT_TRUE(link.b->hasChannel(*fromClient));

  // The next channel takes the next id of the same parity.
  const auto second = link.a->openChannel("second", "");
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(*second, *fromClient + 2);
}

TEST(SctpAssociation, ReliableOrderedDeliversExactlyAndInOrder) {
  Link link;
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("reliable", "");
  ASSERT_TRUE(id.has_value());

  const std::vector<std::size_t> sizes = {1, 16 * 1024, 64 * 1024, 0, 7, 64 * 1024, 0};
  std::vector<Message> sent;
  for (std::size_t i = 0; i < sizes.size(); ++i) {
    const bool binary = i % 2 == 0;
    Bytes data = pattern(sizes[i], static_cast<std::uint32_t>(i + 1));
    if (!binary) std::fill(data.begin(), data.end(), static_cast<std::uint8_t>('a' + i));
    ASSERT_TRUE(link.a->send(*id, data, binary)) << i;
    sent.push_back({*id, std::move(data), binary});
  }
  ASSERT_TRUE(link.runUntil([&] { return link.server.messages.size() == sent.size(); }));
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(link.server.messages[i].id, *id);
    EXPECT_EQ(link.server.messages[i].binary, sent[i].binary) << i;
    EXPECT_EQ(link.server.messages[i].data, sent[i].data) << i;
  }
  EXPECT_EQ(link.a->counters().messagesOut, sent.size());
  EXPECT_EQ(link.b->counters().messagesIn, sent.size());

  // And back the other way on the same channel, before and after the ACK.
  const Bytes reply = pattern(64 * 1024, 99);
  ASSERT_TRUE(link.b->send(*id, reply, true));
  ASSERT_TRUE(link.runUntil([&] { return link.client.messages.size() == 1; }));
  EXPECT_EQ(link.client.messages[0].data, reply);
}

TEST(SctpAssociation, BurstBeyondSendBufferIsQueuedAndDeliveredInOrder) {
  Link link;
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("burst", "");
  ASSERT_TRUE(id.has_value());
  // 8 MiB without pumping in between: far beyond usrsctp's 1 MiB send buffer.
  constexpr std::uint32_t kCount = 128;
  std::size_t peakBuffered = 0;
  for (std::uint32_t i = 0; i < kCount; ++i) {
    ASSERT_TRUE(link.a->send(*id, pattern(64 * 1024, i), true)) << i;
    peakBuffered = std::max(peakBuffered, link.a->bufferedAmount());
  }
  EXPECT_GT(peakBuffered, 0u) << "the burst must actually have overflowed usrsctp's buffer";
  ASSERT_TRUE(link.runUntil([&] { return link.server.messages.size() == kCount; }));
  for (std::uint32_t i = 0; i < kCount; ++i) {
    ASSERT_EQ(link.server.messages[i].data, pattern(64 * 1024, i)) << i;
  }
  EXPECT_EQ(link.a->bufferedAmount(), 0u);
  EXPECT_EQ(link.a->counters().messagesOut, kCount);
  EXPECT_EQ(link.a->counters().sendFailures, 0u);
}

// What DTLS carries per record decides the SCTP packet size; usrsctp must never exceed it,
// whether fragmenting large messages, bundling small ones or retransmitting.
class SctpPathMtu : public ::testing::TestWithParam<std::uint16_t> {};

INSTANTIATE_TEST_SUITE_P(Sizes, SctpPathMtu,
                         ::testing::Values(SctpAssociation::kMinPathMtu, std::uint16_t{1132},
                                           std::uint16_t{1163}, std::uint16_t{1200}));

TEST_P(SctpPathMtu, NoPacketExceedsTheConfiguredPathMtu) {
  SctpAssociation::Config config;
  config.pathMtu = GetParam();
  Link link(config, config);
  link.impair(0.05, 0.05, 7);  // retransmissions and SACK bundling as well as fresh DATA
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("mtu", "");
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(link.runUntil([&] { return link.client.acked.size() == 1; }));

  std::vector<Bytes> sent;
  for (std::uint32_t i = 0; i < 8; ++i) {
    sent.push_back(pattern(i % 2 == 0 ? 64 * 1024 : 100 + i, i));
    ASSERT_TRUE(link.a->send(*id, sent.back(), true));
    ASSERT_TRUE(link.b->send(*id, sent.back(), true));
  }
  ASSERT_TRUE(link.runUntil(
      [&] { return link.server.messages.size() == sent.size() && link.client.messages.size() == sent.size(); }));
  for (std::size_t i = 0; i < sent.size(); ++i) {
    EXPECT_EQ(link.server.messages[i].data, sent[i]) << i;
    EXPECT_EQ(link.client.messages[i].data, sent[i]) << i;
  }
  EXPECT_LE(link.client.largestPacket, GetParam());
  EXPECT_LE(link.server.largestPacket, GetParam());
  // Large messages fill packets close to the limit: the limit is used, not just undercut.
  EXPECT_GT(link.client.largestPacket, GetParam() - 64u);
  EXPECT_GT(link.server.largestPacket, GetParam() - 64u);
}

TEST(SctpAssociation, RejectsAPathMtuTooSmallForUsrsctp) {
  std::deque<Bytes> wire;
  Endpoint endpoint(wire);
  SctpAssociation::Config config;
  config.pathMtu = SctpAssociation::kMinPathMtu - 1;
  const auto association = SctpAssociation::create(config, endpoint);
  ASSERT_FALSE(association.ok());
  EXPECT_EQ(association.code(), SctpError::InvalidArgument);
}

TEST(SctpAssociation, RejectsMessagesOverMaxSize) {
  Link link;
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("big", "");
  ASSERT_TRUE(id.has_value());
  const std::uint64_t failuresBefore = link.a->counters().sendFailures;
  EXPECT_FALSE(link.a->send(*id, Bytes(65537, 1), true));
  EXPECT_EQ(link.a->counters().sendFailures, failuresBefore + 1);
  EXPECT_FALSE(link.a->send(static_cast<std::uint16_t>(*id + 100), Bytes(3, 1), true)) << "no such channel";
}

TEST(SctpAssociation, ReceiverDropsMessagesOverItsMaxSizeAndRecovers) {
  SctpAssociation::Config small;
  small.maxMessageSize = 1000;
  Link link({}, small);
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("x", "");
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(link.a->send(*id, pattern(5000, 1), true));
  const Bytes fits = pattern(1000, 2);
  ASSERT_TRUE(link.a->send(*id, fits, true));
  ASSERT_TRUE(link.runUntil([&] { return !link.server.messages.empty(); }));
  ASSERT_EQ(link.server.messages.size(), 1u);
  EXPECT_EQ(link.server.messages[0].data, fits);
  EXPECT_EQ(link.b->counters().droppedMessages, 1u);
}

TEST(SctpAssociation, UnreliableUnorderedDeliversOnCleanLink) {
  Link link;
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("lossy", "", false, std::uint16_t{0});
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(link.runUntil([&] { return link.client.acked.size() == 1; }));

  std::multiset<Bytes> sent;
  for (std::uint32_t i = 0; i < 50; ++i) {
    Bytes data = pattern(100 + i * 37, i);
    ASSERT_TRUE(link.a->send(*id, data, true));
    sent.insert(std::move(data));
  }
  ASSERT_TRUE(link.runUntil([&] { return link.server.messages.size() == sent.size(); }));
  std::multiset<Bytes> received;
  for (const Message& m : link.server.messages) received.insert(m.data);
  EXPECT_EQ(received, sent);
  ASSERT_EQ(link.server.opened.size(), 1u);
  EXPECT_FALSE(link.server.opened[0].reliability.ordered);
  EXPECT_EQ(link.server.opened[0].reliability.kind, DataChannelKind::PartialReliableRexmit);
}

TEST(SctpAssociation, PreNegotiatedChannelNeedsNoDcep) {
  Link link;
  ASSERT_TRUE(link.connect());
  EXPECT_EQ(link.a->openChannel("neg", "", true, std::nullopt, std::uint16_t{7}), std::uint16_t{7});
  EXPECT_EQ(link.b->openChannel("neg", "", true, std::nullopt, std::uint16_t{7}), std::uint16_t{7});
  EXPECT_FALSE(link.a->openChannel("dup", "", true, std::nullopt, std::uint16_t{7}).has_value());

  const Bytes ping = {'p', 'i', 'n', 'g'};
  const Bytes pong = {'p', 'o', 'n', 'g'};
  ASSERT_TRUE(link.a->send(7, ping, false));
  ASSERT_TRUE(link.b->send(7, pong, false));
  ASSERT_TRUE(link.runUntil([&] { return link.client.messages.size() == 1 && link.server.messages.size() == 1; }));
  EXPECT_EQ(link.server.messages[0].data, ping);
  EXPECT_FALSE(link.server.messages[0].binary);
  EXPECT_EQ(link.client.messages[0].data, pong);
  EXPECT_TRUE(link.client.opened.empty());
  EXPECT_TRUE(link.server.opened.empty());
  EXPECT_TRUE(link.client.acked.empty());
  EXPECT_EQ(link.a->counters().malformedDcep + link.b->counters().malformedDcep, 0u);
}

TEST(SctpAssociation, LossyReorderingLinkStillDeliversReliableChannelInOrder) {
  Link link;
  link.impair(0.10, 0.10, 20261125);
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("reliable", "");
  ASSERT_TRUE(id.has_value());

  std::vector<Bytes> sent;
  for (std::uint32_t i = 0; i < 60; ++i) {
    // Every tenth message is max size, so reassembly across lost fragments is exercised too.
    Bytes data = pattern(i % 10 == 0 ? 64 * 1024 : 1 + (i * 977) % 20000, i);
    ASSERT_TRUE(link.a->send(*id, data, true)) << i;
    sent.push_back(std::move(data));
  }
  ASSERT_TRUE(link.runUntil([&] { return link.server.messages.size() >= sent.size(); }, 200000))
      << "received " << link.server.messages.size() << " stateA=" << int(link.a->state()) << " stateB=" << int(link.b->state())
      << " closedA=" << link.client.closed << " closedB=" << link.server.closed << " ms=" << link.simulatedMs << " dropped=" << link.dropped
      << " outA=" << link.a->counters().packetsOut << " inB=" << link.b->counters().packetsIn << " fails=" << link.a->counters().sendFailures;
  ASSERT_EQ(link.server.messages.size(), sent.size());
  for (std::size_t i = 0; i < sent.size(); ++i) EXPECT_EQ(link.server.messages[i].data, sent[i]) << i;
  EXPECT_GT(link.dropped, 0u) << "the impairment must actually have dropped packets";
  EXPECT_GT(link.simulatedMs, 0u) << "recovery needed usrsctp's retransmission timers";
  EXPECT_EQ(link.server.opened.size(), 1u) << "the OPEN is delivered once despite retransmissions";
}

TEST(SctpAssociation, ClosingAChannelResetsBothSides) {
  Link link;
  ASSERT_TRUE(link.connect());
  const auto keep = link.a->openChannel("keep", "");
  const auto gone = link.a->openChannel("gone", "");
  ASSERT_TRUE(keep && gone);
  ASSERT_TRUE(link.runUntil([&] { return link.client.acked.size() == 2; }));

  ASSERT_TRUE(link.a->closeChannel(*gone));
  EXPECT_FALSE(link.a->closeChannel(*gone)) << "already closing";
  EXPECT_FALSE(link.a->send(*gone, Bytes{1}, true));
  ASSERT_TRUE(link.runUntil([&] { return !link.client.closedChannels.empty() && !link.server.closedChannels.empty(); }));
  EXPECT_EQ(link.client.closedChannels, std::vector<std::uint16_t>{*gone});
  EXPECT_EQ(link.server.closedChannels, std::vector<std::uint16_t>{*gone});
  EXPECT_FALSE(link.a->hasChannel(*gone));
  EXPECT_FALSE(link.b->hasChannel(*gone));

  // The other channel is untouched, and the freed id can be opened again.
  ASSERT_TRUE(link.b->send(*keep, Bytes{42}, true));
  ASSERT_TRUE(link.runUntil([&] { return link.client.messages.size() == 1; }));
  EXPECT_EQ(link.client.messages[0].id, *keep);
  const auto reopened = link.a->openChannel("again", "");
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ(*reopened, *gone);
  ASSERT_TRUE(link.runUntil([&] { return link.server.opened.size() == 3; }));
  EXPECT_EQ(link.server.opened[2].label, "again");
}

TEST(SctpAssociation, UsesConfiguredSctpPorts) {
  SctpAssociation::Config client;
  client.localPort = 5001;
  client.remotePort = 5002;
  SctpAssociation::Config server;
  server.localPort = 5002;
  server.remotePort = 5001;
  Link link(client, server);
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("ports", "");
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(link.runUntil([&] { return link.server.opened.size() == 1; }));
}

TEST(SctpAssociation, MismatchedPortsNeverConnect) {
  SctpAssociation::Config client;
  client.remotePort = 6000;  // the server listens on 5000
  Link link(client, {});
  link.a->connect();
  link.b->connect();
  // The server answers an INIT for a port nobody listens on with an ABORT.
  ASSERT_TRUE(link.runUntil([&] { return link.client.closed == 1; }));
  EXPECT_EQ(link.client.connected + link.server.connected, 0);
  EXPECT_EQ(link.a->state(), SctpState::Closed);
  EXPECT_FALSE(link.a->openChannel("nope", "").has_value()) << "DCEP needs the association up";
}

TEST(SctpAssociation, ShutdownClosesBothSides) {
  Link link;
  ASSERT_TRUE(link.connect());
  link.a->shutdown();
  ASSERT_TRUE(link.runUntil([&] { return link.client.closed == 1 && link.server.closed == 1; })) << link.client.closed << link.server.closed << " ms=" << link.simulatedMs;
  EXPECT_EQ(link.a->state(), SctpState::Closed);
  EXPECT_EQ(link.b->state(), SctpState::Closed);
  EXPECT_FALSE(link.a->openChannel("late", "").has_value());
}

TEST(SctpAssociation, DataOnAStreamWithoutAChannelIsCountedAndDropped) {
  Link link;
  ASSERT_TRUE(link.connect());
  // Only the client declares the negotiated channel; the server has no channel on stream 9.
  ASSERT_TRUE(link.a->openChannel("one-sided", "", true, std::nullopt, std::uint16_t{9}).has_value());
  ASSERT_TRUE(link.a->send(9, Bytes{1, 2}, true));
  const auto id = link.a->openChannel("real", "");
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(link.a->send(*id, Bytes{3}, true));
  ASSERT_TRUE(link.runUntil([&] { return link.server.messages.size() == 1; }));
  EXPECT_EQ(link.server.messages[0].id, *id);
  EXPECT_EQ(link.b->counters().droppedMessages, 1u);
  EXPECT_EQ(link.b->counters().messagesIn, 1u);
}

TEST(SctpAssociation, AbortTellsThePeer) {
  Link link;
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("c", "");
  ASSERT_TRUE(id.has_value());
  link.b->abort();
  EXPECT_EQ(link.server.closed, 1) << "abort reports the close before returning";
  EXPECT_EQ(link.b->state(), SctpState::Closed);
  EXPECT_FALSE(link.b->send(*id, Bytes{1}, true));
  ASSERT_TRUE(link.runUntil([&] { return link.client.closed == 1; }, 10));
  EXPECT_EQ(link.a->state(), SctpState::Closed);
}

TEST(SctpAssociation, PeerClosesAChannelWeOpened) {
  Link link;
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("c", "");
  ASSERT_TRUE(id.has_value());
  ASSERT_TRUE(link.runUntil([&] { return link.server.opened.size() == 1; }));
  ASSERT_TRUE(link.b->closeChannel(*id));
  ASSERT_TRUE(link.runUntil([&] { return !link.client.closedChannels.empty() && !link.server.closedChannels.empty(); }));
  EXPECT_FALSE(link.a->hasChannel(*id));
  EXPECT_FALSE(link.a->send(*id, Bytes{1}, true));
}

TEST(SctpAssociation, JunkInputIsIgnored) {
  Link link;
  ASSERT_TRUE(link.connect());
  const auto id = link.a->openChannel("c", "");
  ASSERT_TRUE(id.has_value());
  std::mt19937 rng(7);
  for (int i = 0; i < 200; ++i) {
    Bytes junk = pattern(rng() % 300, static_cast<std::uint32_t>(i));
    link.b->onIncomingPacket(junk);
  }
  link.b->onIncomingPacket({});
  ASSERT_TRUE(link.a->send(*id, Bytes{1, 2, 3}, true));
  ASSERT_TRUE(link.runUntil([&] { return link.server.messages.size() == 1; }));
  EXPECT_EQ(link.b->state(), SctpState::Connected);
}

TEST(SctpAssociation, SeveralAssociationsInOneProcessStayApart) {
  Link first;
  Link second;
  ASSERT_TRUE(first.connect());
  ASSERT_TRUE(second.connect());
  EXPECT_EQ(UsrsctpLibrary::users(), 4);
  const auto id1 = first.a->openChannel("one", "");
  const auto id2 = second.a->openChannel("two", "");
  ASSERT_TRUE(id1 && id2);
  ASSERT_TRUE(first.a->send(*id1, Bytes{1}, true));
  ASSERT_TRUE(second.a->send(*id2, Bytes{2}, true));
  ASSERT_TRUE(first.runUntil([&] { return first.server.messages.size() == 1; }));
  ASSERT_TRUE(second.runUntil([&] { return second.server.messages.size() == 1; }));
  EXPECT_EQ(first.server.messages[0].data, Bytes{1});
  EXPECT_EQ(second.server.messages[0].data, Bytes{2});
  EXPECT_EQ(first.server.opened[0].label, "one");
  EXPECT_EQ(second.server.opened[0].label, "two");
}

TEST(SctpAssociation, LibraryIsReleasedWhenTheLastAssociationGoes) {
  {
    Link link;
    ASSERT_TRUE(link.connect());
    EXPECT_EQ(UsrsctpLibrary::users(), 2);
  }
  EXPECT_EQ(UsrsctpLibrary::users(), 0);
  EXPECT_FALSE(UsrsctpLibrary::initialised()) << "usrsctp_finish must have succeeded";
  // And it comes back for the next user.
  Link again;
  EXPECT_TRUE(UsrsctpLibrary::initialised());
  EXPECT_TRUE(again.connect());
}

}  // namespace
}  // namespace huddle::rtc
