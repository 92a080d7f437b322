#pragma once
// Single-threaded test double: replies synchronously (or on release() when holding replies).
//
// A RoomServiceBackend over a map of rooms, each with one canned participant publishing one
// audio track, so participant methods have someone to find. Shared by the Twirp unit tests, the
// fuzzer and the interop fixture server. It records the last request of each method.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "server/twirp/room_service_backend.h"

namespace huddle::server::fakes {

inline constexpr const char* kCannedIdentity = "canned-participant";
inline constexpr const char* kCannedParticipantSid = "PA_canned";
inline constexpr const char* kCannedTrackSid = "TR_canned";

class InMemoryRoomBackend final : public RoomServiceBackend {
 public:
  // When set, the next call replies with this error instead of doing anything.
  std::optional<TwirpError> failNext;
  // When true, replies are queued until release(), to exercise asynchronous replies.
  bool holdReplies = false;

  std::optional<livekit::CreateRoomRequest> lastCreateRoom;
  std::optional<livekit::ListRoomsRequest> lastListRooms;
  std::optional<livekit::DeleteRoomRequest> lastDeleteRoom;
  std::optional<livekit::ListParticipantsRequest> lastListParticipants;
  std::optional<livekit::RoomParticipantIdentity> lastGetParticipant;
  std::optional<livekit::RoomParticipantIdentity> lastRemoveParticipant;
  std::optional<livekit::MuteRoomTrackRequest> lastMutePublishedTrack;
  std::optional<livekit::UpdateParticipantRequest> lastUpdateParticipant;
  std::optional<livekit::UpdateSubscriptionsRequest> lastUpdateSubscriptions;
  std::optional<livekit::SendDataRequest> lastSendData;
  std::optional<livekit::UpdateRoomMetadataRequest> lastUpdateRoomMetadata;
  int calls = 0;

  void addRoom(const std::string& name) {
    livekit::CreateRoomRequest request;
    request.set_name(name);
    insertRoom(request);
  }
  [[nodiscard]] bool hasRoom(const std::string& name) const { return rooms_.count(name) != 0; }
  [[nodiscard]] const livekit::Room* room(const std::string& name) const {
    auto it = rooms_.find(name);
    return it == rooms_.end() ? nullptr : &it->second.info;
  }
  [[nodiscard]] const livekit::ParticipantInfo* participant(const std::string& room,
                                                            const std::string& identity) const {
    auto it = rooms_.find(room);
    if (it == rooms_.end()) return nullptr;
    auto p = it->second.participants.find(identity);
    return p == it->second.participants.end() ? nullptr : &p->second;
  }

  // Runs the replies held while holdReplies was set; returns how many ran.
  std::size_t release() {
    auto pending = std::move(pending_);
    pending_.clear();
    for (auto& reply : pending) reply();
    return pending.size();
  }

  void createRoom(const livekit::CreateRoomRequest& request,
                  TwirpReply<livekit::Room> reply) override {
    lastCreateRoom = request;
    if (failed(reply)) return;
    // Like LiveKit, creating an existing room returns it unchanged.
    if (!hasRoom(request.name())) insertRoom(request);
    send(std::move(reply), rooms_.at(request.name()).info);
  }

  void listRooms(const livekit::ListRoomsRequest& request,
                 TwirpReply<livekit::ListRoomsResponse> reply) override {
    lastListRooms = request;
    if (failed(reply)) return;
    livekit::ListRoomsResponse response;
    for (const auto& [name, state] : rooms_) {
      bool wanted = request.names().empty();
      for (const auto& n : request.names()) wanted = wanted || n == name;
      if (wanted) *response.add_rooms() = state.info;
    }
    send(std::move(reply), std::move(response));
  }

  void deleteRoom(const livekit::DeleteRoomRequest& request,
                  TwirpReply<livekit::DeleteRoomResponse> reply) override {
    lastDeleteRoom = request;
    if (failed(reply)) return;
    if (rooms_.erase(request.room()) == 0) return sendError(std::move(reply), roomNotFound());
    send(std::move(reply), livekit::DeleteRoomResponse{});
  }

  void listParticipants(const livekit::ListParticipantsRequest& request,
                        TwirpReply<livekit::ListParticipantsResponse> reply) override {
    lastListParticipants = request;
    if (failed(reply)) return;
    auto* state = findRoom(request.room());
    if (state == nullptr) return sendError(std::move(reply), roomNotFound());
    livekit::ListParticipantsResponse response;
    for (const auto& [identity, info] : state->participants) *response.add_participants() = info;
    send(std::move(reply), std::move(response));
  }

  void getParticipant(const livekit::RoomParticipantIdentity& request,
                      TwirpReply<livekit::ParticipantInfo> reply) override {
    lastGetParticipant = request;
    if (failed(reply)) return;
    auto* p = findParticipant(request.room(), request.identity());
    if (p == nullptr) return sendError(std::move(reply), participantNotFound());
    send(std::move(reply), *p);
  }

  void removeParticipant(const livekit::RoomParticipantIdentity& request,
                         TwirpReply<livekit::RemoveParticipantResponse> reply) override {
    lastRemoveParticipant = request;
    if (failed(reply)) return;
    auto* state = findRoom(request.room());
    if (state == nullptr || state->participants.erase(request.identity()) == 0) {
      return sendError(std::move(reply), participantNotFound());
    }
    state->info.set_num_participants(static_cast<std::uint32_t>(state->participants.size()));
    send(std::move(reply), livekit::RemoveParticipantResponse{});
  }

