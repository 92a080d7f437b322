// Sends one room's lifecycle (room_started ... room_finished) through WebhookNotifier to the URL
// given on the command line, flushes, and prints the notifier's counters as one JSON line.
// Used by webhook_interop.mjs; exits 0 when all six events were delivered.
//   webhook_interop_driver <url> <api key> <api secret>

#include <chrono>
#include <cstdio>
#include <string>

#include "server/webhook/webhook_event.h"
#include "server/webhook/webhook_notifier.h"

namespace {

using huddle::server::makeWebhookEvent;

livekit::Room makeRoom(std::uint32_t participants) {
  livekit::Room room;
  room.set_sid("RM_hT4kWq9ZbX2c");
  room.set_name("weekly-sync");
  room.set_empty_timeout(300);
  room.set_departure_timeout(20);
  room.set_max_participants(10);
  room.set_creation_time(1'764'000'000);
  room.set_creation_time_ms(1'764'000'000'250);
  room.set_metadata(R"({"topic":"planning"})");
  room.set_num_participants(participants);
  room.set_num_publishers(participants);
  return room;
}

livekit::ParticipantInfo makeParticipant(livekit::ParticipantInfo::State state) {
  livekit::ParticipantInfo p;
  p.set_sid("PA_n3Rv8JmQ1sLe");
  p.set_identity("alice");
  p.set_name("Alice Example");
  p.set_state(state);
  p.set_metadata(R"({"seat":3})");
  p.set_joined_at(1'764'000'005);
  p.set_joined_at_ms(1'764'000'005'120);
  p.set_version(4);
  p.set_region("eu-west");
  p.set_is_publisher(true);
  p.set_kind(livekit::ParticipantInfo::STANDARD);
  (*p.mutable_attributes())["role"] = "host";
  auto* permission = p.mutable_permission();
  permission->set_can_subscribe(true);
  permission->set_can_publish(true);
  permission->set_can_publish_data(true);
  permission->add_can_publish_sources(livekit::CAMERA);
  permission->add_can_publish_sources(livekit::MICROPHONE);
  if (state == livekit::ParticipantInfo::DISCONNECTED) {
    p.set_disconnect_reason(livekit::CLIENT_INITIATED);
  }
  return p;
}

livekit::TrackInfo makeTrack() {
  livekit::TrackInfo t;
  t.set_sid("TR_VCk2Lp7Xw0Qa");
  t.set_type(livekit::VIDEO);
  t.set_name("camera");
  t.set_width(1280);
  t.set_height(720);
  t.set_simulcast(true);
  t.set_source(livekit::CAMERA);
  t.set_mime_type("video/VP8");
  t.set_mid("1");
  for (auto [quality, width, height, bitrate] :
       {std::tuple{livekit::LOW, 320u, 180u, 150'000u},
        std::tuple{livekit::HIGH, 1280u, 720u, 1'700'000u}}) {
    auto* layer = t.add_layers();
    layer->set_quality(quality);
    layer->set_width(width);
    layer->set_height(height);
    layer->set_bitrate(bitrate);
  }
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: %s <url> <api key> <api secret>\n", argv[0]);
    return 2;
  }
  huddle::server::WebhookNotifier::Options options;
  options.urls = {argv[1]};
  options.apiKey = argv[2];
  options.apiSecret = argv[3];
  options.initialBackoff = std::chrono::milliseconds(50);
  options.maxBackoff = std::chrono::milliseconds(400);
  options.requestTimeout = std::chrono::seconds(5);
  auto created = huddle::server::WebhookNotifier::create(options);
  if (!created) {
    std::fprintf(stderr, "webhook notifier: %s\n", created.message().c_str());
    return 2;
  }
  auto& notifier = *created.value();

  const auto track = makeTrack();
  const auto active = makeParticipant(livekit::ParticipantInfo::ACTIVE);
  const auto gone = makeParticipant(livekit::ParticipantInfo::DISCONNECTED);
  const auto empty = makeRoom(0);
  const auto occupied = makeRoom(1);
  namespace s = huddle::server;
  notifier.notify(makeWebhookEvent(s::kEventRoomStarted, &empty, nullptr, nullptr));
  notifier.notify(makeWebhookEvent(s::kEventParticipantJoined, &occupied, &active, nullptr));
  notifier.notify(makeWebhookEvent(s::kEventTrackPublished, &occupied, &active, &track));
  notifier.notify(makeWebhookEvent(s::kEventTrackUnpublished, &occupied, &active, &track));
  notifier.notify(makeWebhookEvent(s::kEventParticipantLeft, &empty, &gone, nullptr));
  notifier.notify(makeWebhookEvent(s::kEventRoomFinished, &empty, nullptr, nullptr));

  const bool drained = notifier.flush(std::chrono::seconds(30));
  const auto stats = notifier.stats();
  std::printf(
      "{\"drained\":%s,\"queued\":%llu,\"delivered\":%llu,\"failedAttempts\":%llu,"
      "\"dropped\":%llu,\"givenUp\":%llu}\n",
      drained ? "true" : "false", static_cast<unsigned long long>(stats.queued),
      static_cast<unsigned long long>(stats.delivered),
      static_cast<unsigned long long>(stats.failedAttempts),
      static_cast<unsigned long long>(stats.dropped),
      static_cast<unsigned long long>(stats.givenUp));
  return drained && stats.delivered == 6 ? 0 : 1;
}
