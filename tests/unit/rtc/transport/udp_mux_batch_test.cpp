// UdpMux and UdpSocket batching over 127.0.0.1: a burst is read with few recvmmsg calls; what
// an endpoint sends while the mux dispatches a receive batch leaves in as few sendmmsg calls as
// the send batch allows; outside a dispatch sends stay immediate.

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "rtc/transport/udp_mux.h"
#include "rtc/transport/udp_socket.h"
#include "transport_test_util.h"

namespace huddle::rtc {
namespace {

using Bytes = std::vector<std::uint8_t>;

struct Sink final : UdpSocket::Listener {
  void onUdpPacket(UdpSocket& /*s*/, std::span<std::uint8_t> data, const StunAddress& from) override {
    packets.emplace_back(data.begin(), data.end());
    lastFrom = from;
    ++inBatch;
  }
  void onUdpBatchEnd(UdpSocket& /*s*/) override {
    batchSizes.push_back(inBatch);
    inBatch = 0;
  }
  std::vector<Bytes> packets;
  std::vector<std::size_t> batchSizes;
  std::size_t inBatch = 0;
  StunAddress lastFrom;
};

// Fans every datagram it receives out through the mux, like an SFU forwarding to subscribers.
struct FanOut final : UdpMux::Endpoint {
  void onMuxPacket(std::span<std::uint8_t> data, const StunAddress& /*from*/) override {
    ++received;
    if (onPacket) onPacket(data);
  }
  std::function<void(std::span<std::uint8_t>)> onPacket;
  int received = 0;
};

Bytes body(std::size_t size, std::uint8_t tag) {
  Bytes b(size, tag);
  b[0] = 0x80;  // RTP by its first byte
  return b;
}

class UdpMuxBatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = UdpMux::create(io, "127.0.0.1");
    ASSERT_TRUE(m);
    mux = std::move(m).value();
    auto s = UdpSocket::create(io, "127.0.0.1", 0, publisherSink);
    ASSERT_TRUE(s);
    publisher = std::move(s).value();
    for (auto& sink : sinks) {
      auto r = UdpSocket::create(io, "127.0.0.1", 0, sink);
      ASSERT_TRUE(r);
      subscribers.push_back(std::move(r).value());
    }
    mux->bindTuple(publisher->localAddress(), fanOut);
  }

  std::size_t totalReceived() const {
    std::size_t n = 0;
    for (const auto& s : sinks) n += s.packets.size();
    return n;
  }

  boost::asio::io_context io;
  std::unique_ptr<UdpMux> mux;
  Sink publisherSink;
  std::unique_ptr<UdpSocket> publisher;
  std::array<Sink, 10> sinks;
  std::vector<std::unique_ptr<UdpSocket>> subscribers;
  FanOut fanOut;
};

TEST_F(UdpMuxBatchTest, FanOutWithinOneDispatchLeavesInOneSendmmsg) {
  fanOut.onPacket = [&](std::span<std::uint8_t> data) {
    for (std::size_t i = 0; i < subscribers.size(); ++i) {
      data[1] = static_cast<std::uint8_t>(i);  // each copy differs, like per-subscriber SRTP
      EXPECT_TRUE(mux->send(data, subscribers[i]->localAddress()));
    }
  };
  const auto before = mux->socketCounters();
  ASSERT_TRUE(publisher->send(body(1200, 7), mux->localAddress()));
  ASSERT_TRUE(test::runUntil(io, [&] { return totalReceived() == sinks.size(); }));

  const auto after = mux->socketCounters();
  EXPECT_EQ(after.sendmmsgCalls - before.sendmmsgCalls, 1u);
  EXPECT_EQ(after.packetsSent - before.packetsSent, sinks.size());
  EXPECT_EQ(after.sendErrors, before.sendErrors);
  EXPECT_EQ(mux->stats().batchesFlushed, 1u);
  EXPECT_EQ(mux->stats().sendsBatched, sinks.size());
  for (std::size_t i = 0; i < sinks.size(); ++i) {
    ASSERT_EQ(sinks[i].packets.size(), 1u);
    const Bytes& got = sinks[i].packets[0];
    ASSERT_EQ(got.size(), 1200u);
    EXPECT_EQ(got[1], i);  // the copy made at send time, not the buffer's final state
    EXPECT_EQ(got[500], 7);
  }
}