  void mutePublishedTrack(const livekit::MuteRoomTrackRequest& request,
                          TwirpReply<livekit::MuteRoomTrackResponse> reply) override {
    lastMutePublishedTrack = request;
    if (failed(reply)) return;
    auto* p = findParticipant(request.room(), request.identity());
    if (p == nullptr) return sendError(std::move(reply), participantNotFound());
    for (auto& track : *p->mutable_tracks()) {
      if (track.sid() != request.track_sid()) continue;
      track.set_muted(request.muted());
      livekit::MuteRoomTrackResponse response;
      *response.mutable_track() = track;
      return send(std::move(reply), std::move(response));
    }
    sendError(std::move(reply), TwirpError{"not_found", "track is not found"});
  }

  void updateParticipant(const livekit::UpdateParticipantRequest& request,
                         TwirpReply<livekit::ParticipantInfo> reply) override {
    lastUpdateParticipant = request;
    if (failed(reply)) return;
    auto* p = findParticipant(request.room(), request.identity());
    if (p == nullptr) return sendError(std::move(reply), participantNotFound());
    if (!request.metadata().empty()) p->set_metadata(request.metadata());
    if (!request.name().empty()) p->set_name(request.name());
    if (request.has_permission()) *p->mutable_permission() = request.permission();
    for (const auto& [key, value] : request.attributes()) {
      if (value.empty()) {
        p->mutable_attributes()->erase(key);
      } else {
        (*p->mutable_attributes())[key] = value;
      }
    }
    send(std::move(reply), *p);
  }

  void updateSubscriptions(const livekit::UpdateSubscriptionsRequest& request,
                           TwirpReply<livekit::UpdateSubscriptionsResponse> reply) override {
    lastUpdateSubscriptions = request;
    if (failed(reply)) return;
    if (findParticipant(request.room(), request.identity()) == nullptr) {
      return sendError(std::move(reply), participantNotFound());
    }
    send(std::move(reply), livekit::UpdateSubscriptionsResponse{});
  }

  void sendData(const livekit::SendDataRequest& request,
                TwirpReply<livekit::SendDataResponse> reply) override {
    lastSendData = request;
    if (failed(reply)) return;
    if (findRoom(request.room()) == nullptr) return sendError(std::move(reply), roomNotFound());
    send(std::move(reply), livekit::SendDataResponse{});
  }

  void updateRoomMetadata(const livekit::UpdateRoomMetadataRequest& request,
                          TwirpReply<livekit::Room> reply) override {
    lastUpdateRoomMetadata = request;
    if (failed(reply)) return;
    auto* state = findRoom(request.room());
    if (state == nullptr) return sendError(std::move(reply), roomNotFound());
    state->info.set_metadata(request.metadata());
    send(std::move(reply), state->info);
  }

 private:
  struct RoomState {
    livekit::Room info;
    std::map<std::string, livekit::ParticipantInfo> participants;
  };

  static TwirpError roomNotFound() { return {"not_found", "requested room does not exist"}; }
  static TwirpError participantNotFound() { return {"not_found", "participant does not exist"}; }

  RoomState* findRoom(const std::string& name) {
    auto it = rooms_.find(name);
    return it == rooms_.end() ? nullptr : &it->second;
  }
  livekit::ParticipantInfo* findParticipant(const std::string& room,
                                            const std::string& identity) {
    auto* state = findRoom(room);
    if (state == nullptr) return nullptr;
    auto it = state->participants.find(identity);
    return it == state->participants.end() ? nullptr : &it->second;
  }

  void insertRoom(const livekit::CreateRoomRequest& request) {
    RoomState state;
    ++nextSid_;
    state.info.set_sid("RM_" + std::to_string(nextSid_));
    state.info.set_name(request.name());
    state.info.set_empty_timeout(request.empty_timeout());
    state.info.set_departure_timeout(request.departure_timeout());
    state.info.set_max_participants(request.max_participants());
    state.info.set_metadata(request.metadata());
    // Fixed instants, so nothing here depends on the wall clock.
    state.info.set_creation_time(1'700'000'000 + nextSid_);
    state.info.set_creation_time_ms((1'700'000'000 + nextSid_) * 1000);

    livekit::ParticipantInfo canned;
    canned.set_sid(kCannedParticipantSid);
    canned.set_identity(kCannedIdentity);
    canned.set_name("Canned Participant");
    canned.set_state(livekit::ParticipantInfo::ACTIVE);
    canned.set_joined_at(1'700'000'000);
    auto* track = canned.add_tracks();
    track->set_sid(kCannedTrackSid);
    track->set_type(livekit::AUDIO);
    track->set_name("mic");
    track->set_source(livekit::MICROPHONE);
    state.participants.emplace(kCannedIdentity, std::move(canned));
    state.info.set_num_participants(1);
    state.info.set_num_publishers(1);
    rooms_[request.name()] = std::move(state);
  }

  template <typename T>
  bool failed(TwirpReply<T>& reply) {
    ++calls;
    if (!failNext) return false;
    auto error = std::move(*failNext);
    failNext.reset();
    sendError(std::move(reply), std::move(error));
    return true;
  }

  template <typename T>
  void send(TwirpReply<T> reply, T value) {
    deliver([reply = std::move(reply), value = std::move(value)] { reply(value); });
  }
  template <typename T>
  void sendError(TwirpReply<T> reply, TwirpError error) {
    deliver([reply = std::move(reply), error = std::move(error)] { reply(error); });
  }
  void deliver(std::function<void()> fn) {
    if (holdReplies) {
      pending_.push_back(std::move(fn));
    } else {
      fn();
    }
  }

  std::map<std::string, RoomState> rooms_;
  std::int64_t nextSid_ = 0;
  std::vector<std::function<void()>> pending_;
};

}  // namespace huddle::server::fakes
