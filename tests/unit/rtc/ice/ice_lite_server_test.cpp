#include "rtc/ice/ice_lite_server.h"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "rtc/ice/stun_message.h"
#include "stun_vectors.h"

namespace huddle::rtc {
namespace {

using namespace std::chrono_literals;
using Bytes = std::vector<std::uint8_t>;

const IceCredentials kServerCreds{"srvUfrag", "serverPassword0123456789"};
const IceCredentials kClientCreds{"cliUfrag", "clientPassword0123456789"};
constexpr IceSocketHandle kSocket = 7;

StunAddress addr(std::string_view ip, std::uint16_t port) {
  return *StunAddress::fromString(ip, port);
}

struct CheckOptions {
  std::string username = kServerCreds.ufrag + ":" + kClientCreds.ufrag;
  std::string pwd = kServerCreds.pwd;
  bool controlling = true;
  bool controlled = false;
  bool useCandidate = false;
  bool integrity = true;
  bool fingerprint = true;
  std::uint8_t txSeed = 1;
};

Bytes makeCheck(const CheckOptions& o) {
  std::array<std::uint8_t, 256> buffer{};
  StunTransactionId id{};
  for (std::size_t i = 0; i < id.size(); ++i) id[i] = static_cast<std::uint8_t>(o.txSeed + i);
  StunMessageBuilder b(buffer, StunClass::Request, StunMethod::Binding, id);
  b.addUsername(o.username);
  b.addPriority(0x6E0000FF);
  if (o.controlling) b.addIceControlling(0x1122334455667788ull);
  if (o.controlled) b.addIceControlled(0x1122334455667788ull);
  if (o.useCandidate) b.addUseCandidate();
  if (o.integrity) b.addMessageIntegrity(std::string_view(o.pwd));
  if (o.fingerprint) b.addFingerprint();
  EXPECT_TRUE(b.ok());
  return Bytes(b.bytes().begin(), b.bytes().end());
}

struct Recorder final : IceLiteServer::Listener {
  struct Sent {
    Bytes bytes;
    StunAddress to;
    IceSocketHandle socket;
  };
  void onIceSendStun(IceLiteServer&, std::span<const std::uint8_t> bytes, const StunAddress& to,
                     IceSocketHandle socket) override {
    sent.push_back(Sent{Bytes(bytes.begin(), bytes.end()), to, socket});
  }
  void onIceStateChanged(IceLiteServer&, IceState state) override { states.push_back(state); }
  void onIceSelectedTupleChanged(IceLiteServer&, const IceTuple* tuple) override {
    selections.push_back(tuple ? std::optional<IceTuple>(*tuple) : std::nullopt);
  }
  std::vector<Sent> sent;
  std::vector<IceState> states;
  std::vector<std::optional<IceTuple>> selections;
};

class IceLiteServerTest : public ::testing::Test {
 protected:
  IceLiteServerTest() : server_(rec_, clock_, kServerCreds) {
    server_.setRemoteCredentials(kClientCreds.ufrag, kClientCreds.pwd);
  }

  // Feeds `packet` and returns the parsed reply, if any was sent.
  std::optional<StunMessageView> feed(const Bytes& packet, const StunAddress& from) {
    const auto before = rec_.sent.size();
    server_.handlePacket(packet, from, kSocket);
    if (rec_.sent.size() == before) return std::nullopt;
    EXPECT_EQ(rec_.sent.size(), before + 1);
    EXPECT_EQ(rec_.sent.back().to, from);
    EXPECT_EQ(rec_.sent.back().socket, kSocket);
    return StunMessageView::parse(rec_.sent.back().bytes);
  }

