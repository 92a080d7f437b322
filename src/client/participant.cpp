#include "client/participant.h"

#include "client/room_core.h"
#include "client/track_state.h"

namespace huddle::client {

namespace {

RequestResult gone() { return RequestResult{false, RequestError::NotConnected, "the Room is gone"}; }

}  // namespace

std::string LocalParticipant::identity() const { return info().identity; }
std::string LocalParticipant::sid() const { return info().sid; }
std::string LocalParticipant::name() const { return info().name; }
std::string LocalParticipant::metadata() const { return info().metadata; }
std::map<std::string, std::string> LocalParticipant::attributes() const { return info().attributes; }

ParticipantInfo LocalParticipant::info() const {
  auto core = core_.lock();
  return core ? core->localInfo() : ParticipantInfo{};
}

RequestResult LocalParticipant::setMetadata(std::string metadata) {
  auto core = core_.lock();
  return core ? core->updateMetadata(std::move(metadata), std::nullopt, {}) : gone();
}

RequestResult LocalParticipant::setName(std::string name) {
  auto core = core_.lock();
  return core ? core->updateMetadata(std::nullopt, std::move(name), {}) : gone();
}

RequestResult LocalParticipant::setAttributes(std::map<std::string, std::string> attributes) {
  if (attributes.empty()) return RequestResult{false, RequestError::InvalidArgument, "no attributes given"};
  auto core = core_.lock();
  return core ? core->updateMetadata(std::nullopt, std::nullopt, std::move(attributes)) : gone();
}

RequestResult LocalParticipant::publishData(std::span<const std::uint8_t> data, const DataPublishOptions& options) {
  auto core = core_.lock();
  return core ? core->publishData(data, options) : gone();
}

std::future<PublishResult> LocalParticipant::publishTrack(std::shared_ptr<LocalTrack> track) {
  auto promise = std::make_shared<std::promise<PublishResult>>();
  auto future = promise->get_future();
  auto core = core_.lock();
  if (!core || !track) {
    promise->set_value(PublishResult{false, core ? "no track" : "the Room is gone", {}});
    return future;
  }
  core->publishTrack(track->state(), [promise](PublishResult result) { promise->set_value(std::move(result)); });
  return future;
}

void LocalParticipant::publishTrack(std::shared_ptr<LocalTrack> track, std::function<void(const PublishResult&)> done) {
  auto core = core_.lock();
  if (!core || !track) return;
  std::weak_ptr<RoomCore> weak = core;
  core->publishTrack(track->state(), [weak, done = std::move(done)](PublishResult result) {
    if (auto self = weak.lock()) self->post([done, result = std::move(result)] { done(result); });
  });
}

RequestResult LocalParticipant::unpublishTrack(const std::shared_ptr<LocalTrack>& track) {
  auto core = core_.lock();
  if (!core) return gone();
  return core->unpublishTrack(track ? track->state() : nullptr);
}

}  // namespace huddle::client
