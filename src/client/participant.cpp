#include "client/participant.h"

#include "client/room_core.h"

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

}  // namespace huddle::client