TEST_F(UdpMuxBatchTest, SendsOutsideADispatchAreImmediate) {
  const auto before = mux->socketCounters();
  ASSERT_TRUE(mux->send(body(100, 1), subscribers[0]->localAddress()));
  EXPECT_EQ(mux->socketCounters().packetsSent - before.packetsSent, 1u);  // before any io
  EXPECT_EQ(mux->socketCounters().sendmmsgCalls, before.sendmmsgCalls);
  EXPECT_EQ(mux->stats().sendsBatched, 0u);
  ASSERT_TRUE(test::runUntil(io, [&] { return sinks[0].packets.size() == 1; }));
}

TEST_F(UdpMuxBatchTest, AFullBatchFlushesAndOrderIsKeptAcrossOversizeDatagrams) {
  constexpr std::size_t kSends = 150;  // more than two batches
  fanOut.onPacket = [&](std::span<std::uint8_t> /*data*/) {
    for (std::size_t i = 0; i < kSends; ++i) {
      const std::size_t size = i == 100 ? UdpMux::kBatchSlotSize + 200 : 200;
      Bytes b = body(size, static_cast<std::uint8_t>(i));
      b[1] = static_cast<std::uint8_t>(i);
      EXPECT_TRUE(mux->send(b, subscribers[0]->localAddress()));
    }
  };
  const auto before = mux->socketCounters();
  ASSERT_TRUE(publisher->send(body(50, 0), mux->localAddress()));
  ASSERT_TRUE(test::runUntil(io, [&] { return sinks[0].packets.size() == kSends; }));
  for (std::size_t i = 0; i < kSends; ++i) {
    EXPECT_EQ(sinks[0].packets[i][1], static_cast<std::uint8_t>(i)) << i;
  }
  EXPECT_EQ(sinks[0].packets[100].size(), UdpMux::kBatchSlotSize + 200);
  // 64 (full) + 36 (flushed before the oversize one, which goes alone) + 49 at the end.
  EXPECT_EQ(mux->stats().batchesFlushed, 3u);
  EXPECT_EQ(mux->socketCounters().sendmmsgCalls - before.sendmmsgCalls, 3u);
  EXPECT_EQ(mux->socketCounters().packetsSent - before.packetsSent, kSends);
}

TEST(UdpSocketBatch, MoreThanOneKernelBatchInOneCall) {
  boost::asio::io_context io;
  Sink a;
  Sink b;
  auto sa = UdpSocket::create(io, "127.0.0.1", 0, a);
  auto sb = UdpSocket::create(io, "127.0.0.1", 0, b);
  ASSERT_TRUE(sa && sb);
  std::vector<Bytes> bodies;
  for (std::size_t i = 0; i < UdpSocket::kMaxBatch + 6; ++i) bodies.push_back(body(40, static_cast<std::uint8_t>(i)));
  std::vector<UdpSocket::Datagram> batch;
  for (const auto& d : bodies) batch.push_back({d, (*sb)->localAddress()});
  EXPECT_EQ((*sa)->sendBatch(batch), bodies.size());
  EXPECT_EQ((*sa)->counters().sendmmsgCalls, 2u);
  ASSERT_TRUE(test::runUntil(io, [&] { return b.packets.size() == bodies.size(); }));
  EXPECT_EQ(b.packets.back(), bodies.back());
}