  ManualClock clock_;
  Recorder rec_;
  IceLiteServer server_;
  const StunAddress peer_ = addr("192.0.2.10", 40000);
};

TEST_F(IceLiteServerTest, AnswersValidCheckWithSignedXorMappedAddress) {
  const auto request = makeCheck({});
  const auto reply = feed(request, peer_);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->messageClass(), StunClass::SuccessResponse);
  EXPECT_EQ(reply->method(), StunMethod::Binding);
  EXPECT_EQ(reply->transactionId(), StunMessageView::parse(request)->transactionId());
  EXPECT_EQ(reply->xorMappedAddress(), peer_);
  EXPECT_TRUE(reply->verifyMessageIntegrity(std::string_view(kServerCreds.pwd)));
  EXPECT_FALSE(reply->verifyMessageIntegrity(std::string_view(kClientCreds.pwd)));
  EXPECT_TRUE(reply->verifyFingerprint());
  EXPECT_EQ(server_.state(), IceState::Checking);
  EXPECT_EQ(server_.tupleCount(), 1u);
  EXPECT_EQ(server_.selectedTuple(), nullptr);
  EXPECT_EQ(server_.stats().successResponses, 1u);
}

TEST_F(IceLiteServerTest, UseCandidateSelectsTheTuple) {
  CheckOptions o;
  o.useCandidate = true;
  ASSERT_TRUE(feed(makeCheck(o), peer_));
  ASSERT_NE(server_.selectedTuple(), nullptr);
  EXPECT_EQ(*server_.selectedTuple(), (IceTuple{peer_, kSocket}));
  EXPECT_EQ(server_.state(), IceState::Connected);
  ASSERT_EQ(rec_.selections.size(), 1u);
  EXPECT_EQ(rec_.selections[0], (IceTuple{peer_, kSocket}));
  EXPECT_EQ(rec_.states, (std::vector<IceState>{IceState::Connected}));
  // Nominating the same tuple again is not a change.
  o.txSeed = 2;
  ASSERT_TRUE(feed(makeCheck(o), peer_));
  EXPECT_EQ(rec_.selections.size(), 1u);
  // Another path nominated later wins.
  const auto other = addr("192.0.2.10", 40002);
  o.txSeed = 3;
  ASSERT_TRUE(feed(makeCheck(o), other));
  ASSERT_EQ(rec_.selections.size(), 2u);
  EXPECT_EQ(rec_.selections[1], (IceTuple{other, kSocket}));
  EXPECT_EQ(server_.tupleCount(), 2u);
}

TEST_F(IceLiteServerTest, WrongPasswordGets401WithoutIntegrity) {
  CheckOptions o;
  o.pwd = "notTheServerPassword0000";
  const auto reply = feed(makeCheck(o), peer_);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->messageClass(), StunClass::ErrorResponse);
  ASSERT_TRUE(reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorUnauthorized);
  EXPECT_FALSE(reply->hasMessageIntegrity());
  EXPECT_TRUE(reply->verifyFingerprint());
  EXPECT_EQ(server_.stats().unauthorized, 1u);
  EXPECT_EQ(server_.state(), IceState::New);
  EXPECT_EQ(server_.tupleCount(), 0u);
}

TEST_F(IceLiteServerTest, WrongUfragsGet401) {
  CheckOptions o;
  o.username = "otherUfr:" + kClientCreds.ufrag;  // not addressed to us
  auto reply = feed(makeCheck(o), peer_);
  ASSERT_TRUE(reply && reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorUnauthorized);
  o.username = kServerCreds.ufrag + ":intruder";  // not from our peer
  reply = feed(makeCheck(o), peer_);
  ASSERT_TRUE(reply && reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorUnauthorized);
  o.username = kServerCreds.ufrag;  // no ':' at all
  reply = feed(makeCheck(o), peer_);
  ASSERT_TRUE(reply && reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorUnauthorized);
  EXPECT_EQ(server_.stats().unauthorized, 3u);
  EXPECT_EQ(server_.state(), IceState::New);
}

TEST_F(IceLiteServerTest, UnknownRemoteUfragIsAcceptedUntilSignalled) {
  IceLiteServer early(rec_, clock_, kServerCreds);
  CheckOptions o;
  o.username = kServerCreds.ufrag + ":whoever1";
  early.handlePacket(makeCheck(o), peer_, kSocket);
  EXPECT_EQ(early.stats().successResponses, 1u);
  early.setRemoteCredentials(kClientCreds.ufrag, kClientCreds.pwd);
  o.txSeed = 9;
  early.handlePacket(makeCheck(o), peer_, kSocket);
  EXPECT_EQ(early.stats().unauthorized, 1u);
}

