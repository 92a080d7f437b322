#include "server/webhook/webhook_notifier.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "auth/access_token.h"
#include "auth/key_provider.h"
#include "auth/webhook_auth.h"
#include "common/clock.h"
#include "test_receiver.h"
#include "server/webhook/webhook_event.h"

namespace huddle::server {
namespace {

using namespace std::chrono_literals;
using test::ReceivedRequest;
using test::TestReceiver;

constexpr const char* kApiKey = "APIwebhooktest";
constexpr const char* kApiSecret = "webhook-test-secret-0123456789abcdefghijkl";
// Generous bounds for waiting on conditions; a passing run never comes near them.
constexpr auto kWait = 10s;

WebhookNotifier::Options optionsFor(std::vector<std::string> urls) {
  WebhookNotifier::Options options;
  options.urls = std::move(urls);
  options.apiKey = kApiKey;
  options.apiSecret = kApiSecret;
  options.initialBackoff = 5ms;
  options.maxBackoff = 20ms;
  options.requestTimeout = 5s;
  return options;
}

std::unique_ptr<WebhookNotifier> makeNotifier(WebhookNotifier::Options options,
                                              const Clock& clock = SystemClock::instance()) {
  auto created = WebhookNotifier::create(std::move(options), clock);
  EXPECT_TRUE(created) << (created ? "" : created.message());
  return created ? std::move(created.value()) : nullptr;
}

livekit::WebhookEvent roomEvent(std::string_view name, const std::string& roomName) {
  livekit::Room room;
  room.set_sid("RM_" + roomName);
  room.set_name(roomName);
  return makeWebhookEvent(name, &room, nullptr, nullptr);
}

std::string eventId(const ReceivedRequest& request) {
  return nlohmann::json::parse(request.body).value("id", "");
}

std::string roomName(const ReceivedRequest& request) {
  return nlohmann::json::parse(request.body)["room"].value("name", "");
}

// A port on 127.0.0.1 where nothing listens: connections are refused at once.
std::uint16_t closedPort() {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  return acceptor.local_endpoint().port();
}

TEST(WebhookNotifier, PostsSignedProtoJsonThatVerifies) {
  const ManualClock clock;  // read-only from here on, so sharing it across threads is safe
  TestReceiver receiver;
  auto notifier = makeNotifier(optionsFor({receiver.url("/hooks/livekit")}), clock);
  ASSERT_TRUE(notifier);

  livekit::Room room;
  room.set_sid("RM_k3Jd8sPq2LmN");
  room.set_name("standup");
  room.set_creation_time(1'699'999'990);
  livekit::ParticipantInfo participant;
  participant.set_sid("PA_x8Kq2mZ0aB1c");
  participant.set_identity("alice");
  participant.set_state(livekit::ParticipantInfo::ACTIVE);
  notifier->notify(makeWebhookEvent(kEventParticipantJoined, &room, &participant, nullptr));

  ASSERT_TRUE(notifier->flush(kWait));
  ASSERT_TRUE(receiver.waitForRequests(1));
  const ReceivedRequest request = receiver.requests().at(0);
  EXPECT_EQ(request.method, "POST");
  EXPECT_EQ(request.target, "/hooks/livekit");
  EXPECT_EQ(request.contentType, "application/webhook+json");
  EXPECT_EQ(request.userAgent, "LiveKit");
  EXPECT_EQ(request.authorization.rfind("Bearer", 0), std::string::npos);

  auth::KeyProvider keys;
  ASSERT_TRUE(keys.add(kApiKey, kApiSecret, {}));
  const auth::TokenVerifier verifier(keys, clock);
  auto verified = auth::verifyWebhook(request.body, request.authorization, verifier);
  ASSERT_TRUE(verified) << verified.message();
  EXPECT_EQ(verified->apiKey, kApiKey);

  std::string tampered = request.body;
  tampered.replace(tampered.find("alice"), 5, "mallo");
  auto rejected = auth::verifyWebhook(tampered, request.authorization, verifier);
  ASSERT_FALSE(rejected);
  EXPECT_EQ(rejected.code(), auth::TokenError::BodyHashMismatch);

  const auto json = nlohmann::json::parse(request.body);
  EXPECT_EQ(json["event"], "participant_joined");
  EXPECT_EQ(json["room"]["sid"], "RM_k3Jd8sPq2LmN");
  EXPECT_EQ(json["room"]["creationTime"], "1699999990");
  EXPECT_EQ(json["participant"]["identity"], "alice");
  EXPECT_EQ(json["participant"]["state"], "ACTIVE");
  // Filled by notify(): the clock's unix seconds as a string, and an EV_ id.
  EXPECT_EQ(json["createdAt"], "1700000000");
  const std::string id = json["id"];
  EXPECT_EQ(id.rfind("EV_", 0), 0u) << id;
  EXPECT_GT(id.size(), 3u);

  const auto stats = notifier->stats();
  EXPECT_EQ(stats.queued, 1u);
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.failedAttempts, 0u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_EQ(stats.givenUp, 0u);
}

TEST(WebhookNotifier, KeepsIdAndCreatedAtTheCallerSet) {
  TestReceiver receiver;
  auto notifier = makeNotifier(optionsFor({receiver.url()}));
  ASSERT_TRUE(notifier);
  auto event = roomEvent(kEventRoomFinished, "r1");
  event.set_id("EV_fixed");
  event.set_created_at(1234);
  notifier->notify(event);
  ASSERT_TRUE(notifier->flush(kWait));
  ASSERT_TRUE(receiver.waitForRequests(1));
  const auto json = nlohmann::json::parse(receiver.requests().at(0).body);
  EXPECT_EQ(json["id"], "EV_fixed");
  EXPECT_EQ(json["createdAt"], "1234");
}

TEST(WebhookNotifier, RetriesAfterServerErrorsThenSucceeds) {
  TestReceiver receiver;
  receiver.script({500, 503, 429});
  auto notifier = makeNotifier(optionsFor({receiver.url()}));
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomStarted, "r1"));
  ASSERT_TRUE(notifier->flush(kWait));

  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 4u);
  // The same event (same body) every time.
  for (const auto& r : requests) EXPECT_EQ(r.body, requests[0].body);
  const auto stats = notifier->stats();
  EXPECT_EQ(stats.failedAttempts, 3u);
  EXPECT_EQ(stats.delivered, 1u);
  EXPECT_EQ(stats.givenUp, 0u);
}