TEST(UdpSocketBatch, ABurstIsReadInKernelBatchesInOrderWithItsSender) {
  boost::asio::io_context io;
  Sink a;
  Sink b;
  auto sa = UdpSocket::create(io, "127.0.0.1", 0, a);
  auto sb = UdpSocket::create(io, "127.0.0.1", 0, b);
  ASSERT_TRUE(sa && sb);
  constexpr std::size_t kBurst = 2 * UdpSocket::kReceiveBatch + 8;
  std::vector<Bytes> bodies;
  for (std::size_t i = 0; i < kBurst; ++i) bodies.push_back(body(60 + i, static_cast<std::uint8_t>(i)));
  std::vector<UdpSocket::Datagram> burst;
  for (const auto& d : bodies) burst.push_back({d, (*sb)->localAddress()});
  // Loopback queues the whole burst before the receiver's first read.
  ASSERT_EQ((*sa)->sendBatch(burst), kBurst);
  ASSERT_TRUE(test::runUntil(io, [&] { return b.packets.size() == kBurst; }));
  EXPECT_EQ(b.packets, bodies);
  EXPECT_EQ(b.lastFrom, (*sa)->localAddress());
  EXPECT_EQ((*sb)->counters().recvmmsgCalls, 3u);
  EXPECT_EQ(b.batchSizes, (std::vector<std::size_t>{UdpSocket::kReceiveBatch, UdpSocket::kReceiveBatch, 8}));
  EXPECT_EQ((*sb)->counters().packetsReceived, kBurst);
}

TEST(UdpSocketBatch, AnOversizeDatagramIsDroppedAndCountedAndTheRestArrive) {
  boost::asio::io_context io;
  Sink a;
  Sink b;
  auto sa = UdpSocket::create(io, "127.0.0.1", 0, a);
  auto sb = UdpSocket::create(io, "127.0.0.1", 0, b);
  ASSERT_TRUE(sa && sb);
  const Bytes before = body(100, 1);
  const Bytes huge = body(UdpSocket::kReceiveSlotSize + 1, 2);
  const Bytes after = body(100, 3);
  for (const Bytes* d : {&before, &huge, &after}) ASSERT_TRUE((*sa)->send(*d, (*sb)->localAddress()));
  ASSERT_TRUE(test::runUntil(io, [&] { return b.packets.size() == 2; }));
  EXPECT_EQ(b.packets[0], before);
  EXPECT_EQ(b.packets[1], after);
  EXPECT_EQ((*sb)->counters().receiveTruncated, 1u);
  EXPECT_EQ((*sb)->counters().packetsReceived, 2u);
}

TEST_F(UdpMuxBatchTest, ABurstOfPublisherPacketsFansOutInFullSendBatches) {
  constexpr std::size_t kBurst = 20;  // one receive batch of 16, then one of 4
  fanOut.onPacket = [&](std::span<std::uint8_t> data) {
    for (std::size_t i = 0; i < subscribers.size(); ++i) {
      EXPECT_TRUE(mux->send(data, subscribers[i]->localAddress()));
    }
  };
  std::vector<Bytes> bodies;
  for (std::size_t i = 0; i < kBurst; ++i) bodies.push_back(body(300, static_cast<std::uint8_t>(i)));
  std::vector<UdpSocket::Datagram> burst;
  for (const auto& d : bodies) burst.push_back({d, mux->localAddress()});
  const auto before = mux->socketCounters();
  ASSERT_EQ(publisher->sendBatch(burst), kBurst);
  ASSERT_TRUE(test::runUntil(io, [&] { return totalReceived() == kBurst * sinks.size(); }));
  // 160 sends from the first receive batch leave as 64 + 64 + 32, the last 40 as one call:
  // 4 kernel calls where one per publisher packet would have made 20.
  EXPECT_EQ(mux->socketCounters().sendmmsgCalls - before.sendmmsgCalls, 4u);
  EXPECT_EQ(mux->socketCounters().recvmmsgCalls - before.recvmmsgCalls, 2u);
  for (const auto& sink : sinks) {
    ASSERT_EQ(sink.packets.size(), kBurst);
    for (std::size_t i = 0; i < kBurst; ++i) EXPECT_EQ(sink.packets[i][200], static_cast<std::uint8_t>(i));
  }
}

}  // namespace
}  // namespace huddle::rtc
