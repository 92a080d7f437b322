#include "rtc/dtls/dtls_transport.h"

#include "rtc/dtls/openssl_library.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

namespace huddle::rtc {
namespace {

using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

// Records what one transport reports through its listener.
struct Endpoint final : DtlsTransport::Listener {
  std::function<void(std::span<const std::uint8_t>)> wire;
  std::vector<Bytes> sent;  // every datagram, in order, for inspection
  int connectedCount = 0;
  int closedCount = 0;
  int failedCount = 0;
  std::string failure;
  DtlsRole reportedRole{};
  DtlsSrtpProfile profile{};
  SrtpKeyingMaterial keys;
  std::vector<Bytes> received;
  std::unique_ptr<DtlsTransport> transport;
  // Optional reactions, run inside the callback as an owner's would.
  std::function<void(DtlsTransport&)> whenConnected;
  std::function<void(DtlsTransport&)> whenData;

  void onDtlsSendData(DtlsTransport&, std::span<const std::uint8_t> datagram) override {
    sent.emplace_back(datagram.begin(), datagram.end());
    if (wire) wire(datagram);
  }
  void onDtlsConnected(DtlsTransport&, DtlsRole role, DtlsSrtpProfile p,
                       const SrtpKeyingMaterial& k) override {
    ++connectedCount;
    reportedRole = role;
    profile = p;
    keys = k;
    if (whenConnected) whenConnected(*transport);
  }
  void onDtlsApplicationData(DtlsTransport&, std::span<const std::uint8_t> data) override {
    received.emplace_back(data.begin(), data.end());
    if (whenData) whenData(*transport);
  }
  void onDtlsFailed(DtlsTransport&, std::string_view reason) override {
    ++failedCount;
    failure = std::string(reason);
  }
  void onDtlsClosed(DtlsTransport&) override { ++closedCount; }
};

// Two transports joined by an in-memory wire that can drop, duplicate and reorder datagrams.
// Nothing is delivered from inside a callback: datagrams queue and the loop delivers them, as a
// socket would.
class DtlsPair {
 public:
  struct Packet {
    int to;  // 0 = client, 1 = server
    Bytes bytes;
  };
  // Decides the fate of each datagram as it is sent: false drops it. `index` counts datagrams
  // sent by that side so far, from 0.
  std::function<bool(int from, std::size_t index)> keep = [](int, std::size_t) { return true; };
  bool reorder = false;
  double duplicateProbability = 0;
  std::mt19937 rng{1};

  static std::shared_ptr<const DtlsCertificate> makeCertificate() {
    auto cert = DtlsCertificate::generate();
    EXPECT_TRUE(cert.ok());
    return std::move(cert).value();
  }

  DtlsPair() : clientCert_(makeCertificate()), serverCert_(makeCertificate()) {
    OpenSslLibrary::init();
    clientConfig.role = DtlsRole::Client;
    clientConfig.remoteFingerprint = serverCert_->fingerprint();
    serverConfig.role = DtlsRole::Server;
    serverConfig.remoteFingerprint = clientCert_->fingerprint();
    // Short timers keep the lossy tests quick (see waitForTimers()), yet long enough that a
    // slow sanitizer build on a loaded machine does not hit them between two loop steps.
    for (auto* c : {&clientConfig, &serverConfig}) {
      c->initialRetransmitTimeout = 50ms;
      c->maxRetransmitTimeout = 50ms;
    }
  }

  DtlsTransport::Config clientConfig;
  DtlsTransport::Config serverConfig;
  Endpoint client;
  Endpoint server;

  [[nodiscard]] ::testing::AssertionResult create() {
    auto c = DtlsTransport::create(clientCert_, clientConfig, client);
    auto s = DtlsTransport::create(serverCert_, serverConfig, server);
    if (!c.ok()) return ::testing::AssertionFailure() << c.message();
    if (!s.ok()) return ::testing::AssertionFailure() << s.message();
    client.transport = std::move(c).value();
    server.transport = std::move(s).value();
    client.wire = [this](std::span<const std::uint8_t> d) { enqueue(0, d); };
    server.wire = [this](std::span<const std::uint8_t> d) { enqueue(1, d); };
    return ::testing::AssertionSuccess();
  }

  void start() {
    server.transport->start();
    client.transport->start();
  }