TEST_F(IceLiteServerTest, MissingIntegrityGets400) {
  CheckOptions o;
  o.integrity = false;
  const auto reply = feed(makeCheck(o), peer_);
  ASSERT_TRUE(reply && reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorBadRequest);
  EXPECT_EQ(server_.stats().badRequests, 1u);
}

TEST_F(IceLiteServerTest, PeerClaimingControlledGetsSigned487) {
  CheckOptions o;
  o.controlling = false;
  o.controlled = true;
  const auto reply = feed(makeCheck(o), peer_);
  ASSERT_TRUE(reply && reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorRoleConflict);
  // A 487 is signed so that the peer can trust it enough to switch roles.
  EXPECT_TRUE(reply->verifyMessageIntegrity(std::string_view(kServerCreds.pwd)));
  EXPECT_EQ(server_.stats().roleConflicts, 1u);
  EXPECT_EQ(server_.tupleCount(), 0u);
}

TEST_F(IceLiteServerTest, Rfc5769SampleRequestIsAuthenticatedThenRefusedWith487) {
  // The RFC sample is signed with its password, USERNAME "evtj:h6vY", and carries ICE-CONTROLLED.
  Recorder rec;
  IceLiteServer server(rec, clock_, IceCredentials{"evtj", std::string(test::kRfc5769Password)});
  server.setRemoteCredentials("h6vY", "");
  server.handlePacket(test::kRfc5769Request, peer_, kSocket);
  ASSERT_EQ(rec.sent.size(), 1u);
  const auto reply = StunMessageView::parse(rec.sent[0].bytes);
  ASSERT_TRUE(reply && reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorRoleConflict);
  EXPECT_EQ(server.stats().unauthorized, 0u);
}

TEST_F(IceLiteServerTest, MissingOrBadFingerprintIsDroppedSilently) {
  CheckOptions o;
  o.fingerprint = false;
  EXPECT_FALSE(feed(makeCheck(o), peer_));
  auto corrupted = makeCheck({});
  corrupted.back() ^= 0x01;  // last byte of the CRC
  EXPECT_FALSE(feed(corrupted, peer_));
  EXPECT_EQ(server_.stats().badFingerprint, 2u);
  EXPECT_EQ(server_.state(), IceState::New);
}

TEST_F(IceLiteServerTest, GarbageIsCountedAndIgnored) {
  const Bytes rtp = {0x80, 0x60, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, 0xde, 0xad, 0xbe, 0xef};
  const Bytes dtls = {0x16, 0xfe, 0xfd, 0x00, 0x00};
  const Bytes empty;
  auto truncated = makeCheck({});
  truncated.resize(30);  // header says more than is there
  auto response = makeCheck({});
  response[0] = 0x01;  // Binding success response
  response[1] = 0x01;
  EXPECT_FALSE(feed(rtp, peer_));
  EXPECT_FALSE(feed(dtls, peer_));
  EXPECT_FALSE(feed(empty, peer_));
  EXPECT_FALSE(feed(truncated, peer_));
  EXPECT_FALSE(feed(response, peer_));
  const auto& s = server_.stats();
  EXPECT_EQ(s.packetsReceived, 5u);
  EXPECT_EQ(s.notStun + s.malformed, 4u);
  EXPECT_GE(s.notStun, 3u);
  EXPECT_EQ(s.ignored, 1u);
  EXPECT_TRUE(rec_.sent.empty());
  EXPECT_EQ(server_.state(), IceState::New);
}