TEST(WebhookNotifier, DoesNotRetryAfterClientError) {
  TestReceiver receiver;
  receiver.script({400});
  auto notifier = makeNotifier(optionsFor({receiver.url()}));
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomStarted, "refused"));
  notifier->notify(roomEvent(kEventRoomStarted, "accepted"));
  ASSERT_TRUE(notifier->flush(kWait));

  // Once answered 400, the first event is abandoned: the next request is already the second.
  const auto requests = receiver.requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(roomName(requests[0]), "refused");
  EXPECT_EQ(roomName(requests[1]), "accepted");
  const auto stats = notifier->stats();
  EXPECT_EQ(stats.failedAttempts, 1u);
  EXPECT_EQ(stats.givenUp, 1u);
  EXPECT_EQ(stats.delivered, 1u);
}

TEST(WebhookNotifier, GivesUpAfterMaxAttempts) {
  TestReceiver receiver;
  receiver.script({500, 502, 503, 500});
  auto options = optionsFor({receiver.url()});
  options.maxAttempts = 3;
  auto notifier = makeNotifier(options);
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomStarted, "r1"));
  ASSERT_TRUE(notifier->flush(kWait));
  EXPECT_EQ(receiver.requests().size(), 3u);
  const auto stats = notifier->stats();
  EXPECT_EQ(stats.failedAttempts, 3u);
  EXPECT_EQ(stats.givenUp, 1u);
  EXPECT_EQ(stats.delivered, 0u);
}

TEST(WebhookNotifier, DeliversInOrderAcrossRetries) {
  TestReceiver receiver;
  receiver.script({200, 500, 200, 200, 503, 500, 200, 429});
  auto notifier = makeNotifier(optionsFor({receiver.url()}));
  ASSERT_TRUE(notifier);
  constexpr int kEvents = 20;
  for (int i = 0; i < kEvents; ++i) {
    notifier->notify(roomEvent(kEventRoomStarted, "room-" + std::to_string(i)));
  }
  ASSERT_TRUE(notifier->flush(kWait));

  // Collapse retries (consecutive repeats of one event) and compare with the notify order.
  std::vector<std::string> order;
  std::vector<std::string> ids;
  for (const auto& r : receiver.requests()) {
    if (!ids.empty() && ids.back() == eventId(r)) continue;
    ids.push_back(eventId(r));
    order.push_back(roomName(r));
  }
  ASSERT_EQ(order.size(), static_cast<std::size_t>(kEvents));
  for (int i = 0; i < kEvents; ++i) EXPECT_EQ(order[i], "room-" + std::to_string(i));
  EXPECT_EQ(receiver.requests().size(), static_cast<std::size_t>(kEvents) + 4u);
  EXPECT_EQ(notifier->stats().delivered, static_cast<std::uint64_t>(kEvents));
}