  void enqueue(int from, std::span<const std::uint8_t> datagram) {
    const std::size_t index = sentCount_[from]++;
    if (!keep(from, index)) {
      ++dropped;
      return;
    }
    queue_.push_back({1 - from, Bytes(datagram.begin(), datagram.end())});
    if (duplicateProbability > 0 &&
        std::uniform_real_distribution<>(0, 1)(rng) < duplicateProbability) {
      queue_.push_back({1 - from, Bytes(datagram.begin(), datagram.end())});
      ++duplicated;
    }
  }

  Endpoint& at(int index) { return index == 0 ? client : server; }

  // Delivers queued datagrams and fires retransmission timers until `done` holds, nothing is
  // left to do, or the step budget runs out.
  bool runUntil(const std::function<bool()>& done, int maxSteps = 5000) {
    for (int step = 0; step < maxSteps; ++step) {
      if (done()) return true;
      if (!queue_.empty()) {
        std::size_t pick = 0;
        if (reorder) pick = std::uniform_int_distribution<std::size_t>(0, queue_.size() - 1)(rng);
        Packet packet = std::move(queue_[pick]);
        queue_.erase(queue_.begin() + static_cast<std::ptrdiff_t>(pick));
        at(packet.to).transport->onIncomingData(packet.bytes);
        continue;
      }
      if (!waitForTimers()) return done();
    }
    return done();
  }

  bool bothConnected() const {
    return client.transport->state() == DtlsState::Connected &&
           server.transport->state() == DtlsState::Connected;
  }

  bool handshake(int maxSteps = 5000) {
    return runUntil([this] { return bothConnected(); }, maxSteps);
  }

  std::size_t queued() const { return queue_.size(); }
  std::size_t dropped = 0;
  std::size_t duplicated = 0;
  std::size_t timerWaits = 0;

 private:
  // The wire is idle: act as the owner's timer. OpenSSL keeps its retransmission deadline in
  // real time (gettimeofday) and offers no way to fire it early, so the loop waits out the
  // remaining few milliseconds of the earliest timer instead of faking a clock. This is the only
  // real waiting in these tests; it is bounded by the timer settings above, not a guess about
  // another thread.
  bool waitForTimers() {
    std::optional<std::chrono::microseconds> earliest;
    for (Endpoint* e : {&client, &server}) {
      if (const auto t = e->transport->nextTimeout())
        earliest = std::min(earliest.value_or(*t), *t);
    }
    if (!earliest) return false;
    ++timerWaits;
    if (*earliest > 0us) std::this_thread::sleep_for(*earliest);
    for (Endpoint* e : {&client, &server}) {
      const auto t = e->transport->nextTimeout();
      if (t && *t == 0us) e->transport->handleTimeout();
    }
    return true;
  }