TEST_F(IceLiteServerTest, ConsentExpiresThirtySecondsAfterLastValidCheck) {
  CheckOptions o;
  o.useCandidate = true;
  ASSERT_TRUE(feed(makeCheck(o), peer_));
  ASSERT_EQ(server_.nextTimeout(), clock_.steadyNow() + 30s);
  clock_.advance(29s);
  server_.onTimer();
  EXPECT_EQ(server_.state(), IceState::Connected);
  // A consent refresh (no USE-CANDIDATE) pushes the deadline out.
  o.useCandidate = false;
  o.txSeed = 5;
  ASSERT_TRUE(feed(makeCheck(o), peer_));
  clock_.advance(29s);
  server_.onTimer();
  EXPECT_EQ(server_.state(), IceState::Connected);
  clock_.advance(1s);
  server_.onTimer();
  EXPECT_EQ(server_.state(), IceState::Disconnected);
  EXPECT_EQ(server_.selectedTuple(), nullptr);
  EXPECT_EQ(server_.tupleCount(), 0u);
  EXPECT_EQ(server_.stats().tuplesExpired, 1u);
  ASSERT_EQ(rec_.selections.size(), 2u);
  EXPECT_EQ(rec_.selections[1], std::nullopt);
  EXPECT_FALSE(server_.nextTimeout());
  // A fresh nomination brings it back.
  o.useCandidate = true;
  o.txSeed = 6;
  ASSERT_TRUE(feed(makeCheck(o), peer_));
  EXPECT_EQ(server_.state(), IceState::Connected);
}

TEST_F(IceLiteServerTest, SelectedTupleExpiryFallsBackToLiveTuple) {
  const auto other = addr("192.0.2.10", 40002);
  CheckOptions o;
  o.useCandidate = true;
  ASSERT_TRUE(feed(makeCheck(o), peer_));
  clock_.advance(10s);
  o.useCandidate = false;
  o.txSeed = 2;
  ASSERT_TRUE(feed(makeCheck(o), other));
  clock_.advance(20s);
  server_.onTimer();
  ASSERT_NE(server_.selectedTuple(), nullptr);
  EXPECT_EQ(server_.selectedTuple()->remote, other);
  EXPECT_EQ(server_.state(), IceState::Connected);
  EXPECT_EQ(server_.tupleCount(), 1u);
}

TEST_F(IceLiteServerTest, RestartKeepsSelectedTupleAndRefusesOldCredentials) {
  CheckOptions o;
  o.useCandidate = true;
  ASSERT_TRUE(feed(makeCheck(o), peer_));
  const IceCredentials newServer{"srvUfra2", "serverPassword9876543210"};
  const IceCredentials newClient{"cliUfra2", "clientPassword9876543210"};
  server_.restartIce(newServer);
  server_.setRemoteCredentials(newClient.ufrag, newClient.pwd);
  ASSERT_NE(server_.selectedTuple(), nullptr);
  EXPECT_EQ(server_.state(), IceState::Connected);
  // Old credentials no longer authenticate.
  o.txSeed = 2;
  auto reply = feed(makeCheck(o), peer_);
  ASSERT_TRUE(reply && reply->errorCode());
  EXPECT_EQ(reply->errorCode()->code, kStunErrorUnauthorized);
  EXPECT_EQ(server_.selectedTuple()->remote, peer_);
  // New ones nominate a new path.
  const auto other = addr("198.51.100.1", 5000);
  o.username = newServer.ufrag + ":" + newClient.ufrag;
  o.pwd = newServer.pwd;
  o.txSeed = 3;
  reply = feed(makeCheck(o), other);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->messageClass(), StunClass::SuccessResponse);
  EXPECT_TRUE(reply->verifyMessageIntegrity(std::string_view(newServer.pwd)));
  EXPECT_EQ(server_.selectedTuple()->remote, other);
}

TEST_F(IceLiteServerTest, ClosedServerIgnoresEverything) {
  server_.close();
  EXPECT_EQ(server_.state(), IceState::Closed);
  EXPECT_FALSE(feed(makeCheck({}), peer_));
  EXPECT_FALSE(server_.nextTimeout());
  EXPECT_EQ(rec_.states, (std::vector<IceState>{IceState::Closed}));
}

}  // namespace
}  // namespace huddle::rtc