TEST(WebhookNotifier, NotifyReturnsWhileAReceiverHangs) {
  TestReceiver receiver;
  receiver.setHold(true);
  auto notifier = makeNotifier(optionsFor({receiver.url()}));
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomStarted, "first"));
  // The first request reached the receiver, which will never answer it...
  ASSERT_TRUE(receiver.waitForRequests(1));
  // ...and still each notify() returns: it only enqueues.
  for (int i = 0; i < 10; ++i) notifier->notify(roomEvent(kEventRoomStarted, "more"));
  const auto stats = notifier->stats();
  EXPECT_EQ(stats.queued, 11u);
  EXPECT_EQ(stats.delivered, 0u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_FALSE(notifier->flush(50ms));
}

TEST(WebhookNotifier, CountsEventsDroppedWhenTheQueueIsFull) {
  TestReceiver receiver;
  receiver.setHold(true);
  auto options = optionsFor({receiver.url()});
  options.queueLimit = 3;
  auto notifier = makeNotifier(options);
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomStarted, "in-flight"));
  ASSERT_TRUE(receiver.waitForRequests(1));
  for (int i = 0; i < 6; ++i) notifier->notify(roomEvent(kEventRoomStarted, "queued"));
  const auto stats = notifier->stats();
  EXPECT_EQ(stats.queued, 3u);   // the one in flight counts against the limit
  EXPECT_EQ(stats.dropped, 4u);
}

TEST(WebhookNotifier, OneHangingUrlDoesNotHoldBackAnother) {
  TestReceiver hanging;
  hanging.setHold(true);
  TestReceiver healthy;
  auto notifier = makeNotifier(optionsFor({hanging.url(), healthy.url()}));
  ASSERT_TRUE(notifier);
  for (int i = 0; i < 3; ++i) {
    notifier->notify(roomEvent(kEventRoomStarted, "room-" + std::to_string(i)));
  }
  ASSERT_TRUE(healthy.waitForRequests(3));
  ASSERT_TRUE(hanging.waitForRequests(1));
  const auto requests = healthy.requests();
  for (int i = 0; i < 3; ++i) EXPECT_EQ(roomName(requests[i]), "room-" + std::to_string(i));
  // Each URL's copy is the same encoding of the same event.
  EXPECT_EQ(hanging.requests().at(0).body, requests.at(0).body);
  EXPECT_EQ(notifier->stats().queued, 6u);
}

TEST(WebhookNotifier, FlushTrueWhenNothingIsQueued) {
  TestReceiver receiver;
  auto notifier = makeNotifier(optionsFor({receiver.url()}));
  ASSERT_TRUE(notifier);
  EXPECT_TRUE(notifier->flush(0ms));
}

TEST(WebhookNotifier, FlushFalseWhileTheReceiverIsDown) {
  auto options = optionsFor({"http://127.0.0.1:" + std::to_string(closedPort()) + "/hook"});
  options.maxAttempts = 1000;
  auto notifier = makeNotifier(options);
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomFinished, "r1"));
  EXPECT_FALSE(notifier->flush(300ms));
  const auto stats = notifier->stats();
  EXPECT_EQ(stats.delivered, 0u);
  EXPECT_EQ(stats.givenUp, 0u);
}

TEST(WebhookNotifier, ConnectionRefusedIsRetriedAndThenGivenUp) {
  auto options = optionsFor({"http://127.0.0.1:" + std::to_string(closedPort()) + "/hook"});
  options.maxAttempts = 3;
  auto notifier = makeNotifier(options);
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomFinished, "r1"));
  ASSERT_TRUE(notifier->flush(kWait));
  const auto stats = notifier->stats();
  EXPECT_EQ(stats.failedAttempts, 3u);
  EXPECT_EQ(stats.givenUp, 1u);
}