  std::shared_ptr<const DtlsCertificate> clientCert_;
  std::shared_ptr<const DtlsCertificate> serverCert_;
  std::deque<Packet> queue_;
  std::size_t sentCount_[2] = {0, 0};
};

void expectMirroredKeys(const Endpoint& client, const Endpoint& server) {
  EXPECT_EQ(client.profile, server.profile);
  EXPECT_EQ(client.keys.localKey, server.keys.remoteKey);
  EXPECT_EQ(client.keys.localSalt, server.keys.remoteSalt);
  EXPECT_EQ(client.keys.remoteKey, server.keys.localKey);
  EXPECT_EQ(client.keys.remoteSalt, server.keys.localSalt);
  EXPECT_NE(client.keys.localKey, client.keys.remoteKey);
}

TEST(DtlsTransport, HandshakeExportsMirroredSrtpKeys) {
  DtlsPair pair;
  ASSERT_TRUE(pair.create());
  EXPECT_EQ(pair.client.transport->state(), DtlsState::New);
  pair.start();
  EXPECT_EQ(pair.client.transport->state(), DtlsState::Connecting);
  ASSERT_TRUE(pair.handshake());

  EXPECT_EQ(pair.client.connectedCount, 1);
  EXPECT_EQ(pair.server.connectedCount, 1);
  EXPECT_EQ(pair.client.reportedRole, DtlsRole::Client);
  EXPECT_EQ(pair.server.reportedRole, DtlsRole::Server);
  // Both offer GCM first, so GCM wins.
  EXPECT_EQ(pair.client.profile, DtlsSrtpProfile::AeadAes128Gcm);
  EXPECT_EQ(pair.client.keys.localKey.size(), 16u);
  EXPECT_EQ(pair.client.keys.localSalt.size(), 12u);
  expectMirroredKeys(pair.client, pair.server);
  EXPECT_EQ(pair.client.failedCount + pair.server.failedCount, 0);
  EXPECT_EQ(pair.client.transport->failureReason(), "");
  // Nothing left to retransmit once the client has the server's Finished.
  EXPECT_FALSE(pair.client.transport->nextTimeout().has_value());

  // Every datagram respects the MTU.
  for (const Endpoint* e : {&pair.client, &pair.server}) {
    for (const Bytes& d : e->sent) {
      EXPECT_LE(d.size(), 1200u);
      EXPECT_TRUE(DtlsTransport::isDtlsRecord(d));
      EXPECT_TRUE(DtlsRecordView::countRecords(d).has_value());
    }
  }
}

TEST(DtlsTransport, ClientHelloIsAPlainEpochZeroHandshakeRecord) {
  DtlsPair pair;
  ASSERT_TRUE(pair.create());
  pair.client.transport->start();
  ASSERT_EQ(pair.client.sent.size(), 1u);
  const Bytes& hello = pair.client.sent.front();
  const auto record = DtlsRecordView::parse(hello);
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->contentType(), DtlsContentType::Handshake);
  EXPECT_EQ(record->epoch(), 0);
  EXPECT_EQ(record->sequenceNumber(), 0u);
  ASSERT_GE(record->fragment().size(), 1u);
  EXPECT_EQ(record->fragment()[0], 1);  // handshake type client_hello
  // The retransmission timer runs from the configured 50 ms (no wall-clock lower bound: a
  // loaded machine may already have eaten into it).
  const auto timeout = pair.client.transport->nextTimeout();
  ASSERT_TRUE(timeout.has_value());
  EXPECT_LE(*timeout, 50ms);
  EXPECT_FALSE(pair.server.transport->nextTimeout().has_value());  // server not started

