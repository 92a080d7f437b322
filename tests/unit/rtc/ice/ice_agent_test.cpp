#include "rtc/ice/ice_agent.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/clock.h"
#include "ice_test_network.h"
#include "rtc/ice/ice_lite_server.h"
#include "rtc/ice/stun_message.h"

namespace huddle::rtc {
namespace {

using namespace std::chrono_literals;
using test::addr;
using test::AgentPeer;
using test::Bytes;
using test::LitePeer;
using test::runFor;
using test::TestNetwork;
using test::timerOf;

const IceCredentials kServerCreds{"srvUfrag", "serverPassword0123456789"};
const IceCredentials kClientCreds{"cliUfrag", "clientPassword0123456789"};

constexpr IceSocketHandle kClientV4 = 1;
constexpr IceSocketHandle kClientV6 = 2;
constexpr IceSocketHandle kServerV4 = 10;
constexpr IceSocketHandle kServerV6 = 11;

// Host candidate priorities the SFU would put in its SDP (IPv6 preferred, RFC 8421).
const std::uint32_t kServerV4Priority = iceCandidatePriority(kIceTypePreferenceHost, 65534);
const std::uint32_t kServerV6Priority = iceCandidatePriority(kIceTypePreferenceHost, 65535);

// One SDK agent against one SFU ICE-lite server over 127.0.0.1 (and ::1 when asked).
class AgentLiteTest : public ::testing::Test {
 protected:
  explicit AgentLiteTest(std::uint32_t seed = 1)
      : net_(seed), client_(net_, clock_, kClientCreds), server_(net_, clock_, kServerCreds) {
    server_.addSocket(serverV4_, kServerV4);
    server_.server.setRemoteCredentials(kClientCreds.ufrag, kClientCreds.pwd);
    client_.agent.setRemoteCredentials(kServerCreds.ufrag, kServerCreds.pwd);
  }

  void useIpv4Only() {
    client_.addSocket(clientV4_, kClientV4);
    client_.agent.addRemoteCandidate(serverV4_, kServerV4Priority);
    client_.agent.setRemoteEndOfCandidates();
  }

  bool run(std::chrono::milliseconds d) {
    return runFor(clock_, net_, {timerOf(client_.agent), timerOf(server_.server)}, d);
  }

  void expectAgreement() {
    ASSERT_NE(client_.agent.selectedPair(), nullptr);
    ASSERT_NE(server_.server.selectedTuple(), nullptr);
    const auto& pair = *client_.agent.selectedPair();
    const auto& tuple = *server_.server.selectedTuple();
    // The server sees our local address as the remote end and the other way round.
    EXPECT_EQ(tuple.remote, pair.local.address);
    EXPECT_EQ(server_.sockets.at(tuple.local), pair.remote.address);
  }