TEST(WebhookNotifier, RequestTimeoutCountsAsAFailedAttempt) {
  TestReceiver receiver;
  receiver.setHold(true);
  auto options = optionsFor({receiver.url()});
  options.maxAttempts = 2;
  options.requestTimeout = 200ms;
  auto notifier = makeNotifier(options);
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomFinished, "r1"));
  ASSERT_TRUE(notifier->flush(kWait));
  // On a loaded machine a timeout may strike before a request even reaches the receiver, so
  // the receiver's count is only bounded; the notifier's own counters are exact.
  EXPECT_LE(receiver.requests().size(), 2u);
  EXPECT_EQ(notifier->stats().failedAttempts, 2u);
  EXPECT_EQ(notifier->stats().givenUp, 1u);
}

test::TlsFiles testTlsFiles() {
  const std::string dir = HUDDLE_WEBHOOK_TEST_DATA;
  return {dir + "/test_cert.pem", dir + "/test_key.pem"};
}

TEST(WebhookNotifier, PostsOverHttpsToATrustedCertificate) {
  TestReceiver receiver(testTlsFiles());
  auto options = optionsFor({receiver.url()});
  options.caFile = testTlsFiles().certFile;  // self-signed for IP 127.0.0.1
  auto notifier = makeNotifier(options);
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomStarted, "secure"));
  ASSERT_TRUE(notifier->flush(kWait));
  ASSERT_TRUE(receiver.waitForRequests(1));
  const auto request = receiver.requests().at(0);
  EXPECT_EQ(roomName(request), "secure");
  EXPECT_EQ(request.contentType, "application/webhook+json");
  auth::KeyProvider keys;
  ASSERT_TRUE(keys.add(kApiKey, kApiSecret, {}));
  const auth::TokenVerifier verifier(keys, SystemClock::instance());
  EXPECT_TRUE(auth::verifyWebhook(request.body, request.authorization, verifier));
  EXPECT_EQ(notifier->stats().delivered, 1u);
}

TEST(WebhookNotifier, RefusesAnUntrustedCertificate) {
  TestReceiver receiver(testTlsFiles());
  auto options = optionsFor({receiver.url()});  // system store: the test CA is not in it
  options.maxAttempts = 2;
  auto notifier = makeNotifier(options);
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomStarted, "secure"));
  ASSERT_TRUE(notifier->flush(kWait));
  EXPECT_TRUE(receiver.requests().empty());
  const auto stats = notifier->stats();
  EXPECT_EQ(stats.delivered, 0u);
  EXPECT_EQ(stats.failedAttempts, 2u);
  EXPECT_EQ(stats.givenUp, 1u);
}

TEST(WebhookNotifier, RefusesACertificateForAnotherHost) {
  TestReceiver receiver(testTlsFiles());
  // Trusted, but it names IP 127.0.0.1 only, not "localhost".
  auto options = optionsFor({"https://localhost:" + std::to_string(receiver.port()) + "/hook"});
  options.caFile = testTlsFiles().certFile;
  options.maxAttempts = 1;
  auto notifier = makeNotifier(options);
  ASSERT_TRUE(notifier);
  notifier->notify(roomEvent(kEventRoomStarted, "secure"));
  ASSERT_TRUE(notifier->flush(kWait));
  EXPECT_TRUE(receiver.requests().empty());
  EXPECT_EQ(notifier->stats().givenUp, 1u);
  EXPECT_EQ(notifier->stats().delivered, 0u);
}

TEST(WebhookNotifier, RefusesBadConfiguration) {
  auto expectError = [](WebhookNotifier::Options options, WebhookError code) {
    auto created = WebhookNotifier::create(std::move(options));
    ASSERT_FALSE(created);
    EXPECT_EQ(created.code(), code) << created.message();
  };
  expectError(optionsFor({}), WebhookError::NoUrls);
  expectError(optionsFor({"not a url"}), WebhookError::InvalidUrl);
  auto badCa = optionsFor({"http://127.0.0.1:1/ok", "https://127.0.0.1:1/hook"});
  badCa.caFile = std::string(HUDDLE_WEBHOOK_TEST_DATA) + "/does_not_exist.pem";
  expectError(badCa, WebhookError::TlsSetup);
  auto noSecret = optionsFor({"http://127.0.0.1:1/"});
  noSecret.apiSecret.clear();
  expectError(noSecret, WebhookError::MissingCredentials);
  auto noQueue = optionsFor({"http://127.0.0.1:1/"});
  noQueue.queueLimit = 0;
  expectError(noQueue, WebhookError::InvalidOption);
  auto noAttempts = optionsFor({"http://127.0.0.1:1/"});
  noAttempts.maxAttempts = 0;
  expectError(noAttempts, WebhookError::InvalidOption);
}

}  // namespace
}  // namespace huddle::server