  // Refreshes the fuzz seed when asked: HUDDLE_DTLS_CORPUS_DIR=tests/fuzz/dtls/corpus.
  if (const char* dir = std::getenv("HUDDLE_DTLS_CORPUS_DIR")) {
    std::ofstream out(std::string(dir) + "/client_hello.bin", std::ios::binary);
    out.write(reinterpret_cast<const char*>(hello.data()),
              static_cast<std::streamsize>(hello.size()));
  }
}

TEST(DtlsTransport, NegotiatesAesCmWhenThatIsAllTheClientOffers) {
  DtlsPair pair;
  pair.clientConfig.srtpProfiles = {DtlsSrtpProfile::Aes128CmSha1_80};
  ASSERT_TRUE(pair.create());
  pair.start();
  ASSERT_TRUE(pair.handshake());
  EXPECT_EQ(pair.client.profile, DtlsSrtpProfile::Aes128CmSha1_80);
  EXPECT_EQ(pair.client.keys.localKey.size(), 16u);
  EXPECT_EQ(pair.client.keys.localSalt.size(), 14u);
  expectMirroredKeys(pair.client, pair.server);
}

TEST(DtlsTransport, FailsWithoutACommonSrtpProfile) {
  DtlsPair pair;
  pair.clientConfig.srtpProfiles = {DtlsSrtpProfile::Aes128CmSha1_80};
  pair.serverConfig.srtpProfiles = {DtlsSrtpProfile::AeadAes128Gcm};
  ASSERT_TRUE(pair.create());
  pair.start();
  pair.runUntil([&] { return pair.client.failedCount > 0; });
  EXPECT_EQ(pair.client.transport->state(), DtlsState::Failed);
  EXPECT_NE(pair.client.failure.find("SRTP"), std::string::npos) << pair.client.failure;
  EXPECT_EQ(pair.client.connectedCount, 0);
}

TEST(DtlsTransport, CreateRejectsAnEmptyProfileList) {
  auto cert = DtlsCertificate::generate();
  ASSERT_TRUE(cert.ok());
  Endpoint endpoint;
  DtlsTransport::Config config;
  config.srtpProfiles.clear();
  const auto transport = DtlsTransport::create(cert.value(), config, endpoint);
  ASSERT_FALSE(transport.ok());
  EXPECT_EQ(transport.code(), DtlsError::ContextSetup);
}

TEST(DtlsTransport, CarriesApplicationDataBothWays) {
  DtlsPair pair;
  ASSERT_TRUE(pair.create());
  pair.start();
  ASSERT_TRUE(pair.handshake());

  const Bytes toServer(1000, 0x5a);
  Bytes toClient(37);
  for (std::size_t i = 0; i < toClient.size(); ++i) toClient[i] = static_cast<std::uint8_t>(i);
  EXPECT_TRUE(pair.client.transport->sendApplicationData(toServer));
  EXPECT_TRUE(pair.server.transport->sendApplicationData(toClient));
  EXPECT_TRUE(pair.client.transport->sendApplicationData(toServer));
  ASSERT_TRUE(pair.runUntil(
      [&] { return pair.server.received.size() == 2 && !pair.client.received.empty(); }));
  EXPECT_EQ(pair.server.received[0], toServer);
  EXPECT_EQ(pair.server.received[1], toServer);
  ASSERT_EQ(pair.client.received.size(), 1u);
  EXPECT_EQ(pair.client.received[0], toClient);

  // The datagram on the wire is an encrypted epoch-1 application-data record.
  const auto record = DtlsRecordView::parse(pair.client.sent.back());
  ASSERT_TRUE(record.has_value());
  EXPECT_EQ(record->contentType(), DtlsContentType::ApplicationData);
  EXPECT_EQ(record->epoch(), 1);

  // Too big for one datagram, or empty: refused rather than fragmented.
  const std::size_t max = pair.client.transport->maxApplicationDataSize();
  EXPECT_GT(max, 1100u);
  EXPECT_LT(max, 1200u);
  EXPECT_TRUE(pair.client.transport->sendApplicationData(Bytes(max, 1)));
  EXPECT_FALSE(pair.client.transport->sendApplicationData(Bytes(max + 1, 1)));
  EXPECT_FALSE(pair.client.transport->sendApplicationData({}));
}

TEST(DtlsTransport, RefusesApplicationDataBeforeConnected) {
  DtlsPair pair;
  ASSERT_TRUE(pair.create());
  const Bytes data(10, 1);
  EXPECT_FALSE(pair.client.transport->sendApplicationData(data));
  pair.start();
  EXPECT_FALSE(pair.client.transport->sendApplicationData(data));
  EXPECT_EQ(pair.client.transport->maxApplicationDataSize(), 0u);
}

TEST(DtlsTransport, ClientFailsOnServerFingerprintMismatch) {
  DtlsPair pair;
  pair.clientConfig.remoteFingerprint.digest[5] ^= 0x01;
  ASSERT_TRUE(pair.create());
  pair.start();
  pair.runUntil([&] { return pair.client.failedCount > 0 && pair.server.failedCount > 0; });

  EXPECT_EQ(pair.client.transport->state(), DtlsState::Failed);
  EXPECT_EQ(pair.client.failedCount, 1);
  EXPECT_NE(pair.client.failure.find("fingerprint mismatch"), std::string::npos)
      << pair.client.failure;
  EXPECT_EQ(pair.client.transport->failureReason(), pair.client.failure);
  EXPECT_EQ(pair.client.connectedCount, 0);
  // The client's bad_certificate alert fails the server too, before it derives any key.
  EXPECT_EQ(pair.server.transport->state(), DtlsState::Failed);
  EXPECT_EQ(pair.server.connectedCount, 0);
  EXPECT_NE(pair.server.failure.find("alert"), std::string::npos) << pair.server.failure;
  // Failed is terminal: no timers, no sends, input dropped.
  EXPECT_FALSE(pair.client.transport->nextTimeout().has_value());
  EXPECT_FALSE(pair.client.transport->sendApplicationData(Bytes(4, 0)));
  const auto droppedBefore = pair.client.transport->stats().datagramsDroppedState;
  pair.client.transport->onIncomingData(pair.server.sent.front());
  EXPECT_EQ(pair.client.transport->stats().datagramsDroppedState, droppedBefore + 1);
}

TEST(DtlsTransport, ServerFailsOnClientFingerprintMismatch) {
  DtlsPair pair;
  pair.serverConfig.remoteFingerprint.digest[31] ^= 0x80;
  ASSERT_TRUE(pair.create());
  pair.start();
  pair.runUntil([&] { return pair.server.failedCount > 0 && pair.client.failedCount > 0; });

  EXPECT_EQ(pair.server.transport->state(), DtlsState::Failed);
  EXPECT_NE(pair.server.failure.find("fingerprint mismatch"), std::string::npos)
      << pair.server.failure;
  EXPECT_EQ(pair.server.connectedCount, 0);
  EXPECT_EQ(pair.client.connectedCount, 0);
  EXPECT_EQ(pair.client.transport->state(), DtlsState::Failed);
}

// Index of the server's first datagram that opens its final flight (ChangeCipherSpec) in a
// loss-free run; the datagrams before it are its first flight.
std::size_t serverFinalFlightIndex() {
  DtlsPair probe;
  EXPECT_TRUE(probe.create());
  probe.start();
  EXPECT_TRUE(probe.handshake());
  for (std::size_t i = 0; i < probe.server.sent.size(); ++i) {
    const auto record = DtlsRecordView::parse(probe.server.sent[i]);
    if (record && record->contentType() == DtlsContentType::ChangeCipherSpec) return i;
  }
  ADD_FAILURE() << "no ChangeCipherSpec from the server";
  return 0;
}

TEST(DtlsTransport, RecoversWhenFirstFlightsAreLost) {
  const std::size_t serverFirstFlight = serverFinalFlightIndex();
  ASSERT_GE(serverFirstFlight, 1u);
  DtlsPair pair;
  // Lose the ClientHello twice and every datagram of the server's first flight once.
  pair.keep = [&](int from, std::size_t index) {
    return from == 0 ? index >= 2 : index >= serverFirstFlight;
  };
  ASSERT_TRUE(pair.create());
  pair.start();
  ASSERT_TRUE(pair.handshake()) << "client=" << toString(pair.client.transport->state()) << " "
                                << pair.client.failure
                                << " server=" << toString(pair.server.transport->state()) << " "
                                << pair.server.failure;
  EXPECT_EQ(pair.dropped, 2 + serverFirstFlight);
  EXPECT_GE(pair.client.transport->stats().retransmitTimeouts, 2u);
  expectMirroredKeys(pair.client, pair.server);
}

bool opensFinalFlight(std::span<const std::uint8_t> datagram) {
  const auto record = DtlsRecordView::parse(datagram);
  return record && record->contentType() == DtlsContentType::ChangeCipherSpec;
}

TEST(DtlsTransport, LosingTheFinalFlightIsRepairedByTheClientsRetransmission) {
  DtlsPair pair;
  // Drop the server's ChangeCipherSpec+Finished once: the client retransmits its last flight,
  // and the already-connected server must answer it by resending.
  bool droppedOnce = false;
  pair.keep = [&](int from, std::size_t index) {
    if (from == 0 || droppedOnce || !opensFinalFlight(pair.server.sent.at(index))) return true;
    droppedOnce = true;
    return false;
  };
  ASSERT_TRUE(pair.create());
  pair.start();
  ASSERT_TRUE(pair.handshake()) << pair.client.failure << pair.server.failure;
  EXPECT_EQ(pair.dropped, 1u);
  EXPECT_EQ(pair.server.connectedCount, 1);
  EXPECT_GE(std::count_if(pair.server.sent.begin(), pair.server.sent.end(),
                          [](const Bytes& d) { return opensFinalFlight(d); }),
            2);
  expectMirroredKeys(pair.client, pair.server);
}

// One test over many seeds rather than one test per seed: a handshake is only a handful of
// datagrams, so a single seed may spare all of them, but ten seeds together must not.
TEST(DtlsTransport, CompletesWithThirtyPercentRandomLoss) {
  std::size_t handshakeDrops = 0;
  for (const unsigned seed : {1u, 2u, 3u, 4u, 5u, 6u, 7u, 8u, 42u, 1234u}) {
    SCOPED_TRACE("seed=" + std::to_string(seed));
    DtlsPair pair;
    std::mt19937 lossRng(seed);
    pair.keep = [&](int, std::size_t) {
      return std::uniform_real_distribution<>(0, 1)(lossRng) >= 0.3;
    };
    ASSERT_TRUE(pair.create());
    pair.start();
    ASSERT_TRUE(pair.handshake(20000))
        << "client=" << toString(pair.client.transport->state()) << " " << pair.client.failure
        << " server=" << toString(pair.server.transport->state()) << " " << pair.server.failure;
    handshakeDrops += pair.dropped;
    expectMirroredKeys(pair.client, pair.server);

    // Application data still flows; the wire keeps dropping, so send until one gets through.
    const Bytes payload = {1, 2, 3, 4};
    for (int i = 0; i < 50 && pair.server.received.empty(); ++i) {
      ASSERT_TRUE(pair.client.transport->sendApplicationData(payload));
      pair.runUntil([&] { return pair.queued() == 0; });
    }
    ASSERT_FALSE(pair.server.received.empty());
    EXPECT_EQ(pair.server.received.front(), payload);
  }
  EXPECT_GE(handshakeDrops, 5u);
}

TEST(DtlsTransport, CompletesWithReorderedAndDuplicatedDatagrams) {
  for (const unsigned seed : {7u, 8u, 9u}) {
    DtlsPair pair;
    pair.rng.seed(seed);
    pair.reorder = true;
    pair.duplicateProbability = 0.5;
    ASSERT_TRUE(pair.create());
    pair.start();
    ASSERT_TRUE(pair.handshake()) << "seed=" << seed << " " << pair.client.failure
                                  << pair.server.failure;
    EXPECT_GT(pair.duplicated, 0u);
    expectMirroredKeys(pair.client, pair.server);
    EXPECT_EQ(pair.client.connectedCount, 1);
    EXPECT_EQ(pair.server.connectedCount, 1);

    // Duplicated application data reaches the peer once: DTLS replay protection.
    pair.duplicateProbability = 1.0;
    ASSERT_TRUE(pair.client.transport->sendApplicationData(Bytes{9, 9}));
    pair.runUntil([&] { return pair.queued() == 0; });
    EXPECT_EQ(pair.server.received.size(), 1u);
  }
}

TEST(DtlsTransport, RejectsAndCountsGarbageWithoutDerailingTheHandshake) {
  DtlsPair pair;
  ASSERT_TRUE(pair.create());
  pair.start();
  DtlsTransport& server = *pair.server.transport;

  // Not DTLS at all: STUN, RTP, empty.
  server.onIncomingData(Bytes{0x00, 0x01, 0x00, 0x00});
  server.onIncomingData(Bytes{0x80, 0x60, 0x00, 0x01});
  server.onIncomingData({});
  EXPECT_EQ(server.stats().datagramsDroppedNotDtls, 3u);
  // DTLS first byte but broken headers: truncated, unknown type, TLS version, overlong length.
  server.onIncomingData(Bytes{0x16, 0xfe, 0xfd, 0x00});
  server.onIncomingData(Bytes{0x3f, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  server.onIncomingData(Bytes{0x16, 0x03, 0x03, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  server.onIncomingData(Bytes{0x16, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 1});
  EXPECT_EQ(server.stats().datagramsDroppedMalformed, 4u);
  EXPECT_EQ(server.state(), DtlsState::Connecting);
  // Well-formed headers around random bytes in epoch 1: OpenSSL discards them silently.
  std::mt19937 rng(99);
  for (int i = 0; i < 20; ++i) {
    Bytes record = {0x17, 0xfe, 0xfd, 0x00, 0x01, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(i),
                    0,    48};
    for (int j = 0; j < 48; ++j) record.push_back(static_cast<std::uint8_t>(rng()));
    server.onIncomingData(record);
    pair.client.transport->onIncomingData(record);
  }
  EXPECT_EQ(server.state(), DtlsState::Connecting);

  ASSERT_TRUE(pair.handshake()) << pair.client.failure << pair.server.failure;
  EXPECT_EQ(server.stats().datagramsReceived, server.stats().datagramsDroppedNotDtls +
                                                  server.stats().datagramsDroppedMalformed +
                                                  server.stats().datagramsDroppedState + 20 +
                                                  pair.client.sent.size() - pair.queued());

  // And once connected, forged application data changes nothing.
  for (int i = 0; i < 20; ++i) {
    Bytes record = {0x17, 0xfe, 0xfd, 0x00, 0x01, 0, 0, 0, 0, 1, static_cast<std::uint8_t>(i),
                    0,    40};
    for (int j = 0; j < 40; ++j) record.push_back(static_cast<std::uint8_t>(rng()));
    server.onIncomingData(record);
  }
  EXPECT_EQ(server.state(), DtlsState::Connected);
  EXPECT_TRUE(pair.server.received.empty());
  ASSERT_TRUE(pair.client.transport->sendApplicationData(Bytes{1}));
  pair.runUntil([&] { return pair.queued() == 0; });
  EXPECT_EQ(pair.server.received.size(), 1u);
}

TEST(DtlsTransport, CloseNotifyReachesThePeer) {
  DtlsPair pair;
  ASSERT_TRUE(pair.create());
  pair.start();
  ASSERT_TRUE(pair.handshake());
  const std::size_t sentBefore = pair.client.sent.size();
  pair.client.transport->close();
  EXPECT_EQ(pair.client.transport->state(), DtlsState::Closed);
  ASSERT_EQ(pair.client.sent.size(), sentBefore + 1);
  const auto alert = DtlsRecordView::parse(pair.client.sent.back());
  ASSERT_TRUE(alert.has_value());
  EXPECT_EQ(alert->contentType(), DtlsContentType::Alert);

  ASSERT_TRUE(pair.runUntil([&] { return pair.server.closedCount > 0; }));
  EXPECT_EQ(pair.server.closedCount, 1);
  EXPECT_EQ(pair.server.transport->state(), DtlsState::Closed);
  EXPECT_EQ(pair.client.closedCount, 0);  // the closing side is not told about its own close
  EXPECT_EQ(pair.server.failedCount + pair.client.failedCount, 0);
  EXPECT_FALSE(pair.client.transport->sendApplicationData(Bytes{1}));
  EXPECT_FALSE(pair.server.transport->sendApplicationData(Bytes{1}));
  // A second close is harmless.
  pair.client.transport->close();
  EXPECT_EQ(pair.client.sent.size(), sentBefore + 1);
}

TEST(DtlsTransport, ListenerMaySendFromConnectedAndCloseFromData) {
  DtlsPair pair;
  ASSERT_TRUE(pair.create());
  // SCTP sends its INIT as soon as DTLS is up, from inside the callback.
  const Bytes init = {0x13, 0x88, 0x13, 0x88};
  pair.server.whenConnected = [&](DtlsTransport& t) { EXPECT_TRUE(t.sendApplicationData(init)); };
  pair.client.whenData = [](DtlsTransport& t) { t.close(); };
  pair.start();
  ASSERT_TRUE(pair.runUntil([&] { return pair.server.closedCount > 0; }));
  ASSERT_EQ(pair.client.received.size(), 1u);
  EXPECT_EQ(pair.client.received[0], init);
  EXPECT_EQ(pair.client.transport->state(), DtlsState::Closed);
  EXPECT_EQ(pair.server.transport->state(), DtlsState::Closed);
  EXPECT_EQ(pair.client.transport->stats().datagramsSent, pair.client.sent.size());
  EXPECT_EQ(pair.server.transport->stats().datagramsSent, pair.server.sent.size());
}

TEST(DtlsTransport, ServerStartsOnAClientHelloThatBeatsStart) {
  DtlsPair pair;
  ASSERT_TRUE(pair.create());
  pair.client.transport->start();  // the server's owner has not called start() yet
  ASSERT_TRUE(pair.handshake());
  expectMirroredKeys(pair.client, pair.server);
}

TEST(DtlsTransport, GivesUpWhenThePeerNeverAnswers) {
  DtlsPair pair;
  pair.keep = [](int from, std::size_t) { return from != 0; };  // the client is never heard
  ASSERT_TRUE(pair.create());
  pair.start();
  pair.runUntil([&] { return pair.client.failedCount > 0; }, 100);
  EXPECT_EQ(pair.client.transport->state(), DtlsState::Failed);
  EXPECT_NE(pair.client.failure.find("retransmission limit"), std::string::npos)
      << pair.client.failure;
  EXPECT_EQ(pair.server.transport->state(), DtlsState::Connecting);
}

}  // namespace
}  // namespace huddle::rtc