  ManualClock clock_;
  TestNetwork net_;
  AgentPeer client_;
  LitePeer server_;
  const StunAddress clientV4_ = addr("127.0.0.1", 50000);
  const StunAddress clientV6_ = addr("::1", 50000);
  const StunAddress serverV4_ = addr("127.0.0.1", 3478);
  const StunAddress serverV6_ = addr("::1", 3478);
};

TEST_F(AgentLiteTest, ConnectsAndBothSidesAgreeOnTheTuple) {
  useIpv4Only();
  ASSERT_TRUE(run(2s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  EXPECT_EQ(server_.server.state(), IceState::Connected);
  EXPECT_EQ(client_.states, (std::vector<IceState>{IceState::Checking, IceState::Connected}));
  EXPECT_EQ(server_.states, (std::vector<IceState>{IceState::Checking, IceState::Connected}));
  expectAgreement();
  EXPECT_EQ(client_.selections.size(), 1u);
  EXPECT_EQ(server_.selections.size(), 1u);
  // One ordinary check plus one nominating check; nothing lost, nothing retransmitted.
  EXPECT_EQ(client_.agent.stats().checksSent, 2u);
  EXPECT_EQ(client_.agent.stats().retransmissions, 0u);
  EXPECT_EQ(server_.server.stats().nominations, 1u);
}

TEST_F(AgentLiteTest, ChecksCarryTheRfc8445Attributes) {
  useIpv4Only();
  client_.agent.onTimer();
  ASSERT_EQ(client_.sent.size(), 1u);
  const auto check = StunMessageView::parse(client_.sent[0]);
  ASSERT_TRUE(check);
  EXPECT_TRUE(check->isBindingRequest());
  EXPECT_EQ(check->username(), kServerCreds.ufrag + ":" + kClientCreds.ufrag);
  EXPECT_EQ(check->priority(), iceCandidatePriority(kIceTypePreferencePeerReflexive, 65535));
  EXPECT_EQ(check->iceControlling(), client_.agent.tieBreaker());
  EXPECT_FALSE(check->iceControlled());
  EXPECT_FALSE(check->useCandidate());  // regular nomination: ordinary checks do not nominate
  EXPECT_TRUE(check->verifyMessageIntegrity(std::string_view(kServerCreds.pwd)));
  EXPECT_TRUE(check->verifyFingerprint());
  // The nominating check that follows does carry USE-CANDIDATE.
  ASSERT_TRUE(run(1s));
  const auto nominations = std::count_if(client_.sent.begin(), client_.sent.end(), [](auto& b) {
    const auto m = StunMessageView::parse(b);
    return m && m->useCandidate();
  });
  EXPECT_EQ(nominations, 1);
}

TEST_F(AgentLiteTest, WrongPasswordGets401AndNeverConnects) {
  client_.agent.setRemoteCredentials(kServerCreds.ufrag, "wrongPassword00000000000");
  useIpv4Only();
  ASSERT_TRUE(run(10s));
  EXPECT_GE(server_.server.stats().unauthorized, 1u);
  EXPECT_EQ(server_.server.stats().successResponses, 0u);
  EXPECT_GE(client_.agent.stats().unauthorizedResponses, 1u);
  EXPECT_EQ(server_.server.state(), IceState::New);
  EXPECT_EQ(client_.agent.state(), IceState::Failed);
  EXPECT_EQ(client_.agent.selectedPair(), nullptr);
  EXPECT_EQ(server_.server.selectedTuple(), nullptr);
}

TEST_F(AgentLiteTest, ControlledAgentIsToldBy487ToTakeControl) {
  // A full agent that wrongly starts controlled against a lite peer: the lite server answers 487,
  // the agent switches to controlling and retries.
  AgentPeer controlled(net_, clock_, IceCredentials{"ctlUfrag", "controlledPassword012345"},
                       IceRole::Controlled);
  LitePeer lite(net_, clock_, IceCredentials{"lt2Ufrag", "litePassword000000000000"});
  const auto liteAddr = addr("127.0.0.1", 3479);
  lite.addSocket(liteAddr, 20);
  lite.server.setRemoteCredentials("ctlUfrag", "controlledPassword012345");
  controlled.addSocket(addr("127.0.0.1", 50010), 21);
  controlled.agent.setRemoteCredentials("lt2Ufrag", "litePassword000000000000");
  controlled.agent.addRemoteCandidate(liteAddr, kServerV4Priority);
  ASSERT_TRUE(runFor(clock_, net_, {timerOf(controlled.agent), timerOf(lite.server)}, 3s));
  EXPECT_EQ(lite.server.stats().roleConflicts, 1u);
  EXPECT_EQ(controlled.agent.stats().roleConflicts, 1u);
  EXPECT_EQ(controlled.agent.role(), IceRole::Controlling);
  EXPECT_EQ(controlled.agent.state(), IceState::Connected);
  EXPECT_EQ(lite.server.state(), IceState::Connected);
}

TEST_F(AgentLiteTest, RetransmitsWhenFirstChecksAreLost) {
  useIpv4Only();
  net_.dropNext = 3;  // first check and its first two retransmissions
  ASSERT_TRUE(run(5s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  EXPECT_EQ(server_.server.state(), IceState::Connected);
  EXPECT_GE(client_.agent.stats().retransmissions, 3u);
  expectAgreement();
}

class AgentLiteLossyTest : public AgentLiteTest, public ::testing::WithParamInterface<int> {
 protected:
  AgentLiteLossyTest() : AgentLiteTest(static_cast<std::uint32_t>(GetParam())) {}
};

TEST_P(AgentLiteLossyTest, ConnectsOverThirtyPercentLoss) {
  useIpv4Only();
  net_.lossRate = 0.3;
  ASSERT_TRUE(run(10s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  EXPECT_EQ(server_.server.state(), IceState::Connected);
  expectAgreement();
}

INSTANTIATE_TEST_SUITE_P(Seeds, AgentLiteLossyTest, ::testing::Values(1, 2, 3, 4, 5));

TEST_F(AgentLiteTest, SilenceLosesConsentOnBothSides) {
  useIpv4Only();
  ASSERT_TRUE(run(2s));
  ASSERT_EQ(client_.agent.state(), IceState::Connected);
  net_.blackhole = true;
  ASSERT_TRUE(run(12s));
  EXPECT_EQ(client_.agent.state(), IceState::Disconnected);
  EXPECT_EQ(server_.server.state(), IceState::Connected);
  ASSERT_TRUE(run(19s));  // 31 s of silence
  EXPECT_EQ(server_.server.state(), IceState::Disconnected);
  EXPECT_EQ(server_.server.tupleCount(), 0u);
  EXPECT_EQ(server_.server.selectedTuple(), nullptr);
  EXPECT_EQ(client_.agent.state(), IceState::Failed);
  EXPECT_EQ(client_.agent.selectedPair(), nullptr);
  EXPECT_EQ(client_.states, (std::vector<IceState>{IceState::Checking, IceState::Connected,
                                                   IceState::Disconnected, IceState::Failed}));
  ASSERT_EQ(client_.selections.size(), 2u);
  EXPECT_EQ(client_.selections[1], std::nullopt);
  EXPECT_GT(client_.agent.stats().consentRequestsSent, 0u);
}

TEST_F(AgentLiteTest, ShortOutageRecoversFromDisconnected) {
  useIpv4Only();
  ASSERT_TRUE(run(2s));
  net_.blackhole = true;
  ASSERT_TRUE(run(15s));
  ASSERT_EQ(client_.agent.state(), IceState::Disconnected);
  net_.blackhole = false;
  ASSERT_TRUE(run(10s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  EXPECT_EQ(server_.server.state(), IceState::Connected);
}

TEST_F(AgentLiteTest, ConsentRefreshKeepsTheConnectionForTwoMinutes) {
  useIpv4Only();
  ASSERT_TRUE(run(2s));
  ASSERT_TRUE(run(120s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  EXPECT_EQ(server_.server.state(), IceState::Connected);
  EXPECT_EQ(client_.states, (std::vector<IceState>{IceState::Checking, IceState::Connected}));
  EXPECT_EQ(server_.server.tupleCount(), 1u);
  // One every 4-6 s.
  EXPECT_GE(client_.agent.stats().consentRequestsSent, 20u);
  EXPECT_LE(client_.agent.stats().consentRequestsSent, 31u);
  EXPECT_EQ(server_.server.stats().tuplesExpired, 0u);
  expectAgreement();
}

TEST_F(AgentLiteTest, IceRestartReconnectsAndOldCredentialsStopWorking) {
  useIpv4Only();
  ASSERT_TRUE(run(2s));
  const auto nominationsBefore = server_.server.stats().nominations;

  const auto newServer = IceCredentials::generate();
  server_.server.restartIce(newServer);
  const auto newClient = client_.agent.restartIce();
  EXPECT_NE(newClient.ufrag, kClientCreds.ufrag);
  // Media keeps its path while the new credentials travel over signalling.
  ASSERT_TRUE(run(1s));
  EXPECT_NE(client_.agent.selectedPair(), nullptr);
  EXPECT_NE(server_.server.selectedTuple(), nullptr);
  server_.server.setRemoteCredentials(newClient.ufrag, newClient.pwd);
  client_.agent.setRemoteCredentials(newServer.ufrag, newServer.pwd);
  client_.agent.setRemoteEndOfCandidates();
  ASSERT_TRUE(run(3s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  EXPECT_EQ(server_.server.state(), IceState::Connected);
  EXPECT_EQ(server_.server.stats().nominations, nominationsBefore + 1);
  expectAgreement();

  // A check made with the old credentials is now refused.
  const auto refusedBefore = server_.server.stats().unauthorized;
  std::array<std::uint8_t, 256> buffer{};
  StunMessageBuilder b(buffer, StunClass::Request, StunMethod::Binding,
                       StunTransactionId{9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9});
  b.addUsername(kServerCreds.ufrag + ":" + kClientCreds.ufrag);
  b.addIceControlling(1);
  b.addUseCandidate();
  b.addMessageIntegrity(std::string_view(kServerCreds.pwd));
  b.addFingerprint();
  ASSERT_TRUE(b.ok());
  server_.server.handlePacket(b.bytes(), clientV4_, kServerV4);
  EXPECT_EQ(server_.server.stats().unauthorized, refusedBefore + 1);
  const auto reply = StunMessageView::parse(server_.sent.back());
  ASSERT_TRUE(reply && reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorUnauthorized);
  EXPECT_EQ(server_.server.state(), IceState::Connected);
}

TEST_F(AgentLiteTest, TwoLocalCandidatesPickTheBestPair) {
  server_.addSocket(serverV6_, kServerV6);
  // IPv6 gets the higher local preference on both ends, so the ::1 pair has the top priority.
  client_.addSocket(clientV4_, kClientV4, 65534);
  client_.addSocket(clientV6_, kClientV6, 65535);
  client_.agent.addRemoteCandidate(serverV4_, kServerV4Priority);
  client_.agent.addRemoteCandidate(serverV6_, kServerV6Priority);
  client_.agent.setRemoteEndOfCandidates();
  // Families never mix: two pairs, not four, best first.
  ASSERT_EQ(client_.agent.pairs().size(), 2u);
  EXPECT_EQ(client_.agent.pairs()[0].local.socket, kClientV6);
  EXPECT_GT(client_.agent.pairs()[0].priority, client_.agent.pairs()[1].priority);
  ASSERT_TRUE(run(3s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  ASSERT_NE(client_.agent.selectedPair(), nullptr);
  EXPECT_EQ(client_.agent.selectedPair()->local.address, clientV6_);
  EXPECT_EQ(client_.agent.selectedPair()->remote.address, serverV6_);
  ASSERT_NE(server_.server.selectedTuple(), nullptr);
  EXPECT_EQ(server_.server.selectedTuple()->local, kServerV6);
  expectAgreement();
}

TEST_F(AgentLiteTest, FallsBackToTheOtherFamilyWhenTheBestPairIsDead) {
  server_.addSocket(serverV6_, kServerV6);
  client_.addSocket(clientV4_, kClientV4, 65534);
  client_.addSocket(clientV6_, kClientV6, 65535);
  client_.agent.addRemoteCandidate(serverV4_, kServerV4Priority);
  // The SDP advertises an IPv6 address nobody listens on.
  client_.agent.addRemoteCandidate(addr("::1", 9), kServerV6Priority);
  client_.agent.setRemoteEndOfCandidates();
  ASSERT_TRUE(run(3s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  ASSERT_NE(client_.agent.selectedPair(), nullptr);
  EXPECT_EQ(client_.agent.selectedPair()->local.address, clientV4_);
  expectAgreement();
}

TEST_F(AgentLiteTest, GarbageIsCountedAndIgnored) {
  useIpv4Only();
  const Bytes rtp = {0x80, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0xde, 0xad, 0xbe, 0xef};
  Bytes stunHeaderOnly = {0x01, 0x01, 0x00, 0x08, 0x21, 0x12, 0xa4, 0x42, 1, 2, 3, 4,
                          5,    6,    7,    8,    9,    10,   11,   12};  // length lies
  client_.agent.handlePacket(rtp, serverV4_, kClientV4);
  client_.agent.handlePacket(stunHeaderOnly, serverV4_, kClientV4);
  client_.agent.handlePacket({}, serverV4_, kClientV4);
  // A well-formed success response for a transaction we never started.
  std::array<std::uint8_t, 128> buffer{};
  StunMessageBuilder b(buffer, StunClass::SuccessResponse, StunMethod::Binding,
                       StunTransactionId{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  b.addXorMappedAddress(clientV4_);
  b.addMessageIntegrity(std::string_view(kServerCreds.pwd));
  b.addFingerprint();
  client_.agent.handlePacket(b.bytes(), serverV4_, kClientV4);
  const auto& s = client_.agent.stats();
  EXPECT_EQ(s.packetsReceived, 4u);
  EXPECT_EQ(s.notStun + s.malformed, 3u);
  EXPECT_EQ(s.unknownTransaction, 1u);
  EXPECT_TRUE(client_.sent.empty());
  EXPECT_EQ(client_.agent.state(), IceState::New);
  // And it still connects afterwards.
  ASSERT_TRUE(run(2s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
}

TEST_F(AgentLiteTest, ForgedSuccessWithWrongIntegrityIsIgnored) {
  useIpv4Only();
  net_.blackhole = true;
  client_.agent.onTimer();
  ASSERT_EQ(client_.sent.size(), 1u);
  const auto check = StunMessageView::parse(client_.sent[0]);
  std::array<std::uint8_t, 128> buffer{};
  StunMessageBuilder b(buffer, StunClass::SuccessResponse, StunMethod::Binding,
                       check->transactionId());
  b.addXorMappedAddress(clientV4_);
  b.addMessageIntegrity(std::string_view("attackerPassword00000000"));
  b.addFingerprint();
  client_.agent.handlePacket(b.bytes(), serverV4_, kClientV4);
  EXPECT_EQ(client_.agent.stats().badIntegrity, 1u);
  EXPECT_EQ(client_.agent.pairs()[0].state, IceCandidatePairState::InProgress);
}

// The agent answers the peer's checks like any full agent (RFC 8445 section 7.3).
TEST_F(AgentLiteTest, AnswersPeerChecksAndRefusesWrongCredentials) {
  useIpv4Only();
  const auto makeCheck = [](std::string_view username, std::string_view pwd, std::uint8_t seed) {
    std::array<std::uint8_t, 256> buffer{};
    StunTransactionId id{};
    id.fill(seed);
    StunMessageBuilder b(buffer, StunClass::Request, StunMethod::Binding, id);
    b.addUsername(username);
    b.addPriority(iceCandidatePriority(kIceTypePreferencePeerReflexive, 65535));
    b.addIceControlled(5);
    b.addMessageIntegrity(pwd);
    b.addFingerprint();
    return Bytes(b.bytes().begin(), b.bytes().end());
  };
  const std::string username = kClientCreds.ufrag + ":" + kServerCreds.ufrag;
  client_.agent.handlePacket(makeCheck(username, kClientCreds.pwd, 1), serverV4_, kClientV4);
  ASSERT_EQ(client_.sent.size(), 1u);
  auto reply = StunMessageView::parse(client_.sent.back());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->messageClass(), StunClass::SuccessResponse);
  EXPECT_EQ(reply->xorMappedAddress(), serverV4_);
  EXPECT_TRUE(reply->verifyMessageIntegrity(std::string_view(kClientCreds.pwd)));
  EXPECT_TRUE(reply->verifyFingerprint());
  EXPECT_EQ(client_.agent.stats().requestsAnswered, 1u);

  client_.agent.handlePacket(makeCheck(username, "wrongPassword00000000000", 2), serverV4_,
                             kClientV4);
  reply = StunMessageView::parse(client_.sent.back());
  ASSERT_TRUE(reply && reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorUnauthorized);

  // After a restart the old local credentials no longer authenticate.
  const auto fresh = client_.agent.restartIce();
  client_.agent.handlePacket(makeCheck(username, kClientCreds.pwd, 3), serverV4_, kClientV4);
  reply = StunMessageView::parse(client_.sent.back());
  ASSERT_TRUE(reply && reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorUnauthorized);
  client_.agent.handlePacket(makeCheck(fresh.ufrag + ":" + kServerCreds.ufrag, fresh.pwd, 4),
                             serverV4_, kClientV4);
  reply = StunMessageView::parse(client_.sent.back());
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->messageClass(), StunClass::SuccessResponse);
  EXPECT_EQ(client_.agent.stats().requestsRefused, 2u);
  EXPECT_EQ(client_.agent.stats().requestsAnswered, 2u);
}

TEST_F(AgentLiteTest, StaysCheckingWithoutEndOfCandidates) {
  client_.addSocket(clientV4_, kClientV4);
  client_.agent.addRemoteCandidate(addr("127.0.0.1", 9), kServerV4Priority);  // nobody there
  ASSERT_TRUE(run(10s));
  // More candidates may still trickle in, so failing now would be premature.
  EXPECT_EQ(client_.agent.state(), IceState::Checking);
  EXPECT_EQ(client_.agent.pairs()[0].state, IceCandidatePairState::Failed);
  client_.agent.addRemoteCandidate(serverV4_, kServerV4Priority);
  ASSERT_TRUE(run(3s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  expectAgreement();
  client_.agent.close();
  EXPECT_EQ(client_.agent.state(), IceState::Closed);
  EXPECT_FALSE(client_.agent.nextTimeout());
}

// Mutated checks and responses, seeded: nothing crashes (ASan/UBSan build), every packet is
// either counted as dropped or answered, and the session still works afterwards.
TEST_F(AgentLiteTest, SurvivesMutatedPackets) {
  useIpv4Only();
  ASSERT_TRUE(run(2s));
  ASSERT_FALSE(server_.sent.empty());
  ASSERT_FALSE(client_.sent.empty());
  std::mt19937 rng(1234);
  const Bytes check = client_.sent.front();
  const Bytes response = server_.sent.front();
  for (int i = 0; i < 2000; ++i) {
    Bytes m = (i % 2 == 0) ? check : response;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      m[rng() % m.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
    }
    if (rng() % 4 == 0) m.resize(rng() % (m.size() + 1));
    server_.server.handlePacket(m, clientV4_, kServerV4);
    client_.agent.handlePacket(m, serverV4_, kClientV4);
  }
  EXPECT_EQ(server_.server.stats().packetsReceived, 2000u + server_.server.stats().successResponses);
  EXPECT_EQ(server_.server.state(), IceState::Connected);
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  ASSERT_TRUE(run(60s));
  EXPECT_EQ(client_.agent.state(), IceState::Connected);
  EXPECT_EQ(server_.server.state(), IceState::Connected);
  expectAgreement();
}

// Two full agents that both start controlling: the tie-breakers settle it (RFC 8445 7.3.1.1).
TEST(IceAgentPair, RoleConflictResolvesAndBothAgree) {
  ManualClock clock;
  TestNetwork net(7);
  const IceCredentials aCreds{"aaaaUfrg", "aPassword000000000000000"};
  const IceCredentials bCreds{"bbbbUfrg", "bPassword000000000000000"};
  AgentPeer a(net, clock, aCreds, IceRole::Controlling, 0x9000000000000000ull);
  AgentPeer b(net, clock, bCreds, IceRole::Controlling, 0x1000000000000000ull);
  const auto aAddr = addr("127.0.0.1", 41000);
  const auto bAddr = addr("127.0.0.1", 42000);
  a.addSocket(aAddr, 1);
  b.addSocket(bAddr, 2);
  a.agent.setRemoteCredentials(bCreds.ufrag, bCreds.pwd);
  b.agent.setRemoteCredentials(aCreds.ufrag, aCreds.pwd);
  a.agent.addRemoteCandidate(bAddr, iceCandidatePriority(kIceTypePreferenceHost, 65535));
  b.agent.addRemoteCandidate(aAddr, iceCandidatePriority(kIceTypePreferenceHost, 65535));
  ASSERT_TRUE(runFor(clock, net, {timerOf(a.agent), timerOf(b.agent)}, 3s));
  EXPECT_EQ(a.agent.role(), IceRole::Controlling);
  EXPECT_EQ(b.agent.role(), IceRole::Controlled);
  EXPECT_GE(a.agent.stats().roleConflicts + b.agent.stats().roleConflicts, 1u);
  EXPECT_EQ(b.agent.stats().roleSwitches, 1u);
  EXPECT_EQ(a.agent.stats().roleSwitches, 0u);
  EXPECT_EQ(a.agent.state(), IceState::Connected);
  EXPECT_EQ(b.agent.state(), IceState::Connected);
  ASSERT_NE(a.agent.selectedPair(), nullptr);
  ASSERT_NE(b.agent.selectedPair(), nullptr);
  EXPECT_EQ(a.agent.selectedPair()->remote.address, bAddr);
  EXPECT_EQ(b.agent.selectedPair()->remote.address, aAddr);
  EXPECT_GE(a.agent.stats().requestsAnswered, 1u);
  EXPECT_GE(b.agent.stats().requestsAnswered, 1u);
  // Both keep it alive with consent checks answered by the other.
  ASSERT_TRUE(runFor(clock, net, {timerOf(a.agent), timerOf(b.agent)}, 60s));
  EXPECT_EQ(a.agent.state(), IceState::Connected);
  EXPECT_EQ(b.agent.state(), IceState::Connected);
}

TEST(IceAgentPair, LearnsPeerReflexiveCandidateFromIncomingCheck) {
  ManualClock clock;
  TestNetwork net(3);
  const IceCredentials aCreds{"aaaaUfrg", "aPassword000000000000000"};
  const IceCredentials bCreds{"bbbbUfrg", "bPassword000000000000000"};
  AgentPeer a(net, clock, aCreds, IceRole::Controlling);
  AgentPeer b(net, clock, bCreds, IceRole::Controlled);
  const auto aAddr = addr("127.0.0.1", 41000);
  const auto bAddr = addr("127.0.0.1", 42000);
  a.addSocket(aAddr, 1);
  b.addSocket(bAddr, 2);
  a.agent.setRemoteCredentials(bCreds.ufrag, bCreds.pwd);
  b.agent.setRemoteCredentials(aCreds.ufrag, aCreds.pwd);
  // Only A learns B's candidate over signalling; B discovers A from A's checks.
  a.agent.addRemoteCandidate(bAddr, iceCandidatePriority(kIceTypePreferenceHost, 65535));
  ASSERT_TRUE(runFor(clock, net, {timerOf(a.agent), timerOf(b.agent)}, 3s));
  ASSERT_EQ(b.agent.pairs().size(), 1u);
  EXPECT_EQ(b.agent.pairs()[0].remote.type, IceCandidateType::PeerReflexive);
  EXPECT_EQ(b.agent.pairs()[0].remote.address, aAddr);
  EXPECT_EQ(a.agent.state(), IceState::Connected);
  EXPECT_EQ(b.agent.state(), IceState::Connected);
}

}  // namespace
}  // namespace huddle::rtc
