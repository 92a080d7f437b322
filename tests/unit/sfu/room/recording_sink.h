#pragma once
// A ParticipantSink and RoomEventListener that record what they were told, for room tests.

#include <string>
#include <utility>
#include <vector>

#include "sfu/room/participant_sink.h"

namespace huddle::sfu::test {

struct RecordingSink final : ParticipantSink {
  struct Response {
    std::uint32_t requestId;
    RequestKind kind;
    RequestOutcome outcome;
  };
  bool joined = false;
  RoomInfo joinedRoom;
  ParticipantInfo self;
  std::vector<ParticipantInfo> othersAtJoin;
  std::vector<std::vector<ParticipantInfo>> updates;
  std::vector<RoomInfo> roomUpdates;
  std::vector<std::pair<std::string, TrackInfo>> published;
  std::vector<std::string> unpublished;
  std::vector<std::pair<std::string, bool>> muteRequests;
  std::vector<Response> responses;
  std::vector<DataMessage> data;
  std::vector<std::pair<DisconnectReason, LeaveAction>> removed;

  void onJoined(const RoomInfo& room, const ParticipantInfo& s,
                const std::vector<ParticipantInfo>& others) override {
    joined = true;
    joinedRoom = room;
    self = s;
    othersAtJoin = others;
  }
  int resumed = 0;
  void onResumed(const RoomInfo& room, const ParticipantInfo& s,
                 const std::vector<ParticipantInfo>& others) override {
    ++resumed;
    joinedRoom = room;
    self = s;
    othersAtJoin = others;
  }
  void onParticipantsChanged(const std::vector<ParticipantInfo>& p) override {
    updates.push_back(p);
  }
  void onRoomChanged(const RoomInfo& room) override { roomUpdates.push_back(room); }
  void onTrackPublished(const std::string& cid, const TrackInfo& track) override {
    published.emplace_back(cid, track);
  }
  void onTrackUnpublished(const std::string& sid) override { unpublished.push_back(sid); }
  void onTrackMuteRequested(const std::string& sid, bool muted) override {
    muteRequests.emplace_back(sid, muted);
  }
  void onRequestResponse(std::uint32_t id, RequestKind kind, RequestOutcome outcome,
                         const std::string& /*message*/) override {
    responses.push_back({id, kind, outcome});
  }
  void onData(const DataMessage& m) override { data.push_back(m); }
  struct PermissionUpdate {
    std::string publisherSid;
    std::string trackSid;
    bool allowed;
  };
  std::vector<PermissionUpdate> permissionUpdates;
  void onSubscriptionPermissionChanged(const std::string& publisherSid, const std::string& trackSid,
                                       bool allowed) override {
    permissionUpdates.push_back({publisherSid, trackSid, allowed});
  }
  void onRemoved(DisconnectReason reason, LeaveAction action) override {
    removed.emplace_back(reason, action);
  }

  // The last info this sink saw about `identity` in an update.
  [[nodiscard]] const ParticipantInfo* lastUpdateFor(const std::string& identity) const {
    for (auto it = updates.rbegin(); it != updates.rend(); ++it) {
      for (const auto& p : *it) {
        if (p.identity == identity) return &p;
      }
    }
    return nullptr;
  }
};

struct RecordingEvents final : RoomEventListener {
  std::vector<std::string> log;  // "room_started:<room>", "participant_joined:<identity>"...
  void onRoomStarted(const RoomInfo& r) override { log.push_back("room_started:" + r.name); }
  void onRoomFinished(const RoomInfo& r) override { log.push_back("room_finished:" + r.name); }
  void onParticipantJoined(const RoomInfo&, const ParticipantInfo& p) override {
    log.push_back("participant_joined:" + p.identity);
  }
  void onParticipantLeft(const RoomInfo&, const ParticipantInfo& p) override {
    log.push_back("participant_left:" + p.identity);
  }
  void onTrackPublished(const RoomInfo&, const ParticipantInfo& p, const TrackInfo& t) override {
    log.push_back("track_published:" + p.identity + ":" + t.name);
  }
  void onTrackUnpublished(const RoomInfo&, const ParticipantInfo& p, const TrackInfo& t) override {
    log.push_back("track_unpublished:" + p.identity + ":" + t.name);
  }
};

}  // namespace huddle::sfu::test
